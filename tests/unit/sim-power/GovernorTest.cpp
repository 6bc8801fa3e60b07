//===- GovernorTest.cpp - Governor decisions and utilisation --------------===//
#include "PowerTestConfig.h"

#include "strata/sim/power/Governor.h"
#include "strata/sim/power/UtilizationMeter.h"

#include <gtest/gtest.h>

using namespace strata;
using namespace strata::sim;

namespace {
struct Domains {
  ArchConfig arch = test::powerTestConfig(1);
  ClockDomainSet set = ClockDomainSet::create(arch).takeValue();
};
} // namespace

TEST(Governor, MakesEachGovernorByName) {
  ArchConfig a = test::powerTestConfig();
  for (const char *name : {"fixed", "ondemand", "hinted"}) {
    auto g = makeGovernor(name, a.dvfs);
    ASSERT_TRUE(g.isOk()) << g.message();
    EXPECT_STREQ((*g)->name(), name);
  }
  a.dvfs.governor = "ondemand";
  EXPECT_TRUE((*makeGovernor(a.dvfs))->samples());
}

TEST(Governor, RejectsUnknownNamesAndBadThresholds) {
  ArchConfig a = test::powerTestConfig();
  auto g = makeGovernor("performance", a.dvfs);
  ASSERT_FALSE(g.isOk());
  EXPECT_NE(g.message().find("unknown governor 'performance'"), std::string::npos);

  a.dvfs.ondemandDownThreshold = 0.9;
  g = makeGovernor("ondemand", a.dvfs);
  ASSERT_FALSE(g.isOk());
  EXPECT_NE(g.message().find("0 <= down < up <= 1"), std::string::npos) << g.message();

  a = test::powerTestConfig();
  a.dvfs.ondemandWindowNs = 0;
  EXPECT_FALSE(makeGovernor("ondemand", a.dvfs).isOk());
  EXPECT_TRUE(makeGovernor("fixed", a.dvfs).isOk()); // the window only matters to ondemand
}

TEST(Governor, FixedIgnoresHintsAndSamples) {
  Domains d;
  FixedGovernor g;
  EXPECT_FALSE(g.samples());
  EXPECT_FALSE(g.onHint(d.set.core(0), 0).has_value());
  EXPECT_FALSE(g.onSample(d.set.core(0), 0.0).has_value());
}

TEST(Governor, HintedFollowsHints) {
  Domains d;
  HintedGovernor g;
  EXPECT_FALSE(g.samples());
  EXPECT_EQ(g.onHint(d.set.core(0), 0), std::optional<uint32_t>(0));
  EXPECT_EQ(g.onHint(d.set[1], 1), std::optional<uint32_t>(1));
}

TEST(Governor, OndemandStepsOneLevelAcrossThresholds) {
  Domains d;
  OndemandGovernor g(0.8, 0.3);
  ClockDomain &core = d.set.core(0); // at level 2 of 0..2
  EXPECT_FALSE(g.onHint(core, 0).has_value());
  EXPECT_EQ(g.onSample(core, 0.1), std::optional<uint32_t>(1));
  EXPECT_FALSE(g.onSample(core, 0.95).has_value()); // already at the top
  EXPECT_FALSE(g.onSample(core, 0.5).has_value());  // between thresholds
  EXPECT_FALSE(g.onSample(core, 0.8).has_value());  // "above" is strict
  EXPECT_FALSE(g.onSample(core, 0.3).has_value());  // "below" is strict

  ASSERT_TRUE(core.request(0, 0).isOk());
  // Decisions are relative to the level being entered.
  EXPECT_EQ(g.onSample(core, 0.9), std::optional<uint32_t>(1));
  EXPECT_FALSE(g.onSample(core, 0.0).has_value()); // at the bottom
}

TEST(UtilizationMeter, DomainIsAsBusyAsItsBusiestUnit) {
  UtilizationMeter m(2);
  uint32_t a = m.addUnit(0), b = m.addUnit(0), c = m.addUnit(1);
  m.begin(a, 0);
  m.end(a, 250);
  m.begin(b, 100);
  m.end(b, 700);
  m.addBusy(c, 100);
  EXPECT_TRUE(m.active());
  std::vector<double> u;
  m.sample(1000, 1000, u);
  ASSERT_EQ(u.size(), 2u);
  EXPECT_DOUBLE_EQ(u[0], 0.6);
  EXPECT_DOUBLE_EQ(u[1], 0.1);
  EXPECT_FALSE(m.active());
}

TEST(UtilizationMeter, OverlappingWorkOfOneUnitCountsOnce) {
  UtilizationMeter m(1);
  uint32_t a = m.addUnit(0);
  m.begin(a, 0);
  m.begin(a, 100);
  m.end(a, 300);
  m.end(a, 400);
  m.end(a, 450); // unmatched: ignored
  std::vector<double> u;
  m.sample(1000, 1000, u);
  EXPECT_DOUBLE_EQ(u[0], 0.4);
}

TEST(UtilizationMeter, WorkInFlightIsSplitAtTheWindowEdge) {
  UtilizationMeter m(1);
  uint32_t a = m.addUnit(0);
  m.begin(a, 800);
  std::vector<double> u;
  m.sample(1000, 1000, u);
  EXPECT_DOUBLE_EQ(u[0], 0.2);
  EXPECT_TRUE(m.active()); // still busy
  m.end(a, 1500);
  m.sample(2000, 1000, u);
  EXPECT_DOUBLE_EQ(u[0], 0.5);
}
