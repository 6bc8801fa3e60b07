//===- GroupGemm.h - One Gemm on tensor-core group 0, timed by hand ---*- C++ -*-===//
//
// The shape GemmOverlapTest and SemReleaseTest time: 64 x 256 x 256 f16 on
// group 0 of the 16x1 gang of the default arch (32 x 32 arrays, fill R + C +
// pipeline = 32 + 32 + 8 = 72, f16 1024 MACs a cycle, 1 GHz): 8 x 8 tiles of
// 64 rows, occupancy 64 * 64 = 4,096 cycles, latency 4,096 + 72 = 4,168 (the
// scratchpad needs 672 cycles: compute bound).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "SimTestUtil.h"

#include <fmt/format.h>

namespace strata::test {

inline constexpr uint64_t kOccupancy = 4096, kLatency = 4168;

/// The Gemm reading A at `a` and B at `b`, writing C at `c`; `extra` adds
/// keys (" accumulate", " bias=[...]").
inline std::string groupGemm(uint32_t a, uint32_t c, uint32_t b = 0x100000,
                             const char *extra = "") {
  return fmt::format("gemm m=64 n=256 k=256 a=f16 b=f16 out=f32 A=[{:#x}] lda=256 "
                     "B=[{:#x}] ldb=256 C=[{:#x}] ldc=256 tcGroup=0{}\n",
                     a, b, c, extra);
}

inline sim::SimOptions timingOnly() {
  sim::SimOptions o;
  o.timingOnly = true;
  return o;
}

/// A statistic of the run, e.g. "core0.store.sync_blocked".
inline double statOf(const Ran &r, const char *name) {
  double v = -1;
  EXPECT_TRUE(r.sim->stats().lookup(name, v)) << name;
  return v;
}

} // namespace strata::test
