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

/// Binds a model's matrices from FloatWeights and keeps the first error, so
/// a forward pass's init lists its tensors without a return after each; once
/// one fails, the rest are not looked up.
class WeightBinder {
public:
  explicit WeightBinder(FloatWeights &weights) : weights_(weights) {}

  /// dst = the tensor `name`.
  void operator()(Matrix &dst, const std::string &name) {
    if (status_)
      take(dst, weights_.get(name));
  }
  /// dst = the classifier (output.weight or the tied embedding).
  void classifier(Matrix &dst) {
    if (status_)
      take(dst, weights_.classifier());
  }
  /// The first failure, or ok.
  const Status &status() const { return status_; }

private:
  void take(Matrix &dst, Expected<Matrix> m) {
    if (m)
      dst = *m;
    else
      status_ = m.status();
  }

  FloatWeights &weights_;
  Status status_;
};

} // namespace strata::models::reference
