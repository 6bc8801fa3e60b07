//===- FusedCases.h - Fused-linear programs with their references -*- C++ -*-===//
//
// Graph programs of fused linears and their FP32 reference outputs, which the
// fused-kernel and the prefill-schedule tests both run at their own sizes.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ExecReference.h"
#include "ExecTestSupport.h"
#include "GraphText.h"

namespace strata::exectest {

struct FusedCase {
  std::string mlir;
  std::vector<std::vector<float>> inputs; ///< input0, input1, ...
  std::vector<float> expected;
};

/// The FFN of a LLaMA block as two fused linears (gate/up with swiglu, then
/// down with the residual). Weights w1, w3 [F][K] and w2 [K][F] from seeds
/// seed, seed+1, seed+2 with `scale`; the input from seed+3.
inline FusedCase swigluWithResidual(int64_t M, int64_t K, int64_t F, uint64_t seed,
                                     double scale) {
  GraphText g;
  g.weight("w1", {F, K}, seed, scale);
  g.weight("w3", {F, K}, seed + 1, scale);
  g.weight("w2", {K, F}, seed + 2, scale);
  g.func("main", {"%x: " + t2(M, K)}, t2(M, K));
  g.op("%h = graph.fused_linear %x weights(%w1, %w3) {activation = #graph<activation swiglu>} : (" +
       t2(M, K) + ", " + t2(F, K) + ", " + t2(F, K) + ") -> " + t2(M, F));
  g.op("%y = graph.fused_linear %h weights(%w2) residual(%x) : (" + t2(M, F) + ", " + t2(K, F) +
       ", " + t2(M, K) + ") -> " + t2(M, K));
  g.ret("%y", t2(M, K));
  FusedCase c;
  c.mlir = g.str();
  const std::vector<float> x = inputs(size_t(M * K), seed + 3);
  auto a = ref::linear(x, seeded({F, K}, seed, scale), M, K, F);
  auto b = ref::linear(x, seeded({F, K}, seed + 1, scale), M, K, F);
  for (size_t i = 0; i < a.size(); ++i)
    a[i] = ref::silu(a[i]) * b[i];
  c.expected = ref::linear(a, seeded({K, F}, seed + 2, scale), M, F, K);
  for (size_t i = 0; i < c.expected.size(); ++i)
    c.expected[i] += x[i];
  c.inputs = {x};
  return c;
}

/// One fused linear with a bias, tanh GELU and a residual added after it.
/// Weight w [N][K] from `seed` with `scale`, bias from seed+1; the input
/// from seed+2 and the residual (input1) from seed+3.
inline FusedCase geluBiasResidual(int64_t M, int64_t K, int64_t N, uint64_t seed, double scale) {
  const std::string bias = "tensor<" + std::to_string(N) + "xf32>";
  GraphText g;
  g.weight("w", {N, K}, seed, scale);
  g.weight("b", {N}, seed + 1);
  g.func("main", {"%x: " + t2(M, K), "%r: " + t2(M, N)}, t2(M, N));
  g.op("%y = graph.fused_linear %x weights(%w) biases(%b) residual(%r) {activation = "
       "#graph<activation gelu_tanh>} : (" + t2(M, K) + ", " + t2(N, K) + ", " + bias + ", " +
       t2(M, N) + ") -> " + t2(M, N));
  g.ret("%y", t2(M, N));
  FusedCase c;
  c.mlir = g.str();
  c.inputs = {inputs(size_t(M * K), seed + 2), inputs(size_t(M * N), seed + 3)};
  auto b = seeded({N}, seed + 1);
  c.expected = ref::linear(c.inputs[0], seeded({N, K}, seed, scale), M, K, N, &b);
  for (size_t i = 0; i < c.expected.size(); ++i)
    c.expected[i] = ref::geluTanh(c.expected[i]) + c.inputs[1][i];
  return c;
}

} // namespace strata::exectest
