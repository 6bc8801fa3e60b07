//===- NpuCore.h - One NPU core: sequencer, queues and units -----*- C++ -*-===//
//
// The SystemC module of a core. Its sequencer fetches the entry point's code,
// runs control/scalar/branch instructions itself and dispatches the rest,
// with registers resolved, into the bounded load, compute and store queues
// (Isa.h, "Execution model"). Each queue issues in order to its units: DMA
// engines (TLM-2.0 AT initiator towards the MemorySystem), the tensor-core
// groups, the vector unit, and the semaphores/barriers.
//
// Simulation style: one SC_METHOD per core, woken at the next time something
// completes (a per-core time-ordered heap of completions), or by a TLM
// response, a barrier release or a clock change. Each activation settles the
// core (retires what finished, issues what can start, lets the sequencer run
// ahead through scalar code and through pushes into queues with room; a
// pushed op carries its dispatch time), so a tile instruction costs a few heap
// operations and no thread switch. Latencies come from TimingModel.h, scaled
// to the core's clock domain with CycleProgress (a DVFS change rescales the
// work in flight).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/sim/core/ChipContext.h"
#include "strata/sim/core/Scratchpad.h"
#include "strata/sim/core/TimingModel.h"
#include "strata/sim/func/Execute.h"
#include "strata/sim/power/CycleProgress.h"
#include "strata/sim/stats/Stats.h"
#include "strata/sim/trace/Trace.h"
#include "strata/target/Isa.h"

#include <systemc>
#include <tlm>

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace strata::sim::core {

/// Busy time and counts of one core, summed over runs.
struct CoreActivity {
  double tensorBusyNs = 0;   ///< group-time / groups: 1.0 = every group busy
  double vectorBusyNs = 0;
  double dmaBusyNs = 0;      ///< engine-time / engines
  double tensorAnyBusyNs = 0; ///< time with at least one group busy
  double hbmReadBytes = 0, hbmWriteBytes = 0;
};

class NpuCore : public sc_core::sc_module,
                public tlm::tlm_bw_transport_if<>,
                public tlm::tlm_mm_interface {
public:
  tlm::tlm_initiator_socket<> socket;

  NpuCore(sc_core::sc_module_name name, uint32_t id, ChipContext &chip,
          StatGroup &stats);
  ~NpuCore() override;

  uint32_t id() const { return id_; }

  /// Starts `program` (may be empty: the core idles) with the given scalar
  /// registers; resets semaphores, tensor-core configuration and sequencer.
  /// Call between runs, outside sc_start. The program must outlive the run.
  void start(const std::vector<isa::Instr> *program, const std::array<int64_t, 32> &regs);
  /// Halted, queues drained, nothing in flight.
  bool finished() const { return state_ == State::Finished; }
  double finishNs() const { return finishNs_; }
  /// Nothing scheduled and nothing that could wake it except another core.
  bool quiescent() const;
  /// A line per blocked queue/sequencer for the deadlock diagnostic.
  std::string describeBlocked() const;
  struct BlockedAt {
    std::string unit;
    uint32_t pc = 0;
    std::string instr;
  };
  /// The first blocked queue (or the sequencer) for a fault record.
  BlockedAt firstBlocked() const;
  /// Scalar register `r` (tests, debugging).
  int64_t scalarRegister(unsigned r) const { return r == 0 ? 0 : regs_[r & 31]; }
  uint32_t semaphore(unsigned s) const { return sems_[s % isa::kNumSemaphores]; }
  /// The sequencer's next instruction and its text.
  uint32_t pc() const { return pc_; }
  std::string instrAt(uint32_t pc) const { return instrText(pc); }
  /// The core's scratchpad bytes (peer DMA, tests).
  Scratchpad &scratchpad() { return sram_; }
  /// Wakes the core (barrier release by another core).
  void wake();

  const CoreActivity &activity() const { return activity_; }
  /// Tile instructions (queue ops) retired, over all runs.
  uint64_t opsRetired() const { return opsRetired_; }
  uint64_t instructionsFetched() const { return fetched_; }

  // TLM backward path and payload memory management.
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload &trans, tlm::tlm_phase &phase,
                                     sc_core::sc_time &delay) override;
  void invalidate_direct_mem_ptr(sc_dt::uint64, sc_dt::uint64) override {}
  void free(tlm::tlm_generic_payload *trans) override;

private:
  SC_HAS_PROCESS(NpuCore);

  enum class State : uint8_t { Idle, Running, Finished };
  enum class SeqState : uint8_t { Run, QueueFull, Fence, Ld32, Halted };
  enum class OpKind : uint8_t {
    SemSignal,
    SemRelease,
    SemWait,
    Barrier,
    DvfsHint,
    Dma,
    TcConfig,
    Gemm,
    Vec
  };
  enum class DmaPath : uint8_t { Requests, Bulk, Local, Peer };

  struct DmaOp {
    isa::Space srcSpace = isa::Space::Hbm, dstSpace = isa::Space::Sram;
    uint32_t srcCore = 0, dstCore = 0; ///< resolved core ids for SRAM ends
    uint64_t src = 0, dst = 0;
    uint32_t size[3] = {0, 1, 1};
    uint32_t srcStride[2] = {0, 0}, dstStride[2] = {0, 0};
    uint64_t bytes() const { return uint64_t(size[0]) * size[1] * size[2]; }
  };

  /// An instruction's local SRAM byte ranges, once checked against the
  /// scratchpad (whose offsets fit 32 bits: the ISA's are 27-bit): what the
  /// hazard checks compare on every issue, in one cache line.
  struct SramRanges {
    static constexpr unsigned kCapacity = 7; ///< a GEMM's operands at most
    uint8_t count = 0;
    uint8_t writes = 0; ///< bit i: range i is written
    uint32_t begin[kCapacity] = {}, end[kCapacity] = {};
    void clear() { count = writes = 0; }
    void push(uint64_t b, uint64_t e, bool write) {
      begin[count] = uint32_t(b);
      end[count] = uint32_t(e);
      writes |= uint8_t(write) << count;
      ++count;
    }
    /// Some byte is written by one and touched by the other.
    bool conflicts(const SramRanges &o) const {
      for (unsigned i = 0; i < count; ++i)
        for (unsigned j = 0; j < o.count; ++j)
          if (((writes >> i | o.writes >> j) & 1) && begin[i] < o.end[j] && o.begin[j] < end[i])
            return true;
      return false;
    }
  };

  /// One queued instruction. Half of a decode step's instructions are
  /// semaphore operations, and an 8-core chip keeps ~1,700 of these live:
  /// what a token touches must stay in the host's L2 beside the model. So a
  /// synchronisation touches only the first cache line, the hazard ranges
  /// fill the second, the kind's operands and the tile instructions'
  /// counters share the next two (a DMA touches nothing past them), and the
  /// compute progress and the request cursor follow.
  struct Op {
    // Every instruction.
    const isa::Instr *instr = nullptr;
    uint64_t readyPs = 0; ///< readyNs in whole ps, as events are timed
    /// When its dispatch takes effect: the sequencer runs ahead of the
    /// kernel's time, and the queue may not issue the op before this.
    double readyNs = 0;
    double startNs = 0;
    double blockedSinceNs = 0;
    uint64_t barrierGeneration = 0;
    uint32_t pc = 0;
    uint32_t version = 0; ///< invalidates stale heap entries
    isa::Opcode opcode = isa::Opcode::Nop;
    OpKind kind = OpKind::SemSignal;
    uint8_t queue = 0;
    bool arrived = false;
    bool blocked = false; ///< waiting on a semaphore or barrier
    DmaPath path = DmaPath::Requests;
    DType precision = DType::F16;
    // Tile instructions (DMA, tensor-core configuration, GEMM, vector).
    SramRanges ranges; ///< local SRAM footprint (hazards)
    /// The operands of its kind; dispatch makes the kind's member the
    /// active one before it resolves them.
    union Operands {
      Operands() {}
      func::ResolvedGemm gemm;
      func::ResolvedVec vec;
      DmaOp dma;
    } u;
    uint64_t groupMask = 0;                ///< tensor-core groups it uses
    uint64_t macs = 0;
    uint64_t sramRead = 0, sramWrite = 0;
    uint64_t requestsOutstanding = 0;
    int engine = -1;
    bool holdsGroups = false;              ///< a Gemm whose groups are not released
    bool epilogue = false;                 ///< a Gemm using the epilogue units
    std::optional<CycleProgress> progress; ///< compute ops: cycles left
    /// A Gemm's cycles until its last row has entered the array, when its
    /// groups take the next Gemm (GemmCost::occupancy); completion follows
    /// at `progress`.
    std::optional<CycleProgress> occupancy;
    /// Request-level DMAs: what goes out next. Set when such a DMA with
    /// bytes starts; a slot's cursor is otherwise the default one or that of
    /// a DMA that completed, done either way, so pumpRequests sends nothing
    /// for an empty or bulk transfer.
    DmaRequestCursor requests;

    func::ResolvedGemm &gemm() { return u.gemm; }
    const func::ResolvedGemm &gemm() const { return u.gemm; }
    func::ResolvedVec &vec() { return u.vec; }
    const func::ResolvedVec &vec() const { return u.vec; }
    DmaOp &dma() { return u.dma; }
    const DmaOp &dma() const { return u.dma; }
    DmaRequestCursor &cursor() { return requests; }
    const DmaRequestCursor &cursor() const { return requests; }
    bool computes() const {
      return kind == OpKind::Gemm || kind == OpKind::Vec || kind == OpKind::TcConfig;
    }
  };

  struct Queue {
    std::vector<uint32_t> ring; ///< op indices, capacity = depth
    uint32_t head = 0, count = 0;
    std::vector<uint32_t> inflight;
    const char *name = "";
    StatGroup *stats = nullptr;
    Scalar *issued = nullptr, *blockedNs = nullptr, *maxOccupancy = nullptr;
    TraceWriter::Track track;
    /// Entries at the tail whose dispatch may not have taken effect yet.
    uint32_t pending = 0;
    uint64_t headWakePs = UINT64_MAX; ///< a Wake armed for a not-yet-ready head
    bool full() const { return count == ring.size(); }
    bool empty() const { return count == 0; }
    uint32_t front() const { return ring[head]; }
  };

  enum class EventKind : uint8_t { OpDone, SeqWake, RequestDone, Wake, Ld32Done };
  struct Event {
    uint64_t ps = 0;
    uint64_t seq = 0;
    EventKind kind = EventKind::Wake;
    uint32_t arg = 0;
    uint32_t version = 0;
    bool operator>(const Event &o) const { return ps != o.ps ? ps > o.ps : seq > o.seq; }
  };

  struct Engine {
    int op = -1;
    double readyNs = 0; ///< setup done: may issue requests from then on
  };

  struct RequestMeta {
    int engine = -1; ///< -1: the sequencer's Ld32
    uint32_t op = 0;
    uint32_t bytes = 0;
    bool write = false;
    bool inUse = false;
  };

  // The SystemC process and its phases.
  void step();
  /// Settles the core at `now` (one activation, at one time): retires what
  /// is due, issues what can start, and notes when it finished.
  void activate(double nowNs);
  void settle(double nowNs);
  /// Settles the chip's cores' events ahead of the kernel while nothing
  /// else can observe it (SimTime.h), then parks them.
  void runAhead();
  /// Publishes this core's earliest event to ChipContext::nextEventPs
  /// (after any change to the event heap, the run state or a pending wake).
  void publishNext() {
    chip_.nextEventPs[id_] = state_ == State::Running && !wakePending_ && !heap_.empty()
                                 ? heap_.front().ps
                                 : UINT64_MAX;
  }
  /// Arms the wake for the next event and reports a quiescent core.
  void park();
  void retire(double nowNs);
  bool runSequencer(double nowNs);
  bool issueQueue(uint32_t q, double nowNs);
  bool headWaits(uint32_t q, uint64_t nowPs) const;
  bool pumpRequests(double nowNs);
  void rearm();

  // Sequencer helpers.
  bool dispatch_(const isa::Instr &instr, uint8_t queue, uint32_t pc, double readyNs,
                 bool ahead);
  void scheduleSeqWake(double ns);
  /// At nowPs_ (settle sets it first).
  void noteOccupancy();
  bool resolveDma(const isa::DmaInstr &d, Op &op);
  /// Checks one end of a DMA (range, core, capacity) and notes its local
  /// SRAM bytes; faults with dmaRangeFault if it does not fit.
  bool checkDmaEnd(const isa::MemRef &ref, uint64_t base, const uint32_t *stride,
                   uint32_t &coreOut, bool write, Op &op);
  [[gnu::cold, gnu::noinline]] void dmaRangeFault(const isa::MemRef &ref, uint64_t base,
                                                  uint64_t end, bool fits, bool write,
                                                  const Op &op);
  bool resolveGemm(const isa::GemmInstr &g, Op &op);
  bool resolveVec(const isa::VecInstr &v, Op &op);
  /// Faults with the footprint's error, else checks that footprint_'s
  /// ranges fit the SRAM and keeps them in the op.
  bool checkFootprint(const Status &footprint, Op &op);
  /// Register base plus offset of a tile operand.
  uint64_t sramAddress(const isa::SramRef &ref) const { return reg(ref.reg) + ref.offset; }
  bool readDim(const isa::Dim &d, uint32_t &out, const char *what, uint32_t pc);
  uint64_t reg(uint8_t r) const { return r == 0 ? 0 : uint64_t(regs_[r & 31]); }

  // Issue helpers.
  bool hazard(const Queue &q, const Op &op) const;
  /// When every in-flight op of q has read its SRAM operands (a SemRelease
  /// fires then); none when one of them reads until it completes.
  std::optional<double> operandsReadNs(const Queue &q) const;
  bool startOp(uint32_t q, uint32_t index, double nowNs);
  void startCompute(Op &op, uint32_t index, double cycles, double nowNs);
  bool startDma(Op &op, uint32_t index, double nowNs);
  void completeOp(uint32_t index, double nowNs);
  /// A Gemm's last row has entered the array (at its occupancy end, which
  /// has passed): its groups take the next one.
  void releaseGroups(Op &op);
  /// Releases the groups of `mask` whose Gemm's occupancy has ended; true if
  /// all are free, else arms a wake for the earliest end.
  bool freeGroups(const Queue &q, uint64_t mask);
  /// Tensor-core group time of a completing Gemm not already counted for an
  /// older one (busy = the union of the Gemms' start-to-completion spans), in
  /// group-ns; `olderGroups` are the groups of older Gemms still in flight.
  double creditGroupBusy(const Op &op, uint64_t olderGroups, double nowNs);
  void completeDma(Op &op);
  void finishRequest(uint32_t slot, double nowNs);
  void completeLd32(uint64_t address, double nowNs);
  void popQueue(uint32_t q);
  uint32_t allocOp();
  void freeOp(uint32_t index);
  bool queuesIdle() const;
  void onClockChange(double nowNs);

  // Timing helpers.
  double periodNs() const;
  double afterCycles(double nowNs, double cycles) const;
  void schedule(double ns, EventKind kind, uint32_t arg = 0, uint32_t version = 0);

  void fault(const char *unit, uint32_t pc, const std::string &message);
  std::string instrText(uint32_t pc) const;
  const char *queueUnitName(uint8_t q) const;

  uint32_t id_;
  ChipContext &chip_;
  const CoreConfig &cfg_;
  StatGroup &stats_;
  uint32_t domain_;
  const ClockDomain *clock_; ///< this core's clock domain

  // Program state.
  const std::vector<isa::Instr> *program_ = nullptr;
  /// Per program (entry point) and instruction, two slots (source, then
  /// destination) where the analytic memory model last found the DMA's
  /// footprint (mem::AnalyticModel::transfer); `hints_` is the running
  /// program's.
  std::unordered_map<const void *, std::vector<uint32_t>> footprintHints_;
  uint32_t *hints_ = nullptr;
  std::array<int64_t, 32> regs_{};
  uint32_t pc_ = 0;
  State state_ = State::Idle;
  SeqState seq_ = SeqState::Halted;
  uint8_t seqWaitQueue_ = 0;
  double seqFreeNs_ = 0;     ///< sequencer may fetch from then on
  uint64_t seqWakePs_ = UINT64_MAX; ///< the SeqWake in the heap, if any
  uint8_t ld32Reg_ = 0;
  double ld32SinceNs_ = 0;
  double finishNs_ = 0;
  std::array<uint32_t, isa::kNumSemaphores> sems_{};

  // Queues and ops.
  std::vector<Op> ops_;
  std::vector<uint32_t> freeOps_;
  /// The footprint of the instruction being dispatched, before it is
  /// checked and stored compactly in its Op.
  func::ByteRanges footprint_;
  std::array<Queue, 3> queues_;

  // Units.
  Scratchpad sram_;
  isa::Gang gang_ = isa::Gang::Independent;
  DType tcPrecision_ = DType::F16;
  TcGeometry geometry_;
  /// Groups whose array a Gemm holds (before its occupancy end, or after it
  /// until a Gemm that wants the group releases it: freeGroups).
  uint64_t groupsBusy_ = 0;
  uint64_t groupWakePs_ = UINT64_MAX; ///< the wake armed for an occupancy end
  /// Groups with one and with two Gemms in flight (one computing, or both
  /// draining): a group's accumulators are double-buffered, so a third waits.
  /// (No Gemm is in flight exactly when groupsOne_ is 0.)
  uint64_t groupsOne_ = 0, groupsFull_ = 0;
  /// When the busy time already credited to Gemms ends, for the groups of
  /// `mask` (the masks are disjoint; a group in none has none). Gemms of one
  /// gang mostly share a mask: one or two entries.
  struct Covered {
    uint64_t mask = 0;
    double ns = 0;
    double groups = 0; ///< bits of mask
  };
  std::vector<Covered> covered_;
  bool reconfiguring_ = false;
  bool vectorBusy_ = false;
  std::vector<Engine> engines_;
  uint32_t nextEngine_ = 0; ///< round-robin start for request issue
  uint32_t busyEngines_ = 0; ///< engines holding a DMA

  // TLM.
  std::unique_ptr<tlm::tlm_generic_payload[]> payloads_;
  std::vector<RequestMeta> meta_;
  std::vector<uint32_t> freePayloads_;
  std::vector<uint8_t> dummyData_;
  bool requestChannelBusy_ = false;
  uint32_t channelSlot_ = 0; ///< payload in the request phase
  bool ld32Sent_ = false;
  uint64_t ld32Address_ = 0; ///< analytic mode: the read in flight
  double socketFreeNs_ = 0;
  uint64_t outstanding_ = 0;
  uint32_t requestDmas_ = 0; ///< DMAs on the request path holding an engine

  // Scheduling.
  std::vector<Event> heap_;
  uint64_t seqNo_ = 0;
  sc_core::sc_event wake_;
  bool wakePending_ = false;
  bool clockChanged_ = false;
  bool inStep_ = false;
  uint64_t armedPs_ = UINT64_MAX;
  uint64_t nowPs_ = 0; ///< the time settle() works at, in ps

  // Accounting.
  CoreActivity activity_;
  uint64_t opsRetired_ = 0, fetched_ = 0;
  double tensorAnySinceNs_ = 0;
  uint32_t powerTensor_ = 0, powerVector_ = 0, powerSram_ = 0, powerDma_ = 0;
  uint32_t busyTensor_ = 0, busyVector_ = 0, busyDma_ = 0;

  struct CoreStats;
  std::unique_ptr<CoreStats> s_;

  // Trace tracks.
  bool tracing_ = false;
  TraceWriter::Track seqTrack_, vectorTrack_;
  std::vector<TraceWriter::Track> groupTracks_, engineTracks_;
};

} // namespace strata::sim::core
