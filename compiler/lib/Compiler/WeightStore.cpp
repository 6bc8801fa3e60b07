//===- WeightStore.cpp ----------------------------------------------------===//
#include "strata/Compiler/WeightStore.h"

#include "strata/support/Float16.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace strata {

namespace {
struct FormatInfo {
  WeightFormat format;
  std::string_view name;
};
constexpr FormatInfo kFormats[] = {
    {WeightFormat::F32, "f32"},   {WeightFormat::F16, "f16"},
    {WeightFormat::BF16, "bf16"}, {WeightFormat::Q8_0, "q8_0"},
    {WeightFormat::Q4_0, "q4_0"}, {WeightFormat::I8, "i8"},
    {WeightFormat::I4, "i4"},
};

constexpr uint64_t kBlock = 32;

// A read-only file mapping shared by every tensor of one file.
struct Mapping {
  void *base = nullptr;
  size_t size = 0;
  ~Mapping() {
    if (base)
      munmap(base, size);
  }
};

uint16_t load16(const uint8_t *p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}
float load32f(const uint8_t *p) {
  float v;
  std::memcpy(&v, p, 4);
  return v;
}
} // namespace

std::string_view weightFormatName(WeightFormat format) {
  for (const FormatInfo &f : kFormats)
    if (f.format == format)
      return f.name;
  return "?";
}

std::optional<WeightFormat> parseWeightFormat(std::string_view name) {
  for (const FormatInfo &f : kFormats)
    if (f.name == name)
      return f.format;
  return std::nullopt;
}

uint64_t weightFormatBytes(WeightFormat format, uint64_t elements) {
  switch (format) {
  case WeightFormat::F32: return elements * 4;
  case WeightFormat::F16:
  case WeightFormat::BF16: return elements * 2;
  case WeightFormat::Q8_0: return (elements + kBlock - 1) / kBlock * 34;
  case WeightFormat::Q4_0: return (elements + kBlock - 1) / kBlock * 18;
  case WeightFormat::I8: return elements;
  case WeightFormat::I4: return (elements + 1) / 2;
  }
  return 0;
}

uint64_t WeightEntry::elementCount() const {
  uint64_t n = 1;
  for (int64_t d : shape)
    n *= uint64_t(d);
  return n;
}

void WeightStore::put(const std::string &name, WeightEntry entry) {
  entries_[name] = std::move(entry);
}

const WeightEntry *WeightStore::find(const std::string &name) const {
  auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : &it->second;
}

void WeightStore::putRandom(const std::string &name, std::vector<int64_t> shape,
                            uint64_t seed, double scale) {
  WeightEntry entry;
  entry.shape = std::move(shape);
  uint64_t n = entry.elementCount();
  auto buffer = std::make_shared<std::vector<float>>(n);
  // mt19937_64 is specified bit-exactly by the standard; the conversion to
  // [-scale, scale] is done by hand because distributions are not.
  std::mt19937_64 gen(seed);
  for (uint64_t i = 0; i < n; ++i) {
    double unit = double(gen() >> 11) * (1.0 / 9007199254740992.0);
    (*buffer)[i] = float((unit * 2.0 - 1.0) * scale);
  }
  entry.format = WeightFormat::F32;
  entry.data = reinterpret_cast<const uint8_t *>(buffer->data());
  entry.bytes = n * 4;
  entry.backing = buffer;
  put(name, std::move(entry));
}

Status WeightStore::putFromFile(const std::string &name, std::vector<int64_t> shape,
                                WeightFormat format, const std::string &path,
                                uint64_t offset) {
  auto it = mappedFiles_.find(path);
  if (it == mappedFiles_.end()) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      return Error("cannot open weight file '" + path + "': " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      ::close(fd);
      return Error("cannot stat weight file '" + path + "': " + std::strerror(err));
    }
    auto mapping = std::make_shared<Mapping>();
    mapping->size = size_t(st.st_size);
    if (mapping->size > 0) {
      void *base = ::mmap(nullptr, mapping->size, PROT_READ, MAP_PRIVATE, fd, 0);
      if (base == MAP_FAILED) {
        int err = errno;
        ::close(fd);
        return Error("cannot map weight file '" + path + "': " + std::strerror(err));
      }
      mapping->base = base;
    }
    ::close(fd);
    it = mappedFiles_.emplace(path, mapping).first;
    mappedSizes_[path] = mapping->size;
  }
  WeightEntry entry;
  entry.shape = std::move(shape);
  entry.format = format;
  entry.bytes = weightFormatBytes(format, entry.elementCount());
  uint64_t fileSize = mappedSizes_[path];
  if (offset > fileSize || entry.bytes > fileSize - offset)
    return Error("weight '" + name + "': " + std::to_string(entry.bytes) +
                 " bytes at offset " + std::to_string(offset) + " extend past the end of '" +
                 path + "' (" + std::to_string(fileSize) + " bytes)");
  auto mapping = std::static_pointer_cast<const Mapping>(it->second);
  entry.data = static_cast<const uint8_t *>(mapping->base) + offset;
  entry.backing = it->second;
  put(name, std::move(entry));
  return Status::ok();
}

Expected<std::vector<float>> WeightStore::readF32(const std::string &name) const {
  const WeightEntry *e = find(name);
  if (!e)
    return Error("no data for weight '" + name + "' in the weight store");
  uint64_t n = e->elementCount();
  if (!e->data || e->bytes < weightFormatBytes(e->format, n))
    return Error("weight '" + name + "' has fewer bytes than its shape needs");
  std::vector<float> out(n);
  const uint8_t *p = e->data;
  switch (e->format) {
  case WeightFormat::F32:
    std::memcpy(out.data(), p, n * 4);
    break;
  case WeightFormat::F16:
    for (uint64_t i = 0; i < n; ++i)
      out[i] = f16ToF32(load16(p + 2 * i));
    break;
  case WeightFormat::BF16:
    for (uint64_t i = 0; i < n; ++i)
      out[i] = bf16ToF32(load16(p + 2 * i));
    break;
  case WeightFormat::Q8_0:
    for (uint64_t i = 0; i < n; ++i) {
      const uint8_t *block = p + (i / kBlock) * 34;
      out[i] = f16ToF32(load16(block)) * float(int8_t(block[2 + i % kBlock]));
    }
    break;
  case WeightFormat::Q4_0:
    for (uint64_t i = 0; i < n; ++i) {
      const uint8_t *block = p + (i / kBlock) * 18;
      uint64_t j = i % kBlock;
      uint8_t byte = block[2 + (j % 16)];
      int q = (j < 16 ? (byte & 0xF) : (byte >> 4)) - 8;
      out[i] = f16ToF32(load16(block)) * float(q);
    }
    break;
  case WeightFormat::I8:
  case WeightFormat::I4: {
    if (e->shape.empty())
      return Error("quantized weight '" + name + "' has no shape");
    uint64_t rowLen = uint64_t(e->shape.back());
    uint64_t groups = e->groupSize > 0 ? (rowLen + e->groupSize - 1) / e->groupSize : 1;
    uint64_t scaleCount = (n / rowLen) * groups;
    uint64_t scaleSize = e->scaleType == DType::F16 ? 2 : 4;
    if (!e->scales || e->scaleBytes < scaleCount * scaleSize)
      return Error("quantized weight '" + name + "' is missing its scales");
    for (uint64_t i = 0; i < n; ++i) {
      uint64_t row = i / rowLen, col = i % rowLen;
      uint64_t s = row * groups + (e->groupSize > 0 ? col / e->groupSize : 0);
      float scale = scaleSize == 2 ? f16ToF32(load16(e->scales + 2 * s))
                                   : load32f(e->scales + 4 * s);
      int q;
      if (e->format == WeightFormat::I8) {
        q = int8_t(p[i]);
      } else {
        uint8_t byte = p[i / 2];
        q = int((i % 2 == 0 ? byte << 4 : byte) & 0xF0) >> 4;
        q = q >= 8 ? q - 16 : q;
      }
      out[i] = scale * float(q);
    }
    break;
  }
  }
  return out;
}

} // namespace strata
