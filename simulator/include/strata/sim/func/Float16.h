//===- Float16.h - Exact FP16/BF16 <-> FP32 conversions ---------*- C++ -*-===//
//
// Bit-exact scalar conversions between IEEE binary32 and the two 16-bit float
// formats the NPU stores. They are the reference semantics of the simulator:
// the vectorised converters (Convert.h) must agree with them bit for bit.
//
//   - Widening (f16 -> f32, bf16 -> f32) is exact.
//   - Narrowing rounds to nearest, ties to even; overflow gives +-Inf,
//     results below the smallest subnormal round to +-0, subnormals are kept.
//   - NaN stays NaN with its sign: narrowing keeps the top payload bits and
//     sets the quiet bit (as x86 F16C and AVX512-BF16 do); f16 -> f32 also
//     sets the quiet bit (as F16C does); bf16 -> f32 is a plain shift, so a
//     signalling bf16 NaN stays signalling.
//
// Integer arithmetic only, so the results do not depend on the floating-point
// environment.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>
#include <cstring>

namespace strata::sim::func {

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

/// binary16 -> binary32, exact.
inline float f16ToF32(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1Fu;
  uint32_t man = h & 0x3FFu;
  if (exp == 0x1F) // Inf, or NaN made quiet
    return bitsToFloat(sign | 0x7F800000u | (man << 13) | (man ? 0x00400000u : 0u));
  if (exp != 0)
    return bitsToFloat(sign | ((exp + (127 - 15)) << 23) | (man << 13));
  if (man == 0)
    return bitsToFloat(sign);
  // Subnormal: man * 2^-24; normalise the leading one into the implicit bit.
  unsigned shift = 0;
  while (!(man & 0x400u)) {
    man <<= 1;
    ++shift;
  }
  return bitsToFloat(sign | ((127 - 15 + 1 - shift) << 23) | ((man & 0x3FFu) << 13));
}

/// binary32 -> binary16, round to nearest even.
inline uint16_t f32ToF16(float f) {
  uint32_t u = floatBits(f);
  uint32_t sign = (u >> 16) & 0x8000u;
  uint32_t a = u & 0x7FFFFFFFu;
  if (a > 0x7F800000u) // NaN: quiet, top 10 payload bits
    return uint16_t(sign | 0x7E00u | ((a >> 13) & 0x3FFu));
  if (a >= 0x477FF000u) // >= 65520 rounds to Inf (and Inf itself)
    return uint16_t(sign | 0x7C00u);
  if (a >= 0x38800000u) { // normal binary16 range (>= 2^-14)
    uint32_t rebiased = a - ((127u - 15u) << 23);
    uint32_t rounded = (rebiased + 0x0FFFu + ((rebiased >> 13) & 1u)) >> 13;
    return uint16_t(sign | rounded);
  }
  if (a <= 0x33000000u) // <= 2^-25 (half the smallest subnormal): ties to 0
    return uint16_t(sign);
  // Subnormal result: value = man24 * 2^(e-150); in units of 2^-24 that is
  // man24 >> (126 - e), rounded to nearest even on the shifted-out bits.
  uint32_t e = a >> 23;
  uint32_t man = (a & 0x7FFFFFu) | 0x800000u;
  uint32_t shift = 126u - e; // 14..24
  uint32_t q = man >> shift;
  uint32_t rem = man & ((1u << shift) - 1u);
  uint32_t half = 1u << (shift - 1);
  if (rem > half || (rem == half && (q & 1u)))
    ++q; // may carry into the smallest normal, which is the right encoding
  return uint16_t(sign | q);
}

/// bfloat16 -> binary32, exact (the bf16 bits are the upper half).
inline float bf16ToF32(uint16_t b) { return bitsToFloat(uint32_t(b) << 16); }

/// binary32 -> bfloat16, round to nearest even.
inline uint16_t f32ToBf16(float f) {
  uint32_t u = floatBits(f);
  if ((u & 0x7FFFFFFFu) > 0x7F800000u)
    return uint16_t((u >> 16) | 0x0040u);
  return uint16_t((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
}

} // namespace strata::sim::func
