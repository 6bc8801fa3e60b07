//===- HashedMappingTest.cpp - The XOR-hashed address mapping's properties ===//
//
// "hashed" permutes the pseudo-channel and bank indices of the interleaved
// mapping. These tests check what the memory models rely on: it is a
// bijection, advanceChunk steps it like decode, every aligned stripe covers
// every pseudo-channel once at one bank/row/column, and every super-block
// every bank of every pseudo-channel with one whole row (AnalyticModel's
// addStripe and addSuperBlocks); and that it does what it is for: rows of a
// tile 8 KiB apart spread over every pseudo-channel.

#include "strata/sim/mem/AddressMapper.h"

#include "LocationCheck.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <tuple>

using namespace strata;
using namespace strata::sim::mem;

namespace {

/// 2 stacks x 2 channels x 2 pcs (8 pseudo-channels, 3 bits), 2 x 2 banks,
/// 4 chunks of 64 B per row and 64 rows: the row digit folds over several
/// pseudo-channel-wide fields.
HbmConfig smallHashed() { return strata::sim::mem::test::smallGeometry("hashed", 2, 64); }

HbmConfig defaultHashed() {
  HbmConfig h;
  h.addressMapping = "hashed";
  return h;
}

using Place = std::tuple<uint32_t, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t>;
Place place(const DramLocation &l) {
  return {l.stack, l.channel, l.pseudoChannel, l.bankGroup, l.bank, l.row, l.column};
}

} // namespace

TEST(HashedMapping, IsABijectionOverTheWholeSpace) {
  HbmConfig h = smallHashed();
  ASSERT_TRUE(validateHbmConfig(h).isOk()) << validateHbmConfig(h).message();
  AddressMapper m(h);
  ASSERT_TRUE(m.hashed());
  ASSERT_TRUE(m.interleaved());
  EXPECT_EQ(m.rowsPerBank(), 64u);
  std::set<Place> seen;
  uint64_t moved = 0; // chunks the hash put elsewhere than interleaved would
  HbmConfig plain = h;
  plain.addressMapping = "interleaved";
  AddressMapper unhashed(plain);
  for (uint64_t a = 0; a < m.capacity(); a += 16) {
    DramLocation l = m.decode(a);
    ASSERT_TRUE(strata::sim::mem::test::inGeometry(h, m, l)) << "address " << a;
    ASSERT_EQ(m.encode(l), a);
    ASSERT_TRUE(seen.insert(place(l)).second) << "address " << a << " collides";
    DramLocation u = unhashed.decode(a);
    // Only the pseudo-channel and bank move; row and column are interleaved's.
    ASSERT_EQ(l.row, u.row) << a;
    ASSERT_EQ(l.column, u.column) << a;
    moved += place(l) != place(u);
  }
  EXPECT_EQ(seen.size(), m.capacity() / 16);
  EXPECT_GT(moved, seen.size() / 2); // the hash is not the identity
}

TEST(HashedMapping, AdvanceChunkIsDecodeOfTheNextChunk) {
  HbmConfig h = smallHashed();
  AddressMapper m(h);
  DramLocation l = m.decode(0);
  for (uint64_t a = m.chunkBytes(); a < m.capacity(); a += m.chunkBytes()) {
    m.advanceChunk(l);
    DramLocation want = m.decode(a);
    ASSERT_EQ(place(l), place(want)) << a;
    ASSERT_EQ(l.globalPc, want.globalPc) << a;
    ASSERT_EQ(l.globalChannel, want.globalChannel) << a;
    ASSERT_EQ(l.pcBank, want.pcBank) << a;
  }
}

TEST(HashedMapping, DefaultGeometryRoundTripsAndAdvancesAtRandomAddresses) {
  HbmConfig h = defaultHashed();
  ASSERT_TRUE(validateHbmConfig(h).isOk());
  AddressMapper m(h);
  std::mt19937_64 rng(11);
  for (int i = 0; i < 100000; ++i) {
    uint64_t a = rng() % m.capacity();
    DramLocation l = m.decode(a);
    ASSERT_EQ(m.encode(l), a);
    uint64_t next = a - a % m.chunkBytes() + m.chunkBytes();
    if (next >= m.capacity())
      continue;
    m.advanceChunk(l);
    ASSERT_EQ(place(l), place(m.decode(next))) << a;
    ASSERT_EQ(l.globalPc, m.decode(next).globalPc) << a;
  }
}

TEST(HashedMapping, EveryStripeCoversEveryPseudoChannelOnceAtOneBankRowAndColumn) {
  for (const HbmConfig &h : {smallHashed(), defaultHashed()}) {
    AddressMapper m(h);
    const uint64_t stripe = m.chunkBytes() * m.totalPseudoChannels();
    // Every stripe of the small space; on the default one stripes spread
    // over its 64 GiB (rows far apart fold many row bits into the hash).
    uint64_t step = h.stacks == 2 ? stripe : stripe * 7919;
    for (uint64_t s = 0; s < m.capacity(); s += step) {
      DramLocation first = m.decode(s);
      std::set<uint32_t> pcs;
      for (uint64_t a = s; a < s + stripe; a += m.chunkBytes()) {
        DramLocation l = m.decode(a);
        pcs.insert(l.globalPc);
        ASSERT_EQ(l.pcBank, first.pcBank) << a;
        ASSERT_EQ(l.bankGroup, first.bankGroup) << a;
        ASSERT_EQ(l.row, first.row) << a;
        ASSERT_EQ(l.column, first.column) << a;
      }
      ASSERT_EQ(pcs.size(), m.totalPseudoChannels()) << "stripe at " << s;
    }
  }
}

TEST(HashedMapping, EverySuperBlockHoldsOneWholeRowOfEveryBankOfEveryPseudoChannel) {
  for (const HbmConfig &h : {smallHashed(), defaultHashed()}) {
    AddressMapper m(h);
    const uint64_t super = m.superBlockBytes();
    const uint32_t chunksPerRow = uint32_t(h.rowBytes / m.chunkBytes());
    uint64_t step = h.stacks == 2 ? super : super * 997;
    for (uint64_t s = 0; s < m.capacity(); s += step) {
      // (pc, bank) -> the chunks of the row it got
      std::map<std::pair<uint32_t, uint32_t>, std::set<uint32_t>> got;
      for (uint64_t a = s; a < s + super; a += m.chunkBytes()) {
        DramLocation l = m.decode(a);
        ASSERT_EQ(l.row, s / super) << a;
        std::set<uint32_t> &columns = got[std::make_pair(l.globalPc, l.pcBank)];
        ASSERT_TRUE(columns.insert(l.column).second) << a;
      }
      ASSERT_EQ(got.size(), size_t(m.totalPseudoChannels()) * m.banksPerPseudoChannel());
      for (const auto &[where, columns] : got)
        ASSERT_EQ(columns.size(), chunksPerRow) << "pc " << where.first << " bank "
                                                << where.second;
    }
  }
}

// A weight tile of 256 rows x 2 KiB with rows 8 KiB apart (K = 4,096 at f16)
// on the default 64 pseudo-channels: interleaving puts every row on one of
// two 8-channel groups (16 pseudo-channels, two stacks); the hash spreads the
// tile evenly over all 64.
TEST(HashedMapping, EightKiBStrideTileSpreadsOverEveryPseudoChannel) {
  auto spread = [](const char *mapping, uint64_t base) {
    HbmConfig h;
    h.addressMapping = mapping;
    AddressMapper m(h);
    std::map<uint32_t, uint32_t> chunks; // pc -> chunks of the tile
    for (uint64_t row = 0; row < 256; ++row)
      for (uint64_t c = 0; c < 2048; c += 256)
        ++chunks[m.decode(base + row * 8192 + c).globalPc];
    return chunks;
  };
  for (uint64_t base : {uint64_t(0), uint64_t(3) << 30, (uint64_t(5) << 30) + (1 << 20)}) {
    std::map<uint32_t, uint32_t> plain = spread("interleaved", base);
    EXPECT_EQ(plain.size(), 16u) << base;
    std::map<uint32_t, uint32_t> hashed = spread("hashed", base);
    ASSERT_EQ(hashed.size(), 64u) << base;
    for (const auto &[pc, n] : hashed)
      EXPECT_EQ(n, 256u * 8 / 64) << "pc " << pc << " base " << base;
  }
}

TEST(HashedMapping, NonPowerOfTwoCountsAreRejectedNamingTheKey) {
  HbmConfig h = defaultHashed();
  h.stacks = 3; // 48 pseudo-channels
  Status s = validateHbmConfig(h);
  ASSERT_FALSE(s.isOk());
  EXPECT_NE(s.message().find("hbm.addressMapping is \"hashed\""), std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("(48)"), std::string::npos) << s.message();
  h.addressMapping = "interleaved";
  EXPECT_TRUE(validateHbmConfig(h).isOk());

  h = defaultHashed();
  h.banksPerGroup = 3; // 12 banks per pseudo-channel
  h.capacityBytesPerStack = uint64_t(8) * 2 * 12 * 1024 * 1024;
  s = validateHbmConfig(h);
  ASSERT_FALSE(s.isOk());
  EXPECT_NE(s.message().find("banks per pseudo-channel (12)"), std::string::npos)
      << s.message();

  h = defaultHashed();
  h.interleaveBytes = 48; // the interleave checks apply to hashed too
  s = validateHbmConfig(h);
  ASSERT_FALSE(s.isOk());
  EXPECT_NE(s.message().find("hbm.interleaveBytes"), std::string::npos) << s.message();
}

// The bit equations docs/simulator-memory.md gives for the default chip
// (64 pseudo-channels, 16 banks, 256 B chunks, 1 KiB rows, 64 GiB).
TEST(HashedMapping, DefaultChipBitsAreTheDocumentedXors) {
  AddressMapper m(defaultHashed());
  auto bit = [](uint64_t a, int i) { return uint32_t(a >> i) & 1; };
  std::mt19937_64 rng(5);
  for (int n = 0; n < 20000; ++n) {
    uint64_t a = rng() % m.capacity();
    uint32_t pc[6] = {
        bit(a, 8) ^ bit(a, 14) ^ bit(a, 20) ^ bit(a, 26) ^ bit(a, 32),
        bit(a, 9) ^ bit(a, 15) ^ bit(a, 21) ^ bit(a, 27) ^ bit(a, 33),
        bit(a, 10) ^ bit(a, 16) ^ bit(a, 14) ^ bit(a, 22) ^ bit(a, 28) ^ bit(a, 34),
        bit(a, 11) ^ bit(a, 17) ^ bit(a, 15) ^ bit(a, 23) ^ bit(a, 29) ^ bit(a, 35),
        bit(a, 12) ^ bit(a, 16) ^ bit(a, 24) ^ bit(a, 30),
        bit(a, 13) ^ bit(a, 17) ^ bit(a, 25) ^ bit(a, 31),
    };
    uint32_t wantPc = 0, wantBank = 0;
    for (int k = 0; k < 6; ++k)
      wantPc |= pc[k] << k;
    for (int k = 0; k < 4; ++k)
      wantBank |= (bit(a, 14 + k) ^ bit(a, 20 + k) ^ bit(a, 24 + k) ^ bit(a, 28 + k) ^
                   bit(a, 32 + k))
                  << k;
    DramLocation l = m.decode(a);
    ASSERT_EQ(l.globalPc, wantPc) << a;
    ASSERT_EQ(l.bankGroup, wantBank & 3) << a; // bank group = the bank digit's low 2 bits
    ASSERT_EQ(l.bank, wantBank >> 2) << a;
    ASSERT_EQ(l.row, a >> 20) << a;
    ASSERT_EQ(l.column, (a >> 18 & 3) * 256 + a % 256) << a;
  }
}
