//===- NpuAttrs.td - Enums, attributes and types of npu ------*- tablegen -*-===//
#ifndef STRATA_DIALECT_NPU_IR_NPUATTRS_TD
#define STRATA_DIALECT_NPU_IR_NPUATTRS_TD

include "strata/Dialect/Npu/IR/NpuDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

class Npu_I32Enum<string name, string summary, list<I32EnumAttrCase> cases>
    : I32EnumAttr<name, summary, cases> {
  let cppNamespace = "::strata::npu";
  let genSpecializedAttr = 0;
}

def Npu_Queue : Npu_I32Enum<"Queue", "instruction queue of a core", [
    I32EnumAttrCase<"Load", 0, "load">,
    I32EnumAttrCase<"Compute", 1, "compute">,
    I32EnumAttrCase<"Store", 2, "store">]>;
def Npu_QueueAttr : EnumAttr<Npu_Dialect, Npu_Queue, "queue"> {
  let assemblyFormat = "$value";
}

def Npu_Gang : Npu_I32Enum<"Gang", "tensor-core ganging", [
    I32EnumAttrCase<"Independent", 0, "independent">,
    I32EnumAttrCase<"Quad", 1, "quad">,
    I32EnumAttrCase<"Single", 2, "single">]>;
def Npu_GangAttr : EnumAttr<Npu_Dialect, Npu_Gang, "gang"> {
  let assemblyFormat = "$value";
}

def Npu_Activation : Npu_I32Enum<"Activation", "GEMM epilogue activation", [
    I32EnumAttrCase<"None", 0, "none">,
    I32EnumAttrCase<"Relu", 1, "relu">,
    I32EnumAttrCase<"Silu", 2, "silu">,
    I32EnumAttrCase<"GeluTanh", 3, "gelu_tanh">,
    I32EnumAttrCase<"GeluErf", 4, "gelu_erf">,
    I32EnumAttrCase<"SwiGlu", 5, "swiglu">]>;
def Npu_ActivationAttr : EnumAttr<Npu_Dialect, Npu_Activation, "activation"> {
  let assemblyFormat = "$value";
}

def Npu_ScaleMode : Npu_I32Enum<"ScaleMode", "GEMM operand scaling", [
    I32EnumAttrCase<"None", 0, "none">,
    I32EnumAttrCase<"PerRow", 1, "per_row">,
    I32EnumAttrCase<"PerGroup", 2, "per_group">]>;
def Npu_ScaleModeAttr : EnumAttr<Npu_Dialect, Npu_ScaleMode, "scale_mode"> {
  let assemblyFormat = "$value";
}

def Npu_Broadcast : Npu_I32Enum<"Broadcast", "how a binary vector op reads y", [
    I32EnumAttrCase<"None", 0, "none">,
    I32EnumAttrCase<"Row", 1, "row">,
    I32EnumAttrCase<"Col", 2, "col">,
    I32EnumAttrCase<"Scalar", 3, "scalar">]>;
def Npu_BroadcastAttr : EnumAttr<Npu_Dialect, Npu_Broadcast, "broadcast"> {
  let assemblyFormat = "$value";
}

def Npu_RegionKind : Npu_I32Enum<"RegionKind", "what an HBM region holds", [
    I32EnumAttrCase<"Weights", 0, "weights">,
    I32EnumAttrCase<"Activations", 1, "activations">,
    I32EnumAttrCase<"KvCache", 2, "kv_cache">,
    I32EnumAttrCase<"Io", 3, "io">,
    I32EnumAttrCase<"Scratch", 4, "scratch">]>;
def Npu_RegionKindAttr : EnumAttr<Npu_Dialect, Npu_RegionKind, "region_kind"> {
  let assemblyFormat = "$value";
}

def Npu_IoDirection : Npu_I32Enum<"IoDirection", "who writes an I/O binding", [
    I32EnumAttrCase<"Input", 0, "input">,
    I32EnumAttrCase<"Output", 1, "output">]>;
def Npu_IoDirectionAttr : EnumAttr<Npu_Dialect, Npu_IoDirection, "io_direction"> {
  let assemblyFormat = "$value";
}

def Npu_ConstPart : Npu_I32Enum<"ConstPart", "which bytes of a weight-store entry", [
    I32EnumAttrCase<"Payload", 0, "payload">,
    I32EnumAttrCase<"Scales", 1, "scales">]>;
def Npu_ConstPartAttr : EnumAttr<Npu_Dialect, Npu_ConstPart, "const_part"> {
  let assemblyFormat = "$value";
}

def Npu_RegAttr : AttrDef<Npu_Dialect, "Reg"> {
  let mnemonic = "reg";
  let summary = "A scalar register holding a size";
  let description = [{
    Where the ISA lets a size be a register (DMA sizes, GEMM m/n/k, vector
    rows/cols/aux), the op holds `#npu.reg<N>` instead of an integer: the
    value of register rN when the instruction is dispatched.
  }];
  let parameters = (ins "unsigned":$index);
  let assemblyFormat = "`<` $index `>`";
}

def Npu_BufferType : TypeDef<Npu_Dialect, "Buffer"> {
  let mnemonic = "buf";
  let summary = "A buffer in the local SRAM of a core";
  let description = [{
    Produced by `npu.alloc`; its byte offset is assigned by
    strata-npu-allocate-sram. Ops reference a buffer plus a byte offset.
  }];
}

#endif // STRATA_DIALECT_NPU_IR_NPUATTRS_TD
