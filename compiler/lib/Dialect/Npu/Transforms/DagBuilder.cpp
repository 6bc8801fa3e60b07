//===- DagBuilder.cpp - The dependency DAG of an npu.core -----------------===//
//
// One walk over the core's ops in program order. Memory is tracked per byte
// range: the last writer and every reader since, so a write depends on all
// of those readers (loads may later be reordered among themselves, so the
// latest reader per queue is not enough). Registers, the tensor-core
// configuration and queue-ordering ops are tracked the same way.
//
//===----------------------------------------------------------------------===//
#include "strata/Dialect/Npu/Transforms/DagBuilder.h"
#include "strata/Dialect/Npu/Transforms/ByteRangeMap.h"

#include "strata/Conversion/GraphToNpu/CostModel.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"

#include <algorithm>
#include <array>
#include <map>

using namespace mlir;

namespace strata::npu {
namespace {

using sched::DagNode;
using sched::DepKind;
using sched::Lane;
using sched::Unit;

/// Last writer and readers since of the byte ranges of one address space.
class AccessMap {
public:
  /// Records an access of [lo, hi) by `node`; appends the nodes it must
  /// follow to `deps`.
  void access(uint64_t lo, uint64_t hi, bool write, uint32_t node,
              SmallVectorImpl<uint32_t> &deps) {
    ranges_.forEach(lo, hi, [&](Access &p) {
      if (p.writer >= 0)
        deps.push_back(static_cast<uint32_t>(p.writer));
      if (write) {
        deps.append(p.readers.begin(), p.readers.end());
        p.writer = node;
        p.readers.clear();
      } else if (p.readers.empty() || p.readers.back() != node) {
        p.readers.push_back(node);
      }
    });
  }

private:
  struct Access {
    int64_t writer = -1;
    std::vector<uint32_t> readers;
  };
  ByteRangeMap<Access> ranges_;
};

/// Last writer and readers since of a small set of named resources
/// (registers r1..r31, the tensor-core configuration).
class ResourceMap {
public:
  explicit ResourceMap(unsigned n) : writer_(n, -1), readers_(n) {}
  void access(unsigned r, bool write, uint32_t node, SmallVectorImpl<uint32_t> &deps) {
    if (writer_[r] >= 0)
      deps.push_back(static_cast<uint32_t>(writer_[r]));
    if (write) {
      deps.append(readers_[r].begin(), readers_[r].end());
      writer_[r] = node;
      readers_[r].clear();
    } else if (readers_[r].empty() || readers_[r].back() != node) {
      readers_[r].push_back(node);
    }
  }

private:
  std::vector<int64_t> writer_;
  std::vector<std::vector<uint32_t>> readers_;
};

constexpr unsigned kTcState = isa::kNumScalarRegs; ///< pseudo-register: tensor-core config

/// Registers an op reads and writes (r0 reads as zero and is never tracked).
/// Attributes are looked up by name: op->getAttrs() would materialise every
/// property of every op.
void registerUses(Operation *op, SmallVectorImpl<unsigned> &reads,
                  SmallVectorImpl<unsigned> &writes) {
  auto add = [](SmallVectorImpl<unsigned> &v, int64_t r) {
    if (r > 0 && r < int64_t(isa::kNumScalarRegs))
      v.push_back(unsigned(r));
  };
  auto index = [&](StringRef name, SmallVectorImpl<unsigned> &v) {
    if (auto a = llvm::dyn_cast_or_null<IntegerAttr>(op->getAttr(name)))
      add(v, a.getInt());
  };
  auto dim = [&](Attribute a) {
    if (auto reg = llvm::dyn_cast_or_null<RegAttr>(a))
      add(reads, reg.getIndex());
  };
  if (llvm::isa<DmaLoadOp, DmaStoreOp>(op)) {
    index("src_reg", reads);
    index("dst_reg", reads);
    for (Attribute d : llvm::cast<ArrayAttr>(op->getAttr("size")))
      dim(d);
  } else if (llvm::isa<GemmOp>(op)) {
    for (StringRef name : {"m", "n", "k"})
      dim(op->getAttr(name));
  } else if (auto loop = llvm::dyn_cast<LoopOp>(op)) {
    add(writes, loop.getCounter());
    add(reads, loop.getCounter());
    add(writes, loop.getLimit());
    dim(loop.getTrip());
    for (Operation &inner : loop.getBody().front())
      registerUses(&inner, reads, writes);
  } else if (op->getNumRegions() == 0) {
    // Scalar ops name rd / rs1 / rs2; vector ops carry register sizes.
    index("rd", writes);
    index("rs1", reads);
    index("rs2", reads);
    for (StringRef name : {"rows", "cols", "aux"})
      dim(op->getAttr(name));
  }
}

std::optional<isa::Opcode> vectorOpcode(Operation *op) {
#define STRATA_VEC(Op)                                                                      \
  if (llvm::isa<Op>(op))                                                                    \
    return Op::getOpcode();
  STRATA_VEC(VAddOp) STRATA_VEC(VSubOp) STRATA_VEC(VMulOp) STRATA_VEC(VMaxOp)
  STRATA_VEC(VExpOp) STRATA_VEC(VRsqrtOp) STRATA_VEC(VSiluOp) STRATA_VEC(VGeluTanhOp)
  STRATA_VEC(VGeluErfOp) STRATA_VEC(VReluOp) STRATA_VEC(VReduceSumOp) STRATA_VEC(VReduceMaxOp)
  STRATA_VEC(VArgmaxOp) STRATA_VEC(VSoftmaxOp) STRATA_VEC(VRmsNormOp) STRATA_VEC(VLayerNormOp)
  STRATA_VEC(VRopeOp) STRATA_VEC(VQuantizeOp) STRATA_VEC(VDequantizeOp) STRATA_VEC(VCastOp)
  STRATA_VEC(VCopyOp) STRATA_VEC(VTransposeOp)
#undef STRATA_VEC
  return std::nullopt;
}

int64_t intAttr(Operation *op, StringRef name, int64_t fallback) {
  if (auto a = op->getAttrOfType<IntegerAttr>(name))
    return a.getInt();
  return fallback;
}

/// A size from a Dim attribute, or `bound` when it is a register.
int64_t dimOr(Attribute dim, int64_t bound) {
  return std::max<int64_t>(1, staticDim(dim).value_or(bound));
}

/// Vector-unit cycles by docs/simulator.md section 3.2 (bank conflicts aside).
uint64_t vectorCycles(const ArchConfig &arch, Operation *op, isa::Opcode code) {
  const VectorUnitConfig &vu = arch.core.vector;
  int64_t ld0 = intAttr(op, "ld0", 1);
  int64_t rows = dimOr(op->getAttr("rows"), 1);
  int64_t cols = dimOr(op->getAttr("cols"), ld0);
  uint64_t lines = (uint64_t(rows * cols) + vu.lanes - 1) / std::max(1u, vu.lanes);
  bool rowOp = code == isa::Opcode::VSoftmax || code == isa::Opcode::VRmsNorm ||
               code == isa::Opcode::VLayerNorm || code == isa::Opcode::VQuantize;
  uint64_t passes = rowOp ? std::max(1u, vu.rowOpPasses) : 1;
  uint64_t extra = isa::isTranscendental(code) && vu.transcendentalCycles > 1
                       ? vu.transcendentalCycles - 1
                       : 0;
  return vu.startupCycles + lines * (passes + extra);
}

/// Bytes one DMA moves (register sizes: the declared window, else 1 row).
uint64_t dmaBytes(ArrayAttr size, std::optional<ArrayRef<int64_t>> window) {
  uint64_t bytes = 1;
  bool dynamic = false;
  for (Attribute d : size) {
    std::optional<int64_t> v = staticDim(d);
    if (!v)
      dynamic = true;
    else
      bytes *= uint64_t(std::max<int64_t>(0, *v));
  }
  if (dynamic && window && window->size() == 2)
    return uint64_t((*window)[1]);
  return bytes;
}

class Builder {
public:
  Builder(CoreOp core, const HbmLayout &layout, const ArchConfig &arch)
      : core_(core), layout_(layout), arch_(arch),
        labelName_(StringAttr::get(core->getContext(), "npu.label")), resources_(kTcState + 1) {}

  FailureOr<CoreDag> run() {
    Block &body = core_.getBody().front();
    for (Operation &op : body)
      if (auto alloc = llvm::dyn_cast<AllocOp>(op)) {
        bufferIndex_[alloc.getBuffer()] = out_.dag.addBuffer(alloc.getSize());
        bufferBase_.push_back(sramTop_);
        sramTop_ += alloc.getSize();
        out_.buffers.push_back(alloc);
      }
    for (Operation &op : body) {
      if (llvm::isa<AllocOp>(op))
        continue;
      if (failed(addOp(&op)))
        return failure();
    }
    return std::move(out_);
  }

private:
  LogicalResult addOp(Operation *op) {
    DagNode node;
    // Region: consecutive ops with one label form a kernel.
    StringAttr label = op->getAttrOfType<StringAttr>(labelName_);
    if (out_.regions.empty() || out_.regions.back() != label)
      out_.regions.push_back(label);
    node.region = static_cast<uint32_t>(out_.regions.size() - 1);

    auto instr = llvm::dyn_cast<NpuInstructionOpInterface>(op);
    SmallVector<MemAccess> accesses;
    if (instr) {
      instr.getAccesses(accesses);
      if (std::optional<Queue> q = instr.getIssueQueue())
        node.lane = static_cast<Lane>(static_cast<unsigned>(*q) + 1);
    }
    bool ordersLane = false;
    cost(op, node, ordersLane);
    // Every buffer operand (also of ops inside a loop) keeps its buffer
    // live, as strata-npu-allocate-sram counts uses.
    WalkResult walk = op->walk([&](Operation *inner) {
      for (Value v : inner->getOperands()) {
        if (!llvm::isa<BufferType>(v.getType()))
          continue;
        auto it = bufferIndex_.find(v);
        if (it == bufferIndex_.end()) {
          inner->emitOpError("an SRAM operand is not an npu.alloc of core ")
              << core_.getCoreId();
          return WalkResult::interrupt();
        }
        if (std::find(node.buffers.begin(), node.buffers.end(), it->second) ==
            node.buffers.end())
          node.buffers.push_back(it->second);
      }
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return failure();
    const uint32_t id = out_.dag.addNode(node);
    out_.ops.push_back(op);

    SmallVector<uint32_t> memory, regs, config, order;
    for (const MemAccess &a : accesses)
      if (failed(addAccess(op, a, id, memory)))
        return failure();
    SmallVector<unsigned> reads, writes;
    registerUses(op, reads, writes);
    for (unsigned r : reads)
      resources_.access(r, false, id, regs);
    for (unsigned r : writes)
      resources_.access(r, true, id, regs);
    if (llvm::isa<TcConfigOp>(op))
      resources_.access(kTcState, true, id, config);
    else if (llvm::isa<GemmOp>(op))
      resources_.access(kTcState, false, id, config);
    addOrder(node, ordersLane, id, order);

    auto edges = [&](SmallVectorImpl<uint32_t> &from, DepKind kind) {
      for (uint32_t f : from)
        if (f != id)
          out_.dag.addEdge(f, id, kind);
    };
    edges(memory, DepKind::Memory);
    edges(regs, DepKind::Register);
    edges(config, DepKind::Config);
    edges(order, DepKind::Order);
    return success();
  }

  /// Ops that order their queue (barriers, hints, semaphores) and fences
  /// (which order everything).
  void addOrder(const DagNode &node, bool ordersLane, uint32_t id,
                SmallVectorImpl<uint32_t> &deps) {
    const unsigned lane = static_cast<unsigned>(node.lane);
    if (node.fence) {
      for (unsigned l = 0; l < sched::kNumLanes; ++l) {
        if (laneOrder_[l] >= 0)
          deps.push_back(uint32_t(laneOrder_[l]));
        deps.append(sinceOrder_[l].begin(), sinceOrder_[l].end());
        sinceOrder_[l].clear();
        laneOrder_[l] = id;
      }
      return;
    }
    if (laneOrder_[lane] >= 0)
      deps.push_back(uint32_t(laneOrder_[lane]));
    if (ordersLane) {
      deps.append(sinceOrder_[lane].begin(), sinceOrder_[lane].end());
      sinceOrder_[lane].clear();
      laneOrder_[lane] = id;
    } else {
      sinceOrder_[lane].push_back(id);
    }
  }

  LogicalResult addAccess(Operation *op, const MemAccess &a, uint32_t id,
                          SmallVectorImpl<uint32_t> &deps) {
    switch (a.space) {
    case MemAccess::Space::Barrier:
      barriers_.access(0, 1, a.write, id, deps);
      return success();
    case MemAccess::Space::Sram: {
      uint32_t b = bufferIndex_.lookup(a.buffer);
      uint64_t base = bufferBase_[b];
      uint64_t size = out_.buffers[b].getSize();
      uint64_t lo = base + uint64_t(a.offset);
      uint64_t hi = a.size == MemAccess::kToEnd ? base + size : lo + uint64_t(a.size);
      sram_.access(lo, hi, a.write, id, deps);
      return success();
    }
    case MemAccess::Space::Hbm: {
      auto it = layout_.address.find(a.symbol.getValue());
      if (it == layout_.address.end())
        return op->emitOpError("strata-npu-schedule-prefetch: HBM symbol '")
               << a.symbol.getValue() << "' has no place in the memory plan";
      uint64_t lo = it->second + uint64_t(a.offset);
      uint64_t hi;
      if (a.size == MemAccess::kToEnd) {
        int64_t size = int64_t(layout_.size.lookup(a.symbol.getValue()));
        hi = it->second + uint64_t(std::max<int64_t>(size, a.offset + 1));
      } else {
        hi = lo + uint64_t(a.size);
      }
      hbm_.access(lo, hi, a.write, id, deps);
      return success();
    }
    }
    return success();
  }

  /// Unit, cycles and bytes of an op.
  void cost(Operation *op, DagNode &node, bool &ordersLane) {
    const TensorCoreConfig &tc = arch_.core.tensorCores;
    if (auto load = llvm::dyn_cast<DmaLoadOp>(op)) {
      node.unit = Unit::Dma;
      uint64_t bytes = dmaBytes(load.getSize(), load.getSrcWindow());
      if (load.getSrcSymbol() || load.getSrcCore()) {
        node.hbmBytes = bytes;
        node.prefetch = load.getSrcSymbol().has_value() && !load.getSrcCore();
      } else {
        node.cycles = bytes / std::max<uint64_t>(1, uint64_t(arch_.core.sram.banks) *
                                                        arch_.core.sram.bankWidthBytes) +
                      arch_.core.sram.accessCycles;
      }
    } else if (auto store = llvm::dyn_cast<DmaStoreOp>(op)) {
      node.unit = Unit::Dma;
      uint64_t bytes = dmaBytes(store.getSize(), store.getDstWindow());
      if (store.getDstSymbol() || store.getDstCore())
        node.hbmBytes = bytes;
      else
        node.cycles = bytes / std::max<uint64_t>(1, uint64_t(arch_.core.sram.banks) *
                                                        arch_.core.sram.bankWidthBytes) +
                      arch_.core.sram.accessCycles;
    } else if (auto config = llvm::dyn_cast<TcConfigOp>(op)) {
      node.unit = Unit::Tensor;
      auto gang = static_cast<isa::Gang>(config.getGang());
      std::optional<DType> prec = toDType(config.getPrecision());
      bool changes = gang != gang_ || (prec && *prec != precision_);
      node.cycles = changes ? tc.reconfigCycles : 0;
      gang_ = gang;
      if (prec)
        precision_ = *prec;
    } else if (auto gemm = llvm::dyn_cast<GemmOp>(op)) {
      node.unit = Unit::Tensor;
      lowering::GemmShape shape;
      shape.m = dimOr(gemm.getM(), 1);
      shape.n = dimOr(gemm.getN(), int64_t(gemm.getLdc()));
      shape.k = dimOr(gemm.getK(), int64_t(gemm.getLda()));
      shape.a = toDType(gemm.getAType()).value_or(DType::F16);
      shape.b = toDType(gemm.getBType()).value_or(DType::F16);
      shape.out = toDType(gemm.getOutType()).value_or(DType::F32);
      shape.epilogue = gemm.getBias() || gemm.getAct() != Activation::None || gemm.getAccumulate();
      shape.accumulate = gemm.getAccumulate();
      node.cycles = lowering::gemmCycles(arch_, gang_, shape);
    } else if (std::optional<isa::Opcode> code = vectorOpcode(op)) {
      node.unit = Unit::Vector;
      node.cycles = vectorCycles(arch_, op, *code);
    } else if (auto loop = llvm::dyn_cast<LoopOp>(op)) {
      // A loop is sequencer code around its body: time it as its scalar
      // instructions plus the DMA bytes of all trips.
      node.lane = Lane::Sequencer;
      uint64_t trips = uint64_t(std::max<int64_t>(0, staticDim(loop.getTrip()).value_or(1)));
      uint64_t bytes = 0, instructions = 4;
      for (Operation &inner : loop.getBody().front()) {
        ++instructions;
        if (auto l = llvm::dyn_cast<DmaLoadOp>(inner))
          bytes += dmaBytes(l.getSize(), std::nullopt);
        else if (auto s = llvm::dyn_cast<DmaStoreOp>(inner))
          bytes += dmaBytes(s.getSize(), std::nullopt);
      }
      node.cycles = trips * instructions;
      if (bytes) {
        node.unit = Unit::Dma;
        node.hbmBytes = trips * bytes;
      }
    } else if (auto barrier = llvm::dyn_cast<BarrierOp>(op)) {
      node.drainsLane = true;
      node.barrierMask = static_cast<uint64_t>(barrier.getMask());
      ordersLane = true;
    } else if (llvm::isa<SemSignalOp, SemReleaseOp>(op)) {
      node.drainsLane = true;
      ordersLane = true;
    } else if (llvm::isa<SemWaitOp, DvfsHintOp>(op)) {
      ordersLane = true;
    } else if (llvm::isa<FenceOp>(op)) {
      node.lane = Lane::Sequencer;
      node.fence = true;
    }
  }

  CoreOp core_;
  const HbmLayout &layout_;
  const ArchConfig &arch_;
  CoreDag out_;
  llvm::DenseMap<Value, uint32_t> bufferIndex_;
  StringAttr labelName_;
  std::vector<uint64_t> bufferBase_;
  uint64_t sramTop_ = 0;
  AccessMap sram_, hbm_, barriers_;
  ResourceMap resources_;
  std::array<int64_t, sched::kNumLanes> laneOrder_{-1, -1, -1, -1};
  std::array<std::vector<uint32_t>, sched::kNumLanes> sinceOrder_;
  // The tensor cores start every run as 16 independent f16 arrays.
  isa::Gang gang_ = isa::Gang::Independent;
  DType precision_ = DType::F16;
};

} // namespace

FailureOr<CoreDag> buildCoreDag(CoreOp core, const HbmLayout &layout, const ArchConfig &arch) {
  return Builder(core, layout, arch).run();
}

void applyOrder(CoreOp core, const CoreDag &dag, const std::vector<uint32_t> &order) {
  Block &body = core.getBody().front();
  llvm::DenseMap<Operation *, size_t> position;
  for (size_t i = 0; i < order.size(); ++i) {
    Operation *op = dag.ops[order[i]];
    op->moveBefore(&body, body.end());
    position[op] = i;
  }
  // Positions come from the order, not isBeforeInBlock: every move would
  // renumber the block.
  for (AllocOp alloc : dag.buffers) {
    Operation *firstUser = nullptr;
    size_t best = SIZE_MAX;
    for (Operation *user : alloc->getUsers()) {
      Operation *top = body.findAncestorOpInBlock(*user);
      auto it = top ? position.find(top) : position.end();
      if (it != position.end() && it->second < best) {
        best = it->second;
        firstUser = top;
      }
    }
    if (firstUser)
      alloc->moveBefore(firstUser);
    else
      alloc->moveBefore(&body, body.begin());
  }
}

} // namespace strata::npu
