//===- Sampler.h - Choosing the next token from logits ----------*- C++ -*-===//
//
// Greedy (argmax, the lowest index wins a tie), or sampling with a
// temperature, optionally restricted to the top-k tokens and/or the nucleus
// of probability mass top-p, driven by a seeded generator.
//
// With top-k off, this is llama2.c run.c's sampler step for step (its
// xorshift64* generator, float softmax, the (1 - p) / (n - 1) candidate
// cutoff of its nucleus sampling), so `strata run --seed S` draws the same
// tokens as `run -s S` from the same logits. Candidates of equal probability
// are ordered by index (run.c's qsort leaves their order unspecified).
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace strata::runtime {

struct SamplingOptions {
  /// 0: greedy. Otherwise logits are divided by it before the softmax.
  float temperature = 0.0f;
  /// Keep only the k most probable tokens; 0: all.
  uint32_t topK = 0;
  /// Nucleus sampling when in (0, 1); any other value: off.
  float topP = 1.0f;
  /// Generator seed; 0 is replaced by a fixed non-zero value (xorshift
  /// would stay at 0).
  uint64_t seed = 0;

  bool greedy() const { return temperature == 0.0f; }
  /// Empty when valid, else what is wrong.
  std::string validate() const;
};

/// Index of the largest value; the lowest index wins a tie.
int32_t argmaxToken(const float *logits, size_t n);

class Sampler {
public:
  explicit Sampler(const SamplingOptions &options);

  const SamplingOptions &options() const { return options_; }
  /// The next token for `logits` (n values). Consumes one random number
  /// unless greedy.
  int32_t sample(const float *logits, size_t n);
  int32_t sample(const std::vector<float> &logits) {
    return sample(logits.data(), logits.size());
  }

  /// run.c's random_f32: a float in [0, 1) from the generator.
  float nextUniform();

private:
  int32_t sampleFromProbabilities(float coin);

  SamplingOptions options_;
  uint64_t state_;
  std::vector<float> probs_;
  std::vector<std::pair<float, int32_t>> candidates_;
};

} // namespace strata::runtime
