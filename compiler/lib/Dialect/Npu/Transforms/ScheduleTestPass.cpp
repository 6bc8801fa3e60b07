//===- ScheduleTestPass.cpp - The strata-npu-test-schedule pass -----------===//
//
// Exposes the DAG, the orderings and the estimate as attributes so lit
// tests can check them op by op (the CIRCT habit of testing schedulers
// through a test pass with a selectable algorithm).
//
//===----------------------------------------------------------------------===//
#include "strata/Dialect/Npu/Transforms/Passes.h"
#include "strata/Dialect/Npu/Transforms/PrefetchScheduler.h"
#include "strata/Dialect/Npu/Transforms/ScheduleAnalysis.h"

#include "mlir/IR/Builders.h"

#define DEBUG_TYPE "strata-npu-test-schedule"

namespace strata::npu {
#define GEN_PASS_DEF_NPUTESTSCHEDULEPASS
#include "strata/Dialect/Npu/Transforms/Passes.h.inc"
} // namespace strata::npu

using namespace mlir;

namespace strata::npu {
namespace {

class TestSchedulePass : public impl::NpuTestSchedulePassBase<TestSchedulePass> {
public:
  using NpuTestSchedulePassBase::NpuTestSchedulePassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (algorithm != "original" && algorithm != "topological" && algorithm != "asap" &&
        algorithm != "prefetch") {
      module.emitError() << "strata-npu-test-schedule: unknown algorithm '" << algorithm
                         << "' (expected original, topological, asap or prefetch)";
      return signalPassFailure();
    }
    ScheduleAnalysis &analysis = getAnalysis<ScheduleAnalysis>();
    if (analysis.failed())
      return signalPassFailure();
    const ArchConfig &arch = analysis.arch();
    Builder b(&getContext());
    for (ScheduleAnalysis::Entry &entry : analysis.entries()) {
      std::vector<uint32_t> hoisted(entry.cores.size(), 0);
      for (size_t c = 0; c < entry.cores.size(); ++c) {
        const sched::ScheduleDag &dag = entry.dags[c].dag;
        std::vector<uint32_t> &order = entry.orders[c];
        if (algorithm == "topological") {
          order = sched::topologicalOrder(dag);
        } else if (algorithm == "asap" || algorithm == "prefetch") {
          sched::PrefetchOptions options;
          if (algorithm == "prefetch") {
            options.sramBudget = int64_t(sramBytes ? uint64_t(sramBytes) : arch.core.sram.sizeBytes);
            options.maxAhead =
                maxAhead ? unsigned(maxAhead) : std::max(1u, arch.core.queues.loadDepth / 2);
          }
          sched::PrefetchResult r = sched::schedulePrefetch(dag, options);
          order = std::move(r.order);
          hoisted[c] = r.hoisted;
        }
        std::string why;
        if (!dag.isValidOrder(order, &why)) {
          entry.cores[c].emitError() << "strata-npu-test-schedule: invalid order: " << why;
          return signalPassFailure();
        }
      }
      std::vector<sched::Timeline> timelines = analysis.estimate(entry);
      for (size_t c = 0; c < entry.cores.size(); ++c) {
        const sched::Timeline &t = timelines[c];
        const CoreDag &dag = entry.dags[c];
        for (uint32_t id = 0; id < dag.dag.size(); ++id) {
          Operation *o = dag.ops[id];
          SmallVector<int64_t> preds;
          for (uint32_t p : dag.dag.preds(id))
            preds.push_back(p);
          llvm::sort(preds);
          o->setAttr("sched.node", b.getI64IntegerAttr(id));
          o->setAttr("sched.preds", b.getDenseI64ArrayAttr(preds));
          o->setAttr("sched.start", b.getI64IntegerAttr(int64_t(t.time[id].start + 0.5)));
          o->setAttr("sched.end", b.getI64IntegerAttr(int64_t(t.time[id].end + 0.5)));
        }
        CoreOp core = entry.cores[c];
        core->setAttr("sched.cycles", b.getI64IntegerAttr(int64_t(t.makespan + 0.5)));
        core->setAttr("sched.overlap_permille",
                      b.getI64IntegerAttr(int64_t(t.overlapFraction() * 1000 + 0.5)));
        core->setAttr("sched.hoisted", b.getI64IntegerAttr(hoisted[c]));
        applyOrder(core, dag, entry.orders[c]);
      }
    }
  }
};

} // namespace
} // namespace strata::npu
