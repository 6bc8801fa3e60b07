#include "strata/models/GgufFile.h"

#include "ByteReader.h"
#include "strata/models/CheckedMath.h"

#include <algorithm>
#include <cmath>

namespace strata::models {

namespace {

constexpr uint32_t kMaxArrayDepth = 8;  // real files nest at most once or twice
constexpr uint32_t kMaxDims = 4;        // GGML_MAX_DIMS
constexpr uint64_t kDefaultAlignment = 32;

// Smallest encoding of a value of this type, used to reject counts that could
// not possibly fit in the rest of the file before allocating for them.
uint64_t minEncodedSize(GgufType t) {
  switch (t) {
  case GgufType::UInt8:
  case GgufType::Int8:
  case GgufType::Bool: return 1;
  case GgufType::UInt16:
  case GgufType::Int16: return 2;
  case GgufType::UInt32:
  case GgufType::Int32:
  case GgufType::Float32: return 4;
  case GgufType::UInt64:
  case GgufType::Int64:
  case GgufType::Float64:
  case GgufType::String: return 8;
  case GgufType::Array: return 12;
  }
  return 1;
}

bool isKnownType(uint32_t raw) { return raw <= static_cast<uint32_t>(GgufType::Float64); }

class Parser {
public:
  explicit Parser(ByteReader &r) : r_(r) {}

  Expected<std::string> readString(std::string_view what) {
    uint64_t at = r_.offset();
    auto len = r_.read<uint64_t>(std::string(what) + " length");
    if (!len)
      return len.error();
    if (*len > r_.remaining())
      return r_.errorAt(at, "string length " + std::to_string(*len) + " of " + std::string(what) +
                                " runs past the end of the file (" +
                                std::to_string(r_.remaining()) + " bytes remain)");
    auto bytes = r_.readBytes(*len, what);
    if (!bytes)
      return bytes.error();
    return std::string(*bytes);
  }

  Expected<GgufValue> readValue(GgufType type, const std::string &what, uint32_t depth) {
    GgufValue v;
    v.type = type;
    auto num = [&](auto tag) -> Status {
      using T = decltype(tag);
      auto x = r_.read<T>(what);
      if (!x)
        return x.error();
      if constexpr (std::is_floating_point_v<T>)
        v.f = *x;
      else if constexpr (std::is_signed_v<T>)
        v.i = *x;
      else
        v.u = *x;
      return Status::ok();
    };
    Status s;
    switch (type) {
    case GgufType::UInt8: s = num(uint8_t{}); break;
    case GgufType::Int8: s = num(int8_t{}); break;
    case GgufType::UInt16: s = num(uint16_t{}); break;
    case GgufType::Int16: s = num(int16_t{}); break;
    case GgufType::UInt32: s = num(uint32_t{}); break;
    case GgufType::Int32: s = num(int32_t{}); break;
    case GgufType::UInt64: s = num(uint64_t{}); break;
    case GgufType::Int64: s = num(int64_t{}); break;
    case GgufType::Float32: s = num(float{}); break;
    case GgufType::Float64: s = num(double{}); break;
    case GgufType::Bool: {
      uint64_t at = r_.offset();
      auto x = r_.read<uint8_t>(what);
      if (!x)
        return x.error();
      if (*x > 1)
        return r_.errorAt(at, "bool value " + std::to_string(*x) + " of " + what +
                                  " is neither 0 nor 1");
      v.b = *x == 1;
      v.u = *x;
      break;
    }
    case GgufType::String: {
      auto str = readString(what);
      if (!str)
        return str.error();
      v.s = str.takeValue();
      break;
    }
    case GgufType::Array: {
      if (depth >= kMaxArrayDepth)
        return r_.errorAt(r_.offset(), what + " nests arrays more than " +
                                           std::to_string(kMaxArrayDepth) + " deep");
      uint64_t at = r_.offset();
      auto rawType = r_.read<uint32_t>(what + " element type");
      if (!rawType)
        return rawType.error();
      if (!isKnownType(*rawType))
        return r_.errorAt(at, "unknown metadata value type " + std::to_string(*rawType) +
                                  " for the elements of " + what);
      v.elementType = static_cast<GgufType>(*rawType);
      uint64_t countAt = r_.offset();
      auto count = r_.read<uint64_t>(what + " element count");
      if (!count)
        return count.error();
      auto need = checkedMul(*count, minEncodedSize(v.elementType));
      if (!need || *need > r_.remaining())
        return r_.errorAt(countAt, "array length " + std::to_string(*count) + " of " + what +
                                       " runs past the end of the file (" +
                                       std::to_string(r_.remaining()) + " bytes remain)");
      v.array.reserve(*count);
      for (uint64_t k = 0; k < *count; ++k) {
        auto elem = readValue(v.elementType, what + "[" + std::to_string(k) + "]", depth + 1);
        if (!elem)
          return elem.error();
        v.array.push_back(elem.takeValue());
      }
      break;
    }
    }
    if (!s)
      return s.error();
    return v;
  }

private:
  ByteReader &r_;
};

} // namespace

std::string_view ggufTypeName(GgufType type) {
  switch (type) {
  case GgufType::UInt8: return "uint8";
  case GgufType::Int8: return "int8";
  case GgufType::UInt16: return "uint16";
  case GgufType::Int16: return "int16";
  case GgufType::UInt32: return "uint32";
  case GgufType::Int32: return "int32";
  case GgufType::Float32: return "float32";
  case GgufType::Bool: return "bool";
  case GgufType::String: return "string";
  case GgufType::Array: return "array";
  case GgufType::UInt64: return "uint64";
  case GgufType::Int64: return "int64";
  case GgufType::Float64: return "float64";
  }
  return "?";
}

bool GgufValue::isInteger() const {
  switch (type) {
  case GgufType::UInt8:
  case GgufType::Int8:
  case GgufType::UInt16:
  case GgufType::Int16:
  case GgufType::UInt32:
  case GgufType::Int32:
  case GgufType::UInt64:
  case GgufType::Int64: return true;
  default: return false;
  }
}

static bool isSignedType(GgufType t) {
  return t == GgufType::Int8 || t == GgufType::Int16 || t == GgufType::Int32 ||
         t == GgufType::Int64;
}

std::optional<uint64_t> GgufValue::asUInt() const {
  if (!isInteger())
    return std::nullopt;
  if (isSignedType(type))
    return i < 0 ? std::nullopt : std::optional<uint64_t>(static_cast<uint64_t>(i));
  return u;
}

std::optional<int64_t> GgufValue::asInt() const {
  if (!isInteger())
    return std::nullopt;
  if (isSignedType(type))
    return i;
  return u > static_cast<uint64_t>(INT64_MAX) ? std::nullopt
                                              : std::optional<int64_t>(static_cast<int64_t>(u));
}

std::optional<double> GgufValue::asDouble() const {
  if (isFloat())
    return f;
  if (isSignedType(type))
    return static_cast<double>(i);
  if (isInteger())
    return static_cast<double>(u);
  return std::nullopt;
}

std::string ggmlTypeName(uint32_t t) {
  static const char *const kNames[] = {
      "F32",     "F16",    "Q4_0",    "Q4_1",   "Q4_2",   "Q4_3",    "Q5_0",  "Q5_1",
      "Q8_0",    "Q8_1",   "Q2_K",    "Q3_K",   "Q4_K",   "Q5_K",    "Q6_K",  "Q8_K",
      "IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S",  "IQ4_NL", "IQ3_S",   "IQ2_S", "IQ4_XS",
      "I8",      "I16",    "I32",     "I64",    "F64",    "IQ1_M",   "BF16",  "Q4_0_4_4",
      "Q4_0_4_8", "Q4_0_8_8", "TQ1_0", "TQ2_0"};
  if (t < sizeof(kNames) / sizeof(kNames[0]))
    return std::string(kNames[t]) + " (ggml type " + std::to_string(t) + ")";
  return "ggml type " + std::to_string(t);
}

std::optional<TensorType> tensorTypeFromGgml(uint32_t t) {
  switch (t) {
  case 0: return TensorType::F32;
  case 1: return TensorType::F16;
  case 2: return TensorType::Q4_0;
  case 8: return TensorType::Q8_0;
  case 30: return TensorType::BF16;
  default: return std::nullopt;
  }
}

Expected<GgufFile> GgufFile::open(const std::string &path) {
  auto mapped = MappedFile::open(path);
  if (!mapped)
    return mapped.error();
  GgufFile g;
  g.file_ = mapped.takeValue();
  ByteReader r(g.file_->data(), g.file_->size(), path);
  Parser p(r);

  auto magic = r.readBytes(4, "GGUF magic");
  if (!magic)
    return magic.error();
  if (*magic != "GGUF") {
    std::string shown;
    for (unsigned char c : *magic)
      shown += (c >= 32 && c < 127) ? std::string(1, static_cast<char>(c)) : "?";
    return Error(path + ": bad magic \"" + shown + "\" at offset 0: not a GGUF file "
                        "(expected \"GGUF\")");
  }
  auto version = r.read<uint32_t>("GGUF version");
  if (!version)
    return version.error();
  if (*version != 2 && *version != 3)
    return Error(path + ": unsupported GGUF version " + std::to_string(*version) +
                 " at offset 4 (supported: 2 and 3)");
  g.version_ = *version;

  uint64_t countsAt = r.offset();
  auto tensorCount = r.read<uint64_t>("tensor count");
  if (!tensorCount)
    return tensorCount.error();
  auto kvCount = r.read<uint64_t>("metadata count");
  if (!kvCount)
    return kvCount.error();
  // Each metadata entry takes at least 8 (key length) + 4 (type) + 1 bytes,
  // each tensor info at least 8 + 4 + 4 + 8.
  if (*kvCount > r.remaining() / 13)
    return r.errorAt(countsAt + 8, "metadata count " + std::to_string(*kvCount) +
                                       " cannot fit in the file");
  if (*tensorCount > r.remaining() / 24)
    return r.errorAt(countsAt, "tensor count " + std::to_string(*tensorCount) +
                                   " cannot fit in the file");

  g.metadata_.reserve(*kvCount);
  for (uint64_t k = 0; k < *kvCount; ++k) {
    uint64_t keyAt = r.offset();
    auto key = p.readString("metadata key " + std::to_string(k));
    if (!key)
      return key.error();
    uint64_t typeAt = r.offset();
    auto rawType = r.read<uint32_t>("type of metadata '" + *key + "'");
    if (!rawType)
      return rawType.error();
    if (!isKnownType(*rawType))
      return r.errorAt(typeAt, "unknown metadata value type " + std::to_string(*rawType) +
                                   " for key '" + *key + "'");
    auto value = p.readValue(static_cast<GgufType>(*rawType), "metadata '" + *key + "'", 0);
    if (!value)
      return value.error();
    if (g.metadataIndex_.count(*key))
      return r.errorAt(keyAt, "duplicate metadata key '" + *key + "'");
    g.metadataIndex_.emplace(*key, g.metadata_.size());
    g.metadata_.emplace_back(key.takeValue(), value.takeValue());
  }

  if (const GgufValue *a = g.find("general.alignment")) {
    if (a->type != GgufType::UInt32)
      return Error(path + ": general.alignment has type " +
                   std::string(ggufTypeName(a->type)) + ", expected uint32");
    if (a->u == 0 || (a->u & (a->u - 1)) != 0)
      return Error(path + ": general.alignment " + std::to_string(a->u) +
                   " is not a power of two");
    g.alignment_ = a->u;
  } else {
    g.alignment_ = kDefaultAlignment;
  }

  g.tensors_.reserve(*tensorCount);
  for (uint64_t k = 0; k < *tensorCount; ++k) {
    GgufTensorInfo info;
    auto name = p.readString("name of tensor " + std::to_string(k));
    if (!name)
      return name.error();
    info.name = name.takeValue();
    std::string what = "tensor '" + info.name + "'";
    uint64_t dimsAt = r.offset();
    auto nDims = r.read<uint32_t>("dimension count of " + what);
    if (!nDims)
      return nDims.error();
    if (*nDims == 0 || *nDims > kMaxDims)
      return r.errorAt(dimsAt, what + " has " + std::to_string(*nDims) +
                                   " dimensions (expected 1 to 4)");
    for (uint32_t d = 0; d < *nDims; ++d) {
      uint64_t neAt = r.offset();
      auto ne = r.read<uint64_t>("dimension " + std::to_string(d) + " of " + what);
      if (!ne)
        return ne.error();
      if (*ne == 0 || *ne > static_cast<uint64_t>(INT64_MAX))
        return r.errorAt(neAt, what + " has invalid dimension " + std::to_string(d) + " = " +
                                   std::to_string(*ne));
      info.ne.push_back(*ne);
    }
    auto numel = checkedProduct(info.ne);
    if (!numel || *numel > static_cast<uint64_t>(INT64_MAX))
      return r.errorAt(dimsAt, what + " has too many elements (the shape overflows)");
    auto type = r.read<uint32_t>("type of " + what);
    if (!type)
      return type.error();
    info.ggmlType = *type;
    uint64_t offAt = r.offset();
    auto off = r.read<uint64_t>("offset of " + what);
    if (!off)
      return off.error();
    info.relativeOffset = *off;
    if (info.relativeOffset % g.alignment_ != 0)
      return r.errorAt(offAt, what + " data offset " + std::to_string(*off) +
                                  " is not a multiple of the alignment " +
                                  std::to_string(g.alignment_));
    if (auto tt = tensorTypeFromGgml(info.ggmlType)) {
      if (info.ne[0] % tensorTypeBlockElements(*tt) != 0)
        return r.errorAt(dimsAt, what + " of type " + std::string(tensorTypeName(*tt)) +
                                     " has rows of " + std::to_string(info.ne[0]) +
                                     " elements, not a multiple of the block size " +
                                     std::to_string(tensorTypeBlockElements(*tt)));
      auto bytes = tensorTypeBytes(*tt, *numel);
      if (!bytes)
        return r.errorAt(dimsAt, what + " is too large (its byte size overflows)");
      info.byteSize = *bytes;
    }
    if (g.tensorIndex_.count(info.name))
      return Error(path + ": duplicate tensor name '" + info.name + "'");
    g.tensorIndex_.emplace(info.name, g.tensors_.size());
    g.tensors_.push_back(std::move(info));
  }

  // Tensor data starts at the next multiple of the alignment.
  uint64_t end = r.offset();
  uint64_t pad = (g.alignment_ - end % g.alignment_) % g.alignment_;
  g.dataOffset_ = end + pad;
  if (!g.tensors_.empty() && g.dataOffset_ > g.file_->size())
    return Error(path + ": truncated: the tensor data section would start at offset " +
                 std::to_string(g.dataOffset_) + " but the file has " +
                 std::to_string(g.file_->size()) + " bytes");
  for (GgufTensorInfo &info : g.tensors_) {
    auto abs = checkedAdd(g.dataOffset_, info.relativeOffset);
    if (!abs || !rangeInside(*abs, info.byteSize, g.file_->size()))
      return Error(path + ": tensor '" + info.name + "' (bytes " +
                   std::to_string(info.relativeOffset) + ".." +
                   std::to_string(info.relativeOffset + info.byteSize) +
                   " of the data section at offset " + std::to_string(g.dataOffset_) +
                   ") is out of bounds: the file has " + std::to_string(g.file_->size()) +
                   " bytes");
    info.fileOffset = *abs;
  }
  // Tensors must not share bytes: an overlap means a size or type was
  // corrupted (e.g. an F16 tensor relabelled F32).
  std::vector<const GgufTensorInfo *> byOffset;
  for (const GgufTensorInfo &info : g.tensors_)
    if (info.byteSize)
      byOffset.push_back(&info);
  std::sort(byOffset.begin(), byOffset.end(), [](auto *a, auto *b) {
    return a->fileOffset < b->fileOffset;
  });
  for (size_t k = 1; k < byOffset.size(); ++k) {
    const GgufTensorInfo &prev = *byOffset[k - 1], &cur = *byOffset[k];
    if (prev.fileOffset + prev.byteSize > cur.fileOffset)
      return Error(path + ": tensor '" + prev.name + "' (" + ggmlTypeName(prev.ggmlType) +
                   ", bytes " + std::to_string(prev.fileOffset) + ".." +
                   std::to_string(prev.fileOffset + prev.byteSize) + ") overlaps tensor '" +
                   cur.name + "' at offset " + std::to_string(cur.fileOffset));
  }
  return g;
}

const GgufValue *GgufFile::find(std::string_view key) const {
  auto it = metadataIndex_.find(std::string(key));
  return it == metadataIndex_.end() ? nullptr : &metadata_[it->second].second;
}

const GgufTensorInfo *GgufFile::findTensor(std::string_view name) const {
  auto it = tensorIndex_.find(std::string(name));
  return it == tensorIndex_.end() ? nullptr : &tensors_[it->second];
}

Expected<std::string> GgufFile::getString(std::string_view key) const {
  const GgufValue *v = find(key);
  if (!v)
    return Error(path() + ": missing metadata key '" + std::string(key) + "'");
  if (v->type != GgufType::String)
    return Error(path() + ": metadata '" + std::string(key) + "' has type " +
                 std::string(ggufTypeName(v->type)) + ", expected string");
  return v->s;
}

Expected<std::optional<uint64_t>> GgufFile::getOptionalUInt(std::string_view key) const {
  const GgufValue *v = find(key);
  if (!v)
    return std::optional<uint64_t>();
  auto x = v->asUInt();
  if (!x)
    return Error(path() + ": metadata '" + std::string(key) + "' has type " +
                 std::string(ggufTypeName(v->type)) +
                 (v->isInteger() ? " and a negative value" : "") +
                 ", expected a non-negative integer");
  return std::optional<uint64_t>(*x);
}

Expected<uint64_t> GgufFile::getUInt(std::string_view key) const {
  auto v = getOptionalUInt(key);
  if (!v)
    return v.error();
  if (!*v)
    return Error(path() + ": missing metadata key '" + std::string(key) + "'");
  return **v;
}

Expected<std::optional<double>> GgufFile::getOptionalDouble(std::string_view key) const {
  const GgufValue *v = find(key);
  if (!v)
    return std::optional<double>();
  auto x = v->asDouble();
  if (!x)
    return Error(path() + ": metadata '" + std::string(key) + "' has type " +
                 std::string(ggufTypeName(v->type)) + ", expected a number");
  return std::optional<double>(*x);
}

Expected<double> GgufFile::getDouble(std::string_view key) const {
  auto v = getOptionalDouble(key);
  if (!v)
    return v.error();
  if (!*v)
    return Error(path() + ": missing metadata key '" + std::string(key) + "'");
  return **v;
}

Expected<Tensor> GgufFile::tensorView(const GgufTensorInfo &info) const {
  auto tt = tensorTypeFromGgml(info.ggmlType);
  if (!tt)
    return Error(path() + ": tensor '" + info.name + "' has unsupported tensor type " +
                 ggmlTypeName(info.ggmlType) + " (supported: F32, F16, BF16, Q8_0, Q4_0)");
  Tensor t;
  t.name = info.name;
  t.sourceName = info.name;
  t.type = *tt;
  t.shape.assign(info.ne.rbegin(), info.ne.rend());
  t.fileOffset = info.fileOffset;
  t.byteSize = info.byteSize;
  t.data = file_->data() + info.fileOffset;
  return t;
}

} // namespace strata::models
