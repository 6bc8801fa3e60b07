//===- TestPaths.h - Per-process temporary paths for tests ------*- C++ -*-===//
//
// ctest runs every discovered test as its own process, several at a time, so
// a fixed file name under the temp directory would be shared by concurrent
// tests. tempPath() makes names unique per process.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <unistd.h>

namespace strata::test {

/// `<temp dir>/strata-<pid>-<name>`.
inline std::string tempPath(const std::string &name) {
  std::string dir = ::testing::TempDir();
  if (!dir.empty() && dir.back() != '/')
    dir += '/';
  return dir + "strata-" + std::to_string(::getpid()) + "-" + name;
}

} // namespace strata::test
