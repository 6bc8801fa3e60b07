//===- BinaryWriter.cpp - Store an NPU binary as ELF ----------------------===//
//
// Two passes: lay out every section (sizes are known up front: tables are
// small and built in memory, code is 64 bytes per instruction, constant data
// has its declared size), then stream the file front to back. Code is encoded
// and constant data copied straight from the producer's memory while writing,
// so the file never exists as a whole in memory.
//
//===----------------------------------------------------------------------===//
#include "strata/target/BinaryIO.h"
#include "strata/target/Encoding.h"

#include "AtomicFile.h"
#include "ByteBuffer.h"
#include "Format.h"

#include <fmt/format.h>

#include <limits>

namespace strata {
namespace {

using namespace bin;
using namespace bin::format;

struct OutSection {
  std::string name;
  uint32_t type = kShtProgbits;
  uint64_t flags = 0;
  uint64_t addr = 0;
  uint64_t align = 1;
  uint64_t entsize = 0;
  uint32_t link = 0, info = 0;
  // Content: exactly one of these (or none for SHT_NULL / SHT_NOBITS).
  std::vector<uint8_t> bytes;
  const std::vector<isa::Instr> *program = nullptr;
  const uint8_t *external = nullptr;

  uint64_t size = 0;
  uint64_t offset = 0;
  uint32_t nameOffset = 0;
};

uint64_t alignUp(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

OutSection table(const char *name, ByteBuffer &buf, uint64_t entsize) {
  OutSection s;
  s.name = name;
  s.align = 8;
  s.entsize = entsize;
  s.bytes = std::move(buf.bytes());
  s.size = s.bytes.size();
  return s;
}

/// Everything the file needs besides the streamed payloads.
class Layout {
public:
  explicit Layout(const Binary &b) : b_(b) {}

  Status build();
  Status write(AtomicFile &out) const;

private:
  void buildCodeAndConstSections();
  void buildTables();
  void buildSymbols();
  void assignOffsets();

  const Binary &b_;
  StringTableBuilder strtab_, shstrtab_;
  std::vector<OutSection> sections_;
  // Section index of each entry's core code (0: idle) and of each constant.
  std::vector<std::vector<uint32_t>> codeSection_;
  std::vector<uint32_t> constSection_;
  uint64_t shoff_ = 0;
  uint64_t phoff_ = 0;
};

// Fixed section indices; code and constant sections follow kFirstPayload.
enum : uint32_t {
  kShstrtabIndex = 1,
  kStrtabIndex,
  kSymtabIndex,
  kHeaderIndex,
  kRegionsIndex,
  kIoIndex,
  kDimsIndex,
  kConstsIndex,
  kEntriesIndex,
  kParamsIndex,
  kCoresIndex,
  kMetaIndex,
  kArchIndex,
  kFirstPayload,
};

Status Layout::build() {
  sections_.resize(kFirstPayload);
  buildCodeAndConstSections();
  if (sections_.size() > kMaxSections)
    return Error(fmt::format(
        "{} sections needed, more than the {} an ELF file can index",
        sections_.size(), kMaxSections));
  buildTables();
  if (sections_.size() > kMaxSections)
    return Error(fmt::format(
        "{} sections needed, more than the {} an ELF file can index",
        sections_.size(), kMaxSections));
  buildSymbols();

  sections_[kShstrtabIndex].name = kShstrtabSection;
  for (OutSection &s : sections_)
    s.nameOffset = s.name.empty() ? 0 : shstrtab_.add(s.name);
  OutSection &shstr = sections_[kShstrtabIndex];
  shstr.type = kShtStrtab;
  shstr.bytes = std::move(shstrtab_.bytes());
  shstr.size = shstr.bytes.size();

  if (sections_[kStrtabIndex].size > std::numeric_limits<uint32_t>::max())
    return Error("the string table exceeds 4 GiB");
  assignOffsets();
  return Status::ok();
}

void Layout::buildCodeAndConstSections() {
  codeSection_.resize(b_.entries.size());
  for (size_t e = 0; e < b_.entries.size(); ++e) {
    const EntryPoint &entry = b_.entries[e];
    for (size_t c = 0; c < entry.cores.size(); ++c) {
      if (entry.cores[c].empty()) {
        codeSection_[e].push_back(0);
        continue;
      }
      OutSection s;
      s.name = fmt::format("{}{}.core{}", kCodeSectionPrefix, entry.name, c);
      s.flags = kShfAlloc | kShfExecinstr;
      s.align = isa::kInstrBytes;
      s.entsize = isa::kInstrBytes;
      s.program = &entry.cores[c];
      s.size = entry.cores[c].size() * uint64_t(isa::kInstrBytes);
      codeSection_[e].push_back(static_cast<uint32_t>(sections_.size()));
      sections_.push_back(std::move(s));
    }
  }
  for (const ConstSegment &c : b_.constants) {
    OutSection s;
    s.name = kConstSectionPrefix + c.name;
    s.type = c.data ? kShtProgbits : kShtNobits;
    s.flags = kShfAlloc;
    s.addr = c.hbmAddress;
    s.align = kConstSegmentAlignment;
    s.external = c.data;
    s.size = c.size;
    constSection_.push_back(static_cast<uint32_t>(sections_.size()));
    sections_.push_back(std::move(s));
  }
}

void Layout::buildTables() {
  ByteBuffer header;
  header.u16(kFormatVersionMajor);
  header.u16(kFormatVersionMinor);
  header.u16(b_.isaMajor);
  header.u16(b_.isaMinor);
  header.u32(strtab_.add(b_.archHash));
  header.u32(0);
  sections_[kHeaderIndex] = table(kHeaderSection, header, 0);

  ByteBuffer regions;
  for (const MemoryRegion &r : b_.regions) {
    regions.u32(strtab_.add(r.name));
    regions.u8(static_cast<uint8_t>(r.kind));
    regions.zeros(3);
    regions.u64(r.hbmAddress);
    regions.u64(r.size);
  }
  sections_[kRegionsIndex] = table(kRegionsSection, regions, kRegionRowSize);

  ByteBuffer io, dims;
  uint32_t dimCount = 0;
  for (const IoBinding &b : b_.io) {
    io.u32(strtab_.add(b.name));
    io.u8(static_cast<uint8_t>(b.direction));
    io.u8(static_cast<uint8_t>(b.dtype));
    io.u16(0);
    io.u32(dimCount);
    io.u32(static_cast<uint32_t>(b.shape.size()));
    io.u64(b.hbmAddress);
    for (int64_t d : b.shape)
      dims.i64(d);
    dimCount += static_cast<uint32_t>(b.shape.size());
  }
  sections_[kIoIndex] = table(kIoSection, io, kIoRowSize);
  sections_[kDimsIndex] = table(kDimsSection, dims, kDimRowSize);

  ByteBuffer consts;
  for (size_t i = 0; i < b_.constants.size(); ++i) {
    const ConstSegment &c = b_.constants[i];
    consts.u32(strtab_.add(c.name));
    consts.u32(constSection_[i]);
    consts.u64(c.hbmAddress);
    consts.u64(c.size);
  }
  sections_[kConstsIndex] = table(kConstsSection, consts, kConstRowSize);

  ByteBuffer entries, params, cores;
  uint32_t paramCount = 0, coreCount = 0;
  for (size_t e = 0; e < b_.entries.size(); ++e) {
    const EntryPoint &entry = b_.entries[e];
    entries.u32(strtab_.add(entry.name));
    entries.u32(paramCount);
    entries.u32(static_cast<uint32_t>(entry.params.size()));
    entries.u32(coreCount);
    entries.u32(static_cast<uint32_t>(entry.cores.size()));
    entries.u32(0);
    for (const ScalarParam &p : entry.params) {
      params.u32(strtab_.add(p.name));
      params.u8(p.reg);
      params.zeros(3);
    }
    for (size_t c = 0; c < entry.cores.size(); ++c) {
      cores.u32(codeSection_[e][c]);
      cores.u32(static_cast<uint32_t>(entry.cores[c].size()));
    }
    paramCount += static_cast<uint32_t>(entry.params.size());
    coreCount += static_cast<uint32_t>(entry.cores.size());
  }
  sections_[kEntriesIndex] = table(kEntriesSection, entries, kEntryRowSize);
  sections_[kParamsIndex] = table(kParamsSection, params, kParamRowSize);
  sections_[kCoresIndex] = table(kCoresSection, cores, kCoreRowSize);

  ByteBuffer meta;
  auto addMeta = [&](const std::string &key, const std::string &value) {
    meta.u32(strtab_.add(key));
    meta.u32(strtab_.add(value));
  };
  // Empty named fields are left out: absent and empty read back the same.
  if (!b_.meta.toolVersion.empty())
    addMeta(kMetaToolVersion, b_.meta.toolVersion);
  if (!b_.meta.passPipeline.empty())
    addMeta(kMetaPassPipeline, b_.meta.passPipeline);
  if (!b_.meta.modelName.empty())
    addMeta(kMetaModelName, b_.meta.modelName);
  for (const auto &[key, value] : b_.meta.extra)
    addMeta(key, value);
  sections_[kMetaIndex] = table(kMetaSection, meta, kMetaRowSize);

  ByteBuffer arch;
  arch.append(b_.archConfigYaml);
  sections_[kArchIndex] = table(kArchSection, arch, 0);
  sections_[kArchIndex].align = 1;

  // Code labels (format 1.1) go after the payload sections, and only when
  // there are some, so a binary without labels has the 1.0 layout.
  ByteBuffer labels;
  for (size_t e = 0; e < b_.entries.size(); ++e)
    for (const CodeLabel &l : b_.entries[e].labels) {
      labels.u32(strtab_.add(l.name));
      labels.u32(static_cast<uint32_t>(e));
      labels.u32(l.core);
      labels.u32(l.begin);
      labels.u32(l.end);
      labels.u32(0);
    }
  if (labels.size() > 0)
    sections_.push_back(table(kLabelsSection, labels, kLabelRowSize));
}

void Layout::buildSymbols() {
  // Symbols are for people reading the file with readelf -s: one per core
  // program ("<entry>.core<N>") and one per constant segment. The tables
  // above are what readers use.
  ByteBuffer sym;
  sym.zeros(kSymSize);
  auto addSymbol = [&](const std::string &name, uint8_t type, uint32_t shndx,
                       uint64_t value, uint64_t size) {
    sym.u32(strtab_.add(name));
    sym.u8(static_cast<uint8_t>(kStbGlobal << 4 | type));
    sym.u8(0); // STV_DEFAULT
    sym.u16(static_cast<uint16_t>(shndx));
    sym.u64(value);
    sym.u64(size);
  };
  for (size_t e = 0; e < b_.entries.size(); ++e)
    for (size_t c = 0; c < codeSection_[e].size(); ++c)
      if (uint32_t shndx = codeSection_[e][c])
        addSymbol(fmt::format("{}.core{}", b_.entries[e].name, c), kSttFunc,
                  shndx, 0, sections_[shndx].size);
  for (size_t i = 0; i < b_.constants.size(); ++i)
    addSymbol(b_.constants[i].name, kSttObject, constSection_[i],
              b_.constants[i].hbmAddress, b_.constants[i].size);

  OutSection &symtab = sections_[kSymtabIndex];
  symtab = table(kSymtabSection, sym, kSymSize);
  symtab.type = kShtSymtab;
  symtab.link = kStrtabIndex;
  symtab.info = 1; // index of the first global symbol

  OutSection &str = sections_[kStrtabIndex];
  str.name = kStrtabSection;
  str.type = kShtStrtab;
  str.bytes = std::move(strtab_.bytes());
  str.size = str.bytes.size();
}

void Layout::assignOffsets() {
  phoff_ = kEhdrSize;
  uint64_t offset = phoff_ + constSection_.size() * uint64_t(kPhdrSize);
  // Small sections first, then the page-aligned constant data, so the
  // metadata a reader needs sits together at the front of the file.
  for (size_t i = 1; i < sections_.size(); ++i) {
    OutSection &s = sections_[i];
    if (s.external || s.type == kShtNobits)
      continue;
    offset = alignUp(offset, s.align);
    s.offset = offset;
    offset += s.size;
  }
  for (uint32_t i : constSection_) {
    OutSection &s = sections_[i];
    offset = alignUp(offset, s.align);
    s.offset = offset;
    if (s.type != kShtNobits)
      offset += s.size;
  }
  shoff_ = alignUp(offset, 8);
}

Status Layout::write(AtomicFile &out) const {
  ByteBuffer ehdr;
  ehdr.append(std::string_view(reinterpret_cast<const char *>(kElfMagic), 4));
  ehdr.u8(kElfClass64);
  ehdr.u8(kElfDataLsb);
  ehdr.u8(kElfVersionCurrent);
  ehdr.zeros(9); // OS ABI (none), ABI version 0, padding
  ehdr.u16(kEtExec);
  ehdr.u16(kElfMachine);
  ehdr.u32(kElfVersionCurrent);
  ehdr.u64(0); // e_entry: entry points are in .strata.entries
  ehdr.u64(constSection_.empty() ? 0 : phoff_);
  ehdr.u64(shoff_);
  ehdr.u32(0); // e_flags
  ehdr.u16(kEhdrSize);
  ehdr.u16(kPhdrSize);
  ehdr.u16(static_cast<uint16_t>(constSection_.size()));
  ehdr.u16(kShdrSize);
  ehdr.u16(static_cast<uint16_t>(sections_.size()));
  ehdr.u16(kShstrtabIndex);
  out.write(ehdr.bytes().data(), ehdr.size());

  // One PT_LOAD per constant segment: where its bytes go in HBM.
  ByteBuffer phdrs;
  for (uint32_t i : constSection_) {
    const OutSection &s = sections_[i];
    phdrs.u32(kPtLoad);
    phdrs.u32(kPfR);
    phdrs.u64(s.offset);
    phdrs.u64(s.addr); // p_vaddr
    phdrs.u64(s.addr); // p_paddr
    phdrs.u64(s.type == kShtNobits ? 0 : s.size);
    phdrs.u64(s.size);
    phdrs.u64(1); // HBM addresses need not share the file's page offset
  }
  out.write(phdrs.bytes().data(), phdrs.size());

  // Payloads in offset order: small sections in index order, then constants.
  auto writeSection = [&](const OutSection &s) {
    out.padTo(s.offset);
    if (s.program) {
      uint8_t buf[isa::kInstrBytes];
      for (const isa::Instr &instr : *s.program) {
        isa::encode(instr, buf);
        out.write(buf, sizeof buf);
      }
    } else if (s.external) {
      out.write(s.external, s.size);
    } else {
      out.write(s.bytes.data(), s.bytes.size());
    }
  };
  for (size_t i = 1; i < sections_.size(); ++i)
    if (!sections_[i].external && sections_[i].type != kShtNobits)
      writeSection(sections_[i]);
  for (uint32_t i : constSection_)
    if (sections_[i].type != kShtNobits)
      writeSection(sections_[i]);

  out.padTo(shoff_);
  ByteBuffer shdrs;
  for (const OutSection &s : sections_) {
    shdrs.u32(s.nameOffset);
    shdrs.u32(s.name.empty() ? kShtNull : s.type);
    shdrs.u64(s.flags);
    shdrs.u64(s.addr);
    shdrs.u64(s.name.empty() ? 0 : s.offset);
    shdrs.u64(s.size);
    shdrs.u32(s.link);
    shdrs.u32(s.info);
    shdrs.u64(s.name.empty() ? 0 : s.align);
    shdrs.u64(s.entsize);
  }
  out.write(shdrs.bytes().data(), shdrs.size());
  return out.status();
}

} // namespace

Status writeBinary(const Binary &binary, const std::string &path) {
  if (Status s = checkBinary(binary); !s)
    return s.error().withContext(fmt::format("cannot write '{}'", path));
  Layout layout(binary);
  if (Status s = layout.build(); !s)
    return s.error().withContext(fmt::format("cannot write '{}'", path));
  AtomicFile out(path);
  if (!out.status())
    return out.status();
  if (Status s = layout.write(out); !s)
    return s;
  return out.commit();
}

} // namespace strata
