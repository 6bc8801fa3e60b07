//===- CmdCompile.cpp - strata compile: graph IR to an NPU binary ---------===//
//
//   strata compile INPUT.mlir|MODEL -o OUT.npubin [--arch CFG] [--precision P]
//       [--emit mlir|asm|bin] [--mlir-print-ir-after-all] [--report FILE]
//       [--no-fuse] [--no-prefetch] [--no-dvfs-hints] [--no-pin-weights] [--no-resident-kv]
//       [--no-pad-rows] [--no-forward-stores] [--no-fusion-compare]
//       [--chunk T] [--max-seq N] [--kv-cache f32|f16|bf16]   (model inputs)
//
// Runs the compiler driver (compiler/include/strata/Driver) on a
// graph-dialect module: fusion, quantization, lowering, prefetch scheduling,
// weight pinning, DVFS hints, SRAM allocation, semaphores, emission. The binary is written with bin::writeBinary; --emit
// mlir writes the final npu IR instead and --emit asm its assembly. A model
// file or config name goes through the graph builder first (ModelCompile.h).
//
//===----------------------------------------------------------------------===//
#include "CliSupport.h"
#ifdef STRATA_HAVE_MODEL_COMPILE
#include "strata/runtime/ModelCompile.h"
#endif

#include "strata/Driver/CompileFile.h"
#include "strata/target/Assembly.h"
#include "strata/target/BinaryIO.h"

#include <fmt/format.h>

#include <cstdio>
#include <fstream>

namespace strata::cli {
namespace {

struct CompileCliOptions {
  std::string input;
  std::string output;
  std::string emit = "bin";
  std::string report;
  bool noFuse = false;
  bool noFusionCompare = false;
  bool noPrefetch = false;
  bool noDvfsHints = false;
  bool noPinWeights = false;
  bool noResidentKv = false;
  bool noPadRows = false;
  bool noForwardStores = false;
  CompileOptions compile;
  // Model-file inputs only (compileModelFile below).
  uint32_t tokensPerPrefill = 16;
  uint32_t maxSeq = 0;
  std::string kvCache = "f32";
};

std::string defaultOutput(const CompileCliOptions &o) {
  std::string base = o.input;
  size_t slash = base.find_last_of('/');
  if (slash != std::string::npos)
    base = base.substr(slash + 1);
  size_t dot = base.find_last_of('.');
  if (dot != std::string::npos && dot > 0)
    base.resize(dot);
  if (o.emit == "mlir")
    return base + ".npu.mlir";
  if (o.emit == "asm")
    return base + ".s";
  return base + std::string(bin::kFileExtension);
}

void writeText(const std::string &path, const std::string &text) {
  if (path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return;
  }
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out)
    fail("compile", fmt::format("cannot write '{}'", path));
}

#ifdef STRATA_HAVE_MODEL_COMPILE
/// A model file (llama2.c, GGUF, safetensors directory) or a well-known
/// config name: the graph builder makes the module (ModelCompile.h), the
/// same driver compiles it.
Expected<CompileOutput> compileModelFile(const CompileCliOptions &o) {
  runtime::ModelCompileOptions m;
  m.compile = o.compile;
  m.prefillChunk = o.tokensPerPrefill;
  m.maxSeq = o.maxSeq;
  m.kvCache = o.kvCache;
  m.keepMlir = o.emit == "mlir";
  auto compiled = runtime::compileModelInput(o.input, m);
  if (!compiled)
    return compiled.error();
  CompileOutput out;
  out.binary = std::move(compiled->binary);
  out.report = std::move(compiled->report);
  out.mlir = std::move(compiled->mlir);
  return out;
}
#endif

bool isMlirFile(const std::string &path) {
  return path.size() > 5 && path.compare(path.size() - 5, 5, ".mlir") == 0;
}

void runCompile(CompileCliOptions &o) {
  if (o.emit != "bin" && o.emit != "mlir" && o.emit != "asm")
    fail("compile", fmt::format("--emit {} is not one of mlir, asm, bin", o.emit));
  o.compile.fuse = !o.noFuse;
  o.compile.prefetch = !o.noPrefetch;
  o.compile.dvfsHints = !o.noDvfsHints;
  o.compile.pinWeights = !o.noPinWeights;
  o.compile.residentKv = !o.noResidentKv;
  o.compile.padRows = !o.noPadRows;
  o.compile.forwardStores = !o.noForwardStores;
  o.compile.compareFusion = !o.noFusionCompare;
  o.compile.toolVersion = std::string("strata ") + STRATA_VERSION;
  const bool model = !isMlirFile(o.input);
#ifdef STRATA_HAVE_MODEL_COMPILE
  if (model && !runtime::isModelInput(o.input))
    fail("compile", fmt::format("'{}' is neither a .mlir module, a model file or directory, "
                                "nor a well-known config name",
                                o.input));
#endif
  if (o.compile.modelName.empty() && !model)
    o.compile.modelName = o.input;
  Expected<CompileOutput> out =
#ifdef STRATA_HAVE_MODEL_COMPILE
      model ? compileModelFile(o) :
#endif
            compileFile(o.input, o.compile, o.emit == "mlir");
  if (!out) {
    // Diagnostics already read "file:line:col: error: ...".
    std::fputs(out.message().c_str(), stderr);
    if (!out.message().empty() && out.message().back() != '\n')
      std::fputc('\n', stderr);
    throw CommandFailed(1);
  }
  std::string output = o.output.empty() ? defaultOutput(o) : o.output;
  if (o.emit == "bin") {
    checkOrFail("compile", writeBinary(out->binary, output));
  } else if (o.emit == "asm") {
    bin::DisassembleOptions d;
    d.constData = false;
    writeText(output, bin::disassemble(out->binary, d));
  } else {
    writeText(output, out->mlir);
  }
  if (!o.report.empty())
    writeText(o.report, out->report + "\n");
}

} // namespace

void registerCompileCommand(CLI::App &app) {
  auto opt = std::make_shared<CompileCliOptions>();
  CLI::App *cmd = app.add_subcommand(
      "compile", "Compile a model file or a graph-dialect module (.mlir) to an NPU binary");
  cmd->add_option("input", opt->input,
                  "Graph-dialect module (.mlir), model file or directory (llama2.c, GGUF, "
                  "safetensors), or well-known config name (no weights)")
      ->required();
  cmd->add_option("-o,--output", opt->output,
                  "Output file ('-' for stdout with --emit mlir|asm); default: INPUT with "
                  ".npubin, .npu.mlir or .s");
  cmd->add_option("--arch", opt->compile.arch,
                  "Architecture config name or YAML path (default npu-default)");
  cmd->add_option("--precision", opt->compile.precision,
                  "Quantization policy: fp32, bf16, fp16, int8, int4, mixed, native (default: "
                  "keep the module's precisions)");
  cmd->add_option("--group-size", opt->compile.groupSize, "int4 group size (default 32)");
  cmd->add_option("--scale-type", opt->compile.scaleType,
                  "int8/int4 scale storage: f32 or f16 (default f32)");
  cmd->add_option("--cores", opt->compile.cores, "Cores to use (default: all)");
  cmd->add_option("--prefill-chunk", opt->compile.prefillChunk,
                  "Rows per activation tile (default: as the SRAM budget allows)");
  cmd->add_option("--linear-schedule", opt->compile.linearSchedule,
                  "Linear layers: auto (default), rows (row-stationary) or outputs "
                  "(output-stationary, K-chunked; for prefill chunks)")
      ->check(CLI::IsMember({"auto", "rows", "outputs"}));
  cmd->add_option("--prefill-k-chunk", opt->compile.prefillKChunk,
                  "K chunk of the output-stationary schedule (default: the cost model's)");
  cmd->add_option("--prefill-k-sums", opt->compile.prefillKSums,
                  "How the output-stationary schedule adds K chunks: auto (default), gemm "
                  "(the GEMM's accumulate epilogue) or vector (partial sums on the vector unit)")
      ->check(CLI::IsMember({"auto", "gemm", "vector"}));
  cmd->add_option("--prefetch-depth", opt->compile.prefetchDepth,
                  "Weight tiles in flight per core (default 2: double buffering)");
  cmd->add_option("--emit", opt->emit, "What to write: bin (default), mlir (npu IR), asm");
  cmd->add_flag("--mlir-print-ir-after-all", opt->compile.printIrAfterAll,
                "Print the IR after every pass to stderr");
  cmd->add_option("--report", opt->report, "Write the JSON compile report to FILE");
  cmd->add_flag("--no-fuse", opt->noFuse, "Skip strata-graph-fuse");
  cmd->add_flag("--no-prefetch", opt->noPrefetch,
                "Keep the lowered load order (strata-npu-schedule-prefetch only reports)");
  cmd->add_flag("--no-dvfs-hints", opt->noDvfsHints, "Skip strata-npu-insert-dvfs-hints");
  cmd->add_flag("--no-pin-weights", opt->noPinWeights,
                "Load weights from HBM on every step even when they all fit in SRAM "
                "(skip strata-npu-pin-weights)");
  cmd->add_flag("--no-resident-kv", opt->noResidentKv,
                "Read a decode step's whole KV cache from HBM on every step even when it "
                "fits in SRAM (strata-graph-to-npu resident-kv=false)");
  cmd->add_flag("--no-pad-rows", opt->noPadRows,
                "Keep multi-row activations packed even where their row pitch puts a column "
                "tile on few HBM pseudo-channels (strata-graph-to-npu pad-rows=false)");
  cmd->add_flag("--no-forward-stores", opt->noForwardStores,
                "Load kernel results back from HBM even on the core that stored them "
                "(skip strata-npu-forward-stores)");
  cmd->add_flag("--no-fusion-compare", opt->noFusionCompare,
                "Do not compile an unfused copy for the report's before-fusion figures");
  cmd->add_flag("--timing-only", opt->compile.timingOnly,
                "Leave constant data out of the binary (reserve its bytes only)");
  cmd->add_option("--model-name", opt->compile.modelName,
                  "Model name recorded in the binary (default: INPUT)");
  cmd->add_option("--chunk", opt->tokensPerPrefill,
                  "Model inputs: tokens per prefill call (default 16)");
  cmd->add_option("--max-seq", opt->maxSeq,
                  "Model inputs: KV-cache positions (default: the model's context)");
  cmd->add_option("--kv-cache", opt->kvCache,
                  "Model inputs: KV-cache element type f32 (default), f16 or bf16");
  cmd->callback([opt] { runCompile(*opt); });
}

} // namespace strata::cli
