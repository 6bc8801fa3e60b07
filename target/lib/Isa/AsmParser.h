//===- AsmParser.h - Parsing instruction lines (internal) -------*- C++ -*-===//
//
// The instruction-level parser, shared by parseInstr/parseProgram and the
// whole-binary assembler. Errors carry a 0-based column into the line; the
// callers turn it into "column N" or "file:line:col".
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/target/Isa.h"

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace strata::isa::asmparse {

struct LineError {
  size_t col = 0; ///< 0-based
  std::string message;
};

/// What one line of code holds: an optional label, an optional instruction.
struct CodeLine {
  std::string label;
  size_t labelCol = 0;
  bool hasInstr = false;
  Instr instr;
  size_t instrCol = 0;
  /// A branch whose target is a label still to be resolved.
  std::string targetLabel;
  size_t targetCol = 0;
};

/// Parses `line` ("label: mnemonic operands # comment"). Returns false and
/// fills `err` on a syntax error.
bool parseCodeLine(std::string_view line, CodeLine &out, LineError &err);

/// The position of an instruction or label in the source, for diagnostics.
struct SourcePos {
  size_t line = 0; ///< 1-based
  size_t col = 0;  ///< 0-based
};

/// Collects the lines of one program and resolves its labels.
class ProgramBuilder {
public:
  /// Adds a parsed line found at source line `lineNo`. Fails on a label
  /// defined twice.
  bool add(const CodeLine &line, size_t lineNo, LineError &err);
  /// Resolves branch labels. On failure `errPos` says where.
  bool finish(std::vector<Instr> &program, SourcePos &errPos, std::string &message);
  /// Where instruction i came from.
  const std::vector<SourcePos> &instrPositions() const { return positions_; }
  bool empty() const { return instrs_.empty() && labels_.empty(); }

private:
  struct Fixup {
    size_t index;
    std::string label;
    SourcePos pos;
  };
  std::vector<Instr> instrs_;
  std::vector<SourcePos> positions_;
  std::map<std::string, std::pair<uint32_t, SourcePos>> labels_;
  std::vector<Fixup> fixups_;
};

/// Whether `c` starts a comment.
inline bool isCommentChar(char c) { return c == '#' || c == ';'; }

} // namespace strata::isa::asmparse
