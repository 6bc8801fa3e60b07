//===- GemmSkinnyTest.cpp - Skinny float products and the plain fold ----===//
//
// Float products of up to one row tile read B (and FP32 rows of A) in place
// on the AVX2 path (GemmDirect.h); with more rows B is packed and cached.
// Every case runs three times on the same SRAM image, so cached paths are
// exercised too, and each run must give the reference's bits. Also: the
// plain case that copies each column block's sums straight into C, with C
// over A or B, and sums of -0 products.
//
//===----------------------------------------------------------------------===//

#include "GemmTestSupport.h"

#include "strata/sim/func/GemmPanelCache.h"
#include "strata/sim/func/HostIsa.h"

namespace strata::sim::func {
namespace {

using namespace test;
using isa::Activation;
using isa::ScaleMode;

const std::pair<DType, DType> kFloatPairs[] = {
    {DType::F16, DType::F16}, {DType::BF16, DType::BF16}, {DType::F32, DType::F32}};

class GemmSkinny : public ::testing::Test {
protected:
  void SetUp() override { clearGemmPanelCache(); }
  void TearDown() override { clearGemmPanelCache(); }

  /// Runs `h` three times, checking each run; returns whether the third
  /// reused cached panels.
  static bool runThrice(GemmHarness &h) {
    h.runAndCheck();
    h.runAndCheck();
    uint64_t hits = gemmPanelCacheStats().hits;
    h.runAndCheck();
    return gemmPanelCacheStats().hits > hits;
  }
};

/// Float types, both B layouts, M = 1..7, odd N and K (one column block and
/// several; one k chunk and several), with each epilogue variant.
TEST_F(GemmSkinny, EveryPathMatchesReference) {
  struct Shape {
    uint32_t n, k;
  };
  const Shape shapes[] = {{1, 1}, {19, 23}, {33, 7}, {301, 45}, {40, 2100}};
  enum Variant { Plain, Accumulate, BiasSilu, SwiGluBf16, GroupScales, kVariants };
  forEachHostIsa([&] {
    uint32_t seed = 100;
    for (auto [a, b] : kFloatPairs)
      for (bool transB : {false, true})
        for (uint32_t m = 1; m <= 7; ++m)
          for (const Shape &s : shapes)
            for (int v = 0; v < kVariants; ++v) {
              if (m > 2 && v != Plain && s.k > 100)
                continue; // the wide rows are covered by the single-row cases
              GemmCase c = shapedCase(a, b, m, s.n, s.k, s.k % 9 == 0 ? 9 : s.k);
              c.transB = transB;
              c.out = DType::F32;
              c.ldbPad = 3;
              c.inputRange = 1.0;
              switch (v) {
              case Plain: break;
              case Accumulate: c.accumulate = true; break;
              case BiasSilu:
                c.hasBias = true;
                c.act = Activation::Silu;
                break;
              case SwiGluBf16:
                if (c.n % 2)
                  ++c.n;
                c.act = Activation::SwiGlu;
                c.out = DType::BF16;
                break;
              case GroupScales:
                c.aScale = ScaleMode::PerRow;
                c.bScale = ScaleMode::PerGroup;
                break;
              }
              GemmHarness h(c, seed++);
              SCOPED_TRACE(c.describe());
              clearGemmPanelCache();
              const bool reused = runThrice(h);
              // Up to 6 rows on the AVX2 path read B in place; the rest pack
              // B and cache it.
              const bool inPlace = hostIsa() == HostIsa::Avx2 && m <= 6;
              EXPECT_EQ(reused, !inPlace);
              if (HasFailure())
                return;
            }
  });
}

/// The plain case writes each column block of C as it completes: with C
/// over A or B and several column blocks, every input is still read first.
TEST_F(GemmSkinny, PlainOutputOverInputsReadsThemFirst) {
  forEachHostIsa([] {
    for (uint32_t m : {1u, 2u})
      for (bool transB : {false, true})
        for (bool overA : {true, false}) {
          GemmCase c = shapedCase(DType::F32, DType::F32, m, overA ? 300 : 9, overA ? 310 : 300);
          c.transB = transB;
          c.out = DType::F32;
          GemmHarness h(c, 3);
          h.op.c = overA ? h.op.a : h.op.b;
          h.instr.ldc = overA ? h.instr.lda : h.instr.ldb;
          SCOPED_TRACE(c.describe() + (overA ? " C over A" : " C over B"));
          for (int run = 0; run < 3; ++run) {
            std::vector<uint8_t> start = h.mem;
            h.before = start;
            std::vector<uint32_t> want;
            for (uint32_t i = 0; i < m; ++i)
              for (uint32_t j = 0; j < c.n; ++j)
                want.push_back(h.expected(i, j));
            execute(h.op, h.mem.data());
            for (uint32_t i = 0; i < m; ++i)
              for (uint32_t j = 0; j < c.n; ++j)
                ASSERT_EQ(elemBits(h.mem, h.op.c, DType::F32, uint64_t(i) * h.instr.ldc + j),
                          want[i * c.n + j])
                    << "run " << run << " at (" << i << ", " << j << ")";
            h.mem = start; // the same inputs again, so later runs may hit the cache
          }
        }
  });
}

/// The plain case copies the kernels' sums to C without adding them to +0:
/// sums of -0 products must still come out +0, on every path.
TEST_F(GemmSkinny, NegativeZeroProductsSumToPositiveZero) {
  forEachHostIsa([] {
    for (auto [a, b] : kFloatPairs)
      for (uint32_t m : {1u, 2u, 8u})
        for (bool transB : {false, true}) {
          GemmCase c = shapedCase(a, b, m, 37, 19);
          c.transB = transB;
          c.out = DType::F32;
          GemmHarness h(c, 8);
          for (uint32_t i = 0; i < m; ++i)
            for (uint32_t k = 0; k < c.k; ++k)
              writeElem(h.mem, h.op.a, a, uint64_t(i) * h.instr.lda + k, -0.0);
          for (uint32_t n = 0; n < c.n; ++n)
            for (uint32_t k = 0; k < c.k; ++k)
              writeElem(h.mem, h.op.b, b, h.bIndex(k, n), 0.5 + n);
          SCOPED_TRACE(c.describe());
          for (int run = 0; run < 3; ++run) {
            h.runAndCheck();
            for (uint32_t i = 0; i < m; ++i)
              ASSERT_EQ(elemBits(h.mem, h.op.c, DType::F32, uint64_t(i) * h.instr.ldc + 5), 0u);
          }
        }
  });
}

} // namespace
} // namespace strata::sim::func
