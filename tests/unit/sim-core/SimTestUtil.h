//===- SimTestUtil.h - Programs and chips for simulator tests ---*- C++ -*-===//
#pragma once

#include "strata/sim/Simulator.h"
#include "strata/target/ArchConfig.h"
#include "strata/target/Assembly.h"
#include "strata/target/Binary.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace strata::test {

/// The default architecture shrunk to `cores` cores (elaboration is quicker
/// and results easier to reason about).
inline ArchConfig testArch(uint32_t cores = 1) {
  ArchConfig arch;
  arch.numCores = cores;
  return arch;
}

/// A binary with one entry point "main": one assembly program per core.
inline bin::Binary binaryOf(const std::vector<std::string> &programs,
                            std::vector<bin::ScalarParam> params = {},
                            const std::string &entry = "main") {
  bin::Binary b;
  bin::EntryPoint e;
  e.name = entry;
  e.params = std::move(params);
  for (const std::string &text : programs) {
    auto p = isa::parseProgram(text);
    EXPECT_TRUE(p) << p.message() << "\n" << text;
    e.cores.push_back(p ? p.takeValue() : std::vector<isa::Instr>{});
  }
  b.entries.push_back(std::move(e));
  return b;
}

inline std::unique_ptr<sim::Simulator> makeSim(const ArchConfig &arch,
                                               const sim::SimOptions &options = {}) {
  auto s = sim::Simulator::create(arch, options);
  EXPECT_TRUE(s) << s.message();
  return s ? s.takeValue() : nullptr;
}

/// Loads `programs` into a new simulator and runs "main"; fails the test on error.
struct Ran {
  std::unique_ptr<sim::Simulator> sim;
  sim::RunResult result;
};
inline Ran runPrograms(const ArchConfig &arch, const std::vector<std::string> &programs,
                       const sim::SimOptions &options = {}) {
  Ran r;
  r.sim = makeSim(arch, options);
  if (!r.sim)
    return r;
  Status s = r.sim->load(binaryOf(programs));
  EXPECT_TRUE(s) << s.message();
  auto res = r.sim->run("main");
  EXPECT_TRUE(res) << res.message();
  if (res)
    r.result = *res;
  return r;
}

/// Runs and returns the error message (empty if the run succeeded).
inline std::string runError(const ArchConfig &arch, const std::vector<std::string> &programs,
                            const sim::SimOptions &options = {}) {
  auto sim = makeSim(arch, options);
  if (!sim)
    return "<no simulator>";
  Status s = sim->load(binaryOf(programs));
  if (!s)
    return s.message();
  auto res = sim->run("main");
  return res ? std::string() : res.message();
}

/// softmax(A x B / 8) row by row on one core: A [16][64] f16 at HBM
/// 0x100000, B [64][48] f16 at 0x200000, out [16][48] f32 at 0x300000.
inline constexpr const char *kGemmSoftmaxProgram = R"(
    dma.load src=hbm[0x100000] dst=sram[0x0] size=2048
    dma.load src=hbm[0x200000] dst=sram[0x1000] size=6144
    sem.signal load, s0, 1
    tc.config gang=4x4 precision=f16
    sem.wait compute, s0
    gemm m=16 n=48 k=64 a=f16 b=f16 out=f32 A=[0x0] lda=64 B=[0x1000] ldb=48 C=[0x4000] ldc=48
    vsoftmax rows=16 cols=48 in=f32 out=f32 x=[0x4000] ld0=48 dst=[0x8000] ldd=48 scale=0.125
    sem.signal compute, s1
    sem.wait store, s1
    dma.store src=sram[0x8000] dst=hbm[0x300000] size=3072
    halt
)";

/// Core-clock period of the default arch at its nominal point, in ns.
inline double nominalPeriodNs(const ArchConfig &arch) {
  const DvfsDomainConfig *d = arch.findDomain("core");
  return 1000.0 / d->points[d->nominal].freqMHz;
}

} // namespace strata::test
