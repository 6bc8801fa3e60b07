//===- VecCost.cpp - Work of a vector instruction for timing and energy ---===//
//
// vectorElementOps() counts passes of the vector lanes over the tile: one
// element operation per element per pass, where a multiply-add or a
// transcendental evaluation counts as one operation:
//   1  binary ops, unary ops, reductions, argmax, cast, copy, transpose,
//      dequantize
//   2  quantize (amax; scale and round)
//   3  softmax (max; exp and sum; divide), RMSNorm (sum of squares; scale;
//      gamma), RoPE (sin/cos; two products and a sum per output)
//   5  LayerNorm (sum; centred squares; centre; scale; gamma and beta)
// Per-row scalars (one rsqrt, one division) are not counted.
//
//===----------------------------------------------------------------------===//

#include "strata/sim/func/Execute.h"

namespace strata::sim::func {

uint64_t vectorElementOps(const ResolvedVec &op) {
  if (!op.instr)
    return 0;
  const uint64_t elems = uint64_t(op.rows) * op.cols;
  using isa::Opcode;
  switch (op.instr->op) {
  case Opcode::VQuantize: return 2 * elems;
  case Opcode::VSoftmax:
  case Opcode::VRmsNorm:
  case Opcode::VRope: return 3 * elems;
  case Opcode::VLayerNorm: return 5 * elems;
  default: return elems;
  }
}

} // namespace strata::sim::func
