//===- WeightEncodingTest.cpp - Quantization arithmetic, value by value ---===//
#include "strata/Dialect/Graph/Transforms/WeightEncoding.h"

#include "strata/support/Float16.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

using namespace strata;
using namespace strata::quant;

namespace {

std::vector<uint8_t> bytesOf(const uint8_t *p, uint64_t n) { return {p, p + n}; }

std::vector<float> f32Scales(const WeightEntry &e) {
  std::vector<float> s(e.scaleBytes / 4);
  std::memcpy(s.data(), e.scales, e.scaleBytes);
  return s;
}

std::vector<uint16_t> f16Scales(const WeightEntry &e) {
  std::vector<uint16_t> s(e.scaleBytes / 2);
  std::memcpy(s.data(), e.scales, e.scaleBytes);
  return s;
}

WeightEntry entryOver(std::vector<int64_t> shape, WeightFormat format,
                      const std::vector<uint8_t> &bytes) {
  auto owned = std::make_shared<std::vector<uint8_t>>(bytes);
  WeightEntry e;
  e.shape = std::move(shape);
  e.format = format;
  e.data = owned->data();
  e.bytes = owned->size();
  e.backing = owned;
  return e;
}

const TargetEncoding kInt8{WeightFormat::I8, 0, DType::F32};

} // namespace

TEST(SymmetricScale, IsAmaxOverQmaxRoundedToItsStorage) {
  EXPECT_EQ(symmetricScale(127.0f, 127, DType::F32), 1.0f);
  EXPECT_EQ(symmetricScale(3.5f, 7, DType::F32), 0.5f);
  EXPECT_EQ(symmetricScale(0.0f, 127, DType::F32), 0.0f);
  // 1/127 = 0.0078740157 is not a half: the nearest is 0.00787353515625.
  EXPECT_EQ(symmetricScale(1.0f, 127, DType::F16), 0.00787353515625f);
  EXPECT_EQ(f32ToF16(symmetricScale(1.0f, 127, DType::F16)), f32ToF16(1.0f / 127.0f));
}

TEST(QuantizeValue, RoundsHalfAwayFromZero) {
  EXPECT_EQ(quantizeValue(2.5f, 1.0f, -128, 127), 3);
  EXPECT_EQ(quantizeValue(-2.5f, 1.0f, -128, 127), -3);
  EXPECT_EQ(quantizeValue(-0.5f, 1.0f, -128, 127), -1);
  EXPECT_EQ(quantizeValue(0.49f, 1.0f, -128, 127), 0);
  EXPECT_EQ(quantizeValue(-63.5f, 1.0f, -128, 127), -64);
}

TEST(QuantizeValue, ClampsToTheIntegerRange) {
  EXPECT_EQ(quantizeValue(200.0f, 1.0f, -128, 127), 127);
  EXPECT_EQ(quantizeValue(-200.0f, 1.0f, -128, 127), -128);
  EXPECT_EQ(quantizeValue(9.0f, 1.0f, -8, 7), 7);
  EXPECT_EQ(quantizeValue(-9.0f, 1.0f, -8, 7), -8);
  EXPECT_EQ(quantizeValue(INFINITY, 1.0f, -8, 7), 7);
}

TEST(QuantizeValue, ZeroOrNonFiniteScaleOrNanValueGiveZero) {
  EXPECT_EQ(quantizeValue(5.0f, 0.0f, -128, 127), 0);
  EXPECT_EQ(quantizeValue(5.0f, INFINITY, -128, 127), 0);
  EXPECT_EQ(quantizeValue(NAN, 1.0f, -128, 127), 0);
}

TEST(EncodeInt8, PerOutputChannelWithHandComputedValues) {
  // Row 0 has amax 127 (scale 1): the ties -63.5 and -0.5 round away from
  // zero. Row 1 has amax 2.54 (scale 2.54/127, 0.019999999552965164 in
  // f32). Row 2 is all zero.
  std::vector<float> w = {127.0f, -63.5f, 31.5f, -0.5f, //
                          2.54f,  -1.27f, 0.0f,  0.01f, //
                          0.0f,   0.0f,   0.0f,  0.0f};
  Expected<WeightEntry> e = encodeWeight(w, {3, 4}, kInt8);
  ASSERT_TRUE(e) << e.message();
  EXPECT_EQ(e->format, WeightFormat::I8);
  EXPECT_EQ(e->groupSize, 0);
  EXPECT_EQ(e->scaleType, DType::F32);
  EXPECT_EQ(e->bytes, 12u);
  std::vector<float> scales = f32Scales(*e);
  ASSERT_EQ(scales.size(), 3u);
  EXPECT_EQ(scales[0], 1.0f);
  EXPECT_EQ(scales[1], 2.54f / 127.0f);
  EXPECT_EQ(scales[2], 0.0f);
  const int8_t *q = reinterpret_cast<const int8_t *>(e->data);
  std::vector<int> got(q, q + 12);
  // -1.27 / s and 0.01 / s are the f32 ties -63.5 and 0.5: away from zero.
  EXPECT_EQ(got, (std::vector<int>{127, -64, 32, -1, 127, -64, 0, 1, 0, 0, 0, 0}));
}

TEST(EncodeInt8, IntegersComeFromTheRoundedF16Scale) {
  // s32 = 1/127, s16 = 0.00787353515625 (slightly smaller). 0.49999 / s32 =
  // 63.4987 rounds to 63, 0.49999 / s16 = 63.5026 rounds to 64: the stored
  // pair (s16, 64) is the one that dequantizes closest.
  std::vector<float> w = {1.0f, 0.49999f};
  Expected<WeightEntry> f32 = encodeWeight(w, {1, 2}, kInt8);
  Expected<WeightEntry> f16 = encodeWeight(w, {1, 2}, {WeightFormat::I8, 0, DType::F16});
  ASSERT_TRUE(f32 && f16);
  EXPECT_EQ(int8_t(f32->data[1]), 63);
  EXPECT_EQ(int8_t(f16->data[1]), 64);
  EXPECT_EQ(int8_t(f16->data[0]), 127);
  EXPECT_EQ(f16->scaleBytes, 2u);
  EXPECT_EQ(f16Scales(*f16)[0], f32ToF16(1.0f / 127.0f));
}

TEST(EncodeInt8, TinyRowsWithSubnormalF16ScalesClamp) {
  // amax / 127 = 1.4 * 2^-24 rounds to the smallest subnormal half, 2^-24,
  // so amax / scale = 177.8: the extremes clamp to the int8 range.
  float amax = 127.0f * 1.4f * std::ldexp(1.0f, -24);
  Expected<WeightEntry> e =
      encodeWeight({amax, -amax, 0.0f}, {1, 3}, {WeightFormat::I8, 0, DType::F16});
  ASSERT_TRUE(e);
  EXPECT_EQ(f16ToF32(f16Scales(*e)[0]), std::ldexp(1.0f, -24));
  EXPECT_EQ(int8_t(e->data[0]), 127);
  EXPECT_EQ(int8_t(e->data[1]), -128);
  EXPECT_EQ(int8_t(e->data[2]), 0);
}

TEST(EncodeInt4, GroupsAlongTheRowWithAShortLastGroup) {
  // Rows of 5 in groups of 2: [0,1] [2,3] [4]. Packing runs over the flat
  // tensor, low nibble first, so byte 2 holds row 0's last and row 1's first.
  std::vector<float> w = {1.75f, -0.875f, 3.5f,  0.5f, -0.125f, //
                          0.0f,  0.0f,    -7.0f, 7.5f, 0.0f};
  Expected<WeightEntry> e = encodeWeight(w, {2, 5}, {WeightFormat::I4, 2, DType::F32});
  ASSERT_TRUE(e) << e.message();
  EXPECT_EQ(e->format, WeightFormat::I4);
  EXPECT_EQ(e->groupSize, 2);
  // q = [7, -4, 7, 1, -7 | 0, 0, -7, 7, 0]
  EXPECT_EQ(bytesOf(e->data, e->bytes), (std::vector<uint8_t>{0xC7, 0x17, 0x09, 0x90, 0x07}));
  std::vector<float> s = f32Scales(*e);
  ASSERT_EQ(s.size(), 6u);
  EXPECT_EQ(s[0], 0.25f);
  EXPECT_EQ(s[1], 0.5f);
  EXPECT_EQ(s[2], 0.125f / 7.0f);
  EXPECT_EQ(s[3], 0.0f);
  EXPECT_EQ(s[4], 7.5f / 7.0f);
  EXPECT_EQ(s[5], 0.0f);

  // The store's decoder reads the same layout back.
  Expected<std::vector<float>> back = decodeWeight(*e, "w");
  ASSERT_TRUE(back);
  EXPECT_EQ((*back)[0], 1.75f);
  EXPECT_EQ((*back)[1], -1.0f); // -4 * 0.25
  EXPECT_EQ((*back)[4], -0.125f / 7.0f * 7.0f);
  EXPECT_EQ((*back)[7], -7.0f * (7.5f / 7.0f));
}

TEST(EncodeInt4, ValuesStayInMinusEightToSeven) {
  std::vector<float> w(64);
  for (size_t i = 0; i < w.size(); ++i)
    w[i] = std::sin(float(i)) * 3.0f;
  Expected<WeightEntry> e = encodeWeight(w, {2, 32}, {WeightFormat::I4, 8, DType::F16});
  ASSERT_TRUE(e);
  Expected<std::vector<float>> back = decodeWeight(*e, "w");
  ASSERT_TRUE(back);
  std::vector<uint16_t> scales = f16Scales(*e);
  ASSERT_EQ(scales.size(), 8u);
  for (size_t i = 0; i < w.size(); ++i) {
    float s = f16ToF32(scales[(i / 32) * 4 + (i % 32) / 8]);
    float q = (*back)[i] / s;
    EXPECT_GE(q, -8.0f);
    EXPECT_LE(q, 7.0f);
    EXPECT_LE(std::fabs((*back)[i] - w[i]), s / 2 + 1e-6f) << i;
  }
}

TEST(EncodeFloat, HalfAndBfloatRoundToNearestEven) {
  // 1 + 2^-11 is halfway between two halves: ties to the even one (1.0);
  // 1 + 3 * 2^-11 ties up to 1 + 2^-9.
  std::vector<float> w = {1.0f + std::ldexp(1.0f, -11), 1.0f + 3 * std::ldexp(1.0f, -11), -2.0f};
  Expected<WeightEntry> h = encodeWeight(w, {3}, {WeightFormat::F16, 0, DType::F32});
  ASSERT_TRUE(h);
  uint16_t bits[3];
  std::memcpy(bits, h->data, 6);
  EXPECT_EQ(bits[0], 0x3C00);
  EXPECT_EQ(bits[1], 0x3C02);
  EXPECT_EQ(bits[2], 0xC000);
  Expected<WeightEntry> b = encodeWeight({1.0f, -3.0f}, {2}, {WeightFormat::BF16, 0, DType::F32});
  ASSERT_TRUE(b);
  std::memcpy(bits, b->data, 4);
  EXPECT_EQ(bits[0], 0x3F80);
  EXPECT_EQ(bits[1], 0xC040);
}

TEST(EncodeWeight, RejectsBadInput) {
  EXPECT_FALSE(encodeWeight({1, 2, 3}, {2, 2}, kInt8));
  EXPECT_FALSE(encodeWeight({}, {}, kInt8));
  EXPECT_FALSE(encodeWeight({1, 2}, {1, 2}, {WeightFormat::Q8_0, 0, DType::F32}));
  EXPECT_FALSE(encodeWeight({1, 2}, {1, 2}, {WeightFormat::I4, -1, DType::F32}));
  Expected<WeightEntry> bf16Scales =
      encodeWeight({1, 2}, {1, 2}, {WeightFormat::I8, 0, DType::BF16});
  ASSERT_FALSE(bf16Scales);
  EXPECT_NE(bf16Scales.message().find("f32 or f16"), std::string::npos);
}

TEST(RelayoutGguf, Q8BlocksBecomeI8WithTheirScalesBitForBit) {
  // Two blocks of one 64-wide row: scales 0.5 and -0.25 (halves 0x3800,
  // 0xB400), values -16..15 and 15..-16.
  std::vector<uint8_t> file;
  for (int b = 0; b < 2; ++b) {
    uint16_t d = b == 0 ? 0x3800 : 0xB400;
    file.push_back(uint8_t(d & 0xFF));
    file.push_back(uint8_t(d >> 8));
    for (int j = 0; j < 32; ++j)
      file.push_back(uint8_t(int8_t(b == 0 ? j - 16 : 15 - j)));
  }
  WeightEntry q8 = entryOver({1, 64}, WeightFormat::Q8_0, file);
  Expected<WeightEntry> e = relayoutGgufBlocks(q8, "w");
  ASSERT_TRUE(e) << e.message();
  EXPECT_EQ(e->format, WeightFormat::I8);
  EXPECT_EQ(e->groupSize, 32);
  EXPECT_EQ(e->scaleType, DType::F16);
  EXPECT_EQ(f16Scales(*e), (std::vector<uint16_t>{0x3800, 0xB400}));
  for (int j = 0; j < 32; ++j) {
    EXPECT_EQ(int8_t(e->data[j]), j - 16);
    EXPECT_EQ(int8_t(e->data[32 + j]), 15 - j);
  }
  EXPECT_EQ(*decodeWeight(*e, "w"), *decodeWeight(q8, "w"));
  EXPECT_EQ(encodingOf(q8), (TargetEncoding{WeightFormat::I8, 32, DType::F16}));
}

TEST(RelayoutGguf, Q4NibblesBecomeSignedI4InElementOrder) {
  // One block, scale 0.25: byte j holds element j (low nibble, value j - 8)
  // and element j + 16 (high nibble 15 - j, value 7 - j).
  std::vector<uint8_t> file = {0x00, 0x34};
  for (int j = 0; j < 16; ++j)
    file.push_back(uint8_t((j & 0xF) | ((15 - j) << 4)));
  WeightEntry q4 = entryOver({1, 32}, WeightFormat::Q4_0, file);
  Expected<WeightEntry> e = relayoutGgufBlocks(q4, "w");
  ASSERT_TRUE(e) << e.message();
  EXPECT_EQ(e->format, WeightFormat::I4);
  EXPECT_EQ(e->bytes, 16u);
  // Elements 0..15 are -8..7 (nibbles 8..15, 0..7); 16..31 are 7..-8.
  EXPECT_EQ(e->data[0], 0x98);
  EXPECT_EQ(e->data[1], 0xBA);
  EXPECT_EQ(e->data[7], 0x76);
  EXPECT_EQ(e->data[8], 0x67);
  EXPECT_EQ(e->data[15], 0x89);
  EXPECT_EQ(f16Scales(*e), (std::vector<uint16_t>{0x3400}));
  EXPECT_EQ(*decodeWeight(*e, "w"), *decodeWeight(q4, "w"));
}

TEST(RelayoutGguf, RejectsRowsThatAreNotWholeBlocksAndOtherFormats) {
  std::vector<uint8_t> file(34 * 3, 0);
  Expected<WeightEntry> partial =
      relayoutGgufBlocks(entryOver({2, 48}, WeightFormat::Q8_0, file), "w");
  ASSERT_FALSE(partial);
  EXPECT_NE(partial.message().find("not whole q8_0 blocks of 32"), std::string::npos);
  EXPECT_FALSE(relayoutGgufBlocks(entryOver({1, 32}, WeightFormat::F32, file), "w"));
  Expected<WeightEntry> shortData =
      relayoutGgufBlocks(entryOver({4, 32}, WeightFormat::Q8_0, file), "w");
  ASSERT_FALSE(shortData);
  EXPECT_NE(shortData.message().find("fewer bytes"), std::string::npos);
}

TEST(ConvertWeight, SameEncodingSharesTheDataAndOthersAreRecoded) {
  std::vector<float> w = {0.1f, -0.2f, 0.3f, -0.4f};
  Expected<WeightEntry> f32 = encodeWeight(w, {2, 2}, {});
  ASSERT_TRUE(f32);
  Expected<WeightEntry> same = convertWeight(*f32, {}, "w");
  ASSERT_TRUE(same);
  EXPECT_EQ(same->data, f32->data);

  Expected<WeightEntry> half = convertWeight(*f32, {WeightFormat::F16, 0, DType::F32}, "w");
  ASSERT_TRUE(half);
  EXPECT_EQ(half->format, WeightFormat::F16);
  Expected<WeightEntry> back = convertWeight(*half, {}, "w");
  ASSERT_TRUE(back);
  for (size_t i = 0; i < w.size(); ++i)
    EXPECT_EQ((*decodeWeight(*back, "w"))[i], roundToF16(w[i]));

  Expected<WeightEntry> i8 = convertWeight(*half, kInt8, "w");
  ASSERT_TRUE(i8);
  EXPECT_EQ(i8->format, WeightFormat::I8);
  EXPECT_EQ(describe(encodingOf(*i8)), "i8 per-channel, f32 scales");
  EXPECT_EQ(describe({WeightFormat::I4, 32, DType::F16}), "i4 groups of 32, f16 scales");
}

TEST(TransposeWeight, SwapsRowsAndColumns) {
  Expected<WeightEntry> e = encodeWeight({1, 2, 3, 4, 5, 6}, {2, 3}, {});
  ASSERT_TRUE(e);
  Expected<WeightEntry> t = transposeWeight(*e, "w");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->shape, (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(*decodeWeight(*t, "w"), (std::vector<float>{1, 4, 2, 5, 3, 6}));
  EXPECT_FALSE(transposeWeight(*encodeWeight({1, 2}, {2}, {}), "v"));
}

TEST(MeasureError, RelativeRmsAndMaxAbs) {
  QuantError e = measureError({3.0f, 4.0f}, {3.0f, 4.5f});
  EXPECT_DOUBLE_EQ(e.maxAbs, 0.5);
  EXPECT_DOUBLE_EQ(e.relRms, 0.5 / 5.0);
  QuantError zero = measureError({0.0f, 0.0f}, {0.0f, 0.0f});
  EXPECT_EQ(zero.relRms, 0.0);
  EXPECT_EQ(zero.maxAbs, 0.0);
  EXPECT_TRUE(std::isinf(measureError({0.0f}, {1.0f}).relRms));
}
