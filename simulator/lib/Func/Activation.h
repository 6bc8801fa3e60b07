//===- Activation.h - Elementwise functions of the NPU ----------*- C++ -*-===//
//
// The single definition of each elementwise function, shared by the vector
// unit and the Gemm epilogue so both give the same bits. FP32 throughout,
// evaluated exactly in the order written (the library is built with
// -ffp-contract=off), transcendental functions from the host libm.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/sim/func/ExpRow.h"

#include <cmath>
#include <cstddef>

namespace strata::sim::func {

/// max(x, 0); NaN and -0 pass through.
inline float reluF(float x) { return x < 0.0f ? 0.0f : x; }

/// x / (1 + exp(-x)).
inline float siluF(float x) { return x / (1.0f + std::exp(-x)); }

/// x[j] = siluF(x[j]), times up[j] when `up` is given (SwiGlu), for j < n,
/// the exponentials taken a row at a time (expfRow: std::exp's bits). `tmp`
/// holds n floats.
inline void siluRow(float *x, const float *up, float *tmp, size_t n) {
  for (size_t j = 0; j < n; ++j)
    tmp[j] = -x[j];
  expfRow(tmp, tmp, n);
  if (up)
    for (size_t j = 0; j < n; ++j)
      x[j] = (x[j] / (1.0f + tmp[j])) * up[j];
  else
    for (size_t j = 0; j < n; ++j)
      x[j] = x[j] / (1.0f + tmp[j]);
}

/// 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), evaluated as
/// (0.5 x) * (1 + tanh(c * (x + 0.044715 * (x * x * x)))).
inline float geluTanhF(float x) {
  constexpr float kSqrt2OverPi = 0.7978845608028654f;
  constexpr float kCubic = 0.044715f;
  float inner = kSqrt2OverPi * (x + kCubic * (x * x * x));
  return (0.5f * x) * (1.0f + std::tanh(inner));
}

/// 0.5 x (1 + erf(x / sqrt(2))), with x / sqrt(2) computed as x * (1/sqrt(2)).
inline float geluErfF(float x) {
  constexpr float kInvSqrt2 = 0.70710678118654752f;
  return (0.5f * x) * (1.0f + std::erf(x * kInvSqrt2));
}

/// 1 / sqrt(x), two roundings.
inline float rsqrtF(float x) { return 1.0f / std::sqrt(x); }

/// NaN-propagating maximum; for equal operands (+0 and -0) returns y.
inline float maxF(float x, float y) { return (x > y || x != x) ? x : y; }

} // namespace strata::sim::func
