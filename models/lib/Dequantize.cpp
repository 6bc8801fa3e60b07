#include "strata/models/Dequantize.h"

#include <cassert>
#include <cstring>

namespace strata::models {

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
