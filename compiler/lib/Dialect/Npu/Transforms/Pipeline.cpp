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
  pm.addPass(createGraphToNpuPass(lower));
  pm.addPass(createNpuAllocateSramPass());
  pm.addPass(createNpuInsertSemaphoresPass());
}

void registerBackendPassPipeline() {
  PassPipelineRegistration<BackendPipelineOptions>(
      "strata-backend-pipeline",
      "Lower graph to NPU instructions, allocate SRAM and insert semaphores",
      buildBackendPassPipeline);
}

} // namespace strata::npu
