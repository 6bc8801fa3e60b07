//===- ConfigDiagnostics.cpp ----------------------------------------------===//
#include "ConfigDiagnostics.h"

#include <algorithm>
#include <cstdint>
#include <tuple>

namespace strata::archcfg {

// Enough to fix a file in one pass without flooding a terminal when a file
// is not a config at all.
static constexpr size_t kMaxListed = 20;

void ConfigDiagnostics::errorAt(ConfigLocation loc, const std::string &message) {
  std::string text = source_;
  if (loc.line > 0)
    text += ":" + std::to_string(loc.line) + ":" + std::to_string(loc.column);
  text += ": " + message;
  entries_.push_back({loc, std::move(text), entries_.size()});
}

void ConfigDiagnostics::error(const std::string &path, ConfigLocation loc,
                              const std::string &message) {
  errorAt(loc, path + ": " + message);
}

Error ConfigDiagnostics::toError() const {
  std::vector<const Entry *> sorted;
  for (const Entry &e : entries_)
    sorted.push_back(&e);
  auto key = [](const Entry *e) {
    int line = e->loc.line > 0 ? e->loc.line : INT32_MAX;
    return std::make_tuple(line, e->loc.column, e->order);
  };
  std::stable_sort(sorted.begin(), sorted.end(),
                   [&](const Entry *a, const Entry *b) { return key(a) < key(b); });
  std::string message;
  for (size_t i = 0; i < sorted.size() && i < kMaxListed; ++i) {
    if (i)
      message += "\n";
    message += sorted[i]->text;
  }
  if (sorted.size() > kMaxListed)
    message += "\n" + source_ + ": ... and " +
               std::to_string(sorted.size() - kMaxListed) + " more errors";
  return Error(message);
}

} // namespace strata::archcfg
