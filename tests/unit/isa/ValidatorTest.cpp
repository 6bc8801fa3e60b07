//===- ValidatorTest.cpp - Static instruction and program checks ----------===//
#include "strata/target/Validator.h"
#include "strata/target/ArchConfig.h"
#include "strata/target/Assembly.h"

#include <gtest/gtest.h>

namespace strata::isa {
namespace {

/// Parses one line; the test fails if it does not parse.
Instr asm1(std::string_view line) {
  Expected<Instr> r = parseInstr(line);
  EXPECT_TRUE(r) << line << "\n" << (r ? "" : r.message());
  return r ? *r : Instr{};
}

std::string check(const Instr &instr) {
  Status s = validateInstr(instr);
  return s ? "ok" : s.message();
}
std::string check(std::string_view line) { return check(asm1(line)); }

std::string checkProgram(std::string_view text, const ArchConfig *arch = nullptr) {
  Expected<std::vector<Instr>> p = parseProgram(text);
  EXPECT_TRUE(p) << (p ? "" : p.message());
  if (!p)
    return "<parse error>";
  Status s = validateProgram(*p, arch);
  return s ? "ok" : s.message();
}

// A well-formed instruction of each kind, varied one field at a time below.
constexpr const char *kGemm = "gemm m=64 n=128 k=256 a=f16 b=f16 out=f32 A=[0x0] lda=256 "
                              "B=[0x8000] ldb=256 transB C=[0x20000] ldc=128";
constexpr const char *kQGemm = "gemm m=64 n=128 k=256 a=i8 b=i4 out=f16 A=[0x0] lda=256 "
                               "B=[0x8000] ldb=256 transB C=[0x20000] ldc=128";
constexpr const char *kVec = " rows=64 cols=128 x=[0x0] ld0=128 dst=[0x8000] ldd=128";

TEST(Validator, AcceptsWellFormedInstructions) {
  const std::string good[] = {
      "nop",
      "halt",
      "fence",
      "li r1, -3",
      "add r1, r2, r3",
      "addi r1, r1, 1",
      "divui r1, r2, 3",
      "shli r1, r2, 63",
      "ld32 r4, [r2+0x10]",
      "jmp 0",
      "bne r1, r2, 3",
      "sem.signal load, s0",
      "sem.wait compute, s31, 4",
      "barrier compute, 0, 0xff",
      "dvfs.hint compute, own, 1",
      "dma.load src=hbm[r1+0x100] dst=sram[0x0] size=256x64 srcStride=4096 dstStride=256",
      "dma.load src=sram@2[0x0] dst=sram[0x0] size=256",
      "dma.store src=sram[0x0] dst=hbm[0x0] size=r3x4x2 dstStride=512,4096",
      "tc.config gang=1x16 precision=bf16",
      kGemm,
      "gemm m=r1 n=128 k=r2 a=i8 b=i8 out=i32 A=[0x0] lda=256 B=[0x8000] ldb=128 C=[0x0] ldc=128",
      "gemm m=64 n=128 k=256 a=i8 b=i4 out=bf16 A=[0x0] lda=256 B=[0x8000] ldb=256 transB "
      "C=[0x20000] ldc=128 aScale=row scaleA=[0x100] bScale=group scaleB=[0x200] groupSize=64 "
      "scaleType=f16 bias=[0x300] act=gelu.tanh accumulate tcGroup=3",
      "gemm m=64 n=256 k=64 a=bf16 b=bf16 out=bf16 A=[0x0] lda=64 B=[0x0] ldb=256 C=[0x0] "
      "ldc=128 act=swiglu",
      "vadd in=f32 in1=f16 out=f32 y=[0x100] ld1=128" + std::string(kVec),
      "vmul in=f32 out=bf16 bcast=scalar imm=0.5" + std::string(kVec),
      "vmax in=f32 in1=f32 out=f32 bcast=row y=[0x100]" + std::string(kVec),
      "vexp in=f32 out=f16" + std::string(kVec),
      "vreduce.sum rows=64 cols=128 in=f32 out=f32 x=[0x0] ld0=128 dst=[0x8000] ldd=1",
      "vargmax rows=1 cols=32000 in=f32 out=i32 x=[0x0] ld0=32000 dst=[0x8000] ldd=0",
      "vsoftmax in=f32 out=f16 causal pos=r3 scale=0.125" + std::string(kVec),
      "vrmsnorm in=f32 in1=f32 out=f16 y=[0x100] eps=1e-05" + std::string(kVec),
      "vlayernorm in=f16 in1=f16 out=f16 y=[0x100] z=[0x200] eps=0.0" + std::string(kVec),
      "vrope in=f32 out=f32 pos=r7 head=64 theta=10000.0 ropeHalf" + std::string(kVec),
      "vquant in=f32 in1=f32 out=i8 y=[0x100] ld1=4 group=32" + std::string(kVec),
      "vdequant in=i4 in1=f16 out=f32 y=[0x100] ld1=1" + std::string(kVec),
      "vcast in=f32 out=i8" + std::string(kVec),
      "vtranspose rows=64 cols=128 in=f16 out=f16 x=[0x0] ld0=128 dst=[0x8000] ldd=64",
  };
  for (const auto &line : good)
    EXPECT_EQ(check(line), "ok") << line;
}

TEST(Validator, RegistersAndEncodableRanges) {
  ScalarInstr s{Opcode::Add, 32, 1, 2, 0};
  EXPECT_EQ(check(s), "add: rd names register r32, which does not exist (r0..r31)");
  GemmInstr g = std::get<GemmInstr>(asm1(kGemm));
  g.m = Dim::reg(40);
  EXPECT_EQ(check(g), "gemm: m names register r40, which does not exist (r0..r31)");
  g = std::get<GemmInstr>(asm1(kGemm));
  g.A.offset = kMaxSramOffset + 1;
  EXPECT_EQ(check(g), "gemm: A offset 0x8000000 exceeds the 27-bit SRAM offset field");
  g = std::get<GemmInstr>(asm1(kGemm));
  g.B.reg = 33;
  EXPECT_EQ(check(g), "gemm: B base names register r33, which does not exist (r0..r31)");
  DmaInstr d = std::get<DmaInstr>(asm1("dma.load src=hbm[0x0] dst=sram[0x0] size=16"));
  d.src.offset = kMaxDmaOffset + 1;
  EXPECT_EQ(check(d), "dma.load: src offset 0x10000000000 exceeds the 40-bit DMA offset field");
  VecInstr v = std::get<VecInstr>(asm1("vexp in=f32 out=f32" + std::string(kVec)));
  v.aux = Dim::reg(32);
  EXPECT_EQ(check(v), "vexp: aux names register r32, which does not exist (r0..r31)");
  ControlInstr c{Opcode::Gemm};
  EXPECT_EQ(check(c), "gemm: opcode 0x51 is not a control instruction");
}

TEST(Validator, ScalarAndBranchRules) {
  EXPECT_EQ(check("divui r1, r2, 0"), "divui: the divisor immediate is 0");
  EXPECT_EQ(check("remui r1, r2, 0"), "remui: the divisor immediate is 0");
  EXPECT_EQ(check("shri r1, r2, 64"), "shri: shift amount 64 is outside 0..63");
  EXPECT_EQ(check("ld32 r1, [0x1002]"), "ld32: ld32 address 0x1002 is not 4-byte aligned");
  EXPECT_EQ(check("ld32 r1, [r2+0x1002]"), "ok") << "the base register may fix the alignment";
  EXPECT_EQ(check(ScalarInstr{Opcode::Li, 1, 2, 0, 5}), "li: rs1 is not used by li and must be r0");
  EXPECT_EQ(check(ScalarInstr{Opcode::Add, 1, 2, 3, 5}),
            "add: the immediate is not used by add and must be 0");
  EXPECT_EQ(check(ScalarInstr{Opcode::Addi, 1, 2, 3, 5}),
            "addi: rs2 is not used by addi and must be r0");
  EXPECT_EQ(check(BranchInstr{Opcode::Jmp, 1, 0, 0}),
            "jmp: jmp compares no registers: rs1 and rs2 must be r0");
}

TEST(Validator, SyncRules) {
  EXPECT_EQ(check(SyncInstr{Opcode::SemSignal, Queue::Load, 32, 1}),
            "sem.signal: semaphore s32 does not exist (s0..s31)");
  EXPECT_EQ(check("sem.wait compute, s1, 0"), "sem.wait: count is 0; it must be at least 1");
  EXPECT_EQ(check("barrier compute, 0, 0"),
            "barrier: core mask is 0: no core takes part in the barrier");
  EXPECT_EQ(check(SyncInstr{Opcode::SemWait, Queue(3), 1, 1}), "sem.wait: invalid queue value 3");
  EXPECT_EQ(check(SyncInstr{Opcode::SemRelease, Queue::Compute, 32, 1}),
            "sem.release: semaphore s32 does not exist (s0..s31)");
  EXPECT_EQ(check(SyncInstr{Opcode::SemRelease, Queue::Compute, 1, 0}),
            "sem.release: count is 0; it must be at least 1");
}

TEST(Validator, DmaRules) {
  EXPECT_EQ(check("dma.load src=hbm[0x0] dst=hbm[0x0] size=16"),
            "dma.load: dma.load writes the local SRAM: dst must be sram[...]");
  EXPECT_EQ(check("dma.load src=hbm[0x0] dst=sram@1[0x0] size=16"),
            "dma.load: dma.load writes the local SRAM: dst must be sram[...]");
  EXPECT_EQ(check("dma.store src=hbm[0x0] dst=hbm[0x0] size=16"),
            "dma.store: dma.store reads the local SRAM: src must be sram[...]");
  EXPECT_EQ(check("dma.load src=hbm@3[0x0] dst=sram[0x0] size=16"),
            "dma.load: src is an HBM address and takes no core (@3)");
  EXPECT_EQ(check("dma.load src=hbm[0x0] dst=sram[0x0] size=16x0"), "dma.load: size[1] is 0");
  EXPECT_EQ(check("dma.load src=hbm[0x0] dst=sram[0x0] size=0"), "dma.load: size[0] is 0");
  EXPECT_EQ(check("dma.load src=hbm[0x0] dst=sram[0x0] size=256x4 dstStride=128"),
            "dma.load: dstStride[0] (128) is smaller than the row size (256): destination rows "
            "would overlap");
  EXPECT_EQ(check("dma.load src=hbm[0x0] dst=sram[0x0] size=256x4x2 dstStride=256,512"),
            "dma.load: dstStride[1] (512) is smaller than a destination plane (1024 bytes): "
            "planes would overlap");
  // Reading the same source row repeatedly (stride 0) is a broadcast, not an error.
  EXPECT_EQ(check("dma.load src=hbm[0x0] dst=sram[0x0] size=256x4 dstStride=256"), "ok");
}

TEST(Validator, TensorCoreConfigRules) {
  EXPECT_EQ(check("tc.config gang=4x4 precision=i32"),
            "tc.config: precision i32 is not a multiplier precision (i4, i8, f16, bf16, f32)");
  EXPECT_EQ(check(TcConfigInstr{Gang(3), DType::F16}), "tc.config: invalid gang value 3");
}

std::string gemmWith(const std::string &extra, const char *base = kGemm) {
  return check(std::string(base) + " " + extra);
}

TEST(Validator, GemmOperandPairsAndOutputs) {
  auto pair = [](const char *a, const char *b) {
    return check("gemm m=64 n=128 k=256 a=" + std::string(a) + " b=" + b +
                 " out=f32 A=[0x0] lda=256 B=[0x8000] ldb=256 transB C=[0x20000] ldc=128");
  };
  EXPECT_EQ(pair("i4", "i4"), "ok");
  EXPECT_EQ(pair("i8", "i8"), "ok");
  EXPECT_EQ(pair("i8", "i4"), "ok");
  EXPECT_EQ(pair("f16", "f16"), "ok");
  EXPECT_EQ(pair("bf16", "bf16"), "ok");
  EXPECT_EQ(pair("f32", "f32"), "ok");
  const std::string bad = "gemm: operand types a=%A b=%B are not a supported pair (i4 x i4, "
                          "i8 x i8, i8 x i4, f16 x f16, bf16 x bf16, f32 x f32)";
  auto badPair = [&](const char *a, const char *b) {
    std::string s = bad;
    s.replace(s.find("%A"), 2, a);
    s.replace(s.find("%B"), 2, b);
    return s;
  };
  EXPECT_EQ(pair("i4", "i8"), badPair("i4", "i8"));
  EXPECT_EQ(pair("f16", "bf16"), badPair("f16", "bf16"));
  EXPECT_EQ(pair("i8", "f16"), badPair("i8", "f16"));
  EXPECT_EQ(pair("i32", "i32"), badPair("i32", "i32"));

  std::string f16Out = kGemm;
  f16Out.replace(f16Out.find("out=f32"), 7, "out=i32");
  EXPECT_EQ(check(f16Out), "gemm: out=i32 needs integer operands; float operands give f32, f16 "
                           "or bf16");
  std::string i8Out = kQGemm;
  i8Out.replace(i8Out.find("out=f16"), 7, "out=i8");
  EXPECT_EQ(check(i8Out), "gemm: out=i8 is not a GEMM output type (i32, f32, f16, bf16)");
  std::string i32Out = kQGemm;
  i32Out.replace(i32Out.find("out=f16"), 7, "out=i32");
  EXPECT_EQ(check(i32Out), "ok");
  EXPECT_EQ(check(i32Out + " bScale=row scaleB=[0x10]"),
            "gemm: out=i32 keeps raw integer sums and takes no scales");
  EXPECT_EQ(check(i32Out + " act=relu"), "ok");
  EXPECT_EQ(check(i32Out + " act=silu"),
            "gemm: out=i32 allows act=none or act=relu (exact on integers), not act=silu");
  EXPECT_EQ(check(i32Out + " bias=[0x10]"), "gemm: out=i32 takes no bias");
}

TEST(Validator, GemmScales) {
  EXPECT_EQ(gemmWith("aScale=row scaleA=[0x10]"),
            "gemm: aScale needs integer a operands (a is f16)");
  EXPECT_EQ(gemmWith("bScale=row scaleB=[0x10]"),
            "gemm: bScale needs integer b operands (b is f16)");
  EXPECT_EQ(gemmWith("bScale=row scaleB=[0x10]", kQGemm), "ok");
  EXPECT_EQ(gemmWith("bScale=group scaleB=[0x10]", kQGemm),
            "gemm: groupSize is 0 but bScale is per-group");
  EXPECT_EQ(gemmWith("aScale=group scaleA=[0x10]", kQGemm),
            "gemm: groupSize is 0 but aScale is per-group");
  EXPECT_EQ(gemmWith("bScale=row scaleB=[0x10] groupSize=64", kQGemm),
            "gemm: groupSize is 64 but neither aScale nor bScale is per-group");
  EXPECT_EQ(gemmWith("bScale=group scaleB=[0x10] groupSize=96", kQGemm),
            "gemm: k (256) is not a multiple of groupSize (96)");
  EXPECT_EQ(gemmWith("bScale=row scaleB=[0x10] scaleType=bf16", kQGemm),
            "gemm: scaleType must be f32 or f16 (found bf16)");
  GemmInstr g = std::get<GemmInstr>(asm1(kQGemm));
  g.scaleB = SramRef{0, 0x40};
  EXPECT_EQ(check(g), "gemm: scaleB address [0x40] is set but bScale is none");
  g = std::get<GemmInstr>(asm1(kQGemm));
  g.scaleA = SramRef{2, 0x40};
  EXPECT_EQ(check(g), "gemm: scaleA address [r2+0x40] is set but aScale is none");
  g = std::get<GemmInstr>(asm1(kQGemm));
  g.bias = SramRef{0, 0x40};
  EXPECT_EQ(check(g), "gemm: bias address [0x40] is set but the bias is off");
}

TEST(Validator, GemmShapes) {
  std::string swiglu = kGemm;
  swiglu.replace(swiglu.find("n=128"), 5, "n=127");
  EXPECT_EQ(check(swiglu + " act=swiglu"),
            "gemm: act=swiglu needs an immediate, even n (gate and up halves), found n=127");
  swiglu.replace(swiglu.find("n=127"), 5, "n=r5");
  EXPECT_EQ(check(swiglu + " act=swiglu"),
            "gemm: act=swiglu needs an immediate, even n (gate and up halves), found n=r5");
  std::string zero = kGemm;
  zero.replace(zero.find("k=256"), 5, "k=0");
  EXPECT_EQ(check(zero), "gemm: k is 0");
  std::string lda = kGemm;
  lda.replace(lda.find("lda=256"), 7, "lda=128");
  EXPECT_EQ(check(lda), "gemm: lda (128) is smaller than k (256)");
  std::string ldb = kGemm;
  ldb.replace(ldb.find(" transB"), 7, "");
  EXPECT_EQ(check(ldb), "ok") << "ldb=256 covers n=128 without transB";
  ldb.replace(ldb.find("ldb=256"), 7, "ldb=64");
  EXPECT_EQ(check(ldb), "gemm: ldb (64) is smaller than n (128)");
  std::string ldc = kGemm;
  ldc.replace(ldc.find("ldc=128"), 7, "ldc=64");
  EXPECT_EQ(check(ldc), "gemm: ldc (64) is smaller than n (128)");
  EXPECT_EQ(check(ldc + " act=swiglu"), "ok") << "swiglu writes n/2 columns";
  std::string i4 = "gemm m=64 n=128 k=255 a=i4 b=i4 out=f32 A=[0x0] lda=255 B=[0x8000] ldb=256 "
                   "transB C=[0x20000] ldc=128";
  EXPECT_EQ(check(i4), "gemm: lda (255) must be even for the i4 a: every row starts on a byte");
  EXPECT_EQ(gemmWith("tcGroup=16"), "gemm: tcGroup 16 is out of range (0..15 or all)");
  // A single row needs no leading dimension (a decode step's GEMV).
  std::string gemv = kGemm;
  gemv.replace(gemv.find("m=64"), 4, "m=1");
  gemv.replace(gemv.find("lda=256"), 7, "lda=0");
  gemv.replace(gemv.find("ldc=128"), 7, "ldc=0");
  EXPECT_EQ(check(gemv), "ok");
  gemv.replace(gemv.find("m=1"), 3, "m=r4");
  EXPECT_EQ(check(gemv), "gemm: lda (0) is smaller than k (256)") << "r4 may hold more than 1";
  std::string misaligned = kGemm;
  misaligned.replace(misaligned.find("B=[0x8000]"), 10, "B=[0x8001]");
  EXPECT_EQ(check(misaligned), "gemm: B offset 0x8001 is not aligned to its 2-byte f16 elements");
  misaligned = kGemm;
  misaligned.replace(misaligned.find("B=[0x8000]"), 10, "B=[r2+0x8001]");
  EXPECT_EQ(check(misaligned), "ok") << "a register base is only known at run time";
  EXPECT_EQ(gemmWith("bias=[0x102]"), "gemm: bias offset 0x102 is not aligned to its 4-byte f32 "
                                      "elements");
}

std::string vec(const std::string &opAndFields) { return check(opAndFields + kVec); }

TEST(Validator, VectorRules) {
  EXPECT_EQ(vec("vexp in=f32 out=f32 bcast=row"),
            "vexp: bcast is only for vadd, vsub, vmul and vmax");
  EXPECT_EQ(vec("vexp in=f32 out=f32 causal"), "vexp: causal is only for vsoftmax");
  EXPECT_EQ(vec("vsoftmax in=f32 out=f32 ropeHalf"), "vsoftmax: ropeHalf is only for vrope");
  EXPECT_EQ(vec("vexp in=f32 out=f32 y=[0x10]"), "vexp: y is not used by vexp and must be [0x0]");
  EXPECT_EQ(vec("vexp in=f32 out=f32 in1=f16"),
            "vexp: in1 is not used by vexp and must be f32 (the default)");
  EXPECT_EQ(vec("vsoftmax in=f32 out=f32 pos=3"),
            "vsoftmax: pos is not used by vsoftmax and must be 0");
  EXPECT_EQ(vec("vadd in=f32 out=f32 bcast=scalar imm=1.0 y=[0x40]"),
            "vadd: y is not used by vadd with bcast=scalar and must be [0x0]");
  EXPECT_EQ(vec("vadd in=f32 in1=f32 out=f32 bcast=row y=[0x40] ld1=128"),
            "vadd: ld1 is not used by vadd with bcast=row and must be 0");
  EXPECT_EQ(vec("vexp in=f32 out=f32 fimm=2.0"), "vexp: fimm is not used by vexp and must be 0.0");
  EXPECT_EQ(vec("vadd in=f32 out=f32 bcast=scalar imm=nan"), "vadd: imm is NaN");
  EXPECT_EQ(vec("vexp in=i8 out=f32"), "vexp: vexp needs float in and out (found in=i8 out=f32)");
  EXPECT_EQ(vec("vrmsnorm in=f32 in1=i8 out=f32 y=[0x40] eps=1e-6"),
            "vrmsnorm: vrmsnorm needs float gamma/beta (in1 is i8)");
  EXPECT_EQ(vec("vargmax in=f32 out=f32"),
            "vargmax: vargmax writes indices: out must be i32 (found f32)");
  EXPECT_EQ(vec("vquant in=f32 in1=f32 out=f16 y=[0x40] ld1=1"),
            "vquant: vquant writes i8 or i4 (out is f16)");
  EXPECT_EQ(vec("vquant in=i8 in1=f32 out=i8 y=[0x40] ld1=1"),
            "vquant: vquant reads float x (in is i8)");
  EXPECT_EQ(vec("vquant in=f32 in1=bf16 out=i8 y=[0x40] ld1=1"),
            "vquant: vquant writes f32 or f16 scales (in1 is bf16)");
  EXPECT_EQ(vec("vdequant in=f16 in1=f32 out=f32 y=[0x40] ld1=1"),
            "vdequant: vdequant reads integer x (in is f16)");
  EXPECT_EQ(vec("vdequant in=i8 in1=f32 out=i32 y=[0x40] ld1=1"),
            "vdequant: vdequant writes float (out is i32)");
  EXPECT_EQ(vec("vquant in=f32 in1=f32 out=i8 y=[0x40] ld1=4 group=48"),
            "vquant: cols (128) is not a multiple of group (48)");
  EXPECT_EQ(vec("vquant in=f32 in1=f32 out=i8 y=[0x40] ld1=2 group=32"),
            "vquant: ld1 (2) is smaller than the number of scale groups (4)");
  EXPECT_EQ(vec("vcopy in=f32 out=f16"),
            "vcopy: vcopy does not convert: in (f32) and out (f16) must match; use vcast");
  EXPECT_EQ(vec("vsoftmax in=f32 out=f32 scale=inf"), "vsoftmax: scale (inf) must be finite");
  EXPECT_EQ(vec("vrmsnorm in=f32 in1=f32 out=f32 y=[0x40] eps=-1.0"),
            "vrmsnorm: eps (-1.0) must be a finite number >= 0");
  EXPECT_EQ(vec("vrope in=f32 out=f32 pos=0 head=63 theta=10000.0"),
            "vrope: head size (head=63) must be even and > 0");
  EXPECT_EQ(vec("vrope in=f32 out=f32 pos=0 head=96 theta=10000.0"),
            "vrope: cols (128) is not a multiple of the head size (96)");
  EXPECT_EQ(vec("vrope in=f32 out=f32 pos=0 head=64 theta=0.0"),
            "vrope: theta (0.0) must be a finite number > 0");
  EXPECT_EQ(check("vexp rows=0 cols=4 in=f32 out=f32 x=[0x0] ld0=4 dst=[0x0] ldd=4"),
            "vexp: rows is 0");
  EXPECT_EQ(check("vexp rows=2 cols=4 in=f32 out=f32 x=[0x0] ld0=3 dst=[0x0] ldd=4"),
            "vexp: ld0 (3) is smaller than cols (4)");
  EXPECT_EQ(check("vexp rows=2 cols=4 in=f32 out=f32 x=[0x0] ld0=4 dst=[0x0] ldd=2"),
            "vexp: ldd (2) is smaller than cols (4)");
  EXPECT_EQ(check("vtranspose rows=8 cols=4 in=f32 out=f32 x=[0x0] ld0=4 dst=[0x0] ldd=4"),
            "vtranspose: ldd (4) is smaller than rows (8)");
  EXPECT_EQ(check("vadd rows=2 cols=4 in=f32 in1=f32 out=f32 x=[0x0] ld0=4 y=[0x0] ld1=2 dst=[0x0] "
                  "ldd=4"),
            "vadd: ld1 (2) is smaller than cols (4)");
  EXPECT_EQ(check("vreduce.max rows=2 cols=4 in=f32 out=f32 x=[0x0] ld0=4 dst=[0x0] ldd=0"),
            "vreduce.max: ldd is 0: row results would overwrite each other");
  EXPECT_EQ(check("vexp rows=1 cols=4 in=f32 out=f32 x=[0x0] ld0=0 dst=[0x0] ldd=0"), "ok");
  EXPECT_EQ(check("vexp rows=2 cols=4 in=f32 out=f16 x=[0x0] ld0=4 dst=[0x21] ldd=4"),
            "vexp: dst offset 0x21 is not aligned to its 2-byte f16 elements");
  EXPECT_EQ(check("vcast rows=2 cols=5 in=f32 out=i4 x=[0x0] ld0=5 dst=[0x0] ldd=5"),
            "vcast: ldd (5) must be even for the i4 out: every row starts on a byte");
}

TEST(Validator, ProgramRules) {
  EXPECT_EQ(checkProgram("li r1, 1\n halt\n"), "ok");
  EXPECT_EQ(checkProgram(""), "the program is empty; it needs at least a halt");
  EXPECT_EQ(checkProgram("nop\nloop: jmp loop\n"), "the program has no halt instruction");
  EXPECT_EQ(checkProgram("halt\nnop\n"),
            "instruction 1 (nop): the program can run past its last instruction; end it with "
            "halt or jmp");
  EXPECT_EQ(checkProgram("bne r1, r2, 9\nhalt\n"),
            "instruction 0 (bne): branch target 9 is outside the program (2 instructions)");
  EXPECT_EQ(checkProgram("sem.wait compute, s4\nhalt\n"),
            "instruction 0 (sem.wait): semaphore s4 is never signalled in this program, so the "
            "wait can never finish");
  EXPECT_EQ(checkProgram("sem.wait compute, s4\nsem.signal load, s4\nhalt\n"), "ok");
  EXPECT_EQ(checkProgram("sem.wait load, s12\nsem.release compute, s12\nhalt\n"), "ok");
  EXPECT_EQ(checkProgram("nop\nnop\ndivui r1, r1, 0\nhalt\n"),
            "instruction 2 (divui): the divisor immediate is 0");
  EXPECT_EQ(checkProgram("nop\nstart:\n halt\n jmp start\n"), "ok");
}

ArchConfig smallArch() {
  ArchConfig arch;
  arch.numCores = 4;
  arch.core.sram.sizeBytes = 1 << 20;
  arch.core.tensorCores.count = 16;
  arch.core.tensorCores.macsPerCycle = {4096, 2048, 0, 1024, 1024, 0}; // no f32
  arch.hbm.stacks = 1;
  arch.hbm.capacityBytesPerStack = 1ull << 30;
  DvfsDomainConfig core;
  core.name = "core";
  core.points = {{"low", 0.7, 500}, {"high", 0.9, 1000}};
  DvfsDomainConfig mem;
  mem.name = "memory";
  mem.points = {{"nominal", 1.1, 1200}};
  arch.dvfs.domains = {core, mem};
  return arch;
}

TEST(Validator, ArchitectureRules) {
  ArchConfig arch = smallArch();
  auto withArch = [&](const std::string &line) { return checkProgram(line + "\nhalt\n", &arch); };
  EXPECT_EQ(withArch(kGemm), "ok");
  EXPECT_EQ(withArch("gemm m=64 n=128 k=256 a=f16 b=f16 out=f32 A=[0x100000] lda=256 B=[0x0] "
                     "ldb=256 transB C=[0x0] ldc=128"),
            "instruction 0 (gemm): A offset 0x100000 is outside the 1 MiB SRAM");
  EXPECT_EQ(withArch("vexp in=f32 out=f32 rows=1 cols=1 x=[0x0] ld0=1 dst=[0xfffff0] ldd=1"),
            "instruction 0 (vexp): dst offset 0xfffff0 is outside the 1 MiB SRAM");
  EXPECT_EQ(withArch("dma.load src=hbm[0x0] dst=sram[0xff000] size=4096"), "ok");
  EXPECT_EQ(withArch("dma.load src=hbm[0x0] dst=sram[0xff000] size=4097"),
            "instruction 0 (dma.load): dst range [0xff000, 0x100001) exceeds the 1 MiB SRAM");
  EXPECT_EQ(withArch("dma.load src=hbm[0x0] dst=sram[0xff000] size=4096x2 dstStride=4096"),
            "instruction 0 (dma.load): dst range [0xff000, 0x101000) exceeds the 1 MiB SRAM");
  EXPECT_EQ(
      withArch("dma.load src=hbm[0x3ffff000] dst=sram[0x0] size=8192"),
      "instruction 0 (dma.load): src range [0x3ffff000, 0x40001000) exceeds the 1 GiB of HBM");
  EXPECT_EQ(withArch("dma.load src=hbm[r1+0x3ffff000] dst=sram[0x0] size=8192"), "ok")
      << "a register base is only known at run time";
  EXPECT_EQ(withArch("dma.load src=sram@4[0x0] dst=sram[0x0] size=16"),
            "instruction 0 (dma.load): src names core 4 but the chip has 4 cores");
  EXPECT_EQ(withArch("barrier compute, 0, 0x1f"),
            "instruction 0 (barrier): core mask 0x1f names cores beyond the chip's 4");
  EXPECT_EQ(withArch("barrier compute, 0, 0xf"), "ok");
  EXPECT_EQ(withArch("dvfs.hint compute, own, 1"), "ok");
  EXPECT_EQ(withArch("dvfs.hint compute, own, 2"),
            "instruction 0 (dvfs.hint): operating point 2 does not exist in domain 'core' (2 "
            "points)");
  EXPECT_EQ(withArch("dvfs.hint compute, 1, 0"), "ok");
  EXPECT_EQ(withArch("dvfs.hint compute, 2, 0"),
            "instruction 0 (dvfs.hint): DVFS domain 2 does not exist (the arch has 2 domains)");
  EXPECT_EQ(withArch("tc.config gang=4x4 precision=f32"),
            "instruction 0 (tc.config): precision f32 is not supported by the tensor cores "
            "(macsPerCycle is 0)");
  EXPECT_EQ(withArch("gemm m=4 n=4 k=4 a=f32 b=f32 out=f32 A=[0x0] lda=4 B=[0x0] ldb=4 C=[0x0] "
                     "ldc=4"),
            "instruction 0 (gemm): f32 multiplies are not supported by the tensor cores");
  EXPECT_EQ(withArch("ld32 r1, [0x40000000]"),
            "instruction 0 (ld32): address 0x40000000 is outside the 1 GiB of HBM");
  arch.core.tensorCores.count = 8;
  EXPECT_EQ(withArch(std::string(kGemm) + " tcGroup=8"),
            "instruction 0 (gemm): tcGroup 8 does not exist (the core has 8 tensor cores)");
  arch.core.tensorCores.count = 6;
  EXPECT_EQ(withArch("tc.config gang=4x4 precision=f16"),
            "instruction 0 (tc.config): gang=4x4 needs a multiple of 4 tensor cores (the core "
            "has 6)");
  arch.dvfs.domains.erase(arch.dvfs.domains.begin());
  EXPECT_EQ(withArch("dvfs.hint compute, own, 0"),
            "instruction 0 (dvfs.hint): domain 'own' needs a DVFS domain named 'core' in the arch "
            "config");
}

} // namespace
} // namespace strata::isa
