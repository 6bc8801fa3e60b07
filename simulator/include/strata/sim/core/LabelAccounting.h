//===- LabelAccounting.h - Charging instructions to code labels -*- C++ -*-===//
//
// Built per run from the entry point's labels: a label index per (core, pc),
// so charging a retired instruction is one array lookup and a few adds.
// Plain C++; the cores call record() when a tile instruction completes.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/sim/LabelCost.h"
#include "strata/target/Binary.h"

#include <cstdint>
#include <vector>

namespace strata::sim::core {

/// What one retired instruction cost.
struct LabelSample {
  double startNs = 0, endNs = 0;
  double tensorNs = 0, vectorNs = 0, dmaNs = 0;
  double macs = 0, elementOps = 0;
  double hbmReadBytes = 0, hbmWriteBytes = 0, sramBytes = 0;
  double energyPj = 0;
};

class LabelAccounting {
public:
  /// Prepares for a run of `entry`; returns false (and records nothing
  /// later) when the entry has no labels.
  bool begin(const bin::EntryPoint &entry);
  bool active() const { return active_; }

  void record(uint32_t core, uint32_t pc, const LabelSample &sample) {
    if (core >= labelOf_.size() || pc >= labelOf_[core].size())
      return;
    const int32_t label = labelOf_[core][pc];
    if (label >= 0)
      charge(costs_[size_t(label)], sample);
  }

  /// The costs of the run begun last, one per distinct label name, in order
  /// of first appearance.
  const std::vector<LabelCost> &costs() const { return costs_; }

private:
  static void charge(LabelCost &c, const LabelSample &s);

  bool active_ = false;
  std::vector<std::vector<int32_t>> labelOf_;
  std::vector<LabelCost> costs_;
};

} // namespace strata::sim::core
