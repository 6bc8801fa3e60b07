//===- ConfigUnits.h - Scalars of the config file ---------------*- C++ -*-===//
//
// Strict readers for the scalar forms a config may use, and the writers the
// canonical YAML uses so that what is printed reads back to the same value.
//
//   integer   decimal digits with an optional sign: 64, -3
//   number    an integer or a decimal/exponent real: 0.85, 1e3 (finite only)
//   size      an integer byte count or a number with a binary unit:
//             4096, 8MiB, 1.5KiB, 16 GiB (B, KiB, MiB, GiB, TiB). Decimal
//             units (KB, MB, GB) are rejected as ambiguous.
//   timing    a cycle count (14) or a duration (14ns, 3.9us, 1250ps)
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/target/ArchConfigSpec.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace strata::archcfg {

/// On failure these return std::nullopt and set `why` to the end of a
/// sentence such as "must be an integer".
std::optional<int64_t> parseInteger(std::string_view text, std::string &why);
std::optional<double> parseNumber(std::string_view text, std::string &why);
std::optional<int64_t> parseSize(std::string_view text, std::string &why);
std::optional<TimingValue> parseTiming(std::string_view text, std::string &why);

/// Shortest text that parses back to exactly `value` ("0.85", "1000", "1e-05").
std::string formatNumber(double value);
/// "8MiB" when `bytes` is a whole number of the largest fitting unit, else digits.
std::string formatSize(uint64_t bytes);

constexpr bool isPowerOfTwo(uint64_t v) { return v && !(v & (v - 1)); }

} // namespace strata::archcfg
