//===- MemBench.cpp - How fast the memory system simulates --------------===//
//
// Requests (or bytes) simulated per host second:
//   Detailed/*   TLM requests through MemorySystem (NoC, FR-FCFS controllers,
//                timing checker), one stack, 1024 requests in flight,
//                all-bank refresh unless named PerBankRefresh
//   Controller/* the plain C++ channel controller alone (no SystemC)
//   Analytic/*   MemorySystem::bulkTransfer on the default 4-stack chip
//   AnalyticModel/* the analytic model alone on small transfers
// Run: build-*/bin/StrataSimMemBench   (figures in docs/simulator-memory.md)
//
//===----------------------------------------------------------------------===//

#include "MemTestUtil.h"
#include "SimContext.h"

#include "strata/sim/mem/AnalyticModel.h"
#include "strata/sim/mem/HbmStorage.h"
#include "strata/sim/stats/Stats.h"

#include <benchmark/benchmark.h>

using namespace strata;
using namespace strata::sim;
using namespace strata::sim::mem;
using namespace strata::sim::mem::test;

namespace {

void runDetailed(benchmark::State &state, bool random, bool perBankRefresh = false) {
  ArchConfig c = perBankRefresh ? perBank(oneStackConfig()) : oneStackConfig();
  uint32_t requests = uint32_t(state.range(0));
  uint64_t simulatedPs = 0;
  for (auto _ : state) {
    state.PauseTiming();
    strata::test::freshSimContext();
    HbmStorage storage(c.hbm.totalCapacityBytes());
    StatGroup stats("chip");
    auto *mem = new MemorySystem("mem", c, storage, stats);
    std::deque<Req> work = random ? randomReads(c.hbm.totalCapacityBytes(), requests, 64, 1)
                                  : sequential(0, uint64_t(requests) * 256, 256);
    auto *gen = new TrafficGen("gen", *mem, {std::move(work)}, 1024);
    state.ResumeTiming();
    sc_core::sc_start();
    state.PauseTiming();
    simulatedPs += sc_core::sc_time_stamp().value();
    state.ResumeTiming();
    // Modules stay with their (abandoned) context, as in the tests.
    (void)gen;
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * requests);
  state.counters["sim_us_per_iter"] =
      double(simulatedPs) / 1e6 / double(std::max<int64_t>(1, state.iterations()));
}

void Detailed_Sequential256B(benchmark::State &s) { runDetailed(s, false); }
void Detailed_Random64B(benchmark::State &s) { runDetailed(s, true); }
BENCHMARK(Detailed_Sequential256B)->Arg(20000)->Unit(benchmark::kMillisecond);
BENCHMARK(Detailed_Random64B)->Arg(20000)->Unit(benchmark::kMillisecond);
// The same stream with per-bank refresh (16 REFsb per tREFI instead of one
// REF): what the finer refresh costs in host time.
void Detailed_Sequential256B_PerBankRefresh(benchmark::State &s) { runDetailed(s, false, true); }
BENCHMARK(Detailed_Sequential256B_PerBankRefresh)->Arg(20000)->Unit(benchmark::kMillisecond);

void Controller_Sequential256B(benchmark::State &state) {
  ArchConfig c = oneChannelConfig();
  const uint32_t requests = 20000;
  for (auto _ : state) {
    Channel ch(c);
    // Arrivals spaced just below the channel's sustainable rate, decided in
    // windows as the SystemC wrapper would.
    uint64_t at = 0;
    for (uint32_t i = 0; i < requests; ++i) {
      ch.read(uint64_t(i) * 256, 256, at);
      at += 10; // a little below the channel's refresh-derated peak
      if (i % 32 == 31)
        ch.controller.advance(at);
    }
    ch.drain();
    benchmark::DoNotOptimize(ch.completions.done.size());
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * requests);
}
BENCHMARK(Controller_Sequential256B)->Unit(benchmark::kMillisecond);

void runAnalytic(benchmark::State &state, uint64_t bytes, bool strided) {
  ArchConfig c; // the default chip: 4 stacks, 1.2 TB/s
  c.hbm.model = "analytic";
  strata::test::freshSimContext();
  HbmStorage storage(c.hbm.totalCapacityBytes());
  StatGroup stats("chip");
  MemorySystem mem("mem", c, storage, stats);
  BulkPattern p;
  if (strided) { // rows of a matrix: 4 KiB of each 16 KiB row
    p.size[0] = 4096;
    p.size[1] = uint32_t(bytes / 4096);
    p.stride[0] = 16384;
  } else {
    p.size[0] = uint32_t(std::min<uint64_t>(bytes, 1u << 30));
    p.size[1] = uint32_t(bytes / p.size[0]);
    p.stride[0] = p.size[0];
  }
  double simulatedNs = 0;
  int64_t calls = 0;
  sc_core::sc_spawn([&] {
    for (auto _ : state) {
      sc_core::sc_time t = mem.bulkTransfer(0, p, false);
      simulatedNs += t.to_seconds() * 1e9;
      sc_core::wait(t);
      ++calls;
    }
  });
  sc_core::sc_start();
  state.SetBytesProcessed(calls * int64_t(p.totalBytes()));
  state.SetItemsProcessed(calls * int64_t(p.totalBytes() / c.core.dma.requestBytes));
  state.counters["sim_us_per_call"] = simulatedNs / 1e3 / double(std::max<int64_t>(1, calls));
}

void Analytic_Stream64MiB(benchmark::State &s) { runAnalytic(s, 64ull << 20, false); }
void Analytic_Stream13GB(benchmark::State &s) { runAnalytic(s, 13ull << 30, false); }
void Analytic_StridedRows64MiB(benchmark::State &s) { runAnalytic(s, 64ull << 20, true); }
BENCHMARK(Analytic_Stream64MiB)->Unit(benchmark::kMicrosecond);
BENCHMARK(Analytic_Stream13GB)->Unit(benchmark::kMicrosecond);
BENCHMARK(Analytic_StridedRows64MiB)->Unit(benchmark::kMicrosecond);

// A decode step's small DMAs on the model alone (no SystemC): activations
// of 32 to 688 bytes, 32-byte KV rows and KV reads of one more 32-byte row
// each step, at a few fixed addresses. Arg 1 takes the direct path, 0 the
// general walk for every transfer (the same results).
void AnalyticModel_SmallTransfers(benchmark::State &state) {
  HbmConfig h; // the default chip
  AddressMapper mapper(h);
  AnalyticModel model(h, mapper);
  model.setShortcuts(state.range(0) != 0);
  const uint32_t activation[] = {32, 64, 96, 128, 256, 688};
  double cycle = 0;
  int64_t transfers = 0;
  uint32_t step = 0;
  for (auto _ : state) {
    const uint32_t positions = 1 + step++ % 96;
    for (uint32_t layer = 0; layer < 5; ++layer) {
      const uint64_t base = uint64_t(layer) << 20;
      for (uint32_t i = 0; i < 6; ++i) {
        BulkPattern a;
        a.base = base + 4096 * i;
        a.size[0] = activation[i];
        benchmark::DoNotOptimize(model.transfer(a, i % 2, cycle += 20).doneCycle);
      }
      for (uint32_t head = 0; head < 8; ++head) {
        BulkPattern kv;
        kv.base = (64ull << 20) + (uint64_t(layer) * 8 + head) * 16384;
        kv.size[0] = 32;
        kv.base += 32 * (positions - 1);
        benchmark::DoNotOptimize(model.transfer(kv, true, cycle += 20).doneCycle);
        kv.base -= 32 * (positions - 1);
        kv.size[0] = 32 * positions;
        benchmark::DoNotOptimize(model.transfer(kv, false, cycle += 20).doneCycle);
      }
      transfers += 6 + 16;
    }
  }
  state.SetItemsProcessed(transfers);
}
BENCHMARK(AnalyticModel_SmallTransfers)->Arg(1)->Arg(0);

} // namespace

int sc_main(int argc, char **argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
