//===- QuantPolicy.h - Which precision each weight gets ---------*- C++ -*-===//
//
// A precision policy maps a weight's role (graph.weight `role`) to the
// encoding strata-graph-quantize converts it to. Plain C++ so the table is
// tested on its own; the pass supplies role, rank and stored format.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/Dialect/Graph/Transforms/WeightEncoding.h"

#include <optional>
#include <string_view>

namespace strata::quant {

enum class QuantPolicy {
  Fp32,   ///< everything f32
  Bf16,   ///< matrix weights bf16
  Fp16,   ///< matrix weights f16
  Int8,   ///< matrix weights int8, symmetric per output channel
  Int4,   ///< matrix weights int4, symmetric per group along the input
  Mixed,  ///< attention f16, FFN int8 per channel, embedding / lm_head bf16
  Native, ///< the precision the weight is stored in (GGUF q8_0, q4_0, f16)
};

std::string_view policyName(QuantPolicy policy);
std::optional<QuantPolicy> parsePolicy(std::string_view name);

/// What a weight is for (graph.weight `role`).
enum class WeightRole { Embedding, Attention, Ffn, LmHead, Norm, Bias };

std::optional<WeightRole> parseRole(std::string_view name);

struct PolicyOptions {
  /// Elements per int4 group along a row (the input dimension).
  int64_t groupSize = 32;
  /// Storage of int8/int4 scales: F32 or F16.
  DType scaleType = DType::F32;
};

/// The encoding a weight gets under `policy`.
/// - `role`: absent when the weight declares none; a rank-2 weight without a
///   role is a matrix weight for the uniform policies and an error for
///   `mixed`, which needs to know its class.
/// - `rank`: rank-1 weights (gains, biases) and the `norm` / `bias` roles stay
///   f32 under every policy.
/// - `stored`: the encoding of the weight's data (or of its `format`
///   attribute when it has no data); only `native` looks at it.
/// - `rowLength`: elements per row (the innermost dimension; 0: unknown).
///   Under `int4`, a matrix whose rows are not whole groups gets int8 per
///   output channel instead (the tensor cores take whole groups; this is
///   how GGUF quantizers treat tensors their block does not divide).
Expected<TargetEncoding> choosePrecision(QuantPolicy policy, std::optional<WeightRole> role,
                                         unsigned rank, const TargetEncoding &stored,
                                         const PolicyOptions &options, int64_t rowLength = 0);

} // namespace strata::quant
