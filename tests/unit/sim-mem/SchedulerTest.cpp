//===- SchedulerTest.cpp - FR-FCFS against FCFS, ordering and fairness ----===//

#include "MemTestUtil.h"

#include <gtest/gtest.h>

using namespace strata;
using namespace strata::sim::mem;
using namespace strata::sim::mem::test;

namespace {

struct Outcome {
  uint64_t activates;
  double finish;
};

/// Requests alternating between two rows of one bank, plus a stream to a
/// second bank: a mixed pattern where reordering for row hits pays.
Outcome runMixed(const char *scheduler) {
  ArchConfig c = oneChannelConfig();
  c.hbm.scheduler = scheduler;
  Channel ch(c);
  for (uint32_t i = 0; i < 32; ++i) {
    ch.read(ch.at(0, 0, 0, i % 2, (i / 2) % 4 * 256), 64);
    ch.read(ch.at(0, 1, 0, 4, (i % 4) * 256), 64);
  }
  ch.drain();
  Outcome o{ch.controller.counters(0).activates, 0};
  for (const ChannelCompletion &d : ch.completions.done)
    o.finish = std::max(o.finish, d.doneCycle);
  return o;
}

} // namespace

TEST(HbmScheduler, FrFcfsBeatsFcfsOnAMixedPattern) {
  Outcome fr = runMixed("frfcfs");
  Outcome fc = runMixed("fcfs");
  // FR-FCFS serves all hits of an open row before switching: one ACT per
  // row of the alternating bank (2) plus the streaming bank's row (1).
  EXPECT_EQ(fr.activates, 3u);
  // FCFS switches rows on every alternating request.
  EXPECT_EQ(fc.activates, 33u);
  EXPECT_LT(fr.finish * 2, fc.finish);
}

TEST(HbmScheduler, FcfsKeepsArrivalOrderPerBank) {
  ArchConfig c = oneChannelConfig();
  c.hbm.scheduler = "fcfs";
  Channel ch(c);
  std::vector<uint64_t> tokens;
  for (uint32_t i = 0; i < 6; ++i)
    tokens.push_back(ch.read(ch.at(0, 0, 0, i % 2), 32));
  ch.drain();
  ASSERT_EQ(ch.completions.done.size(), tokens.size());
  for (size_t i = 0; i < tokens.size(); ++i)
    EXPECT_EQ(ch.completions.done[i].token, tokens[i]);
}

TEST(HbmScheduler, FrFcfsServesVisibleHitsFirstButNotFutureOnes) {
  Channel ch(oneChannelConfig());
  uint64_t a = ch.read(ch.at(0, 0, 0, 1), 32, 0);
  uint64_t b = ch.read(ch.at(0, 0, 0, 2), 32, 0);
  // A hit to row 1 arriving long after the conflict was resolved is not
  // waited for: row 2 is opened first.
  uint64_t late = ch.read(ch.at(0, 0, 0, 1, 512), 32, 500);
  ch.drain();
  ASSERT_EQ(ch.completions.done.size(), 3u);
  EXPECT_EQ(ch.completions.done[0].token, a);
  EXPECT_EQ(ch.completions.done[1].token, b);
  EXPECT_EQ(ch.completions.done[2].token, late);
  EXPECT_EQ(ch.completions.find(late)->outcome, RowOutcome::Conflict);
}

TEST(HbmScheduler, RequestsCompeteOnlyAfterTheFrontEnd) {
  Channel ch(oneChannelConfig());
  ch.read(ch.at(0, 0, 0, 1), 32, 1000);
  // Deciding up to the arrival plus the front-end latency issues nothing.
  ch.controller.advance(1000 + ch.config.hbm.frontendCycles);
  EXPECT_TRUE(ch.log.of(DramCommandKind::Activate).empty());
  EXPECT_EQ(ch.controller.nextCommandCycle(), 1000 + ch.config.hbm.frontendCycles);
  ch.drain();
  EXPECT_EQ(ch.log.of(DramCommandKind::Activate).at(0).cycle,
            1000 + ch.config.hbm.frontendCycles);
}

TEST(HbmScheduler, DecisionsDoNotDependOnHowAdvanceIsSliced) {
  // Advancing in one call or cycle by cycle gives the same commands.
  auto run = [](bool sliced) {
    Channel ch(oneChannelConfig());
    for (uint32_t i = 0; i < 64; ++i)
      ch.push(ch.at(i % 2, i % 4, (i / 4) % 4, (i * 7) % 5, (i % 4) * 256), 128, i % 3 == 0,
              i * 3);
    if (sliced)
      for (uint64_t h = 1; ch.controller.queuedTotal(); ++h)
        ch.controller.advance(h);
    else
      ch.drain();
    std::vector<std::pair<uint64_t, int>> out;
    for (const DramCommand &c : ch.log.commands)
      out.emplace_back(c.cycle, int(c.kind) * 100 + c.pseudoChannel * 16 + c.bankGroup * 4 +
                                    c.bank);
    return out;
  };
  EXPECT_EQ(run(true), run(false));
}
