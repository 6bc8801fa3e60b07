//===- BinaryAssembler.cpp - A whole NPU binary from a .s file ------------===//
//
// One pass over the lines. Directives set metadata and declare regions, I/O
// bindings, constant segments and entry points; instruction lines go to the
// current ".core" of the current ".entry", whose labels are resolved and
// whose program is validated when the next directive (or the end) closes it.
// docs/isa.md ("Whole-binary assembly") is the reference for the syntax.
//
//===----------------------------------------------------------------------===//
#include "strata/target/Assembly.h"

#include "AsmCursor.h"
#include "AsmParser.h"
#include "ValidatorImpl.h"
#include "strata/support/Float16.h"
#include "strata/target/ArchConfig.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

namespace strata::bin {

using isa::asmparse::Cursor;
using isa::asmparse::KeyValues;
using isa::asmparse::LineError;

namespace {

/// Owns the bytes of every constant segment of an assembled binary.
struct ConstStorage {
  std::vector<std::vector<uint8_t>> buffers;
};

constexpr std::string_view kRegionKinds[] = {"weights", "activations", "kv-cache", "io", "scratch"};

std::optional<RegionKind> parseRegionKind(std::string_view s) {
  for (size_t i = 0; i < std::size(kRegionKinds); ++i)
    if (kRegionKinds[i] == s)
      return RegionKind(i);
  return std::nullopt;
}

std::string directoryOf(const std::string &path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
}

/// Thrown-free error holder: the first failure with its source position.
struct Diagnostic {
  size_t line = 0; ///< 1-based; 0 = no particular line
  size_t col = 0;  ///< 0-based
  std::string message;
};

class Assembler {
public:
  Assembler(std::string_view text, std::string fileName, const AssembleOptions &options)
      : text_(text), fileName_(std::move(fileName)), options_(options) {
    storage_ = std::make_shared<ConstStorage>();
  }

  Expected<Binary> run();

private:
  enum class Block { None, Const, Core };

  // Line handling.
  bool line(std::string_view text);
  bool directive(Cursor &c, std::string_view name, size_t nameCol);
  bool code(std::string_view text);

  // Blocks.
  bool closeBlock();
  bool closeCore();

  // Directives.
  bool isaVersion(Cursor &c);
  bool metaString(Cursor &c, std::string &field, std::string_view what);
  bool meta(Cursor &c);
  bool region(Cursor &c);
  bool io(Cursor &c, IoDirection dir);
  bool constSegment(Cursor &c);
  bool data(Cursor &c, std::string_view kind, size_t nameCol);
  bool incbin(Cursor &c);
  bool entry(Cursor &c);
  bool param(Cursor &c);
  bool core(Cursor &c);

  // Whole-binary checks that can point at a line.
  bool finalChecks();

  bool fail(size_t col, std::string message) {
    if (!diag_)
      diag_ = Diagnostic{lineNo_, col, std::move(message)};
    return false;
  }
  bool failAt(size_t line, size_t col, std::string message) {
    if (!diag_)
      diag_ = Diagnostic{line, col, std::move(message)};
    return false;
  }
  /// Registers `name` among `names`; fails naming the line that has it.
  bool unique(std::map<std::string, size_t> &names, const char *what, const std::string &name,
              size_t col) {
    auto [it, inserted] = names.emplace(name, lineNo_);
    if (!inserted)
      return fail(col, std::string(what) + " '" + name + "' is already defined on line " +
                           std::to_string(it->second));
    return true;
  }
  bool cursorFailed(const Cursor &c) {
    const LineError &e = c.error();
    return fail(e.col, e.message);
  }
  bool endOfDirective(Cursor &c, std::string_view name) {
    if (!c.atEnd())
      return fail(c.pos(), "unexpected " + c.found() + " after ." + std::string(name));
    return true;
  }
  std::string lineText(size_t n) const;
  Error makeError(const Diagnostic &d) const;

  std::string_view text_;
  std::string fileName_;
  const AssembleOptions &options_;
  std::shared_ptr<ConstStorage> storage_;
  Binary bin_;
  std::optional<Diagnostic> diag_;
  size_t lineNo_ = 0;
  std::vector<std::string_view> lines_;

  Block block_ = Block::None;
  // Current const segment.
  size_t constIndex_ = 0;
  bool constReserved_ = false;
  // Current entry and core.
  std::optional<size_t> entryIndex_;
  size_t coreIndex_ = 0;
  size_t coreLine_ = 0;
  std::unique_ptr<isa::asmparse::ProgramBuilder> builder_;
  std::map<size_t, std::set<size_t>> coresSeen_; ///< entry -> defined cores

  // Source lines of declared objects, for diagnostics after the fact.
  std::vector<size_t> regionLines_, ioLines_, constLines_, entryLines_;
  std::map<std::string, size_t> regionNames_, ioNames_, constNames_, entryNames_, metaKeys_;
};

std::string Assembler::lineText(size_t n) const {
  return n >= 1 && n <= lines_.size() ? std::string(lines_[n - 1]) : std::string();
}

Error Assembler::makeError(const Diagnostic &d) const {
  if (d.line == 0)
    return Error(fileName_ + ": error: " + d.message);
  std::string text = lineText(d.line);
  std::string msg = fileName_ + ":" + std::to_string(d.line) + ":" + std::to_string(d.col + 1) +
                    ": error: " + d.message + "\n" + text + "\n";
  // The caret keeps tabs so it lines up under the column in a terminal.
  for (size_t i = 0; i < d.col && i < text.size(); ++i)
    msg += text[i] == '\t' ? '\t' : ' ';
  return Error(msg + "^");
}

Expected<Binary> Assembler::run() {
  size_t pos = 0;
  while (pos <= text_.size()) {
    size_t end = text_.find('\n', pos);
    if (end == std::string_view::npos)
      end = text_.size();
    std::string_view l = text_.substr(pos, end - pos);
    if (!l.empty() && l.back() == '\r')
      l.remove_suffix(1);
    lines_.push_back(l);
    pos = end + 1;
  }
  for (size_t i = 0; i < lines_.size() && !diag_; ++i) {
    lineNo_ = i + 1;
    line(lines_[i]);
  }
  if (!diag_) {
    lineNo_ = lines_.size();
    closeBlock();
  }
  if (!diag_)
    finalChecks();
  if (diag_)
    return makeError(*diag_);

  for (size_t i = 0; i < bin_.constants.size(); ++i) {
    ConstSegment &seg = bin_.constants[i];
    if (seg.data) // marker set for segments with data, replaced below
      seg.data = storage_->buffers[i].data();
  }
  bin_.storage = storage_;
  return std::move(bin_);
}

bool Assembler::line(std::string_view text) {
  Cursor c(text);
  if (c.atEnd())
    return true;
  if (c.peek() != '.')
    return code(text);
  size_t nameCol = c.pos();
  c.consume('.');
  std::string_view name = c.word();
  if (name.empty())
    return fail(nameCol, "expected a directive name after '.'");
  if (c.peek() != '\0' && c.peek() != ' ' && c.peek() != '\t' &&
      !isa::asmparse::isCommentChar(c.peek()))
    return fail(c.pos(), "expected a space after ." + std::string(name));
  c.skipSpace();
  return directive(c, name, nameCol);
}

bool Assembler::code(std::string_view text) {
  if (block_ != Block::Core) {
    Cursor c(text);
    c.atEnd();
    return fail(c.pos(), block_ == Block::Const
                             ? "instructions belong in a .core block, not in constant data"
                             : "instructions need an .entry and a .core before them");
  }
  isa::asmparse::CodeLine parsed;
  LineError err;
  if (!isa::asmparse::parseCodeLine(text, parsed, err) || !builder_->add(parsed, lineNo_, err))
    return fail(err.col, err.message);
  return true;
}

bool Assembler::directive(Cursor &c, std::string_view name, size_t nameCol) {
  static const std::set<std::string_view> kData = {"f32", "f16",  "bf16", "i8",    "i4",
                                                   "i32", "byte", "zero", "incbin"};
  if (kData.count(name)) {
    if (block_ != Block::Const)
      return fail(nameCol, "." + std::string(name) + " needs a .const segment before it");
    if (constReserved_)
      return fail(nameCol, "segment '" + bin_.constants[constIndex_].name +
                               "' is size-only (reserve=); it takes no data");
    return data(c, name, nameCol) && endOfDirective(c, name);
  }
  // Every other directive ends a core or constant block.
  if (!closeBlock())
    return false;
  bool ok;
  if (name == "isa")
    ok = isaVersion(c);
  else if (name == "tool")
    ok = metaString(c, bin_.meta.toolVersion, "tool version");
  else if (name == "pipeline")
    ok = metaString(c, bin_.meta.passPipeline, "pass pipeline");
  else if (name == "model")
    ok = metaString(c, bin_.meta.modelName, "model name");
  else if (name == "meta")
    ok = meta(c);
  else if (name == "arch_hash")
    ok = metaString(c, bin_.archHash, "architecture hash");
  else if (name == "arch_yaml") {
    std::string piece;
    ok = c.quoted(piece, "a piece of the architecture YAML") || cursorFailed(c);
    bin_.archConfigYaml += piece;
  } else if (name == "region")
    ok = region(c);
  else if (name == "input")
    ok = io(c, IoDirection::Input);
  else if (name == "output")
    ok = io(c, IoDirection::Output);
  else if (name == "const")
    ok = constSegment(c);
  else if (name == "entry")
    ok = entry(c);
  else if (name == "param")
    ok = param(c);
  else if (name == "core")
    ok = core(c);
  else
    return fail(nameCol, "unknown directive ." + std::string(name));
  return ok && endOfDirective(c, name);
}

bool Assembler::closeBlock() {
  Block was = block_;
  block_ = Block::None;
  if (was == Block::Core)
    return closeCore();
  if (was == Block::Const && !constReserved_) {
    ConstSegment &seg = bin_.constants[constIndex_];
    seg.size = storage_->buffers[constIndex_].size();
    if (seg.size == 0)
      return failAt(constLines_[constIndex_], 0,
                    "constant segment '" + seg.name +
                        "' has no data (give data directives, or reserve=N for a size-only "
                        "segment)");
    seg.data = storage_->buffers[constIndex_].data(); // non-null: has data
  }
  return true;
}

bool Assembler::closeCore() {
  std::vector<isa::Instr> program;
  isa::asmparse::SourcePos errPos;
  std::string message;
  if (!builder_->finish(program, errPos, message))
    return failAt(errPos.line, errPos.col, message);
  if (options_.validate && !program.empty()) {
    size_t failed = isa::kNoInstruction;
    Status s = isa::validateProgramAt(program, options_.arch, failed);
    if (!s) {
      if (failed == isa::kNoInstruction)
        return failAt(coreLine_, 0, s.message());
      const isa::asmparse::SourcePos &p = builder_->instrPositions()[failed];
      return failAt(p.line, p.col, s.message());
    }
  }
  bin_.entries[*entryIndex_].cores[coreIndex_] = std::move(program);
  builder_.reset();
  return true;
}

bool Assembler::isaVersion(Cursor &c) {
  size_t col = c.pos();
  uint16_t major = 0, minor = 0;
  if (!c.unsignedField(major, "ISA major version", ".") || !c.consume('.') ||
      !c.unsignedField(minor, "ISA minor version"))
    return c.failed() ? cursorFailed(c) : fail(c.pos(), "expected MAJOR.MINOR after .isa");
  if (major != isa::kIsaVersionMajor)
    return fail(col, "this assembler implements ISA " + std::to_string(isa::kIsaVersionMajor) +
                         ".x; the file asks for " + std::to_string(major) + "." +
                         std::to_string(minor));
  bin_.isaMajor = major;
  bin_.isaMinor = minor;
  return true;
}

bool Assembler::metaString(Cursor &c, std::string &field, std::string_view what) {
  if (!c.quoted(field, what))
    return cursorFailed(c);
  return true;
}

bool Assembler::meta(Cursor &c) {
  size_t col = c.pos();
  std::string key, value;
  if (!c.name(key, "a metadata key"))
    return cursorFailed(c);
  if (key == "tool-version" || key == "pass-pipeline" || key == "model-name")
    return fail(col, "metadata key '" + key + "' is reserved; use .tool, .pipeline or .model");
  auto [it, inserted] = metaKeys_.emplace(key, lineNo_);
  if (!inserted)
    return fail(col,
                "metadata key '" + key + "' is already set on line " + std::to_string(it->second));
  c.skipSpace();
  if (!c.quoted(value, "the metadata value"))
    return cursorFailed(c);
  bin_.meta.extra.emplace_back(std::move(key), std::move(value));
  return true;
}

bool Assembler::region(Cursor &c) {
  size_t col = c.pos();
  MemoryRegion r;
  if (!c.name(r.name, "a region name"))
    return cursorFailed(c);
  if (!unique(regionNames_, "region", r.name, col))
    return false;
  enum { Kind, Addr, Size };
  KeyValues kv(c, ".region");
  kv.add("kind", Kind, [&](Cursor &c) {
    return c.enumWord(r.kind, &parseRegionKind, "region kind",
                      "weights, activations, kv-cache, io, scratch");
  });
  kv.add("addr", Addr, [&](Cursor &c) { return c.u64(r.hbmAddress, "address"); });
  kv.add("size", Size, [&](Cursor &c) { return c.u64(r.size, "size"); });
  c.skipSpace();
  if (!kv.run() || !kv.require(Kind, "kind") || !kv.require(Addr, "addr") ||
      !kv.require(Size, "size"))
    return cursorFailed(c);
  if (r.size == 0)
    return fail(col, "region '" + r.name + "' has size 0");
  if (r.size > UINT64_MAX - r.hbmAddress)
    return fail(col, "region '" + r.name + "' extends past the end of the address space");
  bin_.regions.push_back(std::move(r));
  regionLines_.push_back(lineNo_);
  return true;
}

bool Assembler::io(Cursor &c, IoDirection dir) {
  size_t col = c.pos();
  IoBinding b;
  b.direction = dir;
  if (!c.name(b.name, "an I/O binding name"))
    return cursorFailed(c);
  if (!unique(ioNames_, "I/O binding", b.name, col))
    return false;
  c.skipSpace();
  // The tensor type: dtype[d0,d1,...]; "f32[]" is a scalar.
  size_t typeCol = c.pos();
  std::string_view word = c.word();
  std::optional<DType> t = parseDType(word);
  if (!t)
    return fail(typeCol, "expected a tensor type such as f32[64,128], found " +
                             (word.empty() ? c.found() : "'" + std::string(word) + "'"));
  b.dtype = *t;
  if (!c.consume('['))
    return fail(c.pos(), "expected '[' and the shape after the dtype, found " + c.found());
  c.skipSpace();
  if (!c.consume(']')) {
    while (true) {
      c.skipSpace();
      size_t dimCol = c.pos();
      int64_t d = 0;
      if (!c.i64(d, "dimension"))
        return cursorFailed(c);
      if (d <= 0)
        return fail(dimCol, "dimension " + std::to_string(b.shape.size()) + " of '" + b.name +
                                "' is " + std::to_string(d) + "; dimensions must be positive");
      b.shape.push_back(d);
      c.skipSpace();
      if (c.consume(']'))
        break;
      if (!c.consume(','))
        return fail(c.pos(), "expected ',' or ']' in the shape, found " + c.found());
    }
  }
  enum { Addr };
  KeyValues kv(c, std::string_view(dir == IoDirection::Input ? ".input" : ".output"));
  kv.add("addr", Addr, [&](Cursor &c) { return c.u64(b.hbmAddress, "address"); });
  c.skipSpace();
  if (!kv.run() || !kv.require(Addr, "addr"))
    return cursorFailed(c);
  bin_.io.push_back(std::move(b));
  ioLines_.push_back(lineNo_);
  return true;
}

bool Assembler::constSegment(Cursor &c) {
  size_t col = c.pos();
  ConstSegment seg;
  if (!c.name(seg.name, "a constant segment name"))
    return cursorFailed(c);
  if (!unique(constNames_, "constant segment", seg.name, col))
    return false;
  enum { Addr, Reserve };
  uint64_t reserve = 0;
  KeyValues kv(c, ".const");
  kv.add("addr", Addr, [&](Cursor &c) { return c.u64(seg.hbmAddress, "address"); });
  kv.add("reserve", Reserve, [&](Cursor &c) { return c.u64(reserve, "size"); });
  c.skipSpace();
  if (!kv.run() || !kv.require(Addr, "addr"))
    return cursorFailed(c);
  constReserved_ = kv.has(Reserve);
  if (constReserved_ && reserve == 0)
    return fail(col, "constant segment '" + seg.name + "' reserves 0 bytes");
  seg.size = reserve;
  seg.data = nullptr;
  bin_.constants.push_back(std::move(seg));
  storage_->buffers.emplace_back();
  constLines_.push_back(lineNo_);
  constIndex_ = bin_.constants.size() - 1;
  block_ = Block::Const;
  return true;
}

template <typename T> void appendLe(std::vector<uint8_t> &out, T v) {
  for (size_t i = 0; i < sizeof(T); ++i)
    out.push_back(uint8_t(uint64_t(v) >> (8 * i)));
}

bool Assembler::data(Cursor &c, std::string_view kind, size_t nameCol) {
  std::vector<uint8_t> &out = storage_->buffers[constIndex_];
  if (kind == "zero") {
    uint64_t n = 0;
    size_t col = c.pos();
    if (!c.u64(n, "byte count"))
      return cursorFailed(c);
    if (n == 0)
      return fail(col, ".zero needs a count above 0");
    if (n > (uint64_t(1) << 36))
      return fail(col, ".zero " + std::to_string(n) + " is larger than 64 GiB");
    out.resize(out.size() + n, 0);
    return true;
  }
  if (kind == "incbin")
    return incbin(c);

  // A comma-separated list of values.
  std::vector<int64_t> ints;
  bool first = true;
  bool oddNibble = false;
  while (true) {
    if (!first && !c.comma())
      return cursorFailed(c);
    if (first && c.atEnd())
      return fail(c.pos(), "." + std::string(kind) + " needs at least one value");
    first = false;
    size_t col = c.pos();
    if (kind == "f32" || kind == "f16" || kind == "bf16") {
      float f = 0;
      if (!c.f32(f, "float value"))
        return cursorFailed(c);
      if (kind == "f32")
        appendLe(out, floatBits(f));
      else if (kind == "f16")
        appendLe(out, f32ToF16(f));
      else
        appendLe(out, f32ToBf16(f));
    } else {
      int64_t v = 0;
      if (!c.i64(v, "integer value"))
        return cursorFailed(c);
      // Signed values, or unsigned bit patterns up to the type's width.
      int64_t lo = 0, hi = 0;
      if (kind == "i8")
        lo = -128, hi = 255;
      else if (kind == "i4")
        lo = -8, hi = 15;
      else if (kind == "i32")
        lo = INT32_MIN, hi = UINT32_MAX;
      else
        lo = 0, hi = 255; // byte
      if (v < lo || v > hi)
        return fail(col, "value " + std::to_string(v) + " does not fit ." + std::string(kind) +
                             " (" + std::to_string(lo) + ".." + std::to_string(hi) + ")");
      if (kind == "i32")
        appendLe(out, uint32_t(v));
      else if (kind == "i4") {
        // Two per byte, low nibble first.
        if (oddNibble)
          out.back() |= uint8_t((v & 0xF) << 4);
        else
          out.push_back(uint8_t(v & 0xF));
        oddNibble = !oddNibble;
      } else
        out.push_back(uint8_t(v));
    }
    if (c.atEnd())
      break;
  }
  (void)nameCol;
  return true;
}

bool Assembler::incbin(Cursor &c) {
  size_t col = c.pos();
  std::string path;
  if (!c.quoted(path, "the file to include"))
    return cursorFailed(c);
  uint64_t offset = 0, size = UINT64_MAX;
  if (!c.atEnd()) {
    if (!c.comma() || !c.u64(offset, "offset"))
      return cursorFailed(c);
    if (!c.atEnd() && (!c.comma() || !c.u64(size, "size")))
      return cursorFailed(c);
  }
  std::string full = !path.empty() && path[0] == '/' ? path : directoryOf(fileName_) + path;
  std::ifstream in(full, std::ios::binary);
  if (!in)
    return fail(col, "cannot open '" + full + "': " + std::strerror(errno));
  in.seekg(0, std::ios::end);
  uint64_t fileSize = uint64_t(in.tellg());
  if (offset > fileSize)
    return fail(col, "offset " + std::to_string(offset) + " is past the end of '" + full + "' (" +
                         std::to_string(fileSize) + " bytes)");
  if (size == UINT64_MAX)
    size = fileSize - offset;
  else if (size > fileSize - offset)
    return fail(col, "'" + full + "' has " + std::to_string(fileSize - offset) +
                         " bytes after offset " + std::to_string(offset) + ", not " +
                         std::to_string(size));
  std::vector<uint8_t> &out = storage_->buffers[constIndex_];
  size_t at = out.size();
  out.resize(at + size);
  in.seekg(std::streamoff(offset));
  if (size && !in.read(reinterpret_cast<char *>(out.data() + at), std::streamsize(size)))
    return fail(col, "cannot read '" + full + "': " + std::strerror(errno));
  return true;
}

bool Assembler::entry(Cursor &c) {
  size_t col = c.pos();
  EntryPoint e;
  if (!c.name(e.name, "an entry point name"))
    return cursorFailed(c);
  if (!unique(entryNames_, "entry point", e.name, col))
    return false;
  bin_.entries.push_back(std::move(e));
  entryLines_.push_back(lineNo_);
  entryIndex_ = bin_.entries.size() - 1;
  return true;
}

bool Assembler::param(Cursor &c) {
  if (!entryIndex_)
    return fail(0, ".param needs an .entry before it");
  EntryPoint &e = bin_.entries[*entryIndex_];
  size_t col = c.pos();
  ScalarParam p;
  if (!c.name(p.name, "a parameter name"))
    return cursorFailed(c);
  for (const ScalarParam &other : e.params)
    if (other.name == p.name)
      return fail(col, "entry point '" + e.name + "' already has a parameter '" + p.name + "'");
  c.skipSpace();
  size_t regCol = c.pos();
  if (!c.reg(p.reg, "the parameter"))
    return cursorFailed(c);
  if (p.reg == 0)
    return fail(regCol, "r0 always reads as zero; parameters use r1..r31");
  for (const ScalarParam &other : e.params)
    if (other.reg == p.reg)
      return fail(regCol, "register r" + std::to_string(p.reg) + " already holds parameter '" +
                              other.name + "'");
  e.params.push_back(std::move(p));
  return true;
}

bool Assembler::core(Cursor &c) {
  if (!entryIndex_)
    return fail(0, ".core needs an .entry before it");
  size_t col = c.pos();
  uint8_t index = 0;
  if (!c.unsignedField(index, "core index"))
    return cursorFailed(c);
  if (index == isa::kLocalCore)
    return fail(col, "core index 255 is reserved (cores are 0..254)");
  if (options_.arch && index >= options_.arch->numCores)
    return fail(col, "core " + std::to_string(index) + " does not exist: the architecture has " +
                         std::to_string(options_.arch->numCores) +
                         (options_.arch->numCores == 1 ? " core" : " cores"));
  EntryPoint &e = bin_.entries[*entryIndex_];
  if (!coresSeen_[*entryIndex_].insert(index).second)
    return fail(col, "core " + std::to_string(index) + " of entry point '" + e.name +
                         "' is already defined");
  if (e.cores.size() <= index)
    e.cores.resize(size_t(index) + 1);
  coreIndex_ = index;
  coreLine_ = lineNo_;
  builder_ = std::make_unique<isa::asmparse::ProgramBuilder>();
  block_ = Block::Core;
  return true;
}

bool Assembler::finalChecks() {
  for (size_t i = 0; i < bin_.entries.size(); ++i) {
    const EntryPoint &e = bin_.entries[i];
    bool any =
        std::any_of(e.cores.begin(), e.cores.end(), [](const auto &p) { return !p.empty(); });
    if (!any)
      return failAt(entryLines_[i], 0,
                    "entry point '" + e.name + "' has no instructions (add a .core with code)");
  }
  // Regions must not overlap.
  std::vector<size_t> order(bin_.regions.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return bin_.regions[a].hbmAddress < bin_.regions[b].hbmAddress;
  });
  for (size_t k = 1; k < order.size(); ++k) {
    const MemoryRegion &a = bin_.regions[order[k - 1]];
    const MemoryRegion &b = bin_.regions[order[k]];
    if (b.hbmAddress < a.hbmAddress + a.size) {
      size_t later = std::max(order[k - 1], order[k]);
      const MemoryRegion &other = later == order[k] ? a : b;
      return failAt(regionLines_[later], 0,
                    "region '" + bin_.regions[later].name + "' overlaps region '" + other.name +
                        "'");
    }
  }
  auto inside = [&](uint64_t addr, uint64_t size, bool weightsOnly) {
    for (const MemoryRegion &r : bin_.regions)
      if ((!weightsOnly || r.kind == RegionKind::Weights) && addr >= r.hbmAddress &&
          size <= r.size && addr - r.hbmAddress <= r.size - size)
        return true;
    return false;
  };
  for (size_t i = 0; i < bin_.constants.size(); ++i) {
    const ConstSegment &s = bin_.constants[i];
    if (s.size > UINT64_MAX - s.hbmAddress || !inside(s.hbmAddress, s.size, true))
      return failAt(constLines_[i], 0,
                    "constant segment '" + s.name + "' [" + isa::asmsyntax::hex(s.hbmAddress) +
                        ", +" + std::to_string(s.size) + " bytes) is not inside a weights region");
    for (size_t j = 0; j < i; ++j) {
      const ConstSegment &o = bin_.constants[j];
      if (s.hbmAddress < o.hbmAddress + o.size && o.hbmAddress < s.hbmAddress + s.size)
        return failAt(constLines_[i], 0,
                      "constant segment '" + s.name + "' overlaps '" + o.name + "'");
    }
  }
  for (size_t i = 0; i < bin_.io.size(); ++i) {
    const IoBinding &b = bin_.io[i];
    uint64_t count = 1;
    for (int64_t d : b.shape)
      count = uint64_t(d) > 0 && count <= (UINT64_MAX / 8) / uint64_t(d) ? count * uint64_t(d)
                                                                         : UINT64_MAX / 8;
    uint64_t bytes = dtypeBytes(b.dtype, count);
    if (bytes > UINT64_MAX - b.hbmAddress || !inside(b.hbmAddress, bytes, false))
      return failAt(ioLines_[i], 0,
                    "I/O binding '" + b.name + "' (" + std::to_string(bytes) + " bytes at " +
                        isa::asmsyntax::hex(b.hbmAddress) + ") is not inside one region");
  }
  return true;
}

} // namespace

Expected<Binary> assemble(std::string_view text, const std::string &fileName,
                          const AssembleOptions &options) {
  Assembler a(text, fileName, options);
  return a.run();
}

Expected<Binary> assembleFile(const std::string &path, const AssembleOptions &options) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Error(path + ": error: cannot open the file: " + std::strerror(errno));
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad())
    return Error(path + ": error: cannot read the file: " + std::strerror(errno));
  std::string text = buf.str();
  return assemble(text, path, options);
}

} // namespace strata::bin
