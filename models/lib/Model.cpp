#include "strata/models/Model.h"

#include "strata/models/TensorNames.h"

namespace strata::models {

std::string_view modelFormatName(ModelFormat f) {
  switch (f) {
  case ModelFormat::Llama2c: return "llama2.c";
  case ModelFormat::Gguf: return "gguf";
  case ModelFormat::Safetensors: return "safetensors";
  }
  return "?";
}

const Tensor *Model::find(std::string_view name) const {
  auto it = index_.find(std::string(name));
  return it == index_.end() ? nullptr : &tensors_[it->second];
}

Expected<const Tensor *> Model::require(std::string_view name) const {
  if (const Tensor *t = find(name))
    return t;
  return Error(path + ": missing tensor '" + std::string(name) + "'");
}

Expected<const Tensor *> Model::classifier() const {
  return require(config.tiedEmbeddings ? names::kTokenEmbedding : names::kOutput);
}

Status Model::addTensor(Tensor tensor) {
  if (index_.count(tensor.name))
    return Error(path + ": tensor '" + tensor.name + "' appears twice" +
                 (tensor.sourceName != tensor.name ? " (as '" + tensor.sourceName + "')" : ""));
  index_.emplace(tensor.name, tensors_.size());
  tensors_.push_back(std::move(tensor));
  return Status::ok();
}

void Model::retain(std::shared_ptr<const MappedFile> file) { files_.push_back(std::move(file)); }

} // namespace strata::models
