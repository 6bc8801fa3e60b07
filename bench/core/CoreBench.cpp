//===- CoreBench.cpp - Simulation speed of the chip model -----------------===//
//
// Each benchmark elaborates one chip and runs an entry point repeatedly (as a
// runtime session would), reporting simulated tile instructions, all
// instructions and simulated core cycles per host second.
//
//   gemm_heavy   a loop of GEMMs spread over the 16 independent tensor-core
//                groups plus a vector op per iteration; SRAM only.
//   memory_bound a loop of 16 KiB DMA loads with a small vector op each,
//                on the detailed (per-request) or analytic HBM model.
//
//===----------------------------------------------------------------------===//
#include "strata/sim/Simulator.h"
#include "strata/target/Assembly.h"

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>

using namespace strata;

namespace {

/// tcGroup is an immediate, so the loop body is unrolled over the 16 groups.
std::string gemmHeavyUnrolled(int iterations) {
  std::string body;
  for (int g = 0; g < 16; ++g)
    body += fmt::format(
        "gemm m=32 n=32 k=256 a=f16 b=f16 out=f32 A=[0x0] lda=256 B=[0x100000] ldb=32 "
        "C=[{:#x}] ldc=32 tcGroup={}\n"
        "vrelu rows=32 cols=32 in=f32 out=f32 x=[{:#x}] ld0=32 dst=[{:#x}] ldd=32\n",
        0x200000 + g * 0x1000, g, 0x200000 + g * 0x1000, 0x400000 + g * 0x1000);
  return fmt::format("li r1, 0\nli r2, {}\nloop:\n{}addi r1, r1, 1\nbne r1, r2, loop\nhalt\n",
                     iterations / 16, body);
}

std::string memoryBound(int iterations) {
  return fmt::format(R"(
    li r1, 0
    li r2, {}
  loop:
    muli r3, r1, 16384
    remui r5, r1, 2
    muli r5, r5, 16384
    dma.load src=hbm[r3] dst=sram[r5] size=16384
    sem.signal load, s0
    sem.wait compute, s0
    vadd rows=1 cols=64 in=f32 in1=f32 out=f32 bcast=scalar x=[r5] ld0=64 dst=[0x100000] ldd=64 imm=1.0
    addi r1, r1, 1
    bne r1, r2, loop
    halt
  )",
                     iterations);
}

bin::Binary binaryOf(const std::string &text) {
  auto program = isa::parseProgram(text);
  if (!program) {
    std::fprintf(stderr, "%s\n", program.message().c_str());
    std::abort();
  }
  bin::Binary b;
  b.entries.push_back({"main", {}, {program.takeValue()}, {}});
  return b;
}

void runBench(benchmark::State &state, const std::string &program, bool timingOnly,
              const std::string &hbmModel) {
  ArchConfig arch;
  arch.numCores = 1;
  arch.hbm.model = hbmModel;
  sim::SimOptions options;
  options.timingOnly = timingOnly;
  auto sim = sim::Simulator::create(arch, options);
  if (!sim) {
    state.SkipWithError(sim.message().c_str());
    return;
  }
  if (Status s = (*sim)->load(binaryOf(program)); !s) {
    state.SkipWithError(s.message().c_str());
    return;
  }
  double tiles = 0, instructions = 0, cycles = 0;
  for (auto _ : state) {
    auto r = (*sim)->run("main");
    if (!r) {
      state.SkipWithError(r.message().c_str());
      return;
    }
    tiles += double(r->tileInstructions);
    instructions += double(r->instructions);
    cycles += double(r->cycles);
  }
  state.counters["tile_instr/s"] = benchmark::Counter(tiles, benchmark::Counter::kIsRate);
  state.counters["instr/s"] = benchmark::Counter(instructions, benchmark::Counter::kIsRate);
  state.counters["sim_cycles/s"] = benchmark::Counter(cycles, benchmark::Counter::kIsRate);
  state.counters["tile_instr/run"] = tiles / double(state.iterations());
}

void BM_GemmHeavy(benchmark::State &state) {
  runBench(state, gemmHeavyUnrolled(int(state.range(0))), state.range(1) == 0, "detailed");
}
void BM_MemoryBoundDetailed(benchmark::State &state) {
  runBench(state, memoryBound(int(state.range(0))), state.range(1) == 0, "detailed");
}
void BM_MemoryBoundAnalytic(benchmark::State &state) {
  runBench(state, memoryBound(int(state.range(0))), state.range(1) == 0, "analytic");
}

} // namespace

// Args: {iterations, function (1) or timing only (0)}. 50000 GEMM iterations
// are 1e5 tile instructions.
BENCHMARK(BM_GemmHeavy)->Args({50000, 0})->Args({50000, 1})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MemoryBoundDetailed)->Args({2000, 0})->Args({2000, 1})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MemoryBoundAnalytic)->Args({20000, 0})->Args({20000, 1})->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
