//===- GemmTest.cpp - Gemm against the reference, every combination -------===//

#include "GemmTestSupport.h"

#include <tuple>

namespace strata::sim::func {
namespace {

using namespace test;
using isa::Activation;
using isa::ScaleMode;

const auto &kPairs = kGemmTypePairs;

const Activation kActs[] = {Activation::None,     Activation::Relu,    Activation::Silu,
                            Activation::GeluTanh, Activation::GeluErf, Activation::SwiGlu};
const ScaleMode kModes[] = {ScaleMode::None, ScaleMode::PerRow, ScaleMode::PerGroup};

class GemmPairs : public ::testing::TestWithParam<std::pair<DType, DType>> {};

/// Every transB x scale mode x scale type x activation x bias x accumulate x
/// output type for the pair, on a small odd-shaped problem, on every host path.
TEST_P(GemmPairs, EveryEpilogueAndScaleCombinationMatchesReference) {
  auto [a, b] = GetParam();
  forEachHostIsa([&, a = a, b = b] {
    uint32_t seed = 1;
    for (bool transB : {false, true})
      for (ScaleMode sa : kModes)
        for (ScaleMode sb : kModes)
          for (DType st : {DType::F32, DType::F16}) {
            if (sa == ScaleMode::None && sb == ScaleMode::None && st == DType::F16)
              continue;
            for (Activation act : kActs)
              for (bool bias : {false, true})
                for (bool acc : {false, true})
                  for (DType out : {DType::F32, DType::F16, DType::BF16, DType::I32}) {
                    bool intOut = out == DType::I32;
                    if (intOut && (isFloat(a) || sa != ScaleMode::None ||
                                   sb != ScaleMode::None || bias ||
                                   (act != Activation::None && act != Activation::Relu)))
                      continue;
                    GemmCase c;
                    c.a = a;
                    c.b = b;
                    c.out = out;
                    c.scaleType = st;
                    c.aScale = sa;
                    c.bScale = sb;
                    c.act = act;
                    c.hasBias = bias;
                    c.accumulate = acc;
                    c.transB = transB;
                    c.m = 3;
                    c.n = 6;
                    c.k = 12;
                    c.groupSize = 4;
                    c.ldaPad = 2;
                    c.ldbPad = 4;
                    c.ldcPad = 1;
                    GemmHarness h(c, seed++);
                    h.runAndCheck();
                    if (HasFailure())
                      return;
                  }
          }
  });
}

/// Shapes that cross every blocking boundary of both kernel sets: partial
/// micro-tiles, several k chunks per group, several column blocks, and
/// leading dimensions larger than the rows.
TEST_P(GemmPairs, BlockingBoundariesMatchReference) {
  auto [a, b] = GetParam();
  forEachHostIsa([&, a = a, b = b] {
    struct Shape {
      uint32_t m, n, k, g;
    };
    const Shape shapes[] = {{1, 1, 1, 1},    {1, 37, 600, 40}, {13, 35, 9, 3},
                            {7, 530, 70, 70}, {20, 18, 1030, 206}, {2, 16, 2, 2}};
    uint32_t seed = 100;
    for (const Shape &s : shapes)
      for (bool transB : {false, true})
        for (ScaleMode sb : {ScaleMode::None, ScaleMode::PerGroup, ScaleMode::PerRow}) {
          GemmCase c = shapedCase(a, b, s.m, s.n, s.k, s.g);
          c.transB = transB;
          c.bScale = sb;
          c.aScale = sb == ScaleMode::PerGroup ? ScaleMode::PerRow : ScaleMode::None;
          c.out = DType::F32;
          c.ldaPad = 6;
          c.ldbPad = 2;
          c.ldcPad = 4;
          c.hasBias = true;
          // Keep float sums from being dominated by rounding noise.
          c.inputRange = 1.0;
          GemmHarness h(c, seed++);
          h.runAndCheck();
          if (HasFailure())
            return;
        }
  });
}

INSTANTIATE_TEST_SUITE_P(AllPairs, GemmPairs, ::testing::ValuesIn(kPairs),
                         [](const auto &info) {
                           return std::string(dtypeName(info.param.first)) + "x" +
                                  std::string(dtypeName(info.param.second));
                         });

TEST(Gemm, Int8ExtremesAreExactInInt32) {
  // -128 * -128 summed over k: 16384 * 4096 = 2^26, exact in INT32 and FP32.
  forEachHostIsa([] {
    GemmCase c;
    c.a = c.b = DType::I8;
    c.out = DType::I32;
    c.m = 2;
    c.n = 17;
    c.k = 4096;
    GemmHarness h(c);
    for (uint32_t i = 0; i < c.m * c.k; ++i)
      writeElem(h.mem, h.op.a, DType::I8, i, -128);
    for (uint32_t i = 0; i < c.k * c.n; ++i)
      writeElem(h.mem, h.op.b, DType::I8, i, i % 3 == 0 ? 127 : -128);
    h.runAndCheck();
  });
}

TEST(Gemm, Int32AccumulateSaturates) {
  forEachHostIsa([] {
    GemmCase c;
    c.a = c.b = DType::I8;
    c.out = DType::I32;
    c.accumulate = true;
    c.m = 2;
    c.n = 2;
    c.k = 4;
    GemmHarness h(c);
    for (uint32_t i = 0; i < 8; ++i) {
      writeElem(h.mem, h.op.a, DType::I8, i, i < 4 ? 100 : -100);
      writeElem(h.mem, h.op.b, DType::I8, i, 100);
    }
    // Old C near both limits: +40000 pushes past INT32_MAX, -40000 past MIN.
    writeElem(h.mem, h.op.c, DType::I32, 0, INT32_MAX - 5);
    writeElem(h.mem, h.op.c, DType::I32, 1, 7);
    writeElem(h.mem, h.op.c, DType::I32, h.instr.ldc, INT32_MIN + 5);
    writeElem(h.mem, h.op.c, DType::I32, h.instr.ldc + 1, -7);
    h.runAndCheck();
    EXPECT_EQ(readElem(h.mem, h.op.c, DType::I32, 0), INT32_MAX);
    EXPECT_EQ(readElem(h.mem, h.op.c, DType::I32, 1), 40007);
    EXPECT_EQ(readElem(h.mem, h.op.c, DType::I32, h.instr.ldc), INT32_MIN);
  });
}

TEST(Gemm, FloatSpecialsPropagate) {
  forEachHostIsa([] {
    for (DType t : {DType::F16, DType::BF16, DType::F32}) {
      GemmCase c;
      c.a = c.b = t;
      c.out = DType::F16;
      c.m = 4;
      c.n = 5;
      c.k = 6;
      GemmHarness h(c);
      const double big = t == DType::F16 ? 60000.0 : 1e30;
      writeElem(h.mem, h.op.a, t, 0, INFINITY);                  // row 0: Inf products
      writeElem(h.mem, h.op.a, t, h.instr.lda, NAN);             // row 1: NaN
      writeElem(h.mem, h.op.a, t, 2 * h.instr.lda, big);         // row 2: overflow to Inf in f16
      writeElem(h.mem, h.op.a, t, 2 * h.instr.lda + 1, big);
      writeElem(h.mem, h.op.b, t, h.bIndex(0, 0), 0.0);          // Inf * 0 = NaN in column 0
      h.runAndCheck();
      EXPECT_TRUE(std::isnan(readElem(h.mem, h.op.c, DType::F16, 0)));
      EXPECT_TRUE(std::isinf(readElem(h.mem, h.op.c, DType::F16, 1)) ||
                  std::isnan(readElem(h.mem, h.op.c, DType::F16, 1)));
      EXPECT_TRUE(std::isnan(readElem(h.mem, h.op.c, DType::F16, h.instr.ldc + 2)));
    }
  });
}

TEST(Gemm, FloatSumsFollowIncreasingK) {
  // 1 + 2^-24 + ... : in increasing k each tiny term is lost against 1, so
  // the result is exactly 1; a tree or reversed order would keep them.
  forEachHostIsa([] {
    GemmCase c;
    c.a = c.b = DType::F32;
    c.m = 1;
    c.n = 20;
    c.k = 300;
    GemmHarness h(c);
    for (uint32_t k = 0; k < c.k; ++k) {
      writeElem(h.mem, h.op.a, DType::F32, k, k == 0 ? 1.0 : std::ldexp(1.0, -24));
      for (uint32_t n = 0; n < c.n; ++n)
        writeElem(h.mem, h.op.b, DType::F32, h.bIndex(k, n), 1.0);
    }
    h.runAndCheck();
    for (uint32_t n = 0; n < c.n; ++n)
      EXPECT_EQ(readElem(h.mem, h.op.c, DType::F32, n), 1.0);
  });
}

/// Single-row-tile products pack A once over all of K and take each k chunk
/// from it: K longer than one chunk, odd K, and odd group lengths (where an
/// integer chunk may start at an odd k and A is packed per chunk instead).
TEST(Gemm, SkinnyRowsOverSeveralChunksMatchReference) {
  forEachHostIsa([] {
    struct Shape {
      uint32_t m, n, k, g;
      ScaleMode scales;
    };
    const Shape shapes[] = {{1, 19, 4099, 0, ScaleMode::None},
                            {3, 5, 2051, 0, ScaleMode::None},
                            {2, 17, 4104, 2052, ScaleMode::PerGroup},
                            {5, 9, 45, 9, ScaleMode::PerGroup},
                            {6, 33, 2163, 721, ScaleMode::PerGroup}};
    uint32_t seed = 40;
    for (auto [a, b] : {std::pair{DType::I8, DType::I8}, std::pair{DType::I8, DType::I4},
                        std::pair{DType::F16, DType::F16}, std::pair{DType::F32, DType::F32}})
      for (const Shape &s : shapes)
        for (bool transB : {false, true}) {
          GemmCase c = shapedCase(a, b, s.m, s.n, s.k, s.g);
          c.bScale = s.scales;
          c.transB = transB;
          c.out = DType::F32;
          c.ldaPad = 2;
          c.inputRange = 1.0;
          GemmHarness h(c, seed++);
          h.runAndCheck();
          if (::testing::Test::HasFailure())
            return;
        }
  });
}

TEST(Gemm, OutputMayOverlapInputs) {
  // C written over A and over B: every input is read before C is written.
  forEachHostIsa([] {
    for (bool overA : {true, false}) {
      GemmCase c;
      c.a = c.b = DType::F32;
      c.out = DType::F32;
      c.m = 9;
      c.n = 9;
      c.k = 9;
      c.hasBias = true;
      c.accumulate = true;
      GemmHarness h(c);
      h.op.c = overA ? h.op.a : h.op.b;
      h.instr.ldc = overA ? h.instr.lda : h.instr.ldb;
      // Old C is then the input itself; build the expected values by hand.
      std::vector<uint8_t> before = h.mem;
      h.before = before;
      std::vector<uint32_t> want;
      for (uint32_t m = 0; m < c.m; ++m)
        for (uint32_t j = 0; j < c.n; ++j)
          want.push_back(h.expected(m, j));
      execute(h.op, h.mem.data());
      for (uint32_t m = 0; m < c.m; ++m)
        for (uint32_t j = 0; j < c.n; ++j)
          ASSERT_EQ(elemBits(h.mem, h.op.c, DType::F32, uint64_t(m) * h.instr.ldc + j),
                    want[m * c.n + j]);
    }
  });
}

TEST(Gemm, ZeroSizedDimensionsAreNoOps) {
  for (int which = 0; which < 3; ++which) {
    GemmCase c;
    c.m = which == 0 ? 0 : 3;
    c.n = which == 1 ? 0 : 6;
    c.k = which == 2 ? 0 : 8;
    c.aScale = ScaleMode::PerGroup; // k = 0 is a multiple of any group size
    GemmHarness h(c);
    ByteRanges ranges;
    ASSERT_TRUE(footprint(h.op, ranges).isOk());
    EXPECT_TRUE(ranges.empty());
    std::vector<uint8_t> before = h.mem;
    execute(h.op, h.mem.data());
    EXPECT_EQ(h.mem, before);
  }
}

TEST(Gemm, InvalidInstructionLeavesSramUntouched) {
  GemmCase c;
  c.aScale = ScaleMode::PerGroup;
  c.k = 8;
  c.groupSize = 3;
  GemmHarness h(c);
  std::vector<uint8_t> before = h.mem;
  execute(h.op, h.mem.data());
  EXPECT_EQ(h.mem, before);
}

} // namespace
} // namespace strata::sim::func
