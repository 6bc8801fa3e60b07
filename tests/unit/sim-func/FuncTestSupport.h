//===- FuncTestSupport.h - Helpers for the functional-simulator tests -*- C++ -*-===//
//
// A host-side SRAM image with element read/write written independently of
// the library's converters (only the scalar conversions of
// strata/support/Float16.h are shared, and Float16Test checks those against
// the host's F16C instructions), plus the reference rounding rules the tests
// compare against.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/sim/func/Execute.h"
#include "strata/support/Float16.h"
#include "strata/sim/func/HostIsa.h"
#include "strata/target/DType.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace strata {
/// gtest prints parameters through this: "f16" rather than raw bytes.
inline void PrintTo(DType t, std::ostream *os) { *os << dtypeName(t); }
} // namespace strata

namespace strata::sim::func::test {

/// Storage bits of one element as an unsigned value (for exact comparison).
inline uint32_t elemBits(const std::vector<uint8_t> &mem, uint64_t base, DType t,
                         uint64_t index) {
  switch (t) {
  case DType::I4: {
    uint8_t b = mem[base + index / 2];
    return (index % 2) ? (b >> 4) : (b & 0xF);
  }
  case DType::I8: return mem[base + index];
  case DType::F16:
  case DType::BF16: {
    uint16_t h;
    std::memcpy(&h, &mem[base + 2 * index], 2);
    return h;
  }
  default: {
    uint32_t u;
    std::memcpy(&u, &mem[base + 4 * index], 4);
    return u;
  }
  }
}

/// Value of one element, exact (doubles hold every i32 and float).
inline double readElem(const std::vector<uint8_t> &mem, uint64_t base, DType t, uint64_t index) {
  uint32_t bits = elemBits(mem, base, t, index);
  switch (t) {
  case DType::I4: return double(int((bits & 0xF) ^ 0x8) - 8);
  case DType::I8: return double(int8_t(uint8_t(bits)));
  case DType::I32: return double(int32_t(bits));
  case DType::F16: return f16ToF32(uint16_t(bits));
  case DType::BF16: return bf16ToF32(uint16_t(bits));
  case DType::F32: return bitsToFloat(bits);
  }
  return 0;
}

inline void writeBits(std::vector<uint8_t> &mem, uint64_t base, DType t, uint64_t index,
                      uint32_t bits) {
  switch (t) {
  case DType::I4: {
    uint8_t &b = mem[base + index / 2];
    b = (index % 2) ? uint8_t((b & 0x0F) | ((bits & 0xF) << 4)) : uint8_t((b & 0xF0) | (bits & 0xF));
    return;
  }
  case DType::I8: mem[base + index] = uint8_t(bits); return;
  case DType::F16:
  case DType::BF16: {
    uint16_t h = uint16_t(bits);
    std::memcpy(&mem[base + 2 * index], &h, 2);
    return;
  }
  default: std::memcpy(&mem[base + 4 * index], &bits, 4); return;
  }
}

/// Reference rounding of an FP32 value to an integer type: half to even,
/// saturating, NaN -> 0.
inline int64_t refRoundInt(float x, int64_t lo, int64_t hi) {
  if (std::isnan(x))
    return 0;
  double r = std::nearbyint(double(x));
  return r < double(lo) ? lo : (r > double(hi) ? hi : int64_t(r));
}

inline int64_t typeMin(DType t) {
  return t == DType::I4 ? -8 : t == DType::I8 ? -128 : INT32_MIN;
}
inline int64_t typeMax(DType t) { return t == DType::I4 ? 7 : t == DType::I8 ? 127 : INT32_MAX; }

/// Bits of FP32 value `x` rounded to type t, by the reference rules.
inline uint32_t refEncodeFloat(float x, DType t) {
  switch (t) {
  case DType::F32: return floatBits(x);
  case DType::F16: return f32ToF16(x);
  case DType::BF16: return f32ToBf16(x);
  default: return uint32_t(refRoundInt(x, typeMin(t), typeMax(t))) & (t == DType::I4 ? 0xF : t == DType::I8 ? 0xFF : 0xFFFFFFFF);
  }
}

/// Writes a value that is exactly representable in t.
inline void writeElem(std::vector<uint8_t> &mem, uint64_t base, DType t, uint64_t index,
                      double v) {
  if (isInteger(t))
    writeBits(mem, base, t, index,
              uint32_t(int64_t(v)) & (t == DType::I4 ? 0xF : t == DType::I8 ? 0xFF : 0xFFFFFFFF));
  else
    writeBits(mem, base, t, index, refEncodeFloat(float(v), t));
}

/// A random value exactly representable in t, spread over a useful range.
inline double randomValue(std::mt19937 &rng, DType t, double range = 2.0) {
  std::uniform_real_distribution<float> u(float(-range), float(range));
  switch (t) {
  case DType::I4: return std::uniform_int_distribution<int>(-8, 7)(rng);
  case DType::I8: return std::uniform_int_distribution<int>(-128, 127)(rng);
  case DType::I32: return std::uniform_int_distribution<int>(-100000, 100000)(rng);
  case DType::F16: return f16ToF32(f32ToF16(u(rng)));
  case DType::BF16: return bf16ToF32(f32ToBf16(u(rng)));
  case DType::F32: return u(rng);
  }
  return 0;
}

/// Compares stored bits; any two NaNs match.
inline ::testing::AssertionResult sameElem(DType t, uint32_t got, uint32_t want) {
  if (got == want)
    return ::testing::AssertionSuccess();
  auto isNan = [&](uint32_t b) {
    if (t == DType::F32) return std::isnan(bitsToFloat(b));
    if (t == DType::F16) return (b & 0x7C00) == 0x7C00 && (b & 0x3FF) != 0;
    if (t == DType::BF16) return (b & 0x7F80) == 0x7F80 && (b & 0x7F) != 0;
    return false;
  };
  if (isNan(got) && isNan(want))
    return ::testing::AssertionSuccess();
  char buf[128];
  std::snprintf(buf, sizeof buf, "got bits %#x, want %#x (%s)", got, want,
                std::string(dtypeName(t)).c_str());
  return ::testing::AssertionFailure() << buf;
}

/// Runs the body once per host path the machine supports.
template <typename F> void forEachHostIsa(F body) {
  HostIsa saved = hostIsa();
  for (HostIsa isa : {HostIsa::Portable, HostIsa::Avx2}) {
    if (!hostSupports(isa))
      continue;
    selectHostIsa(isa);
    SCOPED_TRACE(std::string("host path ") + std::string(hostIsaName(isa)));
    body();
  }
  selectHostIsa(saved);
}

/// Marks the nibbles of element `index` of a `t` array at byte `base` in a
/// per-nibble map of an SRAM image.
inline void markElement(std::vector<bool> &isOut, uint64_t base, DType t, uint64_t index) {
  uint64_t bits = dtypeBits(t);
  for (uint64_t q = 0; q < std::max<uint64_t>(bits / 4, 1); ++q)
    isOut[(base * 8 + index * bits) / 4 + q] = true;
}

/// After an instruction ran on `mem` (a copy of `before`): fails where a
/// nibble outside the outputs (`isOut`, per nibble) changed, and, with
/// `ranges`, where a changed byte lies outside every write range of the
/// footprint. Reports at most five failures in all, counting in `bad`.
inline void expectOnlyOutputsWritten(const std::vector<uint8_t> &before,
                                     const std::vector<uint8_t> &mem,
                                     const std::vector<bool> &isOut,
                                     const ByteRanges *ranges,
                                     const std::string &what, int &bad) {
  for (size_t nib = 0; nib < mem.size() * 2; ++nib) {
    if (isOut[nib])
      continue;
    uint8_t g = (mem[nib / 2] >> (4 * (nib % 2))) & 0xF,
            w = (before[nib / 2] >> (4 * (nib % 2))) & 0xF;
    if (g != w && ++bad <= 5)
      ADD_FAILURE() << what << ": byte " << nib / 2 << " outside the outputs changed";
  }
  if (!ranges)
    return;
  for (size_t byte = 0; byte < mem.size(); ++byte) {
    if (mem[byte] == before[byte])
      continue;
    bool covered = false;
    for (const ByteRange &r : *ranges)
      covered |= r.write && byte >= r.begin && byte < r.end;
    if (!covered && ++bad <= 5)
      ADD_FAILURE() << what << ": byte " << byte << " written outside the footprint";
  }
}

inline const DType kAllTypes[] = {DType::I4, DType::I8, DType::I32,
                                  DType::F16, DType::BF16, DType::F32};

} // namespace strata::sim::func::test
