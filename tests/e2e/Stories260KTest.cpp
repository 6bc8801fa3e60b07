//===- Stories260KTest.cpp - llama2.c's stories260K, token for token ------===//
//
// For every line of stories260K/reference/greedy.jsonl (llama2.c run.c,
// greedy): the prompt encodes to the reference ids, the compiled FP32 model
// on the simulated NPU generates exactly the reference token ids (stopping
// on BOS as run.c does), and the decoded text is run.c's stdout. The
// last-prompt-position logits of "Once upon a time" are within 1e-4 of
// run.c's.
//
//===----------------------------------------------------------------------===//
#include "E2eSupport.h"

#include "strata/models/ModelLoader.h"
#include "strata/runtime/Generate.h"

#include <algorithm>
#include <cmath>

namespace strata::e2e {
namespace {

const char *kModel = "stories260K/stories260K.bin";
const char *kGreedy = "stories260K/reference/greedy.jsonl";

class Stories260KGreedy : public ::testing::TestWithParam<ReferenceLine> {};

TEST_P(Stories260KGreedy, MatchesLlama2cTokenForToken) {
  STRATA_REQUIRE_MODEL_FILE(kModel);
  STRATA_REQUIRE_MODEL_FILE(kGreedy);
  const nlohmann::json &ref = GetParam().data;
  CompiledRun run = compileAndLoad(models::testing::modelPath(kModel), "fp32");
  ASSERT_TRUE(run.engine);
  auto tok = models::loadTokenizerFor(*run.compiled.model);
  ASSERT_TRUE(tok) << tok.message();

  const auto expected = ref["token_ids"].get<std::vector<int32_t>>();
  const uint32_t nPrompt = ref["n_prompt_tokens"].get<uint32_t>();
  std::vector<int32_t> prompt = tok->encode(ref["prompt"].get<std::string>());
  ASSERT_EQ(prompt, std::vector<int32_t>(expected.begin(), expected.begin() + nPrompt));

  runtime::GenerateOptions g;
  // run.c's steps count positions, prompt included: steps + 1 ids at most.
  g.maxNewTokens = ref["steps"].get<uint32_t>() + 1 - nPrompt;
  g.stopToken = tok->bosId();
  auto session = run.engine->createSession();
  auto result = runtime::generate(*session, prompt, g);
  ASSERT_TRUE(result) << result.message();
  EXPECT_EQ(result->tokens, expected)
      << "first difference at id " << firstDifference(result->tokens, expected);
  EXPECT_EQ(result->stop, ref["stop"] == "bos" ? runtime::StopReason::StopToken
                                               : runtime::StopReason::Length);
  EXPECT_EQ(tok->decode(result->tokens), ref["text"].get<std::string>());
  EXPECT_GT(result->stats.seconds(), 0);
}

INSTANTIATE_TEST_SUITE_P(ReferenceLines, Stories260KGreedy,
                         ::testing::ValuesIn(referenceLines(kGreedy,
                                                            [](const nlohmann::json &j) {
                                                              std::string p = j["prompt"];
                                                              return p.empty() ? "bos" : p;
                                                            })),
                         lineName);

/// Greedy generation of `newTokens` from BOS on two binaries of the model,
/// which must give the same ids in as many steps; the HBM bytes each step of
/// each read (empty after a failure, which is reported).
std::pair<std::vector<double>, std::vector<double>>
stepReadsOfBoth(CompiledRun &x, CompiledRun &y, uint32_t newTokens) {
  runtime::GenerateOptions g;
  g.maxNewTokens = newTokens;
  auto a = runtime::generate(*x.engine->createSession(), {1}, g);
  auto b = runtime::generate(*y.engine->createSession(), {1}, g);
  if (!a || !b) {
    ADD_FAILURE() << (a ? b.message() : a.message());
    return {};
  }
  EXPECT_EQ(a->tokens, b->tokens);
  EXPECT_EQ(a->stats.steps().size(), b->stats.steps().size());
  std::pair<std::vector<double>, std::vector<double>> reads;
  for (const runtime::StepRecord &s : a->stats.steps())
    reads.first.push_back(s.result.hbmReadBytes);
  for (const runtime::StepRecord &s : b->stats.steps())
    reads.second.push_back(s.result.hbmReadBytes);
  return reads;
}

// The whole model fits in SRAM: the compiled binary loads its weights once
// (load_weights) and the decode steps read only activations and the KV
// cache, generating the same tokens as the binary that reloads them.
TEST(Stories260K, WeightsStayResidentAcrossDecodeSteps) {
  STRATA_REQUIRE_MODEL_FILE(kModel);
  const std::string path = models::testing::modelPath(kModel);
  CompiledRun pinned = compileAndLoad(path, "fp32"),
              plain = compileAndLoad(path, "fp32", "f32", 16, /*pinWeights=*/false);
  ASSERT_TRUE(pinned.engine && plain.engine);
  ASSERT_NE(pinned.compiled.binary.findEntry(bin::kLoadWeightsEntry), nullptr);
  ASSERT_EQ(plain.compiled.binary.findEntry(bin::kLoadWeightsEntry), nullptr);
  const auto [pinnedReads, plainReads] = stepReadsOfBoth(pinned, plain, 8);
  ASSERT_EQ(pinnedReads.size(), plainReads.size());
  ASSERT_FALSE(pinnedReads.empty());
  double weights = 0;
  for (const bin::ConstSegment &s : pinned.compiled.binary.constants)
    weights += double(s.size);
  const auto &load =
      dynamic_cast<runtime::SimExecutor &>(pinned.engine->executor()).simulator().weightLoad();
  ASSERT_TRUE(load.has_value());
  // All but the embedding table's rows, which the gather reads by token.
  EXPECT_GT(load->hbmReadBytes, 0.8 * weights);
  for (size_t i = 1; i < pinnedReads.size(); ++i) {
    EXPECT_GT(plainReads[i], 0.8 * weights) << "step " << i;
    EXPECT_LT(pinnedReads[i], plainReads[i] - 0.8 * weights) << "step " << i;
  }
}

// The f32 KV cache fits in SRAM too: each decode step reads only the rows
// its resident copy lacks. Three reference prompts generated together (their
// decode steps interleaved, so the cache changes hands at every step and the
// runtime tells each step it holds nothing) give llama2.c's tokens; one
// sequence alone gives the tokens of the binary that reads the whole cache
// at every step, from fewer HBM bytes at every decode step after the first.
TEST(Stories260K, KvCacheStaysResidentAcrossDecodeSteps) {
  STRATA_REQUIRE_MODEL_FILE(kModel);
  STRATA_REQUIRE_MODEL_FILE(kGreedy);
  const std::string path = models::testing::modelPath(kModel);
  CompiledRun resident = compileAndLoad(path, "fp32"),
              plain = compileAndLoad(path, "fp32", "f32", 16, true, /*residentKv=*/false);
  ASSERT_TRUE(resident.engine && plain.engine);
  auto takesKvValid = [](const bin::Binary &b) {
    const bin::EntryPoint *decode = b.findEntry("decode");
    return decode && std::any_of(decode->params.begin(), decode->params.end(),
                                 [](const bin::ScalarParam &p) { return p.name == "kv_valid"; });
  };
  ASSERT_TRUE(takesKvValid(resident.compiled.binary));
  ASSERT_FALSE(takesKvValid(plain.compiled.binary));

  std::vector<runtime::SequenceRequest> requests;
  std::vector<std::vector<int32_t>> expected;
  for (const ReferenceLine &line : referenceLines(kGreedy, [](const nlohmann::json &) {
         return std::string("line");
       })) {
    const auto ids = line.data["token_ids"].get<std::vector<int32_t>>();
    const uint32_t nPrompt = line.data["n_prompt_tokens"].get<uint32_t>();
    runtime::SequenceRequest r;
    r.prompt.assign(ids.begin(), ids.begin() + nPrompt);
    r.options.maxNewTokens = 40;
    r.options.stopToken = 1;
    requests.push_back(r);
    expected.emplace_back(ids.begin(), ids.begin() + std::min<size_t>(ids.size(), nPrompt + 40));
    if (requests.size() == 3)
      break;
  }
  ASSERT_EQ(requests.size(), 3u);
  auto batch = runtime::generateBatch(*resident.engine, requests);
  ASSERT_TRUE(batch) << batch.message();
  for (size_t i = 0; i < requests.size(); ++i)
    EXPECT_EQ((*batch)[i].tokens, expected[i])
        << "sequence " << i << ", first difference at id "
        << firstDifference((*batch)[i].tokens, expected[i]);
  EXPECT_GT(resident.engine->kvSwaps(), 0u);

  const auto [residentReads, plainReads] = stepReadsOfBoth(resident, plain, 24);
  ASSERT_EQ(residentReads.size(), plainReads.size());
  ASSERT_GT(residentReads.size(), 2u);
  // Step 1 reads the prompt's rows, written by the prefill in HBM only.
  for (size_t i = 2; i < residentReads.size(); ++i)
    EXPECT_LT(residentReads[i], plainReads[i]) << "step " << i;
}

// Without values (timing-only) no cache is copied when sequences take turns,
// but the resident copy is still the previous sequence's: the first decode
// step after a switch reads the sequence's rows from HBM again, as it would
// on the chip, and the next one reads none.
TEST(Stories260K, ASwitchedSequenceRereadsItsKvRowsInTimingOnlyRuns) {
  STRATA_REQUIRE_MODEL_FILE(kModel);
  CompiledRun run = compileAndLoad(models::testing::modelPath(kModel), "fp32");
  ASSERT_TRUE(run.engine);
  sim::SimOptions options;
  options.timingOnly = true;
  auto executor = runtime::SimExecutor::create(run.compiled.binary, run.compiled.arch, options,
                                               "stories260K", run.compiled.maxSeq);
  ASSERT_TRUE(executor) << executor.message();
  runtime::Engine engine(executor.takeValue());
  auto a = engine.createSession(), b = engine.createSession();
  const std::vector<int32_t> prompt(20, 300);
  ASSERT_TRUE(a->feed(prompt));
  ASSERT_TRUE(b->feed(prompt));
  auto decodeReads = [](runtime::Session &s) {
    EXPECT_TRUE(s.feed({300}, runtime::StepPurpose::Generation));
    return s.stats().steps().back().result.hbmReadBytes;
  };
  // Rows of 64 bytes (K and V) for each of 5 layers x 4 KV heads.
  const double row = 64.0 * 20;
  const double first = decodeReads(*a);  // a's prompt rows, 0 .. 19
  const double steady = decodeReads(*a); // none
  EXPECT_GE(first - steady, 20 * row);
  // b's turn: its decode step at 20 finds a's rows 0 .. 21 in SRAM, which
  // are not b's; then a's step at 22 finds b's.
  EXPECT_GE(decodeReads(*b) - steady, 20 * row);
  EXPECT_GE(decodeReads(*a) - steady, 22 * row);
  EXPECT_EQ(decodeReads(*a), steady);
}

TEST(Stories260K, LastPromptLogitsWithin1e4OfRunC) {
  STRATA_REQUIRE_MODEL_FILE(kModel);
  STRATA_REQUIRE_MODEL_FILE("stories260K/reference/logits_once_upon.json");
  auto ref = models::testing::readJson(
      models::testing::modelPath("stories260K/reference/logits_once_upon.json"));
  CompiledRun run = compileAndLoad(models::testing::modelPath(kModel), "fp32");
  ASSERT_TRUE(run.engine);
  auto session = run.engine->createSession();
  ASSERT_TRUE(session->feed({1, 403, 407, 261, 378}));
  const auto want = ref["logits"].get<std::vector<float>>();
  const auto &got = session->logits();
  ASSERT_EQ(got.size(), want.size());
  double worst = 0;
  for (size_t i = 0; i < got.size(); ++i)
    worst = std::max(worst, std::abs(double(got[i]) - double(want[i])));
  EXPECT_LT(worst, 1e-4);
}

} // namespace
} // namespace strata::e2e
