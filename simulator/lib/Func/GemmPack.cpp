//===- GemmPack.cpp - Packing Gemm operands into kernel panels ------------===//

#include "GemmPack.h"

#include "Avx2Lanes.h"

#include "strata/sim/func/Convert.h"

#include <algorithm>
#include <cstring>
#include <vector>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define STRATA_FUNC_X86 1
#endif

namespace strata::sim::func::detail {

namespace {

/// One strip of `rows` (<= nr) columns starting at column n: [k][nr].
void packStripF32(const PanelSource &b, size_t k0, size_t kc, size_t n, size_t rows,
                  unsigned nr, float *strip) {
  thread_local std::vector<float> tmp;
  if (!b.trans) {
    tmp.resize(nr);
    for (size_t k = 0; k < kc; ++k) {
      loadAsFloat(b.type, b.base, b.index(k0 + k, n), rows, tmp.data());
      std::fill(tmp.begin() + rows, tmp.end(), 0.0f);
      std::memcpy(strip + k * nr, tmp.data(), nr * sizeof(float));
    }
    return;
  }
  tmp.resize(rows * kc);
  for (size_t j = 0; j < rows; ++j)
    loadAsFloat(b.type, b.base, b.index(k0, n + j), kc, &tmp[j * kc]);
  for (size_t k = 0; k < kc; ++k) {
    float *dst = strip + k * nr;
    for (size_t j = 0; j < rows; ++j)
      dst[j] = tmp[j * kc + k];
    for (size_t j = rows; j < nr; ++j)
      dst[j] = 0.0f;
  }
}

/// One strip of int16 pairs: [pair][nr][2].
void packStripI16(const PanelSource &b, size_t k0, size_t kc, size_t n, size_t rows,
                  unsigned nr, int16_t *strip) {
  const size_t pairs = (kc + 1) / 2;
  thread_local std::vector<int32_t> tmp;
  if (!b.trans) {
    tmp.assign(2 * nr, 0);
    for (size_t p = 0; p < pairs; ++p) {
      for (size_t h = 0; h < 2; ++h) {
        if (2 * p + h < kc)
          loadAsInt32(b.type, b.base, b.index(k0 + 2 * p + h, n), rows, &tmp[h * nr]);
        else
          std::fill_n(&tmp[h * nr], rows, 0);
      }
      int16_t *dst = strip + p * nr * 2;
      for (size_t j = 0; j < nr; ++j) {
        dst[2 * j] = int16_t(tmp[j]);
        dst[2 * j + 1] = int16_t(tmp[nr + j]);
      }
    }
    return;
  }
  tmp.resize(2 * pairs);
  for (size_t j = 0; j < nr; ++j) {
    if (j < rows)
      loadAsInt32(b.type, b.base, b.index(k0, n + j), kc, tmp.data());
    else
      std::fill_n(tmp.data(), kc, 0);
    if (kc % 2)
      tmp[kc] = 0;
    for (size_t p = 0; p < pairs; ++p) {
      strip[(p * nr + j) * 2] = int16_t(tmp[2 * p]);
      strip[(p * nr + j) * 2 + 1] = int16_t(tmp[2 * p + 1]);
    }
  }
}

} // namespace

void packBF32Portable(const PanelSource &b, size_t k0, size_t kc, size_t n0, size_t nc,
                      unsigned nr, float *panel) {
  const size_t strips = (nc + nr - 1) / nr;
  if (b.trans) {
    for (size_t s = 0; s < strips; ++s)
      packStripF32(b, k0, kc, n0 + s * nr, std::min<size_t>(nr, nc - s * nr), nr,
                   panel + s * kc * nr);
    return;
  }
  // Convert each row of the block once, then deal it out to the strips.
  thread_local std::vector<float> row;
  row.assign(strips * nr, 0.0f);
  for (size_t k = 0; k < kc; ++k) {
    loadAsFloat(b.type, b.base, b.index(k0 + k, n0), nc, row.data());
    for (size_t s = 0; s < strips; ++s) {
      float *dst = panel + (s * kc + k) * nr;
      const float *src = row.data() + s * nr;
      for (unsigned j = 0; j < nr; ++j)
        dst[j] = src[j];
    }
  }
}

void packBI16Portable(const PanelSource &b, size_t k0, size_t kc, size_t n0, size_t nc,
                      unsigned nr, int16_t *panel) {
  const size_t pairs = (kc + 1) / 2, strips = (nc + nr - 1) / nr;
  if (b.trans) {
    for (size_t s = 0; s < strips; ++s)
      packStripI16(b, k0, kc, n0 + s * nr, std::min<size_t>(nr, nc - s * nr), nr,
                   panel + s * pairs * nr * 2);
    return;
  }
  thread_local std::vector<int32_t> rows;
  rows.assign(2 * strips * nr, 0);
  int32_t *r0 = rows.data(), *r1 = rows.data() + strips * nr;
  for (size_t p = 0; p < pairs; ++p) {
    loadAsInt32(b.type, b.base, b.index(k0 + 2 * p, n0), nc, r0);
    if (2 * p + 1 < kc)
      loadAsInt32(b.type, b.base, b.index(k0 + 2 * p + 1, n0), nc, r1);
    else
      std::fill_n(r1, nc, 0);
    for (size_t s = 0; s < strips; ++s) {
      int16_t *dst = panel + (s * pairs + p) * nr * 2;
      for (unsigned j = 0; j < nr; ++j) {
        dst[2 * j] = int16_t(r0[s * nr + j]);
        dst[2 * j + 1] = int16_t(r1[s * nr + j]);
      }
    }
  }
}

void packAF32(const Matrix &a, const uint8_t *base, size_t m0, size_t rows, size_t k0,
              size_t kc, unsigned mr, float *sliver) {
  thread_local std::vector<float> row;
  row.resize(kc);
  for (size_t i = 0; i < rows; ++i) {
    loadAsFloat(a.type, base, a.index(m0 + i, k0), kc, row.data());
    for (size_t k = 0; k < kc; ++k)
      sliver[k * mr + i] = row[k];
  }
}

void packAI16(const Matrix &a, const uint8_t *base, size_t m0, size_t rows, size_t k0,
              size_t kc, unsigned mr, int16_t *sliver) {
  const size_t pairs = (kc + 1) / 2;
  thread_local std::vector<int32_t> row;
  row.resize(2 * pairs);
  for (size_t i = 0; i < rows; ++i) {
    loadAsInt32(a.type, base, a.index(m0 + i, k0), kc, row.data());
    if (kc % 2)
      row[kc] = 0; // an odd chunk ends with a zero product
    for (size_t p = 0; p < pairs; ++p) {
      sliver[(p * mr + i) * 2] = int16_t(row[2 * p]);
      sliver[(p * mr + i) * 2 + 1] = int16_t(row[2 * p + 1]);
    }
  }
}

#ifdef STRATA_FUNC_X86
//===--- AVX2 ---------------------------------------------------------------===//

namespace {

constexpr unsigned kNr = 16;

/// 16 consecutive integer elements from element `index` (even for i4) as
/// int16. I4 bytes hold elements 2i (low nibble) and 2i+1 (high nibble).
STRATA_AVX2 inline __m256i widen(DType t, const uint8_t *base, uint64_t index) {
  if (t == DType::I8)
    return _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i *>(base + index)));
  __m128i bytes = _mm_loadl_epi64(reinterpret_cast<const __m128i *>(base + index / 2));
  const __m128i low4 = _mm_set1_epi8(0x0F), eight = _mm_set1_epi8(8);
  __m128i lo = _mm_and_si128(bytes, low4);
  __m128i hi = _mm_and_si128(_mm_srli_epi16(bytes, 4), low4);
  __m128i nibbles = _mm_unpacklo_epi8(lo, hi); // element order
  __m128i signedNibbles = _mm_sub_epi8(_mm_xor_si128(nibbles, eight), eight);
  return _mm256_cvtepi8_epi16(signedNibbles);
}

} // namespace

/// Lane masks for the first `live` (0..16) of 16 FP32 lanes.
struct LiveMask {
  __m256i lo, hi;
};
STRATA_AVX2 inline LiveMask liveMask(size_t live) {
  return {laneMask8(live), laneMask8(live > 8 ? live - 8 : 0)};
}

/// 16 columns from `live` (< 16) elements at p, the rest zero; nothing past
/// the live elements is read (masked loads for FP32, a zeroed buffer for
/// 16-bit types).
STRATA_AVX2 inline void cvt16Partial(DType t, const uint8_t *p, size_t live, size_t eb,
                                     const LiveMask &mask, float *dst) {
  if (t == DType::F32) {
    const float *f = reinterpret_cast<const float *>(p);
    _mm256_storeu_ps(dst, _mm256_maskload_ps(f, mask.lo));
    _mm256_storeu_ps(dst + 8, _mm256_maskload_ps(f + 8, mask.hi));
    return;
  }
  alignas(32) uint8_t buf[kNr * 4] = {};
  std::memcpy(buf, p, live * eb);
  _mm256_storeu_ps(dst, cvt8(t, buf));
  _mm256_storeu_ps(dst + 8, cvt8(t, buf + 8 * eb));
}

STRATA_AVX2 void packBF32Avx2(const PanelSource &b, size_t k0, size_t kc, size_t n0,
                              size_t nc, float *panel) {
  if (!isWideFloat(b.type))
    return packBF32Portable(b, k0, kc, n0, nc, kNr, panel);
  const size_t eb = dtypeBits(b.type) / 8, strips = (nc + kNr - 1) / kNr;
  // The last strip may be partial: its `live` columns are B's, the rest of
  // its lanes zero, as the portable packer writes them.
  if (!b.trans) {
    const size_t full = nc / kNr, tail = nc - full * kNr;
    const LiveMask mask = liveMask(tail);
    for (size_t k = 0; k < kc; ++k) {
      const uint8_t *row = b.base + b.index(k0 + k, n0) * eb;
      for (size_t s = 0; s < full; ++s) {
        float *dst = panel + (s * kc + k) * kNr;
        _mm256_storeu_ps(dst, cvt8(b.type, row + s * kNr * eb));
        _mm256_storeu_ps(dst + 8, cvt8(b.type, row + (s * kNr + 8) * eb));
      }
      if (tail)
        cvt16Partial(b.type, row + full * kNr * eb, tail, eb, mask, panel + (full * kc + k) * kNr);
    }
    return;
  }
  for (size_t s = 0; s < strips; ++s) {
    float *strip = panel + s * kc * kNr;
    const size_t live = std::min<size_t>(kNr, nc - s * kNr);
    size_t k = 0;
    for (; k + 8 <= kc; k += 8)
      for (size_t half = 0; half < 2; ++half) {
        const size_t liveHalf = live > half * 8 ? std::min<size_t>(8, live - half * 8) : 0;
        __m256 r[8];
        for (size_t j = 0; j < 8; ++j)
          r[j] = j < liveHalf
                     ? cvt8(b.type, b.base + b.index(k0 + k, n0 + s * kNr + half * 8 + j) * eb)
                     : _mm256_setzero_ps();
        if (liveHalf)
          transpose8(r);
        for (size_t j = 0; j < 8; ++j)
          _mm256_storeu_ps(strip + (k + j) * kNr + half * 8, r[j]);
      }
    for (; k < kc; ++k)
      for (size_t j = 0; j < kNr; ++j)
        strip[k * kNr + j] =
            j < live ? loadOneAsFloat(b.type, b.base, b.index(k0 + k, n0 + s * kNr + j)) : 0.0f;
  }
}

STRATA_AVX2 void packBI16Avx2(const PanelSource &b, size_t k0, size_t kc, size_t n0,
                              size_t nc, int16_t *panel) {
  // I4 rows start on a byte (ld even); a chunk starting at an odd k of a
  // transposed i4 B would split bytes, so it takes the portable packer.
  if (!(b.type == DType::I8 || (b.type == DType::I4 && (!b.trans || k0 % 2 == 0))))
    return packBI16Portable(b, k0, kc, n0, nc, kNr, panel);
  const size_t pairs = (kc + 1) / 2, full = nc / kNr;
  if (!b.trans) {
    for (size_t p = 0; p < pairs; ++p) {
      const uint64_t i0 = b.index(k0 + 2 * p, n0);
      const bool has1 = 2 * p + 1 < kc;
      const uint64_t i1 = has1 ? b.index(k0 + 2 * p + 1, n0) : 0;
      for (size_t s = 0; s < full; ++s) {
        __m256i lo = widen(b.type, b.base, i0 + s * kNr);
        __m256i hi = has1 ? widen(b.type, b.base, i1 + s * kNr) : _mm256_setzero_si256();
        __m256i a = _mm256_unpacklo_epi16(lo, hi), c = _mm256_unpackhi_epi16(lo, hi);
        __m256i *dst = reinterpret_cast<__m256i *>(panel + ((s * pairs + p) * kNr) * 2);
        _mm256_storeu_si256(dst, _mm256_permute2x128_si256(a, c, 0x20));
        _mm256_storeu_si256(dst + 1, _mm256_permute2x128_si256(a, c, 0x31));
      }
    }
  } else {
    for (size_t s = 0; s < full; ++s) {
      int16_t *strip = panel + s * pairs * kNr * 2;
      size_t p = 0;
      for (; 2 * p + 16 <= kc; p += 8)
        for (size_t half = 0; half < 2; ++half) {
          __m256 r[8];
          for (size_t j = 0; j < 8; ++j)
            r[j] = _mm256_castsi256_ps(
                widen(b.type, b.base, b.index(k0 + 2 * p, n0 + s * kNr + half * 8 + j)));
          transpose8(r); // pairs are 32-bit lanes: row j's pair t -> vector t, lane j
          for (size_t t = 0; t < 8; ++t)
            _mm256_storeu_si256(reinterpret_cast<__m256i *>(strip + ((p + t) * kNr + half * 8) * 2),
                                _mm256_castps_si256(r[t]));
        }
      for (; p < pairs; ++p)
        for (size_t j = 0; j < kNr; ++j)
          for (size_t h = 0; h < 2; ++h) {
            size_t k = 2 * p + h;
            strip[(p * kNr + j) * 2 + h] =
                k < kc ? int16_t(loadOneAsFloat(b.type, b.base, b.index(k0 + k, n0 + s * kNr + j)))
                       : int16_t(0);
          }
    }
  }
  if (full * kNr < nc)
    packStripI16(b, k0, kc, n0 + full * kNr, nc - full * kNr, kNr,
                 panel + full * pairs * kNr * 2);
}
#endif

} // namespace strata::sim::func::detail
