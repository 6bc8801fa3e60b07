//===- ConfigTestUtil.h - Helpers for the arch config tests -----*- C++ -*-===//
#pragma once

#include "TestPaths.h"
#include "strata/target/ArchConfigIO.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace strata::test {

inline std::string shippedConfig(const std::string &name) {
  return std::string(STRATA_SOURCE_DIR) + "/configs/" + name + ".yaml";
}

/// Resolves YAML text named "t.yaml" in messages; fails the test on error.
inline ArchConfig resolveOk(const std::string &yaml) {
  Expected<ArchConfig> c = parseArchConfig(yaml, "t.yaml");
  EXPECT_TRUE(c.isOk()) << (c ? "" : c.message()) << "\nfor:\n" << yaml;
  return c ? *c : ArchConfig{};
}

/// The error message for YAML text that must not resolve.
inline std::string resolveError(const std::string &yaml) {
  Expected<ArchConfig> c = parseArchConfig(yaml, "t.yaml");
  EXPECT_FALSE(c.isOk()) << "accepted:\n" << yaml;
  return c ? std::string() : c.message();
}

} // namespace strata::test
