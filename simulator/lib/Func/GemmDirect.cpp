//===- GemmDirect.cpp - Skinny float Gemm straight from SRAM --------------===//

#include "GemmDirect.h"

#include "Avx2Lanes.h"

#include "strata/sim/func/Convert.h"

#include <cstring>

namespace strata::sim::func::detail {

#if defined(__x86_64__) && defined(__GNUC__)

namespace {

// The helpers keep the accumulators in registers only when inlined.
#define STRATA_ALWAYS_INLINE inline __attribute__((always_inline))

constexpr unsigned kMr = 6; ///< the AVX2 kernel set's tile height

/// 8 consecutive elements of type T at p as FP32 lanes.
template <DType T> STRATA_AVX2 STRATA_ALWAYS_INLINE __m256 load8(const uint8_t *p) { return cvt8(T, p); }

/// `live` (< 8) elements at p as FP32 lanes, the rest zero, reading nothing
/// past them.
template <DType T>
STRATA_AVX2 STRATA_ALWAYS_INLINE __m256 load8Partial(const uint8_t *p, size_t live, __m256i mask) {
  if constexpr (T == DType::F32) {
    return _mm256_maskload_ps(reinterpret_cast<const float *>(p), mask);
  } else {
    alignas(32) uint8_t buf[32] = {}; // 16-bit types use the first 16 bytes
    std::memcpy(buf, p, live * 2);
    return cvt8(T, buf);
  }
}

/// Row i's element of A is a[i * rs].
template <unsigned R>
STRATA_AVX2 STRATA_ALWAYS_INLINE void update(__m256 acc[R], __m256 b, const float *a, size_t rs) {
  for (unsigned i = 0; i < R; ++i)
    acc[i] = _mm256_add_ps(acc[i], _mm256_mul_ps(b, _mm256_broadcast_ss(a + i * rs)));
}

/// One group of 8 (or `live` < 8) columns of a [k][n] B: row k is
/// contiguous, `rowBytes` apart.
template <DType T, unsigned R>
STRATA_AVX2 STRATA_ALWAYS_INLINE void rowsOf(const uint8_t *p, size_t rowBytes, size_t kc, size_t live,
                               const float *ap, size_t as, size_t rs, __m256 acc[R]) {
  if (live == 8) {
    for (size_t k = 0; k < kc; ++k, p += rowBytes, ap += as)
      update<R>(acc, load8<T>(p), ap, rs);
    return;
  }
  const __m256i mask = laneMask8(live);
  for (size_t k = 0; k < kc; ++k, p += rowBytes, ap += as)
    update<R>(acc, load8Partial<T>(p, live, mask), ap, rs);
}

/// One group of 8 (or `live` < 8, when !Full) columns of a transposed
/// [n][k] B: column j's k run is contiguous, `rowBytes` apart; 8 x 8 blocks
/// are transposed in registers so each vector holds one k of the 8 columns.
template <DType T, unsigned R, bool Full>
STRATA_AVX2 STRATA_ALWAYS_INLINE void columnsOf(const uint8_t *p, size_t rowBytes, size_t kc,
                                                size_t live, const float *ap, size_t as, size_t rs,
                                                __m256 acc[R]) {
  constexpr size_t eb = dtypeBits(T) / 8;
  size_t k = 0;
  for (; k + 8 <= kc; k += 8) {
    __m256 r[8];
    const uint8_t *q = p + k * eb;
    for (size_t j = 0; j < 8; ++j)
      r[j] = Full || j < live ? load8<T>(q + j * rowBytes) : _mm256_setzero_ps();
    transpose8(r); // r[t] = k + t of the 8 columns
    const float *a = ap + k * as;
    for (size_t t = 0; t < 8; ++t, a += as)
      update<R>(acc, r[t], a, rs);
  }
  if (k == kc)
    return;
  // The last kc % 8 k: the same transpose over partial loads.
  const size_t tail = kc - k;
  const __m256i mask = laneMask8(tail);
  __m256 r[8];
  for (size_t j = 0; j < 8; ++j)
    r[j] = Full || j < live ? load8Partial<T>(p + k * eb + j * rowBytes, tail, mask)
                            : _mm256_setzero_ps();
  transpose8(r);
  for (size_t t = 0; t < tail; ++t)
    update<R>(acc, r[t], ap + (k + t) * as, rs);
}

/// columnsOf for a single row of A whose k run is contiguous (as = 1):
/// each row of an 8 x 8 block is multiplied by A's 8 k at once, and the
/// products are transposed instead of B, saving the broadcasts. The
/// products are the same (each one rounding of the same two factors), and
/// every lane still adds them in increasing k.
template <DType T, bool Full>
STRATA_AVX2 STRATA_ALWAYS_INLINE void columnsOfOneRow(const uint8_t *p, size_t rowBytes, size_t kc,
                                                      size_t live, const float *ap,
                                                      __m256 *acc) {
  constexpr size_t eb = dtypeBits(T) / 8;
  size_t k = 0;
  for (; k + 8 <= kc; k += 8) {
    const __m256 a = _mm256_loadu_ps(ap + k);
    const uint8_t *q = p + k * eb;
    __m256 r[8];
    for (size_t j = 0; j < 8; ++j)
      r[j] = Full || j < live ? _mm256_mul_ps(load8<T>(q + j * rowBytes), a)
                              : _mm256_setzero_ps();
    transpose8(r); // r[t] = the products of k + t for the 8 columns
    for (size_t t = 0; t < 8; ++t)
      acc[0] = _mm256_add_ps(acc[0], r[t]);
  }
  if (k < kc) // the last kc % 8 k as columnsOf takes them
    columnsOf<T, 1, Full>(p + k * eb, rowBytes, kc - k, live, ap + k, 1, 0, acc);
}

template <DType T, unsigned R>
STRATA_AVX2 void directTyped(const PanelSource &b, size_t k0, size_t kc, size_t n0, size_t nc,
                             const float *ap, size_t as, size_t rs, float *c, size_t ldc,
                             bool load) {
  constexpr size_t eb = dtypeBits(T) / 8;
  const size_t rowBytes = b.ld * eb;
  for (size_t j0 = 0; j0 < nc; j0 += 8) {
    const size_t live = nc - j0 < 8 ? nc - j0 : 8;
    __m256 acc[R];
    for (unsigned i = 0; i < R; ++i)
      acc[i] = load ? _mm256_loadu_ps(c + i * ldc + j0) : _mm256_setzero_ps();
    const uint8_t *p = b.base + b.index(k0, n0 + j0) * eb;
    // One row read in place (as = 1) multiplies before it transposes.
    const bool oneRow = R == 1 && as == 1;
    if (b.trans && oneRow && live == 8)
      columnsOfOneRow<T, true>(p, rowBytes, kc, live, ap, acc);
    else if (b.trans && oneRow)
      columnsOfOneRow<T, false>(p, rowBytes, kc, live, ap, acc);
    else if (b.trans && live == 8)
      columnsOf<T, R, true>(p, rowBytes, kc, live, ap, as, rs, acc);
    else if (b.trans)
      columnsOf<T, R, false>(p, rowBytes, kc, live, ap, as, rs, acc);
    else
      rowsOf<T, R>(p, rowBytes, kc, live, ap, as, rs, acc);
    for (unsigned i = 0; i < R; ++i)
      _mm256_storeu_ps(c + i * ldc + j0, acc[i]);
  }
}

template <unsigned R>
void directF32(const PanelSource &b, size_t k0, size_t kc, size_t n0, size_t nc,
               const float *ap, size_t as, size_t rs, float *c, size_t ldc, bool load) {
  switch (b.type) {
  case DType::F16:
    return directTyped<DType::F16, R>(b, k0, kc, n0, nc, ap, as, rs, c, ldc, load);
  case DType::BF16:
    return directTyped<DType::BF16, R>(b, k0, kc, n0, nc, ap, as, rs, c, ldc, load);
  default: return directTyped<DType::F32, R>(b, k0, kc, n0, nc, ap, as, rs, c, ldc, load);
  }
}

} // namespace

GemmDirectF32 directF32Avx2(unsigned rows) {
  static constexpr GemmDirectF32 kernels[kMr + 1] = {
      nullptr,         &directF32<1>, &directF32<2>, &directF32<3>,
      &directF32<4>, &directF32<5>, &directF32<6>};
  return rows <= kMr ? kernels[rows] : nullptr;
}

#endif

} // namespace strata::sim::func::detail
