#include "DecoderReference.h"
#include "strata/models/TensorNames.h"

namespace strata::models::reference {

namespace {

struct Gpt2Layer {
  Matrix ln1g, ln1b, wqkv, bqkv, wo, bo, ln2g, ln2b, wUp, bUp, wDown, bDown;
};

class Gpt2Reference final : public ReferenceModel {
public:
  Gpt2Reference(const Model &model, uint32_t maxContext)
      : ReferenceModel(model.config, maxContext), weights_(model) {}

  Status init() {
    const ModelConfig &c = config_;
    WeightBinder bind(weights_);
    bind(tokenEmbedding_, std::string(names::kTokenEmbedding));
    bind(positionEmbedding_, std::string(names::kPositionEmbedding));
    bind(finalNormG_, std::string(names::kOutputNorm));
    bind(finalNormB_, std::string(names::kOutputNormBias));
    bind.classifier(classifier_);
    layers_.resize(c.nLayers);
    for (uint32_t l = 0; l < c.nLayers; ++l) {
      Gpt2Layer &L = layers_[l];
      auto name = [&](const char *role) { return blockTensorName(l, role); };
      bind(L.ln1g, name("attn_norm.weight"));
      bind(L.ln1b, name("attn_norm.bias"));
      bind(L.wqkv, name("attn_qkv.weight"));
      bind(L.bqkv, name("attn_qkv.bias"));
      bind(L.wo, name("attn_output.weight"));
      bind(L.bo, name("attn_output.bias"));
      bind(L.ln2g, name("ffn_norm.weight"));
      bind(L.ln2b, name("ffn_norm.bias"));
      bind(L.wUp, name("ffn_up.weight"));
      bind(L.bUp, name("ffn_up.bias"));
      bind(L.wDown, name("ffn_down.weight"));
      bind(L.bDown, name("ffn_down.bias"));
    }
    if (!bind.status())
      return bind.status();
    const uint64_t kvPerLayer = static_cast<uint64_t>(maxContext_) * c.dim;
    keyCache_.assign(kvPerLayer * c.nLayers, 0.0f);
    valueCache_.assign(kvPerLayer * c.nLayers, 0.0f);
    x_.resize(c.dim);
    xb_.resize(c.dim);
    qkv_.resize(3ull * c.dim);
    attnOut_.resize(c.dim);
    h_.resize(c.hiddenDim);
    scores_.resize(maxContext_);
    return Status::ok();
  }

private:
  void forwardImpl(int32_t token, uint32_t pos) override {
    const ModelConfig &c = config_;
    const uint64_t dim = c.dim;
    const float *te = tokenEmbedding_.data + static_cast<uint64_t>(token) * dim;
    const float *pe = positionEmbedding_.data + static_cast<uint64_t>(pos) * dim;
    for (uint64_t i = 0; i < dim; ++i)
      x_[i] = te[i] + pe[i];

    for (uint32_t l = 0; l < c.nLayers; ++l) {
      const Gpt2Layer &L = layers_[l];
      float *kLayer = keyCache_.data() + static_cast<uint64_t>(l) * maxContext_ * dim;
      float *vLayer = valueCache_.data() + static_cast<uint64_t>(l) * maxContext_ * dim;

      layerNorm(xb_.data(), x_.data(), L.ln1g.data, L.ln1b.data, dim, c.normEps);
      matvec(qkv_.data(), L.wqkv, xb_.data(), L.bqkv.data);
      // c_attn's output is [q | k | v], each dim wide.
      for (uint64_t i = 0; i < dim; ++i) {
        kLayer[pos * dim + i] = qkv_[dim + i];
        vLayer[pos * dim + i] = qkv_[2 * dim + i];
      }
      attention(attnOut_.data(), qkv_.data(), kLayer, vLayer, pos + 1, c.nHeads, c.nKvHeads,
                c.headDim, scores_.data());
      matvec(xb_.data(), L.wo, attnOut_.data(), L.bo.data);
      for (uint64_t i = 0; i < dim; ++i)
        x_[i] += xb_[i];

      layerNorm(xb_.data(), x_.data(), L.ln2g.data, L.ln2b.data, dim, c.normEps);
      matvec(h_.data(), L.wUp, xb_.data(), L.bUp.data);
      for (uint64_t i = 0; i < c.hiddenDim; ++i)
        h_[i] = gelu(h_[i], c.activation);
      matvec(xb_.data(), L.wDown, h_.data(), L.bDown.data);
      for (uint64_t i = 0; i < dim; ++i)
        x_[i] += xb_[i];
    }
    layerNorm(x_.data(), x_.data(), finalNormG_.data, finalNormB_.data, dim, c.normEps);
    matvec(logits_.data(), classifier_, x_.data());
  }

  FloatWeights weights_;
  Matrix tokenEmbedding_, positionEmbedding_, finalNormG_, finalNormB_, classifier_;
  std::vector<Gpt2Layer> layers_;
  std::vector<float> keyCache_, valueCache_; // [layer][pos][dim]
  std::vector<float> x_, xb_, qkv_, attnOut_, h_, scores_;
};

} // namespace

Expected<std::unique_ptr<ReferenceModel>> createGpt2Reference(const Model &model,
                                                              uint32_t maxContext) {
  return makeReference<Gpt2Reference>(model, maxContext);
}

} // namespace strata::models::reference
