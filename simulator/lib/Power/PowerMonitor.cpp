//===- PowerMonitor.cpp ---------------------------------------------------===//
#include "strata/sim/power/PowerMonitor.h"

#include <algorithm>
#include <stdexcept>

namespace strata::sim {

namespace {
constexpr double kPjToJ = 1e-12;

double leakageAtNominal(const ArchConfig &arch, const ClockDomain &d) {
  // Leakage is configured per core and per HBM stack; a domain of another
  // kind (if a config adds one) has no leakage figure to scale.
  if (d.kind() == "core")
    return arch.energy.coreLeakageWatts;
  if (d.kind() == "memory")
    return arch.energy.memoryLeakageWatts * arch.hbm.stacks;
  return 0.0;
}

// Stats of a domain group; a unit may not take one of these names.
const char *const kDomainStatNames[] = {"energy", "dynamic_energy", "leakage_energy",
                                        "transition_energy", "average_power",
                                        "peak_power"};
} // namespace

PowerMonitor::PowerMonitor(const ArchConfig &arch, ClockDomainSet &domains,
                           StatGroup &parentStats, double windowNs)
    : domains_(domains), pricePj_(energyTablePj(arch)),
      timeline_(domains.size(), windowNs), stats_(parentStats.child("power")) {
  uint32_t n = domains.size();
  scale2_.resize(n);
  leakNomW_.resize(n);
  leakVolts_.resize(n);
  leakFromNs_.assign(n, 0.0);
  leakPj_.assign(n, 0.0);
  transitionPj_.assign(n, 0.0);
  for (uint32_t d = 0; d < n; ++d) {
    ClockDomain &dom = domains[d];
    double r = dom.voltageRatio();
    scale2_[d] = r * r;
    leakNomW_[d] = leakageAtNominal(arch, dom);
    leakVolts_[d] = dom.leakageVolts();
    dom.addListener([this](const ClockDomain &c, DomainChange change, double nowNs) {
      onChange(c, change, nowNs);
    });
  }

  StatGroup &s = stats_;
  s.formula("energy", "total energy: dynamic + leakage + DVFS transitions", "J",
            [this] { return totalEnergyJ(); });
  s.formula("dynamic_energy", "energy of unit events, scaled by (V/Vnom)^2", "J",
            [this] { return dynamicEnergyJ(); });
  s.formula("leakage_energy", "leakage power integrated over the run, scaled by V/Vnom",
            "J", [this] { return leakageEnergyJ(); });
  s.formula("transition_energy", "energy of DVFS operating-point transitions", "J",
            [this] { return transitionEnergyJ(); });
  s.formula("run_time", "time the energy is averaged over", "ns",
            [this] { return endNs_; });
  s.formula("average_power", "total energy / run time", "W",
            [this] { return averagePowerW(); });
  s.formula("peak_power", "largest power over one window", "W",
            [this] { return peakPowerW(); });
  s.formula("window", "length of the power-over-time windows", "ns",
            [this] { return timeline_.windowNs(); });
  s.formula("macs", "multiply-accumulates of every precision", "MACs",
            [this] { return totalMacs(); });
  s.formula("tops_per_watt", "2 ops per MAC / total energy", "TOPS/W",
            [this] { return topsPerWatt(2 * totalMacs()); });

  for (uint32_t d = 0; d < n; ++d) {
    StatGroup &g = s.child(domains[d].name());
    g.formula("energy", "dynamic + leakage + transition energy of the domain", "J",
              [this, d] { return domainEnergyJ(d); });
    g.formula("dynamic_energy", "energy of the domain's unit events", "J",
              [this, d] { return domainDynamicEnergyJ(d); });
    g.formula("leakage_energy", "leakage energy of the domain", "J",
              [this, d] { return domainLeakageEnergyJ(d); });
    g.formula("transition_energy", "DVFS transition energy of the domain", "J",
              [this, d] { return domainTransitionEnergyJ(d); });
    g.formula("average_power", "domain energy / run time", "W", [this, d] {
      return endNs_ > 0 ? domainEnergyJ(d) / (endNs_ * 1e-9) : 0.0;
    });
    g.formula("peak_power", "largest power of the domain over one window", "W", [this, d] {
      std::vector<double> w = powerOverTimeW(d);
      return w.empty() ? 0.0 : *std::max_element(w.begin(), w.end());
    });
  }
}

PowerMonitor::UnitId PowerMonitor::addUnit(const std::string &name, uint32_t domain,
                                           std::initializer_list<EnergyEvent> kinds) {
  if (domain >= domains_.size())
    throw std::invalid_argument("power unit '" + name + "': clock domain " +
                                std::to_string(domain) + " does not exist (" +
                                std::to_string(domains_.size()) + " domains)");
  if (name.empty() || name.find('.') != std::string::npos)
    throw std::invalid_argument("power unit name '" + name +
                                "' must be non-empty and contain no '.'");
  for (const char *reserved : kDomainStatNames)
    if (name == reserved)
      throw std::invalid_argument("power unit name '" + name +
                                  "' is reserved for a domain statistic");
  for (const Unit &u : units_)
    if (u.domain == domain && u.name == name)
      throw std::invalid_argument("power unit '" + name + "' is added twice to domain '" +
                                  domains_[domain].name() + "'");

  UnitId id = uint32_t(units_.size());
  units_.push_back({name, domain, {}});
  counts_.resize(counts_.size() + kNumEnergyEvents, 0.0);
  dynamicPj_.resize(dynamicPj_.size() + kNumEnergyEvents, 0.0);

  StatGroup &g = stats_.child(domains_[domain].name()).child(name);
  g.formula("energy", "dynamic energy of the unit's events", "J",
            [this, id] { return unitEnergyJ(id); });
  for (EnergyEvent e : kinds)
    registerKindStats(id, e);
  return id;
}

void PowerMonitor::registerKindStats(UnitId unit, EnergyEvent e) {
  Unit &u = units_[unit];
  if (u.declared[unsigned(e)])
    return;
  u.declared[unsigned(e)] = true;
  StatGroup &g = stats_.child(domains_[u.domain].name()).child(u.name);
  std::string name = energyEventName(e);
  g.formula(name, std::string(energyEventName(e)) + " events", energyEventUnit(e),
            [this, unit, e] { return count(unit, e); });
  g.formula(name + "_energy", "energy of " + name + " events", "J",
            [this, unit, e] { return unitEnergyJ(unit, e); });
}

void PowerMonitor::integrateLeakage(uint32_t d, double nowNs) {
  double dt = nowNs - leakFromNs_[d];
  if (dt <= 0)
    return;
  const ClockDomain &dom = domains_[d];
  double watts = leakNomW_[d] * (leakVolts_[d] / dom.nominalVolts());
  double pj = watts * dt * 1e3; // W * ns = nJ
  if (pj > 0) {
    leakPj_[d] += pj;
    timeline_.add(d, pj, leakFromNs_[d], nowNs);
  }
  leakFromNs_[d] = nowNs;
}

void PowerMonitor::onChange(const ClockDomain &dom, DomainChange change, double nowNs) {
  uint32_t d = dom.index();
  integrateLeakage(d, nowNs);
  if (change == DomainChange::TransitionBegin) {
    double pj = dom.config().transitionEnergyNj * 1e3;
    transitionPj_[d] += pj;
    timeline_.add(d, pj, nowNs, dom.transitionEndNs());
  }
  leakVolts_[d] = dom.leakageVolts();
  double r = dom.voltageRatio();
  scale2_[d] = r * r;
}

void PowerMonitor::finish(double endNs) {
  for (uint32_t d = 0; d < domains_.size(); ++d)
    integrateLeakage(d, endNs);
  endNs_ = std::max(endNs_, endNs);
  // Kinds a unit reported without declaring them still get their stats.
  for (UnitId u = 0; u < units_.size(); ++u)
    for (unsigned e = 0; e < kNumEnergyEvents; ++e)
      if (counts_[size_t(u) * kNumEnergyEvents + e] != 0)
        registerKindStats(u, EnergyEvent(e));
}

double PowerMonitor::dynamicEnergyJ() const {
  double pj = 0;
  for (double v : dynamicPj_)
    pj += v;
  return pj * kPjToJ;
}

double PowerMonitor::leakageEnergyJ() const {
  double pj = 0;
  for (double v : leakPj_)
    pj += v;
  return pj * kPjToJ;
}

double PowerMonitor::transitionEnergyJ() const {
  double pj = 0;
  for (double v : transitionPj_)
    pj += v;
  return pj * kPjToJ;
}

double PowerMonitor::totalEnergyJ() const {
  return dynamicEnergyJ() + leakageEnergyJ() + transitionEnergyJ();
}

double PowerMonitor::domainDynamicEnergyJ(uint32_t domain) const {
  double j = 0;
  for (UnitId u = 0; u < units_.size(); ++u)
    if (units_[u].domain == domain)
      j += unitEnergyJ(u);
  return j;
}

double PowerMonitor::domainEnergyJ(uint32_t domain) const {
  return domainDynamicEnergyJ(domain) + domainLeakageEnergyJ(domain) +
         domainTransitionEnergyJ(domain);
}

double PowerMonitor::unitEnergyJ(UnitId unit) const {
  double pj = 0;
  for (unsigned e = 0; e < kNumEnergyEvents; ++e)
    pj += dynamicPj_[size_t(unit) * kNumEnergyEvents + e];
  return pj * kPjToJ;
}

double PowerMonitor::unitEnergyJ(UnitId unit, EnergyEvent e) const {
  return dynamicPj_[size_t(unit) * kNumEnergyEvents + unsigned(e)] * kPjToJ;
}

double PowerMonitor::count(UnitId unit, EnergyEvent e) const {
  return counts_[size_t(unit) * kNumEnergyEvents + unsigned(e)];
}

double PowerMonitor::totalMacs() const {
  double macs = 0;
  for (UnitId u = 0; u < units_.size(); ++u)
    for (unsigned t = 0; t < kNumDTypes; ++t)
      macs += counts_[size_t(u) * kNumEnergyEvents + t];
  return macs;
}

double PowerMonitor::averagePowerW() const {
  return endNs_ > 0 ? totalEnergyJ() / (endNs_ * 1e-9) : 0.0;
}

std::vector<double> PowerMonitor::powerOverTimeW(int64_t domain) const {
  return timeline_.powerW(endNs_, domain);
}

double PowerMonitor::peakPowerW() const {
  if (!(endNs_ > 0))
    return 0.0;
  return timeline_.peakW(endNs_);
}

double PowerMonitor::topsPerWatt(double ops) const {
  double j = totalEnergyJ();
  return j > 0 ? ops / j * 1e-12 : 0.0;
}

double PowerMonitor::tokensPerJoule(double tokens) const {
  double j = totalEnergyJ();
  return j > 0 ? tokens / j : 0.0;
}

void PowerMonitor::writeTrace(TraceWriter &trace, uint32_t pid) const {
  if (!trace.enabled())
    return;
  double w = timeline_.windowNs();
  auto emit = [&](const std::string &name, const std::vector<double> &watts) {
    for (size_t i = 0; i < watts.size(); ++i)
      trace.counter(pid, name, double(i) * w, watts[i]);
    trace.counter(pid, name, endNs_, 0.0);
  };
  emit("power (W)", powerOverTimeW());
  for (uint32_t d = 0; d < domains_.size(); ++d)
    emit(domains_[d].name() + " power (W)", powerOverTimeW(d));
}

} // namespace strata::sim
