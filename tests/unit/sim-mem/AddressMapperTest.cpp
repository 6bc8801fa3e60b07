//===- AddressMapperTest.cpp - Mappings are bijections with the documented order ===//

#include "strata/sim/mem/AddressMapper.h"

#include "LocationCheck.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <tuple>

using namespace strata;
using namespace strata::sim::mem;

namespace {

HbmConfig small(const char *mapping) {
  return strata::sim::mem::test::smallGeometry(mapping, 3 /* not a power of two on purpose */,
                                               8);
}

} // namespace

class AddressMapping : public ::testing::TestWithParam<const char *> {};

TEST_P(AddressMapping, IsABijectionOverTheWholeSpace) {
  HbmConfig h = small(GetParam());
  ASSERT_TRUE(validateHbmConfig(h).isOk()) << validateHbmConfig(h).message();
  AddressMapper m(h);
  EXPECT_EQ(m.rowsPerBank(), 8u);
  std::set<std::tuple<uint32_t, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t>> seen;
  for (uint64_t a = 0; a < m.capacity(); a += 32) {
    DramLocation l = m.decode(a);
    EXPECT_TRUE(strata::sim::mem::test::inGeometry(h, m, l)) << "address " << a;
    EXPECT_EQ(m.encode(l), a);
    EXPECT_TRUE(seen.insert({l.stack, l.channel, l.pseudoChannel, l.bankGroup, l.bank, l.row,
                             l.column})
                    .second)
        << "address " << a << " collides";
  }
  EXPECT_EQ(seen.size(), m.capacity() / 32);
}

TEST_P(AddressMapping, AdvanceChunkIsDecodeOfTheNextChunk) {
  HbmConfig h = small(GetParam());
  AddressMapper m(h);
  DramLocation l = m.decode(0);
  for (uint64_t a = m.chunkBytes(); a < m.capacity(); a += m.chunkBytes()) {
    m.advanceChunk(l);
    DramLocation want = m.decode(a);
    ASSERT_EQ(m.encode(l), a);
    ASSERT_EQ(l.globalPc, want.globalPc) << a;
    ASSERT_EQ(l.globalChannel, want.globalChannel) << a;
    ASSERT_EQ(l.pcBank, want.pcBank) << a;
    ASSERT_EQ(l.row, want.row) << a;
    ASSERT_EQ(l.column, want.column) << a;
  }
}

// From inside a chunk, the next chunk starts at its first byte.
TEST_P(AddressMapping, AdvanceChunkFromInsideAChunk) {
  HbmConfig h = small(GetParam());
  AddressMapper m(h);
  for (uint64_t a = 0; a + m.chunkBytes() < m.capacity(); a += 7 * m.chunkBytes() + 32) {
    DramLocation l = m.decode(a);
    m.advanceChunk(l);
    const uint64_t next = a - a % m.chunkBytes() + m.chunkBytes();
    ASSERT_EQ(m.encode(l), next) << a;
    DramLocation want = m.decode(next);
    ASSERT_EQ(l.globalPc, want.globalPc) << a;
    ASSERT_EQ(l.globalChannel, want.globalChannel) << a;
    ASSERT_EQ(l.pcBank, want.pcBank) << a;
    ASSERT_EQ(l.column, want.column) << a;
  }
}

TEST_P(AddressMapping, RandomAddressesRoundTripOnTheDefaultGeometry) {
  HbmConfig h;
  h.addressMapping = GetParam();
  AddressMapper m(h);
  std::mt19937_64 rng(7);
  for (int i = 0; i < 100000; ++i) {
    uint64_t a = rng() % m.capacity();
    DramLocation l = m.decode(a);
    ASSERT_EQ(m.encode(l), a);
    ASSERT_EQ(l.globalPc, (l.stack * h.channelsPerStack + l.channel) * h.pseudoChannels +
                              l.pseudoChannel);
  }
}

INSTANTIATE_TEST_SUITE_P(Mappings, AddressMapping,
                         ::testing::Values("interleaved", "row-major"));

TEST(AddressMapping, InterleavedRotatesChunksOverPseudoChannelsThenBanks) {
  HbmConfig h; // 4 stacks x 8 channels x 2 pcs = 64 pseudo-channels, 256 B chunks
  AddressMapper m(h);
  for (uint32_t i = 0; i < 64; ++i) {
    DramLocation l = m.decode(uint64_t(i) * 256 + 17);
    EXPECT_EQ(l.globalPc, i);
    EXPECT_EQ(l.pcBank, 0u);
    EXPECT_EQ(l.row, 0u);
    EXPECT_EQ(l.column, 17u);
  }
  DramLocation next = m.decode(64 * 256);
  EXPECT_EQ(next.globalPc, 0u);
  EXPECT_EQ(next.bankGroup, 1u); // then bank groups ...
  DramLocation sameRow = m.decode(uint64_t(64) * 256 * 16);
  EXPECT_EQ(sameRow.pcBank, 0u); // ... banks, and the next chunk of the row
  EXPECT_EQ(sameRow.row, 0u);
  EXPECT_EQ(sameRow.column, 256u);
  EXPECT_EQ(m.contiguousBytes(100), 156u);
  EXPECT_EQ(m.superBlockBytes(), uint64_t(1024) * 16 * 64);
  EXPECT_EQ(m.decode(m.superBlockBytes()).row, 1u);
}

TEST(AddressMapping, RowMajorFillsARowFirst) {
  HbmConfig h;
  h.addressMapping = "row-major";
  AddressMapper m(h);
  for (uint32_t col = 0; col < h.rowBytes; col += 64) {
    DramLocation l = m.decode(col);
    EXPECT_EQ(l.globalPc, 0u);
    EXPECT_EQ(l.row, 0u);
    EXPECT_EQ(l.column, col);
  }
  EXPECT_EQ(m.decode(h.rowBytes).globalPc, 1u);
  EXPECT_EQ(m.contiguousBytes(100), h.rowBytes - 100);
}

TEST(AddressMapping, InvalidGeometryIsRejectedWithTheFieldName) {
  HbmConfig h;
  h.interleaveBytes = 48;
  Status s = validateHbmConfig(h);
  ASSERT_FALSE(s.isOk());
  EXPECT_NE(s.message().find("hbm.interleaveBytes"), std::string::npos) << s.message();

  h = HbmConfig();
  h.addressMapping = "diagonal";
  s = validateHbmConfig(h);
  ASSERT_FALSE(s.isOk());
  EXPECT_NE(s.message().find("hbm.addressMapping"), std::string::npos);

  h = HbmConfig();
  h.capacityBytesPerStack = 1000;
  EXPECT_FALSE(validateHbmConfig(h).isOk());

  h = HbmConfig();
  h.timing.tREFI = 10;
  s = validateHbmConfig(h);
  ASSERT_FALSE(s.isOk());
  EXPECT_NE(s.message().find("tREFI"), std::string::npos);

  h = HbmConfig();
  h.refresh = "per-row";
  s = validateHbmConfig(h);
  ASSERT_FALSE(s.isOk());
  EXPECT_NE(s.message().find("hbm.refresh is \"per-row\"; expected \"per-bank\" or "
                             "\"all-bank\""),
            std::string::npos)
      << s.message();

  // A REFsb longer than its turn (tREFI / 16 banks = 292 cycles).
  h = HbmConfig();
  h.timing.tRFCsb = 292;
  s = validateHbmConfig(h);
  ASSERT_FALSE(s.isOk());
  EXPECT_NE(s.message().find("hbm.timing.tRFCsb"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("(292 cycles)"), std::string::npos) << s.message();
  h.refresh = "all-bank"; // no REFsb: accepted
  EXPECT_TRUE(validateHbmConfig(h).isOk());
}
