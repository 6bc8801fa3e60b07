//===- VecTestSupport.h - Reference vector ops and a test harness -*- C++ -*-===//
//
// The reference evaluates each op's documented formula with plain loops over
// elements read straight from the SRAM image (VecLayout.cpp, VecRowOps.cpp
// and VecQuant.cpp state the formulas).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "GemmTestSupport.h" // refSilu, refGelu*

#include <algorithm>
#include <map>

namespace strata::sim::func::test {

struct VecCase {
  isa::Opcode op = isa::Opcode::VAdd;
  DType in = DType::F32, in1 = DType::F32, out = DType::F32;
  uint32_t rows = 3, cols = 10;
  uint32_t pad0 = 2, pad1 = 4, padd = 6;
  isa::Broadcast bcast = isa::Broadcast::None;
  uint32_t aux = 0;
  uint16_t aux2 = 0;
  float fimm = 0.0f;
  bool causal = false, ropeHalf = false;
  double range = 3.0;

  std::string describe() const {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "%s in=%s in1=%s out=%s rows=%u cols=%u pads=%u/%u/%u bcast=%d aux=%u aux2=%u "
                  "fimm=%g causal=%d half=%d",
                  std::string(isa::mnemonic(op)).c_str(), std::string(dtypeName(in)).c_str(),
                  std::string(dtypeName(in1)).c_str(), std::string(dtypeName(out)).c_str(),
                  rows, cols, pad0, pad1, padd, int(bcast), aux, aux2, double(fimm), causal,
                  ropeHalf);
    return buf;
  }
};

class VecHarness {
public:
  explicit VecHarness(const VecCase &c, uint32_t seed = 1) : c_(c), rng_(seed) { build(); }

  isa::VecInstr instr;
  ResolvedVec op;
  std::vector<uint8_t> mem, before;
  uint32_t groups = 1, groupCols = 0;

  uint32_t evenFor(DType t, uint32_t ld) const { return t == DType::I4 && ld % 2 ? ld + 1 : ld; }

  void build() {
    const VecCase &c = c_;
    using isa::Opcode;
    instr.op = c.op;
    instr.in = c.in;
    instr.in1 = c.in1;
    instr.out = c.out;
    instr.bcast = c.bcast;
    instr.causal = c.causal;
    instr.ropeHalf = c.ropeHalf;
    instr.aux2 = c.aux2;
    instr.fimm = c.fimm;
    groupCols = c.aux2 ? c.aux2 : c.cols;
    groups = groupCols ? c.cols / groupCols : 0;
    instr.ld0 = evenFor(c.in, c.cols + c.pad0);
    bool quant = c.op == Opcode::VQuantize || c.op == Opcode::VDequantize;
    instr.ld1 = quant ? evenFor(c.in1, groups + c.pad1) : evenFor(c.in1, c.cols + c.pad1);
    outRows = c.rows;
    outCols = c.cols;
    if (c.op == Opcode::VReduceSum || c.op == Opcode::VReduceMax || c.op == Opcode::VArgmax)
      outCols = 1;
    if (c.op == Opcode::VTranspose)
      std::swap(outRows, outCols);
    instr.ldd = evenFor(c.out, outCols + c.padd);
    op.instr = &instr;
    op.rows = c.rows;
    op.cols = c.cols;
    op.aux = c.aux;

    uint64_t off = 64;
    auto place = [&](DType t, uint64_t elems) {
      uint64_t at = off;
      off += (elems * dtypeBits(t) + 7) / 8;
      off = (off + 63) / 64 * 64 + 64;
      return at;
    };
    op.x = place(c.in, uint64_t(c.rows) * instr.ld0);
    op.y = place(c.in1, uint64_t(std::max(c.rows, 1u)) * instr.ld1 + c.rows + c.cols);
    op.z = place(c.in1, c.cols);
    op.dst = place(c.out, uint64_t(outRows) * instr.ldd);
    mem.resize(off + 64);
    for (auto &b : mem)
      b = uint8_t(rng_());
    for (uint32_t i = 0; i < c.rows; ++i)
      for (uint32_t j = 0; j < c.cols; ++j)
        writeElem(mem, op.x, c.in, uint64_t(i) * instr.ld0 + j, value(c.in, c.range));
    uint64_t yElems = uint64_t(std::max(c.rows, 1u)) * instr.ld1 + c.rows + c.cols;
    for (uint64_t i = 0; i < yElems; ++i)
      writeElem(mem, op.y, c.in1, i,
                c.op == Opcode::VDequantize ? std::abs(value(c.in1, 0.05)) : value(c.in1, c.range));
    for (uint32_t j = 0; j < c.cols; ++j)
      writeElem(mem, op.z, c.in1, j, value(c.in1, c.range));
  }

  double value(DType t, double range) {
    double v = randomValue(rng_, t, range);
    if (c_.op == isa::Opcode::VRsqrt && isFloat(t))
      v = std::abs(v); // mostly positive inputs, plus the negative cases below
    return v;
  }

  float X(uint32_t i, uint32_t j) const {
    return float(readElem(before, op.x, c_.in, uint64_t(i) * instr.ld0 + j));
  }
  float Y(uint64_t index) const { return float(readElem(before, op.y, c_.in1, index)); }
  float Z(uint64_t index) const { return float(readElem(before, op.z, c_.in1, index)); }

  /// Expected bits of out row i (cols elements, or one per row for reductions).
  std::vector<uint32_t> expectedRow(uint32_t i) const;
  /// Expected bits of the scales VQuantize writes for row i.
  std::vector<uint32_t> expectedScales(uint32_t i) const;

  void runAndCheck(bool checkFootprint = true) {
    ByteRanges ranges;
    Status s = footprint(op, ranges);
    ASSERT_TRUE(s.isOk()) << s.message();
    before = mem;
    execute(op, mem.data());
    std::vector<bool> isOut(mem.size() * 2, false);
    int bad = 0;
    for (uint32_t i = 0; i < c_.rows; ++i) {
      std::vector<uint32_t> want = expectedRow(i);
      for (uint32_t j = 0; j < want.size(); ++j) {
        uint64_t idx = c_.op == isa::Opcode::VTranspose ? uint64_t(j) * instr.ldd + i
                                                        : uint64_t(i) * instr.ldd + j;
        markElement(isOut, op.dst, c_.out, idx);
        auto r = sameElem(c_.out, elemBits(mem, op.dst, c_.out, idx), want[j]);
        if (!r && ++bad <= 5)
          ADD_FAILURE() << c_.describe() << " at (" << i << ", " << j << "): " << r.message()
                        << " x=" << X(i, std::min(j, c_.cols - 1));
      }
      if (c_.op == isa::Opcode::VQuantize) {
        std::vector<uint32_t> ws = expectedScales(i);
        for (uint32_t g = 0; g < ws.size(); ++g) {
          uint64_t idx = uint64_t(i) * instr.ld1 + g;
          markElement(isOut, op.y, c_.in1, idx);
          auto r = sameElem(c_.in1, elemBits(mem, op.y, c_.in1, idx), ws[g]);
          if (!r && ++bad <= 5)
            ADD_FAILURE() << c_.describe() << " scale (" << i << ", " << g << "): " << r.message();
        }
      }
    }
    expectOnlyOutputsWritten(before, mem, isOut, checkFootprint ? &ranges : nullptr,
                             c_.describe(), bad);
  }

  uint32_t outRows = 0, outCols = 0;

private:
  VecCase c_;
  std::mt19937 rng_;
};

inline std::vector<uint32_t> VecHarness::expectedRow(uint32_t i) const {
  using isa::Opcode;
  const VecCase &c = c_;
  const uint32_t n = c.cols;
  std::vector<float> x(n);
  for (uint32_t j = 0; j < n; ++j)
    x[j] = X(i, j);
  std::vector<float> r(n);
  auto encodeAll = [&](const std::vector<float> &v) {
    std::vector<uint32_t> bits;
    for (float f : v)
      bits.push_back(refEncodeFloat(f, c.out));
    return bits;
  };
  auto yAt = [&](uint32_t j) {
    switch (c.bcast) {
    case isa::Broadcast::None: return Y(uint64_t(i) * instr.ld1 + j);
    case isa::Broadcast::Row: return Y(j);
    case isa::Broadcast::Col: return Y(i);
    case isa::Broadcast::Scalar: return c.fimm;
    }
    return 0.0f;
  };
  auto nanMax = [](float a, float b) { // first operand is the earlier one
    if (std::isnan(a) || std::isnan(b)) return std::isnan(a) ? a : b;
    return b > a ? b : a;
  };
  switch (c.op) {
  case Opcode::VAdd: for (uint32_t j = 0; j < n; ++j) r[j] = x[j] + yAt(j); return encodeAll(r);
  case Opcode::VSub: for (uint32_t j = 0; j < n; ++j) r[j] = x[j] - yAt(j); return encodeAll(r);
  case Opcode::VMul: for (uint32_t j = 0; j < n; ++j) r[j] = x[j] * yAt(j); return encodeAll(r);
  case Opcode::VMax:
    for (uint32_t j = 0; j < n; ++j) {
      float a = x[j], b = yAt(j);
      r[j] = std::isnan(a) ? a : std::isnan(b) ? b : (a > b ? a : b);
    }
    return encodeAll(r);
  case Opcode::VExp: for (uint32_t j = 0; j < n; ++j) r[j] = std::exp(x[j]); return encodeAll(r);
  case Opcode::VRsqrt: for (uint32_t j = 0; j < n; ++j) r[j] = 1.0f / std::sqrt(x[j]); return encodeAll(r);
  case Opcode::VSilu: for (uint32_t j = 0; j < n; ++j) r[j] = refSilu(x[j]); return encodeAll(r);
  case Opcode::VGeluTanh: for (uint32_t j = 0; j < n; ++j) r[j] = refGeluTanh(x[j]); return encodeAll(r);
  case Opcode::VGeluErf: for (uint32_t j = 0; j < n; ++j) r[j] = refGeluErf(x[j]); return encodeAll(r);
  case Opcode::VRelu: for (uint32_t j = 0; j < n; ++j) r[j] = x[j] < 0 ? 0.0f : x[j]; return encodeAll(r);
  case Opcode::VReduceSum: {
    float s = 0.0f;
    for (float v : x) s = s + v;
    return encodeAll({s});
  }
  case Opcode::VReduceMax: {
    float m = x[0];
    for (uint32_t j = 1; j < n; ++j) m = nanMax(m, x[j]);
    return encodeAll({m});
  }
  case Opcode::VArgmax: {
    uint32_t best = 0;
    for (uint32_t j = 0; j < n; ++j) {
      if (std::isnan(x[j])) { best = j; break; }
      if (x[j] > x[best]) best = j;
    }
    return {best};
  }
  case Opcode::VSoftmax: {
    uint64_t valid = c.causal ? std::min<uint64_t>(n, uint64_t(c.aux) + i + 1) : n;
    float mx = -INFINITY;
    bool nan = false;
    for (uint64_t j = 0; j < valid; ++j) {
      float z = c.fimm * x[j];
      nan |= std::isnan(z);
      mx = std::max(mx, z);
    }
    if (nan) mx = NAN;
    float sum = 0.0f;
    for (uint64_t j = 0; j < valid; ++j) sum = sum + std::exp(c.fimm * x[j] - mx);
    for (uint32_t j = 0; j < n; ++j) r[j] = j < valid ? std::exp(c.fimm * x[j] - mx) / sum : 0.0f;
    return encodeAll(r);
  }
  case Opcode::VRmsNorm: {
    float ss = 0.0f;
    for (float v : x) ss = ss + v * v;
    float inv = 1.0f / std::sqrt(ss / float(n) + c.fimm);
    for (uint32_t j = 0; j < n; ++j) r[j] = Y(j) * (x[j] * inv);
    return encodeAll(r);
  }
  case Opcode::VLayerNorm: {
    float s = 0.0f;
    for (float v : x) s = s + v;
    float mean = s / float(n), sq = 0.0f;
    for (float v : x) sq = sq + (v - mean) * (v - mean);
    float inv = 1.0f / std::sqrt(sq / float(n) + c.fimm);
    for (uint32_t j = 0; j < n; ++j) r[j] = ((x[j] - mean) * inv) * Y(j) + Z(j);
    return encodeAll(r);
  }
  case Opcode::VRope: {
    const uint32_t hs = c.aux2, half = hs / 2;
    float pos = float(uint64_t(c.aux) + i);
    for (uint32_t h = 0; h < n; h += hs)
      for (uint32_t m = 0; m < half; ++m) {
        float f = 1.0f / std::pow(c.fimm, float(2 * m) / float(hs));
        float a = pos * f, co = std::cos(a), si = std::sin(a);
        uint32_t p = c.ropeHalf ? h + m : h + 2 * m, q = c.ropeHalf ? h + m + half : h + 2 * m + 1;
        r[p] = x[p] * co - x[q] * si;
        r[q] = x[p] * si + x[q] * co;
      }
    return encodeAll(r);
  }
  case Opcode::VQuantize: {
    const int qmax = c.out == DType::I8 ? 127 : 7;
    std::vector<uint32_t> bits;
    for (uint32_t g = 0; g < groups; ++g) {
      float amax = 0.0f;
      for (uint32_t j = g * groupCols; j < (g + 1) * groupCols; ++j)
        if (!std::isnan(x[j])) amax = std::max(amax, std::fabs(x[j]));
      for (uint32_t j = g * groupCols; j < (g + 1) * groupCols; ++j) {
        int64_t q = amax == 0.0f ? 0 : refRoundInt(x[j] * (float(qmax) / amax), -qmax, qmax);
        bits.push_back(uint32_t(q) & (c.out == DType::I4 ? 0xF : 0xFF));
      }
    }
    return bits;
  }
  case Opcode::VDequantize:
    for (uint32_t j = 0; j < n; ++j) r[j] = x[j] * Y(uint64_t(i) * instr.ld1 + j / groupCols);
    return encodeAll(r);
  case Opcode::VCast:
    if (isInteger(c.in) && isInteger(c.out)) {
      std::vector<uint32_t> bits;
      for (uint32_t j = 0; j < n; ++j) {
        int64_t v = std::clamp<int64_t>(int64_t(readElem(before, op.x, c.in, uint64_t(i) * instr.ld0 + j)),
                                        typeMin(c.out), typeMax(c.out));
        bits.push_back(uint32_t(v) & (c.out == DType::I4 ? 0xF : c.out == DType::I8 ? 0xFF : 0xFFFFFFFF));
      }
      return bits;
    }
    return encodeAll(x);
  case Opcode::VCopy:
  case Opcode::VTranspose: {
    std::vector<uint32_t> bits;
    for (uint32_t j = 0; j < n; ++j)
      bits.push_back(elemBits(before, op.x, c.in, uint64_t(i) * instr.ld0 + j));
    return bits;
  }
  default: return {};
  }
}

inline std::vector<uint32_t> VecHarness::expectedScales(uint32_t i) const {
  const int qmax = c_.out == DType::I8 ? 127 : 7;
  std::vector<uint32_t> bits;
  for (uint32_t g = 0; g < groups; ++g) {
    float amax = 0.0f;
    for (uint32_t j = g * groupCols; j < (g + 1) * groupCols; ++j)
      if (!std::isnan(X(i, j))) amax = std::max(amax, std::fabs(X(i, j)));
    bits.push_back(refEncodeFloat(amax / float(qmax), c_.in1));
  }
  return bits;
}

} // namespace strata::sim::func::test
