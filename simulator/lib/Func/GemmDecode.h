//===- GemmDecode.h - Skinny float Gemm from cached wide panels -*- C++ -*-===//
//
// A decode step multiplies one row of activations by the same weights every
// step. Read in place (GemmDirect.h), a transposed [n][k] weight costs an
// 8 x 8 register transpose per 64 multiply-adds, every step. Once the panel
// cache (PanelCache.h) holds B packed as FP32 strips [k][W], a step streams
// each strip with one multiply and one add per 8 products and keeps W / 8
// independent accumulators in flight. Strips are 64 columns wide, or 32
// when B has at most 32 columns (a narrow K or V projection), so few lanes
// are padding. Validating the cached copy costs a compare of B's bytes,
// about as much as the product itself for FP32 B, and still well under the
// transposes.
//
// Each lane adds its products one k at a time in increasing k, a multiply
// then an add (never fused), so the bits are those of every other path.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstddef>

namespace strata::sim::func::detail {

/// Strip widths of the decode panels (columns).
inline constexpr unsigned kDecodeNrNarrow = 32, kDecodeNrWide = 64;
/// The most rows of A the decode kernels take: with more, the direct kernels
/// reuse each transposed block across enough rows to need no cache.
inline constexpr unsigned kDecodeMaxRows = 1;

/// The strip width for a B of n columns.
inline unsigned decodeNr(size_t n) { return n > kDecodeNrNarrow ? kDecodeNrWide : kDecodeNrNarrow; }

/// c[i][j] (+)= sum over k < kc of ap[k * as + i * rs] * bp[k * W + j],
/// i < the kernel's rows, j < the kernel's strip width W.
using GemmDecodeF32 = void (*)(size_t kc, const float *ap, size_t as, size_t rs,
                               const float *bp, float *c, size_t ldc, bool load);

#if defined(__x86_64__) && defined(__GNUC__)
/// The AVX2 decode kernel for `rows` (1..kDecodeMaxRows) rows and strips of
/// `width` (kDecodeNrNarrow or kDecodeNrWide) columns, else null.
GemmDecodeF32 decodeF32Avx2(unsigned rows, unsigned width);
#endif

} // namespace strata::sim::func::detail
