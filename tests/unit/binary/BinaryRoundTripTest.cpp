//===- BinaryRoundTripTest.cpp - write -> read preserves everything -------===//
#include "BinaryCompare.h"
#include "SampleBinary.h"

#include "strata/target/Encoding.h"

#include <gtest/gtest.h>

#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>

namespace strata::bintest {
namespace {

using namespace bin;

TEST(BinaryRoundTrip, EveryFieldSurvives) {
  TempDir dir;
  SampleData data;
  Binary original = sampleBinary(data);
  std::string path = dir.file("model.npubin");
  ASSERT_TRUE(writeBinary(original, path).isOk());

  auto loaded = readBinary(path);
  ASSERT_TRUE(loaded.isOk()) << loaded.message();
  test::expectSameBinary(original, *loaded);
  // The idle core stays idle and the programs keep their length.
  EXPECT_TRUE(loaded->entries[1].cores[1].empty());
  EXPECT_EQ(loaded->entries[0].cores[0].size(), sampleProgram(0).size());
}

TEST(BinaryRoundTrip, ConstantDataPointsIntoTheMappingWithoutCopy) {
  TempDir dir;
  SampleData data;
  std::string path = dir.file("model.npubin");
  ASSERT_TRUE(writeBinary(sampleBinary(data), path).isOk());
  uint64_t fileSize = readFile(path).size();

  auto loaded = readBinary(path);
  ASSERT_TRUE(loaded.isOk()) << loaded.message();
  ASSERT_TRUE(loaded->storage);
  const auto *base = static_cast<const uint8_t *>(loaded->storage.get());
  for (const ConstSegment &c : loaded->constants) {
    ASSERT_NE(c.data, nullptr);
    EXPECT_GE(c.data, base) << c.name;
    EXPECT_LE(c.data + c.size, base + fileSize) << c.name;
    // Page-aligned in the file, so each segment could be mapped on its own.
    EXPECT_EQ((c.data - base) % kConstSegmentAlignment, 0u) << c.name;
  }
}

TEST(BinaryRoundTrip, MappingOutlivesAReplacedFile) {
  TempDir dir;
  SampleData data;
  std::string path = dir.file("model.npubin");
  ASSERT_TRUE(writeBinary(sampleBinary(data), path).isOk());
  auto first = readBinary(path);
  ASSERT_TRUE(first.isOk()) << first.message();

  // Overwriting renames a new file into place; the old mapping is unaffected.
  SampleData other;
  other.wq = patternBytes(other.wq.size(), 99);
  ASSERT_TRUE(writeBinary(sampleBinary(other), path).isOk());
  EXPECT_EQ(0, std::memcmp(first->constants[0].data, data.wq.data(), data.wq.size()));
  auto second = readBinary(path);
  ASSERT_TRUE(second.isOk()) << second.message();
  EXPECT_EQ(0, std::memcmp(second->constants[0].data, other.wq.data(), other.wq.size()));
}

TEST(BinaryRoundTrip, CopiesOfTheBinaryShareTheMapping) {
  TempDir dir;
  SampleData data;
  std::string path = dir.file("model.npubin");
  ASSERT_TRUE(writeBinary(sampleBinary(data), path).isOk());
  Binary copy;
  {
    auto loaded = readBinary(path);
    ASSERT_TRUE(loaded.isOk()) << loaded.message();
    copy = *loaded;
  }
  // The original is gone; the copy's storage keeps the bytes mapped.
  EXPECT_EQ(0, std::memcmp(copy.constants[1].data, data.wk.data(), data.wk.size()));
}

TEST(BinaryRoundTrip, TimingOnlySegmentsTakeNoFileSpace) {
  TempDir dir;
  SampleData data;
  Binary b = sampleBinary(data);
  // 64 MiB of weights that the file does not carry.
  b.regions[0] = {"weights", RegionKind::Weights, 0x10000000, 65ull << 20};
  b.constants[0].hbmAddress = 0x10000000;
  b.constants[0].size = 64ull << 20;
  b.constants[1].hbmAddress = 0x10000000 + (64ull << 20);
  for (ConstSegment &c : b.constants)
    c.data = nullptr;
  std::string path = dir.file("timing.npubin");
  ASSERT_TRUE(writeBinary(b, path).isOk());
  EXPECT_LT(readFile(path).size(), 64u << 10);

  auto loaded = readBinary(path);
  ASSERT_TRUE(loaded.isOk()) << loaded.message();
  test::expectSameBinary(b, *loaded);
  EXPECT_EQ(loaded->constants[0].size, 64ull << 20);
  EXPECT_EQ(loaded->constants[0].data, nullptr);
}

TEST(BinaryRoundTrip, MixedDataAndTimingOnlySegments) {
  TempDir dir;
  SampleData data;
  Binary b = sampleBinary(data);
  b.constants[1].data = nullptr;
  std::string path = dir.file("mixed.npubin");
  ASSERT_TRUE(writeBinary(b, path).isOk());
  auto loaded = readBinary(path);
  ASSERT_TRUE(loaded.isOk()) << loaded.message();
  test::expectSameBinary(b, *loaded);
}

TEST(BinaryRoundTrip, MinimalBinary) {
  TempDir dir;
  Binary b;
  b.entries = {{"main", {}, {{isa::ControlInstr{isa::Opcode::Halt}}}, {}}};
  std::string path = dir.file("min.npubin");
  ASSERT_TRUE(writeBinary(b, path).isOk());
  auto loaded = readBinary(path);
  ASSERT_TRUE(loaded.isOk()) << loaded.message();
  test::expectSameBinary(b, *loaded);
}

TEST(BinaryRoundTrip, ReadFromMemoryPointsIntoTheBuffer) {
  TempDir dir;
  SampleData data;
  std::string path = dir.file("model.npubin");
  ASSERT_TRUE(writeBinary(sampleBinary(data), path).isOk());
  std::vector<uint8_t> bytes = readFile(path);
  auto loaded = readBinaryFromMemory(bytes.data(), bytes.size(), "buffer");
  ASSERT_TRUE(loaded.isOk()) << loaded.message();
  EXPECT_FALSE(loaded->storage);
  const ConstSegment &c = loaded->constants[0];
  EXPECT_GE(c.data, bytes.data());
  EXPECT_LE(c.data + c.size, bytes.data() + bytes.size());
}

TEST(BinaryRoundTrip, WritingIsDeterministic) {
  TempDir dir;
  SampleData data;
  ASSERT_TRUE(writeBinary(sampleBinary(data), dir.file("a.npubin")).isOk());
  ASSERT_TRUE(writeBinary(sampleBinary(data), dir.file("b.npubin")).isOk());
  EXPECT_EQ(readFile(dir.file("a.npubin")), readFile(dir.file("b.npubin")));
}

std::vector<std::string> listDir(const std::string &path) {
  std::vector<std::string> names;
  if (DIR *d = ::opendir(path.c_str())) {
    while (dirent *e = ::readdir(d))
      if (std::string n = e->d_name; n != "." && n != "..")
        names.push_back(n);
    ::closedir(d);
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST(BinaryWrite, RejectedBinaryLeavesTheExistingFileIntact) {
  TempDir dir;
  SampleData data;
  std::string path = dir.file("model.npubin");
  ASSERT_TRUE(writeBinary(sampleBinary(data), path).isOk());
  std::vector<uint8_t> before = readFile(path);

  Binary bad = sampleBinary(data);
  bad.regions[1].hbmAddress = 0x80000; // overlaps the weights
  Status s = writeBinary(bad, path);
  ASSERT_FALSE(s.isOk());
  EXPECT_NE(s.message().find("cannot write '" + path + "'"), std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("overlap"), std::string::npos) << s.message();
  EXPECT_EQ(readFile(path), before);
  EXPECT_EQ(listDir(dir.path()), std::vector<std::string>{"model.npubin"});
}

TEST(BinaryWrite, FailureMidWriteLeavesTheExistingFileIntact) {
  TempDir dir;
  SampleData data;
  std::string path = dir.file("model.npubin");
  ASSERT_TRUE(writeBinary(sampleBinary(data), path).isOk());
  std::vector<uint8_t> before = readFile(path);

  // A 4 MiB constant against a 256 KiB file-size limit: write() fails with
  // EFBIG part-way through the constant data.
  std::vector<uint8_t> big = patternBytes(4 << 20, 7);
  Binary b = sampleBinary(data);
  b.constants[0].size = big.size();
  b.constants[0].data = big.data();
  b.constants[1].hbmAddress = 0x800000 - 0x1000;
  b.regions[0].size = 0x800000;
  b.regions[1].hbmAddress = 0x800000;
  b.regions[2].hbmAddress = 0x900000;
  b.regions[3].hbmAddress = 0xa00000;
  for (IoBinding &io : b.io)
    io.hbmAddress += 0xa00000 - 0x300000;

  struct rlimit old;
  ASSERT_EQ(0, ::getrlimit(RLIMIT_FSIZE, &old));
  auto oldHandler = ::signal(SIGXFSZ, SIG_IGN);
  struct rlimit lim = old;
  lim.rlim_cur = 256 << 10;
  ASSERT_EQ(0, ::setrlimit(RLIMIT_FSIZE, &lim));
  Status s = writeBinary(b, path);
  ::setrlimit(RLIMIT_FSIZE, &old);
  ::signal(SIGXFSZ, oldHandler);

  ASSERT_FALSE(s.isOk());
  EXPECT_NE(s.message().find("cannot write '" + path + "': write failed"),
            std::string::npos)
      << s.message();
  EXPECT_EQ(readFile(path), before);
  EXPECT_EQ(listDir(dir.path()), std::vector<std::string>{"model.npubin"});
}

TEST(BinaryWrite, MissingDirectoryIsAnError) {
  SampleData data;
  Status s = writeBinary(sampleBinary(data), "/nonexistent-strata-dir/x.npubin");
  ASSERT_FALSE(s.isOk());
  EXPECT_NE(s.message().find("cannot write '/nonexistent-strata-dir/x.npubin'"),
            std::string::npos)
      << s.message();
}

TEST(BinaryRead, MissingFileIsAnError) {
  auto r = readBinary("/nonexistent-strata-dir/x.npubin");
  ASSERT_FALSE(r.isOk());
  EXPECT_NE(r.message().find("cannot open '/nonexistent-strata-dir/x.npubin'"),
            std::string::npos)
      << r.message();
}

TEST(BinaryRead, DirectoryIsAnError) {
  TempDir dir;
  auto r = readBinary(dir.path());
  ASSERT_FALSE(r.isOk());
  EXPECT_NE(r.message().find("not a regular file"), std::string::npos) << r.message();
}

} // namespace
} // namespace strata::bintest
