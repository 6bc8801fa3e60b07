//===- GraphOps.cpp - Verifiers of the graph dialect ----------------------===//
#include "strata/Dialect/Graph/IR/GraphOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace strata::graph;

namespace {

int64_t rows(Value v) { return cast<RankedTensorType>(v.getType()).getDimSize(0); }
int64_t cols(Value v) { return cast<RankedTensorType>(v.getType()).getDimSize(1); }
int64_t len1d(Value v) { return cast<RankedTensorType>(v.getType()).getDimSize(0); }

/// Number of features of a per-feature vector operand (gamma, beta, bias).
LogicalResult checkVector(Operation *op, Value vec, int64_t expected, StringRef what) {
  if (len1d(vec) != expected)
    return op->emitOpError() << what << " has " << len1d(vec) << " elements, expected "
                             << expected;
  return success();
}

LogicalResult checkSameShape(Operation *op, Value a, Value b, StringRef what) {
  if (cast<ShapedType>(a.getType()).getShape() != cast<ShapedType>(b.getType()).getShape())
    return op->emitOpError() << what << " shape " << a.getType() << " does not match "
                             << b.getType();
  return success();
}

/// Output features and input features of a 2D weight in `layout`.
std::pair<int64_t, int64_t> weightDims(Value w, WeightLayout layout) {
  return layout == WeightLayout::NK ? std::make_pair(rows(w), cols(w))
                                    : std::make_pair(cols(w), rows(w));
}

} // namespace

//===----------------------------------------------------------------------===//
// Symbols
//===----------------------------------------------------------------------===//

LogicalResult WeightOp::verify() {
  if (!getTensorType().hasStaticShape())
    return emitOpError("a weight needs a static shape, got ") << getType();
  Type elem = getTensorType().getElementType();
  bool integer = elem.isInteger(8) || elem.isInteger(4);
  if (integer && !getQuant())
    return emitOpError("integer weight needs a #graph.quant attribute");
  if (!integer && getQuant())
    return emitOpError("#graph.quant is only valid on i8 or i4 weights");
  if (auto quant = getQuant()) {
    if (quant->getScheme() == QuantScheme::PerGroup && quant->getGroupSize() <= 0)
      return emitOpError("per-group quantization needs a positive group size");
    if (quant->getScheme() == QuantScheme::PerChannel && quant->getGroupSize() != 0)
      return emitOpError("per-channel quantization has group size 0, got ")
             << quant->getGroupSize();
    if (!quant->getScaleType().isF32() && !quant->getScaleType().isF16())
      return emitOpError("quantization scales must be f32 or f16");
  }
  if (getFile() && !getFormat())
    return emitOpError("a weight read from a file needs a 'format'");
  if (getFormat() && !strata::parseWeightFormat(*getFormat()))
    return emitOpError("unknown weight format '") << *getFormat() << "'";
  if (getFile() && getSeed())
    return emitOpError("'file' and 'seed' are mutually exclusive");
  if (getSourceTransposed() && getTensorType().getRank() != 2)
    return emitOpError("'source_transposed' needs a 2D weight");
  if (auto error = getQuantError()) {
    for (StringRef key : {"max_abs", "rel_rms"})
      if (!llvm::isa_and_nonnull<FloatAttr>(error->get(key)))
        return emitOpError("'quant_error' needs a float '") << key << "' entry";
    if (error->size() != 2)
      return emitOpError("'quant_error' has only 'max_abs' and 'rel_rms' entries");
  }
  if (auto role = getRole()) {
    static constexpr llvm::StringLiteral kRoles[] = {"embedding", "attention", "ffn",
                                                     "lm_head", "norm", "bias"};
    if (!llvm::is_contained(kRoles, *role))
      return emitOpError("unknown role '")
             << *role << "' (expected embedding, attention, ffn, lm_head, norm or bias)";
  }
  return success();
}

LogicalResult KvCacheOp::verify() {
  Type t = getElementType();
  if (!t.isF32() && !t.isF16() && !t.isBF16())
    return emitOpError("KV cache element type must be f32, f16 or bf16, got ") << t;
  return success();
}

LogicalResult WeightRefOp::verifySymbolUses(SymbolTableCollection &symbols) {
  auto weight = symbols.lookupNearestSymbolFrom<WeightOp>(*this, getNameAttr());
  if (!weight)
    return emitOpError("'") << getName() << "' does not name a graph.weight";
  if (weight.getType() != getType())
    return emitOpError("type ") << getType() << " does not match the weight's type "
                                << weight.getType();
  return success();
}

//===----------------------------------------------------------------------===//
// Building blocks
//===----------------------------------------------------------------------===//

LogicalResult EmbeddingOp::verify() {
  if (rows(getResult()) != len1d(getIds()))
    return emitOpError("result has ") << rows(getResult()) << " rows for "
                                      << len1d(getIds()) << " ids";
  if (cols(getResult()) != cols(getTable()))
    return emitOpError("result width ") << cols(getResult())
                                        << " differs from the table width "
                                        << cols(getTable());
  return success();
}

LogicalResult RmsNormOp::verify() {
  if (failed(checkSameShape(*this, getInput(), getResult(), "result")))
    return failure();
  if (getEps().convertToDouble() < 0)
    return emitOpError("eps must not be negative");
  return checkVector(*this, getGamma(), cols(getInput()), "gamma");
}

LogicalResult LayerNormOp::verify() {
  if (failed(checkSameShape(*this, getInput(), getResult(), "result")))
    return failure();
  if (getEps().convertToDouble() < 0)
    return emitOpError("eps must not be negative");
  if (failed(checkVector(*this, getGamma(), cols(getInput()), "gamma")))
    return failure();
  return checkVector(*this, getBeta(), cols(getInput()), "beta");
}

LogicalResult LinearOp::verify() {
  auto [out, in] = weightDims(getWeight(), getWeightLayout());
  if (cols(getInput()) != in)
    return emitOpError("input has ") << cols(getInput()) << " features but the weight takes "
                                     << in;
  if (rows(getResult()) != rows(getInput()) || cols(getResult()) != out)
    return emitOpError("result must be ") << rows(getInput()) << "x" << out;
  if (getBias() && failed(checkVector(*this, getBias(), out, "bias")))
    return failure();
  return success();
}

LogicalResult MatmulOp::verify() {
  int64_t k = cols(getLhs());
  int64_t rhsK = getTransposeRhs() ? cols(getRhs()) : rows(getRhs());
  int64_t n = getTransposeRhs() ? rows(getRhs()) : cols(getRhs());
  if (k != rhsK)
    return emitOpError("contraction sizes differ: ") << k << " vs " << rhsK;
  if (rows(getResult()) != rows(getLhs()) || cols(getResult()) != n)
    return emitOpError("result must be ") << rows(getLhs()) << "x" << n;
  return success();
}

LogicalResult RopeOp::verify() {
  if (failed(checkSameShape(*this, getInput(), getResult(), "result")))
    return failure();
  int64_t hd = getHeadDim();
  if (hd % 2 != 0)
    return emitOpError("head_dim must be even, got ") << hd;
  if (cols(getInput()) % hd != 0)
    return emitOpError("width ") << cols(getInput()) << " is not a multiple of head_dim "
                                 << hd;
  return success();
}

LogicalResult AttentionOp::verify() {
  int64_t h = getNumHeads(), kvh = getNumKvHeads(), hd = getHeadDim();
  if (h % kvh != 0)
    return emitOpError("num_heads ") << h << " is not a multiple of num_kv_heads " << kvh;
  if (cols(getQuery()) != h * hd)
    return emitOpError("query width ") << cols(getQuery()) << " != num_heads * head_dim = "
                                       << h * hd;
  if (cols(getKey()) != kvh * hd || cols(getValue()) != kvh * hd)
    return emitOpError("key and value width must be num_kv_heads * head_dim = ") << kvh * hd;
  if (rows(getKey()) != rows(getQuery()) || rows(getValue()) != rows(getQuery()))
    return emitOpError("query, key and value must have the same number of rows");
  return checkSameShape(*this, getQuery(), getResult(), "result");
}

LogicalResult AttentionOp::verifySymbolUses(SymbolTableCollection &symbols) {
  auto cache = symbols.lookupNearestSymbolFrom<KvCacheOp>(*this, getCacheAttr());
  if (!cache)
    return emitOpError("'") << getCache() << "' does not name a graph.kv_cache";
  if (getLayer() >= cache.getLayers())
    return emitOpError("layer ") << getLayer() << " is outside the cache's "
                                 << cache.getLayers() << " layers";
  if (cache.getKvHeads() != getNumKvHeads() || cache.getHeadDim() != getHeadDim())
    return emitOpError("cache holds ") << cache.getKvHeads() << " heads of "
                                       << cache.getHeadDim() << ", op uses "
                                       << getNumKvHeads() << " of " << getHeadDim();
  return success();
}

static LogicalResult verifyBinary(Operation *op, Value lhs, Value rhs, Value result) {
  auto l = cast<RankedTensorType>(lhs.getType());
  auto r = cast<RankedTensorType>(rhs.getType());
  if (result.getType() != lhs.getType())
    return op->emitOpError("result type must equal the lhs type");
  if (l.getShape() == r.getShape())
    return success();
  int64_t width = l.getShape().back();
  bool row = (r.getRank() == 1 && r.getDimSize(0) == width) ||
             (r.getRank() == 2 && r.getDimSize(0) == 1 && r.getDimSize(1) == width);
  if (!row)
    return op->emitOpError("rhs ") << r << " is neither the lhs shape nor one broadcast row";
  return success();
}

LogicalResult AddOp::verify() { return verifyBinary(*this, getLhs(), getRhs(), getResult()); }
LogicalResult MulOp::verify() { return verifyBinary(*this, getLhs(), getRhs(), getResult()); }

LogicalResult TakeRowOp::verify() {
  if (rows(getResult()) != 1 || cols(getResult()) != cols(getInput()))
    return emitOpError("result must be 1x") << cols(getInput());
  return success();
}

LogicalResult CastOp::verify() {
  auto in = cast<RankedTensorType>(getInput().getType());
  auto out = cast<RankedTensorType>(getResult().getType());
  if (in.getShape() != out.getShape())
    return emitOpError("cast must not change the shape");
  if (!isa<FloatType>(in.getElementType()) || !isa<FloatType>(out.getElementType()))
    return emitOpError("cast converts between float types");
  return success();
}

LogicalResult FusedLinearOp::verify() {
  auto weights = getWeights();
  if (weights.empty())
    return emitOpError("needs at least one weight");
  WeightLayout layout = getWeightLayout();
  int64_t in = cols(getInput());
  for (Value w : weights) {
    auto [o, i] = weightDims(w, layout);
    (void)o;
    if (i != in)
      return emitOpError("weight ") << w.getType() << " does not take " << in << " inputs";
  }
  if (!getBiases().empty() && getBiases().size() != weights.size())
    return emitOpError("biases must be absent or one per weight");
  for (auto [w, b] : llvm::zip(weights, getBiases()))
    if (failed(checkVector(*this, b, weightDims(w, layout).first, "bias")))
      return failure();
  bool swiglu = getActivation() == Activation::SwiGlu;
  if (swiglu) {
    if (weights.size() != 2)
      return emitOpError("swiglu takes exactly two weights (gate, up)");
    if (weightDims(weights[0], layout).first != weightDims(weights[1], layout).first)
      return emitOpError("swiglu gate and up weights must have the same output size");
  }
  size_t expected = swiglu ? 1 : weights.size();
  if (getResults().size() != expected)
    return emitOpError("expected ") << expected << " results, got " << getResults().size();
  for (auto [idx, r] : llvm::enumerate(getResults())) {
    int64_t out = weightDims(weights[idx], layout).first;
    if (rows(r) != rows(getInput()) || cols(r) != out)
      return emitOpError("result ") << idx << " must be " << rows(getInput()) << "x" << out;
  }
  NormKind norm = getNorm();
  if ((norm == NormKind::None) != !getNormGamma())
    return emitOpError("norm gamma must be present exactly when norm is not none");
  if ((norm == NormKind::Layer) != bool(getNormBeta()))
    return emitOpError("norm beta must be present exactly for layer norm");
  if (getNormGamma() && failed(checkVector(*this, getNormGamma(), in, "norm gamma")))
    return failure();
  if (getNormBeta() && failed(checkVector(*this, getNormBeta(), in, "norm beta")))
    return failure();
  if (getEps().convertToDouble() < 0)
    return emitOpError("eps must not be negative");
  if (getResidual()) {
    if (expected != 1)
      return emitOpError("a residual needs a single result");
    if (failed(checkSameShape(*this, getResidual(), getResults()[0], "residual")))
      return failure();
  }
  return success();
}

#define GET_OP_CLASSES
#include "strata/Dialect/Graph/IR/GraphOps.cpp.inc"
