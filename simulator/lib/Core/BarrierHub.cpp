//===- BarrierHub.cpp - Cross-core barriers -------------------------------===//
#include "strata/sim/core/BarrierHub.h"

#include <fmt/format.h>

#include <algorithm>

namespace strata::sim::core {

BarrierHub::BarrierHub(uint32_t numCores) : numCores_(numCores) {
  barriers_.resize(kNumBarriers);
  for (Barrier &b : barriers_)
    b.arrivals.assign(numCores_, 0);
}

void BarrierHub::reset() {
  // Every run resets; only the barriers it used have state to forget.
  for (uint8_t id : usedList_) {
    Barrier &b = barriers_[id];
    std::fill(b.arrivals.begin(), b.arrivals.end(), 0);
    b.pending.clear();
  }
  usedList_.clear();
  used_.reset();
}

const BarrierHub::Pending *BarrierHub::find(uint8_t id, uint64_t generation) const {
  for (const Pending &p : barriers_[id].pending)
    if (p.generation == generation)
      return &p;
  return nullptr;
}

Expected<uint64_t> BarrierHub::arrive(uint32_t core, uint8_t id, uint32_t mask) {
  if (mask == 0)
    return Error(fmt::format("barrier {} has an empty core mask", id));
  if (numCores_ < 32 && (mask >> numCores_) != 0)
    return Error(fmt::format("barrier {} mask {:#x} names cores the chip does not have "
                             "(it has {} cores)",
                             id, mask, numCores_));
  if (core >= 32 || !(mask >> core & 1))
    return Error(fmt::format("barrier {} mask {:#x} does not include the arriving core {}",
                             id, mask, core));
  Barrier &b = barriers_[id];
  if (!used_[id]) {
    used_.set(id);
    usedList_.push_back(id);
  }
  const uint64_t generation = b.arrivals[core]++;
  auto it = std::find_if(b.pending.begin(), b.pending.end(),
                         [&](const Pending &p) { return p.generation == generation; });
  if (it == b.pending.end()) {
    // The first arrival; a generation already released (all its cores went
    // on) cannot be arrived at again, as each core's count only grows.
    b.pending.push_back({generation, mask, 0});
    it = b.pending.end() - 1;
  } else if (it->mask != mask) {
    return Error(fmt::format("barrier {} generation {}: core {} arrives with mask {:#x} but "
                             "another core arrived with mask {:#x}",
                             id, generation, core, mask, it->mask));
  }
  it->arrived |= 1u << core;
  if ((it->mask & ~it->arrived) == 0)
    b.pending.erase(it);
  return generation;
}

uint32_t BarrierHub::missing(uint8_t id, uint64_t generation) const {
  const Pending *p = find(id, generation);
  return p ? p->mask & ~p->arrived : 0;
}

bool BarrierHub::released(uint8_t id, uint64_t generation) const {
  return find(id, generation) == nullptr; // erased once complete
}

} // namespace strata::sim::core
