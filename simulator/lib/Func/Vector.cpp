//===- Vector.cpp - Functional execution of vector instructions -----------===//
//
// An instruction reads its inputs, then writes its outputs. Operations go
// row by row (each row read in full before it is written), so an output
// may alias an input exactly (same address, same row pitch in bytes): the
// usual in-place update. Any other overlap between something written and
// something read is resolved by reading that input into a private copy
// first. Broadcast rows, columns, gamma and beta are always read up front.
//
//===----------------------------------------------------------------------===//

#include "GrowBuffer.h"
#include "VecOps.h"

namespace strata::sim::func {

namespace detail {

float *rowBuffer(unsigned slot, size_t n) {
  static thread_local GrowBuffer<float> buffers[kRowBuffers];
  return buffers[slot].get(n);
}

float *VecContext::loadVector(const Matrix &m, const uint8_t *base, unsigned slot) const {
  float *v = rowBuffer(slot, m.cols);
  loadAsFloat(m.type, base, 0, m.cols, v);
  return v;
}

} // namespace detail

namespace {

using detail::VecContext;

bool overlaps(const ByteRange &a, const ByteRange &b) {
  return a.begin < b.end && b.begin < a.end;
}

uint64_t pitchBits(const Matrix &m) { return m.ld * dtypeBits(m.type); }

/// True if writing `w` row by row never clobbers a row of `r` not yet read.
bool rowSafe(isa::Opcode op, const Matrix &r, const Matrix &w) {
  if (op == isa::Opcode::VTranspose)
    return false;
  if (r.rows == 1 && w.rows == 1)
    return true;
  return r.base == w.base && r.rows == w.rows && pitchBits(r) == pitchBits(w);
}

} // namespace

void execute(const ResolvedVec &op, uint8_t *sram) {
  const VecLayout *layout = findLayout(op);
  // An invalid instruction (footprint() reports why) leaves SRAM untouched.
  if (!layout || layout->noOp())
    return;
  const VecLayout &l = *layout;
  const isa::VecInstr &v = *op.instr;

  Matrix writtenStore[2] = {l.out};
  const bool yOut = l.y && l.yWritten;
  if (yOut)
    writtenStore[1] = *l.y;
  const Matrix *writtenEnd = writtenStore + (yOut ? 2 : 1);
  std::vector<uint8_t> copies[3];
  auto source = [&](const std::optional<Matrix> &m, std::vector<uint8_t> &copy) -> const uint8_t * {
    if (!m)
      return nullptr;
    ByteRange r = byteRangeOf(*m, false);
    for (const Matrix *w = writtenStore; w != writtenEnd; ++w) {
      if (overlaps(r, byteRangeOf(*w, true)) && !rowSafe(v.op, *m, *w)) {
        copy.assign(sram + r.begin, sram + r.end);
        return copy.data();
      }
    }
    return sram + m->base;
  };

  VecContext c{v, l, op.aux};
  c.x = source(l.x, copies[0]);
  if (l.y && !l.yWritten)
    c.y = source(l.y, copies[1]);
  c.z = source(l.z, copies[2]);
  c.out = sram + l.out.base;
  if (l.y && l.yWritten)
    c.yOut = sram + l.y->base;

  using isa::Opcode;
  switch (v.op) {
  case Opcode::VAdd:
  case Opcode::VSub:
  case Opcode::VMul:
  case Opcode::VMax: return detail::runBinary(c);
  case Opcode::VExp:
  case Opcode::VRsqrt:
  case Opcode::VSilu:
  case Opcode::VGeluTanh:
  case Opcode::VGeluErf:
  case Opcode::VRelu: return detail::runUnary(c);
  case Opcode::VReduceSum:
  case Opcode::VReduceMax:
  case Opcode::VArgmax: return detail::runReduction(c);
  case Opcode::VSoftmax: return detail::runSoftmax(c);
  case Opcode::VRmsNorm:
  case Opcode::VLayerNorm: return detail::runNorm(c);
  case Opcode::VRope: return detail::runRope(c);
  case Opcode::VQuantize: return detail::runQuantize(c);
  case Opcode::VDequantize: return detail::runDequantize(c);
  case Opcode::VCast: return detail::runCast(c);
  case Opcode::VCopy: return detail::runCopy(c);
  case Opcode::VTranspose: return detail::runTranspose(c);
  default: return; // layoutOf() accepts vector opcodes only
  }
}

} // namespace strata::sim::func
