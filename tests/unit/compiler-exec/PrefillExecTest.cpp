//===- PrefillExecTest.cpp - The output-stationary (prefill) linear schedule ===//
//
// Linear kernels compiled with linear-schedule=outputs: inputs staged once in
// the GEMM's type, FP32 accumulators resident, K streamed in chunks (each
// core starting at a different chunk), the chunks' sums added either by the
// GEMMs' accumulate epilogue or on the vector unit from partial buffers
// (every test runs both), the epilogue after the last chunk. Checked against
// the FP32 reference at each precision; the automatic choice is checked on an
// arch whose small scratchpad makes a modest prompt a "prefill".
//
//===----------------------------------------------------------------------===//
#include "ExecReference.h"
#include "ExecTestSupport.h"
#include "GraphText.h"
#include "FusedCases.h"
#include "TestPaths.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <map>

namespace strata::exectest {
namespace {

std::string vec(int64_t n) { return "tensor<" + std::to_string(n) + "xf32>"; }

/// The two ways of adding the K chunks' sums (prefill-k-sums).
const char *const kSums[] = {"vector", "gemm"};

CompileOptions outputStationary(unsigned kChunk, const std::string &sums) {
  CompileOptions o;
  o.linearSchedule = "outputs";
  o.prefillKChunk = kChunk;
  o.prefillKSums = sums;
  o.cores = 2;
  return o;
}

// Norm prologue (staged by both cores, a row range each), three outputs
// with biases, K = 640 in chunks of 256, 256 and 128.
TEST(PrefillExec, NormPrologueThreeOutputsBiasesKChunks) {
  const int64_t M = 40, K = 640, N = 96;
  GraphText g;
  g.weight("g", {K}, 80, 1.0, "norm");
  g.weight("wq", {N, K}, 81, 0.05);
  g.weight("wk", {N, K}, 82, 0.05);
  g.weight("wv", {N, K}, 83, 0.05);
  g.weight("bq", {N}, 84);
  g.weight("bk", {N}, 85);
  g.weight("bv", {N}, 86);
  g.func("main", {"%x: " + t2(M, K)}, t2(M, N));
  g.op("%q, %k, %v = graph.fused_linear %x weights(%wq, %wk, %wv) biases(%bq, %bk, %bv) norm(%g) "
       "{norm = #graph<norm rms>, eps = 1.0e-05 : f64} : (" + t2(M, K) + ", " + t2(N, K) + ", " +
       t2(N, K) + ", " + t2(N, K) + ", " + vec(N) + ", " + vec(N) + ", " + vec(N) + ", " +
       vec(K) + ") -> (" + t2(M, N) + ", " + t2(M, N) + ", " + t2(M, N) + ")");
  g.op("%qk = graph.add %q, %k : (" + t2(M, N) + ", " + t2(M, N) + ") -> " + t2(M, N));
  g.op("%s = graph.add %qk, %v : (" + t2(M, N) + ", " + t2(M, N) + ") -> " + t2(M, N));
  g.ret("%s", t2(M, N));
  std::vector<float> x = inputs(M * K, 87);
  auto n = ref::rmsNorm(x, seeded({K}, 80), M, K, 1e-5f);
  auto bq = seeded({N}, 84), bk = seeded({N}, 85), bv = seeded({N}, 86);
  auto q = ref::linear(n, seeded({N, K}, 81, 0.05), M, K, N, &bq);
  auto k = ref::linear(n, seeded({N, K}, 82, 0.05), M, K, N, &bk);
  auto v = ref::linear(n, seeded({N, K}, 83, 0.05), M, K, N, &bv);
  for (size_t i = 0; i < q.size(); ++i)
    q[i] += k[i] + v[i];
  for (const char *sums : kSums)
    EXPECT_TRUE(near(runMain(g.str(), {x}, outputStationary(256, sums)), q, 1e-4, 1e-4)) << sums;
}

// A SwiGLU pair, then the down projection with the residual, both K-chunked:
// the residual joins the sums at the first chunk of the down projection and
// follows the activation of the pair.
TEST(PrefillExec, SwigluPairThenResidualKChunks) {
  FusedCase c = swigluWithResidual(48, 384, 640, 90, 0.08);
  for (const char *sums : kSums)
    EXPECT_TRUE(near(runMain(c.mlir, c.inputs, outputStationary(128, sums)), c.expected, 1e-4, 1e-4))
        << sums;
}

// Activation after the sums and a residual after the activation, in row
// blocks (prefill-chunk 16 -> blocks of 14/13/13 rows); then the same kernel
// as one chunk, where the GEMM's epilogue does both.
TEST(PrefillExec, GeluBiasResidualRowBlocksAndSingleChunk) {
  FusedCase c = geluBiasResidual(40, 512, 96, 100, 0.05);
  for (unsigned kChunk : {128u, 512u}) {
    for (const char *sums : kSums) {
      CompileOptions o = outputStationary(kChunk, sums);
      o.prefillChunk = 16;
      EXPECT_TRUE(near(runMain(c.mlir, c.inputs, o), c.expected, 1e-4, 1e-4))
          << "k chunk " << kChunk << ", " << sums;
    }
  }
}

// GPT-2 style: a layer-norm prologue (gamma and beta) staged in f16, bias and
// erf GELU after the K-chunked sums.
TEST(PrefillExec, LayerNormBiasGeluHalfPrecision) {
  const int64_t M = 40, K = 768, N = 160;
  GraphText g;
  g.weight("g", {K}, 130, 1.0, "norm");
  g.weight("beta", {K}, 131, 0.5, "norm");
  g.weight("w", {N, K}, 132, 1.0 / std::sqrt(double(K)), "ffn");
  g.weight("b", {N}, 133, 0.5, "bias");
  g.func("main", {"%x: " + t2(M, K)}, t2(M, N));
  g.op("%y = graph.fused_linear %x weights(%w) biases(%b) norm(%g, %beta) {norm = "
       "#graph<norm layer>, eps = 1.0e-05 : f64, activation = #graph<activation gelu_erf>} : (" +
       t2(M, K) + ", " + t2(N, K) + ", " + vec(N) + ", " + vec(K) + ", " + vec(K) + ") -> " +
       t2(M, N));
  g.ret("%y", t2(M, N));
  std::vector<float> x = inputs(M * K, 134);
  auto n = ref::layerNorm(x, seeded({K}, 130), seeded({K}, 131, 0.5), M, K, 1e-5f);
  auto b = seeded({N}, 133, 0.5);
  auto y = ref::linear(n, seeded({N, K}, 132, 1.0 / std::sqrt(double(K))), M, K, N, &b);
  for (float &v : y)
    v = ref::geluErf(v);
  for (const char *sums : kSums) {
    CompileOptions o = outputStationary(256, sums);
    o.precision = "fp16";
    EXPECT_TRUE(near(runMain(g.str(), {x}, o), y, 1e-2, 0)) << sums;
  }
}

struct PrefillPolicy {
  std::string policy;
  std::string scaleType;
  double atol;
};

class PrefillPrecision : public ::testing::TestWithParam<PrefillPolicy> {};

// Norm prologue, bias, SwiGLU, then a residual projection at each precision
// through the K-chunked schedule: the staged A operand is cast (f16, bf16)
// or quantized per row / per group with its scales (int8, int4).
TEST_P(PrefillPrecision, NormSwigluResidualWithinTolerance) {
  const PrefillPolicy c = GetParam();
  const int64_t M = 36, K = 1024, F = 384;
  GraphText g;
  g.weight("g", {K}, 110, 1.0, "norm");
  g.weight("w1", {F, K}, 111, 1.0 / std::sqrt(double(K)), "ffn");
  g.weight("w3", {F, K}, 112, 1.0 / std::sqrt(double(K)), "ffn");
  g.weight("w2", {K, F}, 113, 1.0 / std::sqrt(double(F)), "ffn");
  g.func("main", {"%x: " + t2(M, K)}, t2(M, K));
  g.op("%h = graph.fused_linear %x weights(%w1, %w3) norm(%g) {norm = #graph<norm rms>, eps = "
       "1.0e-05 : f64, activation = #graph<activation swiglu>} : (" + t2(M, K) + ", " +
       t2(F, K) + ", " + t2(F, K) + ", " + vec(K) + ") -> " + t2(M, F));
  g.op("%y = graph.fused_linear %h weights(%w2) residual(%x) : (" + t2(M, F) + ", " + t2(K, F) +
       ", " + t2(M, K) + ") -> " + t2(M, K));
  g.ret("%y", t2(M, K));
  std::vector<float> x = inputs(M * K, 114);
  auto n = ref::rmsNorm(x, seeded({K}, 110), M, K, 1e-5f);
  auto a = ref::linear(n, seeded({F, K}, 111, 1.0 / std::sqrt(double(K))), M, K, F);
  auto b = ref::linear(n, seeded({F, K}, 112, 1.0 / std::sqrt(double(K))), M, K, F);
  for (size_t i = 0; i < a.size(); ++i)
    a[i] = ref::silu(a[i]) * b[i];
  auto y = ref::linear(a, seeded({K, F}, 113, 1.0 / std::sqrt(double(F))), M, F, K);
  for (size_t i = 0; i < y.size(); ++i)
    y[i] += x[i];
  for (const char *sums : kSums) {
    CompileOptions o = outputStationary(c.policy == "int4" ? 512 : 256, sums);
    o.precision = c.policy;
    o.scaleType = c.scaleType;
    std::vector<float> got = runMain(g.str(), {x}, o);
    EXPECT_TRUE(near(got, y, c.atol, 0)) << c.policy << ", " << sums;
    // The staged A rows (1 KiB at int8, 2 KiB at f16/bf16, 4 KiB at f32:
    // multiples of four interleave chunks) are padded (docs/compiler.md
    // 7.3); packed they give the same bits.
    o.padRows = false;
    EXPECT_EQ(got, runMain(g.str(), {x}, o)) << c.policy << ", " << sums;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Policies, PrefillPrecision,
    ::testing::Values(PrefillPolicy{"fp32", "f32", 1e-4}, PrefillPolicy{"fp16", "f32", 1e-2},
                      PrefillPolicy{"bf16", "f32", 6e-2}, PrefillPolicy{"int8", "f32", 6e-2},
                      PrefillPolicy{"int8", "f16", 6e-2}, PrefillPolicy{"int4", "f32", 4e-1}),
    [](const ::testing::TestParamInfo<PrefillPolicy> &i) {
      return i.param.policy + "_" + i.param.scaleType;
    });

/// An arch whose 512 KiB scratchpad makes 192 rows of K = 512 a prefill.
std::string smallSramArch() {
  // Per process (ctest runs the cases of this file concurrently), removed at exit.
  return strata::test::writeTempFile("prefill-small-sram.yaml",
                                     "name: small-sram\ncore:\n  sram:\n    size_bytes: 512KiB\n");
}

uint64_t hbmLoadBytes(const CompileOutput &out) {
  nlohmann::json report = nlohmann::json::parse(out.report);
  // The compile report's per-entry statistics after fusion.
  for (auto &[name, entry] : report["entries"].items())
    return entry["after_fusion"]["hbm_load_bytes"].get<uint64_t>();
  return 0;
}

// With rows that exceed one row tile, `auto` takes the output-stationary
// schedule: the same results as the row-stationary one, and the weights
// (512 KiB of them) read once instead of once per row tile.
TEST(PrefillExec, AutoPicksOutputStationaryAndReadsWeightsOnce) {
  const int64_t M = 192, K = 512, N = 256;
  GraphText g;
  g.weight("w", {N, K}, 120, 0.05);
  g.func("main", {"%x: " + t2(M, K)}, t2(M, N));
  g.op("%y = graph.linear %x, %w : (" + t2(M, K) + ", " + t2(N, K) + ") -> " + t2(M, N));
  g.ret("%y", t2(M, N));
  std::vector<float> x = inputs(M * K, 121);
  auto want = ref::linear(x, seeded({N, K}, 120, 0.05), M, K, N);
  std::map<std::string, uint64_t> loads;
  for (std::string schedule : {"rows", "auto"}) {
    CompileOptions o;
    o.arch = smallSramArch();
    o.linearSchedule = schedule;
    o.compareFusion = false;
    o.pinWeights = false; // these weights fit in SRAM; the schedules' traffic is the point
    auto out = compile(g.str(), o);
    ASSERT_TRUE(out) << schedule;
    loads[schedule] = hbmLoadBytes(*out);
    Runner r(out->binary);
    ASSERT_TRUE(r.ok());
    r.write("input0", x);
    ASSERT_TRUE(r.run("main"));
    EXPECT_TRUE(near(r.readF32("logits"), want, 1e-4, 1e-4)) << schedule;
  }
  const uint64_t weights = N * K * 4, x32 = M * K * 4;
  // Row-stationary: the weights once per row tile (several tiles here).
  EXPECT_GT(loads["rows"], 2 * weights + x32);
  // Output-stationary: the weights once, the inputs once per core.
  EXPECT_LE(loads["auto"], weights + 8 * x32);
  EXPECT_LT(loads["auto"], loads["rows"]);
}

} // namespace
} // namespace strata::exectest
