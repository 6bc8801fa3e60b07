//===- Noc.h - On-chip network between NPU cores and HBM stacks --*- C++ -*-===//
//
// Directed links with a bandwidth (noc.linkBytesPerCycle, memory clock) and a
// latency per hop (noc.hopCycles), shared by every route through them.
//
//   crossbar  a dedicated link from every core to every stack and back, and
//             between every pair of cores: one hop; contention only among
//             the transfers of the same (source, destination) pair.
//   mesh      routers on a W x (H + 2) grid, W = max(ceil(sqrt(cores)),
//             ceil(stacks / 2)), H = ceil(cores / W); core i at
//             (i mod W, 1 + i div W); the first ceil(stacks/2) stacks spread
//             along row 0, the others along row H + 1. Dimension-ordered XY
//             routing (X first); hops = Manhattan distance, so transfers that
//             share a row or column segment contend.
//
// A transfer of B bytes crossing route links l1..ln, starting at cycle t:
// the head reaches link i after (i-1) * hopCycles plus any wait, each link
// carries the B bytes at its rate (LinkBandwidth), and the last byte arrives
// hopCycles after leaving the last link. Uncontended: t + B / rate + n * hop.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/sim/mem/LinkBandwidth.h"
#include "strata/sim/mem/MemClock.h"
#include "strata/sim/mem/MemoryListener.h"
#include "strata/target/ArchConfig.h"

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace strata::sim {
class StatGroup;
}

namespace strata::sim::mem {

class Noc {
public:
  struct Route {
    std::vector<uint32_t> links;
  };

  /// `stats` (may be null) receives a group per link; `timebase` is shared.
  Noc(const ArchConfig &config, const MemTimebase *timebase, StatGroup *stats);

  const Route &coreToStack(uint32_t core, uint32_t stack) const {
    return routes_[core * stacks_ + stack];
  }
  const Route &stackToCore(uint32_t stack, uint32_t core) const {
    return routes_[cores_ * stacks_ + stack * cores_ + core];
  }
  const Route &coreToCore(uint32_t src, uint32_t dst) const {
    return routes_[2 * cores_ * stacks_ + src * cores_ + dst];
  }

  /// Detailed transfer: reserves `bytes` on every link of `route` from
  /// `cycle`; returns the cycle the last byte arrives. Zero bytes (a read
  /// request's header) only pays the hop latency.
  double traverse(const Route &route, double cycle, uint64_t bytes);
  /// Bulk (analytic) transfer with busy-until contention per link.
  double traverseBulk(const Route &route, double cycle, double bytes);
  /// traverseBulk without the listener report (the caller reports the bytes).
  double reserveBulk(const Route &route, double cycle, double bytes) {
    if (bytes <= 0)
      return cycle + double(uint32_t(route.links.size())) * hop_;
    return pipelined(route, cycle, bytes / rate_, [bytes](LinkBandwidth &link, double at) {
      return link.reserveBulk(at, bytes);
    });
  }

  void setListener(MemoryListener *listener) { listener_ = listener; }

  uint32_t linkCount() const { return uint32_t(links_.size()); }
  const std::string &linkName(uint32_t link) const { return names_[link]; }
  uint64_t linkBytes(uint32_t link) const { return links_[link].totalBytes(); }
  /// The mesh grid position of a core or stack (for tests and docs).
  std::pair<int, int> corePosition(uint32_t core) const;
  std::pair<int, int> stackPosition(uint32_t stack) const;
  bool mesh() const { return mesh_; }

private:
  /// A transfer cut through the route's links: each link starts sending a
  /// hop after the previous one started, and the last byte arrives a hop
  /// after the last link is done. `reserve(link, start)` books the bytes on
  /// a link from `start` and returns when they are through; `serial` is the
  /// bytes' time on one link.
  template <typename Reserve>
  double pipelined(const Route &route, double cycle, double serial, Reserve &&reserve) {
    double head = cycle, tail = cycle;
    for (uint32_t l : route.links) {
      double out = reserve(links_[l], head);
      head = out - serial + hop_;
      tail = out + hop_;
    }
    return tail;
  }
  uint32_t link(const std::string &name);
  Route meshRoute(std::pair<int, int> from, std::pair<int, int> to);

  uint32_t cores_, stacks_;
  bool mesh_;
  int width_ = 0, height_ = 0;
  double rate_;
  uint32_t hop_;
  const MemTimebase *timebase_;
  MemoryListener *listener_ = nullptr;
  std::vector<LinkBandwidth> links_;
  std::vector<std::string> names_;
  std::map<std::string, uint32_t> byName_;
  std::vector<Route> routes_;
};


} // namespace strata::sim::mem
