//===- GemmLayout.cpp - Validating a Gemm and describing its operands -----===//
//
// Rules (each failure names the field):
//   - (a, b) is one of i4 x i4, i8 x i8, i8 x i4, f16 x f16, bf16 x bf16,
//     f32 x f32: the operand classes the multipliers run.
//   - out is f32, f16, bf16 or i32. i32 is the exact integer result: integer
//     inputs, no scales, no bias, activation none or relu.
//   - Scales (either side) are f32 or f16; PerGroup needs groupSize > 0 and
//     k % groupSize == 0. Scales are legal on float inputs too (each group's
//     FP32 sum is scaled the same way).
//   - SwiGlu needs an even n; C then has n/2 columns.
//   - Operands are aligned to their element size; ld >= columns and, for i4,
//     even whenever the operand has more than one row.
//   - m, n or k of zero is a legal no-op that touches nothing.
//
// Both footprint() (at dispatch) and execute() ask for the layout, and a
// program issues the same few Gemms again and again, so valid layouts are
// memoised per thread, keyed on every byte of the instruction and every
// resolved operand field (invalid ones are recomputed, error and all).
//
//===----------------------------------------------------------------------===//

#include "Layout.h"
#include "LayoutMemo.h"

#include <fmt/format.h>


namespace strata::sim::func {

namespace {

bool legalPair(DType a, DType b) {
  switch (a) {
  case DType::I4: return b == DType::I4;
  case DType::I8: return b == DType::I8 || b == DType::I4;
  case DType::F16: return b == DType::F16;
  case DType::BF16: return b == DType::BF16;
  case DType::F32: return b == DType::F32;
  default: return false;
  }
}

std::string_view scaleModeName(isa::ScaleMode s) {
  switch (s) {
  case isa::ScaleMode::None: return "none";
  case isa::ScaleMode::PerRow: return "per-row";
  case isa::ScaleMode::PerGroup: return "per-group";
  }
  return "?";
}

Error gemmError(const std::string &message) { return Error("gemm: " + message); }

Expected<GemmLayout> computeLayout(const ResolvedGemm &op) {
  const isa::GemmInstr &g = *op.instr;

  using Named = std::pair<const char *, DType>;
  for (auto [name, t] : {Named{"a", g.a}, Named{"b", g.b}, Named{"out", g.out},
                         Named{"scaleType", g.scaleType}})
    if (!isValidDType(static_cast<uint8_t>(t)))
      return gemmError(fmt::format("field {} holds the invalid {}", name, typeName(t)));
  if (static_cast<uint8_t>(g.act) > static_cast<uint8_t>(isa::Activation::SwiGlu))
    return gemmError(fmt::format("field act holds the invalid activation {}",
                                 static_cast<unsigned>(g.act)));
  using NamedMode = std::pair<const char *, isa::ScaleMode>;
  for (auto [name, s] : {NamedMode{"aScale", g.aScale}, NamedMode{"bScale", g.bScale}})
    if (static_cast<uint8_t>(s) > static_cast<uint8_t>(isa::ScaleMode::PerGroup))
      return gemmError(fmt::format("field {} holds the invalid scale mode {}", name,
                                   static_cast<unsigned>(s)));

  if (!legalPair(g.a, g.b))
    return gemmError(fmt::format("operand types a = {} and b = {} are not a tensor-core "
                                 "precision (i4 x i4, i8 x i8, i8 x i4, f16 x f16, "
                                 "bf16 x bf16, f32 x f32)",
                                 typeName(g.a), typeName(g.b)));
  if (g.out != DType::F32 && g.out != DType::F16 && g.out != DType::BF16 &&
      g.out != DType::I32)
    return gemmError(fmt::format("out = {} is not a Gemm output type (f32, f16, bf16, i32)",
                                 typeName(g.out)));

  bool scaled = g.aScale != isa::ScaleMode::None || g.bScale != isa::ScaleMode::None;
  if (g.out == DType::I32) {
    if (isFloat(g.a))
      return gemmError(fmt::format("out = i32 needs integer inputs, not a = {}", typeName(g.a)));
    if (scaled)
      return gemmError(fmt::format("out = i32 is the exact integer product and takes no "
                                   "scales (aScale = {}, bScale = {})",
                                   scaleModeName(g.aScale), scaleModeName(g.bScale)));
    if (g.hasBias)
      return gemmError("out = i32 takes no bias (hasBias is set)");
    if (g.act != isa::Activation::None && g.act != isa::Activation::Relu)
      return gemmError(fmt::format("out = i32 allows activation none or relu, not act = {}",
                                   static_cast<unsigned>(g.act)));
  }
  if (scaled && g.scaleType != DType::F32 && g.scaleType != DType::F16)
    return gemmError(fmt::format("scaleType = {} is not a scale type (f32 or f16)",
                                 typeName(g.scaleType)));

  GemmLayout l;
  l.m = op.m;
  l.n = op.n;
  l.k = op.k;
  bool grouped = g.aScale == isa::ScaleMode::PerGroup || g.bScale == isa::ScaleMode::PerGroup;
  if (grouped) {
    if (g.groupSize == 0)
      return gemmError("groupSize is 0 but a scale is per-group");
    if (op.k % g.groupSize != 0)
      return gemmError(fmt::format("k = {} is not a multiple of groupSize = {}", op.k,
                                   g.groupSize));
    l.groupLen = g.groupSize;
    l.groups = op.k / g.groupSize;
  } else {
    l.groupLen = op.k;
    l.groups = 1;
  }
  bool swiGlu = g.act == isa::Activation::SwiGlu;
  if (swiGlu && op.n % 2 != 0)
    return gemmError(fmt::format("act = swiglu needs an even n (gate and up halves), "
                                 "but n = {}",
                                 op.n));
  l.nOut = swiGlu ? op.n / 2 : op.n;
  if (l.noOp())
    return l;

  l.a = Matrix{op.a, g.a, op.m, op.k, g.lda};
  l.b = g.transB ? Matrix{op.b, g.b, op.n, op.k, g.ldb} : Matrix{op.b, g.b, op.k, op.n, g.ldb};
  l.c = Matrix{op.c, g.out, op.m, l.nOut, g.ldc};
  if (auto s = checkMatrix("gemm", "A", "lda", l.a); !s)
    return s;
  if (auto s = checkMatrix("gemm", "B", "ldb", l.b); !s)
    return s;
  if (auto s = checkMatrix("gemm", "C", "ldc", l.c); !s)
    return s;

  // Scales are dense: [M] or [M][groups] for A; [N], [N][groups] (transB) or
  // [groups][N] for B, matching the layout of the operand they scale.
  if (g.aScale == isa::ScaleMode::PerRow)
    l.scaleA = Matrix{op.scaleA, g.scaleType, 1, op.m, op.m};
  else if (g.aScale == isa::ScaleMode::PerGroup)
    l.scaleA = Matrix{op.scaleA, g.scaleType, op.m, l.groups, l.groups};
  if (g.bScale == isa::ScaleMode::PerRow)
    l.scaleB = Matrix{op.scaleB, g.scaleType, 1, op.n, op.n};
  else if (g.bScale == isa::ScaleMode::PerGroup)
    l.scaleB = g.transB ? Matrix{op.scaleB, g.scaleType, op.n, l.groups, l.groups}
                        : Matrix{op.scaleB, g.scaleType, l.groups, op.n, op.n};
  if (g.hasBias)
    l.bias = Matrix{op.bias, DType::F32, 1, op.n, op.n};
  if (l.scaleA)
    if (auto s = checkMatrix("gemm", "scaleA", "(dense)", *l.scaleA); !s)
      return s;
  if (l.scaleB)
    if (auto s = checkMatrix("gemm", "scaleB", "(dense)", *l.scaleB); !s)
      return s;
  if (l.bias)
    if (auto s = checkMatrix("gemm", "bias", "(dense)", *l.bias); !s)
      return s;
  return l;
}

struct GemmMemoOps {
  static bool same(const ResolvedGemm &a, const ResolvedGemm &b) {
    return a.instr == b.instr && a.m == b.m && a.n == b.n && a.k == b.k && a.a == b.a &&
           a.b == b.b && a.c == b.c && a.scaleA == b.scaleA && a.scaleB == b.scaleB &&
           a.bias == b.bias;
  }
  static uint64_t hash(const ResolvedGemm &op) {
    return detail::mixLayoutKey(
        op.instr, op.a + 3 * op.b + 5 * op.c + 7 * op.scaleA + 11 * op.scaleB + 13 * op.bias,
        (uint64_t(op.m) << 42) ^ (uint64_t(op.n) << 21) ^ op.k);
  }
};

using GemmMemo = detail::LayoutMemo<ResolvedGemm, isa::GemmInstr, GemmLayout, GemmMemoOps>;

GemmMemo &memo() {
  static thread_local GemmMemo m;
  return m;
}

} // namespace

Expected<GemmLayout> layoutOf(const ResolvedGemm &op) {
  if (!op.instr)
    return gemmError("the resolved instruction has no GemmInstr");
  return memo().get(op, computeLayout);
}

const GemmLayout *findLayout(const ResolvedGemm &op) {
  return op.instr ? memo().find(op, computeLayout) : nullptr;
}

} // namespace strata::sim::func
