//===- ConfigDiagnostics.h - Errors of one config file ----------*- C++ -*-===//
//
// Collects every error found while parsing or resolving one config, each
// with the key path and the place it was written, and turns them into one
// Error listing them in file order:
//
//   configs/x.yaml:12:5: hbm.channels_per_stack: must be a positive integer, got -3
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/support/Error.h"
#include "strata/target/ArchConfigSpec.h"

#include <string>
#include <vector>

namespace strata::archcfg {

class ConfigDiagnostics {
public:
  explicit ConfigDiagnostics(std::string source) : source_(std::move(source)) {}

  /// "<source>:<line>:<col>: <path>: <message>"
  void error(const std::string &path, ConfigLocation loc, const std::string &message);
  /// "<source>:<line>:<col>: <message>" for errors that are not about one key.
  void errorAt(ConfigLocation loc, const std::string &message);

  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }
  /// All errors, ordered by position (errors without one last), one a line.
  Error toError() const;
  const std::string &source() const { return source_; }

private:
  struct Entry {
    ConfigLocation loc;
    std::string text;
    size_t order;
  };
  std::string source_;
  std::vector<Entry> entries_;
};

} // namespace strata::archcfg
