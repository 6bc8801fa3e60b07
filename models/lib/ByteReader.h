//===- ByteReader.h - Bounds-checked little-endian reads --------*- C++ -*-===//
//
// Parsers of untrusted model files read through this class only: every read
// is checked against the end of the buffer and a failure names the file, the
// field and the offset.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/support/Error.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "model file readers assume a little-endian host");

namespace strata::models {

class ByteReader {
public:
  ByteReader(const uint8_t *data, uint64_t size, std::string source, uint64_t offset = 0)
      : data_(data), size_(size), offset_(offset), source_(std::move(source)) {}

  uint64_t offset() const { return offset_; }
  uint64_t size() const { return size_; }
  uint64_t remaining() const { return offset_ <= size_ ? size_ - offset_ : 0; }
  const std::string &source() const { return source_; }

  /// "<file>: truncated: <what> at offset X needs N bytes, only R remain".
  Error truncated(std::string_view what, uint64_t need) const {
    return Error(source_ + ": truncated: " + std::string(what) + " at offset " +
                 std::to_string(offset_) + " needs " + std::to_string(need) +
                 " bytes, only " + std::to_string(remaining()) + " remain");
  }
  /// "<file>: at offset X: <message>".
  Error errorAt(uint64_t offset, std::string_view message) const {
    return Error(source_ + ": at offset " + std::to_string(offset) + ": " +
                 std::string(message));
  }

  template <typename T> Expected<T> read(std::string_view what) {
    static_assert(std::is_trivially_copyable_v<T>);
    if (remaining() < sizeof(T))
      return truncated(what, sizeof(T));
    T value;
    std::memcpy(&value, data_ + offset_, sizeof(T));
    offset_ += sizeof(T);
    return value;
  }

  Expected<std::string_view> readBytes(uint64_t n, std::string_view what) {
    if (remaining() < n)
      return truncated(what, n);
    std::string_view s(reinterpret_cast<const char *>(data_ + offset_), n);
    offset_ += n;
    return s;
  }

  Status skip(uint64_t n, std::string_view what) {
    if (remaining() < n)
      return truncated(what, n);
    offset_ += n;
    return Status::ok();
  }

private:
  const uint8_t *data_;
  uint64_t size_;
  uint64_t offset_;
  std::string source_;
};

} // namespace strata::models
