//===- Validator.cpp - Static checks of instructions and programs ---------===//
//
// Each class has one check function that stops at the first violated rule.
// The rules are those of docs/isa.md; the order is "can it be decoded",
// then "is it well formed", then "is it consistent".
//
//===----------------------------------------------------------------------===//
#include "strata/target/Validator.h"

#include "AsmSyntax.h"
#include "ValidatorImpl.h"
#include "strata/target/ArchConfig.h"

#include <cmath>
#include <cstring>
#include <set>
#include <string>
#include <string_view>

namespace strata::isa {

using namespace asmsyntax;

namespace {

using std::to_string;

/// Collects the first error of one instruction (without the mnemonic).
class Checker {
public:
  bool ok() const { return message_.empty(); }
  const std::string &message() const { return message_; }

  /// Records the message `makeMessage` builds if `cond` is false; returns
  /// `cond`. The message is only built on failure: validation runs over every
  /// instruction of every binary written or read.
  template <typename F> bool expect(bool cond, F &&makeMessage) {
    if (!cond && message_.empty())
      message_ = makeMessage();
    return cond;
  }

  /// `field` and `suffix` name the operand in a message (kept as views:
  /// valid instructions build no strings).
  bool reg(unsigned r, std::string_view field, std::string_view suffix = {}) {
    return expect(r < kNumScalarRegs, [&] {
      return std::string(field) + std::string(suffix) + " names register r" + to_string(r) +
             ", which does not exist (r0..r31)";
    });
  }

  bool dim(const Dim &d, std::string_view field, bool mustBePositive = true) {
    if (d.isReg)
      return reg(d.value, field);
    return expect(!mustBePositive || d.value > 0, [&] { return std::string(field) + " is 0"; });
  }

  bool sram(const SramRef &r, std::string_view field) {
    return reg(r.reg, field, " base") && expect(r.offset <= kMaxSramOffset, [&] {
             return std::string(field) + " offset " + hex(r.offset) +
                    " exceeds the 27-bit SRAM offset field";
           });
  }

  bool dtype(DType t, std::string_view field) {
    return expect(isValidDType(uint8_t(t)), [&] {
      return "invalid dtype value " + to_string(unsigned(t)) + " in " + std::string(field);
    });
  }

  /// A leading dimension `ld` must cover `rowElems` elements, and rows of i4
  /// must start on a byte, whenever the operand has more than one row (a
  /// register count may be more than one).
  bool leading(uint32_t ld, std::string_view ldName, const Dim &rowElems,
               std::string_view rowName, const Dim &rowCount, DType t,
               std::string_view typeField) {
    if (!rowCount.isReg && rowCount.value <= 1)
      return true;
    if (!rowElems.isReg && !expect(ld >= rowElems.value, [&] {
          return std::string(ldName) + " (" + to_string(ld) + ") is smaller than " +
                 std::string(rowName) + " (" + to_string(rowElems.value) + ")";
        }))
      return false;
    return expect(t != DType::I4 || ld % 2 == 0, [&] {
      return std::string(ldName) + " (" + to_string(ld) + ") must be even for the i4 " +
             std::string(typeField) + ": every row starts on a byte";
    });
  }

  /// An absolute SRAM operand must be aligned to its element size.
  bool aligned(const SramRef &r, DType t, std::string_view field) {
    unsigned bytes = dtypeBits(t) >= 8 ? dtypeBits(t) / 8 : 1;
    return expect(r.reg != 0 || r.offset % bytes == 0, [&] {
      return std::string(field) + " offset " + hex(r.offset) + " is not aligned to its " +
             to_string(bytes) + "-byte " + std::string(dtypeName(t)) + " elements";
    });
  }

private:
  std::string message_;
};

std::string sramText(const SramRef &r) {
  return r.reg ? "[r" + to_string(r.reg) + "+" + hex(r.offset) + "]" : "[" + hex(r.offset) + "]";
}

bool isControlOp(Opcode op) {
  return op == Opcode::Nop || op == Opcode::Halt || op == Opcode::Fence;
}

//===----------------------------------------------------------------------===//
// Arch-independent rules per class
//===----------------------------------------------------------------------===//

void checkScalar(const ScalarInstr &i, Checker &c) {
  if (!c.expect(isScalarClass(i.op) && isValidOpcode(uint8_t(i.op)), [&] {
        return std::string("opcode " + hex(uint8_t(i.op)) + " is not a scalar instruction");
      }))
    return;
  if (!c.reg(i.rd, "rd") || !c.reg(i.rs1, "rs1") || !c.reg(i.rs2, "rs2"))
    return;
  std::string m(mnemonic(i.op));
  switch (scalarForm(i.op)) {
  case ScalarForm::RdImm:
    c.expect(i.rs1 == 0,
             [&] { return std::string("rs1 is not used by " + m + " and must be r0"); }) &&
        c.expect(i.rs2 == 0,
                 [&] { return std::string("rs2 is not used by " + m + " and must be r0"); });
    break;
  case ScalarForm::RdRsRs:
    c.expect(i.imm == 0,
             [&] { return std::string("the immediate is not used by " + m + " and must be 0"); });
    break;
  case ScalarForm::RdRsImm:
  case ScalarForm::RdMem:
    c.expect(i.rs2 == 0,
             [&] { return std::string("rs2 is not used by " + m + " and must be r0"); });
    break;
  }
  if (i.op == Opcode::Divui || i.op == Opcode::Remui)
    c.expect(i.imm != 0, [&] { return std::string("the divisor immediate is 0"); });
  if (i.op == Opcode::Shli || i.op == Opcode::Shri)
    c.expect(i.imm >= 0 && i.imm < 64,
             [&] { return std::string("shift amount " + to_string(i.imm) + " is outside 0..63"); });
  if (i.op == Opcode::Ld32 && i.rs1 == 0)
    c.expect(uint64_t(i.imm) % 4 == 0, [&] {
      return std::string("ld32 address " + hex(uint64_t(i.imm)) + " is not 4-byte aligned");
    });
}

void checkBranch(const BranchInstr &i, Checker &c) {
  if (!c.expect(isBranchClass(i.op) && isValidOpcode(uint8_t(i.op)),
                [&] { return std::string("opcode " + hex(uint8_t(i.op)) + " is not a branch"); }))
    return;
  if (!c.reg(i.rs1, "rs1") || !c.reg(i.rs2, "rs2"))
    return;
  if (i.op == Opcode::Jmp)
    c.expect(i.rs1 == 0 && i.rs2 == 0,
             [&] { return std::string("jmp compares no registers: rs1 and rs2 must be r0"); });
}

void checkSync(const SyncInstr &i, Checker &c) {
  if (!c.expect(isSyncClass(i.op) && isValidOpcode(uint8_t(i.op)), [&] {
        return std::string("opcode " + hex(uint8_t(i.op)) +
                           " is not a synchronisation instruction");
      }))
    return;
  if (!c.expect(uint8_t(i.queue) < 3,
                [&] { return std::string("invalid queue value " + to_string(unsigned(i.queue))); }))
    return;
  switch (i.op) {
  case Opcode::SemSignal:
  case Opcode::SemRelease:
  case Opcode::SemWait:
    c.expect(i.id < kNumSemaphores,
             [&] {
               return std::string("semaphore s" + to_string(i.id) + " does not exist (s0..s" +
                                  to_string(kNumSemaphores - 1) + ")");
             }) &&
        c.expect(i.value >= 1, [&] { return std::string("count is 0; it must be at least 1"); });
    break;
  case Opcode::Barrier:
    c.expect(i.value != 0,
             [&] { return std::string("core mask is 0: no core takes part in the barrier"); });
    break;
  default:
    break;
  }
}

void checkMemRef(const MemRef &m, std::string_view field, Checker &c) {
  if (!c.expect(uint8_t(m.space) <= 1,
                [&] {
                  return std::string(field) + " has an invalid memory space " +
                         to_string(unsigned(m.space));
                }) ||
      !c.reg(m.reg, field, " base"))
    return;
  if (!c.expect(m.offset <= kMaxDmaOffset, [&] {
        return std::string(field) + " offset " + hex(m.offset) +
               " exceeds the 40-bit DMA offset field";
      }))
    return;
  if (m.space == Space::Hbm)
    c.expect(m.core == kLocalCore, [&] {
      return std::string(field) + " is an HBM address and takes no core (@" +
             to_string(m.core) + ")";
    });
}

void checkDma(const DmaInstr &i, Checker &c) {
  if (!c.expect(i.op == Opcode::DmaLoad || i.op == Opcode::DmaStore,
                [&] { return std::string("opcode " + hex(uint8_t(i.op)) + " is not a DMA"); }))
    return;
  checkMemRef(i.src, "src", c);
  checkMemRef(i.dst, "dst", c);
  const char *names[3] = {"size[0]", "size[1]", "size[2]"};
  for (unsigned d = 0; d < 3; ++d)
    c.dim(i.size[d], names[d]);
  if (!c.ok())
    return;
  // A load brings data into this core, a store sends it out: the local SRAM
  // is the destination of one and the source of the other.
  if (i.op == Opcode::DmaLoad)
    c.expect(i.dst.space == Space::Sram && i.dst.core == kLocalCore,
             [&] { return std::string("dma.load writes the local SRAM: dst must be sram[...]"); });
  else
    c.expect(i.src.space == Space::Sram && i.src.core == kLocalCore,
             [&] { return std::string("dma.store reads the local SRAM: src must be sram[...]"); });
  // Rows and planes of the destination must not overwrite each other.
  if (!i.size[0].isReg && !i.size[1].isReg && i.size[1].value > 1)
    c.expect(i.dstStride[0] >= i.size[0].value, [&] {
      return std::string("dstStride[0] (" + to_string(i.dstStride[0]) +
                         ") is smaller than the row size (" + to_string(i.size[0].value) +
                         "): destination rows would overlap");
    });
  if (!i.size[0].isReg && !i.size[1].isReg && !i.size[2].isReg && i.size[2].value > 1) {
    uint64_t plane = uint64_t(i.size[1].value - 1) * i.dstStride[0] + i.size[0].value;
    c.expect(i.dstStride[1] >= plane, [&] {
      return std::string("dstStride[1] (" + to_string(i.dstStride[1]) +
                         ") is smaller than a destination plane (" + to_string(plane) +
                         " bytes): planes would overlap");
    });
  }
}

void checkTcConfig(const TcConfigInstr &i, Checker &c) {
  c.expect(uint8_t(i.gang) < 3,
           [&] { return std::string("invalid gang value " + to_string(unsigned(i.gang))); }) &&
      c.dtype(i.precision, "precision") && c.expect(i.precision != DType::I32, [&] {
        return std::string("precision i32 is not a multiplier precision (i4, i8, f16, bf16, f32)");
      });
}

bool legalGemmPair(DType a, DType b) {
  return (a == b && a != DType::I32) || (a == DType::I8 && b == DType::I4);
}

void checkGemm(const GemmInstr &i, Checker &c) {
  if (!c.dtype(i.a, "a") || !c.dtype(i.b, "b") || !c.dtype(i.out, "out") ||
      !c.dtype(i.scaleType, "scaleType") ||
      !c.expect(
          uint8_t(i.act) <= uint8_t(Activation::SwiGlu),
          [&] { return std::string("invalid activation value " + to_string(unsigned(i.act))); }) ||
      !c.expect(
          uint8_t(i.aScale) <= 2,
          [&] { return std::string("invalid aScale value " + to_string(unsigned(i.aScale))); }) ||
      !c.expect(uint8_t(i.bScale) <= 2, [&] {
        return std::string("invalid bScale value " + to_string(unsigned(i.bScale)));
      }))
    return;
  if (!c.dim(i.m, "m") || !c.dim(i.n, "n") || !c.dim(i.k, "k") || !c.sram(i.A, "A") ||
      !c.sram(i.B, "B") || !c.sram(i.C, "C") || !c.sram(i.scaleA, "scaleA") ||
      !c.sram(i.scaleB, "scaleB") || !c.sram(i.bias, "bias"))
    return;
  // Names for messages, built only when one is.
  auto a = [&] { return std::string(dtypeName(i.a)); };
  auto b = [&] { return std::string(dtypeName(i.b)); };
  auto out = [&] { return std::string(dtypeName(i.out)); };
  if (!c.expect(legalGemmPair(i.a, i.b), [&] {
        return std::string("operand types a=" + a() + " b=" + b() +
                           " are not a supported pair (i4 x i4, i8 x i8, i8 x i4, f16 x f16, "
                           "bf16 x bf16, f32 x f32)");
      }))
    return;
  bool integer = isInteger(i.a);
  bool scaled = i.aScale != ScaleMode::None || i.bScale != ScaleMode::None;
  if (integer)
    c.expect(i.out != DType::I8 && i.out != DType::I4, [&] {
      return std::string("out=" + out() + " is not a GEMM output type (i32, f32, f16, bf16)");
    });
  else
    c.expect(isFloat(i.out), [&] {
      return std::string("out=" + out() +
                         " needs integer operands; float operands give "
                         "f32, f16 or bf16");
    });
  if (i.out == DType::I32) {
    c.expect(!scaled,
             [&] { return std::string("out=i32 keeps raw integer sums and takes no scales"); });
    c.expect(i.act == Activation::None || i.act == Activation::Relu, [&] {
      return std::string("out=i32 allows act=none or act=relu (exact on integers), not act=" +
                         std::string(activationName(i.act)));
    });
    c.expect(!i.hasBias, [&] { return std::string("out=i32 takes no bias"); });
  }
  c.expect(i.aScale == ScaleMode::None || isInteger(i.a),
           [&] { return std::string("aScale needs integer a operands (a is " + a() + ")"); });
  c.expect(i.bScale == ScaleMode::None || isInteger(i.b),
           [&] { return std::string("bScale needs integer b operands (b is " + b() + ")"); });
  c.expect(i.scaleType == DType::F32 || i.scaleType == DType::F16, [&] {
    return std::string("scaleType must be f32 or f16 (found " +
                       std::string(dtypeName(i.scaleType)) + ")");
  });
  bool perGroup = i.aScale == ScaleMode::PerGroup || i.bScale == ScaleMode::PerGroup;
  if (perGroup)
    c.expect(i.groupSize > 0, [&] {
      return std::string(std::string("groupSize is 0 but ") +
                         (i.bScale == ScaleMode::PerGroup ? "bScale" : "aScale") + " is per-group");
    });
  else
    c.expect(i.groupSize == 0, [&] {
      return std::string("groupSize is " + to_string(i.groupSize) +
                         " but neither aScale nor bScale is per-group");
    });
  if (perGroup && i.groupSize > 0 && !i.k.isReg)
    c.expect(i.k.value % i.groupSize == 0, [&] {
      return std::string("k (" + to_string(i.k.value) + ") is not a multiple of groupSize (" +
                         to_string(i.groupSize) + ")");
    });
  if (i.act == Activation::SwiGlu)
    c.expect(!i.n.isReg && i.n.value % 2 == 0, [&] {
      return std::string("act=swiglu needs an immediate, even n (gate and up halves), found n=" +
                         (i.n.isReg ? "r" + to_string(i.n.value) : to_string(i.n.value)));
    });
  c.expect(i.hasBias || i.bias == SramRef{}, [&] {
    return std::string("bias address " + sramText(i.bias) + " is set but the bias is off");
  });
  c.expect(i.aScale != ScaleMode::None || i.scaleA == SramRef{}, [&] {
    return std::string("scaleA address " + sramText(i.scaleA) + " is set but aScale is none");
  });
  c.expect(i.bScale != ScaleMode::None || i.scaleB == SramRef{}, [&] {
    return std::string("scaleB address " + sramText(i.scaleB) + " is set but bScale is none");
  });
  c.expect(i.tcGroup == kAllTcGroups || i.tcGroup < 16, [&] {
    return std::string("tcGroup " + to_string(i.tcGroup) + " is out of range (0..15 or all)");
  });
  if (!c.ok())
    return;
  Dim outCols = i.n;
  if (i.act == Activation::SwiGlu)
    outCols = Dim::imm(i.n.value / 2);
  if (!c.leading(i.lda, "lda", i.k, "k", i.m, i.a, "a") ||
      !c.leading(i.ldb, "ldb", i.transB ? i.k : i.n, i.transB ? "k" : "n", i.transB ? i.n : i.k,
                 i.b, "b") ||
      !c.leading(i.ldc, "ldc", outCols, i.act == Activation::SwiGlu ? "n/2" : "n", i.m, i.out,
                 "out"))
    return;
  c.aligned(i.A, i.a, "A") && c.aligned(i.B, i.b, "B") && c.aligned(i.C, i.out, "C") &&
      (i.aScale == ScaleMode::None || c.aligned(i.scaleA, i.scaleType, "scaleA")) &&
      (i.bScale == ScaleMode::None || c.aligned(i.scaleB, i.scaleType, "scaleB")) &&
      (!i.hasBias || c.aligned(i.bias, DType::F32, "bias"));
}

void checkVec(const VecInstr &i, Checker &c) {
  if (!c.expect(isVecClass(i.op) && isValidOpcode(uint8_t(i.op)), [&] {
        return std::string("opcode " + hex(uint8_t(i.op)) + " is not a vector instruction");
      }))
    return;
  if (!c.dtype(i.in, "in") || !c.dtype(i.in1, "in1") || !c.dtype(i.out, "out") ||
      !c.expect(uint8_t(i.bcast) <= 3,
                [&] { return std::string("invalid bcast value " + to_string(unsigned(i.bcast))); }))
    return;
  if (!c.dim(i.rows, "rows") || !c.dim(i.cols, "cols") || !c.dim(i.aux, "aux", false) ||
      !c.sram(i.x, "x") || !c.sram(i.y, "y") || !c.sram(i.z, "z") || !c.sram(i.dst, "dst"))
    return;
  // Names for messages, built only when one is.
  auto m = [&] { return std::string(mnemonic(i.op)); };
  Opcode op = i.op;
  auto in = [&] { return std::string(dtypeName(i.in)); };
  auto in1 = [&] { return std::string(dtypeName(i.in1)); };
  auto out = [&] { return std::string(dtypeName(i.out)); };

  if (!c.expect(i.bcast == Broadcast::None || isBinaryVecOp(op),
                [&] { return std::string("bcast is only for vadd, vsub, vmul and vmax"); }) ||
      !c.expect(!i.causal || op == Opcode::VSoftmax,
                [&] { return std::string("causal is only for vsoftmax"); }) ||
      !c.expect(!i.ropeHalf || op == Opcode::VRope,
                [&] { return std::string("ropeHalf is only for vrope"); }))
    return;

  // Fields the opcode does not read must keep their defaults, so that a
  // stray value is caught here rather than silently ignored.
  const VecInstr d;
  VecForm f = vecForm(i);
  auto unused = [&](bool used, bool isDefault, std::string_view field, const char *dflt) {
    return c.expect(used || isDefault, [&] {
      return std::string(field) + " is not used by " + m() +
             (isBinaryVecOp(op) ? " with bcast=" + std::string(broadcastName(i.bcast))
                                : std::string()) +
             " and must be " + dflt;
    });
  };
  uint32_t fimmBits, zeroBits = 0;
  std::memcpy(&fimmBits, &i.fimm, sizeof fimmBits);
  if (!unused(f.y, i.y == d.y, "y", "[0x0]") || !unused(f.z, i.z == d.z, "z", "[0x0]") ||
      !unused(f.ld1, i.ld1 == d.ld1, "ld1", "0") ||
      !unused(f.in1, i.in1 == d.in1, "in1", "f32 (the default)") ||
      !unused(f.aux, i.aux == d.aux, f.auxKey, "0") ||
      !unused(f.aux2 || f.aux2Optional, i.aux2 == d.aux2, "aux2", "0") ||
      !unused(f.fimm, fimmBits == zeroBits, "fimm", "0.0"))
    return;
  if (f.fimm)
    c.expect(!std::isnan(i.fimm), [&] { return std::string(std::string(f.fimmKey) + " is NaN"); });

  // Element types.
  auto floatInOut = [&] {
    return c.expect(isFloat(i.in) && isFloat(i.out), [&] {
      return std::string(m() + " needs float in and out (found in=" + in() + " out=" + out() + ")");
    });
  };
  // Transcendental pipelines compute in float on float data.
  if (isTranscendental(op))
    floatInOut();
  switch (op) {
  case Opcode::VRmsNorm:
  case Opcode::VLayerNorm:
    floatInOut() && c.expect(isFloat(i.in1), [&] {
      return std::string(m() + " needs float gamma/beta (in1 is " + in1() + ")");
    });
    break;
  case Opcode::VArgmax:
    c.expect(i.out == DType::I32, [&] {
      return std::string("vargmax writes indices: out must be i32 (found " + out() + ")");
    });
    break;
  case Opcode::VQuantize:
    c.expect(isFloat(i.in),
             [&] { return std::string("vquant reads float x (in is " + in() + ")"); }) &&
        c.expect(i.out == DType::I8 || i.out == DType::I4,
                 [&] { return std::string("vquant writes i8 or i4 (out is " + out() + ")"); }) &&
        c.expect(i.in1 == DType::F32 || i.in1 == DType::F16, [&] {
          return std::string("vquant writes f32 or f16 scales (in1 is " + in1() + ")");
        });
    break;
  case Opcode::VDequantize:
    c.expect(isInteger(i.in),
             [&] { return std::string("vdequant reads integer x (in is " + in() + ")"); }) &&
        c.expect(isFloat(i.out),
                 [&] { return std::string("vdequant writes float (out is " + out() + ")"); }) &&
        c.expect(i.in1 == DType::F32 || i.in1 == DType::F16, [&] {
          return std::string("vdequant reads f32 or f16 scales (in1 is " + in1() + ")");
        });
    break;
  case Opcode::VCopy:
  case Opcode::VTranspose:
    c.expect(i.in == i.out, [&] {
      return std::string(m() + " does not convert: in (" + in() + ") and out (" + out() +
                         ") must match; use vcast");
    });
    break;
  default:
    break;
  }
  if (!c.ok())
    return;

  // Op-specific immediates.
  switch (op) {
  case Opcode::VSoftmax:
    c.expect(std::isfinite(i.fimm),
             [&] { return std::string("scale (" + formatFloat(i.fimm) + ") must be finite"); });
    break;
  case Opcode::VRmsNorm:
  case Opcode::VLayerNorm:
    c.expect(std::isfinite(i.fimm) && i.fimm >= 0, [&] {
      return std::string("eps (" + formatFloat(i.fimm) + ") must be a finite number >= 0");
    });
    break;
  case Opcode::VRope:
    c.expect(std::isfinite(i.fimm) && i.fimm > 0,
             [&] {
               return std::string("theta (" + formatFloat(i.fimm) +
                                  ") must be a finite number > 0");
             }) &&
        c.expect(i.aux2 > 0 && i.aux2 % 2 == 0,
                 [&] {
                   return std::string("head size (head=" + to_string(i.aux2) +
                                      ") must be even and > 0");
                 }) &&
        c.expect(i.cols.isReg || i.cols.value % i.aux2 == 0, [&] {
          return std::string("cols (" + to_string(i.cols.value) +
                             ") is not a multiple of the head size (" + to_string(i.aux2) + ")");
        });
    break;
  case Opcode::VQuantize:
  case Opcode::VDequantize:
    c.expect(i.aux2 == 0 || i.cols.isReg || i.cols.value % i.aux2 == 0, [&] {
      return std::string("cols (" + to_string(i.cols.value) + ") is not a multiple of group (" +
                         to_string(i.aux2) + ")");
    });
    break;
  default:
    break;
  }
  if (!c.ok())
    return;

  // Leading dimensions, when the sizes are immediates.
  bool rowOut = op == Opcode::VReduceSum || op == Opcode::VReduceMax || op == Opcode::VArgmax;
  bool ok = c.leading(i.ld0, "ld0", i.cols, "cols", i.rows, i.in, "in");
  if (ok && rowOut)
    ok = c.expect(i.ldd >= 1 || (!i.rows.isReg && i.rows.value <= 1),
                  [&] { return std::string("ldd is 0: row results would overwrite each other"); });
  else if (ok && op == Opcode::VTranspose)
    ok = c.leading(i.ldd, "ldd", i.rows, "rows", i.cols, i.out, "out");
  else if (ok)
    ok = c.leading(i.ldd, "ldd", i.cols, "cols", i.rows, i.out, "out");
  if (ok && f.ld1 && isBinaryVecOp(op))
    ok = c.leading(i.ld1, "ld1", i.cols, "cols", i.rows, i.in1, "in1");
  if (ok && f.ld1 && (op == Opcode::VQuantize || op == Opcode::VDequantize)) {
    Dim groups = i.aux2 == 0    ? Dim::imm(1)
                 : i.cols.isReg ? i.cols
                                : Dim::imm(i.cols.value / i.aux2);
    ok = c.leading(i.ld1, "ld1", groups, "the number of scale groups", i.rows, i.in1, "in1");
  }
  if (!ok)
    return;
  c.aligned(i.x, i.in, "x") && (!f.y || c.aligned(i.y, i.in1, "y")) &&
      (!f.z || c.aligned(i.z, i.in1, "z")) && c.aligned(i.dst, i.out, "dst");
}

struct InstrChecker {
  Checker &c;
  void operator()(const ControlInstr &i) {
    c.expect(isControlOp(i.op), [&] {
      return std::string("opcode " + hex(uint8_t(i.op)) + " is not a control instruction");
    });
  }
  void operator()(const ScalarInstr &i) { checkScalar(i, c); }
  void operator()(const BranchInstr &i) { checkBranch(i, c); }
  void operator()(const SyncInstr &i) { checkSync(i, c); }
  void operator()(const DmaInstr &i) { checkDma(i, c); }
  void operator()(const TcConfigInstr &i) { checkTcConfig(i, c); }
  void operator()(const GemmInstr &i) { checkGemm(i, c); }
  void operator()(const VecInstr &i) { checkVec(i, c); }
};

std::string checkOne(const Instr &instr) {
  Checker c;
  std::visit(InstrChecker{c}, instr);
  return c.message();
}

//===----------------------------------------------------------------------===//
// Architecture rules
//===----------------------------------------------------------------------===//

std::string bytesText(uint64_t n) {
  if (n >= (1ull << 30) && n % (1ull << 30) == 0)
    return to_string(n >> 30) + " GiB";
  if (n >= (1ull << 20) && n % (1ull << 20) == 0)
    return to_string(n >> 20) + " MiB";
  if (n >= (1ull << 10) && n % (1ull << 10) == 0)
    return to_string(n >> 10) + " KiB";
  return to_string(n) + " bytes";
}

/// The precision class a GEMM's multipliers run (TcConfigInstr::precision).
DType multiplierPrecision(const GemmInstr &g) {
  return g.a == DType::I8 || g.b == DType::I8 ? DType::I8 : g.a;
}

void checkSramOffset(const SramRef &r, std::string_view field, const ArchConfig &arch,
                     Checker &c) {
  if (r.reg == 0)
    c.expect(r.offset < arch.core.sram.sizeBytes, [&] {
      return std::string(field) + " offset " + hex(r.offset) + " is outside the " +
             bytesText(arch.core.sram.sizeBytes) + " SRAM";
    });
}

void checkDmaEndpoint(const DmaInstr &i, const MemRef &m, const uint32_t stride[2],
                      std::string_view field, const ArchConfig &arch, Checker &c) {
  if (m.core != kLocalCore && !c.expect(m.core < arch.numCores, [&] {
        return std::string(field) + " names core " + to_string(m.core) +
               " but the chip has " + to_string(arch.numCores) + " cores";
      }))
    return;
  if (m.reg != 0 || i.size[0].isReg || i.size[1].isReg || i.size[2].isReg)
    return;
  uint64_t extent = uint64_t(i.size[2].value - 1) * stride[1] +
                    uint64_t(i.size[1].value - 1) * stride[0] + i.size[0].value;
  uint64_t limit =
      m.space == Space::Sram ? arch.core.sram.sizeBytes : arch.hbm.totalCapacityBytes();
  c.expect(m.offset + extent <= limit, [&] {
    return std::string(field) + " range [" + hex(m.offset) + ", " + hex(m.offset + extent) +
           ") exceeds the " + bytesText(limit) + (m.space == Space::Sram ? " SRAM" : " of HBM");
  });
}

void checkArch(const Instr &instr, const ArchConfig &arch, Checker &c) {
  if (const auto *d = std::get_if<DmaInstr>(&instr)) {
    checkDmaEndpoint(*d, d->src, d->srcStride, "src", arch, c);
    checkDmaEndpoint(*d, d->dst, d->dstStride, "dst", arch, c);
  } else if (const auto *s = std::get_if<SyncInstr>(&instr)) {
    if (s->op == Opcode::Barrier) {
      uint64_t allowed = arch.numCores >= 32 ? 0xFFFFFFFFull : (1ull << arch.numCores) - 1;
      c.expect((s->value & ~allowed) == 0, [&] {
        return std::string("core mask " + hex(s->value) + " names cores beyond the chip's " +
                           to_string(arch.numCores));
      });
    } else if (s->op == Opcode::DvfsHint) {
      const DvfsDomainConfig *domain = nullptr;
      if (s->id == kOwnCoreDomain) {
        for (const DvfsDomainConfig &dc : arch.dvfs.domains)
          if (dc.name == "core")
            domain = &dc;
        if (!c.expect(domain, [&] {
              return std::string(
                  "domain 'own' needs a DVFS domain named 'core' in the arch config");
            }))
          return;
      } else {
        if (!c.expect(s->id < arch.dvfs.domains.size(), [&] {
              return std::string("DVFS domain " + to_string(s->id) +
                                 " does not exist (the arch has " +
                                 to_string(arch.dvfs.domains.size()) + " domains)");
            }))
          return;
        domain = &arch.dvfs.domains[s->id];
      }
      c.expect(s->value < domain->points.size(), [&] {
        return std::string("operating point " + to_string(s->value) +
                           " does not exist in domain '" + domain->name + "' (" +
                           to_string(domain->points.size()) + " points)");
      });
    }
  } else if (const auto *t = std::get_if<TcConfigInstr>(&instr)) {
    const TensorCoreConfig &tc = arch.core.tensorCores;
    c.expect(tc.macsPerCycle[size_t(t->precision)] > 0, [&] {
      return std::string("precision " + std::string(dtypeName(t->precision)) +
                         " is not supported by the tensor cores (macsPerCycle is 0)");
    });
    if (t->gang == Gang::Quad)
      c.expect(tc.count % 4 == 0, [&] {
        return std::string("gang=4x4 needs a multiple of 4 tensor cores (the core has " +
                           to_string(tc.count) + ")");
      });
  } else if (const auto *g = std::get_if<GemmInstr>(&instr)) {
    const TensorCoreConfig &tc = arch.core.tensorCores;
    DType prec = multiplierPrecision(*g);
    c.expect(tc.macsPerCycle[size_t(prec)] > 0, [&] {
      return std::string(std::string(dtypeName(prec)) +
                         " multiplies are not supported by the tensor cores");
    });
    c.expect(g->tcGroup == kAllTcGroups || g->tcGroup < tc.count, [&] {
      return std::string("tcGroup " + to_string(g->tcGroup) + " does not exist (the core has " +
                         to_string(tc.count) + " tensor cores)");
    });
    checkSramOffset(g->A, "A", arch, c);
    checkSramOffset(g->B, "B", arch, c);
    checkSramOffset(g->C, "C", arch, c);
    if (g->aScale != ScaleMode::None)
      checkSramOffset(g->scaleA, "scaleA", arch, c);
    if (g->bScale != ScaleMode::None)
      checkSramOffset(g->scaleB, "scaleB", arch, c);
    if (g->hasBias)
      checkSramOffset(g->bias, "bias", arch, c);
  } else if (const auto *v = std::get_if<VecInstr>(&instr)) {
    VecForm f = vecForm(*v);
    checkSramOffset(v->x, "x", arch, c);
    if (f.y)
      checkSramOffset(v->y, "y", arch, c);
    if (f.z)
      checkSramOffset(v->z, "z", arch, c);
    checkSramOffset(v->dst, "dst", arch, c);
  } else if (const auto *s = std::get_if<ScalarInstr>(&instr)) {
    if (s->op == Opcode::Ld32 && s->rs1 == 0)
      c.expect(s->imm >= 0 && uint64_t(s->imm) + 4 <= arch.hbm.totalCapacityBytes(), [&] {
        return std::string("address " + hex(uint64_t(s->imm)) + " is outside the " +
                           bytesText(arch.hbm.totalCapacityBytes()) + " of HBM");
      });
  }
}

std::string where(size_t index, const Instr &instr) {
  return "instruction " + to_string(index) + " (" + std::string(mnemonic(opcodeOf(instr))) + ")";
}

} // namespace

Status validateInstr(const Instr &instr) {
  std::string message = checkOne(instr);
  if (message.empty())
    return Status::ok();
  return Error(std::string(mnemonic(opcodeOf(instr))) + ": " + message);
}

Status validateProgram(const std::vector<Instr> &program, const ArchConfig *arch) {
  size_t failedIndex = kNoInstruction;
  return validateProgramAt(program, arch, failedIndex);
}

Status validateProgramAt(const std::vector<Instr> &program, const ArchConfig *arch,
                         size_t &failedIndex) {
  failedIndex = kNoInstruction;
  auto failAt = [&](size_t index, const std::string &message) {
    failedIndex = index;
    return Status(Error(where(index, program[index]) + ": " + message));
  };
  if (program.empty())
    return Error("the program is empty; it needs at least a halt");
  bool hasHalt = false;
  std::set<uint8_t> signalled;
  for (const Instr &instr : program)
    if (const auto *s = std::get_if<SyncInstr>(&instr); s && (s->op == Opcode::SemSignal || s->op == Opcode::SemRelease))
      signalled.insert(s->id);

  for (size_t index = 0; index < program.size(); ++index) {
    const Instr &instr = program[index];
    std::string message = checkOne(instr);
    if (message.empty() && arch) {
      Checker c;
      checkArch(instr, *arch, c);
      message = c.message();
    }
    if (!message.empty())
      return failAt(index, message);
    if (const auto *b = std::get_if<BranchInstr>(&instr)) {
      if (b->target >= program.size())
        return failAt(index, "branch target " + to_string(b->target) + " is outside the program (" +
                                 to_string(program.size()) + " instructions)");
    } else if (const auto *s = std::get_if<SyncInstr>(&instr)) {
      if (s->op == Opcode::SemWait && !signalled.count(s->id))
        return failAt(index, "semaphore s" + to_string(s->id) +
                                 " is never signalled in this program, so the wait can never "
                                 "finish");
    } else if (const auto *c = std::get_if<ControlInstr>(&instr)) {
      hasHalt |= c->op == Opcode::Halt;
    }
  }
  if (!hasHalt)
    return Error("the program has no halt instruction");
  Opcode last = opcodeOf(program.back());
  if (last != Opcode::Halt && last != Opcode::Jmp)
    return failAt(program.size() - 1,
                  "the program can run past its last instruction; end it with halt or jmp");
  return Status::ok();
}

} // namespace strata::isa
