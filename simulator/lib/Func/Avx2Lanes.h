//===- Avx2Lanes.h - AVX2 lanes of the Gemm packers and kernels -*- C++ -*-===//
//
// Loading eight elements of a float operand type as FP32 lanes, masks for the
// first lanes of a vector, and the 8 x 8 transpose, shared by the packers
// (GemmPack.cpp) and the packing-free kernels (GemmDirect.cpp). Every
// conversion is exact (F16/BF16 widen to FP32). Compiled for AVX2+F16C by
// attribute; callers run them only on the AVX2 host path.
//
//===----------------------------------------------------------------------===//
#pragma once

#if defined(__x86_64__) && defined(__GNUC__)

#include "strata/target/DType.h"

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#define STRATA_AVX2 __attribute__((target("avx2,f16c")))

namespace strata::sim::func::detail {

/// Types whose 8 consecutive elements cvt8 converts.
inline bool isWideFloat(DType t) {
  return t == DType::F16 || t == DType::BF16 || t == DType::F32;
}

/// 8 consecutive F16, BF16 or F32 elements at p as FP32.
STRATA_AVX2 inline __m256 cvt8(DType t, const uint8_t *p) {
  switch (t) {
  case DType::F16:
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i *>(p)));
  case DType::BF16: {
    __m256i w = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i *>(p)));
    return _mm256_castsi256_ps(_mm256_slli_epi32(w, 16));
  }
  default: return _mm256_loadu_ps(reinterpret_cast<const float *>(p));
  }
}

/// In-register 8 x 8 transpose of 32-bit lanes.
STRATA_AVX2 inline void transpose8(__m256 r[8]) {
  __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
  __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
  __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
  __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
  __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  r[0] = _mm256_permute2f128_ps(u0, u4, 0x20);
  r[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
  r[2] = _mm256_permute2f128_ps(u2, u6, 0x20);
  r[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
  r[4] = _mm256_permute2f128_ps(u0, u4, 0x31);
  r[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
  r[6] = _mm256_permute2f128_ps(u2, u6, 0x31);
  r[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
}


/// All-ones in the first `live` (clamped to 0..8) 32-bit lanes: the mask of
/// a masked load that reads nothing past `live` elements.
STRATA_AVX2 inline __m256i laneMask8(size_t live) {
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(int(live < 8 ? live : 8)), lane);
}

} // namespace strata::sim::func::detail

#endif
