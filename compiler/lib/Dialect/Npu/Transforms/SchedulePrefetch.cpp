//===- SchedulePrefetch.cpp - The strata-npu-schedule-prefetch pass -------===//
//
// Per core: DAG (DagBuilder), placement (PrefetchScheduler), a check that
// strata-npu-allocate-sram can place the result (ScheduleSram), the timing
// estimate before and after (ScheduleTiming), and the new order written
// back into the block (applyOrder).
//
//===----------------------------------------------------------------------===//
#include "strata/Dialect/Npu/Transforms/Passes.h"
#include "strata/Dialect/Npu/Transforms/PrefetchScheduler.h"
#include "strata/Dialect/Npu/Transforms/ScheduleAnalysis.h"
#include "strata/Dialect/Npu/Transforms/ScheduleSram.h"
#include "strata/Dialect/Npu/Transforms/ScheduleSupport.h"

#include "mlir/IR/Builders.h"

#define DEBUG_TYPE "strata-npu-schedule-prefetch"

namespace strata::npu {
#define GEN_PASS_DEF_NPUSCHEDULEPREFETCHPASS
#include "strata/Dialect/Npu/Transforms/Passes.h.inc"
} // namespace strata::npu

using namespace mlir;

namespace strata::npu {
namespace {

/// What the estimate says about one entry.
struct EntryEstimate {
  double cycles = 0; ///< slowest core
  double overlap = 0, shorter = 0;
  double dmaBusy = 0, computeBusy = 0; ///< busiest core
};

EntryEstimate summarize(const std::vector<sched::Timeline> &timelines) {
  EntryEstimate e;
  for (const sched::Timeline &t : timelines) {
    e.cycles = std::max(e.cycles, t.makespan);
    e.overlap += t.overlap;
    e.shorter += std::min(t.dmaBusy, t.computeBusy);
    e.dmaBusy = std::max(e.dmaBusy, t.dmaBusy);
    e.computeBusy = std::max(e.computeBusy, t.computeBusy);
  }
  return e;
}

double fraction(double overlap, double shorter) { return shorter > 0 ? overlap / shorter : 1.0; }

class SchedulePrefetchPass
    : public impl::NpuSchedulePrefetchPassBase<SchedulePrefetchPass> {
public:
  using NpuSchedulePrefetchPassBase::NpuSchedulePrefetchPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    bool hasSync = false;
    module.walk([&](Operation *op) {
      if (llvm::isa<SemSignalOp, SemReleaseOp, SemWaitOp>(op))
        hasSync = true;
    });
    if (hasSync) {
      module.emitError("strata-npu-schedule-prefetch: the module already has semaphores; run "
                       "it before strata-npu-insert-semaphores (which pairs them by position)");
      return signalPassFailure();
    }
    ScheduleAnalysis &analysis = getAnalysis<ScheduleAnalysis>();
    if (analysis.failed())
      return signalPassFailure();
    const ArchConfig &arch = analysis.arch();
    // The resident KV cache's reservation is not the scheduler's to fill.
    const int64_t capacity =
        static_cast<int64_t>(sramBytes ? uint64_t(sramBytes) : arch.core.sram.sizeBytes) -
        reservedSramBytes(module, /*withPinnedWeights=*/false);
    const unsigned ahead =
        maxAhead ? unsigned(maxAhead) : std::max(1u, arch.core.queues.loadDepth / 2);

    Builder b(&getContext());
    SmallVector<NamedAttribute> entries;
    double overlap = 0, shorter = 0, totalBefore = 0, totalAfter = 0;
    uint64_t loads = 0, hoisted = 0;
    for (ScheduleAnalysis::Entry &entry : analysis.entries()) {
      EntryEstimate before = summarize(analysis.estimate(entry)), after = before;
      uint64_t entryLoads = 0, entryHoisted = 0;
      for (const CoreDag &dag : entry.dags)
        for (uint32_t id = 0; id < dag.dag.size(); ++id)
          entryLoads += dag.dag.node(id).prefetch ? 1 : 0;
      if (reorder) {
        FailureOr<uint64_t> moved = scheduleEntry(analysis, entry, capacity, ahead, before, after);
        if (failed(moved))
          return signalPassFailure();
        entryHoisted = *moved;
      }
      loads += entryLoads;
      hoisted += entryHoisted;
      overlap += after.overlap;
      shorter += after.shorter;
      totalBefore += before.cycles;
      totalAfter += after.cycles;
      entries.push_back(b.getNamedAttr(
          entry.op.getSymName(),
          b.getDictionaryAttr(
              {b.getNamedAttr("loads_hoisted", b.getI64IntegerAttr(int64_t(entryHoisted))),
               b.getNamedAttr("estimated_cycles_before", b.getI64IntegerAttr(int64_t(before.cycles))),
               b.getNamedAttr("estimated_cycles", b.getI64IntegerAttr(int64_t(after.cycles))),
               b.getNamedAttr("estimated_overlap_before",
                              b.getF64FloatAttr(fraction(before.overlap, before.shorter))),
               b.getNamedAttr("estimated_overlap",
                              b.getF64FloatAttr(fraction(after.overlap, after.shorter))),
               b.getNamedAttr("dma_busy_cycles", b.getI64IntegerAttr(int64_t(after.dmaBusy))),
               b.getNamedAttr("compute_busy_cycles",
                              b.getI64IntegerAttr(int64_t(after.computeBusy)))})));
    }
    // Release builds of LLVM compile statistics out; the attribute carries
    // the same numbers on every build.
    numLoads = loads;
    numHoisted = hoisted;
    cyclesBefore = static_cast<uint64_t>(totalBefore);
    cyclesAfter = static_cast<uint64_t>(totalAfter);
    overlapPermille = static_cast<uint64_t>(fraction(overlap, shorter) * 1000 + 0.5);
    module->setAttr(kPrefetchStatsAttr,
                    b.getDictionaryAttr(
                        {b.getNamedAttr("loads", b.getI64IntegerAttr(int64_t(loads))),
                         b.getNamedAttr("loads_hoisted", b.getI64IntegerAttr(int64_t(hoisted))),
                         b.getNamedAttr("estimated_overlap",
                                        b.getF64FloatAttr(fraction(overlap, shorter))),
                         b.getNamedAttr("entries", b.getDictionaryAttr(entries))}));
    // The DAGs hold for the new orders (recorded in the analysis).
    markAnalysesPreserved<ScheduleAnalysis>();
  }

private:
  /// Schedules every core of `entry`; returns the loads moved (0 when the
  /// estimate prefers the lowered order).
  FailureOr<uint64_t> scheduleEntry(ScheduleAnalysis &analysis, ScheduleAnalysis::Entry &entry,
                                    int64_t capacity, unsigned ahead,
                                    const EntryEstimate &before, EntryEstimate &after) {
    std::vector<std::vector<uint32_t>> lowered = entry.orders;
    std::vector<uint32_t> hoisted(entry.dags.size(), 0);
    for (size_t c = 0; c < entry.dags.size(); ++c) {
      const CoreDag &dag = entry.dags[c];
      // The largest budget whose order strata-npu-allocate-sram can place:
      // first fit may fragment, so step down in sixteenths of the SRAM.
      const int64_t loweredHigh = sched::firstFitHighWater(liveIntervals(dag, lowered[c]));
      for (int sixteenths = 16; sixteenths > 0; --sixteenths) {
        sched::PrefetchOptions options;
        options.sramBudget = capacity / 16 * sixteenths;
        options.maxAhead = ahead;
        sched::PrefetchResult r = sched::schedulePrefetch(dag.dag, options);
        std::string why;
        if (!dag.dag.isValidOrder(r.order, &why))
          return entry.cores[c].emitError("strata-npu-schedule-prefetch: internal error, the "
                                          "schedule breaks a dependency: ")
                 << why;
        int64_t high = sched::firstFitHighWater(liveIntervals(dag, r.order));
        if (high > capacity && high > loweredHigh)
          continue;
        entry.orders[c] = std::move(r.order);
        hoisted[c] = r.hoisted;
        break;
      }
    }
    after = summarize(analysis.estimate(entry));
    // Keep the lowered order when the estimate finds the schedule slower.
    if (after.cycles > before.cycles) {
      entry.orders = std::move(lowered);
      after = before;
      return uint64_t(0);
    }
    uint64_t moved = 0;
    for (size_t c = 0; c < entry.dags.size(); ++c) {
      moved += hoisted[c];
      if (hoisted[c] > 0)
        applyOrder(entry.cores[c], entry.dags[c], entry.orders[c]);
    }
    return moved;
  }
};

} // namespace
} // namespace strata::npu
