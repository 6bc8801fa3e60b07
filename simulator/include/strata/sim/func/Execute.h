//===- Execute.h - Functional semantics of compute instructions -*- C++ -*-===//
//
// What a Gemm or vector instruction computes, in plain C++ with no SystemC and
// no timing: the core's timing model decides *when*, these functions decide
// *what*. The core resolves register operands first (dynamic sizes, base
// registers) into the Resolved* records below.
//
// Numerics follow the precision's real semantics (docs/isa.md):
//   - I8 x I8 and I8 x I4 and I4 x I4 multiply exactly into INT32 per scale
//     group; group sums convert to FP32 and are scaled and summed in FP32.
//   - F16/BF16 inputs convert exactly to FP32; products and the accumulation
//     are FP32, in increasing k, as the array's columns accumulate.
//   - Results round to the output type: round to nearest even for F16/BF16,
//     round half to even and saturate for integers.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/support/Error.h"
#include "strata/target/Isa.h"

#include <cassert>
#include <cstdint>
#include <vector>

namespace strata::sim::func {

/// A byte range [begin, end) of local SRAM that an instruction touches.
struct ByteRange {
  uint64_t begin = 0, end = 0;
  bool write = false;
};

/// The byte ranges one instruction touches, held inline: a GEMM names at
/// most seven operand ranges (A, B, two scales, bias, C read and written), a
/// DMA two. The simulator keeps one per queued instruction and checks
/// hazards against them on every issue, so they live beside the
/// instruction rather than behind a heap pointer.
class ByteRanges {
public:
  static constexpr unsigned kCapacity = 8;
  void push_back(const ByteRange &r) {
    assert(size_ < kCapacity && "an instruction names at most eight byte ranges");
    ranges_[size_++] = r;
  }
  void clear() { size_ = 0; }
  bool empty() const { return size_ == 0; }
  unsigned size() const { return size_; }
  const ByteRange &operator[](unsigned i) const { return ranges_[i]; }
  const ByteRange &back() const { return ranges_[size_ - 1]; }
  const ByteRange *begin() const { return ranges_; }
  const ByteRange *end() const { return ranges_ + size_; }

private:
  unsigned size_ = 0; // first: clearing touches only the first entry's line
  ByteRange ranges_[kCapacity];
};

/// A Gemm with every operand resolved to a byte offset in local SRAM.
struct ResolvedGemm {
  const isa::GemmInstr *instr = nullptr;
  uint32_t m = 0, n = 0, k = 0;
  uint64_t a = 0, b = 0, c = 0, scaleA = 0, scaleB = 0, bias = 0;
};

/// A vector instruction with every operand resolved.
struct ResolvedVec {
  const isa::VecInstr *instr = nullptr;
  uint32_t rows = 0, cols = 0, aux = 0;
  uint64_t x = 0, y = 0, z = 0, dst = 0;
};

/// Appends the byte ranges the instruction reads and writes (bounding boxes
/// of each operand). Fails, with a message naming the field, on operand
/// combinations the hardware rejects (K not a multiple of groupSize, odd N
/// with SwiGlu, misaligned operands, ...). The caller checks the ranges
/// against the SRAM size; execute() assumes they are in bounds.
Status footprint(const ResolvedGemm &op, ByteRanges &ranges);
Status footprint(const ResolvedVec &op, ByteRanges &ranges);

/// Computes the instruction's results in place in `sram`.
void execute(const ResolvedGemm &op, uint8_t *sram);
void execute(const ResolvedVec &op, uint8_t *sram);

/// Element operations the vector unit performs for `op` (for timing and
/// energy): e.g. rows*cols for VAdd, about 3*rows*cols for VSoftmax.
uint64_t vectorElementOps(const ResolvedVec &op);
/// True for ops whose elements use the transcendental pipeline (an ISA
/// property: the validator requires float data for them).
using isa::isTranscendental;

} // namespace strata::sim::func
