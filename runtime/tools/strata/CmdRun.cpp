//===- CmdRun.cpp - strata run: generate text on the simulated NPU --------===//
//
//   strata run MODEL_OR_BINARY [--tokenizer FILE] [--prompt TEXT | --input-ids 1,2,3]
//              [-n N] [--temperature T] [--top-k K] [--top-p P] [--seed S]
//              [--precision P] [--arch CFG] [--governor G] [--hbm-model M] [--json]
//              [--dump-logits FILE] [--report FILE] [--trace FILE] [--timing-only]
//
// MODEL_OR_BINARY is an NPU binary (.npubin), a model file or directory
// (llama2.c, GGUF, safetensors; compiled in-process), or a well-known config
// name such as llama2-7b (no weights: a timing-only run). The text streams
// to stdout as tokens are generated, exactly as llama2.c's run prints it; a
// short cost summary goes to stderr. With --json, stdout is one JSON object.
//
//===----------------------------------------------------------------------===//
#include "CliSupport.h"
#include "Commands.h"

#ifdef STRATA_HAVE_MODEL_COMPILE
#include "strata/runtime/ModelCompile.h"
#endif

#include "strata/models/Llama2cLoader.h"
#include "strata/models/ModelLoader.h"
#include "strata/models/Tokenizer.h"
#include "strata/models/WellKnownConfigs.h"
#include "strata/runtime/Generate.h"
#include "strata/runtime/ProgramMetadata.h"
#include "strata/runtime/RunReport.h"
#include "strata/runtime/Session.h"
#include "strata/runtime/SimExecutor.h"
#include "strata/target/ArchConfigIO.h"
#include "strata/target/BinaryIO.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <cstring>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

namespace strata::cli {
namespace {

struct RunCliOptions {
  std::string input;
  std::string tokenizer;
  std::string prompt;
  bool promptGiven = false;
  std::string inputIds;
  uint32_t promptLength = 0;
  uint32_t steps = 256;
  float temperature = 0.0f;
  uint32_t topK = 0;
  float topP = 1.0f;
  uint64_t seed = 0;
  std::string precision;
  std::string arch;
  std::string governor;
  std::string hbmModel; ///< overrides the arch config's hbm.model
  bool json = false;
  std::string dumpLogits;
  std::string report;
  std::string trace;
  bool timingOnly = false;
  uint32_t chunk = 16;
  uint32_t maxSeq = 0;
  std::string kvCache = "f32";
};

[[noreturn]] void runFail(const std::string &message) { fail("run", message); }

void note(const std::string &message) { fmt::print(stderr, "strata run: {}\n", message); }

/// What will run: the binary, its architecture, and what is known about the
/// model it came from.
struct Program {
  bin::Binary binary;
  ArchConfig arch;
  std::string source;
  std::optional<models::Model> model;
  std::optional<models::ModelConfig> config;
  uint32_t maxSeq = 0;
  bool fromModelFile = false;
  bool weightless = false;
};

bool isNpuBinary(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  char magic[4] = {};
  return f.read(magic, 4) && std::memcmp(magic, "\x7f" "ELF", 4) == 0;
}

ArchConfig archForBinary(const bin::Binary &binary, const RunCliOptions &o) {
  std::optional<ArchConfig> recorded;
  if (!binary.archConfigYaml.empty()) {
    recorded = valueOrFail("run", parseArchConfig(binary.archConfigYaml,
                                                  o.input + " (recorded architecture)"));
  }
  if (!o.arch.empty()) {
    auto a = findArchConfig(o.arch);
    if (!a)
      runFail(a.message());
    if (!binary.archHash.empty() && archConfigHash(*a) != binary.archHash)
      note(fmt::format("warning: {} was compiled for architecture '{}' (hash {:.12}); running "
                       "it on '{}' from {} (hash {:.12}), whose parameters differ",
                       o.input, recorded ? recorded->name : std::string("?"), binary.archHash,
                       a->name, o.arch, archConfigHash(*a)));
    return a.takeValue();
  }
  if (recorded)
    return *recorded;
  note(fmt::format("{} records no architecture; using npu-default", o.input));
  return defaultArchConfig();
}

Program loadProgram(const RunCliOptions &o) {
  Program p;
  p.source = o.input;
  if (isNpuBinary(o.input)) {
    if (!o.precision.empty())
      runFail("--precision applies when compiling a model; " + o.input +
              " is a compiled binary (recompile it with strata compile --precision)");
    p.binary = valueOrFail("run", readBinary(o.input));
    p.arch = archForBinary(p.binary, o);
    // The model it came from, for its tokenizer and end token, if still there.
    if (auto path = runtime::meta::find(p.binary, runtime::meta::kPath)) {
      if (auto m = models::loadModel(*path))
        p.model = m.takeValue();
    }
    if (p.model)
      p.config = p.model->config;
    p.weightless = std::all_of(p.binary.constants.begin(), p.binary.constants.end(),
                               [](const bin::ConstSegment &c) { return c.data == nullptr; }) &&
                   !p.binary.constants.empty();
    return p;
  }
#ifdef STRATA_HAVE_MODEL_COMPILE
  if (!runtime::isModelInput(o.input))
    runFail("'" + o.input + "' is neither an NPU binary, a model file or directory, nor a "
            "well-known config name (strata run --help lists them)");
  runtime::ModelCompileOptions c;
  c.compile.precision = o.precision.empty() ? "fp32" : o.precision;
  if (!o.arch.empty())
    c.compile.arch = o.arch;
  c.compile.compareFusion = false; // the report's unfused figures double compile time
  c.compile.toolVersion = std::string("strata ") + STRATA_VERSION;
  c.prefillChunk = o.chunk;
  c.maxSeq = o.maxSeq;
  c.kvCache = o.kvCache;
  auto compiled = valueOrFail("run", runtime::compileModelInput(o.input, c));
  p.binary = std::move(compiled.binary);
  p.arch = compiled.arch;
  p.model = std::move(compiled.model);
  p.config = compiled.config;
  p.maxSeq = compiled.maxSeq;
  p.fromModelFile = true;
  p.weightless = !p.model.has_value();
  return p;
#else
  runFail("'" + o.input + "' is not an NPU binary, and this build has no compiler to compile "
          "a model (configure with -DSTRATA_BUILD_COMPILER=ON), so only .npubin files run");
#endif
}

std::optional<models::Tokenizer> loadTokenizer(const Program &p, const RunCliOptions &o) {
  if (p.model) {
    std::optional<std::string> path;
    if (!o.tokenizer.empty())
      path = o.tokenizer;
    auto t = models::loadTokenizerFor(*p.model, path);
    if (t)
      return t.takeValue();
    if (!o.tokenizer.empty())
      runFail(t.message());
    return std::nullopt; // e.g. Hugging Face models: ids only
  }
  if (!o.tokenizer.empty()) {
    uint32_t vocab = p.config ? p.config->vocabSize : 0;
    if (!vocab)
      if (const bin::IoBinding *logits = p.binary.findIo(runtime::names::kLogits))
        vocab = uint32_t(logits->shape.back());
    return valueOrFail("run", models::loadLlama2cTokenizer(o.tokenizer, vocab));
  }
  return std::nullopt;
}

std::vector<int32_t> parseIds(const std::string &text) {
  std::vector<int32_t> ids;
  size_t i = 0;
  while (i <= text.size()) {
    size_t comma = text.find(',', i);
    std::string item = text.substr(i, comma == std::string::npos ? std::string::npos : comma - i);
    errno = 0;
    char *end = nullptr;
    long v = std::strtol(item.c_str(), &end, 10);
    if (item.empty() || errno || *end != '\0' || v < 0 || v > INT32_MAX)
      runFail(fmt::format("--input-ids: '{}' is not a token id (expected e.g. 1,403,407)",
                          item));
    ids.push_back(int32_t(v));
    if (comma == std::string::npos)
      break;
    i = comma + 1;
  }
  return ids;
}

std::vector<int32_t> promptIds(const Program &p, const std::optional<models::Tokenizer> &tok,
                               const RunCliOptions &o) {
  int given = int(o.promptGiven) + int(!o.inputIds.empty()) + int(o.promptLength > 0);
  if (given > 1)
    runFail("give at most one of --prompt, --input-ids and --prompt-length");
  if (!o.inputIds.empty())
    return parseIds(o.inputIds);
  int32_t bos = tok ? tok->bosId() : (p.config && p.config->bosId >= 0 ? p.config->bosId : 1);
  if (o.promptLength > 0) {
    // A synthetic prompt for timing runs: BOS, then arbitrary ids.
    std::vector<int32_t> ids(o.promptLength);
    uint32_t vocab = p.config ? p.config->vocabSize : 2;
    for (uint32_t i = 0; i < o.promptLength; ++i)
      ids[i] = i == 0 ? bos : int32_t((i * 7919u) % std::max(2u, vocab));
    return ids;
  }
  if (o.promptGiven) {
    if (!tok)
      runFail(fmt::format("--prompt needs a tokenizer, and none was found for {} (pass "
                          "--tokenizer FILE, or give token ids with --input-ids)",
                          p.source));
    return tok->encode(o.prompt);
  }
  // No prompt: BOS alone, as llama2.c's run does with an empty prompt.
  return tok ? tok->encode("") : std::vector<int32_t>{bos};
}

/// llama2.c's run stops when the model emits BOS; the other formats stop on
/// their end-of-sequence token. Timing-only runs never stop early (their
/// logits are not computed).
int32_t stopToken(const Program &p, const std::optional<models::Tokenizer> &tok,
                  bool timingOnly) {
  if (timingOnly)
    return -1;
  if (p.model && p.model->format == models::ModelFormat::Llama2c)
    return tok ? tok->bosId() : p.config->bosId;
  if (!p.model) {
    if (auto fmtName = runtime::meta::find(p.binary, runtime::meta::kFormat); fmtName && *fmtName == "llama2.c")
      if (auto bos = runtime::meta::find(p.binary, runtime::meta::kBos))
        return int32_t(std::strtol(bos->c_str(), nullptr, 10));
    if (auto eos = runtime::meta::find(p.binary, runtime::meta::kEos))
      return int32_t(std::strtol(eos->c_str(), nullptr, 10));
  }
  if (tok)
    return tok->eosId();
  return p.config ? p.config->eosId : -1;
}

Status writeText(const std::string &path, const std::string &text) {
  std::ofstream out(path, std::ios::trunc);
  if (!out)
    return Error(path + ": cannot open for writing");
  out << text;
  if (!out)
    return Error(path + ": write failed");
  return Status::ok();
}

nlohmann::json simJson(const runtime::RunStats &stats, const ArchConfig &arch) {
  return {{"cycles", stats.cycles()},
          {"seconds", stats.seconds()},
          {"ttft_s", stats.ttftSeconds()},
          {"tpot_s", stats.tpotSeconds()},
          {"energy_j", stats.energyJ()},
          {"avg_power_w", stats.averagePowerW()},
          {"tensor_core_utilization", stats.utilisation("tensor", arch.numCores)},
          {"hbm_bandwidth_utilization", stats.hbmBandwidthUtilisation(arch)}};
}

void runModel(const RunCliOptions &o) {
  runtime::SamplingOptions sampling;
  sampling.temperature = o.temperature;
  sampling.topK = o.topK;
  sampling.topP = o.topP;
  sampling.seed = o.seed;
  if (std::string problem = sampling.validate(); !problem.empty())
    runFail(problem);

  Program p = loadProgram(o);
  bool timingOnly = o.timingOnly;
  if (p.weightless && !timingOnly) {
    if (!o.json)
      note(p.source + " has no weights: running timing-only (the tokens are not meaningful)");
    timingOnly = true;
  }
  std::optional<models::Tokenizer> tok = loadTokenizer(p, o);
  std::vector<int32_t> prompt = promptIds(p, tok, o);
  if (prompt.empty())
    runFail("the prompt has no tokens");

  sim::SimOptions simOptions;
  simOptions.timingOnly = timingOnly;
  simOptions.governor = o.governor;
  simOptions.tracePath = o.trace;
  if (!o.hbmModel.empty())
    p.arch.hbm.model = o.hbmModel;
  auto executor = valueOrFail("run", runtime::SimExecutor::create(std::move(p.binary), p.arch,
                                                                  simOptions, p.source, p.maxSeq));
  runtime::SimExecutor &sim = *executor;
  runtime::Engine engine(std::move(executor));
  auto session = engine.createSession();

  runtime::GenerateOptions g;
  g.maxNewTokens = o.steps;
  g.stopToken = stopToken(p, tok, timingOnly);
  g.sampling = sampling;

  // Streaming: the prompt is echoed as run.c does, then each token as it
  // is sampled.
  const bool stream = !o.json && tok.has_value() && !timingOnly;
  int32_t prev = -1;
  auto print = [&](int32_t token) {
    std::string piece = tok->decodeToken(prev, token);
    std::fwrite(piece.data(), 1, piece.size(), stdout);
    std::fflush(stdout);
    prev = token;
  };
  if (stream)
    for (int32_t t : prompt)
      print(t);
  auto result = runtime::generate(*session, prompt, g, [&](uint32_t, int32_t token) {
    if (stream)
      print(token);
    return true;
  });
  if (stream) {
    std::fputs("\n", stdout);
    std::fflush(stdout); // the summary goes to stderr: after the text, not inside it
  }
  checkOrFail("run", result.status());
  const runtime::GenerateResult &r = *result;
  const runtime::RunStats &stats = r.stats;
  const uint32_t generated = uint32_t(r.tokens.size()) - r.promptTokens;

  if (!o.dumpLogits.empty())
    checkOrFail("run", writeText(o.dumpLogits, nlohmann::json(r.promptLogits).dump() + "\n"));
  if (!o.report.empty()) {
    runtime::ReportContext ctx;
    ctx.model = p.source;
    ctx.precision = p.fromModelFile ? (o.precision.empty() ? "fp32" : o.precision) : "";
    ctx.timingOnly = timingOnly;
    ctx.promptTokens = r.promptTokens;
    ctx.generatedTokens = generated;
    ctx.simStats = sim.simulator().stats().toJson();
    ctx.weightLoad = sim.simulator().weightLoad();
    nlohmann::json report = runtime::buildRunReport(stats, p.arch, ctx);
    report["stop"] = std::string(runtime::stopReasonName(r.stop));
    checkOrFail("run", writeText(o.report, report.dump(2) + "\n"));
  }
  if (!o.trace.empty())
    checkOrFail("run", sim.simulator().closeTrace());

  if (o.json) {
    nlohmann::json j;
    j["token_ids"] = r.tokens;
    j["n_prompt_tokens"] = r.promptTokens;
    j["text"] = tok && !timingOnly ? tok->decode(r.tokens) : std::string();
    j["stop"] = std::string(runtime::stopReasonName(r.stop));
    j["timing_only"] = timingOnly;
    j["sim"] = simJson(stats, p.arch);
    std::string out = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fputs("\n", stdout);
    return;
  }
  if (!stream && !timingOnly) {
    // No tokenizer: print the ids.
    std::string ids;
    for (int32_t t : r.tokens)
      ids += (ids.empty() ? "" : " ") + std::to_string(t);
    fmt::print("{}\n", ids);
  }
  const double seconds = stats.seconds();
  fmt::print(stderr,
             "strata run: {} prompt + {} generated tokens on {}{}: {} simulated ({:.1f} tok/s), "
             "ttft {}, tpot {}, {}, {:.2f} W, tensor cores {:.1f}%, HBM bandwidth {:.1f}%\n",
             r.promptTokens, generated, p.arch.name, timingOnly ? " (timing only)" : "",
             humanTime(seconds), seconds > 0 ? (r.promptTokens + generated) / seconds : 0.0,
             humanTime(stats.ttftSeconds()), humanTime(stats.tpotSeconds()),
             humanEnergy(stats.energyJ()), stats.averagePowerW(),
             100 * stats.utilisation("tensor", p.arch.numCores),
             100 * stats.hbmBandwidthUtilisation(p.arch));
}

} // namespace

void registerRunCommand(CLI::App &app) {
  auto opts = std::make_shared<RunCliOptions>();
  std::string names;
  for (const std::string &n : models::wellKnownConfigNames())
    names += (names.empty() ? "" : ", ") + n;
  CLI::App *cmd = app.add_subcommand(
      "run", "Generate tokens with a model on the simulated NPU and report what it cost");
  cmd->footer("MODEL_OR_BINARY: an NPU binary (.npubin); a llama2.c checkpoint, GGUF file or "
              "Hugging Face directory (compiled in-process); or a well-known config name for "
              "a timing-only run without weights: " +
              names + ".");
  cmd->add_option("input", opts->input, "NPU binary, model file/directory, or config name")
      ->required();
  cmd->add_option("--tokenizer", opts->tokenizer,
                  "tokenizer of a llama2.c checkpoint (default: tokenizer*.bin or tok*.bin "
                  "beside the model)");
  cmd->add_option("--prompt", opts->prompt, "prompt text (tokenized with BOS)")
      ->each([opts](const std::string &) { opts->promptGiven = true; });
  cmd->add_option("--input-ids", opts->inputIds, "prompt token ids, e.g. 1,403,407 (BOS "
                                                 "included if wanted)");
  cmd->add_option("--prompt-length", opts->promptLength,
                  "a synthetic prompt of N tokens (timing runs without a tokenizer)");
  cmd->add_option("-n,--steps", opts->steps, "new tokens to generate at most")
      ->capture_default_str();
  cmd->add_option("--temperature", opts->temperature, "0 = greedy")->capture_default_str();
  cmd->add_option("--top-k", opts->topK, "sample among the K most probable tokens (0: all)");
  cmd->add_option("--top-p", opts->topP, "nucleus sampling in (0, 1); 1 = off")
      ->capture_default_str();
  cmd->add_option("--seed", opts->seed, "sampling seed");
  cmd->add_option("--precision", opts->precision,
                  "compile precision: fp32, bf16, fp16, int8, int4, mixed, native (models only)");
  cmd->add_option("--arch", opts->arch, "architecture config name or YAML file");
  cmd->add_option("--governor", opts->governor, "DVFS governor: fixed, ondemand, hinted");
  addHbmModelOption(cmd, opts->hbmModel);
  cmd->add_flag("--json", opts->json, "print one JSON object instead of the text");
  cmd->add_option("--dump-logits", opts->dumpLogits,
                  "write the logits at the last prompt position (JSON array)");
  cmd->add_option("--report", opts->report,
                  "write a JSON report: per layer/unit time and energy, DVFS, HBM, roofline");
  cmd->add_option("--trace", opts->trace, "write a Chrome/Perfetto trace");
  cmd->add_flag("--timing-only", opts->timingOnly, "skip the values (timing, energy exact)");
  cmd->add_option("--chunk", opts->chunk, "prefill rows per call when compiling a model")
      ->capture_default_str();
  cmd->add_option("--max-seq", opts->maxSeq,
                  "KV-cache positions when compiling a model (0: the model's context)");
  cmd->add_option("--kv-cache", opts->kvCache,
                  "KV-cache element type when compiling a model: f32, f16, bf16")
      ->capture_default_str();
  cmd->callback([opts] { runModel(*opts); });
}

} // namespace strata::cli
