//===- WeightStoreTest.cpp - Reading every weight format back as f32 ------===//
#include "strata/Compiler/WeightStore.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <unistd.h>

using namespace strata;

namespace {

/// Registers `bytes` as `name` (and `scales` for I8/I4).
void putBytes(WeightStore &store, const std::string &name, std::vector<int64_t> shape,
              WeightFormat format, std::vector<uint8_t> bytes, std::vector<uint8_t> scales = {},
              DType scaleType = DType::F32, int64_t groupSize = 0) {
  auto owned = std::make_shared<std::pair<std::vector<uint8_t>, std::vector<uint8_t>>>(
      std::move(bytes), std::move(scales));
  WeightEntry e;
  e.shape = std::move(shape);
  e.format = format;
  e.data = owned->first.data();
  e.bytes = owned->first.size();
  if (!owned->second.empty()) {
    e.scales = owned->second.data();
    e.scaleBytes = owned->second.size();
  }
  e.scaleType = scaleType;
  e.groupSize = groupSize;
  e.backing = owned;
  store.put(name, std::move(e));
}

template <typename T> std::vector<uint8_t> raw(std::initializer_list<T> values) {
  std::vector<uint8_t> out(values.size() * sizeof(T));
  std::memcpy(out.data(), values.begin(), out.size());
  return out;
}

std::vector<float> read(const WeightStore &store, const std::string &name) {
  Expected<std::vector<float>> v = store.readF32(name);
  EXPECT_TRUE(v) << (v ? "" : v.message());
  return v ? *v : std::vector<float>{};
}

} // namespace

TEST(WeightStoreRead, F32F16AndBf16) {
  WeightStore s;
  putBytes(s, "f32", {2}, WeightFormat::F32, raw<float>({1.5f, -2.25f}));
  // 1, -2, the smallest subnormal 2^-24, the largest finite 65504.
  putBytes(s, "f16", {4}, WeightFormat::F16, raw<uint16_t>({0x3C00, 0xC000, 0x0001, 0x7BFF}));
  putBytes(s, "bf16", {2}, WeightFormat::BF16, raw<uint16_t>({0x3F80, 0xC040}));
  EXPECT_EQ(read(s, "f32"), (std::vector<float>{1.5f, -2.25f}));
  EXPECT_EQ(read(s, "f16"), (std::vector<float>{1.0f, -2.0f, 5.9604644775390625e-8f, 65504.0f}));
  EXPECT_EQ(read(s, "bf16"), (std::vector<float>{1.0f, -3.0f}));
}

TEST(WeightStoreRead, GgufBlocks) {
  WeightStore s;
  std::vector<uint8_t> q8 = {0x00, 0x38}; // d = 0.5
  for (int j = 0; j < 32; ++j)
    q8.push_back(uint8_t(int8_t(j - 16)));
  putBytes(s, "q8", {1, 32}, WeightFormat::Q8_0, q8);
  std::vector<float> v = read(s, "q8");
  ASSERT_EQ(v.size(), 32u);
  EXPECT_EQ(v[0], -8.0f);
  EXPECT_EQ(v[16], 0.0f);
  EXPECT_EQ(v[31], 7.5f);

  std::vector<uint8_t> q4 = {0x00, 0x34}; // d = 0.25
  for (int j = 0; j < 16; ++j)
    q4.push_back(uint8_t(j | ((15 - j) << 4)));
  putBytes(s, "q4", {1, 32}, WeightFormat::Q4_0, q4);
  v = read(s, "q4");
  ASSERT_EQ(v.size(), 32u);
  EXPECT_EQ(v[0], -2.0f);  // (0 - 8) * 0.25
  EXPECT_EQ(v[15], 1.75f); // (15 - 8) * 0.25
  EXPECT_EQ(v[16], 1.75f); // high nibble of byte 0: 15
  EXPECT_EQ(v[31], -2.0f); // high nibble of byte 15: 0
}

TEST(WeightStoreRead, Int8PerChannelAndPerGroup) {
  WeightStore s;
  putBytes(s, "ch", {2, 3}, WeightFormat::I8, raw<int8_t>({1, -2, 127, -128, 0, 3}),
           raw<float>({0.5f, 2.0f}));
  EXPECT_EQ(read(s, "ch"), (std::vector<float>{0.5f, -1.0f, 63.5f, -256.0f, 0.0f, 6.0f}));
  // Rows of 3 in groups of 2 ([0,1] [2]), f16 scales 1, 0.5 | 2, 0.25.
  putBytes(s, "grp", {2, 3}, WeightFormat::I8, raw<int8_t>({1, -2, 4, 3, 5, -8}),
           raw<uint16_t>({0x3C00, 0x3800, 0x4000, 0x3400}), DType::F16, 2);
  EXPECT_EQ(read(s, "grp"), (std::vector<float>{1.0f, -2.0f, 2.0f, 6.0f, 10.0f, -2.0f}));
}

TEST(WeightStoreRead, Int4NibblesLowFirstAndSigned) {
  WeightStore s;
  // Elements 7, -8, -1, 1 | 0 in groups of 4: nibbles 7 8 F 1 0.
  putBytes(s, "i4", {1, 5}, WeightFormat::I4, {0x87, 0x1F, 0x00}, raw<float>({0.5f, 0.25f}),
           DType::F32, 4);
  EXPECT_EQ(read(s, "i4"), (std::vector<float>{3.5f, -4.0f, -0.5f, 0.5f, 0.0f}));
}

TEST(WeightStoreRead, ErrorsNameTheWeight) {
  WeightStore s;
  Expected<std::vector<float>> missing = s.readF32("nope");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.message().find("'nope'"), std::string::npos);

  putBytes(s, "short", {4}, WeightFormat::F32, raw<float>({1.0f}));
  Expected<std::vector<float>> shortData = s.readF32("short");
  ASSERT_FALSE(shortData);
  EXPECT_NE(shortData.message().find("fewer bytes"), std::string::npos);

  putBytes(s, "noscale", {2, 2}, WeightFormat::I8, raw<int8_t>({1, 2, 3, 4}), raw<float>({1.0f}));
  Expected<std::vector<float>> noScale = s.readF32("noscale");
  ASSERT_FALSE(noScale);
  EXPECT_NE(noScale.message().find("missing its scales"), std::string::npos);
}

TEST(WeightStoreRandom, SeededValuesAreDeterministicAndInRange) {
  WeightStore a, b;
  a.putRandom("w", {8, 8}, 42, 0.5);
  b.putRandom("w", {8, 8}, 42, 0.5);
  std::vector<float> va = read(a, "w"), vb = read(b, "w");
  EXPECT_EQ(va, vb);
  for (float x : va) {
    EXPECT_GE(x, -0.5f);
    EXPECT_LE(x, 0.5f);
  }
  b.putRandom("w", {8, 8}, 43, 0.5);
  EXPECT_NE(read(b, "w"), va);
}

TEST(WeightStoreFile, BoundsAndMissingFilesAreErrors) {
  char path[] = "/tmp/strata-weightstore-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  float values[4] = {1, 2, 3, 4};
  ASSERT_EQ(write(fd, values, sizeof values), ssize_t(sizeof values));
  close(fd);

  WeightStore s;
  ASSERT_TRUE(s.putFromFile("w", {2}, WeightFormat::F32, path, 8));
  EXPECT_EQ(read(s, "w"), (std::vector<float>{3.0f, 4.0f}));
  Status past = s.putFromFile("x", {2}, WeightFormat::F32, path, 12);
  ASSERT_FALSE(past);
  EXPECT_NE(past.message().find("extend past the end"), std::string::npos);
  Status none = s.putFromFile("y", {2}, WeightFormat::F32, "/nonexistent/w.bin", 0);
  ASSERT_FALSE(none);
  EXPECT_NE(none.message().find("cannot open weight file"), std::string::npos);
  std::remove(path);
}
