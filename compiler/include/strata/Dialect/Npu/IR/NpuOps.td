//===- NpuOps.td - Operations of the npu dialect -------------*- tablegen -*-===//
#ifndef STRATA_DIALECT_NPU_IR_NPUOPS_TD
#define STRATA_DIALECT_NPU_IR_NPUOPS_TD

include "strata/Dialect/Npu/IR/NpuDialect.td"
include "strata/Dialect/Npu/IR/NpuAttrs.td"
include "strata/Dialect/Npu/IR/NpuInterfaces.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/IR/OpBase.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/CommonTypeConstraints.td"

/// A size operand: an integer, or #npu.reg<N>.
def Npu_DimAttr : AnyAttrOf<[I64Attr, Npu_RegAttr]>;
/// Up to three DMA sizes (bytes per row, rows, planes).
def Npu_DimArrayAttr : TypedArrayAttrBase<Npu_DimAttr, "DMA sizes">;
/// A scalar register index, r0..r31.
def Npu_RegIndexAttr : ConfinedAttr<I32Attr, [IntNonNegative, IntMaxValue<31>]>;
def Npu_Buf : Type<CPred<"::llvm::isa<::strata::npu::BufferType>($_self)">, "SRAM buffer">,
              BuildableType<"$_builder.getType<::strata::npu::BufferType>()">;

class Npu_InstrOp<string mnemonic, list<Trait> traits = []>
    : Npu_Op<mnemonic, !listconcat(traits,
        [DeclareOpInterfaceMethods<Npu_InstructionOpInterface>])> {
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// HBM memory plan (module level)
//===----------------------------------------------------------------------===//

def Npu_RegionOp : Npu_Op<"region", [Symbol]> {
  let summary = "A named range of HBM";
  let description = [{
    One entry of the binary's memory plan. Every HBM symbol lies in a region
    at a byte offset; emission places the regions (or honours `at`).

    Example: `npu.region @weights weights size 1048576`
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, Npu_RegionKindAttr:$kind,
                       ConfinedAttr<I64Attr, [IntPositive]>:$size,
                       OptionalAttr<I64Attr>:$address);
  let assemblyFormat = "$sym_name $kind `size` $size (`at` $address^)? attr-dict";
}

def Npu_ConstantOp : Npu_Op<"constant", [Symbol]> {
  let summary = "Constant bytes taken from a weight-store entry";
  let description = [{
    The payload (or the scales) of weight-store entry `weight`, placed in a
    weights region. Emission streams the bytes from the store; without data
    the binary only reserves `size` bytes (timing-only).

    Example: `npu.constant @w.layers.0.wq = "layers.0.wq" payload in @weights[0] size 8192`
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, StrAttr:$weight, Npu_ConstPartAttr:$part,
                       FlatSymbolRefAttr:$region, I64Attr:$offset,
                       ConfinedAttr<I64Attr, [IntPositive]>:$size);
  let assemblyFormat = [{
    $sym_name `=` $weight $part `in` $region `[` $offset `]` `size` $size attr-dict
  }];
}

def Npu_IoOp : Npu_Op<"io", [Symbol]> {
  let summary = "A tensor the host writes before a run or reads after it";
  let description = [{
    Becomes an I/O binding of the binary: name, direction, element type and
    shape, contiguous at its place in the region.

    Example: `npu.io input @tokens : tensor<16xi32> in @io[0]`
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, Npu_IoDirectionAttr:$direction,
                       TypeAttrOf<AnyRankedTensor>:$type, FlatSymbolRefAttr:$region,
                       I64Attr:$offset);
  let assemblyFormat = "$direction $sym_name `:` $type `in` $region `[` $offset `]` attr-dict";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Bytes of the tensor.
    int64_t getSizeBytes();
  }];
}

def Npu_HbmBufferOp : Npu_Op<"hbm_buffer", [Symbol]> {
  let summary = "A named range of HBM inside a region (activations, KV cache)";
  let description = [{
    Example: `npu.hbm_buffer @decode.t3 in @activations[4096] size 1024`
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, FlatSymbolRefAttr:$region, I64Attr:$offset,
                       ConfinedAttr<I64Attr, [IntPositive]>:$size);
  let assemblyFormat = "$sym_name `in` $region `[` $offset `]` `size` $size attr-dict";
}

//===----------------------------------------------------------------------===//
// Program structure
//===----------------------------------------------------------------------===//

def Npu_EntryOp : Npu_Op<"entry", [Symbol, SingleBlock, NoTerminator,
                                   IsolatedFromAbove]> {
  let summary = "An entry point of the binary: one program per core";
  let description = [{
    The host starts an entry point by name, passing each scalar parameter in
    its register (`param_names[i]` in register `param_regs[i]`). The body
    holds one `npu.core` per core that runs code.

    Example:
    ```mlir
    npu.entry @decode {param_names = ["pos"], param_regs = array<i32: 1>} {
      npu.core 0 { ... }
    }
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, StrArrayAttr:$param_names,
                       DenseI32ArrayAttr:$param_regs);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$sym_name attr-dict-with-keyword $body";
  let hasVerifier = 1;
  let skipDefaultBuilders = 1;
  let builders = [OpBuilder<(ins "::llvm::StringRef":$name,
                                 "::llvm::ArrayRef<::llvm::StringRef>":$paramNames,
                                 "::llvm::ArrayRef<int32_t>":$paramRegs)>];
}

def Npu_CoreOp : Npu_Op<"core", [SingleBlock, NoTerminator, HasParent<"EntryOp">]> {
  let summary = "The program of one core";
  let description = [{
    Instructions in program order. The sequencer dispatches them in this
    order; each queue runs its instructions in this order. Emission appends
    the final `halt`.

    Example: `npu.core 0 { npu.fence }`
  }];
  let arguments = (ins ConfinedAttr<I32Attr, [IntNonNegative]>:$core_id);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$core_id attr-dict-with-keyword $body";
  let hasVerifier = 1;
  let skipDefaultBuilders = 1;
  let builders = [OpBuilder<(ins "int32_t":$coreId)>];
}

def Npu_LoopOp : Npu_InstrOp<"loop", [SingleBlock, NoTerminator]> {
  let summary = "A counted loop, lowered to branches at emission";
  let description = [{
    Runs the body `trip` times with register `counter` = 0, 1, ...; `limit`
    is a register the loop may use to hold an immediate trip count. The body
    may hold scalar ops and instructions of one queue only, so semaphores
    around the loop stay outside it.

    Example: `npu.loop r9 to 16 limit r10 { ... }` (r9 = 0, 1, ..., 15)
  }];
  let arguments = (ins Npu_RegIndexAttr:$counter, Npu_DimAttr:$trip, Npu_RegIndexAttr:$limit);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    custom<Reg>($counter) `to` custom<Dim>($trip) `limit` custom<Reg>($limit)
    attr-dict-with-keyword $body
  }];
  let skipDefaultBuilders = 1;
  let builders = [OpBuilder<(ins "unsigned":$counter, "::mlir::Attribute":$trip,
                                 "unsigned":$limit)>];
}

//===----------------------------------------------------------------------===//
// SRAM buffers
//===----------------------------------------------------------------------===//

def Npu_AllocOp : Npu_Op<"alloc"> {
  let summary = "A buffer in the core's scratchpad";
  let description = [{
    `size` bytes aligned to `align`. The buffer is live from its first use to
    its last use in program order; strata-npu-allocate-sram sets `offset`.

    Example: `%b = npu.alloc 4096 align 64`
  }];
  let arguments = (ins ConfinedAttr<I64Attr, [IntPositive]>:$size,
                       DefaultValuedAttr<I64Attr, "64">:$align,
                       OptionalAttr<I64Attr>:$offset,
                       OptionalAttr<StrAttr>:$tag);
  let results = (outs Npu_Buf:$buffer);
  let assemblyFormat = "$size (`align` $align^)? (`at` $offset^)? attr-dict";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// DMA
//===----------------------------------------------------------------------===//

def Npu_DmaLoadOp : Npu_InstrOp<"dma_load", [DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "3D strided copy into the core's SRAM (load queue)";
  let description = [{
    Copies `size` = [bytes per row, rows, planes] from HBM symbol
    `src_symbol` (or the SRAM buffer `src`; with `src_core`, a peer's SRAM)
    at `src_offset` to `dst` at `dst_offset`. Row and plane strides are in
    `src_strides`/`dst_strides`. `src_reg`/`dst_reg` add a register to the
    address; `src_window`/`dst_window` = [offset, size] bound where such an
    address may land (else the whole symbol or buffer is assumed).

    Example: `npu.dma_load %w[0] from @w.layers.0.wq[8192] size [2048, 16]`
  }];
  let arguments = (ins Npu_Buf:$dst, Optional<Npu_Buf>:$src,
                       I64Attr:$dst_offset,
                       OptionalAttr<FlatSymbolRefAttr>:$src_symbol,
                       I64Attr:$src_offset,
                       OptionalAttr<Npu_RegIndexAttr>:$src_reg,
                       OptionalAttr<Npu_RegIndexAttr>:$dst_reg,
                       OptionalAttr<I32Attr>:$src_core,
                       Npu_DimArrayAttr:$size,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$src_strides,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$dst_strides,
                       OptionalAttr<DenseI64ArrayAttr>:$src_window,
                       OptionalAttr<DenseI64ArrayAttr>:$dst_window);
  let assemblyFormat = [{
    $dst `[` $dst_offset `]` `from` ($src_symbol^)? ($src^)? `[` $src_offset `]`
    `size` custom<Dims>($size) attr-dict
  }];
}

def Npu_DmaStoreOp : Npu_InstrOp<"dma_store", [DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "3D strided copy out of the core's SRAM (store queue)";
  let description = [{
    Copies from `src` at `src_offset` to HBM symbol `dst_symbol` (or SRAM
    buffer `dst`; with `dst_core`, a peer's SRAM) at `dst_offset`. Fields as
    for `npu.dma_load`.

    Example: `npu.dma_store %c[0] to @decode.t5[0] size [256]`
  }];
  let arguments = (ins Npu_Buf:$src, Optional<Npu_Buf>:$dst,
                       I64Attr:$src_offset,
                       OptionalAttr<FlatSymbolRefAttr>:$dst_symbol,
                       I64Attr:$dst_offset,
                       OptionalAttr<Npu_RegIndexAttr>:$src_reg,
                       OptionalAttr<Npu_RegIndexAttr>:$dst_reg,
                       OptionalAttr<I32Attr>:$dst_core,
                       Npu_DimArrayAttr:$size,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$src_strides,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$dst_strides,
                       OptionalAttr<DenseI64ArrayAttr>:$src_window,
                       OptionalAttr<DenseI64ArrayAttr>:$dst_window);
  let assemblyFormat = [{
    $src `[` $src_offset `]` `to` ($dst_symbol^)? ($dst^)? `[` $dst_offset `]`
    `size` custom<Dims>($size) attr-dict
  }];
}

//===----------------------------------------------------------------------===//
// Tensor cores
//===----------------------------------------------------------------------===//

def Npu_TcConfigOp : Npu_InstrOp<"tc_config"> {
  let summary = "Reconfigure the tensor cores: ganging and precision";
  let description = [{
    `independent` (16 arrays), `quad` (4 groups of 4) or `single` (one gang
    of 16); precision i4, i8, f16, bf16 or f32 (the multiplier class: i8
    covers i8 x i4).

    Example: `npu.tc_config single bf16`
  }];
  let arguments = (ins Npu_GangAttr:$gang, TypeAttr:$precision);
  let assemblyFormat = "$gang $precision attr-dict";
}

def Npu_GemmOp : Npu_InstrOp<"gemm", [AttrSizedOperandSegments]> {
  let summary = "C = epilogue(A x B) on the tensor cores";
  let description = [{
    A is [m][k] (leading dimension lda), B is [k][n] or with `trans_b`
    [n][k] (ldb), C is [m][n] (ldc; n/2 columns with swiglu). Optional
    per-row/per-group scales (integer operands), f32 bias, activation and
    accumulation into the old C, as the ISA defines.

    Example:
    ```mlir
    npu.gemm m 4 n 64 k 256, %x[0] ld 256 : f16, %w[0] ld 256 : f16 -> %c[0] ld 64 : f32 {trans_b}
    ```
  }];
  let arguments = (ins Npu_Buf:$a, Npu_Buf:$b, Npu_Buf:$c,
                       Optional<Npu_Buf>:$scale_a, Optional<Npu_Buf>:$scale_b,
                       Optional<Npu_Buf>:$bias,
                       I64Attr:$a_offset, I64Attr:$b_offset, I64Attr:$c_offset,
                       OptionalAttr<I64Attr>:$scale_a_offset,
                       OptionalAttr<I64Attr>:$scale_b_offset,
                       OptionalAttr<I64Attr>:$bias_offset,
                       Npu_DimAttr:$m, Npu_DimAttr:$n, Npu_DimAttr:$k,
                       I64Attr:$lda, I64Attr:$ldb, I64Attr:$ldc,
                       TypeAttr:$a_type, TypeAttr:$b_type, TypeAttr:$out_type,
                       OptionalAttr<TypeAttr>:$scale_type,
                       DefaultValuedAttr<Npu_ScaleModeAttr, "ScaleMode::None">:$a_scale,
                       DefaultValuedAttr<Npu_ScaleModeAttr, "ScaleMode::None">:$b_scale,
                       DefaultValuedAttr<Npu_ActivationAttr, "Activation::None">:$act,
                       UnitAttr:$trans_b, UnitAttr:$accumulate,
                       DefaultValuedAttr<I64Attr, "0">:$group_size,
                       DefaultValuedAttr<I64Attr, "255">:$tc_group);
  let assemblyFormat = [{
    `m` custom<Dim>($m) `n` custom<Dim>($n) `k` custom<Dim>($k) `,`
    $a `[` $a_offset `]` `ld` $lda `:` $a_type `,`
    $b `[` $b_offset `]` `ld` $ldb `:` $b_type `->`
    $c `[` $c_offset `]` `ld` $ldc `:` $out_type
    (`scale_a` $scale_a^ `[` $scale_a_offset `]`)?
    (`scale_b` $scale_b^ `[` $scale_b_offset `]`)?
    (`bias` $bias^ `[` $bias_offset `]`)?
    attr-dict
  }];
}

//===----------------------------------------------------------------------===//
// Vector unit
//===----------------------------------------------------------------------===//

class Npu_VecOp<string mnemonic, string opcode, string formula>
    : Npu_InstrOp<mnemonic, [AttrSizedOperandSegments]> {
  let summary = "Vector unit: " # formula;
  let description = [{
    A vector-unit instruction over a [rows][cols] tile: x (type `in_type`,
    leading dimension ld0), optional y and z (`in1_type`, ld1), result dst
    (`out_type`, ldd). `aux`, `aux2`, `fimm`, `bcast`, `causal` and
    `rope_half` carry the op-specific fields of the ISA (docs/isa.md).

    Example:
    ```mlir
    npu.vrmsnorm rows 4 cols 64, %x[0] ld 64 : f32, %g[0] -> %y[0] ld 64 : f32 {in1_type = f32, fimm = 1.0e-05 : f32}
    ```
  }];
  let arguments = (ins Npu_Buf:$x, Optional<Npu_Buf>:$y, Optional<Npu_Buf>:$z, Npu_Buf:$dst,
                       I64Attr:$x_offset, OptionalAttr<I64Attr>:$y_offset,
                       OptionalAttr<I64Attr>:$z_offset, I64Attr:$dst_offset,
                       Npu_DimAttr:$rows, Npu_DimAttr:$cols, OptionalAttr<Npu_DimAttr>:$aux,
                       TypeAttr:$in_type, OptionalAttr<TypeAttr>:$in1_type, TypeAttr:$out_type,
                       I64Attr:$ld0, DefaultValuedAttr<I64Attr, "0">:$ld1, I64Attr:$ldd,
                       DefaultValuedAttr<I64Attr, "0">:$aux2,
                       DefaultValuedAttr<F32Attr, "0.0f">:$fimm,
                       DefaultValuedAttr<Npu_BroadcastAttr, "Broadcast::None">:$bcast,
                       UnitAttr:$causal, UnitAttr:$rope_half);
  let assemblyFormat = [{
    `rows` custom<Dim>($rows) `cols` custom<Dim>($cols) `,`
    $x `[` $x_offset `]` `ld` $ld0 `:` $in_type
    (`,` $y^ `[` $y_offset `]`)? (`,` $z^ `[` $z_offset `]`)?
    `->` $dst `[` $dst_offset `]` `ld` $ldd `:` $out_type attr-dict
  }];
  let extraClassDeclaration = [{
    static ::strata::isa::Opcode getOpcode() { return ::strata::isa::Opcode::}] # opcode # [{; }
  }];
}

def Npu_VAddOp : Npu_VecOp<"vadd", "VAdd", "x + y">;
def Npu_VSubOp : Npu_VecOp<"vsub", "VSub", "x - y">;
def Npu_VMulOp : Npu_VecOp<"vmul", "VMul", "x * y">;
def Npu_VMaxOp : Npu_VecOp<"vmax", "VMax", "max(x, y)">;
def Npu_VExpOp : Npu_VecOp<"vexp", "VExp", "exp(x)">;
def Npu_VRsqrtOp : Npu_VecOp<"vrsqrt", "VRsqrt", "1 / sqrt(x)">;
def Npu_VSiluOp : Npu_VecOp<"vsilu", "VSilu", "x / (1 + exp(-x))">;
def Npu_VGeluTanhOp : Npu_VecOp<"vgelu_tanh", "VGeluTanh", "GELU, tanh form">;
def Npu_VGeluErfOp : Npu_VecOp<"vgelu_erf", "VGeluErf", "GELU, erf form">;
def Npu_VReluOp : Npu_VecOp<"vrelu", "VRelu", "max(x, 0)">;
def Npu_VReduceSumOp : Npu_VecOp<"vreduce_sum", "VReduceSum", "row sums">;
def Npu_VReduceMaxOp : Npu_VecOp<"vreduce_max", "VReduceMax", "row maxima">;
def Npu_VArgmaxOp : Npu_VecOp<"vargmax", "VArgmax", "index of each row's maximum">;
def Npu_VSoftmaxOp : Npu_VecOp<"vsoftmax", "VSoftmax", "row softmax with optional causal mask">;
def Npu_VRmsNormOp : Npu_VecOp<"vrmsnorm", "VRmsNorm", "RMS normalisation">;
def Npu_VLayerNormOp : Npu_VecOp<"vlayernorm", "VLayerNorm", "layer normalisation">;
def Npu_VRopeOp : Npu_VecOp<"vrope", "VRope", "rotary position embedding">;
def Npu_VQuantizeOp : Npu_VecOp<"vquantize", "VQuantize", "symmetric quantization with scales">;
def Npu_VDequantizeOp : Npu_VecOp<"vdequantize", "VDequantize", "integer times scales">;
def Npu_VCastOp : Npu_VecOp<"vcast", "VCast", "type conversion">;
def Npu_VCopyOp : Npu_VecOp<"vcopy", "VCopy", "strided copy">;
def Npu_VTransposeOp : Npu_VecOp<"vtranspose", "VTranspose", "transpose">;

//===----------------------------------------------------------------------===//
// Synchronisation
//===----------------------------------------------------------------------===//

def Npu_SemSignalOp : Npu_InstrOp<"sem_signal"> {
  let summary = "sem[id] += count once everything before it in its queue is done";
  let description = [{
    Inserted by strata-npu-insert-semaphores.

    Example: `npu.sem_signal load, 0, 1`
  }];
  let arguments = (ins Npu_QueueAttr:$queue, ConfinedAttr<I32Attr, [IntNonNegative]>:$sem,
                       ConfinedAttr<I32Attr, [IntPositive]>:$count);
  let assemblyFormat = "$queue `,` $sem `,` $count attr-dict";
}

def Npu_SemReleaseOp : Npu_InstrOp<"sem_release"> {
  let summary = "sem[id] += count once everything before it in its queue has read its operands";
  let description = [{
    Hands back buffers that earlier instructions of the queue read, while
    they may still compute and write: a gemm has read A, B and their scales
    when its last row has entered the array (docs/isa.md 4.4). Inserted by
    strata-npu-insert-semaphores for write-after-read orderings.

    Example: `npu.sem_release compute, 10, 1`
  }];
  let arguments = (ins Npu_QueueAttr:$queue, ConfinedAttr<I32Attr, [IntNonNegative]>:$sem,
                       ConfinedAttr<I32Attr, [IntPositive]>:$count);
  let assemblyFormat = "$queue `,` $sem `,` $count attr-dict";
}

def Npu_SemWaitOp : Npu_InstrOp<"sem_wait"> {
  let summary = "Stall the queue until sem[id] >= count, then subtract count";
  let description = [{
    Example: `npu.sem_wait compute, 0, 2`
  }];
  let arguments = (ins Npu_QueueAttr:$queue, ConfinedAttr<I32Attr, [IntNonNegative]>:$sem,
                       ConfinedAttr<I32Attr, [IntPositive]>:$count);
  let assemblyFormat = "$queue `,` $sem `,` $count attr-dict";
}

def Npu_BarrierOp : Npu_InstrOp<"barrier"> {
  let summary = "Wait in a queue until every core of `mask` reached barrier `id`";
  let description = [{
    Orders data exchanged through HBM between cores. `release` names the HBM
    symbols this core wrote for others (the barrier waits for those writes as
    it waits for everything before it in its queue); `acquire` names the
    symbols other cores wrote that this core reads after it. Later reads of
    an acquired symbol depend on the barrier.

    Example: `npu.barrier store, 0, 255 {acquire = [@decode.t3], release = [@decode.t2]}`
  }];
  let arguments = (ins Npu_QueueAttr:$queue, ConfinedAttr<I32Attr, [IntNonNegative]>:$id,
                       ConfinedAttr<I64Attr, [IntPositive]>:$mask,
                       OptionalAttr<SymbolRefArrayAttr>:$acquire,
                       OptionalAttr<SymbolRefArrayAttr>:$release);
  let assemblyFormat = "$queue `,` $id `,` $mask attr-dict";
}

def Npu_DvfsHintOp : Npu_InstrOp<"dvfs_hint"> {
  let summary = "Request an operating point for a clock domain";
  let description = [{
    `domain` indexes the arch config's DVFS domains (255: the issuing core's
    domain), `level` the domain's operating points.

    Example: `npu.dvfs_hint load, 255, 1`
  }];
  let arguments = (ins Npu_QueueAttr:$queue, ConfinedAttr<I32Attr, [IntNonNegative]>:$domain,
                       ConfinedAttr<I32Attr, [IntNonNegative]>:$level);
  let assemblyFormat = "$queue `,` $domain `,` $level attr-dict";
}

def Npu_FenceOp : Npu_InstrOp<"fence"> {
  let summary = "Stall dispatch until all queues of the core are idle";
  let description = [{
    Example: `npu.fence`
  }];
  let assemblyFormat = "attr-dict";
}

//===----------------------------------------------------------------------===//
// Scalar registers (sequencer)
//===----------------------------------------------------------------------===//

def Npu_LiOp : Npu_InstrOp<"li"> {
  let summary = "rd = imm";
  let description = "Example: `npu.li r5, 4096`";
  let arguments = (ins Npu_RegIndexAttr:$rd, I64Attr:$imm);
  let assemblyFormat = "custom<Reg>($rd) `,` $imm attr-dict";
}

class Npu_ScalarRROp<string mnemonic, string opcode, string formula>
    : Npu_InstrOp<mnemonic> {
  let summary = "rd = " # formula;
  let description = "Example: `npu." # mnemonic # " r5, r1, r2`";
  let arguments = (ins Npu_RegIndexAttr:$rd, Npu_RegIndexAttr:$rs1, Npu_RegIndexAttr:$rs2);
  let assemblyFormat = "custom<Reg>($rd) `,` custom<Reg>($rs1) `,` custom<Reg>($rs2) attr-dict";
  let extraClassDeclaration = [{
    static ::strata::isa::Opcode getOpcode() { return ::strata::isa::Opcode::}] # opcode # [{; }
  }];
}

class Npu_ScalarRIOp<string mnemonic, string opcode, string formula>
    : Npu_InstrOp<mnemonic> {
  let summary = "rd = " # formula;
  let description = "Example: `npu." # mnemonic # " r5, r1, 8`";
  let arguments = (ins Npu_RegIndexAttr:$rd, Npu_RegIndexAttr:$rs1, I64Attr:$imm);
  let assemblyFormat = "custom<Reg>($rd) `,` custom<Reg>($rs1) `,` $imm attr-dict";
  let extraClassDeclaration = [{
    static ::strata::isa::Opcode getOpcode() { return ::strata::isa::Opcode::}] # opcode # [{; }
  }];
}

def Npu_AddOp : Npu_ScalarRROp<"add", "Add", "rs1 + rs2">;
def Npu_SubOp : Npu_ScalarRROp<"sub", "Sub", "rs1 - rs2">;
def Npu_MulOp : Npu_ScalarRROp<"mul", "Mul", "rs1 * rs2">;
def Npu_AndOp : Npu_ScalarRROp<"and", "And", "rs1 & rs2">;
def Npu_OrOp : Npu_ScalarRROp<"or", "Or", "rs1 | rs2">;
def Npu_MinOp : Npu_ScalarRROp<"min", "Min", "min(rs1, rs2), signed">;
def Npu_MaxOp : Npu_ScalarRROp<"max", "Max", "max(rs1, rs2), signed">;
def Npu_AddiOp : Npu_ScalarRIOp<"addi", "Addi", "rs1 + imm">;
def Npu_MuliOp : Npu_ScalarRIOp<"muli", "Muli", "rs1 * imm">;
def Npu_DivuiOp : Npu_ScalarRIOp<"divui", "Divui", "rs1 / imm, unsigned">;
def Npu_RemuiOp : Npu_ScalarRIOp<"remui", "Remui", "rs1 % imm, unsigned">;
def Npu_ShliOp : Npu_ScalarRIOp<"shli", "Shli", "rs1 << imm">;
def Npu_ShriOp : Npu_ScalarRIOp<"shri", "Shri", "rs1 >> imm, logical">;

def Npu_Ld32Op : Npu_InstrOp<"ld32", [DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "rd = the u32 at HBM symbol + offset + rs1";
  let description = [{
    Reads HBM in the sequencer, e.g. a token id the host wrote to an input
    binding. The sequencer does not wait for queues, so a value written by
    this core's stores needs a fence first (strata-npu-insert-semaphores
    adds it).

    Example: `npu.ld32 r6, @tokens[r7 + 0]`
  }];
  let arguments = (ins Npu_RegIndexAttr:$rd, FlatSymbolRefAttr:$symbol, I64Attr:$offset,
                       DefaultValuedAttr<Npu_RegIndexAttr, "0">:$rs1);
  let assemblyFormat = "custom<Reg>($rd) `,` $symbol `[` custom<Reg>($rs1) `+` $offset `]` attr-dict";
}

#endif // STRATA_DIALECT_NPU_IR_NPUOPS_TD
