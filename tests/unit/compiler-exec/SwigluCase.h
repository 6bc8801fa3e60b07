//===- SwigluCase.h - A SwiGLU pair, then the down projection ---*- C++ -*-===//
//
// The FFN of a LLaMA block as two fused linears (gate/up with swiglu, then
// down with the residual) and its FP32 reference output; the fused-kernel and
// the prefill-schedule tests run it at their own sizes.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ExecReference.h"
#include "ExecTestSupport.h"
#include "GraphText.h"

namespace strata::exectest {

struct SwigluCase {
  std::string mlir;
  std::vector<float> x, expected;
};

/// Weights w1, w3 [F][K] and w2 [K][F] from seeds seed, seed+1, seed+2 with
/// `scale`; the input from seed+3.
inline SwigluCase swigluWithResidual(int64_t M, int64_t K, int64_t F, uint64_t seed,
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
  SwigluCase c;
  c.mlir = g.str();
  c.x = inputs(size_t(M * K), seed + 3);
  auto a = ref::linear(c.x, seeded({F, K}, seed, scale), M, K, F);
  auto b = ref::linear(c.x, seeded({F, K}, seed + 1, scale), M, K, F);
  for (size_t i = 0; i < a.size(); ++i)
    a[i] = ref::silu(a[i]) * b[i];
  c.expected = ref::linear(a, seeded({K, F}, seed + 2, scale), M, F, K);
  for (size_t i = 0; i < c.expected.size(); ++i)
    c.expected[i] += c.x[i];
  return c;
}

} // namespace strata::exectest
