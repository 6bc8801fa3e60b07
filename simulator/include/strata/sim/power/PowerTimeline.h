//===- PowerTimeline.h - Energy binned into fixed time windows --*- C++ -*-===//
//
// Energy spent over an interval is spread uniformly over the windows the
// interval covers, so a long instruction reported at its end does not show up
// as a spike in one window. Reports may arrive out of time order (units run
// concurrently). Power of a window = its energy / its length; the last
// window is only as long as the run. Memory stays bounded: when a run would
// need more than kMaxWindows windows, adjacent windows are merged and the
// window length doubles (windowNs() reports the length in force).
//
// Usage:
//   PowerTimeline t(numDomains, 1000.0);      // 1 us windows
//   t.add(domain, pj, startNs, endNs);
//   auto watts = t.powerW(endNs);             // one value per window, all domains
//
//===----------------------------------------------------------------------===//
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace strata::sim {

class PowerTimeline {
public:
  static constexpr uint64_t kMaxWindows = uint64_t(1) << 19;

  /// `windowNs` must be positive.
  PowerTimeline(uint32_t numDomains, double windowNs);

  double windowNs() const { return windowNs_; }
  void add(uint32_t domain, double pj, double startNs, double endNs) {
    // Most reports (an instant, or an interval inside one window) take one
    // inline step; addSpanning does the same steps and then spreads.
    startNs = std::max(0.0, startNs);
    if (std::max(startNs, endNs) * invWindow_ < double(kMaxWindows)) {
      const uint64_t w0 = uint64_t(startNs * invWindow_);
      if (!(endNs > startNs) || uint64_t(std::ceil(endNs * invWindow_)) - 1 <= w0) {
        addAt(domain, w0, pj);
        return;
      }
    }
    addSpanning(domain, pj, startNs, endNs);
  }

  /// Windows needed to cover [0, endNs] (at least one).
  uint64_t numWindows(double endNs) const;
  /// Average power of each window in W, for one domain or (domain < 0) all;
  /// energy recorded past endNs is folded into the last window.
  std::vector<double> powerW(double endNs, int64_t domain = -1) const;
  /// The highest value powerW(endNs) holds, all domains. Windows that lie
  /// wholly before an earlier query's endNs are not rescanned: a runtime
  /// asks after every step, and rescanning the whole run each time made a
  /// long generation quadratic.
  double peakW(double endNs) const;

private:
  void addAt(uint32_t domain, uint64_t window, double pj) {
    // Almost every report lands in an allocated window after the last peak
    // query, below the highest window used so far.
    std::vector<double> &bins = pj_[domain];
    if (window < bins.size() && window >= peakUpTo_ && window < top_)
      bins[window] += pj;
    else
      addAtSlow(domain, window, pj);
  }
  void addAtSlow(uint32_t domain, uint64_t window, double pj);
  /// add() for a report over several windows, or one that needs coarser
  /// windows first.
  void addSpanning(uint32_t domain, double pj, double startNs, double endNs);
  void coarsen();
  double windowW(uint64_t window) const;
  double windowNs_;
  double invWindow_;
  std::vector<std::vector<double>> pj_; ///< [domain][window]
  // Peak over the full windows [0, peakUpTo_); energy added to one of them
  // later can only raise its power, so addAt keeps peak_ current.
  mutable uint64_t peakUpTo_ = 0;
  mutable double peak_ = 0;
  uint64_t top_ = 0; ///< one past the last window any energy went to
};

} // namespace strata::sim
