#include "strata/models/TensorNames.h"

#include <unordered_map>

namespace strata::models {

std::string blockTensorName(uint32_t layer, std::string_view role) {
  std::string s = "blk." + std::to_string(layer) + ".";
  s += role;
  return s;
}

std::vector<TensorSpec> expectedTensors(const ModelConfig &c) {
  using Shape = std::vector<uint64_t>;
  const uint64_t dim = c.dim, q = c.qDim(), kv = c.kvDim(), hidden = c.hiddenDim;
  const bool layerNorm = c.norm == NormKind::LayerNorm;
  std::vector<TensorSpec> specs;
  specs.push_back({std::string(names::kTokenEmbedding), Shape{c.vocabSize, dim}});
  if (c.learnedPositions)
    specs.push_back({std::string(names::kPositionEmbedding), Shape{c.maxSeqLen, dim}});
  for (uint32_t l = 0; l < c.nLayers; ++l) {
    auto add = [&](std::string_view role, Shape shape) {
      specs.push_back({blockTensorName(l, role), std::move(shape)});
    };
    add("attn_norm.weight", {dim});
    if (layerNorm)
      add("attn_norm.bias", {dim});
    if (c.fusedQkv) {
      add("attn_qkv.weight", {q + 2 * kv, dim});
      if (c.qkvBias)
        add("attn_qkv.bias", {q + 2 * kv});
    } else {
      add("attn_q.weight", {q, dim});
      add("attn_k.weight", {kv, dim});
      add("attn_v.weight", {kv, dim});
      if (c.qkvBias) {
        add("attn_q.bias", {q});
        add("attn_k.bias", {kv});
        add("attn_v.bias", {kv});
      }
    }
    add("attn_output.weight", {dim, q});
    if (c.linearBias)
      add("attn_output.bias", {dim});
    add("ffn_norm.weight", {dim});
    if (layerNorm)
      add("ffn_norm.bias", {dim});
    if (c.gatedFfn)
      add("ffn_gate.weight", {hidden, dim});
    add("ffn_up.weight", {hidden, dim});
    add("ffn_down.weight", {dim, hidden});
    if (c.linearBias) {
      add("ffn_up.bias", {hidden});
      add("ffn_down.bias", {dim});
    }
  }
  specs.push_back({std::string(names::kOutputNorm), Shape{dim}});
  if (layerNorm)
    specs.push_back({std::string(names::kOutputNormBias), Shape{dim}});
  if (!c.tiedEmbeddings)
    specs.push_back({std::string(names::kOutput), Shape{c.vocabSize, dim}});
  return specs;
}

Status checkTensorsAgainstConfig(const ModelConfig &config, const std::vector<Tensor> &tensors,
                                 const std::string &source) {
  std::unordered_map<std::string_view, const Tensor *> byName;
  for (const Tensor &t : tensors)
    byName.emplace(t.name, &t);
  for (const TensorSpec &spec : expectedTensors(config)) {
    auto it = byName.find(spec.name);
    if (it == byName.end())
      return Error(source + ": missing tensor '" + spec.name + "' (needed by the " +
                   std::string(familyName(config.family)) + " configuration, shape " +
                   shapeToString(spec.shape) + ")");
    const Tensor &t = *it->second;
    if (t.shape != spec.shape) {
      std::string where = t.sourceName.empty() || t.sourceName == t.name
                              ? "'" + t.name + "'"
                              : "'" + t.name + "' ('" + t.sourceName + "')";
      std::string stored;
      if (t.layout == TensorLayout::Transposed && t.shape.size() == 2)
        stored = " (stored transposed as [" + std::to_string(t.shape[1]) + ", " +
                 std::to_string(t.shape[0]) + "])";
      return Error(source + ": tensor " + where + " has shape " + shapeToString(t.shape) +
                   stored + " but the configuration needs " + shapeToString(spec.shape));
    }
  }
  return Status::ok();
}

} // namespace strata::models
