//===- AsmSyntax.h - Names and operand forms shared by printer and parser -===//
//
// The printer and the parser read the same tables, so what one writes the
// other reads: enum spellings, and for each vector opcode which fields it
// uses, under which key, and whether the key must be given.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/target/Isa.h"

#include <optional>
#include <string>
#include <string_view>

namespace strata::isa::asmsyntax {

std::string_view queueName(Queue q);
std::optional<Queue> parseQueue(std::string_view s);

std::string_view gangName(Gang g); ///< "16x1", "4x4", "1x16"
std::optional<Gang> parseGang(std::string_view s);

std::string_view activationName(Activation a); ///< none relu silu gelu.tanh gelu.erf swiglu
std::optional<Activation> parseActivation(std::string_view s);

std::string_view scaleModeName(ScaleMode m); ///< none row group
std::optional<ScaleMode> parseScaleMode(std::string_view s);

std::string_view broadcastName(Broadcast b); ///< none row col scalar
std::optional<Broadcast> parseBroadcast(std::string_view s);

std::optional<Opcode> parseMnemonic(std::string_view s);

/// Scalar operand shapes.
enum class ScalarForm { RdImm, RdRsRs, RdRsImm, RdMem };
ScalarForm scalarForm(Opcode op);

/// How a vector instruction spells and requires its fields. A field that is
/// "used" is always printed and must be given when parsing; other fields are
/// printed under their generic key (aux, aux2, fimm, y, ...) only when they
/// differ from the VecInstr defaults.
struct VecForm {
  bool y = false, ld1 = false, z = false, in1 = false;
  bool aux = false, aux2 = false, fimm = false;
  /// aux2 has a meaningful alias but is optional (0 = per row).
  bool aux2Optional = false;
  std::string_view auxKey = "aux", aux2Key = "aux2", fimmKey = "fimm";
};
/// The form for `instr` (binary ops depend on bcast, softmax on causal).
VecForm vecForm(const VecInstr &instr);
/// Keys the op accepts as aliases (independent of bcast/causal).
VecForm vecKeys(Opcode op);

bool isBinaryVecOp(Opcode op);
bool isScalarClass(Opcode op);
bool isBranchClass(Opcode op);
bool isSyncClass(Opcode op);
bool isVecClass(Opcode op);

/// Lower-case hex with 0x prefix.
std::string hex(uint64_t v);
/// Shortest text that parses back to the same float.
std::string formatFloat(float f);

} // namespace strata::isa::asmsyntax
