//===- AnalyticModel.h - Closed-form timing of bulk HBM transfers -*- C++ -*-===//
//
// For timing-only runs that stream gigabytes per step, a whole strided DMA is
// timed at once instead of request by request. The pattern is walked through
// the address mapping (whole super-blocks in closed form), giving per
// pseudo-channel the bytes, bursts, bursts per bank group and per bank, and
// row activations (a bank keeps its last row open across transfers, as with
// the open-page policy). Per pseudo-channel, in memory cycles (BC = burst
// cycles):
//
//   data  = bursts x max(tCCD_S, BC)                   data bus
//   group = max over groups g of bursts_g x max(tCCD_L, BC)
//   acts  = activates x max(tRRD_S, tFAW / 4)           activation rate
//   bank  = max over banks b of activates_b x (tRP + tRCD) + bursts_b x tCCD_L,
//           and at least activates_b x tRC
//   rowbus= (activates + precharges) of the whole channel, ACT costing tACT
//   service = max(data, group, acts, bank, rowbus) / (1 - tRFC / tREFI)
//
// With hbm.refresh per-bank nothing idles the whole pseudo-channel: each bank
// is refreshed once per tREFI for tRFCsb while the others keep the data bus
// busy, so only the per-bank term is derated, by the bank's own refresh and
// the close and reopen of its row: bank / (1 - (tRFCsb + tRP + tRCD) / tREFI),
// with acts / (1 - banks x tRREFD / tREFI) and the row bus / (1 - REFsb
// slots per tREFI) (docs/simulator-memory.md).
//
// Each pseudo-channel is busy until max(start, busyUntil) + service; the
// transfer completes when its last pseudo-channel has, plus the latency of
// the first access (tRP if it precharged, tRCD if it activated, tCL or tWL,
// BC). TSV/IO and NoC bandwidth are applied by MemorySystem per stack.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/sim/mem/AddressMapper.h"
#include "strata/sim/mem/MemoryListener.h"
#include "strata/target/ArchConfig.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

namespace strata::sim::mem {

struct BulkPattern;

class AnalyticModel {
public:
  AnalyticModel(const HbmConfig &hbm, const AddressMapper &mapper);
  AnalyticModel(const AnalyticModel &) = delete; // members name parts of counters_
  AnalyticModel &operator=(const AnalyticModel &) = delete;

  struct Result {
    double doneCycle = 0; ///< last pseudo-channel done, incl. access latency
    std::vector<double> stackBytes; ///< bytes per stack
    std::vector<double> stackDone;  ///< per stack: its last pseudo-channel done
    MemoryActivity activity;
  };

  /// Times `pattern` starting at `cycle` and reserves the pseudo-channels.
  /// The result lives until the next call. `hint`, when given, is the
  /// caller's slot for where this transfer's remembered footprint was last
  /// found (one per instruction: a program issues the same descriptors every
  /// step, in the order they were first remembered, so following the hints
  /// reads the cache in sequence instead of probing its index at random).
  /// Any value is safe: a hint is used only if it names this pattern.
  const Result &transfer(const BulkPattern &pattern, bool write, double cycle,
                         uint32_t *hint = nullptr);

  /// The share of each resource's time the configured refresh leaves to
  /// traffic. All-bank: only `pseudoChannel` (1 - tRFC / tREFI). Per-bank:
  /// `bank` (1 - (tRFCsb + tRP + tRCD) / tREFI), `activate`
  /// (1 - banks x tRREFD / tREFI)
  /// and `rowBus` (1 - pseudoChannels x banks / tREFI).
  struct RefreshShares {
    double pseudoChannel = 1, bank = 1, activate = 1, rowBus = 1;
  };
  static RefreshShares refreshShares(const HbmConfig &hbm);

  /// Busy-until of a pseudo-channel (global index), for tests.
  double busyUntil(uint32_t globalPc) const { return busy_[globalPc]; }

  /// Whether the model takes its exact shortcuts (on by default): small
  /// transfers timed directly (below), and runs of whole stripes counted at
  /// once. Off, every transfer takes the general walk one stripe or chunk
  /// at a time, which tests and benchmarks compare them with.
  void setShortcuts(bool on) { shortcuts_ = on; }
  /// Transfers the direct path has timed so far.
  uint64_t directTransfers() const { return directCount_; }
  /// Transfers timed from a growing range's kept counters (its new bytes
  /// walked, not all of it).
  uint64_t grownTransfers() const { return grownCount_; }

  /// A transfer of fewer bytes (and so never cached) whose chunks land on
  /// distinct pseudo-channels, at most this many, is timed directly from its
  /// chunks: an activation, a decode step's KV row or KV read is a few
  /// chunks, and the general walk's per-pseudo-channel counters, touched
  /// lists and resets cost several times the arithmetic. One chunk per
  /// pseudo-channel is one bank each, so its counts are the chunk's own and
  /// the same closed form (serviceOf) gives the same doubles.
  static constexpr uint32_t kDirectChunks = 16;

  /// Transfers of at least this many bytes remember their footprint per
  /// descriptor: a decode step reads the same weight tiles at the same
  /// addresses every step, and walking a 7B model's tiles through the
  /// address mapping dominated timing-only runs. A repeat reuses the
  /// activations its first occurrence counted (rows other transfers opened
  /// in between are not re-examined; between transfers of distinct tiles
  /// they are not the tile's own rows anyway).
  static constexpr uint64_t kCacheMinBytes = 4 * 1024;
  /// Footprints kept before the cache starts over.
  static constexpr size_t kCacheEntries = 1 << 17;

private:
  /// Per pseudo-channel: what one transfer costs it.
  struct PcLoad {
    double service = 0; ///< cycles it holds the pseudo-channel (derated)
    double first = 0;   ///< latency of its first access
    uint32_t pc = 0;
  };
  using Footprint = std::vector<PcLoad>;
  /// Sums over a footprint's pseudo-channels (energy accounting).
  struct Totals {
    double acts = 0, pres = 0, bytes = 0;
  };
  /// `count` pseudo-channels' loads: data[0..count), or, when `uniform`,
  /// data[0] for each of the consecutive pseudo-channels data[0].pc + i (a
  /// stream over whole stripes costs every pseudo-channel alike, and most
  /// cached footprints are such: storing one load keeps the cache small
  /// enough to stay near the core).
  struct FootprintRef {
    const PcLoad *data = nullptr;
    size_t count = 0;
    Totals totals;
    const double *stackBytes = nullptr; ///< per stack
    bool uniform = false;
    size_t size() const { return count; }
  };
  struct PatternKey {
    uint64_t base;
    uint32_t size[3];
    uint64_t stride[2];
    bool write;
    bool operator==(const PatternKey &o) const {
      return base == o.base && size[0] == o.size[0] && size[1] == o.size[1] &&
             size[2] == o.size[2] && stride[0] == o.stride[0] && stride[1] == o.stride[1] &&
             write == o.write;
    }
  };
  struct PatternKeyHash {
    size_t operator()(const PatternKey &k) const;
  };

  FootprintRef footprint(const BulkPattern &pattern, bool write, uint32_t *hint);
  /// Times a small pattern whose chunks land on distinct pseudo-channels
  /// into result_ without the walk's counters; false (and nothing changed)
  /// for any other pattern.
  bool directTransfer(const BulkPattern &pattern, bool write, double cycle);
  /// A chunk of a direct transfer, and what it does to its bank.
  struct DirectChunk {
    uint32_t pc, bank; ///< global pseudo-channel, [pc][bank]
    uint32_t row, bytes, bursts;
    uint32_t acts, pres; ///< 0 or 1
    uint32_t channel;
  };
  /// Appends the chunks of the `len` bytes at `a` (not past the end of
  /// memory); false if they would be more than kDirectChunks or meet a
  /// pseudo-channel already met.
  bool collectRun(uint64_t a, uint64_t len, DirectChunk *chunks, uint32_t &count);
  /// Refreshes that fall within `span` cycles of `pcs` pseudo-channels
  /// (energy accounting): one REF per tREFI, or one REFsb per tREFI / banks,
  /// per pseudo-channel.
  uint64_t refreshesDuring(double span, size_t pcs) const {
    return uint64_t(span / tRefi_ * refreshesPerRefi_ * double(pcs));
  }
  /// result_'s completion and activity from its stacks' ends and `totals`
  /// over `pcs` pseudo-channels.
  void finish(const Totals &totals, size_t pcs, bool write, double cycle);
  /// Service cycles of a pseudo-channel from its counts (derated by
  /// refresh): the closed form of the header comment, shared by both paths
  /// so that they give the same doubles.
  double serviceOf(double bursts, double groupMax, double acts, double bankTime,
                   double rowBus) const {
    double service = std::max(bursts * colS_, groupMax * colL_);
    service = std::max(service, acts * actInterval_ / avail_.activate);
    service = std::max(service, bankTime / avail_.bank);
    service = std::max(service, rowBus / avail_.rowBus);
    return service / avail_.pseudoChannel;
  }
  /// serviceOf for a direct chunk: `bursts` to one bank, `acts` (0 or 1),
  /// a row bus of `rowBus` whole cycles; from the table when there is one.
  double directService(uint32_t bursts, uint32_t acts, uint32_t rowBus) const {
    if (!serviceTable_.empty())
      return serviceTable_[(size_t(bursts) * 2 + acts) * rowBusLevels_ + rowBus];
    const double b = double(bursts), a = double(acts);
    return serviceOf(b, b, a, std::max(0.0, bankTimeOf(a, b)), double(rowBus));
  }
  /// The location of `address` through a small cache of decoded chunks
  /// (a decode step's DMAs start at the same addresses every step).
  DramLocation decodeCached(uint64_t address);
  /// Latency of a pseudo-channel's first access.
  double firstOf(bool write, double acts, double pres) const {
    return (write ? latencyWrite_ : latencyRead_) + (acts > 0 ? tRcd_ : 0.0) +
           (pres > 0 ? tRp_ : 0.0);
  }
  /// A bank's time bound from its activations and bursts.
  double bankTimeOf(double acts, double bursts) const {
    return std::max(acts * actBankCycles_ + bursts * tCcdL_, acts * tRc_);
  }
  /// The footprint buildFootprint last put in the scratch.
  FootprintRef scratchRef() const {
    return {scratch_.data(), scratch_.size(), scratchTotals_, scratchStackBytes_.data()};
  }
  /// Every load alike on consecutive pseudo-channels (stored as one).
  bool isUniform(const Footprint &f) const;
  void walkPattern(const BulkPattern &pattern);
  /// Footprint of what the counters hold; `reset` clears them for the next
  /// walk (a growing range keeps its own).
  void buildFootprint(bool write, Footprint &out, Totals &totals,
                      std::vector<double> &stackBytes, bool reset = true);
  /// Times runs seen before at the same address and stride with another
  /// length (one contiguous range, or rows of one: a KV cache's K and V
  /// halves) from counters kept for them; false if `pattern` is not such.
  bool growingFootprint(const BulkPattern &pattern, bool write);
  /// Walks [start + seen, start + len) into counters that hold [start,
  /// start + seen): a chunk the old bytes ended inside grows in place.
  void extendRun(uint64_t start, uint64_t seen, uint64_t len);
  void walk(uint64_t address, uint64_t bytes);
  void addChunk(const DramLocation &location, uint64_t bytes);
  void addSuperBlocks(uint64_t address, uint64_t count);
  /// A whole stripe at `first` (its bank, bank group and row) to every
  /// pseudo-channel, one addToBank each.
  void addStripe(const DramLocation &first);
  /// addStripe for each stripe of stripeRun_, counted at once.
  void addStripes();
  void touch(uint32_t pc) {
    if (!touched_[pc]) {
      touched_[pc] = 1;
      touchedList_.push_back(pc);
    }
  }
  /// Bank `b` of pseudo-channel `pc` has new counts: its time bound (which
  /// only grows with them) may now be the pseudo-channel's largest.
  void noteBank(uint32_t pc, size_t b) {
    bankTime_[pc] = std::max(bankTime_[pc], bankTimeOf(bankActs_[b], bankBursts_[b]));
  }
  /// Bursts a piece of `bytes` starting `column` bytes into its chunk takes.
  uint64_t burstsOf(uint64_t column, uint64_t bytes) const {
    return (column % burstBytes_ + bytes + burstBytes_ - 1) / burstBytes_;
  }
  /// `bytes` in `bursts` bursts to bank `pcBank` (in group `group`) of `pc`,
  /// its row already open; returns the bank's index.
  size_t addBankBursts(uint32_t pc, uint32_t group, uint32_t pcBank, double bytes,
                       double bursts) {
    touch(pc);
    bytes_[pc] += bytes;
    bursts_[pc] += bursts;
    addGroupBursts(pc, group, bursts);
    const size_t b = size_t(pc) * banksPerPc_ + pcBank;
    touchBank(b);
    bankBursts_[b] += bursts;
    return b;
  }
  /// `bytes` in `bursts` bursts to bank `pcBank` (in group `group`) of `pc`,
  /// at `row`.
  void addToBank(uint32_t pc, uint32_t group, uint32_t pcBank, int64_t row, double bytes,
                 double bursts) {
    const size_t b = addBankBursts(pc, group, pcBank, bytes, bursts);
    if (openRow_[b] != row) {
      if (openRow_[b] >= 0)
        pres_[pc] += 1;
      acts_[pc] += 1;
      bankActs_[b] += 1;
      openRow_[b] = row;
    }
    noteBank(pc, b);
  }
  /// Bursts to bank group `g` of `pc`, keeping the pseudo-channel's largest.
  void addGroupBursts(uint32_t pc, uint32_t g, double bursts) {
    const double v = groupBursts_[size_t(pc) * groups_ + g] += bursts;
    groupMax_[pc] = std::max(groupMax_[pc], v);
  }
  void touchBank(size_t bank) {
    if (!bankTouched_[bank]) {
      bankTouched_[bank] = 1;
      touchedBanks_.push_back(uint32_t(bank));
    }
  }

  HbmConfig hbm_;
  const AddressMapper &mapper_;
  uint32_t totalPcs_, banksPerPc_, groups_, banksPerGroup_, burstBytes_, bc_;
  double chunkBursts_ = 0; ///< bursts of one whole, aligned mapping chunk
  double actBankCycles_ = 0, tCcdL_ = 0, tRc_ = 0; ///< tRP + tRCD, tCCD_L, tRC
  // The closed form's constants (serviceOf, firstOf).
  double colS_ = 0, colL_ = 0;    ///< max(tCCD_S, BC), max(tCCD_L, BC)
  double actInterval_ = 0;        ///< max(tRRD_S, tFAW / 4)
  double tAct_ = 0, tRcd_ = 0, tRp_ = 0;
  double latencyRead_ = 0, latencyWrite_ = 0; ///< tCL + BC, tWL + BC
  bool shortcuts_ = true;
  /// A run of whole stripes (walk): each one's bank, bank group and row.
  struct StripeAt {
    uint32_t pcBank, group;
    int64_t row;
  };
  std::vector<StripeAt> stripeRun_;
  /// addStripes' summary of a run per bank of a pseudo-channel: its
  /// stripes, its first and last row, and how often the row changed.
  struct BankRun {
    uint32_t stripes = 0, reopens = 0;
    int64_t first = 0, last = 0;
  };
  std::vector<BankRun> bankRuns_;   ///< [bank of a pseudo-channel]
  std::vector<uint32_t> runBanks_;  ///< the banks a run touched, in order
  std::vector<uint32_t> groupRuns_; ///< [bank group]: the run's stripes in it
  uint64_t directCount_ = 0;
  uint64_t grownCount_ = 0;
  double tRefi_ = 0, refreshesPerRefi_ = 1; ///< tREFI; banks with per-bank refresh
  /// [pc], [channel]: the direct path's marks of what its pattern has met.
  std::vector<uint32_t> seen_, channelSeen_;
  std::vector<uint32_t> rowBusCycles_; ///< [channel]: a direct transfer's row bus
  /// directService by [bursts][acts][row-bus cycles] (a chunk has at most
  /// chunkBytes / burst bursts, a channel's row bus at most (tACT + 1) per
  /// pseudo-channel), unless that would exceed kServiceTableMax entries.
  std::vector<double> serviceTable_;
  uint32_t rowBusLevels_ = 0;
  static constexpr size_t kServiceTableMax = 4096;
  /// firstOf by [write][acts][pres].
  double firstTable_[8] = {};
  struct DecodedChunk {
    uint64_t chunk = UINT64_MAX; ///< address / chunkBytes
    DramLocation location;       ///< of the chunk's first byte
  };
  static constexpr uint32_t kDecodeCacheBits = 10;
  static constexpr size_t kDecodeCacheEntries = size_t(1) << kDecodeCacheBits;
  std::vector<DecodedChunk> decodeCache_; ///< direct-mapped by chunk
  uint32_t epoch_ = 0;
  std::vector<double> busy_;
  std::vector<int64_t> openRow_; ///< [pc][bank]

  // Scratch of one transfer.
  /// What a walk counts, per pseudo-channel and per bank; zero between
  /// walks except inside a growing range's own copy (below).
  struct Counters {
    std::vector<uint8_t> touched, bankTouched;      ///< [pc], [pc][bank]
    std::vector<uint32_t> touchedList, touchedBanks;
    std::vector<double> bytes, bursts, acts, pres;  ///< [pc]
    std::vector<double> groupBursts;                ///< [pc][group]
    std::vector<double> groupMax;                   ///< [pc]: its busiest bank group
    std::vector<double> bankBursts, bankActs;       ///< [pc][bank]
    std::vector<double> bankTime;                   ///< [pc]: its busiest bank
  };
  Counters counters_; ///< the ones the walk adds to
  // The walk reads and writes counters_ through these names.
  std::vector<uint8_t> &touched_ = counters_.touched;
  std::vector<uint32_t> &touchedList_ = counters_.touchedList;
  std::vector<double> &bytes_ = counters_.bytes, &bursts_ = counters_.bursts,
                      &acts_ = counters_.acts, &pres_ = counters_.pres;
  std::vector<double> &groupBursts_ = counters_.groupBursts;
  std::vector<double> &groupMax_ = counters_.groupMax;
  std::vector<double> &bankBursts_ = counters_.bankBursts, &bankActs_ = counters_.bankActs;
  std::vector<uint8_t> &bankTouched_ = counters_.bankTouched;
  std::vector<uint32_t> &touchedBanks_ = counters_.touchedBanks;
  std::vector<double> &bankTime_ = counters_.bankTime;
  std::vector<double> rowBus_;    ///< per channel
  RefreshShares avail_;                        ///< refreshShares(hbm_)
  std::vector<uint32_t> channelOf_, stackOf_; ///< [pc]: its global channel, its stack
  Footprint scratch_;
  Totals scratchTotals_;
  std::vector<double> scratchStackBytes_;
  Result result_;

  // The footprint cache: open addressing over a power-of-two index of
  // entry numbers (a decode step looks up tens of thousands of descriptors,
  // and a node-based map spent more time in cache misses than the model in
  // arithmetic). The entries sit in insertion order, and their footprints
  // back to back in one arena: every step issues its descriptors in the
  // same order, so a step's lookups walk entries and arena nearly in
  // sequence instead of jumping around a table of tens of megabytes.
  struct Slot {
    PatternKey key{};
    uint32_t offset = 0, size = 0;
    bool uniform = false; ///< one PcLoad in the arena stands for `size` (FootprintRef)
    Totals totals;
    size_t stackOffset = 0; ///< into stackArena_
  };
  std::vector<uint32_t> index_; ///< 0: empty, else 1 + the entry's position in slots_
  std::vector<Slot> slots_;
  std::vector<PcLoad> arena_;
  std::vector<double> stackArena_;

  // Ranges read again at the same address with another length: a decode
  // step reads each KV cache range one position longer than the last, and
  // walking and building those afresh took a third of a 7B step's host time
  // (more with long contexts). Such a range keeps its own walk counters, so
  // a read walks only its new bytes; as with a repeated descriptor, the
  // earlier bytes keep the activations their walk counted.
  struct Range {
    uint64_t len = 0;     ///< bytes per run last time
    uint32_t rows = 0;    ///< runs
    uint64_t stride = 0;  ///< between runs
    std::unique_ptr<Counters> counters;
  };
  /// Ranges tracked before starting over: what fits 256 MiB of counters.
  size_t rangesKept_ = 0;
  /// Counters of the geometry's size, all zero.
  Counters zeroCounters() const;
  std::unordered_map<uint64_t, Range> ranges_; ///< by base * 2 + write
};

} // namespace strata::sim::mem
