//===- ConfigUnits.cpp ----------------------------------------------------===//
#include "ConfigUnits.h"

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace strata::archcfg {

static std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

static bool isDigit(char c) { return c >= '0' && c <= '9'; }

std::optional<int64_t> parseInteger(std::string_view text, std::string &why) {
  std::string_view s = trim(text);
  size_t i = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
  if (i == s.size()) {
    why = "must be an integer";
    return std::nullopt;
  }
  for (size_t j = i; j < s.size(); ++j)
    if (!isDigit(s[j])) {
      why = "must be an integer";
      return std::nullopt;
    }
  std::string copy(s);
  errno = 0;
  long long v = std::strtoll(copy.c_str(), nullptr, 10);
  if (errno == ERANGE) {
    why = "is out of range (more than 63 bits)";
    return std::nullopt;
  }
  return int64_t(v);
}

// A real in the forms YAML 1.2's core schema uses, without inf/nan/hex: the
// strtod grammar is wider than we want, so the shape is checked first.
static bool looksLikeReal(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-'))
    ++i;
  size_t digits = 0;
  while (i < s.size() && isDigit(s[i]))
    ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && isDigit(s[i]))
      ++i, ++digits;
  }
  if (!digits)
    return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-'))
      ++i;
    size_t expDigits = 0;
    while (i < s.size() && isDigit(s[i]))
      ++i, ++expDigits;
    if (!expDigits)
      return false;
  }
  return i == s.size();
}

std::optional<double> parseNumber(std::string_view text, std::string &why) {
  std::string_view s = trim(text);
  if (!looksLikeReal(s)) {
    why = "must be a number";
    return std::nullopt;
  }
  std::string copy(s);
  errno = 0;
  double v = std::strtod(copy.c_str(), nullptr);
  if (errno == ERANGE || !std::isfinite(v)) {
    why = "is out of range";
    return std::nullopt;
  }
  return v;
}

// Splits "8MiB" / "8 MiB" / "14ns" into the number and the unit.
static void splitUnit(std::string_view s, std::string_view &amount,
                      std::string_view &unit) {
  size_t i = s.size();
  while (i > 0 && ((s[i - 1] >= 'a' && s[i - 1] <= 'z') ||
                   (s[i - 1] >= 'A' && s[i - 1] <= 'Z')))
    --i;
  // "1e3" has a letter inside the number; only trailing letters are a unit.
  amount = trim(s.substr(0, i));
  unit = s.substr(i);
}

std::optional<int64_t> parseSize(std::string_view text, std::string &why) {
  std::string_view s = trim(text);
  std::string_view amountText, unit;
  splitUnit(s, amountText, unit);
  if (unit.empty()) {
    auto v = parseInteger(s, why);
    if (!v)
      why = "must be a byte count (an integer, or a number with a unit "
            "B, KiB, MiB, GiB, TiB)";
    return v;
  }
  uint64_t scale = 0;
  if (unit == "B")
    scale = 1;
  else if (unit == "KiB")
    scale = 1ull << 10;
  else if (unit == "MiB")
    scale = 1ull << 20;
  else if (unit == "GiB")
    scale = 1ull << 30;
  else if (unit == "TiB")
    scale = 1ull << 40;
  else if (unit == "KB" || unit == "kB" || unit == "MB" || unit == "GB" ||
           unit == "TB" || unit == "K" || unit == "k" || unit == "M" ||
           unit == "G" || unit == "T") {
    why = "uses the ambiguous unit '" + std::string(unit) +
          "'; write KiB, MiB, GiB or TiB (powers of 1024) or a plain byte count";
    return std::nullopt;
  } else {
    why = "has an unknown unit '" + std::string(unit) +
          "' (expected B, KiB, MiB, GiB or TiB)";
    return std::nullopt;
  }
  std::string numWhy;
  auto amount = parseNumber(amountText, numWhy);
  if (!amount) {
    why = "must be a byte count (an integer, or a number with a unit "
          "B, KiB, MiB, GiB, TiB)";
    return std::nullopt;
  }
  if (*amount < 0) {
    why = "must be a positive size, got " + std::string(s);
    return std::nullopt;
  }
  double bytes = *amount * double(scale);
  if (bytes >= 9.2e18) {
    why = "is out of range (more than 63 bits)";
    return std::nullopt;
  }
  if (bytes != std::floor(bytes)) {
    why = "must be a whole number of bytes, got " + std::string(s);
    return std::nullopt;
  }
  return int64_t(bytes);
}

std::optional<TimingValue> parseTiming(std::string_view text, std::string &why) {
  std::string_view s = trim(text);
  std::string_view amountText, unit;
  splitUnit(s, amountText, unit);
  if (unit.empty()) {
    std::string intWhy;
    if (auto cycles = parseInteger(s, intWhy))
      return TimingValue{double(*cycles), false};
    std::string numWhy;
    if (parseNumber(s, numWhy))
      why = "must be a whole number of cycles; write a duration such as '" +
            std::string(s) + "ns' for nanoseconds";
    else
      why = "must be a cycle count or a duration (e.g. 14 or 14ns)";
    return std::nullopt;
  }
  double scale = 0;
  if (unit == "ns")
    scale = 1;
  else if (unit == "us")
    scale = 1000;
  else if (unit == "ps")
    scale = 0.001;
  else {
    why = "has an unknown unit '" + std::string(unit) + "' (expected ns, us or ps)";
    return std::nullopt;
  }
  std::string numWhy;
  auto amount = parseNumber(amountText, numWhy);
  if (!amount) {
    why = "must be a cycle count or a duration (e.g. 14 or 14ns)";
    return std::nullopt;
  }
  return TimingValue{*amount * scale, true};
}

std::string formatNumber(double value) {
  // fmt's default is the shortest representation that round-trips.
  return fmt::format("{}", value);
}

std::string formatSize(uint64_t bytes) {
  static const struct {
    unsigned shift;
    const char *unit;
  } units[] = {{40, "TiB"}, {30, "GiB"}, {20, "MiB"}, {10, "KiB"}};
  for (const auto &u : units) {
    uint64_t scale = uint64_t(1) << u.shift;
    if (bytes >= scale && bytes % scale == 0)
      return std::to_string(bytes / scale) + u.unit;
  }
  return std::to_string(bytes);
}

} // namespace strata::archcfg
