//===- AsmSyntax.cpp - Names and operand forms of the assembly ------------===//
#include "AsmSyntax.h"

#include <array>
#include <charconv>
#include <cmath>
#include <unordered_map>

namespace strata::isa::asmsyntax {

namespace {

template <typename E, size_t N>
std::string_view nameOf(const std::array<std::string_view, N> &names, E value) {
  auto index = static_cast<size_t>(value);
  return index < N ? names[index] : std::string_view("?");
}

template <typename E, size_t N>
std::optional<E> lookup(const std::array<std::string_view, N> &names, std::string_view s) {
  for (size_t i = 0; i < N; ++i)
    if (names[i] == s)
      return static_cast<E>(i);
  return std::nullopt;
}

constexpr std::array<std::string_view, 3> kQueues = {"load", "compute", "store"};
constexpr std::array<std::string_view, 3> kGangs = {"16x1", "4x4", "1x16"};
constexpr std::array<std::string_view, 6> kActivations = {"none",     "relu",     "silu",
                                                          "gelu.tanh", "gelu.erf", "swiglu"};
constexpr std::array<std::string_view, 3> kScaleModes = {"none", "row", "group"};
constexpr std::array<std::string_view, 4> kBroadcasts = {"none", "row", "col", "scalar"};

} // namespace

std::string_view queueName(Queue q) { return nameOf(kQueues, q); }
std::optional<Queue> parseQueue(std::string_view s) { return lookup<Queue>(kQueues, s); }
std::string_view gangName(Gang g) { return nameOf(kGangs, g); }
std::optional<Gang> parseGang(std::string_view s) { return lookup<Gang>(kGangs, s); }
std::string_view activationName(Activation a) { return nameOf(kActivations, a); }
std::optional<Activation> parseActivation(std::string_view s) {
  return lookup<Activation>(kActivations, s);
}
std::string_view scaleModeName(ScaleMode m) { return nameOf(kScaleModes, m); }
std::optional<ScaleMode> parseScaleMode(std::string_view s) {
  return lookup<ScaleMode>(kScaleModes, s);
}
std::string_view broadcastName(Broadcast b) { return nameOf(kBroadcasts, b); }
std::optional<Broadcast> parseBroadcast(std::string_view s) {
  return lookup<Broadcast>(kBroadcasts, s);
}

std::optional<Opcode> parseMnemonic(std::string_view s) {
  // Built once from the opcode table; every code line looks its mnemonic up.
  static const std::unordered_map<std::string_view, Opcode> kByName = [] {
    std::unordered_map<std::string_view, Opcode> m;
    for (unsigned raw = 0; raw < 256; ++raw)
      if (isValidOpcode(uint8_t(raw)))
        m.emplace(mnemonic(Opcode(raw)), Opcode(raw));
    return m;
  }();
  auto it = kByName.find(s);
  if (it == kByName.end())
    return std::nullopt;
  return it->second;
}

bool isScalarClass(Opcode op) { return uint8_t(op) >= 0x10 && uint8_t(op) < 0x20; }
bool isBranchClass(Opcode op) { return uint8_t(op) >= 0x20 && uint8_t(op) < 0x30; }
bool isSyncClass(Opcode op) { return uint8_t(op) >= 0x30 && uint8_t(op) < 0x40; }
bool isVecClass(Opcode op) { return uint8_t(op) >= 0x60; }
bool isBinaryVecOp(Opcode op) {
  return op == Opcode::VAdd || op == Opcode::VSub || op == Opcode::VMul || op == Opcode::VMax;
}

ScalarForm scalarForm(Opcode op) {
  switch (op) {
  case Opcode::Li:
    return ScalarForm::RdImm;
  case Opcode::Add:
  case Opcode::Sub:
  case Opcode::Mul:
  case Opcode::And:
  case Opcode::Or:
  case Opcode::Min:
  case Opcode::Max:
    return ScalarForm::RdRsRs;
  case Opcode::Ld32:
    return ScalarForm::RdMem;
  default:
    return ScalarForm::RdRsImm;
  }
}

VecForm vecKeys(Opcode op) {
  VecForm f;
  switch (op) {
  case Opcode::VAdd:
  case Opcode::VSub:
  case Opcode::VMul:
  case Opcode::VMax:
    f.fimmKey = "imm";
    break;
  case Opcode::VSoftmax:
    f.fimm = true;
    f.fimmKey = "scale";
    f.auxKey = "pos";
    break;
  case Opcode::VRmsNorm:
    f.y = f.in1 = f.fimm = true;
    f.fimmKey = "eps";
    break;
  case Opcode::VLayerNorm:
    f.y = f.z = f.in1 = f.fimm = true;
    f.fimmKey = "eps";
    break;
  case Opcode::VRope:
    f.aux = f.aux2 = f.fimm = true;
    f.auxKey = "pos";
    f.aux2Key = "head";
    f.fimmKey = "theta";
    break;
  case Opcode::VQuantize:
  case Opcode::VDequantize:
    f.y = f.ld1 = f.in1 = true;
    f.aux2Optional = true;
    f.aux2Key = "group";
    break;
  default:
    break;
  }
  return f;
}

VecForm vecForm(const VecInstr &instr) {
  VecForm f = vecKeys(instr.op);
  if (isBinaryVecOp(instr.op)) {
    bool scalar = instr.bcast == Broadcast::Scalar;
    f.y = f.in1 = !scalar;
    f.ld1 = instr.bcast == Broadcast::None;
    f.fimm = scalar;
  }
  if (instr.op == Opcode::VSoftmax)
    f.aux = instr.causal;
  return f;
}

std::string hex(uint64_t v) {
  char buf[24] = {'0', 'x'};
  auto res = std::to_chars(buf + 2, buf + sizeof buf, v, 16);
  return std::string(buf, res.ptr);
}

std::string formatFloat(float f) {
  if (std::isnan(f))
    return std::signbit(f) ? "-nan" : "nan";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, f);
  std::string s(buf, res.ptr);
  // Keep a float recognisable as one: "1" -> "1.0" (but not "1e+20" or "inf").
  if (s.find_first_of(".eEn") == std::string::npos)
    s += ".0";
  return s;
}

} // namespace strata::isa::asmsyntax
