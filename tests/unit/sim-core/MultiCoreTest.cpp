//===- MultiCoreTest.cpp - Barriers, peer SRAM copies, deadlock -----------===//
#include "SimTestUtil.h"

#include "strata/sim/core/Chip.h"

#include <fmt/format.h>

#include <cmath>
#include <cstring>

using namespace strata;
using namespace strata::test;

TEST(MultiCore, BarrierOrdersWorkAcrossCores) {
  // Core 0 stores its tile to HBM, then arrives; core 1 waits at the barrier
  // in its load queue and then loads the tile.
  auto sim = makeSim(testArch(2));
  ASSERT_TRUE(sim);
  ASSERT_TRUE(sim->load(binaryOf({R"(
      vexp rows=64 cols=256 in=f32 out=f32 x=[0x0] ld0=256 dst=[0x0] ldd=256
      sem.signal compute, s0
      sem.wait store, s0
      dma.store src=sram[0x0] dst=hbm[0x400000] size=65536
      barrier store, 0, 0x3
      halt
    )",
                                  R"(
      barrier load, 0, 0x3
      dma.load src=hbm[0x400000] dst=sram[0x10000] size=65536
      halt
    )"})));
  std::vector<float> x(16384, 0.0f); // exp(0) = 1 everywhere after core 0's vexp
  ASSERT_TRUE(sim->writeSram(0, 0, x.data(), 65536));
  auto res = sim->run("main");
  ASSERT_TRUE(res) << res.message();
  std::vector<float> y(16384);
  ASSERT_TRUE(sim->readSram(1, 0x10000, y.data(), 65536));
  for (int i = 0; i < 16384; i += 997)
    EXPECT_EQ(y[i], 1.0f) << i;
  double blocked = 0;
  ASSERT_TRUE(sim->stats().lookup("core1.load.sync_blocked", blocked));
  // Core 1 waited at least for core 0's vexp: 4 + 256 * 4 cycles.
  EXPECT_GT(blocked, 1028.0);
}

TEST(MultiCore, BarrierGenerationsCountEachArrival) {
  // Three rounds; core 1 is slower each round, core 0 must wait every time.
  auto work = [](int lines) {
    return fmt::format("vexp rows=1 cols={} in=f32 out=f32 x=[0x0] ld0={} dst=[0x0] ldd={}\n",
                       lines * 64, lines * 64, lines * 64);
  };
  std::string c0, c1;
  for (int round = 0; round < 3; ++round) {
    c0 += work(1) + "barrier compute, 7, 0x3\n";
    c1 += work(64) + "barrier compute, 7, 0x3\n";
  }
  Ran r = runPrograms(testArch(2), {c0 + "halt\n", c1 + "halt\n"});
  double arrivals = 0;
  ASSERT_TRUE(r.sim->stats().lookup("core0.sync.barriers", arrivals));
  EXPECT_EQ(arrivals, 3);
  // Both cores finish together, after three of core 1's rounds.
  EXPECT_GE(r.result.cycles, 3u * (4 + 64 * 4));
  EXPECT_LE(r.result.cycles, 3u * (4 + 64 * 4) + 30);
}

TEST(MultiCore, PeerSramCopyOverTheNoc) {
  auto sim = makeSim(testArch(4));
  ASSERT_TRUE(sim);
  ASSERT_TRUE(sim->load(binaryOf({R"(
      dma.store src=sram[0x0] dst=sram@3[0x1000] size=256x16 dstStride=512
      barrier store, 1, 0x9
      halt
    )",
                                  "halt\n", "halt\n",
                                  R"(
      barrier load, 1, 0x9
      halt
    )"})));
  std::vector<uint8_t> bytes(4096);
  for (size_t i = 0; i < bytes.size(); ++i)
    bytes[i] = uint8_t(i * 7 + 1);
  ASSERT_TRUE(sim->writeSram(0, 0, bytes.data(), bytes.size()));
  auto res = sim->run("main");
  ASSERT_TRUE(res) << res.message();
  std::vector<uint8_t> row(256);
  for (int r = 0; r < 16; ++r) {
    ASSERT_TRUE(sim->readSram(3, 0x1000 + r * 512, row.data(), 256));
    EXPECT_TRUE(std::equal(row.begin(), row.end(), bytes.begin() + r * 256)) << r;
  }
  double peer = 0;
  ASSERT_TRUE(sim->stats().lookup("core0.dma.peer_bytes", peer));
  EXPECT_EQ(peer, 4096);
}

TEST(MultiCore, DeadlockOnASemaphoreNobodySignalsIsDiagnosed) {
  const std::string err = runError(testArch(), {R"(
    li r1, 3
    sem.wait compute, s2
    halt
  )"});
  EXPECT_NE(err.find("deadlock"), std::string::npos) << err;
  EXPECT_NE(err.find("core 0, compute queue, pc 1 `sem.wait compute, s2`"), std::string::npos)
      << err;
  EXPECT_NE(err.find("waits for semaphore 2 >= 1 (it is 0)"), std::string::npos) << err;
}

TEST(MultiCore, DeadlockAcrossQueuesAndCores) {
  // Load waits for compute, compute waits for load; core 1 waits at a
  // barrier core 0 never reaches.
  const std::string err = runError(testArch(2), {R"(
      sem.wait load, s1
      sem.signal load, s0
      sem.wait compute, s0
      sem.signal compute, s1
      halt
    )",
                                                 R"(
      barrier compute, 4, 0x3
      halt
    )"});
  EXPECT_NE(err.find("deadlock"), std::string::npos) << err;
  EXPECT_NE(err.find("core 0, load queue, pc 0"), std::string::npos) << err;
  EXPECT_NE(err.find("core 0, compute queue, pc 2"), std::string::npos) << err;
  EXPECT_NE(err.find("core 1, compute queue, pc 0 `barrier compute, 4, 0x3`: waits at barrier 4 "
                     "for cores with mask 0x1"),
            std::string::npos)
      << err;
}

TEST(MultiCore, IdleCoresFinishAtOnce) {
  Ran r = runPrograms(testArch(4), {"li r1, 1\nhalt\n"});
  EXPECT_EQ(r.result.cycles, 2u);
}

// Cores settling their events ahead of the kernel (SimOptions::runAhead,
// analytic HBM) across barriers of several masks, a barrier release that
// wakes waiting cores, and a peer copy: the values and the times are the
// kernel's own.
TEST(MultiCore, RunningAheadOfTheKernelKeepsValuesAndTimes) {
  ArchConfig arch = testArch(4);
  arch.hbm.model = "analytic";
  const std::vector<std::string> programs = {
      R"(
      vexp rows=16 cols=256 in=f32 out=f32 x=[0x0] ld0=256 dst=[0x0] ldd=256
      sem.signal compute, s0
      sem.wait store, s0
      dma.store src=sram[0x0] dst=hbm[0x400000] size=16384
      barrier store, 1, 0x3
      barrier store, 2, 0xf
      halt
    )",
      R"(
      vrelu rows=4 cols=256 in=f32 out=f32 x=[0x0] ld0=256 dst=[0x0] ldd=256
      barrier load, 1, 0x3
      dma.load src=hbm[0x400000] dst=sram[0x10000] size=16384
      sem.signal load, s1
      sem.wait compute, s1
      vexp rows=16 cols=256 in=f32 out=f32 x=[0x10000] ld0=256 dst=[0x20000] ldd=256
      sem.signal compute, s2
      sem.wait store, s2
      dma.store src=sram[0x20000] dst=hbm[0x500000] size=16384
      barrier store, 2, 0xf
      halt
    )",
      R"(
      vexp rows=8 cols=128 in=f32 out=f32 x=[0x0] ld0=128 dst=[0x0] ldd=128
      sem.signal compute, s0
      sem.wait load, s0
      barrier load, 2, 0xf
      dma.load src=hbm[0x500000] dst=sram[0x8000] size=16384
      halt
    )",
      R"(
      barrier load, 2, 0xf
      dma.load src=sram@2[0x0] dst=sram[0x1000] size=4096
      halt
    )"};
  struct Outcome {
    sim::RunResult result;
    std::vector<std::vector<uint8_t>> sram;
  };
  auto run = [&](bool ahead) {
    sim::SimOptions o;
    o.runAhead = ahead;
    auto sim = makeSim(arch, o);
    EXPECT_TRUE(sim);
    EXPECT_TRUE(sim->load(binaryOf(programs)));
    std::vector<float> x(16384, 0.5f);
    for (uint32_t c = 0; c < 4; ++c)
      EXPECT_TRUE(sim->writeSram(c, 0, x.data(), x.size() * sizeof(float)));
    Outcome out;
    auto r = sim->run("main");
    EXPECT_TRUE(r) << r.message();
    if (r)
      out.result = *r;
    for (uint32_t c = 0; c < 4; ++c) {
      out.sram.emplace_back(0x30000);
      EXPECT_TRUE(sim->readSram(c, 0, out.sram.back().data(), out.sram.back().size()));
    }
    return out;
  };
  const Outcome kernel = run(false), ahead = run(true);
  EXPECT_EQ(kernel.result.cycles, ahead.result.cycles);
  EXPECT_EQ(kernel.result.endNs, ahead.result.endNs);
  EXPECT_EQ(kernel.result.energyJ, ahead.result.energyJ);
  EXPECT_EQ(kernel.result.tileInstructions, ahead.result.tileInstructions);
  for (uint32_t c = 0; c < 4; ++c)
    EXPECT_TRUE(kernel.sram[c] == ahead.sram[c]) << "core " << c;
  // Core 2 loaded what core 1 computed: exp(exp(0.5)).
  float v = 0;
  std::memcpy(&v, ahead.sram[2].data() + 0x8000, sizeof v);
  EXPECT_FLOAT_EQ(v, std::exp(std::exp(0.5f)));
}
