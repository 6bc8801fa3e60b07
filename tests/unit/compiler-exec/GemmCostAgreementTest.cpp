//===- GemmCostAgreementTest.cpp - Lowering and simulator GEMM timing agree ===//
//
// The lowering plans tiles and gangs with its own copy of the tensor-core
// cycle model (CostModel.h: the compiler does not include simulator headers).
// This checks the copy against the simulator's GemmCost on the default arch,
// with and without an epilogue, on decode- and prefill-shaped GEMMs, so the
// planner never optimises for a machine the simulator does not model.
//
//===----------------------------------------------------------------------===//
#include "strata/Conversion/GraphToNpu/CostModel.h"
#include "strata/sim/core/TimingModel.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

struct Shape {
  uint32_t m, n, k;
};

uint64_t simulatorCycles(const ArchConfig &arch, isa::Gang gang, const Shape &s, bool epilogue) {
  sim::core::TcGeometry geo = sim::core::tcGeometry(arch.core.tensorCores, gang);
  isa::GemmInstr g;
  g.a = DType::F16;
  g.b = DType::F16;
  g.out = DType::F32;
  g.accumulate = epilogue;
  return sim::core::gemmCost(arch.core, geo, DType::F16, geo.groups, g, s.m, s.n, s.k).cycles;
}

TEST(GemmCostAgreement, LoweringEstimateEqualsSimulatorLatency) {
  ArchConfig arch;
  const Shape shapes[] = {{1, 4096, 4096},  {1, 256, 4096},   {64, 256, 256},
                          {512, 256, 1024}, {512, 512, 512},  {512, 256, 512},
                          {128, 1376, 4096}, {30, 512, 128},  {64, 1024, 64}};
  for (const Shape &s : shapes)
    for (isa::Gang gang : {isa::Gang::Independent, isa::Gang::Quad, isa::Gang::Single})
      for (bool epilogue : {false, true}) {
        lowering::GemmShape shape{s.m, s.n, s.k, DType::F16, DType::F16, DType::F32, epilogue,
                                  epilogue};
        EXPECT_EQ(lowering::gemmCycles(arch, gang, shape), simulatorCycles(arch, gang, s, epilogue))
            << s.m << "x" << s.n << "x" << s.k << " gang " << int(gang) << " epilogue "
            << epilogue;
      }
}

} // namespace
} // namespace strata
