// llama2.c tokenizer.bin and GGUF SentencePiece vocabularies, encoded and
// decoded as run.c does.
#include "SharedData.h"

#include "strata/models/GgufLoader.h"
#include "strata/models/Llama2cLoader.h"

using namespace strata;
using namespace strata::models;
using namespace strata::models::testing;

namespace {

const char *kTok512 = "stories260K/tok512.bin";
const char *kGgufF32 = "stories260K/gguf/stories260K-f32.gguf";

Tokenizer tok512() {
  auto t = loadLlama2cTokenizer(modelPath(kTok512), 512);
  EXPECT_TRUE(t) << t.message();
  return t.takeValue();
}

Tokenizer ggufTokenizer() {
  auto f = GgufFile::open(modelPath(kGgufF32));
  EXPECT_TRUE(f) << f.message();
  auto t = loadGgufTokenizer(*f);
  EXPECT_TRUE(t) << t.message();
  return t.takeValue();
}

TEST(Llama2cTokenizer, ReadsTok512) {
  STRATA_REQUIRE_MODEL_FILE(kTok512);
  Tokenizer t = tok512();
  EXPECT_EQ(t.vocabSize(), 512u);
  EXPECT_LE(t.maxPieceLength(), 7u); // the file's max_token_length
  EXPECT_EQ(t.piece(0), "<unk>");
  EXPECT_EQ(t.piece(1), "\n<s>\n");
  EXPECT_EQ(t.piece(2), "\n</s>\n");
  EXPECT_EQ(t.piece(13), "<0x0A>");
  EXPECT_EQ(t.byteToken('\n'), 13);
  EXPECT_EQ(t.byteToken(0xFF), 258);
  EXPECT_EQ(t.piece(403), " Once");
  EXPECT_EQ(t.score(259), 0.0f);
  EXPECT_EQ(t.score(403), -(403.0f - 259.0f));
  EXPECT_EQ(t.kind(1), TokenKind::Control);
  EXPECT_EQ(t.kind(13), TokenKind::Byte);
  EXPECT_EQ(t.bosId(), 1);
  EXPECT_EQ(t.eosId(), 2);
}

void expectReferencePrompts(const Tokenizer &t) {
  EXPECT_EQ(t.encode("Once upon a time"), (std::vector<int32_t>{1, 403, 407, 261, 378}));
  EXPECT_EQ(t.encode("The cat"), (std::vector<int32_t>{1, 291, 280, 294}));
  EXPECT_EQ(t.encode(""), (std::vector<int32_t>{1}));
  EXPECT_EQ(t.encode("The cat", false), (std::vector<int32_t>{291, 280, 294}));
}

TEST(Llama2cTokenizer, EncodesTheReferencePrompts) {
  STRATA_REQUIRE_MODEL_FILE(kTok512);
  expectReferencePrompts(tok512());
}

TEST(GgufTokenizer, EncodesTheReferencePrompts) {
  STRATA_REQUIRE_MODEL_FILE(kGgufF32);
  expectReferencePrompts(ggufTokenizer());
}

TEST(GgufTokenizer, IsTheSameVocabularyAsTok512) {
  STRATA_REQUIRE_MODEL_FILE(kTok512);
  STRATA_REQUIRE_MODEL_FILE(kGgufF32);
  Tokenizer a = tok512(), b = ggufTokenizer();
  ASSERT_EQ(a.vocabSize(), b.vocabSize());
  EXPECT_EQ(b.piece(1), "<s>");
  EXPECT_EQ(b.kind(0), TokenKind::Unknown);
  EXPECT_EQ(b.kind(2), TokenKind::Control);
  EXPECT_EQ(b.kind(100), TokenKind::Byte);
  for (int32_t id = 3; id < 512; ++id) {
    EXPECT_EQ(a.piece(id), b.piece(id)) << id; // '▁' became ' '
    EXPECT_EQ(a.score(id), b.score(id)) << id;
  }
  EXPECT_EQ(b.bosId(), 1);
  EXPECT_EQ(b.eosId(), 2);
  EXPECT_EQ(b.unkId(), 0);
  EXPECT_TRUE(b.addsBos()); // no tokenizer.ggml.add_bos_token: SPM default
}

void expectReferenceTexts(const Tokenizer &t) {
  auto lines = readJsonLines(modelPath("stories260K/reference/greedy.jsonl"));
  ASSERT_FALSE(lines.empty());
  for (const auto &line : lines)
    EXPECT_EQ(t.decode(line["token_ids"].get<std::vector<int32_t>>()),
              line["text"].get<std::string>())
        << "prompt \"" << line["prompt"].get<std::string>() << "\"";
}

TEST(Llama2cTokenizer, DecodingTheReferenceIdsGivesTheReferenceText) {
  STRATA_REQUIRE_MODEL_FILE(kTok512);
  STRATA_REQUIRE_MODEL_FILE("stories260K/reference/greedy.jsonl");
  expectReferenceTexts(tok512());
}

TEST(GgufTokenizer, DecodingTheReferenceIdsGivesTheReferenceText) {
  STRATA_REQUIRE_MODEL_FILE(kGgufF32);
  STRATA_REQUIRE_MODEL_FILE("stories260K/reference/greedy.jsonl");
  expectReferenceTexts(ggufTokenizer());
}

TEST(Llama2cTokenizer, DecodeFollowsRunC) {
  STRATA_REQUIRE_MODEL_FILE(kTok512);
  Tokenizer t = tok512();
  EXPECT_EQ(t.decodeToken(1, 403), "Once");  // leading space dropped after BOS
  EXPECT_EQ(t.decodeToken(378, 403), " Once");
  EXPECT_EQ(t.decodeToken(378, 13), "\n");   // <0x0A> is the raw byte
  EXPECT_EQ(t.decodeToken(-1, 1), "");       // control tokens print nothing
  EXPECT_EQ(t.decodeToken(-1, 9999), "");    // out of range
}

TEST(Llama2cTokenizer, FallsBackToBytesForUnknownCodePoints) {
  STRATA_REQUIRE_MODEL_FILE(kTok512);
  Tokenizer t = tok512();
  // "é" is a two-byte piece of its own (485); "😀" (F0 9F 98 80) is not a
  // piece, so it becomes one byte token per byte.
  auto ids = t.encode("é😀", false);
  std::vector<int32_t> expected = {410, 485, 0xF0 + 3, 0x9F + 3, 0x98 + 3, 0x80 + 3};
  EXPECT_EQ(*t.lookup(" "), 410);
  EXPECT_EQ(ids, expected);
  EXPECT_EQ(t.decode(ids), " é😀");
  // A newline has no piece of its own either.
  auto nl = t.encode("a\nb", false);
  EXPECT_NE(std::find(nl.begin(), nl.end(), 13), nl.end());
  // Malformed UTF-8 never makes a code point longer than 4 bytes.
  auto junk = t.encode(std::string(9, '\x80'), false);
  EXPECT_EQ(junk.size(), 1u + 9u);
}

Tokenizer tinyTokenizer(std::vector<std::string> pieces, std::vector<float> scores) {
  auto t = Tokenizer::create(std::move(pieces), std::move(scores), {}, Tokenizer::Options{},
                             "tiny");
  EXPECT_TRUE(t) << t.message();
  return t.takeValue();
}

TEST(Tokenizer, MergesTheBestPairFirstAndTheLeftmostOnATie) {
  //                        0        1      2       3    4    5    6     7      8
  Tokenizer t = tinyTokenizer({"<unk>", "<s>", "</s>", " ", "a", "b", "aa", " a", "ab"},
                              {0, 0, 0, 0, 0, 0, -1, -2, -1});
  // " aaa": (" ","a")=-2, (a,a)=-1 twice -> leftmost (a,a) merges first.
  EXPECT_EQ(t.encode("aaa", false), (std::vector<int32_t>{3, 6, 4}));
  // " ab": (" ","a")=-2 vs (a,b)=-1 -> "ab".
  EXPECT_EQ(t.encode("ab", false), (std::vector<int32_t>{3, 8}));
  // No byte tokens: unknown characters become <unk>.
  EXPECT_EQ(t.encode("z", false), (std::vector<int32_t>{3, 0}));
}

TEST(Tokenizer, CreateRejectsInconsistentInput) {
  auto bad = Tokenizer::create({"a", "b"}, {0.0f}, {}, Tokenizer::Options{}, "t.bin");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.message(), "t.bin: tokenizer: 1 scores for 2 tokens");
  auto badBos = Tokenizer::create({"a", "b"}, {0, 0}, {}, Tokenizer::Options{}, "t.bin");
  ASSERT_FALSE(badBos);
  EXPECT_NE(badBos.message().find("EOS id 2 is outside the vocabulary of 2"), std::string::npos)
      << badBos.message();
  EXPECT_FALSE(Tokenizer::create({}, {}, {}, Tokenizer::Options{}, "t.bin"));
}

TEST(Tokenizer, ParsesBytePieces) {
  EXPECT_EQ(parseBytePiece("<0x0A>"), 0x0A);
  EXPECT_EQ(parseBytePiece("<0xff>"), 0xFF);
  EXPECT_FALSE(parseBytePiece("<0x0G>"));
  EXPECT_FALSE(parseBytePiece("<0x0A"));
  EXPECT_FALSE(parseBytePiece(" <0x0A>"));
}

} // namespace
