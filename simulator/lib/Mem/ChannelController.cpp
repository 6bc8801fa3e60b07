//===- ChannelController.cpp - FR-FCFS scheduler of one HBM channel -------===//

#include "strata/sim/mem/ChannelController.h"

#include "strata/sim/mem/LinkBandwidth.h"
#include "strata/sim/stats/Stats.h"

#include <algorithm>
#include <string>

namespace strata::sim::mem {

uint64_t ChannelController::firstRefreshDue(const HbmConfig &hbm, uint32_t globalPc) {
  uint64_t total = uint64_t(hbm.stacks) * hbm.channelsPerStack * hbm.pseudoChannels;
  if (hbm.perBankRefresh())
    total *= hbm.banksPerPseudoChannel();
  return uint64_t(hbm.timing.tREFI) * (globalPc + 1) / total;
}

uint64_t ChannelController::bankRefreshDue(const HbmConfig &hbm, uint64_t first, uint64_t k) {
  // Exact average spacing: rounding tREFI / banks once would drift.
  return first + k * hbm.timing.tREFI / hbm.banksPerPseudoChannel();
}

ChannelController::ChannelController(const HbmConfig &hbm, const AddressMapper &mapper,
                                     uint32_t globalChannel, LinkBandwidth *tsv,
                                     const MemTimebase *timebase, StatGroup *stats,
                                     TraceWriter *trace)
    : hbm_(hbm), mapper_(mapper), channel_(globalChannel),
      stack_(globalChannel / hbm.channelsPerStack), checker_(hbm), tsv_(tsv),
      timebase_(timebase), frfcfs_(hbm.scheduler == "frfcfs"),
      perBankRefresh_(hbm.perBankRefresh()),
      banksPerGroup_(hbm.banksPerGroup),
      burstBytes_(hbm.busBitsPerPseudoChannel / 8 * hbm.burstLength),
      bc_(hbm.burstLength / 2) {
  pcs_.resize(hbm.pseudoChannels);
  for (uint32_t p = 0; p < hbm.pseudoChannels; ++p) {
    pcs_[p].banks.resize(hbm.bankGroups * hbm.banksPerGroup);
    pcs_[p].refreshDue = firstRefreshDue(hbm, channel_ * hbm.pseudoChannels + p);
    pcs_[p].firstRefresh = pcs_[p].refreshDue;
  }
  slots_.reserve(size_t(hbm.queueDepth) * hbm.pseudoChannels);
  if (stats)
    registerStats(*stats);
  if (trace && trace->enabled()) {
    trace_ = trace;
    uint32_t ch = channel_ % hbm.channelsPerStack;
    std::string name = "stack" + std::to_string(stack_) + ".ch" + std::to_string(ch);
    track_ = trace->track("hbm", kTracePid, name, channel_);
    // Refreshes of the two pseudo-channels overlap in time: a track each.
    for (uint32_t p = 0; p < hbm.pseudoChannels; ++p)
      refreshTracks_.push_back(trace->track(
          "hbm", kTracePid, name + ".pc" + std::to_string(p) + " refresh",
          kRefreshTidBase + channel_ * hbm.pseudoChannels + p));
  }
}

void ChannelController::registerStats(StatGroup &hbmGroup) {
  uint32_t ch = channel_ % hbm_.channelsPerStack;
  StatGroup &chg =
      hbmGroup.child("stack" + std::to_string(stack_)).child("ch" + std::to_string(ch));
  const MemTimebase *tb = timebase_;
  double peakBytesPerCycle = double(hbm_.busBitsPerPseudoChannel) / 8.0 * 2.0;
  for (uint32_t p = 0; p < pcs_.size(); ++p) {
    const PcCounters *c = &pcs_[p].counters;
    StatGroup &g = chg.child("pc" + std::to_string(p));
    auto count = [&g](const char *name, const char *desc, const char *unit,
                      const uint64_t *v) {
      g.formula(name, desc, unit, [v] { return double(*v); });
    };
    count("reads", "read requests completed", "requests", &c->reads);
    count("writes", "write requests completed", "requests", &c->writes);
    count("readBytes", "bytes read (as requested)", "bytes", &c->readBytes);
    count("writeBytes", "bytes written (as requested)", "bytes", &c->writeBytes);
    count("rowHits", "requests served from the open row", "requests", &c->hits);
    count("rowMisses", "requests that activated a closed bank", "requests", &c->misses);
    count("rowConflicts", "requests that precharged another row first", "requests",
          &c->conflicts);
    count("activates", "ACT commands", "commands", &c->activates);
    count("precharges", "PRE commands (incl. before refresh)", "commands", &c->precharges);
    count("refreshes", "all-bank REF commands", "commands", &c->refreshes);
    count("bankRefreshes", "single-bank REFsb commands", "commands", &c->bankRefreshes);
    count("busyCycles", "data-bus cycles carrying bursts", "cycles", &c->busyCycles);
    count("maxQueueOccupancy", "most requests queued at once", "requests", &c->maxOccupancy);
    auto rate = [c](const uint64_t PcCounters::*field) {
      return [c, field] {
        uint64_t n = c->hits + c->misses + c->conflicts;
        return n ? double(c->*field) / double(n) : 0.0;
      };
    };
    g.formula("rowHitRate", "row hits / requests", "ratio", rate(&PcCounters::hits));
    g.formula("rowMissRate", "row misses / requests", "ratio", rate(&PcCounters::misses));
    g.formula("rowConflictRate", "row conflicts / requests", "ratio",
              rate(&PcCounters::conflicts));
    g.formula("avgQueueOccupancy", "time-average of requests queued (Little's law)",
              "requests", [c, tb] {
                return tb->endCycle ? double(c->residenceCycles) / double(tb->endCycle) : 0.0;
              });
    g.formula("bandwidth", "bytes moved / elapsed time", "GB/s", [c, tb] {
      double ns = tb->elapsedNs();
      return ns > 0 ? double(c->readBytes + c->writeBytes) / ns : 0.0;
    });
    g.formula("utilization", "data-bus busy cycles / elapsed cycles", "ratio", [c, tb] {
      return tb->endCycle ? double(c->busyCycles) / double(tb->endCycle) : 0.0;
    });
  }
  // Channel totals.
  std::vector<const PcCounters *> all;
  for (const PcState &p : pcs_)
    all.push_back(&p.counters);
  auto sum = [all](uint64_t PcCounters::*field) {
    return [all, field] {
      double s = 0;
      for (const PcCounters *c : all)
        s += double(c->*field);
      return s;
    };
  };
  chg.formula("bytes", "bytes read and written", "bytes", [all] {
    double s = 0;
    for (const PcCounters *c : all)
      s += double(c->readBytes + c->writeBytes);
    return s;
  });
  chg.formula("activates", "ACT commands", "commands", sum(&PcCounters::activates));
  chg.formula("refreshes", "all-bank REF commands", "commands", sum(&PcCounters::refreshes));
  chg.formula("bankRefreshes", "single-bank REFsb commands", "commands",
              sum(&PcCounters::bankRefreshes));
  chg.formula("rowHitRate", "row hits / requests", "ratio", [all] {
    double h = 0, n = 0;
    for (const PcCounters *c : all) {
      h += double(c->hits);
      n += double(c->hits + c->misses + c->conflicts);
    }
    return n > 0 ? h / n : 0.0;
  });
  chg.formula("bandwidth", "bytes moved / elapsed time", "GB/s", [all, tb] {
    double s = 0;
    for (const PcCounters *c : all)
      s += double(c->readBytes + c->writeBytes);
    double ns = tb->elapsedNs();
    return ns > 0 ? s / ns : 0.0;
  });
  double peak = peakBytesPerCycle * double(all.size());
  chg.formula("utilization", "bandwidth / peak bandwidth of the channel", "ratio",
              [all, tb, peak] {
                double s = 0;
                for (const PcCounters *c : all)
                  s += double(c->readBytes + c->writeBytes);
                return tb->endCycle ? s / (peak * double(tb->endCycle)) : 0.0;
              });
}

void ChannelController::enqueue(const ChannelRequest &r) {
  DramLocation loc = mapper_.decode(r.address);
  uint32_t index;
  if (!freeSlots_.empty()) {
    index = freeSlots_.back();
    freeSlots_.pop_back();
  } else {
    index = uint32_t(slots_.size());
    slots_.emplace_back();
  }
  Slot &s = slots_[index];
  s = Slot{};
  s.req = r;
  s.visible = r.arrivalCycle + hbm_.frontendCycles;
  s.seq = seq_++;
  s.row = loc.row;
  s.pc = uint8_t(loc.pseudoChannel);
  s.bank = uint16_t(loc.pcBank);
  uint32_t first = loc.column % burstBytes_;
  s.burstsLeft = uint16_t((first + r.bytes + burstBytes_ - 1) / burstBytes_);
  s.burstBytes = std::min(r.bytes, burstBytes_);

  PcState &p = pcs_[s.pc];
  BankState &b = p.banks[s.bank];
  if (b.queue.empty())
    p.busyBanks.push_back(s.bank);
  // Keep the bank queue ordered by (visible, seq); arrivals come nearly in order.
  auto pos = b.queue.end();
  while (pos != b.queue.begin() && slots_[*(pos - 1)].visible > s.visible)
    --pos;
  b.queue.insert(pos, index);
  b.dirty = true;
  ++p.queued;
  ++queuedTotal_;
  p.counters.maxOccupancy = std::max<uint64_t>(p.counters.maxOccupancy, p.queued);
  next_ = std::min(next_, std::max(s.visible, lastIssue_));
}

bool ChannelController::better(const Candidate &a, const Candidate &b) {
  if (a.cycle != b.cycle)
    return a.cycle < b.cycle;
  if (a.refresh != b.refresh)
    return a.refresh;
  bool aCol = a.kind == DramCommandKind::Read || a.kind == DramCommandKind::Write;
  bool bCol = b.kind == DramCommandKind::Read || b.kind == DramCommandKind::Write;
  if (aCol != bCol)
    return aCol;
  return a.age < b.age;
}

void ChannelController::pick(BankState &b) {
  b.dirty = false;
  b.hit = b.other = -1;
  if (b.queue.empty())
    return;
  if (b.openRow < 0) {
    b.other = int32_t(b.queue.front());
    return;
  }
  if (!frfcfs_) {
    (int64_t(slots_[b.queue.front()].row) == b.openRow ? b.hit : b.other) =
        int32_t(b.queue.front());
    return;
  }
  for (uint32_t idx : b.queue) {
    if (int64_t(slots_[idx].row) == b.openRow) {
      if (b.hit < 0)
        b.hit = int32_t(idx);
    } else if (b.other < 0) {
      b.other = int32_t(idx);
    }
    if (b.hit >= 0 && b.other >= 0)
      break;
  }
}

void ChannelController::bankCandidate(uint8_t pc, uint16_t bank, uint64_t refreshDue,
                                      Candidate &best) {
  PcState &p = pcs_[pc];
  BankState &b = p.banks[bank];
  if (b.dirty) {
    pick(b);
    b.pcEpoch = ~uint64_t(0);
  }
  bool column = b.kind == DramCommandKind::Read || b.kind == DramCommandKind::Write;
  if (b.pcEpoch != p.epoch || (!column && b.rowEpoch != rowEpoch_) ||
      lastIssue_ >= b.recheckAt) {
    b.recheckAt = ~uint64_t(0);
    // Recompute the candidate (cycles before the monotonic-issue clamp,
    // which only moves every candidate to the same floor).
    if (b.openRow >= 0) {
      uint64_t preCycle = kNever;
      if (b.other >= 0)
        preCycle = std::max(checker_.earliest(DramCommandKind::Precharge, pc, bank),
                            slots_[b.other].visible);
      // A hit the scheduler can see keeps the row open; one that arrives
      // only after the precharge could issue does not.
      if (b.hit >= 0 && slots_[b.hit].visible <= std::max(preCycle, lastIssue_)) {
        const Slot &s = slots_[b.hit];
        b.kind = s.req.write ? DramCommandKind::Write : DramCommandKind::Read;
        b.cycle = std::max(checker_.earliest(b.kind, pc, bank), s.visible);
        b.slot = b.hit;
      } else {
        b.kind = DramCommandKind::Precharge;
        b.cycle = preCycle;
        b.slot = b.other;
        if (b.hit >= 0)
          b.recheckAt = slots_[b.hit].visible;
      }
    } else {
      b.kind = DramCommandKind::Activate;
      b.slot = b.other;
      b.cycle = std::max(checker_.earliest(b.kind, pc, bank), slots_[b.slot].visible);
    }
    b.pcEpoch = p.epoch;
    b.rowEpoch = rowEpoch_;
  }
  uint64_t cycle = std::max(b.cycle, lastIssue_);
  if (cycle >= refreshDue || cycle > best.cycle) // the refresh goes first; or it loses
    return;
  Candidate c;
  c.cycle = cycle;
  c.kind = b.kind;
  c.pc = pc;
  c.bank = bank;
  c.slot = uint32_t(b.slot);
  c.age = slots_[b.slot].seq;
  if (better(c, best))
    best = c;
}

void ChannelController::refreshCandidate(uint8_t pc, Candidate &best) {
  PcState &p = pcs_[pc];
  Candidate c;
  c.pc = pc;
  c.refresh = true;
  if (perBankRefresh_) {
    // Only the bank whose turn it is: close it, then REFsb.
    c.bank = uint16_t(p.refreshBank);
    c.kind = p.banks[c.bank].openRow >= 0 ? DramCommandKind::Precharge
                                          : DramCommandKind::Refresh;
    c.cycle = checker_.earliest(c.kind, pc, c.bank);
  } else if (p.openBanks > 0) {
    c.kind = DramCommandKind::Precharge;
    for (uint16_t bank = 0; bank < p.banks.size(); ++bank)
      if (p.banks[bank].openRow >= 0) {
        uint64_t e = checker_.earliest(DramCommandKind::Precharge, pc, bank);
        if (e < c.cycle) {
          c.cycle = e;
          c.bank = bank;
        }
      }
  } else {
    c.kind = DramCommandKind::Refresh;
    c.cycle = checker_.earliest(DramCommandKind::Refresh, pc, 0);
  }
  c.cycle = std::max({c.cycle, p.refreshDue, lastIssue_});
  if (better(c, best))
    best = c;
}

void ChannelController::advance(uint64_t horizon) {
  horizon_ = std::max(horizon_, horizon);
  for (;;) {
    Candidate best;
    for (uint8_t pc = 0; pc < pcs_.size(); ++pc) {
      const PcState &p = pcs_[pc];
      if (perBankRefresh_) {
        // A due REFsb holds back only its own bank.
        for (uint16_t bank : p.busyBanks)
          bankCandidate(pc, bank, bank == p.refreshBank ? p.refreshDue : kNever, best);
      } else {
        for (uint16_t bank : p.busyBanks)
          bankCandidate(pc, bank, p.refreshDue, best);
      }
    }
    // A refresh (whose cycle is at least its due cycle) can only win when it
    // is due no later than the best request command.
    for (uint8_t pc = 0; pc < pcs_.size(); ++pc)
      if (pcs_[pc].refreshDue <= best.cycle && pcs_[pc].refreshDue < horizon_)
        refreshCandidate(pc, best);
    if (best.cycle >= horizon_) {
      next_ = queuedTotal_ ? best.cycle : kNever;
      if (queuedTotal_ && best.cycle == kNever) {
        // Only refreshes beyond the horizon stand in the way: wake at the
        // earliest due one.
        for (const PcState &p : pcs_)
          next_ = std::min(next_, p.refreshDue);
      }
      return;
    }
    issue(best);
  }
}

void ChannelController::issue(const Candidate &c) {
  PcState &p = pcs_[c.pc];
  BankState &b = p.banks[c.bank];
  lastIssue_ = c.cycle;
  ++p.epoch;
  if (c.kind != DramCommandKind::Read && c.kind != DramCommandKind::Write)
    ++rowEpoch_;
  switch (c.kind) {
  case DramCommandKind::Activate: {
    Slot &s = slots_[c.slot];
    checker_.issue(c.kind, c.pc, c.bank, c.cycle);
    b.openRow = s.row;
    b.dirty = true;
    ++p.openBanks;
    s.actFor = true;
    ++p.counters.activates;
    notify(c.kind, c.pc, c.bank, s.row, 0, c.cycle);
    break;
  }
  case DramCommandKind::Precharge: {
    checker_.issue(c.kind, c.pc, c.bank, c.cycle);
    uint32_t row = uint32_t(b.openRow);
    b.openRow = -1;
    b.dirty = true;
    --p.openBanks;
    if (!c.refresh)
      slots_[c.slot].preFor = true;
    ++p.counters.precharges;
    notify(c.kind, c.pc, c.bank, row, 0, c.cycle);
    break;
  }
  case DramCommandKind::Refresh: {
    if (perBankRefresh_) {
      checker_.issue(c.kind, c.pc, c.bank, c.cycle);
      ++p.bankRefreshes;
      p.refreshBank = (p.refreshBank + 1) % uint32_t(p.banks.size());
      p.refreshDue = bankRefreshDue(hbm_, p.firstRefresh, p.bankRefreshes);
      ++p.counters.bankRefreshes;
      notify(c.kind, c.pc, c.bank, 0, 0, c.cycle, true);
      if (trace_) {
        double start = timebase_->clock.ns(double(c.cycle));
        trace_->slice(refreshTracks_[c.pc], "REFsb", start,
                      timebase_->clock.ns(double(c.cycle + hbm_.timing.tRFCsb)) - start,
                      "\"bank\":" + std::to_string(c.bank));
      }
      break;
    }
    checker_.issue(c.kind, c.pc, 0, c.cycle);
    p.refreshDue += hbm_.timing.tREFI;
    ++p.counters.refreshes;
    notify(c.kind, c.pc, 0, 0, 0, c.cycle);
    if (trace_) {
      double start = timebase_->clock.ns(double(c.cycle));
      trace_->slice(refreshTracks_[c.pc], "refresh", start,
                    timebase_->clock.ns(double(c.cycle + hbm_.timing.tRFC)) - start);
    }
    break;
  }
  case DramCommandKind::Read:
  case DramCommandKind::Write:
    checker_.issue(c.kind, c.pc, c.bank, c.cycle);
    column(slots_[c.slot], c.cycle);
    break;
  }
}

void ChannelController::column(Slot &s, uint64_t cycle) {
  PcState &p = pcs_[s.pc];
  if (!s.classified) {
    s.classified = true;
    s.outcome = !s.actFor ? RowOutcome::Hit
                          : (s.preFor ? RowOutcome::Conflict : RowOutcome::Miss);
    if (s.outcome == RowOutcome::Hit)
      ++p.counters.hits;
    else if (s.outcome == RowOutcome::Miss)
      ++p.counters.misses;
    else
      ++p.counters.conflicts;
  }
  bool write = s.req.write;
  double dataStart = double(cycle + (write ? hbm_.timing.tWL : hbm_.timing.tCL));
  double dataEnd = dataStart + bc_;
  double done = dataEnd;
  if (tsv_)
    done = std::max(done, tsv_->reserve(dataStart, burstBytes_));
  s.doneCycle = std::max(s.doneCycle, done);
  p.counters.busyCycles += bc_;
  ++(write ? p.counters.writeBursts : p.counters.readBursts);
  notify(write ? DramCommandKind::Write : DramCommandKind::Read, s.pc, s.bank, s.row,
         burstBytes_, cycle);
  if (trace_)
    traceBusy(dataStart, dataEnd);
  if (--s.burstsLeft)
    return;

  // Last burst: the request leaves the queue.
  uint32_t index = uint32_t(&s - slots_.data());
  BankState &b = p.banks[s.bank];
  b.queue.erase(std::find(b.queue.begin(), b.queue.end(), index));
  b.dirty = true;
  if (b.queue.empty())
    p.busyBanks.erase(std::find(p.busyBanks.begin(), p.busyBanks.end(), s.bank));
  --p.queued;
  --queuedTotal_;
  if (write) {
    ++p.counters.writes;
    p.counters.writeBytes += s.req.bytes;
  } else {
    ++p.counters.reads;
    p.counters.readBytes += s.req.bytes;
  }
  p.counters.residenceCycles += cycle - std::min(cycle, s.req.arrivalCycle);
  ChannelCompletion done_;
  done_.token = s.req.token;
  done_.lastColumnCycle = cycle;
  done_.doneCycle = s.doneCycle;
  done_.outcome = s.outcome;
  done_.bytes = s.req.bytes;
  done_.write = write;
  freeSlots_.push_back(index);
  if (client_)
    client_->requestDone(channel_, done_);
}

void ChannelController::notify(DramCommandKind kind, uint8_t pc, uint16_t bank, uint32_t row,
                               uint32_t bytes, uint64_t cycle, bool singleBank) {
  if (!listener_)
    return;
  DramCommand cmd;
  cmd.kind = kind;
  cmd.stack = uint16_t(stack_);
  cmd.channel = uint16_t(channel_ % hbm_.channelsPerStack);
  cmd.pseudoChannel = pc;
  cmd.bankGroup = uint8_t(bank / banksPerGroup_);
  cmd.bank = uint8_t(bank % banksPerGroup_);
  cmd.row = row;
  cmd.bytes = bytes;
  cmd.cycle = cycle;
  cmd.singleBank = singleBank;
  listener_->onCommand(cmd);
}

void ChannelController::traceBusy(double start, double end) {
  // Merge bursts into busy slices; a gap of a few bursts ends a slice, which
  // keeps the trace small and still shows idle periods and refreshes.
  if (busyEnd_ >= 0 && start <= busyEnd_ + 8 * bc_) {
    busyEnd_ = std::max(busyEnd_, end);
    return;
  }
  flushTrace();
  busyStart_ = start;
  busyEnd_ = end;
}

void ChannelController::flushTrace() {
  if (!trace_ || busyEnd_ < 0)
    return;
  double s = timebase_->clock.ns(busyStart_);
  trace_->slice(track_, "busy", s, timebase_->clock.ns(busyEnd_) - s);
  busyStart_ = busyEnd_ = -1;
}

} // namespace strata::sim::mem
