//===- RandomProgramTest.cpp - Random programs end or fault, never crash ---===//
//
// Seeded random programs mixing every instruction class with random (often
// invalid) sizes, addresses, semaphores and configurations. Each run must
// finish or stop with a fault diagnostic; none may crash, throw or hang.
//
//===----------------------------------------------------------------------===//
#include "SimTestUtil.h"

#include "strata/target/Validator.h"

#include <fmt/format.h>

#include <array>
#include <random>

using namespace strata;
using namespace strata::test;

namespace {

class ProgramMaker {
public:
  explicit ProgramMaker(uint32_t seed) : rng_(seed) {}

  std::vector<isa::Instr> make(int length) {
    std::vector<isa::Instr> program;
    while (int(program.size()) < length) {
      auto instr = isa::parseInstr(line());
      if (instr && isa::validateInstr(*instr))
        program.push_back(*instr);
    }
    program.push_back(isa::ControlInstr{isa::Opcode::Halt});
    return program;
  }

private:
  uint32_t pick(uint32_t n) { return std::uniform_int_distribution<uint32_t>(0, n - 1)(rng_); }
  uint64_t addr(uint64_t limit) { return (uint64_t(pick(uint32_t(limit >> 6))) << 6); }
  const char *queue() { return std::array{"load", "compute", "store"}[pick(3)]; }
  const char *type() { return std::array{"f32", "f16", "bf16"}[pick(3)]; }

  std::string line() {
    switch (pick(12)) {
    case 0:
      return fmt::format("li r{}, {:#x}", 1 + pick(6), addr(1 << 24));
    case 1:
      return fmt::format("addi r{}, r{}, {}", 1 + pick(6), 1 + pick(6), int(pick(512)) - 256);
    case 2:
    case 3:
      return fmt::format("dma.load src=hbm[r{}+{:#x}] dst=sram[{:#x}] size={}x{} "
                         "srcStride={} dstStride={}",
                         pick(4), addr(1 << 22), addr(9 << 20), 64 * (1 + pick(64)),
                         1 + pick(8), 4096 * (1 + pick(2)), 4096 * (1 + pick(2)));
    case 4:
      return fmt::format("dma.store src=sram[{:#x}] dst=hbm[r{}+{:#x}] size={}", addr(9 << 20),
                         pick(4), addr(1 << 22), 64 * (1 + pick(256)));
    case 5: {
      const uint32_t rows = 1 + pick(64), cols = 16 * (1 + pick(32));
      return fmt::format("{} rows={} cols={} in=f32 out={} x=[r{}+{:#x}] ld0={} dst=[{:#x}] "
                         "ldd={}",
                         std::array{"vexp", "vrelu", "vcopy", "vsilu"}[pick(4)], rows, cols,
                         type(), pick(3), addr(1 << 23), cols, addr(1 << 23), cols);
    }
    case 6: {
      const uint32_t rows = 1 + pick(32), cols = 16 * (1 + pick(16));
      return fmt::format("vsoftmax rows={} cols={} in=f32 out=f32 x=[{:#x}] ld0={} dst=[{:#x}] "
                         "ldd={} scale=0.5",
                         rows, cols, addr(1 << 23), cols, addr(1 << 23), cols);
    }
    case 7: {
      const uint32_t m = 1 + pick(128), n = 16 * (1 + pick(16)), k = 16 * (1 + pick(16));
      // Mostly the configured precision; sometimes a mismatch (a fault).
      const std::string t =
          pick(5) ? precision_ : std::string(std::array{"f16", "bf16", "i8", "f32"}[pick(4)]);
      std::string group = pick(2) ? fmt::format(" tcGroup={}", pick(20)) : "";
      return fmt::format("gemm m={} n={} k={} a={} b={} out=f32 A=[{:#x}] lda={} B=[{:#x}] "
                         "ldb={} C=[{:#x}] ldc={}{}",
                         m, n, k, t, t, addr(1 << 23), k, addr(1 << 23), n, addr(1 << 23), n,
                         group);
    }
    case 8:
      precision_ = std::array{"f16", "bf16", "i8", "f32"}[pick(4)];
      return fmt::format("tc.config gang={} precision={}",
                         std::array{"16x1", "4x4", "1x16"}[pick(3)], precision_);
    case 9: {
      const uint32_t sem = pick(4);
      ++signalled_[sem];
      return fmt::format("sem.signal {}, s{}", queue(), sem);
    }
    case 10: {
      // Mostly waits that an earlier signal can satisfy; sometimes not (deadlock).
      const uint32_t sem = pick(4);
      if (signalled_[sem] == 0 && pick(4))
        return "fence";
      if (signalled_[sem] > 0)
        --signalled_[sem];
      return fmt::format("sem.wait {}, s{}", queue(), sem);
    }
    default:
      return pick(2) ? "fence" : fmt::format("barrier {}, {}, 0x1", queue(), pick(3));
    }
  }

  std::mt19937 rng_;
  std::string precision_ = "f16";
  std::array<int, 4> signalled_{};
};

} // namespace

TEST(RandomPrograms, EndOrFaultButNeverCrashOrHang) {
  int finished = 0, faulted = 0;
  for (uint32_t seed = 1; seed <= 120; ++seed) {
    SCOPED_TRACE(seed);
    ProgramMaker maker(seed);
    bin::Binary b;
    b.entries.push_back({"main", {}, {maker.make(24)}, {}});
    sim::SimOptions o;
    o.timingOnly = seed % 3 == 0;
    o.cycleLimit = 20'000'000;
    auto sim = sim::Simulator::create(testArch(), o);
    ASSERT_TRUE(sim) << sim.message();
    ASSERT_TRUE((*sim)->load(b));
    auto r = (*sim)->run("main");
    if (r) {
      ++finished;
    } else {
      ++faulted;
      // Every fault names where it happened, or is a deadlock listing.
      EXPECT_TRUE(r.message().find("core 0") != std::string::npos) << r.message();
    }
  }
  // The mix exercises both outcomes.
  EXPECT_GE(finished, 10);
  EXPECT_GE(faulted, 10);
}

// A core that settles its events ahead of the kernel (SimOptions::runAhead,
// SimTime.h) must give exactly what the kernel's own scheduling gives: the
// same outcome, times, counts, energy and memory contents, over programs
// that mix every instruction class (one core: no other process shares its
// times, so nothing may differ at all).
TEST(RandomPrograms, RunningAheadOfTheKernelChangesNothing) {
  ArchConfig arch = testArch();
  arch.hbm.model = "analytic";
  int compared = 0;
  for (uint32_t seed = 1; seed <= 200; ++seed) {
    SCOPED_TRACE(seed);
    bin::Binary b;
    b.entries.push_back({"main", {}, {ProgramMaker(seed).make(14)}, {}});
    struct Outcome {
      std::string error;
      sim::RunResult result;
      std::vector<uint8_t> sram, hbm;
    };
    auto run = [&](bool ahead) {
      sim::SimOptions o;
      o.runAhead = ahead;
      o.cycleLimit = 20'000'000;
      auto sim = sim::Simulator::create(arch, o);
      EXPECT_TRUE(sim) << sim.message();
      Outcome out;
      EXPECT_TRUE((*sim)->load(b));
      // Two runs: the second starts where the first left the chip.
      for (int i = 0; i < 2 && out.error.empty(); ++i) {
        auto r = (*sim)->run("main");
        if (r)
          out.result = *r;
        else
          out.error = r.message();
      }
      out.sram.resize(arch.core.sram.sizeBytes);
      EXPECT_TRUE((*sim)->readSram(0, 0, out.sram.data(), out.sram.size()));
      out.hbm.resize(1 << 20);
      EXPECT_TRUE((*sim)->readHbm(0, out.hbm.data(), out.hbm.size()));
      return out;
    };
    const Outcome kernel = run(false), ahead = run(true);
    EXPECT_EQ(kernel.error, ahead.error);
    EXPECT_EQ(kernel.result.cycles, ahead.result.cycles);
    EXPECT_EQ(kernel.result.startNs, ahead.result.startNs);
    EXPECT_EQ(kernel.result.endNs, ahead.result.endNs);
    EXPECT_EQ(kernel.result.instructions, ahead.result.instructions);
    EXPECT_EQ(kernel.result.tileInstructions, ahead.result.tileInstructions);
    EXPECT_EQ(kernel.result.energyJ, ahead.result.energyJ);
    EXPECT_EQ(kernel.result.hbmReadBytes, ahead.result.hbmReadBytes);
    EXPECT_EQ(kernel.result.hbmWriteBytes, ahead.result.hbmWriteBytes);
    EXPECT_TRUE(kernel.sram == ahead.sram);
    EXPECT_TRUE(kernel.hbm == ahead.hbm);
    compared += kernel.error.empty();
  }
  EXPECT_GE(compared, 30) << "the mix should finish often enough to compare results";
}
