#include "strata/models/reference/ReferenceModel.h"

#include "DecoderReference.h"
#include "strata/models/CheckedMath.h"

#include <algorithm>

namespace strata::models {

Expected<std::unique_ptr<ReferenceModel>> ReferenceModel::create(const Model &model,
                                                                 const ReferenceOptions &options) {
  const ModelConfig &c = model.config;
  if (Status s = c.validate(model.path); !s)
    return s.error();
  uint32_t context = options.maxContext ? options.maxContext : c.maxSeqLen;
  if (c.learnedPositions && context > c.maxSeqLen)
    return Error(model.path + ": a context of " + std::to_string(context) +
                 " positions exceeds the learned position table of " +
                 std::to_string(c.maxSeqLen));
  // The KV cache is 2 * layers * context * kvDim floats; refuse absurd sizes
  // rather than letting the allocation fail somewhere deep.
  auto cacheFloats = checkedProduct({2, c.nLayers, context, std::max(c.kvDim(), c.dim)});
  if (!cacheFloats || *cacheFloats > (1ull << 32))
    return Error(model.path + ": a KV cache of " + std::to_string(context) +
                 " positions would need " +
                 (cacheFloats ? std::to_string(*cacheFloats * 4 >> 20) + " MiB"
                              : std::string("more memory than can be addressed")) +
                 "; ask for a shorter context");
  switch (c.family) {
  case Family::Llama:
  case Family::Qwen2:
    if (c.norm != NormKind::RmsNorm || !c.gatedFfn || c.fusedQkv || c.learnedPositions ||
        c.linearBias || c.activation != Activation::SiLU)
      break;
    return reference::createLlamaReference(model, context);
  case Family::Gpt2:
    if (c.norm != NormKind::LayerNorm || c.gatedFfn || !c.fusedQkv || !c.learnedPositions ||
        !c.linearBias || !c.qkvBias || c.ropeStyle != RopeStyle::None ||
        c.activation == Activation::SiLU)
      break;
    return reference::createGpt2Reference(model, context);
  }
  return Error(model.path + ": the reference forward pass does not implement this variant of " +
               std::string(familyName(c.family)) + ": " + c.summary());
}

Status ReferenceModel::forward(int32_t token, uint32_t pos) {
  if (token < 0 || static_cast<uint32_t>(token) >= config_.vocabSize)
    return Error("token id " + std::to_string(token) + " is outside the vocabulary of " +
                 std::to_string(config_.vocabSize));
  if (pos >= maxContext_)
    return Error("position " + std::to_string(pos) + " is beyond the context of " +
                 std::to_string(maxContext_) + " positions");
  if (pos > length_)
    return Error("position " + std::to_string(pos) + " skips ahead: the KV cache holds " +
                 std::to_string(length_) + " positions");
  forwardImpl(token, pos);
  length_ = pos + 1;
  return Status::ok();
}

int32_t argmax(const std::vector<float> &values) {
  int32_t best = 0;
  for (size_t i = 1; i < values.size(); ++i)
    if (values[i] > values[best])
      best = static_cast<int32_t>(i);
  return best;
}

Expected<std::vector<int32_t>> generateGreedy(ReferenceModel &model,
                                              const std::vector<int32_t> &prompt,
                                              const GreedyOptions &options) {
  if (prompt.empty())
    return Error("greedy generation needs at least one prompt token");
  std::vector<int32_t> ids = prompt;
  model.reset();
  uint32_t generated = 0;
  for (uint32_t pos = 0; pos < ids.size() && generated < options.maxNewTokens; ++pos) {
    if (Status s = model.forward(ids[pos], pos); !s)
      return s.error();
    if (pos + 1 < ids.size())
      continue; // still inside the prompt (teacher forcing)
    int32_t next = argmax(model.logits());
    if (next == options.stopToken)
      break;
    ids.push_back(next);
    ++generated;
  }
  return ids;
}

Expected<std::vector<std::vector<float>>> promptLogits(ReferenceModel &model,
                                                       const std::vector<int32_t> &prompt) {
  std::vector<std::vector<float>> out;
  model.reset();
  for (uint32_t pos = 0; pos < prompt.size(); ++pos) {
    if (Status s = model.forward(prompt[pos], pos); !s)
      return s.error();
    out.push_back(model.logits());
  }
  return out;
}

} // namespace strata::models
