//===- SemReleaseTest.cpp - sem.release fires when operands are read ------===//
//
// A sem.release adds to its semaphore once every earlier op of its queue has
// read its operands (docs/isa.md 4.4): a Gemm at its occupancy end, unless
// it has a bias; any other op at its completion. Expectations are worked out
// by hand on the default arch as in GemmOverlapTest: a 64 x 256 x 256 f16
// Gemm on group 0 holds the group 4,096 cycles and completes after 4,168;
// every instruction costs one dispatch cycle; 1 GHz.
//
//===----------------------------------------------------------------------===//
#include "GroupGemm.h"

#include "strata/sim/core/Chip.h"
#include "strata/support/Float16.h"

#include <fmt/format.h>

using namespace strata;
using namespace strata::test;

namespace {

Ran run(const std::string &program, const sim::SimOptions &o = timingOnly()) {
  return runPrograms(testArch(), {program + "halt\n"}, o);
}

double storeBlockedNs(const Ran &r) { return statOf(r, "core0.store.sync_blocked"); }

/// The store queue's wait is dispatched third (ready at 3 ns): how long it
/// waits says when the compute queue's release fired.
std::string handOff(const char *kind) {
  return fmt::format("sem.{} compute, s0\nsem.wait store, s0\n", kind);
}

} // namespace

TEST(SemRelease, FiresWhenTheGemmsLastRowHasEntered) {
  // At 1 + 4,096 = 4,097 ns, where a signal fires at 1 + 4,168.
  Ran release = run(groupGemm(0x0, 0x200000, 0x100000) + handOff("release"));
  EXPECT_DOUBLE_EQ(storeBlockedNs(release), double(1 + kOccupancy - 3));
  EXPECT_EQ(release.result.cycles, 1 + kLatency);
  Ran signal = run(groupGemm(0x0, 0x200000, 0x100000) + handOff("signal"));
  EXPECT_DOUBLE_EQ(storeBlockedNs(signal), double(1 + kLatency - 3));
}

TEST(SemRelease, TheGemmBehindItStillEntersBehindThePreviousOne) {
  // The release issues at the first Gemm's occupancy end, where the second
  // takes the group anyway: 1 + 2 * 4,096 + 72, as with no release between
  // them. Behind a signal the second starts at the first's completion.
  const std::string second = groupGemm(0x0, 0x300000, 0x180000);
  EXPECT_EQ(run(groupGemm(0x0, 0x200000, 0x100000) + "sem.release compute, s0\n" + second)
                .result.cycles,
            1 + 2 * kOccupancy + 72);
  EXPECT_EQ(run(groupGemm(0x0, 0x200000, 0x100000) + "sem.signal compute, s0\n" + second)
                .result.cycles,
            1 + 2 * kLatency);
}

TEST(SemRelease, AnAccumulatingGemmHasReadItsInputsAtItsOccupancyEnd) {
  // The old C it adds is an output it also reads (docs/isa.md 4.4).
  Ran r = run(groupGemm(0x0, 0x200000, 0x100000, " accumulate") + handOff("release"));
  EXPECT_DOUBLE_EQ(storeBlockedNs(r), double(1 + kOccupancy - 3));
}

TEST(SemRelease, ABiasedGemmHasReadItsOperandsOnlyAtItsCompletion) {
  // Its epilogue reads the bias: the release fires with the completion.
  Ran r = run(groupGemm(0x0, 0x200000, 0x100000, " bias=[0x7f0000]") + handOff("release"));
  EXPECT_DOUBLE_EQ(storeBlockedNs(r), double(1 + kLatency - 3));
}

TEST(SemRelease, EveryEarlierOpMustHaveRead) {
  // Two Gemms: the release waits for the second's occupancy end,
  // 1 + 2 * 4,096 (the store queue's wait is dispatched fourth, ready at
  // 4 ns). A vexp before it: the release fires with the vexp's completion,
  // when a signal fires too.
  Ran two = run(groupGemm(0x0, 0x200000, 0x100000) + groupGemm(0x0, 0x300000, 0x180000) +
                handOff("release"));
  EXPECT_DOUBLE_EQ(storeBlockedNs(two), double(1 + 2 * kOccupancy - 4));
  const std::string vexp =
      "vexp rows=64 cols=256 in=f32 out=f32 x=[0x0] ld0=256 dst=[0x400000] ldd=256\n";
  Ran afterVec = run(vexp + handOff("release"));
  Ran signalled = run(vexp + handOff("signal"));
  EXPECT_GT(storeBlockedNs(afterVec), 1000.0);
  EXPECT_DOUBLE_EQ(storeBlockedNs(afterVec), storeBlockedNs(signalled));
}

TEST(SemRelease, AClockChangeMovesWhenItFires) {
  // As in GemmOverlap.AClockChangeMovesOccupancyAndCompletion: the hint
  // (load queue, ready at 2 ns) stops the clock 1,000 ns one cycle into the
  // Gemm, which then runs at 600 MHz; its other 4,095 occupancy cycles end
  // at 1,002 + 4,095 / 0.6 ns, when the release fires. The store queue's
  // wait is dispatched fourth here (ready at 4 ns).
  sim::SimOptions hinted = timingOnly();
  hinted.governor = "hinted";
  Ran r = run(groupGemm(0x0, 0x200000, 0x100000) + "dvfs.hint load, own, 0\n" + handOff("release"),
              hinted);
  EXPECT_NEAR(storeBlockedNs(r), 1002.0 + 4095.0 / 0.6 - 4, 0.01);
}

TEST(SemRelease, ALoadOverTheWeightsItReleasedLeavesTheGemmsValues) {
  // The load queue overwrites B with new weights once the first Gemm has
  // read it; both Gemms compute with the weights they were given. A [16][64],
  // B [64][64] (transposed) f16 in small integers: products exact in f32.
  constexpr int M = 16, N = 64, K = 64;
  constexpr uint64_t kA = 0x100000, kB1 = 0x110000, kB2 = 0x120000, kC1 = 0x130000,
                     kC2 = 0x140000;
  auto program = [&](const char *kind) {
    return fmt::format(
        "dma.load src=hbm[{:#x}] dst=sram[0x0] size={}\n"
        "dma.load src=hbm[{:#x}] dst=sram[0x10000] size={}\n"
        "sem.signal load, s0\n"
        "sem.wait compute, s0\n"
        "gemm m={} n={} k={} a=f16 b=f16 out=f32 A=[0x0] lda={} B=[0x10000] ldb={} transB "
        "C=[0x20000] ldc={} tcGroup=0\n"
        "sem.{} compute, s12\n"
        "sem.wait load, s12\n"
        "dma.load src=hbm[{:#x}] dst=sram[0x10000] size={}\n"
        "sem.signal load, s1\n"
        "sem.wait compute, s1\n"
        "gemm m={} n={} k={} a=f16 b=f16 out=f32 A=[0x0] lda={} B=[0x10000] ldb={} transB "
        "C=[0x30000] ldc={} tcGroup=0\n"
        "sem.signal compute, s5\n"
        "sem.wait store, s5\n"
        "dma.store src=sram[0x20000] dst=hbm[{:#x}] size={}\n"
        "dma.store src=sram[0x30000] dst=hbm[{:#x}] size={}\n"
        "halt\n",
        kA, M * K * 2, kB1, N * K * 2, M, N, K, K, K, N, kind, kB2, N * K * 2, M, N, K, K,
        K, N, kC1, M * N * 4, kC2, M * N * 4);
  };
  std::vector<float> a(M * K), b1(N * K), b2(N * K);
  for (int i = 0; i < M * K; ++i)
    a[i] = float(i % 7 - 3);
  for (int i = 0; i < N * K; ++i) {
    b1[i] = float(i % 5 - 2);
    b2[i] = float(i % 3 - 1);
  }
  auto f16 = [](const std::vector<float> &v) {
    std::vector<uint16_t> h;
    for (float x : v)
      h.push_back(f32ToF16(x));
    return h;
  };
  auto expected = [&](const std::vector<float> &b) {
    std::vector<float> c(M * N);
    for (int m = 0; m < M; ++m)
      for (int n = 0; n < N; ++n)
        for (int k = 0; k < K; ++k)
          c[m * N + n] += a[m * K + k] * b[n * K + k];
    return c;
  };
  auto runWith = [&](const char *kind, uint64_t &cycles) {
    bin::Binary bin = binaryOf({program(kind)});
    bin.regions.push_back({"io", bin::RegionKind::Io, kA, 0x50000});
    bin.io = {{"a", bin::IoDirection::Input, DType::F16, {M, K}, kA},
              {"b1", bin::IoDirection::Input, DType::F16, {N, K}, kB1},
              {"b2", bin::IoDirection::Input, DType::F16, {N, K}, kB2},
              {"c1", bin::IoDirection::Output, DType::F32, {M, N}, kC1},
              {"c2", bin::IoDirection::Output, DType::F32, {M, N}, kC2}};
    auto sim = makeSim(testArch());
    EXPECT_TRUE(sim->load(bin));
    EXPECT_TRUE(sim->writeIo("a", f16(a).data(), M * K * 2));
    EXPECT_TRUE(sim->writeIo("b1", f16(b1).data(), N * K * 2));
    EXPECT_TRUE(sim->writeIo("b2", f16(b2).data(), N * K * 2));
    auto r = sim->run("main");
    EXPECT_TRUE(r) << r.message();
    cycles = r ? r->cycles : 0;
    std::vector<float> c(2 * M * N);
    EXPECT_TRUE(sim->readIo("c1", c.data(), M * N * 4));
    EXPECT_TRUE(sim->readIo("c2", c.data() + M * N, M * N * 4));
    return c;
  };
  uint64_t releasedCycles = 0, signalledCycles = 0;
  const std::vector<float> released = runWith("release", releasedCycles);
  const std::vector<float> signalled = runWith("signal", signalledCycles);
  const std::vector<float> c1 = expected(b1), c2 = expected(b2);
  for (int i = 0; i < M * N; ++i) {
    ASSERT_EQ(released[i], c1[i]) << "C1 element " << i;
    ASSERT_EQ(released[M * N + i], c2[i]) << "C2 element " << i;
  }
  EXPECT_EQ(released, signalled);
  // The new weights' load starts at the first Gemm's occupancy end, not
  // at its completion: the run is shorter by up to the Gemm's drain.
  EXPECT_LT(releasedCycles, signalledCycles);
}
