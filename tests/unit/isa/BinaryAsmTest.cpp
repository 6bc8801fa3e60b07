//===- BinaryAsmTest.cpp - Whole-binary assembler and disassembler --------===//
#include "BinaryCompare.h"
#include "strata/support/Float16.h"
#include "strata/target/ArchConfig.h"
#include "strata/target/Assembly.h"
#include "strata/target/Encoding.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <unistd.h>

namespace strata::bin {
namespace {

Binary assembleOk(std::string_view text, const AssembleOptions &opts = {}) {
  Expected<Binary> b = assemble(text, "test.s", opts);
  EXPECT_TRUE(b) << (b ? "" : b.message());
  return b ? b.takeValue() : Binary{};
}

std::string assembleError(std::string_view text, const AssembleOptions &opts = {}) {
  Expected<Binary> b = assemble(text, "test.s", opts);
  return b ? "<assembled>" : b.message();
}

constexpr const char *kSmall = R"(
.tool "strata test"
.pipeline "fusion,quantize"
.model "tiny \"quoted\" model"
.meta seed "42"
.meta "key with spaces" "tab\there\x01"
.arch_hash "00ff"
.arch_yaml "name: tiny\n"
.arch_yaml "num_cores: 2\n"
.region w    kind=weights addr=0x0 size=0x1000
.region kv   kind=kv-cache addr=0x1000 size=0x1000
.region act  kind=io addr=0x2000 size=0x1000
.input tokens i32[4] addr=0x2000
.output logits f32[4,8] addr=0x2100
.input "pos scalar" i32[] addr=0x2200
.const emb addr=0x0
    .f32 1.0, -2.5, 3e-3
    .f16 1.0, 65504.0, 0.1
    .bf16 1.0, -0.5
    .i8 -128, 127, 255
    .i4 1, -1, 7
    .i32 -1, 0x7fffffff
    .byte 0xde, 0xad
    .zero 3
.const big addr=0x100 reserve=512   # size-only
.entry decode
.param pos r1
.param "kv base" r2
.core 0
    li r3, 0
  loop:
    addi r3, r3, 1
    blt r3, r1, loop
    dma.load src=hbm[r2+0x1000] dst=sram[0x0] size=64
    sem.signal load, s0
    sem.wait compute, s0
    halt
.core 2
    barrier compute, 0, 0x5
    halt
.entry prefill
.core 0
    fence
    halt
)";

TEST(BinaryAsm, AssemblesEveryPart) {
  Binary b = assembleOk(kSmall);
  EXPECT_EQ(b.isaMajor, isa::kIsaVersionMajor);
  EXPECT_EQ(b.meta.toolVersion, "strata test");
  EXPECT_EQ(b.meta.passPipeline, "fusion,quantize");
  EXPECT_EQ(b.meta.modelName, "tiny \"quoted\" model");
  ASSERT_EQ(b.meta.extra.size(), 2u);
  EXPECT_EQ(b.meta.extra[1].first, "key with spaces");
  EXPECT_EQ(b.meta.extra[1].second, "tab\there\x01");
  EXPECT_EQ(b.archConfigYaml, "name: tiny\nnum_cores: 2\n");
  EXPECT_EQ(b.archHash, "00ff");
  ASSERT_EQ(b.regions.size(), 3u);
  EXPECT_EQ(b.regions[1].kind, RegionKind::KvCache);
  ASSERT_EQ(b.io.size(), 3u);
  EXPECT_EQ(b.io[1].direction, IoDirection::Output);
  EXPECT_EQ(b.io[1].shape, (std::vector<int64_t>{4, 8}));
  EXPECT_TRUE(b.io[2].shape.empty());
  EXPECT_EQ(b.io[2].name, "pos scalar");

  ASSERT_EQ(b.constants.size(), 2u);
  const ConstSegment &emb = b.constants[0];
  ASSERT_NE(emb.data, nullptr);
  std::vector<uint8_t> expect;
  auto put = [&](uint64_t v, int n) {
    for (int i = 0; i < n; ++i)
      expect.push_back(uint8_t(v >> (8 * i)));
  };
  put(floatBits(1.0f), 4);
  put(floatBits(-2.5f), 4);
  put(floatBits(3e-3f), 4);
  put(f32ToF16(1.0f), 2);
  put(0x7bff, 2); // 65504, the largest f16
  put(f32ToF16(0.1f), 2);
  put(0x3f80, 2);
  put(0xbf00, 2);
  put(0x80, 1);
  put(0x7f, 1);
  put(0xff, 1);
  put(0xf1, 1); // i4 1, -1: low nibble first
  put(0x07, 1); // i4 7, high nibble padded with zero
  put(0xffffffff, 4);
  put(0x7fffffff, 4);
  put(0xde, 1);
  put(0xad, 1);
  put(0, 3);
  ASSERT_EQ(emb.size, expect.size());
  EXPECT_EQ(std::memcmp(emb.data, expect.data(), expect.size()), 0);
  EXPECT_EQ(b.constants[1].data, nullptr);
  EXPECT_EQ(b.constants[1].size, 512u);

  ASSERT_EQ(b.entries.size(), 2u);
  const EntryPoint &d = b.entries[0];
  ASSERT_EQ(d.params.size(), 2u);
  EXPECT_EQ(d.params[1].name, "kv base");
  EXPECT_EQ(d.params[1].reg, 2);
  ASSERT_EQ(d.cores.size(), 3u);
  EXPECT_EQ(d.cores[0].size(), 7u);
  EXPECT_TRUE(d.cores[1].empty());
  EXPECT_EQ(d.cores[2].size(), 2u);
  EXPECT_EQ(std::get<isa::BranchInstr>(d.cores[0][2]).target, 1u);
}

TEST(BinaryAsm, ConstantDataOutlivesTheText) {
  Binary b;
  {
    std::string text = ".region w kind=weights addr=0x0 size=0x100\n.const c addr=0x0\n .i8 7, 8\n"
                       ".entry e\n.core 0\n halt\n";
    b = assembleOk(text);
    std::fill(text.begin(), text.end(), 'x');
  }
  ASSERT_TRUE(b.storage);
  EXPECT_EQ(b.constants[0].data[0], 7);
  EXPECT_EQ(b.constants[0].data[1], 8);
}

TEST(BinaryAsm, DisassembleReassemblesToAnEqualBinary) {
  Binary a = assembleOk(kSmall);
  std::string text = disassemble(a);
  Expected<Binary> b = assemble(text, "roundtrip.s");
  ASSERT_TRUE(b) << b.message() << "\n" << text;
  test::expectSameBinary(a, *b);
  EXPECT_EQ(disassemble(*b), text);
}

TEST(BinaryAsm, DisassemblyOfLargeAndZeroHeavyData) {
  // 10 KiB with long zero runs and arbitrary bytes, and names that need quotes.
  std::vector<uint8_t> bytes(10240, 0);
  for (size_t i = 0; i < bytes.size(); ++i)
    if ((i / 700) % 3 == 0)
      bytes[i] = uint8_t(i * 37 + 11);
  Binary a;
  a.regions.push_back({"weights #1", RegionKind::Weights, 0x1000, 0x4000});
  a.constants.push_back({"w;0", 0x1000, bytes.size(), bytes.data()});
  a.constants.push_back({"tail", 0x4000, 16, bytes.data() + 1000});
  a.entries.push_back({"e", {}, {{isa::ControlInstr{isa::Opcode::Halt}}}, {}});
  a.meta.extra.push_back({"x=y", "\"\\"});
  std::string text = disassemble(a);
  EXPECT_NE(text.find(".zero"), std::string::npos);
  EXPECT_NE(text.find(".region \"weights #1\""), std::string::npos);
  Expected<Binary> b = assemble(text, "data.s");
  ASSERT_TRUE(b) << b.message();
  test::expectSameBinary(a, *b);

  DisassembleOptions brief;
  brief.constData = false;
  std::string summary = disassemble(a, brief);
  EXPECT_NE(summary.find("reserve=10240  # 10240 bytes of data not shown"), std::string::npos);
  EXPECT_EQ(summary.find(".byte"), std::string::npos);
  Expected<Binary> timingOnly = assemble(summary, "summary.s");
  ASSERT_TRUE(timingOnly) << timingOnly.message();
  EXPECT_EQ(timingOnly->constants[0].data, nullptr);
  EXPECT_EQ(timingOnly->constants[0].size, 10240u);
}

std::string exampleDir() { return std::string(STRATA_SOURCE_DIR) + "/examples/asm"; }

std::vector<std::string> exampleFiles() {
  std::vector<std::string> files;
  if (DIR *dir = opendir(exampleDir().c_str())) {
    while (dirent *e = readdir(dir)) {
      std::string n = e->d_name;
      if (n.size() > 2 && n.substr(n.size() - 2) == ".s")
        files.push_back(exampleDir() + "/" + n);
    }
    closedir(dir);
  }
  std::sort(files.begin(), files.end());
  return files;
}

/// The in-class defaults of ArchConfig are configs/npu-default.yaml.
ArchConfig exampleArch() { return ArchConfig{}; }

TEST(BinaryAsm, ExamplesAssembleValidateAndRoundTrip) {
  std::vector<std::string> files = exampleFiles();
  ASSERT_GE(files.size(), 2u) << "examples/asm/ should hold the sample programs";
  ArchConfig arch = exampleArch();
  AssembleOptions opts;
  opts.arch = &arch;
  bool sawGemmSoftmax = false;
  for (const std::string &path : files) {
    SCOPED_TRACE(path);
    sawGemmSoftmax |= path.find("gemm_softmax.s") != std::string::npos;
    Expected<Binary> a = assembleFile(path, opts);
    ASSERT_TRUE(a) << a.message();
    Expected<Binary> b = assemble(disassemble(*a), path + ".dis.s", opts);
    ASSERT_TRUE(b) << b.message();
    test::expectSameBinary(*a, *b);
  }
  EXPECT_TRUE(sawGemmSoftmax);
}

TEST(BinaryAsm, IncbinReadsFilesRelativeToTheSource) {
  char dirTemplate[] = "/tmp/strata-asm-XXXXXX";
  ASSERT_NE(mkdtemp(dirTemplate), nullptr);
  std::string dir = dirTemplate;
  {
    std::ofstream f(dir + "/w.bin", std::ios::binary);
    for (int i = 0; i < 100; ++i)
      f.put(char(i));
  }
  std::string text = ".region w kind=weights addr=0x0 size=0x1000\n"
                     ".const all addr=0x0\n  .incbin \"w.bin\"\n"
                     ".const part addr=0x100\n  .incbin \"w.bin\", 10, 5\n"
                     ".const rest addr=0x200\n  .incbin \"w.bin\", 95\n"
                     ".entry e\n.core 0\n  halt\n";
  {
    std::ofstream s(dir + "/prog.s");
    s << text;
  }
  Expected<Binary> b = assembleFile(dir + "/prog.s");
  ASSERT_TRUE(b) << b.message();
  EXPECT_EQ(b->constants[0].size, 100u);
  EXPECT_EQ(b->constants[0].data[99], 99);
  EXPECT_EQ(b->constants[1].size, 5u);
  EXPECT_EQ(b->constants[1].data[0], 10);
  EXPECT_EQ(b->constants[2].size, 5u);
  EXPECT_EQ(b->constants[2].data[4], 99);

  std::string bad = text;
  bad.replace(bad.find("\"w.bin\", 10, 5"), 14, "\"w.bin\", 98, 5");
  Expected<Binary> e = assemble(bad, dir + "/prog.s");
  ASSERT_FALSE(e);
  EXPECT_NE(e.message().find("prog.s:5:11: error: '" + dir +
                             "/w.bin' has 2 bytes after offset 98, not 5"),
            std::string::npos)
      << e.message();
  Expected<Binary> missing = assemble(".region w kind=weights addr=0x0 size=0x10\n.const c "
                                      "addr=0x0\n .incbin \"nope.bin\"\n",
                                      dir + "/prog.s");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.message().find("prog.s:3:10: error: cannot open '" + dir +
                                   "/nope.bin': No such file or directory"),
            std::string::npos)
      << missing.message();
  std::remove((dir + "/w.bin").c_str());
  std::remove((dir + "/prog.s").c_str());
  rmdir(dir.c_str());

  Expected<Binary> noFile = assembleFile("/nonexistent/x.s");
  ASSERT_FALSE(noFile);
  EXPECT_EQ(noFile.message(),
            "/nonexistent/x.s: error: cannot open the file: No such file or directory");
}

TEST(BinaryAsm, ErrorsNameFileLineAndColumnAndShowTheLine) {
  EXPECT_EQ(assembleError(".entry main\n.core 0\n    gemm m=64 lbd=3\n"),
            "test.s:3:15: error: unknown key 'lbd' for gemm\n"
            "    gemm m=64 lbd=3\n"
            "              ^");
  EXPECT_EQ(assembleError("\n\thalt\n"),
            "test.s:2:2: error: instructions need an .entry and a .core before them\n"
            "\thalt\n"
            "\t^");
}

TEST(BinaryAsm, DirectiveErrors) {
  auto first = [](std::string_view text) {
    std::string m = assembleError(text);
    return m.substr(0, m.find('\n'));
  };
  const std::string code = ".entry e\n.core 0\n halt\n";
  EXPECT_EQ(first(".frobnicate 1\n"), "test.s:1:1: error: unknown directive .frobnicate");
  EXPECT_EQ(first(".isa 2.0\n"),
            "test.s:1:6: error: this assembler implements ISA 1.x; the file asks for 2.0");
  EXPECT_EQ(first(".tool strata\n"),
            "test.s:1:7: error: expected a quoted string for tool version, found 'strata'");
  EXPECT_EQ(first(".tool \"abc\n"),
            "test.s:1:11: error: unterminated string (a '\"' is missing before the end of the "
            "line)");
  EXPECT_EQ(first(".model \"a\\qb\"\n"),
            "test.s:1:10: error: unknown escape '\\q' (use \\\\ \\\" \\n \\t \\r \\0 or \\xHH)");
  EXPECT_EQ(first(".meta model-name \"x\"\n"),
            "test.s:1:7: error: metadata key 'model-name' is reserved; use .tool, .pipeline or "
            ".model");
  EXPECT_EQ(first(".meta a \"1\"\n.meta a \"2\"\n"),
            "test.s:2:7: error: metadata key 'a' is already set on line 1");
  EXPECT_EQ(first(".region w kind=weight addr=0 size=16\n"),
            "test.s:1:16: error: unknown region kind 'weight' (expected weights, activations, "
            "kv-cache, io, scratch)");
  EXPECT_EQ(first(".region w kind=weights size=16\n"),
            "test.s:1:31: error: .region needs addr=...");
  EXPECT_EQ(first(".region w kind=weights addr=0 size=0\n"),
            "test.s:1:9: error: region 'w' has size 0");
  EXPECT_EQ(first(".region w kind=io addr=0 size=16\n.region w kind=io addr=0x100 size=16\n"),
            "test.s:2:9: error: region 'w' is already defined on line 1");
  EXPECT_EQ(first(".region a kind=io addr=0 size=0x100\n.region b kind=io addr=0x80 size=16\n" +
                  code),
            "test.s:2:1: error: region 'b' overlaps region 'a'");
  EXPECT_EQ(first(".input x f33[4] addr=0\n"),
            "test.s:1:10: error: expected a tensor type such as f32[64,128], found 'f33'");
  EXPECT_EQ(first(".input x f32[4,0] addr=0\n"),
            "test.s:1:16: error: dimension 1 of 'x' is 0; dimensions must be positive");
  EXPECT_EQ(first(".input x f32[4 addr=0\n"),
            "test.s:1:16: error: expected ',' or ']' in the shape, found 'addr=0'");
  EXPECT_EQ(first(".region io kind=io addr=0 size=16\n.output y f32[8] addr=0\n" + code),
            "test.s:2:1: error: I/O binding 'y' (32 bytes at 0x0) is not inside one region");
  EXPECT_EQ(first(".region io kind=io addr=0 size=16\n.const c addr=0\n .i8 1\n" + code),
            "test.s:2:1: error: constant segment 'c' [0x0, +1 bytes) is not inside a weights "
            "region");
  EXPECT_EQ(first(".region w kind=weights addr=0 size=16\n.const c addr=0\n .i8 1, 2\n.const d "
                  "addr=1\n .i8 1\n" + code),
            "test.s:4:1: error: constant segment 'd' overlaps 'c'");
  EXPECT_EQ(first(".const c addr=0\n.entry e\n"),
            "test.s:1:1: error: constant segment 'c' has no data (give data directives, or "
            "reserve=N for a size-only segment)");
  EXPECT_EQ(first(".f32 1.0\n"), "test.s:1:1: error: .f32 needs a .const segment before it");
  EXPECT_EQ(first(".const c addr=0 reserve=8\n .i8 1\n"),
            "test.s:2:2: error: segment 'c' is size-only (reserve=); it takes no data");
  EXPECT_EQ(first(".const c addr=0\n .i8 1, 300\n"),
            "test.s:2:9: error: value 300 does not fit .i8 (-128..255)");
  EXPECT_EQ(first(".const c addr=0\n .i4 8, -9\n"),
            "test.s:2:9: error: value -9 does not fit .i4 (-8..15)");
  EXPECT_EQ(first(".const c addr=0\n .f16 1.0 2.0\n"),
            "test.s:2:11: error: expected ',' before the next operand, found '2.0'");
  EXPECT_EQ(first(".const c addr=0\n .f32\n"), "test.s:2:6: error: .f32 needs at least one value");
  EXPECT_EQ(first(".const c addr=0\n .zero 0\n"), "test.s:2:8: error: .zero needs a count above 0");
  EXPECT_EQ(first(".const c addr=0\n halt\n"),
            "test.s:2:2: error: instructions belong in a .core block, not in constant data");
  EXPECT_EQ(first(".param p r1\n"), "test.s:1:1: error: .param needs an .entry before it");
  EXPECT_EQ(first(".core 0\n"), "test.s:1:1: error: .core needs an .entry before it");
  EXPECT_EQ(first(".entry e\n.param p r0\n"),
            "test.s:2:10: error: r0 always reads as zero; parameters use r1..r31");
  EXPECT_EQ(first(".entry e\n.param p r1\n.param q r1\n"),
            "test.s:3:10: error: register r1 already holds parameter 'p'");
  EXPECT_EQ(first(".entry e\n.param p r1\n.param p r2\n"),
            "test.s:3:8: error: entry point 'e' already has a parameter 'p'");
  EXPECT_EQ(first(".entry e\n.core 0\n halt\n.core 0\n halt\n"),
            "test.s:4:7: error: core 0 of entry point 'e' is already defined");
  EXPECT_EQ(first(".entry e\n.core 255\n"),
            "test.s:2:7: error: core index 255 is reserved (cores are 0..254)");
  EXPECT_EQ(first(".entry e\n.core 1\n halt\n.entry e\n"),
            "test.s:4:8: error: entry point 'e' is already defined on line 1");
  EXPECT_EQ(first(".entry e\n.core 0\n.entry f\n.core 0\n halt\n"),
            "test.s:1:1: error: entry point 'e' has no instructions (add a .core with code)");
  EXPECT_EQ(first(".entry e junk\n"), "test.s:1:10: error: unexpected 'junk' after .entry");
  EXPECT_EQ(first(".entry e\n.core 0\n jmp nowhere\n halt\n"),
            "test.s:3:6: error: undefined label 'nowhere'");
}

TEST(BinaryAsm, ValidationPointsAtTheOffendingLine) {
  auto first = [](std::string_view text, const AssembleOptions &opts = {}) {
    std::string m = assembleError(text, opts);
    return m.substr(0, m.find('\n'));
  };
  EXPECT_EQ(first(".entry e\n.core 0\n  nop\n  divui r1, r2, 0\n  halt\n"),
            "test.s:4:3: error: instruction 1 (divui): the divisor immediate is 0");
  EXPECT_EQ(first(".entry e\n.core 0\n  nop\n  nop\n"),
            "test.s:2:1: error: the program has no halt instruction");
  EXPECT_EQ(first(".entry e\n.core 0\n  sem.wait load, s2\n  halt\n"),
            "test.s:3:3: error: instruction 0 (sem.wait): semaphore s2 is never signalled in "
            "this program, so the wait can never finish");
  AssembleOptions noCheck;
  noCheck.validate = false;
  EXPECT_EQ(first(".entry e\n.core 0\n  nop\n  nop\n", noCheck), "<assembled>");

  ArchConfig arch = exampleArch();
  arch.numCores = 2;
  AssembleOptions withArch;
  withArch.arch = &arch;
  EXPECT_EQ(first(".entry e\n.core 2\n  halt\n", withArch),
            "test.s:2:7: error: core 2 does not exist: the architecture has 2 cores");
  EXPECT_EQ(first(".entry e\n.core 0\n  barrier compute, 0, 0x7\n  halt\n", withArch),
            "test.s:3:3: error: instruction 0 (barrier): core mask 0x7 names cores beyond the "
            "chip's 2");
}

} // namespace
} // namespace strata::bin
