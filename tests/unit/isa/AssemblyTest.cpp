//===- AssemblyTest.cpp - Instruction printer and parser ------------------===//
#include "RandomInstr.h"

#include "strata/target/Assembly.h"
#include "strata/target/Encoding.h"

#include <gtest/gtest.h>

namespace strata::isa {
namespace {

using testing::allOpcodes;
using testing::RandomInstr;

Instr parseOk(std::string_view line) {
  Expected<Instr> r = parseInstr(line);
  EXPECT_TRUE(r) << line << "\n" << (r ? "" : r.message());
  return r ? *r : Instr{};
}

std::string parseError(std::string_view line) {
  Expected<Instr> r = parseInstr(line);
  return r ? "<parsed: " + printInstr(*r) + ">" : r.message();
}

TEST(Assembly, EveryOpcodeRoundTripsThroughText) {
  RandomInstr rng(0xa55);
  for (Opcode op : allOpcodes()) {
    SCOPED_TRACE(std::string(mnemonic(op)));
    for (int trial = 0; trial < 200; ++trial) {
      Instr instr = rng.make(op, /*canonical=*/true);
      std::string text = printInstr(instr);
      Expected<Instr> back = parseInstr(text);
      ASSERT_TRUE(back) << text << "\n" << back.message();
      EXPECT_TRUE(sameEncoding(instr, *back)) << text << "\nreprinted: " << printInstr(*back);
      EXPECT_EQ(printInstr(*back), text);
    }
  }
}

TEST(Assembly, PrintsReadableText) {
  GemmInstr g;
  g.m = Dim::imm(64);
  g.n = Dim::imm(128);
  g.k = Dim::imm(256);
  g.A = SramRef{0, 0};
  g.lda = 256;
  g.B = SramRef{3, 0x8000};
  g.ldb = 256;
  g.transB = true;
  g.C = SramRef{0, 0x20000};
  g.ldc = 128;
  g.act = Activation::Silu;
  EXPECT_EQ(printInstr(g), "gemm m=64 n=128 k=256 a=f16 b=f16 out=f32 A=[0x0] lda=256 "
                           "B=[r3+0x8000] ldb=256 transB C=[0x20000] ldc=128 act=silu");

  DmaInstr d;
  d.op = Opcode::DmaLoad;
  d.src = MemRef{Space::Hbm, kLocalCore, 2, 0x1000};
  d.dst = MemRef{Space::Sram, kLocalCore, 0, 0};
  d.size[0] = Dim::imm(256);
  d.size[1] = Dim::reg(5);
  d.srcStride[0] = 4096;
  EXPECT_EQ(printInstr(d), "dma.load src=hbm[r2+0x1000] dst=sram[0x0] size=256xr5 srcStride=4096");
  d.op = Opcode::DmaStore;
  d.src = MemRef{Space::Sram, kLocalCore, 0, 0x40};
  d.dst = MemRef{Space::Sram, 3, 1, 0};
  d.size[2] = Dim::imm(2);
  d.dstStride[0] = 256;
  d.dstStride[1] = 65536;
  EXPECT_EQ(printInstr(d), "dma.store src=sram[0x40] dst=sram@3[r1] size=256xr5x2 "
                           "srcStride=4096 dstStride=256,65536");

  VecInstr v;
  v.op = Opcode::VSoftmax;
  v.rows = Dim::reg(4);
  v.cols = Dim::imm(128);
  v.ld0 = v.ldd = 128;
  v.x = SramRef{0, 0x1000};
  v.dst = SramRef{0, 0x1000};
  v.fimm = 0.125f;
  v.causal = true;
  v.aux = Dim::reg(6);
  EXPECT_EQ(printInstr(v), "vsoftmax rows=r4 cols=128 in=f32 out=f32 causal x=[0x1000] ld0=128 "
                           "dst=[0x1000] ldd=128 pos=r6 scale=0.125");

  EXPECT_EQ(printInstr(ScalarInstr{Opcode::Li, 1, 0, 0, -5}), "li r1, -5");
  EXPECT_EQ(printInstr(ScalarInstr{Opcode::Addi, 1, 2, 0, 16}), "addi r1, r2, 16");
  EXPECT_EQ(printInstr(ScalarInstr{Opcode::Ld32, 1, 2, 0, -8}), "ld32 r1, [r2-0x8]");
  EXPECT_EQ(printInstr(ScalarInstr{Opcode::Ld32, 1, 0, 0, 0}), "ld32 r1, [r0+0x0]");
  EXPECT_EQ(printInstr(BranchInstr{Opcode::Bne, 1, 2, 7}), "bne r1, r2, 7");
  EXPECT_EQ(printInstr(SyncInstr{Opcode::SemWait, Queue::Compute, 3, 1}), "sem.wait compute, s3");
  EXPECT_EQ(printInstr(SyncInstr{Opcode::SemSignal, Queue::Load, 0, 2}), "sem.signal load, s0, 2");
  EXPECT_EQ(printInstr(SyncInstr{Opcode::SemRelease, Queue::Compute, 12, 1}),
            "sem.release compute, s12");
  EXPECT_EQ(printInstr(SyncInstr{Opcode::Barrier, Queue::Store, 1, 0xff}),
            "barrier store, 1, 0xff");
  EXPECT_EQ(printInstr(SyncInstr{Opcode::DvfsHint, Queue::Compute, kOwnCoreDomain, 2}),
            "dvfs.hint compute, own, 2");
  EXPECT_EQ(printInstr(TcConfigInstr{Gang::Quad, DType::I8}), "tc.config gang=4x4 precision=i8");
  EXPECT_EQ(printInstr(ControlInstr{Opcode::Halt}), "halt");
}

TEST(Assembly, ParsesFlexibleSpacingCommasAndComments) {
  Instr a = parseOk("  gemm m=64, n=128 , k=r5 a=i8 b=i4 out=f16 A=[ r1 + 0x10 ] lda=256 "
                    "B=[0x0] ldb=256 transB C=[0x100] ldc=128 bScale=group scaleB=[0x40] "
                    "groupSize=32 # trailing comment");
  const auto &g = std::get<GemmInstr>(a);
  EXPECT_EQ(g.k, Dim::reg(5));
  EXPECT_EQ(g.A, (SramRef{1, 0x10}));
  EXPECT_EQ(g.bScale, ScaleMode::PerGroup);
  EXPECT_EQ(g.groupSize, 32);
  EXPECT_TRUE(g.transB);
  EXPECT_EQ(g.tcGroup, kAllTcGroups);

  Instr l = parseOk("ld32 r3, [r2 + 16] ; comment");
  EXPECT_EQ(std::get<ScalarInstr>(l).imm, 16);
  Instr li = parseOk("li r1, 0xffffffffffffffff");
  EXPECT_EQ(std::get<ScalarInstr>(li).imm, -1);
  Instr sm = parseOk("vsoftmax rows=4 cols=8 in=f32 out=f16 x=[0x0] ld0=8 dst=[0x100] ldd=8");
  EXPECT_EQ(std::get<VecInstr>(sm).fimm, 1.0f) << "a softmax without scale= does not scale";
  Instr q = parseOk("vquant rows=4 cols=64 in=f32 in1=f16 out=i8 x=[0x0] ld0=64 y=[0x400] ld1=2 "
                    "dst=[0x800] ldd=64 group=32");
  EXPECT_EQ(std::get<VecInstr>(q).aux2, 32);
  Instr t = parseOk("gemm m=1 n=1 k=1 a=f32 b=f32 out=f32 A=[0] lda=1 B=[0] ldb=1 C=[0] ldc=1 "
                    "tcGroup=all");
  EXPECT_EQ(std::get<GemmInstr>(t).tcGroup, kAllTcGroups);
}

TEST(Assembly, ParseErrorsSayWhatAndWhere) {
  EXPECT_EQ(parseError("gemx m=1"), "column 1: unknown instruction 'gemx'");
  EXPECT_EQ(parseError("gemm m=64 lbd=3"), "column 11: unknown key 'lbd' for gemm");
  EXPECT_EQ(parseError("gemm m=64 m=32"), "column 11: key 'm' is given twice");
  EXPECT_EQ(parseError("vsoftmax scale=1.0 fimm=2.0"),
            "column 20: key 'fimm' sets the same field as 'scale'");
  EXPECT_EQ(parseError("gemm m=64 n=64 k=64 a=f16 b=f16 out=f32 A=[0] lda=64 B=[0] ldb=64 C=[0]"),
            "column 72: gemm needs ldc=...");
  EXPECT_EQ(parseError("gemm m=6x4"), "column 8: invalid m '6x4'");
  EXPECT_EQ(parseError("gemm m=r32"), "column 8: register r32 does not exist (r0..r31)");
  EXPECT_EQ(parseError("gemm a=f17"),
            "column 8: unknown dtype 'f17' for a (expected i4, i8, i32, f16, bf16, f32)");
  EXPECT_EQ(parseError("gemm A=[0x8000000]"),
            "column 18: offset 0x8000000 of A exceeds the largest SRAM address offset 0x7ffffff");
  EXPECT_EQ(parseError("gemm A=0x10"), "column 8: expected '[' to start the SRAM address of A, "
                                       "found '0x10'");
  EXPECT_EQ(parseError("gemm A=[r1+0x10"),
            "column 16: expected ']' to close the SRAM address of A, found end of line");
  EXPECT_EQ(parseError("gemm transB=1"), "column 12: 'transB' is a flag and takes no value");
  EXPECT_EQ(parseError("gemm lda"), "column 9: key 'lda' needs a value (lda=...)");
  EXPECT_EQ(parseError("gemm m=99999999999"), "column 8: m 99999999999 does not fit in 32 bits");
  EXPECT_EQ(parseError("gemm act=tanh"),
            "column 10: unknown activation 'tanh' (expected none, relu, silu, gelu.tanh, "
            "gelu.erf, swiglu)");
  EXPECT_EQ(parseError("add r1, r2"), "column 11: expected ',' before the next operand, found "
                                      "end of line");
  EXPECT_EQ(parseError("add r1 r2, r3"),
            "column 8: expected ',' before the next operand, found 'r2'");
  EXPECT_EQ(parseError("addi r1, r2, 12q"), "column 14: invalid immediate '12q'");
  EXPECT_EQ(parseError("li r1, 1 2"), "column 10: unexpected '2' after the operands of li");
  EXPECT_EQ(parseError("jmp loop"), "column 5: branch target 'loop' is a label; labels need a "
                                    "whole program (parseProgram or assemble)");
  EXPECT_EQ(parseError("sem.wait compute, s32"),
            "column 19: semaphore s32 does not exist (s0..s31)");
  EXPECT_EQ(parseError("sem.wait later, s1"),
            "column 10: unknown queue 'later' (expected load, compute, store)");
  EXPECT_EQ(parseError("dma.load src=dram[0x0] dst=sram[0x0] size=16"),
            "column 14: expected hbm[...] or sram[...] for src, found 'dram[0x0]'");
  EXPECT_EQ(parseError("dma.load src=hbm[0x0] dst=sram[0x0] size=1x2x3x4"),
            "column 47: a DMA has at most 3 dimensions");
  EXPECT_EQ(parseError("dma.load src=hbm[0x0] dst=sram[0x0]"),
            "column 36: dma.load needs size=...");
  EXPECT_EQ(parseError("gemm m=1A=[0x0]"), "column 8: invalid m '1A'");
  EXPECT_EQ(parseError("gemm A=[0x0]lda=1"),
            "column 13: expected a space or ',' between operands, found 'lda=1'");
  EXPECT_EQ(parseError("halt,"), "column 5: expected a space after 'halt', found ','");
  EXPECT_EQ(parseError("loop: halt"), "column 1: a label needs a whole program (parseProgram or "
                                      "assemble)");
  EXPECT_EQ(parseError("   # only a comment"), "no instruction on the line");
  EXPECT_EQ(parseError("vexp rows=1 cols=1 in=f32 out=f32 x=[0] ld0=1 dst=[0] ldd=1 fimm=1.5x"),
            "column 66: invalid float immediate '1.5x'");
}

TEST(Assembly, ProgramsUseLabels) {
  std::string_view text = R"(
    li r1, 0          # counter
    li r2, 4
  loop:
    addi r1, r1, 1
    bne r1, r2, loop  ; back edge
    beq r1, r2, done
  done: halt
)";
  Expected<std::vector<Instr>> p = parseProgram(text);
  ASSERT_TRUE(p) << p.message();
  ASSERT_EQ(p->size(), 6u);
  EXPECT_EQ(std::get<BranchInstr>((*p)[3]).target, 2u);
  EXPECT_EQ(std::get<BranchInstr>((*p)[4]).target, 5u);

  std::string printed = printProgram(*p);
  EXPECT_EQ(printed, "    li r1, 0\n"
                     "    li r2, 4\n"
                     "  L2:\n"
                     "    addi r1, r1, 1\n"
                     "    bne r1, r2, L2\n"
                     "    beq r1, r2, L5\n"
                     "  L5:\n"
                     "    halt\n");
  Expected<std::vector<Instr>> again = parseProgram(printed);
  ASSERT_TRUE(again) << again.message();
  EXPECT_TRUE(sameEncoding(*p, *again));

  ProgramPrintOptions opts;
  opts.indices = true;
  std::string withIdx = printProgram(*p, opts);
  EXPECT_NE(withIdx.find("# 3\n"), std::string::npos);
  Expected<std::vector<Instr>> third = parseProgram(withIdx);
  ASSERT_TRUE(third) << third.message();
  EXPECT_TRUE(sameEncoding(*p, *third));
}

TEST(Assembly, ProgramErrorsNameLineAndColumn) {
  auto err = [](std::string_view text) {
    Expected<std::vector<Instr>> p = parseProgram(text);
    return p ? std::string("<parsed>") : p.message();
  };
  EXPECT_EQ(err("halt\n  jmp lop\nloop: halt\n"), "line 2, column 7: undefined label 'lop'");
  EXPECT_EQ(err("a: nop\na: halt\n"), "line 2, column 1: label 'a' is already defined on line 1");
  EXPECT_EQ(err("nop\n\n  r3: halt\n"), "line 3, column 3: label 'r3' looks like a register");
  EXPECT_EQ(err("nop\n1abc: halt\n"),
            "line 2, column 1: invalid label '1abc' (labels are letters, digits and '_', not "
            "starting with a digit)");
}

} // namespace
} // namespace strata::isa
