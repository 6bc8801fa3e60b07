//===- ProgramMetadata.h - What a compiled model's binary records -*- C++ -*-===//
//
// Binary metadata keys (bin::Metadata::extra) that the model compile path
// writes and the runtime reads, so a .npubin run later knows its KV-cache
// length, the model it came from (for its tokenizer) and its end token.
// All are optional; values are decimal numbers or plain strings.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/target/Binary.h"

#include <optional>
#include <string>

namespace strata::runtime::meta {

inline constexpr const char *kMaxSeq = "model.max_seq";     ///< KV-cache positions
inline constexpr const char *kFamily = "model.family";      ///< llama, qwen2, gpt2
inline constexpr const char *kPath = "model.path";          ///< file or directory compiled
inline constexpr const char *kFormat = "model.format";      ///< llama2.c, gguf, safetensors
inline constexpr const char *kBos = "model.bos";            ///< BOS token id
inline constexpr const char *kEos = "model.eos";            ///< EOS token id
inline constexpr const char *kPrecision = "model.precision"; ///< compile precision policy

/// The value of `key` in `binary`'s extra metadata.
inline std::optional<std::string> find(const bin::Binary &binary, const std::string &key) {
  for (const auto &[k, v] : binary.meta.extra)
    if (k == key)
      return v;
  return std::nullopt;
}

} // namespace strata::runtime::meta
