//===- CompileOptions.h - What `strata compile` is asked to do --*- C++ -*-===//
//
// Plain C++ (no MLIR) so the CLI and the runtime can fill it without MLIR
// headers.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/target/Binary.h"

#include <cstdint>
#include <string>
#include <vector>

namespace strata {

struct CompileOptions {
  /// Architecture config: a name (configs/<name>.yaml) or a YAML path.
  std::string arch = "npu-default";
  /// Cores to use; 0: every core of the architecture.
  unsigned cores = 0;
  /// Quantization policy for strata-graph-quantize (fp32, bf16, fp16, int8,
  /// int4, mixed, native); empty: keep the precisions the module declares.
  std::string precision;
  int64_t groupSize = 32;        ///< int4 group size
  std::string scaleType = "f32"; ///< int8/int4 scale storage: f32 or f16
  /// strata-graph-fuse, and each kind of fusion (for ablations).
  bool fuse = true;
  bool fuseEpilogue = true, fusePrologue = true, fuseHorizontal = true, fuseSwiglu = true;
  unsigned prefillChunk = 0;  ///< rows per activation tile; 0: automatic
  unsigned prefetchDepth = 2; ///< weight tiles in flight per core
  /// Linear-layer schedule: auto, rows (row-stationary) or outputs
  /// (output-stationary, for prefill chunks).
  std::string linearSchedule = "auto";
  unsigned prefillKChunk = 0; ///< output-stationary K chunk; 0: automatic
  /// How the output-stationary schedule adds its K chunks: gemm (accumulate
  /// epilogue), vector (partial buffers and vector adds) or auto.
  std::string prefillKSums = "auto";
  /// strata-npu-schedule-prefetch reorders loads (false: it only reports
  /// the estimated overlap of the program as lowered; for ablations).
  bool prefetch = true;
  /// strata-npu-insert-dvfs-hints (the `hinted` governor follows them).
  bool dvfsHints = true;
  /// strata-graph-to-npu's resident KV cache: a decode step's f32 K and V
  /// rows stay in SRAM between steps when they fit an eighth of it.
  bool residentKv = true;
  /// strata-graph-to-npu's padded activation rows (docs/compiler.md 7.3).
  bool padRows = true;
  /// strata-npu-pin-weights: weights that all fit stay resident in SRAM,
  /// loaded once by a load_weights entry instead of on every step.
  bool pinWeights = true;
  /// strata-npu-forward-stores: a result read back on the core that stored
  /// it is read from the stored buffer instead of reloaded from HBM.
  bool forwardStores = true;
  /// Emit constants without data even when weights are present.
  bool timingOnly = false;
  /// Also compile an unfused copy to report instructions and HBM traffic
  /// before fusion (doubles the compile time).
  bool compareFusion = true;
  /// Print the IR after every pass (to stderr, or `irDumpPath`).
  bool printIrAfterAll = false;
  std::string irDumpPath;
  std::string modelName;
  std::string toolVersion = "strata";
};

/// What a compilation produced.
struct CompileOutput {
  bin::Binary binary;
  /// The compile report (JSON text, docs/compiler.md "Compile report").
  std::string report;
  /// The final npu IR as text (filled by compileFile when asked).
  std::string mlir;
};

} // namespace strata
