#include "strata/models/Llama2cLoader.h"

#include "ByteReader.h"
#include "strata/models/CheckedMath.h"
#include "strata/models/TensorNames.h"

#include <array>

namespace strata::models {

namespace {

std::string stemOf(const std::string &path) {
  size_t slash = path.find_last_of('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  size_t dot = base.find_last_of('.');
  return dot == std::string::npos || dot == 0 ? base : base.substr(0, dot);
}

// llama2.c's newer exports start with this magic ("ak42" little-endian).
constexpr uint32_t kVersionedExportMagic = 0x616b3432;

} // namespace

Expected<Model> loadLlama2cModel(const std::string &path) {
  auto mapped = MappedFile::open(path);
  if (!mapped)
    return mapped.error();
  std::shared_ptr<const MappedFile> file = mapped.takeValue();
  ByteReader r(file->data(), file->size(), path);

  if (file->size() >= 4) {
    uint32_t magic;
    std::memcpy(&magic, file->data(), 4);
    if (magic == kVersionedExportMagic)
      return Error(path + ": this is a versioned llama2.c export (magic \"ak42\"); only the "
                          "legacy version-0 export (run.c's format) is supported");
  }

  static constexpr std::array<const char *, 7> kFields = {
      "dim", "hidden_dim", "n_layers", "n_heads", "n_kv_heads", "vocab_size", "seq_len"};
  std::array<int32_t, 7> h{};
  for (size_t i = 0; i < kFields.size(); ++i) {
    auto v = r.read<int32_t>(std::string("header field ") + kFields[i]);
    if (!v)
      return v.error();
    h[i] = *v;
  }
  for (size_t i = 0; i < kFields.size(); ++i) {
    bool ok = i == 5 ? (h[i] != 0 && h[i] != INT32_MIN) : h[i] > 0;
    if (!ok)
      return Error(path + ": bad llama2.c header: " + kFields[i] + " is " +
                   std::to_string(h[i]) + " (at offset " + std::to_string(i * 4) + ")");
  }
  const bool sharedClassifier = h[5] > 0;
  ModelConfig c = ModelConfig::forFamily(Family::Llama);
  c.name = stemOf(path);
  c.dim = h[0];
  c.hiddenDim = h[1];
  c.nLayers = h[2];
  c.nHeads = h[3];
  c.nKvHeads = h[4];
  c.vocabSize = sharedClassifier ? h[5] : -h[5];
  c.maxSeqLen = h[6];
  if (c.dim % c.nHeads != 0)
    return Error(path + ": bad llama2.c header: dim " + std::to_string(c.dim) +
                 " is not a multiple of n_heads " + std::to_string(c.nHeads));
  c.headDim = c.dim / c.nHeads;
  c.normEps = 1e-5f;
  c.ropeTheta = 10000.0f;
  c.ropeStyle = RopeStyle::Interleaved;
  c.tiedEmbeddings = sharedClassifier;
  c.bosId = 1;
  c.eosId = 2;
  if (Status s = c.validate(path); !s)
    return s.error();

  // Lay out every array and check the total against the file size before
  // handing out a single pointer.
  const uint64_t dim = c.dim, kv = c.kvDim(), hidden = c.hiddenDim, L = c.nLayers;
  struct Array {
    const char *source;   // llama2.c's name
    const char *role;     // canonical role (per layer) or full name
    bool perLayer;
    std::vector<uint64_t> shape; // canonical shape of one slice
  };
  std::vector<Array> arrays = {
      {"token_embedding_table", names::kTokenEmbedding.data(), false, {c.vocabSize, dim}},
      {"rms_att_weight", "attn_norm.weight", true, {dim}},
      {"wq", "attn_q.weight", true, {dim, dim}},
      {"wk", "attn_k.weight", true, {kv, dim}},
      {"wv", "attn_v.weight", true, {kv, dim}},
      {"wo", "attn_output.weight", true, {dim, dim}},
      {"rms_ffn_weight", "ffn_norm.weight", true, {dim}},
      {"w1", "ffn_gate.weight", true, {hidden, dim}},
      {"w2", "ffn_down.weight", true, {dim, hidden}},
      {"w3", "ffn_up.weight", true, {hidden, dim}},
      {"rms_final_weight", names::kOutputNorm.data(), false, {dim}},
      // The legacy export still stores RoPE cos/sin tables; run.c skips them.
      {"freq_cis", nullptr, false, {2, c.maxSeqLen, c.headDim / 2}},
  };
  if (!sharedClassifier)
    arrays.push_back({"wcls", names::kOutput.data(), false, {c.vocabSize, dim}});

  Model model;
  model.config = c;
  model.format = ModelFormat::Llama2c;
  model.path = path;

  uint64_t offset = 28;
  for (const Array &a : arrays) {
    auto sliceFloats = checkedProduct(a.shape);
    auto sliceBytes = sliceFloats ? checkedMul(*sliceFloats, 4) : std::nullopt;
    auto totalBytes = sliceBytes ? checkedMul(*sliceBytes, a.perLayer ? L : 1) : std::nullopt;
    if (!totalBytes)
      return Error(path + ": bad llama2.c header: the size of " + std::string(a.source) +
                   " overflows");
    if (!rangeInside(offset, *totalBytes, file->size()))
      return Error(path + ": truncated: " + a.source + " needs bytes " + std::to_string(offset) +
                   ".." + std::to_string(offset + *totalBytes) + " but the file has " +
                   std::to_string(file->size()) + " bytes");
    if (a.role) {
      for (uint64_t l = 0; l < (a.perLayer ? L : 1); ++l) {
        Tensor t;
        t.name = a.perLayer ? blockTensorName(l, a.role) : std::string(a.role);
        t.sourceName = a.perLayer ? std::string(a.source) + "[" + std::to_string(l) + "]"
                                  : std::string(a.source);
        t.type = TensorType::F32;
        t.shape = a.shape;
        t.fileOffset = offset + l * *sliceBytes;
        t.data = file->data() + t.fileOffset;
        t.byteSize = *sliceBytes;
        if (Status s = model.addTensor(std::move(t)); !s)
          return s.error();
      }
    }
    offset += *totalBytes;
  }
  if (offset != file->size())
    return Error(path + ": the llama2.c header describes " + std::to_string(offset) +
                 " bytes but the file has " + std::to_string(file->size()) +
                 (sharedClassifier ? " (a positive vocab_size means no classifier follows)"
                                   : ""));
  if (Status s = checkTensorsAgainstConfig(c, model.tensors(), path); !s)
    return s.error();
  model.retain(std::move(file));
  return model;
}

Expected<Tokenizer> loadLlama2cTokenizer(const std::string &path, uint32_t vocabSize) {
  auto mapped = MappedFile::open(path);
  if (!mapped)
    return mapped.error();
  const MappedFile &file = **mapped;
  ByteReader r(file.data(), file.size(), path);
  auto maxLen = r.read<int32_t>("max_token_length");
  if (!maxLen)
    return maxLen.error();
  if (*maxLen <= 0)
    return Error(path + ": bad tokenizer header: max_token_length is " + std::to_string(*maxLen));

  std::vector<std::string> pieces;
  std::vector<float> scores;
  pieces.reserve(vocabSize);
  scores.reserve(vocabSize);
  for (uint32_t id = 0; id < vocabSize; ++id) {
    std::string tok = "token " + std::to_string(id);
    auto score = r.read<float>("score of " + tok);
    if (!score)
      return score.error();
    uint64_t lenOffset = r.offset();
    auto len = r.read<int32_t>("length of " + tok);
    if (!len)
      return len.error();
    if (*len < 0)
      return r.errorAt(lenOffset, "negative string length " + std::to_string(*len) + " for " + tok);
    if (static_cast<uint64_t>(*len) > r.remaining())
      return r.errorAt(lenOffset, "string length " + std::to_string(*len) + " of " + tok +
                                      " runs past the end of the file (" +
                                      std::to_string(r.remaining()) + " bytes remain)");
    auto bytes = r.readBytes(static_cast<uint64_t>(*len), "bytes of " + tok);
    if (!bytes)
      return bytes.error();
    pieces.emplace_back(*bytes);
    scores.push_back(*score);
  }
  Tokenizer::Options opts; // llama2.c: <unk> 0, BOS 1, EOS 2, BOS added
  return Tokenizer::create(std::move(pieces), std::move(scores), {}, opts, path);
}

} // namespace strata::models
