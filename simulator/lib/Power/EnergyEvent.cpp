//===- EnergyEvent.cpp ----------------------------------------------------===//
#include "strata/sim/power/EnergyEvent.h"

namespace strata::sim {

namespace {
struct Info {
  const char *name;
  const char *unit;
};
constexpr Info kInfo[kNumEnergyEvents] = {
    {"mac_i4", "MACs"},
    {"mac_i8", "MACs"},
    {"mac_i32", "MACs"},
    {"mac_f16", "MACs"},
    {"mac_bf16", "MACs"},
    {"mac_f32", "MACs"},
    {"sram_read", "bytes"},
    {"sram_write", "bytes"},
    {"vector_op", "ops"},
    {"vector_transcendental", "ops"},
    {"dma", "bytes"},
    {"noc", "bytes"},
    {"hbm_activate", "commands"},
    {"hbm_read", "bits"},
    {"hbm_write", "bits"},
    {"hbm_io", "bits"},
    {"tsv", "bits"},
    {"hbm_refresh", "commands"},
};
} // namespace

const char *energyEventName(EnergyEvent e) { return kInfo[unsigned(e)].name; }
const char *energyEventUnit(EnergyEvent e) { return kInfo[unsigned(e)].unit; }

std::array<double, kNumEnergyEvents> energyTablePj(const EnergyConfig &energy) {
  std::array<double, kNumEnergyEvents> t{};
  for (unsigned i = 0; i < kNumDTypes; ++i)
    t[i] = energy.macPj[i];
  t[unsigned(EnergyEvent::SramReadByte)] = energy.sramReadPjPerByte;
  t[unsigned(EnergyEvent::SramWriteByte)] = energy.sramWritePjPerByte;
  t[unsigned(EnergyEvent::VectorOp)] = energy.vectorOpPj;
  t[unsigned(EnergyEvent::VectorTranscendental)] = energy.vectorTranscendentalPj;
  t[unsigned(EnergyEvent::DmaByte)] = energy.dmaPjPerByte;
  t[unsigned(EnergyEvent::NocByte)] = energy.nocPjPerByte;
  t[unsigned(EnergyEvent::HbmActivate)] = energy.hbmActivatePj;
  t[unsigned(EnergyEvent::HbmReadBit)] = energy.hbmReadPjPerBit;
  t[unsigned(EnergyEvent::HbmWriteBit)] = energy.hbmWritePjPerBit;
  t[unsigned(EnergyEvent::HbmIoBit)] = energy.hbmIoPjPerBit;
  t[unsigned(EnergyEvent::TsvBit)] = energy.tsvPjPerBit;
  t[unsigned(EnergyEvent::HbmRefresh)] = energy.hbmRefreshPj;
  return t;
}

std::array<double, kNumEnergyEvents> energyTablePj(const ArchConfig &arch) {
  std::array<double, kNumEnergyEvents> t = energyTablePj(arch.energy);
  if (arch.hbm.perBankRefresh())
    t[unsigned(EnergyEvent::HbmRefresh)] = arch.energy.hbmRefreshPerBankPj;
  return t;
}

} // namespace strata::sim
