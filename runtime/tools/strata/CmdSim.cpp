//===- CmdSim.cpp - strata sim: run an NPU binary on the chip model -------===//
//
//   strata sim FILE.npubin [--entry NAME] [--arch CFG] [--stats out.json]
//              [--trace out.json] [--timing-only] [--governor G] [--hbm-model M]
//              [--param name=value]... [--input NAME=FILE]... [--dump NAME=FILE]...
//              [--cycle-limit N]
//
// Runs one entry point and prints what an architect looks at first: cycles,
// time, instructions, energy and power, unit utilisation and HBM traffic.
// The architecture is the one recorded in the binary unless --arch names
// another (a warning says so when its hash differs).
//
//===----------------------------------------------------------------------===//
#include "CliSupport.h"

#include "strata/sim/Simulator.h"
#include "strata/target/ArchConfigIO.h"
#include "strata/target/BinaryIO.h"

#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace strata::cli {
namespace {

struct SimCliOptions {
  std::string file;
  std::string entry;
  std::string arch;
  std::string stats;
  std::string trace;
  std::string governor;
  std::string hbmModel; ///< overrides the arch config's hbm.model
  bool timingOnly = false;
  uint64_t cycleLimit = 0;
  std::vector<std::string> params, inputs, dumps;
};

constexpr const char *kCommand = "sim";

[[noreturn]] void simFail(const std::string &message) { fail(kCommand, message); }

ArchConfig chooseArch(const bin::Binary &binary, const SimCliOptions &o) {
  std::optional<ArchConfig> embedded;
  if (!binary.archConfigYaml.empty())
    embedded = valueOrFail(
        kCommand, parseArchConfig(binary.archConfigYaml, o.file + " (recorded architecture)"));
  if (!o.arch.empty()) {
    ArchConfig a = valueOrFail(kCommand, findArchConfig(o.arch));
    const std::string hash = archConfigHash(a);
    if (!binary.archHash.empty() && hash != binary.archHash)
      fmt::print(stderr,
                 "strata sim: warning: {} was built for architecture '{}' (hash {}...); "
                 "running it on '{}' (hash {}...) instead\n",
                 o.file, embedded ? embedded->name : std::string("?"),
                 binary.archHash.substr(0, 12), a.name, hash.substr(0, 12));
    return a;
  }
  if (embedded)
    return *embedded;
  fmt::print(stderr, "strata sim: note: {} records no architecture; using npu-default\n",
             o.file);
  return defaultArchConfig();
}

std::string chooseEntry(const bin::Binary &binary, const std::string &wanted) {
  if (!wanted.empty())
    return wanted;
  if (binary.entries.size() == 1)
    return binary.entries[0].name;
  simFail(fmt::format("the binary has {} entry points ({}); choose one with --entry",
                      binary.entries.size(), entryNames(binary)));
}

void runSim(const SimCliOptions &o) {
  const bin::Binary binary = valueOrFail(kCommand, readBinary(o.file));
  ArchConfig arch = chooseArch(binary, o);
  if (!o.hbmModel.empty())
    arch.hbm.model = o.hbmModel;
  const std::string entry = chooseEntry(binary, o.entry);

  std::vector<std::pair<std::string, int64_t>> params;
  for (const std::string &p : o.params) {
    auto [name, value] = splitAssignment(kCommand, p, "--param");
    params.emplace_back(name, parseInteger(kCommand, value, "--param " + name));
  }

  sim::SimOptions options;
  options.timingOnly = o.timingOnly;
  options.governor = o.governor;
  options.tracePath = o.trace;
  options.cycleLimit = o.cycleLimit;
  std::unique_ptr<sim::Simulator> simulator =
      valueOrFail(kCommand, sim::Simulator::create(arch, options));
  sim::Simulator &sim = *simulator;
  checkOrFail(kCommand, sim.load(binary));

  for (const std::string &in : o.inputs) {
    auto [name, path] = splitAssignment(kCommand, in, "--input");
    Expected<std::string> bytes = readWholeFile(path);
    if (!bytes)
      simFail(fmt::format("{}: cannot open input file for binding '{}'", path, name));
    if (Status s = sim.writeIo(name, bytes->data(), bytes->size()); !s)
      simFail(fmt::format("{}: {}", path, s.message()));
  }

  const sim::RunResult r = valueOrFail(kCommand, sim.run(entry, params));

  fmt::print("{}: entry '{}' on {} ({} core{}){}\n", o.file, entry, arch.name, arch.numCores,
             arch.numCores == 1 ? "" : "s", o.timingOnly ? ", timing only" : "");
  fmt::print("  cycles        {}\n", r.cycles);
  fmt::print("  time          {}\n", humanTime(r.seconds));
  fmt::print("  instructions  {} ({} tile instructions)\n", r.instructions,
             r.tileInstructions);
  if (r.macs > 0)
    fmt::print("  MACs          {:.0f} ({:.2f} TOPS)\n", r.macs,
               r.seconds > 0 ? 2 * r.macs / r.seconds / 1e12 : 0.0);
  fmt::print("  energy        {}, average power {:.3f} W\n", humanEnergy(r.energyJ),
             r.averagePowerW);
  std::string parts;
  for (const auto &[unit, joules] : r.energyByUnit)
    if (joules > 0)
      parts += fmt::format("{}{} {:.1f}%", parts.empty() ? "" : ", ", unit,
                           r.energyJ > 0 ? 100 * joules / r.energyJ : 0.0);
  fmt::print("  energy split  {}\n", parts);
  std::string util;
  for (const sim::UnitUtilisation &u : r.units)
    util += fmt::format("{}{} {:.1f}%", util.empty() ? "" : ", ", u.unit, 100 * u.utilisation);
  fmt::print("  utilisation   {}{}\n", util,
             arch.numCores > 1 ? fmt::format(" (average over {} cores)", arch.numCores) : "");
  fmt::print("  HBM           {} read, {} written, {:.2f} GB/s\n", humanBytes(r.hbmReadBytes),
             humanBytes(r.hbmWriteBytes), r.hbmBytesPerSecond / 1e9);
  // Resident weights: the simulator ran the binary's loader first (not
  // part of the figures above).
  if (const auto &load = sim.weightLoad(); load && entry != bin::kLoadWeightsEntry)
    fmt::print("  weights       kept in SRAM; '{}' ran first: {}, {} read, {}\n",
               bin::kLoadWeightsEntry, humanTime(load->seconds), humanBytes(load->hbmReadBytes),
               humanEnergy(load->energyJ));

  for (const std::string &d : o.dumps) {
    auto [name, path] = splitAssignment(kCommand, d, "--dump");
    const bin::IoBinding *b = binary.findIo(name);
    if (!b)
      simFail(fmt::format("--dump: the binary has no I/O binding '{}'", name));
    std::vector<char> bytes(b->byteSize());
    checkOrFail(kCommand, sim.readIo(name, bytes.data(), bytes.size()));
    std::ofstream f(path, std::ios::binary);
    f.write(bytes.data(), std::streamsize(bytes.size()));
    if (!f)
      simFail(fmt::format("{}: cannot write the bytes of binding '{}'", path, name));
    fmt::print("  wrote {} ({} bytes of '{}')\n", path, bytes.size(), name);
  }
  if (!o.stats.empty()) {
    checkOrFail(kCommand, sim.writeStats(o.stats));
    fmt::print("  wrote {} (stats)\n", o.stats);
  }
  if (!o.trace.empty()) {
    checkOrFail(kCommand, sim.closeTrace());
    fmt::print("  wrote {} (trace; open it in ui.perfetto.dev)\n", o.trace);
  }
}

} // namespace

void registerSimCommand(CLI::App &app) {
  auto o = std::make_shared<SimCliOptions>();
  CLI::App *cmd = app.add_subcommand(
      "sim", "Run an NPU binary on the simulator and print cycles, time, energy, "
             "utilisation and HBM bandwidth");
  cmd->add_option("file", o->file, "NPU binary (.npubin)")->required();
  cmd->add_option("--entry", o->entry, "entry point to run (default: the only one)");
  cmd->add_option("--arch", o->arch,
                  "architecture config name or YAML path (default: the one in the binary)");
  cmd->add_option("--stats", o->stats, "write every statistic as JSON to this file");
  cmd->add_option("--trace", o->trace, "write a Chrome/Perfetto trace to this file");
  cmd->add_flag("--timing-only", o->timingOnly, "skip the values; time and energy only");
  cmd->add_option("--governor", o->governor, "DVFS governor: fixed, ondemand or hinted");
  addHbmModelOption(cmd, o->hbmModel);
  cmd->add_option("--param", o->params, "scalar parameter of the entry point, NAME=VALUE");
  cmd->add_option("--input", o->inputs, "bytes of an I/O binding from a file, NAME=FILE");
  cmd->add_option("--dump", o->dumps, "write an I/O binding's bytes after the run, NAME=FILE");
  cmd->add_option("--cycle-limit", o->cycleLimit,
                  "fault after this many core cycles (default: the arch's limit)");
  cmd->callback([o] { runSim(*o); });
}

} // namespace strata::cli
