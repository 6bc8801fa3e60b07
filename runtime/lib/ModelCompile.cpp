//===- ModelCompile.cpp - Model file or config name -> NPU binary ---------===//
#include "strata/runtime/ModelCompile.h"

#include "strata/Driver/Compile.h"
#include "strata/InitAllDialects.h"
#include "strata/models/ModelLoader.h"
#include "strata/models/WellKnownConfigs.h"
#include "strata/models/graph/ModelGraph.h"
#include "strata/runtime/ProgramMetadata.h"
#include "strata/target/ArchConfigIO.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>
#include <fstream>
#include <memory>
#include <sys/stat.h>

namespace strata::runtime {

namespace {

bool startsWithElf(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  char magic[4] = {};
  return f.read(magic, 4) && std::memcmp(magic, "\x7f" "ELF", 4) == 0;
}

bool exists(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

} // namespace

bool isModelInput(const std::string &input) {
  if (exists(input))
    return !startsWithElf(input);
  return models::findWellKnownConfig(input).has_value();
}

Expected<CompiledModel> compileModelInput(const std::string &input,
                                          const ModelCompileOptions &options) {
  CompiledModel out;
  out.source = input;
  auto arch = findArchConfig(options.compile.arch);
  if (!arch)
    return arch.error();
  out.arch = arch.takeValue();

  models::ModelGraphOptions graph;
  graph.prefillChunk = options.prefillChunk;
  graph.maxSeq = options.maxSeq;
  auto kv = models::parseKvCacheType(options.kvCache);
  if (!kv)
    return Error("unknown KV-cache type '" + options.kvCache + "' (expected f32, f16 or bf16)");
  graph.kvCache = *kv;

  mlir::MLIRContext context;
  mlir::DialectRegistry registry;
  registerAllDialects(registry);
  context.appendDialectRegistry(registry);
  context.loadAllAvailableDialects();
  // Collect the compiler's diagnostics for the error message.
  std::string diagnostics;
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &d) {
    if (d.getSeverity() == mlir::DiagnosticSeverity::Error)
      diagnostics += (diagnostics.empty() ? "" : "\n") + d.str();
    return mlir::success();
  });

  Expected<mlir::OwningOpRef<mlir::ModuleOp>> module = Error("");
  if (exists(input)) {
    auto model = models::loadModel(input);
    if (!model)
      return model.error();
    out.config = model->config;
    module = models::buildModelGraph(context, *model, graph);
    out.model = model.takeValue();
  } else if (auto config = models::findWellKnownConfig(input)) {
    out.config = *config;
    module = models::buildModelGraph(context, *config, graph);
  } else {
    return Error("'" + input + "' is neither a model file or directory nor a well-known "
                 "config name");
  }
  if (!module)
    return module.error();
  out.maxSeq = models::modelGraphMaxSeq(out.config, graph);

  CompileOptions compile = options.compile;
  if (compile.precision.empty())
    compile.precision = "fp32";
  if (compile.modelName.empty())
    compile.modelName = out.config.name.empty() ? input : out.config.name;
  mlir::FailureOr<CompileOutput> compiled = compileModule(**module, compile);
  if (mlir::failed(compiled))
    return Error(input + ": compilation failed" +
                 (diagnostics.empty() ? std::string() : ":\n" + diagnostics));
  out.binary = std::move(compiled->binary);
  out.report = std::move(compiled->report);
  if (options.keepMlir) {
    llvm::raw_string_ostream os(out.mlir);
    (*module)->print(os);
  }

  // What the runtime wants to know when this binary is run later.
  auto &extra = out.binary.meta.extra;
  auto put = [&](const char *key, const std::string &value) {
    for (auto &[k, v] : extra)
      if (k == key) {
        v = value;
        return;
      }
    extra.emplace_back(key, value);
  };
  put(meta::kMaxSeq, std::to_string(out.maxSeq));
  put(meta::kFamily, std::string(models::familyName(out.config.family)));
  put(meta::kPrecision, compile.precision);
  if (out.model) {
    put(meta::kPath, out.model->path);
    put(meta::kFormat, std::string(models::modelFormatName(out.model->format)));
  }
  if (out.config.bosId >= 0)
    put(meta::kBos, std::to_string(out.config.bosId));
  if (out.config.eosId >= 0)
    put(meta::kEos, std::to_string(out.config.eosId));
  return out;
}

} // namespace strata::runtime
