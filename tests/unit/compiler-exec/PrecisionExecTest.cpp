//===- PrecisionExecTest.cpp - Single kernels at every precision ----------===//
//
// A linear layer and an embedding lookup compiled under each precision
// policy and compared with the FP32 reference of the unquantized weights,
// within the tolerances of docs/compiler.md.
//
//===----------------------------------------------------------------------===//
#include "ExecReference.h"
#include "ExecTestSupport.h"
#include "GraphText.h"

namespace strata::exectest {
namespace {

struct PolicyCase {
  std::string policy;
  std::string scaleType;
  double atol; ///< outputs are about 1 in magnitude
};

class LinearPrecision : public ::testing::TestWithParam<PolicyCase> {};

TEST_P(LinearPrecision, WithinTolerance) {
  const PolicyCase c = GetParam();
  const int64_t M = 3, K = 128, N = 96;
  GraphText g;
  g.weight("w", {N, K}, 21, 1.0 / std::sqrt(double(K)), "ffn");
  g.weight("b", {N}, 22, 0.5, "bias");
  g.func("main", {"%x: " + t2(M, K)}, t2(M, N));
  g.op("%y = graph.linear %x, %w, %b : (" + t2(M, K) + ", " + t2(N, K) + ", tensor<96xf32>) -> " +
       t2(M, N));
  g.ret("%y", t2(M, N));
  CompileOptions options;
  options.precision = c.policy;
  options.scaleType = c.scaleType;
  options.compareFusion = false;
  auto out = compile(g.str(), options);
  ASSERT_TRUE(out);
  Runner run(out->binary);
  ASSERT_TRUE(run.ok());
  std::vector<float> x = inputs(size_t(M * K), 23);
  run.write("input0", x);
  ASSERT_TRUE(run.run("main"));
  std::vector<float> b = seeded({N}, 22, 0.5);
  std::vector<float> want =
      ref::linear(x, seeded({N, K}, 21, 1.0 / std::sqrt(double(K))), M, K, N, &b);
  EXPECT_TRUE(near(run.readF32("logits"), want, c.atol, 0));
}

class EmbeddingPrecision : public ::testing::TestWithParam<PolicyCase> {};

TEST_P(EmbeddingPrecision, WithinTolerance) {
  const PolicyCase c = GetParam();
  const int64_t V = 40, D = 64, T = 5;
  GraphText g;
  g.weight("emb", {V, D}, 31, 1.0);
  g.func("main", {"%tokens: tensor<5xi32>"}, t2(T, D));
  g.op("%x = graph.embedding %emb, %tokens : (" + t2(V, D) + ", tensor<5xi32>) -> " + t2(T, D));
  g.ret("%x", t2(T, D));
  CompileOptions options;
  options.precision = c.policy;
  options.scaleType = c.scaleType;
  options.compareFusion = false;
  auto out = compile(g.str(), options);
  ASSERT_TRUE(out);
  Runner run(out->binary);
  ASSERT_TRUE(run.ok());
  std::vector<int32_t> tokens{39, 0, 7, 7, 21};
  run.write("tokens", tokens);
  ASSERT_TRUE(run.run("main"));
  std::vector<float> emb = seeded({V, D}, 31), want;
  for (int32_t t : tokens)
    want.insert(want.end(), emb.begin() + t * D, emb.begin() + (t + 1) * D);
  EXPECT_TRUE(near(run.readF32("logits"), want, c.atol, 0));
}

// Tolerances: f16 keeps 11 significant bits, bf16 8; int8 quantizes weights
// per channel and activations per row (or group) to 1/127 of their range,
// int4 weights to 1/7 of each group's range.
const auto kLinearCases = ::testing::Values(
    PolicyCase{"fp32", "f32", 1e-5}, PolicyCase{"fp16", "f32", 5e-3},
    PolicyCase{"bf16", "f32", 3e-2}, PolicyCase{"int8", "f32", 3e-2},
    PolicyCase{"int8", "f16", 3e-2}, PolicyCase{"int4", "f32", 2.5e-1},
    PolicyCase{"int4", "f16", 2.5e-1});
INSTANTIATE_TEST_SUITE_P(Policies, LinearPrecision, kLinearCases);
INSTANTIATE_TEST_SUITE_P(Policies, EmbeddingPrecision, kLinearCases);

} // namespace
} // namespace strata::exectest
