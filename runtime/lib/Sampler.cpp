//===- Sampler.cpp --------------------------------------------------------===//
#include "strata/runtime/Sampler.h"

#include <algorithm>
#include <cmath>

namespace strata::runtime {

namespace {
// Any odd constant works; this one is the golden ratio's (splitmix64's).
constexpr uint64_t kZeroSeedReplacement = 0x9E3779B97F4A7C15ull;

bool byProbabilityThenIndex(const std::pair<float, int32_t> &a,
                            const std::pair<float, int32_t> &b) {
  return a.first != b.first ? a.first > b.first : a.second < b.second;
}
} // namespace

std::string SamplingOptions::validate() const {
  if (!(temperature >= 0.0f) || std::isinf(temperature))
    return "temperature must be a finite number >= 0";
  if (std::isnan(topP))
    return "top-p must be a number";
  return {};
}

int32_t argmaxToken(const float *logits, size_t n) {
  size_t best = 0;
  for (size_t i = 1; i < n; ++i)
    if (logits[i] > logits[best])
      best = i;
  return int32_t(best);
}

Sampler::Sampler(const SamplingOptions &options)
    : options_(options), state_(options.seed ? options.seed : kZeroSeedReplacement) {}

float Sampler::nextUniform() {
  // run.c's random_u32 (xorshift64*) and random_f32.
  state_ ^= state_ >> 12;
  state_ ^= state_ << 25;
  state_ ^= state_ >> 27;
  uint32_t u = uint32_t((state_ * 0x2545F4914F6CDD1Dull) >> 32);
  return float(u >> 8) / 16777216.0f;
}

int32_t Sampler::sample(const float *logits, size_t n) {
  if (n == 0)
    return -1;
  if (options_.greedy())
    return argmaxToken(logits, n);
  // Softmax of logits / temperature, in float as run.c computes it.
  probs_.assign(logits, logits + n);
  for (float &p : probs_)
    p /= options_.temperature;
  float maxValue = probs_[0];
  for (float p : probs_)
    maxValue = std::max(maxValue, p);
  float sum = 0.0f;
  for (float &p : probs_) {
    p = std::exp(p - maxValue);
    sum += p;
  }
  for (float &p : probs_)
    p /= sum;
  return sampleFromProbabilities(nextUniform());
}

int32_t Sampler::sampleFromProbabilities(float coin) {
  const size_t n = probs_.size();
  const bool nucleus = options_.topP > 0.0f && options_.topP < 1.0f;
  const bool topK = options_.topK > 0 && options_.topK < n;

  if (!nucleus && !topK) {
    // run.c sample_mult: walk the CDF in index order.
    float cdf = 0.0f;
    for (size_t i = 0; i < n; ++i) {
      cdf += probs_[i];
      if (coin < cdf)
        return int32_t(i);
    }
    return int32_t(n - 1);
  }

  candidates_.clear();
  if (topK) {
    for (size_t i = 0; i < n; ++i)
      candidates_.emplace_back(probs_[i], int32_t(i));
    std::partial_sort(candidates_.begin(), candidates_.begin() + options_.topK,
                      candidates_.end(), byProbabilityThenIndex);
    candidates_.resize(options_.topK);
    float mass = 0.0f;
    for (auto &c : candidates_)
      mass += c.first;
    for (auto &c : candidates_)
      c.first /= mass;
  } else {
    // run.c sample_topp: tokens below the cutoff cannot be in the nucleus.
    const float cutoff = (1.0f - options_.topP) / float(n - 1);
    for (size_t i = 0; i < n; ++i)
      if (probs_[i] >= cutoff)
        candidates_.emplace_back(probs_[i], int32_t(i));
    std::sort(candidates_.begin(), candidates_.end(), byProbabilityThenIndex);
    // A distribution flatter than the cutoff (or a one-token vocabulary)
    // leaves no candidate: take the most probable token.
    if (candidates_.empty())
      return argmaxToken(probs_.data(), n);
  }

  float cumulative = 0.0f;
  size_t last = candidates_.size() - 1;
  if (nucleus) {
    for (size_t i = 0; i < candidates_.size(); ++i) {
      cumulative += candidates_[i].first;
      if (cumulative > options_.topP) {
        last = i;
        break;
      }
    }
  } else {
    for (auto &c : candidates_)
      cumulative += c.first;
  }
  const float r = coin * cumulative;
  float cdf = 0.0f;
  for (size_t i = 0; i <= last; ++i) {
    cdf += candidates_[i].first;
    if (r < cdf)
      return candidates_[i].second;
  }
  return candidates_[last].second;
}

} // namespace strata::runtime
