//===- GraphOps.td - Operations of the graph dialect --------*- tablegen -*-===//
#ifndef STRATA_DIALECT_GRAPH_IR_GRAPHOPS_TD
#define STRATA_DIALECT_GRAPH_IR_GRAPHOPS_TD

include "strata/Dialect/Graph/IR/GraphDialect.td"
include "strata/Dialect/Graph/IR/GraphAttrs.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/IR/OpBase.td"
include "mlir/IR/CommonTypeConstraints.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

defvar Graph_Tensor = AnyRankedTensor;
def Graph_Tensor2D : 2DTensorOf<[AnyType]>;

//===----------------------------------------------------------------------===//
// Module-level symbols
//===----------------------------------------------------------------------===//

def Graph_WeightOp : Graph_Op<"weight", [Symbol]> {
  let summary = "Declares a weight tensor held by the weight store";
  let description = [{
    Names an entry of the weight store and gives its type. The data is never
    in the IR. When a tool starts from text, the optional attributes say how
    to fill the store:

    - `file`, `offset`, `format`: the tensor's bytes in a model file
      (`format` is the stored encoding: f32, f16, bf16, q8_0 or q4_0);
    - `seed` (and `init_scale`): seeded uniform random values in
      [-init_scale, init_scale], for tests;
    - neither: no data (timing-only compilation).

    A quantized weight has an `i8` or `i4` element type and a `quant`
    attribute; its scales live in the store beside the payload.

    `role` says what the weight is for, so precision policies can treat
    classes of weights differently: `embedding`, `attention` (q, k, v, o
    projections), `ffn`, `lm_head`, `norm` (gains and norm biases), `bias`.

    The source (`file` or `seed`) gives the original values; when the type is
    narrower (set by strata-graph-quantize), a loader converts them to it
    with the same arithmetic as the pass, so quantized IR printed to text and
    read back describes the same data. `init_scale` defaults to 1.
    `source_transposed` says the source holds the transpose of the 2D type
    (a `kn` weight re-laid out as `nk`). `quant_error` records how far the
    converted values are from the source: `{max_abs = <f64>, rel_rms = <f64>}`
    with `rel_rms = sqrt(sum (q - w)^2 / sum w^2)`.

    Example:
    ```mlir
    graph.weight @layers.0.wq : tensor<64x64xf32> {seed = 7 : i64}
    graph.weight @layers.0.w1 : tensor<172x64xi8> {quant = #graph.quant<per_channel, 0, f32>}
    ```
  }];
  let arguments = (ins
    SymbolNameAttr:$sym_name,
    TypeAttrOf<Graph_Tensor>:$type,
    OptionalAttr<Graph_QuantAttr>:$quant,
    OptionalAttr<StrAttr>:$file,
    OptionalAttr<I64Attr>:$offset,
    OptionalAttr<StrAttr>:$format,
    OptionalAttr<I64Attr>:$seed,
    OptionalAttr<F64Attr>:$init_scale,
    OptionalAttr<StrAttr>:$role,
    UnitAttr:$source_transposed,
    OptionalAttr<DictionaryAttr>:$quant_error);
  let assemblyFormat = "$sym_name `:` $type attr-dict";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    ::mlir::RankedTensorType getTensorType() {
      return ::llvm::cast<::mlir::RankedTensorType>(getType());
    }
  }];
}

def Graph_KvCacheOp : Graph_Op<"kv_cache", [Symbol]> {
  let summary = "Declares the key/value cache of a model";
  let description = [{
    Storage for keys and values of every layer, persisting across entry-point
    calls of one session: `layers` × 2 (K, V) × `max_seq` positions ×
    `kv_heads` × `head_dim` elements of `element_type`.

    Example:
    ```mlir
    graph.kv_cache @kv {layers = 5 : i64, max_seq = 512 : i64, kv_heads = 4 : i64,
                        head_dim = 8 : i64, element_type = f32}
    ```
  }];
  let arguments = (ins
    SymbolNameAttr:$sym_name,
    ConfinedAttr<I64Attr, [IntPositive]>:$layers,
    ConfinedAttr<I64Attr, [IntPositive]>:$max_seq,
    ConfinedAttr<I64Attr, [IntPositive]>:$kv_heads,
    ConfinedAttr<I64Attr, [IntPositive]>:$head_dim,
    TypeAttr:$element_type);
  let assemblyFormat = "$sym_name attr-dict";
  let hasVerifier = 1;
}

def Graph_WeightRefOp : Graph_Op<"weight_ref",
    [Pure, DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "Reads a weight declared by graph.weight";
  let description = [{
    Example: `%w = graph.weight_ref @layers.0.wq : tensor<64x64xf32>`
  }];
  let arguments = (ins FlatSymbolRefAttr:$name);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$name attr-dict `:` type($result)";
}

//===----------------------------------------------------------------------===//
// Transformer building blocks
//===----------------------------------------------------------------------===//

def Graph_EmbeddingOp : Graph_Op<"embedding", [Pure]> {
  let summary = "Gathers rows of an embedding table";
  let description = [{
    `result[t] = table[ids[t]]` for a `[vocab, dim]` table and `[tokens]` ids;
    the result is `[tokens, dim]` in f32.

    Example:
    ```mlir
    %x = graph.embedding %table, %ids : (tensor<512x64xf32>, tensor<4xi32>) -> tensor<4x64xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor2D:$table, 1DTensorOf<[I32]>:$ids);
  let results = (outs Graph_Tensor2D:$result);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Graph_RmsNormOp : Graph_Op<"rms_norm", [Pure]> {
  let summary = "Root-mean-square normalisation of each row";
  let description = [{
    `result[t, j] = gamma[j] * x[t, j] / sqrt(mean_j(x[t, :]^2) + eps)`.

    Example: `%y = graph.rms_norm %x, %g {eps = 1.0e-05 : f64} : (tensor<4x64xf32>, tensor<64xf32>) -> tensor<4x64xf32>`
  }];
  let arguments = (ins Graph_Tensor2D:$input, 1DTensorOf<[AnyFloat]>:$gamma, F64Attr:$eps);
  let results = (outs Graph_Tensor2D:$result);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Graph_LayerNormOp : Graph_Op<"layer_norm", [Pure]> {
  let summary = "Layer normalisation of each row";
  let description = [{
    `result[t, j] = (x[t, j] - mean) / sqrt(var + eps) * gamma[j] + beta[j]`.

    Example: `%y = graph.layer_norm %x, %g, %b {eps = 1.0e-05 : f64} : (tensor<4x128xf32>, tensor<128xf32>, tensor<128xf32>) -> tensor<4x128xf32>`
  }];
  let arguments = (ins Graph_Tensor2D:$input, 1DTensorOf<[AnyFloat]>:$gamma,
                       1DTensorOf<[AnyFloat]>:$beta, F64Attr:$eps);
  let results = (outs Graph_Tensor2D:$result);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Graph_LinearOp : Graph_Op<"linear", [Pure]> {
  let summary = "A fully connected layer";
  let description = [{
    `result = input · W^T (+ bias)` for an `[tokens, in]` input. The weight is
    stored `[out, in]` (`weight_layout = nk`, the default) or `[in, out]`
    (`kn`).

    Example:
    ```mlir
    %y = graph.linear %x, %w : (tensor<4x64xf32>, tensor<172x64xf32>) -> tensor<4x172xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor2D:$input, Graph_Tensor2D:$weight,
                       Optional<1DTensorOf<[AnyFloat]>>:$bias,
                       DefaultValuedAttr<Graph_WeightLayoutAttr, "WeightLayout::NK">:$weight_layout);
  let results = (outs Graph_Tensor2D:$result);
  let assemblyFormat = "$input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Graph_MatmulOp : Graph_Op<"matmul", [Pure]> {
  let summary = "Matrix product of two activations";
  let description = [{
    `result = lhs · rhs` (`rhs^T` with `transpose_rhs`).

    Example: `%c = graph.matmul %a, %b : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>`
  }];
  let arguments = (ins Graph_Tensor2D:$lhs, Graph_Tensor2D:$rhs, UnitAttr:$transpose_rhs);
  let results = (outs Graph_Tensor2D:$result);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Graph_RopeOp : Graph_Op<"rope", [Pure]> {
  let summary = "Rotary position embedding";
  let description = [{
    Rotates each head of each row: row `t` is at position `pos + t`; in head
    element pairs (`interleaved`: (2m, 2m+1); `half_split`: (m, m + d/2)) are
    rotated by `position * theta^(-2m/head_dim)`.

    Example:
    ```mlir
    %q2 = graph.rope %q, %pos {head_dim = 8 : i64, theta = 1.0e+04 : f64, style = #graph<rope_style interleaved>}
        : (tensor<4x64xf32>, index) -> tensor<4x64xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor2D:$input, Index:$pos,
                       ConfinedAttr<I64Attr, [IntPositive]>:$head_dim, F64Attr:$theta,
                       Graph_RopeStyleAttr:$style);
  let results = (outs Graph_Tensor2D:$result);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Graph_AttentionOp : Graph_Op<"attention",
    [DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "Causal grouped-query attention over a KV cache";
  let description = [{
    Appends the rows of `key` and `value` (`[tokens, kv_heads * head_dim]`)
    to layer `layer` of the cache `cache` at positions `pos .. pos+tokens-1`,
    then, for each query row `t` and head `h`, attends over cache positions
    `0 .. pos+t` with K/V head `h / (num_heads / num_kv_heads)`:
    `softmax(q·k^T * scale) · v`. `scale` defaults to `1/sqrt(head_dim)`.
    The op writes the cache, so it is not pure.

    Example:
    ```mlir
    %o = graph.attention %q, %k, %v, %pos {cache = @kv, layer = 0 : i64, num_heads = 8 : i64,
                                           num_kv_heads = 4 : i64, head_dim = 8 : i64}
        : (tensor<4x64xf32>, tensor<4x32xf32>, tensor<4x32xf32>, index) -> tensor<4x64xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor2D:$query, Graph_Tensor2D:$key, Graph_Tensor2D:$value,
                       Index:$pos, FlatSymbolRefAttr:$cache,
                       ConfinedAttr<I64Attr, [IntNonNegative]>:$layer,
                       ConfinedAttr<I64Attr, [IntPositive]>:$num_heads,
                       ConfinedAttr<I64Attr, [IntPositive]>:$num_kv_heads,
                       ConfinedAttr<I64Attr, [IntPositive]>:$head_dim,
                       OptionalAttr<F64Attr>:$scale);
  let results = (outs Graph_Tensor2D:$result);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Graph_SoftmaxOp : Graph_Op<"softmax", [Pure, SameOperandsAndResultType]> {
  let summary = "Softmax over the last dimension";
  let description = [{
    `result[t, j] = exp(s x[t, j] - m) / sum_j exp(s x[t, j] - m)` with
    `s = scale` (default 1).

    Example: `%p = graph.softmax %s : tensor<4x16xf32>`
  }];
  let arguments = (ins Graph_Tensor2D:$input, OptionalAttr<F64Attr>:$scale);
  let results = (outs Graph_Tensor2D:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

class Graph_UnaryOp<string mnemonic, string formula>
    : Graph_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  let summary = "Elementwise " # mnemonic;
  let description = "`result = " # formula # "` elementwise.\n\nExample: `%y = graph."
                    # mnemonic # " %x : tensor<4x172xf32>`";
  let arguments = (ins Graph_Tensor:$input);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def Graph_SiluOp : Graph_UnaryOp<"silu", "x / (1 + exp(-x))">;
def Graph_ReluOp : Graph_UnaryOp<"relu", "max(x, 0)">;

def Graph_GeluOp : Graph_Op<"gelu", [Pure, SameOperandsAndResultType]> {
  let summary = "Gaussian error linear unit";
  let description = [{
    `erf`: `0.5 x (1 + erf(x / sqrt(2)))`; `tanh`: `0.5 x (1 + tanh(sqrt(2/pi)
    (x + 0.044715 x^3)))`.

    Example: `%y = graph.gelu %x {approximate = #graph<gelu_approx tanh>} : tensor<4x512xf32>`
  }];
  let arguments = (ins Graph_Tensor:$input,
                       DefaultValuedAttr<Graph_GeluApproxAttr, "GeluApprox::Erf">:$approximate);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

class Graph_BinaryOp<string mnemonic, string formula>
    : Graph_Op<mnemonic, [Pure]> {
  let summary = "Elementwise " # mnemonic;
  let description = "`result = " # formula # "`. `rhs` has the shape of `lhs`, or is one row "
                    # "(`[1, n]` or `[n]`) broadcast to every row.\n\nExample: `%z = graph."
                    # mnemonic # " %x, %y : (tensor<4x64xf32>, tensor<4x64xf32>) -> tensor<4x64xf32>`";
  let arguments = (ins Graph_Tensor:$lhs, Graph_Tensor:$rhs);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Graph_AddOp : Graph_BinaryOp<"add", "lhs + rhs">;
def Graph_MulOp : Graph_BinaryOp<"mul", "lhs * rhs">;

def Graph_TakeRowOp : Graph_Op<"take_row", [Pure]> {
  let summary = "Selects one row at a runtime index";
  let description = [{
    `result[0, :] = input[row, :]`: e.g. the last valid token of a padded
    prefill chunk before the classifier.

    Example: `%last = graph.take_row %h, %i : (tensor<16x64xf32>, index) -> tensor<1x64xf32>`
  }];
  let arguments = (ins Graph_Tensor2D:$input, Index:$row);
  let results = (outs Graph_Tensor2D:$result);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Graph_CastOp : Graph_Op<"cast", [Pure]> {
  let summary = "Converts an activation to another float type";
  let description = [{
    Rounds to nearest even. Inserted by quantization policies that run a
    kernel in a lower precision.

    Example: `%h = graph.cast %x : tensor<4x64xf32> to tensor<4x64xf16>`
  }];
  let arguments = (ins Graph_Tensor:$input);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Fused kernels (created by strata-graph-fuse)
//===----------------------------------------------------------------------===//

def Graph_FusedLinearOp : Graph_Op<"fused_linear", [Pure, AttrSizedOperandSegments]> {
  let summary = "Linear layers sharing one input, with prologue and epilogue";
  let description = [{
    One kernel for `[norm] -> linear(s) -> [+ bias] -> [activation] -> [+ residual]`:

    - prologue: `norm` (rms or layer) of `input` with `norm_gamma`
      (and `norm_beta`), epsilon `eps`;
    - one or more weights over the same (normalised) input — horizontal fusion
      of Q/K/V or gate/up — each with an optional bias (`biases` is empty or
      has one entry per weight);
    - `activation` on each product; `swiglu` takes exactly two weights (gate,
      up) and yields one result `silu(x·Wg) * (x·Wu)`;
    - `residual`, when present, is added to the (single) result.

    Results: one per weight, or one for `swiglu`.

    Example:
    ```mlir
    %h = graph.fused_linear %x weights(%w1, %w3) norm(%g)
        {activation = #graph<activation swiglu>, norm = #graph<norm rms>, eps = 1.0e-05 : f64}
        : (tensor<4x64xf32>, tensor<172x64xf32>, tensor<172x64xf32>, tensor<64xf32>) -> tensor<4x172xf32>
    ```
  }];
  let arguments = (ins
    Graph_Tensor2D:$input,
    Variadic<Graph_Tensor2D>:$weights,
    Variadic<1DTensorOf<[AnyFloat]>>:$biases,
    Optional<1DTensorOf<[AnyFloat]>>:$norm_gamma,
    Optional<1DTensorOf<[AnyFloat]>>:$norm_beta,
    Optional<Graph_Tensor2D>:$residual,
    DefaultValuedAttr<Graph_ActivationAttr, "Activation::None">:$activation,
    DefaultValuedAttr<Graph_NormKindAttr, "NormKind::None">:$norm,
    DefaultValuedAttr<F64Attr, "1e-5">:$eps,
    DefaultValuedAttr<Graph_WeightLayoutAttr, "WeightLayout::NK">:$weight_layout);
  let results = (outs Variadic<Graph_Tensor2D>:$results);
  let assemblyFormat = [{
    $input `weights` `(` $weights `)`
    (`biases` `(` $biases^ `)`)?
    (`norm` `(` $norm_gamma^ (`,` $norm_beta^)? `)`)?
    (`residual` `(` $residual^ `)`)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // STRATA_DIALECT_GRAPH_IR_GRAPHOPS_TD
