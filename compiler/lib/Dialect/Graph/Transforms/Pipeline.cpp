//===- Pipeline.cpp - The graph stage of the compiler ---------------------===//
#include "strata/Dialect/Graph/Transforms/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

using namespace mlir;

namespace strata::graph {

llvm::cl::ValuesClass quantPolicyValues() {
  using quant::QuantPolicy;
  return llvm::cl::values(
      clEnumValN(QuantPolicy::Fp32, "fp32", "all weights f32"),
      clEnumValN(QuantPolicy::Bf16, "bf16", "matrix weights bf16"),
      clEnumValN(QuantPolicy::Fp16, "fp16", "matrix weights f16"),
      clEnumValN(QuantPolicy::Int8, "int8", "matrix weights int8 per output channel"),
      clEnumValN(QuantPolicy::Int4, "int4", "matrix weights int4 per group"),
      clEnumValN(QuantPolicy::Mixed, "mixed",
                 "attention f16, ffn int8, embedding and lm_head bf16"),
      clEnumValN(QuantPolicy::Native, "native", "the stored precision (GGUF q8_0, q4_0, f16)"));
}

llvm::cl::ValuesClass scaleTypeValues() {
  return llvm::cl::values(clEnumValN(DType::F32, "f32", "f32 scales"),
                          clEnumValN(DType::F16, "f16", "f16 scales"));
}

void buildGraphPassPipeline(OpPassManager &pm, const GraphPipelineOptions &options) {
  if (options.fuse) {
    GraphFusePassOptions fuse;
    fuse.epilogue = options.epilogue;
    fuse.prologue = options.prologue;
    fuse.horizontal = options.horizontal;
    fuse.swiglu = options.swiglu;
    pm.addNestedPass<func::FuncOp>(createGraphFusePass(fuse));
  }
  GraphQuantizePassOptions quantize;
  quantize.policy = options.policy;
  quantize.groupSize = options.groupSize;
  quantize.scaleType = options.scaleType;
  pm.addPass(createGraphQuantizePass(quantize));
}

void registerGraphPassPipeline() {
  PassPipelineRegistration<GraphPipelineOptions>(
      "strata-graph-pipeline",
      "The graph stage: fusion (strata-graph-fuse), then weight precision "
      "(strata-graph-quantize)",
      buildGraphPassPipeline);
}

} // namespace strata::graph
