//===- ClockDomain.cpp ----------------------------------------------------===//
#include "strata/sim/power/ClockDomain.h"

#include "strata/target/Isa.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace strata::sim {

ClockDomain::ClockDomain(std::string name, uint32_t index, int32_t coreIndex,
                         const DvfsDomainConfig &config)
    : name_(std::move(name)), index_(index), coreIndex_(coreIndex), config_(&config),
      level_(config.initial), residency_(config.points.size(), 0.0) {}

double ClockDomain::leakageVolts() const {
  if (!inTransition_)
    return volts();
  return std::max(volts(), point(target_).volts);
}

double ClockDomain::timeAfterCycles(double nowNs, double cycles) const {
  if (inTransition_)
    return std::max(nowNs, transitionEnd_) + cycles * 1000.0 / point(target_).freqMHz;
  return nowNs + cycles * periodNs();
}

void ClockDomain::account(double nowNs) {
  // Times only move forward; a stale caller cannot rewrite history.
  double dt = nowNs - lastNs_;
  if (dt <= 0)
    return;
  if (inTransition_)
    stalledNs_ += dt;
  else
    residency_[level_] += dt;
  lastNs_ = nowNs;
}

Status ClockDomain::request(uint32_t level, double nowNs) {
  if (level >= numLevels())
    return Error("clock domain '" + name_ + "' has no operating point " +
                 std::to_string(level) + " (it has " + std::to_string(numLevels()) +
                 ": 0.." + std::to_string(numLevels() - 1) + ")");
  if (inTransition_) {
    // Latest request wins; asking for the level being entered cancels the queue.
    if (level == target_)
      pending_.reset();
    else
      pending_ = level;
    return Status::ok();
  }
  pending_.reset();
  if (level != level_)
    begin(level, nowNs);
  return Status::ok();
}

void ClockDomain::begin(uint32_t level, double nowNs) {
  account(nowNs);
  inTransition_ = true;
  target_ = level;
  transitionEnd_ = std::max(nowNs, lastNs_) + config_->transitionNs;
  ++transitions_;
  notify(DomainChange::TransitionBegin, nowNs);
}

bool ClockDomain::completeTransition(double nowNs) {
  if (!inTransition_)
    return false;
  account(nowNs);
  level_ = target_;
  inTransition_ = false;
  notify(DomainChange::TransitionEnd, nowNs);
  if (pending_ && *pending_ != level_) {
    uint32_t next = *pending_;
    pending_.reset();
    begin(next, nowNs);
    return true;
  }
  pending_.reset();
  return false;
}

double ClockDomain::residencyNs(uint32_t level, double nowNs) const {
  double r = level < residency_.size() ? residency_[level] : 0.0;
  if (!inTransition_ && level == level_ && nowNs > lastNs_)
    r += nowNs - lastNs_;
  return r;
}

double ClockDomain::transitionTimeNs(double nowNs) const {
  double r = stalledNs_;
  if (inTransition_ && nowNs > lastNs_)
    r += nowNs - lastNs_;
  return r;
}

void ClockDomain::notify(DomainChange change, double nowNs) {
  for (const Listener &l : listeners_)
    l(*this, change, nowNs);
}

//===----------------------------------------------------------------------===//
// ClockDomainSet
//===----------------------------------------------------------------------===//

namespace {

Status checkDomain(const DvfsDomainConfig &d) {
  std::string where = "arch config: dvfs domain '" + d.name + "'";
  if (d.name.empty())
    return Error("arch config: a dvfs domain has an empty name");
  if (d.points.empty())
    return Error(where + " has no operating points");
  for (size_t i = 0; i < d.points.size(); ++i) {
    const OperatingPoint &p = d.points[i];
    std::string pw = where + ": operating point " + std::to_string(i) +
                     (p.name.empty() ? "" : " ('" + p.name + "')");
    if (!(p.volts > 0) || !std::isfinite(p.volts))
      return Error(pw + " has voltage " + std::to_string(p.volts) +
                   " V; it must be positive");
    if (!(p.freqMHz > 0) || !std::isfinite(p.freqMHz))
      return Error(pw + " has frequency " + std::to_string(p.freqMHz) +
                   " MHz; it must be positive");
    if (i > 0 && !(p.freqMHz > d.points[i - 1].freqMHz))
      return Error(pw + " is not faster than point " + std::to_string(i - 1) +
                   "; points must be in ascending frequency");
    if (i > 0 && p.volts < d.points[i - 1].volts)
      return Error(pw + " has a lower voltage than point " + std::to_string(i - 1) +
                   "; voltage must not decrease with frequency");
  }
  if (d.nominal >= d.points.size())
    return Error(where + ": nominal point " + std::to_string(d.nominal) +
                 " does not exist (" + std::to_string(d.points.size()) + " points)");
  if (d.initial >= d.points.size())
    return Error(where + ": initial point " + std::to_string(d.initial) +
                 " does not exist (" + std::to_string(d.points.size()) + " points)");
  if (!(d.transitionNs >= 0) || !std::isfinite(d.transitionNs))
    return Error(where + ": transitionNs must be non-negative");
  if (!(d.transitionEnergyNj >= 0) || !std::isfinite(d.transitionEnergyNj))
    return Error(where + ": transitionEnergyNj must be non-negative");
  return Status::ok();
}

} // namespace

Expected<ClockDomainSet> ClockDomainSet::create(const ArchConfig &arch) {
  ClockDomainSet set;
  set.config_ = std::make_unique<DvfsConfig>(arch.dvfs);
  const DvfsConfig &cfg = *set.config_;
  if (arch.numCores == 0)
    return Error("arch config: numCores must be at least 1");

  std::set<std::string> kinds;
  bool haveCore = false;
  for (uint32_t i = 0; i < cfg.domains.size(); ++i) {
    const DvfsDomainConfig &d = cfg.domains[i];
    if (Status s = checkDomain(d); !s)
      return s.error();
    if (!kinds.insert(d.name).second)
      return Error("arch config: dvfs domain '" + d.name + "' is defined twice");
    if (d.name == "core") {
      haveCore = true;
      set.coreKind_ = i;
    }
  }
  if (!haveCore)
    return Error("arch config: dvfs has no domain named 'core' (one instance per NPU core)");
  if (cfg.domains.size() > isa::kOwnCoreDomain)
    return Error("arch config: dvfs has " + std::to_string(cfg.domains.size()) +
                 " domains; DvfsHint can address at most " +
                 std::to_string(isa::kOwnCoreDomain));

  set.numCores_ = arch.numCores;
  const DvfsDomainConfig &core = cfg.domains[set.coreKind_];
  for (uint32_t c = 0; c < arch.numCores; ++c)
    set.domains_.push_back(std::make_unique<ClockDomain>("core" + std::to_string(c), c,
                                                         int32_t(c), core));
  set.chipInstance_.assign(cfg.domains.size(), 0);
  for (uint32_t i = 0; i < cfg.domains.size(); ++i) {
    if (i == set.coreKind_)
      continue;
    const DvfsDomainConfig &d = cfg.domains[i];
    if (d.name.size() > 4 && d.name.compare(0, 4, "core") == 0 &&
        d.name.find_first_not_of("0123456789", 4) == std::string::npos)
      return Error("arch config: dvfs domain '" + d.name +
                   "' clashes with the per-core instance names core0, core1, ...");
    uint32_t index = set.size();
    set.chipInstance_[i] = index;
    set.domains_.push_back(std::make_unique<ClockDomain>(d.name, index, -1, d));
  }
  return set;
}

ClockDomain *ClockDomainSet::find(const std::string &name) {
  for (auto &d : domains_)
    if (d->name() == name)
      return d.get();
  return nullptr;
}

const ClockDomain *ClockDomainSet::find(const std::string &name) const {
  return const_cast<ClockDomainSet *>(this)->find(name);
}

Expected<uint32_t> ClockDomainSet::resolveHint(uint32_t core, uint8_t id) const {
  if (core >= numCores_)
    return Error("DvfsHint from core " + std::to_string(core) + ", but the chip has " +
                 std::to_string(numCores_) + " cores");
  if (id == isa::kOwnCoreDomain || id == coreKind_)
    return core;
  if (id >= config_->domains.size()) {
    std::string names;
    for (size_t i = 0; i < config_->domains.size(); ++i)
      names += (i ? ", " : "") + std::to_string(i) + " = " + config_->domains[i].name;
    return Error("DvfsHint names clock domain " + std::to_string(id) +
                 ", which does not exist (domains: " + names + "; " +
                 std::to_string(isa::kOwnCoreDomain) + " = the issuing core)");
  }
  return chipInstance_[id];
}

} // namespace strata::sim
