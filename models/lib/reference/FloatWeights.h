//===- FloatWeights.h - Model tensors as float32 matrices -------*- C++ -*-===//
#pragma once

#include "Kernels.h"
#include "strata/models/Model.h"

#include <list>
#include <vector>

namespace strata::models::reference {

/// Hands out float32 row-major views of a Model's tensors: in place when the
/// tensor already is float32, row-major and 4-byte aligned, otherwise from a
/// converted copy that this object owns.
class FloatWeights {
public:
  explicit FloatWeights(const Model &model) : model_(model) {}
  FloatWeights(const FloatWeights &) = delete;
  FloatWeights &operator=(const FloatWeights &) = delete;

  /// The canonical tensor `name` as a [rows][cols] matrix.
  Expected<Matrix> get(const std::string &name);
  /// Same, or an empty Matrix if the model has no such tensor.
  Expected<Matrix> getOptional(const std::string &name);
  /// The classifier (output.weight or the tied embedding).
  Expected<Matrix> classifier();

  /// Bytes converted into owned float32 copies.
  uint64_t convertedBytes() const { return convertedBytes_; }

private:
  Matrix view(const Tensor &t);

  const Model &model_;
  std::list<std::vector<float>> owned_; // stable addresses
  uint64_t convertedBytes_ = 0;
};

} // namespace strata::models::reference
