//===- BinaryDisassembler.cpp - A whole NPU binary as .s text -------------===//
//
// Prints every part of a Binary in the order the assembler reads it, so that
// assemble(disassemble(b)) == b: names that are not plain words are quoted,
// strings are escaped byte for byte, and constant data is written as .byte
// lines with .zero for long runs of zeros.
//
//===----------------------------------------------------------------------===//
#include "strata/target/Assembly.h"

#include "AsmCursor.h"
#include "AsmSyntax.h"

namespace strata::bin {

using isa::asmsyntax::hex;

namespace {

constexpr std::string_view kRegionKinds[] = {"weights", "activations", "kv-cache", "io",
                                             "scratch"};

std::string quote(std::string_view s) {
  static const char digits[] = "0123456789abcdef";
  std::string out = "\"";
  for (char ch : s) {
    auto u = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (ch == '\n') {
      out += "\\n";
    } else if (ch == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u >= 0x7F) {
      out += "\\x";
      out += digits[u >> 4];
      out += digits[u & 0xF];
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

/// A name as the assembler reads it: bare when it is a plain word.
std::string name(std::string_view s) {
  bool bare = !s.empty();
  for (char ch : s)
    bare &= isa::asmparse::Cursor::isNameChar(ch);
  return bare ? std::string(s) : quote(s);
}

void emitData(std::string &out, const uint8_t *data, uint64_t size) {
  // Long zero runs (padding, zero-initialised tables) become .zero lines.
  constexpr uint64_t kZeroRun = 64;
  constexpr uint64_t kPerLine = 16;
  uint64_t i = 0;
  while (i < size) {
    uint64_t z = i;
    while (z < size && data[z] == 0)
      ++z;
    if (z - i >= kZeroRun || (z == size && z > i && i + kPerLine <= z)) {
      out += "    .zero " + std::to_string(z - i) + "\n";
      i = z;
      continue;
    }
    // Up to kPerLine bytes, stopping before a long zero run.
    uint64_t end = std::min(size, i + kPerLine);
    for (uint64_t j = i + 1; j < end; ++j) {
      if (data[j] != 0)
        continue;
      uint64_t k = j;
      while (k < size && data[k] == 0 && k - j < kZeroRun)
        ++k;
      if (k - j >= kZeroRun) {
        end = j;
        break;
      }
    }
    static const char digits[] = "0123456789abcdef";
    out += "    .byte ";
    for (uint64_t j = i; j < end; ++j) {
      if (j > i)
        out += ", ";
      out += "0x";
      out += digits[data[j] >> 4];
      out += digits[data[j] & 0xF];
    }
    out += "\n";
    i = end;
  }
}

std::string shape(const IoBinding &b) {
  std::string s(dtypeName(b.dtype));
  s += '[';
  for (size_t i = 0; i < b.shape.size(); ++i)
    s += (i ? "," : "") + std::to_string(b.shape[i]);
  return s + "]";
}

} // namespace

std::string disassemble(const Binary &b, const DisassembleOptions &options) {
  std::string out;
  out += "# Strata NPU binary\n";
  out += ".isa " + std::to_string(b.isaMajor) + "." + std::to_string(b.isaMinor) + "\n";
  if (!b.meta.toolVersion.empty())
    out += ".tool " + quote(b.meta.toolVersion) + "\n";
  if (!b.meta.passPipeline.empty())
    out += ".pipeline " + quote(b.meta.passPipeline) + "\n";
  if (!b.meta.modelName.empty())
    out += ".model " + quote(b.meta.modelName) + "\n";
  for (const auto &[key, value] : b.meta.extra)
    out += ".meta " + name(key) + " " + quote(value) + "\n";

  if (!b.archHash.empty())
    out += ".arch_hash " + quote(b.archHash) + "\n";
  if (!b.archConfigYaml.empty()) {
    // One directive per YAML line, newline included, so any text round-trips.
    size_t pos = 0;
    while (pos < b.archConfigYaml.size()) {
      size_t nl = b.archConfigYaml.find('\n', pos);
      size_t end = nl == std::string::npos ? b.archConfigYaml.size() : nl + 1;
      out += ".arch_yaml " + quote(std::string_view(b.archConfigYaml).substr(pos, end - pos)) +
             "\n";
      pos = end;
    }
  }

  if (!b.regions.empty())
    out += "\n";
  for (const MemoryRegion &r : b.regions) {
    auto kind = static_cast<size_t>(r.kind);
    out += ".region " + name(r.name) + " kind=" +
           std::string(kind < std::size(kRegionKinds) ? kRegionKinds[kind] : "?") +
           " addr=" + hex(r.hbmAddress) + " size=" + hex(r.size) + "\n";
  }
  if (!b.io.empty())
    out += "\n";
  for (const IoBinding &io : b.io)
    out += std::string(io.direction == IoDirection::Input ? ".input " : ".output ") +
           name(io.name) + " " + shape(io) + " addr=" + hex(io.hbmAddress) + "\n";

  for (const ConstSegment &seg : b.constants) {
    out += "\n.const " + name(seg.name) + " addr=" + hex(seg.hbmAddress);
    if (!seg.data) {
      out += " reserve=" + std::to_string(seg.size) + "\n";
    } else if (!options.constData) {
      out += " reserve=" + std::to_string(seg.size) + "  # " + std::to_string(seg.size) +
             " bytes of data not shown\n";
    } else {
      out += "\n";
      emitData(out, seg.data, seg.size);
    }
  }

  isa::ProgramPrintOptions print;
  print.indices = options.indices;
  for (const EntryPoint &e : b.entries) {
    out += "\n.entry " + name(e.name) + "\n";
    for (const ScalarParam &p : e.params)
      out += ".param " + name(p.name) + " r" + std::to_string(p.reg) + "\n";
    for (size_t c = 0; c < e.cores.size(); ++c) {
      out += ".core " + std::to_string(c) + (e.cores[c].empty() ? "  # idle" : "") + "\n";
      out += isa::printProgram(e.cores[c], print);
    }
  }
  return out;
}

} // namespace strata::bin
