//===- Quantize.cpp - Weight precision from a policy ----------------------===//
//
// Plans an encoding per graph.weight (QuantPolicy.h), then converts the store
// entries (WeightEncoding.h) and retypes the symbols and their readers. Only
// weights change: activations stay f32 at graph level, and the backend picks
// GEMM input conversions from the weight types.
//
//===----------------------------------------------------------------------===//
#include "strata/Dialect/Graph/Transforms/Passes.h"

#include "strata/Dialect/Graph/IR/GraphOps.h"
#include "strata/Dialect/Graph/Transforms/WeightLoading.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/Debug.h"

#include <algorithm>
#include <cmath>

#define DEBUG_TYPE "strata-graph-quantize"

namespace strata::graph {
#define GEN_PASS_DEF_GRAPHQUANTIZEPASS
#include "strata/Dialect/Graph/Transforms/Passes.h.inc"
} // namespace strata::graph

using namespace mlir;
using namespace strata;
using namespace strata::graph;
using quant::TargetEncoding;

namespace {

bool isInt(WeightFormat f) { return f == WeightFormat::I8 || f == WeightFormat::I4; }

Type elementTypeOf(MLIRContext *ctx, WeightFormat format) {
  switch (format) {
  case WeightFormat::F16: return Float16Type::get(ctx);
  case WeightFormat::BF16: return BFloat16Type::get(ctx);
  case WeightFormat::I8: return IntegerType::get(ctx, 8);
  case WeightFormat::I4: return IntegerType::get(ctx, 4);
  default: return Float32Type::get(ctx);
  }
}

/// Payload plus scale bytes of `elements` values of `shape` in `e`.
uint64_t encodedBytes(const TargetEncoding &e, ArrayRef<int64_t> shape) {
  uint64_t n = 1;
  for (int64_t d : shape)
    n *= uint64_t(d);
  uint64_t bytes = weightFormatBytes(e.format, n);
  if (isInt(e.format) && !shape.empty() && shape.back() > 0) {
    uint64_t rowLen = uint64_t(shape.back());
    uint64_t groups = e.groupSize > 0 ? (rowLen + e.groupSize - 1) / e.groupSize : 1;
    bytes += (n / rowLen) * groups * (e.scaleType == DType::F16 ? 2 : 4);
  }
  return bytes;
}

/// The op that reads a weight value and the layout it reads it in; null for
/// a use that is not a linear's weight.
struct WeightUse {
  Operation *op = nullptr;
  bool kn = false;
};

WeightUse classifyUse(OpOperand &use) {
  Operation *user = use.getOwner();
  if (auto linear = dyn_cast<LinearOp>(user))
    if (use.get() == linear.getWeight())
      return {user, linear.getWeightLayout() == WeightLayout::KN};
  if (auto fused = dyn_cast<FusedLinearOp>(user))
    if (use.getOperandNumber() >= fused.getWeights().getBeginOperandIndex() &&
        use.getOperandNumber() <
            fused.getWeights().getBeginOperandIndex() + fused.getWeights().size())
      return {user, fused.getWeightLayout() == WeightLayout::KN};
  return {};
}

/// A retyped weight_ref must only feed graph ops: their verifiers accept any
/// weight element type, while e.g. func.return would no longer match its
/// function's signature.
LogicalResult checkReaders(WeightOp weight, DenseMap<StringRef, SmallVector<WeightRefOp>> &refs) {
  auto it = refs.find(weight.getSymName());
  if (it == refs.end())
    return success();
  for (WeightRefOp ref : it->second)
    for (Operation *user : ref->getUsers())
      if (!isa_and_nonnull<GraphDialect>(user->getDialect()))
        return weight.emitOpError("cannot change type: it is read by ")
               << user->getName() << " at " << user->getLoc() << ", which is not a graph op";
  return success();
}

/// Elements per row of the weight as the tensor cores read it: integer
/// weights are stored output-channel-major, so one read as `kn` gets rows
/// of its first dimension once transposed.
int64_t storedRowLength(WeightOp weight, DenseMap<StringRef, SmallVector<WeightRefOp>> &refs) {
  auto type = weight.getTensorType();
  if (type.getRank() == 0)
    return 0;
  auto it = refs.find(weight.getSymName());
  if (type.getRank() == 2 && it != refs.end())
    for (WeightRefOp ref : it->second)
      for (OpOperand &use : ref->getUses())
        if (classifyUse(use).kn)
          return type.getShape().front();
  return type.getShape().back();
}

/// What the pass decided for one weight.
struct Plan {
  WeightOp op;
  TargetEncoding from; ///< the data's encoding now (or the declared one)
  TargetEncoding to;
  bool transpose = false;
};

struct GraphQuantizePass : strata::graph::impl::GraphQuantizePassBase<GraphQuantizePass> {
  using GraphQuantizePassBase::GraphQuantizePassBase;

  void runOnOperation() override;

private:
  LogicalResult planTransposes(DenseMap<StringRef, Plan *> &plans,
                               DenseMap<StringRef, SmallVector<WeightRefOp>> &refs,
                               SetVector<Operation *> &flipped);
  LogicalResult apply(Plan &plan, WeightStore &store, ArrayRef<WeightRefOp> refs);

  // Totals of one run for the module attribute; the Statistic members
  // mirror them where statistics are compiled in.
  uint64_t converted, withoutData, transposed, before, after;
  uint64_t perFormat[7];
  double maxRelRms, maxAbs;
};

} // namespace

void GraphQuantizePass::runOnOperation() {
  ModuleOp module = getOperation();
  MLIRContext *ctx = &getContext();
  WeightStore &store = ctx->getOrLoadDialect<GraphDialect>()->getWeightStore();
  quant::PolicyOptions options{groupSize, scaleType};
  converted = withoutData = transposed = before = after = 0;
  std::fill(std::begin(perFormat), std::end(perFormat), 0);
  maxRelRms = maxAbs = 0;

  DenseMap<StringRef, SmallVector<WeightRefOp>> refs;
  module.walk([&](WeightRefOp ref) { refs[ref.getName()].push_back(ref); });

  // Plan every weight before touching any, so a policy error leaves the
  // module and the store as they were.
  SmallVector<Plan> plans;
  bool failedAny = false;
  for (WeightOp weight : module.getOps<WeightOp>()) {
    FailureOr<const WeightEntry *> entry = materializeWeight(weight, store);
    if (failed(entry)) {
      failedAny = true;
      continue;
    }
    Plan plan;
    plan.op = weight;
    if (*entry) {
      plan.from = quant::encodingOf(**entry);
    } else if (auto format = weight.getFormat()) {
      WeightEntry described;
      described.format = *parseWeightFormat(*format);
      plan.from = quant::encodingOf(described);
    } else {
      plan.from = declaredEncoding(weight);
    }
    std::optional<quant::WeightRole> role;
    if (auto name = weight.getRole())
      role = quant::parseRole(*name);
    Expected<TargetEncoding> to = quant::choosePrecision(
        policy, role, unsigned(weight.getTensorType().getRank()), plan.from, options,
        storedRowLength(weight, refs));
    if (!to) {
      weight.emitOpError(to.message());
      failedAny = true;
      continue;
    }
    plan.to = *to;
    if (plan.to != declaredEncoding(weight) && failed(checkReaders(weight, refs)))
      failedAny = true;
    plans.push_back(plan);
  }
  if (failedAny)
    return signalPassFailure();

  DenseMap<StringRef, Plan *> byName;
  for (Plan &plan : plans)
    byName[plan.op.getSymName()] = &plan;
  SetVector<Operation *> flipped;
  if (failed(planTransposes(byName, refs, flipped)))
    return signalPassFailure();

  for (Plan &plan : plans) {
    auto it = refs.find(plan.op.getSymName());
    ArrayRef<WeightRefOp> readers = it == refs.end() ? ArrayRef<WeightRefOp>() : it->second;
    if (failed(apply(plan, store, readers)))
      return signalPassFailure();
  }
  OpBuilder b(ctx);
  for (Operation *op : flipped)
    op->setAttr("weight_layout", WeightLayoutAttr::get(ctx, WeightLayout::NK));

  numConverted = converted;
  numTimingOnly = withoutData;
  numTransposed = transposed;
  numF16 = perFormat[size_t(WeightFormat::F16)];
  numBF16 = perFormat[size_t(WeightFormat::BF16)];
  numI8 = perFormat[size_t(WeightFormat::I8)];
  numI4 = perFormat[size_t(WeightFormat::I4)];
  bytesBefore = before;
  bytesAfter = after;
  maxRelRmsPpm = uint64_t(std::min(maxRelRms * 1e6, 1e18));
  maxAbsErrorE9 = uint64_t(std::min(maxAbs * 1e9, 1e18));

  auto i64 = [&](uint64_t v) { return b.getI64IntegerAttr(int64_t(v)); };
  NamedAttribute stats[] = {
      b.getNamedAttr("policy", b.getStringAttr(quant::policyName(policy))),
      b.getNamedAttr("weights_converted", i64(converted)),
      b.getNamedAttr("weights_without_data", i64(withoutData)),
      b.getNamedAttr("weights_transposed", i64(transposed)),
      b.getNamedAttr("weights_f16", i64(perFormat[size_t(WeightFormat::F16)])),
      b.getNamedAttr("weights_bf16", i64(perFormat[size_t(WeightFormat::BF16)])),
      b.getNamedAttr("weights_i8", i64(perFormat[size_t(WeightFormat::I8)])),
      b.getNamedAttr("weights_i4", i64(perFormat[size_t(WeightFormat::I4)])),
      b.getNamedAttr("weight_bytes_before", i64(before)),
      b.getNamedAttr("weight_bytes_after", i64(after)),
      b.getNamedAttr("max_rel_rms", b.getF64FloatAttr(maxRelRms)),
      b.getNamedAttr("max_abs", b.getF64FloatAttr(maxAbs)),
  };
  module->setAttr(kQuantizeStatsAttr, b.getDictionaryAttr(stats));
}

/// Integer scales run along storage rows, which are output channels only in
/// `nk` layout, so integer weights read as `kn` are transposed and their
/// readers switched to `nk`. A kernel has one layout for all its weights, so
/// switching a reader transposes its other weights too (exactly: they are
/// decoded to f32, permuted, and converted to their own target).
LogicalResult GraphQuantizePass::planTransposes(DenseMap<StringRef, Plan *> &plans,
                                                DenseMap<StringRef, SmallVector<WeightRefOp>> &refs,
                                                SetVector<Operation *> &flipped) {
  SmallVector<Plan *> worklist;
  auto usesOf = [&](Plan *plan) {
    SmallVector<std::pair<OpOperand *, WeightUse>> uses;
    auto it = refs.find(plan->op.getSymName());
    if (it != refs.end())
      for (WeightRefOp ref : it->second)
        for (OpOperand &use : ref->getUses())
          uses.push_back({&use, classifyUse(use)});
    return uses;
  };
  for (auto &[name, plan] : plans) {
    if (!isInt(plan->to.format))
      continue;
    for (auto &[operand, use] : usesOf(plan))
      if (use.op && use.kn) {
        plan->transpose = true;
        worklist.push_back(plan);
        break;
      }
  }
  while (!worklist.empty()) {
    Plan *plan = worklist.pop_back_val();
    for (auto &[operand, use] : usesOf(plan)) {
      if (!use.op || !use.kn)
        return plan->op.emitOpError("is quantized to integers and must be re-laid out from kn "
                                    "to nk, but ")
               << operand->getOwner()->getName() << " at " << operand->getOwner()->getLoc()
               << " reads it in another way";
      if (!flipped.insert(use.op))
        continue;
      // Every weight of a switched kernel is transposed with it.
      for (OpOperand &operand : use.op->getOpOperands()) {
        if (!classifyUse(operand).op)
          continue;
        auto ref = operand.get().getDefiningOp<WeightRefOp>();
        Plan *other = ref ? plans.lookup(ref.getName()) : nullptr;
        if (!other)
          return use.op->emitOpError("reads a weight in kn layout that is not a graph.weight, "
                                     "so it cannot be re-laid out as nk for integer weights");
        if (!other->transpose) {
          other->transpose = true;
          worklist.push_back(other);
        }
      }
    }
  }
  return success();
}

LogicalResult GraphQuantizePass::apply(Plan &plan, WeightStore &store,
                                       ArrayRef<WeightRefOp> readers) {
  WeightOp weight = plan.op;
  MLIRContext *ctx = weight.getContext();
  RankedTensorType type = weight.getTensorType();
  SmallVector<int64_t> shape(type.getShape());
  before += encodedBytes(plan.from, shape);
  if (plan.transpose)
    std::swap(shape[0], shape[1]);
  after += encodedBytes(plan.to, shape);
  ++perFormat[size_t(plan.to.format)];

  TargetEncoding declared = declaredEncoding(weight);
  bool changes = plan.transpose || plan.to != plan.from || plan.to != declared;
  if (!changes)
    return success();
  ++converted;

  std::string name = weight.getSymName().str();
  if (const WeightEntry *entry = store.find(name)) {
    WeightEntry source = *entry;
    if (plan.transpose) {
      Expected<WeightEntry> t = quant::transposeWeight(source, name);
      if (!t)
        return weight.emitOpError(t.message());
      source = t.takeValue();
    }
    Expected<std::vector<float>> original = quant::decodeWeight(source, name);
    if (!original)
      return weight.emitOpError(original.message());
    Expected<WeightEntry> result = quant::convertWeight(source, plan.to, name);
    if (!result)
      return weight.emitOpError(result.message());
    Expected<std::vector<float>> approx = quant::decodeWeight(*result, name);
    if (!approx)
      return weight.emitOpError(approx.message());
    quant::QuantError err = quant::measureError(*original, *approx);
    store.put(name, result.takeValue());
    maxRelRms = std::max(maxRelRms, err.relRms);
    maxAbs = std::max(maxAbs, err.maxAbs);
    Builder b(ctx);
    NamedAttribute fields[] = {b.getNamedAttr("max_abs", b.getF64FloatAttr(err.maxAbs)),
                               b.getNamedAttr("rel_rms", b.getF64FloatAttr(err.relRms))};
    weight.setQuantErrorAttr(b.getDictionaryAttr(fields));
    LLVM_DEBUG(llvm::dbgs() << "@" << name << ": " << quant::describe(plan.from) << " -> "
                            << quant::describe(plan.to) << ", rel_rms " << err.relRms
                            << ", max_abs " << err.maxAbs << "\n");
  } else {
    ++withoutData;
  }
  if (plan.transpose) {
    ++transposed;
    // The attribute describes the file or seed; a loader's entry has none.
    if (weight.getFile() || weight.getSeed())
      weight.setSourceTransposed(!weight.getSourceTransposed());
  }

  auto newType = RankedTensorType::get(shape, elementTypeOf(ctx, plan.to.format));
  weight.setType(newType);
  if (isInt(plan.to.format)) {
    Type scale =
        plan.to.scaleType == DType::F16 ? Type(Float16Type::get(ctx)) : Type(Float32Type::get(ctx));
    QuantScheme scheme = plan.to.groupSize > 0 ? QuantScheme::PerGroup : QuantScheme::PerChannel;
    weight.setQuantAttr(QuantAttr::get(ctx, scheme, plan.to.groupSize, scale));
  } else {
    weight.removeQuantAttr();
  }
  for (WeightRefOp ref : readers)
    ref.getResult().setType(newType);
  return success();
}
