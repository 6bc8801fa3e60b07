//===- TestPaths.h - Per-process temporary paths for tests ------*- C++ -*-===//
//
// ctest runs every discovered test as its own process, several at a time, so
// a fixed file name under the temp directory would be shared by concurrent
// tests. tempPath() makes names unique per process (and removes them at
// exit); writeTempFile() puts a test's input file there.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <system_error>
#include <unistd.h>

namespace strata::test {

namespace detail {
/// Every path tempPath() handed out in this process. They are removed
/// (files or whole directories) when the process exits, so test runs leave
/// nothing behind in the temp directory.
inline std::set<std::string> &tempPathsToRemove() {
  static std::set<std::string> *paths = [] {
    auto *set = new std::set<std::string>();
    static const pid_t owner = ::getpid();
    std::atexit([] {
      if (::getpid() != owner) // a forked child leaves its parent's files alone
        return;
      for (const std::string &p : tempPathsToRemove()) {
        std::error_code ignored;
        std::filesystem::remove_all(p, ignored);
      }
    });
    return set;
  }();
  return *paths;
}
} // namespace detail

/// `<temp dir>/strata-<pid>-<name>`, removed when the process exits.
inline std::string tempPath(const std::string &name) {
  std::string dir = ::testing::TempDir();
  if (!dir.empty() && dir.back() != '/')
    dir += '/';
  std::string path = dir + "strata-" + std::to_string(::getpid()) + "-" + name;
  detail::tempPathsToRemove().insert(path);
  return path;
}

/// Writes `text` to tempPath(name) and returns the path.
inline std::string writeTempFile(const std::string &name, const std::string &text) {
  std::string path = tempPath(name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

} // namespace strata::test
