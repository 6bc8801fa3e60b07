//===- FuncBench.cpp - Throughput of the functional kernels ---------------===//
//
// GFLOP/s (GOP/s for integer inputs: one multiply and one add per MAC) of
// execute(Gemm) on shapes the compiler emits, and elements per second of the
// row operations, on each host path. Run:
//   StrataSimFuncBench --benchmark_counters_tabular=true
//
//===----------------------------------------------------------------------===//

#include "strata/sim/func/Convert.h"
#include "strata/sim/func/Execute.h"
#include "strata/sim/func/GemmPanelCache.h"
#include "strata/sim/func/HostIsa.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace strata::sim::func {
namespace {

/// An SRAM image with `bytes` of random, finite data of every type.
std::vector<uint8_t> randomSram(uint64_t bytes, DType fill) {
  std::vector<uint8_t> mem(bytes);
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  uint64_t elems = bytes * 8 / dtypeBits(fill);
  std::vector<float> chunk(4096);
  for (uint64_t i = 0; i < elems; i += chunk.size()) {
    size_t n = std::min<uint64_t>(chunk.size(), elems - i);
    for (size_t j = 0; j < n; ++j)
      chunk[j] = isInteger(fill) ? float(int(rng() % 255) - 127) : u(rng);
    storeFromFloat(fill, chunk.data(), n, mem.data(), i);
  }
  return mem;
}

bool selectPath(benchmark::State &state, int64_t path) {
  HostIsa isa = path ? HostIsa::Avx2 : HostIsa::Portable;
  if (!hostSupports(isa)) {
    state.SkipWithError("host path not supported");
    return false;
  }
  selectHostIsa(isa);
  state.SetLabel(std::string(hostIsaName(isa)));
  return true;
}

/// Args: m, n, k, a type, b type, transB, host path, groupSize (0: no
/// scales; else per-row A scales and per-group B scales, as for INT4
/// weights), panel cache (0: off, so every call packs B; 1: on, so repeated
/// calls on unchanged B reuse its packing, as decode steps do).
void BM_Gemm(benchmark::State &state) {
  const uint32_t m = uint32_t(state.range(0)), n = uint32_t(state.range(1)),
                 k = uint32_t(state.range(2));
  isa::GemmInstr g;
  g.a = static_cast<DType>(state.range(3));
  g.b = static_cast<DType>(state.range(4));
  g.transB = state.range(5) != 0;
  g.out = DType::F32;
  g.lda = k;
  g.ldb = g.transB ? k : n;
  g.ldc = n;
  if (state.range(7) > 0) {
    g.aScale = isa::ScaleMode::PerRow;
    g.bScale = isa::ScaleMode::PerGroup;
    g.groupSize = uint16_t(state.range(7));
  }
  if (!selectPath(state, state.range(6)))
    return;
  ResolvedGemm op;
  op.instr = &g;
  op.m = m;
  op.n = n;
  op.k = k;
  op.a = 0;
  op.b = (dtypeBytes(g.a, uint64_t(m) * k) + 63) / 64 * 64;
  op.c = op.b + (dtypeBytes(g.b, uint64_t(k) * n) + 63) / 64 * 64;
  op.scaleA = op.c + uint64_t(m) * n * 4;
  op.scaleB = op.scaleA + uint64_t(m) * 4;
  uint64_t end = op.scaleB + uint64_t(n) * (k / std::max<int64_t>(1, state.range(7))) * 4;
  std::vector<uint8_t> sram = randomSram(end, g.a); // i8 x i4 reads B's bytes as i4
  if (g.aScale != isa::ScaleMode::None) {
    std::vector<float> ones((end - op.scaleA) / 4, 0.01f);
    storeFromFloat(DType::F32, ones.data(), ones.size(), sram.data() + op.scaleA, 0);
  }
  ByteRanges ranges;
  if (!footprint(op, ranges)) {
    state.SkipWithError("invalid gemm");
    return;
  }
  const size_t budget = gemmPanelCacheBudget();
  clearGemmPanelCache();
  if (state.range(8) == 0)
    setGemmPanelCacheBudget(0);
  for (auto _ : state) {
    execute(op, sram.data());
    benchmark::ClobberMemory();
  }
  state.counters[isFloat(g.a) ? "FLOP/s" : "OP/s"] = benchmark::Counter(
      2.0 * m * n * k, benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
  setGemmPanelCacheBudget(budget);
  selectHostIsa(HostIsa::Avx2);
}

void gemmArgs(benchmark::internal::Benchmark *b) {
  auto I = [](DType t) { return static_cast<int64_t>(t); };
  for (int64_t path : {1, 0}) {
    b->Args({1, 4096, 4096, I(DType::F16), I(DType::F16), 1, path, 0, 0});
    b->Args({1, 1024, 1024, I(DType::F16), I(DType::F16), 1, path, 0, 0});
    b->Args({1, 1024, 1024, I(DType::F16), I(DType::F16), 0, path, 0, 0});
    // stories260K's decode GEMVs on one of eight cores: FP32, weights [n][k].
    for (auto [n, k] : {std::pair<int64_t, int64_t>{64, 64}, {24, 64}, {320, 64}, {64, 172}})
      b->Args({1, n, k, I(DType::F32), I(DType::F32), 1, path, 0, 0});
    b->Args({128, 4096, 4096, I(DType::I8), I(DType::I8), 1, path, 0, 0});
    b->Args({1, 4096, 4096, I(DType::I8), I(DType::I4), 1, path, 128, 0});
    b->Args({128, 1024, 1024, I(DType::I8), I(DType::I4), 1, path, 128, 0});
    b->Args({128, 1024, 1024, I(DType::I8), I(DType::I8), 1, path, 128, 0});
    const std::pair<DType, DType> pairs[] = {{DType::I4, DType::I4},   {DType::I8, DType::I8},
                                             {DType::I8, DType::I4},   {DType::F16, DType::F16},
                                             {DType::BF16, DType::BF16}, {DType::F32, DType::F32}};
    for (auto [a, bt] : pairs)
      for (int64_t transB : {0, 1})
        b->Args({64, 64, 64, I(a), I(bt), transB, path, 0, 0});
    b->Args({128, 1024, 1024, I(DType::F16), I(DType::F16), 1, path, 0, 0});
    // The same with the panel cache on: B packed once, then reused.
    b->Args({128, 1024, 1024, I(DType::F16), I(DType::F16), 1, path, 0, 1});
    b->Args({128, 1024, 1024, I(DType::I8), I(DType::I8), 1, path, 128, 1});
    b->Args({1, 1024, 1024, I(DType::I8), I(DType::I4), 1, path, 128, 1});
  }
  b->ArgNames({"m", "n", "k", "a", "b", "transB", "avx2", "group", "cache"});
  b->Unit(benchmark::kMicrosecond);
}
BENCHMARK(BM_Gemm)->Apply(gemmArgs);

/// Args: opcode, rows, cols, element type, host path.
void BM_RowOp(benchmark::State &state) {
  isa::VecInstr v;
  v.op = static_cast<isa::Opcode>(state.range(0));
  v.in = v.out = static_cast<DType>(state.range(3));
  v.in1 = DType::F32;
  const uint32_t rows = uint32_t(state.range(1)), cols = uint32_t(state.range(2));
  v.ld0 = v.ld1 = v.ldd = cols;
  v.fimm = v.op == isa::Opcode::VSoftmax ? 0.125f : 1e-5f;
  v.causal = v.op == isa::Opcode::VSoftmax;
  v.bcast = isa::Broadcast::Row; // VAdd: y is one row (gamma's slot)
  if (!selectPath(state, state.range(4)))
    return;
  ResolvedVec op;
  op.instr = &v;
  op.rows = rows;
  op.cols = cols;
  op.aux = cols - rows;
  uint64_t tile = dtypeBytes(v.in, uint64_t(rows) * cols);
  op.x = 0;
  op.y = (tile + 63) / 64 * 64;
  op.dst = op.y + cols * 4 + 64;
  std::vector<uint8_t> sram = randomSram(op.dst + tile, v.in);
  std::vector<float> gamma(cols, 1.0f);
  storeFromFloat(DType::F32, gamma.data(), cols, sram.data() + op.y, 0);
  ByteRanges ranges;
  if (!footprint(op, ranges) || ranges.back().end > sram.size()) {
    state.SkipWithError("invalid vector instruction");
    return;
  }
  for (auto _ : state) {
    execute(op, sram.data());
    benchmark::ClobberMemory();
  }
  state.counters["elem/s"] = benchmark::Counter(double(rows) * cols,
                                                benchmark::Counter::kIsIterationInvariantRate);
  selectHostIsa(HostIsa::Avx2);
}

void rowArgs(benchmark::internal::Benchmark *b) {
  auto I = [](auto e) { return static_cast<int64_t>(e); };
  for (int64_t path : {1, 0})
    for (isa::Opcode op : {isa::Opcode::VSoftmax, isa::Opcode::VRmsNorm, isa::Opcode::VAdd,
                           isa::Opcode::VSilu})
      for (DType t : {DType::F32, DType::F16})
        b->Args({I(op), 32, 4096, I(t), path});
  b->ArgNames({"op", "rows", "cols", "type", "avx2"});
  b->Unit(benchmark::kMicrosecond);
}
BENCHMARK(BM_RowOp)->Apply(rowArgs);

} // namespace
} // namespace strata::sim::func

BENCHMARK_MAIN();
