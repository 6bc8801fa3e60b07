//===- BinaryCheck.cpp - Consistency rules of an NPU binary ---------------===//
//
// The rules hold for every binary written and every binary read, so the
// simulator and runtime can rely on them. All checks are O(n log n) in the
// number of objects: a fuzzed file with many thousands of regions must not
// take quadratic time.
//
//===----------------------------------------------------------------------===//
#include "strata/target/ArchConfig.h"
#include "strata/target/BinaryIO.h"
#include "strata/target/Validator.h"

#include "Format.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <limits>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <variant>

namespace strata {
namespace bin {

std::string_view regionKindName(RegionKind kind) {
  switch (kind) {
  case RegionKind::Weights: return "weights";
  case RegionKind::Activations: return "activations";
  case RegionKind::KvCache: return "kv-cache";
  case RegionKind::Io: return "io";
  case RegionKind::Scratch: return "scratch";
  }
  return "?";
}

std::string_view ioDirectionName(IoDirection dir) {
  switch (dir) {
  case IoDirection::Input: return "input";
  case IoDirection::Output: return "output";
  }
  return "?";
}

} // namespace bin

namespace {

using namespace bin;

constexpr uint64_t kMaxU64 = std::numeric_limits<uint64_t>::max();

bool isValidRegionKind(RegionKind k) {
  return static_cast<uint8_t>(k) <= static_cast<uint8_t>(RegionKind::Scratch);
}
bool isValidDirection(IoDirection d) {
  return static_cast<uint8_t>(d) <= static_cast<uint8_t>(IoDirection::Output);
}

/// Strings are stored NUL-terminated, so they cannot hold a NUL themselves.
Status checkString(const std::string &s, const std::string &what) {
  if (s.find('\0') != std::string::npos)
    return Error(fmt::format("{} contains a NUL byte", what));
  return Status::ok();
}

/// Rejects empty, NUL-containing and duplicate names among `items`.
template <typename T, typename NameOf>
Status checkNames(const std::vector<T> &items, std::string_view kind,
                  NameOf nameOf) {
  std::unordered_map<std::string_view, size_t> seen;
  seen.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string &name = nameOf(items[i]);
    if (name.empty())
      return Error(fmt::format("{} {} has an empty name", kind, i));
    if (Status s = checkString(name, fmt::format("name of {} {}", kind, i)); !s)
      return s;
    auto [it, inserted] = seen.emplace(name, i);
    if (!inserted)
      return Error(fmt::format("duplicate {} name '{}' ({}s {} and {})", kind,
                               name, kind, it->second, i));
  }
  return Status::ok();
}

std::string range(uint64_t addr, uint64_t size) {
  return fmt::format("[{:#x}, {:#x})", addr, addr + size);
}

/// An address range with the index of the object it belongs to.
struct Span {
  uint64_t begin, end;
  size_t index;
};

/// Sorts spans by start and returns the first overlapping pair, if any.
/// Sorted, non-overlapping spans only need their neighbours compared.
std::optional<std::pair<size_t, size_t>> findOverlap(std::vector<Span> &spans) {
  std::sort(spans.begin(), spans.end(),
            [](const Span &a, const Span &b) { return a.begin < b.begin; });
  for (size_t i = 1; i < spans.size(); ++i)
    if (spans[i].begin < spans[i - 1].end)
      return std::make_pair(spans[i - 1].index, spans[i].index);
  return std::nullopt;
}

/// The span among sorted, disjoint `spans` that contains [begin, end), or null.
const Span *findContaining(const std::vector<Span> &spans, uint64_t begin,
                           uint64_t end) {
  auto it = std::upper_bound(
      spans.begin(), spans.end(), begin,
      [](uint64_t addr, const Span &s) { return addr < s.begin; });
  if (it == spans.begin())
    return nullptr;
  --it;
  return (begin >= it->begin && end <= it->end) ? &*it : nullptr;
}

Status checkRegions(const Binary &b, std::vector<Span> &spans) {
  if (Status s = checkNames(b.regions, "region",
                            [](const MemoryRegion &r) -> const std::string & {
                              return r.name;
                            });
      !s)
    return s;
  for (size_t i = 0; i < b.regions.size(); ++i) {
    const MemoryRegion &r = b.regions[i];
    if (!isValidRegionKind(r.kind))
      return Error(fmt::format("region '{}' has unknown kind {}", r.name,
                               static_cast<unsigned>(r.kind)));
    if (r.size == 0)
      return Error(fmt::format("region '{}' has size 0", r.name));
    if (r.size > kMaxU64 - r.hbmAddress)
      return Error(fmt::format(
          "region '{}' (address {:#x}, size {:#x}) extends past the end of "
          "the 64-bit address space",
          r.name, r.hbmAddress, r.size));
    spans.push_back({r.hbmAddress, r.hbmAddress + r.size, i});
  }
  if (auto pair = findOverlap(spans)) {
    const MemoryRegion &a = b.regions[pair->first];
    const MemoryRegion &c = b.regions[pair->second];
    return Error(fmt::format("regions '{}' {} and '{}' {} overlap", a.name,
                             range(a.hbmAddress, a.size), c.name,
                             range(c.hbmAddress, c.size)));
  }
  return Status::ok();
}

Status checkConstants(const Binary &b, const std::vector<Span> &regionSpans) {
  if (Status s = checkNames(b.constants, "constant segment",
                            [](const ConstSegment &c) -> const std::string & {
                              return c.name;
                            });
      !s)
    return s;
  std::vector<Span> weights;
  for (const Span &s : regionSpans)
    if (b.regions[s.index].kind == RegionKind::Weights)
      weights.push_back(s);
  std::vector<Span> spans;
  for (size_t i = 0; i < b.constants.size(); ++i) {
    const ConstSegment &c = b.constants[i];
    if (c.size == 0)
      return Error(fmt::format("constant segment '{}' has size 0", c.name));
    if (c.size > kMaxU64 - c.hbmAddress)
      return Error(fmt::format(
          "constant segment '{}' (address {:#x}, size {:#x}) extends past the "
          "end of the 64-bit address space",
          c.name, c.hbmAddress, c.size));
    uint64_t end = c.hbmAddress + c.size;
    if (!findContaining(weights, c.hbmAddress, end))
      return Error(fmt::format(
          "constant segment '{}' {} is not inside a weights region", c.name,
          range(c.hbmAddress, c.size)));
    spans.push_back({c.hbmAddress, end, i});
  }
  if (auto pair = findOverlap(spans)) {
    const ConstSegment &a = b.constants[pair->first];
    const ConstSegment &c = b.constants[pair->second];
    return Error(fmt::format("constant segments '{}' {} and '{}' {} overlap",
                             a.name, range(a.hbmAddress, a.size), c.name,
                             range(c.hbmAddress, c.size)));
  }
  return Status::ok();
}

Status checkIo(const Binary &b, const std::vector<Span> &regionSpans) {
  if (Status s = checkNames(b.io, "I/O binding",
                            [](const IoBinding &io) -> const std::string & {
                              return io.name;
                            });
      !s)
    return s;
  for (const IoBinding &io : b.io) {
    if (!isValidDirection(io.direction))
      return Error(fmt::format("I/O binding '{}' has unknown direction {}",
                               io.name, static_cast<unsigned>(io.direction)));
    if (!isValidDType(static_cast<uint8_t>(io.dtype)))
      return Error(fmt::format("I/O binding '{}' has unknown dtype {}", io.name,
                               static_cast<unsigned>(io.dtype)));
    // Element count, guarding the product against overflow; bytes must also
    // fit after multiplying by the element width (at most 4 bytes).
    uint64_t count = 1;
    for (size_t d = 0; d < io.shape.size(); ++d) {
      int64_t extent = io.shape[d];
      if (extent <= 0)
        return Error(fmt::format(
            "I/O binding '{}' dimension {} is {}; dimensions must be positive",
            io.name, d, extent));
      if (count > (kMaxU64 / 8) / static_cast<uint64_t>(extent))
        return Error(fmt::format("I/O binding '{}' shape {} has too many elements",
                                 io.name, io.typeText()));
      count *= static_cast<uint64_t>(extent);
    }
    uint64_t bytes = dtypeBytes(io.dtype, count);
    if (bytes > kMaxU64 - io.hbmAddress ||
        !findContaining(regionSpans, io.hbmAddress, io.hbmAddress + bytes))
      return Error(fmt::format(
          "I/O binding '{}' ({}, {} bytes at {:#x}) is not inside one memory "
          "region",
          io.name, io.typeText(), bytes, io.hbmAddress));
  }
  return Status::ok();
}

Status checkEntries(const Binary &b) {
  if (Status s = checkNames(b.entries, "entry point",
                            [](const EntryPoint &e) -> const std::string & {
                              return e.name;
                            });
      !s)
    return s;
  for (const EntryPoint &e : b.entries) {
    if (e.cores.empty())
      return Error(fmt::format("entry point '{}' has no cores", e.name));
    bool anyCode = std::any_of(e.cores.begin(), e.cores.end(),
                               [](const auto &c) { return !c.empty(); });
    if (!anyCode)
      return Error(
          fmt::format("entry point '{}' has no instructions on any core", e.name));
    if (e.cores.size() > std::numeric_limits<uint32_t>::max())
      return Error(fmt::format("entry point '{}' has too many cores ({})",
                               e.name, e.cores.size()));
    for (size_t c = 0; c < e.cores.size(); ++c) {
      const std::vector<isa::Instr> &prog = e.cores[c];
      if (prog.size() > std::numeric_limits<uint32_t>::max())
        return Error(fmt::format(
            "entry point '{}' core {} has too many instructions ({})", e.name,
            c, prog.size()));
      // Instruction-level ISA rules only (they also guarantee the encoding
      // is lossless); whole-program rules are the assembler's and the
      // compiler's business, so a binary can still carry a program meant to
      // fault in the simulator.
      for (size_t i = 0; i < prog.size(); ++i)
        if (Status s = isa::validateInstr(prog[i]); !s)
          return Error(fmt::format("entry point '{}' core {} instruction {}: {}",
                                   e.name, c, i, s.message()));
    }
    std::array<const ScalarParam *, isa::kNumScalarRegs> byReg{};
    std::unordered_map<std::string_view, const ScalarParam *> byName;
    for (size_t i = 0; i < e.params.size(); ++i) {
      const ScalarParam &p = e.params[i];
      if (p.name.empty())
        return Error(fmt::format(
            "entry point '{}' parameter {} has an empty name", e.name, i));
      if (Status s = checkString(p.name, fmt::format("name of entry point '{}' "
                                                     "parameter {}",
                                                     e.name, i));
          !s)
        return s;
      if (!byName.emplace(p.name, &p).second)
        return Error(fmt::format(
            "entry point '{}' has two parameters named '{}'", e.name, p.name));
      if (p.reg == 0 || p.reg >= isa::kNumScalarRegs)
        return Error(fmt::format(
            "entry point '{}' parameter '{}' uses register r{}; parameters "
            "use r1..r{}",
            e.name, p.name, p.reg, isa::kNumScalarRegs - 1));
      if (const ScalarParam *other = byReg[p.reg])
        return Error(fmt::format(
            "entry point '{}' parameters '{}' and '{}' both use register r{}",
            e.name, other->name, p.name, p.reg));
      byReg[p.reg] = &p;
    }
  }
  return Status::ok();
}

Status checkLabels(const EntryPoint &e) {
  // Per core, the labels sorted by start must not overlap.
  std::vector<std::vector<const CodeLabel *>> byCore(e.cores.size());
  for (size_t i = 0; i < e.labels.size(); ++i) {
    const CodeLabel &l = e.labels[i];
    if (l.name.empty())
      return Error(fmt::format("entry point '{}' label {} has an empty name", e.name, i));
    if (Status s = checkString(l.name, fmt::format("name of entry point '{}' label {}",
                                                   e.name, i));
        !s)
      return s;
    if (l.core >= e.cores.size())
      return Error(fmt::format("entry point '{}' label '{}' names core {}, but the entry "
                               "point has {} cores",
                               e.name, l.name, l.core, e.cores.size()));
    if (l.begin >= l.end || l.end > e.cores[l.core].size())
      return Error(fmt::format("entry point '{}' label '{}' covers instructions [{}, {}) of "
                               "core {}, which has {}; a label covers at least one",
                               e.name, l.name, l.begin, l.end, l.core,
                               e.cores[l.core].size()));
    byCore[l.core].push_back(&l);
  }
  for (size_t c = 0; c < byCore.size(); ++c) {
    auto &labels = byCore[c];
    std::sort(labels.begin(), labels.end(),
              [](const CodeLabel *a, const CodeLabel *b) { return a->begin < b->begin; });
    for (size_t i = 1; i < labels.size(); ++i)
      if (labels[i]->begin < labels[i - 1]->end)
        return Error(fmt::format("entry point '{}' core {}: labels '{}' [{}, {}) and '{}' "
                                 "[{}, {}) overlap",
                                 e.name, c, labels[i - 1]->name, labels[i - 1]->begin,
                                 labels[i - 1]->end, labels[i]->name, labels[i]->begin,
                                 labels[i]->end));
  }
  return Status::ok();
}

Status checkMetadata(const Binary &b) {
  const Metadata &m = b.meta;
  if (Status s = checkString(m.toolVersion, "metadata tool version"); !s)
    return s;
  if (Status s = checkString(m.passPipeline, "metadata pass pipeline"); !s)
    return s;
  if (Status s = checkString(m.modelName, "metadata model name"); !s)
    return s;
  if (Status s = checkString(b.archHash, "architecture hash"); !s)
    return s;
  std::unordered_map<std::string_view, size_t> seen;
  for (size_t i = 0; i < m.extra.size(); ++i) {
    const auto &[key, value] = m.extra[i];
    if (key.empty())
      return Error(fmt::format("metadata entry {} has an empty key", i));
    if (Status s = checkString(key, fmt::format("metadata key {}", i)); !s)
      return s;
    if (Status s = checkString(value, fmt::format("metadata value '{}'", key)); !s)
      return s;
    if (key == format::kMetaToolVersion || key == format::kMetaPassPipeline ||
        key == format::kMetaModelName)
      return Error(fmt::format(
          "metadata key '{}' is reserved for the named metadata field", key));
    auto [it, inserted] = seen.emplace(key, i);
    if (!inserted)
      return Error(fmt::format("duplicate metadata key '{}' (entries {} and {})",
                               key, it->second, i));
  }
  return Status::ok();
}

} // namespace

Status checkBinary(const Binary &b) {
  if (b.isaMajor != isa::kIsaVersionMajor)
    return Error(fmt::format(
        "binary uses ISA version {}.{} but this build implements ISA {}.x",
        b.isaMajor, b.isaMinor, isa::kIsaVersionMajor));
  std::vector<Span> regionSpans;
  if (Status s = checkRegions(b, regionSpans); !s)
    return s;
  if (Status s = checkConstants(b, regionSpans); !s)
    return s;
  if (Status s = checkIo(b, regionSpans); !s)
    return s;
  if (Status s = checkEntries(b); !s)
    return s;
  for (const EntryPoint &e : b.entries)
    if (Status s = checkLabels(e); !s)
      return s;
  return checkMetadata(b);
}

Status checkBinaryAgainstArch(const Binary &b, const ArchConfig &arch) {
  const uint64_t capacity = arch.hbm.totalCapacityBytes();
  for (const MemoryRegion &r : b.regions)
    if (r.hbmAddress > capacity || r.size > capacity - r.hbmAddress)
      return Error(fmt::format(
          "region '{}' {} does not fit in the {} bytes of HBM of architecture "
          "'{}'",
          r.name, range(r.hbmAddress, r.size), capacity, arch.name));
  for (const EntryPoint &e : b.entries) {
    if (e.cores.size() > arch.numCores)
      return Error(fmt::format(
          "entry point '{}' uses {} cores but architecture '{}' has {}", e.name,
          e.cores.size(), arch.name, arch.numCores));
    for (size_t c = 0; c < e.cores.size(); ++c) {
      const std::vector<isa::Instr> &prog = e.cores[c];
      for (size_t i = 0; i < prog.size(); ++i) {
        const auto *dma = std::get_if<isa::DmaInstr>(&prog[i]);
        if (!dma)
          continue;
        for (const isa::MemRef *ref : {&dma->src, &dma->dst}) {
          if (ref->space != isa::Space::Sram || ref->core == isa::kLocalCore ||
              ref->core < arch.numCores)
            continue;
          return Error(fmt::format(
              "entry point '{}' core {} instruction {}: {} names the SRAM of "
              "core {} but architecture '{}' has {} cores",
              e.name, c, i, isa::mnemonic(dma->op), ref->core, arch.name,
              arch.numCores));
        }
      }
    }
  }
  return Status::ok();
}

} // namespace strata
