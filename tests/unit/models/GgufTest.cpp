// GGUF: header, metadata of every type, tensor infos, and the model view.
#include "ModelFileWriters.h"
#include "SharedData.h"

#include "strata/models/Dequantize.h"
#include "strata/models/GgufLoader.h"
#include "strata/models/HfModelLoader.h"
#include "strata/models/Llama2cLoader.h"
#include "strata/models/reference/ReferenceModel.h"

#include <cmath>
#include <map>

using namespace strata;
using namespace strata::models;
using namespace strata::models::testing;

namespace {

const std::string kDir = "stories260K/gguf/";

TEST(GgufFile, ReadsTheF32ConversionHeaderAndMetadata) {
  STRATA_REQUIRE_MODEL_FILE(kDir + "stories260K-f32.gguf");
  auto f = GgufFile::open(modelPath(kDir + "stories260K-f32.gguf"));
  ASSERT_TRUE(f) << f.message();
  EXPECT_EQ(f->version(), 3u);
  EXPECT_EQ(f->alignment(), 32u);
  EXPECT_EQ(f->dataOffset(), 14176u);
  EXPECT_EQ(f->tensorInfos().size(), 48u);
  EXPECT_EQ(*f->getString("general.architecture"), "llama");
  EXPECT_EQ(*f->getUInt("llama.context_length"), 128u);
  EXPECT_EQ(*f->getUInt("llama.rope.dimension_count"), 8u);
  EXPECT_FLOAT_EQ(static_cast<float>(*f->getDouble("llama.attention.layer_norm_rms_epsilon")),
                  1e-5f);
  EXPECT_EQ(*f->getUInt("tokenizer.ggml.seperator_token_id"), 0xFFFFFFFFu);
  const GgufValue *tokens = f->find("tokenizer.ggml.tokens");
  ASSERT_NE(tokens, nullptr);
  EXPECT_EQ(tokens->type, GgufType::Array);
  EXPECT_EQ(tokens->elementType, GgufType::String);
  EXPECT_EQ(tokens->array.size(), 512u);
  EXPECT_EQ(tokens->array[403].s, "\xE2\x96\x81Once");
  EXPECT_EQ(f->find("general.file_type"), nullptr); // the F32 file has none
  auto missing = f->getString("no.such.key");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.message().find("missing metadata key 'no.such.key'"), std::string::npos);
  auto wrongType = f->getString("llama.block_count");
  ASSERT_FALSE(wrongType);
  EXPECT_NE(wrongType.message().find("has type uint32, expected string"), std::string::npos);
}

TEST(GgufLoader, BuildsTheLlamaConfigFromMetadata) {
  STRATA_REQUIRE_MODEL_FILE(kDir + "stories260K-f32.gguf");
  auto m = loadGgufModel(modelPath(kDir + "stories260K-f32.gguf"));
  ASSERT_TRUE(m) << m.message();
  const ModelConfig &c = m->config;
  expectStories260KArchitecture(c);
  EXPECT_EQ(c.maxSeqLen, 128u); // the converter's default, see the README
  EXPECT_FLOAT_EQ(c.ropeTheta, 10000.0f);
  EXPECT_FALSE(c.tiedEmbeddings); // output.weight is stored (a copy)
  EXPECT_EQ(c.bosId, 1);
  EXPECT_EQ(c.eosId, 2);
  ASSERT_TRUE(m->tokenizer);
  const Tensor *down = m->find("blk.0.ffn_down.weight");
  ASSERT_NE(down, nullptr);
  EXPECT_EQ(down->shape, (std::vector<uint64_t>{64, 172})); // ggml [172, 64] reversed
  EXPECT_EQ(m->find("blk.0.attn_k.weight")->shape, (std::vector<uint64_t>{32, 64}));
  EXPECT_EQ(m->find("token_embd.weight")->fileOffset, 14176u);
}

TEST(GgufLoader, F32ConversionHoldsExactlyTheLlama2cWeights) {
  STRATA_REQUIRE_MODEL_FILE(kDir + "stories260K-f32.gguf");
  STRATA_REQUIRE_MODEL_FILE("stories260K/stories260K.bin");
  auto g = loadGgufModel(modelPath(kDir + "stories260K-f32.gguf"));
  auto b = loadLlama2cModel(modelPath("stories260K/stories260K.bin"));
  ASSERT_TRUE(g && b);
  for (const Tensor &t : b->tensors()) {
    const Tensor *other = g->find(t.name);
    ASSERT_NE(other, nullptr) << t.name;
    EXPECT_EQ(other->shape, t.shape) << t.name;
    EXPECT_EQ(toFloat32(*other), toFloat32(t)) << t.name;
  }
  EXPECT_EQ(toFloat32(*g->find("output.weight")), toFloat32(*b->find("token_embd.weight")));
}

std::map<TensorType, int> typeCounts(const Model &m) {
  std::map<TensorType, int> n;
  for (const Tensor &t : m.tensors())
    ++n[t.type];
  return n;
}

// Every conversion's weights against the float32 originals: F16 must be the
// round-to-nearest binary16 of each value, Q8_0/Q4_0 within their step.
TEST(GgufLoader, QuantizedConversionsDequantizeToTheOriginalWeights) {
  STRATA_REQUIRE_MODEL_FILE(kDir + "stories260K-f32.gguf");
  auto f32 = loadGgufModel(modelPath(kDir + "stories260K-f32.gguf"));
  ASSERT_TRUE(f32) << f32.message();
  struct Case { const char *file; std::map<TensorType, int> types; };
  for (const Case &c :
       {Case{"stories260K-f16.gguf", {{TensorType::F16, 37}, {TensorType::F32, 11}}},
        Case{"stories260K-q8_0.gguf",
             {{TensorType::Q8_0, 32}, {TensorType::F16, 5}, {TensorType::F32, 11}}},
        Case{"stories260K-q4_0.gguf",
             {{TensorType::Q4_0, 31}, {TensorType::Q8_0, 1}, {TensorType::F16, 5},
              {TensorType::F32, 11}}}}) {
    SCOPED_TRACE(c.file);
    STRATA_REQUIRE_MODEL_FILE(kDir + c.file);
    auto m = loadGgufModel(modelPath(kDir + c.file));
    ASSERT_TRUE(m) << m.message();
    EXPECT_EQ(typeCounts(*m), c.types);
    for (const Tensor &t : m->tensors()) {
      std::vector<float> got = toFloat32(t);
      std::vector<float> want = toFloat32(*f32->find(t.name));
      ASSERT_EQ(got.size(), want.size());
      for (size_t i = 0; i < got.size(); ++i) {
        if (t.type == TensorType::F32 || t.type == TensorType::F16) {
#ifdef __FLT16_MAX__
          float rounded = t.type == TensorType::F16
                              ? static_cast<float>(static_cast<_Float16>(want[i]))
                              : want[i];
          ASSERT_EQ(got[i], rounded) << t.name << "[" << i << "]";
#endif
        } else {
          // Each block's scale bounds the rounding error of its elements.
          const uint64_t block = i / 32;
          const uint64_t stride = tensorTypeBlockBytes(t.type);
          uint16_t dBits;
          std::memcpy(&dBits, t.data + block * stride, 2);
          const float d = std::fabs(f16ToF32(dBits));
          ASSERT_LE(std::fabs(got[i] - want[i]), d * 1.0001f + 1e-7f)
              << t.name << "[" << i << "]";
        }
      }
    }
  }
}

TEST(GgufFile, ParsesEveryMetadataTypeIncludingNestedArrays) {
  using namespace gguf;
  GgufBuilder b;
  b.version = 2;
  b.kv("u8", U8, scalar<uint8_t>(200));
  b.kv("i8", I8, scalar<int8_t>(-100));
  b.kv("u16", U16, scalar<uint16_t>(60000));
  b.kv("i16", I16, scalar<int16_t>(-30000));
  b.kv("u32", U32, scalar<uint32_t>(4000000000u));
  b.kv("i32", I32, scalar<int32_t>(-2000000000));
  b.kv("f32", F32, scalar<float>(1.5f));
  b.kv("bool", BOOL, scalar<uint8_t>(1));
  b.kv("str", STR, str("hello ▁ world"));
  b.kv("u64", U64, scalar<uint64_t>(1ull << 63));
  b.kv("i64", I64, scalar<int64_t>(-(1ll << 62)));
  b.kv("f64", F64, scalar<double>(-2.25));
  b.kv("arr.i32", ARR, array(I32, 3, scalar<int32_t>(1) + scalar<int32_t>(-2) + scalar<int32_t>(3)));
  b.kv("arr.str", ARR, array(STR, 2, str("a") + str("")));
  b.kv("arr.nested", ARR,
       array(ARR, 2, array(U8, 2, scalar<uint8_t>(7) + scalar<uint8_t>(8)) + array(STR, 1, str("x"))));
  b.kv("arr.empty", ARR, array(F64, 0, ""));
  b.kv("general.alignment", U32, scalar<uint32_t>(64));
  b.alignment = 64;
  std::string bf16;
  for (uint16_t v : {0x3F80, 0xC040, 0x0000, 0x4049})
    put<uint16_t>(bf16, v);
  b.tensor("t.bf16", {4}, 30, bf16);
  b.tensor("t.f32", {2, 2}, 0, std::string(16, '\0'));
  TempDir dir;
  writeBytes(dir.file("all.gguf"), b.build());

  auto f = GgufFile::open(dir.file("all.gguf"));
  ASSERT_TRUE(f) << f.message();
  EXPECT_EQ(f->version(), 2u);
  EXPECT_EQ(f->alignment(), 64u);
  EXPECT_EQ(f->dataOffset() % 64, 0u);
  EXPECT_EQ(f->find("u8")->u, 200u);
  EXPECT_EQ(f->find("i8")->i, -100);
  EXPECT_EQ(f->find("u16")->u, 60000u);
  EXPECT_EQ(f->find("i16")->i, -30000);
  EXPECT_EQ(f->find("u32")->u, 4000000000u);
  EXPECT_EQ(f->find("i32")->i, -2000000000);
  EXPECT_EQ(f->find("f32")->f, 1.5);
  EXPECT_TRUE(f->find("bool")->b);
  EXPECT_EQ(f->find("str")->s, "hello ▁ world");
  EXPECT_EQ(f->find("u64")->u, 1ull << 63);
  EXPECT_FALSE(f->find("u64")->asInt()); // does not fit int64
  EXPECT_EQ(f->find("i64")->i, -(1ll << 62));
  EXPECT_FALSE(f->find("i64")->asUInt());
  EXPECT_EQ(f->find("f64")->f, -2.25);
  EXPECT_EQ(*f->find("i32")->asDouble(), -2000000000.0);
  const GgufValue *ints = f->find("arr.i32");
  ASSERT_EQ(ints->array.size(), 3u);
  EXPECT_EQ(ints->array[1].i, -2);
  EXPECT_EQ(f->find("arr.str")->array[1].s, "");
  const GgufValue *nested = f->find("arr.nested");
  ASSERT_EQ(nested->elementType, GgufType::Array);
  ASSERT_EQ(nested->array.size(), 2u);
  EXPECT_EQ(nested->array[0].elementType, GgufType::UInt8);
  EXPECT_EQ(nested->array[0].array[1].u, 8u);
  EXPECT_EQ(nested->array[1].array[0].s, "x");
  EXPECT_TRUE(f->find("arr.empty")->array.empty());
  EXPECT_EQ(f->metadata().front().first, "u8"); // file order kept

  const GgufTensorInfo *info = f->findTensor("t.bf16");
  ASSERT_NE(info, nullptr);
  auto t = f->tensorView(*info);
  ASSERT_TRUE(t) << t.message();
  EXPECT_EQ(t->type, TensorType::BF16);
  EXPECT_EQ(toFloat32(*t), (std::vector<float>{1.0f, -3.0f, 0.0f, 3.140625f}));
  EXPECT_EQ(f->findTensor("t.f32")->fileOffset % 64, 0u);
}

/// A complete tiny llama GGUF (all tensors F32 zeros unless replaced).
GgufBuilder tinyLlamaGguf(const std::string &arch, uint32_t badTensorType = 0) {
  using namespace gguf;
  GgufBuilder b;
  const uint32_t dim = 8, hidden = 16, layers = 1, vocab = 4;
  b.kv("general.architecture", STR, str(arch));
  b.kv(arch + ".embedding_length", U32, scalar<uint32_t>(dim));
  b.kv(arch + ".feed_forward_length", U32, scalar<uint32_t>(hidden));
  b.kv(arch + ".block_count", U32, scalar<uint32_t>(layers));
  b.kv(arch + ".attention.head_count", U32, scalar<uint32_t>(2));
  b.kv(arch + ".context_length", U64, scalar<uint64_t>(32));
  b.kv(arch + ".attention.layer_norm_rms_epsilon", F32, scalar<float>(1e-6f));
  b.kv(arch + ".rope.freq_base", F32, scalar<float>(1e6f));
  b.kv(arch + ".vocab_size", U32, scalar<uint32_t>(vocab));
  auto f32 = [&](const std::string &name, std::vector<uint64_t> ne) {
    uint64_t n = 1;
    for (uint64_t d : ne) n *= d;
    b.tensor(name, ne, 0, std::string(n * 4, '\0'));
  };
  f32("token_embd.weight", {dim, vocab});
  f32("output_norm.weight", {dim});
  f32("blk.0.attn_norm.weight", {dim});
  f32("blk.0.attn_q.weight", {dim, dim});
  f32("blk.0.attn_k.weight", {dim, dim});
  f32("blk.0.attn_v.weight", {dim, dim});
  if (arch == "qwen2") {
    f32("blk.0.attn_q.bias", {dim});
    f32("blk.0.attn_k.bias", {dim});
    f32("blk.0.attn_v.bias", {dim});
  }
  f32("blk.0.attn_output.weight", {dim, dim});
  f32("blk.0.ffn_norm.weight", {dim});
  f32("blk.0.ffn_gate.weight", {dim, hidden});
  f32("blk.0.ffn_up.weight", {dim, hidden});
  if (badTensorType)
    b.tensor("blk.0.ffn_down.weight", {256, 1}, badTensorType, std::string(256, '\0'));
  else
    f32("blk.0.ffn_down.weight", {hidden, dim});
  return b;
}

TEST(GgufLoader, Qwen2ArchitectureIsHalfSplitWithBiasesAndTiedWhenNoOutput) {
  TempDir dir;
  writeBytes(dir.file("q.gguf"), tinyLlamaGguf("qwen2").build());
  auto m = loadGgufModel(dir.file("q.gguf"));
  ASSERT_TRUE(m) << m.message();
  EXPECT_EQ(m->config.family, Family::Qwen2);
  EXPECT_EQ(m->config.ropeStyle, RopeStyle::HalfSplit);
  EXPECT_TRUE(m->config.qkvBias);
  EXPECT_TRUE(m->config.tiedEmbeddings);
  EXPECT_EQ(m->config.nKvHeads, 2u); // head_count_kv defaults to head_count
  EXPECT_EQ(m->config.maxSeqLen, 32u);  // any integer type is accepted
  EXPECT_FLOAT_EQ(m->config.ropeTheta, 1e6f);
  EXPECT_FALSE(m->tokenizer); // no tokenizer.ggml.* keys
}

TEST(GgufLoader, UnsupportedTensorTypeNamesTheTensorAndType) {
  TempDir dir;
  writeBytes(dir.file("k.gguf"), tinyLlamaGguf("llama", 12).build()); // Q4_K
  auto m = loadGgufModel(dir.file("k.gguf"));
  ASSERT_FALSE(m);
  EXPECT_EQ(m.message(), dir.file("k.gguf") +
                             ": tensor 'blk.0.ffn_down.weight' has unsupported tensor type Q4_K "
                             "(ggml type 12) (supported: F32, F16, BF16, Q8_0, Q4_0)");
}

TEST(GgufLoader, UnsupportedArchitectureAndTokenizerAreNamed) {
  TempDir dir;
  GgufBuilder b = tinyLlamaGguf("falcon");
  writeBytes(dir.file("f.gguf"), b.build());
  auto m = loadGgufModel(dir.file("f.gguf"));
  ASSERT_FALSE(m);
  EXPECT_NE(m.message().find("unsupported architecture 'falcon'"), std::string::npos);

  GgufBuilder t = tinyLlamaGguf("llama");
  t.kv("tokenizer.ggml.model", gguf::STR, gguf::str("gpt2"));
  writeBytes(dir.file("t.gguf"), t.build());
  auto f = GgufFile::open(dir.file("t.gguf"));
  ASSERT_TRUE(f) << f.message();
  auto tok = loadGgufTokenizer(*f);
  ASSERT_FALSE(tok);
  EXPECT_NE(tok.message().find("tokenizer model 'gpt2'"), std::string::npos);
  auto model = loadGgufModel(dir.file("t.gguf")); // the model itself still loads
  ASSERT_TRUE(model) << model.message();
  EXPECT_FALSE(model->tokenizer);
}

} // namespace

namespace {

/// Re-encodes a loaded model as an F32 GGUF of architecture `arch` (canonical
/// names are GGUF names; transposed tensors are written row-major).
std::string ggufFromModel(const Model &m, const std::string &arch) {
  using namespace gguf;
  const ModelConfig &c = m.config;
  GgufBuilder b;
  b.kv("general.architecture", STR, str(arch));
  b.kv(arch + ".embedding_length", U32, scalar<uint32_t>(c.dim));
  b.kv(arch + ".feed_forward_length", U32, scalar<uint32_t>(c.hiddenDim));
  b.kv(arch + ".block_count", U32, scalar<uint32_t>(c.nLayers));
  b.kv(arch + ".attention.head_count", U32, scalar<uint32_t>(c.nHeads));
  b.kv(arch + ".attention.head_count_kv", U32, scalar<uint32_t>(c.nKvHeads));
  b.kv(arch + ".context_length", U32, scalar<uint32_t>(c.maxSeqLen));
  b.kv(arch + (c.norm == NormKind::LayerNorm ? ".attention.layer_norm_epsilon"
                                             : ".attention.layer_norm_rms_epsilon"),
       F32, scalar<float>(c.normEps));
  if (c.ropeStyle != RopeStyle::None)
    b.kv(arch + ".rope.freq_base", F32, scalar<float>(c.ropeTheta));
  for (const Tensor &t : m.tensors()) {
    std::vector<float> v = toFloat32(t);
    std::string bytes(reinterpret_cast<const char *>(v.data()), v.size() * 4);
    b.tensor(t.name, std::vector<uint64_t>(t.shape.rbegin(), t.shape.rend()), 0, bytes);
  }
  return b.build();
}

// GGUF's gpt2 and qwen2 architectures, checked end to end: the tiny HF
// models re-encoded as GGUF must give transformers' logits.
TEST(GgufLoader, Gpt2AndQwen2ArchitecturesReproduceTransformers) {
  for (auto [dirName, arch] : {std::pair{"tiny-gpt2", "gpt2"}, std::pair{"tiny-qwen2", "qwen2"}}) {
    SCOPED_TRACE(arch);
    const std::string dir = std::string("hf/") + dirName;
    STRATA_REQUIRE_MODEL_FILE(dir + "/model.safetensors");
    auto hf = loadHfModel(modelPath(dir));
    ASSERT_TRUE(hf) << hf.message();
    TempDir tmp;
    writeBytes(tmp.file("m.gguf"), ggufFromModel(*hf, arch));
    auto g = loadGgufModel(tmp.file("m.gguf"));
    ASSERT_TRUE(g) << g.message();
    EXPECT_EQ(g->config.family, hf->config.family);
    EXPECT_EQ(g->config.ropeStyle, hf->config.ropeStyle);
    EXPECT_EQ(g->config.tiedEmbeddings, hf->config.tiedEmbeddings);
    for (const Tensor &t : g->tensors())
      EXPECT_EQ(t.layout, TensorLayout::RowMajor);
    auto ref = ReferenceModel::create(*g);
    ASSERT_TRUE(ref) << ref.message();
    nlohmann::json expected = readJson(modelPath(dir + "/reference.json"));
    auto logits = promptLogits(**ref, expected["input_ids"].get<std::vector<int32_t>>());
    ASSERT_TRUE(logits) << logits.message();
    for (size_t i = 0; i < logits->back().size(); ++i)
      ASSERT_NEAR(logits->back()[i], expected["last_logits"][i].get<float>(), 1e-4f) << i;
  }
}

} // namespace
