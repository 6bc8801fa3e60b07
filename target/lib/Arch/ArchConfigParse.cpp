//===- ArchConfigParse.cpp - YAML text to ArchConfigSpec ------------------===//
//
// The first layer: syntax, key names, value types and units. Every error is
// collected (not just the first) with its line and column; ranges and
// consistency are the resolver's job. yaml-cpp reports failures by throwing,
// so every call into it stays inside this file's try block.
//
//===----------------------------------------------------------------------===//
#include "ArchConfigInternal.h"
#include "ConfigDiagnostics.h"
#include "ConfigSchema.h"
#include "ConfigUnits.h"
#include "HbmPresets.h"
#include "KeySuggestion.h"

#include "strata/target/ArchConfigIO.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <exception>
#include <functional>
#include <sstream>

namespace strata {
namespace {

using archcfg::ConfigDiagnostics;

ConfigLocation toLocation(const YAML::Mark &mark) {
  if (mark.line < 0)
    return {};
  return {mark.line + 1, mark.column + 1};
}

// A short rendering of a value for "got ..." in messages.
std::string describe(const YAML::Node &node) {
  switch (node.Type()) {
  case YAML::NodeType::Null:
    return "nothing";
  case YAML::NodeType::Sequence:
    return "a sequence";
  case YAML::NodeType::Map:
    return "a mapping";
  case YAML::NodeType::Scalar: {
    std::string text = node.Scalar();
    if (text.size() > 40)
      text = text.substr(0, 37) + "...";
    if (node.Tag() == "!")
      return "the string \"" + text + "\"";
    return "'" + text + "'";
  }
  default:
    return "an undefined value";
  }
}

// Tags a config value may carry: none ("?"), quoted ("!"), or the core
// schema's own for strings and numbers.
bool isPlainTag(const std::string &tag) {
  return tag == "?" || tag == "!" || tag == "tag:yaml.org,2002:str" ||
         tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float";
}

// Where each document of a stream starts; the events themselves are not
// needed. Used before building nodes because yaml-cpp 0.7's LoadAll never
// returns on a stray ',' outside a flow collection (its parser keeps
// reporting an empty document without consuming the token), and Load
// silently ignores that token and everything after it.
class DocumentStarts : public YAML::EventHandler {
public:
  std::vector<YAML::Mark> starts;
  void OnDocumentStart(const YAML::Mark &mark) override { starts.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark &, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark &, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark &, const std::string &, YAML::anchor_t,
                const std::string &) override {}
  void OnSequenceStart(const YAML::Mark &, const std::string &, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark &, const std::string &, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

/// Checks that `text` is at most one well-formed YAML document.
bool checkSingleDocument(const std::string &text, ConfigDiagnostics &diag) {
  std::istringstream stream(text);
  YAML::Parser parser(stream);
  DocumentStarts docs;
  // Two documents are enough to know the answer; the bound also stops the
  // parser's endless empty documents.
  while (docs.starts.size() < 2 && parser.HandleNextDocument(docs)) {
  }
  if (docs.starts.size() < 2)
    return true;
  const YAML::Mark &first = docs.starts[0], &second = docs.starts[1];
  if (second.pos == first.pos) {
    diag.errorAt(toLocation(first),
                 "YAML syntax error: unexpected token (a ',' outside [...] or {...}?)");
  } else {
    diag.errorAt(toLocation(second),
                 "a second YAML document starts here; an arch config is one document");
  }
  return false;
}

std::string childPath(const std::string &path, const std::string &key) {
  return path.empty() ? key : path + "." + key;
}

struct ParseContext {
  ConfigDiagnostics &diag;
  ArchConfigSpec &spec;
};

/// Reads one YAML mapping: each accessor claims a key, and finish() reports
/// the keys nobody claimed, with a suggestion among the claimed names.
class MapReader {
public:
  MapReader(ParseContext &ctx, const YAML::Node &node, std::string path,
            ConfigLocation where)
      : ctx_(ctx), path_(std::move(path)) {
    if (node.IsNull())
      return; // "hbm:" with nothing under it is an empty section
    if (!node.IsMap()) {
      ctx_.diag.error(path_.empty() ? "<top level>" : path_, where,
                      "must be a mapping of keys to values, got " + describe(node));
      valid_ = false;
      return;
    }
    for (auto it = node.begin(); it != node.end(); ++it) {
      // it-> yields a proxy whose nodes die with it: copy them (Nodes are handles).
      YAML::Node key = it->first;
      YAML::Node value = it->second;
      ConfigLocation keyLoc = toLocation(key.Mark());
      if (!key.IsScalar()) {
        ctx_.diag.errorAt(keyLoc, "keys must be plain names, got " + describe(key) +
                                      (path_.empty() ? "" : " in " + path_));
        continue;
      }
      bool duplicate = false;
      for (const Entry &e : entries_)
        if (e.key == key.Scalar()) {
          ctx_.diag.errorAt(keyLoc, "duplicate key '" + childPath(path_, e.key) +
                                        "' (first given at line " +
                                        std::to_string(e.keyLoc.line) + ")");
          duplicate = true;
        }
      if (!duplicate)
        entries_.push_back({key.Scalar(), keyLoc, value});
    }
  }

  bool valid() const { return valid_; }
  const std::string &path() const { return path_; }

  void integer(const char *key, std::optional<int64_t> &out) {
    scalar(key, "an integer", /*allowQuoted=*/false,
           [&](const std::string &text, std::string &why) {
             if (auto v = archcfg::parseInteger(text, why))
               return out = v, true;
             return false;
           });
  }
  void number(const char *key, std::optional<double> &out) {
    scalar(key, "a number", false, [&](const std::string &text, std::string &why) {
      if (auto v = archcfg::parseNumber(text, why))
        return out = v, true;
      return false;
    });
  }
  void size(const char *key, std::optional<int64_t> &out) {
    scalar(key, "a byte count", true, [&](const std::string &text, std::string &why) {
      if (auto v = archcfg::parseSize(text, why))
        return out = v, true;
      return false;
    });
  }
  void timing(const char *key, std::optional<TimingValue> &out) {
    scalar(key, "a cycle count or a duration", true,
           [&](const std::string &text, std::string &why) {
             if (auto v = archcfg::parseTiming(text, why))
               return out = v, true;
             return false;
           });
  }
  void string(const char *key, std::optional<std::string> &out) {
    scalar(key, "a string", true, [&](const std::string &text, std::string &) {
      out = text;
      return true;
    });
  }
  /// An operating point named by index ("2") or by name ("nominal").
  void pointRef(const char *key, PointRef &out) {
    scalar(key, "a point index or name", true,
           [&](const std::string &text, std::string &why) {
             std::string intWhy;
             if (auto v = archcfg::parseInteger(text, intWhy))
               out.index = v;
             else if (!text.empty())
               out.name = text;
             else
               return why = "must be a point index or name", false;
             return true;
           });
  }

  /// A nested mapping; `fn` reads its keys.
  void map(const char *key, const std::function<void(MapReader &)> &fn) {
    Entry *e = take(key);
    if (!e)
      return;
    MapReader sub(ctx_, e->value, childPath(path_, key), e->where());
    if (!sub.valid())
      return;
    fn(sub);
    sub.finish();
  }

  /// A sequence of mappings; `fn` reads item i whose path is key[i].
  void sequence(const char *key,
                const std::function<void(MapReader &, size_t)> &fn,
                const std::function<void()> &onPresent) {
    Entry *e = take(key);
    if (!e)
      return;
    std::string path = childPath(path_, key);
    if (!e->value.IsSequence()) {
      ctx_.diag.error(path, e->where(), "must be a sequence, got " + describe(e->value));
      return;
    }
    onPresent();
    size_t index = 0;
    for (const YAML::Node &item : e->value) {
      std::string itemPath = path + "[" + std::to_string(index) + "]";
      ConfigLocation loc = toLocation(item.Mark());
      ctx_.spec.locations[itemPath] = loc;
      MapReader sub(ctx_, item, itemPath, loc);
      if (sub.valid()) {
        if (item.IsNull())
          ctx_.diag.error(itemPath, loc, "must be a mapping, got nothing");
        fn(sub, index);
        sub.finish();
      }
      ++index;
    }
  }

  /// A key that is recognised but never valid here, with the reason.
  void reject(const char *key, const std::string &message) {
    for (Entry &e : entries_)
      if (e.key == key && !e.used) {
        e.used = true;
        ctx_.diag.errorAt(e.keyLoc, message);
      }
  }

  void finish() {
    for (const Entry &e : entries_) {
      if (e.used)
        continue;
      std::string message = "unknown key '" + childPath(path_, e.key) + "'";
      if (auto suggestion = archcfg::suggestKey(e.key, known_))
        message += " (did you mean '" + *suggestion + "'?)";
      ctx_.diag.errorAt(e.keyLoc, message);
    }
  }

private:
  struct Entry {
    std::string key;
    ConfigLocation keyLoc;
    YAML::Node value;
    bool used = false;
    // Empty values have no mark of their own; point at the key then.
    ConfigLocation where() const {
      if (value.IsNull())
        return keyLoc;
      ConfigLocation loc = toLocation(value.Mark());
      return loc.line > 0 ? loc : keyLoc;
    }
  };

  Entry *take(const char *key) {
    known_.emplace_back(key);
    for (Entry &e : entries_)
      if (e.key == key) {
        e.used = true;
        ctx_.spec.locations[childPath(path_, key)] = e.where();
        return &e;
      }
    return nullptr;
  }

  void scalar(const char *key, const char *expected, bool allowQuoted,
              const std::function<bool(const std::string &, std::string &)> &parse) {
    Entry *e = take(key);
    if (!e)
      return;
    std::string path = childPath(path_, key);
    const YAML::Node &v = e->value;
    if (v.IsScalar() && !isPlainTag(v.Tag())) {
      ctx_.diag.error(path, e->where(),
                      "has an unsupported YAML tag '" + v.Tag() + "'; write the plain value");
      return;
    }
    if (!v.IsScalar() || (!allowQuoted && v.Tag() == "!")) {
      ctx_.diag.error(path, e->where(),
                      std::string("must be ") + expected + ", got " + describe(v));
      return;
    }
    std::string why;
    if (!parse(v.Scalar(), why))
      ctx_.diag.error(path, e->where(), why + ", got " + describe(v));
  }

  ParseContext &ctx_;
  std::string path_;
  bool valid_ = true;
  std::vector<Entry> entries_;
  std::vector<std::string> known_;
};

void readPrecisionMap(MapReader &m, std::array<std::optional<int64_t>, kNumDTypes> *ints,
                      std::array<std::optional<double>, kNumDTypes> *reals) {
  for (const auto &p : archcfg::kPrecisionKeys) {
    std::string key(p.key);
    if (ints)
      m.integer(key.c_str(), (*ints)[size_t(p.type)]);
    else
      m.number(key.c_str(), (*reals)[size_t(p.type)]);
  }
  m.reject("i32", "'" + childPath(m.path(), "i32") +
                      "': i32 is an accumulator type, not a multiplier precision "
                      "(valid keys: i4, i8, f16, bf16, f32)");
}

void readCore(MapReader &m, CoreSpec &c) {
  m.map("tensor_cores", [&](MapReader &t) {
    t.integer("count", c.tensorCores.count);
    t.integer("rows", c.tensorCores.rows);
    t.integer("cols", c.tensorCores.cols);
    t.map("macs_per_cycle", [&](MapReader &p) {
      readPrecisionMap(p, &c.tensorCores.macsPerCycle, nullptr);
    });
    t.integer("reconfig_cycles", c.tensorCores.reconfigCycles);
    t.integer("pipeline_cycles", c.tensorCores.pipelineCycles);
    t.integer("epilogue_elems_per_cycle", c.tensorCores.epilogueElemsPerCycle);
  });
  m.map("vector", [&](MapReader &v) {
    v.integer("lanes", c.vector.lanes);
    v.integer("startup_cycles", c.vector.startupCycles);
    v.integer("transcendental_cycles", c.vector.transcendentalCycles);
    v.integer("row_op_passes", c.vector.rowOpPasses);
  });
  m.map("sram", [&](MapReader &s) {
    s.size("size_bytes", c.sram.sizeBytes);
    s.integer("banks", c.sram.banks);
    s.size("bank_width_bytes", c.sram.bankWidthBytes);
    s.integer("access_cycles", c.sram.accessCycles);
  });
  m.map("dma", [&](MapReader &d) {
    d.integer("engines", c.dma.engines);
    d.integer("max_outstanding", c.dma.maxOutstanding);
    d.size("request_bytes", c.dma.requestBytes);
    d.integer("setup_cycles", c.dma.setupCycles);
  });
  m.map("queues", [&](MapReader &q) {
    q.integer("load_depth", c.queues.loadDepth);
    q.integer("compute_depth", c.queues.computeDepth);
    q.integer("store_depth", c.queues.storeDepth);
    q.integer("dispatch_cycles", c.queues.dispatchCycles);
  });
}

void readHbm(MapReader &m, HbmSpec &h) {
  m.string("preset", h.preset);
  m.string("model", h.model);
  m.integer("stacks", h.stacks);
  m.integer("channels_per_stack", h.channelsPerStack);
  m.integer("pseudo_channels", h.pseudoChannels);
  m.integer("bank_groups", h.bankGroups);
  m.integer("banks_per_group", h.banksPerGroup);
  m.size("row_bytes", h.rowBytes);
  m.integer("bus_bits_per_pseudo_channel", h.busBitsPerPseudoChannel);
  m.integer("burst_length", h.burstLength);
  m.number("clock_mhz", h.clockMHz);
  m.size("capacity_bytes_per_stack", h.capacityBytesPerStack);
  m.map("timing", [&](MapReader &t) {
    for (const archcfg::TimingField &f : archcfg::kTimingFields)
      t.timing(f.key, h.timing.*f.spec);
  });
  m.string("address_mapping", h.addressMapping);
  m.size("interleave_bytes", h.interleaveBytes);
  m.integer("queue_depth", h.queueDepth);
  m.integer("frontend_cycles", h.frontendCycles);
  m.string("scheduler", h.scheduler);
  m.string("refresh", h.refresh);
  m.number("tsv_bytes_per_cycle", h.tsvBytesPerCycle);
}

void readDvfs(MapReader &m, DvfsSpec &d) {
  m.string("governor", d.governor);
  m.map("ondemand", [&](MapReader &o) {
    o.number("window_ns", d.ondemandWindowNs);
    o.number("up_threshold", d.ondemandUpThreshold);
    o.number("down_threshold", d.ondemandDownThreshold);
  });
  m.sequence(
      "domains",
      [&](MapReader &dm, size_t) {
        DvfsDomainSpec &domain = d.domains->emplace_back();
        dm.string("name", domain.name);
        dm.pointRef("nominal", domain.nominal);
        dm.pointRef("initial", domain.initial);
        dm.number("transition_ns", domain.transitionNs);
        dm.number("transition_energy_nj", domain.transitionEnergyNj);
        dm.sequence(
            "points",
            [&](MapReader &pm, size_t) {
              OperatingPointSpec &point = domain.points->emplace_back();
              pm.string("name", point.name);
              pm.number("volts", point.volts);
              pm.number("freq_mhz", point.freqMHz);
            },
            [&] { domain.points.emplace(); });
      },
      [&] { d.domains.emplace(); });
}

void readEnergy(MapReader &m, EnergySpec &e) {
  m.map("mac_pj", [&](MapReader &p) { readPrecisionMap(p, nullptr, &e.macPj); });
  m.number("sram_read_pj_per_byte", e.sramReadPjPerByte);
  m.number("sram_write_pj_per_byte", e.sramWritePjPerByte);
  m.number("vector_op_pj", e.vectorOpPj);
  m.number("vector_transcendental_pj", e.vectorTranscendentalPj);
  m.number("dma_pj_per_byte", e.dmaPjPerByte);
  m.number("noc_pj_per_byte", e.nocPjPerByte);
  m.number("hbm_activate_pj", e.hbmActivatePj);
  m.number("hbm_read_pj_per_bit", e.hbmReadPjPerBit);
  m.number("hbm_write_pj_per_bit", e.hbmWritePjPerBit);
  m.number("hbm_io_pj_per_bit", e.hbmIoPjPerBit);
  m.number("tsv_pj_per_bit", e.tsvPjPerBit);
  m.number("hbm_refresh_pj", e.hbmRefreshPj);
  m.number("hbm_refresh_per_bank_pj", e.hbmRefreshPerBankPj);
  m.number("core_leakage_watts", e.coreLeakageWatts);
  m.number("memory_leakage_watts", e.memoryLeakageWatts);
}

void readTopLevel(MapReader &m, ArchConfigSpec &s) {
  m.string("name", s.name);
  m.integer("num_cores", s.numCores);
  m.map("core", [&](MapReader &c) { readCore(c, s.core); });
  m.map("noc", [&](MapReader &n) {
    n.number("link_bytes_per_cycle", s.noc.linkBytesPerCycle);
    n.integer("hop_cycles", s.noc.hopCycles);
    n.string("topology", s.noc.topology);
  });
  m.map("hbm", [&](MapReader &h) { readHbm(h, s.hbm); });
  m.map("dvfs", [&](MapReader &d) { readDvfs(d, s.dvfs); });
  m.map("energy", [&](MapReader &e) { readEnergy(e, s.energy); });
  m.map("simulation",
        [&](MapReader &sim) { sim.integer("cycle_limit", s.simulation.cycleLimit); });
}

} // namespace

namespace archcfg {

void parseSpecInto(std::string_view yamlText, ConfigDiagnostics &diag, ArchConfigSpec &spec) {
  // yaml-cpp stops at a NUL byte and would accept the truncated rest.
  if (size_t nul = yamlText.find('\0'); nul != std::string_view::npos) {
    diag.errorAt({}, "contains a NUL byte at offset " + std::to_string(nul) +
                         "; an arch config is a UTF-8 text file");
    return;
  }
  try {
    std::string text(yamlText);
    if (!checkSingleDocument(text, diag))
      return;
    YAML::Node doc = YAML::Load(text);
    ParseContext ctx{diag, spec};
    MapReader top(ctx, doc, "", toLocation(doc.Mark()));
    if (top.valid()) {
      readTopLevel(top, spec);
      top.finish();
    }
  } catch (const YAML::Exception &e) {
    diag.errorAt(toLocation(e.mark), "YAML syntax error: " + e.msg);
  } catch (const std::exception &e) {
    // yaml-cpp may also throw std::bad_alloc and friends on hostile input.
    diag.errorAt({}, std::string("cannot read the YAML: ") + e.what());
  }
}

} // namespace archcfg

Expected<ArchConfigSpec> parseArchConfigSpec(std::string_view yamlText,
                                             const std::string &sourceName) {
  ConfigDiagnostics diag(sourceName);
  ArchConfigSpec spec;
  archcfg::parseSpecInto(yamlText, diag, spec);
  if (!diag.empty())
    return diag.toError();
  return spec;
}

Expected<ArchConfig> parseArchConfig(std::string_view yamlText,
                                     const std::string &sourceName) {
  // One list of errors for both layers, so a file's type errors and range
  // errors are reported together, in file order.
  ConfigDiagnostics diag(sourceName);
  ArchConfigSpec spec;
  archcfg::parseSpecInto(yamlText, diag, spec);
  ArchConfig config = archcfg::resolveSpecInto(spec, diag);
  if (!diag.empty())
    return diag.toError();
  return config;
}

} // namespace strata
