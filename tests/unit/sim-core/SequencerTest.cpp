//===- SequencerTest.cpp - Scalar code, branches, ld32, fences, queues ----===//
#include "SimTestUtil.h"

#include "strata/sim/core/Chip.h"

#include <cstring>

using namespace strata;
using namespace strata::test;

TEST(Sequencer, ScalarLoopAndBranchesCostDispatchCycles) {
  ArchConfig arch = testArch();
  Ran r = runPrograms(arch, {R"(
    li r1, 0
    li r2, 10
    li r3, 0
  loop:
    addi r1, r1, 1
    add r3, r3, r1
    bne r1, r2, loop
    muli r4, r3, 3
    shli r5, r4, 2
    divui r6, r5, 7
    remui r7, r5, 7
    sub r8, r0, r2
    min r9, r8, r2
    max r10, r8, r2
    halt
  )"});
  ASSERT_TRUE(r.sim);
  sim::core::NpuCore &core = r.sim->chip().core(0);
  EXPECT_EQ(core.scalarRegister(3), 55);
  EXPECT_EQ(core.scalarRegister(4), 165);
  EXPECT_EQ(core.scalarRegister(5), 660);
  EXPECT_EQ(core.scalarRegister(6), 94);
  EXPECT_EQ(core.scalarRegister(7), 2);
  EXPECT_EQ(core.scalarRegister(9), -10);
  EXPECT_EQ(core.scalarRegister(10), 10);
  // 3 + 10 * 3 + 7 + halt = 41 instructions of dispatchCycles (1) each.
  EXPECT_EQ(r.result.instructions, 41u);
  EXPECT_EQ(r.result.cycles, 41u);
  EXPECT_EQ(r.result.tileInstructions, 0u);
}

TEST(Sequencer, DispatchCyclesScaleScalarCode) {
  ArchConfig arch = testArch();
  arch.core.queues.dispatchCycles = 3;
  Ran r = runPrograms(arch, {"li r1, 5\naddi r1, r1, 1\nhalt\n"});
  EXPECT_EQ(r.result.cycles, 9u);
}

TEST(Sequencer, Ld32ReadsHbmAfterAMemoryLatency) {
  ArchConfig arch = testArch();
  auto sim = makeSim(arch);
  ASSERT_TRUE(sim);
  ASSERT_TRUE(sim->load(binaryOf({R"(
    li r1, 0x10000
    ld32 r2, [r1+0x4]
    addi r3, r2, 1
    halt
  )"})));
  const uint32_t values[2] = {7, 0xdeadbeef};
  ASSERT_TRUE(sim->writeHbm(0x10000, values, 8));
  auto res = sim->run("main");
  ASSERT_TRUE(res) << res.message();
  EXPECT_EQ(sim->chip().core(0).scalarRegister(2), 0xdeadbeef);
  EXPECT_EQ(sim->chip().core(0).scalarRegister(3), 0xdeadbeefll + 1);
  // The read crosses the NoC and an HBM row activation: far more than the
  // four dispatch cycles of the program.
  EXPECT_GT(res->cycles, 30u);
}

TEST(Sequencer, FenceWaitsForTheQueuesToDrain) {
  // A store to HBM, then a scalar load of the same bytes: with the fence the
  // load sees the stored value.
  auto program = [](bool fence) {
    return std::string(R"(
      dma.store src=sram[0x0] dst=hbm[0x20000] size=4096
    )") + (fence ? "fence\n" : "") + R"(
      li r1, 0x20000
      ld32 r2, [r1+0xffc]
      halt
    )";
  };
  for (bool fence : {false, true}) {
    ArchConfig arch = testArch();
    auto sim = makeSim(arch);
    ASSERT_TRUE(sim);
    ASSERT_TRUE(sim->load(binaryOf({program(fence)})));
    std::vector<uint32_t> words(1024);
    for (uint32_t i = 0; i < 1024; ++i)
      words[i] = 1000 + i;
    ASSERT_TRUE(sim->writeSram(0, 0, words.data(), 4096));
    auto res = sim->run("main");
    ASSERT_TRUE(res) << res.message();
    EXPECT_EQ(sim->chip().core(0).scalarRegister(2), fence ? 2023 : 0) << "fence " << fence;
  }
}

TEST(Sequencer, FullQueueStallsDispatch) {
  ArchConfig arch = testArch();
  arch.core.queues.computeDepth = 2;
  Ran r = runPrograms(arch, {R"(
    li r1, 0
    li r2, 16
  loop:
    vexp rows=8 cols=64 in=f32 out=f32 x=[0x0] ld0=64 dst=[0x800] ldd=64
    addi r1, r1, 1
    bne r1, r2, loop
    halt
  )"});
  ASSERT_TRUE(r.sim);
  double stall = 0;
  ASSERT_TRUE(r.sim->stats().lookup("core0.sequencer.queue_full_stall", stall));
  EXPECT_GT(stall, 0);
  double maxOcc = 0;
  ASSERT_TRUE(r.sim->stats().lookup("core0.compute.max_occupancy", maxOcc));
  EXPECT_EQ(maxOcc, 2);
  // 16 back-to-back vexp of 8 lines: 16 * (4 + 8 * 4) cycles of vector time.
  EXPECT_GE(r.result.cycles, 16u * 36);
  EXPECT_LE(r.result.cycles, 16u * 36 + 20);
}

TEST(Sequencer, Ld32WorksOnTheAnalyticMemoryModel) {
  ArchConfig arch = testArch();
  arch.hbm.model = "analytic";
  auto sim = makeSim(arch);
  ASSERT_TRUE(sim);
  ASSERT_TRUE(sim->load(binaryOf({"li r1, 0x2000\nld32 r2, [r1+0x0]\nhalt\n"})));
  const uint32_t v = 42;
  ASSERT_TRUE(sim->writeHbm(0x2000, &v, 4));
  auto res = sim->run("main");
  ASSERT_TRUE(res) << res.message();
  EXPECT_EQ(sim->chip().core(0).scalarRegister(2), 42);
}

TEST(Sequencer, InstructionsAfterAFenceTakeTheirTimeFromTheDrain) {
  // The fence waits for the vexp (1 dispatch + 4 + 16 * 4 cycles = 69), then
  // itself and four scalar instructions each take a dispatch cycle.
  Ran r = runPrograms(testArch(), {R"(
    vexp rows=4 cols=256 in=f32 out=f32 x=[0x0] ld0=256 dst=[0x1000] ldd=256
    fence
    li r1, 1
    li r2, 2
    li r3, 3
    halt
  )"});
  EXPECT_EQ(r.result.cycles, 69u + 5);
}
