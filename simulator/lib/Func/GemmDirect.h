//===- GemmDirect.h - Skinny float Gemm straight from SRAM ------*- C++ -*-===//
//
// With at most MR rows of A (a decode step's M = 1), B is used once per
// Gemm: packing it costs as much as the product and moves it through memory
// twice. The direct kernels read B where it lies instead, eight columns at a
// time: rows of a [k][n] B as they are, a transposed [n][k] B by 8 x 8 blocks
// transposed in registers. Each lane still adds its products one k at a
// time in increasing k, a multiply then an add, so the bits are those of the
// packed kernels (GemmKernels.h) and of the scalar definition.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "GemmPack.h"

#include <cstddef>

namespace strata::sim::func::detail {

/// c[i][j] (+)= sum over k < kc of ap[k * as + i * rs] * B(k0 + k, n0 + j),
/// for i < the kernel's rows and j < nc: A is a packed sliver (as = mr,
/// rs = 1) or FP32 rows read in place (as = 1, rs = lda). Lanes of the last
/// 8-column group past nc get zeros (c has room for them: ldc >= nc
/// rounded up to 8).
using GemmDirectF32 = void (*)(const PanelSource &b, size_t k0, size_t kc, size_t n0,
                               size_t nc, const float *ap, size_t as, size_t rs, float *c,
                               size_t ldc, bool load);

#if defined(__x86_64__) && defined(__GNUC__)
/// The AVX2 direct kernel for `rows` (1..6) rows; B of type F32, F16 or
/// BF16.
GemmDirectF32 directF32Avx2(unsigned rows);
#endif

} // namespace strata::sim::func::detail
