//===- Isa.cpp - Opcode properties ----------------------------------------===//
#include "strata/target/Isa.h"

#include <array>

namespace strata {

namespace {
constexpr std::array<std::string_view, kNumDTypes> kDTypeNames = {
    "i4", "i8", "i32", "f16", "bf16", "f32"};
} // namespace

std::string_view dtypeName(DType t) {
  auto index = static_cast<unsigned>(t);
  return index < kNumDTypes ? kDTypeNames[index] : std::string_view("?");
}

std::optional<DType> parseDType(std::string_view name) {
  for (unsigned i = 0; i < kNumDTypes; ++i)
    if (kDTypeNames[i] == name)
      return static_cast<DType>(i);
  return std::nullopt;
}

namespace isa {

namespace {
struct OpcodeInfo {
  Opcode op;
  std::string_view mnemonic;
  Unit unit;
};

// One row per opcode: the single table mnemonic() and unitOf() read.
constexpr OpcodeInfo kOpcodes[] = {
    {Opcode::Nop, "nop", Unit::Sequencer},
    {Opcode::Halt, "halt", Unit::Sequencer},
    {Opcode::Fence, "fence", Unit::Sequencer},
    {Opcode::Li, "li", Unit::Sequencer},
    {Opcode::Add, "add", Unit::Sequencer},
    {Opcode::Sub, "sub", Unit::Sequencer},
    {Opcode::Mul, "mul", Unit::Sequencer},
    {Opcode::Addi, "addi", Unit::Sequencer},
    {Opcode::Muli, "muli", Unit::Sequencer},
    {Opcode::Divui, "divui", Unit::Sequencer},
    {Opcode::Remui, "remui", Unit::Sequencer},
    {Opcode::Shli, "shli", Unit::Sequencer},
    {Opcode::Shri, "shri", Unit::Sequencer},
    {Opcode::And, "and", Unit::Sequencer},
    {Opcode::Or, "or", Unit::Sequencer},
    {Opcode::Min, "min", Unit::Sequencer},
    {Opcode::Max, "max", Unit::Sequencer},
    {Opcode::Ld32, "ld32", Unit::Sequencer},
    {Opcode::Jmp, "jmp", Unit::Sequencer},
    {Opcode::Beq, "beq", Unit::Sequencer},
    {Opcode::Bne, "bne", Unit::Sequencer},
    {Opcode::Blt, "blt", Unit::Sequencer},
    {Opcode::Bge, "bge", Unit::Sequencer},
    {Opcode::SemSignal, "sem.signal", Unit::Sync},
    {Opcode::SemWait, "sem.wait", Unit::Sync},
    {Opcode::SemRelease, "sem.release", Unit::Sync},
    {Opcode::Barrier, "barrier", Unit::Sync},
    {Opcode::DvfsHint, "dvfs.hint", Unit::Sync},
    {Opcode::DmaLoad, "dma.load", Unit::Dma},
    {Opcode::DmaStore, "dma.store", Unit::Dma},
    {Opcode::TcConfig, "tc.config", Unit::TensorCore},
    {Opcode::Gemm, "gemm", Unit::TensorCore},
    {Opcode::VAdd, "vadd", Unit::Vector},
    {Opcode::VSub, "vsub", Unit::Vector},
    {Opcode::VMul, "vmul", Unit::Vector},
    {Opcode::VMax, "vmax", Unit::Vector},
    {Opcode::VExp, "vexp", Unit::Vector},
    {Opcode::VRsqrt, "vrsqrt", Unit::Vector},
    {Opcode::VSilu, "vsilu", Unit::Vector},
    {Opcode::VGeluTanh, "vgelu.tanh", Unit::Vector},
    {Opcode::VGeluErf, "vgelu.erf", Unit::Vector},
    {Opcode::VRelu, "vrelu", Unit::Vector},
    {Opcode::VReduceSum, "vreduce.sum", Unit::Vector},
    {Opcode::VReduceMax, "vreduce.max", Unit::Vector},
    {Opcode::VArgmax, "vargmax", Unit::Vector},
    {Opcode::VSoftmax, "vsoftmax", Unit::Vector},
    {Opcode::VRmsNorm, "vrmsnorm", Unit::Vector},
    {Opcode::VLayerNorm, "vlayernorm", Unit::Vector},
    {Opcode::VRope, "vrope", Unit::Vector},
    {Opcode::VQuantize, "vquant", Unit::Vector},
    {Opcode::VDequantize, "vdequant", Unit::Vector},
    {Opcode::VCast, "vcast", Unit::Vector},
    {Opcode::VCopy, "vcopy", Unit::Vector},
    {Opcode::VTranspose, "vtranspose", Unit::Vector},
};

const OpcodeInfo *find(Opcode op) {
  for (const OpcodeInfo &info : kOpcodes)
    if (info.op == op)
      return &info;
  return nullptr;
}

template <class... Fs> struct Overloaded : Fs... { using Fs::operator()...; };
template <class... Fs> Overloaded(Fs...) -> Overloaded<Fs...>;
} // namespace

bool isValidOpcode(uint8_t raw) { return find(static_cast<Opcode>(raw)) != nullptr; }

std::string_view mnemonic(Opcode op) {
  const OpcodeInfo *info = find(op);
  return info ? info->mnemonic : std::string_view("<invalid>");
}

Unit unitOf(Opcode op) {
  const OpcodeInfo *info = find(op);
  return info ? info->unit : Unit::Sequencer;
}

bool isTranscendental(Opcode op) {
  switch (op) {
  case Opcode::VExp:
  case Opcode::VRsqrt:
  case Opcode::VSilu:
  case Opcode::VGeluTanh:
  case Opcode::VGeluErf:
  case Opcode::VSoftmax:
  case Opcode::VRope: return true;
  default: return false;
  }
}

Opcode opcodeOf(const Instr &instr) {
  return std::visit(
      Overloaded{[](const ControlInstr &i) { return i.op; },
                 [](const ScalarInstr &i) { return i.op; },
                 [](const BranchInstr &i) { return i.op; },
                 [](const SyncInstr &i) { return i.op; },
                 [](const DmaInstr &i) { return i.op; },
                 [](const TcConfigInstr &) { return Opcode::TcConfig; },
                 [](const GemmInstr &) { return Opcode::Gemm; },
                 [](const VecInstr &i) { return i.op; }},
      instr);
}

std::optional<Queue> queueOf(const Instr &instr) {
  return std::visit(
      Overloaded{[](const ControlInstr &) -> std::optional<Queue> { return std::nullopt; },
                 [](const ScalarInstr &) -> std::optional<Queue> { return std::nullopt; },
                 [](const BranchInstr &) -> std::optional<Queue> { return std::nullopt; },
                 [](const SyncInstr &i) -> std::optional<Queue> { return i.queue; },
                 [](const DmaInstr &i) -> std::optional<Queue> {
                   return i.op == Opcode::DmaStore ? Queue::Store : Queue::Load;
                 },
                 [](const TcConfigInstr &) -> std::optional<Queue> { return Queue::Compute; },
                 [](const GemmInstr &) -> std::optional<Queue> { return Queue::Compute; },
                 [](const VecInstr &) -> std::optional<Queue> { return Queue::Compute; }},
      instr);
}

} // namespace isa
} // namespace strata
