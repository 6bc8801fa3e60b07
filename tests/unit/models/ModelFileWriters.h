//===- ModelFileWriters.h - Build GGUF / safetensors bytes in tests -*- C++ -*-===//
//
// Small writers so tests can exercise what the shared reference files do not
// contain (every GGUF value type, nested arrays, version 2, BF16, shards)
// and produce precisely corrupted variants of the real files.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace strata::models::testing {

template <typename T> void put(std::string &out, T value) {
  char buf[sizeof(T)];
  std::memcpy(buf, &value, sizeof(T));
  out.append(buf, sizeof(T));
}

template <typename T> void patch(std::string &bytes, size_t offset, T value) {
  std::memcpy(&bytes[offset], &value, sizeof(T));
}

template <typename T> T peek(const std::string &bytes, size_t offset) {
  T value;
  std::memcpy(&value, &bytes[offset], sizeof(T));
  return value;
}

/// Encoded GGUF values (type tag not included; see GgufBuilder::kv).
namespace gguf {
enum Type : uint32_t {
  U8 = 0, I8 = 1, U16 = 2, I16 = 3, U32 = 4, I32 = 5, F32 = 6, BOOL = 7, STR = 8, ARR = 9,
  U64 = 10, I64 = 11, F64 = 12
};
inline std::string str(const std::string &s) {
  std::string out;
  put<uint64_t>(out, s.size());
  out += s;
  return out;
}
template <typename T> std::string scalar(T v) {
  std::string out;
  put<T>(out, v);
  return out;
}
/// An array of `count` elements whose encodings are concatenated in `elems`.
inline std::string array(Type elemType, uint64_t count, const std::string &elems) {
  std::string out;
  put<uint32_t>(out, elemType);
  put<uint64_t>(out, count);
  return out + elems;
}
} // namespace gguf

class GgufBuilder {
public:
  uint32_t version = 3;
  uint64_t alignment = 32; // must match general.alignment if that key is set

  void kv(const std::string &key, gguf::Type type, const std::string &encoded) {
    kvs_ += gguf::str(key);
    put<uint32_t>(kvs_, type);
    kvs_ += encoded;
    ++kvCount_;
  }
  /// A tensor with ggml dims `ne` (row length first) and raw bytes.
  void tensor(const std::string &name, std::vector<uint64_t> ne, uint32_t ggmlType,
              std::string bytes) {
    tensors_.push_back({name, std::move(ne), ggmlType, std::move(bytes)});
  }

  std::string build() const {
    std::string out = "GGUF";
    put<uint32_t>(out, version);
    put<uint64_t>(out, tensors_.size());
    put<uint64_t>(out, kvCount_);
    out += kvs_;
    uint64_t offset = 0;
    std::vector<uint64_t> offsets;
    for (const auto &t : tensors_) {
      out += gguf::str(t.name);
      put<uint32_t>(out, static_cast<uint32_t>(t.ne.size()));
      for (uint64_t d : t.ne)
        put<uint64_t>(out, d);
      put<uint32_t>(out, t.type);
      put<uint64_t>(out, offset);
      offsets.push_back(offset);
      offset += (t.bytes.size() + alignment - 1) / alignment * alignment;
    }
    out.resize((out.size() + alignment - 1) / alignment * alignment, '\0');
    for (const auto &t : tensors_) {
      out += t.bytes;
      out.resize((out.size() + alignment - 1) / alignment * alignment, '\0');
    }
    return out;
  }

private:
  struct T {
    std::string name;
    std::vector<uint64_t> ne;
    uint32_t type;
    std::string bytes;
  };
  std::string kvs_;
  uint64_t kvCount_ = 0;
  std::vector<T> tensors_;
};

/// Serialises a safetensors file from a JSON header (data_offsets already
/// filled in) and the data section, padding the header with spaces to 8.
inline std::string buildSafetensors(const nlohmann::json &header, const std::string &data) {
  std::string h = header.dump();
  h.resize((h.size() + 7) / 8 * 8, ' ');
  std::string out;
  put<uint64_t>(out, h.size());
  return out + h + data;
}

/// Splits a safetensors file into its JSON header and data section.
inline std::pair<nlohmann::json, std::string> splitSafetensors(const std::string &bytes) {
  uint64_t n = peek<uint64_t>(bytes, 0);
  return {nlohmann::json::parse(bytes.substr(8, n)), bytes.substr(8 + n)};
}

} // namespace strata::models::testing
