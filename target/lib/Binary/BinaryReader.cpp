//===- BinaryReader.cpp - Load an NPU binary from ELF ---------------------===//
//
// Every offset, size and count in the file is checked against the file before
// it is used, with overflow-safe arithmetic, and every error names the file,
// the section or table row and the numbers involved. Beyond bounds, the
// reader guarantees its work and memory stay linear in the file size whatever
// the input: tables are consumed in order (no row is shared), each code and
// constant section belongs to one row, and the bytes copied out of the string
// table are capped.
//
//===----------------------------------------------------------------------===//
#include "strata/target/BinaryIO.h"
#include "strata/target/Encoding.h"

#include "ByteBuffer.h"
#include "Format.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <unordered_map>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace strata {
namespace {

using namespace bin;
using namespace bin::format;

struct Section {
  std::string_view name;
  uint32_t type = 0;
  uint64_t flags = 0, addr = 0, offset = 0, size = 0, entsize = 0;
};

/// A table section: `count` rows of `stride` bytes (stride >= the row size
/// this version knows; the tail of longer rows belongs to later minor versions).
struct Table {
  const char *name = nullptr;
  uint32_t index = 0;
  const uint8_t *base = nullptr;
  uint64_t stride = 0, count = 0;
  const uint8_t *row(uint64_t i) const { return base + i * stride; }
};

/// Copying strings out is capped at this many times the file size (plus a
/// constant): a well-formed file refers to each string from a handful of
/// rows, so only a corrupt or hostile one can get near it.
constexpr uint64_t kStringBudgetFactor = 8;
constexpr uint64_t kStringBudgetSlack = 1 << 20;

class Reader {
public:
  Reader(const uint8_t *data, size_t size, const std::string &name)
      : data_(data), size_(size), name_(name),
        stringBudget_(kStringBudgetFactor * size + kStringBudgetSlack) {}

  Expected<Binary> read();
  Expected<FormatVersion> readFormatVersion();

private:
  Error fail(const std::string &message) const {
    return Error(name_ + ": " + message);
  }
  std::string describe(uint32_t index) const {
    return fmt::format("section '{}' (index {})", sections_[index].name, index);
  }

  Status readElfHeader();
  Status readSectionHeaders();
  Status indexSectionNames();
  /// The ELF header, the section headers and their names.
  Status readSections();
  Expected<uint32_t> find(const char *name);
  Status readVersion(Binary &b);
  Expected<Table> table(const char *name, unsigned rowSize);
  Expected<std::string> string(uint32_t offset, const std::string &what);
  /// Checks that rows [first, first + count) of `child` lie in the table and
  /// start where the previous owner's rows ended (`next`), then advances
  /// `next`. `what` names the rows ("dimensions"), `owners` the table that
  /// refers to them ("bindings").
  Status claimRows(const std::string &where, const char *what, uint64_t first,
                   uint64_t count, const Table &child, const char *owners, uint64_t &next);
  /// After the last owner: every row of `child` belongs to one of them.
  Status checkAllRowsClaimed(const Table &child, const char *owners, uint64_t used);
  /// Section `index` as the code or data of one table row: it must exist,
  /// have type SHT_PROGBITS (or SHT_NOBITS if `allowNobits`), and belong to
  /// no other row. `what` prefixes the messages ("code", "" for data).
  Expected<const Section *> claimSection(const std::string &where, uint32_t index,
                                         const char *what, bool allowNobits,
                                         const char *owner);

  Status readRegions(Binary &b);
  Status readIo(Binary &b);
  Status readConstants(Binary &b);
  Status readEntries(Binary &b);
  Status readProgram(const std::string &where, const uint8_t *row,
                     std::vector<isa::Instr> &program);
  Status readLabels(Binary &b);
  Status readMetadata(Binary &b);
  Status readArch(Binary &b);

  const uint8_t *data_;
  uint64_t size_;
  const std::string &name_;
  uint64_t stringBudget_;

  uint64_t shoff_ = 0;
  uint32_t shnum_ = 0, shstrndx_ = 0;
  std::vector<Section> sections_;
  std::unordered_map<std::string_view, uint32_t> byName_;
  /// Which table row claimed each section (code and constant sections).
  std::vector<bool> claimed_;
  uint32_t strtab_ = 0;
};

/// True if [offset, offset + size) lies within [0, limit).
bool inBounds(uint64_t offset, uint64_t size, uint64_t limit) {
  return offset <= limit && size <= limit - offset;
}

std::string hexBytes(const uint8_t *p, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i)
    s += fmt::format("{}{:02x}", i ? " " : "", p[i]);
  return s;
}

Status Reader::readElfHeader() {
  if (size_ == 0)
    return fail("file is empty");
  if (size_ < 4 || std::memcmp(data_, kElfMagic, 4) != 0)
    return fail(fmt::format(
        "not an ELF file: bad magic bytes {} (expected 7f 45 4c 46)",
        hexBytes(data_, std::min<uint64_t>(size_, 4))));
  if (size_ < kEhdrSize)
    return fail(fmt::format("file is truncated: {} bytes is too short for the "
                            "{}-byte ELF header",
                            size_, kEhdrSize));
  uint8_t cls = data_[kEiClass];
  if (cls != kElfClass64)
    return fail(cls == kElfClass32
                    ? std::string("ELF class is 32-bit (ELFCLASS32); NPU "
                                  "binaries are ELF64")
                    : fmt::format("unknown ELF class {} (byte 4); NPU binaries "
                                  "are ELF64",
                                  cls));
  uint8_t enc = data_[kEiData];
  if (enc != kElfDataLsb)
    return fail(enc == kElfDataMsb
                    ? std::string("ELF data encoding is big-endian "
                                  "(ELFDATA2MSB); NPU binaries are "
                                  "little-endian")
                    : fmt::format("unknown ELF data encoding {} (byte 5); NPU "
                                  "binaries are little-endian",
                                  enc));
  if (data_[kEiVersion] != kElfVersionCurrent)
    return fail(fmt::format("unsupported ELF identification version {} (byte 6)",
                            data_[kEiVersion]));
  uint16_t type = loadU16(data_ + 16);
  if (type != kEtExec)
    return fail(fmt::format("ELF file type is {}, expected {} (ET_EXEC)", type,
                            kEtExec));
  uint16_t machine = loadU16(data_ + 18);
  if (machine != kElfMachine)
    return fail(fmt::format(
        "ELF machine is {:#x}, not the Strata NPU ({:#x}): this is not a "
        "Strata NPU binary",
        machine, kElfMachine));
  if (uint32_t v = loadU32(data_ + 20); v != kElfVersionCurrent)
    return fail(fmt::format("unsupported ELF version {} (e_version)", v));

  shoff_ = loadU64(data_ + 40);
  uint16_t shentsize = loadU16(data_ + 58);
  shnum_ = loadU16(data_ + 60);
  shstrndx_ = loadU16(data_ + 62);
  if (shentsize != kShdrSize)
    return fail(fmt::format("section header size (e_shentsize) is {}, "
                            "expected {}",
                            shentsize, kShdrSize));
  if (shnum_ == 0)
    return fail("the file has no section headers (e_shnum is 0; extended "
                "section numbering is not supported)");
  if (!inBounds(shoff_, uint64_t(shnum_) * kShdrSize, size_))
    return fail(fmt::format(
        "section header table (offset {} + {} headers of {} bytes) extends "
        "past the end of the file (file size {})",
        shoff_, shnum_, kShdrSize, size_));
  if (shstrndx_ == 0 || shstrndx_ >= shnum_)
    return fail(fmt::format("section name table index (e_shstrndx) {} is not "
                            "a section (the file has {} sections)",
                            shstrndx_, shnum_));
  return Status::ok();
}

Status Reader::readSectionHeaders() {
  sections_.resize(shnum_);
  for (uint32_t i = 0; i < shnum_; ++i) {
    const uint8_t *h = data_ + shoff_ + uint64_t(i) * kShdrSize;
    Section &s = sections_[i];
    s.type = loadU32(h + 4);
    s.flags = loadU64(h + 8);
    s.addr = loadU64(h + 16);
    s.offset = loadU64(h + 24);
    s.size = loadU64(h + 32);
    s.entsize = loadU64(h + 56);
  }
  // The name table first: every other section is named through it.
  const Section &names = sections_[shstrndx_];
  if (names.type != kShtStrtab)
    return fail(fmt::format("section name table (index {}) has type {}, "
                            "expected {} (SHT_STRTAB)",
                            shstrndx_, names.type, kShtStrtab));
  if (!inBounds(names.offset, names.size, size_))
    return fail(fmt::format("section name table (index {}) extends past the "
                            "end of the file (offset {} + size {} > file "
                            "size {})",
                            shstrndx_, names.offset, names.size, size_));
  const char *strings = reinterpret_cast<const char *>(data_ + names.offset);
  for (uint32_t i = 0; i < shnum_; ++i) {
    uint32_t nameOffset =
        loadU32(data_ + shoff_ + uint64_t(i) * kShdrSize);
    if (nameOffset >= names.size)
      return fail(fmt::format("section index {}: name offset {} is outside "
                              "the section name table (size {})",
                              i, nameOffset, names.size));
    const void *nul =
        std::memchr(strings + nameOffset, 0, names.size - nameOffset);
    if (!nul)
      return fail(fmt::format("section index {}: name at offset {} of the "
                              "section name table is not NUL-terminated",
                              i, nameOffset));
    sections_[i].name = std::string_view(
        strings + nameOffset, static_cast<const char *>(nul) - (strings + nameOffset));
  }
  for (uint32_t i = 1; i < shnum_; ++i) {
    const Section &s = sections_[i];
    if (s.type == kShtNobits || s.type == kShtNull)
      continue;
    if (!inBounds(s.offset, s.size, size_))
      return fail(fmt::format("{} extends past the end of the file (offset {} "
                              "+ size {} > file size {})",
                              describe(i), s.offset, s.size, size_));
  }
  return Status::ok();
}

Status Reader::indexSectionNames() {
  for (uint32_t i = 1; i < shnum_; ++i) {
    std::string_view name = sections_[i].name;
    auto [it, inserted] = byName_.emplace(name, i);
    // Only the names readers look up must be unique; code and constant
    // sections are found through the tables.
    bool lookedUp = name.rfind(".strata.", 0) == 0 || name == kStrtabSection;
    if (!inserted && lookedUp)
      return fail(fmt::format("duplicate section '{}' (indices {} and {})",
                              sections_[i].name, it->second, i));
  }
  claimed_.assign(shnum_, false);
  return Status::ok();
}

Status Reader::readSections() {
  if (Status s = readElfHeader(); !s)
    return s;
  if (Status s = readSectionHeaders(); !s)
    return s;
  return indexSectionNames();
}

Expected<uint32_t> Reader::find(const char *name) {
  auto it = byName_.find(name);
  if (it == byName_.end())
    return fail(fmt::format("missing section '{}'", name));
  return it->second;
}

Expected<FormatVersion> Reader::readFormatVersion() {
  if (Status s = readSections(); !s)
    return s;
  auto it = byName_.find(kHeaderSection);
  if (it == byName_.end() || sections_[it->second].size < 4)
    return fail(fmt::format("no readable '{}' section", kHeaderSection));
  const uint8_t *h = data_ + sections_[it->second].offset;
  return FormatVersion{loadU16(h), loadU16(h + 2)};
}

Status Reader::readVersion(Binary &b) {
  auto it = byName_.find(kHeaderSection);
  if (it == byName_.end())
    return fail(fmt::format("missing section '{}': this ELF file is not a "
                            "Strata NPU binary, or it is damaged",
                            kHeaderSection));
  const Section &s = sections_[it->second];
  if (s.type != kShtProgbits || s.size < kHeaderSize)
    return fail(fmt::format("{} must be SHT_PROGBITS of at least {} bytes "
                            "(type {}, size {})",
                            describe(it->second), kHeaderSize, s.type, s.size));
  const uint8_t *h = data_ + s.offset;
  uint16_t major = loadU16(h), minor = loadU16(h + 2);
  if (major != kFormatVersionMajor)
    return fail(fmt::format("unsupported container format version {}.{} (this "
                            "reader reads format {}.x)",
                            major, minor, kFormatVersionMajor));
  b.isaMajor = loadU16(h + 4);
  b.isaMinor = loadU16(h + 6);
  if (b.isaMajor != isa::kIsaVersionMajor)
    return fail(fmt::format("built for ISA version {}.{}, but this build "
                            "implements ISA {}.{}",
                            b.isaMajor, b.isaMinor, isa::kIsaVersionMajor,
                            isa::kIsaVersionMinor));

  auto strtab = find(kStrtabSection);
  if (!strtab)
    return strtab.status();
  strtab_ = *strtab;
  if (sections_[strtab_].type != kShtStrtab)
    return fail(fmt::format("{} has type {}, expected {} (SHT_STRTAB)",
                            describe(strtab_), sections_[strtab_].type,
                            kShtStrtab));
  auto hash = string(loadU32(h + 8), "architecture hash");
  if (!hash)
    return hash.status();
  b.archHash = hash.takeValue();
  return Status::ok();
}

Expected<Table> Reader::table(const char *name, unsigned rowSize) {
  auto index = find(name);
  if (!index)
    return index.status();
  const Section &s = sections_[*index];
  if (s.type != kShtProgbits)
    return fail(fmt::format("table {} has type {}, expected {} (SHT_PROGBITS)",
                            describe(*index), s.type, kShtProgbits));
  if (s.entsize < rowSize)
    return fail(fmt::format("table {} has rows of {} bytes (sh_entsize); "
                            "format {} needs at least {}",
                            describe(*index), s.entsize, kFormatVersionMajor,
                            rowSize));
  if (s.size % s.entsize != 0)
    return fail(fmt::format("table {} has size {}, which is not a multiple of "
                            "its row size {}",
                            describe(*index), s.size, s.entsize));
  Table t;
  t.name = name;
  t.index = *index;
  t.base = data_ + s.offset;
  t.stride = s.entsize;
  t.count = s.size / s.entsize;
  return t;
}

Expected<std::string> Reader::string(uint32_t offset, const std::string &what) {
  const Section &s = sections_[strtab_];
  if (offset >= s.size)
    return fail(fmt::format("{}: string offset {} is outside '{}' (size {})",
                            what, offset, kStrtabSection, s.size));
  const char *begin = reinterpret_cast<const char *>(data_ + s.offset) + offset;
  const void *nul = std::memchr(begin, 0, s.size - offset);
  if (!nul)
    return fail(fmt::format("{}: string at offset {} of '{}' is not "
                            "NUL-terminated",
                            what, offset, kStrtabSection));
  size_t length = static_cast<const char *>(nul) - begin;
  if (length > stringBudget_)
    return fail(fmt::format("{}: the tables refer to more string bytes than "
                            "{} times the file size; they are corrupt",
                            what, kStringBudgetFactor));
  stringBudget_ -= length;
  return std::string(begin, length);
}

std::string rowOf(const Table &t, uint64_t row) {
  return fmt::format("row {} of '{}'", row, t.name);
}

Status Reader::claimRows(const std::string &where, const char *what, uint64_t first,
                         uint64_t count, const Table &child, const char *owners,
                         uint64_t &next) {
  if (!inBounds(first, count, child.count))
    return fail(fmt::format("{}: {} [{}, {}+{}) are outside '{}' ({} rows)", where, what,
                            first, first, count, child.name, child.count));
  if (first != next)
    return fail(fmt::format("{}: {} start at row {} of '{}', but the {} before it end at "
                            "row {}",
                            where, what, first, child.name, owners, next));
  next += count;
  return Status::ok();
}

Status Reader::checkAllRowsClaimed(const Table &child, const char *owners, uint64_t used) {
  if (used != child.count)
    return fail(fmt::format("table '{}' has {} rows but the {} use {}", child.name,
                            child.count, owners, used));
  return Status::ok();
}

Expected<const Section *> Reader::claimSection(const std::string &where, uint32_t index,
                                               const char *what, bool allowNobits,
                                               const char *owner) {
  std::string label = *what ? std::string(what) + " " : std::string();
  if (index == 0 || index >= shnum_)
    return fail(fmt::format("{}: {}section index {} does not name a section (the file has {})",
                            where, label, index, shnum_));
  const Section &s = sections_[index];
  if (allowNobits ? s.type != kShtProgbits && s.type != kShtNobits : s.type != kShtProgbits)
    return fail(fmt::format("{}: {}{} has type {}, expected {}", where, label, describe(index),
                            s.type,
                            allowNobits ? std::string("SHT_PROGBITS or SHT_NOBITS")
                                        : fmt::format("{} (SHT_PROGBITS)", kShtProgbits)));
  if (claimed_[index])
    return fail(fmt::format("{}: {}{} already belongs to another {}", where, label,
                            describe(index), owner));
  claimed_[index] = true;
  return &s;
}

Status Reader::readRegions(Binary &b) {
  auto t = table(kRegionsSection, kRegionRowSize);
  if (!t)
    return t.status();
  for (uint64_t i = 0; i < t->count; ++i) {
    const uint8_t *r = t->row(i);
    auto name = string(loadU32(r), "region name, " + rowOf(*t, i));
    if (!name)
      return name.status();
    uint8_t kind = r[4];
    if (kind > static_cast<uint8_t>(RegionKind::Scratch))
      return fail(fmt::format("region '{}' ({}): unknown kind {}", *name,
                              rowOf(*t, i), kind));
    MemoryRegion region;
    region.name = name.takeValue();
    region.kind = static_cast<RegionKind>(kind);
    region.hbmAddress = loadU64(r + 8);
    region.size = loadU64(r + 16);
    b.regions.push_back(std::move(region));
  }
  return Status::ok();
}

Status Reader::readIo(Binary &b) {
  auto t = table(kIoSection, kIoRowSize);
  if (!t)
    return t.status();
  auto dims = table(kDimsSection, kDimRowSize);
  if (!dims)
    return dims.status();
  uint64_t nextDim = 0;
  for (uint64_t i = 0; i < t->count; ++i) {
    const uint8_t *r = t->row(i);
    auto name = string(loadU32(r), "I/O binding name, " + rowOf(*t, i));
    if (!name)
      return name.status();
    std::string where = fmt::format("I/O binding '{}' ({})", *name, rowOf(*t, i));
    uint8_t dir = r[4], dtype = r[5];
    if (dir > static_cast<uint8_t>(IoDirection::Output))
      return fail(fmt::format("{}: unknown direction {}", where, dir));
    if (!isValidDType(dtype))
      return fail(fmt::format("{}: unknown dtype {}", where, dtype));
    uint32_t first = loadU32(r + 8), rank = loadU32(r + 12);
    if (Status s = claimRows(where, "dimensions", first, rank, *dims, "bindings", nextDim); !s)
      return s;
    IoBinding io;
    io.name = name.takeValue();
    io.direction = static_cast<IoDirection>(dir);
    io.dtype = static_cast<DType>(dtype);
    io.hbmAddress = loadU64(r + 16);
    io.shape.reserve(rank);
    for (uint32_t d = 0; d < rank; ++d)
      io.shape.push_back(static_cast<int64_t>(loadU64(dims->row(first + d))));
    b.io.push_back(std::move(io));
  }
  return checkAllRowsClaimed(*dims, "I/O bindings", nextDim);
}

Status Reader::readConstants(Binary &b) {
  auto t = table(kConstsSection, kConstRowSize);
  if (!t)
    return t.status();
  for (uint64_t i = 0; i < t->count; ++i) {
    const uint8_t *r = t->row(i);
    auto name = string(loadU32(r), "constant segment name, " + rowOf(*t, i));
    if (!name)
      return name.status();
    std::string where =
        fmt::format("constant segment '{}' ({})", *name, rowOf(*t, i));
    uint32_t index = loadU32(r + 4);
    auto section = claimSection(where, index, "", true, "row");
    if (!section)
      return section.status();
    const Section &s = **section;
    ConstSegment c;
    c.name = name.takeValue();
    c.hbmAddress = loadU64(r + 8);
    c.size = loadU64(r + 16);
    if (s.size != c.size)
      return fail(fmt::format("{}: {} holds {} bytes but the table says {}",
                              where, describe(index), s.size, c.size));
    if (s.addr != c.hbmAddress)
      return fail(fmt::format("{}: {} has address {:#x} but the table says "
                              "{:#x}",
                              where, describe(index), s.addr, c.hbmAddress));
    c.data = s.type == kShtProgbits ? data_ + s.offset : nullptr;
    b.constants.push_back(std::move(c));
  }
  return Status::ok();
}

Status Reader::readProgram(const std::string &where, const uint8_t *row,
                           std::vector<isa::Instr> &program) {
  uint32_t index = loadU32(row), count = loadU32(row + 4);
  if (index == 0) {
    if (count != 0)
      return fail(fmt::format("{}: idle core (no code section) has "
                              "instruction count {}",
                              where, count));
    return Status::ok();
  }
  auto section = claimSection(where, index, "code", false, "core");
  if (!section)
    return section.status();
  const Section &s = **section;
  if (s.size % isa::kInstrBytes != 0)
    return fail(fmt::format("{}: code {} has size {}, which is not a multiple "
                            "of the {}-byte instruction size",
                            where, describe(index), s.size, isa::kInstrBytes));
  if (s.size / isa::kInstrBytes != count)
    return fail(fmt::format("{}: code {} holds {} instructions but '{}' says {}",
                            where, describe(index), s.size / isa::kInstrBytes,
                            kCoresSection, count));
  auto decoded = isa::decodeProgram(data_ + s.offset, s.size);
  if (!decoded)
    return fail(fmt::format("{}: code {}: {}", where, describe(index),
                            decoded.message()));
  program = decoded.takeValue();
  return Status::ok();
}

Status Reader::readEntries(Binary &b) {
  auto t = table(kEntriesSection, kEntryRowSize);
  if (!t)
    return t.status();
  auto params = table(kParamsSection, kParamRowSize);
  if (!params)
    return params.status();
  auto cores = table(kCoresSection, kCoreRowSize);
  if (!cores)
    return cores.status();
  uint64_t nextParam = 0, nextCore = 0;
  for (uint64_t i = 0; i < t->count; ++i) {
    const uint8_t *r = t->row(i);
    auto name = string(loadU32(r), "entry point name, " + rowOf(*t, i));
    if (!name)
      return name.status();
    std::string where = fmt::format("entry point '{}' ({})", *name, rowOf(*t, i));
    uint32_t firstParam = loadU32(r + 4), numParams = loadU32(r + 8);
    uint32_t firstCore = loadU32(r + 12), numCores = loadU32(r + 16);
    if (Status s = claimRows(where, "parameters", firstParam, numParams, *params,
                             "entry points", nextParam);
        !s)
      return s;
    if (Status s = claimRows(where, "cores", firstCore, numCores, *cores, "entry points",
                             nextCore);
        !s)
      return s;

    EntryPoint e;
    e.name = name.takeValue();
    for (uint32_t p = 0; p < numParams; ++p) {
      const uint8_t *pr = params->row(firstParam + p);
      auto pname = string(loadU32(pr), fmt::format("{} parameter {}", where, p));
      if (!pname)
        return pname.status();
      e.params.push_back({pname.takeValue(), pr[4]});
    }
    e.cores.resize(numCores);
    for (uint32_t c = 0; c < numCores; ++c)
      if (Status s = readProgram(fmt::format("entry point '{}' core {}", e.name, c),
                                 cores->row(firstCore + c), e.cores[c]);
          !s)
        return s;
    b.entries.push_back(std::move(e));
  }
  if (Status s = checkAllRowsClaimed(*params, "entry points", nextParam); !s)
    return s;
  return checkAllRowsClaimed(*cores, "entry points", nextCore);
}

Status Reader::readMetadata(Binary &b) {
  auto t = table(kMetaSection, kMetaRowSize);
  if (!t)
    return t.status();
  bool seenTool = false, seenPipeline = false, seenModel = false;
  for (uint64_t i = 0; i < t->count; ++i) {
    const uint8_t *r = t->row(i);
    auto key = string(loadU32(r), "metadata key, " + rowOf(*t, i));
    if (!key)
      return key.status();
    auto value = string(loadU32(r + 4),
                        fmt::format("metadata value of '{}', {}", *key, rowOf(*t, i)));
    if (!value)
      return value.status();
    auto named = [&](bool &seen, std::string &field) -> Status {
      if (seen)
        return fail(fmt::format("duplicate metadata key '{}' ({})", *key,
                                rowOf(*t, i)));
      seen = true;
      field = value.takeValue();
      return Status::ok();
    };
    Status s;
    if (*key == kMetaToolVersion)
      s = named(seenTool, b.meta.toolVersion);
    else if (*key == kMetaPassPipeline)
      s = named(seenPipeline, b.meta.passPipeline);
    else if (*key == kMetaModelName)
      s = named(seenModel, b.meta.modelName);
    else
      b.meta.extra.emplace_back(key.takeValue(), value.takeValue());
    if (!s)
      return s;
  }
  return Status::ok();
}

Status Reader::readLabels(Binary &b) {
  // Optional: format 1.0 files have no labels.
  if (byName_.find(kLabelsSection) == byName_.end())
    return Status::ok();
  auto t = table(kLabelsSection, kLabelRowSize);
  if (!t)
    return t.status();
  for (uint64_t i = 0; i < t->count; ++i) {
    const uint8_t *r = t->row(i);
    auto name = string(loadU32(r), "label name, " + rowOf(*t, i));
    if (!name)
      return name.status();
    uint32_t entry = loadU32(r + 4);
    if (entry >= b.entries.size())
      return fail(fmt::format("label '{}' ({}) names entry point {}, but there are {}",
                              *name, rowOf(*t, i), entry, b.entries.size()));
    CodeLabel l;
    l.name = name.takeValue();
    l.core = loadU32(r + 8);
    l.begin = loadU32(r + 12);
    l.end = loadU32(r + 16);
    b.entries[entry].labels.push_back(std::move(l));
  }
  return Status::ok();
}

Status Reader::readArch(Binary &b) {
  auto index = find(kArchSection);
  if (!index)
    return index.status();
  const Section &s = sections_[*index];
  if (s.type != kShtProgbits)
    return fail(fmt::format("{} has type {}, expected {} (SHT_PROGBITS)",
                            describe(*index), s.type, kShtProgbits));
  b.archConfigYaml.assign(reinterpret_cast<const char *>(data_ + s.offset),
                          s.size);
  return Status::ok();
}

Expected<Binary> Reader::read() {
  Binary b;
  if (Status s = readSections(); !s)
    return s;
  if (Status s = readVersion(b); !s)
    return s;
  if (Status s = readRegions(b); !s)
    return s;
  if (Status s = readIo(b); !s)
    return s;
  if (Status s = readConstants(b); !s)
    return s;
  if (Status s = readEntries(b); !s)
    return s;
  if (Status s = readLabels(b); !s)
    return s;
  if (Status s = readMetadata(b); !s)
    return s;
  if (Status s = readArch(b); !s)
    return s;
  if (Status s = checkBinary(b); !s)
    return s.error().withContext(name_);
  return b;
}

} // namespace

Expected<bin::Binary> readBinaryFromMemory(const uint8_t *data, size_t size,
                                           const std::string &name) {
  return Reader(data, size, name).read();
}

namespace {

/// A read-only mapping of a whole file; `data` is null on error.
struct Mapping {
  std::shared_ptr<const void> storage;
  const uint8_t *data = nullptr;
  size_t size = 0;
};

Expected<Mapping> mapFile(const std::string &path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return Error(fmt::format("cannot open '{}': {}", path, std::strerror(errno)));
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return Error(fmt::format("cannot stat '{}': {}", path, std::strerror(err)));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Error(fmt::format("{}: not a regular file", path));
  }
  auto size = static_cast<size_t>(st.st_size);
  if (size == 0) {
    ::close(fd);
    return Error(path + ": file is empty");
  }
  void *map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  int err = errno;
  ::close(fd); // the mapping keeps the file open
  if (map == MAP_FAILED)
    return Error(fmt::format("cannot map '{}': {}", path, std::strerror(err)));
  Mapping m;
  m.storage = std::shared_ptr<const void>(
      map, [size](const void *p) { ::munmap(const_cast<void *>(p), size); });
  m.data = static_cast<const uint8_t *>(map);
  m.size = size;
  return m;
}

} // namespace

Expected<bin::Binary> readBinary(const std::string &path) {
  auto mapping = mapFile(path);
  if (!mapping)
    return mapping.status();
  auto binary = readBinaryFromMemory(mapping->data, mapping->size, path);
  if (!binary)
    return binary;
  binary->storage = std::move(mapping->storage);
  return binary;
}

Expected<FormatVersion> readBinaryFormatVersion(const std::string &path) {
  auto mapping = mapFile(path);
  if (!mapping)
    return mapping.status();
  return Reader(mapping->data, mapping->size, path).readFormatVersion();
}

} // namespace strata
