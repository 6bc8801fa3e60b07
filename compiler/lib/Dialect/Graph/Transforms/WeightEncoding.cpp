//===- WeightEncoding.cpp - Converting weights between encodings ----------===//
#include "strata/Dialect/Graph/Transforms/WeightEncoding.h"

#include "strata/support/Float16.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace strata::quant {

namespace {

constexpr int64_t kGgufBlock = 32;

/// A WeightEntry owning `payload` and `scales`.
WeightEntry ownedEntry(std::vector<int64_t> shape, WeightFormat format,
                       std::vector<uint8_t> payload, std::vector<uint8_t> scales = {},
                       DType scaleType = DType::F32, int64_t groupSize = 0) {
  struct Owned {
    std::vector<uint8_t> payload, scales;
  };
  auto owned = std::make_shared<Owned>(Owned{std::move(payload), std::move(scales)});
  WeightEntry e;
  e.shape = std::move(shape);
  e.format = format;
  e.data = owned->payload.data();
  e.bytes = owned->payload.size();
  if (!owned->scales.empty()) {
    e.scales = owned->scales.data();
    e.scaleBytes = owned->scales.size();
  }
  e.scaleType = scaleType;
  e.groupSize = groupSize;
  e.backing = owned;
  return e;
}

void store16(uint8_t *p, uint16_t v) { std::memcpy(p, &v, 2); }
void store32f(uint8_t *p, float v) { std::memcpy(p, &v, 4); }

bool isInt(WeightFormat f) { return f == WeightFormat::I8 || f == WeightFormat::I4; }

Status checkShape(const std::vector<int64_t> &shape, const std::string &what) {
  if (shape.empty())
    return Error(what + " has no shape");
  for (int64_t d : shape)
    if (d <= 0)
      return Error(what + " has a non-positive dimension");
  return Status::ok();
}

} // namespace

std::string describe(const TargetEncoding &e) {
  std::string name(weightFormatName(e.format));
  if (!isInt(e.format))
    return name;
  std::string scales = e.scaleType == DType::F16 ? "f16" : "f32";
  if (e.groupSize == 0)
    return name + " per-channel, " + scales + " scales";
  return name + " groups of " + std::to_string(e.groupSize) + ", " + scales + " scales";
}

TargetEncoding encodingOf(const WeightEntry &entry) {
  switch (entry.format) {
  case WeightFormat::Q8_0: return {WeightFormat::I8, kGgufBlock, DType::F16};
  case WeightFormat::Q4_0: return {WeightFormat::I4, kGgufBlock, DType::F16};
  case WeightFormat::I8:
  case WeightFormat::I4: return {entry.format, entry.groupSize, entry.scaleType};
  default: return {entry.format, 0, DType::F32};
  }
}

float symmetricScale(float amax, int qmax, DType scaleType) {
  float scale = amax / float(qmax);
  return scaleType == DType::F16 ? roundToF16(scale) : scale;
}

int quantizeValue(float w, float scale, int qmin, int qmax) {
  if (scale == 0.0f || !std::isfinite(scale))
    return 0;
  float q = std::round(w / scale);
  // Compare in float: w / scale may exceed the int range when the scale was
  // rounded down to f16 or w is not finite.
  if (!(q >= float(qmin)))
    return std::isnan(q) ? 0 : qmin;
  if (q > float(qmax))
    return qmax;
  return int(q);
}

Expected<WeightEntry> encodeWeight(const std::vector<float> &values,
                                   const std::vector<int64_t> &shape,
                                   const TargetEncoding &target) {
  if (Status s = checkShape(shape, "weight"); !s)
    return s.error();
  uint64_t n = 1;
  for (int64_t d : shape)
    n *= uint64_t(d);
  if (values.size() != n)
    return Error("weight has " + std::to_string(values.size()) + " values but its shape holds " +
                 std::to_string(n));

  switch (target.format) {
  case WeightFormat::F32: {
    std::vector<uint8_t> bytes(n * 4);
    std::memcpy(bytes.data(), values.data(), n * 4);
    return ownedEntry(shape, WeightFormat::F32, std::move(bytes));
  }
  case WeightFormat::F16:
  case WeightFormat::BF16: {
    bool half = target.format == WeightFormat::F16;
    std::vector<uint8_t> bytes(n * 2);
    for (uint64_t i = 0; i < n; ++i)
      store16(bytes.data() + 2 * i, half ? f32ToF16(values[i]) : f32ToBf16(values[i]));
    return ownedEntry(shape, target.format, std::move(bytes));
  }
  case WeightFormat::I8:
  case WeightFormat::I4: break;
  default:
    return Error("cannot encode a weight as " + std::string(weightFormatName(target.format)) +
                 " (only f32, f16, bf16, i8 and i4)");
  }

  if (target.groupSize < 0)
    return Error("negative quantization group size " + std::to_string(target.groupSize));
  if (target.scaleType != DType::F32 && target.scaleType != DType::F16)
    return Error("quantization scales must be f32 or f16");
  bool int8 = target.format == WeightFormat::I8;
  int qmax = int8 ? 127 : 7, qmin = int8 ? -128 : -8;
  uint64_t rowLen = uint64_t(shape.back());
  uint64_t rows = n / rowLen;
  uint64_t group = target.groupSize > 0 ? uint64_t(target.groupSize) : rowLen;
  uint64_t groupsPerRow = (rowLen + group - 1) / group;
  uint64_t scaleSize = target.scaleType == DType::F16 ? 2 : 4;

  std::vector<uint8_t> payload(weightFormatBytes(target.format, n), 0);
  std::vector<uint8_t> scales(rows * groupsPerRow * scaleSize);
  for (uint64_t r = 0; r < rows; ++r) {
    for (uint64_t g = 0; g < groupsPerRow; ++g) {
      uint64_t begin = r * rowLen + g * group;
      uint64_t end = r * rowLen + std::min(rowLen, (g + 1) * group);
      float amax = 0;
      for (uint64_t i = begin; i < end; ++i)
        amax = std::max(amax, std::fabs(values[i]));
      float scale = symmetricScale(amax, qmax, target.scaleType);
      uint64_t s = r * groupsPerRow + g;
      if (scaleSize == 2)
        store16(scales.data() + 2 * s, f32ToF16(scale));
      else
        store32f(scales.data() + 4 * s, scale);
      for (uint64_t i = begin; i < end; ++i) {
        int q = quantizeValue(values[i], scale, qmin, qmax);
        if (int8) {
          payload[i] = uint8_t(int8_t(q));
        } else {
          // Two's-complement nibbles, element 2k in the low nibble of byte k.
          uint8_t nibble = uint8_t(q) & 0xF;
          payload[i / 2] |= i % 2 == 0 ? nibble : uint8_t(nibble << 4);
        }
      }
    }
  }
  return ownedEntry(shape, target.format, std::move(payload), std::move(scales), target.scaleType,
                    target.groupSize);
}

Expected<std::vector<float>> decodeWeight(const WeightEntry &entry, const std::string &name) {
  // WeightStore::readF32 is the one definition of every format's meaning.
  WeightStore one;
  one.put(name, entry);
  return one.readF32(name);
}

Expected<WeightEntry> relayoutGgufBlocks(const WeightEntry &entry, const std::string &name) {
  bool q8 = entry.format == WeightFormat::Q8_0;
  if (!q8 && entry.format != WeightFormat::Q4_0)
    return Error("weight '" + name + "' is " + std::string(weightFormatName(entry.format)) +
                 ", not q8_0 or q4_0 blocks");
  if (Status s = checkShape(entry.shape, "weight '" + name + "'"); !s)
    return s.error();
  uint64_t n = entry.elementCount();
  if (entry.shape.back() % kGgufBlock != 0)
    return Error("weight '" + name + "': rows of " + std::to_string(entry.shape.back()) +
                 " elements are not whole " + std::string(weightFormatName(entry.format)) +
                 " blocks of 32");
  if (!entry.data || entry.bytes < weightFormatBytes(entry.format, n))
    return Error("weight '" + name + "' has fewer bytes than its shape needs");

  uint64_t blocks = n / kGgufBlock;
  uint64_t blockBytes = q8 ? 34 : 18;
  WeightFormat out = q8 ? WeightFormat::I8 : WeightFormat::I4;
  std::vector<uint8_t> payload(weightFormatBytes(out, n), 0);
  std::vector<uint8_t> scales(blocks * 2);
  for (uint64_t b = 0; b < blocks; ++b) {
    const uint8_t *block = entry.data + b * blockBytes;
    std::memcpy(scales.data() + 2 * b, block, 2);
    if (q8) {
      std::memcpy(payload.data() + b * kGgufBlock, block + 2, kGgufBlock);
      continue;
    }
    // q4_0: element j < 16 is the low nibble of byte j, element j >= 16 the
    // high nibble of byte j - 16, both offset by 8. Blocks are 32 elements,
    // so block b starts at byte 16 b of the packed I4 payload.
    for (int64_t j = 0; j < kGgufBlock; ++j) {
      uint8_t byte = block[2 + (j % 16)];
      int q = int(j < 16 ? (byte & 0xF) : (byte >> 4)) - 8;
      uint8_t nibble = uint8_t(q) & 0xF;
      payload[b * 16 + j / 2] |= j % 2 == 0 ? nibble : uint8_t(nibble << 4);
    }
  }
  return ownedEntry(entry.shape, out, std::move(payload), std::move(scales), DType::F16,
                    kGgufBlock);
}

Expected<WeightEntry> convertWeight(const WeightEntry &source, const TargetEncoding &target,
                                    const std::string &name) {
  TargetEncoding have = encodingOf(source);
  if (have == target) {
    if (source.format == WeightFormat::Q8_0 || source.format == WeightFormat::Q4_0)
      return relayoutGgufBlocks(source, name);
    return source;
  }
  Expected<std::vector<float>> values = decodeWeight(source, name);
  if (!values)
    return values.error();
  Expected<WeightEntry> encoded = encodeWeight(*values, source.shape, target);
  if (!encoded)
    return encoded.error().withContext("weight '" + name + "'");
  return encoded;
}

Expected<WeightEntry> transposeWeight(const WeightEntry &entry, const std::string &name) {
  if (entry.shape.size() != 2)
    return Error("weight '" + name + "' is not 2D and cannot be transposed");
  Expected<std::vector<float>> values = decodeWeight(entry, name);
  if (!values)
    return values.error();
  uint64_t rows = uint64_t(entry.shape[0]), cols = uint64_t(entry.shape[1]);
  std::vector<float> t(values->size());
  for (uint64_t r = 0; r < rows; ++r)
    for (uint64_t c = 0; c < cols; ++c)
      t[c * rows + r] = (*values)[r * cols + c];
  return encodeWeight(t, {entry.shape[1], entry.shape[0]}, TargetEncoding{});
}

QuantError measureError(const std::vector<float> &reference, const std::vector<float> &approx) {
  QuantError err;
  double diff2 = 0, ref2 = 0;
  size_t n = std::min(reference.size(), approx.size());
  for (size_t i = 0; i < n; ++i) {
    double d = double(approx[i]) - double(reference[i]);
    diff2 += d * d;
    ref2 += double(reference[i]) * double(reference[i]);
    err.maxAbs = std::max(err.maxAbs, std::fabs(d));
  }
  if (diff2 > 0)
    err.relRms = ref2 > 0 ? std::sqrt(diff2 / ref2) : INFINITY;
  return err;
}

} // namespace strata::quant
