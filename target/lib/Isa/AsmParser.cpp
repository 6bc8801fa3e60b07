//===- AsmParser.cpp - Instruction lines from assembly text ---------------===//
//
// A hand-written recursive-descent parser over one line. Every syntax error
// stops at the first problem and reports its column.
//
//===----------------------------------------------------------------------===//
#include "AsmParser.h"

#include "AsmCursor.h"
#include "AsmSyntax.h"
#include "strata/target/Assembly.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <functional>
#include <limits>

namespace strata::isa {

using namespace asmsyntax;

namespace asmparse {
namespace {

//===----------------------------------------------------------------------===//
// Per-class operand parsers
//===----------------------------------------------------------------------===//

bool parseScalar(Cursor &c, Opcode op, ScalarInstr &i) {
  i.op = op;
  if (!c.reg(i.rd, "rd"))
    return false;
  switch (scalarForm(op)) {
  case ScalarForm::RdImm:
    return c.comma() && c.i64(i.imm, "immediate");
  case ScalarForm::RdRsRs:
    return c.comma() && c.reg(i.rs1, "rs1") && c.comma() && c.reg(i.rs2, "rs2");
  case ScalarForm::RdRsImm:
    return c.comma() && c.reg(i.rs1, "rs1") && c.comma() && c.i64(i.imm, "immediate");
  case ScalarForm::RdMem: {
    if (!c.comma())
      return false;
    if (!c.consume('['))
      return c.fail("expected '[' to start the address of ld32, found " + c.found());
    c.skipSpace();
    if (c.isRegAhead()) {
      if (!c.reg(i.rs1, "rs1"))
        return false;
      c.skipSpace();
      if (c.peek() == '+' || c.peek() == '-') {
        bool neg = c.peek() == '-';
        c.consume(c.peek());
        c.skipSpace();
        uint64_t mag = 0;
        size_t col = c.pos();
        if (!c.u64(mag, "offset"))
          return false;
        if (mag > uint64_t(std::numeric_limits<int64_t>::max()) + (neg ? 1 : 0))
          return c.fail(col, "offset does not fit in a signed 64-bit immediate");
        i.imm = neg ? int64_t(uint64_t(0) - mag) : int64_t(mag);
      }
    } else if (!c.i64(i.imm, "address")) {
      return false;
    }
    c.skipSpace();
    if (!c.consume(']'))
      return c.fail("expected ']' to close the address of ld32, found " + c.found());
    return true;
  }
  }
  return true;
}

bool parseBranch(Cursor &c, Opcode op, BranchInstr &i, CodeLine &out) {
  i.op = op;
  if (op != Opcode::Jmp) {
    if (!c.reg(i.rs1, "rs1") || !c.comma() || !c.reg(i.rs2, "rs2") || !c.comma())
      return false;
  }
  if (std::isdigit(static_cast<unsigned char>(c.peek())))
    return c.unsignedField(i.target, "branch target");
  size_t col = c.pos();
  std::string_view label = c.ident();
  if (label.empty())
    return c.fail("expected a label or an instruction index as the branch target, found " +
                  c.found());
  out.targetLabel = std::string(label);
  out.targetCol = col;
  return true;
}

bool parseSync(Cursor &c, Opcode op, SyncInstr &i) {
  i.op = op;
  if (!c.enumWord(i.queue, &parseQueue, "queue", "load, compute, store") || !c.comma())
    return false;
  switch (op) {
  case Opcode::SemSignal:
  case Opcode::SemRelease:
  case Opcode::SemWait: {
    size_t col = c.pos();
    if (c.peek() != 's' || !std::isdigit(static_cast<unsigned char>(c.peek(1))))
      return c.fail("expected a semaphore (s0..s" + std::to_string(kNumSemaphores - 1) +
                    "), found " + c.found());
    c.consume('s');
    if (!c.unsignedField(i.id, "semaphore number"))
      return false;
    if (i.id >= kNumSemaphores)
      return c.fail(col, "semaphore s" + std::to_string(i.id) + " does not exist (s0..s" +
                             std::to_string(kNumSemaphores - 1) + ")");
    i.value = 1;
    if (!c.atEnd())
      return c.comma() && c.unsignedField(i.value, "count");
    return true;
  }
  case Opcode::Barrier:
    return c.unsignedField(i.id, "barrier id") && c.comma() &&
           c.unsignedField(i.value, "core mask");
  default: { // DvfsHint
    size_t start = c.pos();
    if (c.ident() == "own") {
      i.id = kOwnCoreDomain;
    } else {
      c.setPos(start);
      if (!c.unsignedField(i.id, "clock domain index"))
        return false;
      if (i.id == kOwnCoreDomain)
        return c.fail(start, "domain index 255 means the own core's domain; write 'own'");
    }
    return c.comma() && c.unsignedField(i.value, "operating-point index");
  }
  }
}

bool parseDma(Cursor &c, Opcode op, DmaInstr &i) {
  i.op = op;
  enum { Src, Dst, Size, SrcStride, DstStride };
  KeyValues kv(c, mnemonic(op));
  kv.add("src", Src, [&](Cursor &c) { return c.memRef(i.src, "src"); });
  kv.add("dst", Dst, [&](Cursor &c) { return c.memRef(i.dst, "dst"); });
  kv.add("size", Size, [&](Cursor &c) {
    for (unsigned d = 0; d < 3; ++d) {
      if (d > 0 && !c.consume('x'))
        break;
      if (!c.dim(i.size[d], d == 0 ? "size" : "count", "x"))
        return false;
    }
    if (c.peek() == 'x')
      return c.fail("a DMA has at most 3 dimensions");
    return true;
  });
  auto strides = [](uint32_t s[2]) {
    return [s](Cursor &c) {
      if (!c.unsignedField(s[0], "stride"))
        return false;
      if (c.peek() == ',' && std::isdigit(static_cast<unsigned char>(c.peek(1)))) {
        c.consume(',');
        return c.unsignedField(s[1], "stride");
      }
      return true;
    };
  };
  kv.add("srcStride", SrcStride, strides(i.srcStride));
  kv.add("dstStride", DstStride, strides(i.dstStride));
  return kv.run() && kv.require(Src, "src") && kv.require(Dst, "dst") &&
         kv.require(Size, "size");
}

bool parseTcConfig(Cursor &c, TcConfigInstr &i) {
  enum { GangF, Prec };
  KeyValues kv(c, "tc.config");
  kv.add("gang", GangF,
         [&](Cursor &c) { return c.enumWord(i.gang, &parseGang, "gang", "16x1, 4x4, 1x16"); });
  kv.add("precision", Prec, [&](Cursor &c) { return c.dtype(i.precision, "precision"); });
  return kv.run() && kv.require(GangF, "gang") && kv.require(Prec, "precision");
}

bool parseGemm(Cursor &c, GemmInstr &i) {
  enum {
    M, N, K, TA, TB, TOut, A, Lda, B, Ldb, TransB, C, Ldc, Acc, Act, Bias, AScale, ScaleA,
    BScale, ScaleB, ScaleType, GroupSize, TcGroup
  };
  KeyValues kv(c, "gemm");
  kv.add("m", M, [&](Cursor &c) { return c.dim(i.m, "m"); });
  kv.add("n", N, [&](Cursor &c) { return c.dim(i.n, "n"); });
  kv.add("k", K, [&](Cursor &c) { return c.dim(i.k, "k"); });
  kv.add("a", TA, [&](Cursor &c) { return c.dtype(i.a, "a"); });
  kv.add("b", TB, [&](Cursor &c) { return c.dtype(i.b, "b"); });
  kv.add("out", TOut, [&](Cursor &c) { return c.dtype(i.out, "out"); });
  kv.add("A", A, [&](Cursor &c) { return c.sramRef(i.A, "A"); });
  kv.add("B", B, [&](Cursor &c) { return c.sramRef(i.B, "B"); });
  kv.add("C", C, [&](Cursor &c) { return c.sramRef(i.C, "C"); });
  kv.add("lda", Lda, [&](Cursor &c) { return c.unsignedField(i.lda, "lda"); });
  kv.add("ldb", Ldb, [&](Cursor &c) { return c.unsignedField(i.ldb, "ldb"); });
  kv.add("ldc", Ldc, [&](Cursor &c) { return c.unsignedField(i.ldc, "ldc"); });
  kv.flag("transB", TransB, [&] { i.transB = true; });
  kv.flag("accumulate", Acc, [&] { i.accumulate = true; });
  kv.add("act", Act, [&](Cursor &c) {
    return c.enumWord(i.act, &parseActivation, "activation",
                      "none, relu, silu, gelu.tanh, gelu.erf, swiglu");
  });
  kv.add("bias", Bias, [&](Cursor &c) {
    i.hasBias = true;
    return c.sramRef(i.bias, "bias");
  });
  kv.add("aScale", AScale, [&](Cursor &c) {
    return c.enumWord(i.aScale, &parseScaleMode, "scale mode", "none, row, group");
  });
  kv.add("bScale", BScale, [&](Cursor &c) {
    return c.enumWord(i.bScale, &parseScaleMode, "scale mode", "none, row, group");
  });
  kv.add("scaleA", ScaleA, [&](Cursor &c) { return c.sramRef(i.scaleA, "scaleA"); });
  kv.add("scaleB", ScaleB, [&](Cursor &c) { return c.sramRef(i.scaleB, "scaleB"); });
  kv.add("scaleType", ScaleType, [&](Cursor &c) { return c.dtype(i.scaleType, "scaleType"); });
  kv.add("groupSize", GroupSize,
         [&](Cursor &c) { return c.unsignedField(i.groupSize, "groupSize"); });
  kv.add("tcGroup", TcGroup, [&](Cursor &c) {
    size_t start = c.pos();
    if (c.ident() == "all") {
      i.tcGroup = kAllTcGroups;
      return true;
    }
    c.setPos(start);
    return c.unsignedField(i.tcGroup, "tcGroup");
  });
  if (!kv.run())
    return false;
  const std::pair<int, std::string_view> required[] = {
      {M, "m"},     {N, "n"},     {K, "k"}, {TA, "a"},   {TB, "b"},     {TOut, "out"},
      {A, "A"},     {Lda, "lda"}, {B, "B"}, {Ldb, "ldb"}, {C, "C"},     {Ldc, "ldc"}};
  for (const auto &[field, key] : required)
    if (!kv.require(field, key))
      return false;
  if (i.aScale != ScaleMode::None && !kv.require(ScaleA, "scaleA"))
    return false;
  if (i.bScale != ScaleMode::None && !kv.require(ScaleB, "scaleB"))
    return false;
  return true;
}

bool parseVec(Cursor &c, Opcode op, VecInstr &i) {
  i.op = op;
  enum {
    Rows, Cols, In, In1, Out, Bcast, Causal, RopeHalf, X, Ld0, Y, Ld1, Z, Dst, Ldd, Aux, Aux2,
    Fimm
  };
  VecForm keys = vecKeys(op);
  KeyValues kv(c, mnemonic(op));
  kv.add("rows", Rows, [&](Cursor &c) { return c.dim(i.rows, "rows"); });
  kv.add("cols", Cols, [&](Cursor &c) { return c.dim(i.cols, "cols"); });
  kv.add("in", In, [&](Cursor &c) { return c.dtype(i.in, "in"); });
  kv.add("in1", In1, [&](Cursor &c) { return c.dtype(i.in1, "in1"); });
  kv.add("out", Out, [&](Cursor &c) { return c.dtype(i.out, "out"); });
  kv.add("bcast", Bcast, [&](Cursor &c) {
    return c.enumWord(i.bcast, &parseBroadcast, "broadcast mode", "none, row, col, scalar");
  });
  kv.flag("causal", Causal, [&] { i.causal = true; });
  kv.flag("ropeHalf", RopeHalf, [&] { i.ropeHalf = true; });
  kv.add("x", X, [&](Cursor &c) { return c.sramRef(i.x, "x"); });
  kv.add("y", Y, [&](Cursor &c) { return c.sramRef(i.y, "y"); });
  kv.add("z", Z, [&](Cursor &c) { return c.sramRef(i.z, "z"); });
  kv.add("dst", Dst, [&](Cursor &c) { return c.sramRef(i.dst, "dst"); });
  kv.add("ld0", Ld0, [&](Cursor &c) { return c.unsignedField(i.ld0, "ld0"); });
  kv.add("ld1", Ld1, [&](Cursor &c) { return c.unsignedField(i.ld1, "ld1"); });
  kv.add("ldd", Ldd, [&](Cursor &c) { return c.unsignedField(i.ldd, "ldd"); });
  auto auxParse = [&](Cursor &c) { return c.dim(i.aux, "aux"); };
  auto aux2Parse = [&](Cursor &c) { return c.unsignedField(i.aux2, "aux2"); };
  auto fimmParse = [&](Cursor &c) { return c.f32(i.fimm, "float immediate"); };
  kv.add("aux", Aux, auxParse);
  kv.add("aux2", Aux2, aux2Parse);
  kv.add("fimm", Fimm, fimmParse);
  if (keys.auxKey != "aux")
    kv.add(keys.auxKey, Aux, auxParse);
  if (keys.aux2Key != "aux2")
    kv.add(keys.aux2Key, Aux2, aux2Parse);
  if (keys.fimmKey != "fimm")
    kv.add(keys.fimmKey, Fimm, fimmParse);
  if (!kv.run())
    return false;

  VecForm f = vecForm(i);
  const std::pair<int, std::string_view> always[] = {{Rows, "rows"}, {Cols, "cols"}, {In, "in"},
                                                     {Out, "out"},   {X, "x"},       {Ld0, "ld0"},
                                                     {Dst, "dst"},   {Ldd, "ldd"}};
  for (const auto &[field, key] : always)
    if (!kv.require(field, key))
      return false;
  if ((f.y && !kv.require(Y, "y")) || (f.ld1 && !kv.require(Ld1, "ld1")) ||
      (f.z && !kv.require(Z, "z")) || (f.in1 && !kv.require(In1, "in1")) ||
      (f.aux && !kv.require(Aux, f.auxKey)) ||
      (f.aux2 && !f.aux2Optional && !kv.require(Aux2, f.aux2Key)))
    return false;
  if (f.fimm && !kv.has(Fimm)) {
    // A softmax without a scale means no scaling, not a scale of zero.
    if (op != Opcode::VSoftmax)
      return kv.require(Fimm, f.fimmKey);
    i.fimm = 1.0f;
  }
  return true;
}

} // namespace

bool parseCodeLine(std::string_view line, CodeLine &out, LineError &err) {
  out = CodeLine{};
  Cursor c(line);
  if (c.atEnd())
    return true;

  size_t start = c.pos();
  std::string_view w = c.word();
  if (!w.empty() && c.peek() == ':') {
    if (!isIdentStart(w[0]) || w.find('.') != std::string_view::npos) {
      err = {start, "invalid label '" + std::string(w) +
                        "' (labels are letters, digits and '_', not starting with a digit)"};
      return false;
    }
    if (w.size() >= 2 && w[0] == 'r' &&
        w.find_first_not_of("0123456789", 1) == std::string_view::npos) {
      err = {start, "label '" + std::string(w) + "' looks like a register"};
      return false;
    }
    out.label = std::string(w);
    out.labelCol = start;
    c.consume(':');
    if (c.atEnd())
      return true;
    start = c.pos();
    w = c.word();
  }

  if (w.empty()) {
    err = {start, "expected an instruction mnemonic, found " + c.found()};
    return false;
  }
  std::optional<Opcode> op = parseMnemonic(w);
  if (!op) {
    err = {start, "unknown instruction '" + std::string(w) + "'"};
    return false;
  }
  out.hasInstr = true;
  out.instrCol = start;
  char next = c.peek();
  if (next != '\0' && next != ' ' && next != '\t' && next != '\r' && !isCommentChar(next)) {
    err = {c.pos(), "expected a space after '" + std::string(w) + "', found " + c.found()};
    return false;
  }
  c.skipSpace();

  bool ok = true;
  Opcode opcode = *op;
  if (opcode == Opcode::Nop || opcode == Opcode::Halt || opcode == Opcode::Fence) {
    out.instr = ControlInstr{opcode};
  } else if (isScalarClass(opcode)) {
    ScalarInstr i;
    ok = parseScalar(c, opcode, i);
    out.instr = i;
  } else if (isBranchClass(opcode)) {
    BranchInstr i;
    ok = parseBranch(c, opcode, i, out);
    out.instr = i;
  } else if (isSyncClass(opcode)) {
    SyncInstr i;
    ok = parseSync(c, opcode, i);
    out.instr = i;
  } else if (opcode == Opcode::DmaLoad || opcode == Opcode::DmaStore) {
    DmaInstr i;
    ok = parseDma(c, opcode, i);
    out.instr = i;
  } else if (opcode == Opcode::TcConfig) {
    TcConfigInstr i;
    ok = parseTcConfig(c, i);
    out.instr = i;
  } else if (opcode == Opcode::Gemm) {
    GemmInstr i;
    ok = parseGemm(c, i);
    out.instr = i;
  } else {
    VecInstr i;
    ok = parseVec(c, opcode, i);
    out.instr = i;
  }
  if (ok && !c.atEnd())
    c.fail("unexpected " + c.found() + " after the operands of " + std::string(w));
  if (c.failed()) {
    err = c.error();
    return false;
  }
  return true;
}

bool ProgramBuilder::add(const CodeLine &line, size_t lineNo, LineError &err) {
  if (!line.label.empty()) {
    auto [it, inserted] = labels_.emplace(
        line.label, std::make_pair(uint32_t(instrs_.size()), SourcePos{lineNo, line.labelCol}));
    if (!inserted) {
      err = {line.labelCol, "label '" + line.label + "' is already defined on line " +
                                std::to_string(it->second.second.line)};
      return false;
    }
  }
  if (line.hasInstr) {
    if (!line.targetLabel.empty())
      fixups_.push_back({instrs_.size(), line.targetLabel, SourcePos{lineNo, line.targetCol}});
    instrs_.push_back(line.instr);
    positions_.push_back(SourcePos{lineNo, line.instrCol});
  }
  return true;
}

bool ProgramBuilder::finish(std::vector<Instr> &program, SourcePos &errPos,
                            std::string &message) {
  for (const Fixup &f : fixups_) {
    auto it = labels_.find(f.label);
    if (it == labels_.end()) {
      errPos = f.pos;
      message = "undefined label '" + f.label + "'";
      return false;
    }
    std::get<BranchInstr>(instrs_[f.index]).target = it->second.first;
  }
  program = instrs_;
  return true;
}

} // namespace asmparse

Expected<Instr> parseInstr(std::string_view line) {
  asmparse::CodeLine parsed;
  asmparse::LineError err;
  if (line.find('\n') != std::string_view::npos)
    return Error("expected one line, found a line break");
  if (!asmparse::parseCodeLine(line, parsed, err))
    return Error("column " + std::to_string(err.col + 1) + ": " + err.message);
  if (!parsed.label.empty())
    return Error("column " + std::to_string(parsed.labelCol + 1) +
                 ": a label needs a whole program (parseProgram or assemble)");
  if (!parsed.hasInstr)
    return Error("no instruction on the line");
  if (!parsed.targetLabel.empty())
    return Error("column " + std::to_string(parsed.targetCol + 1) + ": branch target '" +
                 parsed.targetLabel +
                 "' is a label; labels need a whole program (parseProgram or assemble)");
  return parsed.instr;
}

Expected<std::vector<Instr>> parseProgram(std::string_view text) {
  asmparse::ProgramBuilder builder;
  size_t lineNo = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos)
      end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    ++lineNo;
    asmparse::CodeLine parsed;
    asmparse::LineError err;
    if (!asmparse::parseCodeLine(line, parsed, err) || !builder.add(parsed, lineNo, err))
      return Error("line " + std::to_string(lineNo) + ", column " + std::to_string(err.col + 1) +
                   ": " + err.message);
    pos = end + 1;
  }
  std::vector<Instr> program;
  asmparse::SourcePos errPos;
  std::string message;
  if (!builder.finish(program, errPos, message))
    return Error("line " + std::to_string(errPos.line) + ", column " +
                 std::to_string(errPos.col + 1) + ": " + message);
  return program;
}

} // namespace strata::isa
