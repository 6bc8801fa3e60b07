//===- Model.h - A loaded model: config, tensors, tokenizer -----*- C++ -*-===//
#pragma once

#include "strata/models/MappedFile.h"
#include "strata/models/ModelConfig.h"
#include "strata/models/Tensor.h"
#include "strata/models/Tokenizer.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace strata::models {

enum class ModelFormat : uint8_t { Llama2c, Gguf, Safetensors };
std::string_view modelFormatName(ModelFormat f); ///< "llama2.c", "gguf", "safetensors"

/// A model whose tensors are views into memory-mapped files. Cheap to move;
/// the mappings live as long as the Model (or a copy of it).
class Model {
public:
  ModelConfig config;
  ModelFormat format = ModelFormat::Llama2c;
  /// The file or directory the model was loaded from.
  std::string path;
  /// The tokenizer embedded in the file (GGUF), if any.
  std::optional<Tokenizer> tokenizer;

  const std::vector<Tensor> &tensors() const { return tensors_; }
  /// The tensor with this canonical name, or null.
  const Tensor *find(std::string_view name) const;
  /// Like find(), but a missing tensor is an error naming the model.
  Expected<const Tensor *> require(std::string_view name) const;
  /// output.weight, or token_embd.weight when the classifier is tied.
  Expected<const Tensor *> classifier() const;

  /// For loaders: adds a tensor (its name must be new) ...
  Status addTensor(Tensor tensor);
  /// ... and keeps the mapping its data points into alive.
  void retain(std::shared_ptr<const MappedFile> file);

private:
  std::vector<Tensor> tensors_;
  std::unordered_map<std::string, size_t> index_;
  std::vector<std::shared_ptr<const MappedFile>> files_;
};

} // namespace strata::models
