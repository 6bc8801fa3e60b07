//===- HbmPresets.cpp -----------------------------------------------------===//
//
// JEDEC's HBM standards (JESD235 for HBM/HBM2/HBM2E, JESD238 for HBM3) are
// not freely available, so the array timings follow the public HBM2
// memspec of DRAMSys (configs/memspec/HBM2.json: tCK 1 ns, RCDRD 12, RP 14,
// RAS 28, RC 42, RL 17, WL 7, WR 14, RRDS 4, RRDL 6, FAW 16, RTP 5, WTRL 9,
// REFI 3900), and tRFC follows the per-die-density table of JESD235 (8 Gb
// 350 ns, 16 Gb 450 ns). Single-bank refresh (JESD235 REFSB, JESD238 REFpb):
// tRFCsb 160 ns and tRREFD 8 ns from the HBM2 and HBM3 device models of
// Ramulator 2 (src/dram/impl/HBM2.cpp, HBM3.cpp: nRFCSB 160, nRREFD 8 at a
// 1 ns tCK; DRAMSys' HBM2 memspec also has RREFD 8); the per-bank refresh
// interval is JEDEC's tREFI / banks (DRAMSys: REFISB 244 = 3900 / 16), which
// the model derives rather than holding a second key that could disagree.
// DRAM array timings in nanoseconds barely move
// between generations; what HBM2E and HBM3 change is the interface (pin
// rate, channel and pseudo-channel width, burst length) and die density.
//
//===----------------------------------------------------------------------===//
#include "HbmPresets.h"

namespace strata::archcfg {

static TimingValue ns(double v) { return {v, true}; }
static TimingValue cycles(double v) { return {v, false}; }

// Array timings shared by all presets (ns); tRFC depends on die density.
static HbmTimingSpec arrayTimings(double tRFCns) {
  HbmTimingSpec t;
  t.tRCD = ns(12);
  t.tRP = ns(14);
  t.tRAS = ns(28);
  t.tRC = ns(42);
  t.tCL = ns(17);
  t.tWL = ns(7);
  t.tWR = ns(14);
  t.tRRD_S = ns(4);
  t.tRRD_L = ns(6);
  t.tFAW = ns(16);
  t.tRTP = ns(5);
  t.tWTR = ns(9);
  t.tRFC = ns(tRFCns);
  t.tREFI = ns(3900);
  t.tRFCsb = ns(160);
  t.tRREFD = ns(8);
  return t;
}

static HbmPreset makeHbm2() {
  // JESD235A HBM2: 2.0 Gb/s per pin, 8 channels x 128 bit per stack, each in
  // pseudo-channel mode as 2 x 64 bit with BL4 (32 B per access), 16 banks
  // in 4 groups, 1 KiB pseudo-channel row; 8-high stack of 8 Gb dies.
  HbmPreset p{"hbm2", 8, 2, 4, 4, 1024, 64, 4, 1000.0, 8ull << 30, 256.0,
              arrayTimings(350)};
  p.timing.tCCD_S = cycles(2); // BL4 on a DDR bus: 2 cycles of data
  p.timing.tCCD_L = cycles(3);
  p.timing.tACT = cycles(2);   // ACT is a two-cycle row command
  return p;
}

static HbmPreset makeHbm2e() {
  // HBM2E (JESD235B/C): the HBM2 organisation at 2.4 Gb/s per pin in the
  // preset's speed bin (set clock_mhz 1600 or 1800 for 3.2 or 3.6 Gb/s
  // parts); 8-high stack of 16 Gb dies = 16 GiB.
  HbmPreset p{"hbm2e", 8, 2, 4, 4, 1024, 64, 4, 1200.0, 16ull << 30, 256.0,
              arrayTimings(450)};
  p.timing.tCCD_S = cycles(2);
  p.timing.tCCD_L = cycles(4);
  p.timing.tACT = cycles(2);
  return p;
}

static HbmPreset makeHbm3() {
  // JESD238 HBM3: 6.4 Gb/s per pin, 16 channels x 64 bit per stack, each as
  // 2 pseudo-channels x 32 bit with BL8 (32 B per access), 1 KiB row,
  // 819.2 GB/s per stack; 8-high stack of 16 Gb dies. The data clock is
  // 3.2 GHz (CK is 1.6 GHz), so CK-based timings are doubled here.
  HbmPreset p{"hbm3", 16, 2, 4, 4, 1024, 32, 8, 3200.0, 16ull << 30, 256.0,
              arrayTimings(450)};
  p.timing.tCCD_S = cycles(4); // BL8 on a DDR bus: 4 cycles of data
  p.timing.tCCD_L = cycles(8);
  p.timing.tACT = cycles(4);   // two CK cycles
  return p;
}

static const std::vector<HbmPreset> &presets() {
  static const std::vector<HbmPreset> all = {makeHbm2(), makeHbm2e(), makeHbm3()};
  return all;
}

const HbmPreset *findHbmPreset(std::string_view name) {
  for (const HbmPreset &p : presets())
    if (p.name == name)
      return &p;
  return nullptr;
}

std::vector<std::string> hbmPresetNames() {
  std::vector<std::string> names;
  for (const HbmPreset &p : presets())
    names.emplace_back(p.name);
  return names;
}

} // namespace strata::archcfg
