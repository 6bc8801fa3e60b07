//===- ForwardStores.cpp - The strata-npu-forward-stores pass -------------===//
//
// Kernels hand their results to the next kernel through HBM scratch
// tensors. When the consumer runs on the core that produced the tensor, the
// round trip (a store, then a load of the same bytes back into SRAM, and the
// semaphores between the queues) only costs time: the bytes are still in
// the producer's buffer. Passes.td states when a load is forwarded; this
// file checks those conditions and rewires the consumers.
//
//===----------------------------------------------------------------------===//
#include "strata/Dialect/Npu/IR/NpuAccess.h"
#include "strata/Dialect/Npu/IR/NpuOps.h"
#include "strata/Dialect/Npu/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

#include <vector>

#define DEBUG_TYPE "strata-npu-forward-stores"

namespace strata::npu {
#define GEN_PASS_DEF_NPUFORWARDSTORESPASS
#include "strata/Dialect/Npu/Transforms/Passes.h.inc"
} // namespace strata::npu

using namespace mlir;

namespace strata::npu {
namespace {

/// Where an HBM scratch tensor lives: overlapping tensors may alias.
struct Placement {
  StringAttr region;
  int64_t offset = 0, size = 0;
};

/// Bytes [begin, end) of one region.
struct RegionBytes {
  StringAttr region;
  int64_t begin = 0, end = 0;
  bool overlaps(const RegionBytes &o) const {
    return region == o.region && begin < o.end && o.begin < end;
  }
};

/// The op of `body` that is or contains `op`.
Operation *topLevel(Operation *op, Block *body) {
  while (op && op->getBlock() != body)
    op = op->getParentOp();
  return op;
}

bool isSramWrite(Operation *user, Value buffer) {
  auto instr = llvm::dyn_cast<NpuInstructionOpInterface>(user);
  if (!instr)
    return true; // unknown: assume it writes
  SmallVector<MemAccess> accesses;
  instr.getAccesses(accesses);
  return llvm::any_of(accesses, [&](const MemAccess &a) {
    return a.space == MemAccess::Space::Sram && a.buffer == buffer && a.write;
  });
}

/// A fixed-address copy between one SRAM buffer of this core and one HBM
/// scratch tensor: what forwarding can reason about.
template <typename Dma> bool plainHbmCopy(Dma op) {
  return !op.getSrcReg() && !op.getDstReg() && !op.getSrcWindow() && !op.getDstWindow();
}

class ForwardStoresPass : public impl::NpuForwardStoresPassBase<ForwardStoresPass> {
public:
  using NpuForwardStoresPassBase::NpuForwardStoresPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Only the kernels' scratch tensors: the KV cache outlives a step, and
    // the runtime reads its inputs and outputs through npu.io.
    llvm::DenseSet<StringAttr> scratch;
    for (RegionOp r : module.getOps<RegionOp>())
      if (r.getKind() == RegionKind::Activations)
        scratch.insert(r.getSymNameAttr());
    for (HbmBufferOp b : module.getOps<HbmBufferOp>())
      if (scratch.contains(b.getRegionAttr().getAttr()))
        placement_[b.getSymNameAttr()] = {b.getRegionAttr().getAttr(), int64_t(b.getOffset()),
                                          int64_t(b.getSize())};
    for (EntryOp entry : module.getOps<EntryOp>())
      forwardInEntry(entry);
    removeDeadStores(module);
    Builder b(&getContext());
    module->setAttr(kForwardStatsAttr,
                    b.getDictionaryAttr(
                        {b.getNamedAttr("loads_forwarded", b.getI64IntegerAttr(forwarded_)),
                         b.getNamedAttr("stores_removed", b.getI64IntegerAttr(removed_))}));
  }

private:
  /// The scratch bytes `op` reads or writes in HBM (`write` selects which),
  /// or nullopt when that side is not a scratch tensor.
  std::optional<RegionBytes> hbmBytes(Operation *op, bool write) const {
    auto instr = llvm::dyn_cast<NpuInstructionOpInterface>(op);
    if (!instr)
      return std::nullopt;
    SmallVector<MemAccess> accesses;
    instr.getAccesses(accesses);
    for (const MemAccess &a : accesses) {
      if (a.space != MemAccess::Space::Hbm || a.write != write)
        continue;
      auto it = placement_.find(a.symbol);
      if (it == placement_.end())
        return std::nullopt;
      const Placement &p = it->second;
      const int64_t size = a.size == MemAccess::kToEnd ? p.size - a.offset : a.size;
      return RegionBytes{p.region, p.offset + a.offset, p.offset + a.offset + size};
    }
    return std::nullopt;
  }

  void forwardInEntry(EntryOp entry) {
    // Every store of the entry, on any core, with the scratch bytes it may
    // write: a forwarded load must read bytes only its own store wrote.
    std::vector<std::pair<DmaStoreOp, RegionBytes>> stores;
    entry.walk([&](DmaStoreOp st) {
      if (std::optional<RegionBytes> r = hbmBytes(st, /*write=*/true))
        stores.push_back({st, *r});
    });
    for (CoreOp core : entry.getBody().front().getOps<CoreOp>()) {
      Block *body = &core.getBody().front();
      // The loads first: forwarding erases some of them.
      SmallVector<DmaLoadOp> loads;
      for (DmaLoadOp ld : body->getOps<DmaLoadOp>())
        loads.push_back(ld);
      for (DmaLoadOp ld : loads)
        if (DmaStoreOp st = producer(ld, body, stores))
          forward(st, ld);
    }
  }

  /// The store on the same core whose bytes `ld` reads back unchanged, if
  /// every condition of Passes.td holds.
  DmaStoreOp producer(DmaLoadOp ld, Block *body,
                      const std::vector<std::pair<DmaStoreOp, RegionBytes>> &stores) const {
    if (ld.getSrc() || ld.getSrcCore() || !plainHbmCopy(ld))
      return {};
    std::optional<RegionBytes> read = hbmBytes(ld, /*write=*/false);
    if (!read)
      return {};
    DmaStoreOp match;
    for (const auto &[st, written] : stores) {
      if (!written.overlaps(*read))
        continue;
      if (match)
        return {}; // two writers of the bytes: which one the load sees depends on order
      match = st;
    }
    if (!match || match->getBlock() != body || !match->isBeforeInBlock(ld) || match.getDst() ||
        match.getDstCore() || !plainHbmCopy(match) ||
        match.getDstSymbolAttr() != ld.getSrcSymbolAttr() ||
        match.getDstOffset() != ld.getSrcOffset() || match.getSize() != ld.getSize() ||
        match.getDstStrides() != ld.getSrcStrides() ||
        match.getSrcStrides() != ld.getDstStrides() ||
        match.getSrcOffset() != ld.getDstOffset())
      return {};
    Value from = match.getSrc(), to = ld.getDst();
    auto fromAlloc = from.getDefiningOp<AllocOp>(), toAlloc = to.getDefiningOp<AllocOp>();
    if (!fromAlloc || !toAlloc || from == to || toAlloc->getBlock() != body ||
        toAlloc.getSize() > fromAlloc.getSize() || fromAlloc.getAlign() % toAlloc.getAlign() != 0 ||
        fromAlloc->hasAttr(kPinnedAttr) || toAlloc->hasAttr(kPinnedAttr))
      return {};
    // The producer's buffer keeps the stored bytes from the store on.
    for (Operation *user : from.getUsers()) {
      Operation *top = topLevel(user, body);
      if (!top || (top != match && match->isBeforeInBlock(top) && isSramWrite(user, from)))
        return {};
    }
    // The load is the only writer of its buffer, and nothing reads that
    // buffer before the load.
    for (Operation *user : to.getUsers()) {
      if (user == ld.getOperation())
        continue;
      Operation *top = topLevel(user, body);
      if (!top || top->isBeforeInBlock(ld) || isSramWrite(user, to))
        return {};
    }
    return match;
  }

  void forward(DmaStoreOp st, DmaLoadOp ld) {
    Value to = ld.getDst();
    auto toAlloc = to.getDefiningOp<AllocOp>();
    ld.erase();
    to.replaceAllUsesWith(st.getSrc());
    toAlloc.erase();
    ++numLoadsForwarded;
    ++forwarded_;
  }

  /// Stores into scratch bytes no load of the module reads any more.
  void removeDeadStores(ModuleOp module) {
    std::vector<RegionBytes> reads;
    bool unknownRead = false;
    module.walk([&](DmaLoadOp ld) {
      if (std::optional<RegionBytes> r = hbmBytes(ld, /*write=*/false))
        reads.push_back(*r);
    });
    // Another op naming a scratch symbol directly (none today) keeps its
    // stores. Barriers list symbols in arrays (acquire, release): they order
    // accesses but read nothing, and a symbol no longer stored stays harmless
    // there.
    module.walk([&](Operation *op) {
      if (llvm::isa<DmaLoadOp, DmaStoreOp, HbmBufferOp>(op))
        return;
      for (NamedAttribute a : op->getAttrs())
        if (auto ref = llvm::dyn_cast<FlatSymbolRefAttr>(a.getValue()))
          if (placement_.count(ref.getAttr()))
            unknownRead = true;
    });
    if (unknownRead)
      return;
    SmallVector<DmaStoreOp> dead;
    module.walk([&](DmaStoreOp st) {
      std::optional<RegionBytes> w = hbmBytes(st, /*write=*/true);
      if (!w)
        return;
      if (llvm::none_of(reads, [&](const RegionBytes &r) { return r.overlaps(*w); }))
        dead.push_back(st);
    });
    for (DmaStoreOp st : dead)
      st.erase();
    numStoresRemoved += dead.size();
    removed_ += int64_t(dead.size());
  }

  llvm::DenseMap<StringAttr, Placement> placement_;
  int64_t forwarded_ = 0, removed_ = 0;
};

} // namespace
} // namespace strata::npu
