//===- DecoderEmitter.cpp -------------------------------------------------===//
#include "DecoderEmitter.h"

#include "strata/Dialect/Graph/IR/GraphOps.h"
#include "strata/models/TensorNames.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace strata::models::detail {

using namespace mlir;
namespace g = ::strata::graph;

namespace {

Type kvElementType(MLIRContext *ctx, KvCacheType type) {
  switch (type) {
  case KvCacheType::F32: return Float32Type::get(ctx);
  case KvCacheType::F16: return Float16Type::get(ctx);
  case KvCacheType::BF16: return BFloat16Type::get(ctx);
  }
  return Float32Type::get(ctx);
}

g::RopeStyle ropeStyle(RopeStyle style) {
  return style == RopeStyle::HalfSplit ? g::RopeStyle::HalfSplit : g::RopeStyle::Interleaved;
}

} // namespace

DecoderEmitter::DecoderEmitter(ModuleOp module, const ModelConfig &config,
                               const WeightTable &weights, uint32_t maxSeq, KvCacheType kvType)
    : module_(module), builder_(module.getContext()), config_(config), weights_(weights),
      maxSeq_(maxSeq), kvType_(kvType) {}

Location DecoderEmitter::loc(const std::string &what) {
  return NameLoc::get(builder_.getStringAttr(what));
}

RankedTensorType DecoderEmitter::activation(int64_t rows, int64_t cols) {
  return RankedTensorType::get({rows, cols}, builder_.getF32Type());
}

void DecoderEmitter::emitDeclarations() {
  builder_.setInsertionPointToEnd(module_.getBody());
  for (const DeclaredWeight &w : weights_.weights()) {
    auto type = RankedTensorType::get(w.shape, builder_.getF32Type());
    // Named attributes rather than the positional builder: the op's optional
    // attributes grow as passes record more about a weight.
    NamedAttribute attrs[] = {
        builder_.getNamedAttr(SymbolTable::getSymbolAttrName(), builder_.getStringAttr(w.name)),
        builder_.getNamedAttr("type", TypeAttr::get(type)),
        builder_.getNamedAttr("role", builder_.getStringAttr(w.role))};
    builder_.create<g::WeightOp>(loc(w.name), TypeRange(), ValueRange(), attrs);
  }
  builder_.create<g::KvCacheOp>(loc("kv_cache"), graph_names::kKvCache, config_.nLayers,
                                maxSeq_, config_.nKvHeads, config_.headDim,
                                kvElementType(builder_.getContext(), kvType_));
}

Value DecoderEmitter::weight(const std::string &name) {
  auto it = refs_.find(name);
  if (it != refs_.end())
    return it->second;
  const DeclaredWeight &w = weights_.get(name);
  auto type = RankedTensorType::get(w.shape, builder_.getF32Type());
  Value ref = builder_.create<g::WeightRefOp>(loc(name), type, name);
  refs_[name] = ref;
  return ref;
}

Value DecoderEmitter::norm(Value x, const std::string &prefix, const std::string &where) {
  Type type = x.getType();
  Value gamma = weight(prefix + ".weight");
  APFloat eps(double(config_.normEps));
  if (config_.norm == NormKind::RmsNorm)
    return builder_.create<g::RmsNormOp>(loc(where), type, x, gamma, eps);
  Value beta = weight(prefix + ".bias");
  return builder_.create<g::LayerNormOp>(loc(where), type, x, gamma, beta, eps);
}

Value DecoderEmitter::linear(Value x, const std::string &weightName,
                             const std::string &biasName, const std::string &where) {
  const DeclaredWeight &w = weights_.get(weightName);
  int64_t out = w.transposed ? w.shape[1] : w.shape[0];
  int64_t rows = cast<RankedTensorType>(x.getType()).getDimSize(0);
  Value bias = biasName.empty() ? Value() : weight(biasName);
  return builder_.create<g::LinearOp>(loc(where), activation(rows, out), x, weight(weightName),
                                      bias, w.transposed ? g::WeightLayout::KN
                                                         : g::WeightLayout::NK);
}

Value DecoderEmitter::attentionBlock(Value x, Value pos, uint32_t layer) {
  const ModelConfig &c = config_;
  auto blk = [&](const char *role) { return blockTensorName(layer, role); };
  auto bias = [&](const char *role, bool present) {
    return present ? blockTensorName(layer, role) : std::string();
  };
  Value n = norm(x, blk("attn_norm"), blk("attn_norm"));
  Value q = linear(n, blk("attn_q.weight"), bias("attn_q.bias", c.qkvBias), blk("attn_q"));
  Value k = linear(n, blk("attn_k.weight"), bias("attn_k.bias", c.qkvBias), blk("attn_k"));
  Value v = linear(n, blk("attn_v.weight"), bias("attn_v.bias", c.qkvBias), blk("attn_v"));
  if (c.ropeStyle != RopeStyle::None) {
    APFloat theta(double(c.ropeTheta));
    q = builder_.create<g::RopeOp>(loc(blk("rope_q")), q.getType(), q, pos, c.headDim, theta,
                                   ropeStyle(c.ropeStyle));
    k = builder_.create<g::RopeOp>(loc(blk("rope_k")), k.getType(), k, pos, c.headDim, theta,
                                   ropeStyle(c.ropeStyle));
  }
  Value a = builder_.create<g::AttentionOp>(loc(blk("attention")), q.getType(), q, k, v, pos,
                                            graph_names::kKvCache, layer, c.nHeads,
                                            c.nKvHeads, c.headDim, FloatAttr());
  Value o = linear(a, blk("attn_output.weight"), bias("attn_output.bias", c.linearBias),
                   blk("attn_output"));
  return builder_.create<g::AddOp>(loc(blk("attn_residual")), x.getType(), x, o);
}

Value DecoderEmitter::ffnBlock(Value x, uint32_t layer) {
  const ModelConfig &c = config_;
  auto blk = [&](const char *role) { return blockTensorName(layer, role); };
  auto bias = [&](const char *role) {
    return c.linearBias ? blockTensorName(layer, role) : std::string();
  };
  auto activate = [&](Value h) -> Value {
    switch (c.activation) {
    case Activation::SiLU: return builder_.create<g::SiluOp>(loc(blk("ffn_act")), h);
    case Activation::GeluTanh:
      return builder_.create<g::GeluOp>(loc(blk("ffn_act")), h, g::GeluApprox::Tanh);
    case Activation::GeluErf:
      return builder_.create<g::GeluOp>(loc(blk("ffn_act")), h, g::GeluApprox::Erf);
    }
    return h;
  };
  Value n = norm(x, blk("ffn_norm"), blk("ffn_norm"));
  Value h;
  if (c.gatedFfn) {
    Value gate = linear(n, blk("ffn_gate.weight"), "", blk("ffn_gate"));
    Value up = linear(n, blk("ffn_up.weight"), bias("ffn_up.bias"), blk("ffn_up"));
    h = builder_.create<g::MulOp>(loc(blk("ffn_gating")), up.getType(), activate(gate), up);
  } else {
    h = activate(linear(n, blk("ffn_up.weight"), bias("ffn_up.bias"), blk("ffn_up")));
  }
  Value d = linear(h, blk("ffn_down.weight"), bias("ffn_down.bias"), blk("ffn_down"));
  return builder_.create<g::AddOp>(loc(blk("ffn_residual")), x.getType(), x, d);
}

void DecoderEmitter::emitEntry(llvm::StringRef name, uint32_t rows, bool withValidCount) {
  const ModelConfig &c = config_;
  MLIRContext *ctx = builder_.getContext();
  auto ids = RankedTensorType::get({int64_t(rows)}, builder_.getI32Type());
  auto logitsType = activation(1, c.vocabSize);

  SmallVector<Type> inputs{ids};
  SmallVector<std::string_view> bindings{graph_names::kTokens};
  if (c.learnedPositions) {
    inputs.push_back(ids);
    bindings.push_back(graph_names::kPositions);
  }
  inputs.push_back(builder_.getIndexType());
  bindings.push_back(graph_names::kPos);
  if (withValidCount) {
    inputs.push_back(builder_.getIndexType());
    bindings.push_back(graph_names::kNValid);
  }

  builder_.setInsertionPointToEnd(module_.getBody());
  auto func = builder_.create<func::FuncOp>(loc(name.str()), name,
                                            FunctionType::get(ctx, inputs, {logitsType}));
  func->setAttr(graph_names::kEntryAttr, UnitAttr::get(ctx));
  for (auto [i, binding] : llvm::enumerate(bindings))
    func.setArgAttr(i, graph_names::kBindingAttr, builder_.getStringAttr(binding));
  func.setResultAttr(0, graph_names::kBindingAttr, builder_.getStringAttr(graph_names::kLogits));

  Block *body = func.addEntryBlock();
  builder_.setInsertionPointToStart(body);
  refs_.clear();
  unsigned arg = 0;
  Value tokens = body->getArgument(arg++);
  Value positions = c.learnedPositions ? body->getArgument(arg++) : Value();
  Value pos = body->getArgument(arg++);
  Value nValid = withValidCount ? body->getArgument(arg++) : Value();

  auto hidden = activation(rows, c.dim);
  Value x = builder_.create<g::EmbeddingOp>(loc("token_embd"), hidden,
                                            weight(std::string(names::kTokenEmbedding)), tokens);
  if (c.learnedPositions) {
    Value p = builder_.create<g::EmbeddingOp>(
        loc("position_embd"), hidden, weight(std::string(names::kPositionEmbedding)), positions);
    x = builder_.create<g::AddOp>(loc("position_embd"), hidden, x, p);
  }
  for (uint32_t l = 0; l < c.nLayers; ++l) {
    x = attentionBlock(x, pos, l);
    x = ffnBlock(x, l);
  }
  // Only the last valid row reaches the classifier: the final norm and the
  // vocabulary-sized product run on one row.
  if (withValidCount) {
    Value one = builder_.create<arith::ConstantIndexOp>(loc("output"), 1);
    Value last = builder_.create<arith::SubIOp>(loc("output"), nValid, one);
    x = builder_.create<g::TakeRowOp>(loc("output"), activation(1, c.dim), x, last);
  }
  Value n = norm(x, "output_norm", "output_norm");
  Value logits = linear(n, weights_.classifierName(), "", "output");
  builder_.create<func::ReturnOp>(loc("output"), logits);
}

void DecoderEmitter::emitPrefill(uint32_t rows) {
  emitEntry(graph_names::kPrefill, rows, /*withValidCount=*/true);
}

void DecoderEmitter::emitDecode() { emitEntry(graph_names::kDecode, 1, false); }

} // namespace strata::models::detail
