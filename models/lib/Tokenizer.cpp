#include "strata/models/Tokenizer.h"

namespace strata::models {

std::optional<uint8_t> parseBytePiece(std::string_view piece) {
  if (piece.size() != 6 || piece.substr(0, 3) != "<0x" || piece[5] != '>')
    return std::nullopt;
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  int hi = hex(piece[3]), lo = hex(piece[4]);
  if (hi < 0 || lo < 0)
    return std::nullopt;
  return static_cast<uint8_t>(hi * 16 + lo);
}

Expected<Tokenizer> Tokenizer::create(std::vector<std::string> pieces, std::vector<float> scores,
                                      std::vector<TokenKind> kinds, const Options &options,
                                      const std::string &source) {
  auto fail = [&](const std::string &what) { return Error(source + ": tokenizer: " + what); };
  if (pieces.empty())
    return fail("the vocabulary is empty");
  if (pieces.size() > static_cast<size_t>(INT32_MAX))
    return fail("the vocabulary has more than 2^31 tokens");
  if (scores.size() != pieces.size())
    return fail(std::to_string(scores.size()) + " scores for " + std::to_string(pieces.size()) +
                " tokens");
  if (!kinds.empty() && kinds.size() != pieces.size())
    return fail(std::to_string(kinds.size()) + " token types for " +
                std::to_string(pieces.size()) + " tokens");
  int32_t n = static_cast<int32_t>(pieces.size());
  auto checkId = [&](int32_t id, const char *what) -> Status {
    if (id >= n || id < -1)
      return fail(std::string(what) + " id " + std::to_string(id) +
                  " is outside the vocabulary of " + std::to_string(n));
    return Status::ok();
  };
  for (auto [id, what] : {std::pair{options.bosId, "BOS"}, std::pair{options.eosId, "EOS"},
                          std::pair{options.unkId, "unknown-token"}})
    if (Status s = checkId(id, what); !s)
      return s.error();

  Tokenizer t;
  t.options_ = options;
  if (kinds.empty()) {
    kinds.assign(pieces.size(), TokenKind::Normal);
    for (size_t i = 0; i < pieces.size(); ++i)
      if (parseBytePiece(pieces[i]))
        kinds[i] = TokenKind::Byte;
    if (options.unkId >= 0)
      kinds[options.unkId] = TokenKind::Unknown;
    if (options.bosId >= 0)
      kinds[options.bosId] = TokenKind::Control;
    if (options.eosId >= 0)
      kinds[options.eosId] = TokenKind::Control;
  }
  t.byteTokens_.fill(-1);
  t.index_.reserve(pieces.size());
  for (int32_t id = 0; id < n; ++id) {
    t.index_.emplace(pieces[id], id); // keeps the lowest id of a duplicated piece
    t.maxPieceLength_ = std::max<uint32_t>(t.maxPieceLength_, pieces[id].size());
    if (kinds[id] == TokenKind::Byte)
      if (auto b = parseBytePiece(pieces[id]); b && t.byteTokens_[*b] < 0)
        t.byteTokens_[*b] = id;
  }
  t.pieces_ = std::move(pieces);
  t.scores_ = std::move(scores);
  t.kinds_ = std::move(kinds);
  return t;
}

const std::string &Tokenizer::piece(int32_t id) const {
  static const std::string empty;
  if (id < 0 || static_cast<uint32_t>(id) >= vocabSize())
    return empty;
  return pieces_[id];
}

float Tokenizer::score(int32_t id) const {
  if (id < 0 || static_cast<uint32_t>(id) >= vocabSize())
    return 0.0f;
  return scores_[id];
}

TokenKind Tokenizer::kind(int32_t id) const {
  if (id < 0 || static_cast<uint32_t>(id) >= vocabSize())
    return TokenKind::Unknown;
  return kinds_[id];
}

std::optional<int32_t> Tokenizer::lookup(std::string_view piece) const {
  auto it = index_.find(std::string(piece));
  if (it == index_.end())
    return std::nullopt;
  return it->second;
}

std::optional<int32_t> Tokenizer::byteToken(uint8_t byte) const {
  if (byteTokens_[byte] < 0)
    return std::nullopt;
  return byteTokens_[byte];
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool addBos) const {
  std::vector<int32_t> tokens;
  tokens.reserve(text.size() + 3);
  if (addBos && options_.bosId >= 0)
    tokens.push_back(options_.bosId);

  auto pushBytes = [&](std::string_view bytes) {
    for (unsigned char b : bytes) {
      if (auto id = byteToken(b))
        tokens.push_back(*id);
      else if (options_.unkId >= 0)
        tokens.push_back(options_.unkId);
    }
  };
  auto pushPiece = [&](std::string_view s) {
    if (auto id = lookup(s))
      tokens.push_back(*id);
    else
      pushBytes(s);
  };

  // SentencePiece's dummy prefix: the text is treated as if it started with
  // a space, so the first word gets the same piece as a word mid-sentence.
  if (!text.empty())
    pushPiece(" ");

  // One token per UTF-8 code point; a code point is cut after 4 bytes so a
  // malformed sequence cannot swallow the rest of the text.
  size_t i = 0;
  while (i < text.size()) {
    size_t len = 1;
    while (i + len < text.size() && len < 4 &&
           (static_cast<unsigned char>(text[i + len]) & 0xC0) == 0x80)
      ++len;
    pushPiece(text.substr(i, len));
    i += len;
  }

  // Merge the best-scoring adjacent pair until no pair forms a piece. The
  // -1e10 floor, the strict comparison (leftmost wins a tie) and scanning
  // from the BOS on are all run.c's.
  std::string joined;
  while (true) {
    float bestScore = -1e10f;
    int32_t bestId = -1;
    size_t bestIdx = 0;
    for (size_t k = 0; k + 1 < tokens.size(); ++k) {
      joined.assign(pieces_[tokens[k]]);
      joined += pieces_[tokens[k + 1]];
      auto id = lookup(joined);
      if (id && scores_[*id] > bestScore) {
        bestScore = scores_[*id];
        bestId = *id;
        bestIdx = k;
      }
    }
    if (bestId < 0)
      break;
    tokens[bestIdx] = bestId;
    tokens.erase(tokens.begin() + static_cast<std::ptrdiff_t>(bestIdx) + 1);
  }
  return tokens;
}

std::string Tokenizer::decodeToken(int32_t prev, int32_t token) const {
  if (token < 0 || static_cast<uint32_t>(token) >= vocabSize())
    return {};
  TokenKind k = kinds_[token];
  if (k == TokenKind::Control || k == TokenKind::Unused)
    return {};
  std::string_view p = pieces_[token];
  if (k == TokenKind::Byte)
    if (auto b = parseBytePiece(p))
      return std::string(1, static_cast<char>(*b));
  if (prev == options_.bosId && prev >= 0 && !p.empty() && p[0] == ' ')
    p.remove_prefix(1);
  return std::string(p);
}

std::string Tokenizer::decode(const std::vector<int32_t> &ids) const {
  std::string out;
  int32_t prev = -1;
  for (int32_t id : ids) {
    out += decodeToken(prev, id);
    prev = id;
  }
  return out;
}

} // namespace strata::models
