//===- Passes.td - Passes of the npu dialect ----------------*- tablegen -*-===//
#ifndef STRATA_DIALECT_NPU_TRANSFORMS_PASSES_TD
#define STRATA_DIALECT_NPU_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def NpuAllocateSramPass : Pass<"strata-npu-allocate-sram", "::mlir::ModuleOp"> {
  let summary = "Give every SRAM buffer an offset from its liveness";
  let description = [{
    Per core, a buffer is live from its first to its last use in program
    order (a loop counts as one position). Buffers are placed by interval
    first fit: each takes the lowest aligned offset not used by a buffer whose
    live range overlaps its own, so live buffers never overlap and dead ones
    are reused. Overlapping live ranges are what double buffering looks like
    in program order (the load of tile i+1 before the GEMM of tile i), so the
    two tiles get different addresses.

    The high-water mark of each core is recorded as the module attribute
    `npu.sram_high_water` (a dictionary `entry.coreN -> bytes`) and its
    maximum as the statistic; a program that needs more SRAM than the core
    has is an error naming the entry, the core, the op where the live set
    peaks and the bytes needed. Run it after any pass that reorders ops.

    Example: `strata-opt --strata-npu-allocate-sram lowered.mlir`
  }];
  let options = [
    Option<"sramBytes", "sram-bytes", "uint64_t", /*default=*/"0",
           "SRAM per core (0: from the module's npu.arch_yaml)">,
  ];
  let statistics = [
    Statistic<"numBuffers", "buffers", "SRAM buffers placed">,
    Statistic<"highWater", "high-water-bytes", "Largest SRAM high-water mark of any core">,
  ];
}

def NpuInsertSemaphoresPass : Pass<"strata-npu-insert-semaphores", "::mlir::ModuleOp"> {
  let summary = "Order dependent instructions of different queues with semaphores";
  let description = [{
    After SRAM allocation, every instruction's SRAM and HBM byte ranges are
    known (conservatively for register-addressed ranges). For each pair of
    instructions in different queues of a core that touch overlapping bytes
    with at least one write (RAW, WAR, WAW), the later one must not start
    before the earlier one finished. Queues run in order, so one counting
    semaphore per ordered queue pair suffices: a `sem_signal` right after the
    producer and a `sem_wait` right before the consumer, whose cumulative
    counts pair the k-th wait with the k-th signal. A wait already implied
    by an earlier one (directly or through a third queue, tracked with
    vector clocks) is dropped, and producers that already have a signal
    after them reuse it.

    Same-queue HBM hazards (which the hardware does not check) get a
    signal/wait pair on a semaphore of that queue; an `ld32` of HBM this
    core wrote gets a fence.

    Example: `strata-opt --strata-npu-insert-semaphores allocated.mlir`
  }];
  let statistics = [
    Statistic<"numSignals", "signals", "sem_signal ops inserted">,
    Statistic<"numWaits", "waits", "sem_wait ops inserted">,
    Statistic<"numImplied", "implied-waits", "Dependencies already ordered by earlier waits">,
  ];
}

#endif // STRATA_DIALECT_NPU_TRANSFORMS_PASSES_TD
