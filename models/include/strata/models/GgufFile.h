//===- GgufFile.h - GGUF v2/v3 container reader -----------------*- C++ -*-===//
//
// Parses the GGUF header, every metadata value (all scalar types, strings,
// arrays including nested arrays) and the tensor infos, and validates each
// tensor's placement against the file. Tensor bytes stay in the mapping.
// Model-level interpretation (architecture keys, canonical config) is in
// GgufLoader.h.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/models/MappedFile.h"
#include "strata/models/Tensor.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace strata::models {

/// GGUF metadata value types (numbering of the GGUF specification).
enum class GgufType : uint32_t {
  UInt8 = 0,
  Int8 = 1,
  UInt16 = 2,
  Int16 = 3,
  UInt32 = 4,
  Int32 = 5,
  Float32 = 6,
  Bool = 7,
  String = 8,
  Array = 9,
  UInt64 = 10,
  Int64 = 11,
  Float64 = 12,
};
std::string_view ggufTypeName(GgufType type);

/// One metadata value. Integers keep their exact value in `u` (unsigned
/// types) or `i` (signed types); floats widen to double.
struct GgufValue {
  GgufType type = GgufType::UInt8;
  uint64_t u = 0;
  int64_t i = 0;
  double f = 0.0;
  bool b = false;
  std::string s;
  GgufType elementType = GgufType::UInt8; ///< for arrays
  std::vector<GgufValue> array;

  bool isInteger() const;
  bool isFloat() const { return type == GgufType::Float32 || type == GgufType::Float64; }
  /// The value as an unsigned integer if it is a non-negative integer.
  std::optional<uint64_t> asUInt() const;
  /// The value as a signed integer if it is an integer that fits.
  std::optional<int64_t> asInt() const;
  /// The value as a double if it is a float or an integer.
  std::optional<double> asDouble() const;
};

/// ggml tensor types that GGUF files use; only some are supported.
std::string ggmlTypeName(uint32_t ggmlType);
/// The Strata tensor type of a ggml type id, if supported.
std::optional<TensorType> tensorTypeFromGgml(uint32_t ggmlType);

struct GgufTensorInfo {
  std::string name;
  /// ggml dimensions, ne[0] (the contiguous row length) first.
  std::vector<uint64_t> ne;
  uint32_t ggmlType = 0;
  /// Offset relative to the start of the tensor data section.
  uint64_t relativeOffset = 0;
  /// Absolute file offset of the first byte.
  uint64_t fileOffset = 0;
  /// Size in bytes; only known (non-zero) for supported types.
  uint64_t byteSize = 0;
};

class GgufFile {
public:
  static Expected<GgufFile> open(const std::string &path);

  const std::string &path() const { return file_->path(); }
  uint32_t version() const { return version_; }
  uint64_t alignment() const { return alignment_; }
  uint64_t dataOffset() const { return dataOffset_; }
  const std::shared_ptr<const MappedFile> &mapping() const { return file_; }

  /// Metadata in file order.
  const std::vector<std::pair<std::string, GgufValue>> &metadata() const { return metadata_; }
  const GgufValue *find(std::string_view key) const;
  const std::vector<GgufTensorInfo> &tensorInfos() const { return tensors_; }
  const GgufTensorInfo *findTensor(std::string_view name) const;

  /// Typed metadata accessors; errors name the file and key.
  Expected<std::string> getString(std::string_view key) const;
  Expected<uint64_t> getUInt(std::string_view key) const;
  Expected<double> getDouble(std::string_view key) const;
  /// nullopt if absent; an error if present with the wrong type.
  Expected<std::optional<uint64_t>> getOptionalUInt(std::string_view key) const;
  Expected<std::optional<double>> getOptionalDouble(std::string_view key) const;

  /// The tensor as a (supported-type) view with its canonical shape (ne
  /// reversed). Errors for an unsupported type name the tensor and type.
  Expected<Tensor> tensorView(const GgufTensorInfo &info) const;

private:
  std::shared_ptr<const MappedFile> file_;
  uint32_t version_ = 0;
  uint64_t alignment_ = 32;
  uint64_t dataOffset_ = 0;
  std::vector<std::pair<std::string, GgufValue>> metadata_;
  std::unordered_map<std::string, size_t> metadataIndex_;
  std::vector<GgufTensorInfo> tensors_;
  std::unordered_map<std::string, size_t> tensorIndex_;
};

} // namespace strata::models
