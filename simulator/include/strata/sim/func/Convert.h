//===- Convert.h - Element conversions of the NPU's data types --*- C++ -*-===//
//
// Reading and writing runs of elements of any DType as FP32 (the vector
// unit's and the GEMM epilogue's working type), and the rounding rules of
// every output type:
//   - F16/BF16: round to nearest even (strata/support/Float16.h); F32 stored as is.
//   - I4/I8/I32: round half to even, saturate to the type's range; NaN -> 0.
// I4 elements pack two per byte, element 2i in the low nibble of byte i,
// sign-extended on reads. Element index `first` may be odd for I4.
//
// The runs are vectorised where the host allows (F16C for binary16); every
// path gives the same bits as the scalar definitions.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/target/DType.h"

#include <cstddef>
#include <cstdint>

namespace strata::sim::func {

/// Signed value of I4 element `index` of the packed array at `base`.
inline int8_t loadI4(const uint8_t *base, uint64_t index) {
  uint8_t byte = base[index >> 1];
  uint8_t nibble = (index & 1) ? uint8_t(byte >> 4) : uint8_t(byte & 0x0F);
  return int8_t(uint8_t(nibble << 4)) >> 4;
}

/// Stores the low four bits of `value` as I4 element `index`; the other
/// nibble of the byte is kept.
inline void storeI4(uint8_t *base, uint64_t index, int8_t value) {
  uint8_t &byte = base[index >> 1];
  uint8_t v = uint8_t(value) & 0x0F;
  byte = (index & 1) ? uint8_t((byte & 0x0F) | (v << 4)) : uint8_t((byte & 0xF0) | v);
}

/// FP32 -> integer of the given range: round half to even, saturate, NaN -> 0.
int32_t roundToInt(float x, int32_t lo, int32_t hi);

/// Smallest and largest value of an integer DType (I4, I8, I32).
int32_t intMin(DType t);
int32_t intMax(DType t);

/// Converts `n` elements of type `t`, starting at element `first` of `src`,
/// to FP32 (exact except I32 beyond 2^24, which rounds to nearest even).
void loadAsFloat(DType t, const uint8_t *src, uint64_t first, size_t n, float *dst);

/// Rounds `n` FP32 values to type `t` and stores them from element `first`
/// of `dst` (other nibbles of shared I4 bytes are kept).
void storeFromFloat(DType t, const float *src, size_t n, uint8_t *dst, uint64_t first);

/// Reads `n` integer elements (I4, I8, I32) exactly.
void loadAsInt32(DType t, const uint8_t *src, uint64_t first, size_t n, int32_t *dst);

/// Stores `n` values to an integer type, saturating (exact for in-range values).
void storeFromInt32(DType t, const int32_t *src, size_t n, uint8_t *dst, uint64_t first);

/// Scalar forms of the above, for a single element.
float loadOneAsFloat(DType t, const uint8_t *src, uint64_t index);
void storeOneFromFloat(DType t, float value, uint8_t *dst, uint64_t index);

} // namespace strata::sim::func
