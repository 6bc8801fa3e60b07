//===- QuantPolicy.cpp - Which precision each weight gets -----------------===//
#include "strata/Dialect/Graph/Transforms/QuantPolicy.h"

#include <string>

namespace strata::quant {

namespace {
struct PolicyName {
  QuantPolicy policy;
  std::string_view name;
};
constexpr PolicyName kPolicies[] = {
    {QuantPolicy::Fp32, "fp32"},     {QuantPolicy::Bf16, "bf16"}, {QuantPolicy::Fp16, "fp16"},
    {QuantPolicy::Int8, "int8"},     {QuantPolicy::Int4, "int4"}, {QuantPolicy::Mixed, "mixed"},
    {QuantPolicy::Native, "native"},
};

struct RoleName {
  WeightRole role;
  std::string_view name;
};
constexpr RoleName kRoles[] = {
    {WeightRole::Embedding, "embedding"},
    {WeightRole::Attention, "attention"},
    {WeightRole::Ffn, "ffn"},
    {WeightRole::LmHead, "lm_head"},
    {WeightRole::Norm, "norm"},
    {WeightRole::Bias, "bias"},
};

constexpr TargetEncoding kF32{WeightFormat::F32, 0, DType::F32};
constexpr TargetEncoding kF16{WeightFormat::F16, 0, DType::F32};
constexpr TargetEncoding kBF16{WeightFormat::BF16, 0, DType::F32};
} // namespace

std::string_view policyName(QuantPolicy policy) {
  for (const PolicyName &p : kPolicies)
    if (p.policy == policy)
      return p.name;
  return "?";
}

std::optional<QuantPolicy> parsePolicy(std::string_view name) {
  for (const PolicyName &p : kPolicies)
    if (p.name == name)
      return p.policy;
  return std::nullopt;
}

std::optional<WeightRole> parseRole(std::string_view name) {
  for (const RoleName &r : kRoles)
    if (r.name == name)
      return r.role;
  return std::nullopt;
}

Expected<TargetEncoding> choosePrecision(QuantPolicy policy, std::optional<WeightRole> role,
                                         unsigned rank, const TargetEncoding &stored,
                                         const PolicyOptions &options, int64_t rowLength) {
  // Gains and biases feed vector-unit arithmetic in f32 under every policy:
  // they are tiny, and rounding them moves every output of the layer.
  if (rank < 2 || role == WeightRole::Norm || role == WeightRole::Bias)
    return kF32;
  if (options.scaleType != DType::F32 && options.scaleType != DType::F16)
    return Error("quantization scales must be f32 or f16");

  switch (policy) {
  case QuantPolicy::Fp32: return kF32;
  case QuantPolicy::Bf16: return kBF16;
  case QuantPolicy::Fp16: return kF16;
  case QuantPolicy::Int8: return TargetEncoding{WeightFormat::I8, 0, options.scaleType};
  case QuantPolicy::Int4:
    if (options.groupSize <= 0)
      return Error("int4 quantization needs a positive group size, got " +
                   std::to_string(options.groupSize));
    if (rowLength > 0 && rowLength % options.groupSize != 0)
      return TargetEncoding{WeightFormat::I8, 0, options.scaleType};
    return TargetEncoding{WeightFormat::I4, options.groupSize, options.scaleType};
  case QuantPolicy::Mixed:
    if (!role)
      return Error("the mixed policy needs a 'role' (embedding, attention, ffn or lm_head) "
                   "on every matrix weight");
    switch (*role) {
    case WeightRole::Attention: return kF16;
    case WeightRole::Ffn: return TargetEncoding{WeightFormat::I8, 0, options.scaleType};
    // The classifier shares the embedding's table when tied; an untied one
    // gets the same range-preserving bf16 for the same reason: logits are
    // sensitive to outliers that int8 per channel would clip coarsely.
    case WeightRole::Embedding:
    case WeightRole::LmHead: return kBF16;
    default: return kF32;
    }
  case QuantPolicy::Native: return stored;
  }
  return kF32;
}

} // namespace strata::quant
