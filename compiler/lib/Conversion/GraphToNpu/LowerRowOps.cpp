//===- LowerRowOps.cpp - Norms, RoPE, softmax and elementwise ops ---------===//
//
// Row-wise kernels on the vector unit. Rows are split over cores (at least
// kMinRowsPerCore each, so a decode step's single row stays on one core) and
// tiled to the SRAM budget; each tile is loaded, transformed by one vector
// instruction and stored.
//
//===----------------------------------------------------------------------===//
#include "Kernels.h"

#include "strata/Conversion/GraphToNpu/CostModel.h"

using namespace mlir;

namespace strata::lowering {

namespace {
constexpr int64_t kMinRowsPerCore = 16;
} // namespace

std::string kernelLabel(Operation *op) {
  Location loc = op->getLoc();
  if (auto fused = llvm::dyn_cast<FusedLoc>(loc)) {
    std::string name;
    for (Location l : fused.getLocations())
      if (auto n = llvm::dyn_cast<NameLoc>(l)) {
        if (!name.empty())
          name += "+";
        name += n.getName().str();
      }
    if (!name.empty())
      return name;
  }
  if (auto n = llvm::dyn_cast<NameLoc>(loc))
    return n.getName().str();
  return op->getName().stripDialect().str();
}

std::vector<std::pair<unsigned, std::pair<int64_t, int64_t>>>
splitRowsOverCores(EntryLowering &e, int64_t rows, const Tensor *input) {
  unsigned cores = static_cast<unsigned>(
      std::min<int64_t>(e.numCores(), std::max<int64_t>(1, rows / kMinRowsPerCore)));
  unsigned start = cores == 1 && input ? e.coreFor(*input) : e.nextCore();
  std::vector<std::pair<unsigned, std::pair<int64_t, int64_t>>> out;
  auto ranges = splitRange(rows, cores, 1);
  for (size_t i = 0; i < ranges.size(); ++i)
    out.push_back({(start + unsigned(i)) % e.numCores(), ranges[i]});
  return out;
}

int64_t rowsPerTile(int64_t rows, int64_t bytesPerRow, int64_t budget, unsigned chunkOption) {
  int64_t fit = budget / std::max<int64_t>(1, bytesPerRow);
  int64_t mt = std::min(rows, fit);
  if (chunkOption > 0)
    mt = std::min<int64_t>(mt, chunkOption);
  return mt;
}

namespace {

/// Shapes of a row-wise kernel: [rows][cols] of each tensor.
int64_t flatRows(Value v) {
  auto t = llvm::cast<RankedTensorType>(v.getType());
  return t.getRank() >= 2 ? t.getNumElements() / t.getShape().back() : 1;
}

/// Runs `body(emitter, tile buffers, r0, rows)` for every row tile on every
/// core of the split, after loading the `inputs` rows; stores the result.
struct RowKernel {
  EntryLowering &e;
  Operation *op;
  SmallVector<Tensor> inputs; ///< row-aligned inputs, loaded per tile
  Tensor out;
  int64_t extraBytesPerRow = 0;
  /// Loads done once per core before the tiles (gamma, a broadcast row).
  std::function<void(KernelEmitter &)> setup;
  std::function<LogicalResult(KernelEmitter &, ArrayRef<Value>, Value, int64_t, int64_t)> body;
  SmallVector<Tensor> extraInputs; ///< read, not tiled (broadcast rows)

  LogicalResult run() {
    int64_t rows = out.rows;
    auto split = splitRowsOverCores(e, rows, inputs.empty() ? nullptr : &inputs.front());
    uint64_t consumers = 0;
    for (auto &[c, range] : split)
      consumers |= uint64_t(1) << c;
    SmallVector<Tensor> all(inputs.begin(), inputs.end());
    all.append(extraInputs.begin(), extraInputs.end());
    e.syncInputs(all, consumers, op->getLoc());
    int64_t bytesPerRow = out.rowBytes() + extraBytesPerRow;
    for (const Tensor &t : inputs)
      bytesPerRow += t.rowBytes();
    int64_t mt = rowsPerTile(rows, bytesPerRow, e.module().sramBudget() / 2,
                             e.module().options().prefillChunk);
    if (mt < 1)
      return kernelError(op, "one row does not fit the SRAM budget");
    for (auto &[c, range] : split) {
      KernelEmitter em(e.core(c), op->getLoc());
      if (setup)
        setup(em);
      for (int64_t r0 = range.first; r0 < range.second; r0 += mt) {
        int64_t n = std::min(mt, range.second - r0);
        SmallVector<Value> bufs;
        for (const Tensor &t : inputs) {
          Value b = em.alloc(n * t.rowBytes(), "in");
          em.loadRows(b, 0, t, r0, n);
          bufs.push_back(b);
        }
        Value o = em.alloc(n * out.rowBytes(), "out");
        if (failed(body(em, bufs, o, r0, n)))
          return failure();
        em.storeRows(o, 0, out, r0, n);
      }
      e.noteWrite(out, c);
    }
    return success();
  }
};

FailureOr<const WeightInfo *> vectorWeight(EntryLowering &e, Operation *op, Value v,
                                           int64_t cols, StringRef what) {
  FailureOr<const WeightInfo *> w = e.module().weight(v);
  if (failed(w))
    return kernelError(op, what + " must be a graph.weight_ref value");
  if ((*w)->quantized || (*w)->rows * (*w)->cols != cols)
    return kernelError(op, what + " must be a float vector of " + std::to_string(cols) +
                               " elements");
  return w;
}

LogicalResult lowerNorm(EntryLowering &e, Operation *op, Value input, Value gammaV, Value betaV,
                        double eps) {
  FailureOr<Tensor> x = e.tensor(input, op);
  if (failed(x))
    return failure();
  int64_t cols = x->cols;
  FailureOr<const WeightInfo *> gamma = vectorWeight(e, op, gammaV, cols, "gamma");
  if (failed(gamma))
    return failure();
  const WeightInfo *beta = nullptr;
  if (betaV) {
    FailureOr<const WeightInfo *> b = vectorWeight(e, op, betaV, cols, "beta");
    if (failed(b))
      return failure();
    beta = *b;
  }
  if (beta && beta->dtype != (*gamma)->dtype)
    return kernelError(op, "gamma and beta must have the same type");
  RowKernel k{e, op};
  k.inputs.push_back(*x);
  k.out = e.resultTensor(op->getResult(0), DType::F32);
  auto gBuf = std::make_shared<Value>(), bBuf = std::make_shared<Value>();
  const WeightInfo *g = *gamma;
  k.setup = [=](KernelEmitter &em) {
    *gBuf = em.alloc(g->elemBytes(cols), "gamma");
    em.load(*gBuf, 0, g->payload, 0, g->elemBytes(cols));
    if (beta) {
      *bBuf = em.alloc(beta->elemBytes(cols), "beta");
      em.load(*bBuf, 0, beta->payload, 0, beta->elemBytes(cols));
    }
  };
  DType inType = x->dtype;
  k.body = [=](KernelEmitter &em, ArrayRef<Value> in, Value out, int64_t, int64_t n) {
    KernelEmitter::Vec v;
    v.x = in[0];
    v.y = *gBuf;
    v.dst = out;
    v.rows = em.imm(n);
    v.cols = em.imm(cols);
    v.in = inType;
    v.in1 = g->dtype;
    v.out = DType::F32;
    v.ld0 = cols;
    v.ldd = cols;
    v.fimm = static_cast<float>(eps);
    if (beta) {
      v.z = *bBuf;
      em.vec<npu::VLayerNormOp>(v);
    } else {
      em.vec<npu::VRmsNormOp>(v);
    }
    return success();
  };
  return k.run();
}

} // namespace

LogicalResult lowerRmsNorm(EntryLowering &e, graph::RmsNormOp op) {
  return lowerNorm(e, op, op.getInput(), op.getGamma(), Value(),
                   op.getEps().convertToDouble());
}

LogicalResult lowerLayerNorm(EntryLowering &e, graph::LayerNormOp op) {
  return lowerNorm(e, op, op.getInput(), op.getGamma(), op.getBeta(),
                   op.getEps().convertToDouble());
}

LogicalResult lowerRope(EntryLowering &e, graph::RopeOp op) {
  FailureOr<Tensor> x = e.tensor(op.getInput(), op);
  if (failed(x))
    return failure();
  int64_t cols = x->cols, hd = op.getHeadDim();
  if (hd % 2 != 0 || cols % hd != 0 || hd > UINT16_MAX)
    return kernelError(op, "the head size must be even and divide the row");
  RowKernel k{e, op};
  k.inputs.push_back(*x);
  k.out = e.resultTensor(op.getResult(), DType::F32);
  Value pos = op.getPos();
  std::optional<int64_t> constPos = e.constantIndex(pos);
  float theta = static_cast<float>(op.getTheta().convertToDouble());
  bool half = op.getStyle() == graph::RopeStyle::HalfSplit;
  DType inType = x->dtype;
  EntryLowering *ep = &e;
  k.body = [=](KernelEmitter &em, ArrayRef<Value> in, Value out, int64_t r0,
               int64_t n) -> LogicalResult {
    KernelEmitter::Vec v;
    v.x = in[0];
    v.dst = out;
    v.rows = em.imm(n);
    v.cols = em.imm(cols);
    v.in = inType;
    v.out = DType::F32;
    v.ld0 = cols;
    v.ldd = cols;
    v.aux2 = hd;
    v.fimm = theta;
    v.ropeHalf = half;
    std::optional<unsigned> temp;
    if (constPos) {
      v.aux = em.imm(*constPos + r0);
    } else {
      FailureOr<unsigned> r = ep->indexReg(em.core().id, pos, em.loc());
      if (failed(r))
        return failure();
      if (r0 == 0) {
        v.aux = em.reg(*r);
      } else {
        FailureOr<unsigned> t = ep->tempReg(em.core().id, em.loc());
        if (failed(t))
          return failure();
        em.addi(*t, *r, r0);
        v.aux = em.reg(*t);
        temp = *t;
      }
    }
    em.vec<npu::VRopeOp>(v);
    if (temp)
      ep->releaseTemp(em.core().id, *temp);
    return success();
  };
  return k.run();
}

LogicalResult lowerSoftmax(EntryLowering &e, graph::SoftmaxOp op) {
  FailureOr<Tensor> x = e.tensor(op.getInput(), op);
  if (failed(x))
    return failure();
  RowKernel k{e, op};
  k.inputs.push_back(*x);
  k.out = e.resultTensor(op.getResult(), DType::F32);
  float scale = op.getScale() ? static_cast<float>(op.getScale()->convertToDouble()) : 1.0f;
  int64_t cols = x->cols;
  DType inType = x->dtype;
  k.body = [=](KernelEmitter &em, ArrayRef<Value> in, Value out, int64_t, int64_t n) {
    KernelEmitter::Vec v;
    v.x = in[0];
    v.dst = out;
    v.rows = em.imm(n);
    v.cols = em.imm(cols);
    v.in = inType;
    v.out = DType::F32;
    v.ld0 = cols;
    v.ldd = cols;
    v.fimm = scale;
    em.vec<npu::VSoftmaxOp>(v);
    return success();
  };
  return k.run();
}

LogicalResult lowerUnary(EntryLowering &e, Operation *op) {
  Value input = op->getOperand(0);
  FailureOr<Tensor> x = e.tensor(input, op);
  if (failed(x))
    return failure();
  Tensor flat = *x;
  flat.rows = flatRows(input);
  flat.cols = llvm::cast<RankedTensorType>(input.getType()).getShape().back();
  RowKernel k{e, op};
  k.inputs.push_back(flat);
  Tensor out = e.resultTensor(op->getResult(0), DType::F32);
  out.rows = flat.rows;
  out.cols = flat.cols;
  k.out = out;
  int64_t cols = flat.cols;
  DType inType = x->dtype;
  StringRef name = op->getName().getStringRef();
  bool tanh = false;
  if (auto gelu = llvm::dyn_cast<graph::GeluOp>(op))
    tanh = gelu.getApproximate() == graph::GeluApprox::Tanh;
  k.body = [=](KernelEmitter &em, ArrayRef<Value> in, Value o, int64_t, int64_t n) {
    KernelEmitter::Vec v;
    v.x = in[0];
    v.dst = o;
    v.rows = em.imm(n);
    v.cols = em.imm(cols);
    v.in = inType;
    v.out = DType::F32;
    v.ld0 = cols;
    v.ldd = cols;
    if (name == "graph.silu")
      em.vec<npu::VSiluOp>(v);
    else if (name == "graph.relu")
      em.vec<npu::VReluOp>(v);
    else if (tanh)
      em.vec<npu::VGeluTanhOp>(v);
    else
      em.vec<npu::VGeluErfOp>(v);
    return success();
  };
  return k.run();
}

LogicalResult lowerBinary(EntryLowering &e, Operation *op) {
  Value lhsV = op->getOperand(0), rhsV = op->getOperand(1);
  FailureOr<Tensor> lhs = e.tensor(lhsV, op);
  if (failed(lhs))
    return failure();
  Tensor flat = *lhs;
  flat.rows = flatRows(lhsV);
  flat.cols = llvm::cast<RankedTensorType>(lhsV.getType()).getShape().back();
  auto rhsType = llvm::cast<RankedTensorType>(rhsV.getType());
  bool broadcast = rhsType.getNumElements() == flat.cols && flat.rows != 1;
  RowKernel k{e, op};
  k.inputs.push_back(flat);
  Tensor out = e.resultTensor(op->getResult(0), DType::F32);
  out.rows = flat.rows;
  out.cols = flat.cols;
  k.out = out;
  int64_t cols = flat.cols;
  auto rowBuf = std::make_shared<Value>();
  DType rhsType1 = DType::F32;
  if (e.isWeight(rhsV)) {
    FailureOr<const WeightInfo *> w = e.module().weight(rhsV);
    if (failed(w) || (*w)->quantized)
      return kernelError(op, "a weight operand must be a float tensor");
    const WeightInfo *wi = *w;
    rhsType1 = wi->dtype;
    if (!broadcast && wi->rows * wi->cols != flat.rows * cols)
      return kernelError(op, "the weight operand does not match the activation's shape");
    // A full-shape weight is read as one broadcast-free tile per core.
    int64_t bytes = wi->elemBytes(wi->rows * wi->cols);
    k.setup = [=](KernelEmitter &em) {
      *rowBuf = em.alloc(bytes, "rhs");
      em.load(*rowBuf, 0, wi->payload, 0, bytes);
    };
  } else {
    FailureOr<Tensor> rhs = e.tensor(rhsV, op);
    if (failed(rhs))
      return failure();
    rhsType1 = rhs->dtype;
    Tensor r = *rhs;
    if (broadcast) {
      k.extraInputs.push_back(r);
      int64_t bytes = int64_t(dtypeBytes(r.dtype, cols));
      k.setup = [=](KernelEmitter &em) {
        *rowBuf = em.alloc(bytes, "rhs.row");
        em.load(*rowBuf, 0, r.symbol, r.offset, bytes);
      };
    } else {
      if (rhsType.getNumElements() != flat.rows * cols)
        return kernelError(op, "operand shapes do not match");
      r.rows = flat.rows;
      r.cols = cols;
      k.inputs.push_back(r);
    }
  }
  bool weightFull = e.isWeight(rhsV) && !broadcast;
  bool isAdd = llvm::isa<graph::AddOp>(op);
  DType inType = lhs->dtype;
  k.body = [=](KernelEmitter &em, ArrayRef<Value> in, Value o, int64_t r0, int64_t n) {
    KernelEmitter::Vec v;
    v.x = in[0];
    v.dst = o;
    v.rows = em.imm(n);
    v.cols = em.imm(cols);
    v.in = inType;
    v.in1 = rhsType1;
    v.out = DType::F32;
    v.ld0 = cols;
    v.ldd = cols;
    if (broadcast) {
      v.y = *rowBuf;
      v.bcast = npu::Broadcast::Row;
    } else if (weightFull) {
      v.y = *rowBuf;
      v.yOff = int64_t(dtypeBytes(rhsType1, r0 * cols));
      v.ld1 = cols;
    } else {
      v.y = in[1];
      v.ld1 = cols;
    }
    if (isAdd)
      em.vec<npu::VAddOp>(v);
    else
      em.vec<npu::VMulOp>(v);
    return success();
  };
  return k.run();
}

LogicalResult lowerCast(EntryLowering &e, graph::CastOp op) {
  Value input = op.getInput();
  FailureOr<Tensor> x = e.tensor(input, op);
  if (failed(x))
    return failure();
  auto outType = llvm::cast<RankedTensorType>(op.getType());
  std::optional<DType> to = npu::toDType(outType.getElementType());
  if (!to || !isFloat(*to))
    return kernelError(op, "casts go to f32, f16 or bf16");
  Tensor flat = *x;
  flat.rows = flatRows(input);
  flat.cols = outType.getShape().back();
  RowKernel k{e, op};
  k.inputs.push_back(flat);
  Tensor out = e.resultTensor(op.getResult(), *to);
  out.rows = flat.rows;
  out.cols = flat.cols;
  k.out = out;
  int64_t cols = flat.cols;
  DType inType = x->dtype, outT = *to;
  k.body = [=](KernelEmitter &em, ArrayRef<Value> in, Value o, int64_t, int64_t n) {
    em.vec<npu::VCastOp>(em.denseRows(in[0], o, n, cols, inType, outT));
    return success();
  };
  return k.run();
}

} // namespace strata::lowering
