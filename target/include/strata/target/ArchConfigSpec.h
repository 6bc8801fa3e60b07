//===- ArchConfigSpec.h - The arch config as written in a file --*- C++ -*-===//
//
// The first of the two config layers: one optional field per YAML key, so a
// file states only what it changes. Integers are kept signed and wide here so
// that resolveArchConfig() can report "-3" or "0" as a range error at the
// key's line instead of the parser rejecting it blindly. HBM timings keep the
// unit they were written in (cycles or nanoseconds) until the clock is known.
//
// Lists replace: a spec with `dvfs.domains` set replaces the default domain
// table as a whole, and a domain's `points` replace its default points.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/target/DType.h"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace strata {

/// Where a key's value was written, for error messages.
struct ConfigLocation {
  int line = 0;   ///< 1-based; 0 = unknown (spec built in code)
  int column = 0; ///< 1-based
};

struct TensorCoreSpec {
  std::optional<int64_t> count, rows, cols;
  /// Indexed by DType; I32 is never set (it is not a multiplier precision).
  std::array<std::optional<int64_t>, kNumDTypes> macsPerCycle{};
  std::optional<int64_t> reconfigCycles, pipelineCycles, epilogueElemsPerCycle;
};

struct VectorUnitSpec {
  std::optional<int64_t> lanes, startupCycles, transcendentalCycles, rowOpPasses;
};

struct SramSpec {
  std::optional<int64_t> sizeBytes, banks, bankWidthBytes, accessCycles;
};

struct DmaSpec {
  std::optional<int64_t> engines, maxOutstanding, requestBytes, setupCycles;
};

struct QueueSpec {
  std::optional<int64_t> loadDepth, computeDepth, storeDepth, dispatchCycles;
};

struct CoreSpec {
  TensorCoreSpec tensorCores;
  VectorUnitSpec vector;
  SramSpec sram;
  DmaSpec dma;
  QueueSpec queues;
};

struct NocSpec {
  std::optional<double> linkBytesPerCycle;
  std::optional<int64_t> hopCycles;
  std::optional<std::string> topology;
};

/// One HBM timing as written: a cycle count ("14") or a duration ("14ns",
/// "3.9us"), converted to memory-clock cycles (rounded up) on resolve.
struct TimingValue {
  double amount = 0;
  bool inNanoseconds = false;
};

struct HbmTimingSpec {
  std::optional<TimingValue> tRCD, tRP, tRAS, tRC, tCL, tWR;
  std::optional<TimingValue> tCCD_S, tCCD_L, tRRD_S, tRRD_L, tFAW;
  std::optional<TimingValue> tRTP, tWTR, tRFC, tREFI, tACT, tWL;
  std::optional<TimingValue> tRFCsb, tRREFD;
};

struct HbmSpec {
  std::optional<std::string> preset; ///< supplies defaults for every key below
  std::optional<std::string> model;  ///< "detailed" or "analytic"
  std::optional<int64_t> stacks, channelsPerStack, pseudoChannels, bankGroups,
      banksPerGroup, rowBytes, busBitsPerPseudoChannel, burstLength;
  std::optional<double> clockMHz;
  std::optional<int64_t> capacityBytesPerStack;
  HbmTimingSpec timing;
  std::optional<std::string> addressMapping;
  std::optional<int64_t> interleaveBytes, queueDepth, frontendCycles;
  std::optional<std::string> scheduler;
  std::optional<std::string> refresh; ///< "per-bank" or "all-bank"
  std::optional<double> tsvBytesPerCycle;
};

struct OperatingPointSpec {
  std::optional<std::string> name;
  std::optional<double> volts, freqMHz;
};

/// `nominal` and `initial` may be written as an index or a point name.
struct PointRef {
  std::optional<int64_t> index;
  std::optional<std::string> name;
};

struct DvfsDomainSpec {
  std::optional<std::string> name;
  std::optional<std::vector<OperatingPointSpec>> points;
  PointRef nominal, initial;
  std::optional<double> transitionNs, transitionEnergyNj;
};

struct DvfsSpec {
  std::optional<std::vector<DvfsDomainSpec>> domains;
  std::optional<std::string> governor;
  std::optional<double> ondemandWindowNs, ondemandUpThreshold,
      ondemandDownThreshold;
};

struct EnergySpec {
  std::array<std::optional<double>, kNumDTypes> macPj{}; ///< by DType, I32 unset
  std::optional<double> sramReadPjPerByte, sramWritePjPerByte, vectorOpPj,
      vectorTranscendentalPj, dmaPjPerByte, nocPjPerByte, hbmActivatePj,
      hbmReadPjPerBit, hbmWritePjPerBit, hbmIoPjPerBit, tsvPjPerBit,
      hbmRefreshPj, hbmRefreshPerBankPj, coreLeakageWatts, memoryLeakageWatts;
};

struct SimulationSpec {
  std::optional<int64_t> cycleLimit;
};

struct ArchConfigSpec {
  std::optional<std::string> name;
  std::optional<int64_t> numCores;
  CoreSpec core;
  NocSpec noc;
  HbmSpec hbm;
  DvfsSpec dvfs;
  EnergySpec energy;
  SimulationSpec simulation;

  /// Location of each key's value by dotted key path as written in YAML,
  /// e.g. "hbm.channels_per_stack" or "dvfs.domains[0].points[2].volts".
  std::map<std::string, ConfigLocation> locations;
};

} // namespace strata
