//===- Tensor.h - A named weight tensor inside a model file -----*- C++ -*-===//
//
// Loaders hand out views, never copies: `data` points into the file mapping
// that the owning Model keeps alive. Shapes are canonical (see
// TensorNames.h), so consumers never care which file format a tensor came
// from; the one layout difference a format can impose without a copy
// (GPT-2's Conv1D [in, out] storage) is carried by `layout`.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::models {

/// Storage types of weight tensors. Q8_0 and Q4_0 are GGUF block formats of
/// 32 elements each (see Dequantize.h for their exact meaning).
enum class TensorType : uint8_t { F32, F16, BF16, Q8_0, Q4_0 };

/// "F32", "F16", "BF16", "Q8_0", "Q4_0".
std::string_view tensorTypeName(TensorType type);

/// Elements per block (1 for scalar types, 32 for Q8_0/Q4_0).
uint64_t tensorTypeBlockElements(TensorType type);
/// Bytes per block (4, 2, 2, 34, 18).
uint64_t tensorTypeBlockBytes(TensorType type);

/// Bytes that `numElements` elements take, or nullopt if the count is not a
/// whole number of blocks or the size overflows.
std::optional<uint64_t> tensorTypeBytes(TensorType type, uint64_t numElements);

/// How a tensor's bytes are laid out relative to its canonical shape.
enum class TensorLayout : uint8_t {
  /// Row-major in canonical shape order: a matrix [out, in] is out rows of in.
  RowMajor,
  /// A 2-D tensor whose canonical shape is [out, in] but whose bytes are
  /// stored row-major as [in, out] (GPT-2's Conv1D).
  Transposed,
};

struct Tensor {
  /// Canonical name, e.g. "blk.3.attn_q.weight".
  std::string name;
  /// Name in the source file ("model.layers.3.self_attn.q_proj.weight"), or
  /// a description for formats without names (llama2.c).
  std::string sourceName;
  TensorType type = TensorType::F32;
  /// Canonical shape, outermost dimension first; matrices are [out, in].
  std::vector<uint64_t> shape;
  TensorLayout layout = TensorLayout::RowMajor;
  /// First byte of the tensor inside the mapped file.
  const uint8_t *data = nullptr;
  /// Byte offset of `data` inside its file.
  uint64_t fileOffset = 0;
  uint64_t byteSize = 0;

  uint64_t numElements() const {
    uint64_t n = 1;
    for (uint64_t d : shape)
      n *= d; // validated against overflow when the tensor was loaded
    return n;
  }
  /// Canonical rows (shape[0]) and columns (product of the rest); a vector
  /// is one row.
  uint64_t rows() const { return shape.size() >= 2 ? shape[0] : 1; }
  uint64_t cols() const { return shape.empty() ? 1 : numElements() / rows(); }
};

/// "[512, 64]".
std::string shapeToString(const std::vector<uint64_t> &shape);

} // namespace strata::models
