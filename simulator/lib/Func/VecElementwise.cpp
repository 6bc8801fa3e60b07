//===- VecElementwise.cpp - Binary, unary and cast vector ops -------------===//

#include "Activation.h"
#include "VecOps.h"

namespace strata::sim::func::detail {

namespace {

template <typename F> void binaryRows(const VecContext &c, F f) {
  const VecLayout &l = c.l;
  const size_t cols = l.cols;
  std::vector<float> x(cols), y(cols), r(cols);
  std::vector<float> bcast;
  switch (c.instr.bcast) {
  case isa::Broadcast::Row: y = c.loadVector(*l.y, c.y); break;
  case isa::Broadcast::Col: bcast = c.loadVector(*l.y, c.y); break;
  case isa::Broadcast::Scalar: std::fill(y.begin(), y.end(), c.instr.fimm); break;
  case isa::Broadcast::None: break;
  }
  for (size_t i = 0; i < l.rows; ++i) {
    c.loadX(i, x.data());
    if (c.instr.bcast == isa::Broadcast::None)
      loadAsFloat(l.y->type, c.y, l.y->index(i, 0), cols, y.data());
    else if (c.instr.bcast == isa::Broadcast::Col)
      std::fill(y.begin(), y.end(), bcast[i]);
    for (size_t j = 0; j < cols; ++j)
      r[j] = f(x[j], y[j]);
    c.storeOut(i, r.data());
  }
}

template <typename F> void unaryRows(const VecContext &c, F f) {
  std::vector<float> x(c.l.cols);
  for (size_t i = 0; i < c.l.rows; ++i) {
    c.loadX(i, x.data());
    for (float &v : x)
      v = f(v);
    c.storeOut(i, x.data());
  }
}

} // namespace

void runBinary(const VecContext &c) {
  switch (c.instr.op) {
  case isa::Opcode::VAdd: return binaryRows(c, [](float a, float b) { return a + b; });
  case isa::Opcode::VSub: return binaryRows(c, [](float a, float b) { return a - b; });
  case isa::Opcode::VMul: return binaryRows(c, [](float a, float b) { return a * b; });
  default: return binaryRows(c, [](float a, float b) { return maxF(a, b); });
  }
}

void runUnary(const VecContext &c) {
  switch (c.instr.op) {
  case isa::Opcode::VExp: return unaryRows(c, [](float v) { return std::exp(v); });
  case isa::Opcode::VRsqrt: return unaryRows(c, [](float v) { return rsqrtF(v); });
  case isa::Opcode::VSilu: return unaryRows(c, [](float v) { return siluF(v); });
  case isa::Opcode::VGeluTanh: return unaryRows(c, [](float v) { return geluTanhF(v); });
  case isa::Opcode::VGeluErf: return unaryRows(c, [](float v) { return geluErfF(v); });
  default: return unaryRows(c, [](float v) { return reluF(v); });
  }
}

/// Integer to integer is exact with saturation; anything else goes through
/// FP32 (so i32 -> bf16 rounds twice, as every vector op reads i32 as FP32).
void runCast(const VecContext &c) {
  const VecLayout &l = c.l;
  if (isInteger(l.x->type) && isInteger(l.out.type)) {
    std::vector<int32_t> row(l.cols);
    for (size_t i = 0; i < l.rows; ++i) {
      loadAsInt32(l.x->type, c.x, l.x->index(i, 0), l.cols, row.data());
      storeFromInt32(l.out.type, row.data(), l.cols, c.out, l.out.index(i, 0));
    }
    return;
  }
  unaryRows(c, [](float v) { return v; });
}

} // namespace strata::sim::func::detail
