//===- PrefetchSchedulerTest.cpp - The load placement on synthetic DAGs ---===//
#include "SyntheticDag.h"

#include "strata/Dialect/Npu/Transforms/PrefetchScheduler.h"
#include "strata/Dialect/Npu/Transforms/ScheduleSram.h"

#include <gtest/gtest.h>

#include <algorithm>

using namespace strata::npu::sched;
using namespace strata::npu::sched::test;

namespace {

/// Live intervals of the buffers of `dag` in `order` (positions in it).
std::vector<LiveInterval> intervals(const ScheduleDag &dag, const std::vector<uint32_t> &order) {
  std::vector<LiveInterval> out(dag.numBuffers());
  for (auto &iv : out) {
    iv.first = INT64_MAX;
    iv.last = -1;
  }
  for (size_t i = 0; i < order.size(); ++i)
    for (uint32_t b : dag.node(order[i]).buffers) {
      out[b].first = std::min<int64_t>(out[b].first, int64_t(i));
      out[b].last = std::max<int64_t>(out[b].last, int64_t(i));
      out[b].size = int64_t(dag.bufferBytes(b));
    }
  return out;
}

/// Hoisted loads pending (placed, consumer not yet reached) at each
/// non-load position, at most.
size_t maxPending(const ScheduleDag &dag, const std::vector<uint32_t> &order) {
  size_t pending = 0, worst = 0;
  std::vector<bool> seen(dag.size(), false);
  for (uint32_t id : order) {
    if (dag.node(id).prefetch) {
      // Pending until its consumer (the next node of the chain) runs.
      ++pending;
    } else {
      for (uint32_t p : dag.preds(id))
        if (dag.node(p).prefetch && seen[p])
          --pending;
    }
    seen[id] = true;
    worst = std::max(worst, pending);
  }
  return worst;
}

} // namespace

TEST(PrefetchScheduler, UnboundedHoistsEveryLoadToTheTop) {
  ScheduleDag dag = chain(6, 4096, 1000);
  PrefetchResult r = schedulePrefetch(dag, PrefetchOptions());
  ASSERT_TRUE(dag.isValidOrder(r.order));
  EXPECT_EQ(r.loads, 6u);
  EXPECT_EQ(r.hoisted, 5u); // the first load already leads
  for (unsigned k = 0; k < 6; ++k)
    EXPECT_EQ(r.order[k], 2 * k) << "loads first, in the order compute needs them";
}

TEST(PrefetchScheduler, SramBudgetBoundsTheLiveBuffers) {
  const uint64_t bytes = 1 << 20;
  ScheduleDag dag = chain(10, bytes, 1000);
  PrefetchOptions options;
  options.sramBudget = 3 * int64_t(bytes);
  PrefetchResult r = schedulePrefetch(dag, options);
  ASSERT_TRUE(dag.isValidOrder(r.order));
  EXPECT_LE(peakLiveBytes(intervals(dag, r.order)), options.sramBudget);
  EXPECT_EQ(r.peakLiveBytes, 3 * int64_t(bytes));
  EXPECT_GT(r.hoisted, 0u);
  // Three tiles in flight at most: load k+2 sits right before compute k.
  std::vector<size_t> pos = positions(r.order);
  for (unsigned k = 0; k + 2 < 10; ++k)
    EXPECT_LT(pos[2 * (k + 2)], pos[2 * k + 1]) << "load " << k + 2 << " runs ahead";
  for (unsigned k = 0; k + 3 < 10; ++k)
    EXPECT_GT(pos[2 * (k + 3)], pos[2 * k + 1]) << "load " << k + 3 << " waits for room";
}

TEST(PrefetchScheduler, ABudgetBelowOneTileMovesNothing) {
  ScheduleDag dag = chain(4, 4096, 100);
  PrefetchOptions options;
  options.sramBudget = 4096;
  PrefetchResult r = schedulePrefetch(dag, options);
  EXPECT_EQ(r.hoisted, 0u);
  EXPECT_EQ(r.order, dag.originalOrder());
}

TEST(PrefetchScheduler, PendingLoadsStayWithinMaxAhead) {
  ScheduleDag dag = chain(20, 256, 50);
  PrefetchOptions options;
  options.maxAhead = 3;
  PrefetchResult r = schedulePrefetch(dag, options);
  ASSERT_TRUE(dag.isValidOrder(r.order));
  // Three hoisted loads plus the one compute is about to consume.
  EXPECT_LE(maxPending(dag, r.order), 4u);
  EXPECT_GT(r.hoisted, 0u);
}

/// compute -> store (activation) -> load of it -> compute, plus the second
/// kernel's weight load, which depends on nothing, before (as lowered) or
/// after its activation load.
struct TwoKernels {
  ScheduleDag dag;
  uint32_t s0 = 0, lx = 0, lw = 0;
};
TwoKernels twoKernels(bool weightFirst) {
  TwoKernels t;
  ScheduleDag &dag = t.dag;
  uint32_t a = dag.addBuffer(256), x = dag.addBuffer(256), w = dag.addBuffer(4096);
  uint32_t c0 = dag.addNode(compute(100, {a}));
  t.s0 = dag.addNode(store(256, a));
  if (weightFirst)
    t.lw = dag.addNode(load(4096, w));
  t.lx = dag.addNode(load(256, x));
  if (!weightFirst)
    t.lw = dag.addNode(load(4096, w));
  uint32_t c1 = dag.addNode(compute(100, {x, w}));
  dag.addEdge(c0, t.s0, DepKind::Memory);
  dag.addEdge(t.s0, t.lx, DepKind::Memory); // RAW through HBM
  dag.addEdge(t.lx, c1, DepKind::Memory);
  dag.addEdge(t.lw, c1, DepKind::Memory);
  return t;
}

TEST(PrefetchScheduler, LoadsStayAfterWhatTheyDependOn) {
  TwoKernels t = twoKernels(/*weightFirst=*/true);
  PrefetchResult r = schedulePrefetch(t.dag, PrefetchOptions());
  ASSERT_TRUE(t.dag.isValidOrder(r.order));
  std::vector<size_t> pos = positions(r.order);
  EXPECT_EQ(pos[t.lw], 0u) << "the weight load leads the program";
  EXPECT_GT(pos[t.lx], pos[t.s0]) << "the activation load waits for its store";
  EXPECT_EQ(r.hoisted, 1u); // lx already follows s0; lw goes to the top
}

TEST(PrefetchScheduler, LoadsKeepTheirRelativeOrder) {
  // A weight load after an activation load that waits for a store does not
  // pass it: the load queue is in order, and the activation is needed first.
  TwoKernels t = twoKernels(/*weightFirst=*/false);
  PrefetchResult r = schedulePrefetch(t.dag, PrefetchOptions());
  ASSERT_TRUE(t.dag.isValidOrder(r.order));
  std::vector<size_t> pos = positions(r.order);
  EXPECT_EQ(pos[t.lw], pos[t.lx] + 1);
  EXPECT_EQ(r.hoisted, 0u);
}

TEST(PrefetchScheduler, ABlockedLoadHoldsBackTheLoadsAfterIt) {
  // Big tile (does not fit early), then a small one: issuing the small one
  // first would delay the big one compute needs sooner.
  ScheduleDag dag;
  uint32_t b0 = dag.addBuffer(1000), b1 = dag.addBuffer(6000), b2 = dag.addBuffer(100);
  uint32_t l0 = dag.addNode(load(1000, b0));
  uint32_t c0 = dag.addNode(compute(10, {b0}));
  uint32_t c1 = dag.addNode(compute(10, {}));
  uint32_t l1 = dag.addNode(load(6000, b1));
  uint32_t c2 = dag.addNode(compute(10, {b1}));
  uint32_t l2 = dag.addNode(load(100, b2));
  uint32_t c3 = dag.addNode(compute(10, {b2}));
  dag.addEdge(l0, c0, DepKind::Memory);
  dag.addEdge(l1, c2, DepKind::Memory);
  dag.addEdge(l2, c3, DepKind::Memory);
  PrefetchOptions options;
  options.sramBudget = 6500; // l1 may not be live together with b0
  PrefetchResult r = schedulePrefetch(dag, options);
  ASSERT_TRUE(dag.isValidOrder(r.order));
  std::vector<size_t> pos = positions(r.order);
  EXPECT_GT(pos[l1], pos[c0]) << "the big tile waits until b0 is dead";
  EXPECT_LT(pos[l1], pos[c1]) << "and then goes as early as it can";
  EXPECT_GT(pos[l2], pos[l1]) << "the small tile does not jump the blocked big one";
}

TEST(PrefetchScheduler, WeightLoadsStayBehindTheActivationLoadBeforeThem) {
  // Each kernel loads its activation (which waits for the previous kernel's
  // store) and then its weights. Moving a weight above the activation load
  // would delay the load compute needs first in the in-order load queue, so
  // the schedule keeps this order and the estimate is unchanged.
  ScheduleDag dag = layerChain(16, 32768, 400);
  TimingModel model = roundModel();
  Timeline before = estimateTimeline(dag, dag.originalOrder(), model);
  PrefetchOptions options;
  options.sramBudget = 4 * 32768;
  PrefetchResult r = schedulePrefetch(dag, options);
  ASSERT_TRUE(dag.isValidOrder(r.order));
  Timeline after = estimateTimeline(dag, r.order, model);
  EXPECT_LE(after.makespan, before.makespan);
  std::vector<size_t> pos = positions(r.order);
  for (unsigned k = 1; k < 16; ++k)
    EXPECT_GT(pos[4 * k + 1], pos[4 * k]) << "weight load " << k << " passes its activation load";
}

TEST(PrefetchScheduler, TopologicalOrderIsValid) {
  ScheduleDag dag = chain(5, 64, 10);
  dag.addEdge(1, 3, DepKind::Order);
  dag.addEdge(3, 5, DepKind::Order);
  std::vector<uint32_t> order = topologicalOrder(dag);
  std::string why;
  EXPECT_TRUE(dag.isValidOrder(order, &why)) << why;
}
