//===- KeySuggestion.cpp --------------------------------------------------===//
#include "KeySuggestion.h"

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace strata::archcfg {

// Optimal-string-alignment distance (Levenshtein plus adjacent swaps),
// case-insensitive: "tRCD" and "trcd" are the same typo.
static size_t editDistance(std::string_view a, std::string_view b) {
  auto lower = [](char c) { return char(std::tolower((unsigned char)c)); };
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i)
    d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j)
    d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
          lower(a[i - 2]) == lower(b[j - 1]))
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

static size_t commonPrefix(std::string_view a, std::string_view b) {
  size_t n = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n])
    ++n;
  return n;
}

std::optional<std::string> suggestKey(std::string_view typed,
                                      const std::vector<std::string> &known) {
  // Typed keys are short; very long input is not a typo of a key.
  if (typed.empty() || typed.size() > 64)
    return std::nullopt;
  size_t best = SIZE_MAX;
  std::optional<std::string> bestKey;
  for (const std::string &key : known) {
    size_t dist = editDistance(typed, key);
    // Compare against each run of leading words too: "chanels" vs "channels".
    for (size_t pos = key.find('_'); pos != std::string::npos;
         pos = key.find('_', pos + 1))
      dist = std::min(dist, editDistance(typed, std::string_view(key).substr(0, pos)) + 1);
    // On a tie, the key sharing the longer prefix wins: "hbm3e" is closer
    // in meaning to "hbm3" than to "hbm2e".
    if (dist < best || (dist == best && bestKey &&
                        commonPrefix(typed, key) > commonPrefix(typed, *bestKey))) {
      best = dist;
      bestKey = key;
    }
  }
  size_t limit = std::max<size_t>(2, typed.size() / 3);
  if (best <= limit)
    return bestKey;
  return std::nullopt;
}

} // namespace strata::archcfg
