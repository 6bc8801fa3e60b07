//===- ArchConfigDerived.cpp - Figures computed from a resolved config ----===//
#include "strata/target/ArchConfigIO.h"

#include <algorithm>
#include <cassert>

namespace strata {

const DvfsDomainConfig *ArchConfig::findDomain(const std::string &name) const {
  for (const DvfsDomainConfig &d : dvfs.domains)
    if (d.name == name)
      return &d;
  return nullptr;
}

const OperatingPoint &nominalPoint(const ArchConfig &config, const std::string &domain) {
  const DvfsDomainConfig *d = config.findDomain(domain);
  assert(d && !d->points.empty() && "nominalPoint of a missing or empty domain");
  return d->points[d->nominal];
}

double nominalCoreMHz(const ArchConfig &config) {
  return nominalPoint(config, "core").freqMHz;
}

double peakMacsPerSecond(const ArchConfig &config, DType precision) {
  const TensorCoreConfig &tc = config.core.tensorCores;
  return double(config.numCores) * tc.count * tc.macsPerCycle[size_t(precision)] *
         nominalCoreMHz(config) * 1e6;
}

double peakTops(const ArchConfig &config, DType precision) {
  return 2.0 * peakMacsPerSecond(config, precision) / 1e12;
}

double tsvBytesPerSecond(const ArchConfig &config) {
  return double(config.hbm.stacks) * config.hbm.tsvBytesPerCycle * config.hbm.clockMHz * 1e6;
}

double peakHbmBytesPerSecond(const ArchConfig &config) {
  return std::min(config.hbm.peakBytesPerSecond(), tsvBytesPerSecond(config));
}

uint64_t totalSramBytes(const ArchConfig &config) {
  return uint64_t(config.numCores) * config.core.sram.sizeBytes;
}

//===--- equality ---------------------------------------------------------===//

static bool operator==(const TensorCoreConfig &a, const TensorCoreConfig &b) {
  return a.count == b.count && a.rows == b.rows && a.cols == b.cols &&
         a.macsPerCycle == b.macsPerCycle && a.reconfigCycles == b.reconfigCycles &&
         a.pipelineCycles == b.pipelineCycles &&
         a.epilogueElemsPerCycle == b.epilogueElemsPerCycle;
}
static bool operator==(const VectorUnitConfig &a, const VectorUnitConfig &b) {
  return a.lanes == b.lanes && a.startupCycles == b.startupCycles &&
         a.transcendentalCycles == b.transcendentalCycles && a.rowOpPasses == b.rowOpPasses;
}
static bool operator==(const SramConfig &a, const SramConfig &b) {
  return a.sizeBytes == b.sizeBytes && a.banks == b.banks &&
         a.bankWidthBytes == b.bankWidthBytes && a.accessCycles == b.accessCycles;
}
static bool operator==(const DmaConfig &a, const DmaConfig &b) {
  return a.engines == b.engines && a.maxOutstanding == b.maxOutstanding &&
         a.requestBytes == b.requestBytes && a.setupCycles == b.setupCycles;
}
static bool operator==(const QueueConfig &a, const QueueConfig &b) {
  return a.loadDepth == b.loadDepth && a.computeDepth == b.computeDepth &&
         a.storeDepth == b.storeDepth && a.dispatchCycles == b.dispatchCycles;
}
static bool operator==(const CoreConfig &a, const CoreConfig &b) {
  return a.tensorCores == b.tensorCores && a.vector == b.vector && a.sram == b.sram &&
         a.dma == b.dma && a.queues == b.queues;
}
static bool operator==(const NocConfig &a, const NocConfig &b) {
  return a.linkBytesPerCycle == b.linkBytesPerCycle && a.hopCycles == b.hopCycles &&
         a.topology == b.topology;
}
static bool operator==(const HbmTiming &a, const HbmTiming &b) {
  return a.tRCD == b.tRCD && a.tRP == b.tRP && a.tRAS == b.tRAS && a.tRC == b.tRC &&
         a.tCL == b.tCL && a.tWR == b.tWR && a.tCCD_S == b.tCCD_S && a.tCCD_L == b.tCCD_L &&
         a.tRRD_S == b.tRRD_S && a.tRRD_L == b.tRRD_L && a.tFAW == b.tFAW &&
         a.tRTP == b.tRTP && a.tWTR == b.tWTR && a.tRFC == b.tRFC && a.tREFI == b.tREFI &&
         a.tACT == b.tACT && a.tWL == b.tWL && a.tRFCsb == b.tRFCsb && a.tRREFD == b.tRREFD;
}
static bool operator==(const HbmConfig &a, const HbmConfig &b) {
  return a.preset == b.preset && a.model == b.model && a.stacks == b.stacks &&
         a.channelsPerStack == b.channelsPerStack && a.pseudoChannels == b.pseudoChannels &&
         a.bankGroups == b.bankGroups && a.banksPerGroup == b.banksPerGroup &&
         a.rowBytes == b.rowBytes && a.busBitsPerPseudoChannel == b.busBitsPerPseudoChannel &&
         a.burstLength == b.burstLength && a.clockMHz == b.clockMHz &&
         a.capacityBytesPerStack == b.capacityBytesPerStack && a.timing == b.timing &&
         a.addressMapping == b.addressMapping && a.interleaveBytes == b.interleaveBytes &&
         a.queueDepth == b.queueDepth && a.frontendCycles == b.frontendCycles &&
         a.scheduler == b.scheduler && a.refresh == b.refresh &&
         a.tsvBytesPerCycle == b.tsvBytesPerCycle;
}
static bool operator==(const OperatingPoint &a, const OperatingPoint &b) {
  return a.name == b.name && a.volts == b.volts && a.freqMHz == b.freqMHz;
}
static bool operator==(const DvfsDomainConfig &a, const DvfsDomainConfig &b) {
  return a.name == b.name && a.points == b.points && a.nominal == b.nominal &&
         a.initial == b.initial && a.transitionNs == b.transitionNs &&
         a.transitionEnergyNj == b.transitionEnergyNj;
}
static bool operator==(const DvfsConfig &a, const DvfsConfig &b) {
  return a.domains == b.domains && a.governor == b.governor &&
         a.ondemandWindowNs == b.ondemandWindowNs &&
         a.ondemandUpThreshold == b.ondemandUpThreshold &&
         a.ondemandDownThreshold == b.ondemandDownThreshold;
}
static bool operator==(const EnergyConfig &a, const EnergyConfig &b) {
  return a.macPj == b.macPj && a.sramReadPjPerByte == b.sramReadPjPerByte &&
         a.sramWritePjPerByte == b.sramWritePjPerByte && a.vectorOpPj == b.vectorOpPj &&
         a.vectorTranscendentalPj == b.vectorTranscendentalPj &&
         a.dmaPjPerByte == b.dmaPjPerByte && a.nocPjPerByte == b.nocPjPerByte &&
         a.hbmActivatePj == b.hbmActivatePj && a.hbmReadPjPerBit == b.hbmReadPjPerBit &&
         a.hbmWritePjPerBit == b.hbmWritePjPerBit && a.hbmIoPjPerBit == b.hbmIoPjPerBit &&
         a.tsvPjPerBit == b.tsvPjPerBit && a.hbmRefreshPj == b.hbmRefreshPj &&
         a.hbmRefreshPerBankPj == b.hbmRefreshPerBankPj &&
         a.coreLeakageWatts == b.coreLeakageWatts &&
         a.memoryLeakageWatts == b.memoryLeakageWatts;
}

bool operator==(const ArchConfig &a, const ArchConfig &b) {
  return a.name == b.name && a.numCores == b.numCores && a.core == b.core &&
         a.noc == b.noc && a.hbm == b.hbm && a.dvfs == b.dvfs && a.energy == b.energy &&
         a.simulation.cycleLimit == b.simulation.cycleLimit;
}

} // namespace strata
