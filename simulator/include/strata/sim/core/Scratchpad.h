//===- Scratchpad.h - A core's banked SRAM: bytes and bandwidth --*- C++ -*-===//
//
// The bytes of one core's scratchpad (allocated on first use, so timing-only
// runs of a many-core chip cost no host memory) and its bandwidth ledger.
//
// Sharing rule: the banks serve banks x bankWidthBytes per cycle in total.
// Every user (a tensor-core or vector instruction when it starts, a DMA
// request when its data arrives or leaves) books the bank cycles it needs
// (TimingModel's bank-conflict count) first come, first served:
//   done = max(now, busyUntil) + cycles;  busyUntil = done.
// An instruction whose booking ends after its own compute time finishes at
// the booking's end, so concurrent users slow each other down exactly by the
// bandwidth they take. docs/simulator.md discusses the approximation.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>

namespace strata::sim::core {

class Scratchpad {
public:
  explicit Scratchpad(uint64_t sizeBytes) : size_(sizeBytes) {}

  uint64_t size() const { return size_; }
  /// The bytes (zeroed on first use).
  uint8_t *data() {
    if (!bytes_)
      bytes_.reset(static_cast<uint8_t *>(std::calloc(size_ ? size_ : 1, 1)));
    return bytes_.get();
  }
  bool allocated() const { return bool(bytes_); }

  /// Books `cycles` bank cycles of `periodNs` at `nowNs`; returns when the
  /// booking ends.
  double book(double nowNs, uint64_t cycles, double periodNs) {
    const double start = nowNs > busyUntilNs_ ? nowNs : busyUntilNs_;
    waitedNs_ += start - nowNs;
    busyUntilNs_ = start + double(cycles) * periodNs;
    bookedCycles_ += cycles;
    return busyUntilNs_;
  }
  double busyUntilNs() const { return busyUntilNs_; }
  /// Total cycles booked and time users waited for earlier bookings.
  uint64_t bookedCycles() const { return bookedCycles_; }
  double waitedNs() const { return waitedNs_; }

private:
  struct Free {
    void operator()(uint8_t *p) const { std::free(p); }
  };
  uint64_t size_;
  std::unique_ptr<uint8_t, Free> bytes_;
  double busyUntilNs_ = 0;
  uint64_t bookedCycles_ = 0;
  double waitedNs_ = 0;
};

} // namespace strata::sim::core
