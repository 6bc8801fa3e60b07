//===- GraphToNpuPass.cpp - The strata-graph-to-npu pass ------------------===//
//
// The pass stays thin: it finds the entry functions, binds their arguments
// and results (scalar parameters in registers, tensors as I/O bindings),
// then walks each body in order and hands every graph op to its kernel
// (populateGraphToNpuPatterns, below). Kernels keep their own state in EntryLowering, which is
// why this is a walk rather than a greedy rewrite: one graph op becomes code
// on several cores plus memory-plan entries, in program order.
//
//===----------------------------------------------------------------------===//
#include "Kernels.h"

#include "strata/Conversion/Passes.h"
#include "strata/Dialect/Graph/IR/GraphDialect.h"
#include "strata/Dialect/Npu/IR/NpuResidency.h"
#include "strata/target/ArchConfigIO.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace strata {
#define GEN_PASS_DEF_GRAPHTONPUPASS
#include "strata/Conversion/Passes.h.inc"
} // namespace strata

using namespace mlir;

namespace strata::lowering {
namespace {

constexpr llvm::StringLiteral kBindingAttr = "graph.binding";
constexpr llvm::StringLiteral kEntryAttr = "graph.entry";
constexpr llvm::StringLiteral kLabelAttr = "npu.label";

/// Name of argument `i` of an entry: its graph.binding, else a default
/// (tokens for the first i32 vector, pos / n_valid for index arguments).
std::string argName(func::FuncOp f, unsigned i, unsigned indexOrdinal, bool &firstIds) {
  if (auto name = f.getArgAttrOfType<StringAttr>(i, kBindingAttr))
    return name.str();
  Type t = f.getArgument(i).getType();
  if (t.isIndex()) {
    if (indexOrdinal == 0)
      return "pos";
    if (indexOrdinal == 1 && f.getSymName() == "prefill")
      return "n_valid";
    return "param" + std::to_string(indexOrdinal);
  }
  auto rt = llvm::dyn_cast<RankedTensorType>(t);
  if (rt && rt.getRank() == 1 && rt.getElementType().isInteger(32) && firstIds) {
    firstIds = false;
    return "tokens";
  }
  return "input" + std::to_string(i);
}

std::string resultName(func::FuncOp f, unsigned i) {
  if (auto name = f.getResultAttrOfType<StringAttr>(i, kBindingAttr))
    return name.str();
  if (f.getNumResults() == 1)
    return "logits";
  return "output" + std::to_string(i);
}

class GraphToNpuPass : public impl::GraphToNpuPassBase<GraphToNpuPass> {
public:
  using GraphToNpuPassBase::GraphToNpuPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    Expected<ArchConfig> arch = findArchConfig(this->arch);
    if (!arch) {
      module.emitError() << "strata-graph-to-npu: " << arch.message();
      return signalPassFailure();
    }
    LoweringOptions options;
    options.cores = cores;
    options.prefillChunk = prefillChunk;
    options.prefetchDepth = std::max(1u, unsigned(prefetchDepth));
    options.prefillKChunk = prefillKChunk;
    options.residentKv = residentKv;
    options.padRows = padRows;
    if (prefillKSums == "gemm") {
      options.prefillAccumulate = true;
    } else if (prefillKSums == "vector") {
      options.prefillAccumulate = false;
    } else if (prefillKSums != "auto") {
      module.emitError() << "strata-graph-to-npu: prefill-k-sums must be auto, gemm or "
                            "vector, not '"
                         << prefillKSums << "'";
      return signalPassFailure();
    }
    if (linearSchedule == "auto") {
      options.linearSchedule = LinearSchedule::Auto;
    } else if (linearSchedule == "rows") {
      options.linearSchedule = LinearSchedule::RowStationary;
    } else if (linearSchedule == "outputs") {
      options.linearSchedule = LinearSchedule::OutputStationary;
    } else {
      module.emitError() << "strata-graph-to-npu: linear-schedule must be auto, rows or "
                            "outputs, not '"
                         << linearSchedule << "'";
      return signalPassFailure();
    }
    auto *graphDialect = getContext().getOrLoadDialect<graph::GraphDialect>();
    ModuleLowering m(module, *arch, options, graphDialect->getWeightStore());
    if (failed(lowerModule(m)))
      return signalPassFailure();
  }

private:
  LogicalResult lowerModule(ModuleLowering &m) {
    ModuleOp module = m.module();
    SmallVector<func::FuncOp> entries;
    for (func::FuncOp f : module.getOps<func::FuncOp>())
      if (f->hasAttr(kEntryAttr))
        entries.push_back(f);
    if (entries.empty())
      for (func::FuncOp f : module.getOps<func::FuncOp>())
        if (!f.isExternal() && f.isPublic())
          entries.push_back(f);
    if (entries.empty())
      return module.emitError("strata-graph-to-npu: the module has no entry function "
                              "(func.func with graph.entry)");

    // I/O bindings are shared by name across entries, sized by the largest use.
    llvm::StringMap<std::pair<npu::IoDirection, RankedTensorType>> io;
    std::vector<std::string> ioOrder;
    for (func::FuncOp f : entries) {
      bool firstIds = true;
      unsigned indexOrdinal = 0;
      for (unsigned i = 0; i < f.getNumArguments(); ++i) {
        std::string name = argName(f, i, f.getArgument(i).getType().isIndex() ? indexOrdinal++
                                                                            : 0,
                                   firstIds);
        if (auto rt = llvm::dyn_cast<RankedTensorType>(f.getArgument(i).getType()))
          record(io, ioOrder, name, npu::IoDirection::Input, rt);
      }
      for (unsigned i = 0; i < f.getNumResults(); ++i)
        if (auto rt = llvm::dyn_cast<RankedTensorType>(f.getResultTypes()[i]))
          record(io, ioOrder, resultName(f, i), npu::IoDirection::Output, rt);
    }
    for (const std::string &name : ioOrder) {
      auto &[dir, type] = io[name];
      if (failed(m.ioTensor(name, dir, type, module.getLoc())))
        return failure();
    }

    KernelPatterns patterns;
    populateGraphToNpuPatterns(patterns);
    OpBuilder b(module.getContext());
    for (func::FuncOp f : entries) {
      b.setInsertionPointToEnd(module.getBody());
      if (failed(lowerEntry(m, f, patterns, b)))
        return failure();
    }
    m.finish();

    // The graph level is gone: functions, weights (now npu.constant) and the
    // KV cache declaration (now the kv_cache region).
    for (Operation &op : llvm::make_early_inc_range(module.getBody()->getOperations()))
      if (llvm::isa<func::FuncOp, graph::WeightOp, graph::KvCacheOp>(op))
        op.erase();
    return success();
  }

  static void record(llvm::StringMap<std::pair<npu::IoDirection, RankedTensorType>> &io,
                     std::vector<std::string> &order, const std::string &name,
                     npu::IoDirection dir, RankedTensorType type) {
    auto it = io.find(name);
    if (it == io.end()) {
      io[name] = {dir, type};
      order.push_back(name);
    } else if (type.getNumElements() > it->second.second.getNumElements()) {
      it->second.second = type;
    }
  }

  LogicalResult lowerEntry(ModuleLowering &m, func::FuncOp f, const KernelPatterns &patterns,
                           OpBuilder &b) {
    if (f.getBody().getBlocks().size() != 1)
      return f.emitOpError("must have a single block to be lowered to the NPU");
    SmallVector<std::string> paramNames;
    SmallVector<int32_t> paramRegs;
    SmallVector<std::pair<Value, unsigned>> params;
    bool firstIds = true;
    unsigned indexOrdinal = 0;
    SmallVector<std::pair<Value, std::string>> tensorArgs;
    for (unsigned i = 0; i < f.getNumArguments(); ++i) {
      Value arg = f.getArgument(i);
      bool isIndex = arg.getType().isIndex();
      std::string name = argName(f, i, isIndex ? indexOrdinal++ : 0, firstIds);
      if (isIndex) {
        unsigned reg = static_cast<unsigned>(paramNames.size()) + 1;
        if (reg >= isa::kNumScalarRegs)
          return f.emitOpError("has too many index parameters for the scalar registers");
        paramNames.push_back(name);
        paramRegs.push_back(static_cast<int32_t>(reg));
        params.push_back({arg, reg});
      } else if (llvm::isa<RankedTensorType>(arg.getType())) {
        tensorArgs.push_back({arg, name});
      } else {
        return f.emitOpError("argument ") << i << " has type " << arg.getType()
                                          << "; entries take tensors and index scalars";
      }
    }
    // The resident KV cache's rows held, set by the runtime (NpuResidency.h).
    if (m.usesResidentKv(f)) {
      paramNames.push_back(npu::kKvValidParam.str());
      paramRegs.push_back(static_cast<int32_t>(paramNames.size()));
      if (paramNames.size() >= isa::kNumScalarRegs)
        return f.emitOpError("has too many index parameters for the scalar registers");
    }
    SmallVector<StringRef> nameRefs(paramNames.begin(), paramNames.end());
    auto entry = b.create<npu::EntryOp>(f.getLoc(), f.getSymName(), nameRefs, paramRegs);
    EntryLowering e(m, entry, params);
    for (auto &[arg, name] : tensorArgs) {
      FailureOr<Tensor> t = m.ioTensor(name, npu::IoDirection::Input,
                                       llvm::cast<RankedTensorType>(arg.getType()), f.getLoc());
      if (failed(t))
        return failure();
      e.setTensor(arg, *t);
    }
    auto ret = llvm::cast<func::ReturnOp>(f.getBody().front().getTerminator());
    for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
      FailureOr<Tensor> t = m.ioTensor(resultName(f, i), npu::IoDirection::Output,
                                       llvm::cast<RankedTensorType>(v.getType()), f.getLoc());
      if (failed(t))
        return failure();
      if (llvm::isa<BlockArgument>(v) || v.getDefiningOp<graph::WeightRefOp>())
        return ret.emitOpError("returns an argument or a weight; the NPU lowering needs a "
                               "computed result");
      e.preassign(v, *t);
    }

    for (Operation &op : f.getBody().front()) {
      if (llvm::isa<func::ReturnOp, graph::WeightRefOp>(op))
        continue;
      if (op.getDialect() && op.getDialect()->getNamespace() == "arith")
        continue; // index arithmetic: materialised in registers where used
      const KernelPattern *pattern = patterns.find(op.getName().getStringRef());
      if (!pattern)
        return op.emitOpError("has no NPU lowering");
      // Remember where each core's program ends, to label the kernel's code.
      SmallVector<Operation *> before;
      for (unsigned c = 0; c < e.numCores(); ++c) {
        Block &body = e.core(c).op.getBody().front();
        before.push_back(body.empty() ? nullptr : &body.back());
      }
      if (failed(pattern->lower(e, &op)))
        return failure();
      StringAttr label = b.getStringAttr(kernelLabel(&op));
      for (unsigned c = 0; c < e.numCores(); ++c) {
        Block &body = e.core(c).op.getBody().front();
        auto it = before[c] ? std::next(before[c]->getIterator()) : body.begin();
        for (; it != body.end(); ++it)
          if (!llvm::isa<npu::AllocOp>(*it))
            it->setAttr(kLabelAttr, label);
      }
    }
    return success();
  }
};

} // namespace

void populateGraphToNpuPatterns(KernelPatterns &patterns) {
  auto add = [&](StringRef name, auto fn) { patterns.add(name, fn); };
  add(graph::LinearOp::getOperationName(), [](EntryLowering &e, Operation *op) {
    return lowerLinear(e, llvm::cast<graph::LinearOp>(op));
  });
  add(graph::FusedLinearOp::getOperationName(), [](EntryLowering &e, Operation *op) {
    return lowerFusedLinear(e, llvm::cast<graph::FusedLinearOp>(op));
  });
  add(graph::MatmulOp::getOperationName(), [](EntryLowering &e, Operation *op) {
    return lowerMatmul(e, llvm::cast<graph::MatmulOp>(op));
  });
  add(graph::AttentionOp::getOperationName(), [](EntryLowering &e, Operation *op) {
    return lowerAttention(e, llvm::cast<graph::AttentionOp>(op));
  });
  add(graph::EmbeddingOp::getOperationName(), [](EntryLowering &e, Operation *op) {
    return lowerEmbedding(e, llvm::cast<graph::EmbeddingOp>(op));
  });
  add(graph::TakeRowOp::getOperationName(), [](EntryLowering &e, Operation *op) {
    return lowerTakeRow(e, llvm::cast<graph::TakeRowOp>(op));
  });
  add(graph::RmsNormOp::getOperationName(), [](EntryLowering &e, Operation *op) {
    return lowerRmsNorm(e, llvm::cast<graph::RmsNormOp>(op));
  });
  add(graph::LayerNormOp::getOperationName(), [](EntryLowering &e, Operation *op) {
    return lowerLayerNorm(e, llvm::cast<graph::LayerNormOp>(op));
  });
  add(graph::RopeOp::getOperationName(), [](EntryLowering &e, Operation *op) {
    return lowerRope(e, llvm::cast<graph::RopeOp>(op));
  });
  add(graph::SoftmaxOp::getOperationName(), [](EntryLowering &e, Operation *op) {
    return lowerSoftmax(e, llvm::cast<graph::SoftmaxOp>(op));
  });
  add(graph::CastOp::getOperationName(), [](EntryLowering &e, Operation *op) {
    return lowerCast(e, llvm::cast<graph::CastOp>(op));
  });
  for (StringRef name : {graph::SiluOp::getOperationName(), graph::ReluOp::getOperationName(),
                         graph::GeluOp::getOperationName()})
    add(name, [](EntryLowering &e, Operation *op) { return lowerUnary(e, op); });
  for (StringRef name : {graph::AddOp::getOperationName(), graph::MulOp::getOperationName()})
    add(name, [](EntryLowering &e, Operation *op) { return lowerBinary(e, op); });
}

} // namespace strata::lowering
