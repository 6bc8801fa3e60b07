//===- ArchConfigYaml.cpp - Canonical YAML of a resolved config -----------===//
//
// The canonical form is what binaries embed and what the hash is taken of,
// so it is written by hand rather than through an emitter whose layout may
// change between yaml-cpp versions: fixed key order, two-space indent, every
// key present, numbers in their shortest round-trip form, sizes with binary
// units, timings in cycles. Parsing it back gives an equal ArchConfig.
//
//===----------------------------------------------------------------------===//
#include "ConfigSchema.h"
#include "ConfigUnits.h"
#include "HbmPresets.h"

#include "strata/target/ArchConfigIO.h"

#include <cstdio>

namespace strata {
namespace {

using archcfg::formatNumber;
using archcfg::formatSize;

bool isPlainSafe(const std::string &s) {
  if (s.empty())
    return false;
  static const char *const reserved[] = {"true", "false", "yes", "no", "on", "off",
                                         "null", "True", "False", "Yes", "No", "On",
                                         "Off", "Null", "TRUE", "FALSE", "NULL", "~",
                                         "y", "n", "Y", "N"};
  for (const char *r : reserved)
    if (s == r)
      return false;
  char first = s.front();
  if (!((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z') || first == '_'))
    return false;
  for (char ch : s)
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
          ch == '_' || ch == '-' || ch == '.'))
      return false;
  return true;
}

// A YAML scalar for any string: plain when unambiguous, else double-quoted.
std::string quote(const std::string &s) {
  if (isPlainSafe(s))
    return s;
  std::string out = "\"";
  for (unsigned char ch : s) {
    switch (ch) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += "\\n"; break;
    case '\t': out += "\\t"; break;
    case '\r': out += "\\r"; break;
    default:
      if (ch < 0x20 || ch == 0x7f) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02x", ch);
        out += buf;
      } else {
        out += char(ch);
      }
    }
  }
  return out + "\"";
}

class Writer {
public:
  void open(int indent, const std::string &key) { line(indent, key + ":"); }
  void kv(int indent, const std::string &key, const std::string &value) {
    line(indent, key + ": " + value);
  }
  void kv(int indent, const std::string &key, uint64_t value) {
    kv(indent, key, std::to_string(value));
  }
  void real(int indent, const std::string &key, double value) {
    kv(indent, key, formatNumber(value));
  }
  void line(int indent, const std::string &text) {
    out_.append(size_t(indent) * 2, ' ');
    out_ += text;
    out_ += '\n';
  }
  std::string take() { return std::move(out_); }

private:
  std::string out_;
};

template <typename T, typename Format>
std::string precisionMap(const std::array<T, kNumDTypes> &values, Format format) {
  std::string out = "{";
  bool first = true;
  for (const auto &p : archcfg::kPrecisionKeys) {
    out += (first ? "" : ", ") + std::string(p.key) + ": " + format(values[size_t(p.type)]);
    first = false;
  }
  return out + "}";
}

} // namespace

std::string archConfigToYaml(const ArchConfig &c) {
  Writer w;
  w.kv(0, "name", quote(c.name));
  w.kv(0, "num_cores", c.numCores);

  w.open(0, "core");
  const TensorCoreConfig &tc = c.core.tensorCores;
  w.open(1, "tensor_cores");
  w.kv(2, "count", tc.count);
  w.kv(2, "rows", tc.rows);
  w.kv(2, "cols", tc.cols);
  w.kv(2, "macs_per_cycle",
       precisionMap(tc.macsPerCycle, [](uint32_t v) { return std::to_string(v); }));
  w.kv(2, "reconfig_cycles", tc.reconfigCycles);
  w.kv(2, "pipeline_cycles", tc.pipelineCycles);
  w.kv(2, "epilogue_elems_per_cycle", tc.epilogueElemsPerCycle);
  w.open(1, "vector");
  w.kv(2, "lanes", c.core.vector.lanes);
  w.kv(2, "startup_cycles", c.core.vector.startupCycles);
  w.kv(2, "transcendental_cycles", c.core.vector.transcendentalCycles);
  w.kv(2, "row_op_passes", c.core.vector.rowOpPasses);
  w.open(1, "sram");
  w.kv(2, "size_bytes", formatSize(c.core.sram.sizeBytes));
  w.kv(2, "banks", c.core.sram.banks);
  w.kv(2, "bank_width_bytes", formatSize(c.core.sram.bankWidthBytes));
  w.kv(2, "access_cycles", c.core.sram.accessCycles);
  w.open(1, "dma");
  w.kv(2, "engines", c.core.dma.engines);
  w.kv(2, "max_outstanding", c.core.dma.maxOutstanding);
  w.kv(2, "request_bytes", formatSize(c.core.dma.requestBytes));
  w.kv(2, "setup_cycles", c.core.dma.setupCycles);
  w.open(1, "queues");
  w.kv(2, "load_depth", c.core.queues.loadDepth);
  w.kv(2, "compute_depth", c.core.queues.computeDepth);
  w.kv(2, "store_depth", c.core.queues.storeDepth);
  w.kv(2, "dispatch_cycles", c.core.queues.dispatchCycles);

  w.open(0, "noc");
  w.real(1, "link_bytes_per_cycle", c.noc.linkBytesPerCycle);
  w.kv(1, "hop_cycles", c.noc.hopCycles);
  w.kv(1, "topology", quote(c.noc.topology));

  const HbmConfig &h = c.hbm;
  w.open(0, "hbm");
  w.kv(1, "preset", quote(h.preset));
  w.kv(1, "model", quote(h.model));
  w.kv(1, "stacks", h.stacks);
  w.kv(1, "channels_per_stack", h.channelsPerStack);
  w.kv(1, "pseudo_channels", h.pseudoChannels);
  w.kv(1, "bank_groups", h.bankGroups);
  w.kv(1, "banks_per_group", h.banksPerGroup);
  w.kv(1, "row_bytes", formatSize(h.rowBytes));
  w.kv(1, "bus_bits_per_pseudo_channel", h.busBitsPerPseudoChannel);
  w.kv(1, "burst_length", h.burstLength);
  w.real(1, "clock_mhz", h.clockMHz);
  w.kv(1, "capacity_bytes_per_stack", formatSize(h.capacityBytesPerStack));
  w.open(1, "timing");
  for (const archcfg::TimingField &f : archcfg::kTimingFields)
    w.kv(2, f.key, h.timing.*f.config);
  w.kv(1, "address_mapping", quote(h.addressMapping));
  w.kv(1, "interleave_bytes", formatSize(h.interleaveBytes));
  w.kv(1, "queue_depth", h.queueDepth);
  w.kv(1, "frontend_cycles", h.frontendCycles);
  w.kv(1, "scheduler", quote(h.scheduler));
  w.kv(1, "refresh", quote(h.refresh));
  w.real(1, "tsv_bytes_per_cycle", h.tsvBytesPerCycle);

  const DvfsConfig &d = c.dvfs;
  w.open(0, "dvfs");
  w.kv(1, "governor", quote(d.governor));
  w.open(1, "ondemand");
  w.real(2, "window_ns", d.ondemandWindowNs);
  w.real(2, "up_threshold", d.ondemandUpThreshold);
  w.real(2, "down_threshold", d.ondemandDownThreshold);
  w.open(1, "domains");
  for (const DvfsDomainConfig &domain : d.domains) {
    w.line(2, "- name: " + quote(domain.name));
    w.kv(3, "nominal", domain.nominal);
    w.kv(3, "initial", domain.initial);
    w.real(3, "transition_ns", domain.transitionNs);
    w.real(3, "transition_energy_nj", domain.transitionEnergyNj);
    w.open(3, "points");
    for (const OperatingPoint &p : domain.points)
      w.line(4, "- {name: " + quote(p.name) + ", volts: " + formatNumber(p.volts) +
                    ", freq_mhz: " + formatNumber(p.freqMHz) + "}");
  }

  const EnergyConfig &e = c.energy;
  w.open(0, "energy");
  w.kv(1, "mac_pj", precisionMap(e.macPj, [](double v) { return formatNumber(v); }));
  w.real(1, "sram_read_pj_per_byte", e.sramReadPjPerByte);
  w.real(1, "sram_write_pj_per_byte", e.sramWritePjPerByte);
  w.real(1, "vector_op_pj", e.vectorOpPj);
  w.real(1, "vector_transcendental_pj", e.vectorTranscendentalPj);
  w.real(1, "dma_pj_per_byte", e.dmaPjPerByte);
  w.real(1, "noc_pj_per_byte", e.nocPjPerByte);
  w.real(1, "hbm_activate_pj", e.hbmActivatePj);
  w.real(1, "hbm_read_pj_per_bit", e.hbmReadPjPerBit);
  w.real(1, "hbm_write_pj_per_bit", e.hbmWritePjPerBit);
  w.real(1, "hbm_io_pj_per_bit", e.hbmIoPjPerBit);
  w.real(1, "tsv_pj_per_bit", e.tsvPjPerBit);
  w.real(1, "hbm_refresh_pj", e.hbmRefreshPj);
  w.real(1, "hbm_refresh_per_bank_pj", e.hbmRefreshPerBankPj);
  w.real(1, "core_leakage_watts", e.coreLeakageWatts);
  w.real(1, "memory_leakage_watts", e.memoryLeakageWatts);

  w.open(0, "simulation");
  w.kv(1, "cycle_limit", c.simulation.cycleLimit);
  return w.take();
}

} // namespace strata
