// ModelConfig validation and the well-known shapes for timing-only runs.
#include "SharedData.h"

#include "strata/models/HfModelLoader.h"
#include "strata/models/Llama2cLoader.h"
#include "strata/models/TensorNames.h"
#include "strata/models/WellKnownConfigs.h"

using namespace strata;
using namespace strata::models;
using namespace strata::models::testing;

namespace {

TEST(WellKnownConfigs, RequiredNamesAreRegisteredAndValid) {
  for (const char *name : {"llama2-7b", "llama3-8b", "qwen2.5-7b", "gpt2-xl", "stories260k",
                           "tiny-llama", "tiny-qwen2", "tiny-gpt2"}) {
    auto c = findWellKnownConfig(name);
    ASSERT_TRUE(c) << name;
    EXPECT_TRUE(c->validate(name)) << name;
    EXPECT_EQ(c->name, name);
  }
  for (const std::string &name : wellKnownConfigNames()) {
    auto c = findWellKnownConfig(name);
    ASSERT_TRUE(c) << name;
    Status s = c->validate(name);
    EXPECT_TRUE(s) << s.message();
  }
}

TEST(WellKnownConfigs, LookupIsCaseInsensitiveAndRejectsUnknownNames) {
  EXPECT_TRUE(findWellKnownConfig("LLaMA2-7B"));
  EXPECT_FALSE(findWellKnownConfig("llama2-8b"));
  EXPECT_FALSE(findWellKnownConfig(""));
}

// Parameter counts published for these models pin every dimension at once.
TEST(WellKnownConfigs, ParameterCountsMatchThePublishedModels) {
  EXPECT_EQ(findWellKnownConfig("llama2-7b")->parameterCount(), 6738415616ull);
  EXPECT_EQ(findWellKnownConfig("llama3-8b")->parameterCount(), 8030261248ull);
  EXPECT_EQ(findWellKnownConfig("qwen2.5-7b")->parameterCount(), 7615616512ull);
  EXPECT_EQ(findWellKnownConfig("gpt2")->parameterCount(), 124439808ull);
  EXPECT_EQ(findWellKnownConfig("gpt2-xl")->parameterCount(), 1557611200ull);
}

TEST(WellKnownConfigs, FamilySemanticsAreExplicit) {
  auto llama3 = *findWellKnownConfig("llama3-8b");
  EXPECT_EQ(llama3.family, Family::Llama);
  EXPECT_EQ(llama3.nKvHeads, 8u);
  EXPECT_EQ(llama3.headDim, 128u);
  EXPECT_EQ(llama3.kvDim(), 1024u);
  EXPECT_FLOAT_EQ(llama3.ropeTheta, 500000.0f);
  auto qwen = *findWellKnownConfig("qwen2.5-7b");
  EXPECT_TRUE(qwen.qkvBias);
  EXPECT_EQ(qwen.ropeStyle, RopeStyle::HalfSplit);
  auto gpt = *findWellKnownConfig("gpt2-xl");
  EXPECT_EQ(gpt.norm, NormKind::LayerNorm);
  EXPECT_TRUE(gpt.learnedPositions && gpt.fusedQkv && gpt.linearBias && gpt.tiedEmbeddings);
  EXPECT_EQ(gpt.ropeStyle, RopeStyle::None);
  EXPECT_EQ(gpt.headDim, 64u);
  EXPECT_EQ(gpt.hiddenDim, 6400u);
}

void expectSameShape(const ModelConfig &a, const ModelConfig &b) {
  EXPECT_EQ(a.family, b.family);
  EXPECT_EQ(a.dim, b.dim);
  EXPECT_EQ(a.nLayers, b.nLayers);
  EXPECT_EQ(a.nHeads, b.nHeads);
  EXPECT_EQ(a.nKvHeads, b.nKvHeads);
  EXPECT_EQ(a.headDim, b.headDim);
  EXPECT_EQ(a.hiddenDim, b.hiddenDim);
  EXPECT_EQ(a.vocabSize, b.vocabSize);
  EXPECT_EQ(a.maxSeqLen, b.maxSeqLen);
  EXPECT_FLOAT_EQ(a.normEps, b.normEps);
  EXPECT_EQ(a.ropeStyle, b.ropeStyle);
  EXPECT_EQ(a.tiedEmbeddings, b.tiedEmbeddings);
  EXPECT_EQ(a.qkvBias, b.qkvBias);
  EXPECT_EQ(a.parameterCount(), b.parameterCount());
}

TEST(WellKnownConfigs, TinyShapesMatchTheSharedModels) {
  STRATA_REQUIRE_MODEL_FILE("stories260K/stories260K.bin");
  auto stories = loadLlama2cModel(modelPath("stories260K/stories260K.bin"));
  ASSERT_TRUE(stories) << stories.message();
  expectSameShape(*findWellKnownConfig("stories260k"), stories->config);
  for (const char *name : {"tiny-llama", "tiny-qwen2", "tiny-gpt2"}) {
    SCOPED_TRACE(name);
    STRATA_REQUIRE_MODEL_FILE(std::string("hf/") + name + "/config.json");
    auto m = loadHfModel(modelPath(std::string("hf/") + name));
    ASSERT_TRUE(m) << m.message();
    expectSameShape(*findWellKnownConfig(name), m->config);
  }
}

TEST(ModelConfig, ValidateNamesTheInconsistency) {
  ModelConfig c = *findWellKnownConfig("tiny-llama");
  ASSERT_TRUE(c.validate("x"));
  ModelConfig bad = c;
  bad.nKvHeads = 3;
  Status s = bad.validate("cfg.json");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.message(), "cfg.json: invalid model configuration: n_heads (8) is not a multiple "
                         "of n_kv_heads (3)");
  bad = c;
  bad.dim = 0;
  EXPECT_NE(bad.validate("f").message().find("dim is 0"), std::string::npos);
  bad = c;
  bad.headDim = 15;
  EXPECT_NE(bad.validate("f").message().find("head_dim 15 is odd"), std::string::npos);
  bad = *findWellKnownConfig("tiny-gpt2");
  bad.nKvHeads = 2;
  EXPECT_NE(bad.validate("f").message().find("fused QKV"), std::string::npos);
  bad = c;
  bad.normEps = 0.0f;
  EXPECT_NE(bad.validate("f").message().find("epsilon"), std::string::npos);
}

TEST(ModelConfig, ExpectedTensorsFollowTheCanonicalScheme) {
  auto specs = expectedTensors(*findWellKnownConfig("tiny-qwen2"));
  auto has = [&](const std::string &name, std::vector<uint64_t> shape) {
    for (const auto &s : specs)
      if (s.name == name)
        return s.shape == shape;
    return false;
  };
  EXPECT_TRUE(has("token_embd.weight", {512, 128}));
  EXPECT_TRUE(has("blk.2.attn_k.weight", {64, 128}));
  EXPECT_TRUE(has("blk.2.attn_k.bias", {64}));
  EXPECT_TRUE(has("blk.0.ffn_down.weight", {128, 256}));
  EXPECT_FALSE(has("output.weight", {512, 128})); // tied
  auto gpt = expectedTensors(*findWellKnownConfig("tiny-gpt2"));
  bool fused = false, separate = false;
  for (const auto &s : gpt) {
    fused |= s.name == "blk.0.attn_qkv.weight" && s.shape == std::vector<uint64_t>{384, 128};
    separate |= s.name == "blk.0.attn_q.weight";
  }
  EXPECT_TRUE(fused);
  EXPECT_FALSE(separate);
}

TEST(ModelConfig, SummaryMentionsTheSemantics) {
  std::string s = findWellKnownConfig("qwen2.5-7b")->summary();
  EXPECT_NE(s.find("qwen2"), std::string::npos);
  EXPECT_NE(s.find("half-split"), std::string::npos);
  EXPECT_NE(s.find("qkv bias"), std::string::npos);
}

} // namespace
