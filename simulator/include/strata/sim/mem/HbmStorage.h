//===- HbmStorage.h - Functional byte store of the HBM address space -*- C++ -*-===//
//
// The bytes of HBM, apart from its timing. The address space is the whole HBM
// capacity (tens of GB), so storage is sparse and page-granular: a page is
// allocated on its first write; unwritten bytes read as zero.
//
// External read-only buffers (the binary's constant segments, which point into
// an mmap'd file) are mapped without copying: their pages refer to the
// buffer. A write to a mapped page copies that page first (copy-on-write), so
// the buffer is never written. The caller keeps a mapped buffer alive as long
// as the store (Binary::storage does that for constant segments).
//
// Every access is bounds-checked and returns a Status naming the range on
// failure; nothing throws.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/support/Error.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace strata::sim::mem {

class HbmStorage {
public:
  static constexpr uint32_t kPageShift = 16; ///< 64 KiB pages
  static constexpr uint64_t kPageBytes = uint64_t(1) << kPageShift;

  explicit HbmStorage(uint64_t capacityBytes);
  ~HbmStorage();
  HbmStorage(const HbmStorage &) = delete;
  HbmStorage &operator=(const HbmStorage &) = delete;

  uint64_t capacity() const { return capacity_; }

  /// Ok when [address, address + size) lies in the address space.
  Status checkRange(uint64_t address, uint64_t size) const;

  Status read(uint64_t address, void *dst, uint64_t size) const;
  Status write(uint64_t address, const void *src, uint64_t size);
  /// Sets size bytes to `value`.
  Status fill(uint64_t address, uint8_t value, uint64_t size);
  /// Copies within HBM; the ranges may overlap (memmove semantics).
  Status copy(uint64_t dst, uint64_t src, uint64_t size);

  /// Strided (DMA-descriptor) transfers between HBM and a host buffer: for
  /// i2 < size[2], i1 < size[1], size[0] contiguous bytes at
  /// address + i1*stride[0] + i2*stride[1] <-> host + i1*hostStride[0] + i2*hostStride[1].
  /// The whole footprint is checked before any byte moves.
  Status readStrided(uint64_t address, const uint32_t size[3], const uint64_t stride[2],
                     uint8_t *host, const uint64_t hostStride[2]) const;
  Status writeStrided(uint64_t address, const uint32_t size[3], const uint64_t stride[2],
                      const uint8_t *host, const uint64_t hostStride[2]);

  /// Maps `size` bytes of an external read-only buffer at `address` without
  /// copying. Pages the buffer covers completely refer to it; partial pages
  /// at the ends are copied. Replaces what was there before.
  Status mapReadOnly(uint64_t address, const uint8_t *data, uint64_t size);

  /// Bytes of host memory owned by the store (allocated pages).
  uint64_t residentBytes() const;
  /// Pages that still refer to a mapped external buffer.
  uint64_t mappedPages() const;

  /// Direct pointer to the bytes of one page for reading, or nullptr when
  /// the page was never written (reads as zero). For fast paths that stay
  /// within one page.
  const uint8_t *pageForRead(uint64_t address) const;

private:
  struct Page;
  Page *findPage(uint64_t pageIndex) const;
  /// The page's slot, creating its leaf if needed (the page may be empty).
  Page &pageSlot(uint64_t pageIndex);
  uint8_t *writablePage(uint64_t pageIndex);

  uint64_t capacity_;
  // Two-level radix table: a directory of 64 Ki-entry leaves, allocated on
  // demand, so a 64 GB space costs a few KB until it is written.
  struct Leaf;
  std::vector<std::unique_ptr<Leaf>> directory_;
  uint64_t resident_ = 0;
  uint64_t mapped_ = 0;
};

} // namespace strata::sim::mem
