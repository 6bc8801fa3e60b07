//===- NpuInstr.cpp - npu ops as ISA instructions -------------------------===//
#include "strata/Dialect/Npu/IR/NpuInstr.h"
#include "strata/Dialect/Npu/IR/NpuOps.h"
#include "strata/target/Validator.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;

namespace strata::npu {
namespace {

struct Builder {
  const AddressMap &map;
  std::string &error;

  bool fail(const std::string &message) {
    if (error.empty())
      error = message;
    return false;
  }

  DType dtype(Type t, const char *field) {
    if (std::optional<DType> d = toDType(t))
      return *d;
    fail(std::string(field) + " has a type the NPU does not have");
    return DType::F32;
  }

  isa::SramRef sram(Value buf, std::optional<int64_t> offset, const char *field) {
    if (!buf)
      return {};
    int64_t off = offset.value_or(0);
    uint64_t addr = map.sramBase(buf) + static_cast<uint64_t>(off);
    if (off < 0 || addr > isa::kMaxSramOffset)
      fail(std::string(field) + " SRAM address " + std::to_string(addr) +
           " does not fit the 27-bit offset");
    return isa::SramRef{0, static_cast<uint32_t>(addr)};
  }

  isa::MemRef endpoint(Value buf, FlatSymbolRefAttr sym, int64_t offset,
                       std::optional<int32_t> reg, std::optional<int32_t> core,
                       const char *field) {
    isa::MemRef m;
    m.reg = static_cast<uint8_t>(reg.value_or(0));
    uint64_t base = 0;
    if (buf) {
      m.space = isa::Space::Sram;
      m.core = core ? static_cast<uint8_t>(*core) : isa::kLocalCore;
      base = map.sramBase(buf);
    } else {
      m.space = isa::Space::Hbm;
      m.core = isa::kLocalCore;
      if (sym)
        base = map.hbmBase(sym.getAttr());
      else
        fail(std::string(field) + " names neither a buffer nor an HBM symbol");
    }
    if (offset < 0)
      fail(std::string(field) + " offset " + std::to_string(offset) + " is negative");
    m.offset = base + static_cast<uint64_t>(offset);
    if (m.offset > isa::kMaxDmaOffset)
      fail(std::string(field) + " address does not fit the 40-bit DMA offset");
    return m;
  }

  void dmaShape(isa::DmaInstr &d, ArrayAttr size, ArrayRef<int64_t> srcStrides,
                ArrayRef<int64_t> dstStrides) {
    if (size.empty() || size.size() > 3)
      fail("DMA size needs 1 to 3 dimensions");
    for (unsigned i = 0; i < 3; ++i)
      d.size[i] = i < size.size() ? toIsaDim(size[i]) : isa::Dim::imm(1);
    if (srcStrides.size() > 2 || dstStrides.size() > 2)
      fail("DMA strides have at most 2 entries (rows, planes)");
    for (unsigned i = 0; i < 2; ++i) {
      int64_t s = i < srcStrides.size() ? srcStrides[i] : 0;
      int64_t t = i < dstStrides.size() ? dstStrides[i] : 0;
      if (s < 0 || t < 0 || s > UINT32_MAX || t > UINT32_MAX)
        fail("DMA strides must fit in 32 bits");
      d.srcStride[i] = static_cast<uint32_t>(s);
      d.dstStride[i] = static_cast<uint32_t>(t);
    }
  }

  uint32_t u32(int64_t v, const char *field) {
    if (v < 0 || v > UINT32_MAX)
      fail(std::string(field) + " = " + std::to_string(v) + " does not fit in 32 bits");
    return static_cast<uint32_t>(v);
  }

  template <typename VecOp> isa::Instr vec(VecOp op) {
    isa::VecInstr v;
    v.op = VecOp::getOpcode();
    v.in = dtype(op.getInType(), "in_type");
    v.in1 = op.getIn1Type() ? dtype(*op.getIn1Type(), "in1_type") : DType::F32;
    v.out = dtype(op.getOutType(), "out_type");
    v.bcast = static_cast<isa::Broadcast>(op.getBcast());
    v.causal = op.getCausal();
    v.ropeHalf = op.getRopeHalf();
    v.rows = toIsaDim(op.getRows());
    v.cols = toIsaDim(op.getCols());
    v.aux = op.getAux() ? toIsaDim(*op.getAux()) : isa::Dim::imm(0);
    v.ld0 = u32(op.getLd0(), "ld0");
    v.ld1 = u32(op.getLd1(), "ld1");
    v.ldd = u32(op.getLdd(), "ldd");
    if (op.getAux2() < 0 || op.getAux2() > UINT16_MAX)
      fail("aux2 does not fit in 16 bits");
    v.aux2 = static_cast<uint16_t>(op.getAux2());
    v.fimm = op.getFimm().convertToFloat();
    v.x = sram(op.getX(), op.getXOffset(), "x");
    v.y = sram(op.getY(), op.getYOffset(), "y");
    v.z = sram(op.getZ(), op.getZOffset(), "z");
    v.dst = sram(op.getDst(), op.getDstOffset(), "dst");
    return v;
  }

  isa::Instr gemm(GemmOp op) {
    isa::GemmInstr g;
    g.a = dtype(op.getAType(), "a_type");
    g.b = dtype(op.getBType(), "b_type");
    g.out = dtype(op.getOutType(), "out_type");
    g.scaleType = op.getScaleType() ? dtype(*op.getScaleType(), "scale_type") : DType::F32;
    g.aScale = static_cast<isa::ScaleMode>(op.getAScale());
    g.bScale = static_cast<isa::ScaleMode>(op.getBScale());
    g.act = static_cast<isa::Activation>(op.getAct());
    g.transB = op.getTransB();
    g.accumulate = op.getAccumulate();
    g.hasBias = static_cast<bool>(op.getBias());
    if (static_cast<int64_t>(op.getTcGroup()) < 0 || op.getTcGroup() > 255)
      fail("tc_group must be 0..255");
    g.tcGroup = static_cast<uint8_t>(op.getTcGroup());
    g.m = toIsaDim(op.getM());
    g.n = toIsaDim(op.getN());
    g.k = toIsaDim(op.getK());
    g.lda = u32(op.getLda(), "lda");
    g.ldb = u32(op.getLdb(), "ldb");
    g.ldc = u32(op.getLdc(), "ldc");
    if (static_cast<int64_t>(op.getGroupSize()) < 0 || op.getGroupSize() > UINT16_MAX)
      fail("group_size does not fit in 16 bits");
    g.groupSize = static_cast<uint16_t>(op.getGroupSize());
    if (static_cast<bool>(op.getScaleA()) != (g.aScale != isa::ScaleMode::None))
      fail("scale_a is given exactly when a_scale is not none");
    if (static_cast<bool>(op.getScaleB()) != (g.bScale != isa::ScaleMode::None))
      fail("scale_b is given exactly when b_scale is not none");
    g.A = sram(op.getA(), op.getAOffset(), "A");
    g.B = sram(op.getB(), op.getBOffset(), "B");
    g.C = sram(op.getC(), op.getCOffset(), "C");
    g.scaleA = sram(op.getScaleA(), op.getScaleAOffset(), "scale_a");
    g.scaleB = sram(op.getScaleB(), op.getScaleBOffset(), "scale_b");
    g.bias = sram(op.getBias(), op.getBiasOffset(), "bias");
    return g;
  }

  // GCC 12 reports the std::optional<isa::Instr> inside llvm::TypeSwitch as
  // maybe-uninitialized when it moves the result out (a known false positive
  // with std::variant); every Case returns a fully built instruction.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
  isa::Instr build(Operation *op) {
    auto rr = [](isa::Opcode code, int32_t rd, int32_t rs1, int32_t rs2) {
      isa::ScalarInstr s;
      s.op = code;
      s.rd = static_cast<uint8_t>(rd);
      s.rs1 = static_cast<uint8_t>(rs1);
      s.rs2 = static_cast<uint8_t>(rs2);
      return isa::Instr(s);
    };
    auto ri = [](isa::Opcode code, int32_t rd, int32_t rs1, int64_t imm) {
      isa::ScalarInstr s;
      s.op = code;
      s.rd = static_cast<uint8_t>(rd);
      s.rs1 = static_cast<uint8_t>(rs1);
      s.imm = imm;
      return isa::Instr(s);
    };
    auto sync = [](isa::Opcode code, Queue q, int64_t id, int64_t value) {
      isa::SyncInstr s;
      s.op = code;
      s.queue = static_cast<isa::Queue>(q);
      s.id = static_cast<uint8_t>(id);
      s.value = static_cast<uint32_t>(value);
      return isa::Instr(s);
    };
    return llvm::TypeSwitch<Operation *, isa::Instr>(op)
        .Case([&](DmaLoadOp d) {
          isa::DmaInstr i;
          i.op = isa::Opcode::DmaLoad;
          i.src = endpoint(d.getSrc(), d.getSrcSymbolAttr(), d.getSrcOffset(), d.getSrcReg(),
                           d.getSrcCore(), "src");
          i.dst = endpoint(d.getDst(), FlatSymbolRefAttr(), d.getDstOffset(), d.getDstReg(),
                           std::nullopt, "dst");
          dmaShape(i, d.getSize(), d.getSrcStrides(), d.getDstStrides());
          return isa::Instr(i);
        })
        .Case([&](DmaStoreOp d) {
          isa::DmaInstr i;
          i.op = isa::Opcode::DmaStore;
          i.src = endpoint(d.getSrc(), FlatSymbolRefAttr(), d.getSrcOffset(), d.getSrcReg(),
                           std::nullopt, "src");
          i.dst = endpoint(d.getDst(), d.getDstSymbolAttr(), d.getDstOffset(), d.getDstReg(),
                           d.getDstCore(), "dst");
          dmaShape(i, d.getSize(), d.getSrcStrides(), d.getDstStrides());
          return isa::Instr(i);
        })
        .Case([&](TcConfigOp t) {
          isa::TcConfigInstr i;
          i.gang = static_cast<isa::Gang>(t.getGang());
          i.precision = dtype(t.getPrecision(), "precision");
          return isa::Instr(i);
        })
        .Case([&](GemmOp g) { return gemm(g); })
        .Case<VAddOp, VSubOp, VMulOp, VMaxOp, VExpOp, VRsqrtOp, VSiluOp, VGeluTanhOp,
              VGeluErfOp, VReluOp, VReduceSumOp, VReduceMaxOp, VArgmaxOp, VSoftmaxOp,
              VRmsNormOp, VLayerNormOp, VRopeOp, VQuantizeOp, VDequantizeOp, VCastOp,
              VCopyOp, VTransposeOp>([&](auto v) { return vec(v); })
        .Case([&](SemSignalOp s) {
          return sync(isa::Opcode::SemSignal, s.getQueue(), s.getSem(), s.getCount());
        })
        .Case([&](SemReleaseOp s) {
          return sync(isa::Opcode::SemRelease, s.getQueue(), s.getSem(), s.getCount());
        })
        .Case([&](SemWaitOp s) {
          return sync(isa::Opcode::SemWait, s.getQueue(), s.getSem(), s.getCount());
        })
        .Case([&](BarrierOp b) {
          if (b.getMask() > UINT32_MAX)
            fail("barrier mask does not fit in 32 bits");
          return sync(isa::Opcode::Barrier, b.getQueue(), b.getId(), b.getMask());
        })
        .Case([&](DvfsHintOp h) {
          return sync(isa::Opcode::DvfsHint, h.getQueue(), h.getDomain(), h.getLevel());
        })
        .Case([&](FenceOp) { return isa::Instr(isa::ControlInstr{isa::Opcode::Fence}); })
        .Case([&](LiOp l) { return ri(isa::Opcode::Li, l.getRd(), 0, l.getImm()); })
        .Case<AddOp, SubOp, MulOp, AndOp, OrOp, MinOp, MaxOp>([&](auto s) {
          return rr(std::decay_t<decltype(s)>::getOpcode(), s.getRd(), s.getRs1(), s.getRs2());
        })
        .Case<AddiOp, MuliOp, DivuiOp, RemuiOp, ShliOp, ShriOp>([&](auto s) {
          return ri(std::decay_t<decltype(s)>::getOpcode(), s.getRd(), s.getRs1(), s.getImm());
        })
        .Case([&](Ld32Op l) {
          int64_t addr = static_cast<int64_t>(map.hbmBase(l.getSymbolAttr().getAttr())) +
                         l.getOffset();
          return ri(isa::Opcode::Ld32, l.getRd(), l.getRs1(), addr);
        })
        .Default([&](Operation *other) {
          fail("'" + other->getName().getStringRef().str() + "' is not a single instruction");
          return isa::Instr(isa::ControlInstr{isa::Opcode::Nop});
        });
  }
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
};

} // namespace

FailureOr<isa::Instr> buildInstr(Operation *op, const AddressMap &map, std::string &error) {
  error.clear();
  Builder b{map, error};
  isa::Instr instr = b.build(op);
  if (!error.empty())
    return failure();
  return instr;
}

LogicalResult verifyAsInstr(Operation *op) {
  if (llvm::isa<LoopOp>(op))
    return success();
  auto zeroBuf = [](Value) -> uint64_t { return 0; };
  auto zeroSym = [](StringAttr) -> uint64_t { return 0; };
  AddressMap map{zeroBuf, zeroSym};
  std::string error;
  FailureOr<isa::Instr> instr = buildInstr(op, map, error);
  if (failed(instr))
    return op->emitOpError(error);
  Status status = isa::validateInstr(*instr);
  if (!status)
    return op->emitOpError("is not a valid instruction: ") << status.message();
  return success();
}

} // namespace strata::npu
