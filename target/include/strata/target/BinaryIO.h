//===- BinaryIO.h - Store and load NPU binaries -----------------*- C++ -*-===//
//
// The NPU binary (Binary.h) on disk is an ELF64 little-endian executable with
// its own machine number, so readelf can look inside. docs/binary-format.md
// describes every byte.
//
// Loading maps the file read-only and never copies constant data: every
// ConstSegment::data points into the mapping, which Binary::storage keeps
// alive. Writing streams constant data from wherever the producer keeps it and
// goes through a temporary file in the same directory, renamed into place, so
// a failed write never destroys an existing file.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/support/Error.h"
#include "strata/target/Binary.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace strata {

struct ArchConfig;

namespace bin {

/// Container format version. A reader rejects a file whose major version
/// differs from its own; minor versions only add what older readers of the
/// same major version may ignore (reserved bytes, longer table rows, new
/// sections).
inline constexpr uint16_t kFormatVersionMajor = 1;
inline constexpr uint16_t kFormatVersionMinor = 1; ///< 1.1: code labels

/// ELF e_machine of Strata NPU binaries (not assigned to any other machine
/// by the ELF registry or binutils).
inline constexpr uint16_t kElfMachine = 0x5354;

/// Alignment of constant segments in the file, so each can be mapped on its
/// own and starts on a page of the mapping.
inline constexpr uint64_t kConstSegmentAlignment = 4096;

/// Conventional file extension.
inline constexpr std::string_view kFileExtension = ".npubin";

/// Names used in objdump output and error messages: "weights", "activations",
/// "kv-cache", "io", "scratch"; "input", "output".
std::string_view regionKindName(RegionKind kind);
std::string_view ioDirectionName(IoDirection dir);

} // namespace bin

/// Writes `binary` to `path`. Fails (without touching an existing file at
/// `path`) when checkBinary() rejects the binary or the file cannot be
/// written. Constant data is streamed from ConstSegment::data; segments
/// without data are written as size-only (SHT_NOBITS) sections.
Status writeBinary(const bin::Binary &binary, const std::string &path);

/// Maps `path` read-only and decodes it. ConstSegment::data points into the
/// mapping; Binary::storage owns it. Errors name the file and what is wrong
/// where, e.g. "model.npubin: section '.text.decode.core3' (index 7) extends
/// past the end of the file (offset 4096 + size 8192 > file size 10000)".
/// The result has passed checkBinary().
Expected<bin::Binary> readBinary(const std::string &path);

/// Decodes a binary held in memory; `name` stands for the file in error
/// messages. Nothing is copied: ConstSegment::data points into `data`, which
/// the caller keeps alive as long as the result (Binary::storage is empty).
Expected<bin::Binary> readBinaryFromMemory(const uint8_t *data, size_t size,
                                           const std::string &name);

/// The container format version a file records (its .strata.header), for
/// tools that show it; readBinary() already rejects unsupported majors.
struct FormatVersion {
  uint16_t major = 0;
  uint16_t minor = 0;
};
Expected<FormatVersion> readBinaryFormatVersion(const std::string &path);

/// Internal consistency: unique, non-empty names (no NUL bytes); valid enum
/// values; regions of non-zero size that neither overflow nor overlap;
/// constant segments of non-zero size inside a Weights region and not
/// overlapping each other; I/O bindings with positive dimensions whose
/// shape x dtype bytes lie inside one region; entry points with at least one
/// core and at least one instruction, parameters in registers 1..31 with
/// unique registers and names; metadata keys unique and not the reserved
/// ones; the ISA major version this build implements.
Status checkBinary(const bin::Binary &binary);

/// Whether `binary` fits the architecture: every region inside the HBM
/// capacity, no entry point using more cores than the chip has, no DMA naming
/// a core the chip does not have.
Status checkBinaryAgainstArch(const bin::Binary &binary, const ArchConfig &arch);

} // namespace strata
