//===- DecoderEmitter.h - Decoder-only transformer as graph ops -*- C++ -*-===//
//
// Emits the module body for any supported family from the config's fields
// (norm kind, RoPE style, gated FFN, biases, learned positions, tied
// classifier), never from the family name.
//
// Every op gets a name location saying which layer and which part of the
// model it computes ("blk.3.attn_q", "blk.3.ffn", "output"), so later
// stages can attribute code and cost to layers.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "WeightTable.h"

#include "strata/models/ModelConfig.h"
#include "strata/models/graph/ModelGraph.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include <map>
#include <string>

namespace strata::models::detail {

class DecoderEmitter {
public:
  DecoderEmitter(mlir::ModuleOp module, const ModelConfig &config, const WeightTable &weights,
                 uint32_t maxSeq, KvCacheType kvType);

  /// graph.weight for every declared weight and the graph.kv_cache.
  void emitDeclarations();
  /// func.func @prefill over `rows` tokens (params pos, n_valid).
  void emitPrefill(uint32_t rows);
  /// func.func @decode over one token (param pos).
  void emitDecode();

private:
  void emitEntry(llvm::StringRef name, uint32_t rows, bool withValidCount);
  mlir::Location loc(const std::string &what);
  mlir::RankedTensorType activation(int64_t rows, int64_t cols);
  /// graph.weight_ref of `name` in the current function (one per function).
  mlir::Value weight(const std::string &name);
  mlir::Value norm(mlir::Value x, const std::string &prefix, const std::string &where);
  mlir::Value linear(mlir::Value x, const std::string &weightName, const std::string &biasName,
                     const std::string &where);
  mlir::Value attentionBlock(mlir::Value x, mlir::Value pos, uint32_t layer);
  mlir::Value ffnBlock(mlir::Value x, uint32_t layer);

  mlir::ModuleOp module_;
  mlir::OpBuilder builder_;
  const ModelConfig &config_;
  const WeightTable &weights_;
  uint32_t maxSeq_;
  KvCacheType kvType_;
  std::map<std::string, mlir::Value> refs_;
};

} // namespace strata::models::detail
