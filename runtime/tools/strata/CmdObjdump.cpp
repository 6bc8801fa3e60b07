//===- CmdObjdump.cpp - strata objdump: look inside an NPU binary ---------===//
//
// Prints what a newcomer needs to understand a binary: what built it and for
// which chip, where everything lives in HBM, what the host reads and writes,
// which entry points exist with which parameters, and the code of every core.
//
//===----------------------------------------------------------------------===//
#include "CliSupport.h"

#include "strata/target/ArchConfigIO.h"
#include "strata/target/Assembly.h"
#include "strata/target/BinaryIO.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace strata::cli {
namespace {

using namespace bin;

struct ObjdumpOptions {
  std::string file;
  bool headersOnly = false;
  bool noCode = false;
  std::string entry;
  std::optional<unsigned> core;
};

/// "5000 (4.9 KiB)": exact bytes for people who compute, and the rounded figure.
std::string bytesText(uint64_t n) {
  return n < 1024 ? std::to_string(n) : fmt::format("{} ({})", n, humanBytes(n));
}

/// Rows of cells printed as left-aligned columns two spaces apart.
class TextTable {
public:
  explicit TextTable(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  std::string str(const std::string &indent = "  ") const {
    std::vector<size_t> width;
    for (const auto &row : rows_)
      for (size_t i = 0; i < row.size(); ++i) {
        width.resize(std::max(width.size(), row.size()));
        width[i] = std::max(width[i], row[i].size());
      }
    std::string out;
    for (const auto &row : rows_) {
      std::string line = indent;
      for (size_t i = 0; i < row.size(); ++i)
        line += i + 1 < row.size() ? fmt::format("{:<{}}  ", row[i], width[i]) : row[i];
      out += line + "\n";
    }
    return out;
  }

private:
  std::vector<std::vector<std::string>> rows_;
};

std::string archText(const Binary &b, const std::string &file) {
  if (b.archConfigYaml.empty())
    return b.archHash.empty() ? "(none recorded)" : "(hash only) " + b.archHash;
  auto arch = parseArchConfig(b.archConfigYaml, file + ": section .strata.arch");
  if (!arch)
    return fmt::format("(the embedded config does not load: {})", arch.message());
  std::string hash = archConfigHash(*arch);
  std::string text = fmt::format("{}: {} cores, {} of HBM", arch->name, arch->numCores,
                                 humanBytes(arch->hbm.totalCapacityBytes()));
  if (b.archHash == hash)
    return text + fmt::format("\n  {:<16} {}", "arch hash", hash);
  return text + fmt::format("\n  {:<16} {} (does NOT match the embedded config, whose "
                            "hash is {})",
                            "arch hash", b.archHash.empty() ? "(none)" : b.archHash, hash);
}

std::string fileHeader(const Binary &b, const std::string &file, FormatVersion format) {
  std::string out = fmt::format("{}: Strata NPU binary\n", file);
  auto line = [&](const std::string &key, const std::string &value) {
    out += fmt::format("  {:<16} {}\n", key, value);
  };
  line("format version", fmt::format("{}.{}", format.major, format.minor));
  line("ISA version", fmt::format("{}.{}", b.isaMajor, b.isaMinor));
  line("architecture", archText(b, file));
  line("tool version", b.meta.toolVersion.empty() ? "(none)" : b.meta.toolVersion);
  line("pass pipeline", b.meta.passPipeline.empty() ? "(none)" : b.meta.passPipeline);
  line("model", b.meta.modelName.empty() ? "(none)" : b.meta.modelName);
  for (const auto &[key, value] : b.meta.extra)
    line(key, value);
  return out;
}

std::string memoryPlan(const Binary &b) {
  uint64_t total = 0;
  for (const MemoryRegion &r : b.regions)
    total += r.size;
  std::string out = fmt::format("Memory plan: {} region{} in HBM, {} in total\n",
                                b.regions.size(), b.regions.size() == 1 ? "" : "s",
                                humanBytes(total));
  if (b.regions.empty())
    return out;
  std::vector<const MemoryRegion *> sorted;
  for (const MemoryRegion &r : b.regions)
    sorted.push_back(&r);
  std::sort(sorted.begin(), sorted.end(),
            [](auto *x, auto *y) { return x->hbmAddress < y->hbmAddress; });
  TextTable t({"name", "kind", "address", "end", "bytes"});
  for (const MemoryRegion *r : sorted)
    t.add({r->name, std::string(regionKindName(r->kind)), fmt::format("{:#012x}", r->hbmAddress),
           fmt::format("{:#012x}", r->hbmAddress + r->size), bytesText(r->size)});
  return out + t.str();
}

/// The region holding [addr, addr + size), for "where is this" columns.
std::string regionOf(const Binary &b, uint64_t addr) {
  for (const MemoryRegion &r : b.regions)
    if (addr >= r.hbmAddress && addr - r.hbmAddress < r.size)
      return r.name;
  return "-";
}

std::string ioBindings(const Binary &b) {
  std::string out = fmt::format("I/O bindings: {}\n", b.io.size());
  if (b.io.empty())
    return out;
  TextTable t({"direction", "name", "type", "address", "bytes", "region"});
  for (const IoBinding &io : b.io)
    t.add({std::string(ioDirectionName(io.direction)), io.name, io.typeText(),
           fmt::format("{:#012x}", io.hbmAddress), bytesText(io.byteSize()),
           regionOf(b, io.hbmAddress)});
  return out + t.str();
}

std::string constSegments(const Binary &b) {
  uint64_t withData = 0, without = 0;
  for (const ConstSegment &c : b.constants)
    (c.data ? withData : without) += c.size;
  std::string out = fmt::format("Constant segments: {}", b.constants.size());
  if (!b.constants.empty())
    out += fmt::format(" ({} with data in the file, {} size only)", humanBytes(withData),
                       humanBytes(without));
  out += "\n";
  if (b.constants.empty())
    return out;
  TextTable t({"name", "address", "bytes", "data", "region"});
  for (const ConstSegment &c : b.constants)
    t.add({c.name, fmt::format("{:#012x}", c.hbmAddress), bytesText(c.size),
           c.data ? "in file" : "none (timing only)", regionOf(b, c.hbmAddress)});
  return out + t.str();
}

std::string entryPoints(const Binary &b, const std::vector<const EntryPoint *> &entries) {
  std::string out = fmt::format("Entry points: {}", b.entries.size());
  if (entries.size() != b.entries.size())
    out += fmt::format(" (showing '{}')", entries.front()->name);
  out += "\n";
  if (entries.empty())
    return out;
  TextTable t({"name", "parameters", "cores"});
  for (const EntryPoint *e : entries) {
    std::string params;
    for (const ScalarParam &p : e->params)
      params += fmt::format("{}{}=r{}", params.empty() ? "" : " ", p.name, p.reg);
    // "3 (9, idle, 12 instructions)": per core, in core order.
    std::string cores = fmt::format("{} (", e->cores.size());
    for (size_t c = 0; c < e->cores.size(); ++c)
      cores += (c ? ", " : "") +
               (e->cores[c].empty() ? std::string("idle") : std::to_string(e->cores[c].size()));
    cores += " instructions)";
    t.add({e->name, params.empty() ? "-" : params, cores});
  }
  return out + t.str();
}

std::string disassembly(const EntryPoint &e, std::optional<unsigned> onlyCore) {
  std::string out;
  isa::ProgramPrintOptions print;
  print.indices = true;
  for (size_t c = 0; c < e.cores.size(); ++c) {
    if (onlyCore && *onlyCore != c)
      continue;
    const auto &prog = e.cores[c];
    if (prog.empty()) {
      out += fmt::format("\nEntry point '{}', core {}: idle\n", e.name, c);
      continue;
    }
    out += fmt::format("\nEntry point '{}', core {}: {} instruction{}\n", e.name, c,
                       prog.size(), prog.size() == 1 ? "" : "s");
    // Where each code label (what the report's per-layer costs are named
    // after) begins: a reader finds "blk.3.attn_q" in the listing.
    print.comments.clear();
    for (const CodeLabel &l : e.labels)
      if (l.core == c && l.begin < l.end)
        print.comments[l.begin] =
            fmt::format("{} (instructions {}..{})", l.name, l.begin, l.end - 1);
    out += isa::printProgram(prog, print);
  }
  return out;
}

void runObjdump(const ObjdumpOptions &opt) {
  const Binary b = valueOrFail("objdump", readBinary(opt.file));
  const FormatVersion format = valueOrFail("objdump", readBinaryFormatVersion(opt.file));

  std::vector<const EntryPoint *> entries;
  if (!opt.entry.empty()) {
    const EntryPoint *e = b.findEntry(opt.entry);
    if (!e)
      fail("objdump", fmt::format("{}: no entry point named '{}' (the binary has: {})",
                                  opt.file, opt.entry, entryNames(b)));
    entries.push_back(e);
  } else {
    for (const EntryPoint &e : b.entries)
      entries.push_back(&e);
  }
  if (opt.core) {
    size_t most = 0;
    for (const EntryPoint *e : entries)
      most = std::max(most, e->cores.size());
    if (*opt.core >= most)
      fail("objdump",
           fmt::format("--core {} is out of range: {} {} core{} (0..{})", *opt.core,
                       opt.entry.empty() ? "the entry points have at most"
                                         : "entry point '" + opt.entry + "' has",
                       most, most == 1 ? "" : "s", most - 1));
  }

  std::string out = fileHeader(b, opt.file, format);
  if (!opt.headersOnly) {
    out += "\n" + memoryPlan(b);
    out += "\n" + ioBindings(b);
    out += "\n" + constSegments(b);
    out += "\n" + entryPoints(b, entries);
    if (!opt.noCode)
      for (const EntryPoint *e : entries)
        out += disassembly(*e, opt.core);
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
}

} // namespace

void registerObjdumpCommand(CLI::App &app) {
  auto opt = std::make_shared<ObjdumpOptions>();
  CLI::App *cmd = app.add_subcommand(
      "objdump", "Show what is inside an NPU binary: headers, memory plan, I/O bindings, "
                 "constant data, entry points and disassembly");
  cmd->add_option("file", opt->file, "NPU binary (.npubin)")->required();
  cmd->add_flag("--headers", opt->headersOnly,
                "Only the file header: versions, architecture, metadata");
  cmd->add_flag("--no-code", opt->noCode, "Everything except the disassembly");
  cmd->add_option("--entry", opt->entry, "Only this entry point");
  cmd->add_option("--core", opt->core, "Only this core's code");
  cmd->callback([opt] { runObjdump(*opt); });
}

} // namespace strata::cli
