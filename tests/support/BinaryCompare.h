//===- BinaryCompare.h - Field-by-field equality of NPU binaries -*- C++ -*-===//
//
// Round-trip tests (write/read, assemble/disassemble) compare every field of
// two bin::Binary values, constant bytes and instruction encodings included,
// and name the first field that differs.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/target/Binary.h"
#include "strata/target/Encoding.h"

#include <gtest/gtest.h>

#include <cstring>

namespace strata::test {

inline void expectSameBinary(const bin::Binary &a, const bin::Binary &b) {
  EXPECT_EQ(a.isaMajor, b.isaMajor);
  EXPECT_EQ(a.isaMinor, b.isaMinor);
  EXPECT_EQ(a.meta.toolVersion, b.meta.toolVersion);
  EXPECT_EQ(a.meta.passPipeline, b.meta.passPipeline);
  EXPECT_EQ(a.meta.modelName, b.meta.modelName);
  EXPECT_EQ(a.meta.extra, b.meta.extra);
  EXPECT_EQ(a.archConfigYaml, b.archConfigYaml);
  EXPECT_EQ(a.archHash, b.archHash);

  ASSERT_EQ(a.regions.size(), b.regions.size());
  for (size_t i = 0; i < a.regions.size(); ++i) {
    EXPECT_EQ(a.regions[i].name, b.regions[i].name);
    EXPECT_EQ(a.regions[i].kind, b.regions[i].kind);
    EXPECT_EQ(a.regions[i].hbmAddress, b.regions[i].hbmAddress);
    EXPECT_EQ(a.regions[i].size, b.regions[i].size);
  }
  ASSERT_EQ(a.io.size(), b.io.size());
  for (size_t i = 0; i < a.io.size(); ++i) {
    EXPECT_EQ(a.io[i].name, b.io[i].name);
    EXPECT_EQ(a.io[i].direction, b.io[i].direction);
    EXPECT_EQ(a.io[i].dtype, b.io[i].dtype);
    EXPECT_EQ(a.io[i].shape, b.io[i].shape);
    EXPECT_EQ(a.io[i].hbmAddress, b.io[i].hbmAddress);
  }
  ASSERT_EQ(a.constants.size(), b.constants.size());
  for (size_t i = 0; i < a.constants.size(); ++i) {
    const bin::ConstSegment &x = a.constants[i], &y = b.constants[i];
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.hbmAddress, y.hbmAddress);
    ASSERT_EQ(x.size, y.size) << x.name;
    ASSERT_EQ(x.data == nullptr, y.data == nullptr) << x.name;
    if (x.data) {
      EXPECT_EQ(std::memcmp(x.data, y.data, x.size), 0) << x.name;
    }
  }
  ASSERT_EQ(a.entries.size(), b.entries.size());
  for (size_t i = 0; i < a.entries.size(); ++i) {
    const bin::EntryPoint &x = a.entries[i], &y = b.entries[i];
    EXPECT_EQ(x.name, y.name);
    ASSERT_EQ(x.params.size(), y.params.size()) << x.name;
    for (size_t p = 0; p < x.params.size(); ++p) {
      EXPECT_EQ(x.params[p].name, y.params[p].name);
      EXPECT_EQ(x.params[p].reg, y.params[p].reg);
    }
    ASSERT_EQ(x.cores.size(), y.cores.size()) << x.name;
    for (size_t c = 0; c < x.cores.size(); ++c)
      EXPECT_TRUE(isa::sameEncoding(x.cores[c], y.cores[c])) << x.name << " core " << c;
    ASSERT_EQ(x.labels.size(), y.labels.size()) << x.name;
    for (size_t l = 0; l < x.labels.size(); ++l) {
      EXPECT_EQ(x.labels[l].name, y.labels[l].name) << x.name;
      EXPECT_EQ(x.labels[l].core, y.labels[l].core) << x.labels[l].name;
      EXPECT_EQ(x.labels[l].begin, y.labels[l].begin) << x.labels[l].name;
      EXPECT_EQ(x.labels[l].end, y.labels[l].end) << x.labels[l].name;
    }
  }
}

} // namespace strata::test
