//===- MemorySystem.cpp - HBM stacks and the NoC as one SystemC module ----===//
#define SC_INCLUDE_DYNAMIC_PROCESSES
//
// All timing is computed by the plain C++ parts (ChannelController, Noc,
// LinkBandwidth, AnalyticModel). This module converts between SystemC time
// and memory cycles, runs the TLM-2.0 AT protocol, and keeps one timed action
// queue with a single kernel event: channel wake-ups, responses and
// re-admissions of blocked requests all go through it.
//
//===----------------------------------------------------------------------===//

#include "strata/sim/mem/MemorySystem.h"
#include "strata/sim/SimTime.h"

#include "strata/sim/mem/AddressMapper.h"
#include "strata/sim/mem/AnalyticModel.h"
#include "strata/sim/mem/ChannelController.h"
#include "strata/sim/mem/HbmStorage.h"
#include "strata/sim/mem/LinkBandwidth.h"
#include "strata/sim/mem/MemClock.h"
#include "strata/sim/mem/Noc.h"
#include "strata/sim/stats/Stats.h"
#include "strata/sim/trace/Trace.h"

#include <algorithm>
#include <deque>
#include <functional>
#include <queue>
#include <stdexcept>
#include <string>

namespace strata::sim::mem {

using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;

namespace {

Status validateMemoryConfig(const ArchConfig &c) {
  if (Status s = validateHbmConfig(c.hbm); !s)
    return s;
  if (c.numCores == 0)
    return Error("arch config: numCores must be positive");
  if (!(c.noc.linkBytesPerCycle > 0))
    return Error("arch config: noc.linkBytesPerCycle must be positive");
  if (c.noc.topology != "crossbar" && c.noc.topology != "mesh")
    return Error("arch config: noc.topology is \"" + c.noc.topology +
                 "\"; expected \"crossbar\" or \"mesh\"");
  if (c.core.dma.requestBytes == 0)
    return Error("arch config: core.dma.requestBytes must be positive");
  return Status::ok();
}

} // namespace

/// A timed action of the module's single event queue.
struct Action {
  enum Kind : uint8_t { Wake, Respond, BeginReq, Admit, SendResponse };
  uint64_t timePs = 0;
  uint64_t seq = 0;
  Kind kind = Wake;
  uint32_t index = 0; ///< channel, pending request or core
  bool operator>(const Action &o) const {
    return timePs != o.timePs ? timePs > o.timePs : seq > o.seq;
  }
};

struct MemorySystem::State : ChannelClient {
  MemorySystem &owner;
  ArchConfig config;
  HbmStorage &storage;
  MemTimebase timebase;
  AddressMapper mapper;
  std::vector<std::unique_ptr<LinkBandwidth>> tsv; ///< per stack
  std::vector<std::unique_ptr<ChannelController>> channels;
  std::unique_ptr<Noc> noc;
  std::vector<size_t> farthestHops; ///< per core: links to its farthest stack
  /// Per core and stack: the NoC routes of a bulk transfer, their links
  /// (at least one, for the byte-hop count) and the latency of the way back.
  struct StackPath {
    const Noc::Route *toStack = nullptr, *toCore = nullptr;
    uint64_t toStackLinks = 1, toCoreLinks = 1;
    double backHopCycles = 0;
  };
  std::vector<StackPath> stackPaths; ///< [core][stack]
  AnalyticModel analytic;
  TraceWriter *trace = nullptr;
  std::vector<TraceWriter::Track> bulkTracks;
  MemoryListener *listener = nullptr;
  bool analyticMode;
  uint32_t burstBytes;

  // Requests in flight.
  struct Segment {
    uint64_t address;
    uint32_t bytes;
    uint32_t globalPc;
  };
  struct Pending {
    tlm::tlm_generic_payload *trans = nullptr;
    uint32_t core = 0;
    uint32_t segmentsLeft = 0;
    double readyCycle = 0; ///< response arrives at the core
    uint64_t acceptCycle = 0;
    bool error = false;
    Segment segments[4];
    uint32_t segmentCount = 0;
  };
  std::vector<Pending> pending;
  std::vector<uint32_t> freePending;
  uint64_t accepted = 0, inFlight = 0;

  // Queue credits per pseudo-channel: taken when a request is accepted,
  // returned when its data has left the stack.
  std::vector<int64_t> credits;
  std::vector<std::priority_queue<double, std::vector<double>, std::greater<double>>> releases;

  // Per core socket.
  struct Port {
    bool responseBusy = false; ///< BEGIN_RESP sent, END_RESP not yet seen
    std::deque<uint32_t> responses; ///< pending indices waiting for the socket
    int64_t blocked = -1;           ///< pending index waiting for credits
    tlm::tlm_generic_payload *blockedTrans = nullptr;
  };
  std::vector<Port> ports;
  uint32_t blockedCount = 0;
  uint64_t admitAt = UINT64_MAX; ///< time of the pending Admit action

  // The action queue and its event.
  std::priority_queue<Action, std::vector<Action>, std::greater<Action>> actions;
  uint64_t actionSeq = 0;
  sc_core::sc_event event;
  std::vector<uint64_t> wakeAt; ///< per channel: scheduled wake (ps), or max

  // Stats.
  sim::Scalar *statRequests = nullptr, *statReadBytes = nullptr, *statWriteBytes = nullptr;
  sim::Scalar *statLatency = nullptr, *statMaxLatency = nullptr, *statBlocked = nullptr;
  sim::Scalar *statBulk = nullptr, *statBulkBytes = nullptr, *statPeerBytes = nullptr;

  State(MemorySystem &o, const ArchConfig &c, HbmStorage &st, StatGroup &stats, TraceWriter *tr)
      : owner(o), config(c), storage(st), timebase{MemClock(c.hbm.clockMHz), 0},
        mapper(c.hbm), analytic(c.hbm, mapper), analyticMode(c.hbm.model == "analytic"),
        burstBytes(c.hbm.busBitsPerPseudoChannel / 8 * c.hbm.burstLength) {
    if (tr && tr->enabled())
      trace = tr;
    StatGroup &hbm = stats.child("hbm");
    StatGroup &nocStats = stats.child("noc");
    for (uint32_t s = 0; s < c.hbm.stacks; ++s)
      tsv.push_back(std::make_unique<LinkBandwidth>(c.hbm.tsvBytesPerCycle));
    uint32_t nch = c.hbm.stacks * c.hbm.channelsPerStack;
    for (uint32_t ch = 0; ch < nch; ++ch) {
      channels.push_back(std::make_unique<ChannelController>(
          config.hbm, mapper, ch, tsv[ch / c.hbm.channelsPerStack].get(), &timebase, &hbm,
          trace));
      channels.back()->setClient(this);
    }
    noc = std::make_unique<Noc>(config, &timebase, &nocStats);
    farthestHops.assign(c.numCores, 0);
    for (uint32_t core = 0; core < c.numCores; ++core)
      for (uint32_t s = 0; s < c.hbm.stacks; ++s) {
        farthestHops[core] = std::max(farthestHops[core], noc->coreToStack(core, s).links.size());
        StackPath path;
        path.toStack = &noc->coreToStack(core, s);
        path.toCore = &noc->stackToCore(s, core);
        path.toStackLinks = std::max<uint64_t>(1, path.toStack->links.size());
        path.toCoreLinks = std::max<uint64_t>(1, path.toCore->links.size());
        path.backHopCycles = double(path.toCore->links.size()) * config.noc.hopCycles;
        stackPaths.push_back(path);
      }
    credits.assign(mapper.totalPseudoChannels(), c.hbm.queueDepth);
    releases.resize(mapper.totalPseudoChannels());
    ports.resize(c.numCores);
    wakeAt.assign(nch, UINT64_MAX);
    if (trace)
      for (uint32_t s = 0; s < c.hbm.stacks; ++s)
        bulkTracks.push_back(trace->track("hbm", ChannelController::kTracePid,
                                          "stack" + std::to_string(s) + ".bulk",
                                          20000 + s));
    registerStats(hbm);
  }

  void registerStats(StatGroup &g) {
    statRequests = &g.scalar("requests", "requests answered (TLM transactions)", "requests");
    statReadBytes = &g.scalar("readBytes", "bytes read by requests", "bytes");
    statWriteBytes = &g.scalar("writeBytes", "bytes written by requests", "bytes");
    statLatency = &g.scalar("totalLatency", "sum of request latencies, accept to response",
                            "ns");
    statMaxLatency = &g.scalar("maxLatency", "longest request latency", "ns");
    statBlocked = &g.scalar("blockedRequests",
                            "requests whose END_REQ waited for a queue slot", "requests");
    statBulk = &g.scalar("bulkTransfers", "transfers timed by the analytic model",
                         "transfers");
    statBulkBytes = &g.scalar("bulkBytes", "bytes timed by the analytic model", "bytes");
    statPeerBytes = &g.scalar("peerBytes", "bytes copied core to core over the NoC", "bytes");
    g.formula("avgLatency", "mean request latency, accept to response", "ns", [this] {
      return statRequests->value() ? statLatency->value() / statRequests->value() : 0.0;
    });
    g.formula("peakBandwidth", "stacks x channels x pseudo-channels x bus bytes x 2 x clock",
              "GB/s", [this] { return config.hbm.peakBytesPerSecond() / 1e9; });
    g.formula("bandwidth", "bytes of requests and bulk transfers / elapsed time", "GB/s",
              [this] {
                double ns = timebase.elapsedNs();
                return ns > 0 ? (statReadBytes->value() + statWriteBytes->value() +
                                 statBulkBytes->value()) /
                                    ns
                              : 0.0;
              });
    g.formula("utilization", "bandwidth / peak bandwidth", "ratio", [this] {
      double ns = timebase.elapsedNs();
      return ns > 0 ? (statReadBytes->value() + statWriteBytes->value() +
                       statBulkBytes->value()) /
                          ns / (config.hbm.peakBytesPerSecond() / 1e9)
                    : 0.0;
    });
    g.formula("elapsed", "time the memory system has been observed", "ns",
              [this] { return timebase.elapsedNs(); });
  }

  // --- time ---------------------------------------------------------------
  uint64_t nowCycle() { return cycleOf(simNow()); }
  /// The first memory cycle at or after `t`. Remembered for the last time
  /// asked (a core issues its DMAs several at one instant) until the clock
  /// changes.
  uint64_t cycleOf(const sc_time &t) {
    if (t.value() != cycleOfPs) {
      cycleOfPs = t.value();
      cycleOfResult = timebase.clock.cycleAtOrAfter(t.to_seconds() * 1e9);
    }
    return cycleOfResult;
  }
  uint64_t cycleOfPs = UINT64_MAX, cycleOfResult = 0;
  uint64_t psOfCycle(double cycle) const { return timebase.clock.ps(cycle); }
  void observe(double cycle) {
    uint64_t c = uint64_t(std::ceil(cycle));
    if (c > timebase.endCycle)
      timebase.endCycle = c;
  }

  // --- action queue -------------------------------------------------------
  void schedule(Action::Kind kind, uint32_t index, uint64_t timePs) {
    uint64_t now = sc_core::sc_time_stamp().value();
    timePs = std::max(timePs, now);
    actions.push(Action{timePs, actionSeq++, kind, index});
    if (actions.top().timePs == timePs && actions.top().seq == actionSeq - 1)
      event.notify(sc_time::from_value(timePs - now));
  }

  void scheduleWake(uint32_t ch) {
    uint64_t next = channels[ch]->nextCommandCycle();
    if (next == ChannelController::kNever)
      return;
    uint64_t ps = psOfCycle(double(next));
    if (ps >= wakeAt[ch])
      return;
    wakeAt[ch] = ps;
    schedule(Action::Wake, ch, ps);
  }

  /// One pending admission pass at a time: every blocked port that fails
  /// reschedules it, so one action per port would multiply at each pass.
  void scheduleAdmit(uint64_t ps) {
    ps = std::max(ps, uint64_t(sc_core::sc_time_stamp().value()));
    if (ps >= admitAt)
      return;
    admitAt = ps;
    schedule(Action::Admit, 0, ps);
  }

  void run() {
    uint64_t now = sc_core::sc_time_stamp().value();
    // A bounded number of actions can be due at one instant (a few per
    // request in flight); far more means two of them re-arm each other
    // without time advancing, which must stop the run, not exhaust memory.
    const uint64_t limit = 64 * (uint64_t(pending.size()) + channels.size() + ports.size()) + 4096;
    uint64_t handled = 0;
    while (!actions.empty() && actions.top().timePs <= now) {
      if (++handled > limit)
        throw std::logic_error("memory system: actions at " + std::to_string(now) +
                               " ps keep re-arming without time advancing (a model bug)");
      Action a = actions.top();
      actions.pop();
      switch (a.kind) {
      case Action::Wake:
        if (wakeAt[a.index] != a.timePs)
          break; // superseded by an earlier wake
        wakeAt[a.index] = UINT64_MAX;
        channels[a.index]->advance(nowCycle() + config.hbm.frontendCycles);
        scheduleWake(a.index);
        break;
      case Action::Respond:
        respond(a.index);
        break;
      case Action::BeginReq:
        beginRequest(pending[a.index].core, a.index, /*inline=*/false);
        break;
      case Action::Admit:
        if (admitAt != a.timePs)
          break; // superseded by an earlier admission pass
        admitAt = UINT64_MAX;
        admitBlocked();
        break;
      case Action::SendResponse:
        sendNextResponse(a.index);
        break;
      }
    }
    if (!actions.empty())
      event.notify(sc_time::from_value(actions.top().timePs - now));
  }

  // --- credits ------------------------------------------------------------
  /// Compares on the picosecond grid the Admit action was scheduled on: a
  /// release a fraction of a cycle past an integer cycle is due at the
  /// rounded time its wake-up fires, or the blocked request would re-arm the
  /// same wake-up forever.
  void drainReleases(uint32_t pc, uint64_t nowPs) {
    auto &r = releases[pc];
    while (!r.empty() && psOfCycle(r.top()) <= nowPs) {
      r.pop();
      ++credits[pc];
    }
  }

  /// Takes the credits of every segment, or none.
  bool takeCredits(const Pending &p) {
    const uint64_t nowPs = sc_core::sc_time_stamp().value();
    for (uint32_t i = 0; i < p.segmentCount; ++i)
      drainReleases(p.segments[i].globalPc, nowPs);
    for (uint32_t i = 0; i < p.segmentCount; ++i) {
      uint32_t pc = p.segments[i].globalPc, need = 0;
      for (uint32_t j = 0; j < p.segmentCount; ++j)
        need += p.segments[j].globalPc == pc;
      if (credits[pc] < int64_t(need))
        return false;
    }
    for (uint32_t i = 0; i < p.segmentCount; ++i)
      --credits[p.segments[i].globalPc];
    return true;
  }

  // --- requests -----------------------------------------------------------
  uint32_t allocPending() {
    if (!freePending.empty()) {
      uint32_t i = freePending.back();
      freePending.pop_back();
      return i;
    }
    pending.emplace_back();
    return uint32_t(pending.size() - 1);
  }

  tlm::tlm_sync_enum fw(uint32_t core, tlm::tlm_generic_payload &trans, tlm::tlm_phase &phase,
                        sc_time &delay) {
    if (phase == tlm::BEGIN_REQ) {
      uint32_t idx = allocPending();
      Pending &p = pending[idx];
      p = Pending{};
      p.trans = &trans;
      p.core = core;
      if (trans.has_mm())
        trans.acquire();
      ++inFlight;
      split(p);
      if (delay != SC_ZERO_TIME) {
        schedule(Action::BeginReq, idx, (sc_core::sc_time_stamp() + delay).value());
        return tlm::TLM_ACCEPTED;
      }
      if (beginRequest(core, idx, /*inline=*/true)) {
        phase = tlm::END_REQ;
        return tlm::TLM_UPDATED;
      }
      return tlm::TLM_ACCEPTED;
    }
    if (phase == tlm::END_RESP) {
      Port &port = ports[core];
      port.responseBusy = false;
      if (!port.responses.empty())
        schedule(Action::SendResponse, core, (sc_core::sc_time_stamp() + delay).value());
      return tlm::TLM_COMPLETED;
    }
    SC_REPORT_ERROR("strata/mem", "MemorySystem: unexpected phase on the forward path "
                                  "(only BEGIN_REQ and END_RESP are valid)");
    return tlm::TLM_COMPLETED;
  }

  /// Validates the payload and splits it where the address mapping moves
  /// to another pseudo-channel, bank or row.
  void split(Pending &p) {
    tlm::tlm_generic_payload &t = *p.trans;
    uint64_t addr = t.get_address();
    uint32_t len = t.get_data_length();
    if (t.get_byte_enable_ptr()) {
      t.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
      p.error = true;
    } else if (len == 0 || len > config.core.dma.requestBytes ||
               (t.get_streaming_width() != 0 && t.get_streaming_width() < len)) {
      t.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
      p.error = true;
    } else if (!storage.checkRange(addr, len) || addr + len > mapper.capacity() ||
               (t.get_command() != tlm::TLM_READ_COMMAND &&
                t.get_command() != tlm::TLM_WRITE_COMMAND)) {
      t.set_response_status(t.get_command() == tlm::TLM_IGNORE_COMMAND
                                ? tlm::TLM_COMMAND_ERROR_RESPONSE
                                : tlm::TLM_ADDRESS_ERROR_RESPONSE);
      p.error = true;
    }
    if (p.error)
      return;
    while (len > 0) {
      uint32_t n = uint32_t(std::min<uint64_t>(len, mapper.contiguousBytes(addr)));
      if (p.segmentCount == 4) { // cannot happen with chunks >= 64 B; be safe
        t.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
        p.error = true;
        return;
      }
      p.segments[p.segmentCount++] = Segment{addr, n, mapper.decode(addr).globalPc};
      addr += n;
      len -= n;
    }
  }

  /// Accepts the request if its queues have room; returns false when it
  /// must wait (END_REQ then follows from admitBlocked()).
  bool beginRequest(uint32_t core, uint32_t idx, bool isInline) {
    Pending &p = pending[idx];
    if (!p.error && !takeCredits(p)) {
      Port &port = ports[core];
      port.blocked = idx;
      ++blockedCount;
      *statBlocked += 1;
      scheduleAdmitFromReleases(p);
      return false;
    }
    start(idx);
    if (!isInline)
      sendEndReq(core, *p.trans);
    return true;
  }

  void sendEndReq(uint32_t core, tlm::tlm_generic_payload &trans) {
    tlm::tlm_phase phase = tlm::END_REQ;
    sc_time delay = SC_ZERO_TIME;
    (*owner.sockets_[core])->nb_transport_bw(trans, phase, delay);
  }

  void scheduleAdmitFromReleases(const Pending &p) {
    double soonest = -1;
    for (uint32_t i = 0; i < p.segmentCount; ++i) {
      auto &r = releases[p.segments[i].globalPc];
      if (!r.empty() && (soonest < 0 || r.top() < soonest))
        soonest = r.top();
    }
    if (soonest >= 0)
      scheduleAdmit(psOfCycle(soonest));
    // Otherwise the holders are still queued: requestDone() schedules it.
  }

  void admitBlocked() {
    for (uint32_t c = 0; c < ports.size() && blockedCount; ++c) {
      Port &port = ports[c];
      if (port.blocked < 0)
        continue;
      uint32_t idx = uint32_t(port.blocked);
      Pending &p = pending[idx];
      if (!takeCredits(p)) {
        scheduleAdmitFromReleases(p);
        continue;
      }
      port.blocked = -1;
      --blockedCount;
      start(idx);
      sendEndReq(c, *p.trans);
    }
  }

  /// The request is accepted now: it crosses the NoC and joins its queues.
  void start(uint32_t idx) {
    Pending &p = pending[idx];
    uint64_t nowC = nowCycle();
    observe(double(nowC));
    p.acceptCycle = nowC;
    ++accepted;
    if (p.error) {
      p.readyCycle = double(nowC + 1);
      schedule(Action::Respond, idx, psOfCycle(p.readyCycle));
      return;
    }
    bool write = p.trans->get_command() == tlm::TLM_WRITE_COMMAND;
    p.segmentsLeft = p.segmentCount;
    for (uint32_t i = 0; i < p.segmentCount; ++i) {
      const Segment &s = p.segments[i];
      uint32_t ch = s.globalPc / config.hbm.pseudoChannels;
      uint32_t stack = ch / config.hbm.channelsPerStack;
      double arrive = noc->traverse(noc->coreToStack(p.core, stack), double(nowC),
                                    write ? s.bytes : 0);
      ChannelController &cc = *channels[ch];
      // Decide what precedes this request's visibility before queueing it.
      cc.advance(nowC + config.hbm.frontendCycles);
      ChannelRequest r;
      r.token = uint64_t(idx) * 4 + i; // the pending request and its segment
      r.address = s.address;
      r.bytes = s.bytes;
      r.write = write;
      r.arrivalCycle = uint64_t(std::ceil(arrive));
      cc.enqueue(r);
      scheduleWake(ch);
    }
  }

  void requestDone(uint32_t ch, const ChannelCompletion &done) override {
    uint32_t idx = uint32_t(done.token / 4);
    Pending &p = pending[idx];
    const Segment &seg = p.segments[done.token % 4];
    uint32_t stack = ch / config.hbm.channelsPerStack;
    // The queue slot frees when the data has left the stack.
    releases[seg.globalPc].push(done.doneCycle);
    if (blockedCount)
      scheduleAdmit(psOfCycle(done.doneCycle));
    double arrive = noc->traverse(noc->stackToCore(stack, p.core), done.doneCycle,
                                  done.write ? 0 : done.bytes);
    p.readyCycle = std::max(p.readyCycle, arrive);
    if (--p.segmentsLeft == 0)
      schedule(Action::Respond, idx, psOfCycle(p.readyCycle));
  }

  // --- responses ----------------------------------------------------------
  void respond(uint32_t idx) {
    Pending &p = pending[idx];
    observe(p.readyCycle);
    Port &port = ports[p.core];
    port.responses.push_back(idx);
    if (!port.responseBusy)
      sendNextResponse(p.core);
  }

  void sendNextResponse(uint32_t core) {
    Port &port = ports[core];
    while (!port.responseBusy && !port.responses.empty()) {
      uint32_t idx = port.responses.front();
      port.responses.pop_front();
      Pending &p = pending[idx];
      tlm::tlm_generic_payload &t = *p.trans;
      if (!p.error) {
        t.set_response_status(tlm::TLM_OK_RESPONSE);
        (t.get_command() == tlm::TLM_WRITE_COMMAND ? *statWriteBytes : *statReadBytes) +=
            t.get_data_length();
      }
      *statRequests += 1;
      double latencyNs = sc_core::sc_time_stamp().to_seconds() * 1e9 -
                         timebase.clock.ns(double(p.acceptCycle));
      *statLatency += latencyNs;
      statMaxLatency->max(latencyNs);
      --inFlight;
      freePending.push_back(idx);
      port.responseBusy = true;
      tlm::tlm_phase phase = tlm::BEGIN_RESP;
      sc_time delay = SC_ZERO_TIME;
      tlm::tlm_sync_enum r = (*owner.sockets_[core])->nb_transport_bw(t, phase, delay);
      if (r == tlm::TLM_COMPLETED || (r == tlm::TLM_UPDATED && phase == tlm::END_RESP))
        port.responseBusy = false;
      if (t.has_mm())
        t.release();
    }
  }

  // --- bulk ---------------------------------------------------------------
  sc_time bulk(uint32_t core, const BulkPattern &pattern, bool write, uint32_t *hint) {
    const uint64_t totalBytes = pattern.totalBytes();
    if (totalBytes == 0)
      return SC_ZERO_TIME;
    const sc_time now = simNow();
    uint64_t nowC = cycleOf(now);
    const HbmConfig &h = config.hbm;
    double start = double(nowC);
    // The descriptor reaches the stacks (the farthest one's hop latency) and
    // passes the controllers' front end.
    double dramStart = start + h.frontendCycles + double(farthestHops[core]) * config.noc.hopCycles;
    const AnalyticModel::Result &r = analytic.transfer(pattern, write, dramStart, hint);
    double done = r.doneCycle;
    MemoryActivity activity = r.activity;
    const double *stackBytes = r.stackBytes.data(), *dramDone = r.stackDone.data();
    const StackPath *paths = &stackPaths[size_t(core) * h.stacks];
    for (uint32_t s = 0; s < h.stacks; ++s) {
      double bytes = stackBytes[s];
      if (bytes <= 0)
        continue;
      const StackPath &path = paths[s];
      double tsvDone = tsv[s]->reserveBulk(dramStart, bytes);
      const Noc::Route &route = write ? *path.toStack : *path.toCore;
      activity.nocByteHops += uint64_t(bytes) * (write ? path.toStackLinks : path.toCoreLinks);
      double nocDone = write ? noc->reserveBulk(route, start, bytes) + h.frontendCycles +
                                   h.timing.tWL
                             : noc->reserveBulk(route, dramStart, bytes);
      double stackDone = std::max(std::max(dramDone[s], tsvDone), nocDone);
      if (!write) // the last data also crosses the NoC after the DRAM
        stackDone = std::max(stackDone, dramDone[s] + path.backHopCycles);
      else // the acknowledgement returns
        stackDone += path.backHopCycles;
      done = std::max(done, stackDone);
      if (trace) {
        double s0 = timebase.clock.ns(dramStart);
        trace->slice(bulkTracks[s], write ? "bulk write" : "bulk read", s0,
                     timebase.clock.ns(stackDone) - s0,
                     "\"bytes\":" + std::to_string(uint64_t(bytes)) + ",\"core\":" +
                         std::to_string(core));
      }
    }
    observe(done);
    *statBulk += 1;
    *statBulkBytes += double(totalBytes);
    if (listener)
      listener->onBulkActivity(activity, timebase.clock.ns(start), timebase.clock.ns(done));
    return sc_time::from_value(psOfCycle(done)) - now;
  }

  sc_time peer(uint32_t src, uint32_t dst, uint64_t bytes) {
    if (bytes == 0 || src == dst)
      return SC_ZERO_TIME;
    uint64_t nowC = nowCycle();
    double done = noc->traverseBulk(noc->coreToCore(src, dst), double(nowC), double(bytes));
    observe(done);
    *statPeerBytes += double(bytes);
    uint64_t ps = psOfCycle(done);
    uint64_t now = simNowValue();
    return sc_time::from_value(ps > now ? ps - now : 0);
  }
};

MemorySystem::MemorySystem(sc_core::sc_module_name name, const ArchConfig &config,
                           HbmStorage &storage, StatGroup &stats, TraceWriter *trace)
    : sc_module(name) {
  if (Status s = validateMemoryConfig(config); !s)
    throw std::invalid_argument(s.message());
  if (storage.capacity() < config.hbm.totalCapacityBytes())
    throw std::invalid_argument(
        "MemorySystem: the HBM store holds " + std::to_string(storage.capacity()) +
        " bytes but the arch config describes " +
        std::to_string(config.hbm.totalCapacityBytes()));
  state_ = std::make_unique<State>(*this, config, storage, stats, trace);
  for (uint32_t c = 0; c < config.numCores; ++c) {
    auto socket = std::make_unique<TargetSocket>(("core" + std::to_string(c)).c_str());
    socket->register_nb_transport_fw(this, &MemorySystem::nbTransportFw, int(c));
    sockets_.push_back(std::move(socket));
  }
  sc_core::sc_spawn_options opts;
  opts.spawn_method();
  opts.set_sensitivity(&state_->event);
  opts.dont_initialize();
  sc_core::sc_spawn([this] { state_->run(); }, "actions", &opts);
}

/// The initiator side of an unused socket; nothing ever calls it.
struct MemorySystem::Stub : tlm::tlm_bw_transport_if<> {
  tlm::tlm_initiator_socket<32> socket;
  explicit Stub(const char *name) : socket(name) { socket.bind(*this); }
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload &, tlm::tlm_phase &,
                                     sc_time &) override {
    return tlm::TLM_COMPLETED;
  }
  void invalidate_direct_mem_ptr(sc_dt::uint64, sc_dt::uint64) override {}
};

void MemorySystem::before_end_of_elaboration() {
  for (size_t c = 0; c < sockets_.size(); ++c)
    if (sockets_[c]->get_base_port().bind_count() == 0) {
      stubs_.push_back(std::make_unique<Stub>(("unused" + std::to_string(c)).c_str()));
      stubs_.back()->socket.bind(*sockets_[c]);
    }
}

MemorySystem::~MemorySystem() = default;

MemorySystem::TargetSocket &MemorySystem::socket(unsigned core) {
  if (core >= sockets_.size())
    throw std::out_of_range("MemorySystem::socket: core " + std::to_string(core) +
                            " does not exist (numCores = " +
                            std::to_string(sockets_.size()) + ")");
  return *sockets_[core];
}

bool MemorySystem::analytic() const { return state_->analyticMode; }

sc_core::sc_time MemorySystem::bulkTransfer(unsigned core, const BulkPattern &pattern,
                                            bool write, uint32_t *footprintHint) {
  return state_->bulk(core % state_->config.numCores, pattern, write, footprintHint);
}

sc_core::sc_time MemorySystem::peerTransfer(unsigned src, unsigned dst, uint64_t bytes) {
  uint32_t n = state_->config.numCores;
  return state_->peer(src % n, dst % n, bytes);
}

void MemorySystem::setListener(MemoryListener *listener) {
  state_->listener = listener;
  for (auto &c : state_->channels)
    c->setListener(listener);
  state_->noc->setListener(listener);
}

void MemorySystem::setClockMHz(double mhz) {
  if (!(mhz > 0))
    throw std::invalid_argument("MemorySystem::setClockMHz: the frequency must be positive");
  state_->timebase.clock.setMHz(mhz, simNowNs());
  state_->cycleOfPs = UINT64_MAX; // cycles now count at the new rate
}

double MemorySystem::clockMHz() const { return state_->timebase.clock.mhz(); }

uint64_t MemorySystem::requestsAccepted() const { return state_->accepted; }
uint64_t MemorySystem::requestsInFlight() const { return state_->inFlight; }

void MemorySystem::finalizeStats() {
  uint64_t now = state_->nowCycle();
  state_->observe(double(now));
  // Idle channels decide their refreshes lazily: account for them up to now.
  for (auto &c : state_->channels) {
    c->advance(now);
    c->flushTrace();
  }
}

tlm::tlm_sync_enum MemorySystem::nbTransportFw(int id, tlm::tlm_generic_payload &trans,
                                               tlm::tlm_phase &phase, sc_time &delay) {
  return state_->fw(uint32_t(id), trans, phase, delay);
}

void MemorySystem::wakeChannel(unsigned channel) {
  state_->channels[channel]->advance(state_->nowCycle() + state_->config.hbm.frontendCycles);
  state_->scheduleWake(channel);
}

} // namespace strata::sim::mem
