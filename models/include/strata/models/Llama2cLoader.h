//===- Llama2cLoader.h - llama2.c checkpoints and tokenizer.bin -*- C++ -*-===//
//
// The legacy "version 0" export of llama2.c: a 7 x int32 header (dim,
// hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len) followed by
// float32 arrays back to back, per-layer tensors stacked with the layer
// outermost. A negative vocab_size means the file ends with a separate
// classifier. Every tensor is a view into the mapping.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/models/Model.h"
#include "strata/models/Tokenizer.h"

#include <string>

namespace strata::models {

Expected<Model> loadLlama2cModel(const std::string &path);

/// Reads llama2.c's tokenizer.bin: int32 max_token_length, then for each of
/// `vocabSize` tokens a float32 score, an int32 byte length and the bytes.
/// The file does not store the count, so it comes from the model.
Expected<Tokenizer> loadLlama2cTokenizer(const std::string &path, uint32_t vocabSize);

} // namespace strata::models
