//===- SafetensorsFile.h - safetensors container reader ---------*- C++ -*-===//
//
// Layout: u64 little-endian header length N, N bytes of JSON mapping each
// tensor name to {dtype, shape, data_offsets: [begin, end]} (offsets relative
// to the byte after the header), optional "__metadata__", then the data.
// Every entry is validated against the file before any pointer is handed out.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/models/MappedFile.h"
#include "strata/models/Tensor.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace strata::models {

struct SafetensorsEntry {
  std::string name;
  std::string dtype; ///< "F32", "F16", "BF16", "I8", ...
  std::vector<uint64_t> shape;
  uint64_t fileOffset = 0; ///< absolute
  uint64_t byteSize = 0;
  const uint8_t *data = nullptr;
};

/// The Strata tensor type of a safetensors dtype, if supported (F32/F16/BF16).
std::optional<TensorType> tensorTypeFromSafetensors(std::string_view dtype);

class SafetensorsFile {
public:
  static Expected<SafetensorsFile> open(const std::string &path);

  const std::string &path() const { return file_->path(); }
  const std::shared_ptr<const MappedFile> &mapping() const { return file_; }
  uint64_t dataOffset() const { return dataOffset_; }
  /// Entries, sorted by name.
  const std::vector<SafetensorsEntry> &entries() const { return entries_; }
  const SafetensorsEntry *find(std::string_view name) const;
  const std::map<std::string, std::string> &metadata() const { return metadata_; }

private:
  std::shared_ptr<const MappedFile> file_;
  uint64_t dataOffset_ = 0;
  std::vector<SafetensorsEntry> entries_;
  std::unordered_map<std::string, size_t> index_;
  std::map<std::string, std::string> metadata_;
};

} // namespace strata::models
