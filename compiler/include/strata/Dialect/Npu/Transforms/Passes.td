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

    A write that only has to wait for compute ops to have read the bytes it
    overwrites (write-after-read, e.g. the next weight tile loaded into a
    buffer a gemm read) waits on a `sem_release` instead, on semaphore
    9 + from·3 + to: it fires when those ops have read their operands (a
    gemm's last row has entered the array), so the next gemm does not wait
    for the drain of the one before.

    Same-queue HBM hazards (which the hardware does not check) get a
    signal/wait pair on a semaphore of that queue; an `ld32` of HBM this
    core wrote gets a fence.

    Records `npu.semaphore_stats = {signals, releases, waits, implied, fences}` (the
    compile report's `semaphore_stats`).

    Example: `strata-opt --strata-npu-insert-semaphores allocated.mlir`
  }];
  let statistics = [
    Statistic<"numSignals", "signals", "sem_signal ops inserted">,
    Statistic<"numReleases", "releases", "sem_release ops inserted">,
    Statistic<"numWaits", "waits", "sem_wait ops inserted">,
    Statistic<"numImplied", "implied-waits", "Dependencies already ordered by earlier waits">,
  ];
}

def NpuSchedulePrefetchPass : Pass<"strata-npu-schedule-prefetch", "::mlir::ModuleOp"> {
  let summary = "Issue weight and KV-cache loads as early as SRAM capacity allows";
  let description = [{
    Reorders each core's program so the load queue runs ahead of compute,
    across kernel and layer boundaries. Per core it builds the dependency DAG
    (Boost.Graph): one node per instruction, edges from the ops' SRAM and HBM
    access sets (weights, activations other cores write, the KV cache,
    barrier acquire/release sets), from scalar registers, from the
    tensor-core configuration and around barriers, hints and fences. The
    compute, store and sequencer ops keep their order; every HBM -> SRAM load
    moves to the earliest position where its dependencies are met, the bytes
    of live SRAM buffers stay within the budget at every position it passes
    (the buffer is live from the load on), at most `max-ahead` hoisted loads
    are pending, and loads stay in the order compute needs them. A load thus
    moves above barriers and above the compute of earlier kernels and layers
    when its buffer can be live that long.

    The budget is the SRAM size (`sram-bytes`, or the module's arch); the
    order is checked with the interval first fit of
    strata-npu-allocate-sram, and the budget is lowered in sixteenths of the
    SRAM until the allocation fits. Run it after lowering and before
    strata-npu-allocate-sram and strata-npu-insert-semaphores.

    Each core's program is timed before and after with a static per-queue
    estimate (bytes / the core's share of HBM bandwidth, the GEMM and vector
    closed forms of docs/simulator.md); an order the estimate finds slower
    is not kept. The module attribute `npu.prefetch_stats` records the loads
    moved, the estimated cycles before and after per entry, and the
    estimated DMA/compute overlap: the fraction of the shorter of DMA and
    compute activity that runs concurrently with the other (the compile
    report's `estimated_overlap`). With `reorder=false` the pass only
    reports the estimate of the program as lowered.

    Example: `strata-opt --strata-npu-schedule-prefetch="max-ahead=16" lowered.mlir`
  }];
  let options = [
    Option<"sramBytes", "sram-bytes", "uint64_t", /*default=*/"0",
           "SRAM per core (0: from the module's npu.arch_yaml)">,
    Option<"maxAhead", "max-ahead", "unsigned", /*default=*/"0",
           "Hoisted loads pending at once (0: half the load queue)">,
    Option<"reorder", "reorder", "bool", /*default=*/"true",
           "Reorder (false: only estimate and report the overlap)">,
  ];
  let statistics = [
    Statistic<"numLoads", "loads", "HBM -> SRAM loads considered">,
    Statistic<"numHoisted", "loads-hoisted", "Loads issued earlier than lowered">,
    Statistic<"cyclesBefore", "estimated-cycles-before",
              "Estimated cycles of the slowest core, summed over entries, as lowered">,
    Statistic<"cyclesAfter", "estimated-cycles-after",
              "Estimated cycles of the slowest core, summed over entries, as scheduled">,
    Statistic<"overlapPermille", "estimated-overlap-permille",
              "Estimated DMA/compute overlap after scheduling, in 1/1000">,
  ];
}

def NpuTestSchedulePass : Pass<"strata-npu-test-schedule", "::mlir::ModuleOp"> {
  let summary = "Test the dependency DAG, the schedulers and the timing estimate";
  let description = [{
    For tests: builds each core's DAG, orders it with the selected
    algorithm and annotates every op with `sched.node` (its index as
    lowered), `sched.preds` (the indices it depends on), and the estimated
    `sched.start` / `sched.end` cycles of the chosen order; each core gets
    `sched.cycles`, `sched.overlap_permille` and `sched.hoisted`.

    Algorithms: `original` (keep the order), `topological` (Boost.Graph's
    topological sort: valid, blind to time and SRAM), `asap` (loads as
    early as dependencies allow, no SRAM or queue bound) and `prefetch`
    (strata-npu-schedule-prefetch's bounded placement, without the
    allocation retry or the fallback).

    Example: `strata-opt --strata-npu-test-schedule="algorithm=asap" lowered.mlir`
  }];
  let options = [
    Option<"algorithm", "algorithm", "std::string", /*default=*/"\"prefetch\"",
           "original, topological, asap or prefetch">,
    Option<"sramBytes", "sram-bytes", "uint64_t", /*default=*/"0",
           "SRAM budget (0: the module's arch)">,
    Option<"maxAhead", "max-ahead", "unsigned", /*default=*/"0",
           "Hoisted loads pending at once (0: half the load queue)">,
  ];
}

def NpuPinWeightsPass : Pass<"strata-npu-pin-weights", "::mlir::ModuleOp"> {
  let summary = "Keep weight tiles resident in SRAM, loaded once by a load_weights entry";
  let description = [{
    When every weight tile the programs load fits in the cores' SRAM next to
    what the programs need for everything else, loading the same weights
    from HBM on every step (every generated token) is wasted bandwidth and
    energy. This pass keeps them resident instead.

    A pinnable buffer is an npu.alloc whose every writer is a `dma_load` at
    the top level of its core's program from an `npu.constant` (weights or
    scales) at fixed addresses (no register offsets, no peer core), with
    disjoint destination ranges: it holds the same bytes whenever it is read.
    Buffers with the same loads on the same core (in any entry) share one
    resident slot. The slots of a core are placed at the top of its SRAM;
    the reservation is the largest per-core total, recorded as the module
    attribute `npu.pinned_weights = {sram_bytes, buffers, loads_removed}`,
    which strata-npu-allocate-sram subtracts from the SRAM it places the
    other buffers in.

    Pinning is all or nothing: it happens only if, on every core of every
    entry, the interval first fit of the remaining buffers in the current
    program order (what strata-npu-allocate-sram will do) stays within the
    SRAM below the reservation, and the reservation is at most `max-bytes`
    (0: no limit besides the SRAM). Otherwise the module is left unchanged.

    When it pins, the loads leave the programs and go to a new entry point
    `load_weights` (no parameters) that loads every slot once; the runtime
    runs it after loading the binary, before any other entry. The pinned
    npu.alloc ops keep their uses, get their slot's offset and the unit
    attribute `npu.pinned`. Run it after strata-npu-schedule-prefetch (which
    then ordered the program with the loads present) and before
    strata-npu-insert-dvfs-hints and strata-npu-allocate-sram.

    Example: `strata-opt --strata-npu-pin-weights="max-bytes=1048576" scheduled.mlir`
  }];
  let options = [
    Option<"sramBytes", "sram-bytes", "uint64_t", /*default=*/"0",
           "SRAM per core (0: from the module's npu.arch_yaml)">,
    Option<"maxBytes", "max-bytes", "uint64_t", /*default=*/"0",
           "Largest reservation per core (0: whatever fits)">,
  ];
  let statistics = [
    Statistic<"numPinned", "buffers-pinned", "Resident weight slots (all cores)">,
    Statistic<"numLoadsRemoved", "loads-removed", "Weight loads taken out of the programs">,
    Statistic<"pinnedBytes", "sram-bytes-reserved", "SRAM reserved per core for resident weights">,
  ];
}

def NpuForwardStoresPass : Pass<"strata-npu-forward-stores", "::mlir::ModuleOp"> {
  let summary = "Read a kernel's result from the producer's SRAM buffer instead of back from HBM";
  let description = [{
    Kernels pass results to each other through HBM scratch tensors
    (`npu.hbm_buffer` in an `activations` region). When the consumer runs on
    the core that stored the tensor, loading it back costs a DMA, the
    semaphores between the store, load and compute queues, and the latency
    of the round trip, while the bytes are still in the SRAM buffer they
    were stored from. This pass drops such loads and lets their readers use
    the stored buffer.

    A `dma_load` at the top level of a core's program is forwarded from a
    `dma_store` when:
    - the store is the only instruction of the entry, on any core, that
      writes scratch bytes the load reads, it comes earlier in the same
      program, and both are plain copies between one SRAM buffer of the core
      and the same scratch tensor (no register offsets, no peer core) with
      the same HBM offset, sizes and strides, and the same SRAM offset and
      strides on their SRAM side: the load would put every byte back where
      the store took it from;
    - nothing writes the stored buffer after the store;
    - the load is the only writer of its buffer, nothing reads that buffer
      before the load, and it is no larger nor more strictly aligned than
      the stored one (neither is pinned).
    The load and its buffer are then removed and the buffer's readers read
    the stored buffer, whose live range the SRAM allocator extends. Stores
    into scratch bytes that no load of the module reads any more are
    removed as well (unless another op names a scratch tensor). The counts
    are recorded as the module attribute
    `npu.forward_stats = {loads_forwarded, stores_removed}`.

    Run it after strata-npu-schedule-prefetch and strata-npu-pin-weights and
    before strata-npu-insert-dvfs-hints, strata-npu-allocate-sram and
    strata-npu-insert-semaphores, which derive the DVFS plan, the liveness
    and the synchronisation from the programs without the forwarded loads.

    Example: `strata-opt --strata-npu-forward-stores lowered.mlir`
  }];
  let statistics = [
    Statistic<"numLoadsForwarded", "loads-forwarded",
              "Loads whose readers now read the stored buffer">,
    Statistic<"numStoresRemoved", "stores-removed",
              "Stores into scratch bytes that no load reads any more">,
  ];
}

def NpuInsertDvfsHintsPass : Pass<"strata-npu-insert-dvfs-hints", "::mlir::ModuleOp"> {
  let summary = "Lower the core clock in memory-bound regions";
  let description = [{
    Times each core's program with the scheduler's per-queue estimate and
    cuts it into regions of consecutive kernels (ops with the same code
    label). A region is memory-bound when its DMA time exceeds `margin`
    times the time its compute would take at a lower core operating point;
    it then runs at the lowest such point. A `dvfs_hint` on the compute
    queue (domain 255, the issuing core's) before the region's first
    compute op requests it, another before the next region that needs a
    different point, and one after the program's last compute op restores
    the domain's initial point. A hint fires in queue order, so the clock
    changes when compute reaches the region. Regions shorter than
    `min-region-ns` are merged into their neighbours so that each 1 µs
    clock transition (the arch's `transition_ns`) buys a long stretch at
    the lower point. The `hinted` governor follows the hints; the others
    count and ignore them.

    Records `npu.dvfs_stats` (hints, memory-bound regions, their estimated
    share of the program). Run it after strata-npu-schedule-prefetch.

    Example: `strata-opt --strata-npu-insert-dvfs-hints="margin=1.5" scheduled.mlir`
  }];
  let options = [
    Option<"margin", "margin", "double", /*default=*/"1.25",
           "DMA time over compute time at the lower point for a memory-bound region">,
    Option<"minRegionNs", "min-region-ns", "double", /*default=*/"20000",
           "Shortest region worth a clock change, in ns">,
  ];
  let statistics = [
    Statistic<"numHints", "hints", "dvfs_hint ops inserted">,
    Statistic<"numLowRegions", "memory-bound-regions", "Regions run below the nominal point">,
  ];
}

#endif // STRATA_DIALECT_NPU_TRANSFORMS_PASSES_TD
