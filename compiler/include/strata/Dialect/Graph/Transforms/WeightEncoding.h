//===- WeightEncoding.h - Converting weights between encodings --*- C++ -*-===//
//
// The arithmetic of weight quantization, kept apart from MLIR so it can be
// tested value by value: f32 -> f16/bf16 rounding, symmetric int8 per output
// channel, symmetric int4 per group, and the exact re-layout of GGUF q8_0 /
// q4_0 blocks into a payload plus a scale array.
//
// Conventions (docs/compiler.md, "Quantization arithmetic"):
// - A weight is row-major; a row is the last dimension, which for a 2D weight
//   in `nk` layout is one output channel.
// - scale = amax / qmax (qmax = 127 for int8, 7 for int4), amax the largest
//   |w| of the row (int8) or group (int4). The scale is rounded to its storage
//   type first, and the integers are computed from the rounded scale, so the
//   stored (scale, q) pairs are what the error is measured on.
// - q = clamp(round(w / scale), qmin, qmax) with round-half-away-from-zero,
//   qmin = -128 (int8) or -8 (int4). A row or group that is all zero has
//   scale 0 and q = 0.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/Compiler/WeightStore.h"

#include <cstdint>
#include <string>
#include <vector>

namespace strata::quant {

/// The encoding a weight is converted to.
struct TargetEncoding {
  WeightFormat format = WeightFormat::F32; ///< F32, F16, BF16, I8 or I4
  /// I8/I4: 0 = one scale per row (per output channel), otherwise one scale
  /// per `groupSize` consecutive elements of a row (the last group of a row
  /// may be shorter).
  int64_t groupSize = 0;
  DType scaleType = DType::F32; ///< I8/I4 scale storage: F32 or F16

  bool operator==(const TargetEncoding &o) const {
    return format == o.format && groupSize == o.groupSize && scaleType == o.scaleType;
  }
  bool operator!=(const TargetEncoding &o) const { return !(*this == o); }
};

/// "f32", "i8 per-channel f32 scales", "i4 groups of 32, f16 scales", ...
std::string describe(const TargetEncoding &encoding);

/// The encoding a stored entry has when read without conversion: F32, F16,
/// BF16, or I8/I4 with the entry's group size and scale type. GGUF q8_0 and
/// q4_0 blocks map to the I8/I4 encoding they re-lay out to exactly.
TargetEncoding encodingOf(const WeightEntry &entry);

/// The scale for a row or group whose largest magnitude is `amax`:
/// amax / qmax, rounded to `scaleType` (F32 or F16, round to nearest even).
float symmetricScale(float amax, int qmax, DType scaleType);

/// clamp(round(w / scale), qmin, qmax), ties away from zero; 0 when `scale`
/// is 0 (an all-zero row or group) or not finite.
int quantizeValue(float w, float scale, int qmin, int qmax);

/// Encodes row-major f32 `values` of `shape` in `target`. The entry owns its
/// payload and scales.
Expected<WeightEntry> encodeWeight(const std::vector<float> &values,
                                   const std::vector<int64_t> &shape, const TargetEncoding &target);

/// The entry's values as f32 (`name` is used in error messages).
Expected<std::vector<float>> decodeWeight(const WeightEntry &entry, const std::string &name);

/// Re-lays a q8_0 or q4_0 entry out as I8 / I4 with one f16 scale per group
/// of 32 (q4_0 values become q - 8), bit-exactly: the block scales are copied,
/// not recomputed. Rows must be whole blocks.
Expected<WeightEntry> relayoutGgufBlocks(const WeightEntry &entry, const std::string &name);

/// Converts `source` to `target`. When the source already holds that
/// precision (same float format, same integer encoding, or q8_0/q4_0 blocks
/// that re-lay out to it) nothing is rounded; otherwise the source is decoded
/// to f32 and encoded.
Expected<WeightEntry> convertWeight(const WeightEntry &source, const TargetEncoding &target,
                                    const std::string &name);

/// The transpose of a 2D entry, as f32 (decoding is exact, so nothing is
/// rounded).
Expected<WeightEntry> transposeWeight(const WeightEntry &entry, const std::string &name);

/// How far a converted weight is from its original.
struct QuantError {
  /// sqrt(sum (a - r)^2 / sum r^2); 0 when both are all zero.
  double relRms = 0;
  /// max |a - r|.
  double maxAbs = 0;
};

/// Error of `approx` against `reference` (same length).
QuantError measureError(const std::vector<float> &reference, const std::vector<float> &approx);

} // namespace strata::quant
