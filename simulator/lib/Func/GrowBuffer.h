//===- GrowBuffer.h - Scratch storage that only grows -----------*- C++ -*-===//
//
// Per-thread scratch of the functional kernels. A std::vector resized between
// calls of different sizes zero-fills every element it regrows, and the
// kernels write every element they later read, so that fill is pure cost:
// this buffer hands out uninitialised storage, reallocating (without copying)
// only when a call needs more than any call before it.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstddef>
#include <memory>
#include <type_traits>

namespace strata::sim::func::detail {

template <typename T> class GrowBuffer {
  static_assert(std::is_trivially_default_constructible_v<T> &&
                    std::is_trivially_destructible_v<T>,
                "the buffer hands out uninitialised elements");

public:
  /// Storage for at least n elements; their values are unspecified. The
  /// pointer stays valid until the next call with a larger n.
  T *get(size_t n) {
    if (n > capacity_) {
      // Geometric growth: slowly growing sizes (a KV cache) reallocate
      // O(log n) times, not once per call.
      size_t grown = capacity_ + capacity_ / 2;
      capacity_ = n > grown ? n : grown;
      data_.reset(new T[capacity_]);
    }
    return data_.get();
  }
  size_t capacity() const { return capacity_; }
  /// Gives the storage back to the allocator.
  void release() {
    data_.reset();
    capacity_ = 0;
  }

private:
  std::unique_ptr<T[]> data_;
  size_t capacity_ = 0;
};

} // namespace strata::sim::func::detail
