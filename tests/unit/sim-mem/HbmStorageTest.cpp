//===- HbmStorageTest.cpp - Sparse store, zero-copy mapping, copy-on-write --===//

#include "strata/sim/mem/HbmStorage.h"

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

using namespace strata;
using namespace strata::sim::mem;

TEST(HbmStorage, HugeCapacityCostsNothingUntilWritten) {
  HbmStorage s(64ull << 30);
  EXPECT_EQ(s.residentBytes(), 0u);
  uint8_t buf[16] = {1, 2, 3};
  ASSERT_TRUE(s.read((64ull << 30) - 16, buf, 16).isOk());
  for (uint8_t b : buf)
    EXPECT_EQ(b, 0);
  ASSERT_TRUE(s.write(40ull << 30, "hello", 5).isOk());
  EXPECT_EQ(s.residentBytes(), HbmStorage::kPageBytes);
  char out[6] = {};
  ASSERT_TRUE(s.read(40ull << 30, out, 5).isOk());
  EXPECT_STREQ(out, "hello");
}

TEST(HbmStorage, OutOfRangeIsAnErrorNamingTheRange) {
  HbmStorage s(1 << 20);
  uint8_t b[8];
  Status st = s.read((1 << 20) - 4, b, 8);
  ASSERT_FALSE(st.isOk());
  EXPECT_NE(st.message().find("0xffffc"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("1048576"), std::string::npos) << st.message();
  EXPECT_FALSE(s.write(UINT64_MAX - 2, b, 8).isOk()); // no wrap-around
  EXPECT_FALSE(s.copy(0, (1 << 20) - 2, 4).isOk());
  EXPECT_FALSE(s.fill(1 << 20, 0, 1).isOk());
  EXPECT_TRUE(s.read(1 << 20, b, 0).isOk()); // empty range at the end
  uint32_t size[3] = {16, 4, 2};
  uint64_t stride[2] = {1 << 18, 1 << 19};
  uint64_t host[2] = {16, 64};
  std::vector<uint8_t> h(128);
  EXPECT_FALSE(s.readStrided(1 << 10, size, stride, h.data(), host).isOk());
}

TEST(HbmStorage, AccessesSpanningPagesRoundTrip) {
  HbmStorage s(16 << 20);
  std::vector<uint8_t> data(3 * HbmStorage::kPageBytes + 123);
  std::iota(data.begin(), data.end(), 0);
  uint64_t at = HbmStorage::kPageBytes - 77;
  ASSERT_TRUE(s.write(at, data.data(), data.size()).isOk());
  std::vector<uint8_t> back(data.size());
  ASSERT_TRUE(s.read(at, back.data(), back.size()).isOk());
  EXPECT_EQ(back, data);
}

TEST(HbmStorage, MappedBuffersAreZeroCopyAndCopiedOnWrite) {
  const uint64_t P = HbmStorage::kPageBytes;
  std::vector<uint8_t> file(4 * P);
  for (size_t i = 0; i < file.size(); ++i)
    file[i] = uint8_t(i * 7);
  const std::vector<uint8_t> original = file;
  HbmStorage s(64 << 20);
  // Aligned: every page refers to the buffer.
  ASSERT_TRUE(s.mapReadOnly(8 * P, file.data(), file.size()).isOk());
  EXPECT_EQ(s.residentBytes(), 0u);
  EXPECT_EQ(s.mappedPages(), 4u);
  EXPECT_EQ(s.pageForRead(9 * P), file.data() + P); // no copy
  uint8_t b[4];
  ASSERT_TRUE(s.read(8 * P + 5, b, 4).isOk());
  EXPECT_EQ(b[0], original[5]);

  // Writing copies just that page; the buffer stays untouched.
  ASSERT_TRUE(s.write(9 * P + 10, "zz", 2).isOk());
  EXPECT_EQ(file, original);
  EXPECT_EQ(s.mappedPages(), 3u);
  EXPECT_EQ(s.residentBytes(), P);
  EXPECT_NE(s.pageForRead(9 * P), file.data() + P);
  ASSERT_TRUE(s.read(9 * P + 9, b, 4).isOk());
  EXPECT_EQ(b[0], original[P + 9]);
  EXPECT_EQ(b[1], 'z');
  EXPECT_EQ(b[2], 'z');
  EXPECT_EQ(b[3], original[P + 12]);

  // Unaligned ends are copied, the whole pages in between are mapped.
  HbmStorage u(64 << 20);
  ASSERT_TRUE(u.mapReadOnly(P / 2, file.data(), 3 * P).isOk());
  EXPECT_EQ(u.mappedPages(), 2u);
  std::vector<uint8_t> back(3 * P);
  ASSERT_TRUE(u.read(P / 2, back.data(), back.size()).isOk());
  EXPECT_TRUE(std::equal(back.begin(), back.end(), original.begin()));
  EXPECT_FALSE(u.mapReadOnly(0, nullptr, 10).isOk());
}

TEST(HbmStorage, OverlappingCopyHasMemmoveSemantics) {
  HbmStorage s(16 << 20);
  std::vector<uint8_t> data(200000);
  std::iota(data.begin(), data.end(), 0);
  ASSERT_TRUE(s.write(1000, data.data(), data.size()).isOk());
  ASSERT_TRUE(s.copy(1000 + 70000, 1000, data.size()).isOk()); // forward overlap
  std::vector<uint8_t> back(data.size());
  ASSERT_TRUE(s.read(1000 + 70000, back.data(), back.size()).isOk());
  EXPECT_EQ(back, data);
  ASSERT_TRUE(s.copy(1000, 1000 + 70000, data.size()).isOk()); // backward overlap
  ASSERT_TRUE(s.read(1000, back.data(), back.size()).isOk());
  EXPECT_EQ(back, data);
  // Copying never-written bytes onto written ones zeroes them.
  ASSERT_TRUE(s.copy(1000, 8 << 20, 10).isOk());
  ASSERT_TRUE(s.read(1000, back.data(), 10).isOk());
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(back[i], 0);
}

TEST(HbmStorage, StridedTransfersMatchTheDescriptor) {
  HbmStorage s(16 << 20);
  uint32_t size[3] = {48, 5, 3};
  uint64_t stride[2] = {1000, 70000}; // rows straddle page boundaries
  uint64_t host[2] = {48, 48 * 5};
  std::vector<uint8_t> in(48 * 5 * 3);
  std::iota(in.begin(), in.end(), 1);
  ASSERT_TRUE(s.writeStrided(60000, size, stride, in.data(), host).isOk());
  uint8_t b;
  ASSERT_TRUE(s.read(60000 + 2 * 1000 + 70000 + 7, &b, 1).isOk());
  EXPECT_EQ(b, in[(1 * 5 + 2) * 48 + 7]);
  std::vector<uint8_t> out(in.size());
  ASSERT_TRUE(s.readStrided(60000, size, stride, out.data(), host).isOk());
  EXPECT_EQ(out, in);
  ASSERT_TRUE(s.fill(60000, 0, 200000).isOk());
  ASSERT_TRUE(s.readStrided(60000, size, stride, out.data(), host).isOk());
  EXPECT_EQ(out, std::vector<uint8_t>(in.size(), 0));
}
