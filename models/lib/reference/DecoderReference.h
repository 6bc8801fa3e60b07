//===- DecoderReference.h - The per-family forward passes -------*- C++ -*-===//
#pragma once

#include "FloatWeights.h"
#include "strata/models/reference/ReferenceModel.h"

#include <memory>

namespace strata::models::reference {

/// LLaMA and Qwen2: RMSNorm, GQA attention with RoPE, SwiGLU FFN; Qwen2
/// adds q/k/v biases and pairs RoPE half-split (the config says which).
Expected<std::unique_ptr<ReferenceModel>> createLlamaReference(const Model &model,
                                                               uint32_t maxContext);

/// GPT-2: LayerNorm, learned positions, fused QKV with biases, GELU FFN.
Expected<std::unique_ptr<ReferenceModel>> createGpt2Reference(const Model &model,
                                                              uint32_t maxContext);

/// Builds a forward pass of type R (constructed from the model and the
/// context length) and runs its `Status init()`.
template <typename R>
Expected<std::unique_ptr<ReferenceModel>> makeReference(const Model &model,
                                                        uint32_t maxContext) {
  auto ref = std::make_unique<R>(model, maxContext);
  if (Status s = ref->init(); !s)
    return s.error();
  return std::unique_ptr<ReferenceModel>(std::move(ref));
}

} // namespace strata::models::reference
