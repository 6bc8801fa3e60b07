//===- HostIsa.cpp - Choosing the kernels' host instruction set -----------===//

#include "strata/sim/func/HostIsa.h"

#include <atomic>

namespace strata::sim::func {

namespace {

HostIsa detectBest() {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("f16c"))
    return HostIsa::Avx2;
#endif
  return HostIsa::Portable;
}

std::atomic<HostIsa> &selected() {
  static std::atomic<HostIsa> isa{detectBest()};
  return isa;
}

} // namespace

HostIsa hostIsa() { return selected().load(std::memory_order_relaxed); }

bool hostSupports(HostIsa isa) {
  static const HostIsa best = detectBest();
  return isa == HostIsa::Portable || best == HostIsa::Avx2;
}

HostIsa selectHostIsa(HostIsa isa) {
  if (hostSupports(isa))
    selected().store(isa, std::memory_order_relaxed);
  return hostIsa();
}

std::string_view hostIsaName(HostIsa isa) {
  switch (isa) {
  case HostIsa::Portable: return "portable";
  case HostIsa::Avx2: return "avx2";
  }
  return "unknown";
}

} // namespace strata::sim::func
