//===- GgufLlamaCppTest.cpp - llama.cpp's GGUF files, token for token -----===//
//
// For every line of stories260K/gguf/reference.jsonl (llama.cpp greedy, 64
// new tokens): the file compiled with the `native` precision policy (each
// tensor keeps its stored encoding: F32, F16, Q8_0 and Q4_0 blocks as
// integers with their f16 scales) and an f16 KV cache — llama.cpp's
// configuration — generates exactly llama.cpp's ids on the simulated NPU.
//
//===----------------------------------------------------------------------===//
#include "E2eSupport.h"

#include "strata/runtime/Generate.h"

namespace strata::e2e {
namespace {

const char *kReference = "stories260K/gguf/reference.jsonl";

class GgufLlamaCpp : public ::testing::TestWithParam<ReferenceLine> {};

TEST_P(GgufLlamaCpp, GeneratesLlamaCppsIds) {
  STRATA_REQUIRE_MODEL_FILE(kReference);
  const nlohmann::json &ref = GetParam().data;
  const std::string file = "stories260K/gguf/" + ref["file"].get<std::string>();
  STRATA_REQUIRE_MODEL_FILE(file);
  SCOPED_TRACE(file + " / \"" + ref["prompt"].get<std::string>() + "\"");

  CompiledRun run = compileAndLoad(models::testing::modelPath(file), "native", "f16");
  ASSERT_TRUE(run.engine);
  const auto prompt = ref["prompt_ids"].get<std::vector<int32_t>>();
  const auto expected = ref["generated_ids"].get<std::vector<int32_t>>();
  runtime::GenerateOptions g;
  g.maxNewTokens = uint32_t(expected.size());
  auto session = run.engine->createSession();
  auto result = runtime::generate(*session, prompt, g);
  ASSERT_TRUE(result) << result.message();
  std::vector<int32_t> generated(result->tokens.begin() + long(prompt.size()),
                                 result->tokens.end());
  EXPECT_EQ(generated, expected) << "first difference at generated index "
                                 << firstDifference(generated, expected);
}

INSTANTIATE_TEST_SUITE_P(ReferenceLines, GgufLlamaCpp,
                         ::testing::ValuesIn(referenceLines(kReference,
                                                            [](const nlohmann::json &j) {
                                                              std::string f = j["file"];
                                                              return f.substr(12, f.size() - 17) +
                                                                     "_" +
                                                                     j["prompt"].get<std::string>();
                                                            })),
                         lineName);

} // namespace
} // namespace strata::e2e
