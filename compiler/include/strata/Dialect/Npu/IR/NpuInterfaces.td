//===- NpuInterfaces.td - Interfaces of the npu dialect -----*- tablegen -*-===//
#ifndef STRATA_DIALECT_NPU_IR_NPUINTERFACES_TD
#define STRATA_DIALECT_NPU_IR_NPUINTERFACES_TD

include "mlir/IR/OpBase.td"

def Npu_InstructionOpInterface : OpInterface<"NpuInstructionOpInterface"> {
  let cppNamespace = "::strata::npu";
  let description = [{
    An op that becomes instructions of a core: which queue runs it and which
    bytes it reads and writes. Dependencies between instructions are derived
    from these access sets (plus the queue order), so passes may reorder ops
    as long as every conflicting pair keeps its order.
  }];
  let methods = [
    InterfaceMethod<[{
        The queue the instruction is dispatched to, or nullopt when the
        sequencer runs it (scalar, control and loop ops).
      }], "std::optional<::strata::npu::Queue>", "getIssueQueue">,
    InterfaceMethod<[{
        Appends the SRAM and HBM byte ranges the op reads and writes.
        Ranges addressed through a register are conservative (the window the
        op declares, or the whole buffer/symbol).
      }], "void", "getAccesses",
      (ins "::llvm::SmallVectorImpl<::strata::npu::MemAccess> &":$accesses)>,
  ];
}

#endif // STRATA_DIALECT_NPU_IR_NPUINTERFACES_TD
