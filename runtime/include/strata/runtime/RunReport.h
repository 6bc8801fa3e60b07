//===- RunReport.h - The JSON report of a generation ------------*- C++ -*-===//
//
// What `strata run --report FILE` writes: totals, every step, per unit kind
// time and energy, DVFS residency, HBM traffic, and — when the binary has
// code labels — per layer and per op time, energy, traffic and roofline
// position (operational intensity vs attained throughput). docs/runtime.md
// describes every field.
//
// Attribution: a label's core-side energy (MACs, vector, SRAM, DMA) is
// measured per instruction by the simulator; each step's memory-side energy
// (HBM, NoC) is split over its labels by their share of the step's HBM
// bytes, and its leakage and DVFS-transition energy by their share of the
// step's labelled time. What no label covers is reported as "unattributed".
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/runtime/RunStats.h"
#include "strata/target/ArchConfig.h"

#include <nlohmann/json.hpp>

#include <optional>

#include <string>
#include <utility>
#include <vector>

namespace strata::runtime {

struct ReportContext {
  std::string model;     ///< what ran (file or config name)
  std::string precision; ///< compile precision policy, if known
  bool timingOnly = false;
  uint32_t promptTokens = 0;
  uint32_t generatedTokens = 0;
  /// The simulator's statistics tree (sim::Simulator::stats().toJson()),
  /// for DVFS residency; may be null.
  nlohmann::json simStats;
  /// The binary's load_weights run (weights kept resident in SRAM), if it
  /// had one: a one-time cost, reported apart from the steps.
  std::optional<sim::RunResult> weightLoad;
};

nlohmann::json buildRunReport(const RunStats &stats, const ArchConfig &arch,
                              const ReportContext &context);

/// Each label's exclusive time: every instant that some spans cover belongs
/// to the one among them that ends first, so the exclusive times of a step's
/// labels add up to the time their spans cover, where spans overlap when the
/// prefetch schedule starts the next kernel's loads during this one. Spans
/// are [first start, last end] in ns; an empty span gets 0.
std::vector<double> exclusiveSpanNs(const std::vector<std::pair<double, double>> &spans);

/// The "block" a label belongs to: "blk.3" for "blk.3.attn_q", else the
/// label itself ("token_embd", "output").
std::string layerOfLabel(const std::string &label);

} // namespace strata::runtime
