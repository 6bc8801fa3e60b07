//===- DvfsPowerTest.cpp - Clock domains, governors and energy ------------===//
#include "SimTestUtil.h"

#include "strata/sim/core/Chip.h"
#include "strata/sim/power/ClockDomain.h"
#include "strata/sim/power/PowerMonitor.h"

#include <fmt/format.h>

using namespace strata;
using namespace strata::test;
using strata::sim::ClockDomain;
using strata::sim::EnergyEvent;
using strata::sim::PowerMonitor;

namespace {
// vexp over 64 x 256 f32: 4 + 256 * 4 = 1028 cycles.
const char *kVexp = "vexp rows=64 cols=256 in=f32 out=f32 x=[0x0] ld0=256 dst=[0x10000] ldd=256\n";

/// Many large loads and a little compute on each: memory bound.
std::string memoryBoundProgram(int tiles) {
  std::string p = "li r1, 0\nli r2, " + std::to_string(tiles) + "\nloop:\n";
  p += "muli r3, r1, 262144\n";
  p += "dma.load src=hbm[r3] dst=sram[0x0] size=262144\n";
  p += "sem.signal load, s0\nsem.wait compute, s0\n";
  p += "vadd rows=1 cols=64 in=f32 in1=f32 out=f32 bcast=scalar x=[0x0] ld0=64 "
       "dst=[0x100000] ldd=64 imm=1.0\n";
  p += "addi r1, r1, 1\nbne r1, r2, loop\nhalt\n";
  return p;
}
} // namespace

TEST(Dvfs, ALowerOperatingPointTakesLongerAndDrawsLessPower) {
  ArchConfig nominal = testArch();
  ArchConfig low = testArch();
  low.dvfs.domains[0].initial = 0; // the lowest point, 600 MHz
  const std::string program = std::string(kVexp) + "halt\n";
  Ran a = runPrograms(nominal, {program});
  Ran b = runPrograms(low, {program});
  EXPECT_EQ(a.result.cycles, 1029u);
  EXPECT_EQ(b.result.cycles, 1029u);
  EXPECT_NEAR(a.result.seconds * 1e9, 1029.0, 1e-6);
  EXPECT_NEAR(b.result.seconds * 1e9, 1029.0 / 0.6, 1e-3);
  EXPECT_GT(a.result.energyJ, 0);
  EXPECT_LT(b.result.averagePowerW, a.result.averagePowerW);
  // Same work at a lower voltage: less dynamic energy too.
  const double dynA = a.sim->chip().power().dynamicEnergyJ();
  const double dynB = b.sim->chip().power().dynamicEnergyJ();
  const DvfsDomainConfig &core = nominal.dvfs.domains[0];
  const double v = core.points[0].volts / core.points[core.nominal].volts;
  EXPECT_NEAR(dynB / dynA, v * v, 0.02);
}

TEST(Dvfs, HintedGovernorFollowsHintsAndPaysTheTransition) {
  const std::string program = "dvfs.hint compute, own, 0\n" + std::string(kVexp) + "halt\n";
  sim::SimOptions hinted;
  hinted.governor = "hinted";
  Ran h = runPrograms(testArch(), {program}, hinted);
  // The hint issues after one dispatch cycle and stalls the clock for
  // transitionNs (1000 ns); the vexp, dispatched meanwhile, then runs its
  // 1028 cycles at 600 MHz.
  EXPECT_NEAR(h.result.seconds * 1e9, 1.0 + 1000.0 + 1028.0 / 0.6, 0.01);
  const ClockDomain &d = h.sim->chip().domains().core(0);
  EXPECT_EQ(d.level(), 0u);
  EXPECT_EQ(d.transitions(), 1u);
  EXPECT_NEAR(h.sim->chip().power().transitionEnergyJ(), 100e-9, 1e-12);
  // The fixed governor records the hint and ignores it.
  Ran f = runPrograms(testArch(), {program});
  EXPECT_NEAR(f.result.seconds * 1e9, 1.0 + 1028.0 + 1.0, 0.01);
  EXPECT_EQ(f.sim->chip().domains().core(0).transitions(), 0u);
}

TEST(Dvfs, AChangeRescalesWorkInFlight) {
  // The vexp starts at 1 ns; the hint from the load queue lands at 2 ns,
  // with one of its cycles done: the clock stops for 1000 ns and the other
  // 1027 cycles run at 600 MHz.
  sim::SimOptions hinted;
  hinted.governor = "hinted";
  Ran h = runPrograms(testArch(), {std::string(kVexp) + "dvfs.hint load, own, 0\nhalt\n"},
                      hinted);
  EXPECT_NEAR(h.result.seconds * 1e9, 2.0 + 1000.0 + 1027.0 / 0.6, 0.01);
}

TEST(Dvfs, OndemandLowersTheCoreClockOfAMemoryBoundProgram) {
  ArchConfig arch = testArch();
  arch.dvfs.ondemandWindowNs = 2000;
  // Memory bound by construction: the TSVs (4 stacks x 24 B x 1.2 GHz =
  // 115 GB/s) are below the DMA's one 256-byte request per core cycle even
  // at the lowest core point (600 MHz: 153.6 GB/s). Without all-bank
  // refresh stalls the default HBM would outrun the 600 MHz request rate.
  arch.hbm.tsvBytesPerCycle = 24;
  sim::SimOptions ondemand;
  ondemand.governor = "ondemand";
  ondemand.timingOnly = true;
  sim::SimOptions fixed;
  fixed.timingOnly = true;
  const std::string program = memoryBoundProgram(24);
  Ran o = runPrograms(arch, {program}, ondemand);
  Ran f = runPrograms(arch, {program}, fixed);
  const ClockDomain &core = o.sim->chip().domains().core(0);
  EXPECT_EQ(core.level(), 0u) << "the idle core clock steps down to its lowest point";
  EXPECT_GT(core.residencyNs(0, o.result.endNs), 0.3 * o.result.endNs);
  // Memory bound: the run is barely slower, and the core spends less energy.
  EXPECT_LT(o.result.seconds, 1.15 * f.result.seconds);
  const double coreEnergyO = o.sim->chip().power().domainEnergyJ(0);
  const double coreEnergyF = f.sim->chip().power().domainEnergyJ(0);
  EXPECT_LT(coreEnergyO, coreEnergyF);
}

TEST(Power, EventsOfEveryUnitAreCounted) {
  sim::SimOptions o;
  Ran r = runPrograms(testArch(), {R"(
      dma.load src=hbm[0x0] dst=sram[0x0] size=65536
      sem.signal load, s0
      sem.wait compute, s0
      gemm m=64 n=64 k=256 a=f16 b=f16 out=f32 A=[0x0] lda=256 B=[0x8000] ldb=64 C=[0x20000] ldc=64
      vexp rows=64 cols=64 in=f32 out=f32 x=[0x20000] ld0=64 dst=[0x30000] ldd=64
      halt
    )"},
                      o);
  PowerMonitor &p = r.sim->chip().power();
  EXPECT_EQ(r.result.macs, 64.0 * 64 * 256);
  EXPECT_GT(r.result.energyJ, 0);
  EXPECT_GT(r.result.averagePowerW, 0);
  EXPECT_EQ(r.result.hbmReadBytes, 65536);
  EXPECT_GT(r.result.hbmBytesPerSecond, 0);
  double hbmEnergy = 0, macEnergy = 0;
  for (uint32_t u = 0; u < p.numUnits(); ++u) {
    if (p.unitName(u) == "hbm")
      hbmEnergy += p.unitEnergyJ(u);
    if (p.unitName(u) == "tensor")
      macEnergy += p.unitEnergyJ(u, EnergyEvent::MacF16);
  }
  EXPECT_GT(hbmEnergy, 0) << "HBM commands reach the power monitor";
  EXPECT_NEAR(macEnergy, 64.0 * 64 * 256 * 2.0e-12, 1e-15);
}

TEST(Dvfs, HintingTheMemoryDomainSlowsMemoryTraffic) {
  sim::SimOptions hinted;
  hinted.governor = "hinted";
  hinted.timingOnly = true;
  const std::string loads = memoryBoundProgram(16);
  // Domain 1 of the default table is "memory": 1.2 GHz -> 800 MHz.
  Ran fast = runPrograms(testArch(), {loads}, hinted);
  Ran slow = runPrograms(testArch(), {"dvfs.hint load, 1, 0\n" + loads}, hinted);
  const ClockDomain *memory = slow.sim->chip().domains().find("memory");
  ASSERT_NE(memory, nullptr);
  EXPECT_EQ(memory->level(), 0u);
  EXPECT_EQ(slow.sim->chip().memory().clockMHz(), 800.0);
  EXPECT_GT(slow.result.seconds, 1.2 * fast.result.seconds);
}

TEST(Power, RunEnergySplitsByUnitAndAddsUp) {
  sim::SimOptions o;
  auto sim = makeSim(testArch(), o);
  ASSERT_TRUE(sim->load(binaryOf({std::string("dma.load src=hbm[0x0] dst=sram[0x0] size=65536\n") +
                                  kVexp + "halt\n"})));
  for (int run = 0; run < 2; ++run) {
    auto r = sim->run("main");
    ASSERT_TRUE(r) << r.message();
    double sum = 0, tensor = -1, vector = 0, hbm = 0;
    for (const auto &[unit, joules] : r->energyByUnit) {
      sum += joules;
      if (unit == "tensor")
        tensor = joules;
      if (unit == "vector")
        vector = joules;
      if (unit == "hbm")
        hbm = joules;
    }
    EXPECT_NEAR(sum, r->energyJ, 1e-12 + 1e-9 * r->energyJ) << "run " << run;
    EXPECT_EQ(tensor, 0.0);
    EXPECT_GT(vector, 0.0);
    EXPECT_GT(hbm, 0.0);
  }
}
