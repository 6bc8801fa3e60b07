//===- PanelCache.h - Reusing packed B operands across Gemms ----*- C++ -*-===//
//
// A program multiplies by the same weights again and again (every decode
// step, every prefill chunk), loaded again into the same SRAM buffers, so
// re-packing B (transposing a [N][K] weight into kernel strips) repeats the
// same work each time. The cache keeps, per thread, the packed panels of
// whole B operands together with a copy of the source bytes they were packed
// from.
//
// Correctness never rests on the key: the key (where B is, its type, layout
// and the blocking) only selects candidates, and an entry is reused only if
// its kept copy equals the current source bytes exactly (memcmp). Several
// entries may share a key (an SRAM buffer that holds each layer's weights in
// turn); a key keeps at most kMaxWays of them, least recently used first out.
//
// Memory is bounded: entries are evicted least recently used first once the
// cache holds more than its budget (source copies + panels + a fixed
// overhead per entry), and an operand larger than an eighth of the budget is
// never cached. An operand is admitted when it misses a second time with the
// same key and the same first and last bytes (a small table of recent
// misses), so operands that are not seen again, such as a KV cache read at a
// length that never recurs, cost no copy.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/sim/func/GemmPanelCache.h"
#include "strata/target/DType.h"

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <unordered_map>
#include <vector>

namespace strata::sim::func::detail {

/// The bytes a B operand occupies: `runs` runs of `runBytes` bytes, the
/// starts `strideBytes` apart (one run per row of B as stored).
struct SourceBytes {
  const uint8_t *base = nullptr;
  uint64_t runs = 0, runBytes = 0, strideBytes = 0;
  bool contiguous() const { return runs <= 1 || strideBytes == runBytes; }
  uint64_t size() const { return runs * runBytes; }
};

/// Everything besides the source bytes that decides the packed panels.
struct PanelKey {
  const uint8_t *base = nullptr;
  uint64_t ld = 0;
  uint32_t k = 0, n = 0;                    ///< B is k x n (stored n x k if trans)
  uint32_t groupLen = 0, kcMax = 0, ncMax = 0; ///< the blocking of the walk
  DType type = DType::F32;
  bool trans = false;
  bool int16 = false; ///< int16 pair panels rather than FP32
  uint16_t nr = 0;    ///< strip width of the kernel set
  bool operator==(const PanelKey &o) const {
    return base == o.base && ld == o.ld && k == o.k && n == o.n && groupLen == o.groupLen &&
           kcMax == o.kcMax && ncMax == o.ncMax && type == o.type && trans == o.trans &&
           int16 == o.int16 && nr == o.nr;
  }
};

using PanelCacheStats = GemmPanelCacheStats;

/// Where the caller finds (filled) or packs (!filled) the panels of one B
/// operand; `panels` is null when the operand is not cached.
struct PanelSlot {
  uint8_t *panels = nullptr;
  bool filled = false;
};

class PanelCache {
public:
  static constexpr size_t kDefaultBudget = size_t(64) << 20;
  static constexpr size_t kMaxWays = 32;
  static constexpr size_t kEntryOverhead = 256; ///< bytes charged per entry

  explicit PanelCache(size_t budgetBytes = kDefaultBudget);
  ~PanelCache();
  PanelCache(const PanelCache &) = delete;
  PanelCache &operator=(const PanelCache &) = delete;

  /// The entry for (key, exactly these bytes), or a new one of `panelBytes`
  /// for the caller to pack into before its next use of the cache. The
  /// panels stay valid until the next acquire() on this cache.
  PanelSlot acquire(const PanelKey &key, const SourceBytes &src, size_t panelBytes);

  /// Changes the budget, evicting down to it.
  void setBudget(size_t bytes);
  size_t budget() const { return budget_; }
  void clear();
  const PanelCacheStats &stats() const { return stats_; }

private:
  struct Entry;
  struct KeyHash {
    size_t operator()(const PanelKey &k) const;
  };
  using Lru = std::list<Entry>;
  using Ways = std::vector<Lru::iterator>;

  uint64_t charge(const Entry &e) const;
  void evict(Lru::iterator e);
  void evictDownTo(size_t bytes, const Entry *keep);
  bool admit(const PanelKey &key, const SourceBytes &src);

  size_t budget_;
  Lru lru_; ///< front: most recently used
  std::unordered_map<PanelKey, Ways, KeyHash> byKey_;
  /// Tags of (key, first and last bytes) that missed once, in small buckets.
  std::vector<uint64_t> recentMisses_;
  PanelCacheStats stats_;
};

/// This thread's cache (the simulator's functional units run on one thread;
/// a cache per thread needs no locking).
PanelCache &threadPanelCache();

} // namespace strata::sim::func::detail
