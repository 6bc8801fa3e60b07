//===- WeightStore.h - Where weight data lives during compilation -*- C++ -*-===//
//
// The graph dialect names weights by symbol; their bytes live here, outside
// the IR. A model loader registers tensors that point into its memory-mapped
// file (no copy); tests register seeded random tensors; a timing-only compile
// registers nothing. The quantization pass replaces an entry's payload with
// integers plus scales, and emission copies payloads into the binary.
//
// Plain C++ (no MLIR), so loaders and tools can fill a store directly.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/support/Error.h"
#include "strata/target/DType.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

namespace strata {

/// How a weight's bytes are encoded.
enum class WeightFormat : uint8_t {
  F32,
  F16,
  BF16,
  Q8_0, ///< 32-element blocks: f16 scale + 32 x i8 (as in GGUF)
  Q4_0, ///< 32-element blocks: f16 scale + 16 bytes of offset-8 nibbles
  I8,   ///< plain int8 payload; scales in WeightEntry::scales
  I4,   ///< packed int4 (low nibble first); scales in WeightEntry::scales
};

std::string_view weightFormatName(WeightFormat format);
std::optional<WeightFormat> parseWeightFormat(std::string_view name);
/// Bytes used by `elements` values of `format` (blocks rounded up).
uint64_t weightFormatBytes(WeightFormat format, uint64_t elements);

/// One weight tensor. Shapes are row-major; for a 2D weight the last
/// dimension is the contiguous one.
struct WeightEntry {
  std::vector<int64_t> shape;
  WeightFormat format = WeightFormat::F32;
  const uint8_t *data = nullptr;
  uint64_t bytes = 0;
  /// For I8/I4: per output row (groupSize == 0) or per group of groupSize
  /// consecutive elements of a row, in scaleType (F32 or F16).
  const uint8_t *scales = nullptr;
  uint64_t scaleBytes = 0;
  DType scaleType = DType::F32;
  int64_t groupSize = 0;
  /// Keeps `data` and `scales` alive (a file mapping or an owned buffer).
  std::shared_ptr<const void> backing;

  uint64_t elementCount() const;
};

class WeightStore {
public:
  /// Adds or replaces an entry.
  void put(const std::string &name, WeightEntry entry);
  const WeightEntry *find(const std::string &name) const;
  bool contains(const std::string &name) const { return find(name) != nullptr; }
  size_t size() const { return entries_.size(); }
  const std::map<std::string, WeightEntry> &entries() const { return entries_; }

  /// Registers `shape` with values drawn uniformly from [-scale, scale] by a
  /// generator seeded with `seed` (deterministic across platforms).
  void putRandom(const std::string &name, std::vector<int64_t> shape, uint64_t seed,
                 double scale);
  /// Registers a tensor stored at `offset` of `path`, mapping the file once
  /// for all tensors that share it. Checks that the bytes fit in the file.
  Status putFromFile(const std::string &name, std::vector<int64_t> shape,
                     WeightFormat format, const std::string &path, uint64_t offset);

  /// The entry's values as f32 (dequantizing when needed).
  Expected<std::vector<float>> readF32(const std::string &name) const;

private:
  std::map<std::string, WeightEntry> entries_;
  std::map<std::string, std::shared_ptr<const void>> mappedFiles_;
  std::map<std::string, uint64_t> mappedSizes_;
};

} // namespace strata
