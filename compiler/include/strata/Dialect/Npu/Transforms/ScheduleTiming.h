//===- ScheduleTiming.h - Per-queue timing estimate of a program -*- C++ -*-===//
//
// A static estimate of when each node of a ScheduleDag runs when the core
// executes them in a given program order, following the execution model of
// docs/simulator.md section 2 in the small:
//
//   - the sequencer dispatches in program order, dispatchCycles each, and
//     stalls while the target queue is full (an entry leaves its queue when
//     it starts);
//   - each queue issues in order; a node starts when its dependencies have
//     finished (the semaphores strata-npu-insert-semaphores will add) and
//     its unit is free;
//   - DMA nodes take one of the core's engines and, after a fixed access
//     latency, move their HBM bytes at the core's share of the chip's HBM
//     bandwidth (bytes / bandwidth share), divided among the transfers in
//     flight when they start (the engines issue requests round robin);
//   - tensor and vector nodes take their unit for the cycles the IR side
//     computed with the simulator's closed forms (the GEMM formula of
//     section 3.1, the vector formula of section 3.2).
//
// estimateEntry times the cores of an entry point together: the k-th
// barrier of each core completes when every core of its mask has reached
// its k-th barrier. estimateTimeline times one core alone (its barriers
// complete on arrival). Plain C++ (no MLIR).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/Dialect/Npu/Transforms/ScheduleDag.h"
#include "strata/target/ArchConfig.h"

#include <array>
#include <cstdint>
#include <vector>

namespace strata::npu::sched {

struct TimingModel {
  /// HBM bytes per core cycle this core's DMA engines get together.
  double dmaBytesPerCycle = 64;
  /// Cycles from a DMA's start to its first byte (setup, NoC, DRAM access).
  uint64_t dmaLatencyCycles = 100;
  unsigned dmaEngines = 4;
  /// Entries per lane (indexed by Lane; the sequencer entry is unused).
  std::array<unsigned, kNumLanes> depth{0, 64, 64, 64};
  uint64_t dispatchCycles = 1;
};

/// The model of `arch` for a program whose DMA traffic comes from
/// `activeCores` cores at once, with the core clock at `coreMHz` (0: the
/// core domain's nominal point). The bandwidth share is the smallest of the
/// HBM peak derated by all-bank refresh (tRFC / tREFI; per-bank refresh
/// leaves streams the peak), the TSVs and the NoC links,
/// split over the active cores, and (detailed HBM) one request per core
/// cycle.
TimingModel timingModelFor(const ArchConfig &arch, unsigned activeCores, double coreMHz = 0);

struct NodeTime {
  double dispatch = 0, start = 0, end = 0;
};

struct Timeline {
  std::vector<NodeTime> time; ///< by node id
  double makespan = 0;
  /// Cycles with any DMA in flight, with the tensor or vector unit busy,
  /// and with both.
  double dmaBusy = 0, computeBusy = 0, overlap = 0;
  /// Fraction of the shorter of the two activities that runs under the
  /// longer one (1: fully hidden).
  double overlapFraction() const;
};

/// Estimates `order` (a valid order of `dag`, see ScheduleDag::isValidOrder)
/// of one core on its own.
Timeline estimateTimeline(const ScheduleDag &dag, const std::vector<uint32_t> &order,
                          const TimingModel &model);

/// A core of an entry point: its DAG, the order it runs and its core id
/// (the bit barrier masks name it by).
struct CoreProgram {
  const ScheduleDag *dag = nullptr;
  const std::vector<uint32_t> *order = nullptr;
  unsigned coreId = 0;
};

/// Estimates the cores of an entry point together, barriers included. A
/// barrier that can never complete (a core missing from the programs, or
/// inconsistent masks) completes on arrival.
std::vector<Timeline> estimateEntry(const std::vector<CoreProgram> &cores,
                                    const TimingModel &model);

} // namespace strata::npu::sched
