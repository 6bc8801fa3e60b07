//===- TimingModel.h - Cycle models of the core's units ---------*- C++ -*-===//
//
// Closed-form latency models of the tensor-core array, the vector unit and
// the banked scratchpad, as plain functions of the arch config and a resolved
// instruction. No SystemC: the NpuCore module asks these for cycles and the
// unit tests check them against hand-computed values. docs/simulator.md
// derives every formula.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/sim/func/Execute.h"
#include "strata/target/ArchConfig.h"
#include "strata/target/Isa.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace strata::sim::core {

/// Shape of the tensor-core array under one ganging mode: `groups` groups,
/// each an R x C grid of effective processing elements (R on the K side,
/// C on the N side).
struct TcGeometry {
  uint32_t groups = 0;
  uint32_t arraysPerGroup = 0;
  uint32_t rows = 0; ///< R
  uint32_t cols = 0; ///< C
};
TcGeometry tcGeometry(const TensorCoreConfig &tc, isa::Gang gang);

/// Multiplier precision a Gemm with operand types (a, b) needs: the type
/// itself when both match, I8 for i8 x i4; nullopt for unsupported pairs.
std::optional<DType> gemmPrecision(DType a, DType b);

/// Every term of a Gemm's latency, kept apart for tests and reports.
struct GemmCost {
  uint64_t tileK = 0;          ///< K depth of one weight tile (R * pack)
  uint64_t rowCycles = 0;      ///< cycles to stream the M rows of A through a tile
  uint64_t kTiles = 0, nTiles = 0, tiles = 0;
  uint32_t groupsUsed = 0;
  uint64_t tilesPerGroup = 0;
  uint64_t computeCycles = 0;  ///< tilesPerGroup * max(rowCycles, R) + R + C + pipeline
  /// R + C + pipelineCycles: from the last row of A entering the array to
  /// its sums leaving it (the skew of the rows across the R x C grid plus
  /// the pipeline latency). Latency, not occupancy: the next independent
  /// Gemm's rows may enter behind it (docs/simulator.md 3.1).
  uint64_t fillCycles = 0;
  uint64_t sramBytes = 0;      ///< scratchpad traffic (A re-reads, B, partial sums, C, ...)
  uint64_t sramCycles = 0;     ///< ceil(sramBytes / (banks * bankWidthBytes))
  uint64_t epilogueCycles = 0; ///< ceil(M * N / epilogueElemsPerCycle) with an epilogue
  /// The epilogue drains each column tile's sums while the array computes
  /// the next (docs/simulator.md 3.1): it starts at epilogueStartCycles (the
  /// first finished tiles' last K step) and only the last tiles' part beyond
  /// their own streaming, epilogueTailCycles, follows the array.
  uint64_t epilogueStartCycles = 0;
  uint64_t epilogueTailCycles = 0;
  uint64_t cycles = 0;         ///< latency(max(compute, sram))
  uint64_t macs = 0;           ///< M * N * K
  uint64_t sramReadBytes = 0, sramWriteBytes = 0;

  /// Cycles of the whole Gemm when the array (MACs and scratchpad) takes
  /// `arrayCycles`: max(array + tail, start + epilogue).
  double latency(double arrayCycles) const;
  /// Cycles the Gemm holds its groups when the array takes `arrayCycles`:
  /// until its last row has entered, arrayCycles - fillCycles, i.e.
  /// max(tilesPerGroup * step, sram - fillCycles).
  double occupancy(double arrayCycles) const;
};

/// Latency of a Gemm of m x n x k on `groupsUsed` groups of `geo` at
/// multiplier precision `prec` (macsPerCycle[prec] must be non-zero).
GemmCost gemmCost(const CoreConfig &core, const TcGeometry &geo, DType prec,
                  uint32_t groupsUsed, const isa::GemmInstr &instr, uint32_t m,
                  uint32_t n, uint32_t k);

/// A 2D region of the scratchpad one instruction streams through:
/// `rows` runs of `rowBytes` contiguous bytes, `strideBytes` apart.
struct SramStream {
  uint64_t base = 0;
  uint64_t rows = 0;
  uint64_t rowBytes = 0;
  uint64_t strideBytes = 0;
  bool write = false;
};

/// Bank-conflict model of the scratchpad: address a lives in bank
/// (a / bankWidthBytes) mod banks, and each bank serves one bankWidthBytes
/// line per cycle. Streams accessed together take as many cycles as the
/// busiest bank has lines to serve. Also sums the bytes read and written.
struct SramAccessCost {
  uint64_t cycles = 0;
  uint64_t readBytes = 0, writeBytes = 0;
};
SramAccessCost sramAccessCost(const SramConfig &sram, const SramStream *streams,
                              unsigned count);

/// Vector-unit latency: startupCycles + lineCycles * passes, where
/// lineCycles = ceil(rows * cols / lanes) and one pass of transcendental ops
/// runs transcendentalCycles per line; bounded below by the scratchpad.
struct VectorCost {
  uint64_t elements = 0;     ///< rows * cols
  uint64_t lineCycles = 0;   ///< ceil(elements / lanes)
  uint32_t passes = 0;       ///< 1, or rowOpPasses for softmax/norms/quantize
  bool transcendental = false;
  uint64_t computeCycles = 0;
  SramAccessCost sram;
  uint64_t cycles = 0;       ///< max(computeCycles, sram.cycles)
};
VectorCost vectorCost(const CoreConfig &core, const func::ResolvedVec &op);

/// The scratchpad streams of a vector instruction (at most 4), for the bank
/// model above. Exposed for tests.
unsigned vectorStreams(const func::ResolvedVec &op, SramStream out[4]);

/// True for VSoftmax, VRmsNorm, VLayerNorm and VQuantize: they make
/// rowOpPasses passes over each row (reduce, then normalise/scale).
bool isRowOp(isa::Opcode op);

/// Splits a 3D DMA descriptor into memory requests: each contiguous run of
/// size[0] bytes is cut at multiples of requestBytes of the HBM-side address
/// (the source of a load from HBM, else the destination), so no request
/// crosses a request-aligned boundary. Iterates without allocating.
class DmaRequestCursor {
public:
  struct Request {
    uint64_t src = 0, dst = 0;
    uint32_t bytes = 0;
  };
  DmaRequestCursor() = default;
  DmaRequestCursor(uint64_t src, uint64_t dst, const uint32_t size[3],
                   const uint32_t srcStride[2], const uint32_t dstStride[2],
                   uint32_t requestBytes, bool alignOnSrc);
  bool done() const { return i2_ >= size_[2] || size_[0] == 0 || size_[1] == 0; }
  Request next();

  /// Requests the whole descriptor needs.
  static uint64_t count(uint64_t src, uint64_t dst, const uint32_t size[3],
                        const uint32_t srcStride[2], const uint32_t dstStride[2],
                        uint32_t requestBytes, bool alignOnSrc);

private:
  uint64_t src_ = 0, dst_ = 0;
  uint32_t size_[3] = {0, 0, 0};
  uint32_t srcStride_[2] = {0, 0}, dstStride_[2] = {0, 0};
  uint32_t requestBytes_ = 1;
  bool alignOnSrc_ = true;
  uint32_t i1_ = 0, i2_ = 0;
  uint32_t offset_ = 0; ///< bytes of the current run already emitted
};

} // namespace strata::sim::core
