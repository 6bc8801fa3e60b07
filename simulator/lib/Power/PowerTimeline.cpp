//===- PowerTimeline.cpp --------------------------------------------------===//
#include "strata/sim/power/PowerTimeline.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace strata::sim {

PowerTimeline::PowerTimeline(uint32_t numDomains, double windowNs)
    : windowNs_(windowNs), invWindow_(1.0 / windowNs), pj_(numDomains) {
  if (!(windowNs > 0) || !std::isfinite(windowNs))
    throw std::invalid_argument("power window must be a positive time in ns (got " +
                                std::to_string(windowNs) + ")");
}

void PowerTimeline::addAtSlow(uint32_t domain, uint64_t window, double pj) {
  std::vector<double> &bins = pj_[domain];
  if (window >= bins.size())
    bins.resize(std::max<size_t>(window + 1, bins.size() * 2), 0.0);
  bins[window] += pj;
  top_ = std::max(top_, window + 1);
  if (window < peakUpTo_)
    peak_ = std::max(peak_, windowW(window));
}

double PowerTimeline::windowW(uint64_t window) const {
  double pj = 0;
  for (const std::vector<double> &bins : pj_)
    if (window < bins.size())
      pj += bins[window];
  return pj / windowNs_ * 1e-3; // pJ / ns = mW
}

void PowerTimeline::coarsen() {
  for (std::vector<double> &bins : pj_) {
    size_t half = (bins.size() + 1) / 2;
    for (size_t w = 0; w < half; ++w)
      bins[w] = bins[2 * w] + (2 * w + 1 < bins.size() ? bins[2 * w + 1] : 0.0);
    bins.resize(half);
  }
  windowNs_ *= 2;
  invWindow_ = 1.0 / windowNs_;
  peakUpTo_ = 0;
  peak_ = 0;
  top_ = (top_ + 1) / 2;
}

void PowerTimeline::addSpanning(uint32_t domain, double pj, double startNs, double endNs) {
  startNs = std::max(0.0, startNs);
  while (std::max(startNs, endNs) * invWindow_ >= double(kMaxWindows))
    coarsen();
  uint64_t w0 = uint64_t(startNs * invWindow_);
  if (!(endNs > startNs)) {
    addAt(domain, w0, pj);
    return;
  }
  // An interval that ends exactly on a boundary does not touch the next window.
  uint64_t w1 = uint64_t(std::ceil(endNs * invWindow_)) - 1;
  w1 = std::max(w0, w1);
  if (w0 == w1) {
    addAt(domain, w0, pj);
    return;
  }
  // The two edge windows get their share; the ones between get a whole
  // window's worth each, in one pass (long DMAs cover tens of windows, and
  // this runs for every instruction).
  const double perNs = pj / (endNs - startNs);
  std::vector<double> &bins = pj_[domain];
  if (w1 >= bins.size())
    bins.resize(std::max<size_t>(w1 + 1, bins.size() * 2), 0.0);
  const double firstEnd = double(w0 + 1) * windowNs_;
  addAt(domain, w0, perNs * (std::min(endNs, firstEnd) - startNs));
  const double whole = perNs * windowNs_;
  double *b = bins.data();
  for (uint64_t w = w0 + 1; w < w1; ++w)
    b[w] += whole;
  if (w1 > w0 + 1 && peakUpTo_ > w0 + 1)
    for (uint64_t w = w0 + 1; w < std::min<uint64_t>(w1, peakUpTo_); ++w)
      peak_ = std::max(peak_, windowW(w));
  const double lastStart = double(w1) * windowNs_;
  if (endNs > lastStart)
    addAt(domain, w1, perNs * (endNs - lastStart));
  else
    top_ = std::max(top_, w1 + 1);
}

uint64_t PowerTimeline::numWindows(double endNs) const {
  if (!(endNs > 0))
    return 1;
  return std::max<uint64_t>(1, uint64_t(std::ceil(endNs * invWindow_)));
}

std::vector<double> PowerTimeline::powerW(double endNs, int64_t domain) const {
  uint64_t n = numWindows(endNs);
  std::vector<double> pj(n, 0.0);
  for (size_t d = 0; d < pj_.size(); ++d) {
    if (domain >= 0 && size_t(domain) != d)
      continue;
    const std::vector<double> &bins = pj_[d];
    for (size_t w = 0; w < bins.size(); ++w)
      pj[std::min<uint64_t>(w, n - 1)] += bins[w];
  }
  std::vector<double> watts(n, 0.0);
  for (uint64_t w = 0; w < n; ++w) {
    double len = std::min(windowNs_, endNs - double(w) * windowNs_);
    if (!(len > 0))
      len = windowNs_; // a zero-length run still reports its energy
    watts[w] = pj[w] / len * 1e-3; // pJ / ns = mW
  }
  return watts;
}

double PowerTimeline::peakW(double endNs) const {
  const uint64_t n = numWindows(endNs);
  // Full windows are final in length; the last one also takes the energy
  // recorded past endNs, so it is never cached.
  const uint64_t full = std::min<uint64_t>(
      n - 1, endNs > 0 ? uint64_t(std::floor(endNs * invWindow_)) : 0);
  if (full < peakUpTo_) {
    // An earlier query reached further: answer this one from scratch.
    std::vector<double> w = powerW(endNs);
    return *std::max_element(w.begin(), w.end());
  }
  for (; peakUpTo_ < full; ++peakUpTo_)
    peak_ = std::max(peak_, windowW(peakUpTo_));
  double last = 0;
  for (const std::vector<double> &bins : pj_)
    for (size_t w = n - 1; w < std::min<size_t>(bins.size(), top_); ++w)
      last += bins[w];
  double len = std::min(windowNs_, endNs - double(n - 1) * windowNs_);
  if (!(len > 0))
    len = windowNs_;
  double peak = last / len * 1e-3;
  return std::max(peak_, peak);
}

} // namespace strata::sim
