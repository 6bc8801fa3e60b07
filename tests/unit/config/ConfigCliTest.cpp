//===- ConfigCliTest.cpp - `strata config` exit codes and output ----------===//
#include "TestPaths.h"
#include "ConfigTestUtil.h"

#include <array>
#include <cstdio>
#include <sys/wait.h>

using namespace strata;
using namespace strata::test;
using ::testing::HasSubstr;

namespace {

struct CliRun {
  int exitCode = -1;
  std::string out; ///< stdout
  std::string err; ///< stderr
};

std::string slurp(const std::string &path) {
  std::string text;
  if (FILE *f = std::fopen(path.c_str(), "rb")) {
    std::array<char, 4096> buf;
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0)
      text.append(buf.data(), n);
    std::fclose(f);
  }
  return text;
}

CliRun runStrata(const std::string &args) {
  std::string outPath = strata::test::tempPath("strata-cli.out");
  std::string errPath = strata::test::tempPath("strata-cli.err");
  std::string command = std::string("'") + STRATA_CLI + "' " + args + " >'" + outPath +
                        "' 2>'" + errPath + "'";
  int status = std::system(command.c_str());
  CliRun r;
  r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(outPath);
  r.err = slurp(errPath);
  return r;
}

} // namespace

TEST(StrataConfigCli, CheckPrintsResolvedConfigHashAndFigures) {
  CliRun r = runStrata("config check '" + shippedConfig("npu-default") + "'");
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
  std::string path = writeTemp("cli-broken.yaml", "hbm:\n  channels_per_stack: -3\n");
  CliRun r = runStrata("config check '" + path + "'");
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr("strata config check: error: " + path +
                               ":2:23: hbm.channels_per_stack: must be a power of two, got -3"));
}

TEST(StrataConfigCli, MissingFileFails) {
  CliRun r = runStrata("config check /nonexistent/arch.yaml");
  EXPECT_NE(r.exitCode, 0);
  EXPECT_THAT(r.err, HasSubstr("/nonexistent/arch.yaml: cannot open the config"));
}

TEST(StrataConfigCli, ShowByName) {
  CliRun r = runStrata("config show npu-edge");
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("name: npu-edge\n"));
  CliRun quiet = runStrata("config show --quiet npu-default");
  ASSERT_EQ(quiet.exitCode, 0) << quiet.err;
  EXPECT_EQ(quiet.out, "npu-default: ok (sha256 " + archConfigHash(ArchConfig{}) + ")\n");
  CliRun unknown = runStrata("config show npu-huge");
  EXPECT_NE(unknown.exitCode, 0);
  EXPECT_THAT(unknown.err, HasSubstr("no arch config named 'npu-huge'"));
}

TEST(StrataConfigCli, HelpListsSubcommands) {
  CliRun r = runStrata("config --help");
  EXPECT_EQ(r.exitCode, 0);
  EXPECT_THAT(r.out, HasSubstr("check"));
  EXPECT_THAT(r.out, HasSubstr("show"));
  CliRun none = runStrata("config");
  EXPECT_NE(none.exitCode, 0);
}
