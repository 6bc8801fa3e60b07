//===- ChannelController.h - FR-FCFS scheduler of one HBM channel -*- C++ -*-===//
//
// The scheduling half of an HBM controller (TimingChecker holds the timing):
// request queues per bank for each pseudo-channel of one channel, open-page
// policy, FR-FCFS (per bank: the oldest request that hits the open row, else
// the oldest request) or FCFS (per bank: the oldest request), per-bank or
// all-bank refresh per pseudo-channel, and the channel's shared row-command
// bus.
//
// Time is in memory-clock cycles, and the controller is plain C++: the
// SystemC wrapper calls advance(h) to decide every command that issues before
// cycle h. A request that arrives at cycle a competes from a + frontendCycles
// on, so at any simulated time `now` the commands before now + frontendCycles
// are final: the wrapper wakes at nextCommandCycle() and decides a whole
// window of commands at once instead of waking every cycle.
//
// Among the candidate commands (one per bank with requests, plus refresh) the
// one that can issue first wins; ties go to column commands (row hits) before
// row commands, then to the oldest request. A pseudo-channel whose refresh is
// due (every tREFI, staggered across pseudo-channels) issues no new request
// commands: its open banks are precharged and REF occupies it for tRFC.
// With hbm.refresh per-bank, each pseudo-channel instead refreshes its banks
// in turn, one REFsb every tREFI / banks: only the bank whose refresh is due
// stops taking new commands (it is precharged, then blocked for tRFCsb) and
// the other banks keep serving. Refreshes of an idle channel are decided
// when it is next advanced, at the cycles they were due, so an idle memory
// keeps no SystemC event pending.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/sim/mem/AddressMapper.h"
#include "strata/sim/mem/MemClock.h"
#include "strata/sim/mem/MemoryListener.h"
#include "strata/sim/mem/TimingChecker.h"
#include "strata/sim/trace/Trace.h"

#include <cstdint>
#include <limits>
#include <vector>

namespace strata::sim {
class StatGroup;
}

namespace strata::sim::mem {

class LinkBandwidth;

/// A request as the controller sees it: a byte range inside one chunk of the
/// address mapping (one pseudo-channel, bank and row).
struct ChannelRequest {
  uint64_t token = 0; ///< the caller's id, returned on completion
  uint64_t address = 0;
  uint32_t bytes = 0;
  bool write = false;
  uint64_t arrivalCycle = 0; ///< reaches the controller
};

enum class RowOutcome : uint8_t { Hit, Miss, Conflict };

struct ChannelCompletion {
  uint64_t token = 0;
  uint64_t lastColumnCycle = 0; ///< issue cycle of the last column command
  double doneCycle = 0;         ///< last data beat through the array and the TSVs
  RowOutcome outcome = RowOutcome::Hit;
  uint32_t bytes = 0;
  bool write = false;
};

class ChannelClient {
public:
  virtual ~ChannelClient() = default;
  /// Called from advance() when a request's last column command is decided.
  virtual void requestDone(uint32_t globalChannel, const ChannelCompletion &done) = 0;
};

/// Per-pseudo-channel counters (the stats are formulas over these).
struct PcCounters {
  uint64_t reads = 0, writes = 0;         ///< requests completed
  uint64_t readBytes = 0, writeBytes = 0; ///< requested bytes
  uint64_t hits = 0, misses = 0, conflicts = 0;
  uint64_t activates = 0, precharges = 0, refreshes = 0;
  uint64_t bankRefreshes = 0; ///< single-bank REFsb (hbm.refresh per-bank)
  uint64_t readBursts = 0, writeBursts = 0;
  uint64_t busyCycles = 0;      ///< data-bus cycles carrying bursts
  uint64_t residenceCycles = 0; ///< sum over requests of cycles queued
  uint64_t maxOccupancy = 0;    ///< most requests queued at once
};

class ChannelController {
public:
  /// `tsv` (the stack's TSV/IO budget) and `timebase` are shared and must
  /// outlive the controller; `stats` (may be null) receives the channel's
  /// groups; `trace` (may be null) gets a busy track for the channel.
  ChannelController(const HbmConfig &hbm, const AddressMapper &mapper, uint32_t globalChannel,
                    LinkBandwidth *tsv, const MemTimebase *timebase, StatGroup *stats,
                    TraceWriter *trace);
  ChannelController(const ChannelController &) = delete;
  ChannelController &operator=(const ChannelController &) = delete;

  void setClient(ChannelClient *client) { client_ = client; }
  void setListener(MemoryListener *listener) { listener_ = listener; }

  /// Queues a request. Its arrival must not precede the last advance()
  /// horizon minus frontendCycles (the wrapper guarantees that).
  void enqueue(const ChannelRequest &request);

  /// Decides every command that issues before cycle `horizon`.
  void advance(uint64_t horizon);

  /// Cycle of the next command to decide, or kNever when no request waits.
  uint64_t nextCommandCycle() const { return next_; }
  static constexpr uint64_t kNever = std::numeric_limits<uint64_t>::max();
  /// Trace process of the memory system; channel busy tracks use the global
  /// channel index as thread id, refresh tracks kRefreshTidBase + global pc.
  static constexpr uint32_t kTracePid = 1000;
  static constexpr uint32_t kRefreshTidBase = 10000;

  /// Requests queued in pseudo-channel `pc` (0 .. pseudoChannels-1).
  uint32_t queued(uint32_t pc) const { return pcs_[pc].queued; }
  uint32_t queuedTotal() const { return queuedTotal_; }
  /// Next cycle a refresh of `pc` is due.
  uint64_t refreshDue(uint32_t pc) const { return pcs_[pc].refreshDue; }
  /// Per-bank mode: the bank (within the pseudo-channel) refreshed next.
  uint32_t refreshBank(uint32_t pc) const { return pcs_[pc].refreshBank; }
  /// First refresh of the pseudo-channel with global index `globalPc`:
  /// tREFI * (globalPc + 1) / totalPseudoChannels (staggered). Per-bank
  /// mode staggers within one per-bank interval instead.
  static uint64_t firstRefreshDue(const HbmConfig &hbm, uint32_t globalPc);
  /// Per-bank mode: due cycle of the k-th REFsb (from 0) of a pseudo-channel
  /// whose first is due at `first`: first + floor(k x tREFI / banks), so each
  /// bank is refreshed exactly once per tREFI on average.
  static uint64_t bankRefreshDue(const HbmConfig &hbm, uint64_t first, uint64_t k);

  const PcCounters &counters(uint32_t pc) const { return pcs_[pc].counters; }
  uint32_t globalChannel() const { return channel_; }
  const TimingChecker &checker() const { return checker_; }

  /// Emits the pending busy slice to the trace.
  void flushTrace();

private:
  struct Slot {
    ChannelRequest req;
    uint64_t visible = 0; ///< arrival + frontendCycles
    uint64_t seq = 0;     ///< arrival order among equal times
    uint32_t row = 0;
    uint16_t burstsLeft = 0;
    uint16_t bank = 0; ///< within the pseudo-channel
    uint8_t pc = 0;
    bool actFor = false, preFor = false; ///< an ACT / PRE was issued for it
    bool classified = false;
    RowOutcome outcome = RowOutcome::Hit;
    uint32_t burstBytes = 0; ///< requested bytes per burst, for the listener
    double doneCycle = 0;
  };
  struct BankState {
    std::vector<uint32_t> queue; ///< slot indices, oldest first
    int64_t openRow = -1;
    // The scheduler's picks for this bank, recomputed only when its queue or
    // open row changes: the oldest request hitting the open row, and the
    // oldest other one (FCFS: the oldest request, in whichever role).
    int32_t hit = -1, other = -1;
    bool dirty = true;
    // The candidate command and its cycle (before the monotonic-issue
    // clamp), valid while nothing it depends on has issued: no command on
    // this pseudo-channel (pcEpoch) and, for row commands, none on the
    // channel's row-command bus (rowEpoch).
    uint64_t cycle = 0, pcEpoch = ~uint64_t(0), rowEpoch = ~uint64_t(0);
    /// A PRE chosen over a hit not yet visible is reconsidered once the
    /// issue floor reaches the hit's visibility.
    uint64_t recheckAt = ~uint64_t(0);
    DramCommandKind kind = DramCommandKind::Activate;
    int32_t slot = -1;
  };
  struct PcState {
    std::vector<BankState> banks;
    std::vector<uint16_t> busyBanks; ///< banks with a non-empty queue
    uint32_t openBanks = 0;
    uint32_t queued = 0;
    uint64_t refreshDue = 0;
    uint64_t firstRefresh = 0;  ///< per-bank mode: due cycle of REFsb 0
    uint64_t bankRefreshes = 0; ///< per-bank mode: REFsb issued so far
    uint32_t refreshBank = 0;   ///< per-bank mode: bank refreshed next
    uint64_t epoch = 0; ///< commands issued on this pseudo-channel
    PcCounters counters;
  };
  struct Candidate {
    uint64_t cycle = kNever;
    DramCommandKind kind = DramCommandKind::Activate;
    uint8_t pc = 0;
    uint16_t bank = 0;
    uint32_t slot = 0;   ///< for request commands
    bool refresh = false;
    uint64_t age = 0;    ///< seq of the request (older = smaller)
  };

  void bankCandidate(uint8_t pc, uint16_t bank, uint64_t refreshDue, Candidate &best);
  void pick(BankState &b);
  void refreshCandidate(uint8_t pc, Candidate &best);
  static bool better(const Candidate &a, const Candidate &b);
  void issue(const Candidate &c);
  void column(Slot &s, uint64_t cycle);
  void notify(DramCommandKind kind, uint8_t pc, uint16_t bank, uint32_t row, uint32_t bytes,
              uint64_t cycle, bool singleBank = false);
  void traceBusy(double start, double end);
  void registerStats(StatGroup &group);

  HbmConfig hbm_;
  const AddressMapper &mapper_;
  uint32_t channel_, stack_;
  TimingChecker checker_;
  LinkBandwidth *tsv_;
  const MemTimebase *timebase_;
  ChannelClient *client_ = nullptr;
  MemoryListener *listener_ = nullptr;
  bool frfcfs_;
  bool perBankRefresh_;
  uint32_t banksPerGroup_;
  uint32_t burstBytes_;
  uint32_t bc_;

  std::vector<Slot> slots_;
  std::vector<uint32_t> freeSlots_;
  std::vector<PcState> pcs_;
  uint32_t queuedTotal_ = 0;
  uint64_t seq_ = 0;
  uint64_t lastIssue_ = 0;
  uint64_t rowEpoch_ = 0; ///< commands issued on the row-command bus
  uint64_t horizon_ = 0;
  uint64_t next_ = kNever;

  TraceWriter *trace_ = nullptr;
  TraceWriter::Track track_;
  std::vector<TraceWriter::Track> refreshTracks_;
  double busyStart_ = -1, busyEnd_ = -1;
};

} // namespace strata::sim::mem
