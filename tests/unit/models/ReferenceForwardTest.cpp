// The FP32 reference forward pass against the outside references: llama2.c's
// run.c (stories260K, from the llama2.c checkpoint and from llama.cpp's GGUF
// conversions) and HF transformers (tiny LLaMA, Qwen2 and GPT-2).
#include "SharedData.h"

#include "strata/models/GgufLoader.h"
#include "strata/models/HfModelLoader.h"
#include "strata/models/Llama2cLoader.h"
#include "strata/models/ModelLoader.h"
#include "strata/models/reference/ReferenceModel.h"

#include <cmath>

using namespace strata;
using namespace strata::models;
using namespace strata::models::testing;

namespace {

constexpr float kLogitTolerance = 1e-4f;
// The F16 file stores every matrix rounded to binary16, while run.c's logits
// come from the float32 weights. Rounding the weights alone moves the logits
// by up to 6.8e-3 (measured; llama.cpp reports 8.9e-3 for the same file), so
// this file is held to 1e-2 on logits and to exact greedy ids. The 1e-4 bound
// on the arithmetic is enforced by the two float32 files, and the F16
// dequantisation itself is checked bit-exactly in GgufTest.
constexpr float kF16WeightRoundingTolerance = 1e-2f;

float maxAbsDiff(const std::vector<float> &a, const nlohmann::json &b) {
  EXPECT_EQ(a.size(), b.size());
  float worst = 0.0f;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i)
    worst = std::max(worst, std::fabs(a[i] - b[i].get<float>()));
  return worst;
}

std::vector<int32_t> idsOf(const nlohmann::json &j) { return j.get<std::vector<int32_t>>(); }

/// The stories260K variants that must reproduce run.c to float32 rounding.
struct StoriesCase {
  const char *file;
  float logitTolerance;
};

class Stories260K : public ::testing::TestWithParam<StoriesCase> {};

TEST_P(Stories260K, LogitsAtEveryPromptPositionMatchRunC) {
  STRATA_REQUIRE_MODEL_FILE(GetParam().file);
  STRATA_REQUIRE_MODEL_FILE("stories260K/reference/logits_once_upon.json");
  auto model = loadModel(modelPath(GetParam().file));
  ASSERT_TRUE(model) << model.message();
  ReferenceOptions opts;
  opts.maxContext = 512; // GGUF's context_length 128 is a converter default
  auto ref = ReferenceModel::create(*model, opts);
  ASSERT_TRUE(ref) << ref.message();

  nlohmann::json expected = readJson(modelPath("stories260K/reference/logits_once_upon.json"));
  std::vector<int32_t> prompt = idsOf(expected["prompt_token_ids"]);
  auto logits = promptLogits(**ref, prompt);
  ASSERT_TRUE(logits) << logits.message();
  ASSERT_EQ(logits->size(), prompt.size());

  const std::vector<float> &last = logits->back();
  EXPECT_LE(maxAbsDiff(last, expected["logits"]), GetParam().logitTolerance);
  EXPECT_EQ(argmax(last), expected["argmax"].get<int32_t>());
  for (const auto &position : expected["prompt_positions"]) {
    const auto &at = (*logits)[position["position"].get<size_t>()];
    for (const auto &top : position["top10"])
      EXPECT_NEAR(at[top["id"].get<size_t>()], top["logit"].get<float>(),
                  GetParam().logitTolerance)
          << "position " << position["position"] << " token " << top["id"];
  }
}

TEST_P(Stories260K, GreedyIdsAndTextMatchEveryReferenceLine) {
  STRATA_REQUIRE_MODEL_FILE(GetParam().file);
  STRATA_REQUIRE_MODEL_FILE("stories260K/reference/greedy.jsonl");
  auto model = loadModel(modelPath(GetParam().file));
  ASSERT_TRUE(model) << model.message();
  std::optional<std::string> tokPath;
  if (model->format == ModelFormat::Llama2c) {
    STRATA_REQUIRE_MODEL_FILE("stories260K/tok512.bin");
    tokPath = modelPath("stories260K/tok512.bin");
  }
  auto tok = loadTokenizerFor(*model, tokPath);
  ASSERT_TRUE(tok) << tok.message();
  ReferenceOptions opts;
  opts.maxContext = 512;
  auto ref = ReferenceModel::create(*model, opts);
  ASSERT_TRUE(ref) << ref.message();

  auto lines = readJsonLines(modelPath("stories260K/reference/greedy.jsonl"));
  ASSERT_FALSE(lines.empty());
  for (const auto &line : lines) {
    SCOPED_TRACE("prompt \"" + line["prompt"].get<std::string>() + "\"");
    std::vector<int32_t> expected = idsOf(line["token_ids"]);
    const uint32_t nPrompt = line["n_prompt_tokens"].get<uint32_t>();
    const uint32_t steps = line["steps"].get<uint32_t>();
    std::vector<int32_t> prompt = tok->encode(line["prompt"].get<std::string>());
    ASSERT_EQ(prompt.size(), nPrompt);
    ASSERT_EQ(prompt, std::vector<int32_t>(expected.begin(), expected.begin() + nPrompt));

    // run.c's `steps` counts forward passes, prompt positions included, and
    // generation ends early (without the token) when the argmax is BOS.
    GreedyOptions g;
    g.maxNewTokens = steps + 1 - nPrompt;
    g.stopToken = tok->bosId();
    auto ids = generateGreedy(**ref, prompt, g);
    ASSERT_TRUE(ids) << ids.message();
    EXPECT_EQ(*ids, expected);
    const bool stoppedOnBos = ids->size() < steps + 1;
    EXPECT_EQ(stoppedOnBos ? "bos" : "steps", line["stop"].get<std::string>());
    EXPECT_EQ(tok->decode(*ids), line["text"].get<std::string>());
  }
}

INSTANTIATE_TEST_SUITE_P(
    Files, Stories260K,
    ::testing::Values(StoriesCase{"stories260K/stories260K.bin", kLogitTolerance},
                      StoriesCase{"stories260K/gguf/stories260K-f32.gguf", kLogitTolerance},
                      StoriesCase{"stories260K/gguf/stories260K-f16.gguf",
                                  kF16WeightRoundingTolerance}),
    [](const auto &info) {
      std::string name = info.param.file;
      name = name.substr(name.find_last_of('/') + 1);
      for (char &c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)))
          c = '_';
      return name;
    });

// llama.cpp's own greedy ids for the GGUF files (gguf/reference.jsonl). With
// float32 or F16 weights the reference must agree exactly. For Q8_0/Q4_0,
// llama.cpp also quantises the activations to 8 bits inside each matrix
// product (and keeps an F16 KV cache), which this dequantise-then-FP32 pass
// does not, so only the start of the continuation is required to agree: the
// first 16 generated ids (measured: 64/64 on "Once upon a time" for both,
// 16 and 30 on "The cat", where llama.cpp's own top-2 gap is 0.004).
TEST(GgufReference, GreedyIdsMatchLlamaCpp) {
  STRATA_REQUIRE_MODEL_FILE("stories260K/gguf/reference.jsonl");
  auto lines = readJsonLines(modelPath("stories260K/gguf/reference.jsonl"));
  ASSERT_FALSE(lines.empty());
  for (const auto &line : lines) {
    const std::string file = "stories260K/gguf/" + line["file"].get<std::string>();
    SCOPED_TRACE(file + " \"" + line["prompt"].get<std::string>() + "\"");
    STRATA_REQUIRE_MODEL_FILE(file);
    auto model = loadModel(modelPath(file));
    ASSERT_TRUE(model) << model.message();
    ASSERT_TRUE(model->tokenizer);
    std::vector<int32_t> prompt = idsOf(line["prompt_ids"]);
    EXPECT_EQ(model->tokenizer->encode(line["prompt"].get<std::string>()), prompt);
    ReferenceOptions opts;
    opts.maxContext = 128; // llama.cpp ran with n_ctx 128
    auto ref = ReferenceModel::create(*model, opts);
    ASSERT_TRUE(ref) << ref.message();
    std::vector<int32_t> expected = idsOf(line["generated_ids"]);
    GreedyOptions g;
    g.maxNewTokens = static_cast<uint32_t>(expected.size());
    auto ids = generateGreedy(**ref, prompt, g);
    ASSERT_TRUE(ids) << ids.message();
    std::vector<int32_t> generated(ids->begin() + prompt.size(), ids->end());
    const bool quantized = file.find("q8_0") != std::string::npos ||
                           file.find("q4_0") != std::string::npos;
    size_t required = quantized ? 16 : expected.size();
    ASSERT_GE(generated.size(), required);
    EXPECT_EQ(std::vector<int32_t>(generated.begin(), generated.begin() + required),
              std::vector<int32_t>(expected.begin(), expected.begin() + required));
  }
}

/// Loads hf/<param> and its transformers reference, skipping the test when
/// the data is absent.
class HfTinyModel : public ::testing::TestWithParam<const char *> {
protected:
  void SetUp() override {
    const std::string dir = std::string("hf/") + GetParam();
    STRATA_REQUIRE_MODEL_FILE(dir + "/model.safetensors");
    STRATA_REQUIRE_MODEL_FILE(dir + "/reference.json");
    auto model = loadHfModel(modelPath(dir));
    ASSERT_TRUE(model) << model.message();
    model_ = std::make_unique<Model>(model.takeValue());
    auto ref = ReferenceModel::create(*model_);
    ASSERT_TRUE(ref) << ref.message();
    ref_ = ref.takeValue();
    expected_ = readJson(modelPath(dir + "/reference.json"));
  }

  std::unique_ptr<Model> model_; // the reference model refers to its tensors
  std::unique_ptr<ReferenceModel> ref_;
  nlohmann::json expected_;
};

TEST_P(HfTinyModel, FirstAndLastLogitsMatchTransformers) {
  const nlohmann::json &expected = expected_;
  auto logits = promptLogits(*ref_, idsOf(expected["input_ids"]));
  ASSERT_TRUE(logits) << logits.message();
  EXPECT_LE(maxAbsDiff(logits->front(), expected["first_logits"]), kLogitTolerance);
  EXPECT_LE(maxAbsDiff(logits->back(), expected["last_logits"]), kLogitTolerance);
  for (const auto &top : expected["top10_last"])
    EXPECT_NEAR(logits->back()[top[0].get<size_t>()], top[1].get<float>(), kLogitTolerance);
}

TEST_P(HfTinyModel, GreedyIdsMatchTransformers) {
  const nlohmann::json &expected = expected_;
  std::vector<int32_t> prompt = idsOf(expected["input_ids"]);
  std::vector<int32_t> greedy = idsOf(expected["greedy_ids"]);
  GreedyOptions g;
  g.maxNewTokens = static_cast<uint32_t>(greedy.size() - prompt.size()); // no EOS stop
  auto ids = generateGreedy(*ref_, prompt, g);
  ASSERT_TRUE(ids) << ids.message();
  EXPECT_EQ(*ids, greedy);
}

INSTANTIATE_TEST_SUITE_P(Families, HfTinyModel,
                         ::testing::Values("tiny-llama", "tiny-qwen2", "tiny-gpt2"),
                         [](const auto &info) {
                           std::string n = info.param;
                           n.erase(std::remove(n.begin(), n.end(), '-'), n.end());
                           return n;
                         });

TEST(ReferenceModel, RejectsBadTokensPositionsAndContexts) {
  STRATA_REQUIRE_MODEL_FILE("stories260K/stories260K.bin");
  auto model = loadLlama2cModel(modelPath("stories260K/stories260K.bin"));
  ASSERT_TRUE(model) << model.message();
  auto ref = ReferenceModel::create(*model);
  ASSERT_TRUE(ref) << ref.message();
  Status bad = (*ref)->forward(512, 0);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.message().find("outside the vocabulary of 512"), std::string::npos);
  Status skip = (*ref)->forward(1, 3);
  ASSERT_FALSE(skip);
  EXPECT_NE(skip.message().find("skips ahead"), std::string::npos);
  Status beyond = (*ref)->forward(1, 512);
  ASSERT_FALSE(beyond);
  EXPECT_NE(beyond.message().find("beyond the context"), std::string::npos);
  EXPECT_TRUE((*ref)->forward(1, 0));
  EXPECT_EQ((*ref)->length(), 1u);
  ReferenceOptions huge;
  huge.maxContext = UINT32_MAX;
  auto tooBig = ReferenceModel::create(*model, huge);
  ASSERT_FALSE(tooBig);
  EXPECT_NE(tooBig.message().find("ask for a shorter context"), std::string::npos);
}

TEST(ReferenceModel, RerunningAPositionGivesTheSameLogits) {
  STRATA_REQUIRE_MODEL_FILE("stories260K/stories260K.bin");
  auto model = loadLlama2cModel(modelPath("stories260K/stories260K.bin"));
  ASSERT_TRUE(model) << model.message();
  auto ref = ReferenceModel::create(*model);
  ASSERT_TRUE(ref) << ref.message();
  ASSERT_TRUE((*ref)->forward(1, 0));
  ASSERT_TRUE((*ref)->forward(403, 1));
  std::vector<float> first = (*ref)->logits();
  ASSERT_TRUE((*ref)->forward(407, 2));
  ASSERT_TRUE((*ref)->forward(403, 1)); // overwrite position 1
  EXPECT_EQ((*ref)->logits(), first);
  EXPECT_EQ((*ref)->length(), 2u);
}

TEST(ReferenceModel, LearnedPositionsBoundTheContext) {
  STRATA_REQUIRE_MODEL_FILE("hf/tiny-gpt2/model.safetensors");
  auto model = loadHfModel(modelPath("hf/tiny-gpt2"));
  ASSERT_TRUE(model) << model.message();
  ReferenceOptions opts;
  opts.maxContext = 1024;
  auto ref = ReferenceModel::create(*model, opts);
  ASSERT_FALSE(ref);
  EXPECT_NE(ref.message().find("exceeds the learned position table of 256"), std::string::npos)
      << ref.message();
}

TEST(ReferenceModel, ArgmaxKeepsTheLowestIndexOnATie) {
  EXPECT_EQ(argmax({1.0f, 3.0f, 3.0f, 2.0f}), 1);
  EXPECT_EQ(argmax({-1.0f}), 0);
}

} // namespace
