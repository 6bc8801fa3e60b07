#include "strata/models/Tensor.h"

#include "strata/models/CheckedMath.h"

namespace strata::models {

std::string_view tensorTypeName(TensorType type) {
  switch (type) {
  case TensorType::F32: return "F32";
  case TensorType::F16: return "F16";
  case TensorType::BF16: return "BF16";
  case TensorType::Q8_0: return "Q8_0";
  case TensorType::Q4_0: return "Q4_0";
  }
  return "?";
}

uint64_t tensorTypeBlockElements(TensorType type) {
  switch (type) {
  case TensorType::Q8_0:
  case TensorType::Q4_0: return 32;
  default: return 1;
  }
}

uint64_t tensorTypeBlockBytes(TensorType type) {
  switch (type) {
  case TensorType::F32: return 4;
  case TensorType::F16:
  case TensorType::BF16: return 2;
  case TensorType::Q8_0: return 34;
  case TensorType::Q4_0: return 18;
  }
  return 0;
}

std::optional<uint64_t> tensorTypeBytes(TensorType type, uint64_t numElements) {
  uint64_t block = tensorTypeBlockElements(type);
  if (numElements % block != 0)
    return std::nullopt;
  return checkedMul(numElements / block, tensorTypeBlockBytes(type));
}

std::string shapeToString(const std::vector<uint64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

} // namespace strata::models
