//===- PowerTimelineTest.cpp - Energy binned into windows -----------------===//
#include "strata/sim/power/PowerTimeline.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <stdexcept>

using namespace strata::sim;

TEST(PowerTimeline, SpreadsAnIntervalUniformlyOverItsWindows) {
  PowerTimeline t(1, 100);
  t.add(0, 3000, 50, 350); // 10 pJ/ns over 300 ns
  auto w = t.powerW(400);
  ASSERT_EQ(w.size(), 4u);
  EXPECT_DOUBLE_EQ(w[0], 500.0 / 100 * 1e-3);
  EXPECT_DOUBLE_EQ(w[1], 1000.0 / 100 * 1e-3);
  EXPECT_DOUBLE_EQ(w[2], 1000.0 / 100 * 1e-3);
  EXPECT_DOUBLE_EQ(w[3], 500.0 / 100 * 1e-3);
}

TEST(PowerTimeline, IntervalEndingOnABoundaryStaysInItsWindow) {
  PowerTimeline t(1, 100);
  t.add(0, 100, 0, 100);
  auto w = t.powerW(200);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_DOUBLE_EQ(w[0], 1e-3);
  EXPECT_DOUBLE_EQ(w[1], 0.0);
}

TEST(PowerTimeline, LastWindowIsAsLongAsTheRun) {
  PowerTimeline t(2, 100);
  t.add(0, 500, 100, 150);
  t.add(1, 500, 120, 120); // a point event
  auto w = t.powerW(150);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_DOUBLE_EQ(w[1], 1000.0 / 50 * 1e-3);
  EXPECT_DOUBLE_EQ(t.powerW(150, 1)[1], 500.0 / 50 * 1e-3);
}

TEST(PowerTimeline, EnergyPastTheEndFoldsIntoTheLastWindow) {
  PowerTimeline t(1, 100);
  t.add(0, 100, 250, 250);
  auto w = t.powerW(200);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_DOUBLE_EQ(w[1], 1e-3);
}

TEST(PowerTimeline, OutOfOrderReportsLandInTheirWindows) {
  PowerTimeline t(1, 10);
  t.add(0, 10, 95, 95);
  t.add(0, 20, 5, 5);
  auto w = t.powerW(100);
  EXPECT_DOUBLE_EQ(w[9], 1e-3);
  EXPECT_DOUBLE_EQ(w[0], 2e-3);
  EXPECT_DOUBLE_EQ(std::accumulate(w.begin(), w.end(), 0.0), 3e-3);
}

TEST(PowerTimeline, RejectsANonPositiveWindow) {
  EXPECT_THROW(PowerTimeline(1, 0), std::invalid_argument);
}

TEST(PowerTimeline, LongRunsCoarsenTheWindowInsteadOfGrowingWithoutBound) {
  PowerTimeline t(1, 1);
  t.add(0, 1000, 0, 0);
  double end = 3.0 * PowerTimeline::kMaxWindows; // needs 3x the window budget
  t.add(0, 1000, end - 1, end - 1);
  EXPECT_DOUBLE_EQ(t.windowNs(), 4.0);
  auto w = t.powerW(end);
  EXPECT_LE(w.size(), PowerTimeline::kMaxWindows);
  EXPECT_DOUBLE_EQ(w.front(), 1000.0 / 4 * 1e-3);
  EXPECT_DOUBLE_EQ(w.back(), 1000.0 / 4 * 1e-3);
  EXPECT_DOUBLE_EQ(std::accumulate(w.begin(), w.end(), 0.0) * 4, 2000.0 * 1e-3);
}

TEST(PowerTimeline, PeakMatchesTheWindowsAsTheRunGrows) {
  // Queries after every step, late reports into finished windows, a query
  // that reaches less far than an earlier one, and coarsening.
  PowerTimeline t(2, 10);
  auto expectPeak = [&](double endNs) {
    auto w = t.powerW(endNs);
    EXPECT_DOUBLE_EQ(t.peakW(endNs), *std::max_element(w.begin(), w.end())) << endNs;
  };
  double now = 0;
  for (int step = 0; step < 200; ++step) {
    const double len = 3 + (step * 7) % 23;
    t.add(step % 2, 5.0 * ((step * 13) % 17), now, now + len);
    if (step % 9 == 0)
      t.add(0, 400, now / 2, now / 2); // lands in a window already scanned
    now += len;
    expectPeak(now);
  }
  expectPeak(now / 3);
  expectPeak(now);
  t.add(1, 1e6, double(PowerTimeline::kMaxWindows) * 10, double(PowerTimeline::kMaxWindows) * 10);
  expectPeak(double(PowerTimeline::kMaxWindows) * 10 + 1);
}
