//===- TestPaths.h - Per-process temporary paths for tests ------*- C++ -*-===//
//
// ctest runs every discovered test as its own process, several at a time, so
// a fixed file name under the temp directory would be shared by concurrent
// tests. tempPath() makes names unique per process; writeTempFile() puts a
// test's input file there.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <gtest/gtest.h>

#include <fstream>
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

/// Writes `text` to tempPath(name) and returns the path.
inline std::string writeTempFile(const std::string &name, const std::string &text) {
  std::string path = tempPath(name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

} // namespace strata::test
