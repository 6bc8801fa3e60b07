//===- ClockDomainTest.cpp - Domains, transitions, residency --------------===//
#include "PowerTestConfig.h"

#include "strata/sim/power/ClockDomain.h"
#include "strata/sim/power/CycleProgress.h"
#include "strata/target/Isa.h"

#include <gtest/gtest.h>

using namespace strata;
using namespace strata::sim;

namespace {

ClockDomainSet makeSet(const ArchConfig &arch) {
  auto set = ClockDomainSet::create(arch);
  EXPECT_TRUE(set.isOk()) << (set ? "" : set.message());
  return set.takeValue();
}

void expectCreateFails(const ArchConfig &arch, const std::string &fragment) {
  auto set = ClockDomainSet::create(arch);
  ASSERT_FALSE(set.isOk());
  EXPECT_NE(set.message().find(fragment), std::string::npos) << set.message();
}

} // namespace

TEST(ClockDomainSet, OneCoreDomainPerCoreThenChipDomains) {
  ClockDomainSet set = makeSet(test::powerTestConfig(3));
  ASSERT_EQ(set.size(), 4u);
  EXPECT_EQ(set[0].name(), "core0");
  EXPECT_EQ(set[2].name(), "core2");
  EXPECT_EQ(set[2].kind(), "core");
  EXPECT_EQ(set[2].coreIndex(), 2);
  EXPECT_EQ(set[3].name(), "memory");
  EXPECT_EQ(set[3].coreIndex(), -1);
  EXPECT_EQ(set.find("memory"), &set[3]);
  EXPECT_EQ(set.find("core1"), &set.core(1));
  EXPECT_EQ(set.find("core9"), nullptr);
  for (uint32_t i = 0; i < set.size(); ++i)
    EXPECT_EQ(set[i].index(), i);
  EXPECT_EQ(set.core(1).level(), 2u);
  EXPECT_EQ(set[3].level(), 1u);
}

TEST(ClockDomainSet, ResolvesHintOperands) {
  ClockDomainSet set = makeSet(test::powerTestConfig(3));
  EXPECT_EQ(*set.resolveHint(1, isa::kOwnCoreDomain), 1u);
  EXPECT_EQ(*set.resolveHint(2, 0), 2u); // config index 0 is "core": the issuer's own
  EXPECT_EQ(*set.resolveHint(0, 1), 3u); // config index 1 is "memory"
  auto bad = set.resolveHint(0, 7);
  ASSERT_FALSE(bad.isOk());
  EXPECT_NE(bad.message().find("clock domain 7"), std::string::npos) << bad.message();
  EXPECT_NE(bad.message().find("1 = memory"), std::string::npos) << bad.message();
  EXPECT_FALSE(set.resolveHint(5, isa::kOwnCoreDomain).isOk());
}

TEST(ClockDomainSet, RejectsInvalidConfigsWithPreciseMessages) {
  ArchConfig a = test::powerTestConfig();
  a.dvfs.domains.erase(a.dvfs.domains.begin());
  expectCreateFails(a, "no domain named 'core'");

  a = test::powerTestConfig();
  a.dvfs.domains[0].points[1].freqMHz = 400;
  expectCreateFails(a, "operating point 1 ('mid') is not faster than point 0");

  a = test::powerTestConfig();
  a.dvfs.domains[0].points[2].volts = 0.7;
  expectCreateFails(a, "lower voltage than point 1");

  a = test::powerTestConfig();
  a.dvfs.domains[1].points[0].freqMHz = 0;
  expectCreateFails(a, "'memory': operating point 0 ('low') has frequency 0");

  a = test::powerTestConfig();
  a.dvfs.domains[0].nominal = 3;
  expectCreateFails(a, "nominal point 3 does not exist");

  a = test::powerTestConfig();
  a.dvfs.domains[1].initial = 2;
  expectCreateFails(a, "'memory': initial point 2 does not exist");

  a = test::powerTestConfig();
  a.dvfs.domains[0].points.clear();
  expectCreateFails(a, "'core' has no operating points");

  a = test::powerTestConfig();
  a.dvfs.domains[1].name = "core";
  expectCreateFails(a, "defined twice");

  a = test::powerTestConfig();
  a.dvfs.domains[1].name = "core1";
  expectCreateFails(a, "clashes with the per-core instance names");

  a = test::powerTestConfig();
  a.dvfs.domains[0].transitionNs = -1;
  expectCreateFails(a, "transitionNs must be non-negative");
}

TEST(ClockDomain, LowerPointRaisesLatencyOfTheSameCycles) {
  ClockDomainSet set = makeSet(test::powerTestConfig());
  ClockDomain &d = set.core(0);
  EXPECT_DOUBLE_EQ(d.periodNs(), 0.5);
  EXPECT_DOUBLE_EQ(d.cyclesToNs(1000), 500.0);
  EXPECT_DOUBLE_EQ(d.nsToCycles(500), 1000.0);
  EXPECT_DOUBLE_EQ(d.voltageRatio(), 1.0);

  ASSERT_TRUE(d.request(0, 0).isOk());
  d.completeTransition(100);
  EXPECT_DOUBLE_EQ(d.freqMHz(), 500.0);
  EXPECT_DOUBLE_EQ(d.cyclesToNs(1000), 2000.0); // 4x the latency at 1/4 the clock
  EXPECT_DOUBLE_EQ(d.voltageRatio(), 0.6);
}

TEST(ClockDomain, TransitionStallsForTheConfiguredTimeAndCountsEnergy) {
  ClockDomainSet set = makeSet(test::powerTestConfig());
  ClockDomain &d = set.core(0);
  std::vector<std::pair<DomainChange, double>> seen;
  d.addListener([&](const ClockDomain &c, DomainChange ch, double t) {
    EXPECT_EQ(&c, &d);
    seen.push_back({ch, t});
  });

  ASSERT_TRUE(d.request(1, 1000).isOk());
  EXPECT_TRUE(d.inTransition());
  EXPECT_EQ(d.level(), 2u);       // still the old point while stalled
  EXPECT_EQ(d.targetLevel(), 1u);
  EXPECT_DOUBLE_EQ(d.transitionEndNs(), 1100.0);
  EXPECT_DOUBLE_EQ(d.leakageVolts(), 1.0); // the higher rail during the ramp
  // 10 cycles requested mid-stall start at the end, at the new clock (1 ns).
  EXPECT_DOUBLE_EQ(d.timeAfterCycles(1050, 10), 1110.0);

  EXPECT_FALSE(d.completeTransition(1100));
  EXPECT_FALSE(d.inTransition());
  EXPECT_EQ(d.level(), 1u);
  EXPECT_EQ(d.transitions(), 1u);
  EXPECT_DOUBLE_EQ(d.transitionEnergyNj(), 50.0);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].first, DomainChange::TransitionBegin);
  EXPECT_DOUBLE_EQ(seen[0].second, 1000.0);
  EXPECT_EQ(seen[1].first, DomainChange::TransitionEnd);
  EXPECT_DOUBLE_EQ(seen[1].second, 1100.0);

  EXPECT_DOUBLE_EQ(d.residencyNs(2, 3000), 1000.0);
  EXPECT_DOUBLE_EQ(d.transitionTimeNs(3000), 100.0);
  EXPECT_DOUBLE_EQ(d.residencyNs(1, 3000), 1900.0);
  EXPECT_DOUBLE_EQ(d.residencyNs(0, 3000), 0.0);
}

TEST(ClockDomain, RequestForTheCurrentLevelIsFree) {
  ClockDomainSet set = makeSet(test::powerTestConfig());
  ClockDomain &d = set.core(1);
  ASSERT_TRUE(d.request(2, 10).isOk());
  EXPECT_FALSE(d.inTransition());
  EXPECT_EQ(d.transitions(), 0u);
}

TEST(ClockDomain, RequestsDuringATransitionQueueLatestWins) {
  ClockDomainSet set = makeSet(test::powerTestConfig());
  ClockDomain &d = set.core(0);
  ASSERT_TRUE(d.request(1, 0).isOk());
  ASSERT_TRUE(d.request(0, 20).isOk());
  EXPECT_EQ(d.pendingLevel(), std::optional<uint32_t>(0));
  ASSERT_TRUE(d.request(2, 40).isOk()); // replaces the queued 0
  EXPECT_EQ(d.pendingLevel(), std::optional<uint32_t>(2));
  EXPECT_EQ(d.targetLevel(), 1u);       // the running transition is not disturbed

  EXPECT_TRUE(d.completeTransition(100)); // reaches 1, starts 1 -> 2 at once
  EXPECT_EQ(d.level(), 1u);
  EXPECT_TRUE(d.inTransition());
  EXPECT_DOUBLE_EQ(d.transitionEndNs(), 200.0);
  EXPECT_FALSE(d.completeTransition(200));
  EXPECT_EQ(d.level(), 2u);
  EXPECT_EQ(d.transitions(), 2u);
  EXPECT_DOUBLE_EQ(d.transitionTimeNs(200), 200.0);
  EXPECT_DOUBLE_EQ(d.residencyNs(1, 200), 0.0);
}

TEST(ClockDomain, RequestForTheTargetCancelsTheQueue) {
  ClockDomainSet set = makeSet(test::powerTestConfig());
  ClockDomain &d = set.core(0);
  ASSERT_TRUE(d.request(0, 0).isOk());
  ASSERT_TRUE(d.request(1, 10).isOk());
  ASSERT_TRUE(d.request(0, 20).isOk());
  EXPECT_FALSE(d.pendingLevel().has_value());
  EXPECT_FALSE(d.completeTransition(100));
  EXPECT_EQ(d.level(), 0u);
  EXPECT_EQ(d.transitions(), 1u);
}

TEST(ClockDomain, RejectsAMissingLevel) {
  ClockDomainSet set = makeSet(test::powerTestConfig());
  Status s = set[2].request(2, 0);
  ASSERT_FALSE(s.isOk());
  EXPECT_EQ(s.message(), "clock domain 'memory' has no operating point 2 (it has 2: 0..1)");
  EXPECT_FALSE(set[2].inTransition());
}

TEST(ClockDomain, ResidencySumsToElapsedTime) {
  ClockDomainSet set = makeSet(test::powerTestConfig());
  ClockDomain &d = set.core(0);
  double t = 0;
  uint32_t levels[] = {0, 1, 0, 2, 1};
  for (uint32_t l : levels) {
    t += 333;
    ASSERT_TRUE(d.request(l, t).isOk());
    t = d.transitionEndNs();
    d.completeTransition(t);
  }
  double end = t + 777;
  double sum = d.transitionTimeNs(end);
  for (uint32_t l = 0; l < d.numLevels(); ++l)
    sum += d.residencyNs(l, end);
  EXPECT_DOUBLE_EQ(sum, end);
  EXPECT_DOUBLE_EQ(d.transitionTimeNs(end), 5 * 100.0);
}

TEST(CycleProgress, RescalesRemainingCyclesAcrossAChange) {
  ClockDomainSet set = makeSet(test::powerTestConfig());
  ClockDomain &d = set.core(0); // 2000 MHz: 0.5 ns per cycle
  CycleProgress work(d, 1000, 0);
  EXPECT_DOUBLE_EQ(work.finishNs(), 500.0);

  ASSERT_TRUE(d.request(0, 200).isOk()); // 400 cycles done; stall 100 ns
  work.advance(200);
  EXPECT_DOUBLE_EQ(work.remainingCycles(), 600.0);
  EXPECT_DOUBLE_EQ(work.finishNs(), 300.0 + 600 * 2.0); // 500 MHz afterwards

  d.completeTransition(300);
  work.advance(300); // nothing ran during the stall
  EXPECT_DOUBLE_EQ(work.remainingCycles(), 600.0);
  EXPECT_DOUBLE_EQ(work.finishNs(), 1500.0);

  work.advance(1500);
  EXPECT_TRUE(work.done());
}

TEST(CycleProgress, WorkStartedDuringAStallWaitsForTheNewClock) {
  ClockDomainSet set = makeSet(test::powerTestConfig());
  ClockDomain &d = set.core(0);
  ASSERT_TRUE(d.request(1, 0).isOk());
  CycleProgress work(d, 100, 40);
  EXPECT_DOUBLE_EQ(work.finishNs(), 100.0 + 100 * 1.0);
}
