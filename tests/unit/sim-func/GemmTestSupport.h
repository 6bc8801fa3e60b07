//===- GemmTestSupport.h - Reference Gemm and a test harness ----*- C++ -*-===//
//
// The reference is the semantics of Isa.h written as plain loops over
// elements read straight from the SRAM image: integer group sums in 64 bits,
// float sums one k at a time, scales, bias, activation, accumulate, rounding.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "FuncTestSupport.h"

#include "strata/sim/func/Execute.h"

namespace strata::sim::func::test {

struct GemmCase {
  DType a = DType::F16, b = DType::F16, out = DType::F32, scaleType = DType::F32;
  isa::ScaleMode aScale = isa::ScaleMode::None, bScale = isa::ScaleMode::None;
  isa::Activation act = isa::Activation::None;
  bool transB = false, accumulate = false, hasBias = false;
  uint32_t m = 3, n = 6, k = 8, groupSize = 4;
  uint32_t ldaPad = 0, ldbPad = 0, ldcPad = 0; ///< extra elements per row
  double inputRange = 2.0;

  std::string describe() const {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "%s x %s -> %s, m=%u n=%u k=%u g=%u transB=%d aScale=%d bScale=%d "
                  "scale=%s act=%d bias=%d acc=%d pads=%u/%u/%u",
                  std::string(dtypeName(a)).c_str(), std::string(dtypeName(b)).c_str(),
                  std::string(dtypeName(out)).c_str(), m, n, k, groupSize, transB,
                  int(aScale), int(bScale), std::string(dtypeName(scaleType)).c_str(),
                  int(act), hasBias, accumulate, ldaPad, ldbPad, ldcPad);
    return buf;
  }
};

/// Every (A, B) type pair the tensor cores take.
inline const std::pair<DType, DType> kGemmTypePairs[] = {
    {DType::I4, DType::I4},     {DType::I8, DType::I8},   {DType::I8, DType::I4},
    {DType::F16, DType::F16},   {DType::BF16, DType::BF16}, {DType::F32, DType::F32}};

/// A case of types (a, b), shape m x n x k and scale groups of g.
inline GemmCase shapedCase(DType a, DType b, uint32_t m, uint32_t n, uint32_t k,
                           uint32_t g = GemmCase{}.groupSize) {
  GemmCase c;
  c.a = a;
  c.b = b;
  c.m = m;
  c.n = n;
  c.k = k;
  c.groupSize = g;
  return c;
}

inline float refSilu(float x) { return x / (1.0f + std::exp(-x)); }
inline float refGeluTanh(float x) {
  float inner = 0.7978845608028654f * (x + 0.044715f * (x * x * x));
  return (0.5f * x) * (1.0f + std::tanh(inner));
}
inline float refGeluErf(float x) { return (0.5f * x) * (1.0f + std::erf(x * 0.70710678118654752f)); }

/// Builds the instruction and SRAM image of a case, runs it, and compares
/// every output element and every other byte of SRAM with the reference.
class GemmHarness {
public:
  explicit GemmHarness(const GemmCase &c, uint32_t seed = 1) : c_(c), rng_(seed) { build(); }

  isa::GemmInstr instr;
  ResolvedGemm op;
  std::vector<uint8_t> mem, before;

  /// Fills inputs (random unless already set by the caller via mem).
  void build() {
    const GemmCase &c = c_;
    instr.a = c.a;
    instr.b = c.b;
    instr.out = c.out;
    instr.scaleType = c.scaleType;
    instr.aScale = c.aScale;
    instr.bScale = c.bScale;
    instr.act = c.act;
    instr.transB = c.transB;
    instr.accumulate = c.accumulate;
    instr.hasBias = c.hasBias;
    instr.groupSize = uint16_t(c.groupSize);
    nOut = c.act == isa::Activation::SwiGlu ? c.n / 2 : c.n;
    bool grouped = c.aScale == isa::ScaleMode::PerGroup || c.bScale == isa::ScaleMode::PerGroup;
    groups = grouped ? c.k / c.groupSize : 1;
    // Even pads keep i4 rows on byte boundaries.
    instr.lda = c.k + c.ldaPad;
    instr.ldb = (c.transB ? c.k : c.n) + c.ldbPad;
    instr.ldc = nOut + c.ldcPad;
    if (c.a == DType::I4 && instr.lda % 2)
      ++instr.lda; // i4 rows start on a byte
    if (c.b == DType::I4 && instr.ldb % 2)
      ++instr.ldb;
    op.instr = &instr;
    op.m = c.m;
    op.n = c.n;
    op.k = c.k;

    uint64_t off = 64;
    auto place = [&](DType t, uint64_t elems) {
      uint64_t at = off;
      off += (elems * dtypeBits(t) + 7) / 8;
      off = (off + 63) / 64 * 64 + 64; // a gap between operands
      return at;
    };
    op.a = place(c.a, uint64_t(c.m) * instr.lda);
    op.b = place(c.b, uint64_t(c.transB ? c.n : c.k) * instr.ldb);
    op.c = place(c.out, uint64_t(c.m) * instr.ldc);
    op.scaleA = place(c.scaleType, uint64_t(c.m) * groups);
    op.scaleB = place(c.scaleType, uint64_t(c.n) * groups);
    op.bias = place(DType::F32, c.n);
    mem.resize(off + 64);
    for (auto &byte : mem)
      byte = uint8_t(rng_());

    for (uint32_t m = 0; m < c.m; ++m)
      for (uint32_t k = 0; k < c.k; ++k)
        writeElem(mem, op.a, c.a, uint64_t(m) * instr.lda + k, randomValue(rng_, c.a, c.inputRange));
    for (uint32_t n = 0; n < c.n; ++n)
      for (uint32_t k = 0; k < c.k; ++k)
        writeElem(mem, op.b, c.b, bIndex(k, n), randomValue(rng_, c.b, c.inputRange));
    std::uniform_real_distribution<float> scale(-0.1f, 0.1f);
    for (uint64_t i = 0; i < uint64_t(c.m) * groups; ++i)
      writeElem(mem, op.scaleA, c.scaleType, i, c.scaleType == DType::F16 ? f16ToF32(f32ToF16(scale(rng_))) : scale(rng_));
    for (uint64_t i = 0; i < uint64_t(c.n) * groups; ++i)
      writeElem(mem, op.scaleB, c.scaleType, i, c.scaleType == DType::F16 ? f16ToF32(f32ToF16(scale(rng_))) : scale(rng_));
    for (uint32_t n = 0; n < c.n; ++n)
      writeElem(mem, op.bias, DType::F32, n, randomValue(rng_, DType::F32));
    for (uint32_t m = 0; m < c.m; ++m)
      for (uint32_t j = 0; j < nOut; ++j)
        writeElem(mem, op.c, c.out, uint64_t(m) * instr.ldc + j,
                  randomValue(rng_, c.out, c.out == DType::I32 ? 1000.0 : 4.0));
  }

  uint64_t bIndex(uint32_t k, uint32_t n) const {
    return c_.transB ? uint64_t(n) * instr.ldb + k : uint64_t(k) * instr.ldb + n;
  }

  double A(uint32_t m, uint32_t k) const { return readElem(before, op.a, c_.a, uint64_t(m) * instr.lda + k); }
  double B(uint32_t k, uint32_t n) const { return readElem(before, op.b, c_.b, bIndex(k, n)); }
  float SA(uint32_t m, uint32_t g) const {
    uint64_t i = c_.aScale == isa::ScaleMode::PerRow ? m : uint64_t(m) * groups + g;
    return float(readElem(before, op.scaleA, c_.scaleType, i));
  }
  float SB(uint32_t g, uint32_t n) const {
    uint64_t i = c_.bScale == isa::ScaleMode::PerRow ? n
                 : c_.transB ? uint64_t(n) * groups + g
                             : uint64_t(g) * c_.n + n;
    return float(readElem(before, op.scaleB, c_.scaleType, i));
  }

  /// Expected stored bits of C(m, j).
  uint32_t expected(uint32_t m, uint32_t j) const {
    const GemmCase &c = c_;
    const uint32_t gl = c.k / groups;
    auto dot = [&](uint32_t n, int64_t &exact) {
      float r = 0.0f;
      exact = 0;
      for (uint32_t g = 0; g < groups; ++g) {
        float s;
        if (isInteger(c.a)) {
          int64_t acc = 0;
          for (uint32_t k = g * gl; k < (g + 1) * gl; ++k)
            acc += int64_t(A(m, k)) * int64_t(B(k, n));
          exact += acc;
          s = float(int32_t(acc));
        } else {
          float acc = 0.0f;
          for (uint32_t k = g * gl; k < (g + 1) * gl; ++k)
            acc = acc + float(A(m, k)) * float(B(k, n));
          s = acc;
        }
        if (c.aScale != isa::ScaleMode::None)
          s = s * SA(m, g);
        if (c.bScale != isa::ScaleMode::None)
          s = s * SB(g, n);
        r = r + s;
      }
      return r;
    };
    const uint64_t ci = uint64_t(m) * instr.ldc + j;
    if (c.out == DType::I32) {
      int64_t exact;
      dot(j, exact);
      if (c.act == isa::Activation::Relu && exact < 0)
        exact = 0;
      if (c.accumulate)
        exact += int64_t(readElem(before, op.c, c.out, ci));
      exact = std::clamp<int64_t>(exact, INT32_MIN, INT32_MAX);
      return uint32_t(int32_t(exact));
    }
    auto pre = [&](uint32_t n) {
      int64_t unused;
      float r = dot(n, unused);
      if (c.hasBias)
        r = r + float(readElem(before, op.bias, DType::F32, n));
      return r;
    };
    float v = pre(j);
    switch (c.act) {
    case isa::Activation::None: break;
    case isa::Activation::Relu: v = v < 0.0f ? 0.0f : v; break;
    case isa::Activation::Silu: v = refSilu(v); break;
    case isa::Activation::GeluTanh: v = refGeluTanh(v); break;
    case isa::Activation::GeluErf: v = refGeluErf(v); break;
    case isa::Activation::SwiGlu: v = refSilu(v) * pre(j + nOut); break;
    }
    if (c.accumulate)
      v = v + float(readElem(before, op.c, c.out, ci));
    return refEncodeFloat(v, c.out);
  }

  /// Footprint, execute, and compare every output element with the
  /// reference and every other nibble of SRAM with its old value.
  void runAndCheck() {
    ByteRanges ranges;
    Status s = footprint(op, ranges);
    ASSERT_TRUE(s.isOk()) << s.message();
    before = mem;
    execute(op, mem.data());
    int bad = 0;
    std::vector<bool> isOut(mem.size() * 2, false); // per nibble
    for (uint32_t m = 0; m < c_.m; ++m)
      for (uint32_t j = 0; j < nOut; ++j) {
        uint64_t ci = uint64_t(m) * instr.ldc + j;
        markElement(isOut, op.c, c_.out, ci);
        uint32_t got = elemBits(mem, op.c, c_.out, ci), want = expected(m, j);
        auto r = sameElem(c_.out, got, want);
        if (!r && ++bad <= 5)
          ADD_FAILURE() << c_.describe() << " at (" << m << ", " << j << "): " << r.message();
      }
    expectOnlyOutputsWritten(before, mem, isOut, &ranges, c_.describe(), bad);
  }

  uint32_t nOut = 0, groups = 1;

private:
  GemmCase c_;
  std::mt19937 rng_;
};

} // namespace strata::sim::func::test
