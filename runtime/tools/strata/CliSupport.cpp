//===- CliSupport.cpp - Helpers shared by the strata subcommands ----------===//
#include "CliSupport.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace strata::cli {

std::pair<std::string, std::string> splitAssignment(const std::string &command,
                                                    const std::string &text,
                                                    const char *option) {
  const size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
    fail(command, fmt::format("{} expects NAME=VALUE, got '{}'", option, text));
  return {text.substr(0, eq), text.substr(eq + 1)};
}

int64_t parseInteger(const std::string &command, const std::string &text,
                     const std::string &what) {
  errno = 0;
  char *end = nullptr;
  const long long v = std::strtoll(text.c_str(), &end, 0);
  if (errno != 0 || end == text.c_str() || *end != '\0')
    fail(command, fmt::format("{}: '{}' is not an integer", what, text));
  return int64_t(v);
}

Expected<std::string> readWholeFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Error(fmt::format("cannot open '{}': {}", path, std::strerror(errno)));
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

std::string entryNames(const bin::Binary &b) {
  std::string names;
  for (const bin::EntryPoint &e : b.entries)
    names += (names.empty() ? "" : ", ") + e.name;
  return names;
}

namespace {

/// `bytes` in the largest binary unit it reaches (at most TiB).
std::pair<double, const char *> inBinaryUnits(double bytes) {
  static const char *const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 4) {
    bytes /= 1024;
    ++unit;
  }
  return {bytes, kUnits[unit]};
}

} // namespace

std::string humanBytes(double bytes) {
  auto [value, unit] = inBinaryUnits(bytes);
  return bytes < 1024 ? fmt::format("{:.0f} B", bytes) : fmt::format("{:.1f} {}", value, unit);
}

std::string binaryBytes(uint64_t bytes) {
  auto [value, unit] = inBinaryUnits(double(bytes));
  return bytes < 1024 ? fmt::format("{} B", bytes) : fmt::format("{:g} {}", value, unit);
}

std::string humanTime(double seconds) {
  if (seconds < 1e-6)
    return fmt::format("{:.1f} ns", seconds * 1e9);
  if (seconds < 1e-3)
    return fmt::format("{:.3f} us", seconds * 1e6);
  if (seconds < 1)
    return fmt::format("{:.3f} ms", seconds * 1e3);
  return fmt::format("{:.3f} s", seconds);
}

std::string humanEnergy(double joules) {
  if (joules < 1e-6)
    return fmt::format("{:.2f} nJ", joules * 1e9);
  if (joules < 1e-3)
    return fmt::format("{:.2f} uJ", joules * 1e6);
  return fmt::format("{:.3f} mJ", joules * 1e3);
}

} // namespace strata::cli
