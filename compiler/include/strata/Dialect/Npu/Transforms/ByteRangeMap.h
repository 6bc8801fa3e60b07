//===- ByteRangeMap.h - Per-byte-range state of one address space -*- C++ -*-===//
//
// The dependency passes (the scheduler's DAG builder, semaphore insertion)
// track, per byte of SRAM, HBM or barrier order, who wrote it last and who
// read it since. Ranges are kept as disjoint pieces that split where
// accesses begin and end, so a program's accesses cost O(pieces touched).
//
// Plain C++ (no MLIR).
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>
#include <algorithm>
#include <map>
#include <utility>

namespace strata::npu {

template <typename State> class ByteRangeMap {
public:
  /// Calls fn(State &) for every piece of [lo, hi), creating pieces (with a
  /// default State) where no access has been recorded yet.
  template <typename Fn> void forEach(uint64_t lo, uint64_t hi, Fn fn) {
    if (hi <= lo)
      return;
    split(lo);
    split(hi);
    uint64_t cursor = lo;
    auto it = pieces_.lower_bound(lo);
    while (cursor < hi) {
      if (it == pieces_.end() || it->first > cursor) {
        uint64_t end = it == pieces_.end() ? hi : std::min(hi, it->first);
        it = pieces_.emplace_hint(it, cursor, Piece{end, State()});
      }
      fn(it->second.state);
      cursor = it->second.end;
      ++it;
    }
  }

private:
  struct Piece {
    uint64_t end;
    State state;
  };
  void split(uint64_t at) {
    auto it = pieces_.upper_bound(at);
    if (it == pieces_.begin())
      return;
    --it;
    if (it->first < at && it->second.end > at) {
      Piece tail{it->second.end, it->second.state};
      it->second.end = at;
      pieces_.emplace(at, std::move(tail));
    }
  }
  std::map<uint64_t, Piece> pieces_;
};

} // namespace strata::npu
