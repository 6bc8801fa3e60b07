// Corrupted copies of the real model files: every one must fail with a
// message naming the file, the tensor or offset, and the problem — and
// nothing may crash.
#include "ModelFileWriters.h"
#include "SharedData.h"

#include "strata/models/GgufLoader.h"
#include "strata/models/HfModelLoader.h"
#include "strata/models/Llama2cLoader.h"
#include "strata/models/ModelLoader.h"
#include "strata/models/reference/ReferenceModel.h"

#include <filesystem>
#include <random>

using namespace strata;
using namespace strata::models;
using namespace strata::models::testing;

namespace {

::testing::AssertionResult failsWith(const Status &s, const std::string &expected) {
  if (s)
    return ::testing::AssertionFailure() << "loaded, expected an error containing \"" << expected
                                         << "\"";
  if (s.message().find(expected) == std::string::npos)
    return ::testing::AssertionFailure() << "error \"" << s.message() << "\" lacks \""
                                         << expected << "\"";
  return ::testing::AssertionSuccess();
}
template <typename T>
::testing::AssertionResult failsWith(const Expected<T> &e, const std::string &expected) {
  return failsWith(e.status(), expected);
}

//===-------------------------------------------------------------------===//
// GGUF
//===-------------------------------------------------------------------===//

class MalformedGguf : public ::testing::Test {
protected:
  void SetUp() override {
    const std::string rel = "stories260K/gguf/stories260K-f32.gguf";
    if (!pathExists(modelPath(rel)))
      GTEST_SKIP() << "reference data not present: " << modelPath(rel);
    original_ = readBytes(modelPath(rel));
    path_ = dir_.file("corrupt.gguf");
  }
  /// Offset of the tensor info that follows the name `name` (its n_dims).
  size_t tensorInfo(const std::string &name, const std::string &bytes) const {
    std::string key;
    put<uint64_t>(key, name.size());
    key += name;
    size_t at = bytes.find(key);
    EXPECT_NE(at, std::string::npos) << name;
    return at + key.size();
  }
  /// Offset of the value type of metadata key `key`.
  size_t metadataType(const std::string &key) const { return tensorInfo(key, original_); }
  std::string write(const std::string &bytes) {
    writeBytes(path_, bytes);
    return path_;
  }

  TempDir dir_;
  std::string original_;
  std::string path_;
};

TEST_F(MalformedGguf, BadMagic) {
  std::string b = original_;
  b[0] = 'X';
  EXPECT_TRUE(failsWith(GgufFile::open(write(b)),
                        path_ + ": bad magic \"XGUF\" at offset 0: not a GGUF file"));
}

TEST_F(MalformedGguf, WrongVersion) {
  for (uint32_t v : {1u, 4u}) {
    std::string b = original_;
    patch<uint32_t>(b, 4, v);
    EXPECT_TRUE(failsWith(GgufFile::open(write(b)),
                          path_ + ": unsupported GGUF version " + std::to_string(v) +
                              " at offset 4 (supported: 2 and 3)"));
  }
}

TEST_F(MalformedGguf, TruncatedFile) {
  EXPECT_TRUE(failsWith(GgufFile::open(write(original_.substr(0, 13981))),
                        path_ + ": truncated: name of tensor 45 length at offset 13979 needs 8 "
                                "bytes, only 2 remain"));
  EXPECT_TRUE(failsWith(GgufFile::open(write(original_.substr(0, 14000))),
                        path_ + ": at offset 13979: string length 21 of name of tensor 45 runs "
                                "past the end of the file (13 bytes remain)"));
  EXPECT_TRUE(failsWith(GgufFile::open(write(original_.substr(0, 3000))),
                        path_ + ": at offset 61: array length 512 of metadata "
                                "'tokenizer.ggml.tokens' runs past the end of the file"));
  EXPECT_TRUE(failsWith(GgufFile::open(write(original_.substr(0, 2))),
                        path_ + ": truncated: GGUF magic at offset 0 needs 4 bytes, only 2 remain"));
  EXPECT_TRUE(failsWith(GgufFile::open(write("")), "only 0 remain"));
  // Cutting into the tensor data leaves the last tensor out of bounds.
  auto f = GgufFile::open(write(original_.substr(0, original_.size() - 100)));
  EXPECT_TRUE(failsWith(f, "tensor '"));
  EXPECT_TRUE(failsWith(f, "is out of bounds: the file has " +
                               std::to_string(original_.size() - 100) + " bytes"));
}

TEST_F(MalformedGguf, TensorOffsetPastTheEnd) {
  std::string b = original_;
  size_t info = tensorInfo("output.weight", b);
  patch<uint64_t>(b, info + 4 + 2 * 8 + 4, 1ull << 40);
  EXPECT_TRUE(failsWith(GgufFile::open(write(b)),
                        path_ + ": tensor 'output.weight' (bytes 1099511627776..1099511758848 of "
                                "the data section at offset 14176) is out of bounds"));
  patch<uint64_t>(b, info + 4 + 2 * 8 + 4, UINT64_MAX - 31); // offset + size wraps
  EXPECT_TRUE(failsWith(GgufFile::open(write(b)), "tensor 'output.weight'"));
}

TEST_F(MalformedGguf, MisalignedTensorOffset) {
  std::string b = original_;
  size_t off = tensorInfo("output.weight", b) + 4 + 2 * 8 + 4;
  patch<uint64_t>(b, off, peek<uint64_t>(b, off) + 4);
  EXPECT_TRUE(failsWith(GgufFile::open(write(b)),
                        "tensor 'output.weight' data offset " +
                            std::to_string(peek<uint64_t>(b, off)) +
                            " is not a multiple of the alignment 32"));
}

TEST_F(MalformedGguf, UnsupportedTensorType) {
  std::string b = original_;
  patch<uint32_t>(b, tensorInfo("blk.2.ffn_up.weight", b) + 4 + 2 * 8, 12); // Q4_K
  EXPECT_TRUE(failsWith(loadGgufModel(write(b)),
                        path_ + ": tensor 'blk.2.ffn_up.weight' has unsupported tensor type Q4_K "
                                "(ggml type 12)"));
  patch<uint32_t>(b, tensorInfo("blk.2.ffn_up.weight", b) + 4 + 2 * 8, 999);
  EXPECT_TRUE(failsWith(loadGgufModel(write(b)), "unsupported tensor type ggml type 999"));
}

TEST_F(MalformedGguf, ChangedDtypeMakesTensorsOverlap) {
  std::string b = original_;
  // F32 -> F16 halves the tensor (a gap, undetectable), but relabelling the
  // embedding as a type whose rows need more bytes cannot go unnoticed:
  // use an F16 file and relabel an F16 tensor as F32.
  const std::string rel = "stories260K/gguf/stories260K-f16.gguf";
  if (!pathExists(modelPath(rel)))
    GTEST_SKIP() << "reference data not present: " << modelPath(rel);
  b = readBytes(modelPath(rel));
  size_t type = tensorInfo("blk.0.attn_q.weight", b) + 4 + 2 * 8;
  ASSERT_EQ(peek<uint32_t>(b, type), 1u); // F16
  patch<uint32_t>(b, type, 0);
  auto f = GgufFile::open(write(b));
  EXPECT_TRUE(failsWith(f, path_ + ": tensor 'blk.0.attn_q.weight' (F32 (ggml type 0), bytes "));
  EXPECT_TRUE(failsWith(f, ") overlaps tensor '"));
}

TEST_F(MalformedGguf, ShapeMismatchAgainstTheConfig) {
  std::string b = original_;
  size_t ne1 = tensorInfo("blk.0.attn_q.weight", b) + 4 + 8;
  patch<uint64_t>(b, ne1, 32);
  EXPECT_TRUE(failsWith(loadGgufModel(write(b)),
                        path_ + ": tensor 'blk.0.attn_q.weight' has shape [32, 64] but the "
                                "configuration needs [64, 64]"));
}

TEST_F(MalformedGguf, MissingTensor) {
  std::string b = original_;
  size_t at = b.find("blk.3.ffn_gate.weight");
  ASSERT_NE(at, std::string::npos);
  b.replace(at, 21, "blk.3.ffn_gat3.weight");
  EXPECT_TRUE(failsWith(loadGgufModel(write(b)),
                        path_ + ": missing tensor 'blk.3.ffn_gate.weight' (needed by the llama "
                                "configuration, shape [172, 64])"));
}

TEST_F(MalformedGguf, StringLengthOverflow) {
  std::string b = original_;
  patch<uint64_t>(b, 24, 1ull << 40); // length of the first metadata key
  EXPECT_TRUE(failsWith(GgufFile::open(write(b)),
                        path_ + ": at offset 24: string length 1099511627776 of metadata key 0 "
                                "runs past the end of the file"));
  patch<uint64_t>(b, 24, UINT64_MAX);
  EXPECT_TRUE(failsWith(GgufFile::open(write(b)), "runs past the end of the file"));
}

TEST_F(MalformedGguf, ArrayLengthOverflow) {
  std::string b = original_;
  size_t type = metadataType("tokenizer.ggml.tokens");
  ASSERT_EQ(peek<uint32_t>(b, type), 9u); // array
  patch<uint64_t>(b, type + 8, 1ull << 50);
  EXPECT_TRUE(failsWith(GgufFile::open(write(b)),
                        "array length 1125899906842624 of metadata 'tokenizer.ggml.tokens' runs "
                        "past the end of the file"));
}

TEST_F(MalformedGguf, UnknownMetadataType) {
  std::string b = original_;
  patch<uint32_t>(b, metadataType("general.architecture"), 99);
  EXPECT_TRUE(failsWith(GgufFile::open(write(b)),
                        "unknown metadata value type 99 for key 'general.architecture'"));
}

TEST_F(MalformedGguf, WrongMetadataTypeAndMissingKey) {
  std::string b = original_;
  patch<uint32_t>(b, metadataType("llama.embedding_length"), 6); // float32, same size
  EXPECT_TRUE(failsWith(loadGgufModel(write(b)),
                        path_ + ": metadata 'llama.embedding_length' has type float32, expected "
                                "a non-negative integer"));
  b = original_;
  size_t at = b.find("llama.block_count");
  b.replace(at, 17, "llama.block_cOunt");
  EXPECT_TRUE(failsWith(loadGgufModel(write(b)),
                        path_ + ": missing metadata key 'llama.block_count'"));
}

TEST_F(MalformedGguf, ImpossibleCountsAndDimensions) {
  std::string b = original_;
  patch<uint64_t>(b, 8, 1ull << 60);
  EXPECT_TRUE(failsWith(GgufFile::open(write(b)),
                        "at offset 8: tensor count 1152921504606846976 cannot fit in the file"));
  b = original_;
  patch<uint32_t>(b, tensorInfo("output.weight", b), 5);
  EXPECT_TRUE(failsWith(GgufFile::open(write(b)), "tensor 'output.weight' has 5 dimensions"));
  b = original_;
  patch<uint64_t>(b, tensorInfo("output.weight", b) + 4, 0);
  EXPECT_TRUE(failsWith(GgufFile::open(write(b)),
                        "tensor 'output.weight' has invalid dimension 0 = 0"));
  b = original_;
  patch<uint64_t>(b, tensorInfo("output.weight", b) + 4, 1ull << 62);
  patch<uint64_t>(b, tensorInfo("output.weight", b) + 12, 1ull << 62);
  EXPECT_TRUE(failsWith(GgufFile::open(write(b)), "the shape overflows"));
  b = original_;
  patch<uint64_t>(b, tensorInfo("output.weight", b) + 4, 1ull << 32);
  patch<uint64_t>(b, tensorInfo("output.weight", b) + 12, 1ull << 30); // F32: 2^64 bytes
  EXPECT_TRUE(failsWith(GgufFile::open(write(b)),
                        "tensor 'output.weight' is too large (its byte size overflows)"));
}

TEST_F(MalformedGguf, BadAlignment) {
  using namespace gguf;
  GgufBuilder g;
  g.kv("general.alignment", U32, scalar<uint32_t>(24));
  EXPECT_TRUE(failsWith(GgufFile::open(write(g.build())),
                        "general.alignment 24 is not a power of two"));
  GgufBuilder h;
  h.kv("general.alignment", U64, scalar<uint64_t>(32));
  EXPECT_TRUE(failsWith(GgufFile::open(write(h.build())),
                        "general.alignment has type uint64, expected uint32"));
}

//===-------------------------------------------------------------------===//
// llama2.c
//===-------------------------------------------------------------------===//

class MalformedLlama2c : public ::testing::Test {
protected:
  void SetUp() override {
    for (const char *rel : {"stories260K/stories260K.bin", "stories260K/tok512.bin"})
      if (!pathExists(modelPath(rel)))
        GTEST_SKIP() << "reference data not present: " << modelPath(rel);
    model_ = readBytes(modelPath("stories260K/stories260K.bin"));
    tokenizer_ = readBytes(modelPath("stories260K/tok512.bin"));
    path_ = dir_.file("corrupt.bin");
  }
  std::string write(const std::string &bytes) {
    writeBytes(path_, bytes);
    return path_;
  }
  TempDir dir_;
  std::string model_, tokenizer_, path_;
};

TEST_F(MalformedLlama2c, Truncated) {
  EXPECT_TRUE(failsWith(loadLlama2cModel(write(model_.substr(0, 1000))),
                        path_ + ": truncated: token_embedding_table needs bytes 28..131100 but "
                                "the file has 1000 bytes"));
  EXPECT_TRUE(failsWith(loadLlama2cModel(write(model_.substr(0, 10))),
                        path_ + ": truncated: header field n_layers at offset 8 needs 4 bytes, "
                                "only 2 remain"));
  EXPECT_TRUE(failsWith(loadLlama2cModel(write(model_.substr(0, model_.size() - 4))),
                        "truncated: freq_cis needs bytes 1040156..1056540"));
}

TEST_F(MalformedLlama2c, BadHeaderValues) {
  std::string b = model_;
  patch<int32_t>(b, 0, -64);
  EXPECT_TRUE(failsWith(loadLlama2cModel(write(b)),
                        path_ + ": bad llama2.c header: dim is -64 (at offset 0)"));
  b = model_;
  patch<int32_t>(b, 12, 7);
  EXPECT_TRUE(failsWith(loadLlama2cModel(write(b)),
                        path_ + ": bad llama2.c header: dim 64 is not a multiple of n_heads 7"));
  b = model_;
  patch<int32_t>(b, 16, 3);
  EXPECT_TRUE(failsWith(loadLlama2cModel(write(b)),
                        "n_heads (8) is not a multiple of n_kv_heads (3)"));
  b = model_;
  patch<int32_t>(b, 0, INT32_MAX - 63);
  patch<int32_t>(b, 12, 1);
  patch<int32_t>(b, 16, 1);
  EXPECT_TRUE(failsWith(loadLlama2cModel(write(b)), path_ + ": "));
}

TEST_F(MalformedLlama2c, NegativeVocabWithoutAClassifier) {
  std::string b = model_;
  patch<int32_t>(b, 20, -512);
  EXPECT_TRUE(failsWith(loadLlama2cModel(write(b)),
                        path_ + ": truncated: wcls needs bytes 1056540..1187612"));
}

TEST_F(MalformedLlama2c, TrailingBytesAndVersionedExports) {
  EXPECT_TRUE(failsWith(loadLlama2cModel(write(model_ + "abcd")),
                        path_ + ": the llama2.c header describes 1056540 bytes but the file has "
                                "1056544"));
  std::string v = model_;
  v.replace(0, 4, "24ka"); // 0x616b3432 little-endian
  EXPECT_TRUE(failsWith(loadLlama2cModel(write(v)), "versioned llama2.c export"));
}

TEST_F(MalformedLlama2c, Tokenizer) {
  EXPECT_TRUE(failsWith(loadLlama2cTokenizer(write(tokenizer_.substr(0, 3000)), 512),
                        path_ + ": truncated: "));
  std::string b = tokenizer_;
  patch<int32_t>(b, 0, 0);
  EXPECT_TRUE(failsWith(loadLlama2cTokenizer(write(b), 512),
                        path_ + ": bad tokenizer header: max_token_length is 0"));
  b = tokenizer_;
  patch<int32_t>(b, 8, -3); // length of token 0
  EXPECT_TRUE(failsWith(loadLlama2cTokenizer(write(b), 512),
                        path_ + ": at offset 8: negative string length -3 for token 0"));
  patch<int32_t>(b, 8, 1 << 30);
  EXPECT_TRUE(failsWith(loadLlama2cTokenizer(write(b), 512),
                        path_ + ": at offset 8: string length 1073741824 of token 0 runs past "
                                "the end of the file"));
  EXPECT_TRUE(failsWith(loadLlama2cTokenizer(modelPath("stories260K/tok512.bin"), 600),
                        "truncated: score of token 512"));
}

//===-------------------------------------------------------------------===//
// safetensors + config.json
//===-------------------------------------------------------------------===//

class MalformedSafetensors : public ::testing::Test {
protected:
  void SetUp() override {
    if (!pathExists(modelPath("hf/tiny-llama/model.safetensors")))
      GTEST_SKIP() << "reference data not present: " << modelPath("hf/tiny-llama");
    original_ = readBytes(modelPath("hf/tiny-llama/model.safetensors"));
    config_ = readJson(modelPath("hf/tiny-llama/config.json"));
    std::tie(header_, data_) = splitSafetensors(original_);
    file_ = dir_.file("model.safetensors");
    writeBytes(dir_.file("config.json"), config_.dump());
  }
  Expected<Model> load(const std::string &bytes) {
    writeBytes(file_, bytes);
    return loadHfModel(dir_.path());
  }
  Expected<Model> load(const nlohmann::json &header) {
    return load(buildSafetensors(header, data_));
  }
  TempDir dir_;
  std::string original_, data_, file_;
  nlohmann::json header_, config_;
};

TEST_F(MalformedSafetensors, TruncatedAndHeaderLengthOverflow) {
  EXPECT_TRUE(failsWith(load(original_.substr(0, 5)),
                        file_ + ": truncated: the 8-byte header length needs 8 bytes, the file "
                                "has 5"));
  std::string b = original_;
  patch<uint64_t>(b, 0, 1ull << 40);
  EXPECT_TRUE(failsWith(load(b), file_ + ": header length 1099511627776 (at offset 0) overflows "
                                         "the file of " + std::to_string(b.size()) + " bytes"));
  patch<uint64_t>(b, 0, UINT64_MAX);
  EXPECT_TRUE(failsWith(load(b), "overflows the file"));
  // Cutting the data leaves the last tensor's data_offsets out of bounds.
  EXPECT_TRUE(failsWith(load(original_.substr(0, original_.size() - 1000)),
                        "] are out of bounds: the data section (from offset "));
}

TEST_F(MalformedSafetensors, BadJson) {
  std::string b = original_;
  b[8] = '[';
  EXPECT_TRUE(failsWith(load(b), file_ + ": bad JSON in the header (bytes 8.."));
  std::string notObject = buildSafetensors(nlohmann::json::array({1, 2}), "");
  EXPECT_TRUE(failsWith(load(notObject), file_ + ": the header is not a JSON object"));
}

TEST_F(MalformedSafetensors, MissingTensor) {
  nlohmann::json h = header_;
  h.erase("model.layers.0.self_attn.q_proj.weight");
  EXPECT_TRUE(failsWith(load(h), dir_.path() + ": missing tensor 'blk.0.attn_q.weight' (needed "
                                               "by the llama configuration, shape [128, 128])"));
}

TEST_F(MalformedSafetensors, ChangedDtype) {
  nlohmann::json h = header_;
  auto &q = h["model.layers.0.self_attn.q_proj.weight"];
  q["dtype"] = "F16";
  EXPECT_TRUE(failsWith(load(h), file_ + ": tensor 'model.layers.0.self_attn.q_proj.weight': "
                                         "shape [128, 128] of F16 needs 32768 bytes but "
                                         "data_offsets [1152000, 1217536] span 65536"));
  q["dtype"] = "I8";
  q["shape"] = {128, 512};
  EXPECT_TRUE(failsWith(load(h), file_ + ": tensor 'model.layers.0.self_attn.q_proj.weight' has "
                                         "unsupported tensor type I8"));
  q["dtype"] = "F7";
  EXPECT_TRUE(failsWith(load(h), "unknown dtype \"F7\""));
}

TEST_F(MalformedSafetensors, OffsetsOutOfBoundsReversedOrOverlapping) {
  nlohmann::json h = header_;
  h["model.norm.weight"]["data_offsets"] = {data_.size(), data_.size() + 512};
  EXPECT_TRUE(failsWith(load(h), "tensor 'model.norm.weight': data_offsets [" +
                                     std::to_string(data_.size()) + ", " +
                                     std::to_string(data_.size() + 512) + "] are out of bounds"));
  h = header_;
  h["model.norm.weight"]["data_offsets"] = {512, 0};
  EXPECT_TRUE(failsWith(load(h), "are reversed"));
  h = header_;
  h["model.norm.weight"]["data_offsets"] = {0, 512}; // inside lm_head's bytes
  EXPECT_TRUE(failsWith(load(h), "tensor 'lm_head.weight' (bytes 0..262144 of the data section) "
                                 "overlaps tensor 'model.norm.weight'"));
  h = header_;
  h["model.norm.weight"]["data_offsets"] = {-1, 512};
  EXPECT_TRUE(failsWith(load(h), "\"data_offsets\" must be two non-negative integers"));
}

TEST_F(MalformedSafetensors, ShapeMismatchAgainstTheConfig) {
  nlohmann::json h = header_;
  h["model.layers.0.self_attn.q_proj.weight"]["shape"] = {64, 256}; // same byte count
  EXPECT_TRUE(failsWith(load(h), dir_.path() + ": tensor 'blk.0.attn_q.weight' "
                                               "('model.layers.0.self_attn.q_proj.weight') has "
                                               "shape [64, 256] but the configuration needs "
                                               "[128, 128]"));
}

TEST_F(MalformedSafetensors, ConfigJsonProblems) {
  nlohmann::json c = config_;
  c["intermediate_size"] = 300;
  writeBytes(dir_.file("config.json"), c.dump());
  EXPECT_TRUE(failsWith(load(original_), "tensor 'blk.0.ffn_gate.weight' "
                                         "('model.layers.0.mlp.gate_proj.weight') has shape "
                                         "[344, 128] but the configuration needs [300, 128]"));
  c = config_;
  c["dtype"] = "float16";
  writeBytes(dir_.file("config.json"), c.dump());
  EXPECT_TRUE(failsWith(load(original_), "has dtype F32 but config.json declares F16"));
  writeBytes(dir_.file("config.json"), "{\"model_type\": ");
  EXPECT_TRUE(failsWith(load(original_), dir_.file("config.json") + ": bad JSON: "));
  std::filesystem::remove(dir_.file("config.json"));
  EXPECT_TRUE(failsWith(load(original_), "no config.json beside the safetensors weights"));
}

TEST_F(MalformedSafetensors, GptConv1DShapeMismatchShowsTheStoredShape) {
  if (!pathExists(modelPath("hf/tiny-gpt2/model.safetensors")))
    GTEST_SKIP() << "reference data not present: " << modelPath("hf/tiny-gpt2");
  writeBytes(dir_.file("config.json"), [&] {
    nlohmann::json c = readJson(modelPath("hf/tiny-gpt2/config.json"));
    c["n_inner"] = 256;
    return c.dump();
  }());
  EXPECT_TRUE(failsWith(load(readBytes(modelPath("hf/tiny-gpt2/model.safetensors"))),
                        "tensor 'blk.0.ffn_up.weight' ('transformer.h.0.mlp.c_fc.weight') has "
                        "shape [512, 128] (stored transposed as [128, 512]) but the "
                        "configuration needs [256, 128]"));
}

//===-------------------------------------------------------------------===//
// Random corruption: errors or success, never a crash or a hang.
//===-------------------------------------------------------------------===//

TEST(MalformedFuzz, RandomByteFlipsAndTruncationsNeverCrash) {
  TempDir dir;
  std::mt19937_64 rng(20240601);
  struct Source { std::string rel; size_t hot; }; // corrupt mostly the first `hot` bytes
  int loaded = 0, rejected = 0;
  for (const Source &s : {Source{"stories260K/gguf/stories260K-q4_0.gguf", 14240},
                          Source{"stories260K/stories260K.bin", 28},
                          Source{"hf/tiny-gpt2/model.safetensors", 3864}}) {
    if (!pathExists(modelPath(s.rel)))
      continue;
    const std::string original = readBytes(modelPath(s.rel));
    const std::string target = dir.file(s.rel.substr(s.rel.find_last_of('/') + 1));
    if (s.rel.find("hf/") == 0)
      std::filesystem::copy_file(modelPath("hf/tiny-gpt2/config.json"), dir.file("config.json"),
                                 std::filesystem::copy_options::overwrite_existing);
    for (int i = 0; i < 150; ++i) {
      std::string b = original;
      if (i % 5 == 4) {
        b.resize(rng() % b.size());
      } else {
        int flips = 1 + static_cast<int>(rng() % 4);
        for (int k = 0; k < flips; ++k)
          b[rng() % s.hot] ^= static_cast<char>(1u << (rng() % 8));
      }
      writeBytes(target, b);
      auto m = loadModel(target);
      if (m) {
        ++loaded;
        for (const Tensor &t : m->tensors()) // every view must lie inside the file
          ASSERT_LE(t.fileOffset + t.byteSize, b.size()) << s.rel << " " << t.name;
        // A model that loads is consistent enough to run (values may be junk).
        ReferenceOptions opts;
        opts.maxContext = 4;
        if (auto ref = ReferenceModel::create(*m, opts)) {
          ASSERT_TRUE((*ref)->forward(0, 0));
          ASSERT_TRUE((*ref)->forward(0, 1));
        }
      } else {
        ++rejected;
        EXPECT_FALSE(m.message().empty());
      }
    }
  }
  if (loaded + rejected == 0)
    GTEST_SKIP() << "reference data not present under " << sharedDir();
  EXPECT_GT(rejected, 0);
}

} // namespace
