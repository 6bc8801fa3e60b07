//===- Tokenizer.h - SentencePiece-style BPE (llama2.c semantics) -*- C++ -*-===//
//
// The vocabulary of llama2.c's tokenizer.bin and of GGUF's "llama" tokenizer:
// scored pieces, byte-fallback tokens <0x00>..<0xFF>, BOS/EOS. Encoding and
// decoding follow llama2.c's run.c exactly, because its prompt ids and
// printed text are the references the rest of Strata is checked against.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/support/Error.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace strata::models {

/// Token kinds (GGUF tokenizer.ggml.token_type values).
enum class TokenKind : uint8_t {
  Normal = 1,
  Unknown = 2,
  Control = 3,
  UserDefined = 4,
  Unused = 5,
  Byte = 6,
};

class Tokenizer {
public:
  struct Options {
    int32_t bosId = 1;
    int32_t eosId = 2;
    int32_t unkId = 0;
    /// Whether encode() adds BOS by default (llama2.c and SPM GGUF do).
    bool addBos = true;
  };

  /// Builds a tokenizer. `pieces` use a plain ' ' for spaces. `kinds` may be
  /// empty (then BOS/EOS/UNK are Control/Unknown, <0xHH> pieces are Byte and
  /// the rest Normal). `source` names the file for error messages.
  static Expected<Tokenizer> create(std::vector<std::string> pieces, std::vector<float> scores,
                                    std::vector<TokenKind> kinds, const Options &options,
                                    const std::string &source);

  uint32_t vocabSize() const { return static_cast<uint32_t>(pieces_.size()); }
  int32_t bosId() const { return options_.bosId; }
  int32_t eosId() const { return options_.eosId; }
  int32_t unkId() const { return options_.unkId; }
  bool addsBos() const { return options_.addBos; }
  /// Longest piece in bytes.
  uint32_t maxPieceLength() const { return maxPieceLength_; }

  /// The piece of `id` as stored (spaces as ' '); empty for an id out of range.
  const std::string &piece(int32_t id) const;
  float score(int32_t id) const;
  TokenKind kind(int32_t id) const;
  /// Id of an exact piece, if present (the lowest id when duplicated).
  std::optional<int32_t> lookup(std::string_view piece) const;
  /// Id of the byte-fallback token for `byte`, if present.
  std::optional<int32_t> byteToken(uint8_t byte) const;

  /// run.c encode: optional BOS, a dummy-prefix space if `text` is not
  /// empty, one token per UTF-8 code point (byte-fallback tokens for code
  /// points not in the vocabulary), then repeated merges of the adjacent pair
  /// whose concatenation is the highest-scoring piece (leftmost on ties).
  std::vector<int32_t> encode(std::string_view text, bool addBos) const;
  std::vector<int32_t> encode(std::string_view text) const { return encode(text, addsBos()); }

  /// run.c decode of one token that follows `prev`: a piece directly after
  /// BOS loses its leading space, <0xHH> pieces are the raw byte, and
  /// control/unknown tokens produce no text.
  std::string decodeToken(int32_t prev, int32_t token) const;
  /// Concatenated decodeToken over `ids`; the first id follows "no token".
  std::string decode(const std::vector<int32_t> &ids) const;

private:
  Tokenizer() = default;

  std::vector<std::string> pieces_;
  std::vector<float> scores_;
  std::vector<TokenKind> kinds_;
  std::unordered_map<std::string, int32_t> index_;
  std::array<int32_t, 256> byteTokens_{};
  Options options_;
  uint32_t maxPieceLength_ = 0;
};

/// If `piece` is "<0xHH>", the byte value.
std::optional<uint8_t> parseBytePiece(std::string_view piece);

} // namespace strata::models
