//===- Binary.h - The NPU binary (in-memory model) --------------*- C++ -*-===//
//
// What a compiled program is: entry points with code per core, constant data
// placed in HBM, the HBM memory plan, I/O bindings, the architecture config it
// was built for, and metadata. BinaryWriter/BinaryReader (BinaryIO.h) store it
// as an ELF file; docs/binary-format.md describes the bytes.
//
// Constant data is never copied on load: ConstSegment::data points into the
// read-only mapping of the file, kept alive by Binary::storage.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/target/DType.h"
#include "strata/target/Isa.h"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace strata::bin {

enum class RegionKind : uint8_t {
  Weights = 0,     ///< constant data (filled from ConstSegments)
  Activations = 1, ///< intermediate tensors exchanged through HBM
  KvCache = 2,     ///< persists across entry-point runs of one session
  Io = 3,          ///< inputs written and outputs read by the host
  Scratch = 4,
};

/// A named range of HBM the program uses.
struct MemoryRegion {
  std::string name;
  RegionKind kind = RegionKind::Scratch;
  uint64_t hbmAddress = 0;
  uint64_t size = 0;
};

enum class IoDirection : uint8_t { Input = 0, Output = 1 };

/// A tensor the host writes before a run or reads after it.
struct IoBinding {
  std::string name;
  IoDirection direction = IoDirection::Input;
  DType dtype = DType::F32;
  std::vector<int64_t> shape; ///< row-major, contiguous at hbmAddress
  uint64_t hbmAddress = 0;

  /// Elements in `shape` (1 for a scalar). checkBinary() guarantees that the
  /// product and byteSize() do not overflow; unchecked shapes may wrap.
  uint64_t elementCount() const {
    uint64_t count = 1;
    for (int64_t extent : shape)
      count *= static_cast<uint64_t>(extent);
    return count;
  }
  /// Bytes the tensor occupies at hbmAddress.
  uint64_t byteSize() const { return dtypeBytes(dtype, elementCount()); }
  /// "f32[1x32]": the type as messages and listings print it.
  std::string typeText() const {
    std::string s(dtypeName(dtype));
    s += '[';
    for (size_t i = 0; i < shape.size(); ++i)
      s += (i ? "x" : "") + std::to_string(shape[i]);
    return s + ']';
  }
};

/// A scalar the host passes in a register when it starts an entry point,
/// e.g. the KV-cache position of a decode step.
struct ScalarParam {
  std::string name;
  uint8_t reg = 0;
};

/// A named range of one core's program: which instructions compute what
/// (e.g. "blk.3.attn_q"), so the simulator can account time and energy per
/// layer. Optional; a binary without labels runs the same.
struct CodeLabel {
  std::string name;
  uint32_t core = 0;
  uint32_t begin = 0; ///< first instruction index
  uint32_t end = 0;   ///< one past the last instruction
};

/// The entry point that puts a program's resident data (weights kept in SRAM
/// across steps) in place. When a binary has it, the simulator runs it once
/// after load(), before the first run of any other entry point.
inline constexpr const char *kLoadWeightsEntry = "load_weights";

/// A program to start: one instruction stream per core (empty = idle core).
struct EntryPoint {
  std::string name;
  std::vector<ScalarParam> params;
  std::vector<std::vector<isa::Instr>> cores;
  /// Non-overlapping within each core; instructions outside any label are
  /// unattributed.
  std::vector<CodeLabel> labels;
};

/// Read-only bytes copied into HBM at hbmAddress before the first run.
/// `data` is null when the binary was built without weights (timing-only):
/// the segment then only reserves `size` bytes.
struct ConstSegment {
  std::string name;
  uint64_t hbmAddress = 0;
  uint64_t size = 0;
  const uint8_t *data = nullptr;
};

/// Free-form provenance; readers ignore keys they do not know.
struct Metadata {
  std::string toolVersion;
  std::string passPipeline;
  std::string modelName;
  std::vector<std::pair<std::string, std::string>> extra;
};

struct Binary {
  uint16_t isaMajor = isa::kIsaVersionMajor;
  uint16_t isaMinor = isa::kIsaVersionMinor;
  Metadata meta;
  /// The resolved architecture config the program was compiled for, in the
  /// canonical YAML form (archConfigToYaml), and its hash (archConfigHash).
  std::string archConfigYaml;
  std::string archHash;
  std::vector<MemoryRegion> regions;
  std::vector<IoBinding> io;
  std::vector<ConstSegment> constants;
  std::vector<EntryPoint> entries;
  /// Keeps the memory that ConstSegment::data points into alive (a file
  /// mapping after reading; whatever the producer chose when writing).
  std::shared_ptr<const void> storage;

  const EntryPoint *findEntry(const std::string &name) const {
    for (const EntryPoint &e : entries)
      if (e.name == name)
        return &e;
    return nullptr;
  }
  const IoBinding *findIo(const std::string &name) const {
    for (const IoBinding &b : io)
      if (b.name == name)
        return &b;
    return nullptr;
  }
  const MemoryRegion *findRegion(const std::string &name) const {
    for (const MemoryRegion &r : regions)
      if (r.name == name)
        return &r;
    return nullptr;
  }
};

} // namespace strata::bin
