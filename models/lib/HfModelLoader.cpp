#include "strata/models/HfModelLoader.h"

#include "strata/models/SafetensorsFile.h"
#include "strata/models/TensorNames.h"

#include <nlohmann/json.hpp>
#include <set>
#include <sys/stat.h>

namespace strata::models {

namespace {

using nlohmann::json;

bool isDirectory(const std::string &p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}
bool isFile(const std::string &p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

struct HfConfigInfo {
  ModelConfig config;
  std::optional<std::string> dtype; ///< safetensors dtype named by config.json
};

/// Reads typed fields of config.json with messages that name the file and key.
class ConfigReader {
public:
  ConfigReader(const json &j, const std::string &source) : j_(j), source_(source) {}

  bool has(const char *key) const {
    auto it = j_.find(key);
    return it != j_.end() && !it->is_null();
  }
  Error error(const char *key, const std::string &what) const {
    return Error(source_ + ": '" + key + "' " + what);
  }
  Expected<uint32_t> u32(const char *key, std::optional<uint32_t> fallback = std::nullopt) const {
    if (!has(key)) {
      if (fallback)
        return *fallback;
      return Error(source_ + ": missing '" + key + "'");
    }
    const json &v = j_.at(key);
    if (!v.is_number_integer() || v.get<int64_t>() <= 0 || v.get<int64_t>() > UINT32_MAX)
      return error(key, "must be a positive integer (got " + v.dump() + ")");
    return static_cast<uint32_t>(v.get<int64_t>());
  }
  Expected<double> number(const json &obj, const char *key, std::optional<double> fallback) const {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) {
      if (fallback)
        return *fallback;
      return Error(source_ + ": missing '" + key + "'");
    }
    if (!it->is_number())
      return error(key, "must be a number (got " + it->dump() + ")");
    return it->get<double>();
  }
  Expected<double> number(const char *key, std::optional<double> fallback) const {
    return number(j_, key, fallback);
  }
  Expected<bool> boolean(const char *key, bool fallback) const {
    if (!has(key))
      return fallback;
    const json &v = j_.at(key);
    if (!v.is_boolean())
      return error(key, "must be true or false (got " + v.dump() + ")");
    return v.get<bool>();
  }
  std::optional<std::string> string(const char *key) const {
    if (has(key) && j_.at(key).is_string())
      return j_.at(key).get<std::string>();
    return std::nullopt;
  }
  /// A token id that may be an integer, a list (first element) or null.
  int32_t tokenId(const char *key) const {
    if (!has(key))
      return -1;
    const json &v = j_.at(key);
    const json *x = v.is_array() && !v.empty() ? &v[0] : &v;
    if (x->is_number_integer() && x->get<int64_t>() >= 0 && x->get<int64_t>() <= INT32_MAX)
      return static_cast<int32_t>(x->get<int64_t>());
    return -1;
  }

private:
  const json &j_;
  const std::string &source_;
};

Expected<float> ropeThetaOf(const ConfigReader &r, const json &j, const std::string &source) {
  auto theta = r.number("rope_theta", 10000.0);
  if (!theta)
    return theta.error();
  for (const char *key : {"rope_scaling", "rope_parameters"}) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null())
      continue;
    if (!it->is_object())
      return Error(source + ": '" + key + "' must be an object (got " + it->dump() + ")");
    std::string type = "default";
    for (const char *typeKey : {"rope_type", "type"}) {
      auto t = it->find(typeKey);
      if (t != it->end() && t->is_string())
        type = t->get<std::string>();
    }
    if (type != "default")
      return Error(source + ": RoPE type '" + type + "' (" + key +
                   ") is not supported; only the default rotary embedding is");
    auto th = r.number(*it, "rope_theta", *theta);
    if (!th)
      return th.error();
    theta = *th;
  }
  return static_cast<float>(*theta);
}

Expected<HfConfigInfo> parseConfig(std::string_view text, const std::string &source) {
  json j;
  try {
    j = json::parse(text.begin(), text.end());
  } catch (const json::exception &e) {
    return Error(source + ": bad JSON: " + e.what());
  }
  if (!j.is_object())
    return Error(source + ": bad JSON: the top level is not an object");
  ConfigReader r(j, source);
  auto modelType = r.string("model_type");
  if (!modelType)
    return Error(source + ": missing 'model_type'");
  auto family = parseFamily(*modelType);
  if (!family)
    return Error(source + ": unsupported model_type '" + *modelType +
                 "' (supported: llama, qwen2, gpt2)");

  HfConfigInfo info;
  ModelConfig &c = info.config;
  c = ModelConfig::forFamily(*family);
  c.name = *modelType;
  if (auto archs = j.find("architectures");
      archs != j.end() && archs->is_array() && !archs->empty() && (*archs)[0].is_string())
    c.name = (*archs)[0].get<std::string>();

#define STRATA_TRY(lhs, expr)                                                           \
  do {                                                                                  \
    auto v_ = (expr);                                                                   \
    if (!v_)                                                                            \
      return v_.error();                                                                \
    lhs = *v_;                                                                          \
  } while (0)

  if (*family == Family::Gpt2) {
    STRATA_TRY(c.dim, r.u32("n_embd"));
    STRATA_TRY(c.nLayers, r.u32("n_layer"));
    STRATA_TRY(c.nHeads, r.u32("n_head"));
    c.nKvHeads = c.nHeads;
    if (c.dim % c.nHeads != 0)
      return Error(source + ": 'n_embd' " + std::to_string(c.dim) +
                   " is not a multiple of 'n_head' " + std::to_string(c.nHeads));
    c.headDim = c.dim / c.nHeads;
    STRATA_TRY(c.hiddenDim, r.u32("n_inner", 4 * c.dim));
    STRATA_TRY(c.vocabSize, r.u32("vocab_size"));
    // Early GPT-2 configs call the context "n_ctx".
    STRATA_TRY(c.maxSeqLen, r.u32(r.has("n_positions") || !r.has("n_ctx") ? "n_positions"
                                                                          : "n_ctx"));
    double eps;
    STRATA_TRY(eps, r.number("layer_norm_epsilon", 1e-5));
    c.normEps = static_cast<float>(eps);
    std::string act = r.string("activation_function").value_or("gelu_new");
    if (act == "gelu_new" || act == "gelu_pytorch_tanh" || act == "gelu_fast")
      c.activation = Activation::GeluTanh;
    else if (act == "gelu")
      c.activation = Activation::GeluErf;
    else
      return Error(source + ": unsupported activation_function '" + act + "'");
    STRATA_TRY(c.tiedEmbeddings, r.boolean("tie_word_embeddings", true));
    bool inverseLayerScale = false, scaleWeights = true;
    STRATA_TRY(inverseLayerScale, r.boolean("scale_attn_by_inverse_layer_idx", false));
    STRATA_TRY(scaleWeights, r.boolean("scale_attn_weights", true));
    if (inverseLayerScale || !scaleWeights)
      return Error(source + ": non-standard GPT-2 attention scaling is not supported");
  } else {
    STRATA_TRY(c.dim, r.u32("hidden_size"));
    STRATA_TRY(c.nLayers, r.u32("num_hidden_layers"));
    STRATA_TRY(c.nHeads, r.u32("num_attention_heads"));
    STRATA_TRY(c.nKvHeads, r.u32("num_key_value_heads", c.nHeads));
    if (!r.has("head_dim") && c.dim % c.nHeads != 0)
      return Error(source + ": 'hidden_size' " + std::to_string(c.dim) +
                   " is not a multiple of 'num_attention_heads' " + std::to_string(c.nHeads));
    STRATA_TRY(c.headDim, r.u32("head_dim", c.dim / c.nHeads));
    STRATA_TRY(c.hiddenDim, r.u32("intermediate_size"));
    STRATA_TRY(c.vocabSize, r.u32("vocab_size"));
    STRATA_TRY(c.maxSeqLen, r.u32("max_position_embeddings"));
    double eps;
    STRATA_TRY(eps, r.number("rms_norm_eps", 1e-6));
    c.normEps = static_cast<float>(eps);
    STRATA_TRY(c.ropeTheta, ropeThetaOf(r, j, source));
    c.ropeStyle = RopeStyle::HalfSplit; // HF LLaMA/Qwen2 use rotate_half
    std::string act = r.string("hidden_act").value_or("silu");
    if (act != "silu")
      return Error(source + ": unsupported hidden_act '" + act + "' (only silu)");
    STRATA_TRY(c.tiedEmbeddings, r.boolean("tie_word_embeddings", false));
    bool attentionBias = false, mlpBias = false, slidingWindow = false;
    STRATA_TRY(attentionBias, r.boolean("attention_bias", false));
    STRATA_TRY(mlpBias, r.boolean("mlp_bias", false));
    STRATA_TRY(slidingWindow, r.boolean("use_sliding_window", false));
    if (attentionBias && *family == Family::Llama)
      return Error(source + ": 'attention_bias' true (biases on q/k/v/o) is not supported");
    if (mlpBias)
      return Error(source + ": 'mlp_bias' true is not supported");
    if (slidingWindow)
      return Error(source + ": sliding-window attention is not supported");
  }
#undef STRATA_TRY
  c.bosId = r.tokenId("bos_token_id");
  c.eosId = r.tokenId("eos_token_id");
  if (c.bosId >= static_cast<int64_t>(c.vocabSize))
    c.bosId = -1; // GPT-2 configs name 50256 for any vocabulary
  if (c.eosId >= static_cast<int64_t>(c.vocabSize))
    c.eosId = -1;

  std::optional<std::string> dtype = r.string("torch_dtype");
  if (auto d = r.string("dtype"))
    dtype = d;
  if (dtype) {
    if (*dtype == "float32") info.dtype = "F32";
    else if (*dtype == "float16") info.dtype = "F16";
    else if (*dtype == "bfloat16") info.dtype = "BF16";
    else
      return Error(source + ": unsupported dtype '" + *dtype +
                   "' (float32, float16 and bfloat16 are supported)");
  }
  if (Status s = c.validate(source); !s)
    return s.error();
  return info;
}

std::optional<uint32_t> parseLayer(std::string_view s) {
  if (s.empty() || s.size() > 6)
    return std::nullopt;
  uint32_t v = 0;
  for (char ch : s) {
    if (ch < '0' || ch > '9')
      return std::nullopt;
    v = v * 10 + (ch - '0');
  }
  return v;
}

bool isConv1DWeight(std::string_view role) {
  return role == "attn_qkv.weight" || role == "attn_output.weight" ||
         role == "ffn_up.weight" || role == "ffn_down.weight";
}

} // namespace

Expected<ModelConfig> parseHfConfig(std::string_view jsonText, const std::string &source) {
  auto info = parseConfig(jsonText, source);
  if (!info)
    return info.error();
  return info->config;
}

Expected<std::optional<std::string>> canonicalHfTensorName(Family family,
                                                           std::string_view hf) {
  using Result = std::optional<std::string>;
  const std::string original(hf);
  auto unknown = [&]() {
    return Error("unexpected tensor '" + original + "' for a " +
                 std::string(familyName(family)) + " model");
  };
  static const std::pair<std::string_view, std::string_view> kLlamaGlobal[] = {
      {"model.embed_tokens.weight", "token_embd.weight"},
      {"model.norm.weight", "output_norm.weight"},
      {"lm_head.weight", "output.weight"},
  };
  static const std::pair<std::string_view, std::string_view> kLlamaLayer[] = {
      {"input_layernorm.weight", "attn_norm.weight"},
      {"self_attn.q_proj.weight", "attn_q.weight"},
      {"self_attn.q_proj.bias", "attn_q.bias"},
      {"self_attn.k_proj.weight", "attn_k.weight"},
      {"self_attn.k_proj.bias", "attn_k.bias"},
      {"self_attn.v_proj.weight", "attn_v.weight"},
      {"self_attn.v_proj.bias", "attn_v.bias"},
      {"self_attn.o_proj.weight", "attn_output.weight"},
      {"post_attention_layernorm.weight", "ffn_norm.weight"},
      {"mlp.gate_proj.weight", "ffn_gate.weight"},
      {"mlp.up_proj.weight", "ffn_up.weight"},
      {"mlp.down_proj.weight", "ffn_down.weight"},
  };
  static const std::pair<std::string_view, std::string_view> kGpt2Global[] = {
      {"wte.weight", "token_embd.weight"},
      {"wpe.weight", "position_embd.weight"},
      {"ln_f.weight", "output_norm.weight"},
      {"ln_f.bias", "output_norm.bias"},
      {"lm_head.weight", "output.weight"},
  };
  static const std::pair<std::string_view, std::string_view> kGpt2Layer[] = {
      {"ln_1.weight", "attn_norm.weight"},     {"ln_1.bias", "attn_norm.bias"},
      {"attn.c_attn.weight", "attn_qkv.weight"}, {"attn.c_attn.bias", "attn_qkv.bias"},
      {"attn.c_proj.weight", "attn_output.weight"}, {"attn.c_proj.bias", "attn_output.bias"},
      {"ln_2.weight", "ffn_norm.weight"},      {"ln_2.bias", "ffn_norm.bias"},
      {"mlp.c_fc.weight", "ffn_up.weight"},    {"mlp.c_fc.bias", "ffn_up.bias"},
      {"mlp.c_proj.weight", "ffn_down.weight"}, {"mlp.c_proj.bias", "ffn_down.bias"},
  };

  bool gpt2 = family == Family::Gpt2;
  if (gpt2 && hf.substr(0, 12) == "transformer.")
    hf.remove_prefix(12);
  const auto *gBegin = gpt2 ? std::begin(kGpt2Global) : std::begin(kLlamaGlobal);
  const auto *gEnd = gpt2 ? std::end(kGpt2Global) : std::end(kLlamaGlobal);
  for (const auto *p = gBegin; p != gEnd; ++p)
    if (hf == p->first)
      return Result(std::string(p->second));

  std::string_view layerPrefix = gpt2 ? "h." : "model.layers.";
  if (hf.substr(0, layerPrefix.size()) != layerPrefix)
    return unknown();
  hf.remove_prefix(layerPrefix.size());
  size_t dot = hf.find('.');
  if (dot == std::string_view::npos)
    return unknown();
  auto layer = parseLayer(hf.substr(0, dot));
  if (!layer)
    return unknown();
  std::string_view role = hf.substr(dot + 1);
  if (gpt2 && (role == "attn.bias" || role == "attn.masked_bias"))
    return Result(); // causal-mask buffers, not weights
  if (!gpt2 && role == "self_attn.rotary_emb.inv_freq")
    return Result();
  const auto *lBegin = gpt2 ? std::begin(kGpt2Layer) : std::begin(kLlamaLayer);
  const auto *lEnd = gpt2 ? std::end(kGpt2Layer) : std::end(kLlamaLayer);
  for (const auto *p = lBegin; p != lEnd; ++p)
    if (role == p->first)
      return Result(blockTensorName(*layer, p->second));
  return unknown();
}

Expected<Model> loadHfModel(const std::string &path) {
  std::string dir;
  std::vector<std::string> shards;
  if (isDirectory(path)) {
    dir = path;
  } else if (isFile(path)) {
    size_t slash = path.find_last_of('/');
    dir = slash == std::string::npos ? "." : path.substr(0, slash);
    shards.push_back(path);
  } else {
    return Error(path + ": no such file or directory");
  }
  while (dir.size() > 1 && dir.back() == '/')
    dir.pop_back();

  const std::string configPath = dir + "/config.json";
  if (!isFile(configPath))
    return Error(path + ": no config.json beside the safetensors weights (looked for " +
                 configPath + ")");
  auto text = readTextFile(configPath);
  if (!text)
    return text.error();
  auto info = parseConfig(*text, configPath);
  if (!info)
    return info.error();
  const ModelConfig &c = info->config;

  if (shards.empty()) {
    const std::string single = dir + "/model.safetensors";
    const std::string index = dir + "/model.safetensors.index.json";
    if (isFile(single)) {
      shards.push_back(single);
    } else if (isFile(index)) {
      auto idx = readTextFile(index);
      if (!idx)
        return idx.error();
      json j;
      try {
        j = json::parse(*idx);
      } catch (const json::exception &e) {
        return Error(index + ": bad JSON: " + e.what());
      }
      auto wm = j.find("weight_map");
      if (!j.is_object() || wm == j.end() || !wm->is_object())
        return Error(index + ": missing object 'weight_map'");
      std::set<std::string> files;
      for (auto it = wm->begin(); it != wm->end(); ++it) {
        if (!it->is_string() || it->get<std::string>().find('/') != std::string::npos)
          return Error(index + ": weight_map entry '" + it.key() +
                       "' must name a shard file in the same directory");
        files.insert(it->get<std::string>());
      }
      for (const std::string &f : files)
        shards.push_back(dir + "/" + f);
    } else {
      return Error(dir + ": no model.safetensors or model.safetensors.index.json");
    }
  }

  Model model;
  model.config = c;
  model.format = ModelFormat::Safetensors;
  model.path = path;
  for (const std::string &shard : shards) {
    auto st = SafetensorsFile::open(shard);
    if (!st)
      return st.error();
    for (const SafetensorsEntry &e : st->entries()) {
      auto canonical = canonicalHfTensorName(c.family, e.name);
      if (!canonical)
        return canonical.error().withContext(shard);
      if (!*canonical)
        continue;
      if (**canonical == names::kOutput && c.tiedEmbeddings)
        continue; // tied: transformers ignores a stored lm_head
      auto type = tensorTypeFromSafetensors(e.dtype);
      if (!type)
        return Error(shard + ": tensor '" + e.name + "' has unsupported tensor type " +
                     e.dtype + " (supported: F32, F16, BF16)");
      if (info->dtype && e.dtype != *info->dtype)
        return Error(shard + ": tensor '" + e.name + "' has dtype " + e.dtype +
                     " but config.json declares " + *info->dtype);
      Tensor t;
      t.name = std::move(**canonical);
      t.sourceName = e.name;
      t.type = *type;
      t.shape = e.shape;
      t.data = e.data;
      t.fileOffset = e.fileOffset;
      t.byteSize = e.byteSize;
      if (c.family == Family::Gpt2 && e.shape.size() == 2) {
        std::string_view n = t.name;
        size_t dot = n.find('.', 4); // after "blk."
        if (n.substr(0, 4) == "blk." && dot != std::string_view::npos &&
            isConv1DWeight(n.substr(dot + 1))) {
          t.layout = TensorLayout::Transposed; // Conv1D stores [in, out]
          t.shape = {e.shape[1], e.shape[0]};
        }
      }
      if (Status s = model.addTensor(std::move(t)); !s)
        return s.error();
    }
    model.retain(st->mapping());
  }
  if (Status s = checkTensorsAgainstConfig(c, model.tensors(), path); !s)
    return s.error();
  return model;
}

} // namespace strata::models
