//===- ArchConfigResolve.cpp - ArchConfigSpec to validated ArchConfig -----===//
//
// The second layer. Start from the named defaults (ArchConfig's in-class
// initialisers, which equal configs/npu-default.yaml), lay the HBM preset
// over them, then every key the file wrote; check each value's range as it
// is taken, and once every value is in range, check how they fit together.
// Errors point at the key that was written; a contradiction between two keys
// is reported at the one the file wrote (or the first of them).
//
//===----------------------------------------------------------------------===//
#include "ArchConfigInternal.h"
#include "ConfigDiagnostics.h"
#include "ConfigSchema.h"
#include "ConfigUnits.h"
#include "HbmPresets.h"
#include "KeySuggestion.h"

#include "strata/target/ArchConfigIO.h"
#include "strata/target/Isa.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <set>

namespace strata {
namespace {

using archcfg::ConfigDiagnostics;
using archcfg::formatNumber;
using archcfg::isPowerOfTwo;

enum class IntRule { Positive, NonNegative, PowerOfTwo };
enum class RealRule { Positive, NonNegative, Fraction };

template <size_t N>
std::string listOf(const std::array<std::string_view, N> &names) {
  std::string out;
  for (size_t i = 0; i < N; ++i) {
    if (i)
      out += i + 1 == N ? " or " : ", ";
    out += "'" + std::string(names[i]) + "'";
  }
  return out;
}

class Resolver {
public:
  Resolver(const ArchConfigSpec &spec, ConfigDiagnostics &diag)
      : spec_(spec), diag_(diag) {}

  ArchConfig run() {
    ArchConfig c;
    if (spec_.name) {
      if (spec_.name->empty())
        fail("name", "must not be empty");
      else
        c.name = *spec_.name;
    }
    // Core ids 0..254 are addressable; 0xFF in a MemRef means "this core".
    setInt(spec_.numCores, "num_cores", c.numCores, IntRule::Positive, isa::kLocalCore);
    resolveCore(c.core);
    resolveNoc(c.noc);
    resolveHbm(c.hbm);
    resolveDvfs(c.dvfs, c.hbm);
    resolveEnergy(c.energy);
    setInt(spec_.simulation.cycleLimit, "simulation.cycle_limit", c.simulation.cycleLimit,
           IntRule::Positive);
    // Consistency checks assume every single value is in range.
    if (diag_.empty())
      checkConsistency(c);
    return c;
  }

private:
  ConfigLocation loc(const std::string &path) const {
    auto it = spec_.locations.find(path);
    return it == spec_.locations.end() ? ConfigLocation{} : it->second;
  }
  bool written(const std::string &path) const { return spec_.locations.count(path); }

  void fail(const std::string &path, const std::string &message) {
    diag_.error(path, loc(path), message);
  }
  /// A contradiction between keys: reported at the first one the file wrote.
  void conflict(std::initializer_list<std::string> paths, const std::string &message) {
    conflict(std::vector<std::string>(paths), message);
  }
  /// Reported at the first of `paths` the file wrote, else at the first.
  void conflict(const std::vector<std::string> &paths, const std::string &message) {
    for (const std::string &p : paths)
      if (written(p))
        return fail(p, message);
    fail(paths.front(), message);
  }

  template <typename T>
  void setInt(const std::optional<int64_t> &value, const std::string &path, T &out,
              IntRule rule, uint64_t max = std::numeric_limits<T>::max()) {
    if (!value)
      return;
    int64_t v = *value;
    switch (rule) {
    case IntRule::Positive:
      if (v < 1)
        return fail(path, "must be a positive integer, got " + std::to_string(v));
      break;
    case IntRule::NonNegative:
      if (v < 0)
        return fail(path, "must be a non-negative integer, got " + std::to_string(v));
      break;
    case IntRule::PowerOfTwo:
      if (v < 1 || !isPowerOfTwo(uint64_t(v)))
        return fail(path, "must be a power of two, got " + std::to_string(v));
      break;
    }
    if (uint64_t(v) > max)
      return fail(path, "must be at most " + std::to_string(max) + ", got " +
                            std::to_string(v));
    out = T(v);
  }

  void setReal(const std::optional<double> &value, const std::string &path, double &out,
               RealRule rule) {
    if (!value)
      return;
    double v = *value;
    switch (rule) {
    case RealRule::Positive:
      if (!(v > 0))
        return fail(path, "must be a positive number, got " + formatNumber(v));
      break;
    case RealRule::NonNegative:
      if (v < 0)
        return fail(path, "must not be negative, got " + formatNumber(v));
      break;
    case RealRule::Fraction:
      if (v < 0 || v > 1)
        return fail(path, "must be between 0 and 1, got " + formatNumber(v));
      break;
    }
    out = v;
  }

  template <size_t N>
  void setChoice(const std::optional<std::string> &value, const std::string &path,
                 std::string &out, const std::array<std::string_view, N> &allowed) {
    if (!value)
      return;
    for (std::string_view a : allowed)
      if (*value == a) {
        out = *value;
        return;
      }
    std::string message = "unknown value '" + *value + "' (expected " + listOf(allowed) + ")";
    std::vector<std::string> names(allowed.begin(), allowed.end());
    if (auto s = archcfg::suggestKey(*value, names))
      message += "; did you mean '" + *s + "'?";
    fail(path, message);
  }

  //===--- core --------------------------------------------------------===//

  void resolveCore(CoreConfig &c) {
    const CoreSpec &s = spec_.core;
    const std::string tc = "core.tensor_cores.";
    setInt(s.tensorCores.count, tc + "count", c.tensorCores.count, IntRule::Positive);
    setInt(s.tensorCores.rows, tc + "rows", c.tensorCores.rows, IntRule::PowerOfTwo);
    setInt(s.tensorCores.cols, tc + "cols", c.tensorCores.cols, IntRule::PowerOfTwo);
    for (const auto &p : archcfg::kPrecisionKeys)
      setInt(s.tensorCores.macsPerCycle[size_t(p.type)],
             tc + "macs_per_cycle." + std::string(p.key),
             c.tensorCores.macsPerCycle[size_t(p.type)], IntRule::NonNegative);
    setInt(s.tensorCores.reconfigCycles, tc + "reconfig_cycles", c.tensorCores.reconfigCycles,
           IntRule::NonNegative);
    setInt(s.tensorCores.pipelineCycles, tc + "pipeline_cycles", c.tensorCores.pipelineCycles,
           IntRule::NonNegative);
    setInt(s.tensorCores.epilogueElemsPerCycle, tc + "epilogue_elems_per_cycle",
           c.tensorCores.epilogueElemsPerCycle, IntRule::Positive);

    setInt(s.vector.lanes, "core.vector.lanes", c.vector.lanes, IntRule::Positive);
    setInt(s.vector.startupCycles, "core.vector.startup_cycles", c.vector.startupCycles,
           IntRule::NonNegative);
    setInt(s.vector.transcendentalCycles, "core.vector.transcendental_cycles",
           c.vector.transcendentalCycles, IntRule::Positive);
    setInt(s.vector.rowOpPasses, "core.vector.row_op_passes", c.vector.rowOpPasses,
           IntRule::Positive);

    // The ISA addresses SRAM with 27-bit offsets.
    setInt(s.sram.sizeBytes, "core.sram.size_bytes", c.sram.sizeBytes, IntRule::Positive,
           uint64_t(isa::kMaxSramOffset) + 1);
    setInt(s.sram.banks, "core.sram.banks", c.sram.banks, IntRule::PowerOfTwo);
    setInt(s.sram.bankWidthBytes, "core.sram.bank_width_bytes", c.sram.bankWidthBytes,
           IntRule::PowerOfTwo);
    setInt(s.sram.accessCycles, "core.sram.access_cycles", c.sram.accessCycles,
           IntRule::Positive);

    setInt(s.dma.engines, "core.dma.engines", c.dma.engines, IntRule::Positive);
    setInt(s.dma.maxOutstanding, "core.dma.max_outstanding", c.dma.maxOutstanding,
           IntRule::Positive);
    setInt(s.dma.requestBytes, "core.dma.request_bytes", c.dma.requestBytes,
           IntRule::PowerOfTwo);
    setInt(s.dma.setupCycles, "core.dma.setup_cycles", c.dma.setupCycles,
           IntRule::NonNegative);

    setInt(s.queues.loadDepth, "core.queues.load_depth", c.queues.loadDepth, IntRule::Positive);
    setInt(s.queues.computeDepth, "core.queues.compute_depth", c.queues.computeDepth,
           IntRule::Positive);
    setInt(s.queues.storeDepth, "core.queues.store_depth", c.queues.storeDepth,
           IntRule::Positive);
    setInt(s.queues.dispatchCycles, "core.queues.dispatch_cycles", c.queues.dispatchCycles,
           IntRule::Positive);
  }

  void resolveNoc(NocConfig &n) {
    setReal(spec_.noc.linkBytesPerCycle, "noc.link_bytes_per_cycle", n.linkBytesPerCycle,
            RealRule::Positive);
    setInt(spec_.noc.hopCycles, "noc.hop_cycles", n.hopCycles, IntRule::NonNegative);
    setChoice(spec_.noc.topology, "noc.topology", n.topology, archcfg::kTopologies);
  }

  //===--- HBM ---------------------------------------------------------===//

  void resolveHbm(HbmConfig &h) {
    const HbmSpec &s = spec_.hbm;
    const archcfg::HbmPreset *preset = archcfg::findHbmPreset("hbm2e");
    bool custom = false;
    if (s.preset) {
      if (*s.preset == "custom") {
        custom = true;
        preset = nullptr;
        h.preset = "custom";
      } else if (const archcfg::HbmPreset *p = archcfg::findHbmPreset(*s.preset)) {
        preset = p;
        h.preset = *s.preset;
      } else {
        std::vector<std::string> names = archcfg::hbmPresetNames();
        names.push_back("custom");
        std::string message = "unknown preset '" + *s.preset +
                              "' (expected hbm2, hbm2e, hbm3 or custom)";
        if (auto sug = archcfg::suggestKey(*s.preset, names))
          message += "; did you mean '" + *sug + "'?";
        fail("hbm.preset", message);
      }
    }
    if (preset) {
      h.channelsPerStack = preset->channelsPerStack;
      h.pseudoChannels = preset->pseudoChannels;
      h.bankGroups = preset->bankGroups;
      h.banksPerGroup = preset->banksPerGroup;
      h.rowBytes = preset->rowBytes;
      h.busBitsPerPseudoChannel = preset->busBitsPerPseudoChannel;
      h.burstLength = preset->burstLength;
      h.clockMHz = preset->clockMHz;
      h.capacityBytesPerStack = preset->capacityBytesPerStack;
      h.tsvBytesPerCycle = preset->tsvBytesPerCycle;
    }
    auto require = [&](bool present, const std::string &key) {
      if (custom && !present)
        diag_.error("hbm." + key, loc("hbm.preset"),
                    "missing required key (hbm.preset is 'custom', which supplies no "
                    "defaults)");
    };
    require(s.channelsPerStack.has_value(), "channels_per_stack");
    require(s.pseudoChannels.has_value(), "pseudo_channels");
    require(s.bankGroups.has_value(), "bank_groups");
    require(s.banksPerGroup.has_value(), "banks_per_group");
    require(s.rowBytes.has_value(), "row_bytes");
    require(s.busBitsPerPseudoChannel.has_value(), "bus_bits_per_pseudo_channel");
    require(s.burstLength.has_value(), "burst_length");
    require(s.clockMHz.has_value(), "clock_mhz");
    require(s.capacityBytesPerStack.has_value(), "capacity_bytes_per_stack");
    require(s.tsvBytesPerCycle.has_value(), "tsv_bytes_per_cycle");

    setChoice(s.model, "hbm.model", h.model, archcfg::kHbmModels);
    setInt(s.stacks, "hbm.stacks", h.stacks, IntRule::Positive);
    setInt(s.channelsPerStack, "hbm.channels_per_stack", h.channelsPerStack,
           IntRule::PowerOfTwo);
    setInt(s.pseudoChannels, "hbm.pseudo_channels", h.pseudoChannels, IntRule::PowerOfTwo);
    setInt(s.bankGroups, "hbm.bank_groups", h.bankGroups, IntRule::PowerOfTwo);
    setInt(s.banksPerGroup, "hbm.banks_per_group", h.banksPerGroup, IntRule::PowerOfTwo);
    setInt(s.rowBytes, "hbm.row_bytes", h.rowBytes, IntRule::PowerOfTwo);
    setInt(s.busBitsPerPseudoChannel, "hbm.bus_bits_per_pseudo_channel",
           h.busBitsPerPseudoChannel, IntRule::PowerOfTwo);
    if (h.busBitsPerPseudoChannel < 8)
      fail("hbm.bus_bits_per_pseudo_channel",
           "must be at least 8, got " + std::to_string(h.busBitsPerPseudoChannel));
    setInt(s.burstLength, "hbm.burst_length", h.burstLength, IntRule::PowerOfTwo);
    setReal(s.clockMHz, "hbm.clock_mhz", h.clockMHz, RealRule::Positive);
    setInt(s.capacityBytesPerStack, "hbm.capacity_bytes_per_stack", h.capacityBytesPerStack,
           IntRule::Positive);
    setChoice(s.addressMapping, "hbm.address_mapping", h.addressMapping,
              archcfg::kAddressMappings);
    setInt(s.interleaveBytes, "hbm.interleave_bytes", h.interleaveBytes, IntRule::PowerOfTwo);
    // The hashed mapping XORs the pseudo-channel index over all stacks; that
    // is a permutation only over a power-of-two count, and stacks is the one
    // factor not already held to powers of two.
    if (h.addressMapping == "hashed" && (h.stacks & (h.stacks - 1)))
      conflict({"hbm.address_mapping", "hbm.stacks"},
               "'hashed' needs a power-of-two number of pseudo-channels over all stacks, but "
               "hbm.stacks is " +
                   std::to_string(h.stacks) +
                   " (use a power-of-two stack count, or 'interleaved')");
    setInt(s.queueDepth, "hbm.queue_depth", h.queueDepth, IntRule::Positive);
    setInt(s.frontendCycles, "hbm.frontend_cycles", h.frontendCycles, IntRule::Positive);
    setChoice(s.scheduler, "hbm.scheduler", h.scheduler, archcfg::kSchedulers);
    setChoice(s.refresh, "hbm.refresh", h.refresh, archcfg::kRefreshModes);
    setReal(s.tsvBytesPerCycle, "hbm.tsv_bytes_per_cycle", h.tsvBytesPerCycle,
            RealRule::Positive);
    resolveTimings(h, preset, custom);
  }

  void resolveTimings(HbmConfig &h, const archcfg::HbmPreset *preset, bool custom) {
    for (const archcfg::TimingField &f : archcfg::kTimingFields) {
      std::string path = std::string("hbm.timing.") + f.key;
      const std::optional<TimingValue> &written = spec_.hbm.timing.*f.spec;
      std::optional<TimingValue> value = written;
      if (!value && preset)
        value = preset->timing.*f.spec;
      // A custom all-bank device needs no single-bank refresh timings.
      bool needed = h.perBankRefresh() || (f.spec != &HbmTimingSpec::tRFCsb &&
                                           f.spec != &HbmTimingSpec::tRREFD);
      if (!value) {
        if (custom && needed)
          diag_.error(path, loc("hbm.preset"),
                      "missing required key (hbm.preset is 'custom', which supplies no "
                      "defaults)");
        continue;
      }
      if (!(value->amount > 0)) {
        fail(path, value->inNanoseconds
                       ? "must be a positive duration, got " + formatNumber(value->amount) + "ns"
                       : "must be a positive cycle count, got " + formatNumber(value->amount));
        continue;
      }
      // A duration becomes whole cycles of the data clock, rounded up (a
      // minimum time is never shortened); the epsilon absorbs the binary
      // representation of exact products such as 12 ns x 1.25 GHz.
      double cycles = value->inNanoseconds
                          ? std::ceil(value->amount * h.clockMHz / 1000.0 - 1e-9)
                          : value->amount;
      cycles = std::max(cycles, 1.0);
      if (cycles > double(std::numeric_limits<uint32_t>::max())) {
        fail(path, "is too long: " + formatNumber(cycles) + " cycles");
        continue;
      }
      h.timing.*f.config = uint32_t(cycles);
    }
    // JEDEC defines tRC = tRAS + tRP; rounding the preset's nanoseconds to
    // cycles separately may leave tRC one cycle short, which is no
    // contradiction of the file, so a preset's tRC is raised to fit.
    if (!spec_.hbm.timing.tRC && preset)
      h.timing.tRC = std::max(h.timing.tRC, h.timing.tRAS + h.timing.tRP);
  }

  //===--- DVFS --------------------------------------------------------===//

  void resolveDvfs(DvfsConfig &d, const HbmConfig &hbm) {
    const DvfsSpec &s = spec_.dvfs;
    setChoice(s.governor, "dvfs.governor", d.governor, archcfg::kGovernors);
    setReal(s.ondemandWindowNs, "dvfs.ondemand.window_ns", d.ondemandWindowNs,
            RealRule::Positive);
    setReal(s.ondemandUpThreshold, "dvfs.ondemand.up_threshold", d.ondemandUpThreshold,
            RealRule::Fraction);
    setReal(s.ondemandDownThreshold, "dvfs.ondemand.down_threshold",
            d.ondemandDownThreshold, RealRule::Fraction);

    if (!s.domains) {
      // The default memory domain follows the HBM clock, so a file that
      // only changes hbm.clock_mhz or the preset stays consistent.
      for (DvfsDomainConfig &domain : d.domains)
        if (domain.name == "memory") {
          double scale = hbm.clockMHz / domain.points[domain.nominal].freqMHz;
          for (OperatingPoint &p : domain.points)
            p.freqMHz *= scale;
        }
      return;
    }
    d.domains.clear();
    if (s.domains->empty()) {
      fail("dvfs.domains", "must list at least one domain, including 'core'");
      return;
    }
    std::set<std::string> names;
    for (size_t i = 0; i < s.domains->size(); ++i) {
      std::string path = "dvfs.domains[" + std::to_string(i) + "]";
      DvfsDomainConfig domain = resolveDomain((*s.domains)[i], path);
      if (!domain.name.empty() && !names.insert(domain.name).second)
        fail(path + ".name", "duplicate domain name '" + domain.name + "'");
      d.domains.push_back(std::move(domain));
    }
    if (!names.count("core"))
      fail("dvfs.domains", "must include a domain named 'core' (the NPU core clock)");
  }

  DvfsDomainConfig resolveDomain(const DvfsDomainSpec &s, const std::string &path) {
    DvfsDomainConfig d;
    if (!s.name)
      fail(path, "missing required key 'name'");
    else if (s.name->empty())
      fail(path + ".name", "must not be empty");
    else
      d.name = *s.name;
    setReal(s.transitionNs, path + ".transition_ns", d.transitionNs, RealRule::NonNegative);
    setReal(s.transitionEnergyNj, path + ".transition_energy_nj", d.transitionEnergyNj,
            RealRule::NonNegative);

    if (!s.points) {
      fail(path, "missing required key 'points'");
      return d;
    }
    if (s.points->empty()) {
      fail(path + ".points", "must list at least one operating point");
      return d;
    }
    bool pointsOk = true;
    std::set<std::string> pointNames;
    for (size_t j = 0; j < s.points->size(); ++j) {
      const OperatingPointSpec &ps = (*s.points)[j];
      std::string pp = path + ".points[" + std::to_string(j) + "]";
      OperatingPoint p;
      size_t before = diag_.size();
      if (!ps.name)
        fail(pp, "missing required key 'name'");
      else if (ps.name->empty())
        fail(pp + ".name", "must not be empty");
      else if (!pointNames.insert(*ps.name).second)
        fail(pp + ".name", "duplicate point name '" + *ps.name + "'");
      else
        p.name = *ps.name;
      if (!ps.volts)
        fail(pp, "missing required key 'volts'");
      if (!ps.freqMHz)
        fail(pp, "missing required key 'freq_mhz'");
      setReal(ps.volts, pp + ".volts", p.volts, RealRule::Positive);
      setReal(ps.freqMHz, pp + ".freq_mhz", p.freqMHz, RealRule::Positive);
      if (diag_.size() != before) {
        pointsOk = false;
      } else if (pointsOk && !d.points.empty()) {
        const OperatingPoint &prev = d.points.back();
        if (!(p.freqMHz > prev.freqMHz))
          fail(pp + ".freq_mhz", "frequencies must be strictly ascending: " +
                                     formatNumber(p.freqMHz) + " MHz follows " +
                                     formatNumber(prev.freqMHz) + " MHz");
        else if (p.volts < prev.volts)
          fail(pp + ".volts", "voltage must not fall as frequency rises: " +
                                  formatNumber(p.volts) + " V at " +
                                  formatNumber(p.freqMHz) + " MHz after " +
                                  formatNumber(prev.volts) + " V at " +
                                  formatNumber(prev.freqMHz) + " MHz");
      }
      d.points.push_back(p);
    }
    if (!s.nominal.index && !s.nominal.name) {
      fail(path, "missing required key 'nominal' (the point the energy table is for)");
    } else if (pointsOk) {
      if (auto idx = pointIndex(s.nominal, d, path + ".nominal"))
        d.nominal = d.initial = *idx;
    }
    if ((s.initial.index || s.initial.name) && pointsOk)
      if (auto idx = pointIndex(s.initial, d, path + ".initial"))
        d.initial = *idx;
    return d;
  }

  std::optional<uint32_t> pointIndex(const PointRef &ref, const DvfsDomainConfig &d,
                                     const std::string &path) {
    if (ref.index) {
      if (*ref.index < 0 || uint64_t(*ref.index) >= d.points.size()) {
        fail(path, "index " + std::to_string(*ref.index) +
                       " is out of range (the domain has " +
                       std::to_string(d.points.size()) + " points, 0.." +
                       std::to_string(d.points.size() - 1) + ")");
        return std::nullopt;
      }
      return uint32_t(*ref.index);
    }
    std::string names;
    for (size_t i = 0; i < d.points.size(); ++i) {
      if (d.points[i].name == *ref.name)
        return uint32_t(i);
      names += (i ? ", " : "") + d.points[i].name;
    }
    fail(path, "no operating point named '" + *ref.name + "' (points: " + names + ")");
    return std::nullopt;
  }

  //===--- energy ------------------------------------------------------===//

  void resolveEnergy(EnergyConfig &e) {
    const EnergySpec &s = spec_.energy;
    for (const auto &p : archcfg::kPrecisionKeys)
      setReal(s.macPj[size_t(p.type)], "energy.mac_pj." + std::string(p.key),
              e.macPj[size_t(p.type)], RealRule::NonNegative);
    struct Field {
      const std::optional<double> &spec;
      const char *key;
      double &out;
    };
    Field fields[] = {
        {s.sramReadPjPerByte, "sram_read_pj_per_byte", e.sramReadPjPerByte},
        {s.sramWritePjPerByte, "sram_write_pj_per_byte", e.sramWritePjPerByte},
        {s.vectorOpPj, "vector_op_pj", e.vectorOpPj},
        {s.vectorTranscendentalPj, "vector_transcendental_pj", e.vectorTranscendentalPj},
        {s.dmaPjPerByte, "dma_pj_per_byte", e.dmaPjPerByte},
        {s.nocPjPerByte, "noc_pj_per_byte", e.nocPjPerByte},
        {s.hbmActivatePj, "hbm_activate_pj", e.hbmActivatePj},
        {s.hbmReadPjPerBit, "hbm_read_pj_per_bit", e.hbmReadPjPerBit},
        {s.hbmWritePjPerBit, "hbm_write_pj_per_bit", e.hbmWritePjPerBit},
        {s.hbmIoPjPerBit, "hbm_io_pj_per_bit", e.hbmIoPjPerBit},
        {s.tsvPjPerBit, "tsv_pj_per_bit", e.tsvPjPerBit},
        {s.hbmRefreshPj, "hbm_refresh_pj", e.hbmRefreshPj},
        {s.hbmRefreshPerBankPj, "hbm_refresh_per_bank_pj", e.hbmRefreshPerBankPj},
        {s.coreLeakageWatts, "core_leakage_watts", e.coreLeakageWatts},
        {s.memoryLeakageWatts, "memory_leakage_watts", e.memoryLeakageWatts},
    };
    for (Field &f : fields)
      setReal(f.spec, std::string("energy.") + f.key, f.out, RealRule::NonNegative);
  }

  //===--- how the values fit together ---------------------------------===//

  void checkConsistency(const ArchConfig &c) {
    const TensorCoreConfig &tc = c.core.tensorCores;
    // The gang modes split the tensor cores as count x 1, sqrt x sqrt and
    // 1 x count, which needs a power of four (the ISA's 16 gives 16x1, 4x4, 1x16).
    if (!isPowerOfTwo(tc.count) || (__builtin_ctz(tc.count) % 2) != 0)
      fail("core.tensor_cores.count",
           "must be a power of four (1, 4, 16, 64, ...) so the gang modes count x 1, "
           "sqrt(count) x sqrt(count) and 1 x count exist, got " +
               std::to_string(tc.count));
    bool anyPrecision = false;
    for (const auto &p : archcfg::kPrecisionKeys)
      anyPrecision |= tc.macsPerCycle[size_t(p.type)] > 0;
    if (!anyPrecision)
      fail("core.tensor_cores.macs_per_cycle",
           "at least one precision must have a positive rate");

    const SramConfig &sram = c.core.sram;
    uint64_t stripe = uint64_t(sram.banks) * sram.bankWidthBytes;
    if (sram.sizeBytes % stripe != 0)
      conflict({"core.sram.size_bytes", "core.sram.banks", "core.sram.bank_width_bytes"},
               "size_bytes (" + std::to_string(sram.sizeBytes) +
                   ") must be a multiple of banks x bank_width_bytes (" +
                   std::to_string(stripe) + ")");

    checkHbm(c.hbm);
    checkTimings(c.hbm);

    const DvfsConfig &d = c.dvfs;
    if (!(d.ondemandDownThreshold < d.ondemandUpThreshold))
      conflict({"dvfs.ondemand.down_threshold", "dvfs.ondemand.up_threshold"},
               "down_threshold (" + formatNumber(d.ondemandDownThreshold) +
                   ") must be below up_threshold (" + formatNumber(d.ondemandUpThreshold) +
                   ")");
    for (size_t i = 0; i < d.domains.size(); ++i) {
      const DvfsDomainConfig &domain = d.domains[i];
      if (domain.name != "memory")
        continue;
      double nominal = domain.points[domain.nominal].freqMHz;
      if (std::fabs(nominal - c.hbm.clockMHz) > 1e-9 * c.hbm.clockMHz) {
        std::string path = "dvfs.domains[" + std::to_string(i) + "]";
        conflict({path + ".points[" + std::to_string(domain.nominal) + "].freq_mhz",
                  path + ".nominal", "hbm.clock_mhz"},
                 "the nominal frequency of domain 'memory' (" + formatNumber(nominal) +
                     " MHz) must equal hbm.clock_mhz (" + formatNumber(c.hbm.clockMHz) +
                     " MHz): the memory domain clocks the HBM and the NoC");
      }
    }
  }

  void checkHbm(const HbmConfig &h) {
    uint64_t accessBytes = uint64_t(h.busBitsPerPseudoChannel) / 8 * h.burstLength;
    if (h.interleaveBytes > h.rowBytes)
      conflict({"hbm.interleave_bytes", "hbm.row_bytes"},
               "interleave_bytes (" + std::to_string(h.interleaveBytes) +
                   ") must not exceed row_bytes (" + std::to_string(h.rowBytes) +
                   "): an interleave unit must fit in one row");
    if (h.interleaveBytes < accessBytes)
      conflict({"hbm.interleave_bytes", "hbm.bus_bits_per_pseudo_channel", "hbm.burst_length"},
               "interleave_bytes (" + std::to_string(h.interleaveBytes) +
                   ") must be at least one column access, bus_bits_per_pseudo_channel / 8 "
                   "x burst_length = " +
                   std::to_string(accessBytes));
    if (accessBytes > h.rowBytes)
      conflict({"hbm.row_bytes", "hbm.bus_bits_per_pseudo_channel", "hbm.burst_length"},
               "row_bytes (" + std::to_string(h.rowBytes) +
                   ") must hold at least one column access (" +
                   std::to_string(accessBytes) + " bytes)");

    unsigned __int128 total = (unsigned __int128)h.capacityBytesPerStack * h.stacks;
    if (total > std::numeric_limits<uint64_t>::max()) {
      conflict({"hbm.capacity_bytes_per_stack", "hbm.stacks"},
               "stacks x capacity_bytes_per_stack overflows 64 bits");
      return;
    }
    unsigned __int128 rowsPerStackUnit = (unsigned __int128)h.channelsPerStack *
                                         h.pseudoChannels * h.bankGroups * h.banksPerGroup *
                                         h.rowBytes;
    if (h.capacityBytesPerStack % rowsPerStackUnit != 0 ||
        !isPowerOfTwo(uint64_t(h.capacityBytesPerStack / rowsPerStackUnit))) {
      conflict({"hbm.capacity_bytes_per_stack", "hbm.channels_per_stack",
                "hbm.pseudo_channels", "hbm.bank_groups", "hbm.banks_per_group",
                "hbm.row_bytes"},
               "capacity_bytes_per_stack (" + archcfg::formatSize(h.capacityBytesPerStack) +
                   ") must be a power-of-two number of rows per bank: channels x "
                   "pseudo-channels x bank groups x banks x row_bytes = " +
                   archcfg::formatSize(uint64_t(std::min<unsigned __int128>(
                       rowsPerStackUnit, std::numeric_limits<uint64_t>::max()))) +
                   " per row index");
    }
  }

  void checkTimings(const HbmConfig &h) {
    const HbmTiming &t = h.timing;
    auto path = [](const char *key) { return std::string("hbm.timing.") + key; };
    auto cyc = [](uint64_t v) { return std::to_string(v) + " cycles"; };
    if (uint64_t(t.tRC) < uint64_t(t.tRAS) + t.tRP)
      conflict({path("tRC"), path("tRAS"), path("tRP")},
               "tRC (" + cyc(t.tRC) + ") must be at least tRAS + tRP (" +
                   cyc(uint64_t(t.tRAS) + t.tRP) + ")");
    if (t.tRAS < t.tRCD)
      conflict({path("tRAS"), path("tRCD")},
               "tRAS (" + cyc(t.tRAS) + ") must be at least tRCD (" + cyc(t.tRCD) +
                   "): a row must stay open long enough to be read");
    if (t.tFAW < t.tRRD_S)
      conflict({path("tFAW"), path("tRRD_S")},
               "tFAW (" + cyc(t.tFAW) + ") must be at least tRRD_S (" + cyc(t.tRRD_S) + ")");
    if (t.tRRD_L < t.tRRD_S)
      conflict({path("tRRD_L"), path("tRRD_S")},
               "tRRD_L (" + cyc(t.tRRD_L) + ") must be at least tRRD_S (" +
                   cyc(t.tRRD_S) + ")");
    if (t.tCCD_L < t.tCCD_S)
      conflict({path("tCCD_L"), path("tCCD_S")},
               "tCCD_L (" + cyc(t.tCCD_L) + ") must be at least tCCD_S (" +
                   cyc(t.tCCD_S) + ")");
    uint32_t burstCycles = std::max<uint32_t>(1, h.burstLength / 2);
    if (t.tCCD_S < burstCycles)
      conflict({path("tCCD_S"), "hbm.burst_length"},
               "tCCD_S (" + cyc(t.tCCD_S) + ") must be at least burst_length / 2 (" +
                   cyc(burstCycles) + "), the time a burst holds the data bus");
    if (t.tREFI <= t.tRFC)
      conflict({path("tREFI"), path("tRFC")},
               "tREFI (" + cyc(t.tREFI) + ") must be longer than tRFC (" + cyc(t.tRFC) +
                   "), or refresh would never finish");
    if (h.perBankRefresh()) {
      // Per-bank refresh issues one REFsb every tREFI / banks; each must
      // finish before the next bank's is due, or banks pile up refreshing.
      uint64_t banks = uint64_t(h.bankGroups) * h.banksPerGroup;
      uint64_t interval = banks ? t.tREFI / banks : 0;
      std::vector<std::string> keys = {path("tREFI"), "hbm.bank_groups", "hbm.banks_per_group",
                                       "hbm.refresh"};
      if (interval <= t.tRFCsb) {
        keys.insert(keys.begin(), path("tRFCsb"));
        conflict(keys, "tRFCsb (" + cyc(t.tRFCsb) +
                           ") must be shorter than the per-bank refresh interval tREFI / banks (" +
                           cyc(interval) + ") when hbm.refresh is per-bank");
      } else if (interval <= t.tRREFD) {
        keys.insert(keys.begin(), path("tRREFD"));
        conflict(keys, "tRREFD (" + cyc(t.tRREFD) +
                           ") must be shorter than the per-bank refresh interval tREFI / banks (" +
                           cyc(interval) + ") when hbm.refresh is per-bank");
      }
    }
  }

  const ArchConfigSpec &spec_;
  ConfigDiagnostics &diag_;
};

} // namespace

namespace archcfg {

ArchConfig resolveSpecInto(const ArchConfigSpec &spec, ConfigDiagnostics &diag) {
  return Resolver(spec, diag).run();
}

} // namespace archcfg

Expected<ArchConfig> resolveArchConfig(const ArchConfigSpec &spec,
                                       const std::string &sourceName) {
  ConfigDiagnostics diag(sourceName);
  ArchConfig config = archcfg::resolveSpecInto(spec, diag);
  if (!diag.empty())
    return diag.toError();
  return config;
}

ArchConfig defaultArchConfig() {
  Expected<ArchConfig> c = resolveArchConfig(ArchConfigSpec{}, "<defaults>");
  assert(c && "the built-in defaults must resolve");
  return c ? c.takeValue() : ArchConfig{};
}

} // namespace strata
