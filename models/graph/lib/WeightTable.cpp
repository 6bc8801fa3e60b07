//===- WeightTable.cpp ----------------------------------------------------===//
#include "WeightTable.h"

#include "strata/models/TensorNames.h"

#include <cstring>
#include <memory>
#include <optional>
#include <utility>

namespace strata::models::detail {

namespace {

bool endsWith(const std::string &s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(),
                                                suffix.data(), suffix.size()) == 0;
}

WeightFormat weightFormatOf(TensorType type) {
  switch (type) {
  case TensorType::F32: return WeightFormat::F32;
  case TensorType::F16: return WeightFormat::F16;
  case TensorType::BF16: return WeightFormat::BF16;
  case TensorType::Q8_0: return WeightFormat::Q8_0;
  case TensorType::Q4_0: return WeightFormat::Q4_0;
  }
  return WeightFormat::F32;
}

std::vector<int64_t> toInt64(const std::vector<uint64_t> &shape) {
  return std::vector<int64_t>(shape.begin(), shape.end());
}

/// The three parts of GPT-2's fused QKV tensor: part name, first canonical
/// row (output feature) and row count.
struct QkvPart {
  const char *role;
  uint64_t first;
  uint64_t count;
};

std::vector<QkvPart> qkvParts(const ModelConfig &c) {
  return {{"attn_q", 0, c.qDim()},
          {"attn_k", c.qDim(), c.kvDim()},
          {"attn_v", uint64_t(c.qDim()) + c.kvDim(), c.kvDim()}};
}

/// Specs with GPT-2's fused QKV replaced by separate Q, K and V.
std::vector<TensorSpec> declaredSpecs(const ModelConfig &config) {
  std::vector<TensorSpec> out;
  for (TensorSpec &spec : expectedTensors(config)) {
    bool fusedWeight = endsWith(spec.name, "attn_qkv.weight");
    bool fusedBias = endsWith(spec.name, "attn_qkv.bias");
    if (!fusedWeight && !fusedBias) {
      out.push_back(std::move(spec));
      continue;
    }
    std::string prefix = spec.name.substr(0, spec.name.find("attn_qkv"));
    for (const QkvPart &part : qkvParts(config)) {
      TensorSpec s;
      s.name = prefix + part.role + (fusedWeight ? ".weight" : ".bias");
      s.shape = fusedWeight ? std::vector<uint64_t>{part.count, config.dim}
                            : std::vector<uint64_t>{part.count};
      out.push_back(std::move(s));
    }
  }
  return out;
}

/// The fused tensor a split part comes from, e.g. "blk.3.attn_qkv.weight"
/// for "blk.3.attn_k.weight", and which part it is; nullopt if `name` is not
/// a split part.
std::optional<std::pair<std::string, QkvPart>> fusedSource(const std::string &name,
                                                           const ModelConfig &config) {
  if (!config.fusedQkv)
    return std::nullopt;
  for (const QkvPart &part : qkvParts(config)) {
    std::string marker = std::string(".") + part.role + ".";
    size_t at = name.find(marker);
    if (at != std::string::npos)
      return std::make_pair(name.substr(0, at) + ".attn_qkv." + name.substr(at + marker.size()),
                            part);
  }
  return std::nullopt;
}

} // namespace

std::string weightRole(const std::string &name) {
  if (name == names::kTokenEmbedding || name == names::kPositionEmbedding)
    return "embedding";
  if (name == names::kOutput)
    return "lm_head";
  if (name.find("_norm.") != std::string::npos)
    return "norm";
  if (endsWith(name, ".bias"))
    return "bias";
  if (name.find(".attn_") != std::string::npos)
    return "attention";
  if (name.find(".ffn_") != std::string::npos)
    return "ffn";
  return "bias";
}

void WeightTable::declare(DeclaredWeight weight) {
  index_[weight.name] = weights_.size();
  weights_.push_back(std::move(weight));
}

const DeclaredWeight &WeightTable::get(const std::string &name) const {
  return weights_[index_.at(name)];
}

std::string WeightTable::classifierName() const {
  return std::string(config_.tiedEmbeddings ? names::kTokenEmbedding : names::kOutput);
}

WeightTable WeightTable::forConfig(const ModelConfig &config) {
  WeightTable table;
  table.config_ = config;
  for (const TensorSpec &spec : declaredSpecs(config)) {
    DeclaredWeight w;
    w.name = spec.name;
    w.shape = toInt64(spec.shape);
    w.role = weightRole(spec.name);
    table.declare(std::move(w));
  }
  return table;
}

Expected<WeightTable> WeightTable::forModel(const Model &model, WeightStore &store) {
  const ModelConfig &config = model.config;
  WeightTable table;
  table.config_ = config;
  // The store entries share ownership of the model's mappings.
  auto keepAlive = std::make_shared<const Model>(model);

  for (const TensorSpec &spec : declaredSpecs(config)) {
    DeclaredWeight w;
    w.name = spec.name;
    w.role = weightRole(spec.name);

    auto split = fusedSource(spec.name, config);
    std::string fused = split ? split->first : std::string();
    const QkvPart *part = split ? &split->second : nullptr;
    const Tensor *tensor = keepAlive->find(fused.empty() ? spec.name : fused);
    if (!tensor)
      return Error(model.path + ": the model has no tensor '" +
                   (fused.empty() ? spec.name : fused) + "' (needed for graph weight '" +
                   spec.name + "')");

    WeightEntry entry;
    entry.format = weightFormatOf(tensor->type);
    entry.backing = keepAlive;
    w.transposed = tensor->layout == TensorLayout::Transposed && spec.shape.size() == 2;
    w.shape = toInt64(spec.shape);
    if (w.transposed)
      std::swap(w.shape[0], w.shape[1]);

    if (fused.empty()) {
      entry.data = tensor->data;
      entry.bytes = tensor->byteSize;
    } else if (spec.shape.size() == 1 || !w.transposed) {
      // Rows [first, first + count) of a row-major [3d, d] matrix (or a
      // range of the fused bias): a contiguous sub-range.
      uint64_t rowElems = spec.shape.size() == 1 ? 1 : config.dim;
      uint64_t firstElem = part->first * rowElems;
      uint64_t block = tensorTypeBlockElements(tensor->type);
      if (firstElem % block != 0)
        return Error(model.path + ": tensor '" + fused + "' cannot be split into '" +
                     spec.name + "': the split falls inside a " +
                     std::string(tensorTypeName(tensor->type)) + " block");
      uint64_t offset = *tensorTypeBytes(tensor->type, firstElem);
      entry.data = tensor->data + offset;
      entry.bytes = *tensorTypeBytes(tensor->type, part->count * rowElems);
    } else {
      // Columns of an [in, out] Conv1D matrix: strided, so copied once.
      if (tensorTypeBlockElements(tensor->type) != 1)
        return Error(model.path + ": tensor '" + fused +
                     "' is stored transposed in a block format, which cannot be split");
      uint64_t elem = tensorTypeBlockBytes(tensor->type);
      uint64_t in = config.dim, fusedOut = tensor->shape[0];
      auto buffer = std::make_shared<std::vector<uint8_t>>(in * part->count * elem);
      for (uint64_t i = 0; i < in; ++i)
        std::memcpy(buffer->data() + i * part->count * elem,
                    tensor->data + (i * fusedOut + part->first) * elem, part->count * elem);
      entry.data = buffer->data();
      entry.bytes = buffer->size();
      entry.backing = buffer;
    }
    entry.shape = w.shape;
    if (entry.bytes < weightFormatBytes(entry.format, entry.elementCount()))
      return Error(model.path + ": tensor '" + spec.name + "' has " +
                   std::to_string(entry.bytes) + " bytes, fewer than its shape needs");
    store.put(w.name, std::move(entry));
    table.declare(std::move(w));
  }
  return table;
}

} // namespace strata::models::detail
