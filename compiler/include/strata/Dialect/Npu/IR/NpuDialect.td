//===- NpuDialect.td - The NPU instruction-level dialect ----*- tablegen -*-===//
#ifndef STRATA_DIALECT_NPU_IR_NPUDIALECT_TD
#define STRATA_DIALECT_NPU_IR_NPUDIALECT_TD

include "mlir/IR/OpBase.td"

def Npu_Dialect : Dialect {
  let name = "npu";
  let cppNamespace = "::strata::npu";
  let summary = "Instructions of the Strata NPU, on SRAM buffers and HBM symbols";
  let description = [{
    The `npu` dialect is the compiler's lowest level: one op per instruction
    class of the Strata ISA (target/include/strata/target/Isa.h), so emission
    is a 1:1 translation. It adds only what the ISA leaves to the compiler:

    - the HBM memory plan as module-level symbols: `npu.region` (a named range
      of HBM of one kind), `npu.constant` (bytes of a weight-store entry),
      `npu.io` (a tensor the host writes or reads) and `npu.hbm_buffer`
      (activations, the KV cache). DMA ops name these symbols plus a byte
      offset, never raw addresses;
    - SRAM buffers as SSA values (`npu.alloc`), referenced by ops as buffer +
      byte offset. strata-npu-allocate-sram gives each buffer its offset from
      liveness, so passes before it may reorder freely;
    - program structure: `npu.entry` (an entry point with scalar parameters in
      registers) holding one `npu.core` region per NPU core, and `npu.loop`
      (a counted loop, lowered to branches at emission).

    Every instruction op implements `NpuInstructionOpInterface`: the queue it
    is dispatched to and the SRAM/HBM byte ranges it reads and writes. Those
    access sets, not op order alone, define dependencies: the semaphore pass
    and the prefetch scheduler derive everything they need from them.

    Scalar registers are explicit (`r0`..`r31`): sizes and addresses that are
    only known at run time (the KV-cache position) name a register where the
    ISA allows one.
  }];
  let useDefaultAttributePrinterParser = 1;
  let useDefaultTypePrinterParser = 1;
}

class Npu_Op<string mnemonic, list<Trait> traits = []>
    : Op<Npu_Dialect, mnemonic, traits>;

#endif // STRATA_DIALECT_NPU_IR_NPUDIALECT_TD
