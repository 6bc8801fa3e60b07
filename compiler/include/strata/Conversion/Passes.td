//===- Passes.td - Conversions between Strata dialects ------*- tablegen -*-===//
#ifndef STRATA_CONVERSION_PASSES_TD
#define STRATA_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def GraphToNpuPass : Pass<"strata-graph-to-npu", "::mlir::ModuleOp"> {
  let summary = "Lower the graph dialect to NPU instructions";
  let description = [{
    Turns every `func.func` marked `graph.entry` (every public function when
    none is marked) into an `npu.entry` with one `npu.core` program per core,
    and the module's weights, KV cache and I/O into the HBM memory plan.

    Each graph op becomes a kernel that reads its operands from HBM and
    writes its result to HBM; fused ops (graph.fused_linear) keep their
    intermediates in SRAM. Linear layers are split by output columns across
    cores (fewer cores when the weight is small), tiled to the tensor-core
    array and the SRAM budget, with weight tiles double buffered; the
    ganging (16 arrays, 4x4 or one gang) is chosen per GEMM by the cycle
    model of docs/isa.md. Activations are cast to f16/bf16 for half-precision
    weights and quantized per row (or per weight group) for int8/int4
    weights. Attention appends K/V rows to the cache at the runtime position
    and reads rows 0..pos+T-1 through register-sized DMAs. Cross-core
    dependencies go through HBM with barriers. docs/compiler.md has the rules
    and the conventions the runtime relies on.

    Example: `strata-opt --strata-graph-to-npu="arch=npu-default cores=8" model.mlir`
  }];
  let dependentDialects = ["::strata::npu::NpuDialect"];
  let options = [
    Option<"arch", "arch", "std::string", /*default=*/"\"npu-default\"",
           "Architecture config: a name (configs/<name>.yaml) or a YAML path">,
    Option<"cores", "cores", "unsigned", /*default=*/"0",
           "Cores to use (0: every core of the architecture)">,
    Option<"prefillChunk", "prefill-chunk", "unsigned", /*default=*/"0",
           "Rows per activation tile (0: as many as the SRAM budget allows)">,
    Option<"prefetchDepth", "prefetch-depth", "unsigned", /*default=*/"2",
           "Weight tiles in flight per core (2: double buffering)">,
    Option<"linearSchedule", "linear-schedule", "std::string", /*default=*/"\"auto\"",
           "Linear layers: rows (row-stationary: a row tile of inputs stays in "
           "SRAM, weights stream once per row tile), outputs (output-stationary: "
           "FP32 accumulators stay in SRAM, inputs and weights stream in K "
           "chunks, each weight byte once per chunk of up to 512 rows), or auto "
           "(outputs when the rows of a kernel do not fit one row tile)">,
    Option<"prefillKChunk", "prefill-k-chunk", "unsigned", /*default=*/"0",
           "K chunk of the output-stationary schedule, rounded up to whole "
           "weight tiles (0: the cost model chooses)">,
    Option<"prefillKSums", "prefill-k-sums", "std::string", /*default=*/"\"auto\"",
           "How the output-stationary schedule adds the K chunks' sums: gemm "
           "(the GEMM's accumulate epilogue), vector (partial buffers added on "
           "the vector unit), or auto (the cost model chooses per kernel)">,
    Option<"residentKv", "resident-kv", "bool", /*default=*/"true",
           "Keep a decode step's K and V rows of an f32 KV cache in SRAM between "
           "steps (reserved at the top of every core's SRAM) when they take at "
           "most an eighth of it; the decode entry then takes `kv_valid`, the "
           "rows its SRAM copy holds">,
    Option<"padRows", "pad-rows", "bool", /*default=*/"true",
           "Pad the rows of multi-row activations whose row pitch would put a "
           "column tile on few HBM pseudo-channels (a multiple of several "
           "interleave stripes under the interleaved address mapping) by one "
           "interleave chunk">,
  ];
}

#endif // STRATA_CONVERSION_PASSES_TD
