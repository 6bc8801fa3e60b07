//===- CycleProgress.h - Work measured in cycles of a changing clock -*- C++ -*-===//
//
// A unit that has N cycles of work in flight when its domain's operating
// point changes must finish the remaining cycles at the new frequency, and
// make no progress while the clock is stalled. CycleProgress does that
// bookkeeping in plain C++: it remembers the domain state seen at the last
// update and credits the cycles that elapsed since under that state.
//
// Usage (any scheduler; DvfsController::waitCycles does this for SC_THREADs):
//   CycleProgress work(domain, cycles, nowNs);
//   schedule(work.finishNs());
//   // on a DomainChange of `domain` at time t:
//   work.advance(t);
//   reschedule(work.finishNs());
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/sim/power/ClockDomain.h"

namespace strata::sim {

class CycleProgress {
public:
  CycleProgress(const ClockDomain &domain, double cycles, double nowNs);

  /// Credits the cycles run between the previous update and `nowNs` under the
  /// domain state seen then, and snapshots the current state.
  void advance(double nowNs);

  double remainingCycles() const { return remaining_; }
  bool done() const { return remaining_ <= 0; }
  /// When the work completes if the domain does not change again.
  double finishNs() const;

private:
  void snapshot(double nowNs);

  const ClockDomain *domain_;
  double remaining_;
  double lastNs_ = 0;
  double runFromNs_ = 0; ///< the clock runs from here (stall end or lastNs_)
  double periodNs_ = 0;  ///< period once running
};

} // namespace strata::sim
