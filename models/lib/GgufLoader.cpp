#include "strata/models/GgufLoader.h"

#include "strata/models/TensorNames.h"

#include <cmath>

namespace strata::models {

namespace {

std::string replaceAll(std::string s, std::string_view from, std::string_view to) {
  size_t pos = 0;
  while ((pos = s.find(from, pos)) != std::string::npos) {
    s.replace(pos, from.size(), to);
    pos += to.size();
  }
  return s;
}

Expected<uint32_t> getU32(const GgufFile &f, const std::string &key,
                          std::optional<uint32_t> fallback = std::nullopt) {
  auto v = f.getOptionalUInt(key);
  if (!v)
    return v.error();
  if (!*v) {
    if (fallback)
      return *fallback;
    return Error(f.path() + ": missing metadata key '" + key + "'");
  }
  if (**v > UINT32_MAX)
    return Error(f.path() + ": metadata '" + key + "' = " + std::to_string(**v) +
                 " is too large");
  return static_cast<uint32_t>(**v);
}

} // namespace

Expected<ModelConfig> ggufModelConfig(const GgufFile &f) {
  auto arch = f.getString("general.architecture");
  if (!arch)
    return arch.error();
  auto family = parseFamily(*arch);
  if (!family)
    return Error(f.path() + ": unsupported architecture '" + *arch +
                 "' (general.architecture; supported: llama, qwen2, gpt2)");
  ModelConfig c = ModelConfig::forFamily(*family);
  const std::string p = *arch + ".";
  if (const GgufValue *n = f.find("general.name"); n && n->type == GgufType::String)
    c.name = n->s;

  auto read = [&](uint32_t &dst, const char *key,
                  std::optional<uint32_t> fallback = std::nullopt) -> Status {
    auto v = getU32(f, p + key, fallback);
    if (!v)
      return v.error();
    dst = *v;
    return Status::ok();
  };
  for (auto [dst, key] : {std::pair{&c.dim, "embedding_length"},
                          std::pair{&c.nLayers, "block_count"},
                          std::pair{&c.hiddenDim, "feed_forward_length"},
                          std::pair{&c.nHeads, "attention.head_count"},
                          std::pair{&c.maxSeqLen, "context_length"}})
    if (Status s = read(*dst, key); !s)
      return s.error();
  if (c.nHeads == 0)
    return Error(f.path() + ": metadata '" + p + "attention.head_count' is 0");
  if (Status s = read(c.nKvHeads, "attention.head_count_kv", c.nHeads); !s)
    return s.error();
  if (Status s = read(c.headDim, "attention.key_length", c.dim / c.nHeads); !s)
    return s.error();

  const char *epsKey = c.norm == NormKind::LayerNorm ? "attention.layer_norm_epsilon"
                                                     : "attention.layer_norm_rms_epsilon";
  auto eps = f.getDouble(p + epsKey);
  if (!eps)
    return eps.error();
  c.normEps = static_cast<float>(*eps);

  if (c.ropeStyle != RopeStyle::None) {
    auto theta = f.getOptionalDouble(p + "rope.freq_base");
    if (!theta)
      return theta.error();
    c.ropeTheta = *theta ? static_cast<float>(**theta) : 10000.0f;
    auto ropeDims = f.getOptionalUInt(p + "rope.dimension_count");
    if (!ropeDims)
      return ropeDims.error();
    if (*ropeDims && **ropeDims != c.headDim)
      return Error(f.path() + ": " + p + "rope.dimension_count = " + std::to_string(**ropeDims) +
                   " but the head size is " + std::to_string(c.headDim) +
                   ": partial rotary embeddings are not supported");
    if (const GgufValue *s = f.find(p + "rope.scaling.type");
        s && s->type == GgufType::String && s->s != "none")
      return Error(f.path() + ": RoPE scaling '" + s->s + "' (" + p +
                   "rope.scaling.type) is not supported");
  }

  // The vocabulary size: explicit key, else the token list, else the embedding.
  if (auto v = f.getOptionalUInt(p + "vocab_size"); v && *v) {
    c.vocabSize = static_cast<uint32_t>(**v);
  } else if (const GgufValue *tokens = f.find("tokenizer.ggml.tokens");
             tokens && tokens->type == GgufType::Array) {
    c.vocabSize = static_cast<uint32_t>(tokens->array.size());
  } else if (const GgufTensorInfo *emb = f.findTensor(names::kTokenEmbedding);
             emb && emb->ne.size() == 2) {
    c.vocabSize = static_cast<uint32_t>(emb->ne[1]);
  }

  c.tiedEmbeddings = f.findTensor(names::kOutput) == nullptr;
  for (auto [field, key] : {std::pair{&c.bosId, "tokenizer.ggml.bos_token_id"},
                            std::pair{&c.eosId, "tokenizer.ggml.eos_token_id"}}) {
    auto v = f.getOptionalUInt(key);
    if (!v)
      return v.error();
    if (*v && **v < c.vocabSize)
      *field = static_cast<int32_t>(**v);
  }
  if (Status s = c.validate(f.path()); !s)
    return s.error();
  return c;
}

Expected<Model> loadGgufModel(const std::string &path) {
  auto file = GgufFile::open(path);
  if (!file)
    return file.error();
  auto config = ggufModelConfig(*file);
  if (!config)
    return config.error();

  Model model;
  model.config = config.takeValue();
  model.format = ModelFormat::Gguf;
  model.path = path;
  for (const GgufTensorInfo &info : file->tensorInfos()) {
    auto t = file->tensorView(info);
    if (!t)
      return t.error();
    if (Status s = model.addTensor(t.takeValue()); !s)
      return s.error();
  }
  if (Status s = checkTensorsAgainstConfig(model.config, model.tensors(), path); !s)
    return s.error();

  if (const GgufValue *m = file->find("tokenizer.ggml.model");
      m && m->type == GgufType::String && m->s == "llama") {
    auto tok = loadGgufTokenizer(*file);
    if (!tok)
      return tok.error();
    model.tokenizer = tok.takeValue();
  }
  model.retain(file->mapping());
  return model;
}

Expected<Tokenizer> loadGgufTokenizer(const GgufFile &f) {
  auto kind = f.getString("tokenizer.ggml.model");
  if (!kind)
    return kind.error();
  if (*kind != "llama")
    return Error(f.path() + ": tokenizer model '" + *kind +
                 "' (tokenizer.ggml.model) is not supported; only SentencePiece ('llama') is");

  auto arrayOf = [&](const char *key, GgufType elem, bool required)
      -> Expected<const GgufValue *> {
    const GgufValue *v = f.find(key);
    if (!v) {
      if (required)
        return Error(f.path() + ": missing metadata key '" + key + "'");
      return static_cast<const GgufValue *>(nullptr);
    }
    if (v->type != GgufType::Array || v->elementType != elem)
      return Error(f.path() + ": metadata '" + key + "' has type " +
                   std::string(ggufTypeName(v->type)) +
                   (v->type == GgufType::Array
                        ? " of " + std::string(ggufTypeName(v->elementType))
                        : std::string()) +
                   ", expected array of " + std::string(ggufTypeName(elem)));
    return v;
  };
  auto tokens = arrayOf("tokenizer.ggml.tokens", GgufType::String, true);
  if (!tokens)
    return tokens.error();
  auto scores = arrayOf("tokenizer.ggml.scores", GgufType::Float32, false);
  if (!scores)
    return scores.error();
  auto types = arrayOf("tokenizer.ggml.token_type", GgufType::Int32, false);
  if (!types)
    return types.error();

  const size_t n = (*tokens)->array.size();
  std::vector<std::string> pieces;
  pieces.reserve(n);
  for (const GgufValue &v : (*tokens)->array)
    pieces.push_back(replaceAll(v.s, "\xE2\x96\x81", " ")); // U+2581 is SentencePiece's space
  std::vector<float> sc(n, 0.0f);
  if (*scores) {
    if ((*scores)->array.size() != n)
      return Error(f.path() + ": tokenizer.ggml.scores has " +
                   std::to_string((*scores)->array.size()) + " entries for " +
                   std::to_string(n) + " tokens");
    for (size_t i = 0; i < n; ++i)
      sc[i] = static_cast<float>((*scores)->array[i].f);
  }
  std::vector<TokenKind> kinds;
  if (*types) {
    if ((*types)->array.size() != n)
      return Error(f.path() + ": tokenizer.ggml.token_type has " +
                   std::to_string((*types)->array.size()) + " entries for " +
                   std::to_string(n) + " tokens");
    kinds.reserve(n);
    for (const GgufValue &v : (*types)->array)
      kinds.push_back(v.i >= 1 && v.i <= 6 ? static_cast<TokenKind>(v.i) : TokenKind::Normal);
  }

  Tokenizer::Options opts;
  struct IdKey { int32_t *field; const char *key; };
  for (IdKey k : {IdKey{&opts.bosId, "tokenizer.ggml.bos_token_id"},
                  IdKey{&opts.eosId, "tokenizer.ggml.eos_token_id"},
                  IdKey{&opts.unkId, "tokenizer.ggml.unknown_token_id"}}) {
    auto v = f.getOptionalUInt(k.key);
    if (!v)
      return v.error();
    if (*v) {
      if (**v >= n)
        return Error(f.path() + ": metadata '" + k.key + "' = " + std::to_string(**v) +
                     " is outside the vocabulary of " + std::to_string(n) + " tokens");
      *k.field = static_cast<int32_t>(**v);
    }
  }
  if (const GgufValue *b = f.find("tokenizer.ggml.add_bos_token")) {
    if (b->type != GgufType::Bool)
      return Error(f.path() + ": metadata 'tokenizer.ggml.add_bos_token' has type " +
                   std::string(ggufTypeName(b->type)) + ", expected bool");
    opts.addBos = b->b;
  }
  return Tokenizer::create(std::move(pieces), std::move(sc), std::move(kinds), opts, f.path());
}

} // namespace strata::models
