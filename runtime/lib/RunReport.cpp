//===- RunReport.cpp ------------------------------------------------------===//
#include "strata/runtime/RunReport.h"

#include "strata/target/ArchConfigIO.h"

#include <algorithm>
#include <map>
#include <numeric>

namespace strata::runtime {

using nlohmann::json;

namespace {

/// Costs of one label (or block) summed over steps, with its share of the
/// chip-wide energy.
struct Attributed {
  std::string name;
  double instructions = 0;
  double timeNs = 0;      ///< summed per-step spans
  double exclusiveNs = 0; ///< summed per-step exclusive times (exclusiveSpanNs)
  double tensorNs = 0, vectorNs = 0, dmaNs = 0;
  double macs = 0, elementOps = 0;
  double hbmRead = 0, hbmWrite = 0, sram = 0;
  double coreJ = 0, memoryJ = 0, leakageJ = 0;

  void add(const Attributed &o) {
    instructions += o.instructions;
    timeNs += o.timeNs;
    exclusiveNs += o.exclusiveNs;
    tensorNs += o.tensorNs;
    vectorNs += o.vectorNs;
    dmaNs += o.dmaNs;
    macs += o.macs;
    elementOps += o.elementOps;
    hbmRead += o.hbmRead;
    hbmWrite += o.hbmWrite;
    sram += o.sram;
    coreJ += o.coreJ;
    memoryJ += o.memoryJ;
    leakageJ += o.leakageJ;
  }
};

double energyOf(const sim::RunResult &r, std::initializer_list<const char *> units) {
  double e = 0;
  for (const auto &[unit, joules] : r.energyByUnit)
    for (const char *u : units)
      if (unit == u)
        e += joules;
  return e;
}

/// Peak ops/s for the precisions the tensor cores support, at nominal clock.
json peakOps(const ArchConfig &arch) {
  json out = json::object();
  for (DType t : {DType::I4, DType::I8, DType::F16, DType::BF16, DType::F32}) {
    double tops = peakTops(arch, t);
    if (tops > 0)
      out[std::string(dtypeName(t))] = tops * 1e12;
  }
  return out;
}

json roofline(const Attributed &a, double peakOpsPerS, double peakBytesPerS) {
  const double ops = 2 * a.macs, bytes = a.hbmRead + a.hbmWrite;
  const double seconds = a.timeNs * 1e-9;
  json r = json::object();
  r["ops"] = ops;
  r["hbm_bytes"] = bytes;
  r["operational_intensity"] = bytes > 0 ? json(ops / bytes) : json(nullptr);
  r["attained_ops_per_s"] = seconds > 0 ? ops / seconds : 0.0;
  r["attained_bytes_per_s"] = seconds > 0 ? bytes / seconds : 0.0;
  if (bytes > 0) {
    const double oi = ops / bytes;
    const double bound = std::min(peakOpsPerS, oi * peakBytesPerS);
    r["roofline_ops_per_s"] = bound;
    r["bound"] = oi * peakBytesPerS < peakOpsPerS ? "memory" : "compute";
    r["fraction_of_roofline"] = bound > 0 && seconds > 0 ? ops / seconds / bound : 0.0;
  } else {
    r["roofline_ops_per_s"] = peakOpsPerS;
    r["bound"] = ops > 0 ? "compute" : "none";
    r["fraction_of_roofline"] =
        peakOpsPerS > 0 && seconds > 0 ? ops / seconds / peakOpsPerS : 0.0;
  }
  return r;
}

json attributedJson(const Attributed &a, double peakOpsPerS, double peakBytesPerS) {
  json j;
  j["name"] = a.name;
  j["instructions"] = a.instructions;
  j["time_s"] = a.timeNs * 1e-9;
  j["exclusive_s"] = a.exclusiveNs * 1e-9;
  j["busy_s"] = {{"tensor", a.tensorNs * 1e-9},
                 {"vector", a.vectorNs * 1e-9},
                 {"dma", a.dmaNs * 1e-9}};
  j["energy_j"] = a.coreJ + a.memoryJ + a.leakageJ;
  j["energy_breakdown_j"] = {{"core", a.coreJ}, {"memory", a.memoryJ}, {"leakage", a.leakageJ}};
  j["macs"] = a.macs;
  j["vector_element_ops"] = a.elementOps;
  j["hbm_read_bytes"] = a.hbmRead;
  j["hbm_write_bytes"] = a.hbmWrite;
  j["sram_bytes"] = a.sram;
  j["roofline"] = roofline(a, peakOpsPerS, peakBytesPerS);
  return j;
}

json dvfsResidency(const json &simStats, const ArchConfig &arch) {
  json out = json::object();
  if (!simStats.is_object() || !simStats.contains("dvfs"))
    return out;
  for (auto &[domain, group] : simStats["dvfs"].items()) {
    if (!group.is_object() || !group.contains("level0_residency"))
      continue;
    std::string configName = domain.rfind("core", 0) == 0 ? "core" : domain;
    const DvfsDomainConfig *cfg = arch.findDomain(configName);
    json levels = json::array();
    double total = 0;
    for (uint32_t l = 0; group.contains("level" + std::to_string(l) + "_residency"); ++l)
      total += group["level" + std::to_string(l) + "_residency"]["value"].get<double>();
    for (uint32_t l = 0; group.contains("level" + std::to_string(l) + "_residency"); ++l) {
      double ns = group["level" + std::to_string(l) + "_residency"]["value"].get<double>();
      json level = {{"level", l}, {"residency_s", ns * 1e-9},
                    {"share", total > 0 ? ns / total : 0.0}};
      if (cfg && l < cfg->points.size()) {
        level["point"] = cfg->points[l].name;
        level["freq_mhz"] = cfg->points[l].freqMHz;
        level["volts"] = cfg->points[l].volts;
      }
      levels.push_back(level);
    }
    json d = {{"levels", levels}};
    for (const char *key : {"transitions", "transition_time", "average_frequency"})
      if (group.contains(key))
        d[key] = group[key]["value"];
    out[domain] = d;
  }
  return out;
}

} // namespace

std::vector<double> exclusiveSpanNs(const std::vector<std::pair<double, double>> &spans) {
  // In order of their ends, each span keeps what the union of the spans
  // before it (kept as disjoint sorted intervals) does not cover. Those all
  // end no later than it, so the intervals it touches are a suffix of the
  // union and merge with it into one interval that ends where it ends.
  std::vector<size_t> order(spans.size());
  std::iota(order.begin(), order.end(), size_t(0));
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return spans[a].second < spans[b].second; });
  std::vector<double> out(spans.size(), 0.0);
  std::vector<std::pair<double, double>> covered; // disjoint, sorted by start
  for (size_t i : order) {
    const auto [begin, end] = spans[i];
    if (!(end > begin))
      continue;
    auto touching = std::partition_point(covered.begin(), covered.end(),
                                         [&](const auto &iv) { return iv.second < begin; });
    double overlap = 0, start = begin;
    for (auto it = touching; it != covered.end(); ++it) {
      overlap += it->second - std::max(it->first, begin);
      start = std::min(start, it->first);
    }
    out[i] = (end - begin) - overlap;
    covered.erase(touching, covered.end());
    covered.emplace_back(start, end);
  }
  return out;
}

std::string layerOfLabel(const std::string &label) {
  if (label.rfind("blk.", 0) == 0) {
    size_t dot = label.find('.', 4);
    return dot == std::string::npos ? label : label.substr(0, dot);
  }
  return label;
}

json buildRunReport(const RunStats &stats, const ArchConfig &arch,
                    const ReportContext &context) {
  json report;
  const uint32_t cores = arch.numCores;
  const double seconds = stats.seconds();
  const double peakBytes = peakHbmBytesPerSecond(arch);
  json peaks = peakOps(arch);
  // The roofline's compute ceiling: the best precision the program used is
  // not recorded per instruction, so each layer is placed under the f16
  // peak (the tensor cores' nominal rate); all ceilings are listed.
  const double peakCompute = peaks.contains("f16") ? peaks["f16"].get<double>() : 0.0;

  report["model"] = context.model;
  report["arch"] = arch.name;
  if (!context.precision.empty())
    report["precision"] = context.precision;
  report["timing_only"] = context.timingOnly;

  const uint32_t tokens = context.promptTokens + context.generatedTokens;
  report["summary"] = {
      {"prompt_tokens", context.promptTokens},
      {"generated_tokens", context.generatedTokens},
      {"steps", stats.steps().size()},
      {"cycles", stats.cycles()},
      {"seconds", seconds},
      {"ttft_s", stats.ttftSeconds()},
      {"tpot_s", stats.tpotSeconds()},
      {"tokens_per_s", seconds > 0 ? tokens / seconds : 0.0},
      {"energy_j", stats.energyJ()},
      {"avg_power_w", stats.averagePowerW()},
      {"tokens_per_j", stats.energyJ() > 0 ? tokens / stats.energyJ() : 0.0},
      {"macs", stats.macs()},
      {"tensor_core_utilization", stats.utilisation("tensor", cores)},
      {"vector_utilization", stats.utilisation("vector", cores)},
      {"dma_utilization", stats.utilisation("dma", cores)},
      {"hbm_bandwidth_utilization", stats.hbmBandwidthUtilisation(arch)}};

  json steps = json::array();
  for (const StepRecord &s : stats.steps())
    steps.push_back({{"entry", s.result.entry},
                     {"purpose", s.purpose == StepPurpose::Prompt ? "prompt" : "generation"},
                     {"sequence", s.sequence},
                     {"pos", s.pos},
                     {"tokens", s.tokens},
                     {"cycles", s.result.cycles},
                     {"seconds", s.result.seconds},
                     {"energy_j", s.result.energyJ},
                     {"macs", s.result.macs},
                     {"hbm_read_bytes", s.result.hbmReadBytes},
                     {"hbm_write_bytes", s.result.hbmWriteBytes}});
  report["steps"] = steps;
  if (context.weightLoad)
    report["weight_load"] = {{"seconds", context.weightLoad->seconds},
                             {"energy_j", context.weightLoad->energyJ},
                             {"hbm_read_bytes", context.weightLoad->hbmReadBytes}};

  // Per unit kind: busy time and utilisation where the unit has one, and
  // energy for every kind the power model reports.
  json units = json::object();
  for (const auto &[unit, joules] : stats.energyByUnit())
    units[unit]["energy_j"] = joules;
  for (const char *unit : {"tensor", "vector", "dma"}) {
    double busyNs = 0;
    for (const StepRecord &s : stats.steps())
      for (const sim::UnitUtilisation &u : s.result.units)
        if (u.unit == unit)
          busyNs += u.busyNs;
    units[unit]["busy_s"] = busyNs * 1e-9;
    units[unit]["utilization"] = stats.utilisation(unit, cores);
  }
  report["units"] = units;

  double read = 0, write = 0;
  for (const StepRecord &s : stats.steps()) {
    read += s.result.hbmReadBytes;
    write += s.result.hbmWriteBytes;
  }
  report["hbm"] = {{"read_bytes", read},
                   {"write_bytes", write},
                   {"achieved_bytes_per_s", seconds > 0 ? (read + write) / seconds : 0.0},
                   {"peak_bytes_per_s", peakBytes},
                   {"utilization", stats.hbmBandwidthUtilisation(arch)}};
  report["dvfs"] = dvfsResidency(context.simStats, arch);
  report["roofline"] = {{"peak_ops_per_s", peaks},
                        {"peak_hbm_bytes_per_s", peakBytes},
                        {"ridge_point_ops_per_byte",
                         peakBytes > 0 ? peakCompute / peakBytes : 0.0},
                        {"layer_ceiling", "f16"}};

  // Per label, summed over steps, with each step's chip-wide energy shared out.
  std::vector<Attributed> ops;
  std::map<std::string, size_t> opIndex;
  Attributed unattributed;
  unattributed.name = "unattributed";
  bool anyLabels = false;
  for (const StepRecord &s : stats.steps()) {
    const sim::RunResult &r = s.result;
    const double memoryJ = energyOf(r, {"hbm", "noc"});
    const double staticJ = energyOf(r, {"leakage", "dvfs"});
    double stepBytes = r.hbmReadBytes + r.hbmWriteBytes, labelBytes = 0, labelNs = 0;
    for (const sim::LabelCost &c : r.labels) {
      labelBytes += c.hbmReadBytes + c.hbmWriteBytes;
      labelNs += std::max(0.0, c.lastEndNs - c.firstStartNs);
    }
    anyLabels = anyLabels || !r.labels.empty();
    // Labels share the step's memory energy by bytes and its static energy
    // by time; overlapping spans (prefetch) share in proportion.
    const double byteBase = std::max(stepBytes, labelBytes);
    const double runNs = r.seconds * 1e9;
    const double timeBase = std::max(runNs, labelNs);
    double coveredCoreJ = 0, coveredMemoryJ = 0, coveredStaticJ = 0;
    std::vector<std::pair<double, double>> spans;
    for (const sim::LabelCost &c : r.labels)
      spans.emplace_back(c.firstStartNs, c.lastEndNs);
    const std::vector<double> exclusive = exclusiveSpanNs(spans);
    for (size_t i = 0; i < r.labels.size(); ++i) {
      const sim::LabelCost &c = r.labels[i];
      Attributed a;
      a.name = c.name;
      a.instructions = double(c.instructions);
      a.timeNs = std::max(0.0, c.lastEndNs - c.firstStartNs);
      a.exclusiveNs = exclusive[i];
      a.tensorNs = c.tensorBusyNs;
      a.vectorNs = c.vectorBusyNs;
      a.dmaNs = c.dmaBusyNs;
      a.macs = c.macs;
      a.elementOps = c.vectorElementOps;
      a.hbmRead = c.hbmReadBytes;
      a.hbmWrite = c.hbmWriteBytes;
      a.sram = c.sramBytes;
      a.coreJ = c.coreEnergyJ;
      a.memoryJ = byteBase > 0 ? memoryJ * (a.hbmRead + a.hbmWrite) / byteBase : 0.0;
      a.leakageJ = timeBase > 0 ? staticJ * a.timeNs / timeBase : 0.0;
      coveredCoreJ += a.coreJ;
      coveredMemoryJ += a.memoryJ;
      coveredStaticJ += a.leakageJ;
      auto [it, inserted] = opIndex.emplace(c.name, ops.size());
      if (inserted)
        ops.push_back(a);
      else
        ops[it->second].add(a);
    }
    Attributed rest;
    rest.coreJ = std::max(0.0, energyOf(r, {"tensor", "vector", "sram", "dma"}) - coveredCoreJ);
    rest.memoryJ = std::max(0.0, memoryJ - coveredMemoryJ);
    rest.leakageJ = std::max(0.0, staticJ - coveredStaticJ);
    rest.hbmRead = std::max(0.0, r.hbmReadBytes - [&] {
      double b = 0;
      for (const sim::LabelCost &c : r.labels)
        b += c.hbmReadBytes;
      return b;
    }());
    unattributed.add(rest);
  }

  if (anyLabels) {
    std::vector<Attributed> layers;
    std::map<std::string, size_t> layerIndex;
    for (const Attributed &op : ops) {
      std::string layer = layerOfLabel(op.name);
      auto [it, inserted] = layerIndex.emplace(layer, layers.size());
      if (inserted) {
        layers.push_back(op);
        layers.back().name = layer;
      } else {
        layers[it->second].add(op);
      }
    }
    json layersJson = json::array(), opsJson = json::array();
    for (const Attributed &l : layers)
      layersJson.push_back(attributedJson(l, peakCompute, peakBytes));
    for (const Attributed &o : ops)
      opsJson.push_back(attributedJson(o, peakCompute, peakBytes));
    report["layers"] = layersJson;
    report["ops"] = opsJson;
    report["unattributed"] = {{"energy_j", unattributed.coreJ + unattributed.memoryJ +
                                               unattributed.leakageJ},
                              {"energy_breakdown_j", {{"core", unattributed.coreJ},
                                                      {"memory", unattributed.memoryJ},
                                                      {"leakage", unattributed.leakageJ}}},
                              {"hbm_read_bytes", unattributed.hbmRead}};
  } else {
    report["layers"] = json::array();
    report["ops"] = json::array();
    report["layers_note"] = "the binary carries no code labels, so costs cannot be "
                            "attributed to layers; steps and units are still reported";
  }
  return report;
}

} // namespace strata::runtime
