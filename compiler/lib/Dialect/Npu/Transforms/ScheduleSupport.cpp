//===- ScheduleSupport.cpp - What the scheduling passes share -------------===//
#include "strata/Dialect/Npu/Transforms/ScheduleSupport.h"

#include "strata/Dialect/Npu/IR/NpuResidency.h"

#include "strata/Dialect/Npu/Transforms/ScheduleSram.h"
#include "strata/target/ArchConfigIO.h"

using namespace mlir;

namespace strata::npu {

FailureOr<ArchConfig> moduleArch(ModuleOp module, StringRef pass) {
  auto yaml = module->getAttrOfType<StringAttr>("npu.arch_yaml");
  if (!yaml)
    return module.emitError() << pass
                              << ": the module has no npu.arch_yaml (lower it with "
                                 "strata-graph-to-npu first)";
  Expected<ArchConfig> arch = parseArchConfig(yaml.getValue(), "npu.arch_yaml");
  if (!arch)
    return module.emitError() << pass << ": " << arch.message();
  return arch.takeValue();
}

int64_t reservedSramBytes(ModuleOp module, bool withPinnedWeights) {
  auto bytesOf = [&](StringRef attr) -> int64_t {
    if (auto dict = module->getAttrOfType<DictionaryAttr>(attr))
      if (auto bytes = dict.getAs<IntegerAttr>("sram_bytes"))
        return bytes.getInt();
    return 0;
  };
  return bytesOf(kResidentKvAttr) + (withPinnedWeights ? bytesOf(kPinnedWeightsAttr) : 0);
}

unsigned dmaCores(EntryOp entry) {
  unsigned cores = 0;
  for (Operation &op : entry.getBody().front()) {
    bool moves = false;
    llvm::cast<CoreOp>(op).walk([&](Operation *inner) {
      if (auto l = llvm::dyn_cast<DmaLoadOp>(inner); l && l.getSrcSymbol())
        moves = true;
      else if (auto s = llvm::dyn_cast<DmaStoreOp>(inner); s && s.getDstSymbol())
        moves = true;
      return moves ? WalkResult::interrupt() : WalkResult::advance();
    });
    cores += moves ? 1 : 0;
  }
  return std::max(1u, cores);
}

sched::TimingModel entryTimingModel(EntryOp entry, const ArchConfig &arch, double coreMHz) {
  return sched::timingModelFor(arch, dmaCores(entry), coreMHz);
}

std::vector<sched::LiveInterval> liveIntervals(const CoreDag &dag,
                                               const std::vector<uint32_t> &order) {
  std::vector<sched::LiveInterval> intervals(dag.buffers.size());
  for (size_t b = 0; b < dag.buffers.size(); ++b) {
    intervals[b].first = INT64_MAX;
    intervals[b].last = -1;
    AllocOp alloc = dag.buffers[b]; // op handles have no const accessors
    intervals[b].size = alloc->hasAttr(kPinnedAttr) ? 0 : static_cast<int64_t>(alloc.getSize());
    intervals[b].align = static_cast<int64_t>(alloc.getAlign());
  }
  for (size_t i = 0; i < order.size(); ++i)
    for (uint32_t b : dag.dag.node(order[i]).buffers) {
      intervals[b].first = std::min<int64_t>(intervals[b].first, int64_t(i));
      intervals[b].last = std::max<int64_t>(intervals[b].last, int64_t(i));
    }
  for (sched::LiveInterval &iv : intervals)
    if (iv.last < 0)
      iv.first = iv.last = -1;
  return intervals;
}

BufferLives bufferLives(CoreOp core, const llvm::DenseSet<Operation *> &skip) {
  Block &body = core.getBody().front();
  BufferLives out;
  llvm::DenseMap<Operation *, int64_t> position;
  for (Operation &op : body)
    if (!skip.contains(&op)) {
      position[&op] = int64_t(out.ops.size());
      out.ops.push_back(&op);
    }
  for (AllocOp alloc : body.getOps<AllocOp>()) {
    if (skip.contains(alloc) || alloc->hasAttr(kPinnedAttr))
      continue;
    sched::LiveInterval iv;
    iv.size = int64_t(alloc.getSize());
    iv.align = int64_t(alloc.getAlign());
    iv.first = INT64_MAX;
    iv.last = -1;
    for (Operation *user : alloc->getUsers()) {
      Operation *top = body.findAncestorOpInBlock(*user);
      int64_t p = position.lookup(top ? top : alloc.getOperation());
      iv.first = std::min(iv.first, p);
      iv.last = std::max(iv.last, p);
    }
    if (iv.last < 0)
      iv.first = iv.last = position.lookup(alloc); // unused: occupies nothing for long
    out.allocs.push_back(alloc);
    out.lives.push_back(iv);
  }
  return out;
}

} // namespace strata::npu
