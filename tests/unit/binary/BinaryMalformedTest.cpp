//===- BinaryMalformedTest.cpp - Every class of damaged file --------------===//
//
// Each test writes the sample binary, damages one thing in its bytes and
// checks that the reader names the file, what is wrong and where.
//
//===----------------------------------------------------------------------===//
#include "SampleBinary.h"

#include <gtest/gtest.h>

namespace strata::bintest {
namespace {

using namespace bin;

/// The bytes of a valid binary plus helpers to find and patch ELF fields.
class Damaged : public ::testing::Test {
protected:
  void SetUp() override {
    std::string path = dir_.file("model.npubin");
    ASSERT_TRUE(writeBinary(sampleBinary(data_), path).isOk());
    bytes = readFile(path);
    ASSERT_GT(bytes.size(), 64u);
  }

  uint64_t get(uint64_t off, unsigned n) const {
    uint64_t v = 0;
    for (unsigned i = 0; i < n; ++i)
      v |= uint64_t(bytes.at(off + i)) << (8 * i);
    return v;
  }
  void set(uint64_t off, unsigned n, uint64_t v) {
    for (unsigned i = 0; i < n; ++i)
      bytes.at(off + i) = static_cast<uint8_t>(v >> (8 * i));
  }

  uint64_t shdr(unsigned index) const { return get(40, 8) + 64ull * index; }
  unsigned shnum() const { return static_cast<unsigned>(get(60, 2)); }
  std::string sectionName(unsigned index) const {
    uint64_t shstr = shdr(static_cast<unsigned>(get(62, 2)));
    uint64_t off = get(shstr + 24, 8) + get(shdr(index), 4);
    return reinterpret_cast<const char *>(&bytes.at(off));
  }
  unsigned section(const std::string &name) const {
    for (unsigned i = 1; i < shnum(); ++i)
      if (sectionName(i) == name)
        return i;
    ADD_FAILURE() << "no section " << name;
    return 0;
  }
  uint64_t offsetOf(const std::string &name) const {
    return get(shdr(section(name)) + 24, 8);
  }
  uint64_t sizeOfSection(const std::string &name) const {
    return get(shdr(section(name)) + 32, 8);
  }

  /// Reads the damaged bytes and returns the error message ("" on success).
  std::string error() const {
    auto r = readBinaryFromMemory(bytes.data(), bytes.size(), "model.npubin");
    return r.isOk() ? std::string() : r.message();
  }

  TempDir dir_;
  SampleData data_;
  std::vector<uint8_t> bytes;
};

#define EXPECT_ERROR(fragment)                                                 \
  do {                                                                         \
    std::string msg = error();                                                 \
    EXPECT_NE(msg.find("model.npubin: "), std::string::npos) << msg;           \
    EXPECT_NE(msg.find(fragment), std::string::npos)                           \
        << "message: " << msg << "\nexpected: " << (fragment);                 \
  } while (0)

TEST_F(Damaged, UndamagedFileReads) { EXPECT_EQ(error(), ""); }

TEST_F(Damaged, EmptyFile) {
  bytes.clear();
  EXPECT_ERROR("file is empty");
}

TEST_F(Damaged, EmptyFileOnDisk) {
  std::string path = dir_.file("empty.npubin");
  writeFile(path, {});
  auto r = readBinary(path);
  ASSERT_FALSE(r.isOk());
  EXPECT_EQ(r.message(), path + ": file is empty");
}

TEST_F(Damaged, TruncatedInsideTheElfHeader) {
  bytes.resize(40);
  EXPECT_ERROR("file is truncated: 40 bytes is too short for the 64-byte ELF header");
}

TEST_F(Damaged, TruncatedBeforeTheSectionHeaders) {
  bytes.resize(bytes.size() / 2);
  EXPECT_ERROR("section header table (offset ");
  EXPECT_ERROR("extends past the end of the file (file size " +
               std::to_string(bytes.size()) + ")");
}

TEST_F(Damaged, TruncatedOnDisk) {
  std::string path = dir_.file("cut.npubin");
  bytes.resize(bytes.size() - 100);
  writeFile(path, bytes);
  auto r = readBinary(path);
  ASSERT_FALSE(r.isOk());
  EXPECT_NE(r.message().find(path + ": section header table"), std::string::npos)
      << r.message();
}

TEST_F(Damaged, BadMagic) {
  bytes[0] = 'M';
  bytes[1] = 'Z';
  EXPECT_ERROR("not an ELF file: bad magic bytes 4d 5a 4c 46 (expected 7f 45 4c 46)");
}

TEST_F(Damaged, TinyNonElfFile) {
  bytes = {'h', 'i'};
  EXPECT_ERROR("bad magic bytes 68 69");
}

TEST_F(Damaged, WrongClass) {
  bytes[4] = 1;
  EXPECT_ERROR("ELF class is 32-bit (ELFCLASS32)");
}

TEST_F(Damaged, WrongEndianness) {
  bytes[5] = 2;
  EXPECT_ERROR("ELF data encoding is big-endian");
}

TEST_F(Damaged, WrongMachine) {
  set(18, 2, 62); // x86-64
  EXPECT_ERROR("ELF machine is 0x3e, not the Strata NPU (0x5354)");
}

TEST_F(Damaged, NotAnExecutable) {
  set(16, 2, 1); // ET_REL
  EXPECT_ERROR("ELF file type is 1, expected 2 (ET_EXEC)");
}

TEST_F(Damaged, UnsupportedFormatVersion) {
  set(offsetOf(".strata.header"), 2, 2);
  set(offsetOf(".strata.header") + 2, 2, 3);
  EXPECT_ERROR("unsupported container format version 2.3 (this reader reads format 1.x)");
}

TEST_F(Damaged, NewerFormatMinorVersionIsAccepted) {
  set(offsetOf(".strata.header") + 2, 2, 7);
  EXPECT_EQ(error(), "");
}

TEST_F(Damaged, IsaMajorVersionMismatch) {
  set(offsetOf(".strata.header") + 4, 2, isa::kIsaVersionMajor + 1);
  EXPECT_ERROR("built for ISA version " + std::to_string(isa::kIsaVersionMajor + 1) + "." +
               std::to_string(isa::kIsaVersionMinor) + ", but this build implements ISA");
}

TEST_F(Damaged, SectionPastTheEndOfTheFile) {
  unsigned index = section(".text.decode.core2");
  uint64_t off = get(shdr(index) + 24, 8);
  set(shdr(index) + 32, 8, bytes.size());
  EXPECT_ERROR("section '.text.decode.core2' (index " + std::to_string(index) +
               ") extends past the end of the file (offset " + std::to_string(off) +
               " + size " + std::to_string(bytes.size()) + " > file size " +
               std::to_string(bytes.size()) + ")");
}

TEST_F(Damaged, SectionOffsetOverflow) {
  unsigned index = section(".strata.regions");
  set(shdr(index) + 24, 8, ~0ull - 8);
  set(shdr(index) + 32, 8, 64);
  EXPECT_ERROR("section '.strata.regions' (index " + std::to_string(index) +
               ") extends past the end of the file");
}

TEST_F(Damaged, SectionHeaderTableOutOfBounds) {
  set(60, 2, 0xfeff);
  EXPECT_ERROR("section header table (offset ");
}

TEST_F(Damaged, SectionNameOutOfBounds) {
  set(shdr(3), 4, 0xffffff);
  EXPECT_ERROR("section index 3: name offset 16777215 is outside the section name table");
}

TEST_F(Damaged, MissingStrataHeader) {
  uint64_t name = offsetOf(".shstrtab") + get(shdr(section(".strata.header")), 4);
  bytes[name + 1] = 'X'; // ".Xtrata.header"
  EXPECT_ERROR("missing section '.strata.header': this ELF file is not a Strata NPU binary");
}

TEST_F(Damaged, MissingTable) {
  uint64_t name = offsetOf(".shstrtab") + get(shdr(section(".strata.cores")), 4);
  bytes[name + 8] = 'k'; // ".strata.kores"
  EXPECT_ERROR("missing section '.strata.cores'");
}

TEST_F(Damaged, DuplicateTableSection) {
  // Give .strata.params the name of .strata.io.
  set(shdr(section(".strata.params")), 4, get(shdr(section(".strata.io")), 4));
  EXPECT_ERROR("duplicate section '.strata.io'");
}

TEST_F(Damaged, StringIndexOutOfBounds) {
  set(offsetOf(".strata.regions") + 24, 4, 99999); // name of region 1
  EXPECT_ERROR("region name, row 1 of '.strata.regions': string offset 99999 is "
               "outside '.strtab' (size ");
}

TEST_F(Damaged, StringNotTerminated) {
  uint64_t strtab = offsetOf(".strtab");
  uint64_t size = sizeOfSection(".strtab");
  bytes[strtab + size - 1] = 'x';
  set(offsetOf(".strata.regions"), 4, size - 1);
  EXPECT_ERROR("region name, row 0 of '.strata.regions': string at offset " +
               std::to_string(size - 1) + " of '.strtab' is not NUL-terminated");
}

TEST_F(Damaged, EntryCoreRangeOutOfRange) {
  uint64_t row1 = offsetOf(".strata.entries") + 24; // decode
  set(row1 + 16, 4, 40);                             // 40 cores
  EXPECT_ERROR("entry point 'decode' (row 1 of '.strata.entries'): cores [2, 2+40) "
               "are outside '.strata.cores' (5 rows)");
}

TEST_F(Damaged, EntryCoreRangeOverflow) {
  uint64_t row1 = offsetOf(".strata.entries") + 24;
  set(row1 + 12, 4, 0xffffffff);
  set(row1 + 16, 4, 2);
  EXPECT_ERROR("entry point 'decode' (row 1 of '.strata.entries'): cores [4294967295,");
}

TEST_F(Damaged, EntryParamRangeOutOfRange) {
  set(offsetOf(".strata.entries") + 8, 4, 9); // prefill has 9 params
  EXPECT_ERROR("entry point 'prefill' (row 0 of '.strata.entries'): parameters [0, 0+9) "
               "are outside '.strata.params' (3 rows)");
}

TEST_F(Damaged, SharedCoreRowsAreRejected) {
  uint64_t row1 = offsetOf(".strata.entries") + 24;
  set(row1 + 12, 4, 0); // decode's cores start where prefill's do
  EXPECT_ERROR("entry point 'decode' (row 1 of '.strata.entries'): cores start at row 0 "
               "of '.strata.cores', but the entry points before it end at row 2");
}

TEST_F(Damaged, CodeSizeNotAMultipleOfTheInstructionSize) {
  unsigned index = section(".text.prefill.core1");
  set(shdr(index) + 32, 8, 100);
  EXPECT_ERROR("entry point 'prefill' core 1: code section '.text.prefill.core1' (index " +
               std::to_string(index) +
               ") has size 100, which is not a multiple of the 64-byte instruction size");
}

TEST_F(Damaged, InstructionCountMismatch) {
  uint64_t cores = offsetOf(".strata.cores");
  set(cores + 4, 4, 3);
  EXPECT_ERROR("entry point 'prefill' core 0: code section '.text.prefill.core0' (index ");
  EXPECT_ERROR("holds 9 instructions but '.strata.cores' says 3");
}

TEST_F(Damaged, CodeSectionIndexOutOfRange) {
  set(offsetOf(".strata.cores"), 4, 500);
  EXPECT_ERROR("entry point 'prefill' core 0: code section index 500 does not name a "
               "section");
}

TEST_F(Damaged, CodeSectionSharedByTwoCores) {
  uint64_t cores = offsetOf(".strata.cores");
  set(cores + 8, 4, get(cores, 4)); // prefill core 1 -> core 0's code
  EXPECT_ERROR("entry point 'prefill' core 1: code section '.text.prefill.core0'");
  EXPECT_ERROR("already belongs to another core");
}

TEST_F(Damaged, UnknownOpcode) {
  uint64_t code = offsetOf(".text.decode.core2");
  bytes[code + 3 * 64] = 0xee;
  EXPECT_ERROR("entry point 'decode' core 2: code section '.text.decode.core2' (index ");
  EXPECT_ERROR("instruction 3 (byte offset 192): unknown opcode 0xee");
}

TEST_F(Damaged, ReservedInstructionByteSet) {
  uint64_t code = offsetOf(".text.prefill.core0");
  bytes[code + 8 * 64 + 63] = 1; // halt, last byte
  EXPECT_ERROR("instruction 8 (byte offset 512)");
}

TEST_F(Damaged, TableSizeNotAMultipleOfTheRowSize) {
  unsigned index = section(".strata.regions");
  set(shdr(index) + 32, 8, 50);
  EXPECT_ERROR("table section '.strata.regions' (index " + std::to_string(index) +
               ") has size 50, which is not a multiple of its row size 24");
}

TEST_F(Damaged, TableRowsTooShort) {
  unsigned index = section(".strata.io");
  set(shdr(index) + 56, 8, 16);
  EXPECT_ERROR("table section '.strata.io' (index " + std::to_string(index) +
               ") has rows of 16 bytes (sh_entsize); format 1 needs at least 24");
}

TEST_F(Damaged, TableWithLongerRowsFromALaterMinorVersion) {
  // Re-lay .strata.meta with 12-byte rows (4 unknown trailing bytes each) at
  // the end of the file; a 1.x reader must skip the tail.
  unsigned index = section(".strata.meta");
  uint64_t off = get(shdr(index) + 24, 8), size = get(shdr(index) + 32, 8);
  std::vector<uint8_t> rows;
  for (uint64_t r = 0; r < size / 8; ++r) {
    rows.insert(rows.end(), bytes.begin() + off + r * 8, bytes.begin() + off + r * 8 + 8);
    rows.insert(rows.end(), {0xde, 0xad, 0xbe, 0xef});
  }
  uint64_t newOff = bytes.size();
  bytes.insert(bytes.end(), rows.begin(), rows.end());
  set(shdr(index) + 24, 8, newOff);
  set(shdr(index) + 32, 8, rows.size());
  set(shdr(index) + 56, 8, 12);
  auto r = readBinaryFromMemory(bytes.data(), bytes.size(), "model.npubin");
  ASSERT_TRUE(r.isOk()) << r.message();
  EXPECT_EQ(r->meta.modelName, "tiny-test");
  EXPECT_EQ(r->meta.extra.size(), 2u);
}

TEST_F(Damaged, DimsTableTooShort) {
  unsigned index = section(".strata.dims");
  set(shdr(index) + 32, 8, get(shdr(index) + 32, 8) - 8);
  EXPECT_ERROR("I/O binding 'packed' (row 2 of '.strata.io'): dimensions [4, 4+1) are "
               "outside '.strata.dims' (4 rows)");
}

TEST_F(Damaged, UnusedTableRows) {
  set(offsetOf(".strata.entries") + 24 + 16, 4, 2); // decode: 3 cores -> 2
  EXPECT_ERROR("table '.strata.cores' has 5 rows but the entry points use 4");
}

TEST_F(Damaged, DuplicateRegionName) {
  uint64_t regions = offsetOf(".strata.regions");
  set(regions + 24, 4, get(regions, 4)); // region 1 named like region 0
  EXPECT_ERROR("duplicate region name 'weights' (regions 0 and 1)");
}

TEST_F(Damaged, DuplicateEntryName) {
  uint64_t entries = offsetOf(".strata.entries");
  set(entries + 24, 4, get(entries, 4));
  EXPECT_ERROR("duplicate entry point name 'prefill' (entry points 0 and 1)");
}

TEST_F(Damaged, DuplicateMetadataKey) {
  uint64_t meta = offsetOf(".strata.meta");
  set(meta + 8, 4, get(meta, 4)); // second key = "tool-version"
  EXPECT_ERROR("duplicate metadata key 'tool-version' (row 1 of '.strata.meta')");
}

TEST_F(Damaged, UnknownRegionKind) {
  bytes[offsetOf(".strata.regions") + 24 + 4] = 9;
  EXPECT_ERROR("region 'activations' (row 1 of '.strata.regions'): unknown kind 9");
}

TEST_F(Damaged, UnknownIoDtype) {
  bytes[offsetOf(".strata.io") + 5] = 14;
  EXPECT_ERROR("I/O binding 'tokens' (row 0 of '.strata.io'): unknown dtype 14");
}

TEST_F(Damaged, ConstantSizeMismatch) {
  set(offsetOf(".strata.consts") + 16, 8, 4096);
  EXPECT_ERROR("constant segment 'wq' (row 0 of '.strata.consts'): section '.rodata.wq' "
               "(index ");
  EXPECT_ERROR("holds 5000 bytes but the table says 4096");
}

TEST_F(Damaged, ConstantSectionIndexOutOfRange) {
  set(offsetOf(".strata.consts") + 4, 4, 0);
  EXPECT_ERROR("constant segment 'wq' (row 0 of '.strata.consts'): section index 0 does "
               "not name a section");
}

TEST_F(Damaged, ConstantAddressMismatch) {
  set(offsetOf(".strata.consts") + 24 + 8, 8, 0x4000);
  EXPECT_ERROR("constant segment 'wk' (row 1 of '.strata.consts'): section '.rodata.wk'");
  EXPECT_ERROR("has address 0x2000 but the table says 0x4000");
}

TEST_F(Damaged, SemanticErrorsAreReportedWithTheFileName) {
  // Move region 1 on top of region 0: well-formed tables, inconsistent plan.
  set(offsetOf(".strata.regions") + 24 + 8, 8, 0x1000);
  EXPECT_ERROR("model.npubin: regions 'weights' [0x0, 0x100000) and 'activations' "
               "[0x1000, 0x41000) overlap");
}

TEST_F(Damaged, EveryTruncationFailsCleanly) {
  // Any prefix of a valid file is rejected with a message, never a crash.
  std::vector<uint8_t> full = bytes;
  for (size_t n = 0; n < full.size(); n += 7) {
    bytes.assign(full.begin(), full.begin() + n);
    EXPECT_NE(error(), "") << "prefix of " << n << " bytes";
  }
}

TEST_F(Damaged, EverySingleByteFlipFailsCleanlyOrReads) {
  // Flipping any byte either still reads or gives an error; never a crash.
  std::vector<uint8_t> full = bytes;
  size_t errors = 0;
  for (size_t i = 0; i < full.size(); i += 3) {
    bytes = full;
    bytes[i] ^= 0xa5;
    errors += error().empty() ? 0 : 1;
  }
  EXPECT_GT(errors, 0u);
}

} // namespace
} // namespace strata::bintest
