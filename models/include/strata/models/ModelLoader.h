//===- ModelLoader.h - Load any supported model file ------------*- C++ -*-===//
#pragma once

#include "strata/models/Model.h"

#include <optional>
#include <string>

namespace strata::models {

/// Which loader a path needs: a directory or *.safetensors file is a Hugging
/// Face model, a file starting with "GGUF" is GGUF, any other file is taken
/// as a llama2.c checkpoint.
Expected<ModelFormat> detectModelFormat(const std::string &path);

/// Loads a model with the loader detectModelFormat() picks.
Expected<Model> loadModel(const std::string &path);

/// The tokenizer that goes with a model: the one embedded in a GGUF file, or
/// llama2.c's tokenizer.bin (`tokenizerPath`, or else tokenizer*.bin /
/// tok*.bin beside the checkpoint). Hugging Face tokenizers are not
/// supported yet: such a model gets an error here.
Expected<Tokenizer> loadTokenizerFor(const Model &model,
                                     const std::optional<std::string> &tokenizerPath = {});

} // namespace strata::models
