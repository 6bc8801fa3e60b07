//===- AnalyticShortcutsTest.cpp - The analytic model's shortcuts are exact -===//
//
// Small transfers whose chunks land on distinct pseudo-channels are timed
// from their chunks directly instead of through the general walk, and the
// walk counts a run of whole stripes at once instead of stripe by stripe.
// Both must agree with the plain walk to the last bit: two models see the
// same random sequence of transfers (small and large, reads and writes,
// strided, wrapping at the end of memory, reopening and closing rows), one
// with the shortcuts and one without, on interleaved, hashed and row-major
// mappings under all-bank and per-bank refresh, and every result and every
// pseudo-channel's busy-until must be equal.
//
//===----------------------------------------------------------------------===//

#include "strata/sim/mem/AnalyticModel.h"
#include "strata/sim/mem/BulkPattern.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>

using namespace strata;
using namespace strata::sim::mem;

namespace {

struct Case {
  std::string name;
  HbmConfig hbm;
};

HbmConfig withMapping(HbmConfig h, const char *mapping, const char *refresh) {
  h.addressMapping = mapping;
  h.refresh = refresh;
  return h;
}

/// One stack of one channel: every transfer longer than two chunks meets a
/// pseudo-channel twice, and the row-command bus is shared by both.
HbmConfig oneChannel(const char *mapping) {
  HbmConfig h;
  h.stacks = 1;
  h.channelsPerStack = 1;
  h.capacityBytesPerStack = 64ull << 20;
  h.addressMapping = mapping;
  return h;
}

/// Four pseudo-channels per channel, 512-byte chunks, BL8 (64-byte bursts),
/// a slow row-command bus and a tFAW-bound activation rate.
HbmConfig wideChannels() {
  HbmConfig h;
  h.stacks = 2;
  h.channelsPerStack = 4;
  h.pseudoChannels = 4;
  h.burstLength = 8;
  h.interleaveBytes = 512;
  h.rowBytes = 2048;
  h.capacityBytesPerStack = 1ull << 30;
  h.timing.tACT = 3;
  h.timing.tFAW = 40;
  return h;
}

/// Row-major with 16 KiB rows: a chunk of 512 bursts, too many for the
/// direct path's table of service times (it computes them instead).
HbmConfig longRows() {
  HbmConfig h;
  h.addressMapping = "row-major";
  h.rowBytes = 16384;
  h.capacityBytesPerStack = 1ull << 30;
  return h;
}

std::vector<Case> cases() {
  HbmConfig d;
  return {
      {"interleaved per-bank", withMapping(d, "interleaved", "per-bank")},
      {"interleaved all-bank", withMapping(d, "interleaved", "all-bank")},
      {"hashed per-bank", withMapping(d, "hashed", "per-bank")},
      {"hashed all-bank", withMapping(d, "hashed", "all-bank")},
      {"row-major per-bank", withMapping(d, "row-major", "per-bank")},
      {"row-major all-bank", withMapping(d, "row-major", "all-bank")},
      {"one channel interleaved", oneChannel("interleaved")},
      {"one channel hashed", oneChannel("hashed")},
      {"wide channels", wideChannels()},
      {"wide channels all-bank", withMapping(wideChannels(), "interleaved", "all-bank")},
      {"row-major 16 KiB rows", longRows()},
  };
}

/// A random pattern: mostly small (activations, KV rows and reads), some
/// strided, some at the end of memory, now and then a large one that opens
/// other rows; addresses confined to a few super-blocks so rows are hit
/// again.
BulkPattern randomPattern(std::mt19937_64 &rng, const AddressMapper &m) {
  auto pick = [&](uint64_t n) { return n ? rng() % n : 0; };
  BulkPattern p;
  const uint64_t region = 4 * m.superBlockBytes();
  p.base = pick(region) & ~uint64_t(pick(2) ? 31 : 0);
  switch (pick(10)) {
  case 0: // a large transfer: runs of stripes, now and then super-blocks
    p.size[0] = uint32_t(4096 + pick(pick(4) ? 64 << 10 : 3 << 20));
    break;
  case 1: // strided rows
    p.size[0] = uint32_t(1 + pick(512));
    p.size[1] = uint32_t(1 + pick(6));
    p.stride[0] = p.size[0] + pick(4 * m.chunkBytes() * m.totalPseudoChannels());
    break;
  case 2: // rows and planes
    p.size[0] = uint32_t(1 + pick(128));
    p.size[1] = uint32_t(1 + pick(3));
    p.size[2] = uint32_t(1 + pick(3));
    p.stride[0] = p.size[0] + pick(8 * m.chunkBytes());
    p.stride[1] = p.size[1] * p.stride[0] + pick(m.superBlockBytes());
    break;
  case 3: // across the end of memory
    p.size[0] = uint32_t(1 + pick(3000));
    p.base = m.capacity() - 1 - pick(p.size[0]);
    break;
  default: // contiguous and small
    p.size[0] = uint32_t(1 + pick(pick(3) ? 700 : 4095));
    break;
  }
  return p;
}

void expectSame(const AnalyticModel::Result &a, const AnalyticModel::Result &b,
                const std::string &what) {
  EXPECT_EQ(a.doneCycle, b.doneCycle) << what;
  EXPECT_EQ(a.stackBytes, b.stackBytes) << what;
  EXPECT_EQ(a.stackDone, b.stackDone) << what;
  EXPECT_EQ(a.activity.activates, b.activity.activates) << what;
  EXPECT_EQ(a.activity.precharges, b.activity.precharges) << what;
  EXPECT_EQ(a.activity.refreshes, b.activity.refreshes) << what;
  EXPECT_EQ(a.activity.readBytes, b.activity.readBytes) << what;
  EXPECT_EQ(a.activity.writeBytes, b.activity.writeBytes) << what;
}

} // namespace

TEST(AnalyticShortcuts, EqualsTheGeneralWalkOverRandomTransfers) {
  for (const Case &c : cases()) {
    SCOPED_TRACE(c.name);
    AddressMapper mapper(c.hbm);
    AnalyticModel direct(c.hbm, mapper), general(c.hbm, mapper);
    general.setShortcuts(false);
    std::mt19937_64 rng(12345);
    double cycle = 0;
    const int transfers = 4000;
    for (int i = 0; i < transfers; ++i) {
      const BulkPattern p = randomPattern(rng, mapper);
      const bool write = rng() % 3 == 0;
      // Mostly back to back, sometimes idle long enough for the queues to
      // drain, sometimes at the same cycle as the last.
      cycle += double(rng() % 4 == 0 ? 0 : rng() % (rng() % 8 == 0 ? 5000 : 40)) + 0.25;
      const AnalyticModel::Result a = direct.transfer(p, write, cycle);
      const AnalyticModel::Result &b = general.transfer(p, write, cycle);
      expectSame(a, b,
                 "transfer " + std::to_string(i) + " at " + std::to_string(p.base) + ", " +
                     std::to_string(p.size[0]) + " x " + std::to_string(p.size[1]) + " x " +
                     std::to_string(p.size[2]));
      if (::testing::Test::HasFailure())
        return;
    }
    for (uint32_t pc = 0; pc < mapper.totalPseudoChannels(); ++pc)
      ASSERT_EQ(direct.busyUntil(pc), general.busyUntil(pc)) << "pseudo-channel " << pc;
    // The direct path timed a good share (with two pseudo-channels, only
    // transfers of one or two chunks qualify).
    std::printf("[ figures  ] %s: %llu of %d transfers direct\n", c.name.c_str(),
                (unsigned long long)direct.directTransfers(), transfers);
    EXPECT_GT(direct.directTransfers(), uint64_t(transfers) / 5);
    EXPECT_EQ(general.directTransfers(), 0u);
  }
}

// With one bank per pseudo-channel and one chunk per row, a stripe is a
// super-block of 2 KiB: small transfers that the general walk counts as
// whole stripes or super-blocks (in closed form) are direct transfers too.
TEST(AnalyticShortcuts, EqualsTheWalkOfWholeStripesAndSuperBlocks) {
  for (const char *mapping : {"interleaved", "hashed", "row-major"}) {
    SCOPED_TRACE(mapping);
    HbmConfig h;
    h.stacks = 1;
    h.channelsPerStack = 2;
    h.bankGroups = 1;
    h.banksPerGroup = 1;
    h.rowBytes = 512;
    h.interleaveBytes = 512;
    h.capacityBytesPerStack = 16ull << 20;
    h.addressMapping = mapping;
    ASSERT_TRUE(validateHbmConfig(h));
    AddressMapper mapper(h);
    ASSERT_EQ(mapper.superBlockBytes(), 2048u);
    AnalyticModel direct(h, mapper), general(h, mapper);
    general.setShortcuts(false);
    double cycle = 0;
    for (uint64_t row : {0, 0, 3, 1, 3, 7}) // reopened rows, hits and misses
      for (uint32_t bytes : {2048u, 1024u, 512u, 1536u}) {
        BulkPattern p;
        p.base = row * 2048 + (bytes == 1024 ? 1024 : 0);
        p.size[0] = bytes;
        cycle += 10;
        const AnalyticModel::Result a = direct.transfer(p, bytes == 512, cycle);
        expectSame(a, general.transfer(p, bytes == 512, cycle),
                   std::to_string(bytes) + " bytes at row " + std::to_string(row));
      }
    EXPECT_EQ(direct.directTransfers(), 24u);
    for (uint32_t pc = 0; pc < mapper.totalPseudoChannels(); ++pc)
      EXPECT_EQ(direct.busyUntil(pc), general.busyUntil(pc)) << "pseudo-channel " << pc;
  }
}

// One channel of two pseudo-channels: an aligned 512-byte transfer is a
// whole stripe, which the general walk adds for both at once.
TEST(AnalyticShortcuts, EqualsTheWalkOfWholeStripes) {
  for (const char *mapping : {"interleaved", "hashed"}) {
    SCOPED_TRACE(mapping);
    HbmConfig h = oneChannel(mapping);
    ASSERT_TRUE(validateHbmConfig(h));
    AddressMapper mapper(h);
    ASSERT_EQ(mapper.chunkBytes() * mapper.totalPseudoChannels(), 512u);
    AnalyticModel direct(h, mapper), general(h, mapper);
    general.setShortcuts(false);
    double cycle = 0;
    for (uint64_t stripe : {0, 1, 0, 17, 16, 4096, 1, 40000}) {
      BulkPattern p;
      p.base = stripe * 512;
      p.size[0] = 512;
      cycle += 7;
      const AnalyticModel::Result a = direct.transfer(p, false, cycle);
      expectSame(a, general.transfer(p, false, cycle), "stripe " + std::to_string(stripe));
    }
    EXPECT_EQ(direct.directTransfers(), 8u);
    for (uint32_t pc = 0; pc < mapper.totalPseudoChannels(); ++pc)
      EXPECT_EQ(direct.busyUntil(pc), general.busyUntil(pc)) << "pseudo-channel " << pc;
  }
}

TEST(AnalyticShortcuts, TakesTransfersOnDistinctPseudoChannelsOnly) {
  HbmConfig h; // interleaved, 64 pseudo-channels, 256-byte chunks
  AddressMapper m(h);
  AnalyticModel model(h, m);
  BulkPattern p;
  p.base = 100;
  p.size[0] = 3000; // 12 chunks on 12 pseudo-channels
  model.transfer(p, false, 0);
  EXPECT_EQ(model.directTransfers(), 1u);
  // Two rows one stripe apart: the same pseudo-channel twice.
  p.size[0] = 64;
  p.size[1] = 2;
  p.stride[0] = m.chunkBytes() * m.totalPseudoChannels();
  model.transfer(p, false, 0);
  EXPECT_EQ(model.directTransfers(), 1u);
  // More chunks than the direct path holds, each on its own pseudo-channel.
  p.size[0] = AnalyticModel::kDirectChunks * 256 - 1;
  p.size[1] = 1;
  model.transfer(p, false, 0);
  EXPECT_EQ(model.directTransfers(), 1u);
}
