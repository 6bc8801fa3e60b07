//===- ScheduleTiming.cpp - Per-queue timing estimate of a program --------===//
#include "strata/Dialect/Npu/Transforms/ScheduleTiming.h"

#include <algorithm>
#include <unordered_map>

namespace strata::npu::sched {
namespace {

double nominalMHz(const ArchConfig &arch, const char *domain, double fallback) {
  const DvfsDomainConfig *d = arch.findDomain(domain);
  if (!d || d->points.empty())
    return fallback;
  return d->points[std::min<size_t>(d->nominal, d->points.size() - 1)].freqMHz;
}

using Interval = std::pair<double, double>;

/// Sorted, disjoint union of `v`.
std::vector<Interval> merged(std::vector<Interval> v) {
  std::sort(v.begin(), v.end());
  std::vector<Interval> out;
  for (const Interval &i : v) {
    if (i.second <= i.first)
      continue;
    if (!out.empty() && i.first <= out.back().second)
      out.back().second = std::max(out.back().second, i.second);
    else
      out.push_back(i);
  }
  return out;
}

double length(const std::vector<Interval> &v) {
  double s = 0;
  for (const Interval &i : v)
    s += i.second - i.first;
  return s;
}

/// Length of the intersection of two sorted disjoint unions.
double intersection(const std::vector<Interval> &a, const std::vector<Interval> &b) {
  double s = 0;
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    double lo = std::max(a[i].first, b[j].first);
    double hi = std::min(a[i].second, b[j].second);
    if (hi > lo)
      s += hi - lo;
    if (a[i].second < b[j].second)
      ++i;
    else
      ++j;
  }
  return s;
}

} // namespace

TimingModel timingModelFor(const ArchConfig &arch, unsigned activeCores, double coreMHz) {
  TimingModel m;
  if (coreMHz <= 0)
    coreMHz = nominalMHz(arch, "core", 1000);
  const double memMHz = nominalMHz(arch, "memory", arch.hbm.clockMHz);
  const double cores = std::max(1u, activeCores);
  const HbmConfig &hbm = arch.hbm;
  // Bytes per second, chip-wide, then this core's share.
  // All-bank refresh idles every pseudo-channel for tRFC of each tREFI;
  // per-bank refresh idles one bank at a time while the others serve, which
  // costs a stream spread over the banks next to nothing
  // (docs/simulator-memory.md, "How refresh enters").
  double refresh = hbm.timing.tREFI > 0 && !hbm.perBankRefresh()
                       ? double(hbm.timing.tRFC) / hbm.timing.tREFI
                       : 0;
  double dram = hbm.peakBytesPerSecond() * std::max(0.0, 1.0 - refresh);
  double tsv = hbm.tsvBytesPerCycle * hbm.stacks * hbm.clockMHz * 1e6;
  double share = std::min(dram, tsv) / cores;
  // A core reaches every stack over its own link on a crossbar; on a mesh
  // its traffic leaves through one router link.
  double links = arch.noc.topology == "crossbar" ? double(hbm.stacks) : 1.0;
  share = std::min(share, links * arch.noc.linkBytesPerCycle * memMHz * 1e6);
  if (hbm.model != "analytic") // detailed: one request per core cycle
    share = std::min(share, double(arch.core.dma.requestBytes) * coreMHz * 1e6);
  m.dmaBytesPerCycle = share / (coreMHz * 1e6);
  // First byte: descriptor setup, the NoC both ways, the controller front
  // end, activate and column access, one burst.
  const HbmTiming &t = hbm.timing;
  double memCycles = 2.0 * arch.noc.hopCycles + hbm.frontendCycles + t.tRCD + t.tCL +
                     std::max(1u, hbm.burstLength / 2);
  m.dmaLatencyCycles =
      arch.core.dma.setupCycles + static_cast<uint64_t>(memCycles * coreMHz / memMHz + 0.5);
  m.dmaEngines = std::max(1u, arch.core.dma.engines);
  m.depth = {0, arch.core.queues.loadDepth, arch.core.queues.computeDepth,
             arch.core.queues.storeDepth};
  m.dispatchCycles = std::max(1u, arch.core.queues.dispatchCycles);
  return m;
}

double Timeline::overlapFraction() const {
  double shorter = std::min(dmaBusy, computeBusy);
  return shorter > 0 ? overlap / shorter : 1.0;
}

namespace {

/// One core's program being timed, resumable at barriers: times are
/// max-plus functions of earlier nodes in program order, so pausing at a
/// barrier until the other cores arrive changes nothing else.
class CoreSim {
public:
  CoreSim(const ScheduleDag &dag, const std::vector<uint32_t> &order, const TimingModel &model)
      : dag_(dag), order_(order), model_(model) {
    tl_.time.assign(dag.size(), NodeTime());
    engines_.assign(std::max(1u, model.dmaEngines), 0.0);
  }

  bool done() const { return cursor_ >= order_.size(); }
  /// The barrier this core waits at (its mask), or 0 when it is not waiting.
  uint64_t waitingMask() const { return waiting_ ? dag_.node(order_[cursor_]).barrierMask : 0; }
  double arrival() const { return tl_.time[order_[cursor_]].start; }
  /// Barriers of `mask` passed so far (the cores of a mask meet at its
  /// k-th barrier; other masks' barriers do not count).
  unsigned barriersPassed(uint64_t mask) const {
    auto it = barriers_.find(mask);
    return it == barriers_.end() ? 0 : it->second;
  }

  /// Runs until the end or until a barrier of several cores; `alone`
  /// completes barriers on arrival.
  void advance(bool alone) {
    while (cursor_ < order_.size()) {
      uint32_t id = order_[cursor_];
      if (waiting_)
        return;
      place(id);
      const DagNode &n = dag_.node(id);
      if (n.barrierMask && !alone && (n.barrierMask & (n.barrierMask - 1))) {
        waiting_ = true;
        return;
      }
      finish(id, tl_.time[id].start);
      ++cursor_;
    }
  }
  /// Completes the barrier waited at, at `release`.
  void release(double at) {
    uint32_t id = order_[cursor_];
    waiting_ = false;
    ++barriers_[dag_.node(id).barrierMask];
    finish(id, std::max(at, tl_.time[id].start));
    ++cursor_;
  }

  Timeline result() {
    std::vector<Interval> d = merged(std::move(dma_)), c = merged(std::move(compute_));
    tl_.dmaBusy = length(d);
    tl_.computeBusy = length(c);
    tl_.overlap = intersection(d, c);
    return std::move(tl_);
  }

private:
  /// Dispatch and start of `id`, and its end unless it is a barrier.
  void place(uint32_t id) {
    const DagNode &n = dag_.node(id);
    NodeTime &t = tl_.time[id];
    double ready = 0;
    for (auto [it, e] = boost::in_edges(id, dag_.graph()); it != e; ++it)
      ready = std::max(ready, tl_.time[boost::source(*it, dag_.graph())].end);
    if (n.lane == Lane::Sequencer) {
      if (n.fence)
        for (double e : lastEnd_)
          seq_ = std::max(seq_, e);
      t.dispatch = t.start = seq_;
      seq_ += double(model_.dispatchCycles) + double(n.cycles);
      t.end = seq_;
      // A loop of DMAs: its transfers one after the other.
      if (n.unit == Unit::Dma && n.hbmBytes > 0) {
        t.end = std::max(t.end, t.start + double(model_.dmaLatencyCycles) +
                                    double(n.hbmBytes) / model_.dmaBytesPerCycle);
        dma_.push_back({t.start, t.end});
      }
      return;
    }
    const unsigned lane = static_cast<unsigned>(n.lane);
    std::vector<double> &laneStarts = starts_[lane];
    unsigned depth = std::max(1u, model_.depth[lane]);
    if (laneStarts.size() >= depth)
      seq_ = std::max(seq_, laneStarts[laneStarts.size() - depth]);
    seq_ += double(model_.dispatchCycles);
    t.dispatch = seq_;
    double start = std::max({t.dispatch, ready, lastStart_[lane]});
    if (n.drainsLane)
      start = std::max(start, lastEnd_[lane]);
    double end = start;
    switch (n.unit) {
    case Unit::Dma: {
      auto engine = std::min_element(engines_.begin(), engines_.end());
      start = std::max(start, *engine);
      // Engines issue their requests round robin: the transfers in flight
      // share the core's bandwidth, each at its share when it starts.
      double sharing = 1;
      for (auto e = engines_.begin(); e != engines_.end(); ++e)
        if (e != engine && *e > start)
          sharing += 1;
      end = start + double(model_.dmaLatencyCycles) +
            double(n.hbmBytes) * sharing / model_.dmaBytesPerCycle + double(n.cycles);
      *engine = end;
      dma_.push_back({start, end});
      break;
    }
    case Unit::Tensor:
      start = std::max(start, tensorFree_);
      end = start + double(n.cycles);
      tensorFree_ = end;
      if (n.cycles)
        compute_.push_back({start, end});
      break;
    case Unit::Vector:
      start = std::max(start, vectorFree_);
      end = start + double(n.cycles);
      vectorFree_ = end;
      compute_.push_back({start, end});
      break;
    case Unit::None:
      end = start + double(n.cycles);
      break;
    }
    t.start = start;
    t.end = end;
  }

  /// Records the end of `id` and what it means for its lane.
  void finish(uint32_t id, double end) {
    const DagNode &n = dag_.node(id);
    NodeTime &t = tl_.time[id];
    if (n.barrierMask)
      t.end = end;
    tl_.makespan = std::max(tl_.makespan, t.end);
    if (n.lane == Lane::Sequencer)
      return;
    const unsigned lane = static_cast<unsigned>(n.lane);
    starts_[lane].push_back(t.start);
    lastStart_[lane] = t.start;
    lastEnd_[lane] = std::max(lastEnd_[lane], t.end);
  }

  const ScheduleDag &dag_;
  const std::vector<uint32_t> &order_;
  const TimingModel &model_;
  Timeline tl_;
  size_t cursor_ = 0;
  bool waiting_ = false;
  std::unordered_map<uint64_t, unsigned> barriers_; ///< barriers passed, per mask
  double seq_ = 0;
  std::array<std::vector<double>, kNumLanes> starts_;
  std::array<double, kNumLanes> lastStart_{}, lastEnd_{};
  std::vector<double> engines_; ///< when each DMA engine is free
  double tensorFree_ = 0, vectorFree_ = 0;
  std::vector<Interval> dma_, compute_;
};

} // namespace

Timeline estimateTimeline(const ScheduleDag &dag, const std::vector<uint32_t> &order,
                          const TimingModel &model) {
  CoreSim sim(dag, order, model);
  sim.advance(/*alone=*/true);
  return sim.result();
}

std::vector<Timeline> estimateEntry(const std::vector<CoreProgram> &cores,
                                    const TimingModel &model) {
  std::vector<CoreSim> sims;
  sims.reserve(cores.size());
  uint64_t present = 0;
  for (const CoreProgram &c : cores) {
    sims.emplace_back(*c.dag, *c.order, model);
    if (c.coreId < 64)
      present |= uint64_t(1) << c.coreId;
  }
  bool alone = false;
  for (;;) {
    for (CoreSim &s : sims)
      s.advance(alone);
    bool allDone = true, released = false;
    for (size_t i = 0; i < sims.size(); ++i) {
      if (sims[i].done())
        continue;
      allDone = false;
      uint64_t mask = sims[i].waitingMask();
      if (!mask)
        continue;
      // Every core of the mask waits at its barrier of the same generation.
      double at = 0;
      bool ready = (mask & ~present) == 0;
      for (size_t j = 0; j < sims.size() && ready; ++j) {
        if (!(mask >> cores[j].coreId & 1))
          continue;
        if (sims[j].waitingMask() != mask ||
            sims[j].barriersPassed(mask) != sims[i].barriersPassed(mask))
          ready = false;
        else
          at = std::max(at, sims[j].arrival());
      }
      if (!ready)
        continue;
      for (size_t j = 0; j < sims.size(); ++j)
        if (mask >> cores[j].coreId & 1)
          sims[j].release(at);
      released = true;
    }
    if (allDone)
      break;
    // No barrier can complete: an inconsistent program; let the rest run
    // as if each core were alone.
    if (!released) {
      bool anyWaiting = false;
      for (CoreSim &s : sims)
        if (s.waitingMask()) {
          anyWaiting = true;
          s.release(s.arrival());
        }
      if (!anyWaiting)
        alone = true;
    }
  }
  std::vector<Timeline> out;
  for (CoreSim &s : sims)
    out.push_back(s.result());
  return out;
}

} // namespace strata::npu::sched
