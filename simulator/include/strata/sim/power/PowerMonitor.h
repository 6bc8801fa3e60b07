//===- PowerMonitor.h - Energy and power accounting -------------*- C++ -*-===//
//
// Units report events (MACs, SRAM bytes, HBM bits, ...); the monitor prices
// each at the voltage its domain runs at when reported:
//   E = count * E_nom * (V / Vnom)^2
// and integrates leakage per domain piecewise between operating-point changes:
//   P_leak = P_nom * (V / Vnom)
// where P_nom is coreLeakageWatts for each "core" domain instance,
// memoryLeakageWatts * hbm.stacks for "memory", and 0 for other domains.
// DVFS transition energy is charged to the domain that changes. Plain C++
// (times are passed in ns), so it runs without SystemC. Formulas and
// sources: docs/power.md.
//
// Usage:
//   PowerMonitor power(arch, domains, chipStats);          // stats under "power"
//   auto tc = power.addUnit("tensor", core, {macEvent(DType::I8)});
//   power.add(tc, macEvent(DType::I8), macs, startNs, endNs);  // hot path
//   ...
//   power.finish(endNs);            // closes leakage; totals and stats valid
//   power.writeTrace(trace, pid);   // power counter tracks
//   double w = power.averagePowerW(), peak = power.peakPowerW();
//
// The hot path is a few multiply-adds into flat arrays indexed by
// (unit, event kind): no lookups or allocation per event.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/sim/power/ClockDomain.h"
#include "strata/sim/power/EnergyEvent.h"
#include "strata/sim/power/PowerTimeline.h"
#include "strata/sim/stats/Stats.h"
#include "strata/sim/trace/Trace.h"
#include "strata/target/ArchConfig.h"

#include <array>
#include <initializer_list>
#include <string>
#include <vector>

namespace strata::sim {

class PowerMonitor {
public:
  using UnitId = uint32_t;

  /// Listens to every domain of `domains` (which must outlive the monitor);
  /// stats go under parentStats.child("power"), one child per domain, one
  /// grandchild per unit. `windowNs` (> 0) is the power-over-time resolution.
  PowerMonitor(const ArchConfig &arch, ClockDomainSet &domains, StatGroup &parentStats,
               double windowNs = 1000.0);
  PowerMonitor(const PowerMonitor &) = delete;
  PowerMonitor &operator=(const PowerMonitor &) = delete;

  /// A unit ("tensor", "sram", "hbm", ...) in domain `domain`. `kinds` are the
  /// events it reports (stats are registered for them; a kind reported but not
  /// declared still counts and gets stats at finish). Throws
  /// std::invalid_argument on an unknown domain or a name used twice in it.
  UnitId addUnit(const std::string &name, uint32_t domain,
                 std::initializer_list<EnergyEvent> kinds = {});
  uint32_t numUnits() const { return uint32_t(units_.size()); }
  const std::string &unitName(UnitId unit) const { return units_[unit].name; }
  uint32_t unitDomain(UnitId unit) const { return units_[unit].domain; }

  /// `count` events of kind `e` by `unit` spread over [startNs, endNs].
  /// Returns the dynamic energy charged, in pJ.
  double add(UnitId unit, EnergyEvent e, double count, double startNs, double endNs) {
    const double pj = charge(unit, e, count);
    timeline_.add(units_[unit].domain, pj, startNs, endNs);
    return pj;
  }
  /// The two halves of add(): count the events and their energy, then (once
  /// for several charges of units of one domain over one interval) place the
  /// energy in the power-over-time windows.
  double charge(UnitId unit, EnergyEvent e, double count) {
    double pj = count * pricePj_[unsigned(e)] * scale2_[units_[unit].domain];
    size_t slot = size_t(unit) * kNumEnergyEvents + unsigned(e);
    counts_[slot] += count;
    dynamicPj_[slot] += pj;
    return pj;
  }
  void spread(uint32_t domain, double pj, double startNs, double endNs) {
    timeline_.add(domain, pj, startNs, endNs);
  }
  double add(UnitId unit, EnergyEvent e, double count, double atNs) {
    return add(unit, e, count, atNs, atNs);
  }

  /// Closes leakage integration at `endNs` (the run time) and completes the
  /// stats. Totals below include leakage only up to the last finish().
  void finish(double endNs);
  double runTimeNs() const { return endNs_; }

  // Energies in joules.
  double totalEnergyJ() const;
  double dynamicEnergyJ() const;
  double leakageEnergyJ() const;
  double transitionEnergyJ() const;
  double domainEnergyJ(uint32_t domain) const;
  double domainDynamicEnergyJ(uint32_t domain) const;
  double domainLeakageEnergyJ(uint32_t domain) const { return leakPj_[domain] * 1e-12; }
  double domainTransitionEnergyJ(uint32_t domain) const { return transitionPj_[domain] * 1e-12; }
  double unitEnergyJ(UnitId unit) const;
  double unitEnergyJ(UnitId unit, EnergyEvent e) const;
  double count(UnitId unit, EnergyEvent e) const;
  /// MACs of every precision reported by every unit.
  double totalMacs() const;

  /// Total energy / run time.
  double averagePowerW() const;
  /// Largest window power (>= averagePowerW()).
  double peakPowerW() const;
  /// Power per window (all domains, or one).
  std::vector<double> powerOverTimeW(int64_t domain = -1) const;
  double windowNs() const { return timeline_.windowNs(); }

  /// Operations per joule / 1e12 for `ops` operations (e.g. 2 * totalMacs()).
  double topsPerWatt(double ops) const;
  double tokensPerJoule(double tokens) const;

  /// Counter tracks "power (W)" on process `pid`, and "<domain> power (W)" for
  /// each domain, one sample per window. Call after finish().
  void writeTrace(TraceWriter &trace, uint32_t pid) const;

private:
  struct Unit {
    std::string name;
    uint32_t domain;
    std::array<bool, kNumEnergyEvents> declared{};
  };
  void onChange(const ClockDomain &domain, DomainChange change, double nowNs);
  void integrateLeakage(uint32_t domain, double nowNs);
  void registerKindStats(UnitId unit, EnergyEvent e);

  ClockDomainSet &domains_;
  std::array<double, kNumEnergyEvents> pricePj_{};
  std::vector<Unit> units_;
  std::vector<double> scale2_;      ///< per domain: (V / Vnom)^2
  std::vector<double> counts_;      ///< [unit * kNumEnergyEvents + kind]
  std::vector<double> dynamicPj_;   ///< same layout
  std::vector<double> leakNomW_;    ///< per domain, at nominal voltage
  std::vector<double> leakVolts_;   ///< per domain, voltage leaking since leakFromNs_
  std::vector<double> leakFromNs_;  ///< per domain
  std::vector<double> leakPj_;      ///< per domain
  std::vector<double> transitionPj_; ///< per domain
  PowerTimeline timeline_;
  double endNs_ = 0;
  StatGroup &stats_;
};

} // namespace strata::sim
