//===- PowerMonitorTest.cpp - Energy pricing, leakage, breakdowns ---------===//
#include "TestPaths.h"
#include "PowerTestConfig.h"

#include "strata/sim/power/PowerMonitor.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <numeric>
#include <stdexcept>

using namespace strata;
using namespace strata::sim;

namespace {

// Moves `d` to `level` at `t` and completes the transition; returns its end.
double switchTo(ClockDomain &d, uint32_t level, double t) {
  EXPECT_TRUE(d.request(level, t).isOk());
  double end = d.transitionEndNs();
  d.completeTransition(end);
  return end;
}

struct Fixture {
  explicit Fixture(uint32_t cores = 2, double windowNs = 1000)
      : arch(test::powerTestConfig(cores)), domains(ClockDomainSet::create(arch).takeValue()),
        stats("chip"), power(arch, domains, stats, windowNs) {}
  ArchConfig arch;
  ClockDomainSet domains;
  StatGroup stats;
  PowerMonitor power;
};

constexpr double kNjToJ = 1e-9;

} // namespace

TEST(PowerMonitor, PricesEveryEventFromTheEnergyConfigAtNominal) {
  Fixture f;
  auto table = energyTablePj(f.arch);
  auto u = f.power.addUnit("all", 0);
  for (unsigned e = 0; e < kNumEnergyEvents; ++e)
    f.power.add(u, EnergyEvent(e), 1000, 10);
  for (unsigned e = 0; e < kNumEnergyEvents; ++e) {
    EXPECT_DOUBLE_EQ(f.power.count(u, EnergyEvent(e)), 1000);
    EXPECT_DOUBLE_EQ(f.power.unitEnergyJ(u, EnergyEvent(e)), 1000 * table[e] * 1e-12)
        << energyEventName(EnergyEvent(e));
  }
  EXPECT_DOUBLE_EQ(table[unsigned(macEvent(DType::I8))], 0.2);
  EXPECT_DOUBLE_EQ(table[unsigned(EnergyEvent::HbmRefresh)], 1250); // per-bank REFsb
}

TEST(PowerMonitor, RefreshIsPricedByTheConfiguredKind) {
  ArchConfig a = strata::test::powerTestConfig();
  a.hbm.refresh = "per-bank";
  EXPECT_DOUBLE_EQ(energyTablePj(a)[unsigned(EnergyEvent::HbmRefresh)], 1250);
  a.hbm.refresh = "all-bank";
  EXPECT_DOUBLE_EQ(energyTablePj(a)[unsigned(EnergyEvent::HbmRefresh)], 20000);
  // The energy-only table has no refresh kind: it keeps the all-bank price.
  EXPECT_DOUBLE_EQ(energyTablePj(a.energy)[unsigned(EnergyEvent::HbmRefresh)], 20000);
}

TEST(PowerMonitor, DynamicEnergyScalesWithVoltageSquared) {
  Fixture f;
  ClockDomain &core = f.domains.core(0);
  ClockDomain &mem = f.domains[2];
  auto tc = f.power.addUnit("tensor", core.index(), {macEvent(DType::I8)});
  auto hbm = f.power.addUnit("hbm", mem.index(), {EnergyEvent::HbmReadBit});

  f.power.add(tc, macEvent(DType::I8), 1e6, 0, 50);
  f.power.add(hbm, EnergyEvent::HbmReadBit, 8e3, 0, 50);
  double t = switchTo(core, 0, 100); // 1.0 V -> 0.6 V
  t = switchTo(mem, 0, t);           // 1.2 V -> 0.9 V
  f.power.add(tc, macEvent(DType::I8), 1e6, t, t + 10);
  f.power.add(hbm, EnergyEvent::HbmReadBit, 8e3, t, t + 10);

  EXPECT_NEAR(f.power.unitEnergyJ(tc), (0.2e6 + 0.2e6 * 0.6 * 0.6) * 1e-12, 1e-20);
  double r = 0.9 / 1.2;
  EXPECT_NEAR(f.power.unitEnergyJ(hbm), (1.5 * 8e3) * (1 + r * r) * 1e-12, 1e-20);
}

TEST(PowerMonitor, LeakageScalesWithVoltageAndIntegratesPiecewise) {
  Fixture f;
  ClockDomain &core0 = f.domains.core(0);
  switchTo(core0, 0, 1000); // stalled 1000..1100 at the higher rail, then 0.6 V
  f.power.finish(3100);

  // P_leak = P_nom * V/Vnom; W * ns = nJ.
  double core0Nj = 2.0 * (1000 * 1.0 + 100 * 1.0 + 2000 * 0.6);
  double core1Nj = 2.0 * 3100;
  double memNj = 1.5 * 2 /*stacks*/ * 3100;
  EXPECT_NEAR(f.power.domainLeakageEnergyJ(0), core0Nj * kNjToJ, 1e-15);
  EXPECT_NEAR(f.power.domainLeakageEnergyJ(1), core1Nj * kNjToJ, 1e-15);
  EXPECT_NEAR(f.power.domainLeakageEnergyJ(2), memNj * kNjToJ, 1e-15);
  EXPECT_NEAR(f.power.leakageEnergyJ(), (core0Nj + core1Nj + memNj) * kNjToJ, 1e-15);
}

TEST(PowerMonitor, TransitionsCostExactlyTheConfiguredEnergy) {
  Fixture f;
  double t = switchTo(f.domains.core(1), 1, 0);
  t = switchTo(f.domains.core(1), 0, t);
  switchTo(f.domains[2], 0, t);
  f.power.finish(5000);
  EXPECT_DOUBLE_EQ(f.power.domainTransitionEnergyJ(1), 2 * 50 * kNjToJ);
  EXPECT_DOUBLE_EQ(f.power.domainTransitionEnergyJ(2), 20 * kNjToJ);
  EXPECT_DOUBLE_EQ(f.power.domainTransitionEnergyJ(0), 0.0);
  EXPECT_DOUBLE_EQ(f.power.transitionEnergyJ(), 120 * kNjToJ);
}

TEST(PowerMonitor, LowerOperatingPointLowersPowerAndRaisesLatency) {
  // The same work -- 20000 cycles at 4096 INT8 MACs per cycle -- at the top
  // and at the bottom point of core0.
  auto run = [](uint32_t level, double &latencyNs, double &avgW, double &coreW) {
    Fixture f;
    ClockDomain &core = f.domains.core(0);
    double start = level == core.level() ? 0 : switchTo(core, level, 0);
    auto tc = f.power.addUnit("tensor", 0, {macEvent(DType::I8)});
    latencyNs = core.cyclesToNs(20000);
    f.power.add(tc, macEvent(DType::I8), 20000.0 * 4096, start, start + latencyNs);
    f.power.finish(start + latencyNs);
    avgW = f.power.averagePowerW();
    coreW = f.power.domainEnergyJ(0) / ((start + latencyNs) * 1e-9);
  };
  double fastNs, fastW, fastCoreW, slowNs, slowW, slowCoreW;
  run(2, fastNs, fastW, fastCoreW);
  run(0, slowNs, slowW, slowCoreW);
  EXPECT_DOUBLE_EQ(fastNs, 10000.0); // 2000 MHz
  EXPECT_DOUBLE_EQ(slowNs, 40000.0); // 500 MHz
  EXPECT_LT(slowW, fastW);
  EXPECT_LT(slowCoreW, fastCoreW);
  // Closed form for the core at the top point: dynamic + leakage over 10 us.
  double dynJ = 20000.0 * 4096 * 0.2e-12;
  EXPECT_NEAR(fastCoreW, dynJ / 10e-6 + 2.0, 1e-9);
}

TEST(PowerMonitor, BreakdownsSumToTheTotalAndPeakIsAtLeastAverage) {
  Fixture f(2, 500);
  auto tc = f.power.addUnit("tensor", 0, {macEvent(DType::BF16)});
  auto sram = f.power.addUnit("sram", 0, {EnergyEvent::SramReadByte, EnergyEvent::SramWriteByte});
  auto vec = f.power.addUnit("vector", 1, {EnergyEvent::VectorOp});
  auto hbm = f.power.addUnit("hbm", 2, {EnergyEvent::HbmActivate, EnergyEvent::HbmReadBit});
  f.power.add(tc, macEvent(DType::BF16), 5e6, 0, 2000);
  f.power.add(sram, EnergyEvent::SramReadByte, 1e5, 0, 2000);
  f.power.add(sram, EnergyEvent::SramWriteByte, 2e4, 1500, 2600);
  f.power.add(vec, EnergyEvent::VectorOp, 3e5, 3000, 3100);
  f.power.add(hbm, EnergyEvent::HbmActivate, 100, 0, 4000);
  f.power.add(hbm, EnergyEvent::HbmReadBit, 1e6, 100, 3900);
  switchTo(f.domains.core(1), 1, 2500);
  f.power.finish(4000);

  double units = 0;
  for (uint32_t u = 0; u < f.power.numUnits(); ++u)
    units += f.power.unitEnergyJ(u);
  EXPECT_NEAR(units, f.power.dynamicEnergyJ(), 1e-18);
  EXPECT_NEAR(units + f.power.leakageEnergyJ() + f.power.transitionEnergyJ(),
              f.power.totalEnergyJ(), 1e-18);
  double domains = 0;
  for (uint32_t d = 0; d < f.domains.size(); ++d)
    domains += f.power.domainEnergyJ(d);
  EXPECT_NEAR(domains, f.power.totalEnergyJ(), 1e-18);

  // Windows carry all the energy, so their mean is the average power.
  std::vector<double> w = f.power.powerOverTimeW();
  ASSERT_EQ(w.size(), 8u);
  double mean = std::accumulate(w.begin(), w.end(), 0.0) / w.size();
  EXPECT_NEAR(mean, f.power.averagePowerW(), 1e-9);
  EXPECT_GE(f.power.peakPowerW(), f.power.averagePowerW());
  EXPECT_GT(f.power.peakPowerW(), f.power.averagePowerW()); // the load is bursty
  EXPECT_NEAR(f.power.averagePowerW(), f.power.totalEnergyJ() / 4e-6, 1e-9);
}

TEST(PowerMonitor, EfficiencyHelpers) {
  Fixture f;
  auto tc = f.power.addUnit("tensor", 0, {macEvent(DType::I8)});
  f.power.add(tc, macEvent(DType::I8), 1e6, 0, 100);
  f.power.add(tc, macEvent(DType::I4), 1e6, 0, 100);
  f.power.finish(1000);
  EXPECT_DOUBLE_EQ(f.power.totalMacs(), 2e6);
  double j = f.power.totalEnergyJ();
  EXPECT_DOUBLE_EQ(f.power.topsPerWatt(4e6), 4e6 / j / 1e12);
  EXPECT_DOUBLE_EQ(f.power.tokensPerJoule(3), 3 / j);
}

TEST(PowerMonitor, StatsAreNamedDescribedAndUnitTagged) {
  Fixture f;
  auto tc = f.power.addUnit("tensor", 0, {macEvent(DType::I8)});
  auto dma = f.power.addUnit("dma", 0);
  f.power.add(tc, macEvent(DType::I8), 1e6, 0, 100);
  f.power.add(dma, EnergyEvent::DmaByte, 4096, 0, 100); // reported, not declared
  f.power.finish(1000);

  nlohmann::json j = f.stats.toJson();
  const auto &p = j.at("power");
  EXPECT_EQ(p.at("energy").at("unit"), "J");
  EXPECT_FALSE(p.at("energy").at("desc").get<std::string>().empty());
  EXPECT_EQ(p.at("peak_power").at("unit"), "W");
  EXPECT_EQ(p.at("core0").at("tensor").at("mac_i8").at("unit"), "MACs");
  EXPECT_DOUBLE_EQ(p.at("core0").at("tensor").at("mac_i8").at("value").get<double>(), 1e6);
  EXPECT_EQ(p.at("core0").at("dma").at("dma").at("unit"), "bytes");
  EXPECT_EQ(p.at("memory").at("leakage_energy").at("unit"), "J");

  double v = 0;
  ASSERT_TRUE(f.stats.lookup("power.core0.tensor.mac_i8_energy", v));
  EXPECT_DOUBLE_EQ(v, f.power.unitEnergyJ(tc, macEvent(DType::I8)));
  ASSERT_TRUE(f.stats.lookup("power.energy", v));
  EXPECT_DOUBLE_EQ(v, f.power.totalEnergyJ());
}

TEST(PowerMonitor, RejectsBadUnits) {
  Fixture f;
  f.power.addUnit("tensor", 0);
  EXPECT_THROW(f.power.addUnit("tensor", 0), std::invalid_argument);
  EXPECT_NO_THROW(f.power.addUnit("tensor", 1));
  EXPECT_THROW(f.power.addUnit("hbm", 3), std::invalid_argument);
  EXPECT_THROW(f.power.addUnit("energy", 0), std::invalid_argument);
  EXPECT_THROW(f.power.addUnit("a.b", 0), std::invalid_argument);
}

TEST(PowerMonitor, WritesPowerCounterTracks) {
  std::string path = strata::test::tempPath("strata_power_trace.json");
  {
    Fixture f;
    auto tc = f.power.addUnit("tensor", 0, {macEvent(DType::I8)});
    f.power.add(tc, macEvent(DType::I8), 1e7, 0, 2500);
    f.power.finish(2500);
    TraceWriter trace;
    ASSERT_TRUE(trace.open(path).isOk());
    f.power.writeTrace(trace, 42);
    ASSERT_TRUE(trace.close().isOk());
  }
  std::ifstream in(path);
  nlohmann::json doc = nlohmann::json::parse(in);
  int total = 0, core0 = 0;
  for (const auto &e : doc.at("traceEvents")) {
    if (e.at("ph") != "C")
      continue;
    EXPECT_EQ(e.at("pid"), 42);
    total += e.at("name") == "power (W)";
    core0 += e.at("name") == "core0 power (W)";
  }
  EXPECT_EQ(total, 4); // 3 windows + the closing sample
  EXPECT_EQ(core0, 4);
  std::remove(path.c_str());
}
