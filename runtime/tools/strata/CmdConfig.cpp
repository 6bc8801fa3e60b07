//===- CmdConfig.cpp - strata config: validate and show arch configs ------===//
//
//   strata config check FILE.yaml   validate; print the resolved config
//   strata config show NAME         the same for a shipped config by name
//
// The resolved config is printed in its canonical YAML, so the output can be
// saved and used as a config itself; the hash and the derived figures follow
// as YAML comments.
//
//===----------------------------------------------------------------------===//
#include "CliSupport.h"

#include "strata/target/ArchConfigIO.h"

#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>
#include <utility>

namespace strata::cli {
namespace {

struct ConfigOptions {
  std::string target;
  bool quiet = false;
};

std::string gigabytes(double bytesPerSecond) {
  return fmt::format("{:.1f} GB/s", bytesPerSecond / 1e9);
}

void printDerived(const ArchConfig &c) {
  const TensorCoreConfig &tc = c.core.tensorCores;
  fmt::print("# derived at the nominal operating points:\n");
  fmt::print("#   compute: {} cores x {} tensor cores ({}x{}) at {:g} MHz\n", c.numCores,
             tc.count, tc.rows, tc.cols, nominalCoreMHz(c));
  static const struct {
    DType type;
    const char *name;
  } precisions[] = {{DType::I4, "i4"},
                    {DType::I8, "i8"},
                    {DType::F16, "f16"},
                    {DType::BF16, "bf16"},
                    {DType::F32, "f32"}};
  for (const auto &p : precisions) {
    double tops = peakTops(c, p.type);
    if (tops > 0)
      fmt::print("#   peak {:<4}  {:9.2f} TOPS ({:.4g} MAC/s)\n", p.name, tops,
                 peakMacsPerSecond(c, p.type));
    else
      fmt::print("#   peak {:<4}  unsupported\n", p.name);
  }
  double pins = c.hbm.peakBytesPerSecond();
  double tsv = tsvBytesPerSecond(c);
  fmt::print("#   HBM: {} x {} stacks at {:g} Gb/s per pin: pins {}, TSV ceiling {}, "
             "usable peak {}\n",
             c.hbm.stacks, c.hbm.preset, 2 * c.hbm.clockMHz / 1000, gigabytes(pins),
             gigabytes(tsv), gigabytes(peakHbmBytesPerSecond(c)));
  fmt::print("#   HBM capacity: {}\n", binaryBytes(c.hbm.totalCapacityBytes()));
  fmt::print("#   SRAM: {} per core, {} in total\n", binaryBytes(c.core.sram.sizeBytes),
             binaryBytes(totalSramBytes(c)));
  double bw = peakHbmBytesPerSecond(c);
  if (bw > 0 && peakTops(c, DType::I8) > 0)
    fmt::print("#   roofline ridge (i8): {:.0f} ops per HBM byte\n",
               peakTops(c, DType::I8) * 1e12 / bw);
}

void report(const std::string &command, const std::string &source,
            Expected<ArchConfig> resolved, bool quiet) {
  const ArchConfig config = valueOrFail(command, std::move(resolved));
  std::string hash = archConfigHash(config);
  if (quiet) {
    fmt::print("{}: ok (sha256 {})\n", source, hash);
    return;
  }
  fmt::print("# {}: valid. Resolved config (canonical form):\n", source);
  fmt::print("{}", archConfigToYaml(config));
  fmt::print("# hash: sha256:{}\n", hash);
  printDerived(config);
  std::fflush(stdout);
}

} // namespace

void registerConfigCommand(CLI::App &app) {
  CLI::App *config = app.add_subcommand(
      "config", "Validate and show architecture configs (docs/config.md)");
  config->require_subcommand(1);

  auto checkOpt = std::make_shared<ConfigOptions>();
  CLI::App *check = config->add_subcommand(
      "check", "Validate a config file; print the resolved config, its hash and the "
               "derived peak figures");
  check->add_option("file", checkOpt->target, "Arch config (.yaml)")->required();
  check->add_flag("-q,--quiet", checkOpt->quiet, "Only say whether it is valid");
  check->callback([checkOpt] {
    report("config check", checkOpt->target, loadArchConfig(checkOpt->target),
           checkOpt->quiet);
  });

  auto showOpt = std::make_shared<ConfigOptions>();
  CLI::App *show = config->add_subcommand(
      "show", "Print a config by name (e.g. npu-default, npu-edge) or path, resolved; "
              "names are looked up in $STRATA_CONFIG_PATH, then the shipped configs/");
  show->add_option("name", showOpt->target, "Config name or path")->required();
  show->add_flag("-q,--quiet", showOpt->quiet, "Only say whether it is valid");
  show->callback([showOpt] {
    report("config show", showOpt->target, findArchConfig(showOpt->target),
           showOpt->quiet);
  });
}

} // namespace strata::cli
