//===- Encoding.h - Binary encoding of NPU instructions ---------*- C++ -*-===//
//
// Every instruction is isa::kInstrBytes bytes; the byte layout of each class
// is documented next to its struct in Isa.h and in docs/isa.md.
//
// encode() writes exactly the fields of the struct; it does not check them.
// Fields wider than their encoding (an SramRef offset above 27 bits, a MemRef
// offset above 40 bits, an SramRef register above 31) are truncated, so run
// validateInstr() (Validator.h) on anything that did not come from decode().
//
// decode() accepts exactly the encodings encode() produces: a defined opcode,
// every reserved byte and bit zero, every enum field a defined value and every
// register index below kNumScalarRegs. Anything else is an Error naming the
// field and the byte. Thus decode(encode(i)) == i for every encodable i, and
// encode(decode(b)) == b for every b that decodes.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/support/Error.h"
#include "strata/target/Isa.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace strata::isa {

/// Writes the kInstrBytes-byte encoding of `instr` to `out`.
void encode(const Instr &instr, uint8_t out[kInstrBytes]);
std::array<uint8_t, kInstrBytes> encode(const Instr &instr);

/// Decodes one instruction from `bytes` (kInstrBytes readable bytes).
/// Errors read e.g. "unknown opcode 0x9a", "gemm: reserved byte 60 is 0x01,
/// must be 0", "vadd: invalid dtype 9 in field in1 (byte 2)".
Expected<Instr> decode(const uint8_t *bytes);

/// The concatenated encodings of a program.
std::vector<uint8_t> encodeProgram(const std::vector<Instr> &program);

/// Decodes a whole program. Fails when `nbytes` is not a multiple of
/// kInstrBytes, or with the first instruction that does not decode, named by
/// index and byte offset: "instruction 5 (byte offset 320): unknown opcode 0x9a".
Expected<std::vector<Instr>> decodeProgram(const uint8_t *data, size_t nbytes);

/// True when the two instructions have the same encoding: the equality of
/// instructions (every field of every class is encoded, floats by their bits).
bool sameEncoding(const Instr &a, const Instr &b);
bool sameEncoding(const std::vector<Instr> &a, const std::vector<Instr> &b);

} // namespace strata::isa
