//===- Chip.h - The NPU chip: cores, memory system, DVFS, power --*- C++ -*-===//
//
// Elaborates the whole chip for one ArchConfig: N NpuCores whose initiator
// sockets bind to the MemorySystem's per-core target sockets, the functional
// HBM store, the clock domains with their DvfsController, and the
// PowerMonitor (fed by the cores and, through a MemoryListener, by the HBM
// commands and NoC transfers). It also watches the run: it notices when every
// core has finished, and when nothing anywhere can make progress any more
// (deadlock), and then pauses the kernel.
//
// One Chip serves many runs (SystemC cannot elaborate twice in a context):
// startRun() loads an entry point's programs, the caller runs sc_start() until
// runDone(), HBM contents and time carry over to the next run.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/sim/core/ChipContext.h"
#include "strata/sim/core/LabelAccounting.h"
#include "strata/sim/core/NpuCore.h"
#include "strata/sim/mem/HbmStorage.h"
#include "strata/sim/mem/MemorySystem.h"
#include "strata/sim/power/ClockDomain.h"
#include "strata/sim/power/DvfsController.h"
#include "strata/sim/power/PowerMonitor.h"
#include "strata/sim/stats/Stats.h"
#include "strata/sim/trace/Trace.h"
#include "strata/target/Binary.h"

#include <systemc>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace strata::sim::core {

struct ChipOptions {
  bool timingOnly = false;
  /// Governor name; empty: the config's dvfs.governor.
  std::string governor;
  /// Resolution of the power-over-time series.
  double powerWindowNs = 1000.0;
};

class Chip : public sc_core::sc_module {
public:
  /// Fails (through `error`) when the config cannot be elaborated (bad DVFS
  /// tables, unknown governor); the Chip is then unusable. `trace` may be null.
  Chip(sc_core::sc_module_name name, const ArchConfig &arch, const ChipOptions &options,
       StatGroup &stats, TraceWriter *trace, std::optional<Error> &error);
  ~Chip() override;

  /// Validates and loads `entry`'s programs with `regs` on every core.
  /// `checked`: the caller ran this exact, unchanged entry through startRun
  /// before (a runtime runs the same decode entry once per token, and its
  /// checks cost as much as a small model's step).
  Status startRun(const bin::EntryPoint &entry, const std::array<int64_t, 32> &regs,
                  bool checked = false);
  bool runDone() const { return done_; }
  const std::optional<Fault> &fault() const { return fault_; }
  /// Time the last core finished in the current run.
  double endNs() const { return endNs_; }

  uint32_t numCores() const { return uint32_t(cores_.size()); }
  NpuCore &core(uint32_t i) { return *cores_[i]; }
  mem::HbmStorage &hbm() { return *hbm_; }
  mem::MemorySystem &memory() { return *memory_; }
  /// Lets cores settle their own events ahead of the kernel up to `limit`
  /// (kernel time units, exclusive; 0: never). ChipContext::runAheadLimit.
  void setRunAheadLimit(uint64_t limit) { context_->runAheadLimit = limit; }
  ClockDomainSet &domains() { return *domains_; }
  DvfsController &dvfs() { return *dvfs_; }
  PowerMonitor &power() { return *power_; }
  const ArchConfig &arch() const { return arch_; }

  /// Core cycles elapsed in core `i`'s clock domain up to `ns`.
  double coreCycles(uint32_t i, double ns) const;

  /// Records a fault found outside the cores (cycle limit, kernel starvation).
  void raise(Fault f);

  /// Per-label costs of the current (or last) run; empty without labels.
  const LabelAccounting &labels() const { return *labels_; }

private:
  SC_HAS_PROCESS(Chip);
  void check();
  class PowerListener;

  const ArchConfig &arch_;
  ChipOptions options_;
  std::unique_ptr<mem::HbmStorage> hbm_;
  std::optional<ClockDomainSet> domains_;
  std::unique_ptr<DvfsController> dvfs_;
  std::unique_ptr<PowerMonitor> power_;
  std::unique_ptr<mem::MemorySystem> memory_;
  std::unique_ptr<PowerListener> listener_;
  std::unique_ptr<BarrierHub> barriers_;
  std::unique_ptr<ChipContext> context_;
  std::unique_ptr<LabelAccounting> labels_;
  std::vector<std::unique_ptr<NpuCore>> cores_;
  sc_core::sc_event check_;
  bool checkPending_ = false;
  bool running_ = false;
  bool done_ = true;
  double endNs_ = 0;
  std::optional<Fault> fault_;
};

} // namespace strata::sim::core
