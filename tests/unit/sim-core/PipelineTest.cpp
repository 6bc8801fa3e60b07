//===- PipelineTest.cpp - Queues, semaphores, overlap and unit timing -----===//
#include "SimTestUtil.h"

#include "strata/sim/core/Chip.h"
#include "strata/sim/core/TimingModel.h"

#include <fmt/format.h>

#include <cmath>
#include <cstring>

using namespace strata;
using namespace strata::test;

namespace {

/// x + 1 on a 64x64 f32 tile: load, compute, store ordered by semaphores
/// (or not).
std::string addOneProgram(bool semaphores) {
  const char *s0 = semaphores ? "sem.signal load, s0\nsem.wait compute, s0\n" : "";
  const char *s1 = semaphores ? "sem.signal compute, s1\nsem.wait store, s1\n" : "";
  return fmt::format(R"(
    dma.load src=hbm[0x100000] dst=sram[0x0] size=16384
    {}
    vadd rows=64 cols=64 in=f32 in1=f32 out=f32 bcast=scalar x=[0x0] ld0=64 dst=[0x4000] ldd=64 imm=1.0
    {}
    dma.store src=sram[0x4000] dst=hbm[0x200000] size=16384
    halt
  )",
                     s0, s1);
}

} // namespace

TEST(Pipeline, SemaphoresOrderLoadComputeStore) {
  for (bool sems : {true, false}) {
    auto sim = makeSim(testArch());
    ASSERT_TRUE(sim);
    ASSERT_TRUE(sim->load(binaryOf({addOneProgram(sems)})));
    std::vector<float> x(4096);
    for (int i = 0; i < 4096; ++i)
      x[i] = float(i) * 0.5f;
    ASSERT_TRUE(sim->writeHbm(0x100000, x.data(), 16384));
    auto res = sim->run("main");
    ASSERT_TRUE(res) << res.message();
    std::vector<float> y(4096);
    ASSERT_TRUE(sim->readHbm(0x200000, y.data(), 16384));
    int right = 0;
    for (int i = 0; i < 4096; ++i)
      right += y[i] == x[i] + 1.0f;
    if (sems)
      EXPECT_EQ(right, 4096);
    else
      EXPECT_LT(right, 4096) << "without semaphores the queues race";
    double waits = 0;
    ASSERT_TRUE(sim->stats().lookup("core0.sync.sem_waits", waits));
    EXPECT_EQ(waits, sems ? 2 : 0);
  }
}

namespace {

constexpr int kTiles = 8;
constexpr uint32_t kTileBytes = 32768;

/// Streams kTiles tiles through vexp. `mode`: "load" (loads only),
/// "compute" (vexp only), "pipelined" (double buffered: the load queue
/// refills a buffer as soon as compute frees it), "serial" (one buffer:
/// each load waits for the previous compute).
std::string streamProgram(const std::string &mode) {
  const bool load = mode != "compute", compute = mode != "load";
  const int buffers = mode == "serial" ? 1 : 2;
  std::string p = "li r1, 0\nli r2, " + std::to_string(kTiles) + "\n";
  for (int i = 0; i < buffers && load; ++i)
    p += fmt::format("dma.load src=hbm[{:#x}] dst=sram[{:#x}] size={}\nsem.signal load, s0\n",
                     i * kTileBytes, i * kTileBytes, kTileBytes);
  p += "loop:\n";
  // r3 = this iteration's buffer: (i % buffers) * tile.
  p += buffers == 2 ? fmt::format("remui r3, r1, 2\nmuli r3, r3, {}\n", kTileBytes)
                    : std::string("li r3, 0\n");
  if (compute) {
    if (load)
      p += "sem.wait compute, s0\n";
    p += "vexp rows=64 cols=128 in=f32 out=f32 x=[r3+0x0] ld0=128 dst=[r3+0x40000] ldd=128\n";
    if (load)
      p += "sem.signal compute, s1\n";
  }
  if (load) {
    p += fmt::format("addi r5, r1, {}\nbge r5, r2, skip\n", buffers);
    if (compute)
      p += "sem.wait load, s1\n";
    p += fmt::format("muli r6, r5, {}\n", kTileBytes);
    p += fmt::format("dma.load src=hbm[r6] dst=sram[r3] size={}\n", kTileBytes);
    p += "sem.signal load, s0\n";
    p += "skip:\n";
  }
  p += "addi r1, r1, 1\nbne r1, r2, loop\nhalt\n";
  return p;
}

double runCycles(const std::string &program) {
  sim::SimOptions o;
  o.timingOnly = true;
  Ran r = runPrograms(testArch(), {program}, o);
  return double(r.result.cycles);
}

} // namespace

TEST(Pipeline, LoadQueueRunningAheadOverlapsDmaWithCompute) {
  const double load = runCycles(streamProgram("load"));
  const double compute = runCycles(streamProgram("compute"));
  const double pipelined = runCycles(streamProgram("pipelined"));
  const double serial = runCycles(streamProgram("serial"));
  // vexp of 8192 elements: 4 + 128 lines * 4 cycles each.
  EXPECT_NEAR(compute, kTiles * (4 + 128 * 4), 40);
  // Double buffered: about the slower of the two streams, not their sum.
  EXPECT_GE(pipelined, std::max(load, compute));
  EXPECT_LT(pipelined, 0.75 * (load + compute));
  EXPECT_LT(pipelined, std::max(load, compute) * 1.25);
  // One buffer serialises them.
  EXPECT_GT(serial, 0.9 * (load + compute));
}

namespace {
struct GemmCase {
  const char *gang;
  isa::Gang g;
  const char *prec;
  DType a;
};
} // namespace

TEST(Pipeline, GemmCyclesMatchTheClosedFormInEveryGangAndPrecision) {
  const GemmCase cases[] = {
      {"16x1", isa::Gang::Independent, "f16", DType::F16},
      {"4x4", isa::Gang::Quad, "f16", DType::F16},
      {"1x16", isa::Gang::Single, "f16", DType::F16},
      {"16x1", isa::Gang::Independent, "bf16", DType::BF16},
      {"4x4", isa::Gang::Quad, "i8", DType::I8},
      {"1x16", isa::Gang::Single, "i4", DType::I4},
      {"16x1", isa::Gang::Independent, "f32", DType::F32},
  };
  ArchConfig arch = testArch();
  for (const GemmCase &c : cases) {
    SCOPED_TRACE(fmt::format("{} {}", c.gang, c.prec));
    for (uint32_t m : {1u, 64u, 512u}) {
      const uint32_t n = 256, k = 512;
      std::string program = fmt::format(
          "tc.config gang={} precision={}\n"
          "gemm m={} n={} k={} a={} b={} out=f32 A=[0x0] lda={} B=[0x100000] ldb={} "
          "C=[0x200000] ldc={}\nhalt\n",
          c.gang, c.prec, m, n, k, c.prec, c.prec, k, n, n);
      sim::SimOptions o;
      o.timingOnly = true;
      Ran r = runPrograms(arch, {program}, o);
      isa::GemmInstr g;
      g.a = g.b = c.a;
      g.out = DType::F32;
      auto geo = sim::core::tcGeometry(arch.core.tensorCores, c.g);
      const auto cost =
          sim::core::gemmCost(arch.core, geo, c.a, geo.groups, g, m, n, k);
      // Reset state is 16x1 at f16: a config that changes it costs
      // reconfigCycles after its dispatch cycle; otherwise the gemm starts
      // after the two dispatch cycles.
      const bool changed = c.g != isa::Gang::Independent || c.a != DType::F16;
      const uint64_t expect =
          changed ? 1 + arch.core.tensorCores.reconfigCycles + cost.cycles : 2 + cost.cycles;
      EXPECT_EQ(r.result.cycles, expect) << "m=" << m;
    }
  }
}

TEST(Pipeline, ReconfigurationCostsCyclesOnlyOnChange) {
  Ran r = runPrograms(testArch(), {R"(
    tc.config gang=4x4 precision=f16
    tc.config gang=4x4 precision=f16
    tc.config gang=1x16 precision=f16
    tc.config gang=1x16 precision=i8
    halt
  )"});
  // Three changes of 64 cycles, the first after one dispatch cycle.
  EXPECT_EQ(r.result.cycles, 1u + 3 * 64);
  double configs = 0, reconfigs = 0;
  ASSERT_TRUE(r.sim->stats().lookup("core0.tensor.configs", configs));
  ASSERT_TRUE(r.sim->stats().lookup("core0.tensor.reconfigurations", reconfigs));
  EXPECT_EQ(configs, 4);
  EXPECT_EQ(reconfigs, 3);
}

TEST(Pipeline, GemmsOnDifferentGroupsRunConcurrently) {
  auto gemm = [](int group) {
    return fmt::format("gemm m=64 n=32 k=256 a=f16 b=f16 out=f32 A=[0x0] lda=256 "
                       "B=[{:#x}] ldb=32 C=[{:#x}] ldc=32 tcGroup={}\n",
                       0x100000 + group * 0x10000, 0x200000 + group * 0x10000, group);
  };
  sim::SimOptions o;
  o.timingOnly = true;
  const uint64_t one = runPrograms(testArch(), {gemm(0) + "halt\n"}, o).result.cycles;
  const uint64_t two =
      runPrograms(testArch(), {gemm(0) + gemm(1) + "halt\n"}, o).result.cycles;
  const uint64_t same =
      runPrograms(testArch(), {gemm(0) + gemm(0) + "halt\n"}, o).result.cycles;
  // One group does 8 tiles: 8 * 64 + 72 cycles, after one dispatch cycle.
  EXPECT_EQ(one, 1u + 8 * 64 + 72);
  EXPECT_EQ(two, one + 1); // the second starts a dispatch cycle later, in parallel
  EXPECT_GE(same, 2 * one - 2);
}

TEST(Pipeline, GemmsOnDifferentGroupsWaitOnlyForBytesTheyShare) {
  // The first GEMM (group 0) reads A [0, 32 KiB) and B [1 MiB, +16 KiB) and
  // writes C [2 MiB, +8 KiB). A second one on group 1 runs beside it unless
  // one of them writes a byte the other touches.
  const std::string first = "gemm m=64 n=32 k=256 a=f16 b=f16 out=f32 A=[0x0] lda=256 "
                            "B=[0x100000] ldb=32 C=[0x200000] ldc=32 tcGroup=0\n";
  auto second = [](uint32_t a, uint32_t c) {
    return fmt::format("gemm m=64 n=32 k=256 a=f16 b=f16 out=f32 A=[{:#x}] lda=256 "
                       "B=[0x300000] ldb=32 C=[{:#x}] ldc=32 tcGroup=1\n",
                       a, c);
  };
  sim::SimOptions o;
  o.timingOnly = true;
  auto cycles = [&](const std::string &program) {
    return runPrograms(testArch(), {program + "halt\n"}, o).result.cycles;
  };
  const uint64_t one = cycles(first);
  // Its C ends where the first's begins, or begins where it ends: nothing shared.
  EXPECT_EQ(cycles(first + second(0x0, 0x200000 - 0x2000)), one + 1);
  EXPECT_EQ(cycles(first + second(0x0, 0x200000 + 0x2000)), one + 1);
  // Its C overlaps the first's C by one 4-byte element: write after write.
  EXPECT_GE(cycles(first + second(0x0, 0x200000 - 0x2000 + 4)), 2 * one - 2);
  // It reads the first's C: read after write.
  EXPECT_GE(cycles(first + second(0x200000, 0x400000)), 2 * one - 2);
  // It writes the first's A: write after read.
  EXPECT_GE(cycles(first + second(0x8000, 0x7ffc)), 2 * one - 2);
  // Both read A: reads never wait for each other.
  EXPECT_EQ(cycles(first + second(0x0, 0x400000)), one + 1);
}

TEST(Pipeline, IndependentDmasOverlapAndConflictingOnesSerialise) {
  auto run = [](const std::string &loads) {
    sim::SimOptions o;
    o.timingOnly = true;
    return runPrograms(testArch(), {loads + "halt\n"}, o).result.cycles;
  };
  const std::string first = "dma.load src=hbm[0x0] dst=sram[0x0] size=65536\n";
  auto second = [](const char *dst) {
    return fmt::format("dma.load src=hbm[0x100000] dst=sram[{}] size=65536\n", dst);
  };
  const uint64_t one = run(first);
  const uint64_t apart = run(first + second("0x10000"));
  const uint64_t overlapping = run(first + second("0x8000")); // write-after-write on 32 KiB
  // The conflicting load waits for the first to finish: two loads' time.
  EXPECT_GE(double(overlapping), 1.9 * double(one));
  // Independent ones share the latency: clearly less than that.
  EXPECT_LT(double(apart), 0.85 * double(overlapping));
}

TEST(Pipeline, VectorTimingInTheCore) {
  Ran r = runPrograms(testArch(), {R"(
    vexp rows=16 cols=256 in=f32 out=f32 x=[0x0] ld0=256 dst=[0x10000] ldd=256
    halt
  )"});
  // One dispatch cycle, then 4 + 64 lines * 4.
  EXPECT_EQ(r.result.cycles, 1u + 4 + 64 * 4);
  const auto &units = r.result.units;
  ASSERT_EQ(units.size(), 3u);
  EXPECT_EQ(units[1].unit, "vector");
  EXPECT_NEAR(units[1].utilisation, 260.0 / 261.0, 1e-6);
}

TEST(Pipeline, AnalyticHbmMovesTheBytesOfWholeDescriptors) {
  ArchConfig arch = testArch();
  arch.hbm.model = "analytic";
  auto sim = makeSim(arch);
  ASSERT_TRUE(sim);
  ASSERT_TRUE(sim->load(binaryOf({R"(
      dma.load src=hbm[0x10000] dst=sram[0x0] size=1024x4 srcStride=2048 dstStride=1024
      sem.signal load, s0
      sem.wait store, s0
      dma.store src=sram[0x0] dst=hbm[0x40000] size=4096
      halt
    )"})));
  std::vector<uint8_t> src(8192);
  for (size_t i = 0; i < src.size(); ++i)
    src[i] = uint8_t(i * 13 + 5);
  ASSERT_TRUE(sim->writeHbm(0x10000, src.data(), src.size()));
  auto r = sim->run("main");
  ASSERT_TRUE(r) << r.message();
  std::vector<uint8_t> out(4096);
  ASSERT_TRUE(sim->readHbm(0x40000, out.data(), out.size()));
  for (int row = 0; row < 4; ++row)
    EXPECT_TRUE(std::equal(out.begin() + row * 1024, out.begin() + (row + 1) * 1024,
                           src.begin() + row * 2048))
        << row;
  EXPECT_EQ(r->hbmReadBytes, 4096);
  EXPECT_EQ(r->hbmWriteBytes, 4096);
  double requests = 1;
  ASSERT_TRUE(sim->stats().lookup("core0.dma.requests", requests));
  EXPECT_EQ(requests, 0) << "the analytic model times whole descriptors";
}
