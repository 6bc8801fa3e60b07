//===- ExpRow.h - expf over a row, bit-identical to the host libm -*- C++ -*-===//
//
// Softmax and SiLU call expf once per element, and the libm call (a PLT hop,
// a scalar double-precision polynomial) is most of their cost. expfRow
// evaluates the same algorithm eight lanes at a time. The NPU's exp is
// defined as the host libm's expf (Activation.h), so the vector path is used
// only where it is the same function bit for bit:
//   - it replays glibc's expf as this host's libm runs it (its FMA variant:
//     a 32-entry 2^(i/32) table, a degree-3 polynomial in double, and the
//     multiply-adds fused exactly where that build fuses them);
//   - inputs the libm treats apart (|x| >= 88, infinities, NaN) and the
//     partial last lanes of a row go to expf itself;
//   - it needs AVX2 and FMA, and before first use a self-check compares it
//     with expf on a spread of inputs; any difference, or a host without
//     them, leaves every element to expf.
// StrataExpExhaustive (bench/func) compares all 2^32 inputs; the unit tests a
// dense sample with the special values.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstddef>

namespace strata::sim::func {

/// out[j] = std::exp(x[j]) for j < n, bit for bit; out may equal x.
void expfRow(const float *x, float *out, size_t n);

/// True if the host can run the vector kernel (x86-64 with AVX2 and FMA).
bool expfVectorSupported();
/// True if expfRow uses the vector kernel (supported and self-checked).
bool expfRowVectorized();
/// The vector kernel alone, for tests and the exhaustive check: every
/// element computed by the vector lanes when `scalarSpecials` is false
/// (special lanes then hold whatever the lanes computed), else as expfRow
/// does. Requires expfVectorSupported().
void expfVector(const float *x, float *out, size_t n, bool scalarSpecials = true);

} // namespace strata::sim::func
