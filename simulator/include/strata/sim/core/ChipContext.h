//===- ChipContext.h - What the cores of a chip share ------------*- C++ -*-===//
//
// The chip-wide services an NpuCore uses: the functional HBM store, the
// memory system (timing), the DVFS domains and controller, the power
// monitor, barriers, the trace, the run options, and the way to report a
// fault or a change of state. Owned by the Chip; cores hold a reference.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/sim/core/BarrierHub.h"
#include "strata/sim/core/Fault.h"
#include "strata/target/ArchConfig.h"

#include <cstdint>
#include <functional>
#include <vector>

namespace strata::sim {
class ClockDomainSet;
class DvfsController;
class PowerMonitor;
class TraceWriter;
namespace mem {
class HbmStorage;
class MemorySystem;
} // namespace mem
} // namespace strata::sim

namespace strata::sim::core {

class NpuCore;
class LabelAccounting;

struct ChipContext {
  const ArchConfig &arch;
  mem::HbmStorage &hbm;
  mem::MemorySystem &memory;
  ClockDomainSet &domains;
  DvfsController &dvfs;
  PowerMonitor &power;
  BarrierHub &barriers;
  TraceWriter *trace = nullptr; ///< null or closed: no trace
  bool timingOnly = false;      ///< skip the functional side of every instruction

  /// Every core of the chip (peer SRAM copies, barrier wake-ups).
  std::vector<NpuCore *> cores;
  /// Stops the run with `fault` (the first one wins).
  std::function<void(Fault)> fault;
  /// A core finished or went quiet: the chip checks for the end of the run
  /// and for deadlock.
  std::function<void()> coreStateChanged;
  bool faulted = false;
  /// A core may settle its own events ahead of the kernel's time while
  /// nothing else is scheduled before them (SimTime.h), up to this time in
  /// kernel units (exclusive): where the kernel stops to check the run's
  /// limits. 0: cores never run ahead.
  uint64_t runAheadLimit = 0;
  /// Scratch of NpuCore::runAhead: the ids of the cores it may settle, and a
  /// count of the wakes it delivered (a woken core may become the earliest).
  std::vector<uint32_t> runAheadIds = {};
  uint64_t runAheadWakes = 0;
  /// Per core, the time (ps) of its earliest event while it runs and no
  /// kernel wake is pending, else UINT64_MAX: the run-ahead loop finds the
  /// earliest core in one cache line instead of eight cores' state.
  std::vector<uint64_t> nextEventPs = {};
  /// Charges retired instructions to the entry point's code labels; null
  /// when the running entry point has none.
  LabelAccounting *labels = nullptr;
};

} // namespace strata::sim::core
