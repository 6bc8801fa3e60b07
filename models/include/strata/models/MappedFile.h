//===- MappedFile.h - Read-only memory-mapped file --------------*- C++ -*-===//
//
// Weights are used in place from the page cache: a 7B model is never copied
// into the heap just to be read. Tensor views keep a shared reference to the
// mapping so it outlives every loader object that handed them out.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/support/Error.h"

#include <cstdint>
#include <memory>
#include <string>

namespace strata::models {

class MappedFile {
public:
  /// Maps the whole file read-only. An empty file is valid and has size 0.
  static Expected<std::shared_ptr<const MappedFile>> open(const std::string &path);

  ~MappedFile();
  MappedFile(const MappedFile &) = delete;
  MappedFile &operator=(const MappedFile &) = delete;

  const uint8_t *data() const { return data_; }
  uint64_t size() const { return size_; }
  const std::string &path() const { return path_; }

private:
  MappedFile(std::string path, const uint8_t *data, uint64_t size)
      : path_(std::move(path)), data_(data), size_(size) {}

  std::string path_;
  const uint8_t *data_ = nullptr;
  uint64_t size_ = 0;
};

/// Reads a whole (small) text file such as config.json.
Expected<std::string> readTextFile(const std::string &path);

} // namespace strata::models
