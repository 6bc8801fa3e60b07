//===- MemoryListener.h - Energy-relevant events of the memory system -*- C++ -*-===//
//
// The power monitor (and tests that measure command timing) attach a
// MemoryListener to the MemorySystem. The detailed HBM model reports every
// DRAM command it issues; the analytic model reports the aggregate activity of
// each bulk transfer; the NoC reports bytes and hops. Calls are plain virtual
// calls on the simulator's hot path: a listener should only count.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>

namespace strata::sim::mem {

enum class DramCommandKind : uint8_t {
  Activate,
  Precharge,
  Read,
  Write,
  /// All-bank refresh of one pseudo-channel; with hbm.refresh per-bank, a
  /// single-bank refresh (REFsb) of the bank named (DramCommand::singleBank).
  Refresh,
};

const char *dramCommandName(DramCommandKind kind);

/// One command as issued on a channel's command bus.
struct DramCommand {
  DramCommandKind kind = DramCommandKind::Activate;
  uint16_t stack = 0, channel = 0; ///< channel within its stack
  uint8_t pseudoChannel = 0, bankGroup = 0, bank = 0; ///< bank within its group
  uint32_t row = 0;
  /// Read/Write: data bytes the column access moves (one burst).
  uint32_t bytes = 0;
  /// Issue time in memory-clock cycles since the start of the run.
  uint64_t cycle = 0;
  /// Refresh: a single-bank REFsb of (bankGroup, bank), not an all-bank REF.
  bool singleBank = false;
};

/// Aggregate activity (analytic model, one bulk transfer).
struct MemoryActivity {
  uint64_t activates = 0;
  uint64_t precharges = 0;
  uint64_t refreshes = 0; ///< REF commands of the configured kind (all-bank or REFsb)
  uint64_t readBytes = 0;  ///< through the DRAM array, the TSVs and the IO
  uint64_t writeBytes = 0;
  /// Bytes x links (at least one) the transfer moved over the NoC.
  uint64_t nocByteHops = 0;
};

class MemoryListener {
public:
  virtual ~MemoryListener() = default;
  /// Every DRAM command of the detailed model, in issue order per channel
  /// (channels run ahead of each other by at most the controller latency).
  virtual void onCommand(const DramCommand &command) {}
  /// `bytes` crossed `hops` NoC links (a request, a response or a peer copy).
  virtual void onNocTransfer(uint64_t bytes, uint32_t hops, double timeNs) {}
  /// The activity of one analytic bulk transfer spanning [startNs, endNs]
  /// (its NoC bytes included: they are not reported by onNocTransfer).
  virtual void onBulkActivity(const MemoryActivity &activity, double startNs,
                              double endNs) {}
};

} // namespace strata::sim::mem
