//===- TinyLlama.h - A LLaMA-style model as graph text + FP32 reference -*- C++ -*-===//
//
// The graph the model builder emits for a LLaMA-family decoder (embedding,
// per layer: RMSNorm, Q/K/V, RoPE, GQA attention over the KV cache, output
// projection and residual, RMSNorm, SwiGLU FFN and residual; final norm and
// classifier on the last valid row), with seeded weights, and the same model
// computed directly in FP32 for comparison.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ExecReference.h"
#include "ExecTestSupport.h"
#include "GraphText.h"

#include <map>
#include <string>
#include <vector>

namespace strata::exectest {

struct TinyLlamaConfig {
  int64_t vocab = 64, dim = 64, heads = 4, kvHeads = 2, headDim = 16, ffn = 96, layers = 2;
  int64_t maxSeq = 32, chunk = 8;
  double theta = 10000.0;
  float eps = 1e-5f;
  std::string kvType = "f32";
};

class TinyLlama {
public:
  explicit TinyLlama(TinyLlamaConfig c) : c_(c) {
    uint64_t seed = 100;
    auto add = [&](const std::string &name, std::vector<int64_t> shape, double scale,
                   const std::string &role) {
      specs_.push_back({name, shape, seed++, scale, role});
    };
    const double w = 1.0 / std::sqrt(double(c.dim));
    add("tok_embd", {c.vocab, c.dim}, 1.0, "embedding");
    for (int64_t l = 0; l < c.layers; ++l) {
      std::string p = "blk" + std::to_string(l) + ".";
      add(p + "attn_norm", {c.dim}, 1.0, "norm");
      add(p + "wq", {c.heads * c.headDim, c.dim}, w, "attention");
      add(p + "wk", {c.kvHeads * c.headDim, c.dim}, w, "attention");
      add(p + "wv", {c.kvHeads * c.headDim, c.dim}, w, "attention");
      add(p + "wo", {c.dim, c.heads * c.headDim}, w, "attention");
      add(p + "ffn_norm", {c.dim}, 1.0, "norm");
      add(p + "w1", {c.ffn, c.dim}, w, "ffn");
      add(p + "w3", {c.ffn, c.dim}, w, "ffn");
      add(p + "w2", {c.dim, c.ffn}, 1.0 / std::sqrt(double(c.ffn)), "ffn");
    }
    add("out_norm", {c.dim}, 1.0, "norm");
    add("lm_head", {c.vocab, c.dim}, w, "lm_head");
    for (const Spec &s : specs_)
      values_[s.name] = seeded(s.shape, s.seed, s.scale);
  }

  const TinyLlamaConfig &config() const { return c_; }

  std::string module() const {
    GraphText g;
    for (const Spec &s : specs_)
      g.weight(s.name, s.shape, s.seed, s.scale, s.role);
    g.kvCache(c_.layers, c_.maxSeq, c_.kvHeads, c_.headDim, c_.kvType);
    entry(g, "prefill", c_.chunk);
    entry(g, "decode", 1);
    return g.str();
  }

  /// One call of the model: logits of the last valid row.
  std::vector<float> forward(const std::vector<int32_t> &tokens, int64_t pos, int64_t valid) {
    const int64_t D = c_.dim, H = c_.heads, Hkv = c_.kvHeads, hd = c_.headDim;
    const int64_t T = valid;
    std::vector<float> x(size_t(T * D));
    const auto &emb = values_.at("tok_embd");
    for (int64_t t = 0; t < T; ++t)
      for (int64_t j = 0; j < D; ++j)
        x[size_t(t * D + j)] = emb[size_t(tokens[size_t(t)] * D + j)];
    kCache_.resize(size_t(c_.layers));
    vCache_.resize(size_t(c_.layers));
    for (int64_t l = 0; l < c_.layers; ++l) {
      std::string p = "blk" + std::to_string(l) + ".";
      auto n = ref::rmsNorm(x, v(p + "attn_norm"), T, D, c_.eps);
      auto q = ref::rope(ref::linear(n, v(p + "wq"), T, D, H * hd), T, H * hd, hd, pos, c_.theta, false);
      auto k = ref::rope(ref::linear(n, v(p + "wk"), T, D, Hkv * hd), T, Hkv * hd, hd, pos, c_.theta, false);
      auto vv = ref::linear(n, v(p + "wv"), T, D, Hkv * hd);
      // The cache holds rows 0..pos-1 already.
      kCache_[size_t(l)].resize(size_t(pos * Hkv * hd));
      vCache_[size_t(l)].resize(size_t(pos * Hkv * hd));
      auto a = ref::attention(q, k, vv, kCache_[size_t(l)], vCache_[size_t(l)], T, pos, H, Hkv, hd);
      auto o = ref::linear(a, v(p + "wo"), T, H * hd, D);
      for (size_t i = 0; i < x.size(); ++i)
        x[i] += o[i];
      auto m = ref::rmsNorm(x, v(p + "ffn_norm"), T, D, c_.eps);
      auto g1 = ref::linear(m, v(p + "w1"), T, D, c_.ffn);
      auto u = ref::linear(m, v(p + "w3"), T, D, c_.ffn);
      for (size_t i = 0; i < g1.size(); ++i)
        g1[i] = ref::silu(g1[i]) * u[i];
      auto d = ref::linear(g1, v(p + "w2"), T, c_.ffn, D);
      for (size_t i = 0; i < x.size(); ++i)
        x[i] += d[i];
    }
    std::vector<float> last(x.end() - D, x.end());
    auto f = ref::rmsNorm(last, v("out_norm"), 1, D, c_.eps);
    return ref::linear(f, v("lm_head"), 1, D, c_.vocab);
  }

private:
  struct Spec {
    std::string name;
    std::vector<int64_t> shape;
    uint64_t seed;
    double scale;
    std::string role;
  };
  const std::vector<float> &v(const std::string &name) const { return values_.at(name); }

  void entry(GraphText &g, const std::string &name, int64_t T) const {
    const int64_t D = c_.dim, H = c_.heads, Hkv = c_.kvHeads, hd = c_.headDim, F = c_.ffn;
    const std::string tx = t2(T, D), tq = t2(T, H * hd), tk = t2(T, Hkv * hd), tf = t2(T, F);
    const std::string toks = "tensor<" + std::to_string(T) + "xi32>";
    std::vector<std::string> args{"%tokens: " + toks, "%pos: index"};
    if (name == "prefill")
      args.push_back("%n_valid: index");
    g.func(name, args, t2(1, c_.vocab));
    auto W = [](const std::string &n) { return GraphText::ref(n); };
    auto wt = [&](int64_t r, int64_t cc) { return t2(r, cc); };
    g.op("%x0 = graph.embedding " + W("tok_embd") + ", %tokens : (" + wt(c_.vocab, D) + ", " +
         toks + ") -> " + tx);
    std::string x = "%x0";
    const std::string vD = "tensor<" + std::to_string(D) + "xf32>";
    for (int64_t l = 0; l < c_.layers; ++l) {
      std::string p = "blk" + std::to_string(l) + ".", s = "_" + std::to_string(l);
      g.op("%n" + s + " = graph.rms_norm " + x + ", " + W(p + "attn_norm") +
           " {eps = 1.0e-05 : f64} : (" + tx + ", " + vD + ") -> " + tx);
      auto lin = [&](const std::string &out, const std::string &in, const std::string &w,
                     int64_t n, int64_t k, const std::string &inT, const std::string &outT) {
        g.op(out + " = graph.linear " + in + ", " + W(p + w) + " : (" + inT + ", " + wt(n, k) +
             ") -> " + outT);
      };
      lin("%q" + s, "%n" + s, "wq", H * hd, D, tx, tq);
      lin("%k" + s, "%n" + s, "wk", Hkv * hd, D, tx, tk);
      lin("%v" + s, "%n" + s, "wv", Hkv * hd, D, tx, tk);
      std::string rope = " {head_dim = " + std::to_string(hd) +
                         " : i64, theta = 1.000000e+04 : f64, style = #graph<rope_style interleaved>}";
      g.op("%qr" + s + " = graph.rope %q" + s + ", %pos" + rope + " : (" + tq + ", index) -> " + tq);
      g.op("%kr" + s + " = graph.rope %k" + s + ", %pos" + rope + " : (" + tk + ", index) -> " + tk);
      g.op("%a" + s + " = graph.attention %qr" + s + ", %kr" + s + ", %v" + s +
           ", %pos {cache = @kv_cache, layer = " + std::to_string(l) + " : i64, num_heads = " +
           std::to_string(H) + " : i64, num_kv_heads = " + std::to_string(Hkv) +
           " : i64, head_dim = " + std::to_string(hd) + " : i64} : (" + tq + ", " + tk + ", " +
           tk + ", index) -> " + tq);
      lin("%o" + s, "%a" + s, "wo", D, H * hd, tq, tx);
      g.op("%h" + s + " = graph.add " + x + ", %o" + s + " : (" + tx + ", " + tx + ") -> " + tx);
      g.op("%m" + s + " = graph.rms_norm %h" + s + ", " + W(p + "ffn_norm") +
           " {eps = 1.0e-05 : f64} : (" + tx + ", " + vD + ") -> " + tx);
      lin("%g" + s, "%m" + s, "w1", F, D, tx, tf);
      lin("%u" + s, "%m" + s, "w3", F, D, tx, tf);
      g.op("%sg" + s + " = graph.silu %g" + s + " : " + tf);
      g.op("%gu" + s + " = graph.mul %sg" + s + ", %u" + s + " : (" + tf + ", " + tf + ") -> " + tf);
      lin("%d" + s, "%gu" + s, "w2", D, F, tf, tx);
      g.op("%x" + std::to_string(l + 1) + " = graph.add %h" + s + ", %d" + s + " : (" + tx +
           ", " + tx + ") -> " + tx);
      x = "%x" + std::to_string(l + 1);
    }
    std::string last = x;
    if (name == "prefill") {
      g.op("%one = arith.constant 1 : index");
      g.op("%lastrow = arith.subi %n_valid, %one : index");
      g.op("%xl = graph.take_row " + x + ", %lastrow : (" + tx + ", index) -> " + t2(1, D));
      last = "%xl";
    }
    g.op("%f = graph.rms_norm " + last + ", " + W("out_norm") + " {eps = 1.0e-05 : f64} : (" +
         t2(1, D) + ", " + vD + ") -> " + t2(1, D));
    g.op("%logits = graph.linear %f, " + W("lm_head") + " : (" + t2(1, D) + ", " +
         wt(c_.vocab, D) + ") -> " + t2(1, c_.vocab));
    g.ret("%logits", t2(1, c_.vocab));
  }

  TinyLlamaConfig c_;
  std::vector<Spec> specs_;
  std::map<std::string, std::vector<float>> values_;
  std::vector<std::vector<float>> kCache_, vCache_;
};

} // namespace strata::exectest
