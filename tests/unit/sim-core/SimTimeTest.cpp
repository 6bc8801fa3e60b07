//===- SimTimeTest.cpp - The model's clock and run-ahead scopes -----------===//
#include "strata/sim/SimTime.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

using namespace strata::sim;

namespace {
bool sameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }
} // namespace

// The inline form of sc_time::to_seconds must give the library's bits, or
// the model's times would drift from the kernel's by an ulp here and there.
TEST(SimTime, SecondsOfAValueAreTheLibrarys) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200000; ++i) {
    uint64_t v = rng() >> (rng() % 40); // picoseconds over many magnitudes
    if (i < 4096)
      v = uint64_t(i);
    ASSERT_TRUE(sameBits(secondsOfValue(v), sc_core::sc_time::from_value(v).to_seconds()))
        << v;
  }
}

TEST(SimTime, NowIsTheKernelsUnlessACoreRunsAhead) {
  EXPECT_FALSE(runningAhead());
  EXPECT_EQ(simNowValue(), sc_core::sc_time_stamp().value());
  EXPECT_TRUE(sameBits(simNowNs(), sc_core::sc_time_stamp().to_seconds() * 1e9));
  EXPECT_EQ(runAheadLead(), sc_core::SC_ZERO_TIME);
  {
    RunAheadScope local;
    local.moveTo(sc_core::sc_time_stamp().value() + 1234567);
    EXPECT_TRUE(runningAhead());
    EXPECT_EQ(simNowValue(), sc_core::sc_time_stamp().value() + 1234567);
    EXPECT_EQ(runAheadLead().value(), 1234567u);
    EXPECT_TRUE(sameBits(simNowNs(), sc_core::sc_time::from_value(simNowValue()).to_seconds() * 1e9));
  }
  EXPECT_FALSE(runningAhead());
  EXPECT_EQ(simNowValue(), sc_core::sc_time_stamp().value());
}
