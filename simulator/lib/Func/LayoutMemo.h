//===- LayoutMemo.h - Remembered valid operand layouts ----------*- C++ -*-===//
//
// footprint() (at dispatch) and execute() both ask for an instruction's
// layout, and a program issues the same few hundred instructions again and
// again, so valid layouts are memoised per thread. A slot is reused only
// when the instruction's bytes and every resolved operand field the layout
// depends on are equal to what it was computed from, so an instruction
// edited in place is checked again; invalid layouts are recomputed, error
// and all.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/support/Error.h"

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <type_traits>

namespace strata::sim::func::detail {

/// `Resolved` provides `instr` (a pointer to an `Instr`); `same(a, b)` says
/// whether two resolved operands agree in every field the layout depends on
/// (field by field, not bytewise: the structs have padding) and `hash(r)`
/// mixes those fields.
template <typename Resolved, typename Instr, typename Layout, typename Ops> class LayoutMemo {
  static_assert(std::is_trivially_copyable_v<Instr>);

public:
  /// The layout of `r`, computed by `compute` unless remembered.
  template <typename Compute> Expected<Layout> get(const Resolved &r, Compute compute) {
    if (const Layout *l = find(r, compute))
      return *l;
    return compute(r); // invalid: computed again for its error
  }

  /// The remembered (or now computed and remembered) layout of a valid `r`,
  /// or null when `r` is invalid; get() gives the error. The pointer stays
  /// valid until the next query of this memo, and saves copying the layout
  /// on every dispatch and execution.
  template <typename Compute> const Layout *find(const Resolved &r, Compute compute) {
    if (!slots_)
      slots_ = std::make_unique<std::array<Slot, kSlots>>();
    Slot &slot = (*slots_)[Ops::hash(r) % kSlots];
    if (slot.valid && Ops::same(slot.op, r) && std::memcmp(slot.instr, r.instr, sizeof(Instr)) == 0)
      return &slot.layout;
    Expected<Layout> l = compute(r);
    if (!l)
      return nullptr;
    slot.valid = true;
    slot.op = r;
    std::memcpy(slot.instr, r.instr, sizeof(Instr));
    slot.layout = *l;
    return &slot.layout;
  }

private:
  // A decode step issues a few hundred distinct instructions per core group:
  // enough slots that they rarely displace each other.
  static constexpr size_t kSlots = 1024;
  struct Slot {
    bool valid = false;
    Resolved op;
    unsigned char instr[sizeof(Instr)] = {}; ///< the instruction's bytes
    Layout layout;
  };
  std::unique_ptr<std::array<Slot, kSlots>> slots_;
};

/// Mixes a pointer and operand fields into a slot hash.
inline uint64_t mixLayoutKey(const void *instr, uint64_t fields, uint64_t dims) {
  uint64_t h = reinterpret_cast<uintptr_t>(instr) * 0x9e3779b97f4a7c15ull;
  h ^= fields * 0xbf58476d1ce4e5b9ull;
  h ^= dims * 0x94d049bb133111ebull;
  return h >> 40;
}

} // namespace strata::sim::func::detail
