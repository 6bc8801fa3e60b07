//===- strata-model-graph.cpp - Print a model's graph-dialect module ------===//
//
//   strata-model-graph MODEL_OR_NAME [--chunk T] [--max-seq N] [--kv-cache f16]
//
// MODEL_OR_NAME is a model file or directory (llama2.c, GGUF, safetensors)
// or a well-known config name (timing-only: weights without data). The
// module goes to stdout, ready for strata-opt.
//
//===----------------------------------------------------------------------===//
#include "strata/models/ModelLoader.h"
#include "strata/models/WellKnownConfigs.h"
#include "strata/models/graph/ModelGraph.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/raw_ostream.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <sys/stat.h>

int main(int argc, char **argv) {
  CLI::App app{"Prints the graph-dialect module of a model file or well-known config",
               "strata-model-graph"};
  std::string source, kvCache = "f32";
  strata::models::ModelGraphOptions options;
  bool noPrefill = false, noDecode = false;
  app.add_option("model", source, "model file/directory or well-known config name")
      ->required();
  app.add_option("--chunk", options.prefillChunk, "rows of one prefill call")
      ->capture_default_str();
  app.add_option("--max-seq", options.maxSeq, "KV-cache positions (0: the model's context)");
  app.add_option("--kv-cache", kvCache, "KV-cache element type: f32, f16 or bf16")
      ->capture_default_str();
  app.add_flag("--no-prefill", noPrefill, "omit the prefill entry point");
  app.add_flag("--no-decode", noDecode, "omit the decode entry point");
  CLI11_PARSE(app, argc, argv);
  options.emitPrefill = !noPrefill;
  options.emitDecode = !noDecode;

  auto kv = strata::models::parseKvCacheType(kvCache);
  if (!kv) {
    std::fprintf(stderr, "strata-model-graph: error: unknown KV-cache type '%s'\n",
                 kvCache.c_str());
    return 1;
  }
  options.kvCache = *kv;

  mlir::MLIRContext context;
  strata::Expected<mlir::OwningOpRef<mlir::ModuleOp>> module =
      strata::Error("unreachable");
  struct stat st;
  if (::stat(source.c_str(), &st) == 0) {
    auto model = strata::models::loadModel(source);
    if (!model) {
      std::fprintf(stderr, "strata-model-graph: error: %s\n", model.message().c_str());
      return 1;
    }
    module = strata::models::buildModelGraph(context, *model, options);
  } else if (auto config = strata::models::findWellKnownConfig(source)) {
    module = strata::models::buildModelGraph(context, *config, options);
  } else {
    std::fprintf(stderr,
                 "strata-model-graph: error: '%s' is neither a model file nor a well-known "
                 "config name\n",
                 source.c_str());
    return 1;
  }
  if (!module) {
    std::fprintf(stderr, "strata-model-graph: error: %s\n", module.message().c_str());
    return 1;
  }
  (*module)->print(llvm::outs());
  llvm::outs() << "\n";
  return 0;
}
