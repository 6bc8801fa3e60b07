// Tokens per second of the single-threaded FP32 reference forward pass
// (ReferenceModel), one token at a time with a KV cache, as llama2.c's run.c
// generates. stories260K is the baseline for the simulator's speed bar.
//
//   strata_bench_models --benchmark_filter=Stories260K
#include "strata/models/ModelLoader.h"
#include "strata/models/reference/ReferenceModel.h"

#include <benchmark/benchmark.h>

#include <string>

using namespace strata::models;

namespace {

std::string sharedModel(const std::string &rel) {
  const char *env = std::getenv("STRATA_SHARED_DIR");
  return std::string(env && *env ? env : STRATA_SHARED_DIR) + "/models/" + rel;
}

/// Greedy generation from BOS for `positions` forward passes (run.c's
/// `-n positions` with an empty prompt), repeated; counts tokens/s.
void runGreedy(benchmark::State &state, const std::string &rel, uint32_t positions) {
  auto model = loadModel(sharedModel(rel));
  if (!model) {
    state.SkipWithError(("reference data not available: " + model.message()).c_str());
    return;
  }
  ReferenceOptions opts;
  opts.maxContext = positions;
  auto ref = ReferenceModel::create(*model, opts);
  if (!ref) {
    state.SkipWithError(ref.message().c_str());
    return;
  }
  const int32_t start = model->config.bosId >= 0 ? model->config.bosId : 0;
  uint64_t tokens = 0;
  for (auto _ : state) {
    (*ref)->reset();
    int32_t token = start;
    for (uint32_t pos = 0; pos < positions; ++pos) {
      if (!(*ref)->forward(token, pos)) {
        state.SkipWithError("forward failed");
        return;
      }
      token = argmax((*ref)->logits());
    }
    benchmark::DoNotOptimize(token);
    tokens += positions;
  }
  state.counters["tokens_per_second"] =
      benchmark::Counter(static_cast<double>(tokens), benchmark::Counter::kIsRate);
  state.SetLabel(model->config.summary());
}

void BM_Stories260K_Llama2c(benchmark::State &state) {
  runGreedy(state, "stories260K/stories260K.bin", static_cast<uint32_t>(state.range(0)));
}
BENCHMARK(BM_Stories260K_Llama2c)->Arg(256)->Arg(512)->Unit(benchmark::kMillisecond);

void BM_Stories260K_GgufQ8_0(benchmark::State &state) {
  runGreedy(state, "stories260K/gguf/stories260K-q8_0.gguf", 256);
}
BENCHMARK(BM_Stories260K_GgufQ8_0)->Unit(benchmark::kMillisecond);

void BM_TinyLlama(benchmark::State &state) { runGreedy(state, "hf/tiny-llama", 256); }
BENCHMARK(BM_TinyLlama)->Unit(benchmark::kMillisecond);

void BM_TinyQwen2(benchmark::State &state) { runGreedy(state, "hf/tiny-qwen2", 256); }
BENCHMARK(BM_TinyQwen2)->Unit(benchmark::kMillisecond);

void BM_TinyGpt2(benchmark::State &state) { runGreedy(state, "hf/tiny-gpt2", 256); }
BENCHMARK(BM_TinyGpt2)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
