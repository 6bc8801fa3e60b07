//===- RandomInstr.h - Seeded random instructions for round-trip tests ----===//
#pragma once

#include "strata/target/Isa.h"

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

namespace strata::isa::testing {

/// Every defined opcode, in table order.
inline std::vector<Opcode> allOpcodes() {
  std::vector<Opcode> ops;
  for (unsigned raw = 0; raw < 256; ++raw)
    if (isValidOpcode(uint8_t(raw)))
      ops.push_back(Opcode(raw));
  return ops;
}

/// Random instructions whose every field lies in its encodable range. With
/// `canonical`, fields the opcode does not use are left at their defaults
/// (what the validator asks for and what the assembly prints).
class RandomInstr {
public:
  explicit RandomInstr(uint32_t seed) : rng_(seed) {}

  Instr make(Opcode op, bool canonical) {
    uint8_t raw = uint8_t(op);
    if (op == Opcode::Nop || op == Opcode::Halt || op == Opcode::Fence)
      return ControlInstr{op};
    if (raw < 0x20)
      return scalar(op, canonical);
    if (raw < 0x30)
      return branch(op, canonical);
    if (raw < 0x40)
      return sync(op);
    if (raw < 0x50)
      return dma(op);
    if (op == Opcode::TcConfig)
      return TcConfigInstr{Gang(below(3)), DType(below(6))};
    if (op == Opcode::Gemm)
      return gemm(canonical);
    return vec(op, canonical);
  }

  uint64_t bits(unsigned n) {
    uint64_t v = std::uniform_int_distribution<uint64_t>()(rng_);
    return n >= 64 ? v : v & ((uint64_t(1) << n) - 1);
  }
  uint32_t below(uint32_t n) { return uint32_t(bits(32) % n); }
  bool coin() { return bits(1) != 0; }
  uint8_t reg() { return uint8_t(below(kNumScalarRegs)); }

  /// Mostly small values (what programs use) with some full-width ones.
  uint32_t u32() { return coin() ? below(4096) : uint32_t(bits(32)); }

  Dim dim() { return coin() ? Dim::reg(reg()) : Dim::imm(u32()); }

  SramRef sram() { return SramRef{coin() ? reg() : uint8_t(0), uint32_t(bits(27))}; }

  MemRef mem() {
    MemRef m;
    m.space = Space(below(2));
    m.core = coin() ? kLocalCore : uint8_t(below(255));
    m.reg = coin() ? reg() : 0;
    m.offset = bits(40);
    return m;
  }

  /// A finite float with a random exponent (never NaN).
  float finiteFloat() {
    float f;
    do {
      uint32_t u = uint32_t(bits(32));
      std::memcpy(&f, &u, sizeof f);
    } while (!std::isfinite(f));
    return f;
  }

private:
  ScalarInstr scalar(Opcode op, bool canonical) {
    ScalarInstr i;
    i.op = op;
    i.rd = reg();
    i.rs1 = reg();
    i.rs2 = reg();
    i.imm = int64_t(bits(64));
    if (canonical) {
      if (op == Opcode::Li)
        i.rs1 = i.rs2 = 0;
      else if (op == Opcode::Add || op == Opcode::Sub || op == Opcode::Mul || op == Opcode::And ||
               op == Opcode::Or || op == Opcode::Min || op == Opcode::Max)
        i.imm = 0;
      else
        i.rs2 = 0;
    }
    return i;
  }

  BranchInstr branch(Opcode op, bool canonical) {
    BranchInstr i;
    i.op = op;
    i.rs1 = reg();
    i.rs2 = reg();
    i.target = u32();
    if (canonical && op == Opcode::Jmp)
      i.rs1 = i.rs2 = 0;
    return i;
  }

  SyncInstr sync(Opcode op) {
    SyncInstr i;
    i.op = op;
    i.queue = Queue(below(3));
    i.id = uint8_t(bits(8));
    i.value = u32();
    if (op == Opcode::SemSignal || op == Opcode::SemRelease || op == Opcode::SemWait)
      i.id = uint8_t(below(kNumSemaphores));
    return i;
  }

  DmaInstr dma(Opcode op) {
    DmaInstr i;
    i.op = op;
    i.src = mem();
    i.dst = mem();
    for (Dim &d : i.size)
      d = dim();
    for (uint32_t &s : i.srcStride)
      s = u32();
    for (uint32_t &s : i.dstStride)
      s = u32();
    return i;
  }

  GemmInstr gemm(bool canonical) {
    GemmInstr i;
    i.a = DType(below(6));
    i.b = DType(below(6));
    i.out = DType(below(6));
    i.scaleType = DType(below(6));
    i.aScale = ScaleMode(below(3));
    i.bScale = ScaleMode(below(3));
    i.act = Activation(below(6));
    i.transB = coin();
    i.accumulate = coin();
    i.hasBias = coin();
    i.tcGroup = uint8_t(bits(8));
    i.m = dim();
    i.n = dim();
    i.k = dim();
    i.lda = u32();
    i.ldb = u32();
    i.ldc = u32();
    i.groupSize = uint16_t(bits(16));
    i.A = sram();
    i.B = sram();
    i.C = sram();
    i.scaleA = sram();
    i.scaleB = sram();
    i.bias = sram();
    if (canonical) {
      if (!i.hasBias)
        i.bias = SramRef{};
      if (i.aScale == ScaleMode::None)
        i.scaleA = SramRef{};
      if (i.bScale == ScaleMode::None)
        i.scaleB = SramRef{};
    }
    return i;
  }

  VecInstr vec(Opcode op, bool canonical) {
    VecInstr i;
    i.op = op;
    i.in = DType(below(6));
    i.in1 = DType(below(6));
    i.out = DType(below(6));
    i.bcast = Broadcast(below(4));
    i.causal = coin();
    i.ropeHalf = coin();
    i.rows = dim();
    i.cols = dim();
    i.aux = dim();
    i.ld0 = u32();
    i.ld1 = u32();
    i.ldd = u32();
    i.aux2 = uint16_t(bits(16));
    i.fimm = finiteFloat();
    i.x = sram();
    i.y = sram();
    i.z = sram();
    i.dst = sram();
    if (canonical) {
      bool binary = op == Opcode::VAdd || op == Opcode::VSub || op == Opcode::VMul ||
                    op == Opcode::VMax;
      if (!binary)
        i.bcast = Broadcast::None;
      if (op != Opcode::VSoftmax)
        i.causal = false;
      if (op != Opcode::VRope)
        i.ropeHalf = false;
    }
    return i;
  }

  std::mt19937_64 rng_;
};

} // namespace strata::isa::testing
