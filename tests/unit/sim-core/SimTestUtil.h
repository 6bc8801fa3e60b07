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

/// Core-clock period of the default arch at its nominal point, in ns.
inline double nominalPeriodNs(const ArchConfig &arch) {
  const DvfsDomainConfig *d = arch.findDomain("core");
  return 1000.0 / d->points[d->nominal].freqMHz;
}

} // namespace strata::test
