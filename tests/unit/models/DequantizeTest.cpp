// Conversions of the stored tensor types to float32.
#include "ModelFileWriters.h"

#include "strata/models/Dequantize.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace strata::models;
using namespace strata::models::testing;

namespace {

TEST(Dequantize, F16SpecialValues) {
  EXPECT_EQ(f16ToF32(0x3C00), 1.0f);
  EXPECT_EQ(f16ToF32(0xC000), -2.0f);
  EXPECT_EQ(f16ToF32(0x7BFF), 65504.0f);
  EXPECT_EQ(f16ToF32(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(f16ToF32(0x03FF), std::ldexp(1023.0f, -24));
  EXPECT_EQ(f16ToF32(0x0400), std::ldexp(1.0f, -14));
  EXPECT_EQ(f16ToF32(0x7C00), std::numeric_limits<float>::infinity());
  EXPECT_EQ(f16ToF32(0xFC00), -std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(f16ToF32(0x7E00)));
  EXPECT_EQ(f16ToF32(0x8000), 0.0f);
  EXPECT_TRUE(std::signbit(f16ToF32(0x8000)));
}

#ifdef __FLT16_MAX__
TEST(Dequantize, F16AgreesWithTheCompilerForAllPatterns) {
  for (uint32_t bits = 0; bits < 0x10000; ++bits) {
    _Float16 h;
    uint16_t b = static_cast<uint16_t>(bits);
    std::memcpy(&h, &b, 2);
    float expected = static_cast<float>(h);
    float got = f16ToF32(b);
    if (std::isnan(expected))
      EXPECT_TRUE(std::isnan(got)) << bits;
    else
      ASSERT_EQ(peek<uint32_t>(std::string(reinterpret_cast<char *>(&got), 4), 0),
                peek<uint32_t>(std::string(reinterpret_cast<char *>(&expected), 4), 0))
          << "pattern " << bits;
  }
}
#endif

TEST(Dequantize, Bf16IsTheUpperHalfOfBinary32) {
  EXPECT_EQ(bf16ToF32(0x3F80), 1.0f);
  EXPECT_EQ(bf16ToF32(0xC040), -3.0f);
  EXPECT_EQ(bf16ToF32(0x4049), 3.140625f);
}

TEST(Dequantize, Q8_0IsScaleTimesInt8) {
  std::string block;
  put<uint16_t>(block, 0x3800); // d = 0.5
  for (int j = 0; j < 32; ++j)
    put<int8_t>(block, static_cast<int8_t>(j * 8 - 128));
  float out[32];
  dequantize(TensorType::Q8_0, reinterpret_cast<const uint8_t *>(block.data()), out, 32);
  for (int j = 0; j < 32; ++j)
    EXPECT_EQ(out[j], (j * 8 - 128) * 0.5f) << j;
}

TEST(Dequantize, Q4_0LowNibblesAreTheFirstHalfOfTheBlock) {
  std::string blocks;
  for (int b = 0; b < 2; ++b) {
    put<uint16_t>(blocks, b == 0 ? 0x4000 : 0xBC00); // d = 2, then -1
    for (int j = 0; j < 16; ++j)
      put<uint8_t>(blocks, static_cast<uint8_t>(j | ((15 - j) << 4)));
  }
  float out[64];
  dequantize(TensorType::Q4_0, reinterpret_cast<const uint8_t *>(blocks.data()), out, 64);
  for (int j = 0; j < 16; ++j) {
    EXPECT_EQ(out[j], (j - 8) * 2.0f) << j;
    EXPECT_EQ(out[j + 16], (15 - j - 8) * 2.0f) << j;
    EXPECT_EQ(out[32 + j], (j - 8) * -1.0f) << j;
    EXPECT_EQ(out[32 + j + 16], (15 - j - 8) * -1.0f) << j;
  }
}

TEST(Dequantize, TransposedTensorsComeBackRowMajor) {
  // Canonical [2, 3] stored as [3][2] (Conv1D): stored[i][o] = 10 * o + i.
  std::string bytes;
  for (int i = 0; i < 3; ++i)
    for (int o = 0; o < 2; ++o)
      put<float>(bytes, static_cast<float>(10 * o + i));
  Tensor t;
  t.type = TensorType::F32;
  t.shape = {2, 3};
  t.layout = TensorLayout::Transposed;
  t.data = reinterpret_cast<const uint8_t *>(bytes.data());
  t.byteSize = bytes.size();
  EXPECT_EQ(toFloat32(t), (std::vector<float>{0, 1, 2, 10, 11, 12}));
  t.layout = TensorLayout::RowMajor;
  EXPECT_EQ(toFloat32(t), (std::vector<float>{0, 10, 1, 11, 2, 12}));
}

TEST(TensorType, SizesAndBlocks) {
  EXPECT_EQ(tensorTypeBytes(TensorType::F32, 10), 40u);
  EXPECT_EQ(tensorTypeBytes(TensorType::BF16, 10), 20u);
  EXPECT_EQ(tensorTypeBytes(TensorType::Q8_0, 64), 68u);
  EXPECT_EQ(tensorTypeBytes(TensorType::Q4_0, 64), 36u);
  EXPECT_FALSE(tensorTypeBytes(TensorType::Q4_0, 48)); // not whole blocks
  EXPECT_FALSE(tensorTypeBytes(TensorType::F32, UINT64_MAX / 2)); // overflow
  EXPECT_EQ(tensorTypeName(TensorType::Q8_0), "Q8_0");
}

} // namespace
