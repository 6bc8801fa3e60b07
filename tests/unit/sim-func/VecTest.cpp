//===- VecTest.cpp - Every vector op against the reference ----------------===//

#include "VecTestSupport.h"

namespace strata::sim::func {
namespace {

using namespace test;
using isa::Broadcast;
using isa::Opcode;

const DType kFloatTypes[] = {DType::F16, DType::BF16, DType::F32};

/// Runs `body` (which builds and checks cases) on every host path, stopping
/// at the first failing case to keep the output readable.
#define FOR_EACH_PATH(body) forEachHostIsa([&] { body; })

TEST(VecElementwise, BinaryOpsEveryBroadcastAndTypeCombination) {
  FOR_EACH_PATH({
    uint32_t seed = 1;
    for (Opcode op : {Opcode::VAdd, Opcode::VSub, Opcode::VMul, Opcode::VMax})
      for (Broadcast b : {Broadcast::None, Broadcast::Row, Broadcast::Col, Broadcast::Scalar})
        for (DType in : kAllTypes)
          for (DType in1 : {DType::I8, DType::F16, DType::BF16, DType::F32})
            for (DType out : kAllTypes) {
              VecCase c;
              c.op = op;
              c.bcast = b;
              c.in = in;
              c.in1 = in1;
              c.out = out;
              c.rows = 3;
              c.cols = 11;
              c.fimm = -1.375f;
              VecHarness h(c, seed++);
              h.runAndCheck();
              if (HasFailure())
                return;
            }
  });
}

TEST(VecElementwise, UnaryOpsEveryType) {
  FOR_EACH_PATH({
    uint32_t seed = 1;
    for (Opcode op : {Opcode::VExp, Opcode::VRsqrt, Opcode::VSilu, Opcode::VGeluTanh,
                      Opcode::VGeluErf, Opcode::VRelu})
      for (DType in : kAllTypes)
        for (DType out : kAllTypes) {
          VecCase c;
          c.op = op;
          c.in = in;
          c.out = out;
          c.rows = 4;
          c.cols = 33;
          c.range = op == Opcode::VExp ? 12.0 : 8.0;
          VecHarness h(c, seed++);
          h.runAndCheck();
          if (HasFailure())
            return;
        }
  });
}

TEST(VecElementwise, SpecialValues) {
  const float specials[] = {NAN, INFINITY, -INFINITY, 0.0f, -0.0f, 1e-40f, -1e-40f,
                            88.8f, -104.0f, 65520.0f, -3e38f, 1e30f};
  FOR_EACH_PATH({
    for (Opcode op : {Opcode::VExp, Opcode::VRsqrt, Opcode::VSilu, Opcode::VGeluTanh,
                      Opcode::VGeluErf, Opcode::VRelu, Opcode::VAdd, Opcode::VMax,
                      Opcode::VCast})
      for (DType out : kAllTypes) {
        VecCase c;
        c.op = op;
        c.out = out;
        c.rows = 2;
        c.cols = 12;
        VecHarness h(c);
        for (uint32_t j = 0; j < 12; ++j) {
          writeElem(h.mem, h.op.x, DType::F32, j, specials[j]);
          writeElem(h.mem, h.op.x, DType::F32, h.instr.ld0 + j, specials[11 - j]);
          writeElem(h.mem, h.op.y, DType::F32, j, specials[(j + 3) % 12]);
        }
        h.runAndCheck();
        if (HasFailure())
          return;
      }
  });
}

TEST(VecElementwise, ReluKeepsNegativeZeroAndNan) {
  VecCase c;
  c.op = Opcode::VRelu;
  c.rows = 1;
  c.cols = 3;
  VecHarness h(c);
  writeElem(h.mem, h.op.x, DType::F32, 0, -0.0);
  writeElem(h.mem, h.op.x, DType::F32, 1, NAN);
  writeElem(h.mem, h.op.x, DType::F32, 2, -5.0);
  h.runAndCheck();
  EXPECT_EQ(elemBits(h.mem, h.op.dst, DType::F32, 0), 0x80000000u);
  EXPECT_TRUE(std::isnan(readElem(h.mem, h.op.dst, DType::F32, 1)));
  EXPECT_EQ(elemBits(h.mem, h.op.dst, DType::F32, 2), 0u);
}

TEST(VecReduce, SumMaxArgmaxEveryType) {
  FOR_EACH_PATH({
    uint32_t seed = 1;
    for (Opcode op : {Opcode::VReduceSum, Opcode::VReduceMax, Opcode::VArgmax})
      for (DType in : kAllTypes)
        for (uint32_t cols : {1u, 7u, 300u}) {
          VecCase c;
          c.op = op;
          c.in = in;
          c.out = op == Opcode::VArgmax ? DType::I32 : (in == DType::I4 ? DType::I32 : in);
          c.rows = 5;
          c.cols = cols;
          c.padd = 2;
          VecHarness h(c, seed++);
          h.runAndCheck();
          if (HasFailure())
            return;
        }
  });
}

TEST(VecReduce, ArgmaxTakesTheFirstMaximumAndTheFirstNan) {
  VecCase c;
  c.op = Opcode::VArgmax;
  c.out = DType::I32;
  c.rows = 3;
  c.cols = 6;
  c.padd = 0;
  VecHarness h(c);
  const float rows[3][6] = {{1, 5, 2, 5, 5, 0},
                            {-INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY},
                            {1, 9, NAN, 10, NAN, 3}};
  for (uint32_t i = 0; i < 3; ++i)
    for (uint32_t j = 0; j < 6; ++j)
      writeElem(h.mem, h.op.x, DType::F32, i * h.instr.ld0 + j, rows[i][j]);
  h.runAndCheck();
  EXPECT_EQ(readElem(h.mem, h.op.dst, DType::I32, 0), 1);
  EXPECT_EQ(readElem(h.mem, h.op.dst, DType::I32, h.instr.ldd), 0);
  EXPECT_EQ(readElem(h.mem, h.op.dst, DType::I32, 2 * h.instr.ldd), 2);
}

TEST(VecSoftmax, ScaleCausalMaskAndTypes) {
  FOR_EACH_PATH({
    uint32_t seed = 1;
    for (DType in : kFloatTypes)
      for (DType out : kFloatTypes)
        for (bool causal : {false, true})
          for (uint32_t aux : {0u, 3u, 100u})
            for (float scale : {1.0f, 0.125f}) {
              VecCase c;
              c.op = Opcode::VSoftmax;
              c.in = in;
              c.out = out;
              c.rows = 6;
              c.cols = 37;
              c.causal = causal;
              c.aux = aux;
              c.fimm = scale;
              c.range = 20.0;
              VecHarness h(c, seed++);
              h.runAndCheck();
              if (HasFailure())
                return;
            }
  });
}

TEST(VecSoftmax, RowsSumToOneAndMatchDoublePrecision) {
  VecCase c;
  c.op = Opcode::VSoftmax;
  c.rows = 8;
  c.cols = 1000;
  c.fimm = 0.5f;
  c.causal = true;
  c.aux = 500;
  c.range = 30.0;
  VecHarness h(c);
  h.runAndCheck();
  for (uint32_t i = 0; i < c.rows; ++i) {
    double mx = -INFINITY, sum = 0, total = 0;
    uint32_t valid = std::min(c.cols, c.aux + i + 1);
    for (uint32_t j = 0; j < valid; ++j)
      mx = std::max(mx, 0.5 * h.X(i, j));
    for (uint32_t j = 0; j < valid; ++j)
      sum += std::exp(0.5 * h.X(i, j) - mx);
    for (uint32_t j = 0; j < c.cols; ++j) {
      double got = readElem(h.mem, h.op.dst, DType::F32, uint64_t(i) * h.instr.ldd + j);
      double want = j < valid ? std::exp(0.5 * h.X(i, j) - mx) / sum : 0.0;
      ASSERT_NEAR(got, want, 1e-5 * want + 1e-30) << i << ", " << j;
      total += got;
    }
    EXPECT_NEAR(total, 1.0, 1e-5);
  }
}

TEST(VecSoftmax, InfinitiesAndNan) {
  VecCase c;
  c.op = Opcode::VSoftmax;
  c.rows = 3;
  c.cols = 4;
  c.fimm = 1.0f;
  VecHarness h(c);
  const float rows[3][4] = {{-INFINITY, 0, -INFINITY, 1}, // -inf -> 0
                            {INFINITY, 0, 1, 2},          // inf - inf = NaN
                            {0, NAN, 1, 2}};
  for (uint32_t i = 0; i < 3; ++i)
    for (uint32_t j = 0; j < 4; ++j)
      writeElem(h.mem, h.op.x, DType::F32, i * h.instr.ld0 + j, rows[i][j]);
  h.runAndCheck();
  EXPECT_EQ(readElem(h.mem, h.op.dst, DType::F32, 0), 0.0);
  EXPECT_TRUE(std::isnan(readElem(h.mem, h.op.dst, DType::F32, h.instr.ldd)));
  EXPECT_TRUE(std::isnan(readElem(h.mem, h.op.dst, DType::F32, 2 * h.instr.ldd + 3)));
}

/// Rows long enough for the vector maximum and exponentials, with a NaN in
/// the vector part or in the last few columns, a zero maximum (+0 and -0),
/// and differences below expf's underflow threshold.
TEST(VecSoftmax, LongRowsWithNanZeroMaximumAndUnderflow) {
  for (uint32_t cols : {9u, 37u, 300u}) {
    VecCase c;
    c.op = Opcode::VSoftmax;
    c.rows = 6;
    c.cols = cols;
    c.fimm = 1.0f;
    VecHarness h(c, cols);
    auto put = [&](uint32_t i, uint32_t j, float v) {
      writeElem(h.mem, h.op.x, DType::F32, i * h.instr.ld0 + j, v);
    };
    for (uint32_t j = 0; j < cols; ++j) {
      put(0, j, -0.25f * float(j % 7));              // maximum +0 (and -0 at j = 0)
      put(1, j, j % 3 ? -float(j) : -0.0f);           // maximum -0 first, then +0 later
      put(2, j, 0.5f * float(j % 5));                 // a NaN in the tail
      put(3, j, 0.5f * float(j % 5));                 // a NaN among the first lanes
      put(4, j, j == cols / 2 ? 50.0f : -60.0f);      // e^(-110): below the underflow
      put(5, j, float(j) * 0.37f - 100.0f);
    }
    put(0, 0, -0.0f);
    put(1, cols - 1, 0.0f);
    put(2, cols - 1, NAN);
    put(3, 1, NAN);
    h.runAndCheck();
    EXPECT_TRUE(std::isnan(readElem(h.mem, h.op.dst, DType::F32, 2 * h.instr.ldd)));
    EXPECT_TRUE(std::isnan(readElem(h.mem, h.op.dst, DType::F32, 3 * h.instr.ldd)));
    if (HasFailure())
      return;
  }
}

TEST(VecNorm, RmsNormAndLayerNormEveryType) {
  FOR_EACH_PATH({
    uint32_t seed = 1;
    for (Opcode op : {Opcode::VRmsNorm, Opcode::VLayerNorm})
      for (DType in : {DType::I8, DType::F16, DType::BF16, DType::F32})
        for (DType in1 : kFloatTypes)
          for (DType out : {DType::I8, DType::F16, DType::BF16, DType::F32})
            for (uint32_t cols : {1u, 64u, 301u}) {
              VecCase c;
              c.op = op;
              c.in = in;
              c.in1 = in1;
              c.out = out;
              c.rows = 3;
              c.cols = cols;
              c.fimm = 1e-5f;
              VecHarness h(c, seed++);
              h.runAndCheck();
              if (HasFailure())
                return;
            }
  });
}

TEST(VecNorm, RmsNormMatchesDoublePrecision) {
  VecCase c;
  c.op = Opcode::VRmsNorm;
  c.rows = 4;
  c.cols = 512;
  c.fimm = 1e-6f;
  VecHarness h(c);
  h.runAndCheck();
  for (uint32_t i = 0; i < c.rows; ++i) {
    double ss = 0;
    for (uint32_t j = 0; j < c.cols; ++j)
      ss += double(h.X(i, j)) * h.X(i, j);
    double inv = 1.0 / std::sqrt(ss / c.cols + 1e-6);
    for (uint32_t j = 0; j < c.cols; ++j) {
      double want = h.Y(j) * h.X(i, j) * inv;
      double got = readElem(h.mem, h.op.dst, DType::F32, uint64_t(i) * h.instr.ldd + j);
      ASSERT_NEAR(got, want, 1e-5 * std::abs(want) + 1e-6);
    }
  }
}

TEST(VecRope, BothConventionsSeveralHeadsAndPositions) {
  FOR_EACH_PATH({
    uint32_t seed = 1;
    for (bool half : {false, true})
      for (uint16_t head : {2, 8, 64})
        for (uint32_t aux : {0u, 17u, 4000u})
          for (float theta : {10000.0f, 1000000.0f})
            for (DType t : kFloatTypes) {
              VecCase c;
              c.op = Opcode::VRope;
              c.in = c.out = t;
              c.rows = 3;
              c.cols = head * 3;
              c.aux2 = head;
              c.aux = aux;
              c.fimm = theta;
              c.ropeHalf = half;
              VecHarness h(c, seed++);
              h.runAndCheck();
              if (HasFailure())
                return;
            }
  });
}

TEST(VecRope, MatchesDoublePrecisionRotation) {
  VecCase c;
  c.op = Opcode::VRope;
  c.rows = 4;
  c.cols = 128;
  c.aux2 = 64;
  c.aux = 10;
  c.fimm = 10000.0f;
  c.ropeHalf = true;
  VecHarness h(c);
  h.runAndCheck();
  for (uint32_t i = 0; i < c.rows; ++i)
    for (uint32_t hd = 0; hd < 2; ++hd)
      for (uint32_t m = 0; m < 32; ++m) {
        double a = (10.0 + i) * std::pow(10000.0, -2.0 * m / 64);
        uint32_t p = hd * 64 + m, q = p + 32;
        double u = h.X(i, p), v = h.X(i, q);
        double gp = readElem(h.mem, h.op.dst, DType::F32, uint64_t(i) * h.instr.ldd + p);
        double gq = readElem(h.mem, h.op.dst, DType::F32, uint64_t(i) * h.instr.ldd + q);
        ASSERT_NEAR(gp, u * std::cos(a) - v * std::sin(a), 2e-5);
        ASSERT_NEAR(gq, u * std::sin(a) + v * std::cos(a), 2e-5);
      }
}

TEST(VecQuant, QuantizePerRowAndPerGroup) {
  FOR_EACH_PATH({
    uint32_t seed = 1;
    for (DType in : kFloatTypes)
      for (DType out : {DType::I8, DType::I4})
        for (DType scale : {DType::F32, DType::F16})
          for (uint16_t group : {0, 1, 8, 32}) {
            VecCase c;
            c.op = Opcode::VQuantize;
            c.in = in;
            c.out = out;
            c.in1 = scale;
            c.aux2 = group;
            c.rows = 3;
            c.cols = 64;
            c.pad1 = 1;
            VecHarness h(c, seed++);
            // Row 1 all zeros (amax == 0), row 2 with a NaN and an Inf-free
            // exact maximum that must map to +-qmax.
            for (uint32_t j = 0; j < c.cols; ++j)
              writeElem(h.mem, h.op.x, in, h.instr.ld0 + j, j % 2 ? 0.0 : -0.0);
            writeElem(h.mem, h.op.x, in, 2 * h.instr.ld0 + 5, NAN);
            h.runAndCheck();
            if (HasFailure())
              return;
          }
  });
}

TEST(VecQuant, QuantizeRoundsHalfToEvenWithUnroundedMultiplier) {
  // amax = 254 -> multiplier 0.5: 1 -> 0.5 -> 0, 3 -> 1.5 -> 2, -5 -> -2.5 -> -2.
  VecCase c;
  c.op = Opcode::VQuantize;
  c.out = DType::I8;
  c.in1 = DType::F16;
  c.rows = 1;
  c.cols = 4;
  VecHarness h(c);
  const float x[] = {1, 3, -5, -254};
  for (uint32_t j = 0; j < 4; ++j)
    writeElem(h.mem, h.op.x, DType::F32, j, x[j]);
  h.runAndCheck();
  EXPECT_EQ(readElem(h.mem, h.op.dst, DType::I8, 0), 0);
  EXPECT_EQ(readElem(h.mem, h.op.dst, DType::I8, 1), 2);
  EXPECT_EQ(readElem(h.mem, h.op.dst, DType::I8, 2), -2);
  EXPECT_EQ(readElem(h.mem, h.op.dst, DType::I8, 3), -127);
  EXPECT_EQ(readElem(h.mem, h.op.y, DType::F16, 0), 2.0);
}

TEST(VecQuant, DequantizePerRowAndPerGroup) {
  FOR_EACH_PATH({
    uint32_t seed = 1;
    for (DType in : {DType::I4, DType::I8, DType::I32})
      for (DType scale : {DType::F32, DType::F16})
        for (DType out : kFloatTypes)
          for (uint16_t group : {0, 2, 16}) {
            VecCase c;
            c.op = Opcode::VDequantize;
            c.in = in;
            c.in1 = scale;
            c.out = out;
            c.aux2 = group;
            c.rows = 4;
            c.cols = 32;
            VecHarness h(c, seed++);
            h.runAndCheck();
            if (HasFailure())
              return;
          }
  });
}

TEST(VecLayoutOps, CastEveryTypePair) {
  FOR_EACH_PATH({
    uint32_t seed = 1;
    for (DType in : kAllTypes)
      for (DType out : kAllTypes) {
        VecCase c;
        c.op = Opcode::VCast;
        c.in = in;
        c.out = out;
        c.rows = 3;
        c.cols = 13;
        c.range = 300.0; // saturates i8 and i4
        VecHarness h(c, seed++);
        if (in == DType::I32) {
          writeElem(h.mem, h.op.x, in, 0, 2147483647.0);
          writeElem(h.mem, h.op.x, in, 1, -2147483648.0);
          writeElem(h.mem, h.op.x, in, 2, 16777217.0); // not an FP32 value
        }
        h.runAndCheck();
        if (HasFailure())
          return;
      }
  });
}

TEST(VecLayoutOps, CopyAndTransposeEveryTypeAndOddShapes) {
  FOR_EACH_PATH({
    uint32_t seed = 1;
    for (Opcode op : {Opcode::VCopy, Opcode::VTranspose})
      for (DType t : kAllTypes)
        for (auto [rows, cols] : {std::pair{1u, 1u}, {3u, 7u}, {40u, 33u}, {1u, 9u}, {70u, 2u}}) {
          VecCase c;
          c.op = op;
          c.in = c.out = t;
          c.rows = rows;
          c.cols = cols;
          c.pad0 = 3;
          c.padd = 1;
          VecHarness h(c, seed++);
          if (isFloat(t)) // bits move unchanged, NaN payload included
            writeBits(h.mem, h.op.x, t, 0, t == DType::F32 ? 0x7F800001u : 0x7C01u);
          h.runAndCheck();
          if (HasFailure())
            return;
        }
  });
}

//===--- Aliasing: inputs are read before outputs are written -------------===//

/// Runs the case out of place, then with out placed over x (same pitch,
/// in-place) and expects the same bits.
void expectInPlaceMatches(VecCase c) {
  VecHarness ref(c);
  ref.runAndCheck();
  VecHarness h(c);
  h.mem = ref.before;
  h.op.dst = h.op.x;
  h.instr.ldd = h.instr.ld0 * dtypeBits(c.in) / dtypeBits(c.out);
  execute(h.op, h.mem.data());
  for (uint32_t i = 0; i < c.rows; ++i)
    for (uint32_t j = 0; j < c.cols; ++j)
      ASSERT_EQ(elemBits(h.mem, h.op.dst, c.out, uint64_t(i) * h.instr.ldd + j),
                elemBits(ref.mem, ref.op.dst, c.out, uint64_t(i) * ref.instr.ldd + j))
          << c.describe() << " at " << i << ", " << j;
}

TEST(VecAliasing, InPlaceOperations) {
  for (Opcode op : {Opcode::VAdd, Opcode::VExp, Opcode::VSoftmax, Opcode::VRmsNorm,
                    Opcode::VLayerNorm, Opcode::VRope, Opcode::VCast, Opcode::VCopy}) {
    VecCase c;
    c.op = op;
    c.rows = 5;
    c.cols = 16;
    c.pad0 = 4;
    c.aux2 = 8;
    c.fimm = op == Opcode::VRope ? 10000.0f : 0.5f;
    c.bcast = Broadcast::Row;
    expectInPlaceMatches(c);
  }
  VecCase narrow; // f32 -> f16 in place: the same byte pitch, half the width
  narrow.op = Opcode::VCast;
  narrow.out = DType::F16;
  narrow.rows = 4;
  narrow.cols = 8;
  narrow.pad0 = 8;
  expectInPlaceMatches(narrow);
}

TEST(VecAliasing, ShiftedOverlapReadsTheOriginalInput) {
  // out = x shifted down one row, and a transpose onto itself: both must see
  // the original x.
  for (Opcode op : {Opcode::VAdd, Opcode::VTranspose, Opcode::VSoftmax}) {
    VecCase c;
    c.op = op;
    c.rows = 6;
    c.cols = 6;
    c.pad0 = c.padd = 0;
    c.bcast = Broadcast::Scalar;
    c.fimm = 1.0f;
    VecHarness ref(c);
    ref.runAndCheck();
    VecHarness h(c);
    h.mem = ref.before;
    h.op.dst = op == Opcode::VTranspose ? h.op.x : h.op.x + 6 * 4;
    execute(h.op, h.mem.data());
    for (uint32_t i = 0; i < ref.outRows; ++i)
      for (uint32_t j = 0; j < ref.outCols; ++j)
        ASSERT_EQ(elemBits(h.mem, h.op.dst, DType::F32, uint64_t(i) * 6 + j),
                  elemBits(ref.mem, ref.op.dst, DType::F32, uint64_t(i) * ref.instr.ldd + j))
            << isa::mnemonic(op) << " " << i << ", " << j;
  }
}

TEST(VecAliasing, BroadcastOperandOverwrittenByOutput) {
  // y (one row) lies inside the output: every row still sees the old y.
  VecCase c;
  c.op = Opcode::VMul;
  c.bcast = Broadcast::Row;
  c.rows = 4;
  c.cols = 8;
  c.padd = 0;
  VecHarness ref(c);
  ref.runAndCheck();
  VecHarness h(c);
  h.mem = ref.before;
  // Copy y into the second output row and point y there.
  for (uint32_t j = 0; j < 8; ++j)
    writeBits(h.mem, h.op.dst, DType::F32, 8 + j, elemBits(ref.before, ref.op.y, DType::F32, j));
  h.op.y = h.op.dst + 8 * 4;
  execute(h.op, h.mem.data());
  for (uint32_t i = 0; i < 4; ++i)
    for (uint32_t j = 0; j < 8; ++j)
      ASSERT_EQ(elemBits(h.mem, h.op.dst, DType::F32, i * 8 + j),
                elemBits(ref.mem, ref.op.dst, DType::F32, i * 8 + j));
}

TEST(VecAliasing, InvalidInstructionLeavesSramUntouched) {
  VecCase c;
  c.op = Opcode::VRope; // aux2 == 0 is illegal
  VecHarness h(c);
  std::vector<uint8_t> before = h.mem;
  execute(h.op, h.mem.data());
  EXPECT_EQ(h.mem, before);
}

} // namespace
} // namespace strata::sim::func
