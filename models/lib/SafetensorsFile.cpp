#include "strata/models/SafetensorsFile.h"

#include "strata/models/CheckedMath.h"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

namespace strata::models {

namespace {

// The format's own limit on the JSON header (it guards against absurd sizes).
constexpr uint64_t kMaxHeaderBytes = 100ull << 20;

std::optional<uint64_t> dtypeBytes(std::string_view d) {
  if (d == "F64" || d == "I64" || d == "U64") return 8;
  if (d == "F32" || d == "I32" || d == "U32") return 4;
  if (d == "F16" || d == "BF16" || d == "I16" || d == "U16") return 2;
  if (d == "I8" || d == "U8" || d == "BOOL" || d == "F8_E4M3" || d == "F8_E5M2") return 1;
  return std::nullopt;
}

bool isUInt(const nlohmann::json &j) {
  return j.is_number_unsigned() || (j.is_number_integer() && j.get<int64_t>() >= 0);
}

} // namespace

std::optional<TensorType> tensorTypeFromSafetensors(std::string_view dtype) {
  if (dtype == "F32") return TensorType::F32;
  if (dtype == "F16") return TensorType::F16;
  if (dtype == "BF16") return TensorType::BF16;
  return std::nullopt;
}

Expected<SafetensorsFile> SafetensorsFile::open(const std::string &path) {
  auto mapped = MappedFile::open(path);
  if (!mapped)
    return mapped.error();
  SafetensorsFile st;
  st.file_ = mapped.takeValue();
  const uint64_t size = st.file_->size();
  if (size < 8)
    return Error(path + ": truncated: the 8-byte header length needs 8 bytes, the file has " +
                 std::to_string(size));
  uint64_t n;
  std::memcpy(&n, st.file_->data(), 8);
  if (n > size - 8)
    return Error(path + ": header length " + std::to_string(n) +
                 " (at offset 0) overflows the file of " + std::to_string(size) + " bytes");
  if (n > kMaxHeaderBytes)
    return Error(path + ": header length " + std::to_string(n) + " exceeds the 100 MiB limit");
  st.dataOffset_ = 8 + n;
  const uint64_t dataSize = size - st.dataOffset_;

  nlohmann::json header;
  try {
    header = nlohmann::json::parse(st.file_->data() + 8, st.file_->data() + 8 + n);
  } catch (const nlohmann::json::exception &e) {
    return Error(path + ": bad JSON in the header (bytes 8.." + std::to_string(8 + n) +
                 "): " + e.what());
  }
  if (!header.is_object())
    return Error(path + ": the header is not a JSON object");

  for (auto it = header.begin(); it != header.end(); ++it) {
    const std::string &name = it.key();
    const nlohmann::json &e = it.value();
    if (name == "__metadata__") {
      if (!e.is_object())
        return Error(path + ": __metadata__ is not a JSON object");
      for (auto m = e.begin(); m != e.end(); ++m)
        if (m.value().is_string())
          st.metadata_[m.key()] = m.value().get<std::string>();
      continue;
    }
    auto fail = [&](const std::string &what) {
      return Error(path + ": tensor '" + name + "': " + what);
    };
    if (!e.is_object())
      return fail("header entry is not a JSON object");
    auto dt = e.find("dtype");
    auto sh = e.find("shape");
    auto off = e.find("data_offsets");
    if (dt == e.end() || !dt->is_string())
      return fail("missing or non-string \"dtype\"");
    if (sh == e.end() || !sh->is_array())
      return fail("missing or non-array \"shape\"");
    if (off == e.end() || !off->is_array() || off->size() != 2 || !isUInt((*off)[0]) ||
        !isUInt((*off)[1]))
      return fail("\"data_offsets\" must be two non-negative integers");

    SafetensorsEntry entry;
    entry.name = name;
    entry.dtype = dt->get<std::string>();
    for (const auto &d : *sh) {
      if (!isUInt(d))
        return fail("shape " + sh->dump() + " has a non-integer or negative dimension");
      entry.shape.push_back(d.get<uint64_t>());
    }
    const uint64_t begin = (*off)[0].get<uint64_t>(), end = (*off)[1].get<uint64_t>();
    if (begin > end)
      return fail("data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
                  "] are reversed");
    if (end > dataSize)
      return fail("data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
                  "] are out of bounds: the data section (from offset " +
                  std::to_string(st.dataOffset_) + ") has " + std::to_string(dataSize) +
                  " bytes");
    auto elemBytes = dtypeBytes(entry.dtype);
    if (!elemBytes)
      return fail("unknown dtype \"" + entry.dtype + "\"");
    auto numel = checkedProduct(entry.shape);
    auto bytes = numel ? checkedMul(*numel, *elemBytes) : std::nullopt;
    if (!bytes)
      return fail("shape " + shapeToString(entry.shape) + " overflows");
    if (*bytes != end - begin)
      return fail("shape " + shapeToString(entry.shape) + " of " + entry.dtype + " needs " +
                  std::to_string(*bytes) + " bytes but data_offsets [" + std::to_string(begin) +
                  ", " + std::to_string(end) + "] span " + std::to_string(end - begin));
    entry.fileOffset = st.dataOffset_ + begin;
    entry.byteSize = end - begin;
    entry.data = st.file_->data() + entry.fileOffset;
    st.index_.emplace(entry.name, st.entries_.size());
    st.entries_.push_back(std::move(entry));
  }
  std::vector<const SafetensorsEntry *> byOffset;
  for (const SafetensorsEntry &e : st.entries_)
    if (e.byteSize)
      byOffset.push_back(&e);
  std::sort(byOffset.begin(), byOffset.end(), [](auto *a, auto *b) {
    return a->fileOffset < b->fileOffset;
  });
  for (size_t k = 1; k < byOffset.size(); ++k) {
    const SafetensorsEntry &prev = *byOffset[k - 1], &cur = *byOffset[k];
    if (prev.fileOffset + prev.byteSize > cur.fileOffset)
      return Error(path + ": tensor '" + prev.name + "' (bytes " +
                   std::to_string(prev.fileOffset - st.dataOffset_) + ".." +
                   std::to_string(prev.fileOffset - st.dataOffset_ + prev.byteSize) +
                   " of the data section) overlaps tensor '" + cur.name + "'");
  }
  return st;
}

const SafetensorsEntry *SafetensorsFile::find(std::string_view name) const {
  auto it = index_.find(std::string(name));
  return it == index_.end() ? nullptr : &entries_[it->second];
}

} // namespace strata::models
