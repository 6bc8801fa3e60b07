//===- RunTool.h - Run a built executable and capture its output -*- C++ -*-===//
//
// CLI tests run the real `strata` binary the way a user does and check its
// exit code, stdout and stderr separately (errors must go to stderr).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "TestPaths.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/wait.h>

namespace strata::test {

struct ToolRun {
  int exitCode = -1; ///< -1 when the tool did not exit normally (a signal)
  std::string out;   ///< stdout
  std::string err;   ///< stderr
};

/// The whole file as bytes; empty if it cannot be read.
inline std::string readTextFile(const std::string &path) {
  std::string text;
  if (FILE *f = std::fopen(path.c_str(), "rb")) {
    std::array<char, 4096> buf;
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0)
      text.append(buf.data(), n);
    std::fclose(f);
  }
  return text;
}

/// Runs `tool args` through the shell (`args` is shell text: quote paths).
inline ToolRun runTool(const std::string &tool, const std::string &args) {
  std::string outPath = tempPath("tool.out");
  std::string errPath = tempPath("tool.err");
  std::string command =
      "'" + tool + "' " + args + " >'" + outPath + "' 2>'" + errPath + "'";
  int status = std::system(command.c_str());
  ToolRun r;
  r.exitCode = status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = readTextFile(outPath);
  r.err = readTextFile(errPath);
  std::remove(outPath.c_str());
  std::remove(errPath.c_str());
  return r;
}

#ifdef STRATA_CLI
/// Runs the `strata` executable this test was built with (STRATA_CLI).
inline ToolRun runStrata(const std::string &args) { return runTool(STRATA_CLI, args); }
#endif

} // namespace strata::test
