//===- Encoding.cpp - Instruction encoder and decoder ---------------------===//
//
// The encoder and decoder walk the same field list per class. The decoder
// marks every bit a field owns; whatever bits remain unowned are reserved and
// must be zero, so the reserved-byte rule never drifts from the layouts.
//
//===----------------------------------------------------------------------===//
#include "strata/target/Encoding.h"

#include "strata/support/Float16.h"

#include <cstring>
#include <string>

namespace strata::isa {

namespace {

std::string hex8(unsigned v) {
  static const char digits[] = "0123456789abcdef";
  std::string s = "0x";
  s += digits[(v >> 4) & 0xF];
  s += digits[v & 0xF];
  return s;
}

//===----------------------------------------------------------------------===//
// Encoder
//===----------------------------------------------------------------------===//

class Writer {
public:
  explicit Writer(uint8_t *out) : out_(out) { std::memset(out_, 0, kInstrBytes); }

  void u8(unsigned pos, uint8_t v) { out_[pos] = v; }
  void orBits(unsigned pos, uint8_t v) { out_[pos] |= v; }
  void u16(unsigned pos, uint16_t v) { putLe(pos, v, 2); }
  void u32(unsigned pos, uint32_t v) { putLe(pos, v, 4); }
  void u64(unsigned pos, uint64_t v) { putLe(pos, v, 8); }

  void sram(unsigned pos, const SramRef &r) {
    u32(pos, (r.offset & kMaxSramOffset) | (uint32_t(r.reg & 0x1F) << 27));
  }
  void mem(unsigned pos, const MemRef &m) {
    u8(pos, static_cast<uint8_t>(m.space));
    u8(pos + 1, m.core);
    u8(pos + 2, m.reg);
    putLe(pos + 3, m.offset & kMaxDmaOffset, 5);
  }

private:
  void putLe(unsigned pos, uint64_t v, unsigned n) {
    for (unsigned i = 0; i < n; ++i)
      out_[pos + i] = uint8_t(v >> (8 * i));
  }
  uint8_t *out_;
};

uint8_t dimRegBits(const Dim *dims, unsigned count) {
  uint8_t bits = 0;
  for (unsigned i = 0; i < count; ++i)
    if (dims[i].isReg)
      bits |= uint8_t(1u << i);
  return bits;
}

uint32_t floatToBits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

struct Encoder {
  Writer &w;

  void operator()(const ControlInstr &i) { w.u8(0, uint8_t(i.op)); }

  void operator()(const ScalarInstr &i) {
    w.u8(0, uint8_t(i.op));
    w.u8(1, i.rd);
    w.u8(2, i.rs1);
    w.u8(3, i.rs2);
    w.u64(8, uint64_t(i.imm));
  }

  void operator()(const BranchInstr &i) {
    w.u8(0, uint8_t(i.op));
    w.u8(1, i.rs1);
    w.u8(2, i.rs2);
    w.u32(4, i.target);
  }

  void operator()(const SyncInstr &i) {
    w.u8(0, uint8_t(i.op));
    w.u8(1, uint8_t(i.queue));
    w.u8(2, i.id);
    w.u32(4, i.value);
  }

  void operator()(const DmaInstr &i) {
    w.u8(0, uint8_t(i.op));
    w.u8(1, dimRegBits(i.size, 3));
    w.mem(8, i.src);
    w.mem(16, i.dst);
    for (unsigned d = 0; d < 3; ++d)
      w.u32(24 + 4 * d, i.size[d].value);
    w.u32(36, i.srcStride[0]);
    w.u32(40, i.srcStride[1]);
    w.u32(44, i.dstStride[0]);
    w.u32(48, i.dstStride[1]);
  }

  void operator()(const TcConfigInstr &i) {
    w.u8(0, uint8_t(Opcode::TcConfig));
    w.u8(1, uint8_t(i.gang));
    w.u8(2, uint8_t(i.precision));
  }

  void operator()(const GemmInstr &i) {
    w.u8(0, uint8_t(Opcode::Gemm));
    const Dim dims[3] = {i.m, i.n, i.k};
    w.u8(1, uint8_t((i.transB ? 1 : 0) | (i.accumulate ? 2 : 0) | (i.hasBias ? 4 : 0) |
                    (dimRegBits(dims, 3) << 3)));
    w.u8(2, uint8_t((uint8_t(i.a) & 0xF) | (uint8_t(i.b) << 4)));
    w.u8(3, uint8_t((uint8_t(i.out) & 0xF) | (uint8_t(i.scaleType) << 4)));
    w.u8(4, uint8_t(i.act));
    w.u8(5, uint8_t((uint8_t(i.aScale) & 0xF) | (uint8_t(i.bScale) << 4)));
    w.u8(6, i.tcGroup);
    w.u32(8, i.m.value);
    w.u32(12, i.n.value);
    w.u32(16, i.k.value);
    w.u32(20, i.lda);
    w.u32(24, i.ldb);
    w.u32(28, i.ldc);
    w.sram(32, i.A);
    w.sram(36, i.B);
    w.sram(40, i.C);
    w.sram(44, i.scaleA);
    w.sram(48, i.scaleB);
    w.sram(52, i.bias);
    w.u16(56, i.groupSize);
  }

  void operator()(const VecInstr &i) {
    w.u8(0, uint8_t(i.op));
    const Dim dims[3] = {i.rows, i.cols, i.aux};
    w.u8(1, uint8_t((i.causal ? 1 : 0) | (i.ropeHalf ? 2 : 0) | ((uint8_t(i.bcast) & 3) << 2) |
                    (dimRegBits(dims, 3) << 4)));
    w.u8(2, uint8_t((uint8_t(i.in) & 0xF) | (uint8_t(i.in1) << 4)));
    w.u8(3, uint8_t(i.out));
    w.u32(8, i.rows.value);
    w.u32(12, i.cols.value);
    w.u32(16, i.ld0);
    w.u32(20, i.ld1);
    w.u32(24, i.ldd);
    w.u32(28, i.aux.value);
    w.sram(32, i.x);
    w.sram(36, i.y);
    w.sram(40, i.z);
    w.sram(44, i.dst);
    w.u32(48, floatToBits(i.fimm));
    w.u16(52, i.aux2);
  }
};

//===----------------------------------------------------------------------===//
// Decoder
//===----------------------------------------------------------------------===//

/// Reads fields and remembers which bits they own. The first failure sticks;
/// later reads return zero so the per-class code stays straight-line.
class Reader {
public:
  Reader(const uint8_t *bytes, std::string_view mnemonic) : b_(bytes), mnemonic_(mnemonic) {
    std::memset(owned_, 0, sizeof owned_);
    owned_[0] = 0xFF;
  }

  bool failed() const { return error_.has_value(); }
  Error takeError() { return std::move(*error_); }

  uint8_t bits(unsigned pos, unsigned shift, unsigned width) {
    uint8_t mask = uint8_t(((1u << width) - 1) << shift);
    owned_[pos] |= mask;
    return uint8_t((b_[pos] & mask) >> shift);
  }
  bool flag(unsigned pos, unsigned bit) { return bits(pos, bit, 1) != 0; }
  uint8_t u8(unsigned pos) { return bits(pos, 0, 8); }
  uint16_t u16(unsigned pos) { return uint16_t(le(pos, 2)); }
  uint32_t u32(unsigned pos) { return uint32_t(le(pos, 4)); }
  uint64_t u64(unsigned pos) { return le(pos, 8); }

  uint8_t reg(unsigned pos, const char *field) {
    uint8_t r = u8(pos);
    checkReg(r, field, pos);
    return r;
  }

  void checkReg(uint32_t r, const char *field, unsigned pos) {
    if (r >= kNumScalarRegs)
      fail("register index " + std::to_string(r) + " in field " + field + " (byte " +
           std::to_string(pos) + ") is out of range (r0..r" +
           std::to_string(kNumScalarRegs - 1) + ")");
  }

  DType dtype(unsigned pos, unsigned shift, const char *field) {
    uint8_t raw = bits(pos, shift, 4);
    if (!isValidDType(raw))
      fail("invalid dtype " + std::to_string(raw) + " in field " + field + " (byte " +
           std::to_string(pos) + ")");
    return isValidDType(raw) ? DType(raw) : DType::F32;
  }

  /// A dtype that owns a whole byte.
  DType dtypeByte(unsigned pos, const char *field) {
    uint8_t raw = u8(pos);
    if (!isValidDType(raw))
      fail("invalid dtype " + std::to_string(raw) + " in field " + field + " (byte " +
           std::to_string(pos) + ")");
    return isValidDType(raw) ? DType(raw) : DType::F32;
  }

  /// An enum stored in `width` bits whose valid values are 0..count-1.
  template <typename E> E enumField(unsigned pos, unsigned shift, unsigned width,
                                    unsigned count, const char *what, const char *field) {
    uint8_t raw = bits(pos, shift, width);
    if (raw >= count) {
      fail(std::string("invalid ") + what + " value " + std::to_string(raw) + " in field " +
           field + " (byte " + std::to_string(pos) + ")");
      return E(0);
    }
    return E(raw);
  }

  SramRef sram(unsigned pos) {
    uint32_t v = u32(pos);
    return SramRef{uint8_t(v >> 27), v & kMaxSramOffset};
  }

  MemRef mem(unsigned pos, const char *field) {
    MemRef m;
    m.space = enumField<Space>(pos, 0, 8, 2, "memory space", field);
    m.core = u8(pos + 1);
    m.reg = u8(pos + 2);
    checkReg(m.reg, (std::string(field) + ".reg").c_str(), pos + 2);
    m.offset = le(pos + 3, 5);
    return m;
  }

  Dim dim(unsigned pos, bool isReg, const char *field) {
    uint32_t v = u32(pos);
    if (isReg)
      checkReg(v, field, pos);
    return Dim{v, isReg};
  }

  /// Every bit no field owns must be zero.
  void checkReserved() {
    if (failed())
      return;
    for (unsigned pos = 0; pos < kInstrBytes; ++pos) {
      uint8_t stray = uint8_t(b_[pos] & ~owned_[pos]);
      if (!stray)
        continue;
      if (owned_[pos] == 0)
        fail("reserved byte " + std::to_string(pos) + " is " + hex8(b_[pos]) + ", must be 0");
      else
        fail("reserved bits " + hex8(stray) + " of byte " + std::to_string(pos) +
             " are set, must be 0");
      return;
    }
  }

  void fail(std::string message) {
    if (!error_)
      error_ = Error(std::string(mnemonic_) + ": " + message);
  }

private:
  uint64_t le(unsigned pos, unsigned n) {
    uint64_t v = 0;
    for (unsigned i = 0; i < n; ++i) {
      owned_[pos + i] = 0xFF;
      v |= uint64_t(b_[pos + i]) << (8 * i);
    }
    return v;
  }

  const uint8_t *b_;
  std::string_view mnemonic_;
  uint8_t owned_[kInstrBytes];
  std::optional<Error> error_;
};

enum class InstrClass { Control, Scalar, Branch, Sync, Dma, TcConfig, Gemm, Vec };

InstrClass classOf(Opcode op) {
  uint8_t raw = uint8_t(op);
  if (raw < 0x10)
    return InstrClass::Control;
  if (raw < 0x20)
    return InstrClass::Scalar;
  if (raw < 0x30)
    return InstrClass::Branch;
  if (raw < 0x40)
    return InstrClass::Sync;
  if (raw < 0x50)
    return InstrClass::Dma;
  if (op == Opcode::TcConfig)
    return InstrClass::TcConfig;
  if (op == Opcode::Gemm)
    return InstrClass::Gemm;
  return InstrClass::Vec;
}

Instr decodeFields(Opcode op, Reader &r) {
  switch (classOf(op)) {
  case InstrClass::Control:
    return ControlInstr{op};
  case InstrClass::Scalar: {
    ScalarInstr i{};
    i.op = op;
    i.rd = r.reg(1, "rd");
    i.rs1 = r.reg(2, "rs1");
    i.rs2 = r.reg(3, "rs2");
    i.imm = int64_t(r.u64(8));
    return i;
  }
  case InstrClass::Branch: {
    BranchInstr i{};
    i.op = op;
    i.rs1 = r.reg(1, "rs1");
    i.rs2 = r.reg(2, "rs2");
    i.target = r.u32(4);
    return i;
  }
  case InstrClass::Sync: {
    SyncInstr i{};
    i.op = op;
    i.queue = r.enumField<Queue>(1, 0, 8, 3, "queue", "queue");
    i.id = r.u8(2);
    i.value = r.u32(4);
    return i;
  }
  case InstrClass::Dma: {
    DmaInstr i{};
    i.op = op;
    uint8_t regBits = r.bits(1, 0, 3);
    i.src = r.mem(8, "src");
    i.dst = r.mem(16, "dst");
    static const char *kSizeNames[3] = {"size[0]", "size[1]", "size[2]"};
    for (unsigned d = 0; d < 3; ++d)
      i.size[d] = r.dim(24 + 4 * d, (regBits >> d) & 1, kSizeNames[d]);
    i.srcStride[0] = r.u32(36);
    i.srcStride[1] = r.u32(40);
    i.dstStride[0] = r.u32(44);
    i.dstStride[1] = r.u32(48);
    return i;
  }
  case InstrClass::TcConfig: {
    TcConfigInstr i{};
    i.gang = r.enumField<Gang>(1, 0, 8, 3, "gang", "gang");
    i.precision = r.dtypeByte(2, "precision");
    return i;
  }
  case InstrClass::Gemm: {
    GemmInstr i{};
    i.transB = r.flag(1, 0);
    i.accumulate = r.flag(1, 1);
    i.hasBias = r.flag(1, 2);
    uint8_t regBits = r.bits(1, 3, 3);
    i.a = r.dtype(2, 0, "a");
    i.b = r.dtype(2, 4, "b");
    i.out = r.dtype(3, 0, "out");
    i.scaleType = r.dtype(3, 4, "scaleType");
    i.act = r.enumField<Activation>(4, 0, 8, 6, "activation", "act");
    i.aScale = r.enumField<ScaleMode>(5, 0, 4, 3, "scale mode", "aScale");
    i.bScale = r.enumField<ScaleMode>(5, 4, 4, 3, "scale mode", "bScale");
    i.tcGroup = r.u8(6);
    i.m = r.dim(8, regBits & 1, "m");
    i.n = r.dim(12, regBits & 2, "n");
    i.k = r.dim(16, regBits & 4, "k");
    i.lda = r.u32(20);
    i.ldb = r.u32(24);
    i.ldc = r.u32(28);
    i.A = r.sram(32);
    i.B = r.sram(36);
    i.C = r.sram(40);
    i.scaleA = r.sram(44);
    i.scaleB = r.sram(48);
    i.bias = r.sram(52);
    i.groupSize = r.u16(56);
    return i;
  }
  case InstrClass::Vec: {
    VecInstr i{};
    i.op = op;
    i.causal = r.flag(1, 0);
    i.ropeHalf = r.flag(1, 1);
    i.bcast = Broadcast(r.bits(1, 2, 2));
    uint8_t regBits = r.bits(1, 4, 3);
    i.in = r.dtype(2, 0, "in");
    i.in1 = r.dtype(2, 4, "in1");
    i.out = r.dtypeByte(3, "out");
    i.rows = r.dim(8, regBits & 1, "rows");
    i.cols = r.dim(12, regBits & 2, "cols");
    i.ld0 = r.u32(16);
    i.ld1 = r.u32(20);
    i.ldd = r.u32(24);
    i.aux = r.dim(28, regBits & 4, "aux");
    i.x = r.sram(32);
    i.y = r.sram(36);
    i.z = r.sram(40);
    i.dst = r.sram(44);
    uint32_t bits = r.u32(48);
    std::memcpy(&i.fimm, &bits, sizeof bits);
    i.aux2 = r.u16(52);
    return i;
  }
  }
  return ControlInstr{};
}

} // namespace

void encode(const Instr &instr, uint8_t out[kInstrBytes]) {
  Writer w(out);
  std::visit(Encoder{w}, instr);
}

std::array<uint8_t, kInstrBytes> encode(const Instr &instr) {
  std::array<uint8_t, kInstrBytes> bytes;
  encode(instr, bytes.data());
  return bytes;
}

Expected<Instr> decode(const uint8_t *bytes) {
  if (!isValidOpcode(bytes[0]))
    return Error("unknown opcode " + hex8(bytes[0]));
  Opcode op = Opcode(bytes[0]);
  Reader r(bytes, mnemonic(op));
  Instr instr = decodeFields(op, r);
  r.checkReserved();
  if (r.failed())
    return r.takeError();
  return instr;
}

std::vector<uint8_t> encodeProgram(const std::vector<Instr> &program) {
  std::vector<uint8_t> bytes(program.size() * kInstrBytes);
  for (size_t i = 0; i < program.size(); ++i)
    encode(program[i], bytes.data() + i * kInstrBytes);
  return bytes;
}

Expected<std::vector<Instr>> decodeProgram(const uint8_t *data, size_t nbytes) {
  if (nbytes % kInstrBytes != 0)
    return Error("program size " + std::to_string(nbytes) + " bytes is not a multiple of the " +
                 std::to_string(kInstrBytes) + "-byte instruction size (" +
                 std::to_string(nbytes % kInstrBytes) + " trailing bytes)");
  std::vector<Instr> program;
  program.reserve(nbytes / kInstrBytes);
  for (size_t i = 0; i < nbytes / kInstrBytes; ++i) {
    Expected<Instr> instr = decode(data + i * kInstrBytes);
    if (!instr)
      return instr.error().withContext("instruction " + std::to_string(i) + " (byte offset " +
                                       std::to_string(i * kInstrBytes) + ")");
    program.push_back(instr.takeValue());
  }
  return program;
}

bool sameEncoding(const Instr &a, const Instr &b) { return encode(a) == encode(b); }

bool sameEncoding(const std::vector<Instr> &a, const std::vector<Instr> &b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!sameEncoding(a[i], b[i]))
      return false;
  return true;
}

} // namespace strata::isa
