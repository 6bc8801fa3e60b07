//===- Compile.h - The compile driver ---------------------------*- C++ -*-===//
//
// Runs the whole pipeline on a graph-dialect module: the graph stage
// (fusion, quantization), the backend stage (lowering to npu, SRAM
// allocation, semaphores) and emission to a bin::Binary, timing every pass
// and collecting the compile report. Used by `strata compile`, by the
// runtime to compile models in-process, and by the execution tests.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/Driver/CompileOptions.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LogicalResult.h"

namespace strata {

/// Compiles `module` in place (it ends as the final npu module) with the
/// weights of its context's graph-dialect WeightStore. Errors are emitted as
/// MLIR diagnostics.
mlir::FailureOr<CompileOutput> compileModule(mlir::ModuleOp module,
                                             const CompileOptions &options);

} // namespace strata
