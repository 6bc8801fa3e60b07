//===- NpuOps.cpp - Operations of the npu dialect -------------------------===//
#include "strata/Dialect/Npu/IR/NpuOps.h"
#include "strata/Dialect/Npu/IR/NpuInstr.h"
#include "strata/Dialect/Npu/IR/NpuMemoryPlan.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallSet.h"

using namespace mlir;
using namespace strata::npu;

//===----------------------------------------------------------------------===//
// Custom directives: registers "rN", sizes "64" or "rN", size lists "[a, b]"
//===----------------------------------------------------------------------===//

static ParseResult parseRegName(OpAsmParser &parser, unsigned &index) {
  StringRef kw;
  SMLoc loc = parser.getCurrentLocation();
  if (parser.parseKeyword(&kw))
    return failure();
  unsigned value = 0;
  if (!kw.consume_front("r") || kw.empty() || kw.getAsInteger(10, value) ||
      value >= strata::isa::kNumScalarRegs)
    return parser.emitError(loc, "expected a register r0..r31");
  index = value;
  return success();
}

static ParseResult parseReg(OpAsmParser &parser, IntegerAttr &reg) {
  unsigned index = 0;
  if (parseRegName(parser, index))
    return failure();
  reg = parser.getBuilder().getI32IntegerAttr(index);
  return success();
}

static void printReg(OpAsmPrinter &p, Operation *, IntegerAttr reg) {
  p << "r" << (reg ? reg.getInt() : 0);
}

static ParseResult parseDim(OpAsmParser &parser, Attribute &dim) {
  int64_t value = 0;
  OptionalParseResult isInt = parser.parseOptionalInteger(value);
  if (isInt.has_value()) {
    if (failed(*isInt))
      return failure();
    dim = immDim(parser.getContext(), value);
    return success();
  }
  unsigned reg = 0;
  if (parseRegName(parser, reg))
    return failure();
  dim = regDim(parser.getContext(), reg);
  return success();
}

static void printDim(OpAsmPrinter &p, Operation *, Attribute dim) {
  if (auto reg = llvm::dyn_cast_or_null<RegAttr>(dim))
    p << "r" << reg.getIndex();
  else if (auto imm = llvm::dyn_cast_or_null<IntegerAttr>(dim))
    p << imm.getInt();
}

static ParseResult parseDims(OpAsmParser &parser, ArrayAttr &dims) {
  SmallVector<Attribute> list;
  if (parser.parseCommaSeparatedList(OpAsmParser::Delimiter::Square, [&]() -> ParseResult {
        Attribute d;
        if (parseDim(parser, d))
          return failure();
        list.push_back(d);
        return success();
      }))
    return failure();
  dims = parser.getBuilder().getArrayAttr(list);
  return success();
}

static void printDims(OpAsmPrinter &p, Operation *op, ArrayAttr dims) {
  p << "[";
  llvm::interleaveComma(dims, p, [&](Attribute d) { printDim(p, op, d); });
  p << "]";
}

#define GET_OP_CLASSES
#include "strata/Dialect/Npu/IR/NpuOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Builders
//===----------------------------------------------------------------------===//

void EntryOp::build(OpBuilder &builder, OperationState &state, StringRef name,
                    ArrayRef<StringRef> paramNames, ArrayRef<int32_t> paramRegs) {
  state.addAttribute(getSymNameAttrName(state.name), builder.getStringAttr(name));
  state.addAttribute(getParamNamesAttrName(state.name), builder.getStrArrayAttr(paramNames));
  state.addAttribute(getParamRegsAttrName(state.name), builder.getDenseI32ArrayAttr(paramRegs));
  Region *body = state.addRegion();
  body->push_back(new Block());
}

void CoreOp::build(OpBuilder &builder, OperationState &state, int32_t coreId) {
  state.addAttribute(getCoreIdAttrName(state.name), builder.getI32IntegerAttr(coreId));
  Region *body = state.addRegion();
  body->push_back(new Block());
}

void LoopOp::build(OpBuilder &builder, OperationState &state, unsigned counter, Attribute trip,
                   unsigned limit) {
  state.addAttribute(getCounterAttrName(state.name), builder.getI32IntegerAttr(counter));
  state.addAttribute(getTripAttrName(state.name), trip);
  state.addAttribute(getLimitAttrName(state.name), builder.getI32IntegerAttr(limit));
  Region *body = state.addRegion();
  body->push_back(new Block());
}

//===----------------------------------------------------------------------===//
// Structure and memory-plan verifiers
//===----------------------------------------------------------------------===//

int64_t IoOp::getSizeBytes() {
  auto type = llvm::cast<RankedTensorType>(getType());
  std::optional<strata::DType> dt = toDType(type.getElementType());
  return dt ? static_cast<int64_t>(strata::dtypeBytes(*dt, type.getNumElements())) : 0;
}

LogicalResult IoOp::verify() {
  auto type = llvm::cast<RankedTensorType>(getType());
  if (!type.hasStaticShape())
    return emitOpError("I/O tensor must have a static shape, got ") << type;
  if (!toDType(type.getElementType()))
    return emitOpError("element type ") << type.getElementType()
                                        << " is not an NPU type (f32, f16, bf16, i32, i8, i4)";
  for (int64_t d : type.getShape())
    if (d <= 0)
      return emitOpError("I/O tensor dimensions must be positive, got ") << type;
  return success();
}

LogicalResult EntryOp::verify() {
  if (getParamNames().size() != getParamRegs().size())
    return emitOpError("has ") << getParamNames().size() << " parameter names but "
                               << getParamRegs().size() << " registers";
  llvm::SmallSet<int32_t, 8> regs;
  llvm::SmallSet<StringRef, 8> names;
  for (auto [name, reg] : llvm::zip(getParamNames(), getParamRegs())) {
    StringRef n = llvm::cast<StringAttr>(name).getValue();
    if (reg < 1 || reg >= static_cast<int32_t>(strata::isa::kNumScalarRegs))
      return emitOpError("parameter '") << n << "' is in r" << reg
                                        << "; parameters use r1..r31";
    if (!regs.insert(reg).second)
      return emitOpError("two parameters share register r") << reg;
    if (n.empty() || !names.insert(n).second)
      return emitOpError("parameter names must be unique and non-empty ('") << n << "')";
  }
  llvm::SmallSet<int32_t, 16> cores;
  for (Operation &op : getBody().front()) {
    auto core = llvm::dyn_cast<CoreOp>(op);
    if (!core)
      return op.emitOpError("is not allowed directly in an npu.entry (only npu.core)");
    if (!cores.insert(core.getCoreId()).second)
      return core.emitOpError("core ") << core.getCoreId() << " appears twice in entry "
                                       << getSymName();
  }
  return success();
}

LogicalResult CoreOp::verify() {
  for (Operation &op : getBody().front()) {
    if (llvm::isa<AllocOp, NpuInstructionOpInterface>(op))
      continue;
    return op.emitOpError("is not an npu instruction or buffer and cannot be in an npu.core");
  }
  return success();
}

LogicalResult AllocOp::verify() {
  int64_t align = static_cast<int64_t>(getAlign());
  if (align <= 0 || (align & (align - 1)) != 0)
    return emitOpError("alignment ") << align << " is not a power of two";
  if (auto offset = getOffset())
    if (static_cast<int64_t>(*offset) % align != 0)
      return emitOpError("offset ") << *offset << " is not a multiple of the alignment " << align;
  return success();
}

//===----------------------------------------------------------------------===//
// Instruction verifiers
//===----------------------------------------------------------------------===//

namespace {

/// Static SRAM extents must lie inside their buffer.
LogicalResult verifySramExtents(Operation *op) {
  auto iface = llvm::cast<NpuInstructionOpInterface>(op);
  SmallVector<MemAccess> accesses;
  iface.getAccesses(accesses);
  for (const MemAccess &a : accesses) {
    if (a.space != MemAccess::Space::Sram)
      continue;
    auto alloc = a.buffer.getDefiningOp<AllocOp>();
    if (!alloc)
      continue;
    if (a.offset < 0)
      return op->emitOpError("SRAM operand offset ") << a.offset << " is negative";
    int64_t end = a.size == MemAccess::kToEnd ? a.offset : a.offset + a.size;
    const int64_t size = static_cast<int64_t>(alloc.getSize());
    if (end > size || a.offset > size)
      return op->emitOpError("touches bytes [")
             << a.offset << ", " << end << ") of a " << alloc.getSize() << "-byte buffer";
  }
  return success();
}

LogicalResult verifyInstrOp(Operation *op) {
  if (failed(verifyAsInstr(op)))
    return failure();
  return verifySramExtents(op);
}

/// HBM symbols named by an op exist, are HBM symbols, and static extents fit.
LogicalResult verifyHbmUses(Operation *op, SymbolTableCollection &symbols) {
  auto iface = llvm::cast<NpuInstructionOpInterface>(op);
  SmallVector<MemAccess> accesses;
  iface.getAccesses(accesses);
  for (const MemAccess &a : accesses) {
    if (a.space != MemAccess::Space::Hbm)
      continue;
    Operation *sym = symbols.lookupNearestSymbolFrom(op, a.symbol);
    if (!sym)
      return op->emitOpError("names unknown HBM symbol @") << a.symbol.getValue();
    std::optional<HbmSymbolInfo> info = hbmSymbolInfo(sym);
    if (!info)
      return op->emitOpError("@") << a.symbol.getValue() << " is not an HBM symbol";
    int64_t end = a.size == MemAccess::kToEnd ? a.offset : a.offset + a.size;
    if (a.offset < 0 || end > info->size)
      return op->emitOpError("touches bytes [")
             << a.offset << ", " << end << ") of @" << a.symbol.getValue() << " ("
             << info->size << " bytes)";
  }
  return success();
}

} // namespace

#define STRATA_NPU_INSTR_VERIFIER(Op)                                                      \
  LogicalResult Op::verify() { return verifyInstrOp(getOperation()); }
STRATA_NPU_INSTR_VERIFIER(DmaLoadOp)
STRATA_NPU_INSTR_VERIFIER(DmaStoreOp)
STRATA_NPU_INSTR_VERIFIER(TcConfigOp)
STRATA_NPU_INSTR_VERIFIER(GemmOp)
STRATA_NPU_INSTR_VERIFIER(VAddOp)
STRATA_NPU_INSTR_VERIFIER(VSubOp)
STRATA_NPU_INSTR_VERIFIER(VMulOp)
STRATA_NPU_INSTR_VERIFIER(VMaxOp)
STRATA_NPU_INSTR_VERIFIER(VExpOp)
STRATA_NPU_INSTR_VERIFIER(VRsqrtOp)
STRATA_NPU_INSTR_VERIFIER(VSiluOp)
STRATA_NPU_INSTR_VERIFIER(VGeluTanhOp)
STRATA_NPU_INSTR_VERIFIER(VGeluErfOp)
STRATA_NPU_INSTR_VERIFIER(VReluOp)
STRATA_NPU_INSTR_VERIFIER(VReduceSumOp)
STRATA_NPU_INSTR_VERIFIER(VReduceMaxOp)
STRATA_NPU_INSTR_VERIFIER(VArgmaxOp)
STRATA_NPU_INSTR_VERIFIER(VSoftmaxOp)
STRATA_NPU_INSTR_VERIFIER(VRmsNormOp)
STRATA_NPU_INSTR_VERIFIER(VLayerNormOp)
STRATA_NPU_INSTR_VERIFIER(VRopeOp)
STRATA_NPU_INSTR_VERIFIER(VQuantizeOp)
STRATA_NPU_INSTR_VERIFIER(VDequantizeOp)
STRATA_NPU_INSTR_VERIFIER(VCastOp)
STRATA_NPU_INSTR_VERIFIER(VCopyOp)
STRATA_NPU_INSTR_VERIFIER(VTransposeOp)
STRATA_NPU_INSTR_VERIFIER(SemSignalOp)
STRATA_NPU_INSTR_VERIFIER(SemReleaseOp)
STRATA_NPU_INSTR_VERIFIER(SemWaitOp)
STRATA_NPU_INSTR_VERIFIER(BarrierOp)
STRATA_NPU_INSTR_VERIFIER(DvfsHintOp)
STRATA_NPU_INSTR_VERIFIER(FenceOp)
STRATA_NPU_INSTR_VERIFIER(LiOp)
STRATA_NPU_INSTR_VERIFIER(AddOp)
STRATA_NPU_INSTR_VERIFIER(SubOp)
STRATA_NPU_INSTR_VERIFIER(MulOp)
STRATA_NPU_INSTR_VERIFIER(AndOp)
STRATA_NPU_INSTR_VERIFIER(OrOp)
STRATA_NPU_INSTR_VERIFIER(MinOp)
STRATA_NPU_INSTR_VERIFIER(MaxOp)
STRATA_NPU_INSTR_VERIFIER(AddiOp)
STRATA_NPU_INSTR_VERIFIER(MuliOp)
STRATA_NPU_INSTR_VERIFIER(DivuiOp)
STRATA_NPU_INSTR_VERIFIER(RemuiOp)
STRATA_NPU_INSTR_VERIFIER(ShliOp)
STRATA_NPU_INSTR_VERIFIER(ShriOp)
STRATA_NPU_INSTR_VERIFIER(Ld32Op)
#undef STRATA_NPU_INSTR_VERIFIER

LogicalResult LoopOp::verify() {
  if (getCounter() == 0 || getLimit() == 0)
    return emitOpError("counter and limit registers must not be r0");
  if (getCounter() == getLimit())
    return emitOpError("counter and limit use the same register r") << getCounter();
  if (auto trip = llvm::dyn_cast<RegAttr>(getTrip()))
    if (trip.getIndex() == static_cast<unsigned>(getCounter()))
      return emitOpError("the trip count register is the counter r") << getCounter();
  if (auto trip = staticDim(getTrip()); trip && *trip < 0)
    return emitOpError("trip count ") << *trip << " is negative";
  std::optional<Queue> queue;
  for (Operation &op : getBody().front()) {
    auto instr = llvm::dyn_cast<NpuInstructionOpInterface>(op);
    if (!instr)
      return op.emitOpError("cannot be in an npu.loop (only instructions)");
    if (llvm::isa<LoopOp>(op))
      return op.emitOpError("loops do not nest");
    std::optional<Queue> q = instr.getIssueQueue();
    if (!q)
      continue;
    if (queue && *queue != *q)
      return op.emitOpError("is dispatched to the ")
             << stringifyQueue(*q) << " queue but the loop already uses the "
             << stringifyQueue(*queue) << " queue (a loop body uses one queue)";
    queue = q;
    if (llvm::isa<SemSignalOp, SemReleaseOp, SemWaitOp, BarrierOp>(op))
      return op.emitOpError("synchronisation cannot be inside an npu.loop");
  }
  return success();
}

LogicalResult DmaLoadOp::verifySymbolUses(SymbolTableCollection &symbols) {
  return verifyHbmUses(getOperation(), symbols);
}
LogicalResult DmaStoreOp::verifySymbolUses(SymbolTableCollection &symbols) {
  return verifyHbmUses(getOperation(), symbols);
}
LogicalResult Ld32Op::verifySymbolUses(SymbolTableCollection &symbols) {
  return verifyHbmUses(getOperation(), symbols);
}
