//===- ReferenceModel.h - Plain FP32 forward pass (the test reference) -*- C++ -*-===//
//
// A deliberately simple, single-threaded float32 implementation of each
// family's decoder, one token at a time with a KV cache. It reproduces
// llama2.c's run.c and HF transformers to float32 rounding, and it is the
// baseline the simulator's numbers and speed are compared with, so it stays
// straightforward: no SIMD intrinsics, no threads, no fused tricks.
//
// Weights that are float32, row-major and aligned are used in place from the
// file mapping; other types (F16, BF16, Q8_0, Q4_0) and GPT-2's transposed
// Conv1D weights are converted to float32 once, at creation.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/models/Model.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace strata::models {

struct ReferenceOptions {
  /// KV-cache length in positions; 0 means the config's maxSeqLen. Models
  /// with RoPE may use more than maxSeqLen (e.g. GGUF files whose
  /// context_length is only a converter default); learned-position models
  /// may not.
  uint32_t maxContext = 0;
};

class ReferenceModel {
public:
  /// Builds the forward pass for `model`'s family. The Model must outlive
  /// the ReferenceModel (weights point into its mappings).
  static Expected<std::unique_ptr<ReferenceModel>> create(const Model &model,
                                                          const ReferenceOptions &options = {});
  virtual ~ReferenceModel() = default;

  const ModelConfig &config() const { return config_; }
  uint32_t maxContext() const { return maxContext_; }
  /// Positions currently in the KV cache.
  uint32_t length() const { return length_; }

  /// Runs `token` at position `pos` and leaves its logits in logits().
  /// Positions are fed in order: `pos` may be at most length() (re-running a
  /// position overwrites it and forgets the ones after it).
  Status forward(int32_t token, uint32_t pos);
  const std::vector<float> &logits() const { return logits_; }

  /// Forgets the KV cache.
  void reset() { length_ = 0; }

protected:
  ReferenceModel(const ModelConfig &config, uint32_t maxContext)
      : config_(config), maxContext_(maxContext), logits_(config.vocabSize) {}
  virtual void forwardImpl(int32_t token, uint32_t pos) = 0;

  ModelConfig config_;
  uint32_t maxContext_;
  uint32_t length_ = 0;
  std::vector<float> logits_;
};

/// Index of the largest value; the lowest index wins a tie (as in run.c).
int32_t argmax(const std::vector<float> &values);

struct GreedyOptions {
  /// Generate at most this many tokens after the prompt.
  uint32_t maxNewTokens = 0;
  /// Stop (without appending it) when this token is chosen; -1 for none.
  /// llama2.c stops on BOS (id 1).
  int32_t stopToken = -1;
};

/// Feeds `prompt` (ids, BOS included if wanted) from position 0, then picks
/// argmax tokens. Returns the prompt followed by the generated ids.
Expected<std::vector<int32_t>> generateGreedy(ReferenceModel &model,
                                              const std::vector<int32_t> &prompt,
                                              const GreedyOptions &options);

/// Logits at every prompt position (teacher forcing), from position 0.
Expected<std::vector<std::vector<float>>> promptLogits(ReferenceModel &model,
                                                       const std::vector<int32_t> &prompt);

} // namespace strata::models
