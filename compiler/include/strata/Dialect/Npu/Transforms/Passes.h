//===- Passes.h - Passes and the pipeline of the npu dialect ----*- C++ -*-===//
#pragma once

#include "strata/Dialect/Npu/IR/NpuDialect.h"
#include "strata/Dialect/Npu/IR/NpuResidency.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassOptions.h"

#include <string>

namespace strata::npu {

#define GEN_PASS_DECL
#include "strata/Dialect/Npu/Transforms/Passes.h.inc"

/// Module attribute holding the SRAM high-water mark of every core.
inline constexpr llvm::StringLiteral kSramHighWaterAttr = "npu.sram_high_water";
/// Module attribute with the counts of strata-npu-insert-semaphores (release
/// LLVM compiles pass statistics out, so drivers read this).
inline constexpr llvm::StringLiteral kSemaphoreStatsAttr = "npu.semaphore_stats";
/// Module attributes of strata-npu-schedule-prefetch (loads moved, estimated
/// cycles and DMA/compute overlap) and strata-npu-insert-dvfs-hints.
inline constexpr llvm::StringLiteral kPrefetchStatsAttr = "npu.prefetch_stats";
inline constexpr llvm::StringLiteral kDvfsStatsAttr = "npu.dvfs_stats";
/// strata-npu-pin-weights' entry point that loads the resident weights (its
/// attributes are in NpuResidency.h).
inline constexpr llvm::StringLiteral kLoadWeightsEntry = "load_weights";
/// strata-npu-forward-stores' counts: {loads_forwarded, stores_removed}.
inline constexpr llvm::StringLiteral kForwardStatsAttr = "npu.forward_stats";

/// Options of the backend stage (graph -> npu -> allocated, synchronised).
struct BackendPipelineOptions : mlir::PassPipelineOptions<BackendPipelineOptions> {
  Option<std::string> arch{*this, "arch",
                           llvm::cl::desc("Architecture config name or YAML path"),
                           llvm::cl::init("npu-default")};
  Option<unsigned> cores{*this, "cores", llvm::cl::desc("Cores to use (0: all)"),
                         llvm::cl::init(0)};
  Option<unsigned> prefillChunk{*this, "prefill-chunk",
                                llvm::cl::desc("Rows per activation tile (0: auto)"),
                                llvm::cl::init(0)};
  Option<unsigned> prefetchDepth{*this, "prefetch-depth",
                                 llvm::cl::desc("Weight tiles in flight per core"),
                                 llvm::cl::init(2)};
  Option<std::string> linearSchedule{
      *this, "linear-schedule",
      llvm::cl::desc("Linear layers: rows, outputs or auto (strata-graph-to-npu)"),
      llvm::cl::init("auto")};
  Option<unsigned> prefillKChunk{
      *this, "prefill-k-chunk",
      llvm::cl::desc("Output-stationary K chunk (0: the cost model chooses)"),
      llvm::cl::init(0)};
  Option<std::string> prefillKSums{
      *this, "prefill-k-sums",
      llvm::cl::desc("Output-stationary K-chunk sums: gemm, vector or auto"),
      llvm::cl::init("auto")};
  Option<bool> prefetch{*this, "prefetch",
                        llvm::cl::desc("Reorder loads with strata-npu-schedule-prefetch (false: "
                                       "only report the estimated overlap)"),
                        llvm::cl::init(true)};
  Option<bool> dvfsHints{*this, "dvfs-hints",
                         llvm::cl::desc("Insert DVFS hints for memory-bound regions"),
                         llvm::cl::init(true)};
  Option<bool> residentKv{*this, "resident-kv",
                          llvm::cl::desc("Keep a decode step's f32 K and V rows in SRAM "
                                         "between steps (strata-graph-to-npu)"),
                          llvm::cl::init(true)};
  Option<bool> padRows{*this, "pad-rows",
                       llvm::cl::desc("Pad multi-row activations' row pitch off a multiple of "
                                      "the HBM interleave stripe (strata-graph-to-npu)"),
                       llvm::cl::init(true)};
  Option<bool> pinWeights{*this, "pin-weights",
                          llvm::cl::desc("Keep weights resident in SRAM when they all fit "
                                         "(strata-npu-pin-weights)"),
                          llvm::cl::init(true)};
  Option<bool> forwardStores{*this, "forward-stores",
                             llvm::cl::desc("Read results stored on the same core from the "
                                            "stored buffer (strata-npu-forward-stores)"),
                             llvm::cl::init(true)};
};

/// strata-graph-to-npu, strata-npu-schedule-prefetch, strata-npu-pin-weights,
/// strata-npu-forward-stores, strata-npu-insert-dvfs-hints, then strata-npu-allocate-sram and
/// strata-npu-insert-semaphores: a module ready for emission.
void buildBackendPassPipeline(mlir::OpPassManager &pm, const BackendPipelineOptions &options);

/// Registers `strata-backend-pipeline`.
void registerBackendPassPipeline();

#define GEN_PASS_REGISTRATION
#include "strata/Dialect/Npu/Transforms/Passes.h.inc"

} // namespace strata::npu
