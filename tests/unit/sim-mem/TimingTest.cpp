//===- TimingTest.cpp - Each JEDEC constraint, measured from command cycles ===//
//
// A bare channel controller with a command recorder; the expected cycles are
// computed from the config's timing in the test.

#include "MemTestUtil.h"

#include <gtest/gtest.h>

#include <algorithm>

using namespace strata;
using namespace strata::sim::mem;
using namespace strata::sim::mem::test;

namespace {

uint64_t firstOf(const CommandLog &log, DramCommandKind kind, uint32_t pc, uint32_t group,
                 uint32_t bank, size_t nth = 0) {
  size_t seen = 0;
  for (const DramCommand &c : log.commands)
    if (c.kind == kind && c.pseudoChannel == pc && c.bankGroup == group && c.bank == bank &&
        seen++ == nth)
      return c.cycle;
  ADD_FAILURE() << "no " << dramCommandName(kind) << " #" << nth << " on pc" << pc << " g"
                << group << " b" << bank;
  return 0;
}

} // namespace

TEST(HbmTiming, SameBankActivatesRespectTrc) {
  Channel ch(oneChannelConfig());
  const HbmTiming &t = ch.config.hbm.timing;
  for (uint32_t row = 0; row < 3; ++row)
    ch.read(ch.at(0, 0, 0, row), 32);
  ch.drain();
  auto acts = ch.log.of(DramCommandKind::Activate);
  ASSERT_EQ(acts.size(), 3u);
  // The first ACT waits for the front end; each later one for the row cycle:
  // ACT -> RD (tRCD) -> PRE (tRAS after ACT, tRTP after RD) -> ACT (tRP), and tRC.
  uint64_t rowCycle = std::max<uint64_t>(
      {t.tRC, t.tRAS + t.tRP, uint64_t(t.tRCD) + t.tRTP + t.tRP});
  EXPECT_EQ(acts[0].cycle, ch.config.hbm.frontendCycles);
  for (size_t i = 1; i < acts.size(); ++i) {
    EXPECT_GE(acts[i].cycle - acts[i - 1].cycle, t.tRC);
    EXPECT_EQ(acts[i].cycle - acts[i - 1].cycle, rowCycle);
  }
  // ACT -> RD is tRCD; PRE -> ACT is tRP.
  auto rds = ch.log.of(DramCommandKind::Read);
  auto pres = ch.log.of(DramCommandKind::Precharge);
  ASSERT_EQ(rds.size(), 3u);
  ASSERT_EQ(pres.size(), 2u);
  for (size_t i = 0; i < 3; ++i)
    EXPECT_EQ(rds[i].cycle - acts[i].cycle, t.tRCD);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(acts[i + 1].cycle - pres[i].cycle, t.tRP);
    EXPECT_GE(pres[i].cycle - acts[i].cycle, t.tRAS);
  }
}

TEST(HbmTiming, ActivatesToOtherBanksRespectTrrdShortAndLong) {
  Channel ch(oneChannelConfig());
  const HbmTiming &t = ch.config.hbm.timing;
  ch.read(ch.at(0, 0, 0, 5), 32);
  ch.read(ch.at(0, 0, 1, 5), 32); // same group
  ch.drain();
  uint64_t a = firstOf(ch.log, DramCommandKind::Activate, 0, 0, 0);
  uint64_t b = firstOf(ch.log, DramCommandKind::Activate, 0, 0, 1);
  EXPECT_EQ(b - a, t.tRRD_L);

  Channel ch2(oneChannelConfig());
  ch2.read(ch2.at(0, 0, 0, 5), 32);
  ch2.read(ch2.at(0, 1, 0, 5), 32); // other group
  ch2.drain();
  a = firstOf(ch2.log, DramCommandKind::Activate, 0, 0, 0);
  b = firstOf(ch2.log, DramCommandKind::Activate, 0, 1, 0);
  EXPECT_EQ(b - a, std::max(t.tRRD_S, t.tACT));
}

TEST(HbmTiming, FourActivateWindowLimitsTheFifth) {
  ArchConfig c = oneChannelConfig();
  c.hbm.timing.tFAW = 40; // binding: 4 x tRRD_S = 20 < 40
  Channel ch(c);
  const HbmTiming &t = c.hbm.timing;
  // Eight banks, rotating over the four groups so tRRD_S applies.
  for (uint32_t i = 0; i < 8; ++i)
    ch.read(ch.at(0, i % 4, i / 4, 1), 32);
  ch.drain();
  auto acts = ch.log.of(DramCommandKind::Activate);
  ASSERT_EQ(acts.size(), 8u);
  for (size_t i = 4; i < acts.size(); ++i)
    EXPECT_GE(acts[i].cycle - acts[i - 4].cycle, t.tFAW) << "ACT " << i;
  // ACTs 0..3 go tRRD_S apart, ACT 4 waits for the window: exactly tFAW after ACT 0.
  for (size_t i = 1; i < 4; ++i)
    EXPECT_EQ(acts[i].cycle - acts[i - 1].cycle, t.tRRD_S);
  EXPECT_EQ(acts[4].cycle - acts[0].cycle, t.tFAW);

  // The window counts per pseudo-channel: the other one is not held back.
  Channel ch2(c);
  for (uint32_t i = 0; i < 4; ++i)
    ch2.read(ch2.at(0, i, 0, 1), 32);
  ch2.read(ch2.at(1, 0, 0, 1), 32);
  ch2.drain();
  auto acts2 = ch2.log.of(DramCommandKind::Activate);
  ASSERT_EQ(acts2.size(), 5u);
  EXPECT_LT(acts2.back().cycle - acts2.front().cycle, t.tFAW);
}

TEST(HbmTiming, ColumnSpacingShortAcrossGroupsLongWithin) {
  Channel ch(oneChannelConfig());
  const HbmTiming &t = ch.config.hbm.timing;
  uint32_t bc = ch.config.hbm.burstLength / 2;
  // Two 128-byte reads (4 bursts each) to banks of different groups.
  ch.read(ch.at(0, 0, 0, 3), 128);
  ch.read(ch.at(0, 1, 0, 3), 128);
  ch.drain();
  auto rds = ch.log.of(DramCommandKind::Read);
  ASSERT_EQ(rds.size(), 8u);
  uint64_t minOther = UINT64_MAX, minSame = UINT64_MAX;
  for (size_t i = 0; i < rds.size(); ++i)
    for (size_t j = i + 1; j < rds.size(); ++j) {
      uint64_t d = rds[j].cycle - rds[i].cycle;
      if (rds[i].bankGroup == rds[j].bankGroup)
        minSame = std::min(minSame, d);
      else
        minOther = std::min(minOther, d);
    }
  EXPECT_EQ(minSame, std::max(t.tCCD_L, bc));
  EXPECT_EQ(minOther, std::max(t.tCCD_S, bc));
  // The two groups interleave: both requests finish sooner than one group
  // could issue all eight bursts.
  EXPECT_LT(rds.back().cycle - rds.front().cycle, 7 * std::max(t.tCCD_L, bc));
}

TEST(HbmTiming, ReadWriteTurnarounds) {
  const ArchConfig c = oneChannelConfig();
  const HbmTiming &t = c.hbm.timing;
  uint32_t bc = c.hbm.burstLength / 2;
  {
    Channel ch(c);
    ch.read(ch.at(0, 0, 0, 2), 32);
    ch.write(ch.at(0, 1, 0, 2), 32);
    ch.drain();
    uint64_t rd = ch.log.of(DramCommandKind::Read).at(0).cycle;
    uint64_t wr = ch.log.of(DramCommandKind::Write).at(0).cycle;
    // Write data (tWL after WR) may start one cycle after the read data ends.
    uint64_t rtw = std::max<uint64_t>(std::max(t.tCCD_S, bc), t.tCL + bc + 1 - t.tWL);
    EXPECT_EQ(wr - rd, rtw);
  }
  {
    Channel ch(c);
    ch.write(ch.at(0, 0, 0, 2), 32);
    ch.read(ch.at(0, 1, 0, 2), 32);
    ch.drain();
    uint64_t wr = ch.log.of(DramCommandKind::Write).at(0).cycle;
    uint64_t rd = ch.log.of(DramCommandKind::Read).at(0).cycle;
    EXPECT_EQ(rd - wr, uint64_t(t.tWL) + bc + t.tWTR);
  }
  {
    // Write recovery: WR -> PRE of the same bank is tWL + BC + tWR.
    Channel ch(c);
    ch.write(ch.at(0, 0, 0, 2), 32);
    ch.read(ch.at(0, 0, 0, 9), 32);
    ch.drain();
    uint64_t wr = ch.log.of(DramCommandKind::Write).at(0).cycle;
    uint64_t pre = ch.log.of(DramCommandKind::Precharge).at(0).cycle;
    uint64_t act = ch.log.of(DramCommandKind::Activate).at(0).cycle;
    EXPECT_EQ(pre - wr, std::max<uint64_t>(uint64_t(t.tWL) + bc + t.tWR, act + t.tRAS - wr));
  }
}

TEST(HbmTiming, RowCommandBusIsSharedByThePseudoChannels) {
  ArchConfig c = oneChannelConfig();
  c.hbm.timing.tACT = 3;
  Channel ch(c);
  ch.read(ch.at(0, 0, 0, 1), 32);
  ch.read(ch.at(1, 0, 0, 1), 32);
  ch.drain();
  auto acts = ch.log.of(DramCommandKind::Activate);
  ASSERT_EQ(acts.size(), 2u);
  EXPECT_NE(acts[0].pseudoChannel, acts[1].pseudoChannel);
  // Different pseudo-channels have no tRRD between them; the bus does.
  EXPECT_EQ(acts[1].cycle - acts[0].cycle, 3u);
}

TEST(HbmTiming, RowHitMissConflictClassification) {
  Channel ch(oneChannelConfig());
  uint64_t a = ch.read(ch.at(0, 2, 1, 7), 64);  // bank closed: miss
  uint64_t b = ch.read(ch.at(0, 2, 1, 7, 256), 64); // same row: hit
  uint64_t c = ch.read(ch.at(0, 2, 1, 8), 64);  // other row: conflict
  ch.drain();
  ASSERT_EQ(ch.completions.done.size(), 3u);
  EXPECT_EQ(ch.completions.find(a)->outcome, RowOutcome::Miss);
  EXPECT_EQ(ch.completions.find(b)->outcome, RowOutcome::Hit);
  EXPECT_EQ(ch.completions.find(c)->outcome, RowOutcome::Conflict);
  const PcCounters &k = ch.controller.counters(0);
  EXPECT_EQ(k.hits, 1u);
  EXPECT_EQ(k.misses, 1u);
  EXPECT_EQ(k.conflicts, 1u);
  EXPECT_EQ(k.activates, 2u);
  EXPECT_EQ(k.readBytes, 192u);
}

TEST(HbmTiming, ReadDataLatency) {
  Channel ch(oneChannelConfig());
  const HbmTiming &t = ch.config.hbm.timing;
  uint32_t bc = ch.config.hbm.burstLength / 2;
  uint64_t tok = ch.read(ch.at(0, 0, 0, 0), 32, 100);
  ch.drain();
  const ChannelCompletion *d = ch.completions.find(tok);
  ASSERT_NE(d, nullptr);
  // arrival + front end + tRCD + tCL + one burst
  EXPECT_DOUBLE_EQ(d->doneCycle,
                   double(100 + ch.config.hbm.frontendCycles + t.tRCD + t.tCL + bc));
}

TEST(HbmTiming, RefreshIsPeriodicAndStallsForTrfc) {
  Channel ch(oneChannelConfig());
  const HbmConfig &h = ch.config.hbm;
  const HbmTiming &t = h.timing;
  // A long sequential stream on pseudo-channel 0 (rows in order over all banks).
  for (uint32_t row = 0; row < 24; ++row)
    for (uint32_t bank = 0; bank < 16; ++bank)
      for (uint32_t col = 0; col < h.rowBytes; col += 256)
        ch.read(ch.at(0, bank % 4, bank / 4, row, col), 256);
  ch.drain();
  auto rds = ch.log.of(DramCommandKind::Read);
  std::vector<DramCommand> refs;
  for (const DramCommand &c : ch.log.of(DramCommandKind::Refresh))
    if (c.pseudoChannel == 0)
      refs.push_back(c);
  uint64_t span = rds.back().cycle;
  ASSERT_GT(span, 4 * uint64_t(t.tREFI));
  uint64_t due = ChannelController::firstRefreshDue(h, 0);
  ASSERT_GE(refs.size(), span / t.tREFI);
  for (size_t k = 0; k < refs.size() && refs[k].cycle < span; ++k) {
    uint64_t dueK = due + k * t.tREFI;
    // Issued once due, after at most closing the open rows (tRAS + tRP) ...
    EXPECT_GE(refs[k].cycle, dueK);
    EXPECT_LE(refs[k].cycle, dueK + t.tRAS + t.tRP + t.tWR + t.tCL);
    // ... and nothing reads pseudo-channel 0 for tRFC afterwards: a stall of
    // at least tRFC between the reads around it.
    uint64_t before = 0, after = UINT64_MAX;
    for (const DramCommand &r : rds) {
      if (r.pseudoChannel != 0)
        continue;
      if (r.cycle <= refs[k].cycle)
        before = r.cycle;
      else if (after == UINT64_MAX)
        after = r.cycle;
    }
    EXPECT_GE(after - refs[k].cycle, t.tRFC + t.tRCD);
    EXPECT_GE(after - before, t.tRFC);
  }
  // Idle pseudo-channel 1 refreshed on schedule too.
  uint64_t refs1 = ch.controller.counters(1).refreshes;
  EXPECT_NEAR(double(refs1), double(span) / t.tREFI, 1.0);
}

TEST(HbmTiming, IdleChannelRefreshesLazily) {
  Channel ch(oneChannelConfig());
  const HbmTiming &t = ch.config.hbm.timing;
  EXPECT_EQ(ch.controller.nextCommandCycle(), ChannelController::kNever);
  uint64_t horizon = 100 * uint64_t(t.tREFI);
  ch.controller.advance(horizon);
  for (uint32_t pc = 0; pc < 2; ++pc) {
    // Every due cycle before the horizon: first, first + tREFI, ...
    uint64_t first = ChannelController::firstRefreshDue(ch.config.hbm, pc);
    EXPECT_EQ(ch.controller.counters(pc).refreshes, (horizon - 1 - first) / t.tREFI + 1);
  }
  EXPECT_EQ(ch.controller.nextCommandCycle(), ChannelController::kNever);
}
