//===- AsmCursor.h - Character-level scanning of one assembly line -*- C++ -*-===//
//
// The lexical layer shared by the instruction parser and the directive parser
// of the whole-binary assembler: numbers, registers, addresses, names and
// quoted strings, each with a precise error at the column where it failed.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "AsmParser.h"
#include "AsmSyntax.h"
#include "strata/target/Isa.h"

#include <array>
#include <cctype>
#include <charconv>
#include <functional>
#include <map>
#include <vector>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace strata::isa::asmparse {

using namespace asmsyntax;

inline bool isIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
inline bool isIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
inline bool isWordChar(char c) { return isIdentChar(c) || c == '.'; }

/// A position in one line plus the first error found.
class Cursor {
public:
  explicit Cursor(std::string_view s) : s_(s) {}

  size_t pos() const { return pos_; }
  void setPos(size_t p) { pos_ = p; }
  bool failed() const { return !error_.message.empty(); }
  const LineError &error() const { return error_; }

  char peek(size_t ahead = 0) const {
    return pos_ + ahead < s_.size() ? s_[pos_ + ahead] : '\0';
  }
  void skipSpace() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\r'))
      ++pos_;
  }
  /// True at the end of the line or at a comment (after spaces).
  bool atEnd() {
    skipSpace();
    return pos_ >= s_.size() || isCommentChar(s_[pos_]);
  }
  bool consume(char c) {
    if (peek() != c)
      return false;
    ++pos_;
    return true;
  }

  /// Runs of [A-Za-z0-9_.]; may be empty.
  std::string_view word() {
    size_t start = pos_;
    while (pos_ < s_.size() && isWordChar(s_[pos_]))
      ++pos_;
    return s_.substr(start, pos_ - start);
  }
  /// [A-Za-z_][A-Za-z0-9_]*; empty if none here.
  std::string_view ident() {
    if (!isIdentStart(peek()))
      return {};
    size_t start = pos_;
    while (pos_ < s_.size() && isIdentChar(s_[pos_]))
      ++pos_;
    return s_.substr(start, pos_ - start);
  }

  bool fail(size_t col, std::string message) {
    if (!failed())
      error_ = LineError{col, std::move(message)};
    return false;
  }
  bool fail(std::string message) { return fail(pos_, std::move(message)); }

  /// Describes what is at the cursor for "expected X, found Y" messages.
  std::string found() const {
    if (pos_ >= s_.size() || isCommentChar(s_[pos_]))
      return "end of line";
    size_t end = pos_;
    while (end < s_.size() && end - pos_ < 16 && s_[end] != ' ' && s_[end] != ',' &&
           s_[end] != '\t')
      ++end;
    if (end == pos_)
      ++end;
    return "'" + std::string(s_.substr(pos_, end - pos_)) + "'";
  }

  /// Unsigned decimal or 0x hex. `follow` lists characters that may come
  /// directly after the digits (besides delimiters).
  bool u64(uint64_t &v, std::string_view what, std::string_view follow = "",
           bool allowHex = true) {
    size_t start = pos_;
    int base = 10;
    if (allowHex && peek() == '0' && (peek(1) == 'x' || peek(1) == 'X') &&
        std::isxdigit(static_cast<unsigned char>(peek(2)))) {
      base = 16;
      pos_ += 2;
    }
    const char *first = s_.data() + pos_;
    const char *last = s_.data() + s_.size();
    auto res = std::from_chars(first, last, v, base);
    if (res.ec == std::errc::invalid_argument || res.ptr == first) {
      pos_ = start;
      return fail("expected " + std::string(what) + ", found " + found());
    }
    if (res.ec == std::errc::result_out_of_range) {
      pos_ = start;
      return fail(std::string(what) + " does not fit in 64 bits");
    }
    pos_ = size_t(res.ptr - s_.data());
    char next = peek();
    if ((isWordChar(next) || next == '@') && follow.find(next) == std::string_view::npos) {
      size_t bad = pos_;
      pos_ = start;
      while (bad < s_.size() && isWordChar(s_[bad]))
        ++bad;
      std::string text(s_.substr(start, bad - start));
      return fail(start, "invalid " + std::string(what) + " '" + text + "'");
    }
    return true;
  }

  template <typename T>
  bool unsignedField(T &out, std::string_view what, std::string_view follow = "") {
    size_t start = pos_;
    uint64_t v = 0;
    if (!u64(v, what, follow))
      return false;
    if (v > std::numeric_limits<T>::max())
      return fail(start, std::string(what) + " " + std::to_string(v) + " does not fit in " +
                             std::to_string(sizeof(T) * 8) + " bits");
    out = T(v);
    return true;
  }

  /// Signed 64-bit: optional sign, decimal or hex (hex gives the bit pattern).
  bool i64(int64_t &v, std::string_view what) {
    size_t start = pos_;
    bool neg = consume('-');
    if (!neg)
      consume('+');
    uint64_t mag = 0;
    if (!u64(mag, what))
      return false;
    if (neg) {
      if (mag > uint64_t(std::numeric_limits<int64_t>::max()) + 1)
        return fail(start, std::string(what) + " is below the smallest 64-bit integer");
      v = int64_t(uint64_t(0) - mag);
    } else {
      v = int64_t(mag);
    }
    return true;
  }

  bool f32(float &v, std::string_view what) {
    size_t start = pos_;
    const char *first = s_.data() + pos_;
    const char *last = s_.data() + s_.size();
    bool neg = false;
    if (peek() == '-' || peek() == '+') {
      neg = peek() == '-';
      ++first;
    }
    // "nan"/"-nan": from_chars does not take a sign in front of nan portably.
    auto res = std::from_chars(first, last, v);
    if (res.ec == std::errc::invalid_argument)
      return fail("expected " + std::string(what) + ", found " + found());
    if (res.ec == std::errc::result_out_of_range)
      return fail(std::string(what) + " is out of the range of a 32-bit float");
    if (neg)
      v = -v;
    pos_ = size_t(res.ptr - s_.data());
    if (isWordChar(peek())) {
      size_t bad = pos_;
      while (bad < s_.size() && isWordChar(s_[bad]))
        ++bad;
      pos_ = start;
      return fail(start, "invalid " + std::string(what) + " '" +
                             std::string(s_.substr(start, bad - start)) + "'");
    }
    return true;
  }

  /// r0..r31.
  bool reg(uint8_t &r, std::string_view what, std::string_view follow = "") {
    size_t start = pos_;
    if (peek() != 'r' || !std::isdigit(static_cast<unsigned char>(peek(1))))
      return fail("expected a register (r0..r31) for " + std::string(what) + ", found " +
                  found());
    ++pos_;
    uint64_t v = 0;
    if (!u64(v, "register number", follow, /*allowHex=*/false))
      return false;
    if (v >= kNumScalarRegs)
      return fail(start, "register r" + std::to_string(v) + " does not exist (r0..r" +
                             std::to_string(kNumScalarRegs - 1) + ")");
    r = uint8_t(v);
    return true;
  }

  bool isRegAhead() const {
    return peek() == 'r' && std::isdigit(static_cast<unsigned char>(peek(1)));
  }

  /// An immediate or a register.
  bool dim(Dim &d, std::string_view what, std::string_view follow = "") {
    if (isRegAhead()) {
      uint8_t r = 0;
      if (!reg(r, what, follow))
        return false;
      d = Dim::reg(r);
      return true;
    }
    uint32_t v = 0;
    if (!unsignedField(v, what, follow))
      return false;
    d = Dim::imm(v);
    return true;
  }

  /// "[0x100]", "[r3]", "[r3+0x100]" with optional spaces inside.
  bool baseOffset(uint8_t &r, uint64_t &offset, uint64_t maxOffset, std::string_view what,
                  std::string_view field) {
    if (!consume('['))
      return fail("expected '[' to start the " + std::string(what) + " of " +
                  std::string(field) + ", found " + found());
    skipSpace();
    r = 0;
    offset = 0;
    if (isRegAhead()) {
      if (!reg(r, std::string(field) + " base"))
        return false;
      skipSpace();
      if (consume('+')) {
        skipSpace();
        if (!u64(offset, "offset"))
          return false;
      }
    } else if (!u64(offset, "offset")) {
      return false;
    }
    skipSpace();
    size_t end = pos_;
    if (!consume(']'))
      return fail("expected ']' to close the " + std::string(what) + " of " +
                  std::string(field) + ", found " + found());
    if (offset > maxOffset)
      return fail(end, "offset " + hex(offset) + " of " + std::string(field) +
                           " exceeds the largest " + std::string(what) + " offset " +
                           hex(maxOffset));
    return true;
  }

  bool sramRef(SramRef &ref, std::string_view field) {
    uint8_t r = 0;
    uint64_t off = 0;
    if (!baseOffset(r, off, kMaxSramOffset, "SRAM address", field))
      return false;
    ref = SramRef{r, uint32_t(off)};
    return true;
  }

  /// "hbm[...]", "sram[...]", "sram@3[...]".
  bool memRef(MemRef &m, std::string_view field) {
    size_t start = pos_;
    std::string_view space = ident();
    if (space == "hbm")
      m.space = Space::Hbm;
    else if (space == "sram")
      m.space = Space::Sram;
    else {
      pos_ = start;
      return fail("expected hbm[...] or sram[...] for " + std::string(field) + ", found " +
                  found());
    }
    m.core = kLocalCore;
    if (consume('@')) {
      if (!unsignedField(m.core, "core id"))
        return false;
      if (m.core == kLocalCore)
        return fail(start, "core id 255 is reserved for the local core; omit @255");
    }
    return baseOffset(m.reg, m.offset, kMaxDmaOffset, "DMA", field);
  }

  /// A word that names an enum value.
  template <typename T>
  bool enumWord(T &out, std::optional<T> (*parse)(std::string_view), std::string_view what,
                std::string_view choices) {
    size_t start = pos_;
    while (pos_ < s_.size() && isNameChar(s_[pos_]))
      ++pos_;
    std::string_view w = s_.substr(start, pos_ - start);
    std::optional<T> v = parse(w);
    if (!v) {
      pos_ = start;
      return fail(w.empty() ? "expected " + std::string(what) + " (" + std::string(choices) +
                                  "), found " + found()
                            : "unknown " + std::string(what) + " '" + std::string(w) +
                                  "' (expected " + std::string(choices) + ")");
    }
    out = *v;
    return true;
  }

  bool dtype(DType &t, std::string_view field) {
    size_t start = pos_;
    std::string_view w = word();
    std::optional<DType> v = parseDType(w);
    if (!v) {
      pos_ = start;
      return fail(w.empty() ? "expected a dtype for " + std::string(field) + ", found " + found()
                            : "unknown dtype '" + std::string(w) + "' for " +
                                  std::string(field) + " (expected i4, i8, i32, f16, bf16, f32)");
    }
    t = *v;
    return true;
  }

  /// A double-quoted string with the escapes \\ \" \n \t \r \0 and \xHH.
  bool quoted(std::string &out, std::string_view what) {
    if (!consume('"'))
      return fail("expected a quoted string for " + std::string(what) + ", found " + found());
    out.clear();
    while (true) {
      if (pos_ >= s_.size())
        return fail("unterminated string (a '\"' is missing before the end of the line)");
      char ch = s_[pos_++];
      if (ch == '"')
        return true;
      if (ch != '\\') {
        out += ch;
        continue;
      }
      size_t escCol = pos_ - 1;
      char e = peek();
      ++pos_;
      switch (e) {
      case '\\': out += '\\'; break;
      case '"': out += '"'; break;
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case '0': out += '\0'; break;
      case 'x': {
        auto hexVal = [](char h) -> int {
          if (h >= '0' && h <= '9') return h - '0';
          if (h >= 'a' && h <= 'f') return h - 'a' + 10;
          if (h >= 'A' && h <= 'F') return h - 'A' + 10;
          return -1;
        };
        int hi = hexVal(peek()), lo = hexVal(peek(1));
        if (hi < 0 || lo < 0)
          return fail(escCol, "\\x needs two hex digits");
        out += char(hi * 16 + lo);
        pos_ += 2;
        break;
      }
      default:
        return fail(escCol, std::string("unknown escape '\\") + (e ? std::string(1, e) : "") +
                                "' (use \\\\ \\\" \\n \\t \\r \\0 or \\xHH)");
      }
    }
  }

  /// A name: a bare word of letters, digits and _ . - / or a quoted string.
  bool name(std::string &out, std::string_view what) {
    if (peek() == '"') {
      size_t col = pos_;
      if (!quoted(out, what))
        return false;
      if (out.empty())
        return fail(col, std::string(what) + " is empty");
      return true;
    }
    size_t start = pos_;
    while (pos_ < s_.size() && isNameChar(s_[pos_]))
      ++pos_;
    if (pos_ == start)
      return fail("expected " + std::string(what) + ", found " + found());
    out = std::string(s_.substr(start, pos_ - start));
    return true;
  }

  static bool isNameChar(char c) {
    return isWordChar(c) || c == '-' || c == '/';
  }

  /// The separator between operands: spaces and at most one comma.
  void separator() {
    skipSpace();
    if (consume(','))
      skipSpace();
  }

  /// For positional operands: a comma is required between them.
  bool comma() {
    skipSpace();
    if (!consume(','))
      return fail("expected ',' before the next operand, found " + found());
    skipSpace();
    return true;
  }

private:
  std::string_view s_;
  size_t pos_ = 0;
  LineError error_;
};

//===----------------------------------------------------------------------===//
// key=value operand lists
//===----------------------------------------------------------------------===//

/// One accepted key: a flag (no value) or a value parsed by `parse`.
/// Keys sharing a `field` id are aliases of one field.
struct KeySpec {
  std::string_view key;
  int field;
  bool isFlag;
  std::function<bool(Cursor &)> parse; ///< for values
  std::function<void()> set;           ///< for flags
};

class KeyValues {
public:
  /// Field ids are small integers (< kMaxFields), one per field; aliases
  /// of one field share its id.
  static constexpr int kMaxFields = 32;

  KeyValues(Cursor &c, std::string_view mnem) : c_(c), mnem_(mnem) { specs_.reserve(kMaxFields); }

  void add(std::string_view key, int field, std::function<bool(Cursor &)> parse) {
    specs_.push_back({key, field, false, std::move(parse), nullptr});
  }
  void flag(std::string_view key, int field, std::function<void()> set) {
    specs_.push_back({key, field, true, nullptr, std::move(set)});
  }

  bool run() {
    bool first = true;
    size_t prevEnd = c_.pos();
    while (!c_.atEnd()) {
      if (!first) {
        bool spaced = c_.pos() > prevEnd;
        if (c_.consume(',')) {
          spaced = true;
          if (c_.atEnd())
            return c_.fail("expected a key after ','");
        }
        if (!spaced)
          return c_.fail("expected a space or ',' between operands, found " + c_.found());
      }
      first = false;
      size_t keyCol = c_.pos();
      std::string_view key = c_.ident();
      if (key.empty())
        return c_.fail("expected key=value or a flag, found " + c_.found());
      const KeySpec *spec = find(key);
      if (!spec)
        return c_.fail(keyCol, "unknown key '" + std::string(key) + "' for " +
                                   std::string(mnem_));
      if (has(spec->field)) {
        std::string_view earlier = seen_[size_t(spec->field)];
        return c_.fail(keyCol, earlier == key
                                   ? "key '" + std::string(key) + "' is given twice"
                                   : "key '" + std::string(key) + "' sets the same field as '" +
                                         std::string(earlier) + "'");
      }
      seenMask_ |= 1u << spec->field;
      seen_[size_t(spec->field)] = key;
      if (spec->isFlag) {
        if (c_.peek() == '=')
          return c_.fail("'" + std::string(key) + "' is a flag and takes no value");
        spec->set();
        prevEnd = c_.pos();
        continue;
      }
      if (!c_.consume('='))
        return c_.fail("key '" + std::string(key) + "' needs a value (" + std::string(key) +
                       "=...)");
      if (!spec->parse(c_))
        return false;
      prevEnd = c_.pos();
    }
    return true;
  }

  bool has(int field) const { return (seenMask_ >> field) & 1u; }

  /// Fails at the end of the line if `field` was not given.
  bool require(int field, std::string_view key) {
    if (has(field))
      return true;
    c_.atEnd();
    return c_.fail(std::string(mnem_) + " needs " + std::string(key) + "=...");
  }

private:
  const KeySpec *find(std::string_view key) const {
    for (const KeySpec &s : specs_)
      if (s.key == key)
        return &s;
    return nullptr;
  }

  Cursor &c_;
  std::string_view mnem_;
  std::vector<KeySpec> specs_;
  uint32_t seenMask_ = 0;
  std::array<std::string_view, kMaxFields> seen_{};
};

} // namespace strata::isa::asmparse
