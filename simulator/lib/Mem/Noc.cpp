//===- Noc.cpp - Crossbar and mesh NoC between cores and HBM stacks -------===//

#include "strata/sim/mem/Noc.h"

#include "strata/sim/stats/Stats.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace strata::sim::mem {

Noc::Noc(const ArchConfig &config, const MemTimebase *timebase, StatGroup *stats)
    : cores_(config.numCores), stacks_(config.hbm.stacks),
      mesh_(config.noc.topology == "mesh"), rate_(config.noc.linkBytesPerCycle),
      hop_(config.noc.hopCycles), timebase_(timebase) {
  if (mesh_) {
    width_ = std::max(int(std::ceil(std::sqrt(double(cores_)))), int((stacks_ + 1) / 2));
    height_ = int((cores_ + width_ - 1) / width_);
  }
  routes_.resize(2 * cores_ * stacks_ + cores_ * cores_);
  for (uint32_t c = 0; c < cores_; ++c)
    for (uint32_t s = 0; s < stacks_; ++s) {
      std::string cs = "core" + std::to_string(c), ss = "stack" + std::to_string(s);
      if (mesh_) {
        routes_[c * stacks_ + s] = meshRoute(corePosition(c), stackPosition(s));
        routes_[cores_ * stacks_ + s * cores_ + c] = meshRoute(stackPosition(s), corePosition(c));
      } else {
        routes_[c * stacks_ + s].links = {link(cs + "_to_" + ss)};
        routes_[cores_ * stacks_ + s * cores_ + c].links = {link(ss + "_to_" + cs)};
      }
    }
  for (uint32_t a = 0; a < cores_; ++a)
    for (uint32_t b = 0; b < cores_; ++b) {
      if (a == b)
        continue;
      Route &r = routes_[2 * cores_ * stacks_ + a * cores_ + b];
      if (mesh_)
        r = meshRoute(corePosition(a), corePosition(b));
      else
        r.links = {link("core" + std::to_string(a) + "_to_core" + std::to_string(b))};
    }
  if (stats) {
    StatGroup &g = *stats;
    const MemTimebase *tb = timebase_;
    for (uint32_t l = 0; l < links_.size(); ++l) {
      StatGroup &lg = g.child(names_[l]);
      const LinkBandwidth *lk = &links_[l];
      lg.formula("bytes", "bytes carried", "bytes", [lk] { return double(lk->totalBytes()); });
      lg.formula("utilization", "bytes / (link bytes per cycle x elapsed cycles)", "ratio",
                 [lk, tb] {
                   return tb->endCycle ? double(lk->totalBytes()) /
                                             (lk->bytesPerCycle() * double(tb->endCycle))
                                       : 0.0;
                 });
    }
  }
}

std::pair<int, int> Noc::corePosition(uint32_t core) const {
  if (!mesh_)
    return {0, 0};
  return {int(core % width_), 1 + int(core / width_)};
}

std::pair<int, int> Noc::stackPosition(uint32_t stack) const {
  if (!mesh_)
    return {0, 0};
  uint32_t top = (stacks_ + 1) / 2;
  if (stack < top)
    return {int((2 * stack + 1) * width_ / (2 * top)), 0};
  uint32_t bottom = stacks_ - top, j = stack - top;
  return {int((2 * j + 1) * width_ / (2 * bottom)), height_ + 1};
}

uint32_t Noc::link(const std::string &name) {
  auto it = byName_.find(name);
  if (it != byName_.end())
    return it->second;
  uint32_t id = uint32_t(links_.size());
  links_.emplace_back(rate_);
  names_.push_back(name);
  byName_.emplace(name, id);
  return id;
}

Noc::Route Noc::meshRoute(std::pair<int, int> from, std::pair<int, int> to) {
  Route r;
  auto name = [](int x, int y) { return "x" + std::to_string(x) + "y" + std::to_string(y); };
  int x = from.first, y = from.second;
  while (x != to.first) {
    int nx = x + (to.first > x ? 1 : -1);
    r.links.push_back(link(name(x, y) + "_to_" + name(nx, y)));
    x = nx;
  }
  while (y != to.second) {
    int ny = y + (to.second > y ? 1 : -1);
    r.links.push_back(link(name(x, y) + "_to_" + name(x, ny)));
    y = ny;
  }
  return r;
}

double Noc::traverse(const Route &route, double cycle, uint64_t bytes) {
  uint32_t hops = uint32_t(route.links.size());
  if (listener_ && bytes)
    listener_->onNocTransfer(bytes, hops, timebase_->clock.ns(cycle));
  if (bytes == 0)
    return cycle + double(hops) * hop_;
  return pipelined(route, cycle, double(bytes) / rate_,
                   [bytes](LinkBandwidth &link, double at) { return link.reserve(at, bytes); });
}

double Noc::traverseBulk(const Route &route, double cycle, double bytes) {
  if (listener_ && bytes > 0)
    listener_->onNocTransfer(uint64_t(bytes), uint32_t(route.links.size()),
                             timebase_->clock.ns(cycle));
  return reserveBulk(route, cycle, bytes);
}

} // namespace strata::sim::mem
