//===- HbmPresets.h - JEDEC-derived HBM device presets ----------*- C++ -*-===//
//
// A preset is the device part of an HbmConfig: organisation, data clock,
// capacity, TSV ceiling and timings. Array timings are kept in nanoseconds
// so they stay right when a config overrides the clock; command-bus timings
// (tCCD_S, tCCD_L, tACT) are in clock cycles, as JEDEC states them.
// docs/config.md lists the numbers and their sources.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/target/ArchConfig.h"
#include "strata/target/ArchConfigSpec.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace strata::archcfg {

struct HbmPreset {
  std::string_view name;
  uint32_t channelsPerStack;
  uint32_t pseudoChannels;
  uint32_t bankGroups;
  uint32_t banksPerGroup;
  uint32_t rowBytes;
  uint32_t busBitsPerPseudoChannel;
  uint32_t burstLength;
  double clockMHz;
  uint64_t capacityBytesPerStack;
  double tsvBytesPerCycle;
  HbmTimingSpec timing; ///< every field set
};

/// nullptr for an unknown name (and for "custom", which has no defaults).
const HbmPreset *findHbmPreset(std::string_view name);

/// "hbm2", "hbm2e", "hbm3".
std::vector<std::string> hbmPresetNames();

/// One HBM timing parameter: its key and where it lives in the spec and the
/// resolved config. Shared by the parser, the resolver and the printer so the
/// three cannot drift apart.
struct TimingField {
  const char *key;
  std::optional<TimingValue> HbmTimingSpec::*spec;
  uint32_t HbmTiming::*config;
};
inline constexpr TimingField kTimingFields[] = {
    {"tRCD", &HbmTimingSpec::tRCD, &HbmTiming::tRCD},
    {"tRP", &HbmTimingSpec::tRP, &HbmTiming::tRP},
    {"tRAS", &HbmTimingSpec::tRAS, &HbmTiming::tRAS},
    {"tRC", &HbmTimingSpec::tRC, &HbmTiming::tRC},
    {"tCL", &HbmTimingSpec::tCL, &HbmTiming::tCL},
    {"tWL", &HbmTimingSpec::tWL, &HbmTiming::tWL},
    {"tWR", &HbmTimingSpec::tWR, &HbmTiming::tWR},
    {"tCCD_S", &HbmTimingSpec::tCCD_S, &HbmTiming::tCCD_S},
    {"tCCD_L", &HbmTimingSpec::tCCD_L, &HbmTiming::tCCD_L},
    {"tRRD_S", &HbmTimingSpec::tRRD_S, &HbmTiming::tRRD_S},
    {"tRRD_L", &HbmTimingSpec::tRRD_L, &HbmTiming::tRRD_L},
    {"tFAW", &HbmTimingSpec::tFAW, &HbmTiming::tFAW},
    {"tRTP", &HbmTimingSpec::tRTP, &HbmTiming::tRTP},
    {"tWTR", &HbmTimingSpec::tWTR, &HbmTiming::tWTR},
    {"tRFC", &HbmTimingSpec::tRFC, &HbmTiming::tRFC},
    {"tREFI", &HbmTimingSpec::tREFI, &HbmTiming::tREFI},
    {"tACT", &HbmTimingSpec::tACT, &HbmTiming::tACT},
    {"tRFCsb", &HbmTimingSpec::tRFCsb, &HbmTiming::tRFCsb},
    {"tRREFD", &HbmTimingSpec::tRREFD, &HbmTiming::tRREFD},
};

} // namespace strata::archcfg
