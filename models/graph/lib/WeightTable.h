//===- WeightTable.h - The weights a model graph declares -------*- C++ -*-===//
//
// Decides, for a config, which graph.weight symbols the module declares
// (name, declared shape, storage layout, role), and for a loaded model turns
// each into a WeightStore entry that points into the model's mapping.
//
// GPT-2's fused QKV projection is declared as three weights (and three
// biases) because the graph dialect has no slice op: attention takes Q, K
// and V separately. In a row-major file the three are row ranges of the
// fused tensor, so they stay zero-copy views; in safetensors' Conv1D
// storage ([in, out]) they are column ranges, so they are copied once.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/Compiler/WeightStore.h"
#include "strata/models/Model.h"
#include "strata/models/ModelConfig.h"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace strata::models::detail {

struct DeclaredWeight {
  std::string name;
  /// Shape as stored: [out, in] for row-major matrices, [in, out] when
  /// `transposed` (the linear then uses weight_layout = kn).
  std::vector<int64_t> shape;
  bool transposed = false;
  /// graph.weight role: embedding, attention, ffn, lm_head, norm or bias.
  std::string role;
};

class WeightTable {
public:
  /// The declarations for `config` (no data).
  static WeightTable forConfig(const ModelConfig &config);
  /// The declarations for `model`, with store entries registered in `store`
  /// (zero-copy where the layout allows). Layouts follow the model's tensors.
  static Expected<WeightTable> forModel(const Model &model, WeightStore &store);

  const std::vector<DeclaredWeight> &weights() const { return weights_; }
  /// The declaration named `name`; every name the decoder asks for exists.
  const DeclaredWeight &get(const std::string &name) const;
  bool contains(const std::string &name) const { return index_.count(name) != 0; }
  /// The classifier's symbol: output.weight, or token_embd.weight when tied.
  std::string classifierName() const;

private:
  void declare(DeclaredWeight weight);

  ModelConfig config_;
  std::vector<DeclaredWeight> weights_;
  std::unordered_map<std::string, size_t> index_;
};

/// The role of a canonical tensor name.
std::string weightRole(const std::string &name);

} // namespace strata::models::detail
