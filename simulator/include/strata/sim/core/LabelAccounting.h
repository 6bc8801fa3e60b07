//===- LabelAccounting.h - Charging instructions to code labels -*- C++ -*-===//
//
// Built from the entry point's labels: a label index per (core, pc), so
// charging a retired instruction is one array lookup and a few adds. The
// index is built once per entry point and kept while the entry is unchanged
// (a generation runs the same decode entry for every token).
// Plain C++; the cores call record() when a tile instruction completes.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/sim/LabelCost.h"
#include "strata/target/Binary.h"

#include <cstdint>
#include <string>
#include <unordered_map>
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
  /// later) when the entry has no labels. `unchanged`: this very entry was
  /// begun before and has not changed since, so its index is reused.
  bool begin(const bin::EntryPoint &entry, bool unchanged = false);
  bool active() const { return active_; }

  void record(uint32_t core, uint32_t pc, const LabelSample &sample) {
    const std::vector<std::vector<int32_t>> &labelOf = current_->labelOf;
    if (core >= labelOf.size() || pc >= labelOf[core].size())
      return;
    const int32_t label = labelOf[core][pc];
    if (label >= 0)
      charge(costs_[size_t(label)], sample);
  }

  /// The costs of the run begun last, one per distinct label name, in order
  /// of first appearance.
  const std::vector<LabelCost> &costs() const { return costs_; }

private:
  static void charge(LabelCost &c, const LabelSample &s);

  /// What begin() derives from an entry point's labels.
  struct Index {
    std::vector<std::vector<int32_t>> labelOf; ///< [core][pc] -> label, -1 for none
    std::vector<std::string> names;            ///< label -> name
  };
  static Index buildIndex(const bin::EntryPoint &entry);

  bool active_ = false;
  std::unordered_map<const bin::EntryPoint *, Index> indexes_;
  const Index *current_ = nullptr;
  std::vector<LabelCost> costs_;
};

} // namespace strata::sim::core
