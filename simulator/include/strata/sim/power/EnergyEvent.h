//===- EnergyEvent.h - Kinds of energy-consuming events ---------*- C++ -*-===//
//
// Every dynamic-energy event a unit can report to the PowerMonitor, and its
// price at the nominal operating point from EnergyConfig. Counts are in the
// unit named by energyEventUnit(): MACs, bytes, element ops, bits, commands.
//
// Usage:
//   power.add(tensorUnit, macEvent(DType::I8), macs, startNs, endNs);
//   power.add(hbmUnit, EnergyEvent::HbmReadBit, bytes * 8, startNs, endNs);
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/target/ArchConfig.h"
#include "strata/target/DType.h"

#include <array>
#include <cstdint>

namespace strata::sim {

enum class EnergyEvent : uint8_t {
  // One MAC, by multiplier precision; the values equal the DType values.
  MacI4 = 0,
  MacI8 = 1,
  MacI32 = 2, ///< no tensor core multiplies I32; priced by macPj[I32] if set
  MacF16 = 3,
  MacBF16 = 4,
  MacF32 = 5,
  SramReadByte,         ///< scratchpad byte read
  SramWriteByte,        ///< scratchpad byte written
  VectorOp,             ///< vector-unit element operation (add, mul, max, ...)
  VectorTranscendental, ///< element of exp / rsqrt / silu / gelu
  DmaByte,              ///< byte moved by a DMA engine
  NocByte,              ///< byte crossing the on-chip network
  HbmActivate,          ///< ACT (with its PRE)
  HbmReadBit,           ///< bit read from the DRAM array (array + periphery)
  HbmWriteBit,          ///< bit written to the DRAM array
  HbmIoBit,             ///< bit across the HBM PHY / IO
  TsvBit,               ///< bit through the TSVs
  HbmRefresh,           ///< REF command: all-bank, or REFsb with hbm.refresh per-bank
};
inline constexpr unsigned kNumEnergyEvents = unsigned(EnergyEvent::HbmRefresh) + 1;

constexpr EnergyEvent macEvent(DType multiplier) { return EnergyEvent(uint8_t(multiplier)); }

/// Stat-friendly name: "mac_i8", "sram_read", "hbm_activate", ...
const char *energyEventName(EnergyEvent e);
/// Unit of the count: "MACs", "bytes", "ops", "bits", "commands".
const char *energyEventUnit(EnergyEvent e);

/// pJ per event at the nominal operating point, indexed by EnergyEvent.
std::array<double, kNumEnergyEvents> energyTablePj(const EnergyConfig &energy);
/// The same, with the refresh price of the configured refresh kind: a
/// memory system issues only one kind, so HbmRefresh costs hbm_refresh_pj
/// (all-bank) or hbm_refresh_per_bank_pj (per-bank).
std::array<double, kNumEnergyEvents> energyTablePj(const ArchConfig &arch);

} // namespace strata::sim
