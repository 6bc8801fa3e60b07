//===- AllocateSram.cpp - SRAM offsets from liveness ----------------------===//
#include "strata/Dialect/Npu/IR/NpuOps.h"
#include "strata/Dialect/Npu/Transforms/Passes.h"
#include "strata/Dialect/Npu/Transforms/ScheduleSupport.h"
#include "strata/target/ArchConfigIO.h"

#include "mlir/IR/Builders.h"

#include <algorithm>
#include <vector>

#define DEBUG_TYPE "strata-npu-allocate-sram"

namespace strata::npu {
#define GEN_PASS_DEF_NPUALLOCATESRAMPASS
#include "strata/Dialect/Npu/Transforms/Passes.h.inc"
} // namespace strata::npu

using namespace mlir;

namespace strata::npu {
namespace {

struct Interval {
  AllocOp alloc;
  int64_t first = 0, last = 0; ///< program positions of the first and last use
  int64_t size = 0, align = 1;
  int64_t offset = -1;
};

class AllocateSramPass : public impl::NpuAllocateSramPassBase<AllocateSramPass> {
public:
  using NpuAllocateSramPassBase::NpuAllocateSramPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    uint64_t capacity = sramBytes;
    if (capacity == 0) {
      auto yaml = module->getAttrOfType<StringAttr>("npu.arch_yaml");
      if (!yaml) {
        module.emitError("strata-npu-allocate-sram: the module has no npu.arch_yaml; pass "
                         "sram-bytes=N or lower it with strata-graph-to-npu");
        return signalPassFailure();
      }
      Expected<ArchConfig> arch = parseArchConfig(yaml.getValue(), "npu.arch_yaml");
      if (!arch) {
        module.emitError() << arch.message();
        return signalPassFailure();
      }
      capacity = arch->core.sram.sizeBytes;
    }
    // The resident KV cache and resident weights own the top of every core's
    // SRAM (NpuResidency.h); the other buffers are placed below them.
    const uint64_t reserved = uint64_t(reservedSramBytes(module, /*withPinnedWeights=*/true));
    if (reserved >= capacity) {
      module.emitError() << "strata-npu-allocate-sram: " << reserved
                         << " bytes reserved for the resident KV cache and weights leave "
                            "nothing of the "
                         << capacity << " bytes of SRAM";
      return signalPassFailure();
    }
    capacity = (capacity - reserved) / 64 * 64;
    SmallVector<NamedAttribute> marks;
    uint64_t overall = 0;
    for (EntryOp entry : module.getOps<EntryOp>())
      for (Operation &op : entry.getBody().front()) {
        auto core = llvm::cast<CoreOp>(op);
        FailureOr<int64_t> high = allocateCore(entry, core, static_cast<int64_t>(capacity));
        if (failed(high))
          return signalPassFailure();
        marks.push_back(NamedAttribute(
            StringAttr::get(&getContext(),
                            entry.getSymName() + ".core" + std::to_string(core.getCoreId())),
            IntegerAttr::get(IntegerType::get(&getContext(), 64), *high)));
        overall = std::max<uint64_t>(overall, static_cast<uint64_t>(*high));
      }
    module->setAttr(kSramHighWaterAttr, DictionaryAttr::get(&getContext(), marks));
    highWater = overall;
  }

private:
  FailureOr<int64_t> allocateCore(EntryOp entry, CoreOp core, int64_t capacity) {
    // Resident buffers (NpuResidency.h) are placed already; bufferLives
    // leaves them out.
    const BufferLives program = bufferLives(core);
    std::vector<Interval> intervals;
    for (size_t i = 0; i < program.allocs.size(); ++i) {
      const sched::LiveInterval &live = program.lives[i];
      intervals.push_back({program.allocs[i], live.first, live.last, live.size, live.align});
    }
    std::stable_sort(intervals.begin(), intervals.end(),
                     [](const Interval &a, const Interval &b) { return a.first < b.first; });

    // Interval first fit: active buffers sorted by offset; a new buffer takes
    // the lowest aligned gap between them.
    std::vector<Interval *> active;
    int64_t high = 0;
    for (Interval &iv : intervals) {
      active.erase(std::remove_if(active.begin(), active.end(),
                                  [&](Interval *a) { return a->last < iv.first; }),
                   active.end());
      int64_t candidate = 0;
      for (Interval *a : active) { // sorted by offset
        int64_t aligned = (candidate + iv.align - 1) / iv.align * iv.align;
        if (aligned + iv.size <= a->offset)
          break;
        candidate = std::max(candidate, a->offset + a->size);
      }
      iv.offset = (candidate + iv.align - 1) / iv.align * iv.align;
      auto at = std::lower_bound(active.begin(), active.end(), &iv,
                                 [](Interval *a, Interval *b) { return a->offset < b->offset; });
      active.insert(at, &iv);
      int64_t end = iv.offset + iv.size;
      if (end > capacity) {
        int64_t live = 0;
        for (Interval *a : active)
          live += a->size;
        InFlightDiagnostic diag =
            program.ops[size_t(iv.first)]->emitError()
            << "strata-npu-allocate-sram: entry '" << entry.getSymName() << "' core "
            << core.getCoreId() << " needs " << end << " bytes of SRAM here (" << active.size()
            << " live buffers, " << live << " bytes) but the core has " << capacity;
        return failure();
      }
      high = std::max(high, end);
      ++numBuffers;
    }
    OpBuilder b(&getContext());
    for (Interval &iv : intervals)
      iv.alloc.setOffsetAttr(b.getI64IntegerAttr(iv.offset));
    return high;
  }
};

} // namespace
} // namespace strata::npu
