//===- Passes.td - Passes on the graph dialect --------------*- tablegen -*-===//
#ifndef STRATA_DIALECT_GRAPH_TRANSFORMS_PASSES_TD
#define STRATA_DIALECT_GRAPH_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def GraphFusePass : Pass<"strata-graph-fuse", "::mlir::func::FuncOp"> {
  let summary = "Fuses linear layers with their prologues, epilogues and siblings";
  let description = [{
    Rewrites chains of graph ops into `graph.fused_linear` kernels so the
    backend runs each chain as one pass over the data, with the intermediate
    tensors kept on chip. Four kinds of fusion, applied in this order:

    1. **swiglu** (gated FFN): `mul(silu(linear(x, Wg)), linear(x, Wu))` becomes
       one `fused_linear` with weights `(Wg, Wu)` and `activation = swiglu`.
    2. **epilogue**: a linear (or a single-result fused_linear) absorbs, in
       order, a bias add (`add` of a 1-D vector broadcast over rows), an
       activation (`relu`, `silu`, `gelu` erf or tanh), and a residual add
       (`add` of a tensor of the result's shape, either operand order). Each
       step needs the previous result to have no other user.
    3. **horizontal**: linears reading the same input with the same layout,
       bias presence, activation and prologue become one `fused_linear` with
       several weights and results (Q/K/V). Weight reads are hoisted above the
       first member so every operand dominates the fused op.
    4. **prologue**: an `rms_norm` or `layer_norm` whose every user is a
       linear reading it as input is folded into those linears (each kernel
       normalises its input rows on the fly) and disappears.

    `layer_norm` and `gelu` are single ops already, and stay single kernels:
    no pass splits them, and a `gelu` after a linear becomes its epilogue.

    Fusion changes no arithmetic: a fused kernel computes each element with
    the same f32 operations in the same order as the ops it replaces (matmul
    accumulation, then bias, then activation, then residual; a norm prologue
    computes the same row statistics). Each kind can be switched off for
    ablations.

    Example:
    ```mlir
    %n = graph.rms_norm %x, %g {eps = 1.0e-05 : f64} : (tensor<4x64xf32>, tensor<64xf32>) -> tensor<4x64xf32>
    %a = graph.linear %n, %w1 : (tensor<4x64xf32>, tensor<172x64xf32>) -> tensor<4x172xf32>
    %b = graph.linear %n, %w3 : (tensor<4x64xf32>, tensor<172x64xf32>) -> tensor<4x172xf32>
    %s = graph.silu %a : tensor<4x172xf32>
    %h = graph.mul %s, %b : (tensor<4x172xf32>, tensor<4x172xf32>) -> tensor<4x172xf32>
    ```
    becomes
    ```mlir
    %h = graph.fused_linear %x weights(%w1, %w3) norm(%g)
        {activation = #graph<activation swiglu>, norm = #graph<norm rms>}
        : (tensor<4x64xf32>, tensor<172x64xf32>, tensor<172x64xf32>, tensor<64xf32>) -> tensor<4x172xf32>
    ```
  }];
  let dependentDialects = ["::strata::graph::GraphDialect"];
  let options = [
    Option<"epilogue", "epilogue", "bool", /*default=*/"true",
           "Fuse bias, activation and residual adds into the linear before them">,
    Option<"prologue", "prologue", "bool", /*default=*/"true",
           "Fold rms_norm / layer_norm into the linears that read them">,
    Option<"horizontal", "horizontal", "bool", /*default=*/"true",
           "Merge linears that share their input (Q/K/V) into one kernel">,
    Option<"swiglu", "swiglu", "bool", /*default=*/"true",
           "Merge gate/up linears and silu(gate) * up into one swiglu kernel">,
  ];
  let statistics = [
    Statistic<"numBias", "fused-bias", "Bias adds fused into a linear">,
    Statistic<"numActivation", "fused-activation",
              "Activations (relu, silu, gelu) fused into a linear">,
    Statistic<"numResidual", "fused-residual", "Residual adds fused into a linear">,
    Statistic<"numPrologue", "fused-norm-prologue",
              "Norms (rms_norm, layer_norm) folded into the linears that read them">,
    Statistic<"numHorizontalGroups", "fused-horizontal-groups",
              "Groups of linears sharing an input merged into one kernel">,
    Statistic<"numHorizontalLinears", "fused-horizontal-linears",
              "Linears merged by horizontal fusion">,
    Statistic<"numSwiglu", "fused-swiglu", "Gate/up pairs fused into a swiglu kernel">,
    Statistic<"numOpsBefore", "graph-ops-before", "Graph compute ops before fusion">,
    Statistic<"numOpsAfter", "graph-ops-after", "Graph compute ops after fusion">,
  ];
}

def GraphQuantizePass : Pass<"strata-graph-quantize", "::mlir::ModuleOp"> {
  let summary = "Converts weights to the precision a policy gives their role";
  let description = [{
    Chooses an encoding for every `graph.weight` from the policy and the
    weight's `role`, converts its data in the weight store, and retypes the
    symbol and its `graph.weight_ref` readers. The symbol keeps its name.

    | policy | embedding | attention | ffn | lm_head | norm, bias |
    |--------|-----------|-----------|-----|---------|------------|
    | fp32   | f32 | f32 | f32 | f32 | f32 |
    | bf16   | bf16 | bf16 | bf16 | bf16 | f32 |
    | fp16   | f16 | f16 | f16 | f16 | f32 |
    | int8   | i8 per channel | i8 per channel | i8 per channel | i8 per channel | f32 |
    | int4   | i4 per group | i4 per group | i4 per group | i4 per group | f32 |
    | mixed  | bf16 | f16 | i8 per channel | bf16 | f32 |
    | native | as stored | as stored | as stored | as stored | f32 |

    Integer weights are symmetric: `scale = amax / 127` per output channel
    (int8) or `amax / 7` per `group-size` input elements (int4), rounded to
    `scale-type` first; `q = clamp(round(w / scale))`, ties away from zero.
    `native` keeps a GGUF file's precision: q8_0 and q4_0 blocks are re-laid
    out bit-exactly as i8 / i4 with f16 scales per group of 32; f16 stays f16.
    A tied lm_head is the embedding's symbol, so it follows the embedding.

    After the pass every store entry is encoded as its symbol's type says
    (`f32`, `f16`, `bf16`, or `i8`/`i4` with `#graph.quant` and scales).
    Each converted weight with data gets
    `quant_error = {max_abs = ..., rel_rms = ...}`: the max absolute and the
    relative RMS error of its new values against its values before the pass.
    A weight without data (timing-only) changes type only. Integer weights
    used with `weight_layout = kn` are transposed to `nk` (with their users'
    layout) so scales run along output channels. Activations are unchanged.

    Example (`policy=int8`):
    ```mlir
    graph.weight @w1 : tensor<172x64xf32> {role = "ffn", seed = 3 : i64}
    ```
    becomes
    ```mlir
    graph.weight @w1 : tensor<172x64xi8> {quant = #graph.quant<per_channel, 0, f32>,
        quant_error = {max_abs = 3.9e-03 : f64, rel_rms = 4.6e-03 : f64}, role = "ffn", seed = 3 : i64}
    ```
  }];
  let dependentDialects = ["::strata::graph::GraphDialect"];
  let options = [
    Option<"policy", "policy", "::strata::quant::QuantPolicy",
           /*default=*/"::strata::quant::QuantPolicy::Fp32",
           "Precision policy: fp32, bf16, fp16, int8, int4, mixed or native",
           "::strata::graph::quantPolicyValues()">,
    Option<"groupSize", "group-size", "int64_t", /*default=*/"32",
           "Input elements per int4 scale">,
    Option<"scaleType", "scale-type", "::strata::DType", /*default=*/"::strata::DType::F32",
           "Storage type of int8/int4 scales: f32 or f16",
           "::strata::graph::scaleTypeValues()">,
  ];
  let statistics = [
    Statistic<"numConverted", "weights-converted", "Weights whose encoding changed">,
    Statistic<"numTimingOnly", "weights-without-data",
              "Converted weights without data (type changed only)">,
    Statistic<"numF16", "weights-f16", "Weights now f16">,
    Statistic<"numBF16", "weights-bf16", "Weights now bf16">,
    Statistic<"numI8", "weights-i8", "Weights now int8">,
    Statistic<"numI4", "weights-i4", "Weights now int4">,
    Statistic<"numTransposed", "weights-transposed", "Integer weights re-laid out from kn to nk">,
    Statistic<"bytesBefore", "weight-bytes-before", "Weight bytes (payload and scales) before">,
    Statistic<"bytesAfter", "weight-bytes-after", "Weight bytes (payload and scales) after">,
    Statistic<"maxRelRmsPpm", "max-rel-rms-ppm",
              "Largest relative RMS error of a converted weight, parts per million">,
    Statistic<"maxAbsErrorE9", "max-abs-error-e9",
              "Largest absolute error of a converted weight element, in units of 1e-9">,
  ];
}

#endif // STRATA_DIALECT_GRAPH_TRANSFORMS_PASSES_TD
