//===- BinaryLabelsTest.cpp - Code labels (format 1.1) --------------------===//
#include "BinaryCompare.h"
#include "SampleBinary.h"

#include <gtest/gtest.h>

namespace strata::bintest {
namespace {

bin::Binary labelled(const SampleData &data) {
  bin::Binary b = sampleBinary(data);
  // Entry 0, core 0 holds sampleProgram (9 instructions).
  b.entries[0].labels = {{"blk.0.attn_q", 0, 0, 3}, {"blk.0.ffn", 0, 5, 9}};
  return b;
}

bool hasSection(const std::vector<uint8_t> &file, const char *name) {
  std::string_view bytes(reinterpret_cast<const char *>(file.data()), file.size());
  return bytes.find(name) != std::string_view::npos;
}

TEST(BinaryLabels, RoundTrip) {
  TempDir dir;
  SampleData data;
  bin::Binary b = labelled(data);
  b.entries[1].labels = {{"output", 0, 0, 1}};
  ASSERT_TRUE(writeBinary(b, dir.file("l.npubin")));
  auto back = readBinary(dir.file("l.npubin"));
  ASSERT_TRUE(back) << back.message();
  test::expectSameBinary(b, *back);
  auto version = readBinaryFormatVersion(dir.file("l.npubin"));
  ASSERT_TRUE(version);
  EXPECT_EQ(version->major, 1);
  EXPECT_EQ(version->minor, 1);
}

TEST(BinaryLabels, NoLabelsNoSection) {
  TempDir dir;
  SampleData data;
  ASSERT_TRUE(writeBinary(sampleBinary(data), dir.file("a.npubin")));
  EXPECT_FALSE(hasSection(readFile(dir.file("a.npubin")), ".strata.labels"));
  ASSERT_TRUE(writeBinary(labelled(data), dir.file("b.npubin")));
  EXPECT_TRUE(hasSection(readFile(dir.file("b.npubin")), ".strata.labels"));
}

TEST(BinaryLabels, CheckRejectsBadLabels) {
  SampleData data;
  struct Case {
    bin::CodeLabel label;
    const char *message;
  } cases[] = {
      {{"", 0, 0, 1}, "has an empty name"},
      {{"x", 7, 0, 1}, "names core 7"},
      {{"x", 0, 2, 2}, "covers instructions [2, 2)"},
      {{"x", 0, 5, 10}, "covers instructions [5, 10)"},
      {{"x", 0, 2, 4}, "overlap"},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.message);
    bin::Binary b = labelled(data);
    b.entries[0].labels.push_back(c.label);
    Status s = checkBinary(b);
    ASSERT_FALSE(s);
    EXPECT_NE(s.message().find(c.message), std::string::npos) << s.message();
  }
}

TEST(BinaryLabels, ReaderRejectsALabelOfAMissingEntry) {
  TempDir dir;
  SampleData data;
  ASSERT_TRUE(writeBinary(labelled(data), dir.file("l.npubin")));
  std::vector<uint8_t> bytes = readFile(dir.file("l.npubin"));
  // The first label row's entry index follows its name offset; find the row
  // by its (begin, end) = (0, 3) and (5, 9) pattern and corrupt the entry.
  const uint8_t row1[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0};
  size_t at = std::string::npos;
  for (size_t i = 0; i + sizeof(row1) <= bytes.size(); ++i)
    if (std::memcmp(bytes.data() + i, row1, sizeof(row1)) == 0 && i >= 4) {
      at = i;
      break;
    }
  ASSERT_NE(at, std::string::npos);
  bytes[at] = 9; // entry index 9
  auto back = readBinaryFromMemory(bytes.data(), bytes.size(), "patched.npubin");
  ASSERT_FALSE(back);
  EXPECT_NE(back.message().find("names entry point 9"), std::string::npos) << back.message();
}

} // namespace
} // namespace strata::bintest
