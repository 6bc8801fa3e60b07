//===- CliSupport.h - Helpers shared by the strata subcommands --*- C++ -*-===//
//
// What several subcommands do alike: stop with a diagnostic on an error
// value, parse NAME=VALUE options, read input files, pick an entry point, and
// print sizes, times and energies for people.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "Commands.h"

#include "strata/support/Error.h"
#include "strata/target/Binary.h"

#include <cstdint>
#include <string>
#include <utility>

namespace strata::cli {

/// The value held by `e`; otherwise fails `command` with its message.
template <typename T> T valueOrFail(const std::string &command, Expected<T> e) {
  if (!e)
    fail(command, e.message());
  return e.takeValue();
}

/// Fails `command` with the message of a failed status.
inline void checkOrFail(const std::string &command, const Status &s) {
  if (!s)
    fail(command, s.message());
}

/// Splits "NAME=VALUE" at the first '='; both sides must be non-empty, else
/// `command` fails naming `option`.
std::pair<std::string, std::string> splitAssignment(const std::string &command,
                                                    const std::string &text, const char *option);

/// A whole decimal, 0x-hex or 0-octal integer; else `command` fails naming `what`.
int64_t parseInteger(const std::string &command, const std::string &text, const std::string &what);

/// The bytes of a file; an error reads "cannot open 'PATH': <reason>".
Expected<std::string> readWholeFile(const std::string &path);

/// "prefill, decode": the binary's entry point names, for messages.
std::string entryNames(const bin::Binary &b);

/// "4.9 KiB": a rounded size for people who skim (below 1 KiB: "1000 B").
std::string humanBytes(double bytes);
/// "8 MiB", "1.5 GiB": a size in the largest binary unit, as many digits as it needs.
std::string binaryBytes(uint64_t bytes);
/// "778.3 ns", "1.250 us", "3.000 ms", "2.000 s".
std::string humanTime(double seconds);
/// "4.46 uJ", "12.00 nJ", "1.500 mJ".
std::string humanEnergy(double joules);

} // namespace strata::cli
