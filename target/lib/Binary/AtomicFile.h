//===- AtomicFile.h - Write a file through a renamed temporary --*- C++ -*-===//
//
// Bytes go to a temporary file next to the destination; commit() flushes,
// syncs and renames it over the destination. Until then (and if anything
// fails) the destination is untouched, and the destructor removes the
// temporary. A reader that has the old file mapped keeps its inode.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/support/Error.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace strata::bin {

class AtomicFile {
public:
  /// Creates the temporary file; check status() before writing.
  explicit AtomicFile(std::string path);
  ~AtomicFile();
  AtomicFile(const AtomicFile &) = delete;
  AtomicFile &operator=(const AtomicFile &) = delete;

  /// The first error, or ok. Writes after an error are ignored.
  const Status &status() const { return status_; }
  /// Bytes written so far (the offset of the next byte).
  uint64_t offset() const { return offset_; }

  void write(const void *data, size_t size);
  /// Writes zero bytes up to `offset` (>= offset()).
  void padTo(uint64_t offset);
  /// Flushes, syncs and renames the temporary over the destination.
  Status commit();

private:
  void flush();
  void setError(const std::string &what, int err);

  std::string path_, tempPath_;
  int fd_ = -1;
  Status status_;
  uint64_t offset_ = 0;
  std::vector<uint8_t> buffer_;
  bool committed_ = false;
};

} // namespace strata::bin
