//===- BankRefreshTest.cpp - Per-bank (single-bank) refresh --------------===//
//
// hbm.refresh per-bank: each pseudo-channel refreshes its banks in turn, one
// REFsb every tREFI / banks. Function: the refreshed bank is closed first and
// not activated for tRFCsb while the other banks keep serving; tRREFD holds
// between a REFsb and the next ACT of another bank; every bank is refreshed
// once per tREFI on average. Timing: a stream loses only a few percent to
// per-bank refresh, far less than to all-bank refresh.

#include "MemTestUtil.h"
#include "SystemCTest.h"

#include "strata/sim/mem/HbmStorage.h"
#include "strata/sim/stats/Stats.h"

#include <gtest/gtest.h>

#include <map>

using namespace strata;
using namespace strata::sim;
using namespace strata::sim::mem;
using namespace strata::sim::mem::test;

namespace {

uint32_t pcBank(const HbmConfig &h, const DramCommand &c) {
  return uint32_t(c.bankGroup) * h.banksPerGroup + c.bank;
}

/// A long sequential read stream on pseudo-channel 0: rows in order, each
/// over all 16 banks, so every bank always has work.
void streamPc0(Channel &ch, uint32_t rows) {
  const HbmConfig &h = ch.config.hbm;
  for (uint32_t row = 0; row < rows; ++row)
    for (uint32_t bank = 0; bank < 16; ++bank)
      for (uint32_t col = 0; col < h.rowBytes; col += 256)
        ch.read(ch.at(0, bank % 4, bank / 4, row, col), 256);
}

} // namespace

TEST(BankRefresh, RefreshedBankIsClosedAndIdleForTrfcsbWhileOthersServe) {
  Channel ch(perBank(oneChannelConfig()));
  const HbmConfig &h = ch.config.hbm;
  const HbmTiming &t = h.timing;
  streamPc0(ch, 24);
  ch.drain();
  uint64_t span = ch.log.of(DramCommandKind::Read).back().cycle;
  ASSERT_GT(span, 2 * uint64_t(t.tREFI));

  // Replay the log of pseudo-channel 0, tracking which banks are open.
  std::vector<bool> open(16, false);
  std::vector<uint64_t> lastPre(16, 0);
  std::vector<DramCommand> refs;
  uint64_t servedDuringRefresh = 0;
  for (const DramCommand &c : ch.log.commands) {
    if (c.pseudoChannel != 0)
      continue;
    uint32_t b = pcBank(h, c);
    switch (c.kind) {
    case DramCommandKind::Activate:
      open[b] = true;
      for (const DramCommand &r : refs) {
        uint32_t rb = pcBank(h, r);
        if (rb == b) { // the refreshed bank: not before tRFCsb
          EXPECT_GE(c.cycle, r.cycle + t.tRFCsb) << "ACT of bank " << b;
        } else if (c.cycle > r.cycle) { // another bank: tRREFD after the REFsb
          EXPECT_GE(c.cycle, r.cycle + t.tRREFD) << "ACT of bank " << b;
        }
      }
      break;
    case DramCommandKind::Precharge:
      open[b] = false;
      lastPre[b] = c.cycle;
      break;
    case DramCommandKind::Read:
    case DramCommandKind::Write:
      EXPECT_TRUE(open[b]);
      if (!refs.empty() && c.cycle < refs.back().cycle + t.tRFCsb) {
        EXPECT_NE(b, pcBank(h, refs.back())) << "column command to a refreshing bank";
        ++servedDuringRefresh;
      }
      break;
    case DramCommandKind::Refresh:
      EXPECT_TRUE(c.singleBank);
      EXPECT_FALSE(open[b]) << "REFsb of an open bank " << b;
      if (lastPre[b]) {
        EXPECT_GE(c.cycle, lastPre[b] + t.tRP);
      }
      refs.push_back(c);
      break;
    }
  }
  // Round robin, each REFsb issued once due (after at most closing its bank).
  uint64_t first = ChannelController::firstRefreshDue(h, 0);
  ASSERT_GE(refs.size(), 2 * 16u);
  for (size_t k = 0; k < refs.size(); ++k) {
    EXPECT_EQ(pcBank(h, refs[k]), k % 16) << "REFsb " << k;
    uint64_t due = ChannelController::bankRefreshDue(h, first, k);
    EXPECT_GE(refs[k].cycle, due);
    EXPECT_LE(refs[k].cycle, due + t.tRAS + t.tRP + t.tWR + t.tCL) << "REFsb " << k;
  }
  // The other banks kept the data bus busy during the refreshes: at the
  // stream's rate (one 32 B burst per 2 cycles) nearly every cycle of every
  // tRFCsb carries a burst of another bank.
  EXPECT_GT(double(servedDuringRefresh), 0.8 * double(refs.size()) * t.tRFCsb / 2);
  EXPECT_EQ(ch.controller.counters(0).bankRefreshes, refs.size());
  EXPECT_EQ(ch.controller.counters(0).refreshes, 0u);
}

TEST(BankRefresh, EveryBankOncePerTrefiOnAverage) {
  Channel ch(perBank(oneChannelConfig()));
  const HbmConfig &h = ch.config.hbm;
  uint64_t horizon = 50 * uint64_t(h.timing.tREFI) + 7;
  ch.controller.advance(horizon); // idle: refreshes decided lazily
  EXPECT_EQ(ch.controller.nextCommandCycle(), ChannelController::kNever);
  std::map<std::pair<uint32_t, uint32_t>, uint32_t> refsOf;
  for (const DramCommand &c : ch.log.of(DramCommandKind::Refresh))
    ++refsOf[{c.pseudoChannel, pcBank(h, c)}];
  for (uint32_t pc = 0; pc < 2; ++pc) {
    for (uint32_t b = 0; b < 16; ++b) {
      uint32_t n = refsOf[{pc, b}];
      EXPECT_GE(n, 49u) << "pc " << pc << " bank " << b;
      EXPECT_LE(n, 51u) << "pc " << pc << " bank " << b;
    }
    // Exactly the due cycles below the horizon.
    uint64_t first = ChannelController::firstRefreshDue(h, pc);
    uint64_t due = 0;
    while (ChannelController::bankRefreshDue(h, first, due) < horizon)
      ++due;
    EXPECT_EQ(ch.controller.counters(pc).bankRefreshes, due);
  }
  // 16 REFsb per tREFI, with no drift from rounding tREFI / 16.
  EXPECT_EQ(ChannelController::bankRefreshDue(h, 0, 16 * 1000), 1000 * uint64_t(h.timing.tREFI));

  // The same under load: pseudo-channel 0 streams, still once per tREFI.
  Channel busy(perBank(oneChannelConfig()));
  streamPc0(busy, 24);
  busy.drain();
  uint64_t span = busy.log.of(DramCommandKind::Read).back().cycle;
  double expected = double(span) / h.timing.tREFI * 16;
  EXPECT_NEAR(double(busy.controller.counters(0).bankRefreshes), expected, 2.0);
}

TEST(BankRefresh, RowsReopenAfterTheirBankRefreshes) {
  // A request to the bank whose REFsb is due waits for the refresh; one to
  // any other bank does not.
  Channel ch(perBank(oneChannelConfig()));
  const HbmConfig &h = ch.config.hbm;
  const HbmTiming &t = h.timing;
  uint64_t due = ChannelController::firstRefreshDue(h, 0);
  ASSERT_EQ(ch.controller.refreshBank(0), 0u);
  uint64_t refreshed = ch.read(ch.at(0, 0, 0, 3), 32, due);
  uint64_t other = ch.read(ch.at(0, 1, 0, 3), 32, due);
  ch.drain();
  const ChannelCompletion *a = ch.completions.find(refreshed);
  const ChannelCompletion *b = ch.completions.find(other);
  ASSERT_TRUE(a && b);
  uint32_t bc = h.burstLength / 2;
  uint64_t visible = due + h.frontendCycles;
  EXPECT_DOUBLE_EQ(b->doneCycle, double(visible + t.tRCD + t.tCL + bc));
  auto refs = ch.log.of(DramCommandKind::Refresh);
  ASSERT_FALSE(refs.empty());
  EXPECT_EQ(refs[0].pseudoChannel, 0u);
  EXPECT_EQ(pcBank(h, refs[0]), 0u);
  EXPECT_EQ(refs[0].cycle, due);
  EXPECT_DOUBLE_EQ(a->doneCycle, double(due + t.tRFCsb + t.tRCD + t.tCL + bc));
  EXPECT_EQ(ch.controller.refreshBank(0), 1u);
}

class BankRefreshSystem : public strata::test::SystemCTest {};

TEST_F(BankRefreshSystem, StatsAndListenerCountEachKindApart) {
  ArchConfig c = perBank(oneChannelConfig());
  HbmStorage storage(c.hbm.totalCapacityBytes());
  StatGroup stats("chip");
  MemorySystem mem("mem", c, storage, stats);
  CommandLog log;
  mem.setListener(&log);
  sc_core::sc_start(sc_core::sc_time(20 * c.hbm.timing.tREFI, sc_core::SC_NS));
  mem.finalizeStats();
  double bank = -1, all = -1, pcBank0 = -1;
  ASSERT_TRUE(stats.lookup("hbm.stack0.ch0.bankRefreshes", bank));
  ASSERT_TRUE(stats.lookup("hbm.stack0.ch0.refreshes", all));
  ASSERT_TRUE(stats.lookup("hbm.stack0.ch0.pc0.bankRefreshes", pcBank0));
  EXPECT_EQ(all, 0);
  auto refs = log.of(DramCommandKind::Refresh);
  EXPECT_EQ(bank, double(refs.size()));
  for (const DramCommand &r : refs)
    EXPECT_TRUE(r.singleBank);
  // 20 tREFI of nanoseconds is more than 20 tREFI of cycles (tCK < 1 ns):
  // at least 16 REFsb per tREFI on each of the two pseudo-channels.
  EXPECT_GE(pcBank0, 16 * 20.0);
  EXPECT_GE(bank, 2 * 16 * 20.0);
}

class BankRefreshBandwidth : public strata::test::SystemCTest {};

namespace {

double streamGBps(const ArchConfig &c) {
  HbmStorage storage(c.hbm.totalCapacityBytes());
  StatGroup stats("chip");
  MemorySystem mem("mem", c, storage, stats);
  uint64_t bytes = 8 << 20;
  TrafficGen gen("gen", mem, {sequential(0, bytes, 256)}, 1024);
  sc_core::sc_start();
  EXPECT_EQ(gen.errors, 0u);
  return double(bytes) / gen.finish();
}

} // namespace

// The 8 MiB sequential stream of HbmBandwidth on one stack: per-bank refresh
// costs it about its bank share tRFCsb / tREFI (4.1%), all-bank refresh
// about twice tRFC / tREFI (2 x 11.5%, docs/simulator-memory.md).
TEST_F(BankRefreshBandwidth, StreamStaysNearTheNoRefreshBandwidth) {
  ArchConfig none = oneStackConfig();
  none.hbm.timing.tREFI = 100000000;
  double noRefresh = streamGBps(none);
  strata::test::freshSimContext();
  double perBankGBps = streamGBps(perBank(oneStackConfig()));
  strata::test::freshSimContext();
  double allBankGBps = streamGBps(allBank(oneStackConfig()));
  std::printf("[ figures  ] sequential 256 B, one stack: no refresh %.1f GB/s, per-bank %.1f "
              "(%.1f%%), all-bank %.1f (%.1f%%)\n",
              noRefresh, perBankGBps, 100 * perBankGBps / noRefresh, allBankGBps,
              100 * allBankGBps / noRefresh);
  EXPECT_GE(perBankGBps, 0.95 * noRefresh);
  EXPECT_LE(perBankGBps, noRefresh);
  EXPECT_GT(perBankGBps, 1.1 * allBankGBps);
}
