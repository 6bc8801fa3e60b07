#include "FloatWeights.h"

#include "strata/models/Dequantize.h"
#include "strata/models/TensorNames.h"

namespace strata::models::reference {

Matrix FloatWeights::view(const Tensor &t) {
  Matrix m;
  m.rows = t.rows();
  m.cols = t.cols();
  const bool aligned = reinterpret_cast<uintptr_t>(t.data) % alignof(float) == 0;
  if (t.type == TensorType::F32 && t.layout == TensorLayout::RowMajor && aligned) {
    m.data = reinterpret_cast<const float *>(t.data);
    return m;
  }
  owned_.push_back(toFloat32(t));
  convertedBytes_ += owned_.back().size() * sizeof(float);
  m.data = owned_.back().data();
  return m;
}

Expected<Matrix> FloatWeights::get(const std::string &name) {
  auto t = model_.require(name);
  if (!t)
    return t.error();
  return view(**t);
}

Expected<Matrix> FloatWeights::getOptional(const std::string &name) {
  if (const Tensor *t = model_.find(name))
    return view(*t);
  return Matrix{};
}

Expected<Matrix> FloatWeights::classifier() {
  auto t = model_.classifier();
  if (!t)
    return t.error();
  return view(**t);
}

} // namespace strata::models::reference
