//===- SessionTest.cpp - Sessions, generation, batching, statistics -------===//
//
// On a tiny random llama2.c checkpoint through the reference executor: the
// chunking of prompts, greedy generation against the reference's own greedy
// loop, stop rules, streaming, and several sequences taking turns on one
// program with their tokens unchanged.
//
//===----------------------------------------------------------------------===//
#include "ReferenceExecutor.h"
#include "TinyCheckpoint.h"

#include "TestPaths.h"

#include "strata/models/ModelLoader.h"
#include "strata/models/reference/ReferenceModel.h"
#include "strata/runtime/Generate.h"
#include "strata/runtime/Scoring.h"
#include "strata/runtime/Session.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace strata::runtime {
namespace {

class TinyModelRuntime : public ::testing::Test {
protected:
  void SetUp() override {
    path_ = strata::test::tempPath("runtime-tiny.bin");
    shape_.vocab = 48;
    shape_.seqLen = 40;
    ASSERT_TRUE(strata::test::writeTinyCheckpoint(path_, shape_, 5, 0.5f));
    auto m = models::loadModel(path_);
    ASSERT_TRUE(m) << m.message();
    model_ = m.takeValue();
  }
  void TearDown() override { std::remove(path_.c_str()); }

  /// An engine over a fresh reference model; `executor` receives a pointer
  /// for inspecting the steps it ran.
  std::unique_ptr<Engine> engine(uint32_t chunk, bool decode = true,
                                 test::ReferenceExecutor **executor = nullptr) {
    auto ref = models::ReferenceModel::create(model_);
    EXPECT_TRUE(ref) << ref.message();
    ProgramInfo info;
    info.prefillChunk = chunk;
    info.hasDecode = decode;
    info.vocabSize = uint32_t(shape_.vocab);
    info.maxSeq = uint32_t(shape_.seqLen);
    auto ex = std::make_unique<test::ReferenceExecutor>(ref.takeValue(), info);
    if (executor)
      *executor = ex.get();
    return std::make_unique<Engine>(std::move(ex));
  }

  /// Logits of the reference at the last of `ids`, fed one by one.
  std::vector<float> referenceLogits(const std::vector<int32_t> &ids) {
    auto ref = models::ReferenceModel::create(model_);
    for (size_t p = 0; p < ids.size(); ++p)
      EXPECT_TRUE((*ref)->forward(ids[p], uint32_t(p)));
    return (*ref)->logits();
  }

  std::vector<int32_t> referenceGreedy(const std::vector<int32_t> &prompt, uint32_t n,
                                       int32_t stop = -1) {
    auto ref = models::ReferenceModel::create(model_);
    auto ids = models::generateGreedy(**ref, prompt, {n, stop});
    EXPECT_TRUE(ids) << ids.message();
    return *ids;
  }

  strata::test::TinyShape shape_;
  std::string path_;
  models::Model model_;
};

TEST_F(TinyModelRuntime, PromptIsChunkedWithADecodeForTheTail) {
  test::ReferenceExecutor *ex = nullptr;
  auto e = engine(4, true, &ex);
  auto s = e->createSession();
  std::vector<int32_t> prompt{1, 7, 9, 3, 22, 40, 11, 5, 8}; // 4 + 4 + 1
  ASSERT_TRUE(s->feed(prompt));
  EXPECT_EQ(s->position(), 9u);
  EXPECT_EQ(ex->prefillSteps_, 2);
  EXPECT_EQ(ex->decodeSteps_, 1);
  EXPECT_EQ(s->logits(), referenceLogits(prompt));

  const auto &steps = s->stats().steps();
  ASSERT_EQ(steps.size(), 3u);
  EXPECT_EQ(steps[0].kind, StepKind::Prefill);
  EXPECT_EQ(steps[0].pos, 0u);
  EXPECT_EQ(steps[1].pos, 4u);
  EXPECT_EQ(steps[2].kind, StepKind::Decode);
  EXPECT_EQ(steps[2].pos, 8u);
  EXPECT_EQ(steps[2].tokens, 1u);
}

TEST_F(TinyModelRuntime, PartialChunkIsPadded) {
  test::ReferenceExecutor *ex = nullptr;
  auto e = engine(4, true, &ex);
  auto s = e->createSession();
  std::vector<int32_t> prompt{1, 7, 9, 3, 22, 40}; // 4 + 2 (padded)
  ASSERT_TRUE(s->feed(prompt));
  EXPECT_EQ(ex->prefillSteps_, 2);
  EXPECT_EQ(ex->decodeSteps_, 0);
  EXPECT_EQ(s->stats().steps()[1].tokens, 2u);
  EXPECT_EQ(s->logits(), referenceLogits(prompt));
}

TEST_F(TinyModelRuntime, PrefillOnlyAndDecodeOnlyPrograms) {
  std::vector<int32_t> prompt{1, 2, 3, 4, 5};
  test::ReferenceExecutor *ex = nullptr;
  auto prefillOnly = engine(2, false, &ex);
  auto a = prefillOnly->createSession();
  ASSERT_TRUE(a->feed(prompt));
  EXPECT_EQ(ex->prefillSteps_, 3);
  EXPECT_EQ(a->logits(), referenceLogits(prompt));

  auto decodeOnly = engine(0, true, &ex);
  auto b = decodeOnly->createSession();
  ASSERT_TRUE(b->feed(prompt));
  EXPECT_EQ(ex->decodeSteps_, 5);
  EXPECT_EQ(b->logits(), referenceLogits(prompt));
}

TEST_F(TinyModelRuntime, ChunksNeverRunPastTheCache) {
  test::ReferenceExecutor *ex = nullptr;
  auto e = engine(16, true, &ex);
  auto s = e->createSession();
  std::vector<int32_t> prompt(38, 3); // 16 x 2 = 32, then 6 left but 32 + 16 > 40
  ASSERT_TRUE(s->feed(prompt));
  EXPECT_EQ(ex->prefillSteps_, 2);
  EXPECT_EQ(ex->decodeSteps_, 6);
  EXPECT_EQ(s->remaining(), 2u);

  Status tooMany = s->feed({1, 2, 3});
  ASSERT_FALSE(tooMany);
  EXPECT_NE(tooMany.message().find("do not fit in the KV cache of 40"), std::string::npos)
      << tooMany.message();
  EXPECT_EQ(s->position(), 38u) << "nothing ran";

  auto prefillOnly = engine(16, false);
  auto p = prefillOnly->createSession();
  Status s2 = p->feed(std::vector<int32_t>(38, 3));
  ASSERT_FALSE(s2);
  EXPECT_NE(s2.message().find("no decode entry"), std::string::npos) << s2.message();
}

TEST_F(TinyModelRuntime, BadTokensAreRejected) {
  auto e = engine(4);
  auto s = e->createSession();
  Status a = s->feed({1, 48});
  ASSERT_FALSE(a);
  EXPECT_NE(a.message().find("outside the vocabulary of 48"), std::string::npos)
      << a.message();
  EXPECT_FALSE(s->feed({-3}));
  EXPECT_FALSE(s->feed({}));
  EXPECT_EQ(s->position(), 0u);
}

TEST_F(TinyModelRuntime, GreedyGenerationMatchesTheReference) {
  for (uint32_t chunk : {1u, 3u, 16u}) {
    SCOPED_TRACE(chunk);
    auto e = engine(chunk);
    auto s = e->createSession();
    std::vector<int32_t> prompt{1, 17, 4, 30};
    GenerateOptions o;
    o.maxNewTokens = 20;
    std::vector<int32_t> streamed;
    auto r = generate(*s, prompt, o, [&](uint32_t seq, int32_t t) {
      EXPECT_EQ(seq, 0u);
      streamed.push_back(t);
      return true;
    });
    ASSERT_TRUE(r) << r.message();
    EXPECT_EQ(r->tokens, referenceGreedy(prompt, 20));
    EXPECT_EQ(r->promptTokens, 4u);
    EXPECT_EQ(r->stop, StopReason::Length);
    EXPECT_EQ(std::vector<int32_t>(r->tokens.begin() + 4, r->tokens.end()), streamed);
    EXPECT_EQ(r->promptLogits, referenceLogits(prompt));
    // 20 new tokens: the first comes from the prompt's logits, 19 decode steps.
    uint32_t generationSteps = 0;
    for (const StepRecord &st : r->stats.steps())
      generationSteps += st.purpose == StepPurpose::Generation;
    EXPECT_EQ(generationSteps, 19u);
    EXPECT_EQ(s->position(), 4u + 19u);
  }
}

TEST_F(TinyModelRuntime, StopTokenCallbackAndContextEnd) {
  std::vector<int32_t> prompt{1, 17, 4};
  auto greedy = referenceGreedy(prompt, 10);
  {
    auto e = engine(4);
    auto s = e->createSession();
    GenerateOptions o;
    o.maxNewTokens = 10;
    o.stopToken = greedy[5]; // the third generated token
    auto r = generate(*s, prompt, o);
    ASSERT_TRUE(r) << r.message();
    EXPECT_EQ(r->stop, StopReason::StopToken);
    EXPECT_EQ(r->tokens, std::vector<int32_t>(greedy.begin(), greedy.begin() + 5))
        << "the stop token is not appended";
  }
  {
    auto e = engine(4);
    auto s = e->createSession();
    GenerateOptions o;
    o.maxNewTokens = 10;
    int calls = 0;
    auto r = generate(*s, prompt, o, [&](uint32_t, int32_t) { return ++calls < 2; });
    ASSERT_TRUE(r) << r.message();
    EXPECT_EQ(r->stop, StopReason::Callback);
    EXPECT_EQ(r->tokens.size(), prompt.size() + 2);
  }
  {
    auto e = engine(4);
    auto s = e->createSession();
    GenerateOptions o;
    o.maxNewTokens = 100;
    auto r = generate(*s, prompt, o);
    ASSERT_TRUE(r) << r.message();
    EXPECT_EQ(r->stop, StopReason::ContextFull);
    EXPECT_EQ(s->position(), 40u);
    EXPECT_EQ(r->tokens.size(), 41u) << "the last token needs no KV slot";
  }
}

TEST_F(TinyModelRuntime, SequencesTakingTurnsKeepTheirOwnTokens) {
  std::vector<std::vector<int32_t>> prompts{{1, 17, 4}, {1, 2}, {1, 30, 31, 32, 33, 34, 35}};
  std::vector<uint32_t> budgets{12, 7, 9};
  std::vector<SequenceRequest> requests;
  for (size_t i = 0; i < prompts.size(); ++i) {
    SequenceRequest r;
    r.prompt = prompts[i];
    r.options.maxNewTokens = budgets[i];
    requests.push_back(r);
  }
  test::ReferenceExecutor *ex = nullptr;
  auto e = engine(4, true, &ex);
  std::vector<std::vector<int32_t>> streamed(3);
  std::vector<uint32_t> order;
  auto results = generateBatch(*e, requests, [&](uint32_t seq, int32_t t) {
    streamed[seq].push_back(t);
    order.push_back(seq);
    return true;
  });
  ASSERT_TRUE(results) << results.message();
  ASSERT_EQ(results->size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ((*results)[i].tokens, referenceGreedy(prompts[i], budgets[i]));
    EXPECT_EQ(streamed[i].size(), budgets[i]);
  }
  // Round-robin: the first tokens of the three sequences come first.
  ASSERT_GE(order.size(), 3u);
  EXPECT_EQ(order[0], 0u);
  EXPECT_EQ(order[1], 1u);
  EXPECT_EQ(order[2], 2u);
  EXPECT_EQ(order[3], 0u);
  EXPECT_GT(e->kvSwaps(), 10u);
  EXPECT_EQ(uint64_t(ex->restores_), e->kvSwaps());
  // The engine saw every step of every sequence.
  size_t total = 0;
  for (const GenerateResult &r : *results)
    total += r.stats.steps().size();
  EXPECT_EQ(e->stats().steps().size(), total);
}

TEST_F(TinyModelRuntime, SampledGenerationIsReproducible) {
  GenerateOptions o;
  o.maxNewTokens = 15;
  o.sampling.temperature = 0.9f;
  o.sampling.topP = 0.9f;
  o.sampling.seed = 77;
  std::vector<int32_t> prompt{1, 5};
  auto run = [&] {
    auto e = engine(4);
    auto s = e->createSession();
    auto r = generate(*s, prompt, o);
    EXPECT_TRUE(r) << r.message();
    return r->tokens;
  };
  auto a = run(), b = run();
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.size(), prompt.size() + 15);
  // A sequence sampled alongside others draws from its own generator.
  auto e = engine(4);
  std::vector<SequenceRequest> reqs{{prompt, o}, {{1, 9, 9}, o}};
  auto batch = generateBatch(*e, reqs);
  ASSERT_TRUE(batch) << batch.message();
  EXPECT_EQ((*batch)[0].tokens, a);
}

TEST_F(TinyModelRuntime, StatisticsAddUp) {
  auto e = engine(4);
  auto s = e->createSession();
  GenerateOptions o;
  o.maxNewTokens = 6;
  auto r = generate(*s, {1, 2, 3, 4, 5, 6}, o); // prefill 4 + prefill 2 (padded to 4)
  ASSERT_TRUE(r) << r.message();
  const RunStats &st = r->stats;
  EXPECT_EQ(st.steps().size(), 2u + 5u);
  EXPECT_DOUBLE_EQ(st.ttftSeconds(), 8e-6) << "two padded chunks of 4 rows";
  EXPECT_DOUBLE_EQ(st.tpotSeconds(), 1e-6);
  EXPECT_DOUBLE_EQ(st.seconds(), 13e-6);
  EXPECT_EQ(st.cycles(), 13000u);
  EXPECT_DOUBLE_EQ(st.energyJ(), 26e-6);
  EXPECT_DOUBLE_EQ(st.averagePowerW(), 2.0);
  EXPECT_DOUBLE_EQ(st.utilisation("tensor", 1), 0.5);
  EXPECT_DOUBLE_EQ(st.utilisation("tensor", 2), 0.25);
  EXPECT_DOUBLE_EQ(st.utilisation("vector", 1), 0.0);
  EXPECT_DOUBLE_EQ(st.hbmBytes(), 1300.0);
}

TEST_F(TinyModelRuntime, TeacherForcedScoresMatchTheReference) {
  auto e = engine(4);
  auto s = e->createSession();
  std::vector<int32_t> text{1, 17, 4, 30, 2, 9, 9, 41};
  auto score = scoreSequence(*s, text);
  ASSERT_TRUE(score) << score.message();
  ASSERT_EQ(score->positions(), text.size() - 1);
  double nll = 0;
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    std::vector<int32_t> prefix(text.begin(), text.begin() + long(i) + 1);
    std::vector<float> logits = referenceLogits(prefix);
    EXPECT_EQ(score->top1[i], argmaxToken(logits.data(), logits.size()));
    double maxL = *std::max_element(logits.begin(), logits.end()), sum = 0;
    for (float l : logits)
      sum += std::exp(double(l) - maxL);
    double expected = -(double(logits[size_t(text[i + 1])]) - maxL - std::log(sum));
    EXPECT_NEAR(score->nll[i], expected, 1e-9);
    nll += expected;
  }
  EXPECT_NEAR(score->perplexity(), std::exp(nll / double(text.size() - 1)), 1e-9);
  EXPECT_DOUBLE_EQ(topOneAgreement(*score, *score), 1.0);
  SequenceScore other = *score;
  other.top1[0] = (other.top1[0] + 1) % 48;
  EXPECT_NEAR(topOneAgreement(*score, other), 6.0 / 7.0, 1e-12);
  EXPECT_FALSE(scoreSequence(*s, {1}));
}

TEST_F(TinyModelRuntime, GenerationErrors) {
  auto e = engine(4);
  auto s = e->createSession();
  GenerateOptions o;
  o.maxNewTokens = 3;
  auto empty = generate(*s, {}, o);
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.message().find("prompt is empty"), std::string::npos);
  o.sampling.temperature = -2.0f;
  auto bad = generate(*s, {1}, o);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.message().find("temperature"), std::string::npos);
}

} // namespace
} // namespace strata::runtime
