//===- ScheduleDag.h - Dependency DAG of one core's program -----*- C++ -*-===//
//
// The graph strata-npu-schedule-prefetch reorders: one node per instruction
// (or scalar op, or loop) of a core, in program order, and an edge u -> v
// when v must stay after u: a memory conflict (RAW, WAR or WAW on bytes of
// an SRAM buffer, an HBM symbol, the KV cache, a cross-core activation or a
// barrier's acquire/release set), a scalar register read or written by
// both, the tensor-core configuration, or an ordering op (barrier, fence,
// DVFS hint) of the node's queue.
//
// Plain C++ on Boost.Graph (no MLIR): the IR side fills nodes with what
// the scheduler and the timing estimate need (queue, unit, cycles, HBM
// bytes, SRAM buffers), so the algorithms are tested on synthetic DAGs.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <boost/graph/adjacency_list.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace strata::npu::sched {

/// Where a node is dispatched: one of the core's three queues, or the
/// sequencer itself (scalar code, loops of scalar code, ld32, fence).
enum class Lane : uint8_t { Sequencer, Load, Compute, Store };
inline constexpr unsigned kNumLanes = 4;

/// What executes a node once it leaves its queue.
enum class Unit : uint8_t {
  None,   ///< no unit: scalar code, semaphores, barriers, hints
  Dma,    ///< a DMA engine (HBM traffic shares the core's bandwidth)
  Tensor, ///< the tensor-core groups (a GEMM, or a reconfiguration)
  Vector, ///< the vector unit
};

struct DagNode {
  Lane lane = Lane::Sequencer;
  Unit unit = Unit::None;
  /// Cycles on the unit (Tensor, Vector), or sequencer cycles beyond the
  /// dispatch for sequencer nodes (loops).
  uint64_t cycles = 0;
  /// Bytes a Dma node moves to or from HBM (0 for SRAM-to-SRAM copies).
  uint64_t hbmBytes = 0;
  /// An HBM -> SRAM load the prefetch scheduler may move earlier.
  bool prefetch = false;
  /// Barrier-like: waits until everything before it in its lane finished.
  bool drainsLane = false;
  /// A fence: the sequencer waits until every queue is idle.
  bool fence = false;
  /// A cross-core barrier over these cores (bit c: core c): the k-th
  /// barrier of a core completes when every core of the mask reached its
  /// k-th barrier.
  uint64_t barrierMask = 0;
  /// SRAM buffers the node reads or writes (indices of ScheduleDag buffers).
  std::vector<uint32_t> buffers;
  /// Index of the kernel (code label) the node belongs to.
  uint32_t region = 0;
};

enum class DepKind : uint8_t { Memory, Register, Config, Order };

struct DagEdge {
  DepKind kind = DepKind::Memory;
};

/// Vectors throughout: nodes and edges are only ever added.
using DagGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, DagNode,
                                       DagEdge, boost::no_property, boost::vecS>;

/// Node ids are program-order indices: the original order is 0, 1, ..., n-1.
class ScheduleDag {
public:
  /// Appends a node (the next one in program order); returns its id.
  uint32_t addNode(DagNode node);
  /// Requires from < to (program order). A repeated pair is kept once.
  void addEdge(uint32_t from, uint32_t to, DepKind kind);
  /// An SRAM buffer of `bytes`; returns its index.
  uint32_t addBuffer(uint64_t bytes);

  uint32_t size() const { return static_cast<uint32_t>(boost::num_vertices(graph_)); }
  uint64_t numEdges() const { return boost::num_edges(graph_); }
  const DagNode &node(uint32_t id) const { return graph_[id]; }
  DagNode &node(uint32_t id) { return graph_[id]; }
  uint32_t numBuffers() const { return static_cast<uint32_t>(bufferBytes_.size()); }
  uint64_t bufferBytes(uint32_t buffer) const { return bufferBytes_[buffer]; }

  /// Predecessors / successors of a node.
  std::vector<uint32_t> preds(uint32_t id) const;
  std::vector<uint32_t> succs(uint32_t id) const;
  const DagGraph &graph() const { return graph_; }

  /// 0, 1, ..., n-1.
  std::vector<uint32_t> originalOrder() const;
  /// True if `order` is a permutation of the nodes that keeps every edge.
  /// Otherwise `why` names the first violated edge or the repeated node.
  bool isValidOrder(const std::vector<uint32_t> &order, std::string *why = nullptr) const;

private:
  DagGraph graph_;
  std::vector<uint64_t> bufferBytes_;
};

} // namespace strata::npu::sched
