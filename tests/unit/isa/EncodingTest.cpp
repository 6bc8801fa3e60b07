//===- EncodingTest.cpp - Instruction encoder and decoder -----------------===//
#include "RandomInstr.h"

#include "strata/target/Assembly.h"
#include "strata/target/Encoding.h"

#include <gtest/gtest.h>

#include <cstring>

namespace strata::isa {
namespace {

using testing::allOpcodes;
using testing::RandomInstr;

TEST(Encoding, EveryOpcodeRoundTripsWithRandomFields) {
  RandomInstr rng(0x5eed);
  for (Opcode op : allOpcodes()) {
    SCOPED_TRACE(std::string(mnemonic(op)));
    for (int trial = 0; trial < 200; ++trial) {
      Instr instr = rng.make(op, /*canonical=*/false);
      auto bytes = encode(instr);
      EXPECT_EQ(bytes[0], uint8_t(op));
      Expected<Instr> back = decode(bytes.data());
      ASSERT_TRUE(back) << back.message() << "\n" << printInstr(instr);
      EXPECT_EQ(opcodeOf(*back), op);
      EXPECT_EQ(encode(*back), bytes) << printInstr(instr);
      EXPECT_EQ(instr.index(), back->index());
    }
  }
}

TEST(Encoding, FieldsLandWhereTheLayoutSays) {
  GemmInstr g;
  g.a = DType::I8;
  g.b = DType::I4;
  g.out = DType::BF16;
  g.scaleType = DType::F16;
  g.transB = true;
  g.hasBias = true;
  g.n = Dim::reg(7);
  g.m = Dim::imm(64);
  g.act = Activation::SwiGlu;
  g.aScale = ScaleMode::PerRow;
  g.bScale = ScaleMode::PerGroup;
  g.tcGroup = 3;
  g.B = SramRef{3, 0x8000};
  g.groupSize = 0x1234;
  auto b = encode(g);
  EXPECT_EQ(b[0], 0x51);
  EXPECT_EQ(b[1], 0x01 | 0x04 | (0x2 << 3)); // transB, hasBias, n is a register
  EXPECT_EQ(b[2], 0x01 | (0x00 << 4));       // a=i8, b=i4
  EXPECT_EQ(b[3], 0x04 | (0x03 << 4));       // out=bf16, scaleType=f16
  EXPECT_EQ(b[4], 5);
  EXPECT_EQ(b[5], 0x01 | (0x02 << 4));
  EXPECT_EQ(b[6], 3);
  EXPECT_EQ(b[8], 64); // m, little-endian
  EXPECT_EQ(b[12], 7); // n = r7
  uint32_t bRef;
  std::memcpy(&bRef, &b[36], 4);
  EXPECT_EQ(bRef, 0x8000u | (3u << 27));
  EXPECT_EQ(b[56], 0x34);
  EXPECT_EQ(b[57], 0x12);
  for (unsigned i = 58; i < kInstrBytes; ++i)
    EXPECT_EQ(b[i], 0) << "byte " << i;

  DmaInstr d;
  d.op = Opcode::DmaLoad;
  d.src = MemRef{Space::Hbm, kLocalCore, 2, 0x12'3456'789aull};
  d.dst = MemRef{Space::Sram, kLocalCore, 0, 0x40};
  d.size[0] = Dim::imm(256);
  d.size[2] = Dim::reg(5);
  auto db = encode(d);
  EXPECT_EQ(db[1], 0x4);
  EXPECT_EQ(db[8], 0);
  EXPECT_EQ(db[9], 0xFF);
  EXPECT_EQ(db[10], 2);
  EXPECT_EQ(db[11], 0x9a);
  EXPECT_EQ(db[15], 0x12);
  EXPECT_EQ(db[16], 1);
  EXPECT_EQ(db[32], 5);
}

TEST(Encoding, ProgramRoundTrip) {
  RandomInstr rng(7);
  std::vector<Instr> program;
  for (Opcode op : allOpcodes())
    program.push_back(rng.make(op, false));
  std::vector<uint8_t> bytes = encodeProgram(program);
  ASSERT_EQ(bytes.size(), program.size() * kInstrBytes);
  Expected<std::vector<Instr>> back = decodeProgram(bytes.data(), bytes.size());
  ASSERT_TRUE(back) << back.message();
  EXPECT_TRUE(sameEncoding(program, *back));
  Expected<std::vector<Instr>> empty = decodeProgram(nullptr, 0);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

std::array<uint8_t, kInstrBytes> encoded(const Instr &instr) { return encode(instr); }

std::string decodeError(const std::array<uint8_t, kInstrBytes> &bytes) {
  Expected<Instr> r = decode(bytes.data());
  return r ? std::string("<decoded>") : r.message();
}

TEST(Encoding, UnknownOpcode) {
  std::array<uint8_t, kInstrBytes> b{};
  b[0] = 0x9a;
  EXPECT_EQ(decodeError(b), "unknown opcode 0x9a");
  b[0] = 0x03;
  EXPECT_EQ(decodeError(b), "unknown opcode 0x03");
}

TEST(Encoding, ReservedBytesAndBits) {
  auto b = encoded(ControlInstr{Opcode::Halt});
  b[63] = 0x01;
  EXPECT_EQ(decodeError(b), "halt: reserved byte 63 is 0x01, must be 0");

  b = encoded(GemmInstr{});
  b[60] = 0x3f;
  EXPECT_EQ(decodeError(b), "gemm: reserved byte 60 is 0x3f, must be 0");
  b = encoded(GemmInstr{});
  b[1] = 0x80;
  EXPECT_EQ(decodeError(b), "gemm: reserved bits 0x80 of byte 1 are set, must be 0");
  b = encoded(GemmInstr{});
  b[7] = 1;
  EXPECT_EQ(decodeError(b), "gemm: reserved byte 7 is 0x01, must be 0");

  ScalarInstr s;
  b = encoded(s);
  b[5] = 0xff;
  EXPECT_EQ(decodeError(b), "li: reserved byte 5 is 0xff, must be 0");

  DmaInstr d;
  b = encoded(d);
  b[1] = 0x08;
  EXPECT_EQ(decodeError(b), "dma.load: reserved bits 0x08 of byte 1 are set, must be 0");
  b = encoded(d);
  b[52] = 0x02;
  EXPECT_EQ(decodeError(b), "dma.load: reserved byte 52 is 0x02, must be 0");

  VecInstr v;
  v.op = Opcode::VAdd;
  b = encoded(v);
  b[1] = 0x80;
  EXPECT_EQ(decodeError(b), "vadd: reserved bits 0x80 of byte 1 are set, must be 0");
  b = encoded(v);
  b[54] = 0x10;
  EXPECT_EQ(decodeError(b), "vadd: reserved byte 54 is 0x10, must be 0");
}

TEST(Encoding, InvalidEnumValues) {
  auto b = encoded(GemmInstr{});
  b[2] = 0x39; // a = 9
  EXPECT_EQ(decodeError(b), "gemm: invalid dtype 9 in field a (byte 2)");
  b = encoded(GemmInstr{});
  b[3] = 0x75; // scaleType = 7
  EXPECT_EQ(decodeError(b), "gemm: invalid dtype 7 in field scaleType (byte 3)");
  b = encoded(GemmInstr{});
  b[4] = 6;
  EXPECT_EQ(decodeError(b), "gemm: invalid activation value 6 in field act (byte 4)");
  b = encoded(GemmInstr{});
  b[5] = 0x30;
  EXPECT_EQ(decodeError(b), "gemm: invalid scale mode value 3 in field bScale (byte 5)");

  b = encoded(TcConfigInstr{});
  b[1] = 3;
  EXPECT_EQ(decodeError(b), "tc.config: invalid gang value 3 in field gang (byte 1)");
  b = encoded(TcConfigInstr{});
  b[2] = 0x13;
  EXPECT_EQ(decodeError(b), "tc.config: invalid dtype 19 in field precision (byte 2)");

  SyncInstr s;
  b = encoded(s);
  b[1] = 3;
  EXPECT_EQ(decodeError(b), "sem.signal: invalid queue value 3 in field queue (byte 1)");

  DmaInstr d;
  b = encoded(d);
  b[16] = 2;
  EXPECT_EQ(decodeError(b), "dma.load: invalid memory space value 2 in field dst (byte 16)");

  VecInstr v;
  b = encoded(v);
  b[3] = 6;
  EXPECT_EQ(decodeError(b), "vcopy: invalid dtype 6 in field out (byte 3)");
}

TEST(Encoding, RegisterOutOfRange) {
  auto b = encoded(ScalarInstr{});
  b[2] = 32;
  EXPECT_EQ(decodeError(b),
            "li: register index 32 in field rs1 (byte 2) is out of range (r0..r31)");

  BranchInstr br;
  br.op = Opcode::Beq;
  b = encoded(br);
  b[1] = 200;
  EXPECT_EQ(decodeError(b),
            "beq: register index 200 in field rs1 (byte 1) is out of range (r0..r31)");

  DmaInstr d;
  b = encoded(d);
  b[10] = 40;
  EXPECT_EQ(decodeError(b),
            "dma.load: register index 40 in field src.reg (byte 10) is out of range (r0..r31)");
  d.size[1] = Dim::reg(3);
  b = encoded(d);
  b[28] = 33;
  EXPECT_EQ(decodeError(b),
            "dma.load: register index 33 in field size[1] (byte 28) is out of range (r0..r31)");

  GemmInstr g;
  g.k = Dim::reg(1);
  b = encoded(g);
  b[16] = 99;
  EXPECT_EQ(decodeError(b),
            "gemm: register index 99 in field k (byte 16) is out of range (r0..r31)");
}

TEST(Encoding, ProgramErrorsNameTheInstruction) {
  std::vector<Instr> program = {ControlInstr{Opcode::Nop}, ScalarInstr{},
                                ControlInstr{Opcode::Halt}};
  std::vector<uint8_t> bytes = encodeProgram(program);
  bytes[2 * kInstrBytes + 9] = 1;
  Expected<std::vector<Instr>> r = decodeProgram(bytes.data(), bytes.size());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.message(),
            "instruction 2 (byte offset 128): halt: reserved byte 9 is 0x01, must be 0");

  bytes = encodeProgram(program);
  bytes[kInstrBytes] = 0xee;
  r = decodeProgram(bytes.data(), bytes.size());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.message(), "instruction 1 (byte offset 64): unknown opcode 0xee");

  bytes = encodeProgram(program);
  r = decodeProgram(bytes.data(), bytes.size() - 10);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.message(), "program size 182 bytes is not a multiple of the 64-byte instruction "
                         "size (54 trailing bytes)");
}

TEST(Encoding, EveryByteFlipIsDecodedOrRejectedPrecisely) {
  // A mutation either decodes to an instruction that re-encodes to the same
  // bytes, or is an error; never anything in between.
  RandomInstr rng(99);
  for (Opcode op : allOpcodes()) {
    auto bytes = encode(rng.make(op, false));
    for (unsigned pos = 0; pos < kInstrBytes; ++pos) {
      auto mutated = bytes;
      mutated[pos] ^= uint8_t(1u << rng.below(8));
      Expected<Instr> r = decode(mutated.data());
      if (r)
        EXPECT_EQ(encode(*r), mutated) << mnemonic(op) << " byte " << pos;
      else
        EXPECT_FALSE(r.message().empty());
    }
  }
}

} // namespace
} // namespace strata::isa
