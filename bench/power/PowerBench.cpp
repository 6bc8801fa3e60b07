//===- PowerBench.cpp - Cost of the power-accounting hot path -------------===//
//
// PowerMonitor::add runs once per instruction of every unit (and per HBM
// request), so it must stay a few nanoseconds: this measures it for events
// inside one window (the common case) and spanning several windows, and the
// cost of a DVFS transition with a monitor listening.
//
//===----------------------------------------------------------------------===//
#include "strata/sim/power/PowerMonitor.h"

#include <benchmark/benchmark.h>

using namespace strata;
using namespace strata::sim;

namespace {

ArchConfig benchConfig() {
  ArchConfig a; // the in-class defaults: 8 cores, core + memory domains
  return a;
}

struct Setup {
  Setup() : arch(benchConfig()), domains(ClockDomainSet::create(arch).takeValue()),
            stats("chip"), power(arch, domains, stats) {
    for (uint32_t c = 0; c < arch.numCores; ++c)
      units.push_back(power.addUnit("tensor", c, {macEvent(DType::I8)}));
  }
  ArchConfig arch;
  ClockDomainSet domains;
  StatGroup stats;
  PowerMonitor power;
  std::vector<PowerMonitor::UnitId> units;
};

void BM_AddWithinWindow(benchmark::State &state) {
  Setup s;
  double t = 0;
  size_t i = 0;
  for (auto _ : state) {
    // 100 ns instructions on rotating cores, 1 us windows.
    s.power.add(s.units[i++ & 7], macEvent(DType::I8), 32768, t, t + 100);
    t += 12.5;
  }
  benchmark::DoNotOptimize(s.power.dynamicEnergyJ());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AddWithinWindow);

void BM_AddSpanningWindows(benchmark::State &state) {
  Setup s;
  double t = 0;
  size_t i = 0;
  for (auto _ : state) {
    // 5 us transfers: each is spread over 5 or 6 windows.
    s.power.add(s.units[i++ & 7], EnergyEvent::HbmReadBit, 8 * 65536, t, t + 5000);
    t += 100;
  }
  benchmark::DoNotOptimize(s.power.dynamicEnergyJ());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AddSpanningWindows);

void BM_TransitionWithMonitor(benchmark::State &state) {
  Setup s;
  ClockDomain &d = s.domains.core(0);
  double t = 0;
  uint32_t level = 0;
  for (auto _ : state) {
    (void)d.request(level, t);
    d.completeTransition(d.transitionEndNs());
    t = d.transitionEndNs() + 1000;
    level = level ? 0 : d.numLevels() - 1;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TransitionWithMonitor);

} // namespace

BENCHMARK_MAIN();
