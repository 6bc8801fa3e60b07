//===- LabelAccounting.cpp ------------------------------------------------===//
#include "strata/sim/core/LabelAccounting.h"

#include <algorithm>
#include <unordered_map>

namespace strata::sim::core {

bool LabelAccounting::begin(const bin::EntryPoint &entry) {
  labelOf_.clear();
  costs_.clear();
  active_ = !entry.labels.empty();
  if (!active_)
    return false;
  labelOf_.resize(entry.cores.size());
  for (size_t c = 0; c < entry.cores.size(); ++c)
    labelOf_[c].assign(entry.cores[c].size(), -1);
  std::unordered_map<std::string, int32_t> index;
  for (const bin::CodeLabel &l : entry.labels) {
    if (l.core >= labelOf_.size())
      continue; // checkBinary rejects these; stay safe anyway
    auto [it, inserted] = index.emplace(l.name, int32_t(costs_.size()));
    if (inserted) {
      costs_.emplace_back();
      costs_.back().name = l.name;
    }
    std::vector<int32_t> &map = labelOf_[l.core];
    const uint32_t end = std::min<uint32_t>(l.end, uint32_t(map.size()));
    for (uint32_t pc = l.begin; pc < end; ++pc)
      map[pc] = it->second;
  }
  return true;
}

void LabelAccounting::charge(LabelCost &c, const LabelSample &s) {
  ++c.instructions;
  c.tensorBusyNs += s.tensorNs;
  c.vectorBusyNs += s.vectorNs;
  c.dmaBusyNs += s.dmaNs;
  c.macs += s.macs;
  c.vectorElementOps += s.elementOps;
  c.hbmReadBytes += s.hbmReadBytes;
  c.hbmWriteBytes += s.hbmWriteBytes;
  c.sramBytes += s.sramBytes;
  c.coreEnergyJ += s.energyPj * 1e-12;
  c.firstStartNs = std::min(c.firstStartNs, s.startNs);
  c.lastEndNs = std::max(c.lastEndNs, s.endNs);
}

} // namespace strata::sim::core
