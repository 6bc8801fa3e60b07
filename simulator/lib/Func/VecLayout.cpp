//===- VecLayout.cpp - Validating a vector instruction --------------------===//
//
// Rules (each failure names the field):
//   - x is [rows][cols] (ld0) of type `in`; out is [rows][cols] (ldd) of type
//     `out`, except: reductions and argmax write [rows] with stride ldd;
//     VTranspose writes [cols][rows] (ldd).
//   - y and z are of type in1. Binary ops read y per bcast: [rows][cols]
//     (ld1), one row [cols], one column [rows] (contiguous), or fimm.
//     Norms read gamma y and beta z as [cols]. VQuantize writes and
//     VDequantize reads the scales y as [rows][groups] (ld1).
//   - Arithmetic ops accept any input and output type: values go through
//     FP32, outputs round to nearest even, integers saturate.
//   - VArgmax writes i32. VCopy and VTranspose move bits: out == in.
//   - VQuantize: in is a float type, out i8 or i4, in1 (scales) f32 or f16;
//     VDequantize: in i4, i8 or i32, in1 f32 or f16, out a float type.
//     aux2 == 0 means one scale per row, else cols % aux2 == 0.
//   - VRope: aux2 (head size) even and > 0, cols a multiple of it.
//   - Addressability as for every operand (Layout.h).
//   - rows or cols of zero is a legal no-op that touches nothing.
//
//===----------------------------------------------------------------------===//

#include "Layout.h"
#include "LayoutMemo.h"

#include <fmt/format.h>

namespace strata::sim::func {

namespace {

using isa::Opcode;

bool isBinary(Opcode op) {
  return op == Opcode::VAdd || op == Opcode::VSub || op == Opcode::VMul || op == Opcode::VMax;
}

bool isVectorOp(Opcode op) {
  auto raw = static_cast<uint8_t>(op);
  return raw >= static_cast<uint8_t>(Opcode::VAdd) &&
         raw <= static_cast<uint8_t>(Opcode::VTranspose);
}

} // namespace

namespace {

Expected<VecLayout> computeLayout(const ResolvedVec &r) {
  const isa::VecInstr &v = *r.instr;
  if (!isVectorOp(v.op))
    return Error(fmt::format("vector instruction: opcode {:#04x} is not a vector opcode",
                             static_cast<unsigned>(v.op)));
  const std::string_view what = isa::mnemonic(v.op);
  auto fail = [&](const std::string &message) { return Error(std::string(what) + ": " + message); };

  bool usesY = isBinary(v.op) ? v.bcast != isa::Broadcast::Scalar
                              : (v.op == Opcode::VRmsNorm || v.op == Opcode::VLayerNorm ||
                                 v.op == Opcode::VQuantize || v.op == Opcode::VDequantize);
  bool usesZ = v.op == Opcode::VLayerNorm;
  using Named = std::pair<const char *, DType>;
  for (auto [name, t] : {Named{"in", v.in}, Named{"out", v.out}, Named{"in1", v.in1}}) {
    if (std::string_view(name) == "in1" && !usesY)
      continue;
    if (!isValidDType(static_cast<uint8_t>(t)))
      return fail(fmt::format("field {} holds the invalid {}", name, typeName(t)));
  }
  if (isBinary(v.op) && static_cast<uint8_t>(v.bcast) > static_cast<uint8_t>(isa::Broadcast::Scalar))
    return fail(fmt::format("field bcast holds the invalid broadcast mode {}",
                            static_cast<unsigned>(v.bcast)));

  VecLayout l;
  l.op = v.op;
  l.rows = r.rows;
  l.cols = r.cols;

  switch (v.op) {
  case Opcode::VArgmax:
    if (v.out != DType::I32)
      return fail(fmt::format("out = {} but argmax writes i32 indices", typeName(v.out)));
    break;
  case Opcode::VCopy:
  case Opcode::VTranspose:
    if (v.out != v.in)
      return fail(fmt::format("moves bits and needs out == in, but in = {} and out = {} "
                              "(use vcast to convert)",
                              typeName(v.in), typeName(v.out)));
    break;
  case Opcode::VQuantize:
    if (!isFloat(v.in))
      return fail(fmt::format("in = {} must be a float type", typeName(v.in)));
    if (v.out != DType::I8 && v.out != DType::I4)
      return fail(fmt::format("out = {} must be i8 or i4", typeName(v.out)));
    if (v.in1 != DType::F32 && v.in1 != DType::F16)
      return fail(fmt::format("in1 = {} (the scale type) must be f32 or f16", typeName(v.in1)));
    break;
  case Opcode::VDequantize:
    if (!isInteger(v.in))
      return fail(fmt::format("in = {} must be an integer type", typeName(v.in)));
    if (!isFloat(v.out))
      return fail(fmt::format("out = {} must be a float type", typeName(v.out)));
    if (v.in1 != DType::F32 && v.in1 != DType::F16)
      return fail(fmt::format("in1 = {} (the scale type) must be f32 or f16", typeName(v.in1)));
    break;
  case Opcode::VRope:
    if (v.aux2 == 0 || v.aux2 % 2 != 0)
      return fail(fmt::format("aux2 = {} (the head size) must be even and non-zero", v.aux2));
    if (r.cols % v.aux2 != 0)
      return fail(fmt::format("cols = {} is not a multiple of the head size aux2 = {}", r.cols,
                              v.aux2));
    break;
  default:
    break;
  }
  if ((v.op == Opcode::VQuantize || v.op == Opcode::VDequantize)) {
    if (v.aux2 != 0 && r.cols % v.aux2 != 0)
      return fail(fmt::format("cols = {} is not a multiple of the group size aux2 = {}",
                              r.cols, v.aux2));
    l.groupCols = v.aux2 == 0 ? r.cols : v.aux2;
  }
  if (l.noOp())
    return l;

  l.x = Matrix{r.x, v.in, r.rows, r.cols, v.ld0};
  switch (v.op) {
  case Opcode::VReduceSum:
  case Opcode::VReduceMax:
  case Opcode::VArgmax:
    l.out = Matrix{r.dst, v.out, r.rows, 1, v.ldd};
    break;
  case Opcode::VTranspose:
    l.out = Matrix{r.dst, v.out, r.cols, r.rows, v.ldd};
    break;
  default:
    l.out = Matrix{r.dst, v.out, r.rows, r.cols, v.ldd};
    break;
  }
  if (isBinary(v.op)) {
    switch (v.bcast) {
    case isa::Broadcast::None: l.y = Matrix{r.y, v.in1, r.rows, r.cols, v.ld1}; break;
    case isa::Broadcast::Row: l.y = Matrix{r.y, v.in1, 1, r.cols, r.cols}; break;
    case isa::Broadcast::Col: l.y = Matrix{r.y, v.in1, 1, r.rows, r.rows}; break;
    case isa::Broadcast::Scalar: break;
    }
  } else if (v.op == Opcode::VRmsNorm || v.op == Opcode::VLayerNorm) {
    l.y = Matrix{r.y, v.in1, 1, r.cols, r.cols};
    if (usesZ)
      l.z = Matrix{r.z, v.in1, 1, r.cols, r.cols};
  } else if (v.op == Opcode::VQuantize || v.op == Opcode::VDequantize) {
    uint32_t groups = r.cols / l.groupCols;
    l.y = Matrix{r.y, v.in1, r.rows, groups, v.ld1};
    l.yWritten = v.op == Opcode::VQuantize;
  }

  if (auto s = checkMatrix(what, "x", "ld0", *l.x); !s)
    return s;
  if (l.y)
    if (auto s = checkMatrix(what, "y", "ld1", *l.y); !s)
      return s;
  if (l.z)
    if (auto s = checkMatrix(what, "z", "ld1", *l.z); !s)
      return s;
  if (auto s = checkMatrix(what, "out", "ldd", l.out); !s)
    return s;
  return l;
}

// The layout does not depend on aux (a position, read only by execution),
// so aux is no part of the key: a RoPE at the next position reuses it.
struct VecMemoOps {
  static bool same(const ResolvedVec &a, const ResolvedVec &b) {
    return a.instr == b.instr && a.rows == b.rows && a.cols == b.cols && a.x == b.x &&
           a.y == b.y && a.z == b.z && a.dst == b.dst;
  }
  static uint64_t hash(const ResolvedVec &r) {
    return detail::mixLayoutKey(r.instr, r.x + 3 * r.y + 5 * r.z + 7 * r.dst,
                                (uint64_t(r.rows) << 42) ^ (uint64_t(r.cols) << 21));
  }
};

using VecMemo = detail::LayoutMemo<ResolvedVec, isa::VecInstr, VecLayout, VecMemoOps>;

VecMemo &memo() {
  static thread_local VecMemo m;
  return m;
}

} // namespace

Expected<VecLayout> layoutOf(const ResolvedVec &r) {
  if (!r.instr)
    return Error("vector instruction: the resolved instruction has no VecInstr");
  return memo().get(r, computeLayout);
}

const VecLayout *findLayout(const ResolvedVec &r) {
  return r.instr ? memo().find(r, computeLayout) : nullptr;
}

} // namespace strata::sim::func
