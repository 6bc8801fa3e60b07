//===- Convert.cpp - Element conversions of the NPU's data types ----------===//

#include "strata/sim/func/Convert.h"

#include "strata/support/Float16.h"
#include "strata/sim/func/HostIsa.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define STRATA_FUNC_X86 1
#endif

namespace strata::sim::func {

int32_t intMin(DType t) {
  switch (t) {
  case DType::I4: return -8;
  case DType::I8: return -128;
  default: return std::numeric_limits<int32_t>::min();
  }
}

int32_t intMax(DType t) {
  switch (t) {
  case DType::I4: return 7;
  case DType::I8: return 127;
  default: return std::numeric_limits<int32_t>::max();
  }
}

int32_t roundToInt(float x, int32_t lo, int32_t hi) {
  if (std::isnan(x))
    return 0;
  // float(hi) may round up (2^31 for INT32_MAX); comparing before converting
  // keeps the conversion in range.
  if (x <= float(lo))
    return lo;
  if (x >= float(hi))
    return hi;
  // The simulator never changes the rounding mode, so this is half-to-even.
  int32_t r = int32_t(std::nearbyint(x));
  return r < lo ? lo : (r > hi ? hi : r);
}

namespace {

//===--- Portable paths ---------------------------------------------------===//

/// Branch-free (vectorisable) form of f16ToF32: the exponent/mantissa bits
/// shifted into place read as an FP32 value 2^-112 times too small (a
/// subnormal f16 becomes an FP32 denormal), and one exact multiply by 2^112
/// rescales it. Inf and NaN get the all-ones exponent and, for NaN, the
/// quiet bit. Exact as long as denormals are not flushed (the default).
void loadF16Portable(const uint16_t *src, size_t n, float *dst) {
  for (size_t i = 0; i < n; ++i) {
    uint32_t h = src[i];
    uint32_t sign = (h & 0x8000u) << 16, em = h & 0x7FFFu;
    float scaled = bitsToFloat(em << 13) * 0x1p112f;
    uint32_t special = 0x7F800000u | (em << 13) | ((em & 0x3FFu) ? 0x00400000u : 0u);
    uint32_t bits = em >= 0x7C00u ? special : floatBits(scaled);
    dst[i] = bitsToFloat(bits | sign);
  }
}

/// Branch-free (vectorisable) form of f32ToF16. Normal results round in
/// integer arithmetic as in f32ToF16; subnormal results let the FPU round:
/// |x| + 0.5 lies in [0.5, 1), whose ulp 2^-24 is the f16 subnormal step,
/// so the sum's low mantissa bits are |x| rounded to nearest even in those
/// steps (up to 0x400, the smallest normal). Exact under the default
/// rounding mode without denormal flushing.
void storeF16Portable(const float *src, size_t n, uint16_t *dst) {
  for (size_t i = 0; i < n; ++i) {
    uint32_t u = floatBits(src[i]);
    uint32_t sign = (u >> 16) & 0x8000u, a = u & 0x7FFFFFFFu;
    uint32_t rebiased = a - ((127u - 15u) << 23);
    uint32_t normal = (rebiased + 0x0FFFu + ((rebiased >> 13) & 1u)) >> 13;
    uint32_t subnormal = floatBits(bitsToFloat(a) + 0.5f) - 0x3F000000u;
    uint32_t r = a < 0x38800000u ? subnormal : normal;
    r = a >= 0x477FF000u ? 0x7C00u : r;
    r = a > 0x7F800000u ? (0x7E00u | ((a >> 13) & 0x3FFu)) : r;
    dst[i] = uint16_t(sign | r);
  }
}

#ifdef STRATA_FUNC_X86
//===--- F16C paths (same bits as Float16.h, checked by the tests) --------===//

__attribute__((target("avx2,f16c"))) void loadF16F16c(const uint16_t *src, size_t n,
                                                       float *dst) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i *>(src + i));
    _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(h));
  }
  for (; i < n; ++i)
    dst[i] = f16ToF32(src[i]);
}

__attribute__((target("avx2,f16c"))) void storeF16F16c(const float *src, size_t n,
                                                        uint16_t *dst) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m128i h = _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT);
    _mm_storeu_si128(reinterpret_cast<__m128i *>(dst + i), h);
  }
  for (; i < n; ++i)
    dst[i] = f32ToF16(src[i]);
}
#endif

void loadF16(const uint8_t *src, size_t n, float *dst) {
  // Elements are 2-byte aligned in SRAM, but host buffers need not be; the
  // kernels use unaligned loads, the portable path goes through memcpy.
  if ((reinterpret_cast<uintptr_t>(src) & 1) == 0) {
#ifdef STRATA_FUNC_X86
    if (hostIsa() == HostIsa::Avx2)
      return loadF16F16c(reinterpret_cast<const uint16_t *>(src), n, dst);
#endif
    return loadF16Portable(reinterpret_cast<const uint16_t *>(src), n, dst);
  }
  for (size_t i = 0; i < n; ++i) {
    uint16_t h;
    std::memcpy(&h, src + 2 * i, 2);
    dst[i] = f16ToF32(h);
  }
}

void storeF16(const float *src, size_t n, uint8_t *dst) {
  if ((reinterpret_cast<uintptr_t>(dst) & 1) == 0) {
#ifdef STRATA_FUNC_X86
    if (hostIsa() == HostIsa::Avx2)
      return storeF16F16c(src, n, reinterpret_cast<uint16_t *>(dst));
#endif
    return storeF16Portable(src, n, reinterpret_cast<uint16_t *>(dst));
  }
  for (size_t i = 0; i < n; ++i) {
    uint16_t h = f32ToF16(src[i]);
    std::memcpy(dst + 2 * i, &h, 2);
  }
}

template <typename T> T loadRaw(const uint8_t *p, size_t i) {
  T v;
  std::memcpy(&v, p + i * sizeof(T), sizeof(T));
  return v;
}

template <typename T> void storeRaw(uint8_t *p, size_t i, T v) {
  std::memcpy(p + i * sizeof(T), &v, sizeof(T));
}

/// Round half to even and clamp to [lo, hi] for |x| well inside int range:
/// adding 1.5 * 2^23 leaves the integer part in the mantissa, rounded by the
/// FPU's (default) nearest-even mode. Vectorises, unlike nearbyint.
inline float roundSmall(float x, float lo, float hi) {
  if (!(x == x))
    return 0.0f;
  x = x < lo ? lo : (x > hi ? hi : x);
  constexpr float kMagic = 12582912.0f; // 1.5 * 2^23
  return (x + kMagic) - kMagic;
}

} // namespace

void loadAsFloat(DType t, const uint8_t *src, uint64_t first, size_t n, float *dst) {
  switch (t) {
  case DType::F32:
    std::memcpy(dst, src + first * 4, n * 4);
    return;
  case DType::F16:
    return loadF16(src + first * 2, n, dst);
  case DType::BF16: {
    const uint8_t *p = src + first * 2;
    for (size_t i = 0; i < n; ++i)
      dst[i] = bf16ToF32(loadRaw<uint16_t>(p, i));
    return;
  }
  case DType::I8: {
    const int8_t *p = reinterpret_cast<const int8_t *>(src + first);
    for (size_t i = 0; i < n; ++i)
      dst[i] = float(p[i]);
    return;
  }
  case DType::I32: {
    const uint8_t *p = src + first * 4;
    for (size_t i = 0; i < n; ++i)
      dst[i] = float(loadRaw<int32_t>(p, i));
    return;
  }
  case DType::I4: {
    thread_local std::vector<int32_t> ints;
    ints.resize(n);
    loadAsInt32(DType::I4, src, first, n, ints.data());
    for (size_t i = 0; i < n; ++i)
      dst[i] = float(ints[i]);
    return;
  }
  }
}

void storeFromFloat(DType t, const float *src, size_t n, uint8_t *dst, uint64_t first) {
  switch (t) {
  case DType::F32:
    std::memcpy(dst + first * 4, src, n * 4);
    return;
  case DType::F16:
    return storeF16(src, n, dst + first * 2);
  case DType::BF16: {
    uint8_t *p = dst + first * 2;
    for (size_t i = 0; i < n; ++i)
      storeRaw<uint16_t>(p, i, f32ToBf16(src[i]));
    return;
  }
  case DType::I8: {
    int8_t *p = reinterpret_cast<int8_t *>(dst + first);
    for (size_t i = 0; i < n; ++i)
      p[i] = int8_t(roundSmall(src[i], -128.0f, 127.0f));
    return;
  }
  case DType::I4:
    for (size_t i = 0; i < n; ++i)
      storeI4(dst, first + i, int8_t(roundSmall(src[i], -8.0f, 7.0f)));
    return;
  case DType::I32: {
    uint8_t *p = dst + first * 4;
    for (size_t i = 0; i < n; ++i)
      storeRaw<int32_t>(p, i, roundToInt(src[i], intMin(t), intMax(t)));
    return;
  }
  }
}

void loadAsInt32(DType t, const uint8_t *src, uint64_t first, size_t n, int32_t *dst) {
  switch (t) {
  case DType::I8: {
    const int8_t *p = reinterpret_cast<const int8_t *>(src + first);
    for (size_t i = 0; i < n; ++i)
      dst[i] = p[i];
    return;
  }
  case DType::I4: {
    size_t i = 0;
    if (first % 2 && n) // odd start: the high nibble of the first byte
      dst[i++] = loadI4(src, first);
    const uint8_t *p = src + (first + i) / 2;
    for (; i + 2 <= n; i += 2, ++p) {
      dst[i] = int8_t(uint8_t(*p << 4)) >> 4;
      dst[i + 1] = int8_t(*p) >> 4;
    }
    if (i < n)
      dst[i] = loadI4(src, first + i);
    return;
  }
  case DType::I32:
    std::memcpy(dst, src + first * 4, n * 4);
    return;
  default: // float types: round like a cast would
    for (size_t i = 0; i < n; ++i)
      dst[i] = roundToInt(loadOneAsFloat(t, src, first + i), intMin(DType::I32),
                          intMax(DType::I32));
    return;
  }
}

void storeFromInt32(DType t, const int32_t *src, size_t n, uint8_t *dst, uint64_t first) {
  switch (t) {
  case DType::I8: {
    int8_t *p = reinterpret_cast<int8_t *>(dst + first);
    for (size_t i = 0; i < n; ++i)
      p[i] = int8_t(src[i] < -128 ? -128 : (src[i] > 127 ? 127 : src[i]));
    return;
  }
  case DType::I4:
    for (size_t i = 0; i < n; ++i)
      storeI4(dst, first + i, int8_t(src[i] < -8 ? -8 : (src[i] > 7 ? 7 : src[i])));
    return;
  case DType::I32:
    std::memcpy(dst + first * 4, src, n * 4);
    return;
  default: // float types: through FP32
    for (size_t i = 0; i < n; ++i)
      storeOneFromFloat(t, float(src[i]), dst, first + i);
    return;
  }
}

float loadOneAsFloat(DType t, const uint8_t *src, uint64_t index) {
  switch (t) {
  case DType::F32: return loadRaw<float>(src, index);
  case DType::F16: return f16ToF32(loadRaw<uint16_t>(src, index));
  case DType::BF16: return bf16ToF32(loadRaw<uint16_t>(src, index));
  case DType::I8: return float(int8_t(src[index]));
  case DType::I32: return float(loadRaw<int32_t>(src, index));
  case DType::I4: return float(loadI4(src, index));
  }
  return 0.0f;
}

void storeOneFromFloat(DType t, float value, uint8_t *dst, uint64_t index) {
  storeFromFloat(t, &value, 1, dst, index);
}

} // namespace strata::sim::func
