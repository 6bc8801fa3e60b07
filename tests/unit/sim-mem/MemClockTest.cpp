//===- MemClockTest.cpp - Memory cycles to SystemC picoseconds ------------===//

#include "strata/sim/mem/MemClock.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace strata::sim::mem;

// MemClock::ps rounds without std::llround's library call; it must give
// llround's picosecond for every time, halves included.
TEST(MemClock, PicosecondsRoundLikeLlround) {
  std::mt19937_64 rng(7);
  uint64_t halves = 0;
  for (double mhz : {1000.0, 1200.0, 933.0, 1600.0, 3.0}) {
    MemClock clock(mhz);
    clock.setMHz(mhz * 0.75, 1234.5); // a second segment, based off cycle 0
    for (int i = 0; i < 200000; ++i) {
      double cycle;
      switch (i % 4) {
      case 0: // around exact half picoseconds at 1 ns per cycle
        cycle = double(2 * (rng() % 100000000) + 1) / 2000.0;
        break;
      case 1: // anywhere in a long run
        cycle = std::ldexp(double(rng() >> 11), -53) * 1e9;
        break;
      case 2: // whole and half cycles
        cycle = double(rng() % (uint64_t(1) << 40)) / 2.0;
        break;
      default: // before time 0 and right after it
        cycle = std::ldexp(double(rng() >> 11), -53) * 4.0 - 3.0;
        break;
      }
      const double ps = clock.ns(cycle) * 1000.0;
      const uint64_t want = ps <= 0 ? 0 : uint64_t(std::llround(ps));
      ASSERT_EQ(clock.ps(cycle), want) << "cycle " << cycle << " at " << mhz << " MHz";
      halves += ps > 0 && ps - std::floor(ps) == 0.5;
    }
  }
  EXPECT_GT(halves, 1000u); // the ties were exercised
}
