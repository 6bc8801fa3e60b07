//===- AsmCliTest.cpp - `strata asm` exit codes, diagnostics and output ---===//
#include "RunTool.h"
#include "strata/target/ArchConfigIO.h"
#include "strata/target/Assembly.h"
#include "strata/target/BinaryIO.h"
#include "strata/target/Encoding.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace strata {
namespace {

using namespace strata::test;

std::string example(const std::string &name) {
  return std::string(STRATA_SOURCE_DIR) + "/examples/asm/" + name;
}

TEST(StrataAsmCli, AssemblesGemmSoftmaxForTheDefaultArch) {
  std::string out = tempPath("gemm_softmax.npubin");
  std::remove(out.c_str());
  ToolRun r = runStrata("asm '" + example("gemm_softmax.s") + "' -o '" + out + "'");
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.out, "") << "quiet unless -v";

  Expected<bin::Binary> written = readBinary(out);
  ASSERT_TRUE(written) << written.message();
  Expected<bin::Binary> source = bin::assembleFile(example("gemm_softmax.s"));
  ASSERT_TRUE(source) << source.message();
  ASSERT_EQ(written->entries.size(), 1u);
  EXPECT_TRUE(isa::sameEncoding(written->entries[0].cores[0], source->entries[0].cores[0]));
  ASSERT_EQ(written->constants.size(), 2u);
  EXPECT_EQ(std::string(reinterpret_cast<const char *>(written->constants[1].data), 512),
            std::string(reinterpret_cast<const char *>(source->constants[1].data), 512));
  EXPECT_EQ(written->meta.toolVersion, "hand-written");
  Expected<ArchConfig> def = findArchConfig("npu-default");
  ASSERT_TRUE(def) << def.message();
  EXPECT_EQ(written->archHash, archConfigHash(*def));
  EXPECT_EQ(written->archConfigYaml, archConfigToYaml(*def));

  ToolRun dump = runStrata("objdump '" + out + "'");
  ASSERT_EQ(dump.exitCode, 0) << dump.err;
  EXPECT_NE(dump.out.find("gemm m=8 n=16 k=16 a=f16 b=f16 out=f32"), std::string::npos)
      << dump.out;
}

TEST(StrataAsmCli, RecordsTheRequestedArchAndSummarises) {
  std::string out = tempPath("double_buffer.npubin");
  ToolRun r = runStrata("asm '" + example("double_buffer.s") + "' -o '" + out +
                       "' --arch npu-edge -v");
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("1 entry point, 26 instructions, 0 bytes of constants, arch npu-edge"),
            std::string::npos)
      << r.out;
  Expected<bin::Binary> written = readBinary(out);
  ASSERT_TRUE(written) << written.message();
  Expected<ArchConfig> edge = findArchConfig("npu-edge");
  ASSERT_TRUE(edge) << edge.message();
  EXPECT_EQ(written->archHash, archConfigHash(*edge));
}

TEST(StrataAsmCli, DefaultOutputNameAndTheRecordedArch) {
  // A disassembled binary carries its arch; assembling it again keeps it.
  std::string first = tempPath("edge.npubin");
  ASSERT_EQ(runStrata("asm '" + example("gemm_softmax.s") + "' -o '" + first +
                      "' --arch npu-edge")
                .exitCode,
            0);
  Expected<bin::Binary> b = readBinary(first);
  ASSERT_TRUE(b) << b.message();
  std::string src = writeTempFile("again.s", bin::disassemble(*b));
  ToolRun r = runStrata("asm '" + src + "'");
  ASSERT_EQ(r.exitCode, 0) << r.err;
  Expected<bin::Binary> again = readBinary(tempPath("again.npubin"));
  ASSERT_TRUE(again) << again.message();
  EXPECT_EQ(again->archHash, b->archHash);

  // A tampered hash is caught.
  std::string text = bin::disassemble(*b);
  size_t at = text.find(".arch_hash \"") + 12;
  text[at] = text[at] == '0' ? '1' : '0';
  ToolRun bad = runStrata("asm '" + writeTempFile("tampered.s", text) + "'");
  EXPECT_EQ(bad.exitCode, 1);
  EXPECT_NE(bad.err.find("does not match the hash of the .arch_yaml config"), std::string::npos)
      << bad.err;
}

TEST(StrataAsmCli, ErrorsExitNonZeroWithTheDiagnostic) {
  std::string bad = writeTempFile("bad.s", ".entry main\n.core 0\n    gemm m=64 lbd=3\n    halt\n");
  ToolRun r = runStrata("asm '" + bad + "' -o '" + tempPath("bad.npubin'"));
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("bad.s:3:15: error: unknown key 'lbd' for gemm\n"
                       "    gemm m=64 lbd=3\n"
                       "              ^"),
            std::string::npos)
      << r.err;

  std::string cores = writeTempFile("cores.s", ".entry main\n.core 3\n    halt\n");
  r = runStrata("asm '" + cores + "' --arch npu-edge");
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("cores.s:2:7: error: core 3 does not exist: the architecture has 1 core"),
            std::string::npos)
      << r.err;

  r = runStrata("asm '" + cores + "' --arch no-such-arch");
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("strata asm: error: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("no-such-arch"), std::string::npos) << r.err;

  r = runStrata("asm /nonexistent/file.s");
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("strata asm: error: cannot open '/nonexistent/file.s'"), std::string::npos)
      << r.err;
}

} // namespace
} // namespace strata
