#include "DecoderReference.h"
#include "strata/models/TensorNames.h"

#include <cstring>

namespace strata::models::reference {

namespace {

struct LlamaLayer {
  Matrix attnNorm, wq, wk, wv, bq, bk, bv, wo, ffnNorm, wGate, wUp, wDown;
};

class LlamaReference final : public ReferenceModel {
public:
  LlamaReference(const Model &model, uint32_t maxContext)
      : ReferenceModel(model.config, maxContext), weights_(model) {}

  Status init() {
    const ModelConfig &c = config_;
    WeightBinder bind(weights_);
    bind(embedding_, std::string(names::kTokenEmbedding));
    bind(finalNorm_, std::string(names::kOutputNorm));
    bind.classifier(classifier_);
    layers_.resize(c.nLayers);
    for (uint32_t l = 0; l < c.nLayers; ++l) {
      LlamaLayer &L = layers_[l];
      auto name = [&](const char *role) { return blockTensorName(l, role); };
      bind(L.attnNorm, name("attn_norm.weight"));
      bind(L.wq, name("attn_q.weight"));
      bind(L.wk, name("attn_k.weight"));
      bind(L.wv, name("attn_v.weight"));
      if (c.qkvBias) {
        bind(L.bq, name("attn_q.bias"));
        bind(L.bk, name("attn_k.bias"));
        bind(L.bv, name("attn_v.bias"));
      }
      bind(L.wo, name("attn_output.weight"));
      bind(L.ffnNorm, name("ffn_norm.weight"));
      bind(L.wGate, name("ffn_gate.weight"));
      bind(L.wUp, name("ffn_up.weight"));
      bind(L.wDown, name("ffn_down.weight"));
    }
    if (!bind.status())
      return bind.status();
    const uint64_t kvPerLayer = static_cast<uint64_t>(maxContext_) * c.kvDim();
    keyCache_.assign(kvPerLayer * c.nLayers, 0.0f);
    valueCache_.assign(kvPerLayer * c.nLayers, 0.0f);
    x_.resize(c.dim);
    xb_.resize(std::max(c.dim, c.qDim()));
    attnOut_.resize(c.qDim());
    q_.resize(c.qDim());
    hb_.resize(c.hiddenDim);
    hb2_.resize(c.hiddenDim);
    scores_.resize(maxContext_);
    return Status::ok();
  }

private:
  void forwardImpl(int32_t token, uint32_t pos) override {
    const ModelConfig &c = config_;
    const uint64_t dim = c.dim, kvDim = c.kvDim();
    std::memcpy(x_.data(), embedding_.data + static_cast<uint64_t>(token) * dim,
                dim * sizeof(float));

    for (uint32_t l = 0; l < c.nLayers; ++l) {
      const LlamaLayer &L = layers_[l];
      float *kRow = keyCache_.data() + (static_cast<uint64_t>(l) * maxContext_ + pos) * kvDim;
      float *vRow = valueCache_.data() + (static_cast<uint64_t>(l) * maxContext_ + pos) * kvDim;
      const float *kLayer = keyCache_.data() + static_cast<uint64_t>(l) * maxContext_ * kvDim;
      const float *vLayer = valueCache_.data() + static_cast<uint64_t>(l) * maxContext_ * kvDim;

      rmsNorm(xb_.data(), x_.data(), L.attnNorm.data, dim, c.normEps);
      matvec(q_.data(), L.wq, xb_.data(), L.bq.data);
      matvec(kRow, L.wk, xb_.data(), L.bk.data);
      matvec(vRow, L.wv, xb_.data(), L.bv.data);
      rope(q_.data(), c.nHeads, c.headDim, pos, c.ropeTheta, c.ropeStyle);
      rope(kRow, c.nKvHeads, c.headDim, pos, c.ropeTheta, c.ropeStyle);
      attention(attnOut_.data(), q_.data(), kLayer, vLayer, pos + 1, c.nHeads, c.nKvHeads,
                c.headDim, scores_.data());
      matvec(xb_.data(), L.wo, attnOut_.data());
      for (uint64_t i = 0; i < dim; ++i)
        x_[i] += xb_[i];

      rmsNorm(xb_.data(), x_.data(), L.ffnNorm.data, dim, c.normEps);
      matvec(hb_.data(), L.wGate, xb_.data());
      matvec(hb2_.data(), L.wUp, xb_.data());
      for (uint64_t i = 0; i < c.hiddenDim; ++i)
        hb_[i] = silu(hb_[i]) * hb2_[i];
      matvec(xb_.data(), L.wDown, hb_.data());
      for (uint64_t i = 0; i < dim; ++i)
        x_[i] += xb_[i];
    }
    rmsNorm(x_.data(), x_.data(), finalNorm_.data, dim, c.normEps);
    matvec(logits_.data(), classifier_, x_.data());
  }

  FloatWeights weights_;
  Matrix embedding_, finalNorm_, classifier_;
  std::vector<LlamaLayer> layers_;
  std::vector<float> keyCache_, valueCache_; // [layer][pos][kvDim]
  std::vector<float> x_, xb_, attnOut_, q_, hb_, hb2_, scores_;
};

} // namespace

Expected<std::unique_ptr<ReferenceModel>> createLlamaReference(const Model &model,
                                                               uint32_t maxContext) {
  return makeReference<LlamaReference>(model, maxContext);
}

} // namespace strata::models::reference
