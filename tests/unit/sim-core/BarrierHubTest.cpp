//===- BarrierHubTest.cpp - Generations, masks and resets of barriers -----===//
#include "strata/sim/core/BarrierHub.h"

#include <gtest/gtest.h>

namespace strata::sim::core {
namespace {

TEST(BarrierHub, ReleasedOnceEveryCoreOfTheMaskArrived) {
  BarrierHub hub(4);
  auto g0 = hub.arrive(0, 7, 0b0101);
  ASSERT_TRUE(g0);
  EXPECT_EQ(*g0, 0u);
  EXPECT_FALSE(hub.released(7, 0));
  EXPECT_EQ(hub.missing(7, 0), 0b0100u);
  auto g2 = hub.arrive(2, 7, 0b0101);
  ASSERT_TRUE(g2);
  EXPECT_EQ(*g2, 0u);
  EXPECT_TRUE(hub.released(7, 0));
  EXPECT_EQ(hub.missing(7, 0), 0u);
  // Other barriers are independent.
  EXPECT_TRUE(hub.released(8, 0));
}

TEST(BarrierHub, ACoreAheadOpensItsNextGeneration) {
  BarrierHub hub(2);
  ASSERT_TRUE(hub.arrive(0, 1, 0b11));
  auto second = hub.arrive(0, 1, 0b11); // core 0 runs ahead into generation 1
  ASSERT_TRUE(second);
  EXPECT_EQ(*second, 1u);
  EXPECT_EQ(hub.missing(1, 0), 0b10u);
  EXPECT_EQ(hub.missing(1, 1), 0b10u);
  ASSERT_TRUE(hub.arrive(1, 1, 0b11));
  EXPECT_TRUE(hub.released(1, 0));
  EXPECT_FALSE(hub.released(1, 1));
  ASSERT_TRUE(hub.arrive(1, 1, 0b11));
  EXPECT_TRUE(hub.released(1, 1));
}

TEST(BarrierHub, BadMasksAreErrors) {
  BarrierHub hub(4);
  EXPECT_FALSE(hub.arrive(0, 0, 0));
  EXPECT_FALSE(hub.arrive(0, 0, 0b10000)); // core 4 does not exist
  EXPECT_FALSE(hub.arrive(1, 0, 0b0101));  // the mask leaves out the arriving core
  ASSERT_TRUE(hub.arrive(0, 3, 0b0011));
  auto mismatch = hub.arrive(1, 3, 0b0111);
  ASSERT_FALSE(mismatch);
  EXPECT_NE(mismatch.message().find("another core arrived with mask 0x3"), std::string::npos)
      << mismatch.message();
}

TEST(BarrierHub, ResetForgetsArrivals) {
  BarrierHub hub(2);
  ASSERT_TRUE(hub.arrive(0, 5, 0b11));
  ASSERT_TRUE(hub.arrive(0, 6, 0b11));
  hub.reset();
  EXPECT_TRUE(hub.released(5, 0));
  auto again = hub.arrive(1, 5, 0b11);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0u) << "generations count from 0 again";
  EXPECT_EQ(hub.missing(5, 0), 0b01u);
}

} // namespace
} // namespace strata::sim::core
