//===- MemTestUtil.h - Configs, a command recorder and a TLM traffic generator -===//
#pragma once

#include "strata/sim/mem/ChannelController.h"
#include "strata/sim/mem/MemorySystem.h"
#include "strata/target/ArchConfig.h"

#include <tlm_utils/simple_initiator_socket.h>

#include <deque>
#include <memory>
#include <random>
#include <vector>

namespace strata::sim::mem::test {

/// The tests written for all-bank refresh pin it, so they keep checking that
/// mode exactly; the per-bank tests ask for perBank(...).
inline ArchConfig allBank(ArchConfig c) {
  c.hbm.refresh = "all-bank";
  return c;
}
inline ArchConfig perBank(ArchConfig c) {
  c.hbm.refresh = "per-bank";
  return c;
}

/// One stack, one channel, two pseudo-channels, 4 x 4 banks, 1 KiB rows: the
/// timing tests reason about one channel. All-bank refresh.
inline ArchConfig oneChannelConfig() {
  ArchConfig c;
  c.hbm.refresh = "all-bank";
  c.numCores = 1;
  c.hbm.stacks = 1;
  c.hbm.channelsPerStack = 1;
  c.hbm.capacityBytesPerStack = 64ull << 20;
  c.noc.linkBytesPerCycle = 1024; // the NoC out of the way
  return c;
}

/// One stack of eight channels (16 pseudo-channels): bandwidth tests.
/// All-bank refresh.
inline ArchConfig oneStackConfig() {
  ArchConfig c;
  c.hbm.refresh = "all-bank";
  c.numCores = 1;
  c.hbm.stacks = 1;
  c.hbm.capacityBytesPerStack = 1ull << 30;
  c.noc.linkBytesPerCycle = 4096;
  return c;
}

/// Records every DRAM command.
struct CommandLog : MemoryListener {
  std::vector<DramCommand> commands;
  void onCommand(const DramCommand &c) override { commands.push_back(c); }
  std::vector<DramCommand> of(DramCommandKind kind) const {
    std::vector<DramCommand> out;
    for (const DramCommand &c : commands)
      if (c.kind == kind)
        out.push_back(c);
    return out;
  }
};

/// Collects completions of a bare controller.
struct Completions : ChannelClient {
  std::vector<ChannelCompletion> done;
  void requestDone(uint32_t, const ChannelCompletion &c) override { done.push_back(c); }
  const ChannelCompletion *find(uint64_t token) const {
    for (const ChannelCompletion &c : done)
      if (c.token == token)
        return &c;
    return nullptr;
  }
};

/// A bare channel controller with a recorder (no SystemC).
struct Channel {
  ArchConfig config;
  AddressMapper mapper;
  MemTimebase timebase;
  CommandLog log;
  Completions completions;
  ChannelController controller;
  uint64_t nextToken = 0;

  explicit Channel(const ArchConfig &c)
      : config(c), mapper(config.hbm), timebase{MemClock(c.hbm.clockMHz), 0},
        controller(config.hbm, mapper, 0, nullptr, &timebase, nullptr, nullptr) {
    controller.setListener(&log);
    controller.setClient(&completions);
  }
  /// Address of (pc, group, bank, row, column) in channel 0 of stack 0.
  uint64_t at(uint32_t pc, uint32_t group, uint32_t bank, uint32_t row, uint32_t column = 0) {
    DramLocation l;
    l.pseudoChannel = pc;
    l.bankGroup = group;
    l.bank = bank;
    l.row = row;
    l.column = column;
    return mapper.encode(l);
  }
  uint64_t read(uint64_t address, uint32_t bytes, uint64_t arrival = 0) {
    return push(address, bytes, false, arrival);
  }
  uint64_t write(uint64_t address, uint32_t bytes, uint64_t arrival = 0) {
    return push(address, bytes, true, arrival);
  }
  uint64_t push(uint64_t address, uint32_t bytes, bool write, uint64_t arrival) {
    ChannelRequest r;
    r.token = nextToken++;
    r.address = address;
    r.bytes = bytes;
    r.write = write;
    r.arrivalCycle = arrival;
    controller.enqueue(r);
    return r.token;
  }
  /// Runs until every queued request is done (refreshes included).
  void drain(uint64_t limit = 100000000) {
    uint64_t h = 0;
    while (controller.queuedTotal() && h < limit) {
      h = std::max(h + 1, controller.nextCommandCycle() + 1);
      controller.advance(h);
    }
  }
};

/// A request for the traffic generator.
struct Req {
  uint64_t address = 0;
  uint32_t bytes = 0;
  bool write = false;
};

/// Drives one MemorySystem socket per core with the AT base protocol:
/// back-to-back requests, at most `maxOutstanding` in flight per core.
struct TrafficGen : sc_core::sc_module {
  SC_HAS_PROCESS(TrafficGen);
  struct Core {
    std::unique_ptr<tlm_utils::simple_initiator_socket_tagged<TrafficGen>> socket;
    std::deque<Req> work;
    uint32_t outstanding = 0;
    sc_core::sc_event endReq, response;
    bool waitingEndReq = false;
  };
  std::vector<Core> cores;
  uint32_t maxOutstanding;
  uint64_t completed = 0, delayedEndReqs = 0, errors = 0;
  std::vector<double> finishNs; ///< per core: time of its last response
  std::vector<double> responseNs; ///< every response, in order
  uint8_t dummy[4096] = {};
  std::deque<tlm::tlm_generic_payload> payloads;

  TrafficGen(sc_core::sc_module_name n, MemorySystem &mem, std::vector<std::deque<Req>> work,
             uint32_t maxOutstanding_ = 64)
      : sc_module(n), cores(work.size()), maxOutstanding(maxOutstanding_),
        finishNs(work.size(), 0) {
    for (size_t c = 0; c < work.size(); ++c) {
      cores[c].work = std::move(work[c]);
      cores[c].socket = std::make_unique<tlm_utils::simple_initiator_socket_tagged<TrafficGen>>(
          ("init" + std::to_string(c)).c_str());
      cores[c].socket->register_nb_transport_bw(this, &TrafficGen::bw, int(c));
      cores[c].socket->bind(mem.socket(unsigned(c)));
      sc_core::sc_spawn_options o;
      sc_core::sc_spawn([this, c] { drive(c); }, ("drive" + std::to_string(c)).c_str(), &o);
    }
  }

  void drive(size_t c) {
    Core &core = cores[c];
    while (!core.work.empty()) {
      while (core.outstanding >= maxOutstanding)
        sc_core::wait(core.response);
      Req r = core.work.front();
      core.work.pop_front();
      payloads.emplace_back();
      tlm::tlm_generic_payload &t = payloads.back();
      t.set_command(r.write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
      t.set_address(r.address);
      t.set_data_length(r.bytes);
      t.set_streaming_width(r.bytes);
      t.set_data_ptr(dummy);
      t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
      ++core.outstanding;
      tlm::tlm_phase phase = tlm::BEGIN_REQ;
      sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
      core.waitingEndReq = true;
      tlm::tlm_sync_enum s = (*core.socket)->nb_transport_fw(t, phase, delay);
      if (s == tlm::TLM_UPDATED && phase == tlm::END_REQ) {
        core.waitingEndReq = false;
      } else {
        ++delayedEndReqs;
        while (core.waitingEndReq)
          sc_core::wait(core.endReq);
      }
    }
  }

  tlm::tlm_sync_enum bw(int id, tlm::tlm_generic_payload &t, tlm::tlm_phase &phase,
                        sc_core::sc_time &) {
    Core &core = cores[size_t(id)];
    if (phase == tlm::END_REQ) {
      core.waitingEndReq = false;
      core.endReq.notify();
      return tlm::TLM_ACCEPTED;
    }
    if (phase == tlm::BEGIN_RESP) {
      if (t.get_response_status() != tlm::TLM_OK_RESPONSE)
        ++errors;
      --core.outstanding;
      ++completed;
      double now = sc_core::sc_time_stamp().to_seconds() * 1e9;
      finishNs[size_t(id)] = now;
      responseNs.push_back(now);
      core.response.notify();
      return tlm::TLM_COMPLETED;
    }
    return tlm::TLM_ACCEPTED;
  }

  double finish() const {
    double f = 0;
    for (double v : finishNs)
      f = std::max(f, v);
    return f;
  }
};

/// `count` reads of `bytes` at random `bytes`-aligned addresses below
/// `capacity`, the same sequence for the same seed.
inline std::deque<Req> randomReads(uint64_t capacity, uint32_t count, uint32_t bytes,
                                   uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::deque<Req> q;
  for (uint32_t i = 0; i < count; ++i)
    q.push_back(Req{(rng() % (capacity / bytes)) * bytes, bytes, false});
  return q;
}

/// Sequential requests of `bytes` covering [base, base + total).
inline std::deque<Req> sequential(uint64_t base, uint64_t total, uint32_t bytes,
                                  bool write = false) {
  std::deque<Req> q;
  for (uint64_t a = base; a < base + total; a += bytes)
    q.push_back(Req{a, bytes, write});
  return q;
}

} // namespace strata::sim::mem::test
