//===- DvfsControllerTest.cpp - Governors and timing under SystemC --------===//
#include "TestPaths.h"
#include "PowerTestConfig.h"
#include "SystemCTest.h"

#include "strata/sim/power/DvfsController.h"
#include "strata/sim/power/PowerMonitor.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>

using namespace strata;
using namespace strata::sim;
using sc_core::SC_NS;
using sc_core::sc_time;

namespace {

double nowNs() { return sc_core::sc_time_stamp().to_seconds() * 1e9; }

/// Runs `body` as an SC_THREAD.
struct Driver : sc_core::sc_module {
  SC_HAS_PROCESS(Driver);
  Driver(sc_core::sc_module_name name, std::function<void()> body)
      : sc_module(name), body_(std::move(body)) {
    SC_THREAD(run);
  }
  void run() { body_(); }
  std::function<void()> body_;
};

/// A chip's DVFS and power parts, elaborated in the test's fresh context.
struct Bench {
  explicit Bench(const std::string &governor, ArchConfig a = test::powerTestConfig())
      : arch(std::move(a)), domains(ClockDomainSet::create(arch).takeValue()),
        stats("chip"), power(arch, domains, stats) {
    auto g = makeGovernor(governor, arch.dvfs);
    EXPECT_TRUE(g.isOk());
    dvfs = std::make_unique<DvfsController>("dvfs", domains, std::move(*g), arch.dvfs, stats);
  }
  void drive(std::function<void()> body) {
    drivers.push_back(std::make_unique<Driver>(
        ("driver" + std::to_string(drivers.size())).c_str(), std::move(body)));
  }
  /// Runs until no event is left; the run must end by itself well within 1 ms.
  void run() {
    sc_core::sc_start(sc_time(1, sc_core::SC_MS), sc_core::SC_EXIT_ON_STARVATION);
    EXPECT_LT(nowNs(), 1e6) << "DVFS kept the simulation alive";
  }
  double residencySum(uint32_t d, double end) const {
    double sum = domains[d].transitionTimeNs(end);
    for (uint32_t l = 0; l < domains[d].numLevels(); ++l)
      sum += domains[d].residencyNs(l, end);
    return sum;
  }

  ArchConfig arch;
  ClockDomainSet domains;
  StatGroup stats;
  PowerMonitor power;
  std::unique_ptr<DvfsController> dvfs;
  std::vector<std::unique_ptr<Driver>> drivers;
};

constexpr uint32_t kCore0 = 0, kCore1 = 1, kMemory = 2;

/// A memory-bound loop on core0 with a period of 1 us: 200 core cycles of
/// compute (the tensor unit busy), then waiting for memory until the next
/// microsecond, while the memory domain stays busy. Ends after `periods`.
void memoryBoundLoad(Bench &b, int periods, PowerMonitor::UnitId tensor) {
  uint32_t tcBusy = b.dvfs->addBusyUnit(kCore0, "tensor");
  uint32_t hbmBusy = b.dvfs->addBusyUnit(kMemory, "hbm");
  b.drive([&b, periods, tensor, tcBusy, hbmBusy] {
    b.dvfs->busyBegin(hbmBusy);
    for (int i = 0; i < periods; ++i) {
      double start = nowNs();
      b.dvfs->busyBegin(tcBusy);
      b.dvfs->waitCycles(kCore0, 200);
      b.dvfs->busyEnd(tcBusy);
      b.power.add(tensor, macEvent(DType::I8), 200.0 * 4096, start, nowNs());
      sc_core::wait(sc_time(1000.0 * (i + 1) - nowNs(), SC_NS));
    }
    b.dvfs->busyEnd(hbmBusy);
    b.dvfs->finish();
    b.power.finish(nowNs());
  });
}

} // namespace

class DvfsControllerTest : public strata::test::SystemCTest {};

TEST_F(DvfsControllerTest, FixedNeverChangesAndIgnoresHints) {
  Bench b("fixed");
  auto tensor = b.power.addUnit("tensor", kCore0, {macEvent(DType::I8)});
  memoryBoundLoad(b, 20, tensor);
  b.drive([&b] {
    sc_core::wait(sc_time(500, SC_NS));
    EXPECT_TRUE(b.dvfs->hint(kCore0, 0).isOk());
    EXPECT_TRUE(b.dvfs->hint(kMemory, 0).isOk());
  });
  b.run();
  EXPECT_DOUBLE_EQ(nowNs(), 20000.0);
  for (uint32_t d = 0; d < b.domains.size(); ++d) {
    EXPECT_EQ(b.domains[d].transitions(), 0u) << b.domains[d].name();
    EXPECT_EQ(b.domains[d].level(), b.arch.dvfs.domains[d == kMemory].initial);
  }
  EXPECT_EQ(b.dvfs->hints(kCore0), 1u);
  EXPECT_EQ(b.dvfs->hintsIgnored(kCore0), 1u);
  EXPECT_EQ(b.dvfs->hintsIgnored(kMemory), 1u);
  EXPECT_DOUBLE_EQ(b.domains[kCore0].residencyNs(2, b.dvfs->nowNs()), 20000.0);
}

TEST_F(DvfsControllerTest, HintedFollowsHintsAndTheTransitionCostsWhatTheConfigSays) {
  Bench b("hinted");
  double doneAt = -1;
  b.drive([&] {
    ASSERT_TRUE(b.dvfs->hint(kCore0, 0).isOk()); // 2000 -> 500 MHz, 100 ns stall
    b.dvfs->waitCycles(kCore0, 1000);            // starts after the stall
    doneAt = nowNs();
    ASSERT_TRUE(b.dvfs->hint(kMemory, 0).isOk()); // 200 ns, 20 nJ
    sc_core::wait(sc_time(1000, SC_NS));
    b.dvfs->finish();
    b.power.finish(nowNs());
  });
  b.run();
  EXPECT_DOUBLE_EQ(doneAt, 100.0 + 1000 * 2.0);
  EXPECT_EQ(b.domains[kCore0].level(), 0u);
  EXPECT_EQ(b.domains[kMemory].level(), 0u);
  EXPECT_EQ(b.domains[kCore0].transitions(), 1u);
  EXPECT_EQ(b.dvfs->hintsIgnored(kCore0), 0u);
  EXPECT_DOUBLE_EQ(b.domains[kCore0].transitionTimeNs(b.dvfs->nowNs()), 100.0);
  EXPECT_DOUBLE_EQ(b.domains[kMemory].transitionTimeNs(b.dvfs->nowNs()), 200.0);
  EXPECT_DOUBLE_EQ(b.power.domainTransitionEnergyJ(kCore0), 50e-9);
  EXPECT_DOUBLE_EQ(b.power.domainTransitionEnergyJ(kMemory), 20e-9);
  EXPECT_DOUBLE_EQ(b.power.domainTransitionEnergyJ(kCore1), 0.0);
  double v = 0;
  ASSERT_TRUE(b.stats.lookup("dvfs.core0.transition_time", v));
  EXPECT_DOUBLE_EQ(v, 100.0);
  ASSERT_TRUE(b.stats.lookup("dvfs.memory.level0_residency", v));
  EXPECT_DOUBLE_EQ(v, b.dvfs->nowNs() - 2100.0 - 200.0);
}

TEST_F(DvfsControllerTest, AChangeMidWorkRescalesTheRemainingCycles) {
  Bench b("hinted");
  double doneAt = -1;
  b.drive([&] {
    b.dvfs->waitCycles(kCore0, 2000); // 1000 ns at 2000 MHz if nothing changed
    doneAt = nowNs();
  });
  b.drive([&] {
    sc_core::wait(sc_time(400, SC_NS)); // 800 cycles done
    ASSERT_TRUE(b.dvfs->hint(kCore0, 1).isOk());
  });
  b.run();
  // Stall 400..500, then the remaining 1200 cycles at 1000 MHz.
  EXPECT_DOUBLE_EQ(doneAt, 500.0 + 1200.0);
}

TEST_F(DvfsControllerTest, WorkSpanningTwoChainedTransitionsEndsAtTheClosedForm) {
  Bench b("hinted");
  double doneAt = -1;
  b.drive([&] {
    b.dvfs->waitCycles(kCore0, 3000);
    doneAt = nowNs();
  });
  b.drive([&] {
    sc_core::wait(sc_time(100, SC_NS));          // 200 cycles done at 2000 MHz
    ASSERT_TRUE(b.dvfs->hint(kCore0, 1).isOk()); // stall 100..200
    sc_core::wait(sc_time(50, SC_NS));
    ASSERT_TRUE(b.dvfs->hint(kCore0, 0).isOk()); // queued: stall 200..300
  });
  b.run();
  // Nothing runs during either stall; the remaining 2800 cycles run at 500 MHz.
  EXPECT_DOUBLE_EQ(doneAt, 300.0 + 2800 * 2.0);
  EXPECT_EQ(b.domains[kCore0].transitions(), 2u);
}

TEST_F(DvfsControllerTest, HintsDuringATransitionAreQueued) {
  Bench b("hinted");
  b.drive([&] {
    ASSERT_TRUE(b.dvfs->hint(kCore0, 1).isOk());
    sc_core::wait(sc_time(50, SC_NS));
    ASSERT_TRUE(b.dvfs->hint(kCore0, 0).isOk()); // queued behind 2 -> 1
    sc_core::wait(sc_time(49, SC_NS));
    EXPECT_EQ(b.domains[kCore0].level(), 2u);
    sc_core::wait(sc_time(2, SC_NS)); // t = 101: 2 -> 1 done, 1 -> 0 running
    EXPECT_EQ(b.domains[kCore0].level(), 1u);
    EXPECT_TRUE(b.domains[kCore0].inTransition());
    sc_core::wait(sc_time(100, SC_NS));
    EXPECT_EQ(b.domains[kCore0].level(), 0u);
  });
  b.run();
  EXPECT_EQ(b.domains[kCore0].transitions(), 2u);
}

TEST_F(DvfsControllerTest, RejectsHintsForMissingDomainsAndLevels) {
  Bench b("hinted");
  Status s = b.dvfs->hint(9, 0);
  ASSERT_FALSE(s.isOk());
  EXPECT_NE(s.message().find("clock domain 9"), std::string::npos) << s.message();
  s = b.dvfs->hint(kMemory, 2);
  ASSERT_FALSE(s.isOk());
  EXPECT_NE(s.message().find("operating point 2 of clock domain 'memory'"), std::string::npos)
      << s.message();
  EXPECT_EQ(b.dvfs->hints(kMemory), 0u);
}

TEST_F(DvfsControllerTest, OndemandLowersTheCoreClockOnAMemoryBoundLoad) {
  Bench b("ondemand");
  auto tensor = b.power.addUnit("tensor", kCore0, {macEvent(DType::I8)});
  memoryBoundLoad(b, 30, tensor);
  b.run();
  // Core0 is 10% busy at 2000 MHz, 20% at 1000 MHz: two steps down; at
  // 500 MHz it is 40% busy, between the thresholds, and stays.
  EXPECT_EQ(b.domains[kCore0].level(), 0u);
  EXPECT_EQ(b.domains[kCore0].transitions(), 2u);
  EXPECT_EQ(b.domains[kMemory].level(), 1u); // memory stays busy
  EXPECT_EQ(b.domains[kMemory].transitions(), 0u);
  EXPECT_EQ(b.domains[kCore1].level(), 0u);  // idle
  EXPECT_DOUBLE_EQ(nowNs(), 30000.0);
  for (uint32_t d = 0; d < b.domains.size(); ++d)
    EXPECT_DOUBLE_EQ(b.residencySum(d, b.dvfs->nowNs()), 30000.0) << b.domains[d].name();
}

TEST_F(DvfsControllerTest, OndemandSavesCoreEnergyOnAMemoryBoundLoad) {
  double energy[2];
  const char *governors[] = {"fixed", "ondemand"};
  for (int i = 0; i < 2; ++i) {
    SetUp(); // a fresh SystemC context per run
    Bench b(governors[i]);
    auto tensor = b.power.addUnit("tensor", kCore0, {macEvent(DType::I8)});
    memoryBoundLoad(b, 30, tensor);
    b.run();
    EXPECT_DOUBLE_EQ(nowNs(), 30000.0) << governors[i]; // memory-bound: same run time
    energy[i] = b.power.domainEnergyJ(kCore0);
  }
  EXPECT_LT(energy[1], 0.8 * energy[0]);
}

TEST_F(DvfsControllerTest, OndemandRaisesTheClockUnderABusyLoad) {
  ArchConfig a = test::powerTestConfig();
  a.dvfs.domains[0].initial = 0;
  Bench b("ondemand", a);
  uint32_t busy = b.dvfs->addBusyUnit(kCore1, "tensor");
  std::vector<uint32_t> levels;
  b.drive([&] {
    b.dvfs->busyBegin(busy);
    EXPECT_TRUE(b.dvfs->hint(kCore1, 0).isOk()); // ondemand records hints, ignores them
    for (int i = 0; i < 5; ++i) {
      sc_core::wait(sc_time(1000, SC_NS));
      levels.push_back(b.domains[kCore1].targetLevel());
    }
    b.dvfs->busyEnd(busy);
    b.dvfs->finish();
  });
  b.run();
  EXPECT_EQ(b.domains[kCore1].level(), 2u);
  EXPECT_EQ(b.domains[kCore1].transitions(), 2u);
  EXPECT_EQ(b.domains[kCore0].level(), 0u); // idle: stays at the bottom
  EXPECT_EQ(b.dvfs->hints(kCore1), 1u);
  EXPECT_EQ(b.dvfs->hintsIgnored(kCore1), 1u);
  ASSERT_EQ(levels.size(), 5u);
  EXPECT_EQ(levels.back(), 2u);
  EXPECT_DOUBLE_EQ(b.residencySum(kCore1, b.dvfs->nowNs()), 5000.0);
}

TEST_F(DvfsControllerTest, IdleOndemandSettlesAtTheBottomAndStopsSampling) {
  Bench b("ondemand");
  b.run();
  // Cores: 2 -> 1 at 1 us, 1 -> 0 at 2 us (done 2.1 us); memory 1 -> 0 at
  // 1 us. The window at 3 us sees no activity with all at the bottom: sleep.
  EXPECT_DOUBLE_EQ(nowNs(), 3000.0);
  for (uint32_t d = 0; d < b.domains.size(); ++d)
    EXPECT_EQ(b.domains[d].level(), 0u);
}

TEST_F(DvfsControllerTest, WritesLevelAndFrequencyCounterTracks) {
  std::string path = strata::test::tempPath("strata_dvfs_trace.json");
  {
    Bench b("hinted");
    TraceWriter trace;
    ASSERT_TRUE(trace.open(path).isOk());
    b.dvfs->setTrace(&trace);
    b.drive([&] {
      sc_core::wait(sc_time(1000, SC_NS));
      ASSERT_TRUE(b.dvfs->hint(kCore1, 1).isOk());
      sc_core::wait(sc_time(1000, SC_NS));
      b.dvfs->finish();
    });
    b.run();
    ASSERT_TRUE(trace.close().isOk());
  }
  std::ifstream in(path);
  nlohmann::json doc = nlohmann::json::parse(in);
  std::vector<std::pair<double, double>> level, freq;
  for (const auto &e : doc.at("traceEvents")) {
    if (e.at("ph") != "C")
      continue;
    auto sample = std::make_pair(e.at("ts").get<double>(), e.at("args").at("value").get<double>());
    if (e.at("name") == "core1 DVFS level") {
      EXPECT_EQ(e.at("pid"), 1);
      level.push_back(sample);
    }
    if (e.at("name") == "core1 frequency (MHz)")
      freq.push_back(sample);
  }
  // Samples at 0 us (setTrace), 1 us (stall), 1.1 us (new point), 2 us (finish).
  std::vector<std::pair<double, double>> wantLevel = {{0, 2}, {1, 2}, {1.1, 1}, {2, 1}};
  std::vector<std::pair<double, double>> wantFreq = {{0, 2000}, {1, 0}, {1.1, 1000}, {2, 1000}};
  EXPECT_EQ(level, wantLevel);
  EXPECT_EQ(freq, wantFreq);
  std::remove(path.c_str());
}
