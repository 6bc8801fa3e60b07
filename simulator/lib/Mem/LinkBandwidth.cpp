//===- LinkBandwidth.cpp - Windowed bandwidth budget of a link -------------===//

#include "strata/sim/mem/LinkBandwidth.h"

#include <algorithm>
#include <cmath>

namespace strata::sim::mem {

LinkBandwidth::LinkBandwidth(double bytesPerCycle, uint32_t windowCycles, uint32_t windows)
    : rate_(bytesPerCycle), windowCycles_(windowCycles),
      capacity_(bytesPerCycle * windowCycles), ring_(windows) {}

double LinkBandwidth::reserve(double cycle, uint64_t bytes) {
  totalBytes_ += bytes;
  if (bytes == 0)
    return cycle;
  double remaining = double(bytes);
  int64_t k = int64_t(std::floor(cycle / windowCycles_));
  double end = cycle + remaining / rate_;
  for (;; ++k) {
    Window &w = ring_[size_t(k) % ring_.size()];
    if (w.index != k) {
      w.index = k;
      w.used = 0;
    }
    double room = capacity_ - w.used;
    if (room <= 0)
      continue;
    double take = std::min(room, remaining);
    w.used += take;
    remaining -= take;
    // The window drains at the link rate from its start: what was reserved
    // in it before this transfer goes first.
    end = std::max(end, double(k) * windowCycles_ + w.used / rate_);
    if (remaining <= 0)
      return end;
  }
}

} // namespace strata::sim::mem
