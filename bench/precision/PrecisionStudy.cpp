//===- PrecisionStudy.cpp - Accuracy and cost of each precision policy ----===//
//
//   strata-precision-study [--model FILE] [--positions N] [--json FILE]
//                          [--policies fp32,bf16,fp16,int8,int4,mixed]
//
// Makes the table of docs/precision.md. The FP32 program generates greedy
// stories (from several prompts, stopping on BOS as llama2.c does) until
// they hold at least N predicted positions; then every policy's program is
// run teacher-forced on exactly that text, one decode step per position:
//
//   top-1 agreement  share of positions where the policy's argmax equals
//                    FP32's argmax (both given the same FP32 prefix)
//   perplexity       exp(mean -log p(next token)) of the FP32 text
//
// and the simulated cost per decode step (time, energy, HBM bytes). A
// policy that does not compile or run is reported with its error.
//
//===----------------------------------------------------------------------===//
#include "strata/models/ModelLoader.h"
#include "strata/runtime/Generate.h"
#include "strata/runtime/ModelCompile.h"
#include "strata/runtime/Scoring.h"
#include "strata/runtime/SimExecutor.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

using namespace strata;

namespace {

struct PolicyResult {
  std::string policy;
  std::string error;
  size_t positions = 0;
  double agreement = 0, perplexity = 0;
  double stepSeconds = 0, stepEnergyJ = 0, stepHbmBytes = 0;
  uint64_t weightBytes = 0;
};

Expected<std::unique_ptr<runtime::Engine>> engineFor(const std::string &model,
                                                     const std::string &policy,
                                                     uint64_t *weightBytes) {
  runtime::ModelCompileOptions options;
  options.compile.precision = policy;
  options.compile.compareFusion = false;
  auto compiled = runtime::compileModelInput(model, options);
  if (!compiled)
    return compiled.error();
  *weightBytes = 0;
  for (const bin::ConstSegment &c : compiled->binary.constants)
    *weightBytes += c.size;
  auto executor = runtime::SimExecutor::create(compiled->binary, compiled->arch, {}, model,
                                               compiled->maxSeq);
  if (!executor)
    return executor.error();
  return std::make_unique<runtime::Engine>(executor.takeValue());
}

/// The FP32 program's greedy stories from `prompts`, in turn, until they
/// hold at least `positions` predictions.
Expected<std::vector<std::vector<int32_t>>> referenceText(runtime::Engine &engine,
                                                          const models::Tokenizer &tok,
                                                          const std::vector<std::string> &prompts,
                                                          size_t positions) {
  std::vector<std::vector<int32_t>> texts;
  size_t have = 0;
  for (size_t i = 0; have < positions; ++i) {
    if (i == prompts.size())
      return Error(fmt::format("the prompts gave only {} positions of the {} asked for", have,
                               positions));
    runtime::GenerateOptions g;
    g.maxNewTokens = 400;
    g.stopToken = tok.bosId();
    auto session = engine.createSession();
    auto r = runtime::generate(*session, tok.encode(prompts[i]), g);
    if (!r)
      return r.error();
    have += r->tokens.size() - 1;
    texts.push_back(r->tokens);
  }
  return texts;
}

PolicyResult evaluate(const std::string &model, const std::string &policy,
                      const std::vector<std::vector<int32_t>> &texts,
                      const std::vector<runtime::SequenceScore> *fp32) {
  PolicyResult out;
  out.policy = policy;
  auto engine = engineFor(model, policy, &out.weightBytes);
  if (!engine) {
    out.error = engine.message();
    return out;
  }
  double nll = 0;
  size_t agree = 0;
  runtime::RunStats stats;
  std::vector<runtime::SequenceScore> scores;
  for (const std::vector<int32_t> &text : texts) {
    auto session = (*engine)->createSession();
    auto score = runtime::scoreSequence(*session, text);
    if (!score) {
      out.error = score.message();
      return out;
    }
    stats.merge(session->stats());
    for (double v : score->nll)
      nll += v;
    out.positions += score->positions();
    scores.push_back(score.takeValue());
  }
  const std::vector<runtime::SequenceScore> &base = fp32 ? *fp32 : scores;
  for (size_t s = 0; s < scores.size(); ++s)
    for (size_t i = 0; i < scores[s].top1.size(); ++i)
      agree += scores[s].top1[i] == base[s].top1[i];
  out.agreement = double(agree) / double(out.positions);
  out.perplexity = std::exp(nll / double(out.positions));
  const double steps = double(stats.steps().size());
  out.stepSeconds = stats.seconds() / steps;
  out.stepEnergyJ = stats.energyJ() / steps;
  out.stepHbmBytes = stats.hbmBytes() / steps;
  if (!fp32)
    out.agreement = 1.0;
  return out;
}

std::vector<std::string> split(const std::string &list) {
  std::vector<std::string> out;
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty())
      out.push_back(item);
  return out;
}

} // namespace

int main(int argc, char **argv) {
  CLI::App app{"Top-1 agreement with FP32 and perplexity of each precision policy, "
               "teacher-forced on the FP32 program's own greedy text",
               "strata-precision-study"};
  const char *env = std::getenv("STRATA_SHARED_DIR");
  std::string model = std::string(env && *env ? env : STRATA_SHARED_DIR) +
                      "/models/stories260K/stories260K.bin";
  std::string policies = "fp32,bf16,fp16,int8,int4,mixed";
  std::string jsonPath;
  size_t positions = 1000;
  app.add_option("--model", model, "llama2.c checkpoint with a tokenizer beside it")
      ->capture_default_str();
  app.add_option("--policies", policies, "comma-separated precision policies")
      ->capture_default_str();
  app.add_option("--positions", positions, "predicted positions at least")->capture_default_str();
  app.add_option("--json", jsonPath, "also write the results as JSON");
  CLI11_PARSE(app, argc, argv);

  auto loaded = models::loadModel(model);
  if (!loaded) {
    std::fprintf(stderr, "strata-precision-study: error: %s\n", loaded.message().c_str());
    return 1;
  }
  auto tok = models::loadTokenizerFor(*loaded);
  if (!tok) {
    std::fprintf(stderr, "strata-precision-study: error: %s\n", tok.message().c_str());
    return 1;
  }
  uint64_t fp32Bytes = 0;
  auto fp32Engine = engineFor(model, "fp32", &fp32Bytes);
  if (!fp32Engine) {
    std::fprintf(stderr, "strata-precision-study: error: %s\n", fp32Engine.message().c_str());
    return 1;
  }
  const std::vector<std::string> prompts{"",        "The cat",   "One day",  "Lily and Ben",
                                         "The sun", "Tom had a", "Once upon a time there"};
  auto texts = referenceText(**fp32Engine, *tok, prompts, positions);
  if (!texts) {
    std::fprintf(stderr, "strata-precision-study: error: %s\n", texts.message().c_str());
    return 1;
  }
  fp32Engine->reset();

  // FP32's own scores are the baseline for agreement.
  PolicyResult fp32 = evaluate(model, "fp32", *texts, nullptr);
  std::vector<runtime::SequenceScore> fp32Scores;
  {
    uint64_t bytes;
    auto engine = engineFor(model, "fp32", &bytes);
    for (const auto &text : *texts) {
      auto session = (*engine)->createSession();
      fp32Scores.push_back(*runtime::scoreSequence(*session, text));
    }
  }
  std::vector<PolicyResult> results;
  for (const std::string &policy : split(policies))
    results.push_back(policy == "fp32" ? fp32 : evaluate(model, policy, *texts, &fp32Scores));

  fmt::print("{} FP32 stories, {} teacher-forced positions ({})\n\n", texts->size(),
             fp32.positions, model);
  fmt::print("| policy | weight bytes | top-1 agreement | perplexity | Δ perplexity | time / step "
             "| energy / step | HBM bytes / step |\n");
  fmt::print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  nlohmann::json rows = nlohmann::json::array();
  for (const PolicyResult &r : results) {
    if (!r.error.empty()) {
      std::string first = r.error.substr(0, r.error.find('\n'));
      fmt::print("| {} | | fails: {} | | | | | |\n", r.policy, first);
      rows.push_back({{"policy", r.policy}, {"error", r.error}});
      continue;
    }
    fmt::print("| {} | {} | {:.2f}% | {:.4f} | {:+.4f} ({:+.2f}%) | {:.2f} us | {:.2f} uJ | {:.0f} |\n",
               r.policy, r.weightBytes, 100 * r.agreement, r.perplexity,
               r.perplexity - fp32.perplexity,
               100 * (r.perplexity - fp32.perplexity) / fp32.perplexity, r.stepSeconds * 1e6,
               r.stepEnergyJ * 1e6, r.stepHbmBytes);
    rows.push_back({{"policy", r.policy},
                    {"weight_bytes", r.weightBytes},
                    {"positions", r.positions},
                    {"top1_agreement", r.agreement},
                    {"perplexity", r.perplexity},
                    {"perplexity_delta", r.perplexity - fp32.perplexity},
                    {"step_seconds", r.stepSeconds},
                    {"step_energy_j", r.stepEnergyJ},
                    {"step_hbm_bytes", r.stepHbmBytes}});
  }
  if (!jsonPath.empty()) {
    std::ofstream out(jsonPath);
    out << nlohmann::json{{"model", model}, {"positions", fp32.positions},
                          {"stories", texts->size()}, {"policies", rows}}
               .dump(2)
        << "\n";
  }
  return 0;
}
