//===- ObjdumpTest.cpp - strata objdump on a small binary -----------------===//
//
// Runs the real `strata` executable and checks the lines a reader relies on;
// not a whole-output golden file, so cosmetic changes do not break it.
//
//===----------------------------------------------------------------------===//
#include "RunTool.h"
#include "SampleBinary.h"

#include "strata/target/ArchConfigIO.h"

#include <gtest/gtest.h>

namespace strata::bintest {
namespace {

using namespace bin;
using test::runStrata;
using test::ToolRun;

class Objdump : public ::testing::Test {
protected:
  void SetUp() override {
    Binary b = sampleBinary(data);
    ArchConfig arch = defaultArchConfig();
    b.archConfigYaml = archConfigToYaml(arch);
    b.archHash = archConfigHash(arch);
    b.constants[1].data = nullptr; // one timing-only segment
    path = dir.file("model.npubin");
    ASSERT_TRUE(writeBinary(b, path).isOk());
  }

  void expectLine(const std::string &out, const std::string &fragment) {
    EXPECT_NE(out.find(fragment), std::string::npos)
        << "missing: " << fragment << "\noutput:\n" << out;
  }

  TempDir dir;
  SampleData data;
  std::string path;
};

TEST_F(Objdump, MarksWhereEachCodeLabelBegins) {
  Binary b = sampleBinary(data);
  b.entries[0].labels = {{"blk.0.attn_q", 0, 2, 5}, {"blk.0.attn_q", 1, 0, 9}};
  const std::string labelled = dir.file("labelled.npubin");
  ASSERT_TRUE(writeBinary(b, labelled).isOk());
  ToolRun r = runStrata("objdump " + labelled + " --entry prefill");
  ASSERT_EQ(r.exitCode, 0) << r.err;
  expectLine(r.out, "instructions\n    li r2, 4096");
  const size_t core0 = r.out.find("# blk.0.attn_q (instructions 2..4)\n    ");
  const size_t core1 = r.out.find("core 1: 9 instructions\n  # blk.0.attn_q (instructions 0..8)\n");
  EXPECT_NE(core0, std::string::npos) << r.out;
  EXPECT_NE(core1, std::string::npos) << r.out;
  EXPECT_LT(core0, core1);
}

TEST_F(Objdump, ShowsEverySection) {
  ToolRun r = runStrata("objdump " + path);
  ASSERT_EQ(r.exitCode, 0) << r.err;
  const std::string &out = r.out;
  expectLine(out, path + ": Strata NPU binary");
  expectLine(out, "format version   " + std::to_string(kFormatVersionMajor) + "." +
                      std::to_string(kFormatVersionMinor));
  expectLine(out, "ISA version      " + std::to_string(isa::kIsaVersionMajor) + "." +
                      std::to_string(isa::kIsaVersionMinor));
  ArchConfig arch = defaultArchConfig();
  expectLine(out, "architecture     " + arch.name + ": " + std::to_string(arch.numCores) +
                      " cores, ");
  expectLine(out, "arch hash        " + archConfigHash(defaultArchConfig()) + "\n");
  expectLine(out, "tool version     strata 0.1.0");
  expectLine(out, "pass pipeline    fuse,quantize{policy=mixed},lower");
  expectLine(out, "model            tiny-test");
  expectLine(out, "seed             42");

  expectLine(out, "Memory plan: 4 regions in HBM");
  expectLine(out, "weights      weights      0x0000000000  0x0000100000  1048576 (1.0 MiB)");
  expectLine(out, "kv           kv-cache     0x0000200000  0x0000210000  65536 (64.0 KiB)");

  expectLine(out, "I/O bindings: 3");
  expectLine(out, "input      tokens  i32[1x16]  0x0000300000  64     io");
  expectLine(out, "output     logits  f32[1x32]  0x0000300040  128    io");

  expectLine(out, "Constant segments: 2");
  expectLine(out, "wq    0x0000000000  5000 (4.9 KiB)  in file             weights");
  expectLine(out, "wk    0x0000002000  300             none (timing only)  weights");

  expectLine(out, "Entry points: 2");
  expectLine(out, "prefill  pos=r1 len=r2  2 (9, 9 instructions)");
  expectLine(out, "decode   pos=r1         3 (9, idle, 9 instructions)");

  expectLine(out, "Entry point 'prefill', core 0: 9 instructions\n    li r2, 4096");
  expectLine(out, "Entry point 'decode', core 1: idle");
  expectLine(out, "Entry point 'decode', core 2: 9 instructions\n    li r2, 4099");
  expectLine(out, "  L6:\n    addi r3, r3, 1");
  expectLine(out, "bne r3, r1, L6");
  expectLine(out, "halt");
}

TEST_F(Objdump, HeadersOnly) {
  ToolRun r = runStrata("objdump --headers " + path);
  ASSERT_EQ(r.exitCode, 0) << r.err;
  expectLine(r.out, "model            tiny-test");
  EXPECT_EQ(r.out.find("Memory plan"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("li r2"), std::string::npos) << r.out;
}

TEST_F(Objdump, NoCode) {
  ToolRun r = runStrata("objdump --no-code " + path);
  ASSERT_EQ(r.exitCode, 0) << r.err;
  expectLine(r.out, "Entry points: 2");
  EXPECT_EQ(r.out.find("li r2"), std::string::npos) << r.out;
}

TEST_F(Objdump, OneEntryOneCore) {
  ToolRun r = runStrata("objdump --entry decode --core 2 " + path);
  ASSERT_EQ(r.exitCode, 0) << r.err;
  expectLine(r.out, "Entry points: 2 (showing 'decode')");
  expectLine(r.out, "Entry point 'decode', core 2: 9 instructions");
  EXPECT_EQ(r.out.find("core 0:"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("'prefill', core"), std::string::npos) << r.out;
}

TEST_F(Objdump, UnknownEntry) {
  ToolRun r = runStrata("objdump --entry dec " + path);
  EXPECT_NE(r.exitCode, 0);
  expectLine(r.err, "strata objdump: error: " + path +
                           ": no entry point named 'dec' (the binary has: prefill, decode)");
}

TEST_F(Objdump, CoreOutOfRange) {
  ToolRun r = runStrata("objdump --entry prefill --core 2 " + path);
  EXPECT_NE(r.exitCode, 0);
  expectLine(r.err, "--core 2 is out of range: entry point 'prefill' has 2 cores (0..1)");
}

TEST_F(Objdump, BadFile) {
  std::vector<uint8_t> bytes = readFile(path);
  bytes[18] = 0x3e;
  bytes[19] = 0;
  std::string bad = dir.file("bad.npubin");
  writeFile(bad, bytes);
  ToolRun r = runStrata("objdump " + bad);
  EXPECT_EQ(r.exitCode, 1);
  expectLine(r.err, "strata objdump: error: " + bad +
                           ": ELF machine is 0x3e, not the Strata NPU (0x5354)");
}

TEST_F(Objdump, MissingFile) {
  ToolRun r = runStrata("objdump " + dir.file("none.npubin"));
  EXPECT_EQ(r.exitCode, 1);
  expectLine(r.err, "cannot open '" + dir.file("none.npubin") + "'");
}

} // namespace
} // namespace strata::bintest
