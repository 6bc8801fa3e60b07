//===- ConfigErrorTest.cpp - Every class of bad config and its message ----===//
#include "ConfigTestUtil.h"

using namespace strata;
using namespace strata::test;
using ::testing::HasSubstr;
using ::testing::StartsWith;

//===--- values out of range ------------------------------------------------===//

TEST(ArchConfigErrors, NegativeCountNamesFileLineColumnAndKey) {
  EXPECT_EQ(resolveError("hbm:\n  channels_per_stack: -3\n"),
            "t.yaml:2:23: hbm.channels_per_stack: must be a power of two, got -3");
  EXPECT_EQ(resolveError("hbm:\n  stacks: -3\n"),
            "t.yaml:2:11: hbm.stacks: must be a positive integer, got -3");
}

TEST(ArchConfigErrors, ZeroAndNegativeSizes) {
  EXPECT_EQ(resolveError("core:\n  sram:\n    size_bytes: 0\n"),
            "t.yaml:3:17: core.sram.size_bytes: must be a positive integer, got 0");
  EXPECT_THAT(resolveError("num_cores: 0\n"),
              HasSubstr("num_cores: must be a positive integer, got 0"));
  EXPECT_THAT(resolveError("core: {dma: {engines: -1}}\n"),
              HasSubstr("core.dma.engines: must be a positive integer, got -1"));
  EXPECT_THAT(resolveError("core: {sram: {size_bytes: -2MiB}}\n"),
              HasSubstr("core.sram.size_bytes: must be a positive size, got -2MiB"));
  EXPECT_THAT(resolveError("hbm: {clock_mhz: 0}\n"),
              HasSubstr("hbm.clock_mhz: must be a positive number, got 0"));
  EXPECT_THAT(resolveError("energy: {noc_pj_per_byte: -0.5}\n"),
              HasSubstr("energy.noc_pj_per_byte: must not be negative, got -0.5"));
  EXPECT_THAT(resolveError("hbm: {frontend_cycles: 0}\n"),
              HasSubstr("hbm.frontend_cycles: must be a positive integer, got 0"));
  EXPECT_THAT(resolveError("simulation: {cycle_limit: 0}\n"),
              HasSubstr("simulation.cycle_limit: must be a positive integer, got 0"));
}

TEST(ArchConfigErrors, UpperLimits) {
  EXPECT_THAT(resolveError("num_cores: 300\n"),
              HasSubstr("num_cores: must be at most 255, got 300"));
  EXPECT_THAT(resolveError("core: {sram: {size_bytes: 256MiB}}\n"),
              HasSubstr("core.sram.size_bytes: must be at most 134217728, got 268435456"));
  EXPECT_THAT(resolveError("core: {vector: {lanes: 5000000000}}\n"),
              HasSubstr("core.vector.lanes: must be at most 4294967295"));
  EXPECT_THAT(resolveError("hbm: {stacks: 99999999999999999999}\n"),
              HasSubstr("hbm.stacks: is out of range"));
}

//===--- wrong types ----------------------------------------------------------===//

TEST(ArchConfigErrors, WrongTypes) {
  EXPECT_EQ(resolveError("hbm:\n  stacks: four\n"),
            "t.yaml:2:11: hbm.stacks: must be an integer, got 'four'");
  EXPECT_THAT(resolveError("hbm: {stacks: [1, 2]}\n"),
              HasSubstr("hbm.stacks: must be an integer, got a sequence"));
  EXPECT_THAT(resolveError("hbm: {stacks: \"4\"}\n"),
              HasSubstr("hbm.stacks: must be an integer, got the string \"4\""));
  EXPECT_THAT(resolveError("hbm: {stacks: 2.5}\n"),
              HasSubstr("hbm.stacks: must be an integer, got '2.5'"));
  EXPECT_THAT(resolveError("hbm: {clock_mhz: fast}\n"),
              HasSubstr("hbm.clock_mhz: must be a number, got 'fast'"));
  EXPECT_THAT(resolveError("hbm: {clock_mhz: .inf}\n"),
              HasSubstr("hbm.clock_mhz: must be a number"));
  EXPECT_THAT(resolveError("hbm: 4\n"),
              HasSubstr("hbm: must be a mapping of keys to values, got '4'"));
  EXPECT_THAT(resolveError("dvfs: {domains: {core: 1}}\n"),
              HasSubstr("dvfs.domains: must be a sequence, got a mapping"));
  EXPECT_THAT(resolveError("hbm: {preset: {a: 1}}\n"),
              HasSubstr("hbm.preset: must be a string, got a mapping"));
  EXPECT_THAT(resolveError("hbm:\n  stacks:\n"),
              HasSubstr("t.yaml:2:3: hbm.stacks: must be an integer, got nothing"));
  EXPECT_THAT(resolveError("- a\n- b\n"),
              HasSubstr("<top level>: must be a mapping of keys to values, got a sequence"));
}

TEST(ArchConfigErrors, SizeAndTimingUnits) {
  EXPECT_EQ(resolveOk("core: {sram: {size_bytes: 4 MiB}}\n").core.sram.sizeBytes, 4u << 20);
  EXPECT_EQ(resolveOk("hbm: {row_bytes: 2048B, interleave_bytes: 0.5KiB}\n").hbm.interleaveBytes,
            512u);
  EXPECT_THAT(resolveError("core: {sram: {size_bytes: 8MB}}\n"),
              HasSubstr("core.sram.size_bytes: uses the ambiguous unit 'MB'; write KiB, MiB"));
  EXPECT_THAT(resolveError("core: {sram: {size_bytes: 8 megs}}\n"),
              HasSubstr("has an unknown unit 'megs'"));
  EXPECT_THAT(resolveError("core: {sram: {size_bytes: 1.3KiB}}\n"),
              HasSubstr("must be a whole number of bytes, got 1.3KiB"));
  EXPECT_THAT(resolveError("hbm: {timing: {tRCD: 14.5}}\n"),
              HasSubstr("hbm.timing.tRCD: must be a whole number of cycles; write a duration "
                        "such as '14.5ns'"));
  EXPECT_THAT(resolveError("hbm: {timing: {tRCD: 14ms}}\n"),
              HasSubstr("hbm.timing.tRCD: has an unknown unit 'ms' (expected ns, us or ps)"));
  EXPECT_THAT(resolveError("hbm: {timing: {tRCD: 0}}\n"),
              HasSubstr("hbm.timing.tRCD: must be a positive cycle count, got 0"));
  EXPECT_THAT(resolveError("hbm: {timing: {tRCD: -3ns}}\n"),
              HasSubstr("hbm.timing.tRCD: must be a positive duration, got -3ns"));
}

//===--- power of two ----------------------------------------------------------===//

TEST(ArchConfigErrors, PowerOfTwoWhereRequired) {
  struct Case {
    const char *yaml;
    const char *message;
  } cases[] = {
      {"core: {sram: {banks: 24}}", "core.sram.banks: must be a power of two, got 24"},
      {"core: {sram: {bank_width_bytes: 48}}",
       "core.sram.bank_width_bytes: must be a power of two, got 48"},
      {"core: {tensor_cores: {rows: 30}}", "core.tensor_cores.rows: must be a power of two"},
      {"core: {dma: {request_bytes: 384}}", "core.dma.request_bytes: must be a power of two"},
      {"hbm: {channels_per_stack: 6}", "hbm.channels_per_stack: must be a power of two, got 6"},
      {"hbm: {pseudo_channels: 3}", "hbm.pseudo_channels: must be a power of two, got 3"},
      {"hbm: {bank_groups: 3}", "hbm.bank_groups: must be a power of two, got 3"},
      {"hbm: {banks_per_group: 6}", "hbm.banks_per_group: must be a power of two, got 6"},
      {"hbm: {row_bytes: 1000}", "hbm.row_bytes: must be a power of two, got 1000"},
      {"hbm: {interleave_bytes: 384}", "hbm.interleave_bytes: must be a power of two, got 384"},
      {"hbm: {burst_length: 6}", "hbm.burst_length: must be a power of two, got 6"},
      {"hbm: {bus_bits_per_pseudo_channel: 48}",
       "hbm.bus_bits_per_pseudo_channel: must be a power of two, got 48"},
  };
  for (const Case &c : cases)
    EXPECT_THAT(resolveError(c.yaml), HasSubstr(c.message)) << c.yaml;
}

TEST(ArchConfigErrors, TensorCoreShape) {
  EXPECT_THAT(resolveError("core: {tensor_cores: {count: 8}}\n"),
              HasSubstr("core.tensor_cores.count: must be a power of four"));
  EXPECT_EQ(resolveOk("core: {tensor_cores: {count: 4}}\n").core.tensorCores.count, 4u);
  EXPECT_THAT(
      resolveError("core: {tensor_cores: {macs_per_cycle: {i4: 0, i8: 0, f16: 0, bf16: 0, "
                   "f32: 0}}}\n"),
      HasSubstr("core.tensor_cores.macs_per_cycle: at least one precision must have a "
                "positive rate"));
  // A partial map keeps the other precisions' defaults.
  ArchConfig c = resolveOk("core: {tensor_cores: {macs_per_cycle: {f32: 0}}}\n");
  EXPECT_EQ(c.core.tensorCores.macsPerCycle[size_t(DType::F32)], 0u);
  EXPECT_EQ(c.core.tensorCores.macsPerCycle[size_t(DType::I8)], 2048u);
}

TEST(ArchConfigErrors, SramGeometry) {
  EXPECT_THAT(resolveError("core: {sram: {size_bytes: 1000}}\n"),
              HasSubstr("core.sram.size_bytes: size_bytes (1000) must be a multiple of banks x "
                        "bank_width_bytes (2048)"));
}

//===--- missing required keys ------------------------------------------------===//

TEST(ArchConfigErrors, MissingRequiredKeys) {
  EXPECT_EQ(resolveError("dvfs:\n  domains:\n    - name: core\n      points: "
                         "[{name: a, volts: 0.8, freq_mhz: 900}]\n"),
            "t.yaml:3:7: dvfs.domains[0]: missing required key 'nominal' (the point the "
            "energy table is for)");
  EXPECT_THAT(resolveError("dvfs:\n  domains:\n    - nominal: 0\n      points: "
                           "[{name: a, volts: 0.8, freq_mhz: 900}]\n"),
              HasSubstr("t.yaml:3:7: dvfs.domains[0]: missing required key 'name'"));
  EXPECT_THAT(resolveError("dvfs:\n  domains:\n    - {name: core, nominal: 0}\n"),
              HasSubstr("dvfs.domains[0]: missing required key 'points'"));
  EXPECT_THAT(resolveError("dvfs:\n  domains:\n    - name: core\n      nominal: 0\n"
                           "      points:\n        - {name: a, freq_mhz: 900}\n"),
              HasSubstr("t.yaml:6:11: dvfs.domains[0].points[0]: missing required key 'volts'"));
  EXPECT_THAT(resolveError("dvfs:\n  domains:\n    - name: core\n      nominal: 0\n"
                           "      points:\n        - {name: a, volts: 0.8}\n"),
              HasSubstr("dvfs.domains[0].points[0]: missing required key 'freq_mhz'"));
}

TEST(ArchConfigErrors, CustomHbmPresetRequiresEveryDeviceKey) {
  std::string message = resolveError("hbm:\n  preset: custom\n  stacks: 2\n");
  EXPECT_THAT(message, HasSubstr("t.yaml:2:11: hbm.channels_per_stack: missing required key "
                                 "(hbm.preset is 'custom', which supplies no defaults)"));
  EXPECT_THAT(message, HasSubstr("hbm.timing.tRCD: missing required key"));
  EXPECT_THAT(message, HasSubstr("more errors"));
}

//===--- DVFS tables ------------------------------------------------------------===//

static std::string coreDomain(const std::string &points, const std::string &extra = "") {
  return "dvfs:\n  domains:\n    - name: core\n      nominal: 0\n" + extra +
         "      points:\n" + points;
}

TEST(ArchConfigErrors, DvfsTables) {
  EXPECT_THAT(resolveError("dvfs: {domains: []}\n"),
              HasSubstr("dvfs.domains: must list at least one domain, including 'core'"));
  EXPECT_THAT(resolveError("dvfs:\n  domains:\n    - {name: core, nominal: 0, points: []}\n"),
              HasSubstr("dvfs.domains[0].points: must list at least one operating point"));
  EXPECT_EQ(resolveError(coreDomain("        - {name: a, volts: 0.8, freq_mhz: 900}\n"
                                    "        - {name: b, volts: 0.9, freq_mhz: 900}\n")),
            "t.yaml:7:43: dvfs.domains[0].points[1].freq_mhz: frequencies must be strictly "
            "ascending: 900 MHz follows 900 MHz");
  EXPECT_THAT(resolveError(coreDomain("        - {name: a, volts: 0.8, freq_mhz: 900}\n"
                                      "        - {name: b, volts: 0.7, freq_mhz: 1000}\n")),
              HasSubstr("dvfs.domains[0].points[1].volts: voltage must not fall as frequency "
                        "rises: 0.7 V at 1000 MHz after 0.8 V at 900 MHz"));
  EXPECT_THAT(resolveError(coreDomain("        - {name: a, volts: 0.8, freq_mhz: 900}\n"
                                      "        - {name: a, volts: 0.9, freq_mhz: 1000}\n")),
              HasSubstr("dvfs.domains[0].points[1].name: duplicate point name 'a'"));
  EXPECT_THAT(
      resolveError("dvfs:\n  domains:\n    - name: core\n      nominal: 4\n"
                   "      points: [{name: a, volts: 0.8, freq_mhz: 900}]\n"),
      HasSubstr("t.yaml:4:16: dvfs.domains[0].nominal: index 4 is out of range (the domain "
                "has 1 points, 0..0)"));
  EXPECT_THAT(resolveError(coreDomain("        - {name: a, volts: 0.8, freq_mhz: 900}\n",
                                      "      initial: turbo\n")),
              HasSubstr("dvfs.domains[0].initial: no operating point named 'turbo' "
                        "(points: a)"));
  EXPECT_THAT(resolveError(coreDomain("        - {name: a, volts: 0, freq_mhz: 900}\n")),
              HasSubstr("dvfs.domains[0].points[0].volts: must be a positive number, got 0"));
  EXPECT_THAT(
      resolveError("dvfs:\n  domains:\n    - name: npu\n      nominal: 0\n"
                   "      points: [{name: a, volts: 0.8, freq_mhz: 900}]\n"),
      HasSubstr("t.yaml:3:5: dvfs.domains: must include a domain named 'core'"));
  EXPECT_THAT(
      resolveError("dvfs:\n  domains:\n"
                   "    - {name: core, nominal: 0, points: [{name: a, volts: 1, freq_mhz: 9}]}\n"
                   "    - {name: core, nominal: 0, points: [{name: a, volts: 1, freq_mhz: 9}]}\n"),
      HasSubstr("dvfs.domains[1].name: duplicate domain name 'core'"));
}

TEST(ArchConfigErrors, DvfsGovernor) {
  EXPECT_EQ(resolveError("dvfs:\n  governor: ondemnd\n"),
            "t.yaml:2:13: dvfs.governor: unknown value 'ondemnd' (expected 'fixed', "
            "'ondemand' or 'hinted'); did you mean 'ondemand'?");
  EXPECT_THAT(resolveError("dvfs: {ondemand: {up_threshold: 1.5}}\n"),
              HasSubstr("dvfs.ondemand.up_threshold: must be between 0 and 1, got 1.5"));
  EXPECT_THAT(resolveError("dvfs: {ondemand: {down_threshold: -0.1}}\n"),
              HasSubstr("dvfs.ondemand.down_threshold: must be between 0 and 1, got -0.1"));
  EXPECT_THAT(resolveError("dvfs: {ondemand: {down_threshold: 0.8}}\n"),
              HasSubstr("dvfs.ondemand.down_threshold: down_threshold (0.8) must be below "
                        "up_threshold (0.8)"));
  EXPECT_THAT(resolveError("dvfs: {ondemand: {window_ns: 0}}\n"),
              HasSubstr("dvfs.ondemand.window_ns: must be a positive number, got 0"));
}

TEST(ArchConfigErrors, MemoryDomainMustClockTheHbm) {
  EXPECT_THAT(
      resolveError("hbm: {clock_mhz: 1600}\n"
                   "dvfs:\n  domains:\n"
                   "    - {name: core, nominal: 0, points: [{name: a, volts: 1, freq_mhz: 9}]}\n"
                   "    - {name: memory, nominal: 0, points: [{name: m, volts: 1.2, "
                   "freq_mhz: 1200}]}\n"),
      HasSubstr("dvfs.domains[1].points[0].freq_mhz: the nominal frequency of domain 'memory' "
                "(1200 MHz) must equal hbm.clock_mhz (1600 MHz)"));
}

//===--- unknown keys -----------------------------------------------------------===//

TEST(ArchConfigErrors, UnknownKeysWithSuggestions) {
  EXPECT_EQ(resolveError("hbm:\n  chanels: 8\n"),
            "t.yaml:2:3: unknown key 'hbm.chanels' (did you mean 'channels_per_stack'?)");
  EXPECT_EQ(resolveError("hbm:\n  chanels_per_stack: 8\n"),
            "t.yaml:2:3: unknown key 'hbm.chanels_per_stack' (did you mean "
            "'channels_per_stack'?)");
  EXPECT_THAT(resolveError("hbmm: {}\n"),
              HasSubstr("t.yaml:1:1: unknown key 'hbmm' (did you mean 'hbm'?)"));
  EXPECT_THAT(resolveError("hbm: {timing: {tRDC: 3}}\n"),
              HasSubstr("unknown key 'hbm.timing.tRDC' (did you mean 'tRCD'?)"));
  EXPECT_THAT(resolveError("core: {sram: {sizebytes: 3}}\n"),
              HasSubstr("unknown key 'core.sram.sizebytes' (did you mean 'size_bytes'?)"));
  std::string unrelated = resolveError("core: {sram: {frobnicate: 3}}\n");
  EXPECT_THAT(unrelated, HasSubstr("unknown key 'core.sram.frobnicate'"));
  EXPECT_THAT(unrelated, ::testing::Not(HasSubstr("did you mean")));
  EXPECT_THAT(resolveError("core: {tensor_cores: {macs_per_cycle: {i32: 16}}}\n"),
              HasSubstr("'core.tensor_cores.macs_per_cycle.i32': i32 is an accumulator type, "
                        "not a multiplier precision"));
  EXPECT_THAT(resolveError("energy: {mac_pj: {i16: 1}}\n"),
              HasSubstr("unknown key 'energy.mac_pj.i16' (did you mean"));
  EXPECT_THAT(resolveError("dvfs:\n  domains:\n    - {name: core, nominal: 0, nominl: 1, "
                           "points: [{name: a, volts: 1, freq_mhz: 9}]}\n"),
              HasSubstr("unknown key 'dvfs.domains[0].nominl' (did you mean 'nominal'?)"));
}

TEST(ArchConfigErrors, UnknownEnumValues) {
  EXPECT_THAT(resolveError("hbm: {preset: hbm3e}\n"),
              HasSubstr("hbm.preset: unknown preset 'hbm3e' (expected hbm2, hbm2e, hbm3 or "
                        "custom); did you mean 'hbm3'?"));
  EXPECT_THAT(resolveError("hbm: {model: exact}\n"),
              HasSubstr("hbm.model: unknown value 'exact' (expected 'detailed' or 'analytic')"));
  EXPECT_THAT(resolveError("hbm: {scheduler: fr-fcfs}\n"),
              HasSubstr("did you mean 'frfcfs'?"));
  EXPECT_THAT(resolveError("noc: {topology: torus}\n"),
              HasSubstr("noc.topology: unknown value 'torus'"));
  EXPECT_THAT(resolveError("hbm: {address_mapping: rowmajor}\n"),
              HasSubstr("did you mean 'row-major'?"));
  EXPECT_THAT(resolveError("name: \"\"\n"), HasSubstr("name: must not be empty"));
}

//===--- contradictions -----------------------------------------------------------===//

TEST(ArchConfigErrors, HashedMappingNeedsPowerOfTwoPseudoChannels) {
  // 3 stacks x 8 channels x 2 pseudo-channels = 48: XOR is no permutation.
  EXPECT_EQ(resolveError("hbm:\n  stacks: 3\n  address_mapping: hashed\n"),
            "t.yaml:3:20: hbm.address_mapping: 'hashed' needs a power-of-two number of "
            "pseudo-channels over all stacks, but hbm.stacks is 3 (use a power-of-two stack "
            "count, or 'interleaved')");
  resolveOk("hbm:\n  stacks: 3\n  address_mapping: interleaved\n");
  resolveOk("hbm:\n  stacks: 2\n  address_mapping: hashed\n");
}

TEST(ArchConfigErrors, PerBankRefreshMustFitItsInterval) {
  // hbm2e at 1200 MHz: tREFI 4680 cycles over 16 banks = one REFsb per 292.
  EXPECT_EQ(resolveError("hbm:\n  timing:\n    tRFCsb: 300\n"),
            "t.yaml:3:13: hbm.timing.tRFCsb: tRFCsb (300 cycles) must be shorter than the "
            "per-bank refresh interval tREFI / banks (292 cycles) when hbm.refresh is "
            "per-bank");
  EXPECT_THAT(resolveError("hbm: {timing: {tRREFD: 292}}\n"),
              HasSubstr("hbm.timing.tRREFD: tRREFD (292 cycles) must be shorter than the "
                        "per-bank refresh interval tREFI / banks (292 cycles)"));
  // Reported at the key the file wrote: here tREFI shrank the interval.
  EXPECT_THAT(resolveError("hbm: {timing: {tREFI: 3000}}\n"),
              HasSubstr("hbm.timing.tREFI: tRFCsb (192 cycles) must be shorter than the "
                        "per-bank refresh interval tREFI / banks (187 cycles)"));
  EXPECT_THAT(resolveError("hbm: {banks_per_group: 8, timing: {tRFCsb: 200}}\n"),
              HasSubstr("(146 cycles)"));
  // All-bank refresh never issues REFsb: the same timings are accepted.
  ArchConfig c = resolveOk("hbm: {refresh: all-bank, timing: {tRFCsb: 300}}\n");
  EXPECT_EQ(c.hbm.refresh, "all-bank");
  EXPECT_EQ(c.hbm.timing.tRFCsb, 300u);
  EXPECT_THAT(resolveError("hbm: {refresh: perbank}\n"),
              HasSubstr("hbm.refresh: unknown value 'perbank' (expected 'per-bank' or "
                        "'all-bank'); did you mean 'per-bank'?"));
  EXPECT_THAT(resolveError("energy: {hbm_refresh_per_bank_pj: -1}\n"),
              HasSubstr("energy.hbm_refresh_per_bank_pj"));
}

TEST(ArchConfigErrors, ContradictoryTimings) {
  EXPECT_EQ(resolveError("hbm:\n  timing:\n    tRC: 40\n"),
            "t.yaml:3:10: hbm.timing.tRC: tRC (40 cycles) must be at least tRAS + tRP "
            "(51 cycles)");
  EXPECT_THAT(resolveError("hbm: {timing: {tFAW: 4, tRRD_S: 5}}\n"),
              HasSubstr("hbm.timing.tFAW: tFAW (4 cycles) must be at least tRRD_S (5 cycles)"));
  EXPECT_THAT(resolveError("hbm: {timing: {tRRD_L: 4}}\n"),
              HasSubstr("hbm.timing.tRRD_L: tRRD_L (4 cycles) must be at least tRRD_S"));
  EXPECT_THAT(resolveError("hbm: {timing: {tCCD_L: 1, tCCD_S: 2}}\n"),
              HasSubstr("hbm.timing.tCCD_L: tCCD_L (1 cycles) must be at least tCCD_S"));
  EXPECT_THAT(resolveError("hbm: {timing: {tCCD_S: 1, tCCD_L: 1}}\n"),
              HasSubstr("hbm.timing.tCCD_S: tCCD_S (1 cycles) must be at least burst_length / "
                        "2 (2 cycles)"));
  EXPECT_THAT(resolveError("hbm: {timing: {tRAS: 10, tRC: 30}}\n"),
              HasSubstr("hbm.timing.tRAS: tRAS (10 cycles) must be at least tRCD (15 cycles)"));
  EXPECT_THAT(resolveError("hbm: {timing: {tREFI: 500}}\n"),
              HasSubstr("hbm.timing.tREFI: tREFI (500 cycles) must be longer than tRFC "
                        "(540 cycles)"));
}

TEST(ArchConfigErrors, InterleaveAndRowGeometry) {
  EXPECT_EQ(resolveError("hbm:\n  interleave_bytes: 2KiB\n"),
            "t.yaml:2:21: hbm.interleave_bytes: interleave_bytes (2048) must not exceed "
            "row_bytes (1024): an interleave unit must fit in one row");
  EXPECT_THAT(resolveError("hbm: {interleave_bytes: 16}\n"),
              HasSubstr("hbm.interleave_bytes: interleave_bytes (16) must be at least one "
                        "column access"));
}

TEST(ArchConfigErrors, CapacityOverflowAndOrganisation) {
  EXPECT_THAT(resolveError("hbm: {stacks: 8, capacity_bytes_per_stack: 4611686018427387904}\n"),
              HasSubstr("hbm.capacity_bytes_per_stack: stacks x capacity_bytes_per_stack "
                        "overflows 64 bits"));
  EXPECT_THAT(resolveError("hbm: {capacity_bytes_per_stack: 12GiB}\n"),
              HasSubstr("hbm.capacity_bytes_per_stack: capacity_bytes_per_stack (12GiB) must "
                        "be a power-of-two number of rows per bank"));
  EXPECT_THAT(resolveError("hbm: {capacity_bytes_per_stack: 1000}\n"),
              HasSubstr("must be a power-of-two number of rows per bank"));
}

//===--- syntax and structure -----------------------------------------------------===//

TEST(ArchConfigErrors, YamlSyntax) {
  EXPECT_THAT(resolveError("hbm: [1, 2\n"), StartsWith("t.yaml:"));
  EXPECT_THAT(resolveError("hbm: [1, 2\n"), HasSubstr("YAML syntax error"));
  EXPECT_THAT(resolveError("hbm:\n  stacks: 4\n stacks: 2\n"), HasSubstr("YAML syntax error"));
  EXPECT_THAT(resolveError("a: 1\n---\nb: 2\n"),
              HasSubstr("t.yaml:2:1: a second YAML document starts here; an arch config is one document"));
  EXPECT_THAT(resolveError(",\nhbm: {stacks: 2}\n"),
              HasSubstr("t.yaml:1:1: YAML syntax error: unexpected token"));
  EXPECT_THAT(resolveError("# c\n,\n"), HasSubstr("YAML syntax error"));
}

TEST(ArchConfigErrors, DuplicateKeys) {
  EXPECT_EQ(resolveError("hbm:\n  stacks: 4\n  stacks: 2\n"),
            "t.yaml:3:3: duplicate key 'hbm.stacks' (first given at line 2)");
}

TEST(ArchConfigErrors, AllErrorsListedInFileOrder) {
  std::string message =
      resolveError("num_cores: 0\nhbm:\n  stacks: -1\n  bogus: 1\ncore: {sram: {banks: 3}}\n");
  EXPECT_EQ(message, "t.yaml:1:12: num_cores: must be a positive integer, got 0\n"
                     "t.yaml:3:11: hbm.stacks: must be a positive integer, got -1\n"
                     "t.yaml:4:3: unknown key 'hbm.bogus'\n"
                     "t.yaml:5:22: core.sram.banks: must be a power of two, got 3");
}

TEST(ArchConfigErrors, HostileInputNeverCrashes) {
  std::string deep(20000, '[');
  const std::string inputs[] = {
      std::string("\0\0\0", 3),
      deep,
      "dvfs: {domains: &a [*a]}\n",
      "a: &x {b: *x}\n",
      "core: &c {sram: *c}\n",
      "? [1, 2]\n: 3\n",
      "!!binary aGVsbG8=\n",
      "hbm: {timing: {tRCD: 1e400ns}}\n",
      "hbm: {clock_mhz: 1e-300, timing: {tRCD: 1e300ns}}\n",
      std::string("\xff\xfe\x00h\x00b\x00m", 8),
      "%YAML 9.9\n---\na: 1\n",
      "name: !custom-tag x\n",
  };
  for (const std::string &text : inputs) {
    Expected<ArchConfig> c = parseArchConfig(text, "h.yaml");
    EXPECT_FALSE(c.isOk()) << text.substr(0, 60);
    if (!c) {
      EXPECT_THAT(c.message(), StartsWith("h.yaml")) << text.substr(0, 60);
    }
  }
}

//===--- the spec layer on its own -------------------------------------------------===//

TEST(ArchConfigSpecLayer, RemembersWhatWasWrittenAndWhere) {
  Expected<ArchConfigSpec> spec =
      parseArchConfigSpec("hbm:\n  stacks: 2\n  timing: {tRCD: 12ns}\n", "s.yaml");
  ASSERT_TRUE(spec.isOk()) << spec.message();
  EXPECT_EQ(spec->hbm.stacks, 2);
  EXPECT_FALSE(spec->hbm.channelsPerStack.has_value());
  ASSERT_TRUE(spec->hbm.timing.tRCD.has_value());
  EXPECT_TRUE(spec->hbm.timing.tRCD->inNanoseconds);
  EXPECT_EQ(spec->hbm.timing.tRCD->amount, 12);
  EXPECT_EQ(spec->locations.at("hbm.stacks").line, 2);
  EXPECT_EQ(spec->locations.at("hbm.stacks").column, 11);
  // Range checks belong to the resolver: -3 parses.
  EXPECT_TRUE(parseArchConfigSpec("hbm: {stacks: -3}\n", "s.yaml").isOk());
}

TEST(ArchConfigSpecLayer, SpecsBuiltInCodeResolveWithoutLocations) {
  ArchConfigSpec spec;
  spec.hbm.stacks = 0;
  Expected<ArchConfig> c = resolveArchConfig(spec, "sweep point 7");
  ASSERT_FALSE(c.isOk());
  EXPECT_EQ(c.message(), "sweep point 7: hbm.stacks: must be a positive integer, got 0");
  spec.hbm.stacks = 2;
  spec.numCores = 4;
  Expected<ArchConfig> ok = resolveArchConfig(spec, "sweep point 8");
  ASSERT_TRUE(ok.isOk()) << ok.message();
  EXPECT_EQ(ok->hbm.stacks, 2u);
  EXPECT_EQ(ok->numCores, 4u);
}
