//===- ModelGraph.cpp - Model -> graph-dialect module ---------------------===//
#include "strata/models/graph/ModelGraph.h"

#include "DecoderEmitter.h"
#include "WeightTable.h"

#include "strata/Dialect/Graph/IR/GraphDialect.h"
#include "strata/Dialect/Graph/IR/GraphOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"

#include <string>

namespace strata::models {

using namespace mlir;

std::string_view kvCacheTypeName(KvCacheType type) {
  switch (type) {
  case KvCacheType::F32: return "f32";
  case KvCacheType::F16: return "f16";
  case KvCacheType::BF16: return "bf16";
  }
  return "?";
}

std::optional<KvCacheType> parseKvCacheType(std::string_view name) {
  if (name == "f32") return KvCacheType::F32;
  if (name == "f16") return KvCacheType::F16;
  if (name == "bf16") return KvCacheType::BF16;
  return std::nullopt;
}

uint32_t modelGraphMaxSeq(const ModelConfig &config, const ModelGraphOptions &options) {
  return options.maxSeq ? options.maxSeq : config.maxSeqLen;
}

namespace {

Status checkOptions(const ModelConfig &config, const ModelGraphOptions &options,
                    const std::string &source) {
  if (Status s = config.validate(source); !s)
    return s;
  if (!options.emitPrefill && !options.emitDecode)
    return Error(source + ": the graph needs at least one entry point (prefill or decode)");
  if (options.emitPrefill && options.prefillChunk == 0)
    return Error(source + ": the prefill chunk must be at least 1 token");
  uint32_t maxSeq = modelGraphMaxSeq(config, options);
  if (config.learnedPositions && maxSeq > config.maxSeqLen)
    return Error(source + ": a KV cache of " + std::to_string(maxSeq) +
                 " positions exceeds the learned position table (" +
                 std::to_string(config.maxSeqLen) + " positions)");
  if (options.emitPrefill && options.prefillChunk > maxSeq)
    return Error(source + ": the prefill chunk (" + std::to_string(options.prefillChunk) +
                 " tokens) is longer than the KV cache (" + std::to_string(maxSeq) +
                 " positions)");
  return Status::ok();
}

Expected<OwningOpRef<ModuleOp>> assemble(MLIRContext &context, const ModelConfig &config,
                                         const detail::WeightTable &weights,
                                         const ModelGraphOptions &options,
                                         const std::string &source) {
  context.loadDialect<graph::GraphDialect, func::FuncDialect, arith::ArithDialect>();
  OpBuilder b(&context);
  OwningOpRef<ModuleOp> module = ModuleOp::create(NameLoc::get(b.getStringAttr(source)));
  module->setSymName(config.name.empty() ? std::string("model") : config.name);
  module.get()->setAttr("graph.family", b.getStringAttr(familyName(config.family)));
  module.get()->setAttr("graph.prefill_chunk", b.getI64IntegerAttr(options.prefillChunk));

  detail::DecoderEmitter emitter(*module, config, weights, modelGraphMaxSeq(config, options),
                                 options.kvCache);
  emitter.emitDeclarations();
  if (options.emitPrefill)
    emitter.emitPrefill(options.prefillChunk);
  if (options.emitDecode)
    emitter.emitDecode();

  // The builder must never produce IR the verifier rejects; if it does, say
  // what the verifier said rather than handing on a broken module.
  std::string diagnostics;
  LogicalResult verified = success();
  {
    ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
      diagnostics += diag.str() + "\n";
      return success();
    });
    verified = verify(*module);
  }
  if (failed(verified))
    return Error(source + ": the graph builder produced an invalid module: " + diagnostics);
  return module;
}

} // namespace

Expected<OwningOpRef<ModuleOp>> buildModelGraph(MLIRContext &context, const Model &model,
                                                const ModelGraphOptions &options) {
  if (Status s = checkOptions(model.config, options, model.path); !s)
    return s.error();
  auto *dialect = context.getOrLoadDialect<graph::GraphDialect>();
  auto weights = detail::WeightTable::forModel(model, dialect->getWeightStore());
  if (!weights)
    return weights.error();
  return assemble(context, model.config, *weights, options, model.path);
}

Expected<OwningOpRef<ModuleOp>> buildModelGraph(MLIRContext &context, const ModelConfig &config,
                                                const ModelGraphOptions &options) {
  std::string source = config.name.empty() ? "model config" : config.name;
  if (Status s = checkOptions(config, options, source); !s)
    return s.error();
  return assemble(context, config, detail::WeightTable::forConfig(config), options, source);
}

} // namespace strata::models
