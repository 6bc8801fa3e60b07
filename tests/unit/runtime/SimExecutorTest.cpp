//===- SimExecutorTest.cpp - The runtime on the simulator -----------------===//
//
// A hand-written "bag of tokens" model in assembly follows the runtime's
// convention (prefill with pos/n_valid, decode with pos, tokens and logits
// bindings, a kv_cache region): each token appends its row of a table to the
// KV cache, and the logits are the sum of every cached row (a GEMM of a ones
// vector with the cache). Its logits depend on the whole history, so a
// session that saw another session's cache would be caught. Table values
// are small integers, so the simulator's sums are exact.
//
//===----------------------------------------------------------------------===//
#include "TestPaths.h"

#include "strata/runtime/Generate.h"
#include "strata/runtime/Session.h"
#include "strata/runtime/SimExecutor.h"
#include "strata/target/Assembly.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <string>
#include <vector>

namespace strata::runtime {
namespace {

constexpr int kVocab = 8, kMaxSeq = 16, kChunk = 4;

float tableValue(int token, int v) { return float((token * 3 + v * 5) % 7 - 3); }

/// One entry point: `rows` is a register holding the valid token count.
std::string body(bool prefill) {
  return fmt::format(R"(
    {}
    li r3, 0
loop:
    shli r4, r3, 2
    ld32 r5, [r4+0x2000]
    shli r6, r5, 5
    add r7, r1, r3
    shli r7, r7, 5
    dma.load src=hbm[r6+0x0] dst=sram[0x0] size=32
    sem.signal load, s0, 1
    sem.wait store, s0
    dma.store src=sram[0x0] dst=hbm[r7+0x1000] size=32
    sem.signal store, s1, 1
    sem.wait load, s1
    addi r3, r3, 1
    blt r3, r2, loop
    add r8, r1, r2
    shli r9, r8, 5
    dma.load src=hbm[0x1000] dst=sram[0x2000] size=r9
    dma.load src=hbm[0x100] dst=sram[0x1000] size=64
    sem.signal load, s2, 1
    sem.wait compute, s2
    tc.config gang=16x1 precision=f32
    gemm m=1 n=8 k=r8 a=f32 b=f32 out=f32 A=[0x1000] lda=16 B=[0x2000] ldb=8 C=[0x3000] ldc=8
    sem.signal compute, s3, 1
    sem.wait store, s3
    dma.store src=sram[0x3000] dst=hbm[0x2040] size=32
    halt
)",
                     prefill ? "" : "li r2, 1");
}

std::string program() {
  std::string s = R"(
.region weights kind=weights  addr=0x0    size=0x1000
.region kv_cache kind=kv-cache addr=0x1000 size=0x200
.region io      kind=io       addr=0x2000 size=0x100
.input  tokens i32[4]   addr=0x2000
.output logits f32[1,8] addr=0x2040
.meta model.max_seq "16"
.const table addr=0x0
)";
  for (int t = 0; t < kVocab; ++t) {
    s += "    .f32 ";
    for (int v = 0; v < kVocab; ++v)
      s += fmt::format("{}{}", v ? ", " : "", tableValue(t, v));
    s += "\n";
  }
  s += ".const ones addr=0x100\n    .f32 1";
  for (int i = 1; i < kMaxSeq; ++i)
    s += ", 1";
  s += "\n.entry prefill\n.param pos r1\n.param n_valid r2\n.core 0\n" + body(true);
  s += ".entry decode\n.param pos r1\n.core 0\n" + body(false);
  return s;
}

bin::Binary assemble() {
  auto b = bin::assemble(program(), "bag.s");
  EXPECT_TRUE(b) << b.message();
  return b ? b.takeValue() : bin::Binary();
}

/// Logits of the bag model after `history`.
std::vector<float> bagLogits(const std::vector<int32_t> &history) {
  std::vector<float> out(kVocab, 0.0f);
  for (int32_t t : history)
    for (int v = 0; v < kVocab; ++v)
      out[size_t(v)] += tableValue(t, v);
  return out;
}

std::vector<int32_t> bagGreedy(std::vector<int32_t> ids, uint32_t n) {
  for (uint32_t i = 0; i < n; ++i) {
    auto l = bagLogits(ids);
    ids.push_back(argmaxToken(l.data(), l.size()));
  }
  return ids;
}

std::unique_ptr<Engine> engine(const sim::SimOptions &options = {}) {
  ArchConfig arch;
  arch.numCores = 1;
  auto ex = SimExecutor::create(assemble(), arch, options, "bag.s");
  EXPECT_TRUE(ex) << ex.message();
  return ex ? std::make_unique<Engine>(ex.takeValue()) : nullptr;
}

TEST(SimExecutor, ReadsTheProgramInterface) {
  auto e = engine();
  ASSERT_TRUE(e);
  const ProgramInfo &info = e->info();
  EXPECT_EQ(info.prefillChunk, uint32_t(kChunk));
  EXPECT_TRUE(info.hasDecode);
  EXPECT_EQ(info.vocabSize, uint32_t(kVocab));
  EXPECT_EQ(info.maxSeq, uint32_t(kMaxSeq)) << "from the model.max_seq metadata";
  EXPECT_FALSE(info.takesPositions);
}

TEST(SimExecutor, PrefillAndDecodeGiveTheModelsLogits) {
  auto e = engine();
  ASSERT_TRUE(e);
  auto s = e->createSession();
  std::vector<int32_t> prompt{1, 5, 2, 7, 3, 3}; // a full chunk, then a padded one
  ASSERT_TRUE(s->feed(prompt));
  EXPECT_EQ(s->logits(), bagLogits(prompt));
  ASSERT_TRUE(s->feed({6}, StepPurpose::Generation));
  prompt.push_back(6);
  EXPECT_EQ(s->logits(), bagLogits(prompt));
  const auto &steps = s->stats().steps();
  ASSERT_EQ(steps.size(), 3u);
  EXPECT_EQ(steps[0].result.entry, "prefill");
  EXPECT_EQ(steps[2].result.entry, "decode");
  EXPECT_GT(steps[0].result.cycles, 0u);
  EXPECT_GT(steps[0].result.energyJ, 0);
  EXPECT_GT(s->stats().hbmBytes(), 0);
}

TEST(SimExecutor, GreedyGenerationAndInterleavedSequences) {
  auto e = engine();
  ASSERT_TRUE(e);
  std::vector<SequenceRequest> reqs(3);
  reqs[0].prompt = {1, 2, 3};
  reqs[1].prompt = {7};
  reqs[2].prompt = {4, 4, 4, 4, 4};
  for (auto &r : reqs)
    r.options.maxNewTokens = 6;
  auto results = generateBatch(*e, reqs);
  ASSERT_TRUE(results) << results.message();
  for (size_t i = 0; i < reqs.size(); ++i)
    EXPECT_EQ((*results)[i].tokens, bagGreedy(reqs[i].prompt, 6)) << "sequence " << i;
  EXPECT_GT(e->kvSwaps(), 0u);
}

TEST(SimExecutor, TimingOnlyRunsTheSameSteps) {
  sim::SimOptions options;
  options.timingOnly = true;
  auto e = engine(options);
  ASSERT_TRUE(e);
  EXPECT_FALSE(e->executor().computesValues());
  auto s = e->createSession();
  GenerateOptions o;
  o.maxNewTokens = 4;
  auto r = generate(*s, {1, 2, 3}, o);
  ASSERT_TRUE(r) << r.message();
  EXPECT_EQ(r->tokens.size(), 7u);
  EXPECT_GT(r->stats.seconds(), 0);
}

TEST(SimExecutor, RejectsBinariesThatBreakTheConvention) {
  auto fails = [](const std::string &from, const std::string &to, const char *message) {
    std::string text = program();
    size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
    auto b = bin::assemble(text, "bad.s");
    ASSERT_TRUE(b) << b.message();
    ArchConfig arch;
    arch.numCores = 1;
    auto ex = SimExecutor::create(b.takeValue(), arch, {}, "bad.s");
    ASSERT_FALSE(ex) << "expected: " << message;
    EXPECT_NE(ex.message().find(message), std::string::npos) << ex.message();
    EXPECT_NE(ex.message().find("bad.s"), std::string::npos) << ex.message();
  };
  fails(".input  tokens i32[4]", ".input  tokens f32[4]", "binding 'tokens' must be a 1-D i32");
  fails(".input  tokens i32[4]", ".input  ids i32[4]", "no input binding 'tokens'");
  fails(".output logits f32[1,8]", ".output scores f32[1,8]", "no output binding 'logits'");
  fails(".region kv_cache kind=kv-cache", ".region cache kind=kv-cache",
        "no memory region 'kv_cache'");
  fails(".param n_valid r2", ".param count r2", "takes parameter 'count'");
  fails(".entry decode\n.param pos r1", ".entry decode\n.param p r1", "takes parameter 'p'");
}

TEST(SimExecutor, StepsOutsideTheProgramAreErrors) {
  auto e = engine();
  ASSERT_TRUE(e);
  std::vector<float> logits;
  StepInput big;
  big.kind = StepKind::Prefill;
  big.tokens = {1, 2, 3, 4, 5};
  auto r = e->executor().run(big, logits);
  ASSERT_FALSE(r);
  EXPECT_NE(r.message().find("takes 1 to 4 tokens"), std::string::npos) << r.message();
  std::vector<uint8_t> wrong(3);
  Status s = e->executor().restoreKvCache(wrong);
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("does not fit the 'kv_cache' region"), std::string::npos);
}

} // namespace
} // namespace strata::runtime
