//===- Simulator.h - Run NPU binaries on the chip model ---------*- C++ -*-===//
//
// The plain C++ face of the simulator: the runtime, the CLI and tests use it
// without touching SystemC.
//
//   auto sim = Simulator::create(arch, options);     // elaborates the chip once
//   if (!sim) ...;
//   (*sim)->load(binary);                            // maps constants into HBM
//   (*sim)->writeIo("tokens", bytes, size);          // inputs
//   auto r = (*sim)->run("prefill", {{"pos", 0}});   // cycles, time, energy, ...
//   auto r2 = (*sim)->run("decode", {{"pos", 17}});  // HBM (KV cache) persists
//   (*sim)->readIo("logits", out, size);
//   (*sim)->writeStats("stats.json");
//
// One elaboration serves every run: run() calls sc_start until the entry
// point finishes, time accumulates over runs and the chip idles in between.
//
// Each Simulator owns its own SystemC simulation context and makes it the
// current one whenever one of its methods runs, so several Simulators can
// live in one process and be used in turn (not from several threads at
// once). Any executable that links the simulator but has its own main() must
// also link StrataSimNoScMain (SystemC's library otherwise wants sc_main).
//
// A program fault (Fault.h) ends run() with an error that names core, queue,
// pc and instruction; the chip is then stopped for good (its units hold the
// state of the faulting moment): make a new Simulator to run again.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/sim/LabelCost.h"
#include "strata/sim/stats/Stats.h"
#include "strata/sim/trace/Trace.h"
#include "strata/support/Error.h"
#include "strata/target/ArchConfig.h"
#include "strata/target/Binary.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace strata::sim {

namespace core {
class Chip;
struct Fault;
} // namespace core

struct SimOptions {
  /// Skip the functional side (values); timing, stats and energy stay exact.
  bool timingOnly = false;
  /// "fixed", "ondemand" or "hinted"; empty: the arch config's dvfs.governor.
  std::string governor;
  /// Chrome/Perfetto trace file; empty: no trace.
  std::string tracePath;
  /// Core cycles after which a run faults; 0: the arch's simulation.cycleLimit.
  uint64_t cycleLimit = 0;
  /// Resolution of the power-over-time series and trace counters.
  double powerWindowNs = 1000.0;
  /// With the analytic memory model, cores settle their own events ahead of
  /// the SystemC kernel while no other process could observe it (SimTime.h):
  /// the same results, fewer trips through the kernel's scheduler. Off: every
  /// event goes through the kernel (for comparison and debugging).
  bool runAhead = true;
};

/// Busy time of one unit kind over the run, averaged over the cores.
struct UnitUtilisation {
  std::string unit;  ///< "tensor", "vector", "dma"
  double busyNs = 0; ///< summed over cores
  double utilisation = 0; ///< busy / (cores x run time), in [0, 1]
};

struct RunResult {
  std::string entry;
  uint64_t cycles = 0;   ///< core cycles of the slowest core (its own clock)
  double seconds = 0;    ///< simulated time of this run
  double startNs = 0, endNs = 0;
  uint64_t instructions = 0;     ///< fetched by all sequencers
  uint64_t tileInstructions = 0; ///< queue instructions retired
  std::vector<UnitUtilisation> units;
  double macs = 0;
  double energyJ = 0;        ///< this run's energy (dynamic + leakage + DVFS)
  double averagePowerW = 0;  ///< energyJ / seconds
  double peakPowerW = 0;     ///< highest power of a powerWindowNs window so far
  /// This run's energy by unit kind over all cores ("tensor", "vector",
  /// "sram", "dma", "hbm", "noc"), plus "leakage" and "dvfs" (transitions), in J.
  std::vector<std::pair<std::string, double>> energyByUnit;
  double hbmReadBytes = 0, hbmWriteBytes = 0;
  double hbmBytesPerSecond = 0; ///< (read + write) / seconds
  /// Costs per code label of the entry point (bin::CodeLabel); empty when
  /// the binary has no labels.
  std::vector<LabelCost> labels;
};

class Simulator {
public:
  /// Elaborates the chip for `arch`. Fails on a config the model cannot
  /// build (bad DVFS tables, unknown governor) or an unwritable trace path.
  static Expected<std::unique_ptr<Simulator>> create(const ArchConfig &arch,
                                                     const SimOptions &options = {});
  ~Simulator();
  Simulator(const Simulator &) = delete;
  Simulator &operator=(const Simulator &) = delete;

  const ArchConfig &arch() const { return arch_; }
  const SimOptions &options() const { return options_; }

  /// Takes the program and maps its constant segments into HBM without
  /// copying (the binary's storage is kept alive). Replaces a previous load;
  /// HBM contents outside the constant segments persist.
  Status load(const bin::Binary &binary);
  const bin::Binary *binary() const { return binary_.get(); }

  /// Runs entry point `entry` to completion. Every scalar parameter of the
  /// entry point must be given, by name. Fails on an unknown entry or
  /// parameter, or with the diagnostic of a program fault. The first run of
  /// another entry point after load() first runs the binary's
  /// bin::kLoadWeightsEntry, if it has one (see weightLoad()).
  Expected<RunResult> run(const std::string &entry,
                          const std::vector<std::pair<std::string, int64_t>> &params = {});
  /// The run of bin::kLoadWeightsEntry since the last load(), if any.
  const std::optional<RunResult> &weightLoad() const { return weightLoad_; }

  /// HBM bytes, e.g. for I/O bindings and the KV cache.
  Status writeHbm(uint64_t address, const void *data, uint64_t size);
  Status readHbm(uint64_t address, void *data, uint64_t size) const;
  /// The bytes of I/O binding `name` of the loaded binary (size must match).
  Status writeIo(const std::string &name, const void *data, uint64_t size);
  Status readIo(const std::string &name, void *data, uint64_t size) const;
  /// Scratchpad bytes of a core (tests, debugging).
  Status readSram(uint32_t core, uint64_t offset, void *data, uint64_t size);
  Status writeSram(uint32_t core, uint64_t offset, const void *data, uint64_t size);

  /// Every statistic (root group "chip").
  StatGroup &stats() { return *stats_; }
  /// Stats as JSON (plus a "runs" summary) to `path`.
  Status writeStats(const std::string &path);
  /// Completes and closes the trace (also done by the destructor).
  Status closeTrace();

  /// Simulated time so far, over all runs.
  double nowNs() const;
  uint32_t runs() const { return runs_; }
  /// Results of every successful run so far.
  const std::vector<RunResult> &history() const { return history_; }
  /// The fault that stopped the chip, if any.
  const core::Fault *fault() const;

  /// The elaborated model (tests and tools that need the modules).
  core::Chip &chip() { return *chip_; }

private:
  Simulator(const ArchConfig &arch, const SimOptions &options);
  static Expected<std::unique_ptr<Simulator>> createImpl(const ArchConfig &arch,
                                                         const SimOptions &options);
  Expected<RunResult> runImpl(const std::string &entry,
                              const std::vector<std::pair<std::string, int64_t>> &params);
  void activate() const;
  /// The loaded binary's binding `name`, if it holds exactly `size` bytes.
  Expected<const bin::IoBinding *> ioBinding(const std::string &name, uint64_t size) const;
  struct Context;

  ArchConfig arch_;
  SimOptions options_;
  std::unique_ptr<Context> context_;
  std::unique_ptr<StatGroup> stats_;
  std::unique_ptr<TraceWriter> trace_;
  std::unique_ptr<core::Chip> chip_;
  std::shared_ptr<const bin::Binary> binary_;
  /// Entries of binary_ that passed the chip's checks (binary_ is immutable).
  std::vector<const bin::EntryPoint *> checkedEntries_;
  std::optional<RunResult> weightLoad_;
  uint32_t runs_ = 0;
  double energyBeforeJ_ = 0;
  std::vector<std::pair<std::string, double>> energyByUnitBefore_;
  std::vector<RunResult> history_;
};

} // namespace strata::sim
