//===- GgufLoader.h - Models and tokenizers from GGUF -----------*- C++ -*-===//
//
// Interprets a GgufFile as a model: the "<arch>.*" keys become a ModelConfig
// (architectures llama, qwen2 and gpt2), the tensors keep their GGUF names
// (which are Strata's canonical names) with ne reversed into [out, in]
// shapes, and tokenizer.ggml.* becomes a Tokenizer when it is a SentencePiece
// ("llama") vocabulary.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/models/GgufFile.h"
#include "strata/models/Model.h"
#include "strata/models/Tokenizer.h"

namespace strata::models {

Expected<Model> loadGgufModel(const std::string &path);

/// The ModelConfig described by the file's metadata and tensors.
Expected<ModelConfig> ggufModelConfig(const GgufFile &file);

/// The embedded tokenizer. Only tokenizer.ggml.model == "llama" (SentencePiece)
/// is supported; pieces have '▁' (U+2581) replaced by ' '.
Expected<Tokenizer> loadGgufTokenizer(const GgufFile &file);

} // namespace strata::models
