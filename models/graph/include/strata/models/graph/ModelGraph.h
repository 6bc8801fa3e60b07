//===- ModelGraph.h - A model as a graph-dialect module ---------*- C++ -*-===//
//
// The graph builder: a ModelConfig (and, for real runs, the loaded tensors)
// becomes a graph-dialect module with the entry points the runtime calls.
//
//   graph.weight @blk.0.attn_q.weight : tensor<64x64xf32> {role = "attention"}
//   ...
//   graph.kv_cache @kv_cache {layers, max_seq, kv_heads, head_dim, element_type}
//   func.func @prefill(%tokens: tensor<Txi32>, %pos: index, %n_valid: index)
//       -> tensor<1xVxf32> attributes {graph.entry}
//   func.func @decode(%tokens: tensor<1xi32>, %pos: index) -> tensor<1xVxf32>
//
// Models with learned positions (GPT-2) take one more input after `tokens`:
// `positions` (i32, the absolute position of every row), which the runtime
// fills with pos, pos+1, ...
//
// Weights are never copied into the IR: each graph.weight names an entry of
// the WeightStore installed in the context's graph dialect, and the entries
// point into the model's file mappings (zero-copy; the store keeps the
// mappings alive). A module built from a config alone declares the same
// weights without data, for timing-only compilation.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/models/Model.h"
#include "strata/models/ModelConfig.h"
#include "strata/support/Error.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace strata::models {

/// Element type of the KV cache the module declares.
enum class KvCacheType : uint8_t { F32, F16, BF16 };
std::string_view kvCacheTypeName(KvCacheType type); ///< "f32", "f16", "bf16"
std::optional<KvCacheType> parseKvCacheType(std::string_view name);

/// Names the module uses; the runtime and the backend share them.
namespace graph_names {
inline constexpr std::string_view kPrefill = "prefill";
inline constexpr std::string_view kDecode = "decode";
inline constexpr std::string_view kTokens = "tokens";
inline constexpr std::string_view kPositions = "positions";
inline constexpr std::string_view kLogits = "logits";
inline constexpr std::string_view kPos = "pos";
inline constexpr std::string_view kNValid = "n_valid";
inline constexpr std::string_view kKvCache = "kv_cache";
/// Attribute on entry-point arguments and results naming their I/O binding
/// or scalar parameter.
inline constexpr std::string_view kBindingAttr = "graph.binding";
/// Unit attribute marking an entry point.
inline constexpr std::string_view kEntryAttr = "graph.entry";
} // namespace graph_names

struct ModelGraphOptions {
  /// Rows of one prefill call (T); prompts are fed in chunks of T, padded.
  uint32_t prefillChunk = 16;
  /// Positions the KV cache holds; 0 means the config's maxSeqLen. Models
  /// with learned positions may not exceed maxSeqLen.
  uint32_t maxSeq = 0;
  KvCacheType kvCache = KvCacheType::F32;
  bool emitPrefill = true;
  bool emitDecode = true;
};

/// Builds the module for `model` and registers every weight in the context's
/// graph-dialect WeightStore (creating the dialect and store if needed).
/// The store entries keep the model's mappings alive, so `model` may go away.
Expected<mlir::OwningOpRef<mlir::ModuleOp>>
buildModelGraph(mlir::MLIRContext &context, const Model &model,
                const ModelGraphOptions &options = {});

/// Builds the module for a config alone: the same weights are declared but
/// have no data (timing-only compilation). Nothing is put in the store.
Expected<mlir::OwningOpRef<mlir::ModuleOp>>
buildModelGraph(mlir::MLIRContext &context, const ModelConfig &config,
                const ModelGraphOptions &options = {});

/// The positions an entry point's KV cache holds for these options.
uint32_t modelGraphMaxSeq(const ModelConfig &config, const ModelGraphOptions &options);

} // namespace strata::models
