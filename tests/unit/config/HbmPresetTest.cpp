//===- HbmPresetTest.cpp - HBM presets and overrides ----------------------===//
#include "ConfigTestUtil.h"

using namespace strata;
using namespace strata::test;
using ::testing::HasSubstr;

TEST(HbmPresets, Hbm2) {
  ArchConfig c = resolveOk("hbm: {preset: hbm2, stacks: 1}\n");
  const HbmConfig &h = c.hbm;
  EXPECT_EQ(h.preset, "hbm2");
  EXPECT_EQ(h.channelsPerStack, 8u);
  EXPECT_EQ(h.pseudoChannels, 2u);
  EXPECT_EQ(h.busBitsPerPseudoChannel, 64u);
  EXPECT_EQ(h.burstLength, 4u);
  EXPECT_EQ(h.bankGroups * h.banksPerGroup, 16u);
  EXPECT_EQ(h.rowBytes, 1024u);
  EXPECT_EQ(h.capacityBytesPerStack, 8ull << 30);
  EXPECT_DOUBLE_EQ(h.clockMHz, 1000);
  // 2.0 Gb/s x 1024 pins / 8 = 256 GB/s per stack.
  EXPECT_DOUBLE_EQ(h.peakBytesPerSecond(), 256e9);
  // At tCK = 1 ns, cycles equal the preset's nanoseconds.
  EXPECT_EQ(h.timing.tRCD, 12u);
  EXPECT_EQ(h.timing.tRP, 14u);
  EXPECT_EQ(h.timing.tRAS, 28u);
  EXPECT_EQ(h.timing.tRC, 42u);
  EXPECT_EQ(h.timing.tRFC, 350u);
  EXPECT_EQ(h.timing.tREFI, 3900u);
  EXPECT_EQ(h.timing.tCCD_L, 3u);
  EXPECT_EQ(h.timing.tWL, 7u);
  // The default memory domain follows the preset's clock.
  EXPECT_DOUBLE_EQ(nominalPoint(c, "memory").freqMHz, 1000);
}

TEST(HbmPresets, Hbm2eIsTheDefault) {
  ArchConfig c = resolveOk("hbm: {preset: hbm2e}\n");
  EXPECT_TRUE(c == ArchConfig{});
}

TEST(HbmPresets, Hbm3) {
  ArchConfig c = resolveOk("hbm: {preset: hbm3, stacks: 1}\n");
  const HbmConfig &h = c.hbm;
  EXPECT_EQ(h.channelsPerStack, 16u);
  EXPECT_EQ(h.pseudoChannels, 2u);
  EXPECT_EQ(h.busBitsPerPseudoChannel, 32u);
  EXPECT_EQ(h.burstLength, 8u);
  EXPECT_DOUBLE_EQ(h.clockMHz, 3200);
  // JESD238: 6.4 Gb/s x 1024 pins = 819.2 GB/s per stack.
  EXPECT_DOUBLE_EQ(h.peakBytesPerSecond(), 819.2e9);
  EXPECT_DOUBLE_EQ(peakHbmBytesPerSecond(c), 819.2e9);
  EXPECT_EQ(h.timing.tCCD_S, 4u);           // BL8 holds the bus 4 cycles
  EXPECT_EQ(h.timing.tRCD, 39u);            // ceil(12 ns x 3.2 GHz = 38.4)
  EXPECT_EQ(h.timing.tREFI, 12480u);        // 3.9 us
  EXPECT_EQ(h.timing.tWL, 23u);             // ceil(7 ns x 3.2 GHz = 22.4)
  EXPECT_GE(h.timing.tRC, h.timing.tRAS + h.timing.tRP);
}

TEST(HbmPresets, ClockOverrideRescalesNanosecondTimings) {
  ArchConfig c = resolveOk("hbm: {clock_mhz: 1600}\n");
  const HbmConfig &h = c.hbm;
  EXPECT_EQ(h.preset, "hbm2e");
  EXPECT_DOUBLE_EQ(h.peakBytesPerSecond(), 1638.4e9); // 3.2 Gb/s, 4 stacks
  EXPECT_EQ(h.timing.tRCD, 20u);   // ceil(12 x 1.6 = 19.2)
  EXPECT_EQ(h.timing.tREFI, 6240u);
  EXPECT_EQ(h.timing.tCCD_S, 2u);  // cycle-based timings stay
  EXPECT_DOUBLE_EQ(nominalPoint(c, "memory").freqMHz, 1600);
  EXPECT_DOUBLE_EQ(c.findDomain("memory")->points[0].freqMHz, 1600.0 * 800 / 1200);
}

TEST(HbmPresets, ExplicitKeysOverrideThePreset) {
  ArchConfig c = resolveOk("hbm:\n  preset: hbm3\n  stacks: 2\n  timing:\n"
                           "    tRCD: 40\n    tRFC: 0.5us\n    tRP: 15ns\n");
  const HbmConfig &h = c.hbm;
  EXPECT_EQ(h.stacks, 2u);
  EXPECT_EQ(h.channelsPerStack, 16u);
  EXPECT_EQ(h.timing.tRCD, 40u);
  EXPECT_EQ(h.timing.tRFC, 1600u); // 500 ns x 3.2 GHz
  EXPECT_EQ(h.timing.tRP, 48u);    // 15 ns x 3.2 GHz
  EXPECT_EQ(h.timing.tRAS, 90u);   // ceil(28 x 3.2 = 89.6), from the preset
}

TEST(HbmPresets, PresetRoundingNeverBreaksTrcInvariant) {
  // At 1.3 GHz: tRAS ceil(36.4) = 37, tRP ceil(18.2) = 19, tRC ceil(54.6) = 55.
  ArchConfig c = resolveOk("hbm: {clock_mhz: 1300}\ndvfs: {governor: fixed}\n");
  EXPECT_EQ(c.hbm.timing.tRAS, 37u);
  EXPECT_EQ(c.hbm.timing.tRP, 19u);
  EXPECT_EQ(c.hbm.timing.tRC, 56u);
}

TEST(HbmPresets, CustomWithEveryKey) {
  ArchConfig c = resolveOk(R"(
hbm:
  preset: custom
  stacks: 2
  channels_per_stack: 4
  pseudo_channels: 1
  bank_groups: 2
  banks_per_group: 8
  row_bytes: 2KiB
  bus_bits_per_pseudo_channel: 128
  burst_length: 2
  clock_mhz: 500
  capacity_bytes_per_stack: 4GiB
  tsv_bytes_per_cycle: 100
  timing: {tRCD: 7, tRP: 7, tRAS: 17, tRC: 24, tCL: 7, tWR: 8, tCCD_S: 1, tCCD_L: 2,
           tRRD_S: 2, tRRD_L: 3, tFAW: 10, tRTP: 3, tWTR: 4, tRFC: 130, tREFI: 1950, tACT: 1,
           tWL: 4, tRFCsb: 80, tRREFD: 4}
dvfs:
  domains:
    - {name: core, nominal: 0, points: [{name: only, volts: 0.9, freq_mhz: 1000}]}
)");
  EXPECT_EQ(c.hbm.preset, "custom");
  EXPECT_EQ(c.hbm.timing.tRFCsb, 80u);
  EXPECT_EQ(c.hbm.timing.tRREFD, 4u);
  EXPECT_EQ(c.hbm.rowBytes, 2048u);
  // 2 stacks x 4 ch x 16 B x 2 x 0.5 GHz = 128 GB/s; TSV 2 x 100 B x 0.5 GHz = 100 GB/s.
  EXPECT_DOUBLE_EQ(c.hbm.peakBytesPerSecond(), 128e9);
  EXPECT_DOUBLE_EQ(peakHbmBytesPerSecond(c), 100e9);
  EXPECT_EQ(c.dvfs.domains.size(), 1u);
  std::string yaml = archConfigToYaml(c);
  Expected<ArchConfig> again = parseArchConfig(yaml, "canonical.yaml");
  ASSERT_TRUE(again.isOk()) << again.message();
  EXPECT_TRUE(*again == c);
}

TEST(HbmPresets, PerBankRefreshIsTheDefaultWithSourcedTimings) {
  // tRFCsb 160 ns and tRREFD 8 ns in every preset (docs/config.md), rounded
  // up to each preset's data clock.
  struct Case {
    const char *preset;
    uint32_t tRFCsb, tRREFD;
  } cases[] = {{"hbm2", 160, 8}, {"hbm2e", 192, 10}, {"hbm3", 512, 26}};
  for (const Case &k : cases) {
    ArchConfig c = resolveOk(std::string("hbm: {preset: ") + k.preset + "}\n");
    EXPECT_EQ(c.hbm.refresh, "per-bank") << k.preset;
    EXPECT_TRUE(c.hbm.perBankRefresh()) << k.preset;
    EXPECT_EQ(c.hbm.timing.tRFCsb, k.tRFCsb) << k.preset;
    EXPECT_EQ(c.hbm.timing.tRREFD, k.tRREFD) << k.preset;
    // Each REFsb fits its turn: tRFCsb < tREFI / banks.
    EXPECT_LT(c.hbm.timing.tRFCsb, c.hbm.timing.tREFI / c.hbm.banksPerPseudoChannel());
  }
  ArchConfig d = resolveOk("{}\n");
  EXPECT_DOUBLE_EQ(d.energy.hbmRefreshPerBankPj, d.energy.hbmRefreshPj / 16);
  Expected<ArchConfig> again = parseArchConfig(archConfigToYaml(d), "canonical.yaml");
  ASSERT_TRUE(again.isOk()) << again.message();
  EXPECT_TRUE(*again == d);
}

TEST(HbmPresets, RefreshKeysRoundTripThroughYaml) {
  ArchConfig c = resolveOk("hbm:\n  refresh: all-bank\n  timing: {tRFCsb: 20ns, tRREFD: 12}\n"
                           "energy: {hbm_refresh_per_bank_pj: 1234.5}\n");
  EXPECT_EQ(c.hbm.refresh, "all-bank");
  EXPECT_FALSE(c.hbm.perBankRefresh());
  EXPECT_EQ(c.hbm.timing.tRFCsb, 24u); // 20 ns x 1.2 GHz
  EXPECT_EQ(c.hbm.timing.tRREFD, 12u);
  EXPECT_DOUBLE_EQ(c.energy.hbmRefreshPerBankPj, 1234.5);
  std::string yaml = archConfigToYaml(c);
  EXPECT_THAT(yaml, HasSubstr("refresh: all-bank"));
  EXPECT_THAT(yaml, HasSubstr("tRFCsb: 24"));
  EXPECT_THAT(yaml, HasSubstr("hbm_refresh_per_bank_pj: 1234.5"));
  Expected<ArchConfig> again = parseArchConfig(yaml, "canonical.yaml");
  ASSERT_TRUE(again.isOk()) << again.message();
  EXPECT_TRUE(*again == c);
  // Each new key takes part in equality.
  ArchConfig other = c;
  other.hbm.refresh = "per-bank";
  EXPECT_FALSE(other == c);
  other = c;
  other.hbm.timing.tRREFD = 13;
  EXPECT_FALSE(other == c);
  other = c;
  other.hbm.timing.tRFCsb = 25;
  EXPECT_FALSE(other == c);
  other = c;
  other.energy.hbmRefreshPerBankPj = 1;
  EXPECT_FALSE(other == c);
}
