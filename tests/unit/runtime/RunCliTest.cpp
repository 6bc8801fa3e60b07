//===- RunCliTest.cpp - strata run on a compiled binary -------------------===//
//
// Runs the strata executable on the bag-of-tokens binary (BagModel.h):
// token ids and sim figures in --json, streaming output, --dump-logits,
// --report with and without code labels, --trace, sampling flags, and the
// diagnostics of bad invocations.
//
//===----------------------------------------------------------------------===//
#include "BagModel.h"
#include "RunTool.h"
#include "TestPaths.h"

#include "strata/target/BinaryIO.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>

namespace strata::runtime {
namespace {

using namespace test;

using strata::test::ToolRun;
using strata::test::readTextFile;

ToolRun runStrata(const std::string &args) { return strata::test::runStrata("run " + args); }

class RunCli : public ::testing::Test {
protected:
  void SetUp() override {
    path_ = strata::test::tempPath("bag.npubin");
    ASSERT_TRUE(writeBinary(assemble(), path_));
  }
  void TearDown() override { std::remove(path_.c_str()); }
  std::string path_;
};

TEST_F(RunCli, JsonHasTokensTextAndSimFigures) {
  ToolRun r = runStrata(path_ + " --arch npu-default --input-ids 1,2,3 -n 5 --json");
  ASSERT_EQ(r.exitCode, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["token_ids"].get<std::vector<int32_t>>(), bagGreedy({1, 2, 3}, 5));
  EXPECT_EQ(j["n_prompt_tokens"], 3);
  EXPECT_EQ(j["text"], "") << "no tokenizer";
  const auto &sim = j["sim"];
  for (const char *key : {"cycles", "seconds", "ttft_s", "tpot_s", "energy_j", "avg_power_w"})
    EXPECT_GT(sim[key].get<double>(), 0) << key;
  for (const char *key : {"tensor_core_utilization", "hbm_bandwidth_utilization"}) {
    EXPECT_GE(sim[key].get<double>(), 0) << key;
    EXPECT_LE(sim[key].get<double>(), 1) << key;
  }
  EXPECT_NEAR(sim["seconds"].get<double>(),
              sim["ttft_s"].get<double>() + 4 * sim["tpot_s"].get<double>(), 1e-12);
  EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << "exactly one line of JSON";
}

TEST_F(RunCli, PlainOutputAndSummary) {
  ToolRun r = runStrata(path_ + " --arch npu-default --input-ids 4,4 -n 3");
  ASSERT_EQ(r.exitCode, 0) << r.err;
  std::string expected;
  for (int32_t t : bagGreedy({4, 4}, 3))
    expected += (expected.empty() ? "" : " ") + std::to_string(t);
  EXPECT_EQ(r.out, expected + "\n");
  EXPECT_NE(r.err.find("2 prompt + 3 generated tokens"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("tok/s"), std::string::npos) << r.err;
}

TEST_F(RunCli, DumpLogitsWritesTheLastPromptPosition) {
  const std::string logits = strata::test::tempPath("logits.json");
  ToolRun r = runStrata(path_ + " --arch npu-default --input-ids 1,5,6,2,7 -n 1 --json "
                            "--dump-logits " + logits);
  ASSERT_EQ(r.exitCode, 0) << r.err;
  auto j = nlohmann::json::parse(readTextFile(logits));
  EXPECT_EQ(j.get<std::vector<float>>(), bagLogits({1, 5, 6, 2, 7}));
  std::remove(logits.c_str());
}

TEST_F(RunCli, SamplingIsSeeded) {
  std::string args = path_ + " --arch npu-default --input-ids 1 -n 12 --json --temperature 2 ";
  ToolRun a = runStrata(args + "--seed 9"), b = runStrata(args + "--seed 9");
  ASSERT_EQ(a.exitCode, 0) << a.err;
  EXPECT_EQ(nlohmann::json::parse(a.out)["token_ids"], nlohmann::json::parse(b.out)["token_ids"]);
  ToolRun c = runStrata(args + "--top-k 1 --seed 3");
  ASSERT_EQ(c.exitCode, 0) << c.err;
  EXPECT_EQ(nlohmann::json::parse(c.out)["token_ids"].get<std::vector<int32_t>>(),
            bagGreedy({1}, 12))
      << "top-k 1 is greedy";
}

TEST_F(RunCli, ReportWithoutLabels) {
  const std::string report = strata::test::tempPath("report.json");
  ToolRun r = runStrata(path_ + " --arch npu-default --input-ids 1,2,3,4,5,6 -n 4 --json --report " +
                    report);
  ASSERT_EQ(r.exitCode, 0) << r.err;
  auto j = nlohmann::json::parse(readTextFile(report));
  EXPECT_EQ(j["summary"]["prompt_tokens"], 6);
  EXPECT_EQ(j["summary"]["generated_tokens"], 4);
  EXPECT_EQ(j["steps"].size(), 2u + 3u) << "two prefill chunks, three decode steps";
  EXPECT_EQ(j["steps"][0]["entry"], "prefill");
  EXPECT_EQ(j["steps"][4]["purpose"], "generation");
  EXPECT_GT(j["units"]["tensor"]["busy_s"].get<double>(), 0);
  EXPECT_GT(j["units"]["leakage"]["energy_j"].get<double>(), 0);
  EXPECT_GT(j["hbm"]["read_bytes"].get<double>(), 0);
  EXPECT_GT(j["hbm"]["peak_bytes_per_s"].get<double>(), 0);
  ASSERT_TRUE(j["dvfs"].contains("core0"));
  double share = 0;
  for (const auto &level : j["dvfs"]["core0"]["levels"])
    share += level["share"].get<double>();
  EXPECT_NEAR(share, 1.0, 1e-9);
  EXPECT_TRUE(j["layers"].empty());
  EXPECT_TRUE(j.contains("layers_note"));
  std::remove(report.c_str());
}

TEST_F(RunCli, ReportAttributesLabelledCode) {
  // Label the gather loop and the sum of both entry points.
  bin::Binary b = assemble();
  for (bin::EntryPoint &e : b.entries) {
    const uint32_t n = uint32_t(e.cores[0].size());
    const uint32_t split = e.name == "prefill" ? 15 : 16; // after "blt" (+ "li r2" in decode)
    e.labels = {{"blk.0.gather", 0, 0, split}, {"output", 0, split, n}};
  }
  ASSERT_TRUE(writeBinary(b, path_));
  const std::string report = strata::test::tempPath("report-labels.json");
  ToolRun r = runStrata(path_ + " --arch npu-default --input-ids 1,2,3 -n 3 --json --report " +
                    report);
  ASSERT_EQ(r.exitCode, 0) << r.err;
  auto j = nlohmann::json::parse(readTextFile(report));
  ASSERT_EQ(j["layers"].size(), 2u);
  EXPECT_EQ(j["layers"][0]["name"], "blk.0");
  EXPECT_EQ(j["ops"][0]["name"], "blk.0.gather");
  const auto &out = j["layers"][1];
  EXPECT_EQ(out["name"], "output");
  EXPECT_GT(out["macs"].get<double>(), 0) << "the GEMM is in the output label";
  EXPECT_GT(out["roofline"]["operational_intensity"].get<double>(), 0);
  EXPECT_TRUE(out["roofline"]["bound"] == "memory" || out["roofline"]["bound"] == "compute");
  EXPECT_EQ(j["layers"][0]["macs"], 0);
  EXPECT_GT(j["layers"][0]["hbm_read_bytes"].get<double>(), 0);
  // Exclusive times never exceed the spans, and add up to what the spans
  // cover (at most the run's time).
  double exclusive = 0;
  for (const auto &o : j["ops"]) {
    EXPECT_LE(o["exclusive_s"].get<double>(), o["time_s"].get<double>());
    exclusive += o["exclusive_s"].get<double>();
  }
  EXPECT_GT(exclusive, 0);
  EXPECT_LE(exclusive, j["summary"]["seconds"].get<double>() * (1 + 1e-9));
  // Energy shares add up to the run's energy.
  double sum = j["unattributed"]["energy_j"].get<double>();
  for (const auto &l : j["layers"])
    sum += l["energy_j"].get<double>();
  EXPECT_NEAR(sum, j["summary"]["energy_j"].get<double>(),
              1e-6 * j["summary"]["energy_j"].get<double>());
  std::remove(report.c_str());
}

TEST_F(RunCli, TraceIsWritten) {
  const std::string trace = strata::test::tempPath("trace.json");
  ToolRun r = runStrata(path_ + " --arch npu-default --input-ids 1 -n 2 --json --trace " + trace);
  ASSERT_EQ(r.exitCode, 0) << r.err;
  auto j = nlohmann::json::parse(readTextFile(trace));
  EXPECT_FALSE(j["traceEvents"].empty());
  std::remove(trace.c_str());
}

TEST_F(RunCli, HbmModelChoosesTheMemoryTimingNotTheValues) {
  ToolRun detailed =
      runStrata(path_ + " --arch npu-default --input-ids 1,2,3 -n 4 --json --hbm-model detailed");
  ToolRun analytic =
      runStrata(path_ + " --arch npu-default --input-ids 1,2,3 -n 4 --json --hbm-model analytic");
  ASSERT_EQ(detailed.exitCode, 0) << detailed.err;
  ASSERT_EQ(analytic.exitCode, 0) << analytic.err;
  auto d = nlohmann::json::parse(detailed.out), a = nlohmann::json::parse(analytic.out);
  EXPECT_EQ(d["token_ids"], a["token_ids"]);
  EXPECT_NE(d["sim"]["cycles"], a["sim"]["cycles"]) << "the two HBM models time differently";
  ToolRun bad = runStrata(path_ + " --input-ids 1 --hbm-model fast");
  EXPECT_NE(bad.exitCode, 0);
  EXPECT_NE(bad.err.find("--hbm-model"), std::string::npos) << bad.err;
}

TEST_F(RunCli, BadInvocationsSayWhatIsWrong) {
  struct Case {
    std::string args;
    const char *message;
  } cases[] = {
      {"/nonexistent/model.bin --input-ids 1", "/nonexistent/model.bin"},
      {path_ + " --input-ids 1 --precision int8", "--precision applies when compiling"},
      {path_ + " --prompt hello", "--prompt needs a tokenizer"},
      {path_ + " --input-ids 1,x", "'x' is not a token id"},
      {path_ + " --input-ids 1,99", "outside the vocabulary of 8"},
      {path_ + " --input-ids 1 --prompt-length 4", "at most one of"},
      {path_ + " --input-ids 1 --temperature -1", "temperature"},
      {path_ + " --input-ids 1 --arch no-such-arch", "no-such-arch"},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.args);
    ToolRun r = runStrata(c.args);
    EXPECT_NE(r.exitCode, 0);
    EXPECT_NE(r.err.find("strata run: error:"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
  }
}

} // namespace
} // namespace strata::runtime
