//===- Simulator.cpp - Run NPU binaries on the chip model -----------------===//
#include "strata/sim/Simulator.h"

#include "strata/sim/core/Chip.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <systemc>

#include <algorithm>
#include <cstring>
#include <exception>
#include <fstream>

namespace strata::sim {

struct Simulator::Context {
  sc_core::sc_simcontext *simc = nullptr;
};

namespace {
double kernelNowNs() { return sc_core::sc_time_stamp().to_seconds() * 1e9; }

/// Energy so far by unit name (summed over domains), leakage and DVFS.
std::vector<std::pair<std::string, double>> energyByUnit(const PowerMonitor &power) {
  std::vector<std::pair<std::string, double>> out;
  out.reserve(8);
  for (PowerMonitor::UnitId u = 0; u < power.numUnits(); ++u) {
    const std::string &name = power.unitName(u);
    auto it = std::find_if(out.begin(), out.end(), [&](const auto &e) { return e.first == name; });
    if (it == out.end())
      out.emplace_back(name, power.unitEnergyJ(u));
    else
      it->second += power.unitEnergyJ(u);
  }
  out.emplace_back("leakage", power.leakageEnergyJ());
  out.emplace_back("dvfs", power.transitionEnergyJ());
  return out;
}
} // namespace

Simulator::Simulator(const ArchConfig &arch, const SimOptions &options)
    : arch_(arch), options_(options) {}

void Simulator::activate() const {
  sc_core::sc_curr_simcontext = context_->simc;
  sc_core::sc_default_global_context = context_->simc;
}

Expected<std::unique_ptr<Simulator>> Simulator::create(const ArchConfig &arch,
                                                       const SimOptions &options) {
  // SystemC reports errors by throwing, and so do a few unit constructors on
  // impossible configurations; none may escape this API.
  try {
    return createImpl(arch, options);
  } catch (const std::exception &e) {
    return Error(fmt::format("cannot build the simulator for arch '{}': {}", arch.name,
                             e.what()));
  }
}

Expected<std::unique_ptr<Simulator>> Simulator::createImpl(const ArchConfig &arch,
                                                           const SimOptions &options) {
  std::unique_ptr<Simulator> sim(new Simulator(arch, options));
  sim->context_ = std::make_unique<Context>();
  // A fresh kernel context per Simulator: SystemC elaborates once per
  // context, and this one is ours alone. It is never deleted (SystemC 2.3
  // objects may refer to it until process exit).
  sim->context_->simc = new sc_core::sc_simcontext();
  sim->activate();
  sim->stats_ = std::make_unique<StatGroup>("chip");
  sim->trace_ = std::make_unique<TraceWriter>();
  if (!options.tracePath.empty()) {
    Status s = sim->trace_->open(options.tracePath);
    if (!s)
      return s.error();
  }
  core::ChipOptions chipOptions;
  chipOptions.timingOnly = options.timingOnly;
  chipOptions.governor = options.governor;
  chipOptions.powerWindowNs = options.powerWindowNs;
  std::optional<Error> error;
  sim->chip_ = std::make_unique<core::Chip>("chip", sim->arch_, chipOptions, *sim->stats_,
                                            sim->trace_.get(), error);
  if (error)
    return *error;
  StatGroup &runs = sim->stats_->child("runs");
  Simulator *self = sim.get();
  runs.formula("count", "entry-point runs completed", "runs",
               [self] { return double(self->runs_); });
  runs.formula("time", "simulated time over all runs", "ns",
               [self] { return self->history_.empty() ? 0.0 : self->history_.back().endNs; });
  runs.formula("energy", "energy over all runs (dynamic, leakage, DVFS transitions)", "J",
               [self] { return self->energyBeforeJ_; });
  return sim;
}

Simulator::~Simulator() {
  if (!context_)
    return;
  activate();
  (void)closeTrace();
  chip_.reset();
}

double Simulator::nowNs() const {
  activate();
  return kernelNowNs();
}

const core::Fault *Simulator::fault() const {
  return chip_ && chip_->fault() ? &*chip_->fault() : nullptr;
}

Status Simulator::load(const bin::Binary &binary) {
  activate();
  if (binary.isaMajor != isa::kIsaVersionMajor)
    return Error(fmt::format("the binary uses ISA version {}.{} but the simulator runs {}.{}",
                             binary.isaMajor, binary.isaMinor, isa::kIsaVersionMajor,
                             isa::kIsaVersionMinor));
  const uint64_t capacity = chip_->hbm().capacity();
  for (const bin::MemoryRegion &r : binary.regions)
    if (r.hbmAddress + r.size > capacity || r.hbmAddress + r.size < r.hbmAddress)
      return Error(fmt::format("region '{}' [{:#x}, {:#x}) does not fit in the {} bytes of "
                               "HBM of arch '{}'",
                               r.name, r.hbmAddress, r.hbmAddress + r.size, capacity,
                               arch_.name));
  for (const bin::EntryPoint &e : binary.entries)
    if (e.cores.size() > arch_.numCores)
      return Error(fmt::format("entry point '{}' has code for {} cores but arch '{}' has {}",
                               e.name, e.cores.size(), arch_.name, arch_.numCores));
  auto kept = std::make_shared<const bin::Binary>(binary);
  for (const bin::ConstSegment &seg : kept->constants) {
    if (!seg.data)
      continue; // a timing-only binary: the segment only reserves space
    Status s = chip_->hbm().mapReadOnly(seg.hbmAddress, seg.data, seg.size);
    if (!s)
      return s.error().withContext("constant segment '" + seg.name + "'");
  }
  binary_ = std::move(kept);
  checkedEntries_.clear();
  weightLoad_.reset();
  return Status::ok();
}

Expected<RunResult> Simulator::run(const std::string &entryName,
                                   const std::vector<std::pair<std::string, int64_t>> &params) {
  try {
    // Resident weights must be in SRAM before any program reads them.
    if (binary_ && !weightLoad_ && entryName != bin::kLoadWeightsEntry &&
        binary_->findEntry(bin::kLoadWeightsEntry))
      if (Expected<RunResult> loaded = runImpl(bin::kLoadWeightsEntry, {}); !loaded)
        return loaded.error().withContext(std::string("entry point '") + bin::kLoadWeightsEntry +
                                          "', run before '" + entryName + "'");
    return runImpl(entryName, params);
  } catch (const std::exception &e) {
    // A SystemC error report: the kernel is in an unknown state.
    core::Fault f;
    f.message = std::string("internal simulator error: ") + e.what();
    f.timeNs = kernelNowNs();
    chip_->raise(f);
    return Error(f.format());
  }
}

Expected<RunResult>
Simulator::runImpl(const std::string &entryName,
                   const std::vector<std::pair<std::string, int64_t>> &params) {
  activate();
  if (const core::Fault *f = fault())
    return Error("the simulator stopped on a fault in an earlier run (" + f->format() +
                 "); create a new Simulator to run again");
  if (!binary_)
    return Error("no binary is loaded");
  const bin::EntryPoint *entry = binary_->findEntry(entryName);
  if (!entry) {
    std::string names;
    for (const bin::EntryPoint &e : binary_->entries)
      names += (names.empty() ? "" : ", ") + e.name;
    return Error(fmt::format("the binary has no entry point '{}' (it has: {})", entryName,
                             names));
  }
  std::array<int64_t, 32> regs{};
  std::vector<bool> given(entry->params.size(), false);
  for (const auto &[name, value] : params) {
    auto it = std::find_if(entry->params.begin(), entry->params.end(),
                           [&](const bin::ScalarParam &p) { return p.name == name; });
    if (it == entry->params.end()) {
      std::string names;
      for (const bin::ScalarParam &p : entry->params)
        names += (names.empty() ? "" : ", ") + p.name;
      return Error(fmt::format("entry point '{}' has no parameter '{}' (it takes: {})",
                               entryName, name, names.empty() ? "none" : names));
    }
    regs[it->reg & 31] = value;
    given[size_t(it - entry->params.begin())] = true;
  }
  for (size_t i = 0; i < given.size(); ++i)
    if (!given[i])
      return Error(fmt::format("entry point '{}' needs parameter '{}' (register r{})",
                               entryName, entry->params[i].name, entry->params[i].reg));

  core::Chip &chip = *chip_;
  const uint32_t n = chip.numCores();
  const double startNs = kernelNowNs();
  std::vector<double> startCycles(n);
  std::vector<core::CoreActivity> before(n);
  uint64_t opsBefore = 0, fetchedBefore = 0;
  for (uint32_t c = 0; c < n; ++c) {
    startCycles[c] = chip.coreCycles(c, startNs);
    before[c] = chip.core(c).activity();
    opsBefore += chip.core(c).opsRetired();
    fetchedBefore += chip.core(c).instructionsFetched();
  }
  const double macsBefore = chip.power().totalMacs();
  const bool checked = std::find(checkedEntries_.begin(), checkedEntries_.end(), entry) !=
                       checkedEntries_.end();
  Status started = chip.startRun(*entry, regs, checked);
  if (!started)
    return started.error();
  if (!checked)
    checkedEntries_.push_back(entry);

  const uint64_t limit = options_.cycleLimit ? options_.cycleLimit
                                             : arch_.simulation.cycleLimit;
  double maxMHz = 0;
  for (const OperatingPoint &p : chip.domains().core(0).config().points)
    maxMHz = std::max(maxMHz, p.freqMHz);
  const bool runAheadAllowed =
      options_.runAhead && chip.memory().analytic() &&
      sc_core::sc_get_time_resolution() == sc_core::sc_time(1, sc_core::SC_PS);
  while (!chip.runDone()) {
    const double now = kernelNowNs();
    double elapsed = 0;
    uint32_t slowest = 0;
    for (uint32_t c = 0; c < n; ++c) {
      const double cycles = chip.coreCycles(c, now) - startCycles[c];
      if (!chip.core(c).finished() && cycles >= elapsed) {
        elapsed = cycles;
        slowest = c;
      }
    }
    if (elapsed >= double(limit)) {
      core::Fault f;
      f.core = slowest;
      f.unit = "sequencer";
      f.pc = chip.core(slowest).pc();
      f.instr = chip.core(slowest).instrAt(f.pc);
      f.message = fmt::format("the run exceeded the cycle limit of {} core cycles "
                              "(simulation.cycleLimit)",
                              limit);
      f.timeNs = now;
      chip.raise(f);
      break;
    }
    // Run up to the earliest time any core could reach the limit. Time runs
    // to the end of the chunk (SC_RUN_TO_TIME): a core busy with a long
    // instruction has no event inside the chunk but is spending cycles.
    const double chunkNs = std::max(1.0, (double(limit) - elapsed) / maxMHz * 1000.0);
    const sc_core::sc_time chunk(std::min(chunkNs, 1e15), sc_core::SC_NS);
    // With the analytic memory model a core's events reach no other process
    // except through what SimTime.h covers, so cores may settle their own
    // events ahead of the kernel within the chunk (times in ps).
    chip.setRunAheadLimit(runAheadAllowed ? sc_core::sc_time_stamp().value() + chunk.value() : 0);
    sc_core::sc_start(chunk, sc_core::SC_RUN_TO_TIME);
    chip.setRunAheadLimit(0);
    if (chip.runDone())
      break;
    if (!sc_core::sc_pending_activity()) {
      core::Fault f;
      f.message = "the simulation ran out of events before the program finished";
      f.timeNs = kernelNowNs();
      chip.raise(f);
      break;
    }
  }
  if (const core::Fault *f = fault())
    return Error(f->format());
  // A sequencer that ran ahead through scalar code may finish after the
  // kernel's time: bring the kernel there, so the next run starts after this.
  // A lag below the time resolution rounds to zero, and sc_start(0) with
  // nothing pending prints SystemC's W571 warning to stdout.
  if (const double lag = chip.endNs() - kernelNowNs(); lag > 0) {
    const sc_core::sc_time t(lag, sc_core::SC_NS);
    if (t > sc_core::SC_ZERO_TIME)
      sc_core::sc_start(t, sc_core::SC_RUN_TO_TIME);
  }

  RunResult r;
  r.entry = entryName;
  r.startNs = startNs;
  r.endNs = chip.endNs();
  r.seconds = (r.endNs - r.startNs) * 1e-9;
  double maxCycles = 0;
  double busy[3] = {0, 0, 0};
  for (uint32_t c = 0; c < n; ++c) {
    maxCycles = std::max(maxCycles, chip.coreCycles(c, r.endNs) - startCycles[c]);
    const core::CoreActivity &a = chip.core(c).activity();
    busy[0] += a.tensorBusyNs - before[c].tensorBusyNs;
    busy[1] += a.vectorBusyNs - before[c].vectorBusyNs;
    busy[2] += a.dmaBusyNs - before[c].dmaBusyNs;
    r.hbmReadBytes += a.hbmReadBytes - before[c].hbmReadBytes;
    r.hbmWriteBytes += a.hbmWriteBytes - before[c].hbmWriteBytes;
    r.tileInstructions += chip.core(c).opsRetired();
    r.instructions += chip.core(c).instructionsFetched();
  }
  r.tileInstructions -= opsBefore;
  r.instructions -= fetchedBefore;
  r.cycles = uint64_t(std::llround(maxCycles));
  const double runNs = r.endNs - r.startNs;
  const char *names[3] = {"tensor", "vector", "dma"};
  for (int u = 0; u < 3; ++u)
    r.units.push_back({names[u], busy[u], runNs > 0 ? busy[u] / (runNs * n) : 0.0});
  PowerMonitor &power = chip.power();
  power.finish(r.endNs);
  r.macs = power.totalMacs() - macsBefore;
  r.energyJ = power.totalEnergyJ() - energyBeforeJ_;
  energyBeforeJ_ = power.totalEnergyJ();
  std::vector<std::pair<std::string, double>> energyNow = energyByUnit(power);
  r.energyByUnit = energyNow;
  for (auto &[name, joules] : r.energyByUnit)
    for (const auto &[before, was] : energyByUnitBefore_)
      if (before == name)
        joules -= was;
  energyByUnitBefore_ = std::move(energyNow);
  r.averagePowerW = r.seconds > 0 ? r.energyJ / r.seconds : 0;
  r.peakPowerW = power.peakPowerW();
  r.hbmBytesPerSecond = r.seconds > 0 ? (r.hbmReadBytes + r.hbmWriteBytes) / r.seconds : 0;
  ++runs_;
  // The history (writeStats' per-run list) keeps no per-label costs: a long
  // generation runs an entry per token, and each would keep a copy.
  history_.push_back(r);
  if (chip.labels().active())
    r.labels = chip.labels().costs();
  if (entryName == bin::kLoadWeightsEntry)
    weightLoad_ = r;
  return r;
}

Status Simulator::writeHbm(uint64_t address, const void *data, uint64_t size) {
  return chip_->hbm().write(address, data, size);
}

Status Simulator::readHbm(uint64_t address, void *data, uint64_t size) const {
  return chip_->hbm().read(address, data, size);
}

Expected<const bin::IoBinding *> Simulator::ioBinding(const std::string &name,
                                                      uint64_t size) const {
  const bin::IoBinding *b = binary_ ? binary_->findIo(name) : nullptr;
  if (!b)
    return Error(fmt::format("the loaded binary has no I/O binding '{}'", name));
  if (size != b->byteSize())
    return Error(fmt::format("I/O binding '{}' holds {} bytes, not {}", name, b->byteSize(),
                             size));
  return b;
}

Status Simulator::writeIo(const std::string &name, const void *data, uint64_t size) {
  Expected<const bin::IoBinding *> b = ioBinding(name, size);
  return b ? writeHbm((*b)->hbmAddress, data, size) : b.status();
}

Status Simulator::readIo(const std::string &name, void *data, uint64_t size) const {
  Expected<const bin::IoBinding *> b = ioBinding(name, size);
  return b ? readHbm((*b)->hbmAddress, data, size) : b.status();
}

Status Simulator::readSram(uint32_t core, uint64_t offset, void *data, uint64_t size) {
  if (core >= chip_->numCores() || offset + size > arch_.core.sram.sizeBytes ||
      offset + size < offset)
    return Error(fmt::format("SRAM range [{:#x}, {:#x}) of core {} is outside the chip",
                             offset, offset + size, core));
  std::memcpy(data, chip_->core(core).scratchpad().data() + offset, size);
  return Status::ok();
}

Status Simulator::writeSram(uint32_t core, uint64_t offset, const void *data, uint64_t size) {
  if (core >= chip_->numCores() || offset + size > arch_.core.sram.sizeBytes ||
      offset + size < offset)
    return Error(fmt::format("SRAM range [{:#x}, {:#x}) of core {} is outside the chip",
                             offset, offset + size, core));
  std::memcpy(chip_->core(core).scratchpad().data() + offset, data, size);
  return Status::ok();
}

Status Simulator::writeStats(const std::string &path) {
  activate();
  chip_->memory().finalizeStats();
  nlohmann::json j;
  j["arch"] = arch_.name;
  j["stats"] = stats_->toJson();
  nlohmann::json runs = nlohmann::json::array();
  for (const RunResult &r : history_) {
    nlohmann::json u = nlohmann::json::object();
    for (const UnitUtilisation &x : r.units)
      u[x.unit] = x.utilisation;
    runs.push_back({{"entry", r.entry},
                    {"cycles", r.cycles},
                    {"seconds", r.seconds},
                    {"start_ns", r.startNs},
                    {"end_ns", r.endNs},
                    {"instructions", r.instructions},
                    {"tile_instructions", r.tileInstructions},
                    {"macs", r.macs},
                    {"energy_j", r.energyJ},
                    {"energy_by_unit_j", nlohmann::json(r.energyByUnit)},
                    {"average_power_w", r.averagePowerW},
                    {"hbm_read_bytes", r.hbmReadBytes},
                    {"hbm_write_bytes", r.hbmWriteBytes},
                    {"hbm_bytes_per_second", r.hbmBytesPerSecond},
                    {"utilisation", u}});
  }
  j["runs"] = runs;
  std::ofstream out(path);
  if (!out)
    return Error(fmt::format("{}: cannot open for writing", path));
  out << j.dump(2) << "\n";
  if (!out)
    return Error(fmt::format("{}: write failed", path));
  return Status::ok();
}

Status Simulator::closeTrace() {
  if (!trace_ || !trace_->enabled())
    return Status::ok();
  activate();
  PowerMonitor &power = chip_->power();
  const double end = history_.empty() ? kernelNowNs() : history_.back().endNs;
  power.finish(end);
  const uint32_t pid = chip_->numCores() + 16;
  trace_->track("power", pid, "power", 0);
  power.writeTrace(*trace_, pid);
  return trace_->close();
}

} // namespace strata::sim
