//===- TensorNames.h - Canonical tensor names -------------------*- C++ -*-===//
//
// All loaders expose weights under one naming scheme, whatever the file
// format: the GGUF names (family-neutral and already the convention of the
// largest model-file ecosystem). Matrices have the canonical shape
// [out_features, in_features].
//
//   token_embd.weight            [vocab, dim]
//   position_embd.weight         [max_seq, dim]        learned positions only
//   output_norm.weight / .bias   [dim]                 .bias with LayerNorm
//   output.weight                [vocab, dim]          absent when tied
//   blk.N.attn_norm.weight/.bias [dim]
//   blk.N.attn_q.weight          [n_heads*head_dim, dim]    .bias [n_heads*head_dim]
//   blk.N.attn_k.weight          [n_kv_heads*head_dim, dim] .bias
//   blk.N.attn_v.weight          [n_kv_heads*head_dim, dim] .bias
//   blk.N.attn_qkv.weight/.bias  [3*dim, dim]          fused (GPT-2) instead of q/k/v
//   blk.N.attn_output.weight     [dim, n_heads*head_dim]    .bias with linear biases
//   blk.N.ffn_norm.weight/.bias  [dim]
//   blk.N.ffn_gate.weight        [hidden, dim]         gated FFN only
//   blk.N.ffn_up.weight          [hidden, dim]         .bias with linear biases
//   blk.N.ffn_down.weight        [dim, hidden]         .bias with linear biases
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/models/ModelConfig.h"
#include "strata/models/Tensor.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace strata::models {

namespace names {
inline constexpr std::string_view kTokenEmbedding = "token_embd.weight";
inline constexpr std::string_view kPositionEmbedding = "position_embd.weight";
inline constexpr std::string_view kOutputNorm = "output_norm.weight";
inline constexpr std::string_view kOutputNormBias = "output_norm.bias";
inline constexpr std::string_view kOutput = "output.weight";
} // namespace names

/// "blk.<layer>.<role>", e.g. blockTensorName(3, "attn_q.weight").
std::string blockTensorName(uint32_t layer, std::string_view role);

struct TensorSpec {
  std::string name;
  std::vector<uint64_t> shape;
};

/// Every tensor a model with this config must have, with its canonical shape.
std::vector<TensorSpec> expectedTensors(const ModelConfig &config);

/// Checks that every expected tensor is present with its canonical shape.
/// Messages name `source`, the tensor (canonical and source name) and the
/// expected and actual shapes.
Status checkTensorsAgainstConfig(const ModelConfig &config, const std::vector<Tensor> &tensors,
                                 const std::string &source);

} // namespace strata::models
