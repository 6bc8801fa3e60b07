//===- ScheduleDag.cpp - Dependency DAG of one core's program -------------===//
#include "strata/Dialect/Npu/Transforms/ScheduleDag.h"

#include <cassert>

namespace strata::npu::sched {

uint32_t ScheduleDag::addNode(DagNode node) {
  return static_cast<uint32_t>(boost::add_vertex(std::move(node), graph_));
}

void ScheduleDag::addEdge(uint32_t from, uint32_t to, DepKind kind) {
  assert(from < to && to < size() && "edges follow program order");
  // In-degrees stay small (the builder adds each conflicting pair once per
  // access), so a scan is cheaper than a set per node.
  for (auto [it, end] = boost::in_edges(to, graph_); it != end; ++it)
    if (boost::source(*it, graph_) == from)
      return;
  boost::add_edge(from, to, DagEdge{kind}, graph_);
}

uint32_t ScheduleDag::addBuffer(uint64_t bytes) {
  bufferBytes_.push_back(bytes);
  return static_cast<uint32_t>(bufferBytes_.size() - 1);
}

std::vector<uint32_t> ScheduleDag::preds(uint32_t id) const {
  std::vector<uint32_t> out;
  for (auto [it, end] = boost::in_edges(id, graph_); it != end; ++it)
    out.push_back(static_cast<uint32_t>(boost::source(*it, graph_)));
  return out;
}

std::vector<uint32_t> ScheduleDag::succs(uint32_t id) const {
  std::vector<uint32_t> out;
  for (auto [it, end] = boost::out_edges(id, graph_); it != end; ++it)
    out.push_back(static_cast<uint32_t>(boost::target(*it, graph_)));
  return out;
}

std::vector<uint32_t> ScheduleDag::originalOrder() const {
  std::vector<uint32_t> order(size());
  for (uint32_t i = 0; i < size(); ++i)
    order[i] = i;
  return order;
}

bool ScheduleDag::isValidOrder(const std::vector<uint32_t> &order, std::string *why) const {
  const uint32_t n = size();
  auto fail = [&](std::string message) {
    if (why)
      *why = std::move(message);
    return false;
  };
  if (order.size() != n)
    return fail("the order has " + std::to_string(order.size()) + " nodes, the DAG " +
                std::to_string(n));
  std::vector<uint32_t> position(n, n);
  for (uint32_t i = 0; i < n; ++i) {
    if (order[i] >= n)
      return fail("node " + std::to_string(order[i]) + " does not exist");
    if (position[order[i]] != n)
      return fail("node " + std::to_string(order[i]) + " appears twice");
    position[order[i]] = i;
  }
  for (auto [it, end] = boost::edges(graph_); it != end; ++it) {
    uint32_t u = static_cast<uint32_t>(boost::source(*it, graph_));
    uint32_t v = static_cast<uint32_t>(boost::target(*it, graph_));
    if (position[u] > position[v])
      return fail("node " + std::to_string(v) + " is placed before its dependency " +
                  std::to_string(u));
  }
  return true;
}

} // namespace strata::npu::sched
