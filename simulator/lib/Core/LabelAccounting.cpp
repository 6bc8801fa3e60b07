//===- LabelAccounting.cpp ------------------------------------------------===//
#include "strata/sim/core/LabelAccounting.h"

#include <algorithm>
#include <unordered_map>

namespace strata::sim::core {

LabelAccounting::Index LabelAccounting::buildIndex(const bin::EntryPoint &entry) {
  Index ix;
  ix.labelOf.resize(entry.cores.size());
  for (size_t c = 0; c < entry.cores.size(); ++c)
    ix.labelOf[c].assign(entry.cores[c].size(), -1);
  std::unordered_map<std::string, int32_t> index;
  for (const bin::CodeLabel &l : entry.labels) {
    if (l.core >= ix.labelOf.size())
      continue; // checkBinary rejects these; stay safe anyway
    auto [it, inserted] = index.emplace(l.name, int32_t(ix.names.size()));
    if (inserted)
      ix.names.push_back(l.name);
    std::vector<int32_t> &map = ix.labelOf[l.core];
    const uint32_t end = std::min<uint32_t>(l.end, uint32_t(map.size()));
    for (uint32_t pc = l.begin; pc < end; ++pc)
      map[pc] = it->second;
  }
  return ix;
}

bool LabelAccounting::begin(const bin::EntryPoint &entry, bool unchanged) {
  current_ = nullptr;
  active_ = !entry.labels.empty();
  if (!active_) {
    costs_.clear();
    return false;
  }
  auto it = indexes_.find(&entry);
  if (it == indexes_.end() || !unchanged) {
    if (it == indexes_.end() && indexes_.size() >= 64)
      indexes_.clear(); // entries of earlier binaries
    it = indexes_.insert_or_assign(&entry, buildIndex(entry)).first;
  }
  current_ = &it->second;
  // Zeroed costs under the label names; a name is assigned into the string
  // the slot already holds, so a repeated entry allocates nothing.
  costs_.resize(current_->names.size());
  for (size_t i = 0; i < costs_.size(); ++i) {
    std::string name = std::move(costs_[i].name);
    name.assign(current_->names[i]);
    costs_[i] = LabelCost{};
    costs_[i].name = std::move(name);
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
