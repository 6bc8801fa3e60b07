//===- KeySuggestion.h - "did you mean" for misspelt keys -------*- C++ -*-===//
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::archcfg {

/// The known key closest to `typed`, if it is close enough to be a likely
/// typo. A typed word may also match the leading words of a longer key
/// ("chanels" suggests "channels_per_stack").
std::optional<std::string> suggestKey(std::string_view typed,
                                      const std::vector<std::string> &known);

} // namespace strata::archcfg
