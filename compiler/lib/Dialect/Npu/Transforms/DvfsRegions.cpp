//===- DvfsRegions.cpp - Where a core can run at a lower clock ------------===//
#include "strata/Dialect/Npu/Transforms/DvfsRegions.h"

#include <algorithm>
#include <limits>

namespace strata::npu::sched {
namespace {

struct Run {
  size_t begin = 0, end = 0; ///< positions in the order
  unsigned level = 0;
  double start = 0, finish = 0; ///< estimated, of its compute
  bool timed = false;           ///< it has compute (else it lasts nothing)
  double duration() const { return timed ? finish - start : 0; }
};

/// Widens `into` by the adjacent run `from`.
void join(Run &into, const Run &from) {
  into.begin = std::min(into.begin, from.begin);
  into.end = std::max(into.end, from.end);
  if (!from.timed)
    return;
  if (!into.timed) {
    into.start = from.start;
    into.finish = from.finish;
    into.timed = true;
    return;
  }
  into.start = std::min(into.start, from.start);
  into.finish = std::max(into.finish, from.finish);
}

} // namespace

DvfsPlan planDvfs(const ScheduleDag &dag, const std::vector<uint32_t> &order,
                  const Timeline &timeline, const TimingModel &model,
                  const DvfsPlanOptions &options) {
  DvfsPlan plan;
  plan.totalCycles = timeline.makespan;
  if (options.points.empty() || order.empty())
    return plan;
  const unsigned nominal = std::min<unsigned>(options.nominal, options.points.size() - 1);
  const DvfsPoint &nom = options.points[nominal];

  // 1-2. Kernels and their levels.
  std::vector<Run> runs;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    uint32_t region = dag.node(order[i]).region;
    double bytes = 0, compute = 0;
    Run run;
    run.begin = i;
    // The clock matters while compute runs: a kernel lasts from its first
    // compute to its last (loads hoisted far ahead do not stretch it), and
    // one without compute lasts nothing.
    run.start = std::numeric_limits<double>::max();
    for (; j < order.size() && dag.node(order[j]).region == region; ++j) {
      const DagNode &n = dag.node(order[j]);
      bytes += double(n.hbmBytes);
      if (n.lane != Lane::Compute)
        continue;
      if (n.unit == Unit::Tensor || n.unit == Unit::Vector)
        compute += double(n.cycles);
      run.start = std::min(run.start, timeline.time[order[j]].start);
      run.finish = std::max(run.finish, timeline.time[order[j]].end);
      run.timed = true;
    }
    run.end = j;
    double dmaCycles = bytes / std::max(1e-9, model.dmaBytesPerCycle);
    run.level = nominal;
    for (unsigned p = 0; p < nominal; ++p) {
      const DvfsPoint &pt = options.points[p];
      bool keepsBandwidth = pt.dmaBytesPerSecond >= nom.dmaBytesPerSecond * 0.999;
      double stretched = compute * nom.freqMHz / std::max(1e-9, pt.freqMHz);
      if (keepsBandwidth && bytes > 0 && stretched * options.margin <= dmaCycles) {
        run.level = p;
        break;
      }
    }
    if (!runs.empty() && runs.back().level == run.level) {
      join(runs.back(), run);
    } else {
      runs.push_back(run);
    }
    i = j;
  }

  // 3. Short runs take the level of their longer neighbour, shortest first.
  while (runs.size() > 1) {
    size_t shortest = runs.size();
    for (size_t r = 0; r < runs.size(); ++r)
      if (runs[r].duration() < options.minRegionCycles &&
          (shortest == runs.size() || runs[r].duration() < runs[shortest].duration()))
        shortest = r;
    if (shortest == runs.size())
      break;
    size_t into;
    if (shortest == 0)
      into = 1;
    else if (shortest + 1 == runs.size())
      into = shortest - 1;
    else
      into = runs[shortest - 1].duration() >= runs[shortest + 1].duration() ? shortest - 1
                                                                            : shortest + 1;
    join(runs[into], runs[shortest]);
    runs.erase(runs.begin() + std::ptrdiff_t(shortest));
    // Neighbours that now share a level become one run.
    for (size_t r = 1; r < runs.size();) {
      if (runs[r].level == runs[r - 1].level) {
        join(runs[r - 1], runs[r]);
        runs.erase(runs.begin() + std::ptrdiff_t(r));
      } else {
        ++r;
      }
    }
  }
  // A program that is one short run is not worth two transitions.
  if (runs.size() == 1 && runs[0].duration() < options.minRegionCycles)
    runs[0].level = options.initial;

  // 4. Switches before the first compute node of each run.
  unsigned current = options.initial;
  for (const Run &run : runs) {
    if (run.level < nominal) {
      ++plan.lowRegions;
      plan.lowCycles += run.duration();
    }
    if (run.level == current)
      continue;
    for (size_t i = run.begin; i < run.end; ++i)
      if (dag.node(order[i]).lane == Lane::Compute) {
        plan.switches.push_back({order[i], run.level});
        current = run.level;
        break;
      }
  }
  if (current != options.initial)
    plan.restoreLevel = int(options.initial);
  return plan;
}

} // namespace strata::npu::sched
