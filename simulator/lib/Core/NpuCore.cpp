//===- NpuCore.cpp - One NPU core: sequencer, queues and units ------------===//
#include "strata/sim/core/NpuCore.h"
#include "strata/sim/core/LabelAccounting.h"

#include "strata/sim/mem/HbmStorage.h"
#include "strata/sim/mem/MemorySystem.h"
#include "strata/sim/power/ClockDomain.h"
#include "strata/sim/power/DvfsController.h"
#include "strata/sim/power/PowerMonitor.h"
#include "strata/sim/SimTime.h"
#include "strata/target/Assembly.h"

#include <cassert>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace strata::sim::core {

using isa::Opcode;



namespace {
constexpr const char *kQueueUnit[3] = {"load queue", "compute queue", "store queue"};
constexpr const char *kQueueName[3] = {"load", "compute", "store"};

uint64_t toPs(double ns) {
  // Round half away from zero like llround, without its libm call (this runs
  // several times per instruction). Simulated times stay far below 2^63 ps,
  // so the signed conversion is exact, and it is one instruction where the
  // unsigned one branches.
  const double ps = ns * 1000.0;
  return ps >= 0 ? uint64_t(int64_t(ps + 0.5)) : uint64_t(std::llround(ps));
}
/// True if time `t` is still ahead of `now`. Events fire at their time
/// rounded to the picosecond, possibly a fraction of a ps before it: a
/// plain `t > now` would find the work not due yet when its own wake fires,
/// and wait for a wake that never comes (or re-arm the same one forever).
bool ahead(double t, double now) { return toPs(t) > toPs(now); }

// The default time resolution is 1 ps; value() counts resolution units.
double nsOfValue(uint64_t value) {
  static const double psPerUnit = sc_core::sc_get_time_resolution().to_seconds() * 1e12;
  return double(value) * psPerUnit / 1000.0;
}
/// The model's now: the kernel's, or this core's own while it runs ahead.
double nowNs() { return nsOfValue(simNowValue()); }
double kernelNowNs() { return nsOfValue(sc_core::sc_time_stamp().value()); }

/// End of the bounding box of a strided 3D footprint, or `base` if empty.
bool extentEnd(uint64_t base, const uint32_t size[3], const uint32_t stride[2],
               uint64_t &end) {
  if (size[0] == 0 || size[1] == 0 || size[2] == 0) {
    end = base;
    return true;
  }
  const unsigned __int128 e = (unsigned __int128)base +
                              (unsigned __int128)(size[1] - 1) * stride[0] +
                              (unsigned __int128)(size[2] - 1) * stride[1] + size[0];
  if (e > UINT64_MAX)
    return false;
  end = uint64_t(e);
  return true;
}

std::string humanBytes(uint64_t b) {
  if (b >= (1ull << 30) && b % (1ull << 30) == 0)
    return fmt::format("{} GiB", b >> 30);
  if (b >= (1ull << 20) && b % (1ull << 20) == 0)
    return fmt::format("{} MiB", b >> 20);
  if (b >= (1ull << 10) && b % (1ull << 10) == 0)
    return fmt::format("{} KiB", b >> 10);
  return fmt::format("{} bytes", b);
}
} // namespace

//===----------------------------------------------------------------------===//
// Statistics
//===----------------------------------------------------------------------===//

struct NpuCore::CoreStats {
  Scalar *fetched, *scalarOps, *dispatched, *fullStallNs, *fenceStallNs, *ld32;
  Scalar *gemms, *tcConfigs, *reconfigs, *reconfigCycles, *tensorBusyNs, *tensorAnyBusyNs;
  std::array<Scalar *, kNumDTypes> macs;
  Scalar *vectorOps, *vectorElementOps, *vectorBusyNs;
  Scalar *dmaOps, *dmaRequests, *dmaBusyNs, *hbmReadBytes, *hbmWriteBytes, *peerBytes,
      *localBytes;
  Scalar *sramRead, *sramWrite, *sramBooked, *sramWaitNs;
  Scalar *semSignals, *semWaits, *barriers, *dvfsHints;
};

NpuCore::NpuCore(sc_core::sc_module_name name, uint32_t id, ChipContext &chip,
                 StatGroup &stats)
    : sc_module(name), socket("socket"), id_(id), chip_(chip), cfg_(chip.arch.core),
      stats_(stats), domain_(id), clock_(&chip.domains.core(id)),
      sram_(chip.arch.core.sram.sizeBytes) {
  socket.bind(*this);
  SC_METHOD(step);
  sensitive << wake_;
  dont_initialize();

  const QueueConfig &qc = cfg_.queues;
  const uint32_t depths[3] = {std::max(1u, qc.loadDepth), std::max(1u, qc.computeDepth),
                              std::max(1u, qc.storeDepth)};
  const uint32_t engines = std::max(1u, cfg_.dma.engines);
  // In flight beside the queued ops: a DMA per engine, two Gemms per
  // tensor-core group (one computing, one draining), the vector op and a
  // configuration.
  const uint32_t poolSize =
      depths[0] + depths[1] + depths[2] + engines + 2 * cfg_.tensorCores.count + 8;
  ops_.resize(poolSize);
  freeOps_.reserve(poolSize);
  for (uint32_t i = poolSize; i-- > 0;) {
    freeOps_.push_back(i);
  }
  for (uint32_t q = 0; q < 3; ++q) {
    queues_[q].ring.assign(depths[q], 0);
    queues_[q].inflight.reserve(poolSize);
    queues_[q].name = kQueueName[q];
  }
  geometry_ = tcGeometry(cfg_.tensorCores, gang_);
  covered_.reserve(cfg_.tensorCores.count + 1);
  engines_.resize(engines);
  heap_.reserve(poolSize * 4);

  const uint32_t slots = engines * std::max(1u, cfg_.dma.maxOutstanding) + 1;
  payloads_.reset(new tlm::tlm_generic_payload[slots]);
  meta_.resize(slots);
  dummyData_.assign(std::max(4u, cfg_.dma.requestBytes), 0);
  for (uint32_t i = slots; i-- > 0;) {
    payloads_[i].set_mm(this);
    freePayloads_.push_back(i);
  }

  // Statistics: core<i>.{sequencer,load,compute,store,tensor,vector,dma,sram}.
  s_ = std::make_unique<CoreStats>();
  StatGroup &seq = stats_.child("sequencer");
  s_->fetched = &seq.scalar("instructions", "instructions fetched by the sequencer", "instructions");
  s_->scalarOps = &seq.scalar("scalar_ops", "control, scalar and branch instructions run in the sequencer", "instructions");
  s_->dispatched = &seq.scalar("dispatched", "instructions dispatched into a queue", "instructions");
  s_->fullStallNs = &seq.scalar("queue_full_stall", "time the sequencer waited for room in a full queue", "ns");
  s_->fenceStallNs = &seq.scalar("fence_stall", "time the sequencer waited at fences", "ns");
  s_->ld32 = &seq.scalar("ld32", "scalar loads from HBM", "instructions");
  for (uint32_t q = 0; q < 3; ++q) {
    StatGroup &g = stats_.child(kQueueName[q]);
    queues_[q].stats = &g;
    queues_[q].issued = &g.scalar("issued", "instructions issued from this queue", "instructions");
    queues_[q].blockedNs = &g.scalar("sync_blocked", "time the queue head waited on a semaphore or barrier", "ns");
    queues_[q].maxOccupancy = &g.scalar("max_occupancy", "most entries waiting in the queue at once", "entries");
  }
  StatGroup &sync = stats_.child("sync");
  s_->semSignals = &sync.scalar("sem_signals", "semaphore signals", "instructions");
  s_->semWaits = &sync.scalar("sem_waits", "semaphore waits", "instructions");
  s_->barriers = &sync.scalar("barriers", "barrier arrivals", "instructions");
  s_->dvfsHints = &sync.scalar("dvfs_hints", "DVFS hints forwarded to the controller", "instructions");

  StatGroup &tc = stats_.child("tensor");
  s_->gemms = &tc.scalar("gemms", "Gemm instructions executed", "instructions");
  s_->tcConfigs = &tc.scalar("configs", "tc.config instructions executed", "instructions");
  s_->reconfigs = &tc.scalar("reconfigurations", "tc.config instructions that changed gang or precision", "instructions");
  s_->reconfigCycles = &tc.scalar("reconfiguration_cycles", "cycles spent reconfiguring", "cycles");
  s_->tensorBusyNs = &tc.scalar("busy", "group time from each Gemm's start to its completion (overlapping Gemms counted once), over the groups", "ns");
  s_->tensorAnyBusyNs = &tc.scalar("active", "time with at least one Gemm in flight", "ns");
  for (unsigned t = 0; t < kNumDTypes; ++t) {
    if (cfg_.tensorCores.macsPerCycle[t] == 0)
      s_->macs[t] = nullptr;
    else
      s_->macs[t] = &tc.scalar(fmt::format("macs_{}", dtypeName(DType(t))),
                               fmt::format("multiply-accumulates at {} precision", dtypeName(DType(t))),
                               "MACs");
  }
  StatGroup &vu = stats_.child("vector");
  s_->vectorOps = &vu.scalar("instructions", "vector instructions executed", "instructions");
  s_->vectorElementOps = &vu.scalar("element_ops", "element operations performed", "ops");
  s_->vectorBusyNs = &vu.scalar("busy", "time the vector unit was busy", "ns");
  StatGroup &dma = stats_.child("dma");
  s_->dmaOps = &dma.scalar("transfers", "DMA instructions executed", "instructions");
  s_->dmaRequests = &dma.scalar("requests", "memory requests issued to the memory system", "requests");
  s_->dmaBusyNs = &dma.scalar("busy", "engine busy time divided by the number of engines", "ns");
  s_->hbmReadBytes = &dma.scalar("hbm_read_bytes", "bytes read from HBM", "bytes");
  s_->hbmWriteBytes = &dma.scalar("hbm_write_bytes", "bytes written to HBM", "bytes");
  s_->peerBytes = &dma.scalar("peer_bytes", "bytes copied between this core's and a peer's SRAM", "bytes");
  s_->localBytes = &dma.scalar("local_bytes", "bytes copied within the local SRAM", "bytes");
  // Utilisation over all simulated time so far (every run and the idle
  // time of other cores' longer runs).
  auto utilisation = [this](StatGroup &g, Scalar *busy, const char *what) {
    g.formula("utilisation", std::string("busy time of the ") + what + " over simulated time",
              "ratio", [this, busy] {
                const double now = simcontext()->time_stamp().to_seconds() * 1e9;
                return now > 0 ? busy->value() / now : 0.0;
              });
  };
  utilisation(tc, s_->tensorBusyNs, "tensor cores (group-weighted)");
  utilisation(vu, s_->vectorBusyNs, "vector unit");
  utilisation(dma, s_->dmaBusyNs, "DMA engines (per engine)");
  StatGroup &sp = stats_.child("sram");
  s_->sramRead = &sp.scalar("read_bytes", "scratchpad bytes read", "bytes");
  s_->sramWrite = &sp.scalar("write_bytes", "scratchpad bytes written", "bytes");
  s_->sramBooked = &sp.scalar("bank_cycles", "bank cycles booked by all users (conflicts included)", "cycles");
  s_->sramWaitNs = &sp.scalar("bandwidth_wait", "time users waited for bank bandwidth booked by others", "ns");

  // Power, utilisation and clock.
  powerTensor_ = chip_.power.addUnit("tensor", domain_,
                                     {EnergyEvent::MacI4, EnergyEvent::MacI8, EnergyEvent::MacF16,
                                      EnergyEvent::MacBF16, EnergyEvent::MacF32});
  powerVector_ = chip_.power.addUnit("vector", domain_,
                                     {EnergyEvent::VectorOp, EnergyEvent::VectorTranscendental});
  powerSram_ = chip_.power.addUnit("sram", domain_,
                                   {EnergyEvent::SramReadByte, EnergyEvent::SramWriteByte});
  powerDma_ = chip_.power.addUnit("dma", domain_, {EnergyEvent::DmaByte});
  busyTensor_ = chip_.dvfs.addBusyUnit(domain_, "tensor");
  busyVector_ = chip_.dvfs.addBusyUnit(domain_, "vector");
  // A core waiting on memory is not busy in its own clock: DMA activity
  // counts towards the memory domain (ondemand lowers the core clock of a
  // memory-bound program and keeps the memory clock up).
  const ClockDomain *memory = chip_.domains.find("memory");
  busyDma_ = chip_.dvfs.addBusyUnit(memory ? memory->index() : domain_,
                                    fmt::format("core{} dma", id_));
  chip_.domains.core(id_).addListener([this](const ClockDomain &, DomainChange, double) {
    clockChanged_ = true;
    wake();
  });

  tracing_ = chip_.trace && chip_.trace->enabled();
  if (tracing_) {
    const std::string proc = fmt::format("core{}", id_);
    TraceWriter &t = *chip_.trace;
    seqTrack_ = t.track(proc, id_, "sequencer", 0);
    for (uint32_t q = 0; q < 3; ++q)
      queues_[q].track = t.track(proc, id_, fmt::format("{} queue", kQueueName[q]), 1 + q);
    vectorTrack_ = t.track(proc, id_, "vector unit", 4);
    for (uint32_t e = 0; e < engines; ++e)
      engineTracks_.push_back(t.track(proc, id_, fmt::format("dma engine {}", e), 8 + e));
    for (uint32_t g = 0; g < cfg_.tensorCores.count; ++g)
      groupTracks_.push_back(t.track(proc, id_, fmt::format("tensor group {}", g), 32 + g));
  }
}

NpuCore::~NpuCore() = default;

//===----------------------------------------------------------------------===//
// Run control
//===----------------------------------------------------------------------===//

void NpuCore::start(const std::vector<isa::Instr> *program,
                    const std::array<int64_t, 32> &regs) {
  program_ = program;
  // A binary has a few entry points; programs of binaries loaded before
  // (Simulator::load replaces them) are forgotten rather than kept.
  if (footprintHints_.size() >= 16 && !footprintHints_.count(program))
    footprintHints_.clear();
  std::vector<uint32_t> &hints = footprintHints_[program];
  hints.resize(program ? 2 * program->size() : 0);
  hints_ = hints.data();
  regs_ = regs;
  regs_[0] = 0;
  pc_ = 0;
  sems_.fill(0);
  gang_ = isa::Gang::Independent;
  tcPrecision_ = DType::F16;
  geometry_ = tcGeometry(cfg_.tensorCores, gang_);
  const double now = nowNs();
  seqFreeNs_ = now;
  if (!program || program->empty()) {
    state_ = State::Finished;
    seq_ = SeqState::Halted;
    finishNs_ = now;
    publishNext();
    return;
  }
  state_ = State::Running;
  seq_ = SeqState::Run;
  wake();
  publishNext();
}

void NpuCore::wake() {
  if (wakePending_)
    return;
  if (runningAhead() && chip_.runAheadLimit != 0) {
    // Woken by a core that runs ahead: settled by the same loop, at the
    // waker's local time (NpuCore::runAhead).
    schedule(nowNs(), EventKind::Wake);
    ++chip_.runAheadWakes;
    return;
  }
  wakePending_ = true;
  armedPs_ = 0;
  publishNext();
  notifyNow(wake_);
}

bool NpuCore::quiescent() const {
  return heap_.empty() && outstanding_ == 0 && !wakePending_;
}

void NpuCore::schedule(double ns, EventKind kind, uint32_t arg, uint32_t version) {
  heap_.push_back(Event{toPs(ns), seqNo_++, kind, arg, version});
  std::push_heap(heap_.begin(), heap_.end(), std::greater<Event>());
  publishNext();
}

void NpuCore::rearm() {
  if (heap_.empty() || wakePending_)
    return;
  const uint64_t top = heap_.front().ps;
  if (top >= armedPs_)
    return;
  // The delay counts from the kernel's time (the core may have run ahead).
  const uint64_t nowPs = toPs(kernelNowNs());
  armedPs_ = top;
  const uint64_t delayPs = top > nowPs ? top - nowPs : 0;
  // At the default 1 ps resolution the delay is a count of kernel units
  // (building an sc_time from a double and a unit costs a division per wake).
  static const bool psUnits = sc_core::sc_get_time_resolution() == sc_core::sc_time(1, sc_core::SC_PS);
  wake_.notify(psUnits ? sc_core::sc_time::from_value(delayPs)
                       : sc_core::sc_time(double(delayPs), sc_core::SC_PS));
}

double NpuCore::periodNs() const { return clock_->periodNs(); }

double NpuCore::afterCycles(double now, double cycles) const {
  return clock_->timeAfterCycles(now, cycles);
}

inline bool NpuCore::headWaits(uint32_t q, uint64_t nowPs) const {
  // The common answers of issueQueue, without its cost: the queue is empty,
  // its head takes effect later and its wake is armed, or its head already
  // waits for a semaphore that has not been signalled since.
  const Queue &Q = queues_[q];
  if (Q.empty())
    return true;
  const Op &op = ops_[Q.front()];
  if (op.readyPs > nowPs && Q.headWakePs == op.readyPs)
    return true;
  switch (op.kind) {
  case OpKind::SemSignal: // issues once the ops before it are done
    return !Q.inflight.empty();
  case OpKind::SemRelease: { // issues once they have read their operands
    const std::optional<double> read = operandsReadNs(Q);
    return !read || (toPs(*read) > nowPs && Q.headWakePs == toPs(*read));
  }
  case OpKind::Barrier: // arrives once the ops before it are done, then waits
    if (!op.arrived)
      return !Q.inflight.empty();
    return op.blocked &&
           !chip_.barriers.released(std::get<isa::SyncInstr>(*op.instr).id,
                                    op.barrierGeneration);
  case OpKind::Vec:
    return vectorBusy_;
  case OpKind::Dma:
    return busyEngines_ == engines_.size();
  case OpKind::SemWait:
    break;
  default:
    return false;
  }
  if (!op.blocked)
    return false;
  const auto &s = std::get<isa::SyncInstr>(*op.instr);
  return sems_[s.id] < s.value;
}

void NpuCore::step() {
  wakePending_ = false;
  armedPs_ = UINT64_MAX;
  publishNext();
  if (chip_.faulted || state_ != State::Running)
    return;
  if (chip_.runAheadLimit != 0) {
    runAhead();
    return;
  }
  activate(nowNs());
  park();
}

void NpuCore::activate(double now) {
  inStep_ = true;
  struct Leave {
    bool &flag;
    ~Leave() { flag = false; }
  } leave{inStep_};
  settle(now);
  if (chip_.faulted)
    return;
  if (seq_ == SeqState::Halted && outstanding_ == 0 && queuesIdle()) {
    state_ = State::Finished;
    publishNext();
    finishNs_ = std::max(now, seqFreeNs_);
    chip_.coreStateChanged();
  }
}

void NpuCore::park() {
  if (chip_.faulted || state_ != State::Running)
    return;
  rearm();
  if (quiescent())
    chip_.coreStateChanged();
}

void NpuCore::runAhead() {
  // The kernel would wake each core at its next event and settle it there.
  // While no other process has anything scheduled before the earliest of
  // those events (nor at it: the order of processes at one time is the
  // kernel's), nothing can tell the difference if that core settles it now,
  // at its own local time (SimTime.h). Cores settle in time order, a tie
  // highest core first (the order the kernel ran them in). Cores another
  // process woke (a pending wake) are left to the kernel; their wake bounds
  // the horizon. The cores' own armed wakes are withdrawn while they run
  // ahead and re-armed at the end.
  std::vector<uint32_t> &ids = chip_.runAheadIds;
  ids.clear();
  for (NpuCore *core : chip_.cores) {
    if (core != this && (core->state_ != State::Running || core->wakePending_))
      continue;
    if (core->armedPs_ != UINT64_MAX) {
      core->wake_.cancel();
      core->armedPs_ = UINT64_MAX;
    }
    ids.push_back(core->id_);
  }
  constexpr unsigned kMaxHops = 4096; // back to the kernel now and then all the same
  RunAheadScope local;
  // This core's activation is the kernel's own, at its time; a core it wakes
  // is settled by the loop below.
  const uint64_t kernel = sc_core::sc_time_stamp().value();
  local.moveTo(kernel);
  activate(nowNs());
  uint64_t horizon = 0, seen = detail::notifications - 1;
  NpuCore *next = nullptr;
  uint64_t second = 0; ///< the earliest time of the other candidates
  uint64_t wakes = chip_.runAheadWakes;
  for (unsigned hops = 0; hops < kMaxHops && !chip_.faulted; ++hops) {
    // The core just settled goes on without a scan while its next event is
    // strictly before every other candidate's and it woke nobody.
    const bool again = next && wakes == chip_.runAheadWakes && !next->heap_.empty() &&
                       next->state_ == State::Running && next->heap_.front().ps < second;
    if (!again) {
      wakes = chip_.runAheadWakes;
      next = nullptr;
      uint64_t at = UINT64_MAX;
      second = UINT64_MAX;
      const uint64_t *nextPs = chip_.nextEventPs.data();
      for (uint32_t id : ids) {
        const uint64_t t = nextPs[id];
        if (t == UINT64_MAX)
          continue;
        if (t <= at) {
          second = at;
          at = t;
          next = chip_.cores[id];
        } else if (t < second) {
          second = t;
        }
      }
      if (!next)
        break;
    }
    const uint64_t at = next->heap_.front().ps;
    if (at >= chip_.runAheadLimit)
      break;
    if (seen != detail::notifications) {
      // Only a notification can bring the kernel's next activity closer.
      seen = detail::notifications;
      const uint64_t pending = sc_core::sc_time_to_pending_activity().value();
      horizon = pending > UINT64_MAX - kernel ? UINT64_MAX : kernel + pending;
    }
    if (at >= horizon)
      break;
    local.moveTo(at);
    next->activate(nsOfValue(at));
  }
  for (uint32_t id : ids)
    chip_.cores[id]->park();
}

void NpuCore::settle(double now) {
  if (clockChanged_)
    onClockChange(now);
  const uint64_t nowPs = toPs(now);
  nowPs_ = nowPs;
  if (queues_[0].pending | queues_[1].pending | queues_[2].pending)
    noteOccupancy();
  retire(now);
  for (bool progress = true; progress && !chip_.faulted;) {
    // A sequencer that is halted, waits for a scalar load, or is stalled on
    // a queue that is still full has nothing to do.
    progress = seq_ == SeqState::Halted || seq_ == SeqState::Ld32 ||
                       (seq_ == SeqState::QueueFull && queues_[seqWaitQueue_].full())
                   ? false
                   : runSequencer(now);
    for (uint32_t q = 0; q < 3 && !chip_.faulted; ++q)
      if (!headWaits(q, nowPs))
        progress |= issueQueue(q, now);
    if (!chip_.faulted && (requestDmas_ != 0 || seq_ == SeqState::Ld32))
      progress |= pumpRequests(now);
  }
}

void NpuCore::retire(double now) {
  const uint64_t nowPs = toPs(now);
  while (!heap_.empty() && heap_.front().ps <= nowPs && !chip_.faulted) {
    std::pop_heap(heap_.begin(), heap_.end(), std::greater<Event>());
    const Event e = heap_.back();
    heap_.pop_back();
    switch (e.kind) {
    case EventKind::OpDone: {
      Op &op = ops_[e.arg];
      if (op.version == e.version && op.instr)
        completeOp(e.arg, now);
      break;
    }
    case EventKind::RequestDone:
      finishRequest(e.arg, now);
      break;
    case EventKind::Ld32Done:
      completeLd32(ld32Address_, now);
      break;
    case EventKind::SeqWake:
      if (e.ps == seqWakePs_)
        seqWakePs_ = UINT64_MAX;
      break;
    case EventKind::Wake:
      break;
    }
  }
  publishNext();
}

void NpuCore::onClockChange(double now) {
  clockChanged_ = false;
  groupWakePs_ = UINT64_MAX; // an occupancy end it was armed for has moved
  for (Queue &q : queues_)
    for (uint32_t index : q.inflight) {
      Op &op = ops_[index];
      if (!op.computes() || !op.progress)
        continue;
      op.progress->advance(now);
      ++op.version;
      // A Gemm's occupancy end moves with the clock like its completion
      // (both are cycles of this domain); once past, only the completion.
      if (op.holdsGroups) {
        if (toPs(op.occupancy->finishNs()) <= toPs(now))
          releaseGroups(op);
        else
          op.occupancy->advance(now);
      }
      schedule(op.progress->finishNs(), EventKind::OpDone, index, op.version);
    }
}

bool NpuCore::queuesIdle() const {
  for (const Queue &q : queues_)
    if (!q.empty() || !q.inflight.empty())
      return false;
  return true;
}

//===----------------------------------------------------------------------===//
// Faults
//===----------------------------------------------------------------------===//

std::string NpuCore::instrText(uint32_t pc) const {
  if (!program_ || pc >= program_->size())
    return {};
  return isa::printInstr((*program_)[pc]);
}

const char *NpuCore::queueUnitName(uint8_t q) const { return kQueueUnit[q]; }

void NpuCore::fault(const char *unit, uint32_t pc, const std::string &message) {
  Fault f;
  f.core = id_;
  f.unit = unit;
  f.pc = pc;
  f.instr = instrText(pc);
  f.message = message;
  f.timeNs = nowNs();
  chip_.fault(std::move(f));
}

std::string NpuCore::describeBlocked() const {
  std::string out;
  if (state_ != State::Running)
    return out;
  auto line = [&](const char *unit, uint32_t pc, const std::string &why) {
    out += fmt::format("  core {}, {}, pc {} `{}`: {}\n", id_, unit, pc, instrText(pc), why);
  };
  for (uint32_t q = 0; q < 3; ++q) {
    const Queue &Q = queues_[q];
    if (Q.empty())
      continue;
    const Op &op = ops_[Q.front()];
    const auto &s = std::get<isa::SyncInstr>(*op.instr);
    if (op.kind == OpKind::SemWait)
      line(kQueueUnit[q], op.pc,
           fmt::format("waits for semaphore {} >= {} (it is {})", s.id, s.value, sems_[s.id]));
    else if (op.kind == OpKind::Barrier)
      line(kQueueUnit[q], op.pc,
           fmt::format("waits at barrier {} for cores with mask {:#x}", s.id,
                       chip_.barriers.missing(s.id, op.barrierGeneration)));
    else
      line(kQueueUnit[q], op.pc, "cannot start");
  }
  switch (seq_) {
  case SeqState::QueueFull:
    line("sequencer", pc_, fmt::format("waits for room in the full {} queue",
                                       kQueueName[seqWaitQueue_]));
    break;
  case SeqState::Fence:
    line("sequencer", pc_, "waits at a fence for the queues to drain");
    break;
  default:
    break;
  }
  return out;
}

NpuCore::BlockedAt NpuCore::firstBlocked() const {
  for (uint32_t q = 0; q < 3; ++q)
    if (!queues_[q].empty()) {
      const Op &op = ops_[queues_[q].front()];
      return {kQueueUnit[q], op.pc, instrText(op.pc)};
    }
  return {"sequencer", pc_, instrText(pc_)};
}

//===----------------------------------------------------------------------===//
// Sequencer
//===----------------------------------------------------------------------===//

bool NpuCore::runSequencer(double now) {
  switch (seq_) {
  case SeqState::Halted:
  case SeqState::Ld32:
    return false;
  case SeqState::QueueFull:
    if (queues_[seqWaitQueue_].full())
      return false;
    *s_->fullStallNs += now - seqFreeNs_;
    if (tracing_ && now > seqFreeNs_)
      chip_.trace->slice(seqTrack_, fmt::format("{} queue full", kQueueName[seqWaitQueue_]),
                         seqFreeNs_, now - seqFreeNs_, fmt::format("\"pc\":{}", pc_));
    seq_ = SeqState::Run;
    break;
  case SeqState::Fence:
    if (!queuesIdle())
      return false;
    *s_->fenceStallNs += now - seqFreeNs_;
    if (tracing_ && now > seqFreeNs_)
      chip_.trace->slice(seqTrack_, "fence", seqFreeNs_, now - seqFreeNs_,
                         fmt::format("\"pc\":{}", pc_));
    seqFreeNs_ = std::max(seqFreeNs_, now); // the fence completes from now on
    seq_ = SeqState::Run;
    break;
  case SeqState::Run:
    break;
  }
  if (toPs(seqFreeNs_) > nowPs_)
    return false; // a SeqWake is pending
  const double dispatch = cfg_.queues.dispatchCycles;
  const std::vector<isa::Instr> &prog = *program_;
  double t = seqFreeNs_;
  bool progress = false;
  // The sequencer runs ahead through scalar code (it only touches its own
  // registers); anything that interacts with the rest waits for its time.
  for (unsigned budget = 4096; budget > 0; --budget) {
    if (pc_ >= prog.size()) {
      seq_ = SeqState::Halted; // running off the end halts
      seqFreeNs_ = t;
      return true;
    }
    const isa::Instr &in = prog[pc_];
    const uint32_t pc = pc_;
    if (const auto *s = std::get_if<isa::ScalarInstr>(&in)) {
      const uint64_t a = reg(s->rs1), b = reg(s->rs2);
      const int64_t imm = s->imm;
      uint64_t r = 0;
      switch (s->op) {
      case Opcode::Li: r = uint64_t(imm); break;
      case Opcode::Add: r = a + b; break;
      case Opcode::Sub: r = a - b; break;
      case Opcode::Mul: r = a * b; break;
      case Opcode::Addi: r = a + uint64_t(imm); break;
      case Opcode::Muli: r = a * uint64_t(imm); break;
      case Opcode::Divui:
      case Opcode::Remui:
        if (imm == 0) {
          fault("sequencer", pc, fmt::format("{} by zero", isa::mnemonic(s->op)));
          return false;
        }
        r = s->op == Opcode::Divui ? a / uint64_t(imm) : a % uint64_t(imm);
        break;
      case Opcode::Shli: r = a << (imm & 63); break;
      case Opcode::Shri: r = a >> (imm & 63); break;
      case Opcode::And: r = a & b; break;
      case Opcode::Or: r = a | b; break;
      case Opcode::Min: r = uint64_t(std::min(int64_t(a), int64_t(b))); break;
      case Opcode::Max: r = uint64_t(std::max(int64_t(a), int64_t(b))); break;
      case Opcode::Ld32: {
        if (toPs(t) > nowPs_) {
          seqFreeNs_ = t;
          scheduleSeqWake(t);
          return progress;
        }
        const uint64_t addr = a + uint64_t(imm);
        if (addr % 4 != 0) {
          fault("sequencer", pc, fmt::format("ld32 address {:#x} is not 4-byte aligned", addr));
          return false;
        }
        if (addr + 4 > chip_.hbm.capacity() || addr + 4 < addr) {
          fault("sequencer", pc,
                fmt::format("ld32 address {:#x} lies outside HBM ({})", addr,
                            humanBytes(chip_.hbm.capacity())));
          return false;
        }
        ld32Reg_ = s->rd;
        ld32SinceNs_ = now;
        seq_ = SeqState::Ld32;
        seqFreeNs_ = afterCycles(t, dispatch);
        ++pc_;
        ++fetched_;
        *s_->fetched += 1;
        *s_->ld32 += 1;
        if (chip_.memory.analytic()) {
          // Timed like every other access of the analytic model (the
          // request-level controllers stay idle in that mode).
          mem::BulkPattern p;
          p.base = addr;
          p.size[0] = 4;
          const double delayNs = chip_.memory.bulkTransfer(id_, p, false).to_seconds() * 1e9;
          ld32Sent_ = true;
          ld32Address_ = addr;
          schedule(now + delayNs, EventKind::Ld32Done);
        }
        // Otherwise the read goes out through the core's memory port
        // (pumpRequests).
        return true;
      }
      default:
        fault("sequencer", pc, "malformed scalar instruction");
        return false;
      }
      if (s->rd != 0)
        regs_[s->rd & 31] = int64_t(r);
      t = afterCycles(t, dispatch);
      ++pc_;
    } else if (const auto *br = std::get_if<isa::BranchInstr>(&in)) {
      const int64_t a = int64_t(reg(br->rs1)), b = int64_t(reg(br->rs2));
      bool taken = false;
      switch (br->op) {
      case Opcode::Jmp: taken = true; break;
      case Opcode::Beq: taken = a == b; break;
      case Opcode::Bne: taken = a != b; break;
      case Opcode::Blt: taken = a < b; break;
      case Opcode::Bge: taken = a >= b; break;
      default:
        fault("sequencer", pc, "malformed branch instruction");
        return false;
      }
      t = afterCycles(t, dispatch);
      pc_ = taken ? br->target : pc_ + 1;
    } else if (const auto *c = std::get_if<isa::ControlInstr>(&in)) {
      if (c->op == Opcode::Halt) {
        seq_ = SeqState::Halted;
        seqFreeNs_ = afterCycles(t, dispatch);
        ++fetched_;
        *s_->fetched += 1;
        *s_->scalarOps += 1;
        return true;
      }
      if (c->op == Opcode::Fence) {
        if (toPs(t) > nowPs_) {
          seqFreeNs_ = t;
          scheduleSeqWake(t);
          return progress;
        }
        if (!queuesIdle()) {
          seq_ = SeqState::Fence;
          seqFreeNs_ = t;
          return progress;
        }
      }
      t = afterCycles(t, dispatch);
      ++pc_;
    } else {
      // A queue instruction takes effect when its dispatch completes. The
      // sequencer runs ahead of the kernel's time while the queue has room
      // now (it can only have more by then: only the sequencer adds to it);
      // the op carries its effect time and issues no earlier.
      const double effect = afterCycles(t, dispatch);
      const bool later = toPs(effect) > nowPs_;
      const uint8_t q = uint8_t(*isa::queueOf(in));
      if (queues_[q].full()) {
        seqFreeNs_ = t;
        if (later) {
          scheduleSeqWake(effect); // room may appear by then
        } else {
          seq_ = SeqState::QueueFull;
          seqWaitQueue_ = q;
        }
        return progress;
      }
      if (!dispatch_(in, q, pc, later ? effect : now, later))
        return false;
      *s_->dispatched += 1;
      t = later ? effect : now;
      ++pc_;
      ++fetched_;
      *s_->fetched += 1;
      progress = true;
      continue;
    }
    ++fetched_;
    *s_->fetched += 1;
    *s_->scalarOps += 1;
    progress = true;
  }
  // Budget used up: let the kernel breathe (and the cycle limit be checked).
  seqFreeNs_ = t;
  scheduleSeqWake(std::max(t, now));
  return progress;
}

void NpuCore::scheduleSeqWake(double ns) {
  const uint64_t ps = toPs(ns);
  if (ps == seqWakePs_)
    return; // already in the heap
  seqWakePs_ = ps;
  schedule(ns, EventKind::SeqWake);
}

void NpuCore::noteOccupancy() {
  // Entries dispatched ahead count from their effect time on; between two
  // activations nothing leaves a queue, so the count now is the most the
  // queue held since the last one. The pending entries are the queue's tail
  // and take effect in queue order (their dispatch times only grow), so
  // the ones that took effect since are found from the front of the tail:
  // each entry is passed once, not on every activation while it waits.
  const uint64_t nowPs = nowPs_;
  for (Queue &Q : queues_) {
    if (Q.pending == 0)
      continue;
    const uint32_t size = uint32_t(Q.ring.size());
    uint32_t at = Q.head + (Q.count - Q.pending);
    if (at >= size)
      at -= size;
    while (Q.pending > 0 && ops_[Q.ring[at]].readyPs <= nowPs) {
      --Q.pending;
      at = at + 1 == size ? 0 : at + 1;
    }
    Q.maxOccupancy->max(Q.count - Q.pending);
  }
}

bool NpuCore::readDim(const isa::Dim &d, uint32_t &out, const char *what, uint32_t pc) {
  if (!d.isReg) {
    out = d.value;
    return true;
  }
  const uint64_t v = reg(uint8_t(d.value));
  if (v > UINT32_MAX) {
    fault(kQueueUnit[0], pc,
          fmt::format("{} from r{} is {}, more than a size operand holds", what, d.value, v));
    return false;
  }
  out = uint32_t(v);
  return true;
}

uint32_t NpuCore::allocOp() {
  const uint32_t index = freeOps_.back();
  freeOps_.pop_back();
  return index;
}

void NpuCore::freeOp(uint32_t index) {
  Op &op = ops_[index];
  op.instr = nullptr;
  if (op.computes()) {
    op.progress.reset(); // a free slot holds no progress (DMAs never set it)
    op.occupancy.reset();
    op.holdsGroups = false;
  }
  ++op.version;
  freeOps_.push_back(index);
}

bool NpuCore::dispatch_(const isa::Instr &in, uint8_t q, uint32_t pc, double readyNs,
                        bool later) {
  const uint32_t index = allocOp();
  Op &op = ops_[index];
  op.instr = &in;
  op.readyNs = readyNs;
  op.readyPs = toPs(readyNs);
  op.pc = pc;
  op.opcode = isa::opcodeOf(in);
  op.queue = q;
  op.arrived = op.blocked = false;
  if (!std::holds_alternative<isa::SyncInstr>(in)) {
    // Only tile instructions touch the slot beyond its first cache line.
    op.ranges.clear();
    op.engine = -1;
    op.groupMask = 0;
    op.macs = op.sramRead = op.sramWrite = 0;
    op.requestsOutstanding = 0;
  }
  bool ok = true;
  if (const auto *s = std::get_if<isa::SyncInstr>(&in)) {
    switch (s->op) {
    case Opcode::SemSignal:
    case Opcode::SemRelease:
    case Opcode::SemWait:
      op.kind = s->op == Opcode::SemSignal    ? OpKind::SemSignal
                : s->op == Opcode::SemRelease ? OpKind::SemRelease
                                              : OpKind::SemWait;
      if (s->id >= isa::kNumSemaphores) {
        fault(kQueueUnit[q], pc, fmt::format("semaphore {} does not exist (a core has {})",
                                             s->id, isa::kNumSemaphores));
        ok = false;
      } else if (s->value == 0) {
        fault(kQueueUnit[q], pc, "semaphore count must be at least 1");
        ok = false;
      }
      break;
    case Opcode::Barrier:
      op.kind = OpKind::Barrier;
      break;
    default: {
      op.kind = OpKind::DvfsHint;
      auto d = chip_.domains.resolveHint(id_, s->id);
      if (!d) {
        fault(kQueueUnit[q], pc, d.message());
        ok = false;
      } else if (s->value >= chip_.domains[*d].numLevels()) {
        fault(kQueueUnit[q], pc,
              fmt::format("operating point {} does not exist in domain {} ({} points)",
                          s->value, chip_.domains[*d].name(), chip_.domains[*d].numLevels()));
        ok = false;
      }
      break;
    }
    }
  } else if (const auto *d = std::get_if<isa::DmaInstr>(&in)) {
    op.kind = OpKind::Dma;
    op.u.dma = DmaOp{};
    ok = resolveDma(*d, op);
  } else if (const auto *c = std::get_if<isa::TcConfigInstr>(&in)) {
    op.kind = OpKind::TcConfig;
    if (!isValidDType(uint8_t(c->precision)) ||
        cfg_.tensorCores.macsPerCycle[unsigned(c->precision)] == 0) {
      fault(kQueueUnit[q], pc,
            fmt::format("the tensor cores have no {} multipliers (macsPerCycle is 0)",
                        dtypeName(c->precision)));
      ok = false;
    }
  } else if (const auto *g = std::get_if<isa::GemmInstr>(&in)) {
    op.kind = OpKind::Gemm;
    op.u.gemm = func::ResolvedGemm{};
    ok = resolveGemm(*g, op);
  } else if (const auto *v = std::get_if<isa::VecInstr>(&in)) {
    op.kind = OpKind::Vec;
    op.u.vec = func::ResolvedVec{};
    ok = resolveVec(*v, op);
  }
  if (!ok) {
    freeOp(index);
    return false;
  }
  Queue &Q = queues_[q];
  uint32_t tail = Q.head + Q.count;
  if (tail >= Q.ring.size())
    tail -= uint32_t(Q.ring.size());
  Q.ring[tail] = index;
  ++Q.count;
  if (later) {
    ++Q.pending; // counted once it takes effect (noteOccupancy)
  } else {
    // Everything dispatched before took effect by now.
    Q.pending = 0;
    Q.maxOccupancy->max(Q.count);
  }
  return true;
}

bool NpuCore::resolveDma(const isa::DmaInstr &d, Op &op) {
  DmaOp &r = op.dma();
  for (int i = 0; i < 3; ++i)
    if (!readDim(d.size[i], r.size[i], i == 0 ? "size[0]" : i == 1 ? "size[1]" : "size[2]",
                 op.pc))
      return false;
  r.srcSpace = d.src.space;
  r.dstSpace = d.dst.space;
  r.src = reg(d.src.reg) + d.src.offset;
  r.dst = reg(d.dst.reg) + d.dst.offset;
  for (int i = 0; i < 2; ++i) {
    r.srcStride[i] = d.srcStride[i];
    r.dstStride[i] = d.dstStride[i];
  }
  if (!checkDmaEnd(d.src, r.src, r.srcStride, r.srcCore, false, op) ||
      !checkDmaEnd(d.dst, r.dst, r.dstStride, r.dstCore, true, op))
    return false;
  if (r.srcSpace == isa::Space::Hbm || r.dstSpace == isa::Space::Hbm)
    op.path = chip_.memory.analytic() ||
                      (r.srcSpace == isa::Space::Hbm && r.dstSpace == isa::Space::Hbm)
                  ? DmaPath::Bulk
                  : DmaPath::Requests;
  else
    op.path = r.srcCore == id_ && r.dstCore == id_ ? DmaPath::Local : DmaPath::Peer;
  return true;
}

bool NpuCore::checkDmaEnd(const isa::MemRef &ref, uint64_t base, const uint32_t *stride,
                          uint32_t &coreOut, bool write, Op &op) {
  const DmaOp &r = op.dma();
  uint64_t end = 0;
  const bool fits = extentEnd(base, r.size, stride, end);
  if (ref.space == isa::Space::Hbm) {
    if (fits && end <= chip_.hbm.capacity())
      return true;
    dmaRangeFault(ref, base, end, fits, write, op);
    return false;
  }
  coreOut = ref.core == isa::kLocalCore ? id_ : ref.core;
  if (!fits || coreOut >= chip_.arch.numCores || end > sram_.size()) {
    dmaRangeFault(ref, base, end, fits, write, op);
    return false;
  }
  if (coreOut == id_ && end > base)
    op.ranges.push(base, end, write); // within the scratchpad: 32-bit offsets
  return true;
}

void NpuCore::dmaRangeFault(const isa::MemRef &ref, uint64_t base, uint64_t end, bool fits,
                            bool write, const Op &op) {
  const char *side = write ? "destination" : "source";
  const char *unit = kQueueUnit[op.queue];
  if (!fits) {
    fault(unit, op.pc, fmt::format("DMA {} range overflows 64 bits", side));
  } else if (ref.space == isa::Space::Hbm) {
    fault(unit, op.pc,
          fmt::format("DMA {} [{:#x}, {:#x}) lies outside HBM ({})", side, base, end,
                      humanBytes(chip_.hbm.capacity())));
  } else {
    const uint32_t core = ref.core == isa::kLocalCore ? id_ : ref.core;
    if (core >= chip_.arch.numCores)
      fault(unit, op.pc,
            fmt::format("DMA {} names the SRAM of core {}, but the chip has {} cores", side,
                        ref.core, chip_.arch.numCores));
    else
      fault(unit, op.pc,
            fmt::format("DMA {} [{:#x}, {:#x}) lies outside the {} SRAM of core {}", side,
                        base, end, humanBytes(sram_.size()), core));
  }
}

bool NpuCore::checkFootprint(const Status &footprint, Op &op) {
  if (!footprint) {
    fault(kQueueUnit[op.queue], op.pc, footprint.message());
    return false;
  }
  for (const func::ByteRange &r : footprint_)
    if (r.end > sram_.size() || r.end < r.begin) {
      fault(kQueueUnit[op.queue], op.pc,
            fmt::format("operand bytes [{:#x}, {:#x}) lie beyond the {} SRAM", r.begin, r.end,
                        humanBytes(sram_.size())));
      return false;
    }
  assert(footprint_.size() <= SramRanges::kCapacity);
  for (const func::ByteRange &r : footprint_)
    op.ranges.push(r.begin, r.end, r.write);
  return true;
}

bool NpuCore::resolveGemm(const isa::GemmInstr &g, Op &op) {
  func::ResolvedGemm &r = op.gemm();
  r.instr = &g;
  if (!readDim(g.m, r.m, "m", op.pc) || !readDim(g.n, r.n, "n", op.pc) ||
      !readDim(g.k, r.k, "k", op.pc))
    return false;
  r.a = sramAddress(g.A);
  r.b = sramAddress(g.B);
  r.c = sramAddress(g.C);
  r.scaleA = sramAddress(g.scaleA);
  r.scaleB = sramAddress(g.scaleB);
  r.bias = sramAddress(g.bias);
  footprint_.clear();
  return checkFootprint(func::footprint(r, footprint_), op);
}

bool NpuCore::resolveVec(const isa::VecInstr &v, Op &op) {
  func::ResolvedVec &r = op.vec();
  r.instr = &v;
  if (!readDim(v.rows, r.rows, "rows", op.pc) || !readDim(v.cols, r.cols, "cols", op.pc) ||
      !readDim(v.aux, r.aux, "aux", op.pc))
    return false;
  r.x = sramAddress(v.x);
  r.y = sramAddress(v.y);
  r.z = sramAddress(v.z);
  r.dst = sramAddress(v.dst);
  footprint_.clear();
  return checkFootprint(func::footprint(r, footprint_), op);
}

//===----------------------------------------------------------------------===//
// Queues
//===----------------------------------------------------------------------===//

void NpuCore::popQueue(uint32_t q) {
  Queue &Q = queues_[q];
  if (++Q.head == Q.ring.size())
    Q.head = 0;
  --Q.count;
  *Q.issued += 1;
}

std::optional<double> NpuCore::operandsReadNs(const Queue &q) const {
  // A Gemm has read A, B and their scales once its last row has entered the
  // array; its epilogue reads the bias, and every other op reads until it
  // completes (docs/isa.md 4.4). An accumulated C is an output the epilogue
  // also reads: what overwrites it waits for the Gemm to finish anyway.
  double latest = 0;
  for (uint32_t index : q.inflight) {
    const Op &o = ops_[index];
    if (o.kind != OpKind::Gemm)
      return std::nullopt;
    const isa::GemmInstr &g = *o.gemm().instr;
    if (g.hasBias)
      return std::nullopt;
    if (o.holdsGroups)
      latest = std::max(latest, o.occupancy->finishNs());
  }
  return latest;
}

bool NpuCore::hazard(const Queue &q, const Op &op) const {
  if (op.ranges.count == 0)
    return false;
  for (uint32_t index : q.inflight)
    if (op.ranges.conflicts(ops_[index].ranges))
      return true;
  return false;
}

bool NpuCore::issueQueue(uint32_t q, double now) {
  Queue &Q = queues_[q];
  const uint64_t nowPs = nowPs_;
  bool progress = false;
  while (!Q.empty() && !chip_.faulted) {
    const uint32_t index = Q.front();
    Op &op = ops_[index];
    if (op.readyPs > nowPs) {
      if (Q.headWakePs != op.readyPs) {
        Q.headWakePs = op.readyPs;
        schedule(op.readyNs, EventKind::Wake);
      }
      return progress;
    }
    auto unblock = [&](const char *what) {
      if (!op.blocked)
        return;
      op.blocked = false;
      *Q.blockedNs += now - op.blockedSinceNs;
      if (tracing_ && now > op.blockedSinceNs)
        chip_.trace->slice(Q.track, what, op.blockedSinceNs, now - op.blockedSinceNs,
                           fmt::format("\"pc\":{}", op.pc));
    };
    auto block = [&]() {
      if (!op.blocked) {
        op.blocked = true;
        op.blockedSinceNs = now;
      }
    };
    switch (op.kind) {
    case OpKind::SemRelease: {
      const std::optional<double> read = operandsReadNs(Q);
      if (!read)
        return progress; // an op still reading wakes the queue when it completes
      if (const uint64_t readPs = toPs(*read); readPs > nowPs) {
        // No event fires at an occupancy end (groups are released lazily).
        if (Q.headWakePs != readPs) {
          Q.headWakePs = readPs;
          schedule(*read, EventKind::Wake);
        }
        return progress;
      }
      [[fallthrough]];
    }
    case OpKind::SemSignal: {
      if (op.kind == OpKind::SemSignal && !Q.inflight.empty())
        return progress;
      const auto &s = std::get<isa::SyncInstr>(*op.instr);
      sems_[s.id] += s.value;
      *s_->semSignals += 1;
      if (tracing_)
        chip_.trace->instant(
            Q.track,
            fmt::format("{} sem {}", op.kind == OpKind::SemSignal ? "signal" : "release", s.id),
            now);
      popQueue(q);
      freeOp(index);
      ++opsRetired_;
      progress = true;
      continue;
    }
    case OpKind::SemWait: {
      const auto &s = std::get<isa::SyncInstr>(*op.instr);
      if (sems_[s.id] < s.value) {
        block();
        return progress;
      }
      sems_[s.id] -= s.value;
      unblock("wait sem");
      *s_->semWaits += 1;
      popQueue(q);
      freeOp(index);
      ++opsRetired_;
      progress = true;
      continue;
    }
    case OpKind::Barrier: {
      const auto &s = std::get<isa::SyncInstr>(*op.instr);
      if (!op.arrived) {
        // Like a signal, an arrival means everything before it is done.
        if (!Q.inflight.empty())
          return progress;
        auto gen = chip_.barriers.arrive(id_, s.id, s.value);
        if (!gen) {
          fault(kQueueUnit[q], op.pc, gen.message());
          return false;
        }
        op.arrived = true;
        op.barrierGeneration = *gen;
        *s_->barriers += 1;
        if (chip_.barriers.released(s.id, *gen))
          for (uint32_t c = 0; c < chip_.cores.size() && c < 32; ++c)
            if ((s.value >> c & 1) && c != id_)
              chip_.cores[c]->wake();
      }
      if (!chip_.barriers.released(s.id, op.barrierGeneration)) {
        block();
        return progress;
      }
      unblock("barrier");
      popQueue(q);
      freeOp(index);
      ++opsRetired_;
      progress = true;
      continue;
    }
    case OpKind::DvfsHint: {
      const auto &s = std::get<isa::SyncInstr>(*op.instr);
      auto d = chip_.domains.resolveHint(id_, s.id);
      Status st = d ? chip_.dvfs.hint(*d, s.value) : d.status();
      if (!st) {
        fault(kQueueUnit[q], op.pc, st.message());
        return false;
      }
      *s_->dvfsHints += 1;
      if (tracing_)
        chip_.trace->instant(Q.track, fmt::format("dvfs hint {}", s.value), now);
      popQueue(q);
      freeOp(index);
      ++opsRetired_;
      progress = true;
      continue;
    }
    default:
      if (!startOp(q, index, now))
        return progress;
      progress = true;
      continue;
    }
  }
  return progress;
}

void NpuCore::startCompute(Op &op, uint32_t index, double cycles, double now) {
  op.startNs = now;
  op.progress.emplace(*clock_, cycles, now);
  ++op.version;
  schedule(op.progress->finishNs(), EventKind::OpDone, index, op.version);
}

bool NpuCore::startOp(uint32_t q, uint32_t index, double now) {
  Op &op = ops_[index];
  Queue &Q = queues_[q];
  const double period = periodNs();
  switch (op.kind) {
  case OpKind::TcConfig: {
    // The gang changes under every group: no Gemm may still be in flight,
    // even one that has freed its array and only drains.
    if (groupsOne_ != 0 || reconfiguring_)
      return false;
    const auto &c = std::get<isa::TcConfigInstr>(*op.instr);
    const bool changed = c.gang != gang_ || c.precision != tcPrecision_;
    gang_ = c.gang;
    tcPrecision_ = c.precision;
    geometry_ = tcGeometry(cfg_.tensorCores, gang_);
    popQueue(q);
    *s_->tcConfigs += 1;
    if (!changed || cfg_.tensorCores.reconfigCycles == 0) {
      freeOp(index);
      ++opsRetired_;
      return true;
    }
    *s_->reconfigs += 1;
    *s_->reconfigCycles += cfg_.tensorCores.reconfigCycles;
    reconfiguring_ = true;
    op.groupMask = 0;
    startCompute(op, index, cfg_.tensorCores.reconfigCycles, now);
    Q.inflight.push_back(index);
    return true;
  }
  case OpKind::Gemm: {
    const isa::GemmInstr &g = *op.gemm().instr;
    const auto prec = gemmPrecision(g.a, g.b);
    if (!prec) {
      fault(kQueueUnit[q], op.pc,
            fmt::format("the tensor cores cannot multiply {} by {}", dtypeName(g.a),
                        dtypeName(g.b)));
      return false;
    }
    if (*prec != tcPrecision_) {
      fault(kQueueUnit[q], op.pc,
            fmt::format("{} x {} operands need {} multipliers but the tensor cores are "
                        "configured for {} (tc.config)",
                        dtypeName(g.a), dtypeName(g.b), dtypeName(*prec),
                        dtypeName(tcPrecision_)));
      return false;
    }
    uint64_t mask;
    const uint64_t all = geometry_.groups >= 64 ? ~0ull : (1ull << geometry_.groups) - 1;
    if (g.tcGroup == isa::kAllTcGroups) {
      mask = all;
    } else if (g.tcGroup >= geometry_.groups) {
      fault(kQueueUnit[q], op.pc,
            fmt::format("tensor-core group {} does not exist: the current gang has {} "
                        "group(s)",
                        g.tcGroup, geometry_.groups));
      return false;
    } else {
      mask = 1ull << g.tcGroup;
    }
    // A Gemm that reads or writes what an in-flight one writes (or writes
    // what it reads) waits for that one's completion (hazard); an
    // independent one takes the groups at the previous one's occupancy end.
    if (reconfiguring_ || (groupsFull_ & mask) != 0 ||
        ((groupsBusy_ & mask) != 0 && !freeGroups(Q, mask)) || hazard(Q, op))
      return false;
    const uint32_t used = g.tcGroup == isa::kAllTcGroups ? geometry_.groups : 1;
    const GemmCost cost = gemmCost(cfg_, geometry_, *prec, used, g, op.gemm().m, op.gemm().n,
                                   op.gemm().k);
    const double sramDone = sram_.book(now, cost.sramCycles, period);
    *s_->sramBooked += cost.sramCycles;
    const double sramCycles = (sramDone - now) / period;
    const double arrayCycles = std::max(double(cost.computeCycles), sramCycles);
    double cycles = cost.latency(arrayCycles);
    if (cost.epilogueCycles != 0) {
      // A group's post-processing unit is one serial resource: this Gemm's
      // epilogue work (all of it) follows the epilogues of the Gemms before
      // it on its groups. Those are in flight, on this clock, so the wait is
      // the most remaining cycles among them.
      double before = 0;
      for (uint32_t i : Q.inflight) {
        Op &prev = ops_[i];
        if (prev.kind == OpKind::Gemm && prev.epilogue && (prev.groupMask & mask) != 0) {
          prev.progress->advance(now);
          before = std::max(before, prev.progress->remainingCycles());
        }
      }
      cycles = std::max(cycles, before + double(cost.epilogueCycles));
    }
    op.macs = cost.macs;
    op.sramRead = cost.sramReadBytes;
    op.sramWrite = cost.sramWriteBytes;
    op.precision = *prec;
    op.groupMask = mask;
    op.holdsGroups = true;
    op.epilogue = cost.epilogueCycles != 0;
    groupsBusy_ |= mask;
    if (groupsOne_ == 0)
      tensorAnySinceNs_ = now;
    groupsFull_ |= groupsOne_ & mask;
    groupsOne_ |= mask;
    chip_.dvfs.busyBegin(busyTensor_);
    popQueue(q);
    // The values are computed as it starts: a sem.release behind it may hand
    // A and B to a load at its occupancy end, before it completes. Nothing
    // else may touch C until then (hazards and semaphores), so writing C now
    // is invisible to a correct program.
    if (!chip_.timingOnly)
      func::execute(op.gemm(), sram_.data());
    startCompute(op, index, cycles, now);
    op.occupancy.emplace(*clock_, cost.occupancy(arrayCycles), now);
    Q.inflight.push_back(index);
    return true;
  }
  case OpKind::Vec: {
    if (vectorBusy_ || hazard(Q, op))
      return false;
    const VectorCost cost = vectorCost(cfg_, op.vec());
    const double sramDone = sram_.book(now, cost.sram.cycles, period);
    *s_->sramBooked += cost.sram.cycles;
    const double cycles = std::max(double(cost.computeCycles), (sramDone - now) / period);
    op.sramRead = cost.sram.readBytes;
    op.sramWrite = cost.sram.writeBytes;
    vectorBusy_ = true;
    chip_.dvfs.busyBegin(busyVector_);
    popQueue(q);
    startCompute(op, index, cycles, now);
    Q.inflight.push_back(index);
    return true;
  }
  case OpKind::Dma: {
    int engine = -1;
    for (uint32_t e = 0; e < engines_.size(); ++e)
      if (engines_[e].op < 0) {
        engine = int(e);
        break;
      }
    if (engine < 0 || hazard(Q, op))
      return false;
    popQueue(q);
    Q.inflight.push_back(index);
    op.engine = engine;
    engines_[engine].op = int(index);
    ++busyEngines_;
    return startDma(op, index, now);
  }
  default:
    return false;
  }
}

bool NpuCore::startDma(Op &op, uint32_t index, double now) {
  const DmaOp &d = op.dma();
  const double period = periodNs();
  const double setupDone = afterCycles(now, cfg_.dma.setupCycles);
  op.startNs = now;
  ++op.version;
  chip_.dvfs.busyBegin(busyDma_);
  const uint64_t bytes = d.bytes();
  // Local scratchpad bytes this transfer reads or writes (energy, bandwidth).
  const bool srcLocal = d.srcSpace == isa::Space::Sram && d.srcCore == id_;
  const bool dstLocal = d.dstSpace == isa::Space::Sram && d.dstCore == id_;
  op.sramRead = srcLocal ? bytes : 0;
  op.sramWrite = dstLocal ? bytes : 0;
  if (bytes == 0) {
    schedule(setupDone, EventKind::OpDone, index, op.version);
    return true;
  }
  const uint64_t lineBytes = uint64_t(cfg_.sram.banks) * cfg_.sram.bankWidthBytes;
  switch (op.path) {
  case DmaPath::Requests: {
    ++requestDmas_;
    const bool alignOnSrc = d.srcSpace == isa::Space::Hbm;
    op.cursor() = DmaRequestCursor(d.src, d.dst, d.size, d.srcStride, d.dstStride,
                                 cfg_.dma.requestBytes, alignOnSrc);
    engines_[op.engine].readyNs = setupDone;
    schedule(setupDone, EventKind::Wake);
    return true;
  }
  case DmaPath::Bulk: {
    auto pattern = [&](bool src) {
      mem::BulkPattern p;
      p.base = src ? d.src : d.dst;
      for (int i = 0; i < 3; ++i)
        p.size[i] = d.size[i];
      for (int i = 0; i < 2; ++i)
        p.stride[i] = src ? d.srcStride[i] : d.dstStride[i];
      return p;
    };
    double delayNs = 0;
    uint32_t *hints = hints_ ? hints_ + 2 * size_t(op.pc) : nullptr;
    if (d.srcSpace == isa::Space::Hbm)
      delayNs +=
          chip_.memory.bulkTransfer(id_, pattern(true), false, hints).to_seconds() * 1e9;
    if (d.dstSpace == isa::Space::Hbm)
      delayNs += chip_.memory.bulkTransfer(id_, pattern(false), true, hints ? hints + 1 : nullptr)
                     .to_seconds() *
                 1e9;
    double end = setupDone + delayNs;
    if (srcLocal || dstLocal) {
      const uint64_t cycles = (bytes + lineBytes - 1) / lineBytes;
      *s_->sramBooked += cycles;
      end = std::max(end, sram_.book(setupDone, cycles, period));
    }
    schedule(end, EventKind::OpDone, index, op.version);
    return true;
  }
  case DmaPath::Local: {
    SramStream streams[2] = {
        {d.src, uint64_t(d.size[1]) * d.size[2], d.size[0],
         d.size[2] > 1 ? d.size[0] : d.srcStride[0], false},
        {d.dst, uint64_t(d.size[1]) * d.size[2], d.size[0],
         d.size[2] > 1 ? d.size[0] : d.dstStride[0], true}};
    const SramAccessCost cost = sramAccessCost(cfg_.sram, streams, 2);
    *s_->sramBooked += cost.cycles;
    const double end = sram_.book(setupDone, cost.cycles + cfg_.sram.accessCycles, period);
    schedule(end, EventKind::OpDone, index, op.version);
    return true;
  }
  case DmaPath::Peer: {
    const double delayNs =
        chip_.memory.peerTransfer(d.srcCore, d.dstCore, bytes).to_seconds() * 1e9;
    double end = setupDone + delayNs;
    const uint64_t cycles = (bytes + lineBytes - 1) / lineBytes;
    *s_->sramBooked += cycles;
    end = std::max(end, sram_.book(setupDone, cycles, period));
    schedule(end, EventKind::OpDone, index, op.version);
    return true;
  }
  }
  return true;
}

//===----------------------------------------------------------------------===//
// Memory requests (TLM-2.0 AT, base protocol)
//===----------------------------------------------------------------------===//

bool NpuCore::pumpRequests(double now) {
  if (requestDmas_ == 0 && !(seq_ == SeqState::Ld32 && !ld32Sent_))
    return false; // nothing goes out request by request (analytic HBM: nothing ever)
  if (requestChannelBusy_ || ahead(socketFreeNs_, now) || freePayloads_.empty())
    return false;
  const double period = periodNs();
  uint32_t slot = 0;
  RequestMeta m;
  uint64_t address = 0;
  if (seq_ == SeqState::Ld32 && !ld32Sent_) {
    const auto &s = std::get<isa::ScalarInstr>((*program_)[pc_ - 1]);
    address = reg(s.rs1) + uint64_t(s.imm);
    m.engine = -1;
    m.bytes = 4;
    m.write = false;
    ld32Sent_ = true;
  } else {
    const uint32_t count = uint32_t(engines_.size());
    int chosen = -1;
    for (uint32_t i = 0; i < count; ++i) {
      const uint32_t e = (nextEngine_ + i) % count;
      const Engine &eng = engines_[e];
      if (eng.op < 0 || ahead(eng.readyNs, now))
        continue;
      const Op &op = ops_[eng.op];
      if (op.path != DmaPath::Requests || op.cursor().done() ||
          op.requestsOutstanding >= cfg_.dma.maxOutstanding)
        continue;
      chosen = int(e);
      break;
    }
    if (chosen < 0)
      return false;
    nextEngine_ = uint32_t(chosen) + 1;
    Op &op = ops_[engines_[chosen].op];
    const DmaRequestCursor::Request r = op.cursor().next();
    const bool write = op.dma().dstSpace == isa::Space::Hbm;
    address = write ? r.dst : r.src;
    m.engine = chosen;
    m.op = uint32_t(engines_[chosen].op);
    m.bytes = r.bytes;
    m.write = write;
    ++op.requestsOutstanding;
    *s_->dmaRequests += 1;
    if (write && op.dma().srcSpace == isa::Space::Sram && op.dma().srcCore == id_) {
      // The engine reads the bytes out of the scratchpad as it sends them.
      const uint64_t cycles = (r.bytes + cfg_.sram.bankWidthBytes - 1) / cfg_.sram.bankWidthBytes;
      const uint64_t lines = (cycles + cfg_.sram.banks - 1) / cfg_.sram.banks;
      sram_.book(now, lines, period);
      *s_->sramBooked += lines;
    }
  }
  slot = freePayloads_.back();
  freePayloads_.pop_back();
  m.inUse = true;
  meta_[slot] = m;
  tlm::tlm_generic_payload &gp = payloads_[slot];
  gp.set_command(m.write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
  gp.set_address(address);
  gp.set_data_ptr(dummyData_.data());
  gp.set_data_length(m.bytes);
  gp.set_streaming_width(m.bytes);
  gp.set_byte_enable_ptr(nullptr);
  gp.set_byte_enable_length(0);
  gp.set_dmi_allowed(false);
  gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  gp.acquire();
  ++outstanding_;
  tlm::tlm_phase phase = tlm::BEGIN_REQ;
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  const tlm::tlm_sync_enum status = socket->nb_transport_fw(gp, phase, delay);
  socketFreeNs_ = now + period; // one request per core cycle leaves the core
  const double delayNs = delay.to_seconds() * 1e9;
  switch (status) {
  case tlm::TLM_ACCEPTED:
    requestChannelBusy_ = true;
    channelSlot_ = slot;
    break;
  case tlm::TLM_UPDATED:
    if (phase == tlm::BEGIN_RESP)
      schedule(now + delayNs, EventKind::RequestDone, slot);
    else if (delayNs > 0)
      socketFreeNs_ = std::max(socketFreeNs_, now + delayNs);
    break;
  case tlm::TLM_COMPLETED:
    schedule(now + delayNs, EventKind::RequestDone, slot);
    break;
  }
  schedule(socketFreeNs_, EventKind::Wake);
  return true;
}

tlm::tlm_sync_enum NpuCore::nb_transport_bw(tlm::tlm_generic_payload &trans,
                                            tlm::tlm_phase &phase, sc_core::sc_time &delay) {
  const uint32_t slot = uint32_t(&trans - payloads_.get());
  const double now = nowNs();
  if (phase == tlm::END_REQ) {
    requestChannelBusy_ = false;
    wake();
    return tlm::TLM_ACCEPTED;
  }
  if (phase == tlm::BEGIN_RESP) {
    if (requestChannelBusy_ && channelSlot_ == slot)
      requestChannelBusy_ = false; // BEGIN_RESP implies END_REQ
    schedule(now + delay.to_seconds() * 1e9, EventKind::RequestDone, slot);
    wake();
    return tlm::TLM_COMPLETED;
  }
  return tlm::TLM_ACCEPTED;
}

void NpuCore::free(tlm::tlm_generic_payload *trans) {
  freePayloads_.push_back(uint32_t(trans - payloads_.get()));
  // Released by the memory system later than our own release: a request
  // may have waited for this payload.
  if (state_ == State::Running && !inStep_)
    wake();
}

void NpuCore::completeLd32(uint64_t address, double now) {
  uint32_t value = 0;
  Status s = chip_.hbm.read(address, &value, 4);
  if (!s) {
    fault("sequencer", pc_ - 1, s.message());
    return;
  }
  if (ld32Reg_ != 0)
    regs_[ld32Reg_] = int64_t(value);
  if (tracing_)
    chip_.trace->slice(seqTrack_, "ld32", ld32SinceNs_, now - ld32SinceNs_,
                       fmt::format("\"pc\":{},\"address\":{}", pc_ - 1, address));
  seq_ = SeqState::Run;
  ld32Sent_ = false;
  seqFreeNs_ = std::max(seqFreeNs_, now);
}

void NpuCore::finishRequest(uint32_t slot, double now) {
  RequestMeta &m = meta_[slot];
  tlm::tlm_generic_payload &gp = payloads_[slot];
  --outstanding_;
  if (gp.get_response_status() != tlm::TLM_OK_RESPONSE) {
    const uint32_t pc = m.engine < 0 ? pc_ - 1 : ops_[m.op].pc;
    fault(m.engine < 0 ? "sequencer" : kQueueUnit[ops_[m.op].queue], pc,
          fmt::format("the memory system rejected a {}-byte {} at {:#x}: {}", m.bytes,
                      m.write ? "write" : "read", gp.get_address(),
                      gp.get_response_string()));
    m.inUse = false;
    gp.release();
    return;
  }
  if (m.engine < 0) {
    completeLd32(gp.get_address(), now);
  } else {
    Op &op = ops_[m.op];
    --op.requestsOutstanding;
    if (m.write) {
      *s_->hbmWriteBytes += m.bytes;
      activity_.hbmWriteBytes += m.bytes;
    } else {
      *s_->hbmReadBytes += m.bytes;
      activity_.hbmReadBytes += m.bytes;
    }
    if (!m.write && op.dma().dstSpace == isa::Space::Sram && op.dma().dstCore == id_) {
      const uint64_t lines = (m.bytes + cfg_.sram.bankWidthBytes - 1) / cfg_.sram.bankWidthBytes;
      const uint64_t cycles = (lines + cfg_.sram.banks - 1) / cfg_.sram.banks;
      sram_.book(now, cycles, periodNs());
      *s_->sramBooked += cycles;
    }
    if (op.cursor().done() && op.requestsOutstanding == 0)
      completeOp(m.op, now);
  }
  m.inUse = false;
  gp.release();
}

//===----------------------------------------------------------------------===//
// Completion
//===----------------------------------------------------------------------===//

void NpuCore::completeOp(uint32_t index, double now) {
  Op &op = ops_[index];
  Queue &Q = queues_[op.queue];
  auto it = std::find(Q.inflight.begin(), Q.inflight.end(), index);
  // Groups of Gemms started before this one and still in flight (the queue
  // keeps its in-flight ops in issue order).
  uint64_t olderGroups = 0;
  if (op.kind == OpKind::Gemm)
    for (auto o = Q.inflight.begin(); o != it; ++o)
      if (ops_[*o].kind == OpKind::Gemm)
        olderGroups |= ops_[*o].groupMask;
  if (it != Q.inflight.end())
    Q.inflight.erase(it);
  const double dur = now - op.startNs;
  PowerMonitor &power = chip_.power;
  // What this instruction cost, for its code label (if the binary has labels).
  LabelSample sample;
  switch (op.kind) {
  case OpKind::TcConfig:
    reconfiguring_ = false;
    break;
  case OpKind::Gemm: {
    if (op.holdsGroups)
      releaseGroups(op);
    {
      // Groups with two Gemms keep one, the others none.
      const uint64_t wasFull = groupsFull_ & op.groupMask;
      groupsFull_ &= ~op.groupMask;
      groupsOne_ &= ~(op.groupMask & ~wasFull);
    }
    if (groupsOne_ == 0)
      s_->tensorAnyBusyNs->operator+=(now - tensorAnySinceNs_),
          activity_.tensorAnyBusyNs += now - tensorAnySinceNs_;
    chip_.dvfs.busyEnd(busyTensor_);
    const double busy = creditGroupBusy(op, olderGroups, now) / geometry_.groups;
    activity_.tensorBusyNs += busy;
    *s_->tensorBusyNs += busy;
    *s_->gemms += 1;
    if (s_->macs[unsigned(op.precision)])
      *s_->macs[unsigned(op.precision)] += double(op.macs);
    sample.tensorNs = busy;
    sample.macs = double(op.macs);
    sample.energyPj += power.charge(powerTensor_, macEvent(op.precision), double(op.macs));
    if (tracing_) {
      // A group's slice is its occupancy (slices of one group never
      // overlap); the completion, up to the drain and epilogue later, is an
      // argument.
      const std::string args =
          fmt::format("\"pc\":{},\"m\":{},\"n\":{},\"k\":{},\"latency_ns\":{:.3f}", op.pc,
                      op.gemm().m, op.gemm().n, op.gemm().k, dur);
      for (uint32_t g = 0; g < groupTracks_.size(); ++g)
        if (op.groupMask >> g & 1)
          chip_.trace->slice(groupTracks_[g], "gemm", op.startNs,
                             op.occupancy->finishNs() - op.startNs, args);
    }
    break;
  }
  case OpKind::Vec: {
    vectorBusy_ = false;
    chip_.dvfs.busyEnd(busyVector_);
    activity_.vectorBusyNs += dur;
    *s_->vectorBusyNs += dur;
    *s_->vectorOps += 1;
    const double elemOps = double(func::vectorElementOps(op.vec()));
    *s_->vectorElementOps += elemOps;
    sample.vectorNs = dur;
    sample.elementOps = elemOps;
    sample.energyPj += power.charge(powerVector_,
                                    func::isTranscendental(op.opcode)
                                        ? EnergyEvent::VectorTranscendental
                                        : EnergyEvent::VectorOp,
                                    elemOps);
    if (!chip_.timingOnly)
      func::execute(op.vec(), sram_.data());
    if (tracing_)
      chip_.trace->slice(vectorTrack_, std::string(isa::mnemonic(op.opcode)), op.startNs,
                         dur, fmt::format("\"pc\":{},\"rows\":{},\"cols\":{}", op.pc,
                                          op.vec().rows, op.vec().cols));
    break;
  }
  case OpKind::Dma: {
    if (op.path == DmaPath::Requests && op.dma().bytes() != 0)
      --requestDmas_;
    completeDma(op);
    if (chip_.faulted)
      return;
    engines_[op.engine].op = -1;
    --busyEngines_;
    chip_.dvfs.busyEnd(busyDma_);
    activity_.dmaBusyNs += dur / engines_.size();
    *s_->dmaBusyNs += dur / engines_.size();
    *s_->dmaOps += 1;
    sample.dmaNs = dur / engines_.size();
    if (op.dma().srcSpace == isa::Space::Hbm)
      sample.hbmReadBytes = double(op.dma().bytes());
    if (op.dma().dstSpace == isa::Space::Hbm)
      sample.hbmWriteBytes = double(op.dma().bytes());
    sample.energyPj += power.charge(powerDma_, EnergyEvent::DmaByte, double(op.dma().bytes()));
    if (tracing_)
      chip_.trace->slice(engineTracks_[op.engine], std::string(isa::mnemonic(op.opcode)),
                         op.startNs, dur,
                         fmt::format("\"pc\":{},\"bytes\":{}", op.pc, op.dma().bytes()));
    break;
  }
  default:
    break;
  }
  if (op.sramRead) {
    *s_->sramRead += double(op.sramRead);
    sample.energyPj += power.charge(powerSram_, EnergyEvent::SramReadByte, double(op.sramRead));
  }
  if (op.sramWrite) {
    *s_->sramWrite += double(op.sramWrite);
    sample.energyPj += power.charge(powerSram_, EnergyEvent::SramWriteByte, double(op.sramWrite));
  }
  // Every unit charged above is in this core's domain: one spread.
  if (sample.energyPj != 0)
    power.spread(domain_, sample.energyPj, op.startNs, now);
  if (chip_.labels) {
    sample.startNs = op.startNs;
    sample.endNs = now;
    sample.sramBytes = double(op.sramRead + op.sramWrite);
    chip_.labels->record(id_, op.pc, sample);
  }
  ++opsRetired_;
  freeOp(index);
}

void NpuCore::releaseGroups(Op &op) {
  groupsBusy_ &= ~op.groupMask;
  op.holdsGroups = false;
}

bool NpuCore::freeGroups(const Queue &Q, uint64_t mask) {
  // Groups are released lazily: no event fires at an occupancy end (most
  // Gemms are followed by a signal or a dependent instruction, and the next
  // Gemm comes after the completion anyway); the Gemm that wants a group
  // releases what has ended and, if it must wait, arms one wake for the
  // earliest end.
  uint64_t wakePs = UINT64_MAX;
  double wakeNs = 0;
  for (uint32_t i : Q.inflight) {
    Op &o = ops_[i];
    if (o.kind != OpKind::Gemm || !o.holdsGroups || (o.groupMask & mask) == 0)
      continue;
    const double end = o.occupancy->finishNs();
    const uint64_t endPs = toPs(end);
    if (endPs <= nowPs_) {
      releaseGroups(o);
    } else if (endPs < wakePs) {
      wakePs = endPs;
      wakeNs = end;
    }
  }
  if ((groupsBusy_ & mask) == 0)
    return true;
  if (wakePs != groupWakePs_) {
    groupWakePs_ = wakePs;
    schedule(wakeNs, EventKind::Wake);
  }
  return false;
}

double NpuCore::creditGroupBusy(const Op &op, uint64_t olderGroups, double now) {
  // A group's Gemms start in order, and each is busy from its start to its
  // completion. One completing while an older Gemm on the group is still in
  // flight lies inside that one's span (which ends later) and adds nothing;
  // otherwise every older one has completed, the last credited end is the
  // latest of their completions, and it adds what lies beyond. Summed over
  // a group's Gemms that is the union of their spans.
  const uint64_t mask = op.groupMask & ~olderGroups;
  if (mask == 0)
    return 0;
  if (covered_.size() == 1 && covered_[0].mask == mask) {
    // The usual case: the gang's Gemms share one mask.
    Covered &c = covered_[0];
    const double ns = c.groups * std::max(0.0, now - std::max(op.startNs, c.ns));
    c.ns = now;
    return ns;
  }
  const double groups = double(__builtin_popcountll(mask));
  double ns = 0;
  uint64_t uncounted = mask; // groups never credited before
  size_t kept = 0;
  for (Covered c : covered_) {
    if (const uint64_t both = c.mask & mask) {
      const double n = both == mask ? groups : double(__builtin_popcountll(both));
      ns += n * std::max(0.0, now - std::max(op.startNs, c.ns));
      uncounted &= ~both;
      c.mask &= ~mask;
      c.groups -= n;
    }
    if (c.mask != 0)
      covered_[kept++] = c;
  }
  covered_.resize(kept);
  if (uncounted != 0)
    ns += double(__builtin_popcountll(uncounted)) * std::max(0.0, now - op.startNs);
  covered_.push_back(Covered{mask, now, groups});
  return ns;
}

void NpuCore::completeDma(Op &op) {
  const DmaOp &d = op.dma();
  const uint64_t bytes = d.bytes();
  const bool srcHbm = d.srcSpace == isa::Space::Hbm, dstHbm = d.dstSpace == isa::Space::Hbm;
  if (op.path == DmaPath::Bulk) {
    if (srcHbm) {
      *s_->hbmReadBytes += double(bytes);
      activity_.hbmReadBytes += double(bytes);
    }
    if (dstHbm) {
      *s_->hbmWriteBytes += double(bytes);
      activity_.hbmWriteBytes += double(bytes);
    }
  } else if (op.path == DmaPath::Peer) {
    *s_->peerBytes += double(bytes);
  } else if (op.path == DmaPath::Local) {
    *s_->localBytes += double(bytes);
  }
  if (chip_.timingOnly || bytes == 0)
    return;
  const uint64_t srcStride[2] = {d.srcStride[0], d.srcStride[1]};
  const uint64_t dstStride[2] = {d.dstStride[0], d.dstStride[1]};
  Status s;
  if (srcHbm && dstHbm) {
    for (uint32_t i2 = 0; i2 < d.size[2] && s; ++i2)
      for (uint32_t i1 = 0; i1 < d.size[1] && s; ++i1)
        s = chip_.hbm.copy(d.dst + i1 * dstStride[0] + i2 * dstStride[1],
                           d.src + i1 * srcStride[0] + i2 * srcStride[1], d.size[0]);
  } else if (srcHbm) {
    uint8_t *dst = chip_.cores[d.dstCore]->scratchpad().data() + d.dst;
    s = chip_.hbm.readStrided(d.src, d.size, srcStride, dst, dstStride);
  } else if (dstHbm) {
    const uint8_t *src = chip_.cores[d.srcCore]->scratchpad().data() + d.src;
    s = chip_.hbm.writeStrided(d.dst, d.size, dstStride, src, srcStride);
  } else {
    const uint8_t *src = chip_.cores[d.srcCore]->scratchpad().data() + d.src;
    uint8_t *dst = chip_.cores[d.dstCore]->scratchpad().data() + d.dst;
    for (uint32_t i2 = 0; i2 < d.size[2]; ++i2)
      for (uint32_t i1 = 0; i1 < d.size[1]; ++i1)
        std::memmove(dst + i1 * dstStride[0] + i2 * dstStride[1],
                     src + i1 * srcStride[0] + i2 * srcStride[1], d.size[0]);
  }
  if (!s)
    fault(kQueueUnit[op.queue], op.pc, s.message());
}

} // namespace strata::sim::core
