// End-to-end speed of the simulator as a user sees it: tokens per host
// second of `strata run` (compiled model, functional + timing simulation on
// the default architecture) next to the plain FP32 reference forward pass,
// measured in the same process; and host seconds of a timing-only
// prefill + decode of the LLaMA-2-7B shape. Figures: docs/performance.md.
//
//   strata_bench_run --benchmark_filter=Stories260K
//   strata_bench_run --benchmark_filter=Llama2_7B
#include "strata/models/ModelLoader.h"
#include "strata/models/reference/ReferenceModel.h"
#include "strata/runtime/Generate.h"
#include "strata/runtime/ModelCompile.h"
#include "strata/runtime/SimExecutor.h"
#include "strata/target/ArchConfigIO.h"

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>

using namespace strata;

namespace {

std::string sharedModel(const std::string &rel) {
  const char *env = std::getenv("STRATA_SHARED_DIR");
  return std::string(env && *env ? env : STRATA_SHARED_DIR) + "/models/" + rel;
}

constexpr uint32_t kPositions = 256;
const char *kStories = "stories260K/stories260K.bin";

/// The reference: run.c's loop, greedy from BOS for kPositions forward passes.
void BM_Stories260K_Reference(benchmark::State &state) {
  auto model = models::loadModel(sharedModel(kStories));
  if (!model) {
    state.SkipWithError(("reference data not available: " + model.message()).c_str());
    return;
  }
  auto ref = models::ReferenceModel::create(*model);
  if (!ref) {
    state.SkipWithError(ref.message().c_str());
    return;
  }
  uint64_t tokens = 0;
  for (auto _ : state) {
    (*ref)->reset();
    int32_t token = 1;
    for (uint32_t pos = 0; pos < kPositions; ++pos) {
      if (!(*ref)->forward(token, pos)) {
        state.SkipWithError("forward failed");
        return;
      }
      token = models::argmax((*ref)->logits());
    }
    benchmark::DoNotOptimize(token);
    tokens += kPositions;
  }
  state.counters["tokens_per_second"] =
      benchmark::Counter(double(tokens), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Stories260K_Reference)->Unit(benchmark::kMillisecond);

/// The same generation on the simulated NPU: the compiled fp32 program,
/// functional + timing, one decode step per position (the prompt is BOS
/// alone), on the default architecture (range 0) or with the analytic HBM
/// model (range 1). Compilation is outside the timed loop.
void BM_Stories260K_Simulator(benchmark::State &state) {
  runtime::ModelCompileOptions options;
  options.compile.precision = "fp32";
  options.compile.compareFusion = false;
  options.compile.cores = uint32_t(state.range(1));
  auto compiled = runtime::compileModelInput(sharedModel(kStories), options);
  if (!compiled) {
    state.SkipWithError(compiled.message().c_str());
    return;
  }
  ArchConfig arch = compiled->arch;
  if (state.range(0) == 1)
    arch.hbm.model = "analytic";
  auto executor = runtime::SimExecutor::create(compiled->binary, arch, {}, kStories,
                                               compiled->maxSeq);
  if (!executor) {
    state.SkipWithError(executor.message().c_str());
    return;
  }
  runtime::Engine engine(executor.takeValue());
  runtime::GenerateOptions g;
  g.maxNewTokens = kPositions; // BOS + 256 new tokens: 256 forward passes
  uint64_t tokens = 0;
  double simulated = 0;
  for (auto _ : state) {
    auto session = engine.createSession();
    auto r = runtime::generate(*session, {1}, g);
    if (!r) {
      state.SkipWithError(r.message().c_str());
      return;
    }
    tokens += kPositions;
    simulated += r->stats.seconds();
  }
  state.counters["tokens_per_second"] =
      benchmark::Counter(double(tokens), benchmark::Counter::kIsRate);
  state.counters["simulated_tokens_per_second"] = double(tokens) / simulated;
  state.SetLabel(std::string(state.range(0) ? "analytic HBM" : "default arch (detailed HBM)") +
                 ", " + std::to_string(engine.executor().info().prefillChunk) + "-row chunks, " +
                 (state.range(1) ? std::to_string(state.range(1)) + " core(s)" : "all cores"));
}
BENCHMARK(BM_Stories260K_Simulator)
    ->Args({0, 0})
    ->Args({1, 0})
    ->Args({0, 1})
    ->Args({1, 1})
    ->Unit(benchmark::kMillisecond);

/// Timing-only LLaMA-2-7B shape with fp16 weights: a prefill of range(0)
/// tokens (one chunk) and range(1) decode steps, on the default architecture
/// with the analytic HBM model (the request-level one would take hours over
/// the terabytes this moves). Host seconds per iteration, compile excluded
/// (reported as a counter).
void BM_Llama2_7B_TimingOnly(benchmark::State &state) {
  const uint32_t prompt = uint32_t(state.range(0)), decode = uint32_t(state.range(1));
  runtime::ModelCompileOptions options;
  options.compile.precision = "fp16";
  options.compile.compareFusion = false;
  options.prefillChunk = prompt;
  options.maxSeq = prompt + decode + 1;
  auto begin = std::chrono::steady_clock::now();
  auto compiled = runtime::compileModelInput("llama2-7b", options);
  double compileSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  if (!compiled) {
    state.SkipWithError(compiled.message().c_str());
    return;
  }
  ArchConfig arch = compiled->arch;
  arch.hbm.model = "analytic";
  sim::SimOptions simOptions;
  simOptions.timingOnly = true;
  double simulated = 0;
  for (auto _ : state) {
    auto executor = runtime::SimExecutor::create(compiled->binary, arch, simOptions, "llama2-7b",
                                                 compiled->maxSeq);
    if (!executor) {
      state.SkipWithError(executor.message().c_str());
      return;
    }
    runtime::Engine engine(executor.takeValue());
    auto session = engine.createSession();
    std::vector<int32_t> ids(prompt, 1);
    runtime::GenerateOptions g;
    g.maxNewTokens = decode + 1; // the first token comes from the prefill
    auto r = runtime::generate(*session, ids, g);
    if (!r) {
      state.SkipWithError(r.message().c_str());
      return;
    }
    simulated = r->stats.seconds();
  }
  state.counters["compile_seconds"] = compileSeconds;
  state.counters["simulated_seconds"] = simulated;
  state.SetLabel("npu-default, analytic HBM, fp16");
}
BENCHMARK(BM_Llama2_7B_TimingOnly)
    ->Args({128, 128})
    ->Iterations(1)
    ->Unit(benchmark::kSecond);

} // namespace

BENCHMARK_MAIN();
