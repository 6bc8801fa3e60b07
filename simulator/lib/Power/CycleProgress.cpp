//===- CycleProgress.cpp --------------------------------------------------===//
#include "strata/sim/power/CycleProgress.h"

#include <algorithm>

namespace strata::sim {

namespace {
// Below this many cycles the work is done: floating-point residue from
// converting ns back to cycles must not schedule a wake-up of a few fs.
constexpr double kCycleEpsilon = 1e-6;
} // namespace

CycleProgress::CycleProgress(const ClockDomain &domain, double cycles, double nowNs)
    : domain_(&domain), remaining_(std::max(0.0, cycles)) {
  snapshot(nowNs);
}

void CycleProgress::snapshot(double nowNs) {
  lastNs_ = nowNs;
  if (domain_->inTransition()) {
    runFromNs_ = std::max(nowNs, domain_->transitionEndNs());
    periodNs_ = 1000.0 / domain_->point(domain_->targetLevel()).freqMHz;
  } else {
    runFromNs_ = nowNs;
    periodNs_ = domain_->periodNs();
  }
}

void CycleProgress::advance(double nowNs) {
  if (nowNs > runFromNs_) {
    remaining_ -= (nowNs - runFromNs_) / periodNs_;
    if (remaining_ < kCycleEpsilon)
      remaining_ = 0;
  }
  snapshot(std::max(nowNs, lastNs_));
}

double CycleProgress::finishNs() const {
  if (remaining_ <= 0)
    return lastNs_;
  return runFromNs_ + remaining_ * periodNs_;
}

} // namespace strata::sim
