//===- HbmStorage.cpp - Sparse, copy-on-write HBM byte store --------------===//

#include "strata/sim/mem/HbmStorage.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace strata::sim::mem {

namespace {
constexpr uint32_t kLeafShift = 12; // 4096 pages (256 MiB) per leaf
constexpr uint64_t kLeafPages = uint64_t(1) << kLeafShift;

std::string hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

/// Calls f(pageIndex, offsetInPage, bytes, bytesBefore) for each piece of
/// [address, address + size) that lies within one page, in address order.
template <typename F> void forEachPiece(uint64_t address, uint64_t size, F &&f) {
  constexpr uint64_t kPageBytes = HbmStorage::kPageBytes;
  for (uint64_t done = 0; done < size;) {
    uint64_t a = address + done;
    uint64_t offset = a & (kPageBytes - 1);
    uint64_t n = std::min(size - done, kPageBytes - offset);
    f(a >> HbmStorage::kPageShift, offset, n, done);
    done += n;
  }
}
} // namespace

struct HbmStorage::Page {
  std::unique_ptr<uint8_t[]> owned;
  const uint8_t *mapped = nullptr; ///< external read-only bytes when not owned
  const uint8_t *bytes() const { return owned ? owned.get() : mapped; }
};

struct HbmStorage::Leaf {
  Page pages[kLeafPages];
};

HbmStorage::HbmStorage(uint64_t capacityBytes) : capacity_(capacityBytes) {
  uint64_t pages = (capacity_ + kPageBytes - 1) >> kPageShift;
  directory_.resize((pages + kLeafPages - 1) >> kLeafShift);
}

HbmStorage::~HbmStorage() = default;

Status HbmStorage::checkRange(uint64_t address, uint64_t size) const {
  if (address > capacity_ || size > capacity_ - address)
    return Error("HBM access [" + hex(address) + ", " + hex(address) + " + " +
                 std::to_string(size) + ") is outside the " + std::to_string(capacity_) +
                 "-byte HBM address space");
  return Status::ok();
}

HbmStorage::Page *HbmStorage::findPage(uint64_t pageIndex) const {
  const auto &leaf = directory_[pageIndex >> kLeafShift];
  if (!leaf)
    return nullptr;
  Page &page = leaf->pages[pageIndex & (kLeafPages - 1)];
  return page.bytes() ? &page : nullptr;
}

HbmStorage::Page &HbmStorage::pageSlot(uint64_t pageIndex) {
  auto &leaf = directory_[pageIndex >> kLeafShift];
  if (!leaf)
    leaf = std::make_unique<Leaf>();
  return leaf->pages[pageIndex & (kLeafPages - 1)];
}

uint8_t *HbmStorage::writablePage(uint64_t pageIndex) {
  Page &page = pageSlot(pageIndex);
  if (page.owned)
    return page.owned.get();
  // First write to the page: allocate it, and copy a mapped buffer's bytes.
  page.owned.reset(new uint8_t[kPageBytes]);
  if (page.mapped) {
    std::memcpy(page.owned.get(), page.mapped, kPageBytes);
    page.mapped = nullptr;
    --mapped_;
  } else {
    std::memset(page.owned.get(), 0, kPageBytes);
  }
  resident_ += kPageBytes;
  return page.owned.get();
}

const uint8_t *HbmStorage::pageForRead(uint64_t address) const {
  if (address >= capacity_)
    return nullptr;
  const Page *page = findPage(address >> kPageShift);
  return page ? page->bytes() : nullptr;
}

Status HbmStorage::read(uint64_t address, void *dst, uint64_t size) const {
  if (Status s = checkRange(address, size); !s)
    return s;
  auto *out = static_cast<uint8_t *>(dst);
  forEachPiece(address, size, [&](uint64_t index, uint64_t offset, uint64_t n, uint64_t done) {
    if (const Page *page = findPage(index))
      std::memcpy(out + done, page->bytes() + offset, n);
    else
      std::memset(out + done, 0, n);
  });
  return Status::ok();
}

Status HbmStorage::write(uint64_t address, const void *src, uint64_t size) {
  if (Status s = checkRange(address, size); !s)
    return s;
  auto *in = static_cast<const uint8_t *>(src);
  forEachPiece(address, size, [&](uint64_t index, uint64_t offset, uint64_t n, uint64_t done) {
    std::memcpy(writablePage(index) + offset, in + done, n);
  });
  return Status::ok();
}

Status HbmStorage::fill(uint64_t address, uint8_t value, uint64_t size) {
  if (Status s = checkRange(address, size); !s)
    return s;
  forEachPiece(address, size, [&](uint64_t index, uint64_t offset, uint64_t n, uint64_t) {
    // Zero-filling a page that was never written needs no memory.
    if (value != 0 || findPage(index))
      std::memset(writablePage(index) + offset, value, n);
  });
  return Status::ok();
}

Status HbmStorage::copy(uint64_t dst, uint64_t src, uint64_t size) {
  if (Status s = checkRange(src, size); !s)
    return s;
  if (Status s = checkRange(dst, size); !s)
    return s;
  if (size == 0 || dst == src)
    return Status::ok();
  // Page by page through a bounce buffer keeps overlapping ranges correct
  // (memmove semantics) without materialising the whole range; walking
  // backwards when dst lies above src.
  std::unique_ptr<uint8_t[]> bounce(new uint8_t[kPageBytes]);
  bool backwards = dst > src && dst < src + size;
  uint64_t done = 0;
  while (done < size) {
    uint64_t remaining = size - done;
    uint64_t n, s, d;
    if (!backwards) {
      s = src + done;
      d = dst + done;
      n = std::min({remaining, kPageBytes - (s & (kPageBytes - 1)),
                    kPageBytes - (d & (kPageBytes - 1))});
    } else {
      uint64_t sEnd = src + remaining, dEnd = dst + remaining;
      uint64_t sIn = ((sEnd - 1) & (kPageBytes - 1)) + 1;
      uint64_t dIn = ((dEnd - 1) & (kPageBytes - 1)) + 1;
      n = std::min({remaining, sIn, dIn});
      s = sEnd - n;
      d = dEnd - n;
    }
    const Page *from = findPage(s >> kPageShift);
    if (!from && !findPage(d >> kPageShift)) {
      // zero onto zero: nothing to do
    } else if (from) {
      std::memcpy(bounce.get(), from->bytes() + (s & (kPageBytes - 1)), n);
      std::memcpy(writablePage(d >> kPageShift) + (d & (kPageBytes - 1)), bounce.get(), n);
    } else {
      std::memset(writablePage(d >> kPageShift) + (d & (kPageBytes - 1)), 0, n);
    }
    done += n;
  }
  return Status::ok();
}

namespace {
/// Checks the bounding range of a strided footprint (strides are
/// non-negative, so the last element is the farthest).
Status checkStridedExtent(uint64_t capacity, uint64_t address, const uint32_t size[3],
                          const uint64_t stride[2]) {
  if (size[0] == 0 || size[1] == 0 || size[2] == 0)
    return Status::ok();
  // 128-bit arithmetic so absurd descriptors cannot wrap around.
  unsigned __int128 last = (unsigned __int128)address +
                           (unsigned __int128)(size[1] - 1) * stride[0] +
                           (unsigned __int128)(size[2] - 1) * stride[1] + size[0];
  if (last > capacity)
    return Error("strided HBM access at " + hex(address) + " (" + std::to_string(size[0]) +
                 " x " + std::to_string(size[1]) + " x " + std::to_string(size[2]) +
                 " bytes, strides " + std::to_string(stride[0]) + ", " +
                 std::to_string(stride[1]) + ") ends past the " + std::to_string(capacity) +
                 "-byte HBM address space");
  return Status::ok();
}

/// Calls f(rowAddress, hostOffset) for each size[0]-byte row of a strided
/// footprint, with its offset in the host buffer.
template <typename F>
void forEachRow(uint64_t address, const uint32_t size[3], const uint64_t stride[2],
                const uint64_t hostStride[2], F &&f) {
  for (uint32_t i2 = 0; i2 < size[2]; ++i2)
    for (uint32_t i1 = 0; i1 < size[1]; ++i1)
      f(address + i1 * stride[0] + i2 * stride[1], i1 * hostStride[0] + i2 * hostStride[1]);
}
} // namespace

Status HbmStorage::readStrided(uint64_t address, const uint32_t size[3],
                               const uint64_t stride[2], uint8_t *host,
                               const uint64_t hostStride[2]) const {
  if (Status s = checkStridedExtent(capacity_, address, size, stride); !s)
    return s;
  forEachRow(address, size, stride, hostStride, [&](uint64_t a, uint64_t hostOffset) {
    uint8_t *h = host + hostOffset;
    uint64_t offset = a & (kPageBytes - 1);
    // Fast path: the row lies in one page.
    if (offset + size[0] <= kPageBytes) {
      const Page *page = findPage(a >> kPageShift);
      if (page)
        std::memcpy(h, page->bytes() + offset, size[0]);
      else
        std::memset(h, 0, size[0]);
    } else {
      (void)read(a, h, size[0]);
    }
  });
  return Status::ok();
}

Status HbmStorage::writeStrided(uint64_t address, const uint32_t size[3],
                                const uint64_t stride[2], const uint8_t *host,
                                const uint64_t hostStride[2]) {
  if (Status s = checkStridedExtent(capacity_, address, size, stride); !s)
    return s;
  forEachRow(address, size, stride, hostStride, [&](uint64_t a, uint64_t hostOffset) {
    const uint8_t *h = host + hostOffset;
    uint64_t offset = a & (kPageBytes - 1);
    if (offset + size[0] <= kPageBytes)
      std::memcpy(writablePage(a >> kPageShift) + offset, h, size[0]);
    else
      (void)write(a, h, size[0]);
  });
  return Status::ok();
}

Status HbmStorage::mapReadOnly(uint64_t address, const uint8_t *data, uint64_t size) {
  if (Status s = checkRange(address, size); !s)
    return s;
  if (size && !data)
    return Error("cannot map " + std::to_string(size) + " bytes at HBM address " +
                 hex(address) + ": the buffer is null");
  uint64_t end = address + size;
  uint64_t firstFull = (address + kPageBytes - 1) & ~(kPageBytes - 1);
  uint64_t lastFull = end & ~(kPageBytes - 1);
  if (firstFull >= lastFull) // no whole page: copy
    return write(address, data, size);
  // Partial pages at either end are copied.
  if (Status s = write(address, data, firstFull - address); !s)
    return s;
  if (Status s = write(lastFull, data + (lastFull - address), end - lastFull); !s)
    return s;
  for (uint64_t a = firstFull; a < lastFull; a += kPageBytes) {
    Page &page = pageSlot(a >> kPageShift);
    if (page.owned) {
      page.owned.reset();
      resident_ -= kPageBytes;
    }
    if (!page.mapped)
      ++mapped_;
    page.mapped = data + (a - address);
  }
  return Status::ok();
}

uint64_t HbmStorage::residentBytes() const { return resident_; }
uint64_t HbmStorage::mappedPages() const { return mapped_; }

} // namespace strata::sim::mem
