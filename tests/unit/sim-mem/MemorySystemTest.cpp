//===- MemorySystemTest.cpp - TLM protocol, latency, stats, trace, determinism ===//

#include "TestPaths.h"
#include "MemTestUtil.h"
#include "SystemCTest.h"

#include "strata/sim/mem/HbmStorage.h"
#include "strata/sim/stats/Stats.h"
#include "strata/sim/trace/Trace.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <random>

using namespace strata;
using namespace strata::sim;
using namespace strata::sim::mem;
using namespace strata::sim::mem::test;

class MemorySystemTest : public strata::test::SystemCTest {};

TEST_F(MemorySystemTest, SingleReadLatencyMatchesTheClosedForm) {
  ArchConfig c = oneChannelConfig();
  HbmStorage storage(c.hbm.totalCapacityBytes());
  StatGroup stats("chip");
  MemorySystem mem("mem", c, storage, stats);
  TrafficGen gen("gen", mem, {{Req{0, 64, false}}});
  sc_core::sc_start();
  ASSERT_EQ(gen.completed, 1u);
  const HbmTiming &t = c.hbm.timing;
  double bc = c.hbm.burstLength / 2, hop = c.noc.hopCycles;
  // Request header crosses one hop; the controller's front end; ACT; two
  // bursts in one bank group (tCCD_L apart); tCL and the burst; the 64 data
  // bytes back over the link plus its hop.
  double firstRd = hop + c.hbm.frontendCycles + t.tRCD;
  double lastRd = firstRd + std::max<double>(t.tCCD_L, bc);
  double cycles = lastRd + t.tCL + bc + 64 / c.noc.linkBytesPerCycle + hop;
  double expectNs = cycles * 1000.0 / c.hbm.clockMHz;
  EXPECT_NEAR(gen.responseNs.at(0), expectNs, 0.01);
}

TEST_F(MemorySystemTest, BadRequestsGetErrorResponsesNotCrashes) {
  ArchConfig c = oneChannelConfig();
  HbmStorage storage(c.hbm.totalCapacityBytes());
  StatGroup stats("chip");
  MemorySystem mem("mem", c, storage, stats);
  uint64_t cap = c.hbm.totalCapacityBytes();
  TrafficGen gen("gen", mem,
                 {{Req{cap - 16, 64, false},                  // past the end
                   Req{0, c.core.dma.requestBytes + 1, false}, // too long
                   Req{128, 0, true},                          // empty
                   Req{4096, 64, true}}});                     // fine
  sc_core::sc_start();
  EXPECT_EQ(gen.completed, 4u);
  EXPECT_EQ(gen.errors, 3u);
}

TEST_F(MemorySystemTest, UnalignedRequestsSplitAcrossPseudoChannels) {
  ArchConfig c = oneChannelConfig();
  HbmStorage storage(c.hbm.totalCapacityBytes());
  StatGroup stats("chip");
  MemorySystem mem("mem", c, storage, stats);
  CommandLog log;
  mem.setListener(&log);
  // 256 bytes starting mid-chunk: half in pseudo-channel 0, half in 1.
  TrafficGen gen("gen", mem, {{Req{128, 256, false}}});
  sc_core::sc_start();
  EXPECT_EQ(gen.completed, 1u);
  EXPECT_EQ(gen.errors, 0u);
  auto rds = log.of(DramCommandKind::Read);
  ASSERT_EQ(rds.size(), 8u);
  int pc1 = 0;
  for (const DramCommand &r : rds)
    pc1 += r.pseudoChannel;
  EXPECT_EQ(pc1, 4);
  double b0 = 0, b1 = 0;
  ASSERT_TRUE(stats.lookup("hbm.stack0.ch0.pc0.readBytes", b0));
  ASSERT_TRUE(stats.lookup("hbm.stack0.ch0.pc1.readBytes", b1));
  EXPECT_EQ(b0, 128);
  EXPECT_EQ(b1, 128);
}

TEST_F(MemorySystemTest, DelayedBeginReqIsHonoured) {
  // An initiator that annotates a delay on BEGIN_REQ: the request starts then.
  struct Init : sc_core::sc_module {
    SC_HAS_PROCESS(Init);
    tlm_utils::simple_initiator_socket<Init> socket{"socket"};
    tlm::tlm_generic_payload t;
    uint8_t dummy[64];
    double endReqNs = -1, respNs = -1;
    Init(sc_core::sc_module_name n) : sc_module(n) {
      socket.register_nb_transport_bw(this, &Init::bw);
      SC_THREAD(go);
    }
    void go() {
      t.set_command(tlm::TLM_READ_COMMAND);
      t.set_address(0);
      t.set_data_length(64);
      t.set_data_ptr(dummy);
      tlm::tlm_phase ph = tlm::BEGIN_REQ;
      sc_core::sc_time d(100, sc_core::SC_NS);
      EXPECT_EQ(socket->nb_transport_fw(t, ph, d), tlm::TLM_ACCEPTED);
    }
    tlm::tlm_sync_enum bw(tlm::tlm_generic_payload &, tlm::tlm_phase &ph, sc_core::sc_time &) {
      double now = sc_core::sc_time_stamp().to_seconds() * 1e9;
      if (ph == tlm::END_REQ)
        endReqNs = now;
      if (ph == tlm::BEGIN_RESP) {
        respNs = now;
        return tlm::TLM_ACCEPTED; // and send END_RESP later
      }
      return tlm::TLM_ACCEPTED;
    }
  };
  ArchConfig c = oneChannelConfig();
  HbmStorage storage(c.hbm.totalCapacityBytes());
  StatGroup stats("chip");
  MemorySystem mem("mem", c, storage, stats);
  Init init("init");
  init.socket.bind(mem.socket(0));
  sc_core::sc_start();
  EXPECT_DOUBLE_EQ(init.endReqNs, 100.0);
  EXPECT_GT(init.respNs, 100.0 + 40.0);
  // END_RESP completes the transaction on the target side.
  tlm::tlm_phase ph = tlm::END_RESP;
  sc_core::sc_time d = sc_core::SC_ZERO_TIME;
  EXPECT_EQ(init.socket->nb_transport_fw(init.t, ph, d), tlm::TLM_COMPLETED);
  EXPECT_EQ(mem.requestsInFlight(), 0u);
}

namespace {
struct Snapshot {
  std::vector<double> responses;
  std::string statsJson;
};

Snapshot randomRun() {
  ArchConfig c = oneStackConfig();
  c.numCores = 2;
  HbmStorage storage(c.hbm.totalCapacityBytes());
  StatGroup stats("chip");
  MemorySystem mem("mem", c, storage, stats);
  std::mt19937_64 rng(42);
  std::vector<std::deque<Req>> work(2);
  for (int i = 0; i < 3000; ++i)
    work[i % 2].push_back(Req{(rng() % (c.hbm.totalCapacityBytes() / 64)) * 64,
                              uint32_t(32 + 32 * (rng() % 7)), rng() % 3 == 0});
  TrafficGen gen("gen", mem, std::move(work), 48);
  sc_core::sc_start();
  mem.finalizeStats();
  return Snapshot{gen.responseNs, stats.toJson().dump()};
}
} // namespace

TEST_F(MemorySystemTest, RunsAreDeterministic) {
  Snapshot a = randomRun();
  strata::test::freshSimContext();
  Snapshot b = randomRun();
  ASSERT_EQ(a.responses.size(), 3000u);
  EXPECT_EQ(a.responses, b.responses);
  EXPECT_EQ(a.statsJson, b.statsJson);
}

TEST_F(MemorySystemTest, StatsAndListenerAgree) {
  struct Counter : MemoryListener {
    uint64_t acts = 0, refs = 0, readBytes = 0, nocBytes = 0;
    void onCommand(const DramCommand &c) override {
      acts += c.kind == DramCommandKind::Activate;
      refs += c.kind == DramCommandKind::Refresh;
      if (c.kind == DramCommandKind::Read)
        readBytes += c.bytes;
    }
    void onNocTransfer(uint64_t bytes, uint32_t, double) override { nocBytes += bytes; }
  } counter;
  ArchConfig c = oneChannelConfig();
  HbmStorage storage(c.hbm.totalCapacityBytes());
  StatGroup stats("chip");
  MemorySystem mem("mem", c, storage, stats);
  mem.setListener(&counter);
  TrafficGen gen("gen", mem, {sequential(0, 256 << 10, 128)});
  sc_core::sc_start();
  mem.finalizeStats();
  nlohmann::json j = stats.toJson();
  const auto &pc0 = j["hbm"]["stack0"]["ch0"]["pc0"];
  const auto &pc1 = j["hbm"]["stack0"]["ch0"]["pc1"];
  double acts = pc0["activates"]["value"].get<double>() + pc1["activates"]["value"].get<double>();
  EXPECT_EQ(double(counter.acts), acts);
  EXPECT_EQ(double(counter.refs), j["hbm"]["stack0"]["ch0"]["refreshes"]["value"].get<double>());
  EXPECT_GT(counter.refs, 0u);
  EXPECT_EQ(counter.readBytes, 256u << 10);
  EXPECT_EQ(counter.nocBytes, 256u << 10);
  EXPECT_EQ(pc0["rowHitRate"]["unit"], "ratio");
  EXPECT_GT(pc0["rowHitRate"]["value"].get<double>(), 0.8);
  EXPECT_GT(pc0["avgQueueOccupancy"]["value"].get<double>(), 1.0);
  EXPECT_GT(j["hbm"]["stack0"]["ch0"]["utilization"]["value"].get<double>(), 0.5);
  EXPECT_GT(j["hbm"]["bandwidth"]["value"].get<double>(), 0.0);
  EXPECT_TRUE(j["noc"].contains("stack0_to_core0"));
  EXPECT_GT(j["noc"]["stack0_to_core0"]["bytes"]["value"].get<double>(), 0.0);
}

TEST_F(MemorySystemTest, TraceHasATrackPerChannelWithBusyAndRefreshSlices) {
  std::string path = strata::test::tempPath("strata-mem-trace.json");
  TraceWriter trace;
  ASSERT_TRUE(trace.open(path).isOk());
  {
    ArchConfig c = oneChannelConfig();
    HbmStorage storage(c.hbm.totalCapacityBytes());
    StatGroup stats("chip");
    MemorySystem mem("mem", c, storage, stats, &trace);
    TrafficGen gen("gen", mem, {sequential(0, 256 << 10, 256)});
    sc_core::sc_start();
    mem.finalizeStats();
  }
  ASSERT_TRUE(trace.close().isOk());
  std::ifstream in(path);
  nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(j.is_discarded());
  auto events = j.is_array() ? j : j["traceEvents"];
  bool track = false, busy = false, refresh = false;
  for (const auto &e : events) {
    if (e.value("ph", "") == "M" && e.contains("args") &&
        e["args"].value("name", "") == "stack0.ch0")
      track = true;
    if (e.value("ph", "") == "X" && e.value("name", "") == "busy")
      busy = true;
    if (e.value("ph", "") == "X" && e.value("name", "") == "refresh")
      refresh = true;
  }
  EXPECT_TRUE(track);
  EXPECT_TRUE(busy);
  EXPECT_TRUE(refresh);
  std::remove(path.c_str());
}

TEST_F(MemorySystemTest, InvalidConfigIsReportedWithTheField) {
  ArchConfig c = oneChannelConfig();
  c.hbm.scheduler = "round-robin";
  HbmStorage storage(c.hbm.totalCapacityBytes());
  StatGroup stats("chip");
  try {
    MemorySystem mem("mem", c, storage, stats);
    FAIL() << "expected an error";
  } catch (const std::invalid_argument &e) {
    EXPECT_NE(std::string(e.what()).find("hbm.scheduler"), std::string::npos) << e.what();
  }
  ArchConfig d = oneChannelConfig();
  HbmStorage tiny(1024);
  EXPECT_THROW(MemorySystem("mem2", d, tiny, stats), std::invalid_argument);
}

TEST_F(MemorySystemTest, LowerMemoryClockStretchesTheRun) {
  auto finish = [](double mhz) {
    ArchConfig c = oneChannelConfig();
    c.hbm.clockMHz = mhz;
    HbmStorage storage(c.hbm.totalCapacityBytes());
    StatGroup stats("chip");
    MemorySystem mem("mem", c, storage, stats);
    TrafficGen gen("gen", mem, {sequential(0, 64 << 10, 256)});
    sc_core::sc_start();
    return gen.finish();
  };
  double fast = finish(1200);
  strata::test::freshSimContext();
  double slow = finish(600);
  EXPECT_NEAR(slow / fast, 2.0, 0.02);
}

TEST_F(MemorySystemTest, PeerTransferCostsLinkTimeAndHops) {
  ArchConfig c = oneChannelConfig();
  c.numCores = 4;
  c.noc.linkBytesPerCycle = 64;
  HbmStorage storage(c.hbm.totalCapacityBytes());
  StatGroup stats("chip");
  MemorySystem mem("mem", c, storage, stats);
  sc_core::sc_time first, second;
  sc_core::sc_spawn([&] {
    first = mem.peerTransfer(0, 3, 64 * 1024);
    second = mem.peerTransfer(0, 3, 64 * 1024); // queued behind the first
  });
  sc_core::sc_start();
  double period = 1000.0 / c.hbm.clockMHz;
  EXPECT_NEAR(first.to_seconds() * 1e9, (1024 + c.noc.hopCycles) * period, 0.01);
  EXPECT_NEAR(second.to_seconds() * 1e9, (2048 + c.noc.hopCycles) * period, 0.01);
  EXPECT_EQ(mem.peerTransfer(1, 1, 100), sc_core::SC_ZERO_TIME);
}
