//===- FootprintTest.cpp - Byte ranges, validation errors, op costs -------===//

#include "FuncTestSupport.h"

#include "strata/sim/func/Execute.h"

namespace strata::sim::func {
namespace {

using isa::Activation;
using isa::Opcode;
using isa::ScaleMode;

struct GemmFixture {
  isa::GemmInstr g;
  ResolvedGemm op;
  GemmFixture() {
    g.a = g.b = DType::F16;
    g.out = DType::F32;
    g.lda = 64;
    g.ldb = 32;
    g.ldc = 32;
    op.instr = &g;
    op.m = 8;
    op.n = 32;
    op.k = 64;
    op.a = 0x1000;
    op.b = 0x2000;
    op.c = 0x4000;
    op.scaleA = 0x8000;
    op.scaleB = 0x9000;
    op.bias = 0xA000;
  }
  Status run(ByteRanges &r) { return footprint(op, r); }
  std::string error() {
    ByteRanges r;
    Status s = footprint(op, r);
    return s.isOk() ? std::string("ok") : s.message();
  }
};

bool contains(const std::string &s, const std::string &part) {
  return s.find(part) != std::string::npos;
}

TEST(GemmFootprint, BoundingRangesOfEveryOperand) {
  GemmFixture f;
  f.g.lda = 80; // rows of A are 160 bytes apart, 128 used
  f.g.aScale = ScaleMode::PerRow;
  f.g.bScale = ScaleMode::PerGroup;
  f.g.groupSize = 16;
  f.g.scaleType = DType::F16;
  f.g.hasBias = true;
  f.g.accumulate = true;
  ByteRanges r;
  ASSERT_TRUE(f.run(r).isOk());
  ASSERT_EQ(r.size(), 7u);
  auto expect = [&](size_t i, uint64_t b, uint64_t e, bool w) {
    EXPECT_EQ(r[i].begin, b) << i;
    EXPECT_EQ(r[i].end, e) << i;
    EXPECT_EQ(r[i].write, w) << i;
  };
  expect(0, 0x1000, 0x1000 + (7 * 80 + 64) * 2, false);   // A
  expect(1, 0x2000, 0x2000 + (63 * 32 + 32) * 2, false);  // B [K][N]
  expect(2, 0x8000, 0x8000 + 8 * 2, false);               // per-row A scales, f16
  expect(3, 0x9000, 0x9000 + 4 * 32 * 2, false);          // [K/G][N] B scales
  expect(4, 0xA000, 0xA000 + 32 * 4, false);              // bias f32
  expect(5, 0x4000, 0x4000 + 8 * 32 * 4, false);          // old C read
  expect(6, 0x4000, 0x4000 + 8 * 32 * 4, true);           // C written
}

TEST(GemmFootprint, TransBSwiGluAndInt4Ranges) {
  GemmFixture f;
  f.g.a = DType::I8;
  f.g.b = DType::I4;
  f.g.transB = true;
  f.g.ldb = 66;       // [N][K], i4: 33 bytes per row
  f.g.act = Activation::SwiGlu;
  f.g.out = DType::BF16;
  f.g.ldc = 20;
  ByteRanges r;
  ASSERT_TRUE(f.run(r).isOk());
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].end - r[0].begin, 7u * 64 + 64);        // A i8
  EXPECT_EQ(r[1].end - r[1].begin, (31u * 66 + 64) / 2); // B i4 [32][64] ldb 66
  EXPECT_EQ(r[2].end - r[2].begin, (7u * 20 + 16) * 2);  // C has n/2 = 16 columns
}

TEST(GemmFootprint, SingleRowIgnoresLeadingDimension) {
  GemmFixture f;
  f.op.m = 1;
  f.g.lda = 0;
  f.g.ldc = 0;
  ByteRanges r;
  ASSERT_TRUE(f.run(r).isOk()) << f.error();
  EXPECT_EQ(r[0].end - r[0].begin, 64u * 2);
}

TEST(GemmFootprint, RejectsIllegalConfigurationsNamingTheField) {
  struct Case {
    const char *field;
    std::function<void(GemmFixture &)> edit;
  };
  const Case cases[] = {
      {"groupSize = 24", [](GemmFixture &f) { f.g.bScale = ScaleMode::PerGroup; f.g.groupSize = 24; }},
      {"groupSize is 0", [](GemmFixture &f) { f.g.aScale = ScaleMode::PerGroup; f.g.groupSize = 0; }},
      {"even n", [](GemmFixture &f) { f.g.act = Activation::SwiGlu; f.op.n = 31; }},
      {"a = f16 and b = bf16", [](GemmFixture &f) { f.g.b = DType::BF16; }},
      {"a = i4 and b = i8", [](GemmFixture &f) { f.g.a = DType::I4; f.g.b = DType::I8; }},
      {"a = i32", [](GemmFixture &f) { f.g.a = f.g.b = DType::I32; }},
      {"out = i8", [](GemmFixture &f) { f.g.out = DType::I8; }},
      {"out = i32 needs integer inputs", [](GemmFixture &f) { f.g.out = DType::I32; }},
      {"takes no scales", [](GemmFixture &f) { f.g.a = f.g.b = DType::I8; f.g.out = DType::I32; f.g.bScale = ScaleMode::PerRow; }},
      {"takes no bias", [](GemmFixture &f) { f.g.a = f.g.b = DType::I8; f.g.out = DType::I32; f.g.hasBias = true; }},
      {"none or relu", [](GemmFixture &f) { f.g.a = f.g.b = DType::I8; f.g.out = DType::I32; f.g.act = Activation::Silu; }},
      {"scaleType = bf16", [](GemmFixture &f) { f.g.aScale = ScaleMode::PerRow; f.g.scaleType = DType::BF16; }},
      {"operand A at SRAM byte 0x1001", [](GemmFixture &f) { f.op.a = 0x1001; }},
      {"operand C at SRAM byte 0x4002", [](GemmFixture &f) { f.op.c = 0x4002; }},
      {"operand bias", [](GemmFixture &f) { f.g.hasBias = true; f.op.bias = 0xA002; }},
      {"operand scaleB", [](GemmFixture &f) { f.g.bScale = ScaleMode::PerRow; f.op.scaleB = 0x9001; }},
      {"lda = 63", [](GemmFixture &f) { f.g.lda = 63; }},
      {"ldb = 31", [](GemmFixture &f) { f.g.ldb = 31; }},
      {"ldc = 3", [](GemmFixture &f) { f.g.ldc = 3; }},
      {"lda = 65 must be even", [](GemmFixture &f) { f.g.a = f.g.b = DType::I4; f.g.lda = 65; }},
      {"field act", [](GemmFixture &f) { f.g.act = static_cast<Activation>(9); }},
      {"field bScale", [](GemmFixture &f) { f.g.bScale = static_cast<ScaleMode>(3); }},
      {"field out holds the invalid type 7", [](GemmFixture &f) { f.g.out = static_cast<DType>(7); }},
      {"addressable range", [](GemmFixture &f) { f.op.m = 0xFFFFFFFF; f.g.lda = 0xFFFFFFFF; f.g.a = f.g.b = DType::F32; f.g.ldb = 32; }},
  };
  for (const Case &c : cases) {
    GemmFixture f;
    c.edit(f);
    std::string e = f.error();
    EXPECT_TRUE(contains(e, c.field)) << "want '" << c.field << "' in: " << e;
    EXPECT_TRUE(contains(e, "gemm: ")) << e;
  }
}

/// Layouts are remembered per instruction and operands: the same query
/// again, the instruction edited in place, or another operand address each
/// get the layout of what they now are.
TEST(GemmFootprint, RepeatedQueriesFollowEditsInPlace) {
  GemmFixture f;
  auto bEnd = [&] {
    ByteRanges r;
    EXPECT_TRUE(f.run(r).isOk());
    return r.size() > 1 ? r[1].end : 0;
  };
  for (int i = 0; i < 2; ++i)
    EXPECT_EQ(bEnd(), 0x2000u + (63 * 32 + 32) * 2);
  f.g.ldb = 48;
  EXPECT_EQ(bEnd(), 0x2000u + (63 * 48 + 32) * 2);
  f.g.transB = true;
  f.g.ldb = 64;
  EXPECT_EQ(bEnd(), 0x2000u + (31 * 64 + 64) * 2);
  f.op.b = 0x3000;
  EXPECT_EQ(bEnd(), 0x3000u + (31 * 64 + 64) * 2);
  f.g.ldb = 32; // now smaller than the 64 columns of the stored [n][k] B
  EXPECT_TRUE(contains(f.error(), "ldb = 32")) << f.error();
  f.g.ldb = 64;
  EXPECT_EQ(bEnd(), 0x3000u + (31 * 64 + 64) * 2);
  f.g.b = DType::I8; // f16 x i8 is no tensor-core precision
  EXPECT_TRUE(contains(f.error(), "operand types")) << f.error();
}

TEST(GemmFootprint, GroupCheckAppliesOnlyToPerGroupScales) {
  GemmFixture f;
  f.g.groupSize = 24; // ignored without a per-group scale
  f.g.aScale = ScaleMode::PerRow;
  EXPECT_EQ(f.error(), "ok");
}

struct VecFixture {
  isa::VecInstr v;
  ResolvedVec op;
  explicit VecFixture(Opcode o) {
    v.op = o;
    v.in = v.in1 = v.out = DType::F16;
    v.ld0 = v.ld1 = v.ldd = 64;
    op.instr = &v;
    op.rows = 4;
    op.cols = 64;
    op.x = 0x1000;
    op.y = 0x2000;
    op.z = 0x3000;
    op.dst = 0x4000;
  }
  std::string error() {
    ByteRanges r;
    Status s = footprint(op, r);
    return s.isOk() ? std::string("ok") : s.message();
  }
  ByteRanges ranges() {
    ByteRanges r;
    EXPECT_TRUE(footprint(op, r).isOk());
    return r;
  }
};

// Valid layouts are remembered (LayoutMemo.h); an instruction edited in
// place, or other operands, must be checked again.
TEST(VecFootprint, RepeatedQueriesFollowEditsInPlace) {
  VecFixture f(Opcode::VAdd);
  auto outEnd = [&] {
    auto r = f.ranges();
    return r.empty() ? 0 : r.back().end;
  };
  for (int i = 0; i < 2; ++i)
    EXPECT_EQ(outEnd(), 0x4000u + (3 * 64 + 64) * 2);
  f.v.ldd = 80;
  EXPECT_EQ(outEnd(), 0x4000u + (3 * 80 + 64) * 2);
  f.op.dst = 0x5000;
  EXPECT_EQ(outEnd(), 0x5000u + (3 * 80 + 64) * 2);
  f.op.rows = 2;
  EXPECT_EQ(outEnd(), 0x5000u + (1 * 80 + 64) * 2);
  f.v.ldd = 32; // below the 64 columns
  EXPECT_NE(f.error(), "ok");
  f.v.ldd = 80;
  EXPECT_EQ(f.error(), "ok");
}

TEST(VecFootprint, RangesPerOperandKind) {
  {
    VecFixture f(Opcode::VAdd);
    f.v.bcast = isa::Broadcast::Row;
    auto r = f.ranges();
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(r[0].end - r[0].begin, 4u * 64 * 2);
    EXPECT_EQ(r[1].end - r[1].begin, 64u * 2); // one row
    EXPECT_TRUE(r[2].write);
  }
  {
    VecFixture f(Opcode::VMul);
    f.v.bcast = isa::Broadcast::Col;
    EXPECT_EQ(f.ranges()[1].end - f.ranges()[1].begin, 4u * 2); // one column, contiguous
    f.v.bcast = isa::Broadcast::Scalar;
    EXPECT_EQ(f.ranges().size(), 2u); // y not read
  }
  {
    VecFixture f(Opcode::VReduceSum);
    f.v.out = DType::F32;
    f.v.ldd = 3;
    auto r = f.ranges();
    EXPECT_EQ(r[1].end - r[1].begin, (3u * 3 + 1) * 4); // strided column
  }
  {
    VecFixture f(Opcode::VTranspose);
    f.v.ldd = 8;
    auto r = f.ranges();
    EXPECT_EQ(r[1].end - r[1].begin, (63u * 8 + 4) * 2); // [cols][rows]
  }
  {
    VecFixture f(Opcode::VQuantize);
    f.v.out = DType::I4;
    f.v.in1 = DType::F32;
    f.v.aux2 = 16;
    f.v.ld1 = 4;
    auto r = f.ranges();
    ASSERT_EQ(r.size(), 2u + 1);
    EXPECT_TRUE(r[1].write);                            // scales are written
    EXPECT_EQ(r[1].end - r[1].begin, (3u * 4 + 4) * 4); // [rows][4 groups]
    EXPECT_EQ(r[2].end - r[2].begin, (3u * 64 + 64) / 2);
  }
  {
    VecFixture f(Opcode::VLayerNorm);
    auto r = f.ranges();
    ASSERT_EQ(r.size(), 4u); // x, gamma, beta, out
    EXPECT_EQ(r[2].begin, 0x3000u);
  }
}

TEST(VecFootprint, RejectsIllegalConfigurationsNamingTheField) {
  struct Case {
    Opcode op;
    const char *field;
    std::function<void(VecFixture &)> edit;
  };
  const Case cases[] = {
      {Opcode::VArgmax, "out = f16", [](VecFixture &) {}},
      {Opcode::VCopy, "needs out == in", [](VecFixture &f) { f.v.out = DType::F32; }},
      {Opcode::VTranspose, "needs out == in", [](VecFixture &f) { f.v.out = DType::BF16; }},
      {Opcode::VQuantize, "out = f16 must be i8 or i4", [](VecFixture &) {}},
      {Opcode::VQuantize, "in = i8 must be a float", [](VecFixture &f) { f.v.in = DType::I8; f.v.out = DType::I8; }},
      {Opcode::VQuantize, "in1 = bf16", [](VecFixture &f) { f.v.out = DType::I8; f.v.in1 = DType::BF16; }},
      {Opcode::VQuantize, "group size aux2 = 48", [](VecFixture &f) { f.v.out = DType::I8; f.v.aux2 = 48; }},
      {Opcode::VDequantize, "in = f16 must be an integer", [](VecFixture &) {}},
      {Opcode::VDequantize, "out = i32 must be a float", [](VecFixture &f) { f.v.in = DType::I8; f.v.out = DType::I32; }},
      {Opcode::VRope, "aux2 = 0", [](VecFixture &) {}},
      {Opcode::VRope, "aux2 = 7", [](VecFixture &f) { f.v.aux2 = 7; }},
      {Opcode::VRope, "head size aux2 = 48", [](VecFixture &f) { f.v.aux2 = 48; }},
      {Opcode::VAdd, "field bcast", [](VecFixture &f) { f.v.bcast = static_cast<isa::Broadcast>(4); }},
      {Opcode::VAdd, "operand x at SRAM byte 0x1001", [](VecFixture &f) { f.op.x = 0x1001; }},
      {Opcode::VAdd, "operand y", [](VecFixture &f) { f.op.y = 0x2001; }},
      {Opcode::VAdd, "operand out", [](VecFixture &f) { f.op.dst = 0x4001; }},
      {Opcode::VAdd, "ld0 = 60", [](VecFixture &f) { f.v.ld0 = 60; }},
      {Opcode::VAdd, "ld1 = 1", [](VecFixture &f) { f.v.ld1 = 1; }},
      {Opcode::VAdd, "ldd = 2", [](VecFixture &f) { f.v.ldd = 2; }},
      {Opcode::VCast, "ldd = 65 must be even", [](VecFixture &f) { f.v.out = DType::I4; f.v.ldd = 65; }},
      {Opcode::VExp, "field in holds the invalid type 6", [](VecFixture &f) { f.v.in = static_cast<DType>(6); }},
      {Opcode::Gemm, "not a vector opcode", [](VecFixture &) {}},
  };
  for (const Case &c : cases) {
    VecFixture f(c.op);
    c.edit(f);
    std::string e = f.error();
    EXPECT_TRUE(contains(e, c.field)) << "want '" << c.field << "' in: " << e;
  }
  // A name for the instruction starts each message.
  VecFixture f(Opcode::VSoftmax);
  f.v.ld0 = 1;
  EXPECT_TRUE(contains(f.error(), "vsoftmax: ")) << f.error();
}

TEST(VecFootprint, ZeroSizedTilesAreNoOps) {
  for (int which = 0; which < 2; ++which) {
    VecFixture f(Opcode::VSoftmax);
    (which ? f.op.rows : f.op.cols) = 0;
    f.v.ld0 = 0; // not checked for an empty tile
    EXPECT_TRUE(f.ranges().empty());
    std::vector<uint8_t> mem(0x5000, 0x5A);
    execute(f.op, mem.data());
    EXPECT_EQ(mem, std::vector<uint8_t>(0x5000, 0x5A));
  }
}

TEST(VecCost, ElementOpsAndTranscendentalOps) {
  VecFixture f(Opcode::VAdd);
  EXPECT_EQ(vectorElementOps(f.op), 256u);
  f.v.op = Opcode::VSoftmax;
  EXPECT_EQ(vectorElementOps(f.op), 3u * 256);
  f.v.op = Opcode::VLayerNorm;
  EXPECT_EQ(vectorElementOps(f.op), 5u * 256);
  f.v.op = Opcode::VQuantize;
  EXPECT_EQ(vectorElementOps(f.op), 2u * 256);
  f.op.rows = 0;
  EXPECT_EQ(vectorElementOps(f.op), 0u);
  for (Opcode o : {Opcode::VExp, Opcode::VRsqrt, Opcode::VSilu, Opcode::VGeluTanh,
                   Opcode::VGeluErf, Opcode::VSoftmax, Opcode::VRope})
    EXPECT_TRUE(isTranscendental(o)) << int(o);
  for (Opcode o : {Opcode::VAdd, Opcode::VRelu, Opcode::VRmsNorm, Opcode::VLayerNorm,
                   Opcode::VQuantize, Opcode::VCopy, Opcode::Gemm})
    EXPECT_FALSE(isTranscendental(o)) << int(o);
}

} // namespace
} // namespace strata::sim::func
