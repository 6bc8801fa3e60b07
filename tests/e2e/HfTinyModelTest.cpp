//===- HfTinyModelTest.cpp - transformers' LLaMA, Qwen2 and GPT-2 ---------===//
//
// hf/tiny-llama, tiny-qwen2 and tiny-gpt2 compiled at fp32: the logits at
// the first and the last prompt position are within 1e-4 (absolute) of
// transformers' (reference.json), and greedy generation gives its ids.
//
//===----------------------------------------------------------------------===//
#include "E2eSupport.h"

#include "strata/runtime/Generate.h"

#include <cmath>

namespace strata::e2e {
namespace {

double maxAbsDiff(const std::vector<float> &a, const std::vector<float> &b) {
  if (a.size() != b.size())
    return INFINITY;
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i)
    worst = std::max(worst, std::abs(double(a[i]) - double(b[i])));
  return worst;
}

class HfTinyModel : public ::testing::TestWithParam<std::string> {};

TEST_P(HfTinyModel, LogitsWithin1e4AndGreedyIdsExact) {
  const std::string dir = "hf/" + GetParam();
  STRATA_REQUIRE_MODEL_FILE(dir + "/model.safetensors");
  STRATA_REQUIRE_MODEL_FILE(dir + "/reference.json");
  auto ref = models::testing::readJson(models::testing::modelPath(dir + "/reference.json"));
  CompiledRun run = compileAndLoad(models::testing::modelPath(dir), "fp32");
  ASSERT_TRUE(run.engine);
  const auto ids = ref["input_ids"].get<std::vector<int32_t>>();

  // First position alone, then the rest (a chunked prefill from position 1).
  auto session = run.engine->createSession();
  ASSERT_TRUE(session->feed({ids[0]}));
  EXPECT_LT(maxAbsDiff(session->logits(), ref["first_logits"].get<std::vector<float>>()), 1e-4);
  ASSERT_TRUE(session->feed(std::vector<int32_t>(ids.begin() + 1, ids.end())));
  EXPECT_LT(maxAbsDiff(session->logits(), ref["last_logits"].get<std::vector<float>>()), 1e-4);

  const auto greedy = ref["greedy_ids"].get<std::vector<int32_t>>();
  runtime::GenerateOptions g;
  g.maxNewTokens = uint32_t(greedy.size() - ids.size()); // no EOS stop, as model.generate
  auto fresh = run.engine->createSession();
  auto result = runtime::generate(*fresh, ids, g);
  ASSERT_TRUE(result) << result.message();
  EXPECT_EQ(result->tokens, greedy) << "first difference at id "
                                    << firstDifference(result->tokens, greedy);
}

INSTANTIATE_TEST_SUITE_P(Families, HfTinyModel,
                         ::testing::Values("tiny-llama", "tiny-qwen2", "tiny-gpt2"),
                         [](const auto &info) {
                           std::string name = info.param;
                           for (char &c : name)
                             if (c == '-')
                               c = '_';
                           return name;
                         });

} // namespace
} // namespace strata::e2e
