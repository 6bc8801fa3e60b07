//===- CmdCompile.cpp - strata compile: graph IR to an NPU binary ---------===//
//
//   strata compile INPUT.mlir -o OUT.npubin [--arch CFG] [--precision P]
//       [--emit mlir|asm|bin] [--mlir-print-ir-after-all] [--report FILE]
//
// Runs the compiler driver (compiler/include/strata/Driver) on a
// graph-dialect module: fusion, quantization, lowering, SRAM allocation,
// semaphores, emission. The binary is written with bin::writeBinary; --emit
// mlir writes the final npu IR instead and --emit asm its assembly.
//
//===----------------------------------------------------------------------===//
#include "CliSupport.h"

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
  CompileOptions compile;
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

void runCompile(CompileCliOptions &o) {
  if (o.emit != "bin" && o.emit != "mlir" && o.emit != "asm")
    fail("compile", fmt::format("--emit {} is not one of mlir, asm, bin", o.emit));
  o.compile.fuse = !o.noFuse;
  o.compile.compareFusion = !o.noFusionCompare;
  o.compile.toolVersion = std::string("strata ") + STRATA_VERSION;
  if (o.compile.modelName.empty())
    o.compile.modelName = o.input;
  Expected<CompileOutput> out = compileFile(o.input, o.compile, o.emit == "mlir");
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
      "compile", "Compile a graph-dialect module (.mlir) to an NPU binary");
  cmd->add_option("input", opt->input, "Graph-dialect module (.mlir)")->required();
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
  cmd->add_option("--prefetch-depth", opt->compile.prefetchDepth,
                  "Weight tiles in flight per core (default 2: double buffering)");
  cmd->add_option("--emit", opt->emit, "What to write: bin (default), mlir (npu IR), asm");
  cmd->add_flag("--mlir-print-ir-after-all", opt->compile.printIrAfterAll,
                "Print the IR after every pass to stderr");
  cmd->add_option("--report", opt->report, "Write the JSON compile report to FILE");
  cmd->add_flag("--no-fuse", opt->noFuse, "Skip strata-graph-fuse");
  cmd->add_flag("--no-fusion-compare", opt->noFusionCompare,
                "Do not compile an unfused copy for the report's before-fusion figures");
  cmd->add_flag("--timing-only", opt->compile.timingOnly,
                "Leave constant data out of the binary (reserve its bytes only)");
  cmd->add_option("--model-name", opt->compile.modelName,
                  "Model name recorded in the binary (default: INPUT)");
  cmd->callback([opt] { runCompile(*opt); });
}

} // namespace strata::cli
