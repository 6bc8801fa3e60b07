//===- Fuse.cpp - Linear layers with prologues, epilogues and siblings -----===//
//
// Four rewrites into graph.fused_linear, run as ordered phases over one
// function (Passes.td gives the rules and the order). Each phase collects its
// candidates first and rewrites them one by one; a rewrite erases only ops it
// absorbed, which are never candidates of the same phase.
//
// The fused op is inserted where the last absorbed op was (epilogue, swiglu,
// prologue), so every operand it takes already dominates that point; the
// horizontal merge is inserted at its first member instead, with the members'
// weight reads hoisted above it.
//
//===----------------------------------------------------------------------===//
#include "strata/Dialect/Graph/Transforms/Passes.h"

#include "strata/Dialect/Graph/IR/GraphOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Dominance.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "strata-graph-fuse"

namespace strata::graph {
#define GEN_PASS_DEF_GRAPHFUSEPASS
#include "strata/Dialect/Graph/Transforms/Passes.h.inc"
} // namespace strata::graph

using namespace mlir;
using namespace strata::graph;

namespace {

/// A graph.fused_linear being assembled from the ops it replaces.
struct FusedSpec {
  Value input;
  SmallVector<Value> weights, biases;
  NormKind norm = NormKind::None;
  Value gamma, beta;
  FloatAttr eps;
  Activation activation = Activation::None;
  Value residual;
  WeightLayout layout = WeightLayout::NK;
  SmallVector<Type> resultTypes;
};

std::optional<FusedSpec> specOf(Operation *op) {
  FusedSpec s;
  if (auto linear = dyn_cast<LinearOp>(op)) {
    s.input = linear.getInput();
    s.weights.push_back(linear.getWeight());
    if (linear.getBias())
      s.biases.push_back(linear.getBias());
    s.layout = linear.getWeightLayout();
    s.resultTypes.push_back(linear.getType());
    return s;
  }
  if (auto fused = dyn_cast<FusedLinearOp>(op)) {
    s.input = fused.getInput();
    s.weights.assign(fused.getWeights().begin(), fused.getWeights().end());
    s.biases.assign(fused.getBiases().begin(), fused.getBiases().end());
    s.norm = fused.getNorm();
    s.gamma = fused.getNormGamma();
    s.beta = fused.getNormBeta();
    if (s.norm != NormKind::None)
      s.eps = fused.getEpsAttr();
    s.activation = fused.getActivation();
    s.residual = fused.getResidual();
    s.layout = fused.getWeightLayout();
    s.resultTypes.assign(fused.getResultTypes().begin(), fused.getResultTypes().end());
    return s;
  }
  return std::nullopt;
}

FusedLinearOp buildFused(OpBuilder &b, Location loc, const FusedSpec &s) {
  MLIRContext *ctx = b.getContext();
  // Attributes equal to their defaults are left out so the IR stays short.
  auto activation =
      s.activation == Activation::None ? ActivationAttr() : ActivationAttr::get(ctx, s.activation);
  auto norm = s.norm == NormKind::None ? NormKindAttr() : NormKindAttr::get(ctx, s.norm);
  auto layout =
      s.layout == WeightLayout::NK ? WeightLayoutAttr() : WeightLayoutAttr::get(ctx, s.layout);
  return b.create<FusedLinearOp>(loc, s.resultTypes, s.input, s.weights, s.biases, s.gamma, s.beta,
                                 s.residual, activation, norm,
                                 s.norm == NormKind::None ? FloatAttr() : s.eps, layout);
}

std::optional<Activation> activationOf(Operation *op) {
  if (isa<ReluOp>(op))
    return Activation::Relu;
  if (isa<SiluOp>(op))
    return Activation::Silu;
  if (auto gelu = dyn_cast<GeluOp>(op))
    return gelu.getApproximate() == GeluApprox::Tanh ? Activation::GeluTanh : Activation::GeluErf;
  return std::nullopt;
}

Operation *soleUser(Value v) { return v.hasOneUse() ? *v.getUsers().begin() : nullptr; }

bool isFloatVector(Value v, int64_t length) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && t.getRank() == 1 && t.getDimSize(0) == length && isa<FloatType>(t.getElementType());
}

/// Graph compute ops (weight reads are not computation).
uint64_t countComputeOps(func::FuncOp func) {
  uint64_t n = 0;
  func.walk([&](Operation *op) {
    if (isa_and_nonnull<GraphDialect>(op->getDialect()) && !isa<WeightRefOp>(op))
      ++n;
  });
  return n;
}

struct GraphFusePass : strata::graph::impl::GraphFusePassBase<GraphFusePass> {
  using GraphFusePassBase::GraphFusePassBase;

  void runOnOperation() override;

private:
  void fuseSwiglu(func::FuncOp func);
  void fuseEpilogues(func::FuncOp func);
  void fuseHorizontal(func::FuncOp func);
  void fusePrologues(func::FuncOp func);

  /// Counts of one run (the Statistic members mirror them where statistics
  /// are compiled in; the function attribute always carries them).
  struct Counts {
    uint64_t bias = 0, activation = 0, residual = 0, prologue = 0, horizontalGroups = 0,
             horizontalLinears = 0, swiglu = 0;
  } counts;
};

} // namespace

void GraphFusePass::runOnOperation() {
  func::FuncOp func = getOperation();
  counts = Counts();
  uint64_t before = countComputeOps(func);
  if (swiglu)
    fuseSwiglu(func);
  if (epilogue)
    fuseEpilogues(func);
  if (horizontal)
    fuseHorizontal(func);
  if (prologue)
    fusePrologues(func);
  uint64_t after = countComputeOps(func);

  numBias += counts.bias;
  numActivation += counts.activation;
  numResidual += counts.residual;
  numPrologue += counts.prologue;
  numHorizontalGroups += counts.horizontalGroups;
  numHorizontalLinears += counts.horizontalLinears;
  numSwiglu += counts.swiglu;
  numOpsBefore += before;
  numOpsAfter += after;

  Builder b(&getContext());
  auto i64 = [&](uint64_t v) { return b.getI64IntegerAttr(int64_t(v)); };
  NamedAttribute stats[] = {
      b.getNamedAttr("bias", i64(counts.bias)),
      b.getNamedAttr("activation", i64(counts.activation)),
      b.getNamedAttr("residual", i64(counts.residual)),
      b.getNamedAttr("norm_prologue", i64(counts.prologue)),
      b.getNamedAttr("horizontal_groups", i64(counts.horizontalGroups)),
      b.getNamedAttr("horizontal_linears", i64(counts.horizontalLinears)),
      b.getNamedAttr("swiglu", i64(counts.swiglu)),
      b.getNamedAttr("ops_before", i64(before)),
      b.getNamedAttr("ops_after", i64(after)),
  };
  func->setAttr(kFusionStatsAttr, b.getDictionaryAttr(stats));
}

/// mul(silu(linear(x, Wg)), linear(x, Wu)), in either operand order, where
/// each intermediate has no other user.
void GraphFusePass::fuseSwiglu(func::FuncOp func) {
  SmallVector<MulOp> muls;
  func.walk([&](MulOp mul) { muls.push_back(mul); });
  for (MulOp mul : muls) {
    for (auto [a, b] :
         {std::pair(mul.getLhs(), mul.getRhs()), std::pair(mul.getRhs(), mul.getLhs())}) {
      auto silu = a.getDefiningOp<SiluOp>();
      if (!silu || !a.hasOneUse())
        continue;
      auto gate = silu.getInput().getDefiningOp<LinearOp>();
      auto up = b.getDefiningOp<LinearOp>();
      if (!gate || !up || gate == up || !gate->hasOneUse() || !up->hasOneUse())
        continue;
      if (gate.getInput() != up.getInput() || gate.getWeightLayout() != up.getWeightLayout() ||
          bool(gate.getBias()) != bool(up.getBias()) || gate.getType() != up.getType() ||
          gate.getType() != mul.getType())
        continue;
      FusedSpec spec = *specOf(gate);
      spec.weights.push_back(up.getWeight());
      if (up.getBias())
        spec.biases.push_back(up.getBias());
      spec.activation = Activation::SwiGlu;
      OpBuilder builder(mul);
      FusedLinearOp fused = buildFused(builder, mul.getLoc(), spec);
      mul.getResult().replaceAllUsesWith(fused.getResult(0));
      mul.erase();
      silu.erase();
      gate.erase();
      up.erase();
      ++counts.swiglu;
      break;
    }
  }
}

/// linear -> [add bias] -> [activation] -> [add residual], each step taken
/// only when the value so far has that op as its only user.
void GraphFusePass::fuseEpilogues(func::FuncOp func) {
  SmallVector<Operation *> linears;
  func.walk([&](Operation *op) {
    if (isa<LinearOp, FusedLinearOp>(op))
      linears.push_back(op);
  });
  for (Operation *op : linears) {
    if (op->getNumResults() != 1)
      continue;
    FusedSpec spec = *specOf(op);
    if (spec.residual)
      continue;
    Value current = op->getResult(0);
    int64_t outFeatures = cast<RankedTensorType>(current.getType()).getDimSize(1);
    SmallVector<Operation *> absorbed;
    uint64_t bias = 0, activation = 0, residual = 0;

    // A bias comes before the activation; a kernel with one already applies
    // its activation last, so nothing is added in front of it.
    if (auto add = dyn_cast_or_null<AddOp>(soleUser(current));
        add && spec.biases.empty() && spec.activation == Activation::None &&
        add.getLhs() == current && isFloatVector(add.getRhs(), outFeatures)) {
      spec.biases.push_back(add.getRhs());
      absorbed.push_back(add);
      current = add.getResult();
      bias = 1;
    }
    if (Operation *user = soleUser(current); user && spec.activation == Activation::None) {
      if (std::optional<Activation> act = activationOf(user)) {
        spec.activation = *act;
        absorbed.push_back(user);
        current = user->getResult(0);
        activation = 1;
      }
    }
    if (auto add = dyn_cast_or_null<AddOp>(soleUser(current))) {
      Value other = add.getLhs() == current ? add.getRhs() : add.getLhs();
      if (other != current && other.getType() == current.getType()) {
        spec.residual = other;
        absorbed.push_back(add);
        current = add.getResult();
        residual = 1;
      }
    }
    if (absorbed.empty())
      continue;

    spec.resultTypes = {current.getType()};
    OpBuilder builder(absorbed.back());
    FusedLinearOp fused = buildFused(builder, absorbed.back()->getLoc(), spec);
    current.replaceAllUsesWith(fused.getResult(0));
    for (Operation *dead : llvm::reverse(absorbed))
      dead->erase();
    op->erase();
    counts.bias += bias;
    counts.activation += activation;
    counts.residual += residual;
  }
}

/// Linears reading the same input with compatible kernels become one
/// multi-weight fused_linear (Q/K/V).
void GraphFusePass::fuseHorizontal(func::FuncOp func) {
  // Members must agree on everything but their weights and biases.
  using Key = std::tuple<Value, Block *, WeightLayout, Activation, unsigned, NormKind, Value, Value,
                         Attribute>;
  llvm::MapVector<Key, SmallVector<Operation *>> groups;
  func.walk([&](Operation *op) {
    std::optional<FusedSpec> s = specOf(op);
    if (!s || s->residual || s->activation == Activation::SwiGlu)
      return;
    Key key{s->input, op->getBlock(), s->layout, s->activation, unsigned(!s->biases.empty()),
            s->norm,  s->gamma,       s->beta,   s->eps};
    groups[key].push_back(op);
  });

  DominanceInfo dominance(func);
  for (auto &[key, members] : groups) {
    if (members.size() < 2)
      continue;
    llvm::sort(members, [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
    Operation *first = members.front();

    // Operands of later members must be available at the first one: weight
    // reads (no operands, pure) are moved up; a member whose operand is
    // computed after the first member stays out of the group.
    SmallVector<Operation *> fusible{first};
    for (Operation *member : llvm::drop_begin(members)) {
      bool available = true;
      for (Value v : member->getOperands().drop_front()) {
        if (dominance.properlyDominates(v, first))
          continue;
        if (!v.getDefiningOp<WeightRefOp>()) {
          available = false;
          break;
        }
      }
      if (!available)
        continue;
      for (Value v : member->getOperands().drop_front())
        if (!dominance.properlyDominates(v, first))
          v.getDefiningOp()->moveBefore(first);
      fusible.push_back(member);
    }
    if (fusible.size() < 2)
      continue;

    FusedSpec spec = *specOf(first);
    spec.weights.clear();
    spec.biases.clear();
    spec.resultTypes.clear();
    for (Operation *member : fusible) {
      FusedSpec m = *specOf(member);
      spec.weights.append(m.weights);
      spec.biases.append(m.biases);
      spec.resultTypes.append(m.resultTypes);
    }
    OpBuilder builder(first);
    FusedLinearOp fused = buildFused(builder, first->getLoc(), spec);
    unsigned next = 0;
    for (Operation *member : fusible) {
      for (Value r : member->getResults())
        r.replaceAllUsesWith(fused.getResult(next++));
      member->erase();
    }
    ++counts.horizontalGroups;
    counts.horizontalLinears += fusible.size();
  }
}

/// A norm whose every user is a linear reading it as input is folded into
/// each of them.
void GraphFusePass::fusePrologues(func::FuncOp func) {
  SmallVector<Operation *> norms;
  func.walk([&](Operation *op) {
    if (isa<RmsNormOp, LayerNormOp>(op))
      norms.push_back(op);
  });
  for (Operation *norm : norms) {
    Value out = norm->getResult(0);
    if (out.use_empty())
      continue;
    bool foldable = llvm::all_of(out.getUses(), [&](OpOperand &use) {
      Operation *user = use.getOwner();
      if (use.getOperandNumber() != 0)
        return false;
      if (isa<LinearOp>(user))
        return true;
      auto fused = dyn_cast<FusedLinearOp>(user);
      return fused && fused.getNorm() == NormKind::None;
    });
    if (!foldable)
      continue;

    // Every use is an input operand, so each user appears once.
    SmallVector<Operation *> users(out.getUsers().begin(), out.getUsers().end());
    for (Operation *user : users) {
      FusedSpec spec = *specOf(user);
      spec.input = norm->getOperand(0);
      if (auto rms = dyn_cast<RmsNormOp>(norm)) {
        spec.norm = NormKind::Rms;
        spec.gamma = rms.getGamma();
        spec.eps = rms.getEpsAttr();
      } else {
        auto layer = cast<LayerNormOp>(norm);
        spec.norm = NormKind::Layer;
        spec.gamma = layer.getGamma();
        spec.beta = layer.getBeta();
        spec.eps = layer.getEpsAttr();
      }
      OpBuilder builder(user);
      FusedLinearOp fused = buildFused(builder, user->getLoc(), spec);
      user->replaceAllUsesWith(fused->getResults());
      user->erase();
    }
    norm->erase();
    ++counts.prologue;
  }
}
