//===- GemmOverlapTest.cpp - Pipelined Gemms on one tensor-core group -----===//
//
// A Gemm holds its group until its last row has entered the array
// (GemmCost::occupancy) and completes at its full latency (docs/simulator.md
// 3.1). Every expectation is worked out by hand on the default arch (32 x 32
// arrays, 16 groups in the 16x1 gang, fill R + C + pipeline = 32 + 32 + 8 =
// 72, f16 1024 MACs a cycle, epilogue 64 elements a cycle, one dispatch
// cycle per instruction, 1 GHz).
//
//===----------------------------------------------------------------------===//
#include "GroupGemm.h"

#include "strata/sim/core/Chip.h"
#include "strata/sim/core/TimingModel.h"
#include "strata/sim/power/PowerMonitor.h"

#include <fmt/format.h>

using namespace strata;
using namespace strata::test;

namespace {

uint64_t cyclesOf(const std::string &program, const sim::SimOptions &o = timingOnly()) {
  return runPrograms(testArch(), {program + "halt\n"}, o).result.cycles;
}

/// Energy of the f16 MACs of core 0's tensor cores.
double macEnergyJ(const Ran &r) {
  const sim::PowerMonitor &power = r.sim->chip().power();
  for (uint32_t u = 0; u < power.numUnits(); ++u)
    if (power.unitName(u) == "tensor" && power.unitDomain(u) == 0)
      return power.unitEnergyJ(u, sim::EnergyEvent::MacF16);
  ADD_FAILURE() << "no tensor unit";
  return 0;
}

} // namespace

TEST(GemmOverlap, TheClosedFormsOfTheShapeUsedHere) {
  ArchConfig arch = testArch();
  isa::GemmInstr g;
  g.a = g.b = DType::F16;
  g.out = DType::F32;
  auto geo = sim::core::tcGeometry(arch.core.tensorCores, isa::Gang::Independent);
  auto c = sim::core::gemmCost(arch.core, geo, DType::F16, 1, g, 64, 256, 256);
  EXPECT_EQ(c.fillCycles, 72u);
  EXPECT_EQ(c.computeCycles, kLatency);
  EXPECT_EQ(c.sramCycles, 672u);
  EXPECT_EQ(c.cycles, kLatency);
  EXPECT_EQ(c.occupancy(double(c.computeCycles)), double(kOccupancy));
}

TEST(GemmOverlap, IndependentGemmsEnterBehindEachOther) {
  // One Gemm: its dispatch cycle, then 4,168. Two that share only what
  // they read: the second takes the group at the first's occupancy end
  // (1 + 4,096) and completes 4,168 later, 1 + 2 * 4,096 + 72 = 8,265:
  // 73 cycles less than twice one (the first's fill/drain, and the second
  // dispatch cycle that was already hidden).
  const uint64_t one = cyclesOf(groupGemm(0x0, 0x200000));
  const uint64_t two = cyclesOf(groupGemm(0x0, 0x200000) + groupGemm(0x0, 0x300000, 0x180000));
  EXPECT_EQ(one, 1 + kLatency);
  EXPECT_EQ(two, 1 + 2 * kOccupancy + 72);
  EXPECT_EQ(two, 2 * one - 73);
}

TEST(GemmOverlap, ADependentGemmWaitsForTheCompletion) {
  // The second reads the first's output (read after write): it starts at
  // the first's completion, 1 + 2 * 4,168 = 8,337. A second writing the
  // first's input (write after read) or output (write after write) waits
  // just as long.
  const std::string first = groupGemm(0x0, 0x200000);
  EXPECT_EQ(cyclesOf(first + groupGemm(0x200000, 0x300000, 0x180000)), 1 + 2 * kLatency);
  EXPECT_EQ(cyclesOf(first + groupGemm(0x40000, 0x0, 0x180000)), 1 + 2 * kLatency);
  EXPECT_EQ(cyclesOf(first + groupGemm(0x40000, 0x200000, 0x180000)), 1 + 2 * kLatency);
}

TEST(GemmOverlap, ASignalAfterAGemmFiresAtItsCompletion) {
  // The signal waits for the Gemm's completion at 1 + 4,168 = 4,169 ns, not
  // for its occupancy end (4,097): the store queue's wait, dispatched third
  // (ready at 3 ns), is blocked 4,166 ns; the Gemm behind the signal starts
  // at 4,169 and ends at 1 + 2 * 4,168.
  Ran r = runPrograms(testArch(),
                      {groupGemm(0x0, 0x200000) + "sem.signal compute, s0\n"
                                             "sem.wait store, s0\n" +
                       groupGemm(0x0, 0x300000, 0x180000) + "halt\n"},
                      timingOnly());
  EXPECT_EQ(r.result.cycles, 1 + 2 * kLatency);
  EXPECT_DOUBLE_EQ(statOf(r, "core0.store.sync_blocked"), double(1 + kLatency - 3));
}

TEST(GemmOverlap, EpiloguesOfOneGroupSerialise) {
  // Quad gang (4 groups of 64 x 64), 64 x 1024 x 64 with a bias on every
  // group: 16 column tiles in 4 waves of 64 rows, occupancy 4 * 64 = 256,
  // array 256 + 136 = 392, but the epilogue needs 64 * 1024 / 64 = 1,024
  // cycles from cycle 0 (TimingModel's EpilogueSlowerThanTheArrayBoundsTheGemm):
  // latency 1,024. The tc.config costs its dispatch cycle and 64, so the
  // first runs from 65 to 1,089. The second takes the groups at 65 + 256 =
  // 321 and alone would end at 1,345, but its 1,024 epilogue cycles follow
  // the first's on the same units: 1,089 + 1,024 = 2,113.
  auto biased = [](uint32_t b, uint32_t c) {
    return fmt::format("gemm m=64 n=1024 k=64 a=f16 b=f16 out=f32 A=[0x0] lda=64 "
                       "B=[{:#x}] ldb=1024 C=[{:#x}] ldc=1024 bias=[0x7f0000]\n",
                       b, c);
  };
  const std::string config = "tc.config gang=4x4 precision=f16\n";
  EXPECT_EQ(cyclesOf(config + biased(0x100000, 0x200000)), 65u + 1024);
  EXPECT_EQ(cyclesOf(config + biased(0x100000, 0x200000) + biased(0x180000, 0x300000)),
            65u + 2 * 1024);
  // Without an epilogue the same pair overlaps: 65 + 256 + 392.
  auto plain = [](uint32_t b, uint32_t c) {
    return fmt::format("gemm m=64 n=1024 k=64 a=f16 b=f16 out=f32 A=[0x0] lda=64 "
                       "B=[{:#x}] ldb=1024 C=[{:#x}] ldc=1024\n",
                       b, c);
  };
  EXPECT_EQ(cyclesOf(config + plain(0x100000, 0x200000) + plain(0x180000, 0x300000)),
            65u + 256 + 392);
}

TEST(GemmOverlap, AGroupHoldsAtMostTwoGemmsInFlight) {
  // Quad gang. The biased 64 x 1024 x 64 (occupancy 256, latency 1,024)
  // runs from 65 to 1,089; a plain 64 x 256 x 64 (one tile per group:
  // occupancy 64, latency 200) enters at 321 and completes at 521. A third,
  // 64 x 4096 x 64 (16 tiles per group: occupancy 1,024, latency 1,160),
  // finds the array free at 385 but both accumulator buffers in use: it
  // starts when the second completes, 521, and ends at 1,681 (1,545 if it
  // could start at 385).
  const std::string program =
      "tc.config gang=4x4 precision=f16\n"
      "gemm m=64 n=1024 k=64 a=f16 b=f16 out=f32 A=[0x0] lda=64 B=[0x100000] ldb=1024 "
      "C=[0x200000] ldc=1024 bias=[0x7f0000]\n"
      "gemm m=64 n=256 k=64 a=f16 b=f16 out=f32 A=[0x0] lda=64 B=[0x180000] ldb=256 "
      "C=[0x300000] ldc=256\n"
      "gemm m=64 n=4096 k=64 a=f16 b=f16 out=f32 A=[0x0] lda=64 B=[0x400000] ldb=4096 "
      "C=[0x500000] ldc=4096\n";
  EXPECT_EQ(cyclesOf(program), 521u + 1160);
}

TEST(GemmOverlap, ReconfigurationWaitsForTheCompletion) {
  // The tc.config may start only when no Gemm is in flight: at 4,169, not
  // at the occupancy end; it then holds the groups for 64 cycles.
  EXPECT_EQ(cyclesOf(groupGemm(0x0, 0x200000) + "tc.config gang=4x4 precision=f16\n"),
            1 + kLatency + 64);
}

TEST(GemmOverlap, BusyTimeIsTheUnionOfTheGemmsSpans) {
  // Independent pair: spans [1, 4,169] and [4,097, 8,265] on group 0, so
  // the group is busy 8,264 ns (not 2 * 4,168): "active" (any group) 8,264,
  // "busy" (group time over 16 groups) 8,264 / 16.
  Ran r = runPrograms(testArch(),
                      {groupGemm(0x0, 0x200000) + groupGemm(0x0, 0x300000, 0x180000) + "halt\n"},
                      timingOnly());
  EXPECT_EQ(r.result.cycles, 8265u);
  EXPECT_DOUBLE_EQ(statOf(r, "core0.tensor.active"), 8264.0);
  EXPECT_DOUBLE_EQ(statOf(r, "core0.tensor.busy"), 8264.0 / 16);
  // The MACs and their energy are those of two Gemms, as before.
  EXPECT_DOUBLE_EQ(statOf(r, "core0.tensor.gemms"), 2.0);
  Ran one = runPrograms(testArch(), {groupGemm(0x0, 0x200000) + "halt\n"}, timingOnly());
  EXPECT_DOUBLE_EQ(macEnergyJ(r), 2 * macEnergyJ(one));
  EXPECT_GT(macEnergyJ(one), 0.0);
}

TEST(GemmOverlap, ALongerDrainInsideTheNextSpanIsCountedOnce) {
  // The first Gemm's span ends after the second's: Quad gang, a biased
  // 64 x 1024 x 64 (occupancy 256, latency 1,024 from 65) and then a plain
  // 64 x 256 x 64 (one tile per group: occupancy 64, latency 64 + 136 =
  // 200) from 321 to 521. The groups are busy from 65 to 1,089 however the
  // spans nest: 1,024 ns on all four groups.
  Ran r = runPrograms(
      testArch(),
      {"tc.config gang=4x4 precision=f16\n"
       "gemm m=64 n=1024 k=64 a=f16 b=f16 out=f32 A=[0x0] lda=64 B=[0x100000] ldb=1024 "
       "C=[0x200000] ldc=1024 bias=[0x7f0000]\n"
       "gemm m=64 n=256 k=64 a=f16 b=f16 out=f32 A=[0x0] lda=64 B=[0x180000] ldb=256 "
       "C=[0x300000] ldc=256\n"
       "halt\n"},
      timingOnly());
  EXPECT_EQ(r.result.cycles, 65u + 1024);
  EXPECT_DOUBLE_EQ(statOf(r, "core0.tensor.active"), 1024.0);
  EXPECT_DOUBLE_EQ(statOf(r, "core0.tensor.busy"), 1024.0);
}

TEST(GemmOverlap, AClockChangeMovesOccupancyAndCompletion) {
  // The hint (load queue, ready at 2 ns) lands during the first Gemm's
  // occupancy, one of its cycles done: the clock stops for 1,000 ns and runs
  // at 600 MHz from then on. The first frees its group after its other
  // 4,095 occupancy cycles, 1,002 + 4,095 / 0.6 ns; the second runs its
  // 4,168 cycles from there.
  sim::SimOptions hinted = timingOnly();
  hinted.governor = "hinted";
  Ran during = runPrograms(testArch(),
                           {groupGemm(0x0, 0x200000) + "dvfs.hint load, own, 0\n" +
                            groupGemm(0x0, 0x300000, 0x180000) + "halt\n"},
                           hinted);
  EXPECT_NEAR(during.result.seconds * 1e9, 1002.0 + (4095.0 + 4168.0) / 0.6, 0.01);

  // Between occupancy end and completion: the second Gemm (64 x 32 x 32,
  // one tile: occupancy 64, latency 136) starts at the first's occupancy end,
  // 4,097 ns, and the hint behind it in the compute queue issues at once.
  // The first has 72 drain cycles left: it completes at 5,097 + 72 / 0.6 =
  // 5,217 ns, when the vexp that reads its output (1,028 cycles) may start:
  // 5,217 + 1,028 / 0.6 ns. The small Gemm ends before, at 5,097 + 136 / 0.6.
  Ran drain = runPrograms(
      testArch(),
      {groupGemm(0x0, 0x200000) +
       "gemm m=64 n=32 k=32 a=f16 b=f16 out=f32 A=[0x0] lda=256 B=[0x180000] ldb=32 "
       "C=[0x300000] ldc=32 tcGroup=0\n"
       "dvfs.hint compute, own, 0\n"
       "vexp rows=64 cols=256 in=f32 out=f32 x=[0x200000] ld0=256 dst=[0x400000] ldd=256\n"
       "halt\n"},
      hinted);
  EXPECT_NEAR(drain.result.seconds * 1e9, 5097.0 + (72.0 + 1028.0) / 0.6, 0.01);
}
