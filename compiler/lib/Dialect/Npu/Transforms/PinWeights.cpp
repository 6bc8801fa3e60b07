//===- PinWeights.cpp - The strata-npu-pin-weights pass -------------------===//
//
// A decode step of a small model reloads every weight tile from HBM although
// the tiles would all fit in SRAM; keeping them resident saves the HBM
// traffic and energy of every step after the first. Passes.td describes the
// contract; this file finds the pinnable buffers, checks that the rest of
// every program still fits below the reservation, and moves the loads into
// the load_weights entry.
//
//===----------------------------------------------------------------------===//
#include "strata/Dialect/Npu/IR/NpuAccess.h"
#include "strata/Dialect/Npu/IR/NpuOps.h"
#include "strata/Dialect/Npu/Transforms/Passes.h"
#include "strata/Dialect/Npu/Transforms/ScheduleSram.h"
#include "strata/Dialect/Npu/Transforms/ScheduleSupport.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringMap.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#define DEBUG_TYPE "strata-npu-pin-weights"

namespace strata::npu {
#define GEN_PASS_DEF_NPUPINWEIGHTSPASS
#include "strata/Dialect/Npu/Transforms/Passes.h.inc"
} // namespace strata::npu

using namespace mlir;

namespace strata::npu {
namespace {

/// A buffer that can stay resident: its loads, in destination order.
struct Candidate {
  AllocOp alloc;
  SmallVector<DmaLoadOp> loads;
  std::string key; ///< what it holds: equal keys on one core share a slot
};

/// One resident slot of a core.
struct Slot {
  int64_t size = 0, align = 1, offset = 0;
  SmallVector<DmaLoadOp> loads; ///< of the first buffer that needed it
};

void appendAttr(std::string &key, Attribute attr) {
  llvm::raw_string_ostream os(key);
  if (attr)
    attr.print(os);
  os << '|';
}

/// `alloc` as a candidate when every write to it is a fixed-address load of
/// a constant into a range no other load of it writes.
std::optional<Candidate> classify(AllocOp alloc, Block *body,
                                  const llvm::DenseSet<StringAttr> &constants) {
  if (alloc->hasAttr(kPinnedAttr)) // placed already (the resident KV cache)
    return std::nullopt;
  Value buffer = alloc.getBuffer();
  /// Each load with the bytes [first, last) of the buffer it writes.
  SmallVector<std::pair<std::pair<int64_t, int64_t>, DmaLoadOp>> writes;
  for (Operation *user : alloc->getUsers()) {
    auto instr = llvm::dyn_cast<NpuInstructionOpInterface>(user);
    if (!instr)
      return std::nullopt;
    SmallVector<MemAccess> accesses;
    instr.getAccesses(accesses);
    const MemAccess *dst = llvm::find_if(accesses, [&](const MemAccess &a) {
      return a.space == MemAccess::Space::Sram && a.buffer == buffer && a.write;
    });
    if (dst == accesses.end())
      continue;
    auto load = llvm::dyn_cast<DmaLoadOp>(user);
    if (!load || user->getBlock() != body || load.getDst() != buffer || load.getSrc() ||
        !load.getSrcSymbolAttr() || load.getSrcReg() || load.getDstReg() || load.getSrcCore() ||
        !constants.contains(load.getSrcSymbolAttr().getAttr()) ||
        dst->size == MemAccess::kToEnd)
      return std::nullopt;
    writes.push_back({{dst->offset, dst->offset + dst->size}, load});
  }
  if (writes.empty())
    return std::nullopt;
  // A byte written twice may hold different weights at different times.
  llvm::sort(writes, [](const auto &x, const auto &y) { return x.first < y.first; });
  Candidate c;
  c.alloc = alloc;
  for (size_t i = 0; i < writes.size(); ++i) {
    if (i && writes[i].first.first < writes[i - 1].first.second)
      return std::nullopt;
    c.loads.push_back(writes[i].second);
  }
  return c;
}

/// What `c` holds: equal keys on one core hold equal bytes.
void fillKey(Candidate &c) {
  c.key = std::to_string(c.alloc.getSize()) + '/' + std::to_string(c.alloc.getAlign());
  for (DmaLoadOp l : c.loads) {
    c.key += ';';
    for (Attribute a : {Attribute(l.getSrcSymbolAttr()), Attribute(l.getSrcOffsetAttr()),
                        Attribute(l.getDstOffsetAttr()), Attribute(l.getSizeAttr()),
                        Attribute(l.getSrcStridesAttr()), Attribute(l.getDstStridesAttr()),
                        Attribute(l.getSrcWindowAttr()), Attribute(l.getDstWindowAttr())})
      appendAttr(c.key, a);
  }
}

class PinWeightsPass : public impl::NpuPinWeightsPassBase<PinWeightsPass> {
public:
  using NpuPinWeightsPassBase::NpuPinWeightsPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (module.lookupSymbol(kLoadWeightsEntry)) {
      module.emitError() << "strata-npu-pin-weights: the module already has an entry '"
                         << kLoadWeightsEntry << "'";
      return signalPassFailure();
    }
    int64_t capacity = int64_t(sramBytes);
    if (capacity == 0) {
      FailureOr<ArchConfig> arch = moduleArch(module, "strata-npu-pin-weights");
      if (failed(arch))
        return signalPassFailure();
      capacity = int64_t(arch->core.sram.sizeBytes);
    }
    // The resident KV cache owns the top of the SRAM; weights go below it.
    capacity -= reservedSramBytes(module, /*withPinnedWeights=*/false);
    llvm::DenseSet<StringAttr> constants;
    for (ConstantOp c : module.getOps<ConstantOp>())
      constants.insert(c.getSymNameAttr());

    // Candidates of every core program.
    struct Program {
      CoreOp core;
      std::vector<Candidate> pinned;
    };
    std::vector<Program> programs;
    std::map<int32_t, int64_t> candidateBytes;
    unsigned numEntries = 0;
    for (EntryOp entry : module.getOps<EntryOp>()) {
      ++numEntries;
      for (CoreOp core : entry.getBody().front().getOps<CoreOp>()) {
        Program p{core, {}};
        Block *body = &core.getBody().front();
        for (AllocOp alloc : body->getOps<AllocOp>())
          if (std::optional<Candidate> c = classify(alloc, body, constants)) {
            candidateBytes[core.getCoreId()] += int64_t(alloc.getSize());
            p.pinned.push_back(std::move(*c));
          }
        programs.push_back(std::move(p));
      }
    }
    // A large model's weights are far beyond the SRAM even if every entry
    // loaded the same tiles: stop before building keys.
    for (auto &[id, bytes] : candidateBytes)
      if (bytes / std::max(1u, numEntries) >= capacity)
        return markAllAnalysesPreserved();

    // The distinct slots per core id.
    std::map<int32_t, std::vector<Slot>> slots;
    std::map<int32_t, llvm::StringMap<size_t>> slotOf;
    for (Program &p : programs)
      for (Candidate &c : p.pinned) {
        fillKey(c);
        auto [it, fresh] =
            slotOf[p.core.getCoreId()].try_emplace(c.key, slots[p.core.getCoreId()].size());
        if (fresh)
          slots[p.core.getCoreId()].push_back(
              {int64_t(c.alloc.getSize()), int64_t(c.alloc.getAlign()), 0, c.loads});
      }

    // Each core's slots from its base upwards; the reservation is the
    // largest per-core total, rounded to whole bank lines.
    int64_t reserve = 0;
    for (auto &[id, list] : slots) {
      int64_t top = 0;
      for (Slot &s : list) {
        s.offset = (top + s.align - 1) / s.align * s.align;
        top = s.offset + s.size;
      }
      reserve = std::max(reserve, top);
    }
    reserve = (reserve + 63) / 64 * 64;
    if (reserve == 0 || (maxBytes && reserve > int64_t(maxBytes)) || reserve >= capacity)
      return markAllAnalysesPreserved();
    const int64_t base = (capacity - reserve) / 64 * 64;
    for (const Program &p : programs)
      if (highWaterWithout(p.core, p.pinned) > base)
        return markAllAnalysesPreserved(); // the rest needs the SRAM: pin nothing

    buildLoadEntry(module, slots, base);
    OpBuilder b(&getContext());
    int64_t removed = 0;
    for (Program &p : programs)
      for (Candidate &c : p.pinned) {
        const Slot &s = slots[p.core.getCoreId()][slotOf[p.core.getCoreId()].lookup(c.key)];
        c.alloc.setOffsetAttr(b.getI64IntegerAttr(base + s.offset));
        c.alloc->setAttr(kPinnedAttr, b.getUnitAttr());
        for (DmaLoadOp l : c.loads)
          l.erase();
        removed += int64_t(c.loads.size());
      }
    int64_t count = 0;
    for (auto &[id, list] : slots)
      count += int64_t(list.size());
    module->setAttr(kPinnedWeightsAttr,
                    b.getDictionaryAttr({b.getNamedAttr("sram_bytes", b.getI64IntegerAttr(reserve)),
                                         b.getNamedAttr("buffers", b.getI64IntegerAttr(count)),
                                         b.getNamedAttr("loads_removed",
                                                        b.getI64IntegerAttr(removed))}));
    numPinned = count;
    numLoadsRemoved = removed;
    pinnedBytes = reserve;
  }

private:
  /// The high-water mark strata-npu-allocate-sram will reach on `core`
  /// once `pinned` no longer take part in its first fit.
  static int64_t highWaterWithout(CoreOp core, const std::vector<Candidate> &pinned) {
    llvm::DenseSet<Operation *> skip;
    for (const Candidate &c : pinned) {
      skip.insert(c.alloc);
      for (DmaLoadOp l : c.loads)
        skip.insert(l);
    }
    return sched::firstFitHighWater(bufferLives(core, skip).lives);
  }

  /// The load_weights entry: per core, every slot's buffer and loads.
  void buildLoadEntry(ModuleOp module, std::map<int32_t, std::vector<Slot>> &slots,
                      int64_t base) {
    OpBuilder b(&getContext());
    auto entries = module.getOps<EntryOp>();
    b.setInsertionPoint(*entries.begin());
    auto entry = b.create<EntryOp>(module.getLoc(), kLoadWeightsEntry, ArrayRef<StringRef>{},
                                   ArrayRef<int32_t>{});
    b.setInsertionPointToStart(&entry.getBody().front());
    for (auto &[id, list] : slots) {
      auto core = b.create<CoreOp>(module.getLoc(), id);
      OpBuilder cb = OpBuilder::atBlockEnd(&core.getBody().front());
      for (Slot &s : list) {
        Location loc = s.loads.front().getLoc();
        auto alloc = cb.create<AllocOp>(loc, BufferType::get(&getContext()),
                                        cb.getI64IntegerAttr(s.size),
                                        cb.getI64IntegerAttr(s.align),
                                        cb.getI64IntegerAttr(base + s.offset),
                                        cb.getStringAttr("pinned"));
        alloc->setAttr(kPinnedAttr, cb.getUnitAttr());
        IRMapping map;
        map.map(s.loads.front().getDst(), alloc.getBuffer());
        for (DmaLoadOp l : s.loads)
          cb.clone(*l, map);
      }
    }
  }
};

} // namespace
} // namespace strata::npu
