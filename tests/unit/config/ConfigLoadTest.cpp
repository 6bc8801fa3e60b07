//===- ConfigLoadTest.cpp - Shipped configs, defaults, round trip, find ---===//
#include "TestPaths.h"
#include "ConfigTestUtil.h"

#include <cstdlib>
#include <sys/stat.h>

using namespace strata;
using namespace strata::test;
using ::testing::HasSubstr;

TEST(ArchConfigDefaults, ResolvedDefaultsEqualInClassDefaults) {
  EXPECT_TRUE(defaultArchConfig() == ArchConfig{});
  EXPECT_TRUE(resolveOk("") == ArchConfig{});
  EXPECT_TRUE(resolveOk("{}\n") == ArchConfig{});
  EXPECT_TRUE(resolveOk("# only a comment\n") == ArchConfig{});
}

TEST(ArchConfigDefaults, NpuDefaultFileStatesExactlyTheDefaults) {
  Expected<ArchConfig> c = loadArchConfig(shippedConfig("npu-default"));
  ASSERT_TRUE(c.isOk()) << c.message();
  EXPECT_TRUE(*c == ArchConfig{}) << archConfigToYaml(*c);
  EXPECT_EQ(archConfigHash(*c), archConfigHash(ArchConfig{}));
}

TEST(ArchConfigDefaults, NpuDefaultDerivedFigures) {
  ArchConfig c = defaultArchConfig();
  EXPECT_DOUBLE_EQ(nominalCoreMHz(c), 1000);
  // 4 stacks x 8 channels x 2 pseudo-channels x 8 B x 2 (DDR) x 1.2 GHz.
  EXPECT_DOUBLE_EQ(c.hbm.peakBytesPerSecond(), 1228.8e9);
  EXPECT_DOUBLE_EQ(tsvBytesPerSecond(c), 1228.8e9);
  EXPECT_DOUBLE_EQ(peakHbmBytesPerSecond(c), 1228.8e9);
  // 8 cores x 16 tensor cores x 2048 MAC/cycle x 1 GHz.
  EXPECT_DOUBLE_EQ(peakMacsPerSecond(c, DType::I8), 8.0 * 16 * 2048 * 1e9);
  EXPECT_DOUBLE_EQ(peakTops(c, DType::I8), 2 * 8.0 * 16 * 2048 * 1e9 / 1e12);
  EXPECT_DOUBLE_EQ(peakTops(c, DType::I4), 2 * peakTops(c, DType::I8));
  EXPECT_DOUBLE_EQ(peakTops(c, DType::F32), peakTops(c, DType::I8) / 8);
  EXPECT_EQ(peakMacsPerSecond(c, DType::I32), 0);
  EXPECT_EQ(totalSramBytes(c), 64ull << 20);
  EXPECT_EQ(c.hbm.totalCapacityBytes(), 64ull << 30);

  const DvfsDomainConfig *core = c.findDomain("core");
  ASSERT_NE(core, nullptr);
  EXPECT_EQ(core->points.size(), 4u);
  EXPECT_EQ(core->points[core->nominal].freqMHz, 1000);
  EXPECT_EQ(core->initial, core->nominal);
  const DvfsDomainConfig *memory = c.findDomain("memory");
  ASSERT_NE(memory, nullptr);
  EXPECT_EQ(nominalPoint(c, "memory").freqMHz, c.hbm.clockMHz);
  EXPECT_EQ(c.findDomain("gpu"), nullptr);
}

TEST(ArchConfigDefaults, TsvCeilingLimitsUsableBandwidth) {
  ArchConfig c = resolveOk("hbm:\n  tsv_bytes_per_cycle: 128\n");
  EXPECT_DOUBLE_EQ(c.hbm.peakBytesPerSecond(), 1228.8e9);
  EXPECT_DOUBLE_EQ(peakHbmBytesPerSecond(c), 614.4e9);
}

TEST(ArchConfigShipped, NpuEdgeLoads) {
  Expected<ArchConfig> c = loadArchConfig(shippedConfig("npu-edge"));
  ASSERT_TRUE(c.isOk()) << c.message();
  EXPECT_EQ(c->name, "npu-edge");
  EXPECT_EQ(c->numCores, 1u);
  EXPECT_EQ(c->hbm.stacks, 1u);
  EXPECT_EQ(c->hbm.preset, "hbm2");
  EXPECT_EQ(c->core.sram.sizeBytes, 2ull << 20);
  EXPECT_DOUBLE_EQ(nominalCoreMHz(*c), 800);
  EXPECT_DOUBLE_EQ(peakHbmBytesPerSecond(*c), 256e9);
  EXPECT_DOUBLE_EQ(peakMacsPerSecond(*c, DType::I8), 16.0 * 512 * 800e6);
  EXPECT_NE(archConfigHash(*c), archConfigHash(ArchConfig{}));
}

TEST(ArchConfigShipped, EveryShippedConfigRoundTrips) {
  for (const char *name : {"npu-default", "npu-edge"}) {
    SCOPED_TRACE(name);
    Expected<ArchConfig> c = loadArchConfig(shippedConfig(name));
    ASSERT_TRUE(c.isOk()) << c.message();
    std::string yaml = archConfigToYaml(*c);
    Expected<ArchConfig> again = parseArchConfig(yaml, "canonical.yaml");
    ASSERT_TRUE(again.isOk()) << again.message() << "\n" << yaml;
    EXPECT_TRUE(*again == *c);
    EXPECT_EQ(archConfigToYaml(*again), yaml);
    EXPECT_EQ(archConfigHash(*again), archConfigHash(*c));
  }
}

TEST(ArchConfigCanonical, UnusualValuesRoundTrip) {
  ArchConfig c = resolveOk(R"(
name: "my chip: v2 # not a comment"
num_cores: 3
noc: {link_bytes_per_cycle: 48.5, topology: mesh}
hbm:
  preset: hbm3
  stacks: 3
  address_mapping: row-major
  scheduler: fcfs
  model: analytic
  timing: {tRFC: 0.41us}
dvfs:
  governor: ondemand
  ondemand: {window_ns: 2500.25, up_threshold: 0.9, down_threshold: 0.125}
  domains:
    - name: core
      nominal: 1
      initial: 0
      transition_ns: 0.5
      points:
        - {name: "low power", volts: 0.7125, freq_mhz: 433.3}
        - {name: "true", volts: 0.8, freq_mhz: 900}
    - name: memory
      nominal: 0
      points: [{name: only, volts: 1.1, freq_mhz: 3200}]
    - name: noc
      nominal: 0
      points: [{name: fixed, volts: 0.75, freq_mhz: 1e3}]
energy: {mac_pj: {i4: 0.0625}, hbm_refresh_pj: 1.5e5}
)");
  EXPECT_EQ(c.name, "my chip: v2 # not a comment");
  EXPECT_EQ(c.dvfs.domains.size(), 3u);
  EXPECT_EQ(c.dvfs.domains[0].initial, 0u);
  std::string yaml = archConfigToYaml(c);
  Expected<ArchConfig> again = parseArchConfig(yaml, "canonical.yaml");
  ASSERT_TRUE(again.isOk()) << again.message() << "\n" << yaml;
  EXPECT_TRUE(*again == c) << yaml;
  EXPECT_EQ(archConfigHash(*again), archConfigHash(c));
}

TEST(ArchConfigCanonical, HashedAddressMappingResolvesAndRoundTrips) {
  ArchConfig c = resolveOk("hbm: {address_mapping: hashed}\n");
  EXPECT_EQ(c.hbm.addressMapping, "hashed");
  std::string yaml = archConfigToYaml(c);
  EXPECT_THAT(yaml, HasSubstr("address_mapping: hashed"));
  Expected<ArchConfig> again = parseArchConfig(yaml, "canonical.yaml");
  ASSERT_TRUE(again.isOk()) << again.message() << "\n" << yaml;
  EXPECT_TRUE(*again == c) << yaml;
  EXPECT_NE(archConfigHash(c), archConfigHash(defaultArchConfig()));
}

TEST(ArchConfigCanonical, CanonicalFormStatesSizesWithUnitsAndTimingsInCycles) {
  std::string yaml = archConfigToYaml(ArchConfig{});
  EXPECT_THAT(yaml, HasSubstr("  sram:\n    size_bytes: 8MiB\n"));
  EXPECT_THAT(yaml, HasSubstr("  capacity_bytes_per_stack: 16GiB\n"));
  EXPECT_THAT(yaml, HasSubstr("    tRCD: 15\n"));
  EXPECT_THAT(yaml, HasSubstr("macs_per_cycle: {i4: 4096, i8: 2048, f16: 1024, bf16: 1024, f32: 256}"));
  EXPECT_THAT(yaml, HasSubstr("- {name: nominal, volts: 0.9, freq_mhz: 1000}"));
}

TEST(ArchConfigHash, StableAndSensitive) {
  ArchConfig a = defaultArchConfig();
  std::string h = archConfigHash(a);
  EXPECT_EQ(h.size(), 64u);
  EXPECT_EQ(h.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(archConfigHash(defaultArchConfig()), h);

  ArchConfig b = a;
  b.hbm.timing.tRCD += 1;
  EXPECT_NE(archConfigHash(b), h);
  ArchConfig c = a;
  c.energy.macPj[size_t(DType::F16)] = 2.0000001;
  EXPECT_NE(archConfigHash(c), h);
  ArchConfig d = a;
  d.dvfs.domains[0].points[0].name = "lowest";
  EXPECT_NE(archConfigHash(d), h);
  EXPECT_FALSE(d == a);
}

TEST(ArchConfigFind, ByNameFromTheSourceTree) {
  Expected<ArchConfig> c = findArchConfig("npu-default");
  ASSERT_TRUE(c.isOk()) << c.message();
  EXPECT_TRUE(*c == ArchConfig{});
  Expected<ArchConfig> edge = findArchConfig("npu-edge");
  ASSERT_TRUE(edge.isOk()) << edge.message();
  EXPECT_EQ(edge->name, "npu-edge");
  Expected<ArchConfig> byPath = findArchConfig(shippedConfig("npu-edge"));
  ASSERT_TRUE(byPath.isOk());
  EXPECT_TRUE(*byPath == *edge);
}

TEST(ArchConfigFind, ConfigPathComesFirst) {
  std::string dir = strata::test::tempPath("strata-config-path");
  ::mkdir(dir.c_str(), 0755);
  writeTempFile("strata-config-path/npu-default.yaml", "name: shadowed\nnum_cores: 2\n");
  writeTempFile("strata-config-path/tiny.yaml", "name: tiny\nnum_cores: 1\n");
  ::setenv("STRATA_CONFIG_PATH", ("/nonexistent:" + dir).c_str(), 1);
  std::vector<std::string> path = archConfigSearchPath();
  ASSERT_EQ(path.size(), 3u);
  EXPECT_EQ(path[1], dir);
  Expected<ArchConfig> shadowed = findArchConfig("npu-default");
  Expected<ArchConfig> tiny = findArchConfig("tiny");
  ::unsetenv("STRATA_CONFIG_PATH");
  ASSERT_TRUE(shadowed.isOk()) << shadowed.message();
  EXPECT_EQ(shadowed->name, "shadowed");
  EXPECT_EQ(shadowed->numCores, 2u);
  ASSERT_TRUE(tiny.isOk()) << tiny.message();
  EXPECT_EQ(tiny->name, "tiny");
}

TEST(ArchConfigFind, UnknownNameSaysWhereItLooked) {
  Expected<ArchConfig> c = findArchConfig("npu-huge");
  ASSERT_FALSE(c.isOk());
  EXPECT_THAT(c.message(), HasSubstr("no arch config named 'npu-huge'"));
  EXPECT_THAT(c.message(), HasSubstr("/configs"));
  EXPECT_THAT(c.message(), HasSubstr("STRATA_CONFIG_PATH"));
  EXPECT_FALSE(findArchConfig("").isOk());
}

TEST(ArchConfigFind, MissingFileAndDirectory) {
  Expected<ArchConfig> missing = loadArchConfig("/nonexistent/x.yaml");
  ASSERT_FALSE(missing.isOk());
  EXPECT_THAT(missing.message(), HasSubstr("/nonexistent/x.yaml: cannot open the config"));
  Expected<ArchConfig> dir = loadArchConfig(STRATA_SOURCE_DIR);
  ASSERT_FALSE(dir.isOk());
  EXPECT_THAT(dir.message(), HasSubstr("is a directory"));
}

TEST(ArchConfigFind, ErrorsInAFileNameTheFile) {
  std::string path = writeTempFile("broken.yaml", "hbm:\n  stacks: 0\n");
  Expected<ArchConfig> c = loadArchConfig(path);
  ASSERT_FALSE(c.isOk());
  EXPECT_EQ(c.message(), path + ":2:11: hbm.stacks: must be a positive integer, got 0");
}
