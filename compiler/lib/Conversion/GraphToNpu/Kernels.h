//===- Kernels.h - The kernels graph ops lower to ---------------*- C++ -*-===//
//
// One function per graph op kind; each appends the op's code to the cores
// that run it and records where its result lives. GraphToNpuPass.cpp registers
// them by op name (populateGraphToNpuPatterns).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "LoweringContext.h"

#include <functional>
#include <memory>
#include <vector>

namespace strata::lowering {

/// Lowers one kind of graph op inside an entry.
struct KernelPattern {
  llvm::StringRef opName;
  std::function<mlir::LogicalResult(EntryLowering &, mlir::Operation *)> lower;
};

/// The kernels of strata-graph-to-npu, one per graph op kind.
class KernelPatterns {
public:
  void add(llvm::StringRef opName,
           std::function<mlir::LogicalResult(EntryLowering &, mlir::Operation *)> fn) {
    patterns_.push_back({opName, std::move(fn)});
  }
  const KernelPattern *find(llvm::StringRef opName) const {
    for (const KernelPattern &p : patterns_)
      if (p.opName == opName)
        return &p;
    return nullptr;
  }

private:
  std::vector<KernelPattern> patterns_;
};

/// Registers every kernel.
void populateGraphToNpuPatterns(KernelPatterns &patterns);

mlir::LogicalResult lowerLinear(EntryLowering &e, graph::LinearOp op);
mlir::LogicalResult lowerFusedLinear(EntryLowering &e, graph::FusedLinearOp op);
mlir::LogicalResult lowerMatmul(EntryLowering &e, graph::MatmulOp op);
mlir::LogicalResult lowerAttention(EntryLowering &e, graph::AttentionOp op);
mlir::LogicalResult lowerEmbedding(EntryLowering &e, graph::EmbeddingOp op);
mlir::LogicalResult lowerTakeRow(EntryLowering &e, graph::TakeRowOp op);
mlir::LogicalResult lowerRmsNorm(EntryLowering &e, graph::RmsNormOp op);
mlir::LogicalResult lowerLayerNorm(EntryLowering &e, graph::LayerNormOp op);
mlir::LogicalResult lowerRope(EntryLowering &e, graph::RopeOp op);
mlir::LogicalResult lowerSoftmax(EntryLowering &e, graph::SoftmaxOp op);
mlir::LogicalResult lowerUnary(EntryLowering &e, mlir::Operation *op);
mlir::LogicalResult lowerBinary(EntryLowering &e, mlir::Operation *op);
mlir::LogicalResult lowerCast(EntryLowering &e, graph::CastOp op);

/// Rows [begin, end) of `rows` split over cores for a row-wise kernel: few
/// rows stay on one core (kMinRowsPerCore each at least).
std::vector<std::pair<unsigned, std::pair<int64_t, int64_t>>>
splitRowsOverCores(EntryLowering &e, int64_t rows, const Tensor *input = nullptr);

/// Rows per tile so that `bytesPerRow` times the rows fit `budget`.
int64_t rowsPerTile(int64_t rows, int64_t bytesPerRow, int64_t budget, unsigned chunkOption);

/// A kernel's label for code attribution: the name of its location.
std::string kernelLabel(mlir::Operation *op);

} // namespace strata::lowering
