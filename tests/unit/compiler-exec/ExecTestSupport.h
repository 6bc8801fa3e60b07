//===- ExecTestSupport.h - Compile graph IR and run it on the simulator -*- C++ -*-===//
//
// Execution tests compile a graph-dialect module with the real driver, run
// the binary on the simulator (functional + timing) and compare outputs with
// a plain FP32 reference (ExecReference.h). Weights are seeded: the test
// regenerates the same values with WeightStore::putRandom for the reference.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/Compiler/WeightStore.h"
#include "strata/Driver/CompileFile.h"
#include "strata/sim/Simulator.h"
#include "strata/target/ArchConfigIO.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace strata::exectest {

/// The values of graph.weight {seed = seed, init_scale = scale}.
inline std::vector<float> seeded(const std::vector<int64_t> &shape, uint64_t seed,
                                 double scale = 1.0) {
  WeightStore store;
  store.putRandom("w", shape, seed, scale);
  Expected<std::vector<float>> v = store.readF32("w");
  EXPECT_TRUE(v) << v.message();
  return v ? v.takeValue() : std::vector<float>{};
}

/// Deterministic activations in [-1, 1].
inline std::vector<float> inputs(size_t n, uint64_t seed) { return seeded({int64_t(n)}, seed); }

/// Compiles module text. With STRATA_EXEC_DUMP=DIR in the environment the
/// module is also written to DIR/<test name>.mlir (for strata compile).
inline std::optional<CompileOutput> compile(const std::string &mlir, CompileOptions options) {
  if (const char *dir = std::getenv("STRATA_EXEC_DUMP")) {
    const auto *info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = info ? std::string(info->test_suite_name()) + "." + info->name() : "module";
    for (char &c : name)
      if (c == '/')
        c = '_';
    std::ofstream(std::string(dir) + "/" + name + ".mlir") << mlir;
  }
  Expected<CompileOutput> out = compileSource(mlir, "test.mlir", options);
  EXPECT_TRUE(out) << out.message();
  if (!out)
    return std::nullopt;
  return out.takeValue();
}

/// How the simulator models HBM for a test run.
enum class Hbm {
  /// The analytic bandwidth/latency model: values are what these tests
  /// check, and it is the faster model.
  Analytic,
  /// The binary's own (detailed, per-bank) model.
  AsCompiled,
};

/// A simulator with a compiled binary loaded.
class Runner {
public:
  explicit Runner(const bin::Binary &binary, bool timingOnly = false, Hbm hbm = Hbm::Analytic)
      : binary_(binary) {
    Expected<ArchConfig> arch = parseArchConfig(binary.archConfigYaml, "binary");
    EXPECT_TRUE(arch) << arch.message();
    if (!arch)
      return;
    if (hbm == Hbm::Analytic)
      arch->hbm.model = "analytic";
    sim::SimOptions options;
    options.timingOnly = timingOnly;
    // Test programs are small: a run this long is a bug, reported as a fault
    // instead of a hang.
    options.cycleLimit = 20'000'000;
    auto sim = sim::Simulator::create(*arch, options);
    EXPECT_TRUE(sim) << sim.message();
    if (!sim)
      return;
    sim_ = sim.takeValue();
    Status s = sim_->load(binary_);
    EXPECT_TRUE(s) << s.message();
  }
  bool ok() const { return sim_ != nullptr; }
  /// Whether entry point `entry` takes the scalar parameter `param`.
  bool takes(const std::string &entry, const std::string &param) const {
    const bin::EntryPoint *e = binary_.findEntry(entry);
    return e && std::any_of(e->params.begin(), e->params.end(),
                            [&](const bin::ScalarParam &p) { return p.name == param; });
  }
  sim::Simulator &sim() { return *sim_; }

  template <typename T> void write(const std::string &name, const std::vector<T> &values) {
    const bin::IoBinding *b = binary_.findIo(name);
    ASSERT_NE(b, nullptr) << "no binding " << name;
    uint64_t bytes = 1;
    for (int64_t d : b->shape)
      bytes *= uint64_t(d);
    bytes *= dtypeBits(b->dtype) / 8;
    std::vector<uint8_t> data(bytes, 0);
    std::memcpy(data.data(), values.data(), std::min<uint64_t>(bytes, values.size() * sizeof(T)));
    Status s = sim_->writeIo(name, data.data(), data.size());
    ASSERT_TRUE(s) << s.message();
  }

  std::vector<float> readF32(const std::string &name) {
    const bin::IoBinding *b = binary_.findIo(name);
    EXPECT_NE(b, nullptr) << "no binding " << name;
    if (!b)
      return {};
    uint64_t n = 1;
    for (int64_t d : b->shape)
      n *= uint64_t(d);
    std::vector<float> out(n);
    Status s = sim_->readIo(name, out.data(), n * 4);
    EXPECT_TRUE(s) << s.message();
    return out;
  }

  /// Runs `entry`. An entry with a resident KV cache that is not given
  /// kv_valid gets the rows its SRAM copy holds after the runs so far, by
  /// the runtime's rule (SimExecutor): a decode step at pos leaves rows
  /// 0 .. pos held, a prefill at pos only those below pos.
  std::optional<sim::RunResult> run(const std::string &entry,
                                    std::vector<std::pair<std::string, int64_t>> params = {}) {
    if (std::getenv("STRATA_EXEC_TRACE_RUNS"))
      std::fprintf(stderr, "run %s\n", entry.c_str());
    auto param = [&](const char *name) {
      return std::find_if(params.begin(), params.end(),
                          [&](const auto &p) { return p.first == name; });
    };
    const int64_t pos = param("pos") != params.end() ? param("pos")->second : 0;
    if (takes(entry, "kv_valid") && param("kv_valid") == params.end())
      params.emplace_back("kv_valid", std::min(kvHeld_, pos));
    kvHeld_ = entry == "decode" ? pos + 1 : std::min(kvHeld_, pos);
    Expected<sim::RunResult> r = sim_->run(entry, params);
    EXPECT_TRUE(r) << r.message();
    if (!r)
      return std::nullopt;
    return r.takeValue();
  }

private:
  bin::Binary binary_;
  std::unique_ptr<sim::Simulator> sim_;
  int64_t kvHeld_ = 0;
};

/// Compiles `mlir` (without the unfused comparison), writes `ins` to
/// input0, input1, ..., runs `main` and returns the binding `out`; empty
/// when any step fails (the test's comparison then reports it).
inline std::vector<float> runMain(const std::string &mlir,
                                  const std::vector<std::vector<float>> &ins,
                                  CompileOptions options = {},
                                  const std::string &out = "logits") {
  options.compareFusion = false;
  auto compiled = compile(mlir, options);
  if (!compiled)
    return {};
  Runner r(compiled->binary);
  if (!r.ok())
    return {};
  for (size_t i = 0; i < ins.size(); ++i)
    r.write("input" + std::to_string(i), ins[i]);
  if (!r.run("main"))
    return {};
  return r.readF32(out);
}

/// Every |got - want| <= atol + rtol * |want|; reports the worst element.
inline ::testing::AssertionResult near(const std::vector<float> &got,
                                       const std::vector<float> &want, double atol,
                                       double rtol) {
  if (got.size() < want.size())
    return ::testing::AssertionFailure()
           << "got " << got.size() << " values, want " << want.size();
  double worst = 0;
  size_t at = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    double err = std::fabs(double(got[i]) - double(want[i]));
    double excess = err - (atol + rtol * std::fabs(double(want[i])));
    if (!(excess <= worst) || std::isnan(got[i])) {
      worst = std::isnan(got[i]) ? INFINITY : excess;
      at = i;
    }
  }
  if (worst > 0)
    return ::testing::AssertionFailure()
           << "element " << at << ": got " << got[at] << ", want " << want[at]
           << " (atol " << atol << ", rtol " << rtol << ")";
  return ::testing::AssertionSuccess();
}

} // namespace strata::exectest
