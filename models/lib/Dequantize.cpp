#include "strata/models/Dequantize.h"

#include <cassert>
#include <cmath>
#include <cstring>

namespace strata::models {

float f16ToF32(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1Fu;
  const uint32_t mant = h & 0x3FFu;
  uint32_t bits;
  if (exp == 0x1F) {
    bits = sign | 0x7F800000u | (mant << 13); // inf / NaN (payload kept)
  } else if (exp != 0) {
    bits = sign | ((exp + 112) << 23) | (mant << 13); // rebias 15 -> 127
  } else if (mant == 0) {
    bits = sign; // signed zero
  } else {
    // Subnormal: mant * 2^-24 is exact in binary32.
    float v = std::ldexp(static_cast<float>(mant), -24);
    return sign ? -v : v;
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

float bf16ToF32(uint16_t h) {
  uint32_t bits = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

void dequantize(TensorType type, const uint8_t *src, float *dst, uint64_t count) {
  assert(count % tensorTypeBlockElements(type) == 0);
  auto load16 = [](const uint8_t *p) {
    uint16_t v;
    std::memcpy(&v, p, 2);
    return v;
  };
  switch (type) {
  case TensorType::F32:
    std::memcpy(dst, src, count * 4);
    return;
  case TensorType::F16:
    for (uint64_t i = 0; i < count; ++i)
      dst[i] = f16ToF32(load16(src + 2 * i));
    return;
  case TensorType::BF16:
    for (uint64_t i = 0; i < count; ++i)
      dst[i] = bf16ToF32(load16(src + 2 * i));
    return;
  case TensorType::Q8_0:
    for (uint64_t b = 0; b < count / 32; ++b) {
      const uint8_t *blk = src + b * 34;
      const float d = f16ToF32(load16(blk));
      for (int j = 0; j < 32; ++j)
        dst[b * 32 + j] = static_cast<float>(static_cast<int8_t>(blk[2 + j])) * d;
    }
    return;
  case TensorType::Q4_0:
    for (uint64_t b = 0; b < count / 32; ++b) {
      const uint8_t *blk = src + b * 18;
      const float d = f16ToF32(load16(blk));
      for (int j = 0; j < 16; ++j) {
        dst[b * 32 + j] = static_cast<float>((blk[2 + j] & 0x0F) - 8) * d;
        dst[b * 32 + j + 16] = static_cast<float>((blk[2 + j] >> 4) - 8) * d;
      }
    }
    return;
  }
}

std::vector<float> toFloat32(const Tensor &t) {
  const uint64_t n = t.numElements();
  std::vector<float> out(n);
  dequantize(t.type, t.data, out.data(), n);
  if (t.layout == TensorLayout::Transposed && t.shape.size() == 2) {
    // Stored [in][out]; return [out][in].
    const uint64_t rows = t.shape[0], cols = t.shape[1];
    std::vector<float> tr(n);
    for (uint64_t i = 0; i < cols; ++i)
      for (uint64_t o = 0; o < rows; ++o)
        tr[o * cols + i] = out[i * rows + o];
    return tr;
  }
  return out;
}

} // namespace strata::models
