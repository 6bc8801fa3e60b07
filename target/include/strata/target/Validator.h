//===- Validator.h - Static checks of NPU instructions and programs -*- C++ -*-===//
//
// What can be known about a program before it runs. validateInstr() checks
// one instruction against the rules of the ISA alone (docs/isa.md lists them
// per instruction); validateProgram() adds the rules that need the whole
// program (branch targets, a reachable end, semaphores that are signalled)
// and, given an architecture, the ones that need the hardware (SRAM size,
// core count, DVFS tables, supported precisions).
//
// What depends on register values (dynamic sizes, base registers) is left to
// the simulator, which reports it with the same kind of message at run time.
//
// Messages name the instruction and the field: "instruction 12 (gemm):
// groupSize is 0 but bScale is per-group".
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/support/Error.h"
#include "strata/target/Isa.h"

#include <vector>

namespace strata {

struct ArchConfig;

namespace isa {

/// Architecture-independent rules for one instruction. Messages start with
/// the mnemonic: "gemm: groupSize is 0 but bScale is per-group".
Status validateInstr(const Instr &instr);

/// Every instruction (validateInstr), plus: branch targets inside the
/// program, at least one halt, no path that runs past the last instruction,
/// every semaphore waited on also signalled. With `arch` (may be null):
/// immediate SRAM and HBM ranges inside the memories, DMA peer cores and
/// barrier masks inside the chip, DVFS domain and operating-point indices in
/// the tables, tensor-core precisions and groups the hardware has.
Status validateProgram(const std::vector<Instr> &program, const ArchConfig *arch = nullptr);

} // namespace isa
} // namespace strata
