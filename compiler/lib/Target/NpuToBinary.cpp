//===- NpuToBinary.cpp - Emission of npu modules as NPU binaries ----------===//
#include "strata/Target/NpuToBinary.h"

#include "strata/Dialect/Graph/IR/GraphDialect.h"
#include "strata/Dialect/Npu/IR/NpuInstr.h"
#include "strata/Dialect/Npu/IR/NpuMemoryPlan.h"
#include "strata/Dialect/Npu/IR/NpuOps.h"
#include "strata/target/ArchConfigIO.h"
#include "strata/target/BinaryIO.h"
#include "strata/target/Validator.h"

#include "mlir/IR/Diagnostics.h"

#include <memory>
#include <vector>

using namespace mlir;

namespace strata {
namespace {

bin::RegionKind toBin(npu::RegionKind kind) {
  switch (kind) {
  case npu::RegionKind::Weights: return bin::RegionKind::Weights;
  case npu::RegionKind::Activations: return bin::RegionKind::Activations;
  case npu::RegionKind::KvCache: return bin::RegionKind::KvCache;
  case npu::RegionKind::Io: return bin::RegionKind::Io;
  case npu::RegionKind::Scratch: return bin::RegionKind::Scratch;
  }
  return bin::RegionKind::Scratch;
}

/// Emits one core's program.
class CoreEmitter {
public:
  CoreEmitter(const npu::HbmLayout &layout, uint32_t coreId)
      : layout_(layout), coreId_(coreId) {}

  LogicalResult emit(npu::CoreOp core) {
    for (Operation &op : core.getBody().front())
      if (failed(emitOp(&op)))
        return failure();
    push(isa::ControlInstr{isa::Opcode::Halt}, StringAttr());
    closeLabel();
    return success();
  }

  std::vector<isa::Instr> program;
  std::vector<bin::CodeLabel> labels;

private:
  LogicalResult emitOp(Operation *op, StringAttr inherited = StringAttr()) {
    if (llvm::isa<npu::AllocOp>(op))
      return success();
    StringAttr label = op->getAttrOfType<StringAttr>("npu.label");
    if (!label)
      label = inherited;
    if (auto loop = llvm::dyn_cast<npu::LoopOp>(op))
      return emitLoop(loop, label);
    std::string error;
    auto sram = [](Value buf) -> uint64_t {
      auto alloc = buf.getDefiningOp<npu::AllocOp>();
      return alloc && alloc.getOffset() ? *alloc.getOffset() : 0;
    };
    auto hbm = [&](StringAttr sym) -> uint64_t {
      auto it = layout_.address.find(sym.getValue());
      return it == layout_.address.end() ? 0 : it->second;
    };
    npu::AddressMap map{sram, hbm};
    // Every buffer must have been placed.
    for (Value v : op->getOperands())
      if (auto alloc = v.getDefiningOp<npu::AllocOp>(); alloc && !alloc.getOffset())
        return op->emitOpError("uses an SRAM buffer without an offset (run "
                               "strata-npu-allocate-sram before emission)");
    FailureOr<isa::Instr> instr = npu::buildInstr(op, map, error);
    if (failed(instr))
      return op->emitOpError(error);
    push(*instr, label);
    return success();
  }

  LogicalResult emitLoop(npu::LoopOp loop, StringAttr label) {
    auto scalar = [](isa::Opcode code, unsigned rd, unsigned rs1, int64_t imm) {
      isa::ScalarInstr s;
      s.op = code;
      s.rd = static_cast<uint8_t>(rd);
      s.rs1 = static_cast<uint8_t>(rs1);
      s.imm = imm;
      return isa::Instr(s);
    };
    unsigned counter = static_cast<unsigned>(loop.getCounter());
    unsigned limit = static_cast<unsigned>(loop.getLimit());
    if (auto reg = llvm::dyn_cast<npu::RegAttr>(loop.getTrip()))
      limit = reg.getIndex();
    else
      push(scalar(isa::Opcode::Li, limit, 0, *npu::staticDim(loop.getTrip())), label);
    push(scalar(isa::Opcode::Li, counter, 0, 0), label);
    size_t guard = program.size();
    isa::BranchInstr skip;
    skip.op = isa::Opcode::Bge;
    skip.rs1 = static_cast<uint8_t>(counter);
    skip.rs2 = static_cast<uint8_t>(limit);
    push(skip, label);
    uint32_t head = static_cast<uint32_t>(program.size());
    for (Operation &op : loop.getBody().front()) {
      if (failed(emitOp(&op, label)))
        return failure();
    }
    push(scalar(isa::Opcode::Addi, counter, counter, 1), label);
    isa::BranchInstr back;
    back.op = isa::Opcode::Blt;
    back.rs1 = static_cast<uint8_t>(counter);
    back.rs2 = static_cast<uint8_t>(limit);
    back.target = head;
    push(back, label);
    std::get<isa::BranchInstr>(program[guard]).target = static_cast<uint32_t>(program.size());
    return success();
  }

  void push(const isa::Instr &instr, StringAttr label) {
    if (label != current_) {
      closeLabel();
      current_ = label;
      start_ = static_cast<uint32_t>(program.size());
    }
    program.push_back(instr);
  }

  void closeLabel() {
    uint32_t end = static_cast<uint32_t>(program.size());
    if (current_ && end > start_)
      labels.push_back({current_.str(), coreId_, start_, end});
    current_ = StringAttr();
    start_ = end;
  }

  const npu::HbmLayout &layout_;
  uint32_t coreId_;
  StringAttr current_;
  uint32_t start_ = 0;
};

} // namespace

FailureOr<bin::Binary> emitBinary(ModuleOp module, const EmitOptions &options) {
  auto yaml = module->getAttrOfType<StringAttr>("npu.arch_yaml");
  if (!yaml)
    return module.emitError("npu-to-binary: the module has no npu.arch_yaml attribute (lower "
                            "it with strata-graph-to-npu)");
  Expected<ArchConfig> arch = parseArchConfig(yaml.getValue(), "npu.arch_yaml");
  if (!arch)
    return module.emitError() << "npu-to-binary: " << arch.message();
  FailureOr<npu::HbmLayout> layout = npu::computeHbmLayout(module);
  if (failed(layout))
    return failure();

  bin::Binary binary;
  binary.meta.toolVersion = options.toolVersion;
  binary.meta.passPipeline = options.passPipeline;
  binary.meta.modelName = options.modelName;
  binary.archConfigYaml = archConfigToYaml(*arch);
  binary.archHash = archConfigHash(*arch);

  for (npu::RegionOp r : module.getOps<npu::RegionOp>())
    binary.regions.push_back({r.getSymName().str(), toBin(r.getKind()),
                              layout->address[r.getSymName()], r.getSize()});
  for (npu::IoOp io : module.getOps<npu::IoOp>()) {
    bin::IoBinding b;
    b.name = io.getSymName().str();
    b.direction = io.getDirection() == npu::IoDirection::Input ? bin::IoDirection::Input
                                                               : bin::IoDirection::Output;
    auto type = llvm::cast<RankedTensorType>(io.getType());
    b.dtype = *npu::toDType(type.getElementType());
    b.shape.assign(type.getShape().begin(), type.getShape().end());
    b.hbmAddress = layout->address[io.getSymName()];
    binary.io.push_back(std::move(b));
  }

  // Constants point into the weight store; the binary keeps the backings.
  const WeightStore *store = options.store;
  if (!store && !options.timingOnly)
    if (auto *graph = module.getContext()->getLoadedDialect<graph::GraphDialect>())
      store = &graph->getWeightStore();
  auto keep = std::make_shared<std::vector<std::shared_ptr<const void>>>();
  for (npu::ConstantOp c : module.getOps<npu::ConstantOp>()) {
    bin::ConstSegment seg;
    seg.name = c.getSymName().str();
    seg.hbmAddress = layout->address[c.getSymName()];
    seg.size = c.getSize();
    const WeightEntry *entry =
        store && !options.timingOnly ? store->find(c.getWeight().str()) : nullptr;
    if (entry) {
      bool scales = c.getPart() == npu::ConstPart::Scales;
      const uint8_t *data = scales ? entry->scales : entry->data;
      uint64_t bytes = scales ? entry->scaleBytes : entry->bytes;
      if (!data || bytes != seg.size)
        return c.emitOpError("the weight store holds ")
               << bytes << " bytes for its " << npu::stringifyConstPart(c.getPart())
               << ", the constant reserves " << seg.size;
      seg.data = data;
      if (entry->backing)
        keep->push_back(entry->backing);
    }
    binary.constants.push_back(std::move(seg));
  }
  binary.storage = keep;

  for (npu::EntryOp entry : module.getOps<npu::EntryOp>()) {
    bin::EntryPoint ep;
    ep.name = entry.getSymName().str();
    for (auto [name, reg] : llvm::zip(entry.getParamNames(), entry.getParamRegs()))
      ep.params.push_back({llvm::cast<StringAttr>(name).str(), static_cast<uint8_t>(reg)});
    int32_t maxCore = -1;
    for (Operation &op : entry.getBody().front())
      maxCore = std::max<int32_t>(maxCore, static_cast<int32_t>(llvm::cast<npu::CoreOp>(op).getCoreId()));
    ep.cores.resize(static_cast<size_t>(maxCore + 1));
    for (Operation &op : entry.getBody().front()) {
      auto core = llvm::cast<npu::CoreOp>(op);
      uint32_t id = static_cast<uint32_t>(core.getCoreId());
      CoreEmitter emitter(*layout, id);
      if (failed(emitter.emit(core)))
        return failure();
      Status valid = isa::validateProgram(emitter.program, &*arch);
      if (!valid)
        return core.emitOpError("entry '")
               << ep.name << "' core " << id << ": " << valid.message();
      ep.cores[id] = std::move(emitter.program);
      ep.labels.insert(ep.labels.end(), emitter.labels.begin(), emitter.labels.end());
    }
    binary.entries.push_back(std::move(ep));
  }

  Status ok = checkBinary(binary);
  if (!ok)
    return module.emitError() << "npu-to-binary: " << ok.message();
  ok = checkBinaryAgainstArch(binary, *arch);
  if (!ok)
    return module.emitError() << "npu-to-binary: " << ok.message();
  return binary;
}

} // namespace strata
