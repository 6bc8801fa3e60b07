//===- DvfsController.cpp -------------------------------------------------===//
#include "strata/sim/power/DvfsController.h"

#include "strata/sim/power/CycleProgress.h"
#include "strata/sim/SimTime.h"

#include <cstdio>

namespace strata::sim {

using sc_core::SC_NS;
using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;

namespace {
// Transition ends are kept in double ns; SystemC rounds them to its time
// resolution (1 ps by default), so a completion may fire a hair early.
constexpr double kTimeSlackNs = 1e-3;

std::string pointLabel(const OperatingPoint &p, uint32_t level) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%.3g V, %.6g MHz", p.volts, p.freqMHz);
  std::string name = p.name.empty() ? "level " + std::to_string(level) : "'" + p.name + "'";
  return name + " (" + buf + ")";
}
} // namespace

DvfsController::DvfsController(sc_core::sc_module_name name, ClockDomainSet &domains,
                               std::unique_ptr<Governor> governor,
                               const DvfsConfig &config, StatGroup &parentStats)
    : sc_module(name), domains_(domains), governor_(std::move(governor)), config_(config),
      meter_(domains.size()), perDomain_(domains.size()),
      transitionDone_("transition_done") {
  for (uint32_t d = 0; d < domains_.size(); ++d) {
    changed_.push_back(std::make_unique<sc_core::sc_event>());
    domains_[d].addListener([this](const ClockDomain &c, DomainChange change, double nowNs) {
      onChange(c, change, nowNs);
    });
  }

  SC_METHOD(completeTransitions);
  sensitive << transitionDone_;
  dont_initialize();
  if (governor_->samples()) {
    // Runs once at time 0 to arm the first window, then on each tick or wake.
    SC_METHOD(sample);
    sensitive << tick_ << wake_;
  }

  StatGroup &s = parentStats.child("dvfs");
  s.formula("ondemand_window", "utilisation sampling window of the ondemand governor", "ns",
            [this] { return config_.ondemandWindowNs; });
  for (uint32_t d = 0; d < domains_.size(); ++d) {
    ClockDomain &dom = domains_[d];
    StatGroup &g = s.child(dom.name());
    g.formula("level", "operating point at the end of the run", "index",
              [this, d] { return double(domains_[d].targetLevel()); });
    g.formula("frequency", "clock frequency at the end of the run", "MHz",
              [this, d] { return domains_[d].point(domains_[d].targetLevel()).freqMHz; });
    g.formula("average_frequency", "time-weighted frequency while the clock ran", "MHz",
              [this, d] {
                const ClockDomain &c = domains_[d];
                double t = 0, weighted = 0;
                for (uint32_t l = 0; l < c.numLevels(); ++l) {
                  double r = c.residencyNs(l, nowNs());
                  t += r;
                  weighted += r * c.point(l).freqMHz;
                }
                return t > 0 ? weighted / t : c.freqMHz();
              });
    g.formula("transitions", "operating-point transitions started", "count",
              [this, d] { return double(domains_[d].transitions()); });
    g.formula("transition_time", "time the clock was stalled by transitions", "ns",
              [this, d] { return domains_[d].transitionTimeNs(nowNs()); });
    g.formula("transition_energy", "energy of the transitions", "J",
              [this, d] { return domains_[d].transitionEnergyNj() * 1e-9; });
    g.formula("hints", "DvfsHint instructions addressed to the domain", "count",
              [this, d] { return double(perDomain_[d].hints); });
    g.formula("hints_ignored", "hints the governor did not follow", "count",
              [this, d] { return double(perDomain_[d].ignored); });
    for (uint32_t l = 0; l < dom.numLevels(); ++l)
      g.formula("level" + std::to_string(l) + "_residency",
                "time at operating point " + pointLabel(dom.point(l), l) +
                    " with the clock running; all levels + transition_time = run time",
                "ns", [this, d, l] { return domains_[d].residencyNs(l, nowNs()); });
  }
}

void DvfsController::setTrace(TraceWriter *trace,
                              std::function<uint32_t(const ClockDomain &)> pidOf) {
  trace_ = trace;
  if (pidOf) {
    pidOf_ = std::move(pidOf);
  } else {
    pidOf_ = [](const ClockDomain &d) { return d.index(); };
  }
  if (trace_)
    for (uint32_t d = 0; d < domains_.size(); ++d)
      traceDomain(domains_[d], nowNs());
}

void DvfsController::traceDomain(const ClockDomain &d, double nowNs) {
  if (!trace_ || !trace_->enabled())
    return;
  uint32_t pid = pidOf_(d);
  // While stalled the clock is stopped: frequency 0 makes the gap visible.
  double freq = d.inTransition() ? 0.0 : d.freqMHz();
  trace_->counter(pid, d.name() + " DVFS level", nowNs, double(d.level()));
  trace_->counter(pid, d.name() + " frequency (MHz)", nowNs, freq);
  trace_->counter(pid, d.name() + " voltage (V)", nowNs, d.leakageVolts());
}

double DvfsController::nowNs() const { return finished_ ? finishNs_ : simNowNs(); }

Status DvfsController::checkDomain(uint32_t domain, const char *what) const {
  if (domain < domains_.size())
    return Status::ok();
  return Error(std::string(what) + " for clock domain " + std::to_string(domain) +
               ", which does not exist (the chip has " + std::to_string(domains_.size()) +
               " domain instances)");
}

uint32_t DvfsController::addBusyUnit(uint32_t domain, const std::string &name) {
  if (domain >= domains_.size())
    throw std::invalid_argument("DVFS busy unit '" + name + "': clock domain " +
                                std::to_string(domain) + " does not exist");
  return meter_.addUnit(domain);
}

void DvfsController::busyBegin(uint32_t unit) {
  meter_.begin(unit, simNowNs());
  if (sleeping_)
    notifyNow(wake_);
}

void DvfsController::busyEnd(uint32_t unit) { meter_.end(unit, simNowNs()); }

void DvfsController::addBusy(uint32_t unit, double ns) {
  meter_.addBusy(unit, ns);
  if (sleeping_)
    notifyNow(wake_);
}

Status DvfsController::request(uint32_t domain, uint32_t level) {
  if (Status s = checkDomain(domain, "DVFS request"); !s)
    return s;
  if (finished_)
    return Status::ok();
  return domains_[domain].request(level, simNowNs());
}

Status DvfsController::hint(uint32_t domain, uint32_t level) {
  if (Status s = checkDomain(domain, "DvfsHint"); !s)
    return s;
  ClockDomain &d = domains_[domain];
  if (level >= d.numLevels())
    return Error("DvfsHint asks for operating point " + std::to_string(level) +
                 " of clock domain '" + d.name() + "', which has " +
                 std::to_string(d.numLevels()) + " (0.." +
                 std::to_string(d.numLevels() - 1) + ")");
  ++perDomain_[domain].hints;
  std::optional<uint32_t> wanted = governor_->onHint(d, level);
  if (!wanted || finished_) {
    ++perDomain_[domain].ignored;
    return Status::ok();
  }
  return d.request(*wanted, simNowNs());
}

void DvfsController::onChange(const ClockDomain &d, DomainChange change, double nowNs) {
  uint32_t i = d.index();
  notifyNow(*changed_[i]);
  if (change == DomainChange::TransitionBegin)
    notifyAfter(transitionDone_, sc_time(d.transitionEndNs() - nowNs, SC_NS));
  traceDomain(d, nowNs);
}

void DvfsController::completeTransitions() {
  if (finished_)
    return;
  double now = simNowNs();
  for (uint32_t d = 0; d < domains_.size(); ++d) {
    ClockDomain &dom = domains_[d];
    if (dom.inTransition() && dom.transitionEndNs() <= now + kTimeSlackNs)
      dom.completeTransition(now);
  }
}

void DvfsController::sample() {
  if (finished_)
    return;
  double now = simNowNs();
  double window = config_.ondemandWindowNs;
  if (!primed_ || sleeping_) {
    // Start a fresh window; activity reported while asleep belongs to it.
    primed_ = true;
    sleeping_ = false;
    windowStartNs_ = now;
    tick_.cancel();
    tick_.notify(sc_time(window, SC_NS));
    return;
  }
  bool active = meter_.active();
  meter_.sample(now, now - windowStartNs_, utilisation_);
  windowStartNs_ = now;
  bool allAtBottom = true;
  for (uint32_t d = 0; d < domains_.size(); ++d) {
    ClockDomain &dom = domains_[d];
    if (std::optional<uint32_t> level = governor_->onSample(dom, utilisation_[d]))
      (void)dom.request(*level, now); // governors return existing levels
    allAtBottom &= dom.targetLevel() == 0 && !dom.inTransition();
  }
  if (!active && allAtBottom) {
    sleeping_ = true; // wake_ restarts sampling
    return;
  }
  tick_.notify(sc_time(window, SC_NS));
}

void DvfsController::waitCycles(uint32_t domain, double cycles) {
  ClockDomain &d = domains_[domain];
  double now = simNowNs();
  CycleProgress work(d, cycles, now);
  while (!work.done()) {
    double finish = work.finishNs();
    if (finish - now <= kTimeSlackNs)
      return;
    // Wakes at the finish time or at a change of the domain, whichever is
    // first; a change notified before this call wakes it at once, harmlessly.
    sc_core::wait(sc_time(finish - now, SC_NS), *changed_[domain]);
    now = simNowNs();
    if (now >= finish - kTimeSlackNs)
      return;
    work.advance(now);
  }
}

void DvfsController::finish() {
  if (finished_)
    return;
  double now = simNowNs();
  finishNs_ = now;
  finished_ = true;
  tick_.cancel();
  wake_.cancel();
  transitionDone_.cancel_all();
  if (trace_)
    for (uint32_t d = 0; d < domains_.size(); ++d)
      traceDomain(domains_[d], now);
}

} // namespace strata::sim
