//===- AnalyticModel.cpp - Closed-form timing of bulk HBM transfers -------===//

#include "strata/sim/mem/AnalyticModel.h"

#include "strata/sim/mem/BulkPattern.h"

#include <algorithm>
#include <cmath>

namespace strata::sim::mem {

AnalyticModel::AnalyticModel(const HbmConfig &hbm, const AddressMapper &mapper)
    : hbm_(hbm), mapper_(mapper), totalPcs_(mapper.totalPseudoChannels()),
      banksPerPc_(mapper.banksPerPseudoChannel()), groups_(hbm.bankGroups),
      banksPerGroup_(hbm.banksPerGroup),
      burstBytes_(hbm.busBitsPerPseudoChannel / 8 * hbm.burstLength),
      bc_(hbm.burstLength / 2) {
  chunkBursts_ = double((mapper.chunkBytes() + burstBytes_ - 1) / burstBytes_);
  actBankCycles_ = double(hbm.timing.tRP + hbm.timing.tRCD);
  tCcdL_ = double(hbm.timing.tCCD_L);
  tRc_ = double(hbm.timing.tRC);
  const HbmTiming &t = hbm.timing;
  colS_ = double(std::max(t.tCCD_S, bc_));
  colL_ = double(std::max(t.tCCD_L, bc_));
  actInterval_ = std::max(double(t.tRRD_S), double(t.tFAW) / 4.0);
  tAct_ = double(t.tACT);
  tRcd_ = double(t.tRCD);
  tRp_ = double(t.tRP);
  latencyRead_ = double(t.tCL) + bc_;
  latencyWrite_ = double(t.tWL) + bc_;
  tRefi_ = double(t.tREFI);
  refreshesPerRefi_ = hbm.perBankRefresh() ? double(banksPerPc_) : 1.0;
  seen_.assign(totalPcs_, 0);
  bankRuns_.assign(banksPerPc_, BankRun{});
  groupRuns_.assign(groups_, 0);
  channelSeen_.assign(size_t(hbm.stacks) * hbm.channelsPerStack, 0);
  rowBusCycles_.assign(channelSeen_.size(), 0);
  decodeCache_.resize(kDecodeCacheEntries);
  const size_t counterBytes = size_t(totalPcs_) * (6 + groups_) * sizeof(double) +
                              size_t(totalPcs_) * banksPerPc_ * (2 * sizeof(double) + 5);
  rangesKept_ = std::max<size_t>(256, (size_t(256) << 20) / counterBytes);
  busy_.assign(totalPcs_, 0);
  openRow_.assign(size_t(totalPcs_) * banksPerPc_, -1);
  counters_ = zeroCounters();
  scratchStackBytes_.assign(hbm_.stacks, 0.0);
  rowBus_.assign(size_t(hbm_.stacks) * hbm_.channelsPerStack, 0);
  result_.stackBytes.assign(hbm_.stacks, 0);
  result_.stackDone.assign(hbm_.stacks, 0);
  index_.assign(size_t(2) * kCacheEntries, 0);
  avail_ = refreshShares(hbm_);
  const uint32_t pcsPerStack = hbm_.pseudoChannels * hbm_.channelsPerStack;
  channelOf_.resize(totalPcs_);
  stackOf_.resize(totalPcs_);
  for (uint32_t pc = 0; pc < totalPcs_; ++pc) {
    channelOf_[pc] = pc / hbm_.pseudoChannels;
    stackOf_[pc] = pc / pcsPerStack;
  }
  // The direct path's tables, from the closed form (after avail_).
  for (uint32_t i = 0; i < 8; ++i)
    firstTable_[i] = firstOf(i & 4, double(i >> 1 & 1), double(i & 1));
  const uint64_t maxBursts = mapper.chunkBytes() / burstBytes_;
  rowBusLevels_ = hbm.pseudoChannels * (t.tACT + 1) + 1;
  const size_t entries = size_t(maxBursts + 1) * 2 * rowBusLevels_;
  if (entries <= kServiceTableMax) {
    std::vector<double> table(entries);
    for (uint32_t b = 0; b <= maxBursts; ++b)
      for (uint32_t a = 0; a < 2; ++a)
        for (uint32_t r = 0; r < rowBusLevels_; ++r)
          table[(size_t(b) * 2 + a) * rowBusLevels_ + r] = directService(b, a, r);
    serviceTable_ = std::move(table);
  }
}

AnalyticModel::RefreshShares AnalyticModel::refreshShares(const HbmConfig &hbm) {
  const HbmTiming &t = hbm.timing;
  double refi = double(t.tREFI);
  RefreshShares r;
  if (!hbm.perBankRefresh()) {
    // All-bank: the whole pseudo-channel is gone for tRFC of every tREFI.
    r.pseudoChannel = 1.0 - double(t.tRFC) / refi;
    return r;
  }
  // Per-bank: each bank is gone for tRFCsb of every tREFI, plus the close
  // and reopen of its row around the REFsb (tRP + tRCD), while the other
  // banks keep the data bus busy; the pseudo-channel's ACTs wait tRREFD
  // after each of its `banks` REFsb per tREFI, and every REFsb takes a slot
  // of the channel's row-command bus.
  double banks = double(hbm.banksPerPseudoChannel());
  r.bank = std::max(0.0, 1.0 - double(t.tRFCsb + t.tRP + t.tRCD) / refi);
  r.activate = std::max(0.0, 1.0 - banks * double(t.tRREFD) / refi);
  r.rowBus = std::max(0.0, 1.0 - banks * double(hbm.pseudoChannels) / refi);
  return r;
}

void AnalyticModel::addChunk(const DramLocation &l, uint64_t n) {
  // Whole aligned chunks are the common case of long walks: no division.
  double bursts = n == mapper_.chunkBytes() && l.column % mapper_.chunkBytes() == 0
                      ? chunkBursts_
                      : double(burstsOf(l.column, n));
  addToBank(l.globalPc, l.bankGroup, l.pcBank, int64_t(l.row), double(n), bursts);
}

void AnalyticModel::addStripe(const DramLocation &l) {
  const double n = double(mapper_.chunkBytes());
  for (uint32_t pc = 0; pc < totalPcs_; ++pc)
    addToBank(pc, l.bankGroup, l.pcBank, int64_t(l.row), n, chunkBursts_);
}

void AnalyticModel::addStripes() {
  // What the run does to each bank of a pseudo-channel: alike in every
  // pseudo-channel but for the row its bank had open before. Its counts
  // are whole numbers, so adding them at once gives the doubles that
  // adding stripe by stripe gives, and a bank's (or bank group's) largest
  // time is its last: the counts only grow.
  const StripeAt *run = stripeRun_.data();
  const size_t count = stripeRun_.size();
  runBanks_.clear();
  for (size_t i = 0; i < count; ++i) {
    BankRun &r = bankRuns_[run[i].pcBank];
    if (r.stripes == 0) {
      r.first = run[i].row;
      runBanks_.push_back(run[i].pcBank);
    } else if (r.last != run[i].row) {
      ++r.reopens;
    }
    r.last = run[i].row;
    ++r.stripes;
    ++groupRuns_[run[i].group];
  }
  // The counters' arrays in locals: through the member references every
  // store made the compiler reload every array.
  const double n = double(mapper_.chunkBytes()), bursts = chunkBursts_;
  Counters &c = counters_;
  uint8_t *touched = c.touched.data(), *bankTouched = c.bankTouched.data();
  double *bytes = c.bytes.data(), *pcBursts = c.bursts.data(), *acts = c.acts.data(),
         *pres = c.pres.data(), *groupBursts = c.groupBursts.data(), *groupMax = c.groupMax.data(),
         *bankBursts = c.bankBursts.data(), *bankActs = c.bankActs.data(),
         *bankTime = c.bankTime.data();
  int64_t *openRow = openRow_.data();
  const double runBytes = double(count) * n, runBursts = double(count) * bursts;
  for (uint32_t pc = 0; pc < totalPcs_; ++pc) {
    if (!touched[pc]) {
      touched[pc] = 1;
      c.touchedList.push_back(pc);
    }
    bytes[pc] += runBytes;
    pcBursts[pc] += runBursts;
  }
  // Bank group by bank group and bank by bank (the order of whole-number
  // sums and of maxima does not matter), every pseudo-channel alike.
  for (uint32_t g = 0; g < groups_; ++g) {
    if (!groupRuns_[g])
      continue;
    const double add = double(groupRuns_[g]) * bursts;
    for (uint32_t pc = 0; pc < totalPcs_; ++pc) {
      const double v = groupBursts[size_t(pc) * groups_ + g] += add;
      groupMax[pc] = std::max(groupMax[pc], v);
    }
  }
  for (uint32_t bank : runBanks_) {
    const BankRun r = bankRuns_[bank];
    const double add = double(r.stripes) * bursts, reopens = double(r.reopens);
    for (uint32_t pc = 0; pc < totalPcs_; ++pc) {
      const size_t b = size_t(pc) * banksPerPc_ + bank;
      if (!bankTouched[b]) {
        bankTouched[b] = 1;
        c.touchedBanks.push_back(uint32_t(b));
      }
      bankBursts[b] += add;
      // Every reopen within the run closes a row of it; the first stripe
      // activates unless its row was the one open, and precharges if
      // another was.
      double a = reopens, p = reopens;
      if (openRow[b] != r.first) {
        a += 1;
        if (openRow[b] >= 0)
          p += 1;
      }
      acts[pc] += a;
      pres[pc] += p;
      bankActs[b] += a;
      openRow[b] = r.last;
      bankTime[pc] = std::max(bankTime[pc], bankTimeOf(bankActs[b], bankBursts[b]));
    }
  }
  for (uint32_t bank : runBanks_)
    bankRuns_[bank] = BankRun{};
  std::fill(groupRuns_.begin(), groupRuns_.end(), 0);
}

void AnalyticModel::addSuperBlocks(uint64_t address, uint64_t count) {
  // An aligned super-block holds one row of every bank of every pseudo-channel.
  int64_t row0 = int64_t(address / mapper_.superBlockBytes());
  double rowBursts = double(hbm_.rowBytes / burstBytes_);
  double n = double(count);
  for (uint32_t pc = 0; pc < totalPcs_; ++pc) {
    touch(pc);
    bytes_[pc] += n * hbm_.rowBytes * banksPerPc_;
    bursts_[pc] += n * rowBursts * banksPerPc_;
    for (uint32_t g = 0; g < groups_; ++g)
      addGroupBursts(pc, g, n * rowBursts * banksPerGroup_);
    for (uint32_t bank = 0; bank < banksPerPc_; ++bank) {
      size_t b = size_t(pc) * banksPerPc_ + bank;
      touchBank(b);
      bankBursts_[b] += n * rowBursts;
      double acts = n - (openRow_[b] == row0 ? 1 : 0);
      double pres = acts - (openRow_[b] < 0 ? 1 : 0);
      acts_[pc] += acts;
      pres_[pc] += std::max(0.0, pres);
      bankActs_[b] += acts;
      openRow_[b] = row0 + int64_t(count) - 1;
      noteBank(pc, b);
    }
  }
}

void AnalyticModel::walk(uint64_t a, uint64_t len) {
  uint64_t super = mapper_.superBlockBytes();
  while (len > 0) {
    if (a % super == 0 && len >= super) {
      uint64_t n = len / super;
      addSuperBlocks(a, n);
      a += n * super;
      len -= n * super;
      continue;
    }
    // Chunks up to the next whole super-block (or the end), decoded once
    // and then stepped.
    uint64_t stop = len;
    if (len >= super) {
      uint64_t toAligned = super - a % super;
      if (len - toAligned >= super)
        stop = toAligned;
    }
    DramLocation l = mapper_.decode(a);
    uint64_t done = 0;
    const uint64_t chunk = mapper_.chunkBytes(), stripe = chunk * totalPcs_;
    const bool hashed = mapper_.hashed();
    while (done < stop) {
      // A hashed stripe starts at any pseudo-channel; its alignment tells.
      // (A hashed stripe is a power of two: a mask, not a division.)
      bool stripeStart = hashed ? ((a + done) & (stripe - 1)) == 0
                                : l.globalPc == 0 && (a + done) % chunk == 0;
      if (stripeStart && stop - done >= stripe) {
        // Stripes: one whole chunk in every pseudo-channel, all at the
        // same bank, row and column (the mapping's lowest digits). Each
        // ends stripe-aligned, so every whole stripe up to `stop` follows.
        // Without shortcuts, each is added on its own as it is met.
        const uint64_t count = shortcuts_ ? (stop - done) / stripe : 1;
        stripeRun_.clear();
        for (uint64_t i = 0; i < count; ++i) {
          if (shortcuts_)
            stripeRun_.push_back({l.pcBank, l.bankGroup, int64_t(l.row)});
          else
            addStripe(l);
          done += stripe;
          if (done < stop) {
            if (hashed) {
              l = mapper_.decode(a + done);
            } else {
              l.pseudoChannel = hbm_.pseudoChannels - 1;
              l.channel = hbm_.channelsPerStack - 1;
              l.stack = hbm_.stacks - 1;
              mapper_.advanceChunk(l); // carries into the bank digits
            }
          }
        }
        if (shortcuts_)
          addStripes();
        continue;
      }
      uint64_t n = std::min(stop - done, mapper_.contiguousBytes(a + done));
      addChunk(l, n);
      done += n;
      if (done < stop)
        mapper_.advanceChunk(l);
    }
    a += stop;
    len -= stop;
  }
}

size_t AnalyticModel::PatternKeyHash::operator()(const PatternKey &k) const {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&](uint64_t v) {
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  };
  mix(k.base);
  mix(uint64_t(k.size[0]) | uint64_t(k.size[1]) << 32);
  mix(uint64_t(k.size[2]) | uint64_t(k.write) << 32);
  mix(k.stride[0]);
  mix(k.stride[1]);
  return size_t(h);
}

void AnalyticModel::walkPattern(const BulkPattern &p) {
  const uint64_t cap = mapper_.capacity();
  const PatternRuns r = runsOf(p);
  for (uint32_t i2 = 0; i2 < r.planes; ++i2)
    for (uint32_t i1 = 0; i1 < r.rows; ++i1) {
      // Timing only: addresses past the end wrap (the functional copy has
      // already rejected an out-of-range descriptor).
      uint64_t a = (p.base + i1 * r.rowStride + i2 * r.planeStride) % cap;
      uint64_t len = r.runBytes;
      while (len) {
        uint64_t n = std::min(len, cap - a);
        walk(a, n);
        a = 0;
        len -= n;
      }
    }
}

void AnalyticModel::buildFootprint(bool write, Footprint &f, Totals &totals,
                                   std::vector<double> &stackBytes, bool reset) {
  // Row-command bus per channel.
  std::vector<double> &rowBus = rowBus_;
  for (uint32_t pc : touchedList_)
    rowBus[channelOf_[pc]] = 0;
  for (uint32_t pc : touchedList_)
    rowBus[channelOf_[pc]] += acts_[pc] * tAct_ + pres_[pc];
  // The busiest bank of each pseudo-channel (bankTime_) is kept as the walk
  // adds to the banks.
  if (reset) {
    for (uint32_t b : touchedBanks_) {
      bankTouched_[b] = 0;
      bankBursts_[b] = bankActs_[b] = 0;
    }
    touchedBanks_.clear();
  }
  f.clear();
  f.reserve(touchedList_.size());
  totals = Totals{};
  std::fill(stackBytes.begin(), stackBytes.end(), 0.0);
  for (uint32_t pc : touchedList_) {
    // max over groups of (bursts x colL) is (max bursts) x colL: rounding
    // is monotonic.
    PcLoad load;
    load.pc = pc;
    load.service =
        serviceOf(bursts_[pc], groupMax_[pc], acts_[pc], bankTime_[pc], rowBus[channelOf_[pc]]);
    load.first = firstOf(write, acts_[pc], pres_[pc]);
    f.push_back(load);
    totals.acts += acts_[pc];
    totals.pres += pres_[pc];
    totals.bytes += bytes_[pc];
    stackBytes[stackOf_[pc]] += bytes_[pc];
    if (reset) { // the scratch of this pseudo-channel, for the next walk
      touched_[pc] = 0;
      bytes_[pc] = bursts_[pc] = acts_[pc] = pres_[pc] = bankTime_[pc] = groupMax_[pc] = 0;
      std::fill_n(groupBursts_.begin() + size_t(pc) * groups_, groups_, 0.0);
    }
  }
  if (reset)
    touchedList_.clear();
}

AnalyticModel::Counters AnalyticModel::zeroCounters() const {
  const size_t pcs = totalPcs_, banks = size_t(totalPcs_) * banksPerPc_;
  Counters c;
  c.touched.assign(pcs, 0);
  c.bankTouched.assign(banks, 0);
  for (std::vector<double> *v : {&c.bytes, &c.bursts, &c.acts, &c.pres, &c.bankTime, &c.groupMax})
    v->assign(pcs, 0.0);
  c.groupBursts.assign(pcs * groups_, 0.0);
  c.bankBursts.assign(banks, 0.0);
  c.bankActs.assign(banks, 0.0);
  return c;
}

bool AnalyticModel::growingFootprint(const BulkPattern &p, bool write) {
  const PatternRuns runs = runsOf(p);
  const uint64_t len = runs.runBytes;
  if (runs.planes != 1 || len == 0 ||
      (runs.rows > 1 && runs.rowStride < len) || // overlapping runs: walked as they are
      p.base + (runs.rows - 1) * runs.rowStride + len > mapper_.capacity())
    return false;
  if (ranges_.size() >= rangesKept_)
    ranges_.clear();
  auto [it, fresh] = ranges_.try_emplace(p.base * 2 + (write ? 1 : 0));
  Range &r = it->second;
  const uint64_t seen = r.len;
  const bool sameRuns = r.rows == runs.rows && (runs.rows == 1 || r.stride == runs.rowStride);
  r.len = len;
  if (fresh || !sameRuns || seen == len) {
    if (!sameRuns) {
      r.rows = runs.rows;
      r.stride = runs.rowStride;
      r.counters.reset(); // another shape at this address: seen afresh
    }
    return false; // a first sighting: walked like any other range
  }
  if (!r.counters || seen > len) {
    // Seen again with another length: from now on its counts are kept.
    r.counters = std::make_unique<Counters>(zeroCounters());
    std::swap(counters_, *r.counters);
    walkPattern(p);
  } else {
    // Longer than last time (a KV cache read, a position more): only the
    // new bytes of each run are walked; the rest keeps what its walk
    // counted.
    std::swap(counters_, *r.counters);
    for (uint32_t i = 0; i < runs.rows; ++i)
      extendRun(p.base + i * runs.rowStride, seen, len);
    ++grownCount_;
  }
  buildFootprint(write, scratch_, scratchTotals_, scratchStackBytes_, /*reset=*/false);
  std::swap(counters_, *r.counters);
  return true;
}

void AnalyticModel::extendRun(uint64_t start, uint64_t seen, uint64_t len) {
  const uint64_t chunk = mapper_.chunkBytes();
  uint64_t a = start + seen;
  if (a % chunk != 0) {
    // The old bytes ended inside this chunk and were counted as a piece of
    // it; the piece grows. A walk of the whole range would count the chunk
    // once with all its bytes: the same bytes, the bursts of the longer
    // piece, and no second activation of the row it already opened.
    const uint64_t chunkStart = a - a % chunk;
    const uint64_t pieceStart = std::max(chunkStart, start);
    const uint64_t oldBytes = a - pieceStart;
    const uint64_t add = std::min(len - seen, chunkStart + chunk - a);
    const DramLocation l = decodeCached(pieceStart);
    const double bursts =
        double(burstsOf(l.column, oldBytes + add)) - double(burstsOf(l.column, oldBytes));
    noteBank(l.globalPc,
             addBankBursts(l.globalPc, l.bankGroup, l.pcBank, double(add), bursts));
    a += add;
  }
  if (a < start + len)
    walk(a, start + len - a);
}

bool AnalyticModel::isUniform(const Footprint &f) const {
  if (f.size() < 2)
    return false;
  const PcLoad &a = f.front();
  for (size_t i = 1; i < f.size(); ++i)
    if (f[i].pc != a.pc + i || f[i].service != a.service || f[i].first != a.first)
      return false;
  return true;
}

AnalyticModel::FootprintRef AnalyticModel::footprint(const BulkPattern &p, bool write,
                                                     uint32_t *hint) {
  if (p.totalBytes() < kCacheMinBytes) {
    walkPattern(p);
    buildFootprint(write, scratch_, scratchTotals_, scratchStackBytes_);
    return scratchRef();
  }
  PatternKey key{p.base, {p.size[0], p.size[1], p.size[2]}, {p.stride[0], p.stride[1]}, write};
  auto ref = [&](const Slot &s) {
    return FootprintRef{arena_.data() + s.offset, s.size, s.totals,
                        stackArena_.data() + s.stackOffset, s.uniform};
  };
  if (hint && *hint != 0 && *hint <= slots_.size() && slots_[*hint - 1].key == key)
    return ref(slots_[*hint - 1]);
  const size_t mask = index_.size() - 1;
  size_t i = PatternKeyHash()(key) & mask;
  for (; index_[i]; i = (i + 1) & mask) {
    const Slot &s = slots_[index_[i] - 1];
    if (s.key == key) {
      if (hint)
        *hint = index_[i];
      return ref(s);
    }
  }
  if (slots_.size() >= kCacheEntries || arena_.size() > (size_t(1) << 31)) {
    // Start over (the index stays at most half full, so probes stay short).
    std::fill(index_.begin(), index_.end(), 0);
    slots_.clear();
    arena_.clear();
    stackArena_.clear();
    ranges_.clear();
    i = PatternKeyHash()(key) & mask;
  }
  if (growingFootprint(p, write)) // not cached: it will not recur at this length
    return scratchRef();
  walkPattern(p);
  buildFootprint(write, scratch_, scratchTotals_, scratchStackBytes_);
  index_[i] = uint32_t(slots_.size() + 1);
  Slot &slot = slots_.emplace_back();
  slot.totals = scratchTotals_;
  slot.stackOffset = stackArena_.size();
  stackArena_.insert(stackArena_.end(), scratchStackBytes_.begin(), scratchStackBytes_.end());
  slot.key = key;
  slot.offset = uint32_t(arena_.size());
  slot.size = uint32_t(scratch_.size());
  slot.uniform = isUniform(scratch_);
  if (slot.uniform)
    arena_.push_back(scratch_.front());
  else
    arena_.insert(arena_.end(), scratch_.begin(), scratch_.end());
  if (hint)
    *hint = index_[i];
  return ref(slot);
}

inline DramLocation AnalyticModel::decodeCached(uint64_t a) {
  // decode(a) is the decode of its chunk's first byte, `a % chunk` bytes on.
  const uint64_t chunkBytes = mapper_.chunkBytes(), chunk = a / chunkBytes;
  // Hashed: buffers sit at power-of-two strides, which a plain modulo
  // would pile onto a few entries.
  DecodedChunk &e = decodeCache_[(chunk * 0x9e3779b97f4a7c15ull) >> (64 - kDecodeCacheBits)];
  if (e.chunk != chunk) {
    e.chunk = chunk;
    e.location = mapper_.decode(chunk * chunkBytes);
  }
  DramLocation l = e.location;
  l.column += uint32_t(a - chunk * chunkBytes);
  return l;
}

inline bool AnalyticModel::collectRun(uint64_t a, uint64_t len, DirectChunk *chunks,
                               uint32_t &count) {
  DramLocation l = decodeCached(a);
  const uint64_t chunkBytes = mapper_.chunkBytes();
  // Only the first chunk may start inside a burst; only the last may end
  // before its chunk does.
  uint64_t n = std::min(len, chunkBytes - a % chunkBytes);
  uint32_t bursts = uint32_t(burstsOf(l.column, n));
  for (;;) {
    if (count == kDirectChunks || seen_[l.globalPc] == epoch_)
      return false;
    seen_[l.globalPc] = epoch_;
    DirectChunk &c = chunks[count++];
    c.pc = l.globalPc;
    c.channel = l.globalChannel;
    c.bank = l.globalPc * banksPerPc_ + l.pcBank;
    c.row = l.row;
    c.bytes = uint32_t(n);
    c.bursts = bursts;
    len -= n;
    if (len == 0)
      return true;
    mapper_.advanceChunk(l);
    n = std::min(len, chunkBytes);
    bursts = uint32_t(burstsOf(0, n));
  }
}

bool AnalyticModel::directTransfer(const BulkPattern &p, bool write, double cycle) {
  DirectChunk chunks[kDirectChunks];
  uint32_t count = 0;
  if (++epoch_ == 0) { // the marks wrapped: none may look current
    std::fill(seen_.begin(), seen_.end(), 0);
    std::fill(channelSeen_.begin(), channelSeen_.end(), 0);
    epoch_ = 1;
  }
  // The chunks, in the order walkPattern visits them (runs, wrapping at the
  // end of memory); nothing changes until all are known to qualify.
  const uint64_t cap = mapper_.capacity();
  const PatternRuns runs = runsOf(p);
  if (runs.single() && p.base < cap && runs.runBytes <= cap - p.base) {
    if (!collectRun(p.base, runs.runBytes, chunks, count))
      return false;
  } else {
    for (uint32_t i2 = 0; i2 < runs.planes; ++i2)
      for (uint32_t i1 = 0; i1 < runs.rows; ++i1) {
        uint64_t a = (p.base + i1 * runs.rowStride + i2 * runs.planeStride) % cap;
        for (uint64_t len = runs.runBytes; len;) {
          const uint64_t piece = std::min(len, cap - a);
          if (!collectRun(a, piece, chunks, count))
            return false;
          a = 0;
          len -= piece;
        }
      }
  }
  // Each chunk is its pseudo-channel's only bank and bank group: it
  // activates if its bank had another row open, and precharges that row.
  // The row-command bus is the channel's, shared by its pseudo-channels.
  const uint32_t tAct = hbm_.timing.tACT;
  for (uint32_t i = 0; i < count; ++i) {
    DirectChunk &c = chunks[i];
    int64_t &open = openRow_[c.bank];
    c.acts = c.pres = 0;
    if (open != int64_t(c.row)) {
      c.pres = open >= 0;
      c.acts = 1;
      open = c.row;
    }
    if (channelSeen_[c.channel] != epoch_) {
      channelSeen_[c.channel] = epoch_;
      rowBusCycles_[c.channel] = 0;
    }
    rowBusCycles_[c.channel] += c.acts * tAct + c.pres;
  }
  Result &r = result_;
  double *busy = busy_.data(), *stackDone = r.stackDone.data(), *stackBytes = r.stackBytes.data();
  for (uint32_t s = 0; s < hbm_.stacks; ++s) {
    stackBytes[s] = 0;
    stackDone[s] = cycle;
  }
  const double *first = firstTable_ + (write ? 4 : 0);
  Totals totals; // whole numbers: summed in any order, the same doubles
  for (uint32_t i = 0; i < count; ++i) {
    const DirectChunk &c = chunks[i];
    const double service = directService(c.bursts, c.acts, rowBusCycles_[c.channel]);
    const double end = std::max(cycle, busy[c.pc]) + service;
    busy[c.pc] = end;
    const uint32_t s = stackOf_[c.pc];
    stackDone[s] = std::max(stackDone[s], end + first[c.acts * 2 + c.pres]);
    stackBytes[s] += double(c.bytes);
    totals.acts += c.acts;
    totals.pres += c.pres;
    totals.bytes += c.bytes;
  }
  r.doneCycle = cycle;
  r.activity = MemoryActivity{};
  finish(totals, count, write, cycle);
  ++directCount_;
  return true;
}

void AnalyticModel::finish(const Totals &totals, size_t pcs, bool write, double cycle) {
  Result &r = result_;
  for (uint32_t s = 0; s < hbm_.stacks; ++s)
    r.doneCycle = std::max(r.doneCycle, r.stackDone[s]);
  r.activity.activates = uint64_t(totals.acts);
  r.activity.precharges = uint64_t(totals.pres);
  (write ? r.activity.writeBytes : r.activity.readBytes) = uint64_t(totals.bytes);
  r.activity.refreshes = refreshesDuring(r.doneCycle - cycle, pcs);
}

const AnalyticModel::Result &AnalyticModel::transfer(const BulkPattern &p, bool write,
                                                     double cycle, uint32_t *hint) {
  Result &r = result_;
  const uint64_t totalBytes = p.totalBytes();
  if (shortcuts_ && totalBytes > 0 && totalBytes < kCacheMinBytes && directTransfer(p, write, cycle))
    return r;
  std::fill(r.stackBytes.begin(), r.stackBytes.end(), 0.0);
  std::fill(r.stackDone.begin(), r.stackDone.end(), cycle);
  r.doneCycle = cycle;
  r.activity = MemoryActivity{};
  if (totalBytes == 0)
    return r;
  const FootprintRef f = footprint(p, write, hint);
  double *busy = busy_.data(), *stackDone = r.stackDone.data();
  // Footprints list their pseudo-channels in order, so a stack's run is
  // consecutive: its latest end stays in a register instead of making every
  // iteration wait for the previous one's store.
  uint32_t stack = UINT32_MAX;
  double stackEnd = 0;
  auto account = [&](uint32_t pc, uint32_t pcStack, double service, double first) {
    const double end = std::max(cycle, busy[pc]) + service;
    busy[pc] = end;
    if (pcStack != stack) {
      if (stack != UINT32_MAX)
        stackDone[stack] = stackEnd;
      stack = pcStack;
      stackEnd = stackDone[stack];
    }
    stackEnd = std::max(stackEnd, end + first);
  };
  if (f.uniform) {
    const PcLoad &load = f.data[0];
    for (uint32_t pc = load.pc, last = load.pc + uint32_t(f.count); pc < last; ++pc)
      account(pc, stackOf_[pc], load.service, load.first);
  } else {
    for (const PcLoad *load = f.data, *e = f.data + f.count; load != e; ++load)
      account(load->pc, stackOf_[load->pc], load->service, load->first);
  }
  if (stack != UINT32_MAX)
    stackDone[stack] = stackEnd;
  for (uint32_t s = 0; s < hbm_.stacks; ++s)
    r.stackBytes[s] = f.stackBytes[s];
  finish(f.totals, f.size(), write, cycle);
  return r;
}

} // namespace strata::sim::mem
