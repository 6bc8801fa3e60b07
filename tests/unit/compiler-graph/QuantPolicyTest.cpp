//===- QuantPolicyTest.cpp - The precision table of each policy -----------===//
#include "strata/Dialect/Graph/Transforms/QuantPolicy.h"

#include <gtest/gtest.h>

using namespace strata;
using namespace strata::quant;

namespace {

const TargetEncoding kF32{WeightFormat::F32, 0, DType::F32};
const TargetEncoding kF16{WeightFormat::F16, 0, DType::F32};
const TargetEncoding kBF16{WeightFormat::BF16, 0, DType::F32};

TargetEncoding choose(QuantPolicy p, std::optional<WeightRole> role, unsigned rank = 2,
                      PolicyOptions options = {}, TargetEncoding stored = kF32) {
  Expected<TargetEncoding> e = choosePrecision(p, role, rank, stored, options);
  EXPECT_TRUE(e) << (e ? "" : e.message());
  return e ? *e : TargetEncoding{};
}

} // namespace

TEST(QuantPolicy, NamesRoundTrip) {
  for (QuantPolicy p : {QuantPolicy::Fp32, QuantPolicy::Bf16, QuantPolicy::Fp16, QuantPolicy::Int8,
                        QuantPolicy::Int4, QuantPolicy::Mixed, QuantPolicy::Native})
    EXPECT_EQ(parsePolicy(policyName(p)), p);
  EXPECT_FALSE(parsePolicy("int2"));
  EXPECT_EQ(parseRole("lm_head"), WeightRole::LmHead);
  EXPECT_FALSE(parseRole("mlp"));
}

TEST(QuantPolicy, NormsBiasesAndVectorsStayF32UnderEveryPolicy) {
  for (QuantPolicy p : {QuantPolicy::Bf16, QuantPolicy::Fp16, QuantPolicy::Int8, QuantPolicy::Int4,
                        QuantPolicy::Mixed, QuantPolicy::Native}) {
    EXPECT_EQ(choose(p, WeightRole::Norm), kF32);
    EXPECT_EQ(choose(p, WeightRole::Bias), kF32);
    EXPECT_EQ(choose(p, std::nullopt, /*rank=*/1), kF32);
    EXPECT_EQ(choose(p, WeightRole::Ffn, /*rank=*/1), kF32);
  }
  // Native widens a half-precision gain to f32 too.
  EXPECT_EQ(choose(QuantPolicy::Native, WeightRole::Norm, 1, {}, kF16), kF32);
}

TEST(QuantPolicy, UniformPoliciesTreatEveryMatrixAlike) {
  PolicyOptions opts{16, DType::F16};
  for (std::optional<WeightRole> role :
       {std::optional<WeightRole>(WeightRole::Embedding), std::optional(WeightRole::Attention),
        std::optional(WeightRole::Ffn), std::optional(WeightRole::LmHead),
        std::optional<WeightRole>()}) {
    EXPECT_EQ(choose(QuantPolicy::Fp32, role), kF32);
    EXPECT_EQ(choose(QuantPolicy::Bf16, role), kBF16);
    EXPECT_EQ(choose(QuantPolicy::Fp16, role), kF16);
    EXPECT_EQ(choose(QuantPolicy::Int8, role, 2, opts),
              (TargetEncoding{WeightFormat::I8, 0, DType::F16}));
    EXPECT_EQ(choose(QuantPolicy::Int4, role, 2, opts),
              (TargetEncoding{WeightFormat::I4, 16, DType::F16}));
  }
  EXPECT_EQ(choose(QuantPolicy::Int4, WeightRole::Ffn),
            (TargetEncoding{WeightFormat::I4, 32, DType::F32}));
}

TEST(QuantPolicy, MixedFollowsTheRole) {
  EXPECT_EQ(choose(QuantPolicy::Mixed, WeightRole::Attention), kF16);
  EXPECT_EQ(choose(QuantPolicy::Mixed, WeightRole::Ffn),
            (TargetEncoding{WeightFormat::I8, 0, DType::F32}));
  EXPECT_EQ(choose(QuantPolicy::Mixed, WeightRole::Embedding), kBF16);
  EXPECT_EQ(choose(QuantPolicy::Mixed, WeightRole::LmHead), kBF16);
  Expected<TargetEncoding> noRole = choosePrecision(QuantPolicy::Mixed, std::nullopt, 2, kF32, {});
  ASSERT_FALSE(noRole);
  EXPECT_NE(noRole.message().find("needs a 'role'"), std::string::npos);
}

TEST(QuantPolicy, NativeKeepsTheStoredEncoding) {
  TargetEncoding q8{WeightFormat::I8, 32, DType::F16};
  EXPECT_EQ(choose(QuantPolicy::Native, WeightRole::Ffn, 2, {}, q8), q8);
  EXPECT_EQ(choose(QuantPolicy::Native, WeightRole::Attention, 2, {}, kF16), kF16);
  EXPECT_EQ(choose(QuantPolicy::Native, WeightRole::Embedding, 2, {}, kF32), kF32);
}

TEST(QuantPolicy, Int4RowsThatAreNotWholeGroupsFallBackToInt8PerChannel) {
  PolicyOptions groups{32, DType::F16};
  EXPECT_EQ(choosePrecision(QuantPolicy::Int4, WeightRole::Ffn, 2, kF32, groups, 172).value(),
            (TargetEncoding{WeightFormat::I8, 0, DType::F16}));
  EXPECT_EQ(choosePrecision(QuantPolicy::Int4, WeightRole::Ffn, 2, kF32, groups, 64).value(),
            (TargetEncoding{WeightFormat::I4, 32, DType::F16}));
}

TEST(QuantPolicy, RejectsBadOptions) {
  Expected<TargetEncoding> group =
      choosePrecision(QuantPolicy::Int4, WeightRole::Ffn, 2, kF32, {0});
  ASSERT_FALSE(group);
  EXPECT_NE(group.message().find("positive group size"), std::string::npos);
  EXPECT_FALSE(choosePrecision(QuantPolicy::Int8, WeightRole::Ffn, 2, kF32, {32, DType::BF16}));
}
