//===- DvfsRegionsTest.cpp - Memory-bound regions and their levels --------===//
#include "SyntheticDag.h"

#include "strata/Dialect/Npu/Transforms/DvfsRegions.h"

#include <gtest/gtest.h>

using namespace strata::npu::sched;
using namespace strata::npu::sched::test;

namespace {

/// The default core domain: low 600, mid 800, nominal 1000, turbo 1200 MHz,
/// the DMA bandwidth the same at every point.
DvfsPlanOptions defaultPoints() {
  DvfsPlanOptions o;
  for (double mhz : {600.0, 800.0, 1000.0, 1200.0})
    o.points.push_back({mhz, 100e9});
  o.nominal = o.initial = 2;
  o.margin = 1.25;
  o.minRegionCycles = 2000;
  return o;
}

/// Kernels as (weight bytes, compute cycles), one region each; each load
/// waits for the previous kernel's compute (as an activation would), so
/// the kernels follow each other in time.
ScheduleDag kernels(const std::vector<std::pair<uint64_t, uint64_t>> &shape) {
  ScheduleDag dag;
  int64_t previous = -1;
  for (size_t k = 0; k < shape.size(); ++k) {
    uint32_t b = dag.addBuffer(shape[k].first);
    uint32_t l = dag.addNode(load(shape[k].first, b, uint32_t(k)));
    uint32_t c = dag.addNode(compute(shape[k].second, {b}, uint32_t(k)));
    dag.addEdge(l, c, DepKind::Memory);
    if (previous >= 0)
      dag.addEdge(uint32_t(previous), l, DepKind::Memory);
    previous = c;
  }
  return dag;
}

DvfsPlan plan(const ScheduleDag &dag, const DvfsPlanOptions &o) {
  TimingModel m = roundModel();
  std::vector<uint32_t> order = dag.originalOrder();
  return planDvfs(dag, order, estimateTimeline(dag, order, m), m, o);
}

} // namespace

TEST(DvfsRegions, AMemoryBoundProgramRunsAtTheLowestPoint) {
  // 64 KiB per kernel = 1024 DMA cycles; 100 cycles of compute, 167 at
  // 600 MHz: far below the DMA time.
  ScheduleDag dag = kernels(std::vector<std::pair<uint64_t, uint64_t>>(8, {65536, 100}));
  DvfsPlan p = plan(dag, defaultPoints());
  ASSERT_EQ(p.switches.size(), 1u);
  EXPECT_EQ(p.switches[0].level, 0u);
  EXPECT_EQ(p.switches[0].beforeNode, 1u) << "before the first compute node";
  EXPECT_EQ(p.restoreLevel, 2) << "back to the initial point at the end";
  EXPECT_EQ(p.lowRegions, 1u);
  EXPECT_GT(p.lowCycles, 0.8 * p.totalCycles);
}

TEST(DvfsRegions, AComputeBoundProgramKeepsItsClock) {
  ScheduleDag dag = kernels(std::vector<std::pair<uint64_t, uint64_t>>(8, {6400, 5000}));
  DvfsPlan p = plan(dag, defaultPoints());
  EXPECT_TRUE(p.switches.empty());
  EXPECT_EQ(p.restoreLevel, -1);
  EXPECT_EQ(p.lowRegions, 0u);
}

TEST(DvfsRegions, TheMarginPicksAHigherPointForDenserCompute) {
  // 1024 DMA cycles, 700 of compute: 1167 at 600 MHz (x1.25 > 1024), 875
  // at 800 MHz (x1.25 = 1094 > 1024), so nothing below nominal ...
  DvfsPlanOptions o = defaultPoints();
  ScheduleDag dense = kernels(std::vector<std::pair<uint64_t, uint64_t>>(8, {65536, 700}));
  EXPECT_TRUE(plan(dense, o).switches.empty());
  // ... while 600 cycles (750 at 800 MHz, x1.25 = 938) allow the mid point.
  ScheduleDag mid = kernels(std::vector<std::pair<uint64_t, uint64_t>>(8, {65536, 600}));
  DvfsPlan p = plan(mid, o);
  ASSERT_EQ(p.switches.size(), 1u);
  EXPECT_EQ(p.switches[0].level, 1u);
}

TEST(DvfsRegions, APointThatSlowsTheDmasIsNotUsed) {
  DvfsPlanOptions o = defaultPoints();
  o.points[0].dmaBytesPerSecond = 50e9; // 600 MHz would halve the DMA rate
  ScheduleDag dag = kernels(std::vector<std::pair<uint64_t, uint64_t>>(8, {65536, 100}));
  DvfsPlan p = plan(dag, o);
  ASSERT_EQ(p.switches.size(), 1u);
  EXPECT_EQ(p.switches[0].level, 1u);
}

TEST(DvfsRegions, ShortRegionsJoinTheirLongerNeighbour) {
  // Long memory-bound, one short compute-bound kernel, long memory-bound:
  // the short one runs low too rather than paying two transitions.
  std::vector<std::pair<uint64_t, uint64_t>> shape(6, {65536, 100});
  shape.push_back({64, 500});
  for (int i = 0; i < 6; ++i)
    shape.push_back({65536, 100});
  DvfsPlan p = plan(kernels(shape), defaultPoints());
  ASSERT_EQ(p.switches.size(), 1u);
  EXPECT_EQ(p.switches[0].level, 0u);
  EXPECT_EQ(p.lowRegions, 1u);
}

TEST(DvfsRegions, LongComputeBoundStretchesGoBackToNominal) {
  std::vector<std::pair<uint64_t, uint64_t>> shape(6, {65536, 100});
  for (int i = 0; i < 4; ++i)
    shape.push_back({640, 3000}); // 12000 cycles of compute-bound work
  for (int i = 0; i < 6; ++i)
    shape.push_back({65536, 100});
  ScheduleDag dag = kernels(shape);
  DvfsPlan p = plan(dag, defaultPoints());
  ASSERT_EQ(p.switches.size(), 3u);
  EXPECT_EQ(p.switches[0].level, 0u);
  EXPECT_EQ(p.switches[1].level, 2u);
  EXPECT_EQ(p.switches[1].beforeNode, 13u) << "the first compute of kernel 6";
  EXPECT_EQ(p.switches[2].level, 0u);
  EXPECT_EQ(p.lowRegions, 2u);
  EXPECT_EQ(p.restoreLevel, 2);
}

TEST(DvfsRegions, AProgramShorterThanOneRegionIsLeftAlone) {
  ScheduleDag dag = kernels({{6400, 10}});
  DvfsPlanOptions o = defaultPoints();
  o.minRegionCycles = 1e6;
  DvfsPlan p = plan(dag, o);
  EXPECT_TRUE(p.switches.empty());
  EXPECT_EQ(p.restoreLevel, -1);
}
