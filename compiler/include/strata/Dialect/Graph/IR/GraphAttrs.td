//===- GraphAttrs.td - Enums and attributes of graph --------*- tablegen -*-===//
#ifndef STRATA_DIALECT_GRAPH_IR_GRAPHATTRS_TD
#define STRATA_DIALECT_GRAPH_IR_GRAPHATTRS_TD

include "strata/Dialect/Graph/IR/GraphDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def Graph_Activation : I32EnumAttr<"Activation", "activation applied by a kernel", [
    I32EnumAttrCase<"None", 0, "none">,
    I32EnumAttrCase<"Relu", 1, "relu">,
    I32EnumAttrCase<"Silu", 2, "silu">,
    I32EnumAttrCase<"GeluTanh", 3, "gelu_tanh">,
    I32EnumAttrCase<"GeluErf", 4, "gelu_erf">,
    I32EnumAttrCase<"SwiGlu", 5, "swiglu">]> {
  let cppNamespace = "::strata::graph";
  let genSpecializedAttr = 0;
}
def Graph_ActivationAttr : EnumAttr<Graph_Dialect, Graph_Activation, "activation">;

def Graph_GeluApprox : I32EnumAttr<"GeluApprox", "GELU formulation", [
    I32EnumAttrCase<"Erf", 0, "erf">,
    I32EnumAttrCase<"Tanh", 1, "tanh">]> {
  let cppNamespace = "::strata::graph";
  let genSpecializedAttr = 0;
}
def Graph_GeluApproxAttr : EnumAttr<Graph_Dialect, Graph_GeluApprox, "gelu_approx">;

def Graph_RopeStyle : I32EnumAttr<"RopeStyle", "which element pairs RoPE rotates", [
    I32EnumAttrCase<"Interleaved", 0, "interleaved">,
    I32EnumAttrCase<"HalfSplit", 1, "half_split">]> {
  let cppNamespace = "::strata::graph";
  let genSpecializedAttr = 0;
}
def Graph_RopeStyleAttr : EnumAttr<Graph_Dialect, Graph_RopeStyle, "rope_style">;

def Graph_NormKind : I32EnumAttr<"NormKind", "normalisation fused in front of a linear", [
    I32EnumAttrCase<"None", 0, "none">,
    I32EnumAttrCase<"Rms", 1, "rms">,
    I32EnumAttrCase<"Layer", 2, "layer">]> {
  let cppNamespace = "::strata::graph";
  let genSpecializedAttr = 0;
}
def Graph_NormKindAttr : EnumAttr<Graph_Dialect, Graph_NormKind, "norm">;

def Graph_WeightLayout : I32EnumAttr<"WeightLayout", "storage order of a 2D weight", [
    I32EnumAttrCase<"NK", 0, "nk">,
    I32EnumAttrCase<"KN", 1, "kn">]> {
  let cppNamespace = "::strata::graph";
  let genSpecializedAttr = 0;
}
def Graph_WeightLayoutAttr : EnumAttr<Graph_Dialect, Graph_WeightLayout, "weight_layout">;

def Graph_QuantScheme : I32EnumAttr<"QuantScheme", "how a quantized weight is scaled", [
    I32EnumAttrCase<"PerChannel", 0, "per_channel">,
    I32EnumAttrCase<"PerGroup", 1, "per_group">]> {
  let cppNamespace = "::strata::graph";
  let genSpecializedAttr = 0;
}

def Graph_QuantAttr : AttrDef<Graph_Dialect, "Quant"> {
  let mnemonic = "quant";
  let summary = "Symmetric integer quantization of a weight";
  let description = [{
    Present on a `graph.weight` whose element type is `i8` or `i4`: the stored
    integers are multiplied by a scale per output channel (`per_channel`) or
    per `group_size` consecutive input elements of an output channel
    (`per_group`). Scales are held by the weight store next to the payload, in
    `scale_type` (f32 or f16).

    Example: `#graph.quant<per_group, 32, f16>`
  }];
  let parameters = (ins
    EnumParameter<Graph_QuantScheme>:$scheme,
    "int64_t":$groupSize,
    "::mlir::Type":$scaleType);
  let assemblyFormat = "`<` $scheme `,` $groupSize `,` $scaleType `>`";
}

#endif // STRATA_DIALECT_GRAPH_IR_GRAPHATTRS_TD
