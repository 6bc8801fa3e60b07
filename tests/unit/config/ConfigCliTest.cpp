//===- ConfigCliTest.cpp - `strata config` exit codes and output ----------===//
#include "ConfigTestUtil.h"
#include "RunTool.h"

using namespace strata;
using namespace strata::test;
using ::testing::HasSubstr;


TEST(StrataConfigCli, CheckPrintsResolvedConfigHashAndFigures) {
  ToolRun r = runStrata("config check '" + shippedConfig("npu-default") + "'");
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("num_cores: 8\n"));
  EXPECT_THAT(r.out, HasSubstr("# hash: sha256:" + archConfigHash(ArchConfig{})));
  EXPECT_THAT(r.out, HasSubstr("pins 1228.8 GB/s"));
  EXPECT_THAT(r.out, ::testing::ContainsRegex("peak i8 +524.29 TOPS"));
  EXPECT_THAT(r.out, HasSubstr("SRAM: 8 MiB per core, 64 MiB in total"));
  // The whole output is YAML (figures are comments) and is the config itself.
  Expected<ArchConfig> again = parseArchConfig(r.out, "stdout");
  ASSERT_TRUE(again.isOk()) << again.message();
  EXPECT_TRUE(*again == ArchConfig{});
}

TEST(StrataConfigCli, BrokenFileFailsNamingTheKey) {
  std::string path = writeTempFile("cli-broken.yaml", "hbm:\n  channels_per_stack: -3\n");
  ToolRun r = runStrata("config check '" + path + "'");
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr("strata config check: error: " + path +
                               ":2:23: hbm.channels_per_stack: must be a power of two, got -3"));
}

TEST(StrataConfigCli, MissingFileFails) {
  ToolRun r = runStrata("config check /nonexistent/arch.yaml");
  EXPECT_NE(r.exitCode, 0);
  EXPECT_THAT(r.err, HasSubstr("/nonexistent/arch.yaml: cannot open the config"));
}

TEST(StrataConfigCli, ShowByName) {
  ToolRun r = runStrata("config show npu-edge");
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("name: npu-edge\n"));
  ToolRun quiet = runStrata("config show --quiet npu-default");
  ASSERT_EQ(quiet.exitCode, 0) << quiet.err;
  EXPECT_EQ(quiet.out, "npu-default: ok (sha256 " + archConfigHash(ArchConfig{}) + ")\n");
  ToolRun unknown = runStrata("config show npu-huge");
  EXPECT_NE(unknown.exitCode, 0);
  EXPECT_THAT(unknown.err, HasSubstr("no arch config named 'npu-huge'"));
}

TEST(StrataConfigCli, HelpListsSubcommands) {
  ToolRun r = runStrata("config --help");
  EXPECT_EQ(r.exitCode, 0);
  EXPECT_THAT(r.out, HasSubstr("check"));
  EXPECT_THAT(r.out, HasSubstr("show"));
  ToolRun none = runStrata("config");
  EXPECT_NE(none.exitCode, 0);
}
