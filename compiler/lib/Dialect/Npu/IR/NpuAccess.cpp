//===- NpuAccess.cpp - Queues and memory accesses of npu instructions -----===//
//
// Extents follow the operand layouts of the ISA (docs/isa.md): every operand
// is a strided [rows][cols] matrix, so its bytes are those of elements
// 0 .. (rows-1)*ld + cols - 1. A size held in a register makes the extent
// open-ended (to the end of the buffer or symbol).
//
//===----------------------------------------------------------------------===//
#include "strata/Dialect/Npu/IR/NpuOps.h"

using namespace mlir;

namespace strata::npu {
namespace {

constexpr int64_t kToEnd = MemAccess::kToEnd;

/// Bytes spanned by a [rows][cols] matrix with leading dimension ld.
int64_t matrixBytes(Type type, std::optional<int64_t> rows, std::optional<int64_t> cols,
                    int64_t ld) {
  if (!rows || !cols)
    return kToEnd;
  if (*rows <= 0 || *cols <= 0)
    return 0;
  std::optional<DType> dt = toDType(type);
  if (!dt)
    return kToEnd;
  int64_t elems = (*rows - 1) * ld + *cols;
  return static_cast<int64_t>(dtypeBytes(*dt, static_cast<uint64_t>(elems)));
}

void addSram(SmallVectorImpl<MemAccess> &out, Value buf, int64_t offset, int64_t size,
             bool write) {
  if (buf && size != 0)
    out.push_back(MemAccess::sram(buf, offset, size, write));
}

/// Bytes a DMA descriptor spans on one side, or kToEnd with a register size.
int64_t dmaExtent(ArrayAttr size, ArrayRef<int64_t> strides) {
  int64_t s[3] = {1, 1, 1};
  for (unsigned i = 0; i < 3 && i < size.size(); ++i) {
    std::optional<int64_t> v = staticDim(size[i]);
    if (!v)
      return kToEnd;
    s[i] = *v;
  }
  if (s[0] <= 0 || s[1] <= 0 || s[2] <= 0)
    return 0;
  int64_t st0 = strides.size() > 0 ? strides[0] : 0;
  int64_t st1 = strides.size() > 1 ? strides[1] : 0;
  return (s[2] - 1) * st1 + (s[1] - 1) * st0 + s[0];
}

/// One DMA endpoint as an access. A register-relative address lands in the
/// declared window, or anywhere from the offset on.
void addEndpoint(SmallVectorImpl<MemAccess> &out, Value buf, FlatSymbolRefAttr sym,
                 int64_t offset, std::optional<int32_t> reg,
                 std::optional<ArrayRef<int64_t>> window, int64_t extent, bool write) {
  int64_t lo = offset, size = extent;
  if (reg && *reg != 0) {
    if (window && window->size() == 2) {
      lo = (*window)[0];
      size = (*window)[1];
    } else {
      size = kToEnd;
    }
  }
  if (size == 0)
    return;
  if (buf)
    out.push_back(MemAccess::sram(buf, lo, size, write));
  else if (sym)
    out.push_back(MemAccess::hbm(sym.getAttr(), lo, size, write));
}

std::optional<ArrayRef<int64_t>> window(std::optional<ArrayRef<int64_t>> w) { return w; }

bool isBinaryVec(isa::Opcode op) {
  using isa::Opcode;
  return op == Opcode::VAdd || op == Opcode::VSub || op == Opcode::VMul || op == Opcode::VMax;
}

template <typename VecOp> void vecAccesses(VecOp op, SmallVectorImpl<MemAccess> &out) {
  using isa::Opcode;
  const Opcode code = VecOp::getOpcode();
  std::optional<int64_t> rows = staticDim(op.getRows());
  std::optional<int64_t> cols = staticDim(op.getCols());
  Type in = op.getInType();
  Type in1 = op.getIn1Type() ? *op.getIn1Type() : in;
  Type outT = op.getOutType();

  addSram(out, op.getX(), op.getXOffset(), matrixBytes(in, rows, cols, op.getLd0()), false);
  if (op.getY()) {
    int64_t yBytes = kToEnd;
    bool yWritten = false;
    if (isBinaryVec(code)) {
      switch (op.getBcast()) {
      case Broadcast::None: yBytes = matrixBytes(in1, rows, cols, op.getLd1()); break;
      case Broadcast::Row: yBytes = matrixBytes(in1, 1, cols, 0); break;
      case Broadcast::Col: yBytes = matrixBytes(in1, 1, rows, 0); break;
      case Broadcast::Scalar: yBytes = 0; break;
      }
    } else if (code == Opcode::VRmsNorm || code == Opcode::VLayerNorm) {
      yBytes = matrixBytes(in1, 1, cols, 0);
    } else if (code == Opcode::VQuantize || code == Opcode::VDequantize) {
      std::optional<int64_t> groups;
      if (cols)
        groups = op.getAux2() ? *cols / static_cast<int64_t>(op.getAux2()) : 1;
      yBytes = matrixBytes(in1, rows, groups, op.getLd1());
      yWritten = code == Opcode::VQuantize;
    }
    addSram(out, op.getY(), op.getYOffset().value_or(0), yBytes, yWritten);
  }
  if (op.getZ())
    addSram(out, op.getZ(), op.getZOffset().value_or(0), matrixBytes(in1, 1, cols, 0), false);

  int64_t outBytes;
  switch (code) {
  case Opcode::VReduceSum:
  case Opcode::VReduceMax:
  case Opcode::VArgmax: outBytes = matrixBytes(outT, rows, 1, op.getLdd()); break;
  case Opcode::VTranspose: outBytes = matrixBytes(outT, cols, rows, op.getLdd()); break;
  default: outBytes = matrixBytes(outT, rows, cols, op.getLdd()); break;
  }
  addSram(out, op.getDst(), op.getDstOffset(), outBytes, true);
}

} // namespace

//===----------------------------------------------------------------------===//
// Queues
//===----------------------------------------------------------------------===//

std::optional<Queue> DmaLoadOp::getIssueQueue() { return Queue::Load; }
std::optional<Queue> DmaStoreOp::getIssueQueue() { return Queue::Store; }
std::optional<Queue> TcConfigOp::getIssueQueue() { return Queue::Compute; }
std::optional<Queue> GemmOp::getIssueQueue() { return Queue::Compute; }
std::optional<Queue> SemSignalOp::getIssueQueue() { return getQueue(); }
std::optional<Queue> SemReleaseOp::getIssueQueue() { return getQueue(); }
std::optional<Queue> SemWaitOp::getIssueQueue() { return getQueue(); }
std::optional<Queue> BarrierOp::getIssueQueue() { return getQueue(); }
std::optional<Queue> DvfsHintOp::getIssueQueue() { return getQueue(); }
std::optional<Queue> FenceOp::getIssueQueue() { return std::nullopt; }
std::optional<Queue> LiOp::getIssueQueue() { return std::nullopt; }
std::optional<Queue> Ld32Op::getIssueQueue() { return std::nullopt; }

std::optional<Queue> LoopOp::getIssueQueue() {
  for (Operation &op : getBody().front())
    if (auto instr = llvm::dyn_cast<NpuInstructionOpInterface>(op))
      if (std::optional<Queue> q = instr.getIssueQueue())
        return q;
  return std::nullopt;
}

#define STRATA_NPU_SCALAR(Op)                                                              \
  std::optional<Queue> Op::getIssueQueue() { return std::nullopt; }                          \
  void Op::getAccesses(SmallVectorImpl<MemAccess> &) {}
STRATA_NPU_SCALAR(AddOp)
STRATA_NPU_SCALAR(SubOp)
STRATA_NPU_SCALAR(MulOp)
STRATA_NPU_SCALAR(AndOp)
STRATA_NPU_SCALAR(OrOp)
STRATA_NPU_SCALAR(MinOp)
STRATA_NPU_SCALAR(MaxOp)
STRATA_NPU_SCALAR(AddiOp)
STRATA_NPU_SCALAR(MuliOp)
STRATA_NPU_SCALAR(DivuiOp)
STRATA_NPU_SCALAR(RemuiOp)
STRATA_NPU_SCALAR(ShliOp)
STRATA_NPU_SCALAR(ShriOp)
#undef STRATA_NPU_SCALAR

#define STRATA_NPU_VEC(Op)                                                                 \
  std::optional<Queue> Op::getIssueQueue() { return Queue::Compute; }                        \
  void Op::getAccesses(SmallVectorImpl<MemAccess> &out) { vecAccesses(*this, out); }
STRATA_NPU_VEC(VAddOp)
STRATA_NPU_VEC(VSubOp)
STRATA_NPU_VEC(VMulOp)
STRATA_NPU_VEC(VMaxOp)
STRATA_NPU_VEC(VExpOp)
STRATA_NPU_VEC(VRsqrtOp)
STRATA_NPU_VEC(VSiluOp)
STRATA_NPU_VEC(VGeluTanhOp)
STRATA_NPU_VEC(VGeluErfOp)
STRATA_NPU_VEC(VReluOp)
STRATA_NPU_VEC(VReduceSumOp)
STRATA_NPU_VEC(VReduceMaxOp)
STRATA_NPU_VEC(VArgmaxOp)
STRATA_NPU_VEC(VSoftmaxOp)
STRATA_NPU_VEC(VRmsNormOp)
STRATA_NPU_VEC(VLayerNormOp)
STRATA_NPU_VEC(VRopeOp)
STRATA_NPU_VEC(VQuantizeOp)
STRATA_NPU_VEC(VDequantizeOp)
STRATA_NPU_VEC(VCastOp)
STRATA_NPU_VEC(VCopyOp)
STRATA_NPU_VEC(VTransposeOp)
#undef STRATA_NPU_VEC

//===----------------------------------------------------------------------===//
// Accesses
//===----------------------------------------------------------------------===//

void DmaLoadOp::getAccesses(SmallVectorImpl<MemAccess> &out) {
  addEndpoint(out, getSrc(), getSrcSymbolAttr(), getSrcOffset(), getSrcReg(),
              window(getSrcWindow()), dmaExtent(getSize(), getSrcStrides()), false);
  addEndpoint(out, getDst(), FlatSymbolRefAttr(), getDstOffset(), getDstReg(),
              window(getDstWindow()), dmaExtent(getSize(), getDstStrides()), true);
}

void DmaStoreOp::getAccesses(SmallVectorImpl<MemAccess> &out) {
  addEndpoint(out, getSrc(), FlatSymbolRefAttr(), getSrcOffset(), getSrcReg(),
              window(getSrcWindow()), dmaExtent(getSize(), getSrcStrides()), false);
  addEndpoint(out, getDst(), getDstSymbolAttr(), getDstOffset(), getDstReg(),
              window(getDstWindow()), dmaExtent(getSize(), getDstStrides()), true);
}

void TcConfigOp::getAccesses(SmallVectorImpl<MemAccess> &) {}

void GemmOp::getAccesses(SmallVectorImpl<MemAccess> &out) {
  std::optional<int64_t> m = staticDim(getM()), n = staticDim(getN()), k = staticDim(getK());
  addSram(out, getA(), getAOffset(), matrixBytes(getAType(), m, k, getLda()), false);
  addSram(out, getB(), getBOffset(),
          getTransB() ? matrixBytes(getBType(), n, k, getLdb())
                      : matrixBytes(getBType(), k, n, getLdb()),
          false);
  std::optional<int64_t> nOut = n;
  if (n && getAct() == Activation::SwiGlu)
    nOut = *n / 2;
  int64_t cBytes = matrixBytes(getOutType(), m, nOut, getLdc());
  if (getAccumulate())
    addSram(out, getC(), getCOffset(), cBytes, false);
  Type scaleType = getScaleType() ? *getScaleType() : Type(Float32Type::get(getContext()));
  std::optional<int64_t> groups;
  if (k)
    groups = getGroupSize() > 0 ? *k / getGroupSize() : 1;
  if (getScaleA()) {
    int64_t bytes = getAScale() == ScaleMode::PerGroup
                        ? matrixBytes(scaleType, m, groups, groups.value_or(0))
                        : matrixBytes(scaleType, 1, m, 0);
    addSram(out, getScaleA(), getScaleAOffset().value_or(0), bytes, false);
  }
  if (getScaleB()) {
    int64_t bytes;
    if (getBScale() == ScaleMode::PerGroup)
      bytes = getTransB() ? matrixBytes(scaleType, n, groups, groups.value_or(0))
                          : matrixBytes(scaleType, groups, n, n.value_or(0));
    else
      bytes = matrixBytes(scaleType, 1, n, 0);
    addSram(out, getScaleB(), getScaleBOffset().value_or(0), bytes, false);
  }
  if (getBias())
    addSram(out, getBias(), getBiasOffset().value_or(0),
            matrixBytes(Float32Type::get(getContext()), 1, n, 0), false);
  addSram(out, getC(), getCOffset(), cBytes, true);
}

void SemSignalOp::getAccesses(SmallVectorImpl<MemAccess> &) {}
void SemReleaseOp::getAccesses(SmallVectorImpl<MemAccess> &) {}
void SemWaitOp::getAccesses(SmallVectorImpl<MemAccess> &) {}
void DvfsHintOp::getAccesses(SmallVectorImpl<MemAccess> &) {}
void FenceOp::getAccesses(SmallVectorImpl<MemAccess> &) {}
void LiOp::getAccesses(SmallVectorImpl<MemAccess> &) {}

void BarrierOp::getAccesses(SmallVectorImpl<MemAccess> &out) {
  MemAccess order;
  order.space = MemAccess::Space::Barrier;
  order.size = 1;
  order.write = true;
  out.push_back(order);
  if (auto release = getRelease())
    for (Attribute a : *release)
      out.push_back(MemAccess::hbm(llvm::cast<SymbolRefAttr>(a).getRootReference(), 0, kToEnd,
                                   false));
  if (auto acquire = getAcquire())
    for (Attribute a : *acquire)
      out.push_back(MemAccess::hbm(llvm::cast<SymbolRefAttr>(a).getRootReference(), 0, kToEnd,
                                   true));
}

void Ld32Op::getAccesses(SmallVectorImpl<MemAccess> &out) {
  int64_t size = getRs1() != 0 ? kToEnd : 4;
  out.push_back(MemAccess::hbm(getSymbolAttr().getAttr(), getOffset(), size, false));
}

void LoopOp::getAccesses(SmallVectorImpl<MemAccess> &out) {
  for (Operation &op : getBody().front())
    if (auto instr = llvm::dyn_cast<NpuInstructionOpInterface>(op))
      instr.getAccesses(out);
}

} // namespace strata::npu
