//===- NocTest.cpp - Routes, hop latency and link contention ---------------===//

#include "strata/sim/mem/Noc.h"
#include "strata/sim/stats/Stats.h"

#include <gtest/gtest.h>

#include <cstdlib>

using namespace strata;
using namespace strata::sim::mem;

namespace {
ArchConfig nocConfig(const char *topology) {
  ArchConfig c;
  c.numCores = 8;
  c.hbm.stacks = 4;
  c.noc.topology = topology;
  c.noc.linkBytesPerCycle = 32;
  c.noc.hopCycles = 3;
  return c;
}
} // namespace

TEST(Noc, CrossbarIsOneDedicatedHop) {
  ArchConfig c = nocConfig("crossbar");
  MemTimebase tb{MemClock(1000), 0};
  Noc noc(c, &tb, nullptr);
  EXPECT_EQ(noc.coreToStack(3, 2).links.size(), 1u);
  EXPECT_EQ(noc.stackToCore(2, 3).links.size(), 1u);
  EXPECT_EQ(noc.coreToCore(1, 6).links.size(), 1u);
  EXPECT_NE(noc.coreToStack(3, 2).links[0], noc.coreToStack(4, 2).links[0]);
  EXPECT_NE(noc.coreToStack(3, 2).links[0], noc.stackToCore(2, 3).links[0]);
  // Uncontended: bytes / rate + hops x hopCycles.
  EXPECT_DOUBLE_EQ(noc.traverse(noc.stackToCore(2, 3), 100, 256), 100 + 256 / 32.0 + 3);
  // A header-only transfer pays only the latency.
  EXPECT_DOUBLE_EQ(noc.traverse(noc.coreToStack(3, 2), 100, 0), 103);
  // Different cores do not contend in a crossbar.
  EXPECT_DOUBLE_EQ(noc.traverse(noc.stackToCore(2, 4), 100, 256), 100 + 8 + 3);
}

TEST(Noc, SharedLinkSerialisesConcurrentTransfers) {
  ArchConfig c = nocConfig("crossbar");
  MemTimebase tb{MemClock(1000), 0};
  sim::StatGroup stats("noc");
  Noc noc(c, &tb, &stats);
  const Noc::Route &r = noc.stackToCore(0, 0);
  // Enough traffic at once to fill several bandwidth windows: the link
  // carries exactly its rate, so the last byte arrives after total / rate.
  double last = 0;
  for (int i = 0; i < 64; ++i)
    last = std::max(last, noc.traverse(r, 0, 256));
  EXPECT_NEAR(last, 64 * 256 / 32.0 + 3, 1.0);
  tb.endCycle = uint64_t(last);
  double util = 0;
  ASSERT_TRUE(stats.lookup("stack0_to_core0.utilization", util));
  EXPECT_GT(util, 0.95);
  double bytes = 0;
  ASSERT_TRUE(stats.lookup("stack0_to_core0.bytes", bytes));
  EXPECT_EQ(bytes, 64 * 256);
}

TEST(Noc, MeshRoutesAreXyWithManhattanHops) {
  ArchConfig c = nocConfig("mesh");
  MemTimebase tb{MemClock(1000), 0};
  Noc noc(c, &tb, nullptr);
  ASSERT_TRUE(noc.mesh());
  for (uint32_t core = 0; core < c.numCores; ++core)
    for (uint32_t s = 0; s < c.hbm.stacks; ++s) {
      auto a = noc.corePosition(core), b = noc.stackPosition(s);
      size_t hops = size_t(std::abs(a.first - b.first) + std::abs(a.second - b.second));
      EXPECT_EQ(noc.coreToStack(core, s).links.size(), hops);
      EXPECT_EQ(noc.stackToCore(s, core).links.size(), hops);
    }
  // 8 cores on a 3-wide grid, stacks on rows 0 and 4.
  EXPECT_EQ(noc.corePosition(4), std::make_pair(1, 2));
  EXPECT_EQ(noc.stackPosition(0).second, 0);
  EXPECT_EQ(noc.stackPosition(3).second, 4);
  auto a = noc.corePosition(0), b = noc.corePosition(7);
  EXPECT_EQ(noc.coreToCore(0, 7).links.size(),
            size_t(std::abs(a.first - b.first) + std::abs(a.second - b.second)));
  double t = noc.traverse(noc.coreToStack(4, 0), 0, 64);
  EXPECT_DOUBLE_EQ(t, 64 / 32.0 + 3.0 * noc.coreToStack(4, 0).links.size());
}

TEST(Noc, MeshTransfersContendOnSharedSegments) {
  ArchConfig c = nocConfig("mesh");
  MemTimebase tb{MemClock(1000), 0};
  Noc noc(c, &tb, nullptr);
  // Cores 0 and 3 sit in one column: 0 at (0,1), 3 at (0,2). Their reads
  // from stack 0 (top row) share the links of that column down to core 0.
  const Noc::Route &to0 = noc.stackToCore(0, 0), &to3 = noc.stackToCore(0, 3);
  bool shares = false;
  for (uint32_t l : to3.links)
    for (uint32_t m : to0.links)
      shares |= l == m;
  ASSERT_TRUE(shares);
  double alone = noc.traverseBulk(to3, 0, 64 * 1024);
  Noc noc2(c, &tb, nullptr);
  noc2.traverseBulk(noc2.stackToCore(0, 0), 0, 64 * 1024);
  double shared = noc2.traverseBulk(noc2.stackToCore(0, 3), 0, 64 * 1024);
  EXPECT_NEAR(shared - alone, 64 * 1024 / 32.0, 1.0);
}
