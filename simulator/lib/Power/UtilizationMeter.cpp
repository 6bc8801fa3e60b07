//===- UtilizationMeter.cpp -----------------------------------------------===//
#include "strata/sim/power/UtilizationMeter.h"

#include <algorithm>

namespace strata::sim {

uint32_t UtilizationMeter::addUnit(uint32_t domain) {
  Unit u;
  u.domain = domain;
  units_.push_back(u);
  return uint32_t(units_.size() - 1);
}

void UtilizationMeter::begin(uint32_t unit, double nowNs) {
  Unit &u = units_[unit];
  if (u.depth++ == 0)
    u.since = nowNs;
  u.touched = true;
}

void UtilizationMeter::end(uint32_t unit, double nowNs) {
  Unit &u = units_[unit];
  if (u.depth == 0)
    return; // unmatched end: nothing is in flight
  if (--u.depth == 0)
    u.busyNs += std::max(0.0, nowNs - u.since);
  u.touched = true;
}

bool UtilizationMeter::active() const {
  for (const Unit &u : units_)
    if (u.touched || u.depth > 0 || u.busyNs > 0)
      return true;
  return false;
}

void UtilizationMeter::sample(double nowNs, double windowNs, std::vector<double> &out) {
  out.assign(numDomains_, 0.0);
  for (Unit &u : units_) {
    double busy = u.busyNs;
    if (u.depth > 0) {
      busy += std::max(0.0, nowNs - u.since);
      u.since = nowNs; // the rest of the interval belongs to the next window
    }
    double util = windowNs > 0 ? std::min(1.0, busy / windowNs) : 0.0;
    if (u.domain < numDomains_)
      out[u.domain] = std::max(out[u.domain], util);
    u.busyNs = 0;
    u.touched = false;
  }
}

} // namespace strata::sim
