//===- DagBuilder.h - The dependency DAG of an npu.core ---------*- C++ -*-===//
//
// Turns the program of one npu.core into a sched::ScheduleDag: one node per
// top-level op other than npu.alloc (a loop is one node), in program order,
// with
//
//   - memory edges from the ops' access sets (NpuInstructionOpInterface):
//     SRAM byte ranges per buffer, HBM byte ranges at their absolute
//     addresses (weights, activations other cores write, the KV cache),
//     and the barrier sequence; RAW, WAR and WAW all order;
//   - register edges: an op reading or writing a scalar register stays on
//     its side of the ops writing it (and of the readers of the value it
//     overwrites), which keeps runtime addresses and sizes intact;
//   - configuration edges: a GEMM stays after the tc_config that set up
//     the tensor cores for it and before the next one;
//   - order edges around barriers, DVFS hints and fences, which order their
//     queue (or, for a fence, everything).
//
// Node costs come from the arch config with the simulator's closed forms:
// GEMMs through the lowering's cost model (gemmCycles, under the ganging in
// force), vector ops by docs/simulator.md section 3.2, DMA bytes from the
// descriptor sizes (register sizes: the declared window).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/Dialect/Npu/IR/NpuMemoryPlan.h"
#include "strata/Dialect/Npu/IR/NpuOps.h"
#include "strata/Dialect/Npu/Transforms/ScheduleDag.h"
#include "strata/target/ArchConfig.h"

#include "mlir/IR/Operation.h"

#include <string>
#include <vector>

namespace strata::npu {

struct CoreDag {
  sched::ScheduleDag dag;
  /// Node id -> its op (top-level ops of the core, npu.alloc excluded).
  std::vector<mlir::Operation *> ops;
  /// Buffer index -> its npu.alloc.
  std::vector<AllocOp> buffers;
  /// Region index -> the code label of its ops (null without one). A region
  /// is a run of consecutive ops with the same label: one kernel.
  std::vector<mlir::StringAttr> regions;
};

/// Builds the DAG of `core`. Fails, with an error on the op, when an op
/// names an SRAM buffer that is not an npu.alloc of this core or an HBM
/// symbol the layout does not place.
mlir::FailureOr<CoreDag> buildCoreDag(CoreOp core, const HbmLayout &layout,
                                      const ArchConfig &arch);

/// Moves the ops of `core` into `order` (node ids of `dag`), and each
/// npu.alloc right before its first user (unused ones to the top).
void applyOrder(CoreOp core, const CoreDag &dag, const std::vector<uint32_t> &order);

} // namespace strata::npu
