//===- Format.h - Byte layout of the NPU binary container -------*- C++ -*-===//
//
// Section names, table row layouts and ELF constants shared by the writer and
// the reader. docs/binary-format.md is the prose version of this file; keep
// the two in step.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>

namespace strata::bin::format {

//===- ELF ----------------------------------------------------------------===//

inline constexpr unsigned kEhdrSize = 64;
inline constexpr unsigned kPhdrSize = 56;
inline constexpr unsigned kShdrSize = 64;
inline constexpr unsigned kSymSize = 24;

// e_ident bytes and the values we write.
inline constexpr uint8_t kElfMagic[4] = {0x7f, 'E', 'L', 'F'};
inline constexpr unsigned kEiClass = 4, kEiData = 5, kEiVersion = 6;
inline constexpr uint8_t kElfClass64 = 2, kElfClass32 = 1;
inline constexpr uint8_t kElfDataLsb = 1, kElfDataMsb = 2;
inline constexpr uint8_t kElfVersionCurrent = 1;
inline constexpr uint16_t kEtExec = 2;

inline constexpr uint32_t kShtNull = 0, kShtProgbits = 1, kShtSymtab = 2,
                          kShtStrtab = 3, kShtNobits = 8;
inline constexpr uint64_t kShfAlloc = 0x2, kShfExecinstr = 0x4,
                          kShfStrings = 0x20;
inline constexpr uint32_t kPtLoad = 1;
inline constexpr uint32_t kPfR = 0x4;
inline constexpr uint8_t kStbGlobal = 1;
inline constexpr uint8_t kSttObject = 1, kSttFunc = 2;

/// Section indices from SHN_LORESERVE up have special meanings; we do not
/// use extended section numbering.
inline constexpr uint32_t kMaxSections = 0xff00;

//===- Strata sections ----------------------------------------------------===//

inline constexpr const char *kHeaderSection = ".strata.header";
inline constexpr const char *kRegionsSection = ".strata.regions";
inline constexpr const char *kIoSection = ".strata.io";
inline constexpr const char *kDimsSection = ".strata.dims";
inline constexpr const char *kConstsSection = ".strata.consts";
inline constexpr const char *kEntriesSection = ".strata.entries";
inline constexpr const char *kParamsSection = ".strata.params";
inline constexpr const char *kCoresSection = ".strata.cores";
inline constexpr const char *kMetaSection = ".strata.meta";
inline constexpr const char *kArchSection = ".strata.arch";
/// Optional (format 1.1): code labels of the entry points.
inline constexpr const char *kLabelsSection = ".strata.labels";
inline constexpr const char *kStrtabSection = ".strtab";
inline constexpr const char *kSymtabSection = ".symtab";
inline constexpr const char *kShstrtabSection = ".shstrtab";
inline constexpr const char *kCodeSectionPrefix = ".text.";
inline constexpr const char *kConstSectionPrefix = ".rodata.";

/// .strata.header: u16 format major, u16 format minor, u16 ISA major,
/// u16 ISA minor, u32 arch hash (string), u32 reserved.
inline constexpr unsigned kHeaderSize = 16;

// Row sizes of the tables in format major version 1. A file may use longer
// rows (sh_entsize) from a later minor version; readers skip the tail.

/// u32 name, u8 kind, u8[3] reserved, u64 HBM address, u64 size.
inline constexpr unsigned kRegionRowSize = 24;
/// u32 name, u8 direction, u8 dtype, u16 reserved, u32 first dim,
/// u32 rank, u64 HBM address.
inline constexpr unsigned kIoRowSize = 24;
/// i64 extent.
inline constexpr unsigned kDimRowSize = 8;
/// u32 name, u32 section index, u64 HBM address, u64 size.
inline constexpr unsigned kConstRowSize = 24;
/// u32 name, u32 first param, u32 param count, u32 first core,
/// u32 core count, u32 reserved.
inline constexpr unsigned kEntryRowSize = 24;
/// u32 name, u8 register, u8[3] reserved.
inline constexpr unsigned kParamRowSize = 8;
/// u32 code section index (0: idle core), u32 instruction count.
inline constexpr unsigned kCoreRowSize = 8;
/// u32 key, u32 value (strings).
inline constexpr unsigned kMetaRowSize = 8;
/// u32 name, u32 entry index, u32 core, u32 first instruction,
/// u32 end instruction (exclusive), u32 reserved.
inline constexpr unsigned kLabelRowSize = 24;

// Metadata keys for the named Metadata fields; any other key is "extra".
inline constexpr const char *kMetaToolVersion = "tool-version";
inline constexpr const char *kMetaPassPipeline = "pass-pipeline";
inline constexpr const char *kMetaModelName = "model-name";

} // namespace strata::bin::format
