//===- ScheduleSupport.h - What the scheduling passes share -----*- C++ -*-===//
#pragma once

#include "strata/Dialect/Npu/IR/NpuOps.h"
#include "strata/Dialect/Npu/Transforms/DagBuilder.h"
#include "strata/Dialect/Npu/Transforms/ScheduleSram.h"
#include "strata/Dialect/Npu/Transforms/ScheduleTiming.h"
#include "strata/target/ArchConfig.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/DenseSet.h"

#include <vector>

namespace strata::npu {

/// The architecture the module was lowered for (its npu.arch_yaml). Emits
/// an error naming `pass` when there is none or it does not parse.
mlir::FailureOr<ArchConfig> moduleArch(mlir::ModuleOp module, llvm::StringRef pass);

/// SRAM bytes per core reserved at the top for buffers placed before
/// strata-npu-allocate-sram (NpuResidency.h): the resident KV cache, and with
/// `withPinnedWeights` the resident weights too.
int64_t reservedSramBytes(mlir::ModuleOp module, bool withPinnedWeights);

/// Cores of `entry` whose programs move HBM bytes (at least 1).
unsigned dmaCores(EntryOp entry);

/// The timing model for the cores of `entry`, at the core clock `coreMHz`
/// (0: nominal): the HBM bandwidth is shared by its dmaCores.
sched::TimingModel entryTimingModel(EntryOp entry, const ArchConfig &arch, double coreMHz = 0);

/// The SRAM intervals strata-npu-allocate-sram will see for `dag`'s buffers
/// when the core runs `order` (unused buffers first, as applyOrder places
/// them). Buffers placed already (kPinnedAttr) take no room in them.
std::vector<sched::LiveInterval> liveIntervals(const CoreDag &dag,
                                               const std::vector<uint32_t> &order);

/// A core's SRAM buffers with the live ranges strata-npu-allocate-sram
/// places them by: one position per top-level op of the program not in
/// `skip`; a buffer lives from the first to the last position that uses it
/// (a loop is one position; an unused buffer only at its own). Allocs in
/// `skip` and allocs placed already (kPinnedAttr) are left out.
struct BufferLives {
  std::vector<AllocOp> allocs;
  std::vector<sched::LiveInterval> lives; ///< parallel to allocs
  std::vector<mlir::Operation *> ops;     ///< the op at each position
};
BufferLives bufferLives(CoreOp core, const llvm::DenseSet<mlir::Operation *> &skip = {});

} // namespace strata::npu
