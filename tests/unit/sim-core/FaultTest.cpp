//===- FaultTest.cpp - Every program fault stops the run with a diagnostic -===//
#include "SimTestUtil.h"

#include "strata/sim/core/Chip.h"

using namespace strata;
using namespace strata::test;

namespace {
void expectFault(const std::string &err, const std::vector<std::string> &parts) {
  ASSERT_FALSE(err.empty()) << "the run should have faulted";
  for (const std::string &p : parts)
    EXPECT_NE(err.find(p), std::string::npos) << "missing '" << p << "' in:\n" << err;
}
} // namespace

TEST(Fault, MalformedInstruction) {
  auto sim = makeSim(testArch());
  ASSERT_TRUE(sim);
  bin::Binary b = binaryOf({"li r1, 1\nhalt\n"});
  isa::TcConfigInstr bad;
  bad.gang = isa::Gang(7);
  b.entries[0].cores[0].insert(b.entries[0].cores[0].begin() + 1, bad);
  ASSERT_TRUE(sim->load(b));
  auto res = sim->run("main");
  ASSERT_FALSE(res);
  expectFault(res.message(), {"core 0, sequencer, pc 1", "malformed instruction"});
}

TEST(Fault, DivisionByZero) {
  auto sim = makeSim(testArch());
  bin::Binary b = binaryOf({"li r1, 1\nhalt\n"});
  b.entries[0].cores[0].insert(b.entries[0].cores[0].begin() + 1,
                               isa::ScalarInstr{isa::Opcode::Divui, 2, 1, 0, 0});
  ASSERT_TRUE(sim->load(b));
  auto res = sim->run("main");
  ASSERT_FALSE(res);
  expectFault(res.message(), {"core 0, sequencer, pc 1", "divisor", "0"});
}

TEST(Fault, BranchOutsideTheProgram) {
  auto sim = makeSim(testArch());
  bin::Binary b = binaryOf({"li r1, 1\nhalt\n"});
  b.entries[0].cores[0].insert(b.entries[0].cores[0].begin(),
                               isa::BranchInstr{isa::Opcode::Jmp, 0, 0, 40});
  ASSERT_TRUE(sim->load(b));
  auto res = sim->run("main");
  ASSERT_FALSE(res);
  expectFault(res.message(), {"pc 0 `jmp 40`", "branch target 40 lies outside the program"});
}

TEST(Fault, DmaOutsideHbm) {
  expectFault(runError(testArch(), {R"(
      li r1, 0xffffffff00
      dma.load src=hbm[r1] dst=sram[0x0] size=4096
      halt
    )"}),
              {"core 0, load queue, pc 1 `dma.load src=hbm[r1] dst=sram[0x0] size=4096`",
               "DMA source [0xffffffff00, 0x10000000f00) lies outside HBM (64 GiB)"});
}

TEST(Fault, DmaOutsideSram) {
  expectFault(runError(testArch(), {R"(
      dma.load src=hbm[0x0] dst=sram[0x7ff000] size=8192
      halt
    )"}),
              {"core 0, load queue, pc 0", "DMA destination [0x7ff000, 0x801000) lies outside "
                                           "the 8 MiB SRAM of core 0"});
}

TEST(Fault, DmaToAPeerCoreThatDoesNotExist) {
  expectFault(runError(testArch(2), {R"(
      dma.store src=sram[0x0] dst=sram@5[0x0] size=64
      halt
    )"}),
              {"core 0, store queue, pc 0", "names the SRAM of core 5, but the chip has 2 cores"});
}

TEST(Fault, ComputeOperandBeyondSram) {
  expectFault(runError(testArch(), {R"(
      li r4, 0x7ff000
      vexp rows=4 cols=1024 in=f32 out=f32 x=[r4] ld0=1024 dst=[0x0] ldd=1024
      halt
    )"}),
              {"core 0, compute queue, pc 1", "beyond the 8 MiB SRAM"});
}

TEST(Fault, MisalignedOperands) {
  // Known before the run: rejected with the program.
  expectFault(runError(testArch(), {R"(
      vexp rows=4 cols=16 in=f32 out=f32 x=[0x2] ld0=16 dst=[0x1000] ldd=16
      halt
    )"}),
              {"core 0, sequencer, pc 0", "malformed instruction", "not aligned"});
  // Known only once the base register is read, at dispatch.
  expectFault(runError(testArch(), {R"(
      li r4, 0x2
      vexp rows=4 cols=16 in=f32 out=f32 x=[r4] ld0=16 dst=[0x1000] ldd=16
      halt
    )"}),
              {"core 0, compute queue, pc 1 `vexp", "not aligned"});
  expectFault(runError(testArch(), {R"(
      li r1, 0x1002
      ld32 r2, [r1+0x0]
      halt
    )"}),
              {"core 0, sequencer, pc 1", "ld32 address 0x1002 is not 4-byte aligned"});
}

TEST(Fault, GemmPrecisionDoesNotMatchTheTensorCores) {
  expectFault(runError(testArch(), {R"(
      tc.config gang=4x4 precision=f16
      gemm m=16 n=64 k=64 a=i8 b=i8 out=f32 A=[0x0] lda=64 B=[0x1000] ldb=64 C=[0x2000] ldc=64
      halt
    )"}),
              {"core 0, compute queue, pc 1 `gemm", "i8 x i8 operands need i8 multipliers but "
                                                     "the tensor cores are configured for f16"});
}

TEST(Fault, GemmOnAGroupTheGangDoesNotHave) {
  expectFault(runError(testArch(), {R"(
      tc.config gang=4x4 precision=f16
      gemm m=16 n=64 k=64 a=f16 b=f16 out=f32 A=[0x0] lda=64 B=[0x1000] ldb=64 C=[0x2000] ldc=64 tcGroup=9
      halt
    )"}),
              {"core 0, compute queue, pc 1", "tensor-core group 9 does not exist: the current "
                                              "gang has 4 group(s)"});
}

TEST(Fault, BarrierMaskWithoutTheArrivingCore) {
  expectFault(runError(testArch(2), {"barrier compute, 0, 0x2\nhalt\n", "halt\n"}),
              {"core 0, compute queue, pc 0",
               "barrier 0 mask 0x2 does not include the arriving core 0"});
}

TEST(Fault, CycleLimit) {
  sim::SimOptions o;
  o.cycleLimit = 100000;
  const std::string err = runError(testArch(), {R"(
    loop:
      addi r1, r1, 1
      jmp loop
    )"},
                                   o);
  expectFault(err, {"core 0, sequencer", "exceeded the cycle limit of 100000 core cycles"});
}

TEST(Fault, DvfsHintToAPointThatDoesNotExist) {
  expectFault(runError(testArch(), {"dvfs.hint compute, own, 9\nhalt\n"}),
              {"core 0, compute queue, pc 0", "operating point 9 does not exist"});
}

TEST(Fault, TheChipStaysStoppedAfterAFault) {
  auto sim = makeSim(testArch());
  ASSERT_TRUE(sim->load(binaryOf({"sem.wait compute, s0\nhalt\n"})));
  ASSERT_FALSE(sim->run("main"));
  ASSERT_NE(sim->fault(), nullptr);
  auto again = sim->run("main");
  ASSERT_FALSE(again);
  EXPECT_NE(again.message().find("create a new Simulator"), std::string::npos);
}

TEST(Fault, BadRunArguments) {
  auto sim = makeSim(testArch());
  bin::Binary b = binaryOf({"halt\n"}, {{"pos", 3}});
  ASSERT_TRUE(sim->load(b));
  auto noEntry = sim->run("decode");
  ASSERT_FALSE(noEntry);
  EXPECT_EQ(noEntry.message(), "the binary has no entry point 'decode' (it has: main)");
  auto missing = sim->run("main");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.message(), "entry point 'main' needs parameter 'pos' (register r3)");
  auto unknown = sim->run("main", {{"pos", 1}, {"len", 2}});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.message(), "entry point 'main' has no parameter 'len' (it takes: pos)");
  EXPECT_TRUE(sim->run("main", {{"pos", 1}}));
}

TEST(Fault, ConfigsTheModelCannotBuildAreErrors) {
  sim::SimOptions bogus;
  bogus.governor = "turbo";
  auto a = sim::Simulator::create(testArch(), bogus);
  ASSERT_FALSE(a);
  EXPECT_NE(a.message().find("turbo"), std::string::npos) << a.message();
  ArchConfig none = testArch();
  none.numCores = 0;
  auto b = sim::Simulator::create(none);
  ASSERT_FALSE(b);
  EXPECT_NE(b.message().find("numCores is 0"), std::string::npos) << b.message();
  ArchConfig noCoreDomain = testArch();
  noCoreDomain.dvfs.domains.erase(noCoreDomain.dvfs.domains.begin());
  auto c = sim::Simulator::create(noCoreDomain);
  ASSERT_FALSE(c);
  EXPECT_NE(c.message().find("core"), std::string::npos) << c.message();
  sim::SimOptions badTrace;
  badTrace.tracePath = "/nonexistent-dir/trace.json";
  auto d = sim::Simulator::create(testArch(), badTrace);
  ASSERT_FALSE(d);
  EXPECT_NE(d.message().find("/nonexistent-dir/trace.json"), std::string::npos) << d.message();
}
