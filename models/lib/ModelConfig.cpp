#include "strata/models/ModelConfig.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace strata::models {

std::string_view familyName(Family f) {
  switch (f) {
  case Family::Llama: return "llama";
  case Family::Qwen2: return "qwen2";
  case Family::Gpt2: return "gpt2";
  }
  return "?";
}

std::optional<Family> parseFamily(std::string_view name) {
  if (name == "llama") return Family::Llama;
  if (name == "qwen2") return Family::Qwen2;
  if (name == "gpt2") return Family::Gpt2;
  return std::nullopt;
}

std::string_view ropeStyleName(RopeStyle s) {
  switch (s) {
  case RopeStyle::None: return "none";
  case RopeStyle::Interleaved: return "interleaved";
  case RopeStyle::HalfSplit: return "half-split";
  }
  return "?";
}

std::string_view activationName(Activation a) {
  switch (a) {
  case Activation::SiLU: return "silu";
  case Activation::GeluTanh: return "gelu-tanh";
  case Activation::GeluErf: return "gelu-erf";
  }
  return "?";
}

std::string_view normKindName(NormKind n) {
  return n == NormKind::RmsNorm ? "rmsnorm" : "layernorm";
}

ModelConfig ModelConfig::forFamily(Family family) {
  ModelConfig c;
  c.family = family;
  switch (family) {
  case Family::Llama:
    break;
  case Family::Qwen2:
    c.qkvBias = true;
    c.ropeStyle = RopeStyle::HalfSplit;
    c.normEps = 1e-6f;
    c.ropeTheta = 1e6f;
    break;
  case Family::Gpt2:
    c.norm = NormKind::LayerNorm;
    c.ropeStyle = RopeStyle::None;
    c.activation = Activation::GeluTanh;
    c.gatedFfn = false;
    c.qkvBias = true;
    c.linearBias = true;
    c.fusedQkv = true;
    c.learnedPositions = true;
    c.tiedEmbeddings = true;
    break;
  }
  return c;
}

Status ModelConfig::validate(const std::string &source) const {
  auto fail = [&](const std::string &what) {
    return Status(Error(source + ": invalid model configuration: " + what));
  };
  struct Field { const char *name; uint32_t value; };
  for (Field f : {Field{"dim", dim}, Field{"n_layers", nLayers}, Field{"n_heads", nHeads},
                  Field{"n_kv_heads", nKvHeads}, Field{"head_dim", headDim},
                  Field{"hidden_dim", hiddenDim}, Field{"vocab_size", vocabSize},
                  Field{"max_seq_len", maxSeqLen}})
    if (f.value == 0)
      return fail(std::string(f.name) + " is 0");
  if (nHeads % nKvHeads != 0)
    return fail("n_heads (" + std::to_string(nHeads) + ") is not a multiple of n_kv_heads (" +
                std::to_string(nKvHeads) + ")");
  if (ropeStyle != RopeStyle::None && headDim % 2 != 0)
    return fail("head_dim " + std::to_string(headDim) + " is odd, RoPE needs pairs");
  if (fusedQkv && nKvHeads != nHeads)
    return fail("a fused QKV projection needs n_kv_heads == n_heads");
  if (!(normEps > 0.0f) || !std::isfinite(normEps))
    return fail("norm epsilon must be positive");
  if (ropeStyle != RopeStyle::None && (!(ropeTheta > 0.0f) || !std::isfinite(ropeTheta)))
    return fail("rope theta must be positive");
  if (ropeStyle == RopeStyle::None && !learnedPositions)
    return fail("the model has neither RoPE nor learned positions");
  // Products used for buffer sizes must stay far from overflow.
  uint64_t widest = std::max<uint64_t>({dim, hiddenDim, qDim(), kvDim(), vocabSize});
  if (uint64_t(nHeads) * headDim > (1ull << 31) || widest > (1ull << 31))
    return fail("dimensions are implausibly large");
  return Status::ok();
}

uint64_t ModelConfig::parameterCount() const {
  uint64_t d = dim, h = hiddenDim;
  uint64_t perLayer = 0;
  perLayer += d * qDim() + 2 * d * kvDim() + uint64_t(qDim()) * d; // q, k, v, o
  perLayer += (gatedFfn ? 3 : 2) * d * h;
  perLayer += (norm == NormKind::LayerNorm ? 4 : 2) * d;
  if (qkvBias)
    perLayer += qDim() + 2ull * kvDim();
  if (linearBias)
    perLayer += d + h + d;
  uint64_t total = perLayer * nLayers;
  total += uint64_t(vocabSize) * d;           // token embedding
  if (!tiedEmbeddings)
    total += uint64_t(vocabSize) * d;         // classifier
  if (learnedPositions)
    total += uint64_t(maxSeqLen) * d;
  total += (norm == NormKind::LayerNorm ? 2 : 1) * d; // final norm
  return total;
}

std::string ModelConfig::summary() const {
  std::ostringstream s;
  s << (name.empty() ? std::string("model") : name) << " (" << familyName(family)
    << "): dim " << dim << ", layers " << nLayers << ", heads " << nHeads << "/"
    << nKvHeads << " kv, head_dim " << headDim << ", hidden " << hiddenDim << ", vocab "
    << vocabSize << ", max_seq " << maxSeqLen << ", " << normKindName(norm) << " eps "
    << normEps;
  if (ropeStyle != RopeStyle::None)
    s << ", rope " << ropeStyleName(ropeStyle) << " theta " << ropeTheta;
  if (learnedPositions)
    s << ", learned positions";
  s << ", " << activationName(activation) << (gatedFfn ? " gated" : "")
    << (tiedEmbeddings ? ", tied classifier" : ", untied classifier")
    << (qkvBias ? ", qkv bias" : "");
  return s.str();
}

} // namespace strata::models
