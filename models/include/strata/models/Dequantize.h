//===- Dequantize.h - Stored tensor types to float32 ------------*- C++ -*-===//
//
// Exact conversions:
//   F16   IEEE binary16 (subnormals, infinities and NaN included)
//   BF16  the upper 16 bits of a binary32
//   Q8_0  blocks of 32: fp16 scale d, then 32 x int8 q; value = q * d
//   Q4_0  blocks of 32: fp16 scale d, then 16 bytes; byte j holds element j
//         in its low nibble and element j + 16 in its high nibble;
//         value = (nibble - 8) * d
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/models/Tensor.h"
#include "strata/support/Float16.h"

#include <cstdint>
#include <vector>

namespace strata::models {

/// The exact scalar conversions every part of Strata shares.
using strata::bf16ToF32;
using strata::f16ToF32;

/// Converts `count` elements stored as `type` at `src` into `dst`. `count`
/// must be a multiple of the type's block size (32 for Q8_0/Q4_0).
void dequantize(TensorType type, const uint8_t *src, float *dst, uint64_t count);

/// The whole tensor as float32 in canonical row-major order: a Transposed
/// tensor comes back as [out][in].
std::vector<float> toFloat32(const Tensor &tensor);

} // namespace strata::models
