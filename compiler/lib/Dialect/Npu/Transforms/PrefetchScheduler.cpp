//===- PrefetchScheduler.cpp - Hoisting loads under an SRAM budget --------===//
//
// Positions are mainline indices: position j is "just before mainline node
// j" (M = after the last one). A mainline node sits at its own index; a
// load sits at the position of the next mainline node. A buffer is live over
// [first, last] of its users' positions; the profile holds, per position,
// the bytes of live buffers, and a second profile counts the hoisted loads
// pending over each position. Both are segment trees with range add and a
// "rightmost position above a bound" query, so placing a load costs
// O(log M) per buffer it touches.
//
//===----------------------------------------------------------------------===//
#include "strata/Dialect/Npu/Transforms/PrefetchScheduler.h"

#include <boost/graph/topological_sort.hpp>

#include <algorithm>
#include <iterator>

namespace strata::npu::sched {
namespace {

/// Range add, and the rightmost index in a range whose value exceeds a bound.
class MaxTree {
public:
  explicit MaxTree(size_t n) : n_(std::max<size_t>(1, n)), max_(4 * n_, 0), add_(4 * n_, 0) {}

  /// Adds v to [lo, hi).
  void add(int64_t lo, int64_t hi, int64_t v) {
    if (lo < hi)
      add(1, 0, int64_t(n_), lo, hi, v);
  }
  /// The largest index q in [lo, hi) with value(q) > bound, or -1.
  int64_t rightmostAbove(int64_t lo, int64_t hi, int64_t bound) const {
    if (lo >= hi)
      return -1;
    return rightmost(1, 0, int64_t(n_), lo, hi, bound, 0);
  }
  int64_t max() const { return max_[1]; }

private:
  void add(size_t node, int64_t l, int64_t r, int64_t lo, int64_t hi, int64_t v) {
    if (hi <= l || r <= lo)
      return;
    if (lo <= l && r <= hi) {
      max_[node] += v;
      add_[node] += v;
      return;
    }
    int64_t mid = (l + r) / 2;
    add(2 * node, l, mid, lo, hi, v);
    add(2 * node + 1, mid, r, lo, hi, v);
    max_[node] = add_[node] + std::max(max_[2 * node], max_[2 * node + 1]);
  }
  /// `above` is what the ancestors add to this subtree.
  int64_t rightmost(size_t node, int64_t l, int64_t r, int64_t lo, int64_t hi, int64_t bound,
                    int64_t above) const {
    if (hi <= l || r <= lo || max_[node] + above <= bound)
      return -1;
    if (r - l == 1)
      return l;
    int64_t mid = (l + r) / 2;
    int64_t inner = above + add_[node];
    int64_t q = rightmost(2 * node + 1, mid, r, lo, hi, bound, inner);
    if (q >= 0)
      return q;
    return rightmost(2 * node, l, mid, lo, hi, bound, inner);
  }

  size_t n_;
  std::vector<int64_t> max_, add_;
};

} // namespace

PrefetchResult schedulePrefetch(const ScheduleDag &dag, const PrefetchOptions &options) {
  PrefetchResult result;
  const uint32_t n = dag.size();
  // Mainline indices and the original positions.
  std::vector<int64_t> pos(n, 0);
  std::vector<uint32_t> mainline;
  for (uint32_t id = 0; id < n; ++id) {
    pos[id] = static_cast<int64_t>(mainline.size());
    if (!dag.node(id).prefetch)
      mainline.push_back(id);
    else
      ++result.loads;
  }
  const int64_t M = static_cast<int64_t>(mainline.size());

  // Live ranges and the SRAM profile of the original order.
  const uint32_t numBuffers = dag.numBuffers();
  std::vector<int64_t> first(numBuffers, INT64_MAX), last(numBuffers, -1);
  for (uint32_t id = 0; id < n; ++id)
    for (uint32_t b : dag.node(id).buffers) {
      first[b] = std::min(first[b], pos[id]);
      last[b] = std::max(last[b], pos[id]);
    }
  MaxTree live(size_t(M) + 1), ahead(size_t(M) + 1);
  for (uint32_t b = 0; b < numBuffers; ++b)
    if (last[b] >= 0)
      live.add(first[b], last[b] + 1, static_cast<int64_t>(dag.bufferBytes(b)));

  const bool boundSram = options.sramBudget != std::numeric_limits<int64_t>::max();
  const bool boundAhead = options.maxAhead != std::numeric_limits<unsigned>::max();
  int64_t floor = 0;
  std::vector<uint32_t> buffers;
  for (uint32_t id = 0; id < n; ++id) {
    const DagNode &node = dag.node(id);
    if (!node.prefetch)
      continue;
    const int64_t original = pos[id];
    // 1. Dependencies (and 4. the need order of bounded loads).
    int64_t earliest = floor;
    for (auto [it, end] = boost::in_edges(id, dag.graph()); it != end; ++it) {
      uint32_t p = static_cast<uint32_t>(boost::source(*it, dag.graph()));
      earliest = std::max(earliest, dag.node(p).prefetch ? pos[p] : pos[p] + 1);
    }
    if (earliest >= original) {
      floor = std::max(floor, original);
      continue;
    }
    int64_t at = earliest;
    // 2. SRAM: over [q, first[b]) buffer b adds its bytes. Walk the
    // segments between consecutive first uses, nearest the original first.
    if (boundSram) {
      buffers.assign(node.buffers.begin(), node.buffers.end());
      std::sort(buffers.begin(), buffers.end(),
                [&](uint32_t a, uint32_t b) { return first[a] > first[b]; });
      buffers.erase(std::unique(buffers.begin(), buffers.end()), buffers.end());
      int64_t added = 0;
      for (size_t i = 0; i < buffers.size(); ++i) {
        int64_t hi = std::min(first[buffers[i]], original);
        added += static_cast<int64_t>(dag.bufferBytes(buffers[i]));
        int64_t lo = i + 1 < buffers.size() ? std::min(first[buffers[i + 1]], original) : at;
        lo = std::max(lo, at);
        if (hi <= lo)
          continue;
        int64_t q = live.rightmostAbove(lo, hi, options.sramBudget - added);
        if (q >= 0) {
          at = std::max(at, q + 1);
          break;
        }
      }
    }
    // 3. Loads pending ahead of compute.
    if (boundAhead) {
      int64_t q = ahead.rightmostAbove(at, original, int64_t(options.maxAhead) - 1);
      if (q >= 0)
        at = std::max(at, q + 1);
    }
    // 4. The load queue is in order: a load placed above an earlier one
    // would only delay it, so loads keep their relative order.
    floor = std::max(floor, std::min(at, original));
    if (at >= original)
      continue;
    for (uint32_t b : node.buffers)
      if (at < first[b]) {
        live.add(at, first[b], static_cast<int64_t>(dag.bufferBytes(b)));
        first[b] = at;
      }
    ahead.add(at, original, 1);
    result.distance += static_cast<uint64_t>(original - at);
    pos[id] = at;
    ++result.hoisted;
  }

  // Emit: the loads of each position (in program order), then its mainline node.
  std::vector<std::vector<uint32_t>> bucket(size_t(M) + 1);
  for (uint32_t id = 0; id < n; ++id)
    if (dag.node(id).prefetch)
      bucket[size_t(pos[id])].push_back(id);
  result.order.reserve(n);
  for (int64_t j = 0; j <= M; ++j) {
    result.order.insert(result.order.end(), bucket[size_t(j)].begin(), bucket[size_t(j)].end());
    if (j < M)
      result.order.push_back(mainline[size_t(j)]);
  }
  result.peakLiveBytes = live.max();
  return result;
}

std::vector<uint32_t> topologicalOrder(const ScheduleDag &dag) {
  std::vector<uint32_t> reversed;
  reversed.reserve(dag.size());
  boost::topological_sort(dag.graph(), std::back_inserter(reversed));
  return std::vector<uint32_t>(reversed.rbegin(), reversed.rend());
}

} // namespace strata::npu::sched
