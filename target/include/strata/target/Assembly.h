//===- Assembly.h - Textual assembly of NPU programs and binaries -*- C++ -*-===//
//
// A line-oriented assembly for people: the way to read what the compiler
// emitted (strata objdump) and to write microbenchmarks and simulator tests by
// hand (strata asm). docs/isa.md defines the syntax; in short:
//
//   loop:                                  # a label names the next instruction
//     dma.load src=hbm[r2+0x1000] dst=sram[0x0] size=256x64 srcStride=4096
//     gemm m=64 n=128 k=256 a=f16 b=f16 out=f32 A=[0x0] lda=256
//          B=[r3+0x8000] ldb=256 transB C=[0x20000] ldc=128 act=silu
//     addi r1, r1, 1
//     bne r1, r2, loop                     ; '#' and ';' start comments
//
// Printing is lossless: parse(print(i)) encodes exactly like i for every
// instruction that validateInstr() accepts.
//
// A whole binary (bin::Binary) is written as a .s file with directives for
// metadata, HBM regions, I/O bindings, constant data, entry points and
// per-core code; assemble() builds the Binary and disassemble() prints one
// back as text that assembles to an equal Binary.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/support/Error.h"
#include "strata/target/Binary.h"
#include "strata/target/Isa.h"

#include <string>
#include <map>
#include <string_view>
#include <vector>

namespace strata {

struct ArchConfig;

namespace isa {

/// One instruction on one line, without indentation or a trailing newline.
/// Branch targets are printed as absolute instruction indices ("jmp 12").
std::string printInstr(const Instr &instr);

struct ProgramPrintOptions {
  /// Appends "# <index>" to each instruction line.
  bool indices = false;
  /// Prefix of each instruction line (labels are printed one level less).
  std::string indent = "    ";
  /// Comment lines ("# <text>", at the label indentation) printed before the
  /// instruction of that index, e.g. where a code label of the binary begins.
  std::map<uint32_t, std::string> comments;
};

/// A program, one instruction per line, with a label "L<index>:" before
/// every branch target and branches naming those labels.
std::string printProgram(const std::vector<Instr> &program,
                         const ProgramPrintOptions &options = {});

/// Parses one instruction (a comment after it is allowed). Branch targets
/// must be instruction indices here; labels need parseProgram() or assemble().
/// Errors read "column 17: unknown key 'lbd' for gemm".
Expected<Instr> parseInstr(std::string_view line);

/// Parses a program: instructions, labels and comments, one per line.
/// Errors read "line 4, column 9: undefined label 'lop'".
Expected<std::vector<Instr>> parseProgram(std::string_view text);

} // namespace isa

namespace bin {

struct AssembleOptions {
  /// Runs isa::validateProgram() on each core's code; errors point at the
  /// offending line.
  bool validate = true;
  /// With validate, also checks the code against this architecture.
  const ArchConfig *arch = nullptr;
};

/// Assembles the text of a .s file. `fileName` is used in diagnostics, which
/// read "file.s:12:7: error: unknown key 'lbd' for gemm" followed by the
/// offending line, and to resolve .incbin paths (relative to its directory).
/// Constant data lives in memory held by the result's Binary::storage.
Expected<Binary> assemble(std::string_view text, const std::string &fileName,
                          const AssembleOptions &options = {});

/// Reads and assembles `path`.
Expected<Binary> assembleFile(const std::string &path, const AssembleOptions &options = {});

struct DisassembleOptions {
  /// Emit constant data as .byte/.zero lines. Without it each segment is a
  /// comment giving its size, which is readable but does not reassemble.
  bool constData = true;
  /// Appends "# <index>" to each instruction line.
  bool indices = false;
};

/// The .s text of `binary`; with the default options assemble() of the text
/// gives a Binary equal to `binary`.
std::string disassemble(const Binary &binary, const DisassembleOptions &options = {});

} // namespace bin
} // namespace strata
