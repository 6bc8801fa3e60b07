// llama2.c checkpoints: header, tensor layout and zero-copy views.
#include "ModelFileWriters.h"
#include "SharedData.h"

#include "strata/models/Llama2cLoader.h"
#include "strata/models/ModelLoader.h"
#include "strata/models/reference/ReferenceModel.h"

using namespace strata;
using namespace strata::models;
using namespace strata::models::testing;

namespace {

const char *kStories = "stories260K/stories260K.bin";

TEST(Llama2cLoader, ReadsTheStories260KHeader) {
  STRATA_REQUIRE_MODEL_FILE(kStories);
  auto m = loadLlama2cModel(modelPath(kStories));
  ASSERT_TRUE(m) << m.message();
  const ModelConfig &c = m->config;
  expectStories260KArchitecture(c);
  EXPECT_EQ(m->format, ModelFormat::Llama2c);
  EXPECT_EQ(c.name, "stories260K");
  EXPECT_EQ(c.kvDim(), 32u);
  EXPECT_EQ(c.maxSeqLen, 512u);
  EXPECT_TRUE(c.tiedEmbeddings);
  EXPECT_FLOAT_EQ(c.normEps, 1e-5f);
  EXPECT_FLOAT_EQ(c.ropeTheta, 10000.0f);
  EXPECT_EQ(c.bosId, 1);
  EXPECT_EQ(c.eosId, 2);
  EXPECT_FALSE(m->tokenizer);
}

// Byte offsets from the table in stories260K/README.md.
TEST(Llama2cLoader, TensorsAreViewsAtTheDocumentedOffsets) {
  STRATA_REQUIRE_MODEL_FILE(kStories);
  auto m = loadLlama2cModel(modelPath(kStories));
  ASSERT_TRUE(m) << m.message();
  struct Expect { const char *name; uint64_t offset; std::vector<uint64_t> shape; };
  for (const Expect &e : {Expect{"token_embd.weight", 28, {512, 64}},
                          Expect{"blk.0.attn_norm.weight", 131100, {64}},
                          Expect{"blk.0.attn_q.weight", 132380, {64, 64}},
                          Expect{"blk.1.attn_q.weight", 132380 + 64 * 64 * 4, {64, 64}},
                          Expect{"blk.0.attn_k.weight", 214300, {32, 64}},
                          Expect{"blk.0.attn_v.weight", 255260, {32, 64}},
                          Expect{"blk.0.attn_output.weight", 296220, {64, 64}},
                          Expect{"blk.0.ffn_norm.weight", 378140, {64}},
                          Expect{"blk.0.ffn_gate.weight", 379420, {172, 64}},
                          Expect{"blk.0.ffn_down.weight", 599580, {64, 172}},
                          Expect{"blk.0.ffn_up.weight", 819740, {172, 64}},
                          Expect{"blk.4.ffn_up.weight", 819740 + 4 * 172 * 64 * 4, {172, 64}},
                          Expect{"output_norm.weight", 1039900, {64}}}) {
    const Tensor *t = m->find(e.name);
    ASSERT_NE(t, nullptr) << e.name;
    EXPECT_EQ(t->fileOffset, e.offset) << e.name;
    EXPECT_EQ(t->shape, e.shape) << e.name;
    EXPECT_EQ(t->type, TensorType::F32);
    EXPECT_EQ(t->byteSize, t->numElements() * 4);
  }
  // Zero copy: every view points into one mapping at its file offset.
  const Tensor *first = m->find("token_embd.weight");
  for (const Tensor &t : m->tensors())
    EXPECT_EQ(t.data - first->data, static_cast<ptrdiff_t>(t.fileOffset - first->fileOffset));
  EXPECT_EQ(m->find("output.weight"), nullptr);
  auto cls = m->classifier();
  ASSERT_TRUE(cls);
  EXPECT_EQ((*cls)->name, "token_embd.weight");
  EXPECT_EQ(m->find("blk.2.attn_q.weight")->sourceName, "wq[2]");
  EXPECT_EQ(m->tensors().size(), 2u + 9u * 5u);
}

TEST(Llama2cLoader, FindsTheTokenizerBesideTheCheckpoint) {
  STRATA_REQUIRE_MODEL_FILE(kStories);
  STRATA_REQUIRE_MODEL_FILE("stories260K/tok512.bin");
  auto m = loadModel(modelPath(kStories)); // detects llama2.c
  ASSERT_TRUE(m) << m.message();
  EXPECT_EQ(m->format, ModelFormat::Llama2c);
  auto tok = loadTokenizerFor(*m);
  ASSERT_TRUE(tok) << tok.message();
  EXPECT_EQ(tok->vocabSize(), 512u);
}

/// A tiny random llama2.c checkpoint; negative vocab means untied.
std::string tinyCheckpoint(int32_t vocab, uint32_t seed) {
  const int32_t dim = 8, hidden = 12, layers = 2, heads = 2, kvHeads = 1, seq = 16;
  std::string out;
  for (int32_t v : {dim, hidden, layers, heads, kvHeads, vocab, seq})
    put<int32_t>(out, v);
  const int32_t V = vocab < 0 ? -vocab : vocab, kv = dim * kvHeads / heads, hs = dim / heads;
  uint64_t floats = uint64_t(V) * dim + layers * (dim + dim * dim + 2 * kv * dim + dim * dim + dim +
                                                  3 * hidden * dim) +
                    dim + seq * hs;
  if (vocab < 0)
    floats += uint64_t(V) * dim;
  uint32_t x = seed;
  for (uint64_t i = 0; i < floats; ++i) {
    x = x * 1664525u + 1013904223u;
    put<float>(out, static_cast<float>(static_cast<int32_t>(x >> 8) % 1000) / 4000.0f);
  }
  return out;
}

TEST(Llama2cLoader, NegativeVocabMeansAnUntiedClassifierAtTheEnd) {
  TempDir dir;
  std::string bytes = tinyCheckpoint(-16, 7);
  writeBytes(dir.file("untied.bin"), bytes);
  auto m = loadLlama2cModel(dir.file("untied.bin"));
  ASSERT_TRUE(m) << m.message();
  EXPECT_FALSE(m->config.tiedEmbeddings);
  EXPECT_EQ(m->config.vocabSize, 16u);
  const Tensor *out = m->find("output.weight");
  ASSERT_NE(out, nullptr);
  EXPECT_EQ(out->fileOffset + out->byteSize, bytes.size());
  EXPECT_EQ(out->shape, (std::vector<uint64_t>{16, 8}));
  auto cls = m->classifier();
  ASSERT_TRUE(cls);
  EXPECT_EQ(*cls, out);
  // The reference forward runs on it and uses the separate classifier.
  auto ref = ReferenceModel::create(*m);
  ASSERT_TRUE(ref) << ref.message();
  ASSERT_TRUE((*ref)->forward(1, 0));
  EXPECT_EQ((*ref)->logits().size(), 16u);
}

} // namespace
