//===- ScheduleSramTest.cpp - First fit and live bytes --------------------===//
#include "strata/Dialect/Npu/Transforms/ScheduleSram.h"

#include <gtest/gtest.h>

using namespace strata::npu::sched;

TEST(ScheduleSram, DisjointLifetimesShareTheirBytes) {
  std::vector<LiveInterval> v{{0, 1, 1000, 64}, {2, 3, 1000, 64}, {4, 5, 500, 64}};
  EXPECT_EQ(firstFitHighWater(v), 1000);
  EXPECT_EQ(peakLiveBytes(v), 1000);
}

TEST(ScheduleSram, AlignmentAndOverlapStackBuffers) {
  // a [0, 100) live 0..3; b (align 256) must skip to 256; c fits in the
  // gap below b once a is dead.
  std::vector<LiveInterval> v{{0, 3, 100, 64}, {1, 5, 100, 256}, {4, 5, 128, 64}};
  EXPECT_EQ(firstFitHighWater(v), 356);
  EXPECT_EQ(peakLiveBytes(v), 228);
}

TEST(ScheduleSram, FragmentationCanExceedLiveBytes) {
  // Short-lived a and long-lived b stacked; a dies, and c is bigger than
  // the hole it leaves: first fit puts c above b although the live bytes
  // would fit in 300.
  std::vector<LiveInterval> v{{0, 1, 100, 1}, {0, 5, 100, 1}, {2, 5, 200, 1}};
  EXPECT_EQ(peakLiveBytes(v), 300);
  EXPECT_EQ(firstFitHighWater(v), 400);
}
