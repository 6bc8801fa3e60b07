//===- SharedData.h - Locating the reference models for tests ---*- C++ -*-===//
//
// Reference models live outside the repository (STRATA_SHARED_DIR, or the
// environment variable of the same name). A test whose data is absent is
// reported as skipped with the path it looked for, never passed silently.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/models/ModelConfig.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace strata::models::testing {

inline std::string sharedDir() {
  if (const char *env = std::getenv("STRATA_SHARED_DIR"); env && *env)
    return env;
  return STRATA_SHARED_DIR;
}

/// Path of a file under <shared>/models.
inline std::string modelPath(const std::string &relative) {
  return sharedDir() + "/models/" + relative;
}

/// The architecture of the stories260K reference model, whichever file
/// format it was loaded from (its README lists these numbers).
inline void expectStories260KArchitecture(const ModelConfig &c) {
  EXPECT_EQ(c.family, Family::Llama);
  EXPECT_EQ(c.dim, 64u);
  EXPECT_EQ(c.hiddenDim, 172u);
  EXPECT_EQ(c.nLayers, 5u);
  EXPECT_EQ(c.nHeads, 8u);
  EXPECT_EQ(c.nKvHeads, 4u);
  EXPECT_EQ(c.headDim, 8u);
  EXPECT_EQ(c.vocabSize, 512u);
  EXPECT_EQ(c.ropeStyle, RopeStyle::Interleaved);
}

inline bool pathExists(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

inline nlohmann::json readJson(const std::string &path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

inline std::vector<nlohmann::json> readJsonLines(const std::string &path) {
  std::ifstream in(path);
  std::vector<nlohmann::json> lines;
  std::string line;
  while (std::getline(in, line))
    if (!line.empty())
      lines.push_back(nlohmann::json::parse(line));
  return lines;
}

inline std::string readBytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void writeBytes(const std::string &path, const std::string &bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

/// A fresh directory under the system temp dir, removed at scope exit.
class TempDir {
public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "strata-models-XXXXXX").string();
    if (::mkdtemp(tmpl.data()))
      path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty())
      std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;
  const std::string &path() const { return path_; }
  std::string file(const std::string &name) const { return path_ + "/" + name; }

private:
  std::string path_;
};

} // namespace strata::models::testing

/// Skips the current test (with the reason) when a shared file is missing.
#define STRATA_REQUIRE_MODEL_FILE(relative)                                             \
  do {                                                                                  \
    const std::string path_ = ::strata::models::testing::modelPath(relative);           \
    if (!::strata::models::testing::pathExists(path_))                                  \
      GTEST_SKIP() << "reference data not present: " << path_;                          \
  } while (0)
