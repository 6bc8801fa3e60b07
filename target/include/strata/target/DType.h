//===- DType.h - Element types of the NPU -----------------------*- C++ -*-===//
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace strata {

/// Element types the NPU stores and computes with. The numeric values are part
/// of the instruction encoding (4-bit fields) and of the binary format.
enum class DType : uint8_t {
  I4 = 0,   ///< signed 4-bit, two per byte, low nibble first
  I8 = 1,   ///< signed 8-bit
  I32 = 2,  ///< signed 32-bit (accumulators, indices)
  F16 = 3,  ///< IEEE 754 binary16
  BF16 = 4, ///< bfloat16 (upper half of binary32)
  F32 = 5,  ///< IEEE 754 binary32
};
inline constexpr unsigned kNumDTypes = 6;

/// Storage size in bits (I4 is 4).
constexpr unsigned dtypeBits(DType t) {
  switch (t) {
  case DType::I4: return 4;
  case DType::I8: return 8;
  case DType::F16:
  case DType::BF16: return 16;
  case DType::I32:
  case DType::F32: return 32;
  }
  return 0;
}

constexpr bool isInteger(DType t) {
  return t == DType::I4 || t == DType::I8 || t == DType::I32;
}
constexpr bool isFloat(DType t) { return !isInteger(t); }

/// Bytes for `count` elements, rounding I4 up to whole bytes.
constexpr uint64_t dtypeBytes(DType t, uint64_t count) {
  return (count * dtypeBits(t) + 7) / 8;
}

/// Lower-case names used in assembly, configs and reports: i4 i8 i32 f16 bf16 f32.
std::string_view dtypeName(DType t);
std::optional<DType> parseDType(std::string_view name);
/// True if `raw` is the value of a DType enumerator.
constexpr bool isValidDType(uint8_t raw) { return raw < kNumDTypes; }

} // namespace strata
