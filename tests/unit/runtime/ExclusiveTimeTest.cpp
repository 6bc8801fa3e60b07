//===- ExclusiveTimeTest.cpp - A report's exclusive time per label --------===//
#include "strata/runtime/RunReport.h"

#include <gtest/gtest.h>

using strata::runtime::exclusiveSpanNs;

TEST(ExclusiveTime, DisjointSpansKeepTheirLength) {
  EXPECT_EQ(exclusiveSpanNs({{0, 10}, {20, 25}}), (std::vector<double>{10, 5}));
}

TEST(ExclusiveTime, AHeadStartedEarlyBelongsToTheKernelStillRunning) {
  // The next kernel's first load starts at 5, while the first runs to 10:
  // 5..10 is the first's; the second keeps 10..20. They add up to 0..20.
  EXPECT_EQ(exclusiveSpanNs({{0, 10}, {5, 20}}), (std::vector<double>{10, 10}));
  // Order of the labels does not matter, only where the spans end.
  EXPECT_EQ(exclusiveSpanNs({{5, 20}, {0, 10}}), (std::vector<double>{10, 10}));
}

TEST(ExclusiveTime, ANestedSpanKeepsAllOfItsTime) {
  // It ends first: the enclosing span keeps the rest.
  EXPECT_EQ(exclusiveSpanNs({{0, 100}, {10, 20}}), (std::vector<double>{90, 10}));
}

TEST(ExclusiveTime, SeveralEarlierSpansAndGapsAreSubtractedOnce) {
  // Union of the earlier ones: [0, 4] and [6, 12]; the last one, [2, 14],
  // keeps 4..6 and 12..14.
  const std::vector<double> t = exclusiveSpanNs({{0, 4}, {6, 10}, {8, 12}, {2, 14}});
  EXPECT_EQ(t, (std::vector<double>{4, 4, 2, 4}));
  double sum = 0;
  for (double x : t)
    sum += x;
  EXPECT_EQ(sum, 14.0) << "the exclusive times add up to the union";
}

TEST(ExclusiveTime, EmptySpansGetNothing) {
  EXPECT_EQ(exclusiveSpanNs({{5, 5}, {7, 3}, {0, 1}}), (std::vector<double>{0, 0, 1}));
  EXPECT_TRUE(exclusiveSpanNs({}).empty());
}
