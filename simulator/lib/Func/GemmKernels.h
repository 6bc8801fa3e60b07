//===- GemmKernels.h - Register-blocked GEMM micro-kernels ------*- C++ -*-===//
//
// The inner loops of the functional Gemm, one set per host path (HostIsa.h).
// A micro-kernel updates a rows x NR tile of accumulators from packed panels:
//   float:  ap[k][MR], bp[k][NR];      c[i][j] (+)= sum_k ap[k][i] * bp[k][j]
//   int16:  ap[p][MR][2], bp[p][NR][2]; c[i][j] (+)= sum_p sum_h ap*bp, INT32
// The float kernels add the products one k at a time in increasing k, as a
// multiply then an add (never fused), so every path and every tile shape gives
// the bits of the scalar definition. Integer sums are exact (wrapping modulo
// 2^32, which i8 x i8 cannot reach below k = 2^17), so their order is free.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "GemmDirect.h"
#include "GemmPack.h"
#include "strata/sim/func/HostIsa.h"

#include <cstddef>
#include <cstdint>

namespace strata::sim::func::detail {

inline constexpr unsigned kMaxMr = 8;

using GemmKernelF32 = void (*)(size_t kc, const float *ap, const float *bp, float *c,
                               size_t ldc, bool load);
using GemmKernelI16 = void (*)(size_t pairs, const int16_t *ap, const int16_t *bp,
                               int32_t *c, size_t ldc, bool load);

struct GemmKernelSet {
  unsigned mr = 0, nr = 0;
  /// Indexed by the number of live rows, 1..mr.
  GemmKernelF32 f32[kMaxMr + 1] = {};
  GemmKernelI16 i16[kMaxMr + 1] = {};
  PackBF32 packBF32 = nullptr;
  PackBI16 packBI16 = nullptr;
  /// Packing-free float kernels for at most mr rows, by live rows; null
  /// where the set has none (F32/F16/BF16 B only).
  GemmDirectF32 directF32[kMaxMr + 1] = {};
};

const GemmKernelSet &gemmKernels(HostIsa isa);

} // namespace strata::sim::func::detail
