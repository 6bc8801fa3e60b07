//===- FusedExecTest.cpp - graph.fused_linear kernels and tiling paths ----===//
//
// Fused linear kernels written directly (norm prologue, several weights,
// biases, activation epilogues, swiglu, residual), and the tiling paths a
// small model never takes: K split into chunks accumulated in FP32 with the
// epilogue on the vector unit, and several row tiles per core.
//
//===----------------------------------------------------------------------===//
#include "ExecReference.h"
#include "ExecTestSupport.h"
#include "GraphText.h"
#include "FusedCases.h"

namespace strata::exectest {
namespace {

std::string vec(int64_t n) { return "tensor<" + std::to_string(n) + "xf32>"; }

TEST(FusedExec, NormPrologueWithThreeWeightsAndBiases) {
  const int64_t M = 3, K = 64, Nq = 64, Nk = 32;
  GraphText g;
  g.weight("g", {K}, 40);
  g.weight("wq", {Nq, K}, 41, 0.2);
  g.weight("wk", {Nk, K}, 42, 0.2);
  g.weight("wv", {Nk, K}, 43, 0.2);
  g.weight("bq", {Nq}, 44);
  g.weight("bk", {Nk}, 45);
  g.weight("bv", {Nk}, 46);
  g.func("main", {"%x: " + t2(M, K)}, t2(M, Nk));
  g.op("%q, %k, %v = graph.fused_linear %x weights(%wq, %wk, %wv) biases(%bq, %bk, %bv) norm(%g) "
       "{norm = #graph<norm rms>, eps = 1.0e-05 : f64} : (" + t2(M, K) + ", " + t2(Nq, K) + ", " +
       t2(Nk, K) + ", " + t2(Nk, K) + ", " + vec(Nq) + ", " + vec(Nk) + ", " + vec(Nk) + ", " +
       vec(K) + ") -> (" + t2(M, Nq) + ", " + t2(M, Nk) + ", " + t2(M, Nk) + ")");
  g.op("%s = graph.add %k, %v : (" + t2(M, Nk) + ", " + t2(M, Nk) + ") -> " + t2(M, Nk));
  g.ret("%s", t2(M, Nk));
  std::vector<float> x = inputs(M * K, 47);
  auto n = ref::rmsNorm(x, seeded({K}, 40), M, K, 1e-5f);
  auto bk = seeded({Nk}, 45), bv = seeded({Nk}, 46);
  auto k = ref::linear(n, seeded({Nk, K}, 42, 0.2), M, K, Nk, &bk);
  auto v = ref::linear(n, seeded({Nk, K}, 43, 0.2), M, K, Nk, &bv);
  for (size_t i = 0; i < k.size(); ++i)
    k[i] += v[i];
  EXPECT_TRUE(near(runMain(g.str(), {x}), k, 1e-5, 1e-5));
}

TEST(FusedExec, SwigluWithResidual) {
  FusedCase c = swigluWithResidual(4, 64, 96, 50, 0.2);
  EXPECT_TRUE(near(runMain(c.mlir, c.inputs), c.expected, 1e-5, 1e-5));
}

// K = 20480 f32: a 32-column tile of the full K exceeds the 1 MiB tile
// budget, so K is cut into chunks; bias, GELU and the residual then run after
// the last chunk.
TEST(FusedExec, KSplitWithBiasGeluAndResidual) {
  FusedCase c = geluBiasResidual(2, 20480, 64, 60, 0.01);
  EXPECT_TRUE(near(runMain(c.mlir, c.inputs), c.expected, 1e-4, 1e-4));
}

// Seven rows in tiles of two: the prepared inputs of each row tile stay in
// SRAM while the weights stream past them; int8 weights quantize each tile.
TEST(FusedExec, SeveralRowTilesPerCore) {
  const int64_t M = 7, K = 96, N = 160;
  for (std::string precision : {"fp32", "int8"}) {
    GraphText g;
    g.weight("g", {K}, 70, 1.0, "norm");
    g.weight("w", {N, K}, 71, 0.2, "ffn");
    g.func("main", {"%x: " + t2(M, K)}, t2(M, N));
    g.op("%y = graph.fused_linear %x weights(%w) norm(%g) {norm = #graph<norm rms>, eps = "
         "1.0e-05 : f64, activation = #graph<activation silu>} : (" + t2(M, K) + ", " + t2(N, K) +
         ", " + vec(K) + ") -> " + t2(M, N));
    g.ret("%y", t2(M, N));
    CompileOptions options;
    options.prefillChunk = 2;
    options.precision = precision;
    std::vector<float> x = inputs(M * K, 72);
    auto n = ref::rmsNorm(x, seeded({K}, 70), M, K, 1e-5f);
    auto y = ref::linear(n, seeded({N, K}, 71, 0.2), M, K, N);
    for (float &v : y)
      v = ref::silu(v);
    EXPECT_TRUE(near(runMain(g.str(), {x}, options), y, precision == "fp32" ? 1e-5 : 5e-2,
                     precision == "fp32" ? 1e-5 : 0))
        << precision;
  }
}

} // namespace
} // namespace strata::exectest
