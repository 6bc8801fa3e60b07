//===- Passes.h - Passes and the pipeline of the graph dialect --*- C++ -*-===//
#pragma once

#include "strata/Dialect/Graph/Transforms/QuantPolicy.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassOptions.h"
#include "llvm/Support/CommandLine.h"

namespace strata::graph {

/// The command-line spellings of the quantization policies and scale types,
/// shared by the pass options and the pipeline options.
llvm::cl::ValuesClass quantPolicyValues();
llvm::cl::ValuesClass scaleTypeValues();

#define GEN_PASS_DECL
#include "strata/Dialect/Graph/Transforms/Passes.h.inc"

/// Name of the dictionary attribute strata-graph-fuse leaves on each function
/// it ran on: the fusion counts by kind (same names as the statistics, with
/// underscores). Debian's release LLVM compiles pass statistics out, so this
/// is how drivers and reports read them.
inline constexpr llvm::StringLiteral kFusionStatsAttr = "graph.fusion_stats";
/// Name of the dictionary attribute strata-graph-quantize leaves on the
/// module: the policy, weight counts by precision, bytes before and after,
/// and the largest errors.
inline constexpr llvm::StringLiteral kQuantizeStatsAttr = "graph.quantize_stats";

/// Options of the graph stage: which fusions run and the precision policy.
struct GraphPipelineOptions : mlir::PassPipelineOptions<GraphPipelineOptions> {
  Option<bool> fuse{*this, "fuse", llvm::cl::desc("Run strata-graph-fuse"), llvm::cl::init(true)};
  Option<bool> epilogue{*this, "epilogue", llvm::cl::desc("Fuse bias, activation and residual"),
                        llvm::cl::init(true)};
  Option<bool> prologue{*this, "prologue", llvm::cl::desc("Fold norms into linears"),
                        llvm::cl::init(true)};
  Option<bool> horizontal{*this, "horizontal",
                          llvm::cl::desc("Merge linears that share their input"),
                          llvm::cl::init(true)};
  Option<bool> swiglu{*this, "swiglu", llvm::cl::desc("Fuse gate/up and silu(gate) * up"),
                      llvm::cl::init(true)};
  Option<quant::QuantPolicy> policy{*this, "policy", llvm::cl::desc("Precision policy"),
                                    llvm::cl::init(quant::QuantPolicy::Fp32), quantPolicyValues()};
  Option<int64_t> groupSize{*this, "group-size", llvm::cl::desc("Input elements per int4 scale"),
                            llvm::cl::init(32)};
  Option<DType> scaleType{*this, "scale-type", llvm::cl::desc("int8/int4 scale storage"),
                          llvm::cl::init(DType::F32), scaleTypeValues()};
};

/// The graph stage: strata-graph-fuse on every function (unless `fuse` is
/// off), then strata-graph-quantize on the module.
void buildGraphPassPipeline(mlir::OpPassManager &pm, const GraphPipelineOptions &options);

/// Registers `strata-graph-pipeline`.
void registerGraphPassPipeline();

#define GEN_PASS_REGISTRATION
#include "strata/Dialect/Graph/Transforms/Passes.h.inc"

} // namespace strata::graph
