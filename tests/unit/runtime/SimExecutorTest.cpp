//===- SimExecutorTest.cpp - The runtime on the simulator -----------------===//
//
// SimExecutor, sessions and generation on the simulator, with the
// hand-written bag-of-tokens model (BagModel.h).
//
//===----------------------------------------------------------------------===//
#include "BagModel.h"
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

using namespace test;

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

// A session's steps keep their per-label costs (its report attributes them);
// the engine's record of every step of every session keeps the rest without
// them, so a long-lived engine does not grow by them at every token.
TEST(SimExecutor, EngineRecordsStepsWithoutPerLabelCosts) {
  bin::Binary b = assemble();
  for (bin::EntryPoint &e : b.entries)
    e.labels = {{"all", 0, 0, uint32_t(e.cores[0].size())}};
  ArchConfig arch;
  arch.numCores = 1;
  auto ex = SimExecutor::create(std::move(b), arch, {}, "bag.s");
  ASSERT_TRUE(ex) << ex.message();
  Engine e(ex.takeValue());
  auto s = e.createSession();
  ASSERT_TRUE(s->feed({1, 5, 2}));
  ASSERT_TRUE(s->feed({6}, StepPurpose::Generation));
  const auto &mine = s->stats().steps();
  const auto &all = e.stats().steps();
  ASSERT_EQ(mine.size(), 2u);
  ASSERT_EQ(all.size(), mine.size());
  for (size_t i = 0; i < mine.size(); ++i) {
    EXPECT_FALSE(mine[i].result.labels.empty());
    EXPECT_TRUE(all[i].result.labels.empty());
    EXPECT_EQ(all[i].result.entry, mine[i].result.entry);
    EXPECT_EQ(all[i].result.cycles, mine[i].result.cycles);
    EXPECT_EQ(all[i].result.energyJ, mine[i].result.energyJ);
  }
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
