//===- ScheduleAnalysis.cpp - Core DAGs shared by the scheduling passes ---===//
#include "strata/Dialect/Npu/Transforms/ScheduleAnalysis.h"

#include "strata/Dialect/Npu/Transforms/ScheduleSupport.h"

#include "mlir/IR/BuiltinOps.h"

using namespace mlir;

namespace strata::npu {

ScheduleAnalysis::ScheduleAnalysis(Operation *op) {
  auto module = llvm::cast<ModuleOp>(op);
  FailureOr<ArchConfig> arch = moduleArch(module, "npu scheduling");
  if (mlir::failed(arch)) {
    failed_ = true;
    return;
  }
  FailureOr<HbmLayout> layout = computeHbmLayout(module);
  if (mlir::failed(layout)) {
    failed_ = true;
    return;
  }
  arch_ = std::move(*arch);
  for (EntryOp entryOp : module.getOps<EntryOp>()) {
    Entry &entry = entries_.emplace_back();
    entry.op = entryOp;
    entry.model = entryTimingModel(entryOp, arch_);
    size_t cores = entryOp.getBody().front().getOperations().size();
    entry.dags.reserve(cores); // a DAG is expensive to copy
    for (Operation &c : entryOp.getBody().front()) {
      auto core = llvm::cast<CoreOp>(c);
      FailureOr<CoreDag> dag = buildCoreDag(core, *layout, arch_);
      if (mlir::failed(dag)) {
        failed_ = true;
        return;
      }
      entry.cores.push_back(core);
      entry.orders.push_back(dag->dag.originalOrder());
      entry.dags.push_back(std::move(*dag));
    }
  }
}

std::vector<sched::Timeline> ScheduleAnalysis::estimate(const Entry &entry) const {
  std::vector<sched::CoreProgram> programs;
  for (size_t c = 0; c < entry.cores.size(); ++c)
    programs.push_back(
        {&entry.dags[c].dag, &entry.orders[c], unsigned(CoreOp(entry.cores[c]).getCoreId())});
  return sched::estimateEntry(programs, entry.model);
}

} // namespace strata::npu
