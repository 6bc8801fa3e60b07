//===- ArchConfig.h - Resolved architecture configuration -------*- C++ -*-===//
//
// The hardware description every part of Strata reads. Two layers, as in
// DRAMSys: ArchConfigSpec (ArchConfigSpec.h) mirrors the YAML file with
// optional fields; resolveArchConfig() validates it and fills named defaults
// into the ArchConfig below, which the simulator and compiler take by const
// reference. Nothing here is optional: every number a model needs is present.
//
// Units are in the field names: *Bytes, *Cycles (in the clock of the domain
// that owns the unit), *Ns, *MHz, *Volts, *Pj (picojoules), *Watts.
// docs/config.md lists every key, unit, default and valid range.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/target/DType.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace strata {

struct TensorCoreConfig {
  uint32_t count = 16;   ///< tensor cores per NPU core (ganged 16x1, 4x4, 1x16)
  uint32_t rows = 32;    ///< MAC-array rows (the K side of a weight tile)
  uint32_t cols = 32;    ///< MAC-array columns (the N side)
  /// MACs per cycle of one tensor core for each multiplier precision,
  /// indexed by DType (I32 unused, 0 = unsupported). Defaults: I4 4096,
  /// I8 2048, F16 1024, BF16 1024, F32 256.
  std::array<uint32_t, kNumDTypes> macsPerCycle{4096, 2048, 0, 1024, 1024, 256};
  uint32_t reconfigCycles = 64; ///< cost of a TcConfig that changes anything
  uint32_t pipelineCycles = 8;  ///< extra fill/drain latency per GEMM instruction
  uint32_t epilogueElemsPerCycle = 64; ///< output elements per cycle of the epilogue
};

struct VectorUnitConfig {
  uint32_t lanes = 64;          ///< FP32 elements per cycle for simple ops
  uint32_t startupCycles = 4;   ///< fixed latency per instruction
  uint32_t transcendentalCycles = 4; ///< cycles per lane-group for exp/rsqrt/silu/gelu
  uint32_t rowOpPasses = 3;     ///< passes over a row for softmax/norms (reduce, normalise, ...)
};

struct SramConfig {
  uint64_t sizeBytes = 8ull << 20; ///< per core
  uint32_t banks = 32;             ///< power of two
  uint32_t bankWidthBytes = 64;    ///< bytes per bank per cycle, power of two
  uint32_t accessCycles = 2;       ///< latency of an access
};

struct DmaConfig {
  uint32_t engines = 4;          ///< per core; DMAs of a queue run on free engines
  uint32_t maxOutstanding = 64;  ///< memory requests in flight per engine
  uint32_t requestBytes = 256;   ///< largest memory request a DMA issues
  uint32_t setupCycles = 16;     ///< descriptor decode before the first request
};

struct QueueConfig {
  uint32_t loadDepth = 64;    ///< entries in the load queue
  uint32_t computeDepth = 64; ///< entries in the compute queue
  uint32_t storeDepth = 64;   ///< entries in the store queue
  uint32_t dispatchCycles = 1; ///< sequencer cycles per instruction fetched
};

struct CoreConfig {
  TensorCoreConfig tensorCores;
  VectorUnitConfig vector;
  SramConfig sram;
  DmaConfig dma;
  QueueConfig queues;
};

struct NocConfig {
  double linkBytesPerCycle = 64; ///< per link, in the memory-domain clock
  uint32_t hopCycles = 4;        ///< latency per hop
  /// "crossbar": every core has one link to every HBM stack.
  /// "mesh": cores and stacks on a 2D mesh with XY routing.
  std::string topology = "crossbar";
};

/// JEDEC-style timing in memory-clock cycles (tCK = 1000 / clockMHz ns).
/// Defaults: the hbm2e preset at 1200 MHz (docs/config.md has the ns values).
struct HbmTiming {
  uint32_t tRCD = 15, tRP = 17, tRAS = 34, tRC = 51, tCL = 21, tWR = 17;
  uint32_t tCCD_S = 2, tCCD_L = 4, tRRD_S = 5, tRRD_L = 8, tFAW = 20;
  uint32_t tRTP = 6, tWTR = 11, tRFC = 540, tREFI = 4680;
  uint32_t tACT = 2; ///< cycles an ACT occupies the shared row-command bus
  uint32_t tWL = 9;  ///< write latency: WR command to first write-data beat
  /// Single-bank refresh (HBM2 REFSB, HBM3 REFpb): REFsb to ACT of the same
  /// bank, and REFsb to ACT or REFsb of another bank of the pseudo-channel.
  uint32_t tRFCsb = 192, tRREFD = 10;
};

struct HbmConfig {
  std::string preset = "hbm2e"; ///< "hbm2", "hbm2e", "hbm3" or "custom"
  /// "detailed": banks, row buffers and JEDEC timing per request.
  /// "analytic": bandwidth/latency model without per-bank state (faster).
  std::string model = "detailed";
  uint32_t stacks = 4;
  uint32_t channelsPerStack = 8;
  uint32_t pseudoChannels = 2;  ///< per channel
  uint32_t bankGroups = 4;      ///< per pseudo-channel
  uint32_t banksPerGroup = 4;
  uint32_t rowBytes = 1024;     ///< row (page) size per pseudo-channel
  uint32_t busBitsPerPseudoChannel = 64;
  uint32_t burstLength = 4;     ///< data-bus beats per column access (BL4 -> 32 B)
  /// Data clock: a pin moves 2 bits per cycle (DDR), so the pin rate is
  /// 2 x clockMHz Mb/s and timings count these cycles. For HBM2/2E it is CK;
  /// HBM3's CK runs at a quarter of the pin rate, so this is 2 x CK there.
  double clockMHz = 1200;
  uint64_t capacityBytesPerStack = 16ull << 30;
  HbmTiming timing;
  /// "interleaved": consecutive interleaveBytes go to successive channels and
  /// pseudo-channels (spreads streams). "row-major": fills a whole row of one
  /// bank before moving on (keeps streams in one row). "hashed": interleaved
  /// with the pseudo-channel and bank indices XOR-hashed with higher address
  /// bits (spreads power-of-two strides; sim/mem/AddressMapper.h).
  std::string addressMapping = "interleaved";
  uint32_t interleaveBytes = 256;
  uint32_t queueDepth = 32;      ///< request queue per pseudo-channel
  std::string scheduler = "frfcfs"; ///< "frfcfs" or "fcfs"
  /// "per-bank": each pseudo-channel refreshes its banks in turn, one REFsb
  /// every tREFI / banks, blocking only that bank for tRFCsb.
  /// "all-bank": one REF per pseudo-channel every tREFI blocks it for tRFC.
  std::string refresh = "per-bank";
  /// Controller front-end latency: a request that reaches a channel
  /// controller competes in its scheduler this many cycles later.
  uint32_t frontendCycles = 16;
  double tsvBytesPerCycle = 256; ///< per stack, in the memory clock: TSV/IO ceiling

  uint64_t totalCapacityBytes() const { return capacityBytesPerStack * stacks; }
  uint32_t banksPerPseudoChannel() const { return bankGroups * banksPerGroup; }
  bool perBankRefresh() const { return refresh == "per-bank"; }
  /// Peak data bandwidth in bytes/s across all stacks (before the TSV ceiling).
  double peakBytesPerSecond() const {
    return double(stacks) * channelsPerStack * pseudoChannels *
           (busBitsPerPseudoChannel / 8.0) * 2.0 * clockMHz * 1e6;
  }
};

struct OperatingPoint {
  std::string name;
  double volts = 0;
  double freqMHz = 0;
};

/// A clock/voltage domain. Domain "core" is instantiated once per NPU core
/// (core0, core1, ...); the others once per chip.
struct DvfsDomainConfig {
  std::string name;                    ///< "core", "memory", ...
  std::vector<OperatingPoint> points;  ///< ascending frequency, volts non-decreasing
  uint32_t nominal = 0;                ///< index of the point the energy table is for
  uint32_t initial = 0;                ///< index at reset
  double transitionNs = 1000;          ///< clock stalls for this long on a change
  double transitionEnergyNj = 100;     ///< energy per change
};

/// The default domain table (configs/npu-default.yaml): "core" with four
/// points, nominal 0.9 V / 1 GHz (the voltage the default energy table's
/// logic numbers were measured at, docs/power.md); "memory" (HBM and NoC
/// clock) scaling the frequency at the fixed HBM supply of 1.2 V, nominal
/// 1.2 GHz.
inline std::vector<DvfsDomainConfig> defaultDvfsDomains() {
  DvfsDomainConfig core;
  core.name = "core";
  core.points = {{"low", 0.7, 600}, {"mid", 0.8, 800},
                 {"nominal", 0.9, 1000}, {"turbo", 1.0, 1200}};
  core.nominal = core.initial = 2;
  DvfsDomainConfig memory;
  memory.name = "memory";
  memory.points = {{"low", 1.2, 800}, {"mid", 1.2, 1000}, {"nominal", 1.2, 1200}};
  memory.nominal = memory.initial = 2;
  return {core, memory};
}

struct DvfsConfig {
  std::vector<DvfsDomainConfig> domains = defaultDvfsDomains();
  std::string governor = "fixed";   ///< "fixed", "ondemand" or "hinted"
  double ondemandWindowNs = 10000;  ///< utilisation sampling window
  double ondemandUpThreshold = 0.8; ///< raise a level when utilisation is above
  double ondemandDownThreshold = 0.3; ///< lower a level when utilisation is below
};

/// Energy per event at the nominal operating point; dynamic energy scales
/// with (V/Vnom)^2, leakage power with V/Vnom. Sources in docs/power.md.
struct EnergyConfig {
  /// Per MAC, by multiplier precision (I4 I8 I32 F16 BF16 F32; I32 unused).
  std::array<double, kNumDTypes> macPj{0.15, 0.3, 0, 2.0, 1.5, 4.6};
  double sramReadPjPerByte = 2.5;
  double sramWritePjPerByte = 2.5;
  double vectorOpPj = 0.9;      ///< per element operation
  double vectorTranscendentalPj = 9.2; ///< per element of exp/rsqrt/silu/gelu
  double dmaPjPerByte = 0.5;
  double nocPjPerByte = 2.0;
  double hbmActivatePj = 909;    ///< per ACT (+ its PRE)
  double hbmReadPjPerBit = 1.51; ///< array to global sense amps
  double hbmWritePjPerBit = 1.51;
  double hbmIoPjPerBit = 0.8;    ///< PHY/IO
  double tsvPjPerBit = 1.17;     ///< global data bus and TSVs
  double hbmRefreshPj = 52650;   ///< per all-bank REF of one pseudo-channel
  double hbmRefreshPerBankPj = 3290.625; ///< per single-bank REFsb (hbm.refresh per-bank)
  double coreLeakageWatts = 0.5;  ///< per NPU core at nominal voltage
  double memoryLeakageWatts = 0.38; ///< per HBM stack at nominal voltage
};

struct SimulationConfig {
  uint64_t cycleLimit = 1ull << 40; ///< fault when a run exceeds this many core cycles
};

struct ArchConfig {
  std::string name = "npu-default";
  uint32_t numCores = 8;
  CoreConfig core;
  NocConfig noc;
  HbmConfig hbm;
  DvfsConfig dvfs;
  EnergyConfig energy;
  SimulationConfig simulation;

  /// The domain named `name`, or nullptr.
  const DvfsDomainConfig *findDomain(const std::string &name) const;
};

} // namespace strata
