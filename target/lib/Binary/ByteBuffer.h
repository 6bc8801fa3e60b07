//===- ByteBuffer.h - Little-endian serialisation helpers -------*- C++ -*-===//
//
// The container is little-endian whatever the host; fields are written and
// read one by one instead of memcpy'ing structs, so padding and host byte
// order never leak into files.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace strata::bin::format {

/// Appends little-endian fields to a growing byte vector.
class ByteBuffer {
public:
  void u8(uint8_t v) { bytes_.push_back(v); }
  void u16(uint16_t v) { put(v, 2); }
  void u32(uint32_t v) { put(v, 4); }
  void u64(uint64_t v) { put(v, 8); }
  void i64(int64_t v) { put(static_cast<uint64_t>(v), 8); }
  void zeros(size_t n) { bytes_.insert(bytes_.end(), n, 0); }
  void append(std::string_view s) { bytes_.insert(bytes_.end(), s.begin(), s.end()); }

  size_t size() const { return bytes_.size(); }
  std::vector<uint8_t> &bytes() { return bytes_; }

private:
  void put(uint64_t v, unsigned n) {
    for (unsigned i = 0; i < n; ++i)
      bytes_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  std::vector<uint8_t> bytes_;
};

/// An ELF string table: offset 0 is the empty string, equal strings share
/// one copy.
class StringTableBuilder {
public:
  StringTableBuilder() { buf_.u8(0); }

  uint32_t add(const std::string &s) {
    if (s.empty())
      return 0;
    auto it = offsets_.find(s);
    if (it != offsets_.end())
      return it->second;
    auto offset = static_cast<uint32_t>(buf_.size());
    buf_.append(s);
    buf_.u8(0);
    offsets_.emplace(s, offset);
    return offset;
  }
  size_t size() const { return buf_.size(); }
  std::vector<uint8_t> &bytes() { return buf_.bytes(); }

private:
  ByteBuffer buf_;
  std::unordered_map<std::string, uint32_t> offsets_;
};

/// Little-endian loads; callers check bounds first.
inline uint16_t loadU16(const uint8_t *p) {
  return static_cast<uint16_t>(p[0] | (p[1] << 8));
}
inline uint32_t loadU32(const uint8_t *p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}
inline uint64_t loadU64(const uint8_t *p) {
  return static_cast<uint64_t>(loadU32(p)) |
         static_cast<uint64_t>(loadU32(p + 4)) << 32;
}

} // namespace strata::bin::format
