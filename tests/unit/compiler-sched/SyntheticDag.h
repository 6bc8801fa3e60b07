//===- SyntheticDag.h - Small DAGs for the scheduler tests ------*- C++ -*-===//
//
// Builders for DAGs shaped like lowered kernels, without IR: a chain of
// "weight load -> compute on it" steps, loads that depend on a store, and
// timing models with round numbers so expected cycles can be computed by
// hand.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/Dialect/Npu/Transforms/ScheduleDag.h"
#include "strata/Dialect/Npu/Transforms/ScheduleTiming.h"

#include <cstdint>
#include <vector>

namespace strata::npu::sched::test {

inline DagNode load(uint64_t bytes, uint32_t buffer, uint32_t region = 0) {
  DagNode n;
  n.lane = Lane::Load;
  n.unit = Unit::Dma;
  n.hbmBytes = bytes;
  n.prefetch = true;
  n.buffers = {buffer};
  n.region = region;
  return n;
}

inline DagNode compute(uint64_t cycles, std::vector<uint32_t> buffers, uint32_t region = 0) {
  DagNode n;
  n.lane = Lane::Compute;
  n.unit = Unit::Tensor;
  n.cycles = cycles;
  n.buffers = std::move(buffers);
  n.region = region;
  return n;
}

inline DagNode store(uint64_t bytes, uint32_t buffer, uint32_t region = 0) {
  DagNode n;
  n.lane = Lane::Store;
  n.unit = Unit::Dma;
  n.hbmBytes = bytes;
  n.buffers = {buffer};
  n.region = region;
  return n;
}

/// `steps` kernels, each a load of `bytes` into its own buffer followed by
/// a compute of `cycles` reading it, in that program order. Node 2k is the
/// load of step k, node 2k+1 its compute.
inline ScheduleDag chain(unsigned steps, uint64_t bytes, uint64_t cycles) {
  ScheduleDag dag;
  for (unsigned k = 0; k < steps; ++k) {
    uint32_t b = dag.addBuffer(bytes);
    uint32_t l = dag.addNode(load(bytes, b, k));
    uint32_t c = dag.addNode(compute(cycles, {b}, k));
    dag.addEdge(l, c, DepKind::Memory);
  }
  return dag;
}

/// `steps` kernels the way the lowering emits a layer: load the input
/// activation (written by the previous kernel's store), load the weight
/// tile, compute, store the output. The in-order load queue keeps the
/// weight load behind the activation load, which waits for the previous
/// store: without prefetching, transfers and compute alternate. Nodes of
/// step k: 4k activation load, 4k+1 weight load, 4k+2 compute, 4k+3 store.
inline ScheduleDag layerChain(unsigned steps, uint64_t weightBytes, uint64_t cycles,
                              uint64_t activationBytes = 256) {
  ScheduleDag dag;
  int64_t previousStore = -1;
  for (unsigned k = 0; k < steps; ++k) {
    uint32_t x = dag.addBuffer(activationBytes), w = dag.addBuffer(weightBytes),
             y = dag.addBuffer(activationBytes);
    DagNode lx = load(activationBytes, x, k);
    uint32_t ix = dag.addNode(lx);
    uint32_t iw = dag.addNode(load(weightBytes, w, k));
    uint32_t ic = dag.addNode(compute(cycles, {x, w, y}, k));
    uint32_t is = dag.addNode(store(activationBytes, y, k));
    if (previousStore >= 0)
      dag.addEdge(uint32_t(previousStore), ix, DepKind::Memory);
    dag.addEdge(ix, ic, DepKind::Memory);
    dag.addEdge(iw, ic, DepKind::Memory);
    dag.addEdge(ic, is, DepKind::Memory);
    previousStore = is;
  }
  return dag;
}

/// 64 bytes per cycle, 100 cycles of latency, 4 engines, deep queues.
inline TimingModel roundModel() {
  TimingModel m;
  m.dmaBytesPerCycle = 64;
  m.dmaLatencyCycles = 100;
  m.dmaEngines = 4;
  m.depth = {0, 64, 64, 64};
  m.dispatchCycles = 1;
  return m;
}

/// Position of every node in `order`.
inline std::vector<size_t> positions(const std::vector<uint32_t> &order) {
  std::vector<size_t> pos(order.size());
  for (size_t i = 0; i < order.size(); ++i)
    pos[order[i]] = i;
  return pos;
}

} // namespace strata::npu::sched::test
