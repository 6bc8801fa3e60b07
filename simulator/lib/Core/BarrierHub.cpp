//===- BarrierHub.cpp - Cross-core barriers -------------------------------===//
#include "strata/sim/core/BarrierHub.h"

#include <fmt/format.h>

namespace strata::sim::core {

BarrierHub::BarrierHub(uint32_t numCores) : numCores_(numCores) { reset(); }

void BarrierHub::reset() {
  barriers_.assign(kNumBarriers, Barrier{});
  for (Barrier &b : barriers_)
    b.arrivals.assign(numCores_, 0);
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
  const uint64_t generation = b.arrivals[core]++;
  auto [it, inserted] = b.masks.emplace(generation, mask);
  if (!inserted && it->second != mask)
    return Error(fmt::format("barrier {} generation {}: core {} arrives with mask {:#x} but "
                             "another core arrived with mask {:#x}",
                             id, generation, core, mask, it->second));
  if (released(id, generation))
    b.masks.erase(generation);
  return generation;
}

uint32_t BarrierHub::missing(uint8_t id, uint64_t generation) const {
  const Barrier &b = barriers_[id];
  auto it = b.masks.find(generation);
  if (it == b.masks.end())
    return 0;
  uint32_t missing = 0;
  for (uint32_t c = 0; c < numCores_ && c < 32; ++c)
    if ((it->second >> c & 1) && b.arrivals[c] <= generation)
      missing |= 1u << c;
  return missing;
}

bool BarrierHub::released(uint8_t id, uint64_t generation) const {
  const Barrier &b = barriers_[id];
  auto it = b.masks.find(generation);
  if (it == b.masks.end())
    return true; // erased once complete
  return missing(id, generation) == 0;
}

} // namespace strata::sim::core
