//===- GemmDecodeTest.cpp - Decode products from cached panels ------------===//
//
// A single-row float product reads B in place until the panel cache holds
// it (second sighting), then from cached FP32 panels of 32- or 64-column
// strips (GemmDecode.h).
// Every case runs three times on the same SRAM image, so the first runs take
// the in-place path and the third the cached one, and each run must give the
// reference's bits. Also: the plain case that folds straight into C, with C
// over A or B, and B changing under the same address.
//
//===----------------------------------------------------------------------===//

#include "GemmTestSupport.h"

#include "strata/sim/func/GemmPanelCache.h"
#include "strata/sim/func/HostIsa.h"

#include <memory>

namespace strata::sim::func {
namespace {

using namespace test;
using isa::Activation;
using isa::ScaleMode;

const std::pair<DType, DType> kFloatPairs[] = {
    {DType::F16, DType::F16}, {DType::BF16, DType::BF16}, {DType::F32, DType::F32}};

class GemmDecode : public ::testing::Test {
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
TEST_F(GemmDecode, CachedPanelsMatchReference) {
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
              // Single rows on the AVX2 path take the decode panels; 2..6
              // rows read B in place; the rest pack B and cache it too.
              const bool inPlace = hostIsa() == HostIsa::Avx2 && m >= 2 && m <= 6;
              EXPECT_EQ(reused, !inPlace);
              if (HasFailure())
                return;
            }
  });
}

/// The cached copy is checked byte for byte: a changed element of B at the
/// same address (first, last, middle) is seen, and the product follows it.
TEST_F(GemmDecode, ChangedWeightsAtTheSameAddressAreSeen) {
  std::mt19937 rng(5);
  for (auto [a, b] : kFloatPairs)
    for (bool transB : {false, true}) {
      GemmCase c = shapedCase(a, b, 1, 70, 37);
      c.transB = transB;
      c.out = DType::F32;
      c.inputRange = 1.0;
      GemmHarness h(c, 21);
      SCOPED_TRACE(c.describe());
      runThrice(h);
      const std::pair<uint32_t, uint32_t> where[] = {{0, 0}, {c.k - 1, c.n - 1}, {c.k / 2, 33}};
      for (auto [k, n] : where) {
        double old = readElem(h.mem, h.op.b, b, h.bIndex(k, n)), v = old;
        while (v == old)
          v = randomValue(rng, b);
        writeElem(h.mem, h.op.b, b, h.bIndex(k, n), v);
        const uint64_t hits = gemmPanelCacheStats().hits;
        h.runAndCheck();
        EXPECT_EQ(gemmPanelCacheStats().hits, hits) << "B(" << k << ", " << n << ") changed";
        // The new weights are cached in turn and reused.
        h.runAndCheck();
        h.runAndCheck();
        if (hostIsa() == HostIsa::Avx2) {
          EXPECT_GT(gemmPanelCacheStats().hits, hits);
        }
      }
      if (HasFailure())
        return;
    }
}

/// The plain case writes each column block of C as it completes: with C
/// over A or B and several column blocks, every input is still read first.
TEST_F(GemmDecode, PlainOutputOverInputsReadsThemFirst) {
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
TEST_F(GemmDecode, NegativeZeroProductsSumToPositiveZero) {
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

/// Decode weights past the cache's budget stay on the direct path rather
/// than evicting each other (which would pack every one on every step):
/// twelve weights, room for about eight, round after round.
TEST_F(GemmDecode, WeightsPastTheBudgetStayDirect) {
  if (hostIsa() != HostIsa::Avx2)
    GTEST_SKIP() << "decode panels are an AVX2 path";
  GemmCase c = shapedCase(DType::F32, DType::F32, 1, 64, 64);
  c.transB = true;
  c.out = DType::F32;
  std::vector<std::unique_ptr<GemmHarness>> weights;
  for (uint32_t w = 0; w < 12; ++w)
    weights.push_back(std::make_unique<GemmHarness>(c, 50 + w));
  // Each entry: a 16 KiB copy, 16 KiB of panels and the fixed overhead.
  const size_t entry = 2 * 64 * 64 * 4 + 256;
  const size_t saved = gemmPanelCacheBudget();
  setGemmPanelCacheBudget(8 * entry + entry / 2);
  for (int round = 0; round < 5; ++round)
    for (auto &h : weights) {
      h->runAndCheck();
      if (HasFailure())
        break;
    }
  const GemmPanelCacheStats stats = gemmPanelCacheStats();
  setGemmPanelCacheBudget(saved);
  EXPECT_EQ(stats.evictions, 0u);
  EXPECT_LE(stats.entries, 8u);
  EXPECT_GT(stats.entries, 0u);
  EXPECT_GE(stats.hits, stats.entries * 3) << "the weights that fit are reused every round";
}

} // namespace
} // namespace strata::sim::func
