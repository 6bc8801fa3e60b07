//===- Pipeline.cpp - The backend pass pipeline ---------------------------===//
#include "strata/Conversion/Passes.h"
#include "strata/Dialect/Npu/Transforms/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

using namespace mlir;

namespace strata::npu {

void buildBackendPassPipeline(OpPassManager &pm, const BackendPipelineOptions &options) {
  GraphToNpuPassOptions lower;
  lower.arch = options.arch;
  lower.cores = options.cores;
  lower.prefillChunk = options.prefillChunk;
  lower.prefetchDepth = options.prefetchDepth;
  lower.linearSchedule = options.linearSchedule;
  lower.prefillKChunk = options.prefillKChunk;
  lower.prefillKSums = options.prefillKSums;
  lower.residentKv = options.residentKv;
  lower.padRows = options.padRows;
  pm.addPass(createGraphToNpuPass(lower));
  // Scheduling changes program order, which the allocator's liveness and
  // the semaphores are derived from: it runs first.
  NpuSchedulePrefetchPassOptions schedule;
  schedule.reorder = options.prefetch;
  pm.addPass(createNpuSchedulePrefetchPass(schedule));
  // After scheduling (which ordered the programs with the loads present),
  // before the DVFS plan and the allocation see the programs without them.
  if (options.pinWeights)
    pm.addPass(createNpuPinWeightsPass());
  if (options.forwardStores)
    pm.addPass(createNpuForwardStoresPass());
  if (options.dvfsHints)
    pm.addPass(createNpuInsertDvfsHintsPass());
  pm.addPass(createNpuAllocateSramPass());
  pm.addPass(createNpuInsertSemaphoresPass());
}

void registerBackendPassPipeline() {
  PassPipelineRegistration<BackendPipelineOptions>(
      "strata-backend-pipeline",
      "Lower graph to NPU instructions, schedule loads, insert DVFS hints, allocate SRAM and "
      "insert semaphores",
      buildBackendPassPipeline);
}

} // namespace strata::npu
