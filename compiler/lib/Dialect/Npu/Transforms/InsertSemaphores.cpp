//===- InsertSemaphores.cpp - Cross-queue ordering with semaphores --------===//
//
// One pass over each core's program in order. Every instruction gets its
// queue and its index in that queue; a byte-range map per memory (SRAM by
// allocated offset, HBM by absolute address) remembers, for every range, the
// last writer and the last reader of each queue. An instruction depends on
// the latest conflicting instruction of every other queue.
//
// Semaphore (q' -> q) is counted cumulatively: signals are placed after
// producers in q' in program order, waits before consumers in q, and the
// k-th wait unit consumes the k-th signal. A dependency on op p of q' is met
// by the first signal placed after an op at or beyond p (placing one after p
// if there is none yet) and a wait for as many signals as q has not consumed
// yet. Vector clocks (what each queue knows is finished) drop dependencies a
// previous wait already covers, including through a third queue.
//
// A write that only has to wait for compute ops to have *read* a range (the
// load of the next weight tile into a buffer a gemm read) waits on a
// sem.release instead, counted the same way on its own semaphore
// (9 + from·3 + to): it fires when the gemm's last row has entered the array,
// not at its completion, so the gemm behind it starts without waiting for
// the drain. A release says nothing about results: it only feeds what each
// queue knows is read, never the finished clocks' own entry for its queue.
//
//===----------------------------------------------------------------------===//
#include "strata/Dialect/Npu/IR/NpuMemoryPlan.h"
#include "strata/Dialect/Npu/IR/NpuOps.h"
#include "strata/Dialect/Npu/Transforms/Passes.h"
#include "strata/Dialect/Npu/Transforms/ByteRangeMap.h"

#include "mlir/IR/Builders.h"

#include <array>
#include <map>
#include <vector>

#define DEBUG_TYPE "strata-npu-insert-semaphores"

namespace strata::npu {
#define GEN_PASS_DEF_NPUINSERTSEMAPHORESPASS
#include "strata/Dialect/Npu/Transforms/Passes.h.inc"
} // namespace strata::npu

using namespace mlir;

namespace strata::npu {
namespace {

constexpr int kQueues = 3;
using Clock = std::array<int64_t, kQueues>; ///< highest finished index per queue
/// Semaphores of sem.release, after the nine of sem.signal.
constexpr int kReleaseSemBase = kQueues * kQueues;

Clock noneClock() { return {-1, -1, -1}; }
void merge(Clock &a, const Clock &b) {
  for (int i = 0; i < kQueues; ++i)
    a[i] = std::max(a[i], b[i]);
}

/// Last writer and readers of byte ranges of one address space.
struct RangeState {
  int writerQueue = -1;
  int64_t writerIndex = -1;
  std::array<int64_t, kQueues> readers{-1, -1, -1};
};
using RangeMap = ByteRangeMap<RangeState>;

struct Signal {
  int64_t after; ///< index in the producing queue of the op it follows
  Clock clock;   ///< what is finished when it fires
};

/// Signals of one kind per ordered pair (from, to), and the count `to` consumed.
struct SignalLists {
  std::array<std::array<std::vector<Signal>, kQueues>, kQueues> list;
  std::array<std::array<int64_t, kQueues>, kQueues> consumed{};
};

class InsertSemaphoresPass : public impl::NpuInsertSemaphoresPassBase<InsertSemaphoresPass> {
public:
  using NpuInsertSemaphoresPassBase::NpuInsertSemaphoresPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<HbmLayout> layout = computeHbmLayout(module);
    if (failed(layout))
      return signalPassFailure();
    layout_ = &*layout;
    module_ = module;
    for (EntryOp entry : module.getOps<EntryOp>())
      for (Operation &op : entry.getBody().front())
        if (failed(runOnCore(llvm::cast<CoreOp>(op))))
          return signalPassFailure();
    Builder b(&getContext());
    module->setAttr(kSemaphoreStatsAttr,
                    b.getDictionaryAttr({b.getNamedAttr("signals", b.getI64IntegerAttr(signals_)),
                                         b.getNamedAttr("releases", b.getI64IntegerAttr(releases_)),
                                         b.getNamedAttr("waits", b.getI64IntegerAttr(waits_)),
                                         b.getNamedAttr("implied", b.getI64IntegerAttr(implied_)),
                                         b.getNamedAttr("fences", b.getI64IntegerAttr(fences_))}));
    numSignals = signals_;
    numReleases = releases_;
    numWaits = waits_;
    numImplied = implied_;
  }

private:
  /// Absolute byte range of an access, or false for a buffer not allocated.
  bool range(const MemAccess &a, uint64_t &lo, uint64_t &hi, int &space) {
    switch (a.space) {
    case MemAccess::Space::Barrier:
      space = 2;
      lo = 0;
      hi = 1;
      return true;
    case MemAccess::Space::Sram: {
      auto alloc = a.buffer.getDefiningOp<AllocOp>();
      if (!alloc || !alloc.getOffset())
        return false;
      uint64_t base = *alloc.getOffset();
      space = 0;
      lo = base + static_cast<uint64_t>(a.offset);
      hi = a.size == MemAccess::kToEnd ? base + alloc.getSize() : lo + static_cast<uint64_t>(a.size);
      return true;
    }
    case MemAccess::Space::Hbm: {
      auto it = layout_->address.find(a.symbol.getValue());
      if (it == layout_->address.end())
        return false;
      space = 1;
      lo = it->second + static_cast<uint64_t>(a.offset);
      if (a.size == MemAccess::kToEnd) {
        auto size = layout_->size.find(a.symbol.getValue());
        hi = it->second + (size != layout_->size.end() ? size->second
                                                        : static_cast<uint64_t>(a.offset + 1));
      } else {
        hi = lo + static_cast<uint64_t>(a.size);
      }
      return true;
    }
    }
    return false;
  }

  LogicalResult runOnCore(CoreOp core) {
    Block &body = core.getBody().front();
    std::array<RangeMap, 3> maps; // SRAM, HBM, barrier order
    std::array<std::vector<Operation *>, kQueues> queueOps;
    std::array<std::vector<Clock>, kQueues> clockAt; // what q knew before each op
    std::array<Clock, kQueues> known{noneClock(), noneClock(), noneClock()};
    // What each queue knows has read its operands (through releases only;
    // finished implies read).
    std::array<Clock, kQueues> read{noneClock(), noneClock(), noneClock()};
    SignalLists signals, releases;
    OpBuilder b(&getContext());

    SmallVector<Operation *> ops;
    for (Operation &op : body)
      ops.push_back(&op);

    for (Operation *op : ops) {
      auto instr = llvm::dyn_cast<NpuInstructionOpInterface>(op);
      if (!instr)
        continue;
      if (llvm::isa<FenceOp>(op)) {
        for (int q = 0; q < kQueues; ++q)
          for (int p = 0; p < kQueues; ++p)
            known[q][p] = static_cast<int64_t>(queueOps[p].size()) - 1;
        continue;
      }
      SmallVector<MemAccess> accesses;
      instr.getAccesses(accesses);
      std::optional<Queue> queue = instr.getIssueQueue();
      if (!queue) {
        // Sequencer reads of HBM (ld32) see HBM only after this core's
        // queues drained: a fence when an earlier write overlaps.
        bool conflict = false;
        for (const MemAccess &a : accesses) {
          uint64_t lo = 0, hi = 0;
          int space = 0;
          if (a.write || !range(a, lo, hi, space))
            continue;
          maps[space].forEach(lo, hi, [&](RangeState &s) {
            if (s.writerQueue >= 0)
              conflict = true;
          });
        }
        if (conflict) {
          b.setInsertionPoint(op);
          b.create<FenceOp>(op->getLoc());
          ++fences_;
          for (int q = 0; q < kQueues; ++q)
            for (int p = 0; p < kQueues; ++p)
              known[q][p] = static_cast<int64_t>(queueOps[p].size()) - 1;
        }
        continue;
      }
      const int q = static_cast<int>(*queue);
      const int64_t index = static_cast<int64_t>(queueOps[q].size());
      // deps: ops that must have finished; readDeps: compute ops that must
      // only have read what this op overwrites.
      Clock deps = noneClock(), readDeps = noneClock();
      bool selfHbm = false;
      // Barriers and signals wait for their queue's earlier ops themselves.
      const bool ordersOwnQueue = llvm::isa<BarrierOp, SemSignalOp>(op);
      for (const MemAccess &a : accesses) {
        uint64_t lo = 0, hi = 0;
        int space = 0;
        if (!range(a, lo, hi, space))
          return op->emitOpError("strata-npu-insert-semaphores: an operand has no address "
                                 "(run strata-npu-allocate-sram first)");
        maps[space].forEach(lo, hi, [&](RangeState &s) {
          if (s.writerQueue >= 0) {
            if (s.writerQueue != q)
              deps[s.writerQueue] = std::max(deps[s.writerQueue], s.writerIndex);
            else if (space == 1 && !ordersOwnQueue && s.writerIndex > known[q][q])
              selfHbm = true;
          }
          if (a.write)
            for (int p = 0; p < kQueues; ++p)
              if (p != q && s.readers[p] >= 0) {
                Clock &d = p == static_cast<int>(Queue::Compute) ? readDeps : deps;
                d[p] = std::max(d[p], s.readers[p]);
              }
        });
      }

      b.setInsertionPoint(op);
      StringAttr label = op->getAttrOfType<StringAttr>("npu.label");
      auto labelled = [&](Operation *o) {
        if (label)
          o->setAttr("npu.label", label);
      };
      if (selfHbm) {
        // The hardware orders SRAM within a queue, not HBM: a signal/wait
        // pair on the queue's own semaphore drains it first.
        int sem = q * kQueues + q;
        labelled(b.create<SemSignalOp>(op->getLoc(), QueueAttr::get(&getContext(), *queue),
                                       b.getI32IntegerAttr(sem), b.getI32IntegerAttr(1)));
        labelled(b.create<SemWaitOp>(op->getLoc(), QueueAttr::get(&getContext(), *queue),
                                     b.getI32IntegerAttr(sem), b.getI32IntegerAttr(1)));
        ++signals_;
        ++waits_;
      }
      // The signal each dependency would wait for (an existing one at or
      // after the producer, or the one to place right after it) and what is
      // finished when it fires. A dependency that another kept wait's signal
      // already covers (the store queue's signal fired after it waited for
      // the compute op this one needs) costs no pair of its own.
      struct Need {
        int p;
        int64_t dep; ///< the producer's index
        bool release; ///< only its reads: a sem.release suffices
        std::vector<Signal>::iterator it;
        Clock clock; ///< finished when the signal fires
        bool keep = true;
      };
      SmallVector<Need, kQueues> needs;
      for (int p = 0; p < kQueues; ++p) {
        if (p == q || (deps[p] < 0 && readDeps[p] < 0))
          continue;
        const bool finish = deps[p] > known[q][p];
        if (!finish && readDeps[p] <= std::max(known[q][p], read[q][p])) {
          ++implied_;
          continue;
        }
        // A finished signal covers the reads too (at the later of the two).
        const int64_t dep = finish ? std::max(deps[p], readDeps[p]) : readDeps[p];
        std::vector<Signal> &list = (finish ? signals : releases).list[p][q];
        auto it = std::lower_bound(list.begin(), list.end(), dep,
                                   [](const Signal &s, int64_t v) { return s.after < v; });
        const int64_t after = it != list.end() ? it->after : dep;
        Clock clock = it != list.end() ? it->clock : clockAt[p][after];
        if (finish)
          clock[p] = std::max(clock[p], after);
        needs.push_back({p, dep, !finish, it, clock});
      }
      if (needs.size() == 2) {
        // At most one of the two may go: signals that cover each other both
        // fire after the other's producer, and dropping both would wait for
        // neither.
        if (needs[1].clock[needs[0].p] >= needs[0].dep)
          needs[0].keep = false;
        else if (needs[0].clock[needs[1].p] >= needs[1].dep)
          needs[1].keep = false;
      }
      for (Need &need : needs) {
        const int p = need.p;
        if (!need.keep) {
          ++implied_;
          continue;
        }
        SignalLists &kind = need.release ? releases : signals;
        std::vector<Signal> &list = kind.list[p][q];
        const int sem = (need.release ? kReleaseSemBase : 0) + p * kQueues + q;
        auto it = need.it;
        if (it == list.end()) {
          Operation *producer = queueOps[p][need.dep];
          OpBuilder sb(&getContext());
          // A signal goes behind the releases right after the producer: in
          // front of them it would hold them until the producer finished.
          Operation *at = producer;
          if (!need.release)
            while (at->getNextNode() && llvm::isa<SemReleaseOp>(at->getNextNode()))
              at = at->getNextNode();
          sb.setInsertionPointAfter(at);
          Operation *sig;
          if (need.release) {
            sig = sb.create<SemReleaseOp>(producer->getLoc(),
                                          QueueAttr::get(&getContext(), Queue(p)),
                                          sb.getI32IntegerAttr(sem), sb.getI32IntegerAttr(1));
            ++releases_;
          } else {
            sig = sb.create<SemSignalOp>(producer->getLoc(),
                                         QueueAttr::get(&getContext(), Queue(p)),
                                         sb.getI32IntegerAttr(sem), sb.getI32IntegerAttr(1));
            ++signals_;
            // A signal waits for everything before it in its queue, and
            // nothing behind it starts earlier: the queue's later ops know
            // those are finished.
            known[p][p] = std::max(known[p][p], need.dep);
          }
          if (auto l = producer->getAttrOfType<StringAttr>("npu.label"))
            sig->setAttr("npu.label", l);
          Signal s;
          s.after = need.dep;
          s.clock = need.clock;
          list.push_back(s);
          it = std::prev(list.end());
        }
        int64_t number = (it - list.begin()) + 1;
        int64_t count = number - kind.consumed[p][q];
        if (count > 0) {
          labelled(b.create<SemWaitOp>(op->getLoc(), QueueAttr::get(&getContext(), Queue(q)),
                                       b.getI32IntegerAttr(sem),
                                       b.getI32IntegerAttr(static_cast<int32_t>(count))));
          kind.consumed[p][q] = number;
          ++waits_;
        }
        merge(known[q], it->clock);
        if (need.release)
          read[q][p] = std::max(read[q][p], it->after);
        else
          known[q][p] = std::max(known[q][p], it->after);
      }

      // Record this op.
      queueOps[q].push_back(op);
      clockAt[q].push_back(known[q]);
      for (const MemAccess &a : accesses) {
        uint64_t lo = 0, hi = 0;
        int space = 0;
        range(a, lo, hi, space);
        maps[space].forEach(lo, hi, [&](RangeState &s) {
          if (a.write) {
            s.writerQueue = q;
            s.writerIndex = index;
            s.readers = {-1, -1, -1};
          } else {
            s.readers[q] = std::max(s.readers[q], index);
          }
        });
      }
      if (selfHbm || ordersOwnQueue)
        known[q][q] = std::max(known[q][q], index - 1);
    }
    return success();
  }

  ModuleOp module_;
  const HbmLayout *layout_ = nullptr;
  int64_t signals_ = 0, releases_ = 0, waits_ = 0, implied_ = 0, fences_ = 0;
};

} // namespace
} // namespace strata::npu
