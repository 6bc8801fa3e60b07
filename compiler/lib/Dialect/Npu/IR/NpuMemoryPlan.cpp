//===- NpuMemoryPlan.cpp - HBM symbols and their addresses ----------------===//
#include "strata/Dialect/Npu/IR/NpuMemoryPlan.h"
#include "strata/Dialect/Npu/IR/NpuOps.h"

#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>
#include <vector>

using namespace mlir;

namespace strata::npu {

std::optional<HbmSymbolInfo> hbmSymbolInfo(Operation *op) {
  return llvm::TypeSwitch<Operation *, std::optional<HbmSymbolInfo>>(op)
      .Case([](RegionOp r) { return HbmSymbolInfo{StringAttr(), 0, static_cast<int64_t>(r.getSize())}; })
      .Case([](ConstantOp c) {
        return HbmSymbolInfo{c.getRegionAttr().getAttr(), static_cast<int64_t>(c.getOffset()),
                             static_cast<int64_t>(c.getSize())};
      })
      .Case([](IoOp io) {
        return HbmSymbolInfo{io.getRegionAttr().getAttr(), static_cast<int64_t>(io.getOffset()),
                             io.getSizeBytes()};
      })
      .Case([](HbmBufferOp b) {
        return HbmSymbolInfo{b.getRegionAttr().getAttr(), static_cast<int64_t>(b.getOffset()),
                             static_cast<int64_t>(b.getSize())};
      })
      .Default([](Operation *) { return std::nullopt; });
}

static uint64_t alignUp(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

FailureOr<HbmLayout> computeHbmLayout(ModuleOp module) {
  HbmLayout layout;
  struct Placed {
    uint64_t begin, end;
    mutable RegionOp op;
  };
  std::vector<Placed> placed;
  // Pinned regions first, then the others after the highest pinned end.
  uint64_t next = 0;
  for (RegionOp r : module.getOps<RegionOp>())
    if (auto at = r.getAddress()) {
      placed.push_back({static_cast<uint64_t>(*at), static_cast<uint64_t>(*at) + r.getSize(), r});
      next = std::max(next, static_cast<uint64_t>(*at) + r.getSize());
    }
  for (RegionOp r : module.getOps<RegionOp>()) {
    if (r.getAddress())
      continue;
    next = alignUp(next, kRegionAlignment);
    placed.push_back({next, next + r.getSize(), r});
    next += r.getSize();
  }
  std::sort(placed.begin(), placed.end(),
            [](const Placed &a, const Placed &b) { return a.begin < b.begin; });
  for (size_t i = 1; i < placed.size(); ++i)
    if (placed[i].begin < placed[i - 1].end) {
      placed[i].op.emitOpError("overlaps region @") << placed[i - 1].op.getSymName();
      return failure();
    }
  for (const Placed &p : placed) {
    layout.address[p.op.getSymName()] = p.begin;
    layout.size[p.op.getSymName()] = p.end - p.begin;
  }
  layout.end = next;

  for (Operation &op : module.getBody()->getOperations()) {
    if (llvm::isa<RegionOp>(op))
      continue;
    std::optional<HbmSymbolInfo> info = hbmSymbolInfo(&op);
    if (!info)
      continue;
    auto name = op.getAttrOfType<StringAttr>(SymbolTable::getSymbolAttrName());
    auto region = module.lookupSymbol<RegionOp>(info->region);
    if (!region) {
      op.emitOpError("names unknown region @") << info->region.getValue();
      return failure();
    }
    if (info->offset < 0 || info->offset + info->size > static_cast<int64_t>(region.getSize())) {
      op.emitOpError("bytes [") << info->offset << ", " << info->offset + info->size
                                << ") do not fit region @" << region.getSymName() << " ("
                                << region.getSize() << " bytes)";
      return failure();
    }
    layout.address[name.getValue()] =
        layout.address[region.getSymName()] + static_cast<uint64_t>(info->offset);
    layout.size[name.getValue()] = static_cast<uint64_t>(info->size);
  }
  return layout;
}

} // namespace strata::npu
