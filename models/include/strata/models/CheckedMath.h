//===- CheckedMath.h - Overflow-checked size arithmetic ---------*- C++ -*-===//
//
// Every size, offset and element count read from a model file is untrusted:
// products of shape dimensions or offset + length can wrap around and turn a
// malformed file into an out-of-bounds read. Loaders do such arithmetic only
// through these helpers.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <vector>

namespace strata::models {

inline std::optional<uint64_t> checkedAdd(uint64_t a, uint64_t b) {
  uint64_t r;
  if (__builtin_add_overflow(a, b, &r))
    return std::nullopt;
  return r;
}

inline std::optional<uint64_t> checkedMul(uint64_t a, uint64_t b) {
  uint64_t r;
  if (__builtin_mul_overflow(a, b, &r))
    return std::nullopt;
  return r;
}

/// Product of all dimensions (1 for a scalar), or nullopt on overflow.
inline std::optional<uint64_t> checkedProduct(const std::vector<uint64_t> &dims) {
  uint64_t r = 1;
  for (uint64_t d : dims) {
    auto p = checkedMul(r, d);
    if (!p)
      return std::nullopt;
    r = *p;
  }
  return r;
}

/// True if [offset, offset + length) lies inside [0, size).
inline bool rangeInside(uint64_t offset, uint64_t length, uint64_t size) {
  auto end = checkedAdd(offset, length);
  return end && *end <= size;
}

} // namespace strata::models
