//===- AsmRobustnessTest.cpp - Malformed input never crashes the tools ----===//
//
// Seeded mutations of the sample programs and random bytes: every input must
// either be accepted (and then round-trip) or give a diagnostic in the
// documented form. Run under the sanitizers (STRATA_SANITIZE) this also
// catches out-of-bounds reads.
//
//===----------------------------------------------------------------------===//
#include "strata/target/Assembly.h"
#include "strata/target/Encoding.h"
#include "strata/target/Validator.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>

namespace strata {
namespace {

std::string readExample(const std::string &name) {
  std::ifstream in(std::string(STRATA_SOURCE_DIR) + "/examples/asm/" + name);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// One random edit: delete, insert, replace or duplicate a character, or cut
/// the text short.
std::string mutate(std::string text, std::mt19937 &rng) {
  static const std::string kAlphabet = " \t\n,.=[]+-@:#;\"\\xr0123456789abcdefsgkmnAB_";
  if (text.empty())
    return text;
  std::uniform_int_distribution<size_t> at(0, text.size() - 1);
  std::uniform_int_distribution<size_t> pick(0, kAlphabet.size() - 1);
  switch (rng() % 5) {
  case 0:
    text.erase(at(rng), 1);
    break;
  case 1:
    text.insert(at(rng), 1, kAlphabet[pick(rng)]);
    break;
  case 2:
    text[at(rng)] = kAlphabet[pick(rng)];
    break;
  case 3: {
    size_t p = at(rng);
    text.insert(p, 1, text[p]);
    break;
  }
  default:
    text.resize(at(rng));
    break;
  }
  return text;
}

TEST(AsmRobustness, MutatedProgramsAssembleOrFailWithALocatedDiagnostic) {
  std::mt19937 rng(2024);
  int accepted = 0, rejected = 0;
  for (const char *name : {"gemm_softmax.s", "double_buffer.s", "int8_linear.s", "kv_decode.s"}) {
    std::string original = readExample(name);
    ASSERT_FALSE(original.empty()) << name;
    for (int trial = 0; trial < 300; ++trial) {
      std::string text = original;
      for (int edits = 1 + int(rng() % 3); edits > 0; --edits)
        text = mutate(text, rng);
      Expected<bin::Binary> b = bin::assemble(text, "m.s");
      if (!b) {
        ++rejected;
        // "m.s:LINE:COL: error: ..." or "m.s: error: ..." for whole-file errors.
        EXPECT_EQ(b.message().rfind("m.s:", 0), 0u) << b.message();
        EXPECT_NE(b.message().find(" error: "), std::string::npos) << b.message();
        continue;
      }
      ++accepted;
      Expected<bin::Binary> again = bin::assemble(bin::disassemble(*b), "again.s");
      ASSERT_TRUE(again) << again.message() << "\nfrom:\n" << text;
      EXPECT_EQ(bin::disassemble(*again), bin::disassemble(*b));
    }
  }
  EXPECT_GT(rejected, 0);
  EXPECT_GT(accepted, 0) << "some edits (comments, spacing) keep the program valid";
}

TEST(AsmRobustness, RandomLinesNeverCrashTheInstructionParser) {
  std::mt19937 rng(5);
  const std::string kAlphabet = " ,.=[]+-@:#x0123456789rsabcdefgiklmnopqtuvwAB";
  std::uniform_int_distribution<size_t> pick(0, kAlphabet.size() - 1);
  for (int trial = 0; trial < 20000; ++trial) {
    std::string line;
    for (size_t n = rng() % 40; n > 0; --n)
      line += kAlphabet[pick(rng)];
    Expected<isa::Instr> r = isa::parseInstr(line);
    if (r) {
      Expected<isa::Instr> again = isa::parseInstr(isa::printInstr(*r));
      ASSERT_TRUE(again) << line;
      EXPECT_TRUE(isa::sameEncoding(*r, *again)) << line;
    } else {
      EXPECT_FALSE(r.message().empty());
    }
  }
}

TEST(AsmRobustness, RandomBytesDecodeOrFailPrecisely) {
  std::mt19937 rng(11);
  int decoded = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    uint8_t bytes[isa::kInstrBytes] = {};
    // Valid opcodes mostly, with a few random bytes elsewhere, so that both
    // outcomes are exercised.
    bytes[0] = uint8_t(rng() % 0x80);
    for (int n = int(rng() % 4); n > 0; --n)
      bytes[1 + rng() % (isa::kInstrBytes - 1)] = uint8_t(rng());
    Expected<isa::Instr> r = isa::decode(bytes);
    if (!r) {
      EXPECT_FALSE(r.message().empty());
      continue;
    }
    ++decoded;
    std::array<uint8_t, isa::kInstrBytes> original;
    std::copy(bytes, bytes + isa::kInstrBytes, original.begin());
    EXPECT_EQ(isa::encode(*r), original);
    // Whatever decodes can be printed; whatever validates round-trips as text.
    std::string text = isa::printInstr(*r);
    if (isa::validateInstr(*r)) {
      Expected<isa::Instr> back = isa::parseInstr(text);
      ASSERT_TRUE(back) << text;
      EXPECT_TRUE(isa::sameEncoding(*r, *back)) << text;
    }
  }
  EXPECT_GT(decoded, 100);
}

} // namespace
} // namespace strata
