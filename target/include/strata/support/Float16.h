//===- Float16.h - Exact binary16 and bfloat16 conversions ------*- C++ -*-===//
//
// Bit-exact scalar conversions between IEEE binary32 and the two 16-bit float
// formats, shared by the compiler (quantization, weight import), the
// simulator (they are its reference numerics: the vectorised row converters
// of sim/func/Convert.h must agree with them bit for bit) and the model
// loaders.
//
//   - Widening (f16 -> f32, bf16 -> f32) is exact.
//   - Narrowing rounds to nearest, ties to even; overflow gives +-Inf,
//     results below half the smallest subnormal round to +-0, subnormals are
//     kept.
//   - NaN stays NaN with its sign: narrowing keeps the top payload bits and
//     sets the quiet bit (as x86 F16C and AVX512-BF16 do); f16 -> f32 also
//     sets the quiet bit (as F16C does); bf16 -> f32 is a plain shift, so a
//     signalling bf16 NaN stays signalling.
//
// The results do not depend on the floating-point environment (rounding
// mode, flush-to-zero): every step is integer arithmetic or exact.
// tests/unit/sim-func/Float16Test.cpp checks them exhaustively against the
// host's conversion instructions and exact arithmetic.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>
#include <cstring>

namespace strata {

inline uint32_t floatBits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}
inline float bitsToFloat(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

inline float f16ToF32(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1F;
  uint32_t man = h & 0x3FF;
  if (exp == 0x1F) // Inf or NaN
    return bitsToFloat(sign | 0x7F800000u | (man << 13) | (man ? 0x400000u : 0));
  if (exp == 0) {
    if (man == 0)
      return bitsToFloat(sign);
    // Subnormal: value = man * 2^-24, exactly representable in binary32.
    float v = float(man) * (1.0f / 16777216.0f);
    return sign ? -v : v;
  }
  return bitsToFloat(sign | ((exp + 112) << 23) | (man << 13));
}

inline uint16_t f32ToF16(float f) {
  uint32_t u = floatBits(f);
  uint16_t sign = uint16_t((u >> 16) & 0x8000);
  uint32_t absu = u & 0x7FFFFFFFu;
  if (absu >= 0x7F800000u) // Inf or NaN
    return sign | 0x7C00 | (absu > 0x7F800000u ? 0x200 | ((absu >> 13) & 0x3FF) : 0);
  if (absu >= 0x477FF000u) // rounds to >= 65520: overflow to infinity
    return sign | 0x7C00;
  if (absu < 0x38800000u) { // below the smallest normal half (2^-14)
    // Subnormal or zero: scale into the 10-bit mantissa with RNE.
    uint32_t exp = absu >> 23;
    if (exp < 102) // below half the smallest subnormal: rounds to zero
      return sign;
    uint32_t man = (absu & 0x7FFFFF) | 0x800000;
    uint32_t shift = 126 - exp; // 14..24
    uint32_t half = man >> shift;
    uint32_t rem = man & ((1u << shift) - 1);
    uint32_t mid = 1u << (shift - 1);
    if (rem > mid || (rem == mid && (half & 1)))
      ++half;
    return sign | uint16_t(half);
  }
  // Normal: rebias and round the 13 dropped bits to nearest even.
  uint32_t h = ((absu >> 13) - (112u << 10));
  uint32_t rem = absu & 0x1FFF;
  if (rem > 0x1000 || (rem == 0x1000 && (h & 1)))
    ++h;
  return sign | uint16_t(h);
}

inline float bf16ToF32(uint16_t b) { return bitsToFloat(uint32_t(b) << 16); }

inline uint16_t f32ToBf16(float f) {
  uint32_t u = floatBits(f);
  if ((u & 0x7FFFFFFFu) > 0x7F800000u) // NaN: keep it quiet
    return uint16_t((u >> 16) | 0x40);
  uint32_t rounding = 0x7FFF + ((u >> 16) & 1);
  return uint16_t((u + rounding) >> 16);
}

/// Rounds through binary16 / bfloat16 and back.
inline float roundToF16(float f) { return f16ToF32(f32ToF16(f)); }
inline float roundToBf16(float f) { return bf16ToF32(f32ToBf16(f)); }

} // namespace strata
