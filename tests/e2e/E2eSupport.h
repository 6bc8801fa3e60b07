//===- E2eSupport.h - Compile a reference model and run it ------*- C++ -*-===//
//
// The end-to-end tests go the way a user does: model file -> graph builder
// -> compiler driver -> NPU binary -> runtime sessions on the simulator (the
// default architecture), and compare with outside references. Reference
// data lives under STRATA_SHARED_DIR; a test whose data is absent is
// skipped with the path it looked for (SharedData.h).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "SharedData.h"

#include "strata/runtime/ModelCompile.h"
#include "strata/runtime/Session.h"
#include "strata/runtime/SimExecutor.h"

#include <gtest/gtest.h>

#include <cctype>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace strata::e2e {

struct CompiledRun {
  runtime::CompiledModel compiled;
  std::unique_ptr<runtime::Engine> engine;
};

/// Compiles `modelPath` with `precision` and a KV cache of `kvCache`
/// elements and puts it on a fresh simulator of the default architecture.
/// Fails the current test (and returns an empty engine) on any error.
inline CompiledRun compileAndLoad(const std::string &modelPath, const std::string &precision,
                                  const std::string &kvCache = "f32", uint32_t chunk = 16,
                                  bool pinWeights = true, bool residentKv = true) {
  CompiledRun run;
  runtime::ModelCompileOptions options;
  options.compile.precision = precision;
  options.compile.pinWeights = pinWeights;
  options.compile.residentKv = residentKv;
  options.compile.compareFusion = false;
  options.prefillChunk = chunk;
  options.kvCache = kvCache;
  auto compiled = runtime::compileModelInput(modelPath, options);
  EXPECT_TRUE(compiled) << compiled.message();
  if (!compiled)
    return run;
  run.compiled = compiled.takeValue();
  auto executor = runtime::SimExecutor::create(run.compiled.binary, run.compiled.arch, {},
                                               modelPath, run.compiled.maxSeq);
  EXPECT_TRUE(executor) << executor.message();
  if (executor)
    run.engine = std::make_unique<runtime::Engine>(executor.takeValue());
  return run;
}

/// Index of the first difference of two id lists (or the shorter length).
inline size_t firstDifference(const std::vector<int32_t> &a, const std::vector<int32_t> &b) {
  size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i])
    ++i;
  return i;
}

/// One line of a JSONL reference file, named for test names and output.
struct ReferenceLine {
  nlohmann::json data;
  std::string name;
};
inline void PrintTo(const ReferenceLine &line, std::ostream *os) { *os << line.name; }

/// The lines of a JSONL reference file, named by `nameOf(line)` (made
/// identifier-safe), or one unnamed line when the file is absent (the test
/// then skips, naming the file).
template <typename NameOf>
std::vector<ReferenceLine> referenceLines(const std::string &relative, NameOf nameOf) {
  const std::string path = models::testing::modelPath(relative);
  if (!models::testing::pathExists(path))
    return {{nlohmann::json::object(), "data_absent"}};
  std::vector<ReferenceLine> lines;
  for (nlohmann::json &j : models::testing::readJsonLines(path)) {
    std::string name = nameOf(j);
    for (char &c : name)
      if (!std::isalnum(static_cast<unsigned char>(c)))
        c = '_';
    lines.push_back({std::move(j), std::to_string(lines.size()) + "_" + name});
  }
  return lines;
}

inline std::string lineName(const ::testing::TestParamInfo<ReferenceLine> &info) {
  return info.param.name;
}

} // namespace strata::e2e
