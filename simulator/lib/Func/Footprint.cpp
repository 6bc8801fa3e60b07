//===- Footprint.cpp - SRAM byte ranges of compute instructions -----------===//

#include "Layout.h"

namespace strata::sim::func {

Status footprint(const ResolvedGemm &op, ByteRanges &ranges) {
  const GemmLayout *layout = findLayout(op);
  if (!layout)
    return layoutOf(op).status();
  const GemmLayout &l = *layout;
  if (l.noOp())
    return Status::ok();
  ranges.push_back(byteRangeOf(l.a, false));
  ranges.push_back(byteRangeOf(l.b, false));
  for (const auto *m : {&l.scaleA, &l.scaleB, &l.bias})
    if (*m)
      ranges.push_back(byteRangeOf(**m, false));
  if (op.instr->accumulate)
    ranges.push_back(byteRangeOf(l.c, false));
  ranges.push_back(byteRangeOf(l.c, true));
  return Status::ok();
}

Status footprint(const ResolvedVec &op, ByteRanges &ranges) {
  const VecLayout *layout = findLayout(op);
  if (!layout)
    return layoutOf(op).status();
  const VecLayout &l = *layout;
  if (l.noOp())
    return Status::ok();
  ranges.push_back(byteRangeOf(*l.x, false));
  if (l.y)
    ranges.push_back(byteRangeOf(*l.y, l.yWritten));
  if (l.z)
    ranges.push_back(byteRangeOf(*l.z, false));
  ranges.push_back(byteRangeOf(l.out, true));
  return Status::ok();
}

} // namespace strata::sim::func
