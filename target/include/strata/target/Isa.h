//===- Isa.h - The Strata NPU instruction set -------------------*- C++ -*-===//
//
// Tile-level macro-instructions for one NPU core. This header is the contract
// between the compiler (which emits these), the simulator (which runs them)
// and the tools (assembler, objdump). docs/isa.md is the prose reference.
//
// Execution model
// ---------------
// Each core has a sequencer that fetches its program in order. Control,
// scalar and branch instructions run in the sequencer itself; every other
// instruction is dispatched into one of three bounded, in-order queues:
//
//   load queue     DmaLoad, and Sync ops with queue == Load
//   compute queue  TcConfig, Gemm, vector ops, and Sync ops with queue == Compute
//   store queue    DmaStore, and Sync ops with queue == Store
//
// Operands that name a scalar register (address bases, dynamic sizes) are
// resolved at dispatch, so a loop can issue one DMA per iteration with a
// different address. Queues run concurrently; they are ordered against each
// other only through semaphores, barriers and the Fence instruction. Within a
// queue, instructions start in order; one may start before its predecessor
// finished when its unit is free and no SRAM byte range it touches overlaps
// one written (or read, for its writes) by an instruction still in flight.
// A SemSignal starts only after everything before it in its queue finished.
// A SemRelease starts once everything before it in its queue has read its
// SRAM inputs (a Gemm's A, B and scales are read when its last row has
// entered the array; its bias, like every other instruction's inputs, only
// by its completion; an accumulated C is an output): it hands back buffers
// that earlier instructions read, while they may still be writing.
//
// Encoding
// --------
// Every instruction is kInstrBytes (64) bytes, little-endian, byte 0 is the
// opcode. The layout of each class is given next to its struct. Bytes not
// named there are reserved and must be zero; a decoder rejects them.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/target/DType.h"

#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>

namespace strata::isa {

/// Version of the encoding below; the binary container records it.
inline constexpr uint16_t kIsaVersionMajor = 1;
inline constexpr uint16_t kIsaVersionMinor = 1; ///< 1.1 added SemRelease

inline constexpr unsigned kInstrBytes = 64;
/// Scalar registers r0..r31, 64-bit. r0 always reads as zero.
inline constexpr unsigned kNumScalarRegs = 32;
/// Counting semaphores per core.
inline constexpr unsigned kNumSemaphores = 32;
/// Largest SRAM byte offset a compute operand can encode (27 bits).
inline constexpr uint32_t kMaxSramOffset = (1u << 27) - 1;
/// Largest byte offset a DMA operand can encode (40 bits).
inline constexpr uint64_t kMaxDmaOffset = (uint64_t(1) << 40) - 1;
/// Core field of a MemRef meaning "the core running the instruction".
inline constexpr uint8_t kLocalCore = 0xFF;
/// tcGroup value meaning "spread the output tiles over every group".
inline constexpr uint8_t kAllTcGroups = 0xFF;
/// DvfsHint domain meaning "the clock domain of the issuing core".
inline constexpr uint8_t kOwnCoreDomain = 0xFF;

enum class Opcode : uint8_t {
  // Control, run by the sequencer.
  Nop = 0x00,
  Halt = 0x01,  ///< stop fetching; the core finishes when its queues drain
  Fence = 0x02, ///< stall dispatch until all three queues are empty and idle

  // Scalar integer arithmetic on 64-bit registers (sequencer).
  Li = 0x10,    ///< rd = imm
  Add = 0x11,   ///< rd = rs1 + rs2
  Sub = 0x12,   ///< rd = rs1 - rs2
  Mul = 0x13,   ///< rd = rs1 * rs2
  Addi = 0x14,  ///< rd = rs1 + imm
  Muli = 0x15,  ///< rd = rs1 * imm
  Divui = 0x16, ///< rd = rs1 / imm (unsigned; imm == 0 is a fault)
  Remui = 0x17, ///< rd = rs1 % imm (unsigned; imm == 0 is a fault)
  Shli = 0x18,  ///< rd = rs1 << imm
  Shri = 0x19,  ///< rd = rs1 >> imm (logical)
  And = 0x1A,   ///< rd = rs1 & rs2
  Or = 0x1B,    ///< rd = rs1 | rs2
  Min = 0x1C,   ///< rd = min(rs1, rs2) (signed)
  Max = 0x1D,   ///< rd = max(rs1, rs2) (signed)
  Ld32 = 0x1E,  ///< rd = zero-extended u32 at HBM byte address rs1 + imm

  // Branches (sequencer); target is an instruction index in the same program.
  Jmp = 0x20,
  Beq = 0x21,
  Bne = 0x22,
  Blt = 0x23, ///< signed
  Bge = 0x24, ///< signed

  // Synchronisation, executed in the queue named by the instruction.
  SemSignal = 0x30, ///< sem[id] += value once all earlier ops of the queue are done
  SemWait = 0x31,   ///< stall the queue until sem[id] >= value, then sem[id] -= value
  Barrier = 0x32,   ///< stall the queue until every core in mask `value` reached barrier `id`
  DvfsHint = 0x33,  ///< request operating point `value` for clock domain `id`
  SemRelease = 0x34, ///< sem[id] += value once all earlier ops of the queue read their operands

  // DMA.
  DmaLoad = 0x40,  ///< runs in the load queue
  DmaStore = 0x41, ///< runs in the store queue

  // Tensor cores (compute queue).
  TcConfig = 0x50,
  Gemm = 0x51,

  // Vector unit (compute queue). Computation is in FP32; results are rounded
  // to the output type (round to nearest even; integers saturate).
  VAdd = 0x60,       ///< out = x + y'   (y' per the broadcast mode)
  VSub = 0x61,       ///< out = x - y'
  VMul = 0x62,       ///< out = x * y'
  VMax = 0x63,       ///< out = max(x, y')
  VExp = 0x64,       ///< out = exp(x)
  VRsqrt = 0x65,     ///< out = 1 / sqrt(x)
  VSilu = 0x66,      ///< out = x / (1 + exp(-x))
  VGeluTanh = 0x67,  ///< out = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
  VGeluErf = 0x68,   ///< out = 0.5 x (1 + erf(x / sqrt(2)))
  VRelu = 0x69,      ///< out = max(x, 0)
  VReduceSum = 0x6A, ///< out[i] = sum_j x[i][j]
  VReduceMax = 0x6B, ///< out[i] = max_j x[i][j]
  VArgmax = 0x6C,    ///< out[i] (i32) = first j with the largest x[i][j]
  VSoftmax = 0x6D,   ///< row softmax of fimm * x, optional causal mask (flag), masked -> 0
  VRmsNorm = 0x6E,   ///< out = x / sqrt(mean_j(x^2) + fimm) * y[j]
  VLayerNorm = 0x6F, ///< out = (x - mean) / sqrt(var + fimm) * y[j] + z[j]
  VRope = 0x70,      ///< rotary embedding, see VecInstr
  VQuantize = 0x71,  ///< float x -> integer out, scales written to y
  VDequantize = 0x72, ///< integer x * scales y -> float out
  VCast = 0x73,      ///< convert x to the output type
  VCopy = 0x74,      ///< strided 2D copy
  VTranspose = 0x75, ///< out[j][i] = x[i][j]
};

/// The three instruction queues of a core.
enum class Queue : uint8_t { Load = 0, Compute = 1, Store = 2 };

/// Which hardware unit executes an instruction.
enum class Unit : uint8_t { Sequencer, Dma, TensorCore, Vector, Sync };

/// A size operand: an immediate, or the value that scalar register `value`
/// holds when the instruction is dispatched.
struct Dim {
  uint32_t value = 0;
  bool isReg = false;

  static Dim imm(uint32_t v) { return {v, false}; }
  static Dim reg(uint8_t r) { return {r, true}; }
  bool operator==(const Dim &o) const { return value == o.value && isReg == o.isReg; }
  bool operator!=(const Dim &o) const { return !(*this == o); }
};

/// A local-SRAM byte address for compute operands: R[reg] + offset.
/// Encoded in 32 bits: offset in bits 0..26, reg in bits 27..31.
struct SramRef {
  uint8_t reg = 0;
  uint32_t offset = 0;
  bool operator==(const SramRef &o) const { return reg == o.reg && offset == o.offset; }
  bool operator!=(const SramRef &o) const { return !(*this == o); }
};

enum class Space : uint8_t { Hbm = 0, Sram = 1 };

/// A DMA endpoint: R[reg] + offset in HBM, or in the SRAM of `core`
/// (kLocalCore: the issuing core; another id reaches a peer's SRAM over the
/// NoC). Encoded in 8 bytes: space, core, reg, then a 40-bit offset.
struct MemRef {
  Space space = Space::Hbm;
  uint8_t core = kLocalCore;
  uint8_t reg = 0;
  uint64_t offset = 0;
  bool operator==(const MemRef &o) const {
    return space == o.space && core == o.core && reg == o.reg && offset == o.offset;
  }
  bool operator!=(const MemRef &o) const { return !(*this == o); }
};

//===----------------------------------------------------------------------===//
// Instruction classes
//===----------------------------------------------------------------------===//

/// Nop, Halt, Fence. Bytes 1..63 reserved.
struct ControlInstr {
  Opcode op = Opcode::Nop;
};

/// Li .. Ld32. Layout: b1 rd, b2 rs1, b3 rs2, b8..15 imm (int64).
struct ScalarInstr {
  Opcode op = Opcode::Li;
  uint8_t rd = 0, rs1 = 0, rs2 = 0;
  int64_t imm = 0;
};

/// Jmp, Beq, Bne, Blt, Bge. Layout: b1 rs1, b2 rs2, b4..7 target (u32).
struct BranchInstr {
  Opcode op = Opcode::Jmp;
  uint8_t rs1 = 0, rs2 = 0;
  uint32_t target = 0; ///< absolute instruction index in the same program
};

/// SemSignal, SemRelease, SemWait, Barrier, DvfsHint.
/// Layout: b1 queue, b2 id, b4..7 value (u32).
///   SemSignal/SemRelease/SemWait: id = semaphore, value = count (>= 1)
///   Barrier:           id = barrier id, value = mask of participating cores
///   DvfsHint:          id = clock domain index (kOwnCoreDomain: own core),
///                      value = operating-point index
struct SyncInstr {
  Opcode op = Opcode::SemSignal;
  Queue queue = Queue::Compute;
  uint8_t id = 0;
  uint32_t value = 0;
};

/// DmaLoad, DmaStore: a 3D strided copy of bytes.
/// for i2 < size[2], i1 < size[1]: copy size[0] contiguous bytes from
///   src + i1*srcStride[0] + i2*srcStride[1] to dst + i1*dstStride[0] + i2*dstStride[1].
/// Layout: b1 bits 0..2 = isReg of size[0..2]; b8..15 src; b16..23 dst;
/// b24..35 size[0..2] (u32); b36..43 srcStride[0..1]; b44..51 dstStride[0..1].
struct DmaInstr {
  Opcode op = Opcode::DmaLoad;
  MemRef src, dst;
  Dim size[3] = {Dim::imm(0), Dim::imm(1), Dim::imm(1)};
  uint32_t srcStride[2] = {0, 0};
  uint32_t dstStride[2] = {0, 0};
};

/// How the 16 tensor cores of a core are ganged.
enum class Gang : uint8_t {
  Independent = 0, ///< "16x1": 16 independent arrays (groups 0..15)
  Quad = 1,        ///< "4x4":  4 groups of 4 arrays (groups 0..3)
  Single = 2,      ///< "1x16": all 16 ganged as one array (group 0)
};

/// Reconfigure the tensor cores: ganging and multiplier precision. Costs the
/// configured reconfiguration cycles when anything changes.
/// Layout: b1 gang, b2 precision (DType).
/// The precision is the operand class the multipliers run: I4 (i4 x i4),
/// I8 (i8 x i8 and i8 x i4), F16, BF16, F32. A Gemm whose operands do not
/// match the configured precision is a fault.
struct TcConfigInstr {
  Gang gang = Gang::Independent;
  DType precision = DType::F16;
};

enum class Activation : uint8_t {
  None = 0,
  Relu = 1,
  Silu = 2,
  GeluTanh = 3,
  GeluErf = 4,
  /// out[:, j] = silu(r[:, j]) * r[:, j + N/2] for j < N/2: the output has N/2
  /// columns. N must be even (gate and up halves side by side).
  SwiGlu = 5,
};

enum class ScaleMode : uint8_t {
  None = 0,
  /// A: one scale per row m, [M]. B: one scale per output column n, [N].
  PerRow = 1,
  /// One scale per groupSize consecutive K elements.
  /// A: [M][K/G]. B: [N][K/G] when transB, else [K/G][N].
  PerGroup = 2,
};

/// C = epilogue(A x B). A is [M][K] (row stride lda elements); B is [K][N]
/// (ldb) or, with transB, [N][K] (ldb), the layout of a linear layer's weight.
/// Integer inputs multiply exactly into INT32 per scale group; each group's
/// sum is converted to FP32, multiplied by its A and B scales and summed in
/// FP32. Float inputs multiply exactly and accumulate in FP32.
/// Epilogue, in order: + bias[n] (F32) if hasBias; activation; + old C if
/// accumulate; rounding to `out`.
/// Layout: b1 bit0 transB, bit1 accumulate, bit2 hasBias, bits3..5 isReg of
/// m,n,k; b2 a | b<<4; b3 out | scaleType<<4; b4 activation; b5 aScale |
/// bScale<<4; b6 tcGroup; b8..31 m,n,k,lda,ldb,ldc (u32); b32..55 SramRef
/// A,B,C,scaleA,scaleB,bias (u32 each); b56..57 groupSize (u16).
struct GemmInstr {
  DType a = DType::F16, b = DType::F16, out = DType::F32;
  DType scaleType = DType::F32; ///< F32 or F16
  ScaleMode aScale = ScaleMode::None, bScale = ScaleMode::None;
  Activation act = Activation::None;
  bool transB = false;
  bool accumulate = false;
  bool hasBias = false;
  uint8_t tcGroup = kAllTcGroups;
  Dim m, n, k;
  uint32_t lda = 0, ldb = 0, ldc = 0; ///< leading dimensions, in elements
  uint16_t groupSize = 0;             ///< K elements per scale group (PerGroup)
  SramRef A, B, C, scaleA, scaleB, bias;
};

/// How the second operand y of VAdd/VSub/VMul/VMax is read.
enum class Broadcast : uint8_t {
  None = 0,   ///< y is [rows][cols] with leading dimension ld1
  Row = 1,    ///< y is one row [cols], used for every row
  Col = 2,    ///< y is one column [rows], y[i] used across row i
  Scalar = 3, ///< y is the immediate fimm
};

/// Vector-unit instruction over a [rows][cols] tile in local SRAM.
/// Operands: x (src0, type in), y (src1, type in1), z (src2, type in1),
/// out (type out). Leading dimensions ld0 (x), ld1 (y, z), ldd (out) are in
/// elements. Op-specific fields:
///   VAdd..VMax      bcast says how y is read; Scalar uses fimm.
///   VReduce*, VArgmax  out[i * ldd] per row.
///   VSoftmax        fimm = scale applied before softmax (1.0 for none);
///                   only j < cols are read; with `causal`, (i, j) with
///                   j > aux + i is masked (aux = position of row 0 minus
///                   position of column 0).
///   VRmsNorm        y = gamma[cols], fimm = eps.
///   VLayerNorm      y = gamma[cols], z = beta[cols], fimm = eps.
///   VRope           head size aux2 (even); row i is at position aux + i;
///                   fimm = theta; pairs (2m, 2m+1) of each head are rotated
///                   by pos * theta^(-2m/aux2), or pairs (m, m + aux2/2)
///                   with ropeHalf.
///   VQuantize       symmetric, per row (aux2 == 0) or per aux2 columns:
///                   amax = max |x| of the group, qmax = 127 (I8) or 7 (I4);
///                   d = amax / qmax rounded to in1 (F32 or F16) is written
///                   to y ([rows][groups]); q = clamp(round_to_nearest_even(
///                   x * (qmax / amax))), 0 when amax == 0. (The multiplier
///                   uses the unrounded amax, as a hardware quantizer does.)
///   VDequantize     out = x * y[i][j / aux2] (aux2 == 0: per row).
///   VCast, VCopy, VTranspose   layout changes only.
/// Layout: b1 bit0 causal, bit1 ropeHalf, bits2..3 bcast, bits4..6 isReg of
/// rows, cols, aux; b2 in | in1<<4; b3 out; b8..31 rows, cols, ld0, ld1, ldd,
/// aux (u32); b32..47 SramRef x, y, z, out; b48..51 fimm (f32 bits);
/// b52..53 aux2 (u16).
struct VecInstr {
  Opcode op = Opcode::VCopy;
  DType in = DType::F32, in1 = DType::F32, out = DType::F32;
  Broadcast bcast = Broadcast::None;
  bool causal = false;
  bool ropeHalf = false;
  Dim rows, cols, aux;
  uint32_t ld0 = 0, ld1 = 0, ldd = 0;
  uint16_t aux2 = 0;
  float fimm = 0.0f;
  SramRef x, y, z, dst;
};

using Instr = std::variant<ControlInstr, ScalarInstr, BranchInstr, SyncInstr,
                           DmaInstr, TcConfigInstr, GemmInstr, VecInstr>;

/// The opcode of any instruction.
Opcode opcodeOf(const Instr &instr);
/// The unit that executes an opcode.
Unit unitOf(Opcode op);
/// True for vector ops that evaluate a transcendental function per element
/// (exp, rsqrt, silu, gelu, and the exp of softmax and sin/cos of rope): they
/// need float data and run on the vector unit's transcendental pipeline.
bool isTranscendental(Opcode op);
/// The queue an instruction is dispatched to; nullopt for sequencer ops.
std::optional<Queue> queueOf(const Instr &instr);
/// Assembly mnemonic, e.g. "gemm", "dma.load", "vsoftmax".
std::string_view mnemonic(Opcode op);
/// True if `raw` is a defined opcode.
bool isValidOpcode(uint8_t raw);

} // namespace strata::isa
