//===- BarrierHub.h - Cross-core barriers ------------------------*- C++ -*-===//
//
// Barrier `id` over a core mask synchronises the cores of the mask. Each
// arrival of a core at barrier `id` opens that core's next generation; the
// generation g of barrier `id` is released once every core of its mask has
// arrived more than g times. Every arrival of one generation must name the
// same mask. Plain C++: the chip wakes the released cores.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/support/Error.h"

#include <bitset>
#include <cstdint>
#include <vector>

namespace strata::sim::core {

class BarrierHub {
public:
  static constexpr unsigned kNumBarriers = 256;

  explicit BarrierHub(uint32_t numCores);

  /// Records the arrival of `core` at barrier `id` with `mask`; returns the
  /// generation it joined. Fails if the mask is empty, names a core the chip
  /// does not have, leaves out `core`, or differs from the mask other cores
  /// gave for the same generation.
  Expected<uint64_t> arrive(uint32_t core, uint8_t id, uint32_t mask);

  /// True once every core of the generation's mask has arrived.
  bool released(uint8_t id, uint64_t generation) const;

  /// Cores that have not yet arrived at generation `generation` of `id`.
  uint32_t missing(uint8_t id, uint64_t generation) const;

  /// Forgets every arrival (a new run starts).
  void reset();

private:
  /// A generation some core has arrived at and not every core of its mask.
  struct Pending {
    uint64_t generation = 0;
    uint32_t mask = 0;    ///< the cores it waits for
    uint32_t arrived = 0; ///< the cores that have arrived
  };
  struct Barrier {
    std::vector<uint64_t> arrivals; ///< per core: generations it arrived at
    std::vector<Pending> pending;   ///< a few at most: cores are at most a few apart
  };
  const Pending *find(uint8_t id, uint64_t generation) const;

  uint32_t numCores_;
  std::vector<Barrier> barriers_;
  std::bitset<kNumBarriers> used_; ///< barriers arrived at since the last reset
  std::vector<uint8_t> usedList_;
};

} // namespace strata::sim::core
