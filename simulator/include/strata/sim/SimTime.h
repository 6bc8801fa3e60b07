//===- SimTime.h - The time the model acts at --------------------*- C++ -*-===//
//
// Normally the SystemC kernel's time. With the analytic memory model the
// cores settle their events ahead of the kernel while no other process has
// anything scheduled before them (NpuCore::runAhead, "run-ahead"): nothing
// can observe the gap, so settling them at once gives what the kernel would
// have given, without a trip through its scheduler per event. While a core
// runs ahead, every clock of the model reads the core's local time here, and
// an event notified for "now" fires at that time rather than at the kernel's.
// Cores whose events fall at the same time settle highest core first, the
// order in which the kernel ran them.
//
// Code that runs inside a core's activation reads the time through these
// functions; processes the kernel runs itself never see a local time.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <systemc>

#include <cmath>
#include <cstdint>

namespace strata::sim {

namespace detail {
/// Whether a core runs ahead, and its local time in kernel units.
inline bool runningAhead = false;
inline uint64_t runAheadValue = 0;
/// Notifications made through notifyNow/notifyAfter (a core running ahead
/// re-reads the kernel's next activity only after one).
inline uint64_t notifications = 0;
/// simNowNs's last answer: a core's activation asks many times at one time.
inline uint64_t nsCacheValue = UINT64_MAX;
inline double nsCache = 0;
} // namespace detail

/// Whether the running code acts at a core's local time (see above).
inline bool runningAhead() { return detail::runningAhead; }

/// Now, in kernel time units.
inline uint64_t simNowValue() {
  return detail::runningAhead ? detail::runAheadValue : sc_core::sc_time_stamp().value();
}

/// Now, as an sc_time.
inline sc_core::sc_time simNow() { return sc_core::sc_time::from_value(simNowValue()); }

namespace detail {
/// sc_time::to_seconds() without a call into the library: value x the
/// resolution in fs x 1e-15, used only if it gives the library's bits on a
/// spread of values (checked once), else 0 (use the library).
inline double inlineResolutionFs() {
  const double fs = std::round(sc_core::sc_get_time_resolution().to_seconds() * 1e15);
  uint64_t v = 0;
  for (int i = 0; i < 4096; ++i) {
    if (double(v) * fs * 1e-15 != sc_core::sc_time::from_value(v).to_seconds())
      return 0;
    v = i < 64 ? uint64_t(i) : v * 6364136223846793005ull + 1442695040888963407ull;
    v >>= i % 24; // spread over magnitudes, most below 2^53
  }
  return fs;
}
} // namespace detail

/// `sc_time::from_value(value).to_seconds()`, bit for bit.
inline double secondsOfValue(uint64_t value) {
  static const double resFs = detail::inlineResolutionFs();
  return resFs != 0 ? double(value) * resFs * 1e-15
                    : sc_core::sc_time::from_value(value).to_seconds();
}

/// Now in ns, as `sc_time_stamp().to_seconds() * 1e9` gives it.
inline double simNowNs() {
  const uint64_t v = simNowValue();
  if (v != detail::nsCacheValue) {
    detail::nsCacheValue = v;
    detail::nsCache = secondsOfValue(v) * 1e9;
  }
  return detail::nsCache;
}

/// How far the running core is ahead of the kernel.
inline sc_core::sc_time runAheadLead() {
  return detail::runningAhead
             ? sc_core::sc_time::from_value(detail::runAheadValue -
                                            sc_core::sc_time_stamp().value())
             : sc_core::SC_ZERO_TIME;
}

/// Notifies `e` at now: the next delta cycle, or the running core's local time.
inline void notifyNow(sc_core::sc_event &e) {
  ++detail::notifications;
  if (detail::runningAhead)
    e.notify(runAheadLead());
  else
    e.notify(sc_core::SC_ZERO_TIME);
}

/// Notifies `e` (an sc_event or sc_event_queue) `delay` after now.
template <typename Event> void notifyAfter(Event &e, const sc_core::sc_time &delay) {
  ++detail::notifications;
  e.notify(detail::runningAhead ? delay + runAheadLead() : delay);
}

/// Sets the local time of a core that runs ahead for its lifetime.
class RunAheadScope {
public:
  RunAheadScope() = default;
  RunAheadScope(const RunAheadScope &) = delete;
  RunAheadScope &operator=(const RunAheadScope &) = delete;
  ~RunAheadScope() {
    detail::runningAhead = false;
    detail::runAheadValue = 0;
  }
  void moveTo(uint64_t value) {
    detail::runningAhead = true;
    detail::runAheadValue = value;
  }
};

} // namespace strata::sim
