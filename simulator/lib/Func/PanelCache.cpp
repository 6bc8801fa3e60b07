//===- PanelCache.cpp - Reusing packed B operands across Gemms ------------===//

#include "PanelCache.h"

#include "Avx2Lanes.h"
#include "GrowBuffer.h"

#include <algorithm>
#include <cstring>

namespace strata::sim::func::detail {

namespace {

// Recent misses: buckets of a few tags, so that the handful of operands one
// buffer holds in turn cannot push each other out.
constexpr size_t kRecentMissBuckets = 1024, kRecentMissWays = 4;

uint64_t mix(uint64_t h, uint64_t v) {
  // splitmix64's finaliser over a running combination.
  h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  return h ^ (h >> 31);
}

/// A cheap sketch of the source: its size and its first and last bytes.
/// It only decides admission; reuse is decided by comparing every byte.
uint64_t fingerprint(const SourceBytes &src) {
  uint64_t h = src.size();
  const uint64_t n = std::min<uint64_t>(32, src.runBytes);
  auto take = [&](const uint8_t *p) {
    for (uint64_t i = 0; i < n; i += 8) {
      uint64_t w = 0;
      std::memcpy(&w, p + i, std::min<uint64_t>(8, n - i));
      h = mix(h, w);
    }
  };
  take(src.base);
  take(src.base + (src.runs - 1) * src.strideBytes + src.runBytes - n);
  return h;
}

// Validating a hit compares every byte of B, as many bytes as the product
// reads. Only equality matters, not the order memcmp reports,
// so the loop ORs the XOR of 32-byte words, 256 bytes per iteration, and
// tests once per block: about three instructions per 32 bytes against
// memcmp's per-vector compare and branch.
#if defined(__x86_64__) && defined(__GNUC__)
STRATA_AVX2 bool equalAvx2(const uint8_t *a, const uint8_t *b, uint64_t n) {
  constexpr uint64_t kBlock = 4096; // a mismatch stops the scan within a block
  constexpr uint64_t kStep = 256;
  uint64_t i = 0;
  while (n - i >= kStep) {
    const uint64_t end = i + std::min<uint64_t>(kBlock, (n - i) / kStep * kStep);
    __m256i diff = _mm256_setzero_si256();
    for (; i < end; i += kStep)
      for (uint64_t v = 0; v < kStep; v += 32) {
        const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(a + i + v));
        const __m256i y = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(b + i + v));
        diff = _mm256_or_si256(diff, _mm256_xor_si256(x, y));
      }
    if (!_mm256_testz_si256(diff, diff))
      return false;
  }
  return std::memcmp(a + i, b + i, n - i) == 0;
}

bool equalBytes(const uint8_t *a, const uint8_t *b, uint64_t n) {
  static const bool avx2 = __builtin_cpu_supports("avx2");
  return avx2 ? equalAvx2(a, b, n) : std::memcmp(a, b, n) == 0;
}
#else
bool equalBytes(const uint8_t *a, const uint8_t *b, uint64_t n) {
  return std::memcmp(a, b, n) == 0;
}
#endif

bool sameBytes(const SourceBytes &src, const uint8_t *copy) {
  if (src.contiguous())
    return equalBytes(src.base, copy, src.size());
  for (uint64_t r = 0; r < src.runs; ++r)
    if (!equalBytes(src.base + r * src.strideBytes, copy + r * src.runBytes, src.runBytes))
      return false;
  return true;
}

void copyBytes(const SourceBytes &src, uint8_t *copy) {
  if (src.contiguous()) {
    std::memcpy(copy, src.base, src.size());
    return;
  }
  for (uint64_t r = 0; r < src.runs; ++r)
    std::memcpy(copy + r * src.runBytes, src.base + r * src.strideBytes, src.runBytes);
}

} // namespace

struct PanelCache::Entry {
  PanelKey key;
  GrowBuffer<uint8_t> source, panels;
  uint64_t charged = 0; ///< what this entry counts against the budget
};

size_t PanelCache::KeyHash::operator()(const PanelKey &k) const {
  // Looked up on every cached Gemm: the fields are combined by odd
  // multipliers and finalised once (equality decides, the hash only spreads).
  uint64_t h = reinterpret_cast<uintptr_t>(k.base) * 0x9e3779b97f4a7c15ull;
  h ^= k.ld * 0xc2b2ae3d27d4eb4full;
  h ^= ((uint64_t(k.k) << 32) | k.n) * 0x165667b19e3779f9ull;
  h ^= ((uint64_t(k.groupLen) << 32) | k.kcMax) * 0xd6e8feb86659fd93ull;
  h ^= ((uint64_t(k.ncMax) << 32) | (uint64_t(k.nr) << 16) |
        (uint64_t(static_cast<uint8_t>(k.type)) << 8) | (k.trans ? 2 : 0) | (k.int16 ? 1 : 0)) *
       0xff51afd7ed558ccdull;
  return size_t(mix(0, h));
}

PanelCache::PanelCache(size_t budgetBytes)
    : budget_(budgetBytes), recentMisses_(kRecentMissBuckets * kRecentMissWays, 0) {}

PanelCache::~PanelCache() = default;

uint64_t PanelCache::charge(const Entry &e) const {
  return e.source.capacity() + e.panels.capacity() + kEntryOverhead;
}

bool PanelCache::admit(const PanelKey &key, const SourceBytes &src) {
  // Tags are never 0, which marks an empty slot.
  uint64_t hash = mix(KeyHash()(key), fingerprint(src));
  uint64_t tag = hash | 1;
  uint64_t *bucket = &recentMisses_[(hash >> 1) % kRecentMissBuckets * kRecentMissWays];
  for (size_t w = 0; w < kRecentMissWays; ++w)
    if (bucket[w] == tag) {
      bucket[w] = 0;
      return true;
    }
  // Oldest out: the bucket is kept newest first.
  std::copy_backward(bucket, bucket + kRecentMissWays - 1, bucket + kRecentMissWays);
  bucket[0] = tag;
  return false;
}

PanelSlot PanelCache::acquire(const PanelKey &key, const SourceBytes &src, size_t panelBytes) {
  if (src.size() + panelBytes + kEntryOverhead > budget_ / 8) {
    ++stats_.misses;
    return {};
  }
  auto it = byKey_.find(key);
  if (it != byKey_.end()) {
    Ways &ways = it->second;
    for (size_t w = 0; w < ways.size(); ++w) {
      Lru::iterator e = ways[w];
      if (!sameBytes(src, e->source.get(0)))
        continue;
      ++stats_.hits;
      lru_.splice(lru_.begin(), lru_, e);
      // The key's ways stay in recency order: the back is the newest.
      std::rotate(ways.begin() + w, ways.begin() + w + 1, ways.end());
      return {e->panels.get(0), true};
    }
  }
  ++stats_.misses;
  if (!admit(key, src))
    return {};
  if (it == byKey_.end())
    it = byKey_.emplace(key, Ways{}).first;
  Ways &ways = it->second;
  Lru::iterator e;
  if (ways.size() >= kMaxWays) {
    // A full key recycles its least recently used entry and its storage.
    e = ways.front();
    ways.erase(ways.begin());
    ++stats_.evictions;
    lru_.splice(lru_.begin(), lru_, e);
    stats_.bytes -= e->charged;
  } else {
    lru_.emplace_front();
    e = lru_.begin();
    e->key = key;
    ++stats_.entries;
  }
  ways.push_back(e);
  copyBytes(src, e->source.get(src.size()));
  uint8_t *panels = e->panels.get(panelBytes);
  e->charged = charge(*e);
  stats_.bytes += e->charged;
  ++stats_.fills;
  evictDownTo(budget_, &*e);
  return {panels, false};
}

void PanelCache::evict(Lru::iterator e) {
  auto it = byKey_.find(e->key);
  Ways &ways = it->second;
  ways.erase(std::find(ways.begin(), ways.end(), e));
  if (ways.empty())
    byKey_.erase(it);
  stats_.bytes -= e->charged;
  --stats_.entries;
  ++stats_.evictions;
  lru_.erase(e);
}

void PanelCache::evictDownTo(size_t bytes, const Entry *keep) {
  while (stats_.bytes > bytes && !lru_.empty() && &lru_.back() != keep)
    evict(std::prev(lru_.end()));
}

void PanelCache::setBudget(size_t bytes) {
  budget_ = bytes;
  evictDownTo(bytes, nullptr);
}

void PanelCache::clear() {
  lru_.clear();
  byKey_.clear();
  std::fill(recentMisses_.begin(), recentMisses_.end(), 0);
  stats_ = PanelCacheStats{};
}

PanelCache &threadPanelCache() {
  static thread_local PanelCache cache;
  return cache;
}

} // namespace strata::sim::func::detail

namespace strata::sim::func {

GemmPanelCacheStats gemmPanelCacheStats() { return detail::threadPanelCache().stats(); }
void setGemmPanelCacheBudget(size_t bytes) { detail::threadPanelCache().setBudget(bytes); }
size_t gemmPanelCacheBudget() { return detail::threadPanelCache().budget(); }
void clearGemmPanelCache() { detail::threadPanelCache().clear(); }

} // namespace strata::sim::func
