//===- RunStats.h - What a generation cost on the simulated chip -*- C++ -*-===//
//
// Every step (one entry-point run) returns a sim::RunResult; RunStats adds
// them up into the figures a user asks for: cycles, simulated seconds, time
// to first token, time per output token, energy, average power, tensor-core
// and HBM-bandwidth utilisation. Steps are kept, so reports can break the
// totals down.
//
//   ttft: simulated time of every step that consumed prompt tokens (the
//         first generated token is sampled from the last prompt logits).
//   tpot: mean simulated time of the decode steps that fed generated tokens.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/runtime/Executor.h"
#include "strata/sim/Simulator.h"

#include <cstdint>
#include <vector>

namespace strata {
struct ArchConfig;
}

namespace strata::runtime {

/// Why a step ran: to consume prompt tokens, or to feed a generated one.
enum class StepPurpose : uint8_t { Prompt, Generation };

struct StepRecord {
  StepKind kind = StepKind::Decode;
  StepPurpose purpose = StepPurpose::Prompt;
  /// Index of the sequence (session) the step belonged to.
  uint32_t sequence = 0;
  uint32_t pos = 0;
  uint32_t tokens = 0; ///< valid tokens the step consumed
  sim::RunResult result;
};

class RunStats {
public:
  void add(StepRecord record);
  void merge(const RunStats &other);
  const std::vector<StepRecord> &steps() const { return steps_; }

  uint64_t cycles() const;       ///< summed over steps
  double seconds() const;        ///< simulated
  double ttftSeconds() const;
  double tpotSeconds() const;    ///< 0 without generation steps
  double energyJ() const;
  double averagePowerW() const;  ///< energy / seconds
  double macs() const;
  double hbmBytes() const;       ///< read + written
  /// Busy time of `unit` ("tensor", "vector", "dma") over cores x time.
  double utilisation(const std::string &unit, uint32_t numCores) const;
  /// Achieved HBM bytes/s over the arch's usable peak (TSV ceiling included).
  double hbmBandwidthUtilisation(const ArchConfig &arch) const;
  /// Energy by unit kind, summed over steps.
  std::vector<std::pair<std::string, double>> energyByUnit() const;

private:
  std::vector<StepRecord> steps_;
};

} // namespace strata::runtime
