//===- ValidatorImpl.h - validateProgram with the failing index -*- C++ -*-===//
//
// The assembler points its diagnostics at the source line of the failing
// instruction, so it needs the index as a number rather than inside the text.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/target/Validator.h"

#include <cstddef>

namespace strata::isa {

/// validateProgram(); on failure `failedIndex` is the instruction the error
/// is about, or kNoInstruction for whole-program errors (no halt, empty).
inline constexpr size_t kNoInstruction = size_t(-1);
Status validateProgramAt(const std::vector<Instr> &program, const ArchConfig *arch,
                         size_t &failedIndex);

} // namespace strata::isa
