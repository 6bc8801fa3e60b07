// Hugging Face safetensors + config.json: the three families, RoPE keys,
// shards, and half-precision files.
#include "ModelFileWriters.h"
#include "SharedData.h"

#include "strata/models/Dequantize.h"
#include "strata/models/HfModelLoader.h"
#include "strata/models/ModelLoader.h"
#include "strata/models/SafetensorsFile.h"
#include "strata/models/reference/ReferenceModel.h"

#include <cmath>
#include <filesystem>

using namespace strata;
using namespace strata::models;
using namespace strata::models::testing;

namespace {

TEST(HfModelLoader, TinyLlama) {
  STRATA_REQUIRE_MODEL_FILE("hf/tiny-llama/model.safetensors");
  auto m = loadModel(modelPath("hf/tiny-llama")); // a directory: safetensors
  ASSERT_TRUE(m) << m.message();
  const ModelConfig &c = m->config;
  EXPECT_EQ(m->format, ModelFormat::Safetensors);
  EXPECT_EQ(c.family, Family::Llama);
  EXPECT_EQ(c.name, "LlamaForCausalLM");
  EXPECT_EQ(c.dim, 128u);
  EXPECT_EQ(c.nLayers, 4u);
  EXPECT_EQ(c.nHeads, 8u);
  EXPECT_EQ(c.nKvHeads, 4u);
  EXPECT_EQ(c.headDim, 16u);
  EXPECT_EQ(c.hiddenDim, 344u);
  EXPECT_EQ(c.vocabSize, 512u);
  EXPECT_EQ(c.maxSeqLen, 512u);
  EXPECT_FLOAT_EQ(c.normEps, 1e-5f);
  EXPECT_FLOAT_EQ(c.ropeTheta, 1e4f); // from "rope_parameters"
  EXPECT_EQ(c.ropeStyle, RopeStyle::HalfSplit);
  EXPECT_FALSE(c.tiedEmbeddings);
  EXPECT_FALSE(c.qkvBias);
  EXPECT_EQ(c.bosId, 1);
  EXPECT_EQ(c.eosId, 2);
  const Tensor *q = m->find("blk.3.attn_q.weight");
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->sourceName, "model.layers.3.self_attn.q_proj.weight");
  EXPECT_EQ(q->shape, (std::vector<uint64_t>{128, 128}));
  EXPECT_EQ(m->find("blk.0.attn_k.weight")->shape, (std::vector<uint64_t>{64, 128}));
  ASSERT_NE(m->find("output.weight"), nullptr);
  EXPECT_EQ(m->find("output.weight")->sourceName, "lm_head.weight");
  // In place: lm_head is the first tensor of the data section.
  auto st = SafetensorsFile::open(modelPath("hf/tiny-llama/model.safetensors"));
  ASSERT_TRUE(st);
  EXPECT_EQ(m->find("output.weight")->fileOffset, st->dataOffset());
}

TEST(HfModelLoader, TinyQwen2HasBiasesAndATiedClassifier) {
  STRATA_REQUIRE_MODEL_FILE("hf/tiny-qwen2/model.safetensors");
  auto m = loadHfModel(modelPath("hf/tiny-qwen2/model.safetensors")); // the file works too
  ASSERT_TRUE(m) << m.message();
  EXPECT_EQ(m->config.family, Family::Qwen2);
  EXPECT_TRUE(m->config.qkvBias);
  EXPECT_TRUE(m->config.tiedEmbeddings);
  EXPECT_FLOAT_EQ(m->config.ropeTheta, 1e6f);
  EXPECT_FLOAT_EQ(m->config.normEps, 1e-6f);
  EXPECT_EQ(m->config.bosId, -1); // null in config.json
  EXPECT_EQ(m->find("output.weight"), nullptr);
  EXPECT_EQ(m->find("blk.2.attn_v.bias")->shape, (std::vector<uint64_t>{64}));
}

TEST(HfModelLoader, TinyGpt2KeepsConv1DWeightsInPlaceAsTransposed) {
  STRATA_REQUIRE_MODEL_FILE("hf/tiny-gpt2/model.safetensors");
  auto m = loadHfModel(modelPath("hf/tiny-gpt2"));
  ASSERT_TRUE(m) << m.message();
  const ModelConfig &c = m->config;
  EXPECT_EQ(c.family, Family::Gpt2);
  EXPECT_EQ(c.norm, NormKind::LayerNorm);
  EXPECT_EQ(c.activation, Activation::GeluTanh);
  EXPECT_EQ(c.hiddenDim, 512u); // n_inner null -> 4 * n_embd
  EXPECT_EQ(c.maxSeqLen, 256u);
  EXPECT_TRUE(c.learnedPositions && c.fusedQkv && c.tiedEmbeddings);
  EXPECT_EQ(c.bosId, -1); // 50256 is outside this 512-token vocabulary
  const Tensor *qkv = m->find("blk.0.attn_qkv.weight");
  ASSERT_NE(qkv, nullptr);
  EXPECT_EQ(qkv->sourceName, "transformer.h.0.attn.c_attn.weight");
  EXPECT_EQ(qkv->layout, TensorLayout::Transposed);
  EXPECT_EQ(qkv->shape, (std::vector<uint64_t>{384, 128})); // stored [128, 384]
  EXPECT_EQ(m->find("blk.0.ffn_down.weight")->shape, (std::vector<uint64_t>{128, 512}));
  EXPECT_EQ(m->find("blk.0.ffn_down.weight")->layout, TensorLayout::Transposed);
  EXPECT_EQ(m->find("blk.0.attn_qkv.bias")->layout, TensorLayout::RowMajor);
  EXPECT_EQ(m->find("position_embd.weight")->shape, (std::vector<uint64_t>{256, 128}));
  EXPECT_NE(m->find("output_norm.bias"), nullptr);
}

TEST(HfConfig, RopeThetaAtTheTopLevelOrUnderRopeParameters) {
  const std::string base = R"("model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2,
      "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 100,
      "max_position_embeddings": 64, "rms_norm_eps": 1e-5)";
  auto old = parseHfConfig("{" + base + R"(, "rope_theta": 500000.0, "rope_scaling": null})",
                           "old.json");
  ASSERT_TRUE(old) << old.message();
  EXPECT_FLOAT_EQ(old->ropeTheta, 500000.0f);
  EXPECT_EQ(old->nKvHeads, 4u); // defaults to the head count
  EXPECT_EQ(old->headDim, 16u);
  auto v5 = parseHfConfig(
      "{" + base + R"(, "rope_parameters": {"rope_theta": 250000.0, "rope_type": "default"}})",
      "new.json");
  ASSERT_TRUE(v5) << v5.message();
  EXPECT_FLOAT_EQ(v5->ropeTheta, 250000.0f);
  auto none = parseHfConfig("{" + base + "}", "none.json");
  ASSERT_TRUE(none);
  EXPECT_FLOAT_EQ(none->ropeTheta, 10000.0f);
  auto llama3 = parseHfConfig(
      "{" + base + R"(, "rope_scaling": {"rope_type": "llama3", "factor": 8.0}})", "l3.json");
  ASSERT_FALSE(llama3);
  EXPECT_EQ(llama3.message(), "l3.json: RoPE type 'llama3' (rope_scaling) is not supported; "
                              "only the default rotary embedding is");
}

TEST(HfConfig, ErrorsNameTheFileAndKey) {
  auto bad = parseHfConfig("{\"model_type\": \"llama\",", "c.json");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.message().rfind("c.json: bad JSON: ", 0), 0u) << bad.message();
  auto type = parseHfConfig(R"({"model_type": "mamba"})", "c.json");
  EXPECT_EQ(type.message(), "c.json: unsupported model_type 'mamba' (supported: llama, qwen2, gpt2)");
  auto missing = parseHfConfig(R"({"model_type": "llama", "hidden_size": 64})", "c.json");
  EXPECT_EQ(missing.message(), "c.json: missing 'num_hidden_layers'");
  auto negative = parseHfConfig(R"({"model_type": "gpt2", "n_embd": -5})", "c.json");
  EXPECT_EQ(negative.message(), "c.json: 'n_embd' must be a positive integer (got -5)");
}

TEST(HfModelLoader, CanonicalNamesAndIgnoredBuffers) {
  auto q = canonicalHfTensorName(Family::Qwen2, "model.layers.12.self_attn.k_proj.bias");
  ASSERT_TRUE(q);
  EXPECT_EQ(**q, "blk.12.attn_k.bias");
  auto g = canonicalHfTensorName(Family::Gpt2, "h.3.mlp.c_fc.weight"); // no "transformer."
  ASSERT_TRUE(g);
  EXPECT_EQ(**g, "blk.3.ffn_up.weight");
  auto mask = canonicalHfTensorName(Family::Gpt2, "transformer.h.0.attn.masked_bias");
  ASSERT_TRUE(mask);
  EXPECT_FALSE(*mask);
  auto unknown = canonicalHfTensorName(Family::Llama, "model.layers.0.mlp.experts.0.weight");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.message(),
            "unexpected tensor 'model.layers.0.mlp.experts.0.weight' for a llama model");
}

/// Rewrites a safetensors file as two shards plus model.safetensors.index.json.
TEST(HfModelLoader, ShardedCheckpointsGiveTheSameModel) {
  STRATA_REQUIRE_MODEL_FILE("hf/tiny-llama/model.safetensors");
  TempDir dir;
  std::filesystem::copy_file(modelPath("hf/tiny-llama/config.json"), dir.file("config.json"));
  auto [header, data] = splitSafetensors(readBytes(modelPath("hf/tiny-llama/model.safetensors")));
  nlohmann::json shard[2] = {nlohmann::json::object(), nlohmann::json::object()};
  std::string shardData[2];
  nlohmann::json weightMap = nlohmann::json::object();
  int k = 0;
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__")
      continue;
    int s = (k++) % 2;
    auto e = it.value();
    uint64_t b = e["data_offsets"][0], end = e["data_offsets"][1];
    e["data_offsets"] = {shardData[s].size(), shardData[s].size() + (end - b)};
    shardData[s] += data.substr(b, end - b);
    shard[s][it.key()] = e;
    weightMap[it.key()] = "model-0000" + std::to_string(s + 1) + "-of-00002.safetensors";
  }
  for (int s = 0; s < 2; ++s)
    writeBytes(dir.file("model-0000" + std::to_string(s + 1) + "-of-00002.safetensors"),
               buildSafetensors(shard[s], shardData[s]));
  writeBytes(dir.file("model.safetensors.index.json"),
             nlohmann::json{{"metadata", {}}, {"weight_map", weightMap}}.dump());

  auto sharded = loadHfModel(dir.path());
  ASSERT_TRUE(sharded) << sharded.message();
  auto single = loadHfModel(modelPath("hf/tiny-llama"));
  ASSERT_TRUE(single);
  ASSERT_EQ(sharded->tensors().size(), single->tensors().size());
  for (const Tensor &t : single->tensors())
    EXPECT_EQ(toFloat32(*sharded->find(t.name)), toFloat32(t)) << t.name;
}

/// A BF16 (or F16) copy of tiny-llama: loads, dequantises to the rounded
/// weights, and the forward pass still agrees with the float32 one closely.
TEST(HfModelLoader, HalfPrecisionCheckpointsLoadAndRun) {
  STRATA_REQUIRE_MODEL_FILE("hf/tiny-llama/model.safetensors");
  for (const char *dtype : {"BF16", "F16"}) {
    SCOPED_TRACE(dtype);
    TempDir dir;
    nlohmann::json config = readJson(modelPath("hf/tiny-llama/config.json"));
    config["dtype"] = std::string(dtype) == "BF16" ? "bfloat16" : "float16";
    writeBytes(dir.file("config.json"), config.dump());
    auto [header, data] =
        splitSafetensors(readBytes(modelPath("hf/tiny-llama/model.safetensors")));
    std::string half;
    for (auto it = header.begin(); it != header.end(); ++it) {
      if (it.key() == "__metadata__")
        continue;
      auto &e = it.value();
      uint64_t b = e["data_offsets"][0], end = e["data_offsets"][1];
      uint64_t start = half.size();
      for (uint64_t off = b; off < end; off += 4) {
        float v = peek<float>(data, off);
        uint16_t bits;
        if (std::string(dtype) == "BF16") {
          uint32_t u = peek<uint32_t>(std::string(reinterpret_cast<char *>(&v), 4), 0);
          bits = static_cast<uint16_t>((u + 0x7FFF + ((u >> 16) & 1)) >> 16); // RNE
        } else {
#ifdef __FLT16_MAX__
          _Float16 h = static_cast<_Float16>(v);
          std::memcpy(&bits, &h, 2);
#else
          GTEST_SKIP() << "no _Float16 in this compiler";
#endif
        }
        put<uint16_t>(half, bits);
      }
      e["dtype"] = dtype;
      e["data_offsets"] = {start, half.size()};
    }
    writeBytes(dir.file("model.safetensors"), buildSafetensors(header, half));
    auto m = loadHfModel(dir.path());
    ASSERT_TRUE(m) << m.message();
    EXPECT_EQ(m->find("blk.0.attn_q.weight")->type,
              std::string(dtype) == "BF16" ? TensorType::BF16 : TensorType::F16);
    auto ref = ReferenceModel::create(*m);
    ASSERT_TRUE(ref) << ref.message();
    nlohmann::json expected = readJson(modelPath("hf/tiny-llama/reference.json"));
    auto logits = promptLogits(**ref, expected["input_ids"].get<std::vector<int32_t>>());
    ASSERT_TRUE(logits) << logits.message();
    float worst = 0.0f;
    for (size_t i = 0; i < logits->back().size(); ++i)
      worst = std::max(worst, std::fabs(logits->back()[i] - expected["last_logits"][i].get<float>()));
    EXPECT_LT(worst, 0.1f); // weight rounding only; the arithmetic is float32
  }
}

} // namespace
