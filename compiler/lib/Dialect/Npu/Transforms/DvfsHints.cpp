//===- DvfsHints.cpp - The strata-npu-insert-dvfs-hints pass --------------===//
//
// Per core: the DAG of the program as it stands (after scheduling), its
// timing estimate, the plan of DvfsRegions, and one npu.dvfs_hint on the
// compute queue per switch (domain 255: the issuing core's own domain).
//
//===----------------------------------------------------------------------===//
#include "strata/Dialect/Npu/Transforms/DvfsRegions.h"
#include "strata/Dialect/Npu/Transforms/Passes.h"
#include "strata/Dialect/Npu/Transforms/ScheduleAnalysis.h"
#include "strata/Dialect/Npu/Transforms/ScheduleSupport.h"

#include "mlir/IR/Builders.h"

#define DEBUG_TYPE "strata-npu-insert-dvfs-hints"

namespace strata::npu {
#define GEN_PASS_DEF_NPUINSERTDVFSHINTSPASS
#include "strata/Dialect/Npu/Transforms/Passes.h.inc"
} // namespace strata::npu

using namespace mlir;

namespace strata::npu {
namespace {

class InsertDvfsHintsPass : public impl::NpuInsertDvfsHintsPassBase<InsertDvfsHintsPass> {
public:
  using NpuInsertDvfsHintsPassBase::NpuInsertDvfsHintsPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (margin < 1.0) {
      module.emitError() << "strata-npu-insert-dvfs-hints: margin " << margin
                         << " is below 1 (compute would outlast the DMAs it hides behind)";
      return signalPassFailure();
    }
    ScheduleAnalysis &analysis = getAnalysis<ScheduleAnalysis>();
    if (analysis.failed())
      return signalPassFailure();
    const ArchConfig &arch = analysis.arch();
    const DvfsDomainConfig *domain = arch.findDomain("core");
    Builder b(&getContext());
    int64_t hints = 0, low = 0;
    double lowCycles = 0, totalCycles = 0;
    if (domain && domain->points.size() > 1) {
      const double nominalMHz =
          domain->points[std::min<size_t>(domain->nominal, domain->points.size() - 1)].freqMHz;
      for (ScheduleAnalysis::Entry &entry : analysis.entries()) {
        sched::DvfsPlanOptions options;
        for (const OperatingPoint &p : domain->points) {
          sched::TimingModel at = entryTimingModel(entry.op, arch, p.freqMHz);
          options.points.push_back({p.freqMHz, at.dmaBytesPerCycle * p.freqMHz * 1e6});
        }
        options.nominal = domain->nominal;
        options.initial = domain->initial;
        options.margin = margin;
        // Estimates are in cycles of the nominal clock.
        options.minRegionCycles = minRegionNs * nominalMHz / 1000.0;
        std::vector<sched::Timeline> timelines = analysis.estimate(entry);
        for (size_t c = 0; c < entry.cores.size(); ++c) {
          CoreOp core = entry.cores[c];
          const CoreDag &dag = entry.dags[c];
          sched::DvfsPlan plan =
              sched::planDvfs(dag.dag, entry.orders[c], timelines[c], entry.model, options);
          for (const sched::DvfsSwitch &s : plan.switches) {
            Operation *before = dag.ops[s.beforeNode];
            OpBuilder ob(before);
            auto hint = ob.create<DvfsHintOp>(before->getLoc(),
                                              QueueAttr::get(&getContext(), Queue::Compute),
                                              ob.getI32IntegerAttr(isa::kOwnCoreDomain),
                                              ob.getI32IntegerAttr(int32_t(s.level)));
            if (auto label = before->getAttrOfType<StringAttr>("npu.label"))
              hint->setAttr("npu.label", label);
            ++hints;
          }
          if (plan.restoreLevel >= 0) {
            Block &body = core.getBody().front();
            OpBuilder ob = OpBuilder::atBlockEnd(&body);
            auto hint = ob.create<DvfsHintOp>(
                core.getLoc(), QueueAttr::get(&getContext(), Queue::Compute),
                ob.getI32IntegerAttr(isa::kOwnCoreDomain), ob.getI32IntegerAttr(plan.restoreLevel));
            // The restore belongs to the last kernel (reports attribute
            // time and energy by label).
            for (Operation &op : llvm::reverse(body))
              if (auto label = op.getAttrOfType<StringAttr>("npu.label")) {
                hint->setAttr("npu.label", label);
                break;
              }
            ++hints;
          }
          low += plan.lowRegions;
          lowCycles += plan.lowCycles;
          totalCycles += plan.totalCycles;
        }
      }
    }
    numHints = uint64_t(hints);
    numLowRegions = uint64_t(low);
    module->setAttr(kDvfsStatsAttr,
                    b.getDictionaryAttr(
                        {b.getNamedAttr("hints", b.getI64IntegerAttr(hints)),
                         b.getNamedAttr("memory_bound_regions", b.getI64IntegerAttr(low)),
                         b.getNamedAttr("memory_bound_share",
                                        b.getF64FloatAttr(totalCycles > 0 ? lowCycles / totalCycles
                                                                          : 0.0))}));
  }
};

} // namespace
} // namespace strata::npu
