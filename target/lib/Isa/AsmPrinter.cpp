//===- AsmPrinter.cpp - Instructions and programs as assembly text --------===//
//
// Each instruction prints its operands in a fixed order. Key=value classes
// (DMA, tensor core, vector) always print the keys their opcode uses and any
// other field that differs from the struct's default, which is what makes the
// text lossless.
//
//===----------------------------------------------------------------------===//
#include "strata/target/Assembly.h"

#include "AsmSyntax.h"

#include <cmath>
#include <map>

namespace strata::isa {

using namespace asmsyntax;

namespace {

std::string reg(unsigned r) { return "r" + std::to_string(r); }

std::string dim(const Dim &d) { return d.isReg ? reg(d.value) : std::to_string(d.value); }

std::string sramRef(const SramRef &r) {
  if (r.reg == 0)
    return "[" + hex(r.offset) + "]";
  if (r.offset == 0)
    return "[" + reg(r.reg) + "]";
  return "[" + reg(r.reg) + "+" + hex(r.offset) + "]";
}

std::string memRef(const MemRef &m) {
  std::string s = m.space == Space::Hbm ? "hbm" : m.space == Space::Sram ? "sram" : "?";
  if (m.core != kLocalCore)
    s += "@" + std::to_string(m.core);
  if (m.reg == 0)
    return s + "[" + hex(m.offset) + "]";
  if (m.offset == 0)
    return s + "[" + reg(m.reg) + "]";
  return s + "[" + reg(m.reg) + "+" + hex(m.offset) + "]";
}

/// Builds "mnemonic a, b, c" or "mnemonic k=v k=v flag".
class Line {
public:
  explicit Line(Opcode op) : text_(mnemonic(op)) {}
  Line &pos(const std::string &operand) {
    text_ += first_ ? " " : ", ";
    text_ += operand;
    first_ = false;
    return *this;
  }
  Line &kv(std::string_view key, const std::string &value) {
    text_ += ' ';
    text_ += key;
    text_ += '=';
    text_ += value;
    return *this;
  }
  Line &flag(std::string_view key) {
    text_ += ' ';
    text_ += key;
    return *this;
  }
  std::string str() const { return text_; }

private:
  std::string text_;
  bool first_ = true;
};

std::string target(uint32_t index, const std::map<uint32_t, std::string> *labels) {
  if (labels) {
    auto it = labels->find(index);
    if (it != labels->end())
      return it->second;
  }
  return std::to_string(index);
}

struct Printer {
  const std::map<uint32_t, std::string> *labels = nullptr;

  std::string operator()(const ControlInstr &i) const { return std::string(mnemonic(i.op)); }

  std::string operator()(const ScalarInstr &i) const {
    Line l(i.op);
    l.pos(reg(i.rd));
    switch (scalarForm(i.op)) {
    case ScalarForm::RdImm:
      l.pos(std::to_string(i.imm));
      break;
    case ScalarForm::RdRsRs:
      l.pos(reg(i.rs1)).pos(reg(i.rs2));
      break;
    case ScalarForm::RdRsImm:
      l.pos(reg(i.rs1)).pos(std::to_string(i.imm));
      break;
    case ScalarForm::RdMem: {
      // The offset is a signed byte displacement: "[r2+0x40]", "[r2-0x8]".
      std::string s = "[" + reg(i.rs1);
      if (i.imm < 0)
        s += "-" + hex(uint64_t(0) - uint64_t(i.imm));
      else if (i.imm > 0 || i.rs1 == 0)
        s += "+" + hex(uint64_t(i.imm));
      l.pos(s + "]");
      break;
    }
    }
    return l.str();
  }

  std::string operator()(const BranchInstr &i) const {
    Line l(i.op);
    if (i.op != Opcode::Jmp)
      l.pos(reg(i.rs1)).pos(reg(i.rs2));
    l.pos(target(i.target, labels));
    return l.str();
  }

  std::string operator()(const SyncInstr &i) const {
    Line l(i.op);
    l.pos(std::string(queueName(i.queue)));
    switch (i.op) {
    case Opcode::SemSignal:
    case Opcode::SemRelease:
    case Opcode::SemWait:
      l.pos("s" + std::to_string(i.id));
      if (i.value != 1)
        l.pos(std::to_string(i.value));
      break;
    case Opcode::Barrier:
      l.pos(std::to_string(i.id)).pos(hex(i.value));
      break;
    default: // DvfsHint
      l.pos(i.id == kOwnCoreDomain ? std::string("own") : std::to_string(i.id));
      l.pos(std::to_string(i.value));
      break;
    }
    return l.str();
  }

  std::string operator()(const DmaInstr &i) const {
    Line l(i.op);
    l.kv("src", memRef(i.src)).kv("dst", memRef(i.dst));
    std::string size = dim(i.size[0]);
    bool third = i.size[2] != Dim::imm(1);
    if (third || i.size[1] != Dim::imm(1))
      size += "x" + dim(i.size[1]);
    if (third)
      size += "x" + dim(i.size[2]);
    l.kv("size", size);
    auto strides = [&](std::string_view key, const uint32_t s[2]) {
      if (s[1] != 0)
        l.kv(key, std::to_string(s[0]) + "," + std::to_string(s[1]));
      else if (s[0] != 0)
        l.kv(key, std::to_string(s[0]));
    };
    strides("srcStride", i.srcStride);
    strides("dstStride", i.dstStride);
    return l.str();
  }

  std::string operator()(const TcConfigInstr &i) const {
    Line l(Opcode::TcConfig);
    l.kv("gang", std::string(gangName(i.gang)));
    l.kv("precision", std::string(dtypeName(i.precision)));
    return l.str();
  }

  std::string operator()(const GemmInstr &i) const {
    Line l(Opcode::Gemm);
    l.kv("m", dim(i.m)).kv("n", dim(i.n)).kv("k", dim(i.k));
    l.kv("a", std::string(dtypeName(i.a)));
    l.kv("b", std::string(dtypeName(i.b)));
    l.kv("out", std::string(dtypeName(i.out)));
    l.kv("A", sramRef(i.A)).kv("lda", std::to_string(i.lda));
    l.kv("B", sramRef(i.B)).kv("ldb", std::to_string(i.ldb));
    if (i.transB)
      l.flag("transB");
    l.kv("C", sramRef(i.C)).kv("ldc", std::to_string(i.ldc));
    if (i.accumulate)
      l.flag("accumulate");
    if (i.act != Activation::None)
      l.kv("act", std::string(activationName(i.act)));
    if (i.hasBias)
      l.kv("bias", sramRef(i.bias));
    if (i.aScale != ScaleMode::None)
      l.kv("aScale", std::string(scaleModeName(i.aScale)));
    if (i.aScale != ScaleMode::None || i.scaleA != SramRef{})
      l.kv("scaleA", sramRef(i.scaleA));
    if (i.bScale != ScaleMode::None)
      l.kv("bScale", std::string(scaleModeName(i.bScale)));
    if (i.bScale != ScaleMode::None || i.scaleB != SramRef{})
      l.kv("scaleB", sramRef(i.scaleB));
    if (i.scaleType != DType::F32)
      l.kv("scaleType", std::string(dtypeName(i.scaleType)));
    if (i.groupSize != 0)
      l.kv("groupSize", std::to_string(i.groupSize));
    if (i.tcGroup != kAllTcGroups)
      l.kv("tcGroup", std::to_string(i.tcGroup));
    return l.str();
  }

  std::string operator()(const VecInstr &i) const {
    const VecInstr d; // defaults
    VecForm f = vecForm(i);
    Line l(i.op);
    l.kv("rows", dim(i.rows)).kv("cols", dim(i.cols));
    l.kv("in", std::string(dtypeName(i.in)));
    if (f.in1 || i.in1 != d.in1)
      l.kv("in1", std::string(dtypeName(i.in1)));
    l.kv("out", std::string(dtypeName(i.out)));
    if (i.bcast != Broadcast::None)
      l.kv("bcast", std::string(broadcastName(i.bcast)));
    if (i.causal)
      l.flag("causal");
    if (i.ropeHalf)
      l.flag("ropeHalf");
    l.kv("x", sramRef(i.x)).kv("ld0", std::to_string(i.ld0));
    if (f.y || i.y != d.y)
      l.kv("y", sramRef(i.y));
    if (f.ld1 || i.ld1 != d.ld1)
      l.kv("ld1", std::to_string(i.ld1));
    if (f.z || i.z != d.z)
      l.kv("z", sramRef(i.z));
    l.kv("dst", sramRef(i.dst)).kv("ldd", std::to_string(i.ldd));
    if (f.aux || i.aux != d.aux)
      l.kv(f.auxKey, dim(i.aux));
    if (f.aux2 || i.aux2 != d.aux2)
      l.kv(f.aux2Key, std::to_string(i.aux2));
    // Compare bits so that -0.0 is printed too.
    if (f.fimm || std::signbit(i.fimm) || i.fimm != d.fimm)
      l.kv(f.fimmKey, formatFloat(i.fimm));
    return l.str();
  }
};

bool isBranch(const Instr &instr) { return std::holds_alternative<BranchInstr>(instr); }

} // namespace

std::string printInstr(const Instr &instr) { return std::visit(Printer{}, instr); }

std::string printProgram(const std::vector<Instr> &program, const ProgramPrintOptions &options) {
  std::map<uint32_t, std::string> labels;
  for (const Instr &instr : program)
    if (isBranch(instr)) {
      uint32_t t = std::get<BranchInstr>(instr).target;
      if (t < program.size())
        labels.emplace(t, "L" + std::to_string(t));
    }
  std::string labelIndent =
      options.indent.size() >= 2 ? options.indent.substr(0, options.indent.size() - 2) : "";
  Printer printer{&labels};
  std::string out;
  for (size_t index = 0; index < program.size(); ++index) {
    if (auto c = options.comments.find(uint32_t(index)); c != options.comments.end())
      out += labelIndent + "# " + c->second + "\n";
    auto it = labels.find(uint32_t(index));
    if (it != labels.end())
      out += labelIndent + it->second + ":\n";
    std::string line = options.indent + std::visit(printer, program[index]);
    if (options.indices) {
      if (line.size() < 72)
        line.append(72 - line.size(), ' ');
      line += " # " + std::to_string(index);
    }
    out += line + "\n";
  }
  return out;
}

} // namespace strata::isa
