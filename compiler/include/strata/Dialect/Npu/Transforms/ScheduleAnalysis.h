//===- ScheduleAnalysis.h - Core DAGs shared by the scheduling passes -*- C++ -*-===//
//
// The dependency DAG of every core, built once per module and shared by the
// passes that read it back to back (strata-npu-schedule-prefetch, then
// strata-npu-insert-dvfs-hints), as an MLIR analysis. A DAG stays valid
// under any reordering that respects it (every conflicting pair keeps its
// order, so the dependencies are the same), so the prefetch pass records
// the order it applied and preserves the analysis instead of making the next
// pass rebuild 200k-node graphs of a 7B model.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/Dialect/Npu/Transforms/DagBuilder.h"
#include "strata/Dialect/Npu/Transforms/ScheduleTiming.h"
#include "strata/target/ArchConfig.h"

#include "mlir/IR/Operation.h"

#include <vector>

namespace strata::npu {

class ScheduleAnalysis {
public:
  struct Entry {
    EntryOp op;
    std::vector<CoreOp> cores;
    std::vector<CoreDag> dags;
    /// The order of each core's nodes as its block holds them.
    std::vector<std::vector<uint32_t>> orders;
    /// The timing model of the entry (its cores share the HBM bandwidth).
    sched::TimingModel model;
  };

  /// Builds the DAGs of `module` (an npu module lowered with its arch).
  /// Errors are emitted on the module or the offending op; failed() says so.
  explicit ScheduleAnalysis(mlir::Operation *module);

  bool failed() const { return failed_; }
  const ArchConfig &arch() const { return arch_; }
  std::vector<Entry> &entries() { return entries_; }

  /// The estimate of every core of `entry` in its current orders.
  std::vector<sched::Timeline> estimate(const Entry &entry) const;

private:
  bool failed_ = false;
  ArchConfig arch_;
  std::vector<Entry> entries_;
};

} // namespace strata::npu
