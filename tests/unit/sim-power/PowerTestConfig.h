//===- PowerTestConfig.h - A small arch config for DVFS/power tests -*- C++ -*-===//
//
// Round numbers so every expectation can be written in closed form:
//   core:   0.6 V / 500 MHz, 0.8 V / 1000 MHz, 1.0 V / 2000 MHz (nominal and
//           initial level 2), transitions 100 ns and 50 nJ.
//   memory: 0.9 V / 600 MHz, 1.2 V / 1200 MHz (nominal and initial level 1),
//           transitions 200 ns and 20 nJ.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/target/ArchConfig.h"

namespace strata::test {

inline ArchConfig powerTestConfig(uint32_t numCores = 2) {
  ArchConfig a;
  a.numCores = numCores;
  a.hbm.stacks = 2;

  DvfsDomainConfig core;
  core.name = "core";
  core.points = {{"low", 0.6, 500}, {"mid", 0.8, 1000}, {"high", 1.0, 2000}};
  core.nominal = 2;
  core.initial = 2;
  core.transitionNs = 100;
  core.transitionEnergyNj = 50;

  DvfsDomainConfig memory;
  memory.name = "memory";
  memory.points = {{"low", 0.9, 600}, {"high", 1.2, 1200}};
  memory.nominal = 1;
  memory.initial = 1;
  memory.transitionNs = 200;
  memory.transitionEnergyNj = 20;

  a.dvfs.domains = {core, memory};
  a.dvfs.governor = "fixed";
  a.dvfs.ondemandWindowNs = 1000;
  a.dvfs.ondemandUpThreshold = 0.8;
  a.dvfs.ondemandDownThreshold = 0.3;

  EnergyConfig &e = a.energy;
  e.macPj = {0.1, 0.2, 0.0, 0.8, 0.7, 3.0}; // I4 I8 I32 F16 BF16 F32
  e.sramReadPjPerByte = 1.5;
  e.sramWritePjPerByte = 2.0;
  e.vectorOpPj = 0.5;
  e.vectorTranscendentalPj = 4.0;
  e.dmaPjPerByte = 0.25;
  e.nocPjPerByte = 1.0;
  e.hbmActivatePj = 900;
  e.hbmReadPjPerBit = 1.5;
  e.hbmWritePjPerBit = 1.6;
  e.hbmIoPjPerBit = 0.8;
  e.tsvPjPerBit = 0.1;
  e.hbmRefreshPj = 20000;
  e.hbmRefreshPerBankPj = 1250;
  e.coreLeakageWatts = 2.0;
  e.memoryLeakageWatts = 1.5; // per stack
  return a;
}

} // namespace strata::test
