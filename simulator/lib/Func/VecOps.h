//===- VecOps.h - Vector-unit operations, shared context --------*- C++ -*-===//
//
// execute(ResolvedVec) (Vector.cpp) validates the instruction, takes private
// copies of inputs that the outputs would overwrite before they are read, and
// hands the operation a VecContext. Each operation reads a row of inputs as
// FP32, computes it and writes the row, rows in increasing order.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "Layout.h"
#include "strata/sim/func/Convert.h"

#include <vector>

namespace strata::sim::func::detail {

struct VecContext {
  const isa::VecInstr &instr;
  const VecLayout &l;
  uint32_t aux = 0;
  /// Element 0 of each operand (in SRAM, or in a private copy).
  const uint8_t *x = nullptr, *y = nullptr, *z = nullptr;
  uint8_t *out = nullptr, *yOut = nullptr;

  void loadX(size_t row, float *dst) const {
    loadAsFloat(l.x->type, x, l.x->index(row, 0), l.cols, dst);
  }
  void storeOut(size_t row, const float *src) const {
    storeFromFloat(l.out.type, src, l.out.cols, out, l.out.index(row, 0));
  }
  /// Every element of a one-row operand (broadcast row/column, gamma, beta).
  std::vector<float> loadVector(const Matrix &m, const uint8_t *base) const {
    std::vector<float> v(m.cols);
    loadAsFloat(m.type, base, 0, m.cols, v.data());
    return v;
  }
  /// The same into rowBuffer(slot).
  float *loadVector(const Matrix &m, const uint8_t *base, unsigned slot) const;
};

/// Per-thread float buffers reused across instructions (a decode step runs
/// hundreds of small vector instructions, and a heap allocation per row
/// buffer cost as much as their arithmetic): slot `slot` (< kRowBuffers)
/// with room for n floats. Nothing is kept between calls; an operation uses
/// each slot for one purpose.
inline constexpr unsigned kRowBuffers = 6;
float *rowBuffer(unsigned slot, size_t n);

void runBinary(const VecContext &c);     // VAdd, VSub, VMul, VMax
void runUnary(const VecContext &c);      // VExp .. VRelu
void runReduction(const VecContext &c);  // VReduceSum, VReduceMax, VArgmax
void runSoftmax(const VecContext &c);
void runNorm(const VecContext &c);       // VRmsNorm, VLayerNorm
void runRope(const VecContext &c);
void runQuantize(const VecContext &c);
void runDequantize(const VecContext &c);
void runCast(const VecContext &c);
void runCopy(const VecContext &c);
void runTranspose(const VecContext &c);

} // namespace strata::sim::func::detail
