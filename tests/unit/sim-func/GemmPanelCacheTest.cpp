//===- GemmPanelCacheTest.cpp - Reused B panels give the reference's bits -===//
//
// A B operand is cached on its second sighting and reused from the third, so
// each case runs the same instruction on the same SRAM image three times and
// checks every run against the reference: the first two pack B as before,
// the third reads the cached panels. Float products of at most one row tile
// on the AVX2 path read B in place (GemmDirect.h) and never use the cache;
// the other cases use 8 rows, more than either kernel set's tile.
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

const auto &kPairs = kGemmTypePairs;

class GemmPanelCache : public ::testing::Test {
protected:
  void SetUp() override {
    savedBudget_ = gemmPanelCacheBudget();
    clearGemmPanelCache();
  }
  void TearDown() override {
    setGemmPanelCacheBudget(savedBudget_);
    clearGemmPanelCache();
  }

  /// Runs `h` and checks it; returns whether the run reused cached panels.
  static bool runCounted(GemmHarness &h) {
    uint64_t hits = gemmPanelCacheStats().hits;
    h.runAndCheck();
    return gemmPanelCacheStats().hits > hits;
  }

  /// Overwrites B(k, n) with a value different from the current one.
  static void changeB(GemmHarness &h, DType t, uint32_t k, uint32_t n, std::mt19937 &rng) {
    double old = readElem(h.mem, h.op.b, t, h.bIndex(k, n)), v = old;
    while (v == old)
      v = randomValue(rng, t);
    writeElem(h.mem, h.op.b, t, h.bIndex(k, n), v);
  }

private:
  size_t savedBudget_ = 0;
};

/// True when the product reads B in place rather than from packed panels.
bool readsBInPlace(DType a, uint32_t m) {
  return hostIsa() == HostIsa::Avx2 && isFloat(a) && m <= 6;
}

/// Every operand pair, both B layouts, every row count up to one past the
/// widest micro-tile, odd N and K, group scales with bias and accumulate.
TEST_F(GemmPanelCache, ReusedPanelsMatchReference) {
  for (auto [a, b] : kPairs)
    forEachHostIsa([&, a = a, b = b] {
      uint32_t seed = 7;
      for (bool transB : {false, true})
        for (uint32_t m = 1; m <= 7; ++m)
          for (bool grouped : {false, true}) {
            GemmCase c = shapedCase(a, b, m, grouped ? 37 : 19, grouped ? 45 : 23,
                                    grouped ? 9 : 0);
            c.transB = transB;
            c.aScale = grouped ? ScaleMode::PerRow : ScaleMode::None;
            c.bScale = grouped ? ScaleMode::PerGroup : ScaleMode::None;
            c.hasBias = grouped;
            c.accumulate = m % 2 == 1;
            c.act = grouped ? Activation::Silu : Activation::None;
            c.out = isFloat(a) ? DType::BF16 : grouped ? DType::F32 : DType::I32;
            c.ldbPad = 2;
            c.inputRange = 1.0;
            GemmHarness h(c, seed++);
            SCOPED_TRACE(c.describe());
            const uint64_t lookups = gemmPanelCacheStats().hits + gemmPanelCacheStats().misses;
            EXPECT_FALSE(runCounted(h));
            EXPECT_FALSE(runCounted(h));
            if (readsBInPlace(a, m)) {
              runCounted(h);
              EXPECT_EQ(gemmPanelCacheStats().hits + gemmPanelCacheStats().misses, lookups);
            } else {
              EXPECT_TRUE(runCounted(h)) << "the third run should reuse the packed B";
            }
            if (HasFailure())
              return;
          }
    });
}

/// A change to any one element of B at the same address (first, last, one
/// in the middle) is seen and repacked; a change between B's rows is not B.
TEST_F(GemmPanelCache, ChangedSourceBytesAreRepacked) {
  std::mt19937 rng(3);
  for (auto [a, b] : kPairs)
    for (bool transB : {false, true}) {
      GemmCase c = shapedCase(a, b, 8, 21, 33);
      c.transB = transB;
      c.ldbPad = 6;
      c.inputRange = 1.0;
      GemmHarness h(c, 11);
      SCOPED_TRACE(c.describe());
      runCounted(h);
      runCounted(h);
      ASSERT_TRUE(runCounted(h));
      const std::pair<uint32_t, uint32_t> where[] = {{0, 0}, {c.k - 1, c.n - 1}, {c.k / 2, 7}};
      for (auto [k, n] : where) {
        changeB(h, b, k, n, rng);
        EXPECT_FALSE(runCounted(h)) << "B(" << k << ", " << n << ") changed";
        // The new contents are cached in turn.
        EXPECT_FALSE(runCounted(h));
        EXPECT_TRUE(runCounted(h));
      }
      // The padding after B's first row as stored is not part of B.
      uint64_t rowElems = transB ? c.k : c.n;
      uint64_t gapByte = h.op.b + ((rowElems + 2) * dtypeBits(b) + 7) / 8;
      h.mem[gapByte] ^= 0xFF;
      EXPECT_TRUE(runCounted(h)) << "a byte outside B changed";
      if (HasFailure())
        return;
    }
}

/// One SRAM buffer holding each layer's weights in turn: once every layer
/// has been seen twice, every Gemm reuses its layer's panels.
TEST_F(GemmPanelCache, LayersSharingABufferAreAllReused) {
  GemmCase c = shapedCase(DType::F16, DType::F16, 8, 40, 24);
  c.transB = true;
  GemmHarness h(c, 5);
  const uint64_t bBytes = uint64_t(c.n) * h.instr.ldb * 2;
  std::mt19937 rng(9);
  std::vector<std::vector<uint8_t>> layers(5);
  for (auto &layer : layers) {
    for (uint32_t n = 0; n < c.n; ++n)
      for (uint32_t k = 0; k < c.k; ++k)
        writeElem(h.mem, h.op.b, c.b, h.bIndex(k, n), randomValue(rng, c.b));
    layer.assign(h.mem.begin() + h.op.b, h.mem.begin() + h.op.b + bBytes);
  }
  int hits = 0;
  for (int step = 0; step < 4; ++step)
    for (const auto &layer : layers) {
      std::copy(layer.begin(), layer.end(), h.mem.begin() + h.op.b);
      bool hit = runCounted(h);
      hits += hit;
      EXPECT_EQ(hit, step >= 2) << "step " << step;
    }
  EXPECT_EQ(hits, 10);
  EXPECT_EQ(gemmPanelCacheStats().entries, 5u);
}

/// Entries beyond the budget are evicted least recently used first; an
/// evicted operand is packed again, with the same bits.
TEST_F(GemmPanelCache, BudgetEvictsLeastRecentlyUsed) {
  GemmCase c = shapedCase(DType::F32, DType::F32, 8, 32, 16);
  c.transB = true;
  std::vector<GemmHarness> hs;
  hs.reserve(12);
  for (uint32_t i = 0; i < 12; ++i)
    hs.emplace_back(c, 100 + i);
  runCounted(hs[0]);
  runCounted(hs[0]);
  const uint64_t entryBytes = gemmPanelCacheStats().bytes;
  ASSERT_GT(entryBytes, 0u);
  // The smallest budget that admits the operand holds eight entries.
  const size_t budget = 8 * entryBytes;
  setGemmPanelCacheBudget(budget);
  for (auto &h : hs) {
    runCounted(h);
    runCounted(h);
    EXPECT_LE(gemmPanelCacheStats().bytes, budget);
  }
  GemmPanelCacheStats s = gemmPanelCacheStats();
  EXPECT_EQ(s.entries, 8u);
  EXPECT_EQ(s.evictions, 4u);
  EXPECT_TRUE(runCounted(hs[11])) << "the most recent entry is kept";
  EXPECT_TRUE(runCounted(hs[4])) << "the oldest entry kept";
  EXPECT_FALSE(runCounted(hs[3])) << "evicted";
  // Lowering the budget evicts at once.
  setGemmPanelCacheBudget(budget / 2);
  EXPECT_LE(gemmPanelCacheStats().bytes, budget / 2);
  EXPECT_EQ(gemmPanelCacheStats().entries, 4u);
}

/// An operand larger than an eighth of the budget, an operand seen once, or
/// a zero budget: nothing is stored, and the results are the same.
TEST_F(GemmPanelCache, OperandsNotWorthCachingAreNotStored) {
  GemmCase c = shapedCase(DType::BF16, DType::BF16, 8, 64, 64);
  GemmHarness once(c, 1);
  runCounted(once);
  EXPECT_EQ(gemmPanelCacheStats().fills, 0u);
  EXPECT_EQ(gemmPanelCacheStats().misses, 1u);

  for (size_t budget : {size_t(0), size_t(16) << 10}) {
    clearGemmPanelCache();
    setGemmPanelCacheBudget(budget);
    GemmHarness h(c, 2);
    for (int i = 0; i < 3; ++i)
      EXPECT_FALSE(runCounted(h));
    EXPECT_EQ(gemmPanelCacheStats().entries, 0u);
    EXPECT_EQ(gemmPanelCacheStats().bytes, 0u);
  }
}

} // namespace
} // namespace strata::sim::func
