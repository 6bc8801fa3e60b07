//===- GemmDecode.cpp - Skinny float Gemm from cached wide panels ---------===//

#include "GemmDecode.h"

#include "Avx2Lanes.h"

namespace strata::sim::func::detail {

#if defined(__x86_64__) && defined(__GNUC__)

namespace {

/// R rows, strips of 8 * V columns: R * V accumulators.
template <unsigned R, unsigned V>
STRATA_AVX2 void decodeF32(size_t kc, const float *ap, size_t as, size_t rs, const float *bp,
                           float *c, size_t ldc, bool load) {
  constexpr size_t W = 8 * V;
  __m256 acc[R][V];
  for (unsigned i = 0; i < R; ++i)
    for (unsigned v = 0; v < V; ++v)
      acc[i][v] = load ? _mm256_loadu_ps(c + i * ldc + 8 * v) : _mm256_setzero_ps();
  // Four k per iteration cut the loop's own instructions; each
  // accumulator still takes its products in increasing k.
  constexpr size_t kUnroll = 4;
  size_t k = 0;
  for (; k + kUnroll <= kc; k += kUnroll, ap += kUnroll * as, bp += kUnroll * W)
    for (unsigned h = 0; h < kUnroll; ++h)
      for (unsigned i = 0; i < R; ++i) {
        const __m256 a = _mm256_broadcast_ss(ap + h * as + i * rs);
        for (unsigned v = 0; v < V; ++v)
          acc[i][v] = _mm256_add_ps(acc[i][v], _mm256_mul_ps(a, _mm256_loadu_ps(bp + h * W + 8 * v)));
      }
  for (; k < kc; ++k, ap += as, bp += W)
    for (unsigned i = 0; i < R; ++i) {
      const __m256 a = _mm256_broadcast_ss(ap + i * rs);
      for (unsigned v = 0; v < V; ++v)
        acc[i][v] = _mm256_add_ps(acc[i][v], _mm256_mul_ps(a, _mm256_loadu_ps(bp + 8 * v)));
    }
  for (unsigned i = 0; i < R; ++i)
    for (unsigned v = 0; v < V; ++v)
      _mm256_storeu_ps(c + i * ldc + 8 * v, acc[i][v]);
}

} // namespace

GemmDecodeF32 decodeF32Avx2(unsigned rows, unsigned width) {
  static_assert(kDecodeMaxRows == 1, "a kernel for each row count up to kDecodeMaxRows");
  if (rows != 1)
    return nullptr;
  switch (width) {
  case kDecodeNrNarrow: return &decodeF32<1, kDecodeNrNarrow / 8>;
  case kDecodeNrWide: return &decodeF32<1, kDecodeNrWide / 8>;
  default: return nullptr;
  }
}

#endif

} // namespace strata::sim::func::detail
