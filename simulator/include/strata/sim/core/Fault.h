//===- Fault.h - A program fault that stops a simulation --------*- C++ -*-===//
//
// When a program does something the hardware cannot (an out-of-bounds DMA,
// a Gemm at the wrong precision, a deadlock, ...) the run stops with one
// Fault that says where: the core, the queue (or the sequencer), the
// instruction index and the instruction as assembly text.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>
#include <string>

namespace strata::sim::core {

struct Fault {
  static constexpr uint32_t kNoCore = UINT32_MAX;
  static constexpr uint32_t kNoPc = UINT32_MAX;

  uint32_t core = kNoCore;
  std::string unit;  ///< "sequencer", "load queue", "compute queue", "store queue", ...
  uint32_t pc = kNoPc;
  std::string instr; ///< printInstr() of the faulting instruction, or empty
  std::string message;
  double timeNs = 0;

  /// "core 2, compute queue, pc 17 `gemm ...`: <message> (at 1234.0 ns)".
  std::string format() const;
};

} // namespace strata::sim::core
