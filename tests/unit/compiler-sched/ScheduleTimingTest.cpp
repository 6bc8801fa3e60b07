//===- ScheduleTimingTest.cpp - The per-queue estimate by hand ------------===//
#include "SyntheticDag.h"

#include "strata/Dialect/Npu/Transforms/ScheduleTiming.h"
#include "strata/target/ArchConfig.h"

#include <gtest/gtest.h>

using namespace strata;
using namespace strata::npu::sched;
using namespace strata::npu::sched::test;

TEST(ScheduleTiming, OneTransferIsLatencyPlusBytesOverBandwidth) {
  ScheduleDag dag;
  uint32_t b = dag.addBuffer(6400);
  dag.addNode(load(6400, b));
  Timeline t = estimateTimeline(dag, dag.originalOrder(), roundModel());
  // Dispatched at 1, first byte at 101, 100 cycles of data.
  EXPECT_DOUBLE_EQ(t.time[0].dispatch, 1);
  EXPECT_DOUBLE_EQ(t.time[0].start, 1);
  EXPECT_DOUBLE_EQ(t.time[0].end, 201);
  EXPECT_DOUBLE_EQ(t.makespan, 201);
  EXPECT_DOUBLE_EQ(t.dmaBusy, 200);
  EXPECT_DOUBLE_EQ(t.computeBusy, 0);
}

TEST(ScheduleTiming, ComputeWaitsForItsLoadAndTransfersShareBandwidth) {
  ScheduleDag dag = chain(2, 6400, 50);
  Timeline t = estimateTimeline(dag, dag.originalOrder(), roundModel());
  // Load 0: 1 -> 201. Load 1 starts at 3 while load 0 is in flight: half
  // the bandwidth, 200 cycles of data, 3 -> 303. Compute 0 at 201 for 50,
  // compute 1 at 303.
  EXPECT_DOUBLE_EQ(t.time[0].end, 201);
  EXPECT_DOUBLE_EQ(t.time[2].start, 3);
  EXPECT_DOUBLE_EQ(t.time[2].end, 303);
  EXPECT_DOUBLE_EQ(t.time[1].start, 201);
  EXPECT_DOUBLE_EQ(t.time[1].end, 251);
  EXPECT_DOUBLE_EQ(t.time[3].start, 303);
  EXPECT_DOUBLE_EQ(t.makespan, 353);
  // DMA busy [1, 303], compute [201, 251] and [303, 353]: 50 overlap out
  // of 100 compute cycles.
  EXPECT_DOUBLE_EQ(t.dmaBusy, 302);
  EXPECT_DOUBLE_EQ(t.computeBusy, 100);
  EXPECT_DOUBLE_EQ(t.overlap, 50);
  EXPECT_DOUBLE_EQ(t.overlapFraction(), 0.5);
}

TEST(ScheduleTiming, AFullQueueStallsTheSequencer) {
  ScheduleDag dag;
  for (int i = 0; i < 3; ++i)
    dag.addNode(load(6400, dag.addBuffer(6400)));
  uint32_t c = dag.addNode(compute(10, {}));
  TimingModel m = roundModel();
  m.dmaEngines = 1;
  m.depth[unsigned(Lane::Load)] = 1;
  Timeline t = estimateTimeline(dag, dag.originalOrder(), m);
  // One engine: loads run 1-201, 201-401, 401-601. With one queue entry the
  // third load is dispatched only once the second started (201), and the
  // compute behind it right after.
  EXPECT_DOUBLE_EQ(t.time[1].start, 201);
  EXPECT_DOUBLE_EQ(t.time[2].dispatch, 202);
  EXPECT_DOUBLE_EQ(t.time[c].dispatch, 203);
}

TEST(ScheduleTiming, BarriersWaitForTheSlowestCore) {
  // Core 0 computes 1000 cycles before its barrier, core 1 nothing; after
  // the barrier each computes 10 cycles.
  auto program = [](uint64_t before) {
    ScheduleDag dag;
    uint32_t c0 = dag.addNode(compute(before, {}));
    DagNode barrier;
    barrier.lane = Lane::Store;
    barrier.drainsLane = true;
    barrier.barrierMask = 0x3;
    uint32_t b = dag.addNode(barrier);
    uint32_t c1 = dag.addNode(compute(10, {}));
    dag.addEdge(c0, b, DepKind::Order);
    dag.addEdge(b, c1, DepKind::Order);
    return dag;
  };
  ScheduleDag slow = program(1000), fast = program(0);
  std::vector<uint32_t> order = slow.originalOrder();
  std::vector<Timeline> t =
      estimateEntry({{&slow, &order, 0}, {&fast, &order, 1}}, roundModel());
  ASSERT_EQ(t.size(), 2u);
  EXPECT_DOUBLE_EQ(t[0].time[1].end, 1001);
  EXPECT_DOUBLE_EQ(t[1].time[1].end, 1001) << "core 1 leaves the barrier with core 0";
  EXPECT_DOUBLE_EQ(t[1].time[2].start, 1001);
  // Alone, core 1 passes its barrier on arrival.
  EXPECT_LT(estimateTimeline(fast, order, roundModel()).makespan, 100);
}

TEST(ScheduleTiming, ABarrierNoCoreCanCompleteDoesNotHang) {
  ScheduleDag dag;
  DagNode barrier;
  barrier.lane = Lane::Store;
  barrier.barrierMask = 0x6; // cores 1 and 2; core 2 is not in the entry
  dag.addNode(barrier);
  dag.addNode(compute(10, {}));
  std::vector<uint32_t> order = dag.originalOrder();
  std::vector<Timeline> t = estimateEntry({{&dag, &order, 1}}, roundModel());
  ASSERT_EQ(t.size(), 1u);
  EXPECT_GT(t[0].makespan, 0);
}

TEST(ScheduleTiming, ModelFromTheDefaultArch) {
  ArchConfig arch;
  TimingModel m = timingModelFor(arch, 8);
  // Per-bank refresh (the default): 1228.8 GB/s over 8 cores, per 1 GHz
  // cycle: 153.6 bytes.
  EXPECT_NEAR(m.dmaBytesPerCycle, 1228.8 / 8, 0.1);
  // All-bank refresh derates it by tRFC / tREFI (540 / 4680): 135.9 bytes.
  ArchConfig allBank = arch;
  allBank.hbm.refresh = "all-bank";
  EXPECT_NEAR(timingModelFor(allBank, 8).dmaBytesPerCycle, 1228.8 * (1 - 540.0 / 4680) / 8,
              0.1);
  EXPECT_EQ(m.dmaEngines, 4u);
  EXPECT_EQ(m.depth[unsigned(Lane::Load)], 64u);
  // One core alone is held to one 256-byte request per cycle (detailed HBM)
  // and to its four NoC links (4 x 64 B at 1.2 GHz).
  TimingModel one = timingModelFor(arch, 1);
  EXPECT_NEAR(one.dmaBytesPerCycle, 256, 1e-9);
  // At 600 MHz eight cores keep their share: one request per cycle
  // (153.6 GB/s) is no less than each gets.
  TimingModel slow = timingModelFor(arch, 8, 600);
  EXPECT_NEAR(slow.dmaBytesPerCycle * 600e6, 1228.8e9 / 8, 1e6);
  EXPECT_NEAR(timingModelFor(allBank, 8, 600).dmaBytesPerCycle * 600e6,
              1228.8e9 * (1 - 540.0 / 4680) / 8, 1e6);
  arch.hbm.model = "analytic";
  EXPECT_NEAR(timingModelFor(arch, 1).dmaBytesPerCycle, 307.2, 1e-9);
}
