//===- LinearKernel.h - A linear kernel as its two schedules see it -*- C++ -*-===//
//
// graph.linear, graph.fused_linear and graph.matmul become one LinearKernel:
// an input, optional norm prologue, one or more output jobs (weights, biases,
// swiglu pairs) and an epilogue. Two schedules emit it:
//
//   row-stationary (LowerLinear.cpp)     a row tile of prepared inputs stays
//                                        in SRAM, weight tiles stream past it
//                                        once per row tile: decode, short
//                                        prompts;
//   output-stationary (LowerLinearPrefill.cpp)
//                                        FP32 accumulators of all rows stay
//                                        in SRAM, inputs and weights stream
//                                        in K chunks: each weight byte is
//                                        read once for a prefill chunk.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "LoweringContext.h"

#include <functional>
#include <tuple>
#include <utility>
#include <vector>

namespace strata::lowering {

/// The B operand of a GEMM kernel: a weight (constant) or an activation.
struct MatOperand {
  mlir::StringAttr symbol;
  int64_t offset = 0;
  DType dtype = DType::F32;
  int64_t n = 0, k = 0;
  bool kn = false; ///< stored [K][N] instead of [N][K]
  bool quantized = false, perGroup = false;
  int64_t groupSize = 0;
  DType scaleType = DType::F32;
  mlir::StringAttr scales;
  bool activation = false; ///< an HBM activation (synchronised like inputs)
  int64_t elemBytes(int64_t count) const { return int64_t(dtypeBytes(dtype, count)); }
  int64_t scaleBytes() const { return scaleType == DType::F16 ? 2 : 4; }
  int64_t groups() const { return perGroup ? k / groupSize : 1; }
};

/// How the GEMM's A operand is prepared from the f32 activation.
struct AForm {
  DType type = DType::F32; ///< f32, f16, bf16 or i8
  bool quantized = false;
  int64_t group = 0; ///< quantization group (0: per row)
  DType scaleType = DType::F32;
  bool operator<(const AForm &o) const {
    return std::tie(type, quantized, group, scaleType) <
           std::tie(o.type, o.quantized, o.group, o.scaleType);
  }
  bool operator==(const AForm &o) const { return !(*this < o) && !(o < *this); }
  int64_t scaleBytes() const { return scaleType == DType::F16 ? 2 : 4; }
  /// Scale groups per row of K inputs (per-row quantization: 1).
  int64_t groups(int64_t k) const { return group ? k / group : 1; }
};

/// The A form a GEMM against `b` takes.
AForm formFor(const MatOperand &b);

/// One result of the kernel: B (and, for swiglu, the up half B2).
struct OutputJob {
  MatOperand b, b2;
  bool paired = false; ///< swiglu: gate = b, up = b2, output n = b.n
  const WeightInfo *bias = nullptr, *bias2 = nullptr;
  Tensor out;
  mlir::Value result; ///< the graph value of `out`
  /// (core, [n0, n1)) slices of the output columns.
  std::vector<std::pair<unsigned, std::pair<int64_t, int64_t>>> slices;
  int64_t pair() const { return paired ? 2 : 1; }
};

struct LinearKernel {
  mlir::Operation *op = nullptr;
  Tensor x;
  graph::NormKind norm = graph::NormKind::None;
  const WeightInfo *gamma = nullptr, *beta = nullptr;
  double eps = 0;
  npu::Activation act = npu::Activation::None;
  std::optional<Tensor> residual;
  std::vector<OutputJob> outs;
};

/// A unit of pipelined work on one core.
struct Step {
  std::function<void()> loads;
  std::function<void()> compute;
  /// Loads activations (written by earlier kernels, so possibly behind a
  /// barrier) rather than weights.
  bool activation = false;
};

/// Emits `steps` software-pipelined: loads run `depth - 1` steps ahead of
/// compute (activation loads right before their compute).
void emitPipelined(std::vector<Step> &steps, unsigned depth);

/// Loads columns [n0, n0 + nt) x inputs [k0, k0 + kk) of the job's weights
/// (gate then up for a swiglu pair) into a new buffer `w` laid out as the
/// GEMM reads it ([pair*nt][kk] for nk weights, [kk][pair*nt] for kn), and
/// their scales into `scales` (quantized weights).
void loadWeightTile(KernelEmitter &em, const ArchConfig &arch, const OutputJob &job,
                    int64_t n0, int64_t nt, int64_t k0, int64_t kk, mlir::Value &w,
                    mlir::Value &scales);

/// The job's biases for columns [n0, n0 + nt) as f32 [pair*nt].
mlir::Value loadBiasTile(KernelEmitter &em, const OutputJob &job, int64_t n0, int64_t nt);

/// The kernel's norm parameters in SRAM (beta only for a layer norm).
struct NormParams {
  mlir::Value gamma, beta;
};
NormParams loadNormParams(KernelEmitter &em, const LinearKernel &k);

/// The kernel's norm (RMS or layer) over `rows` dense rows of x to `dst`
/// (at `dstOff`), in type `out`.
void emitNormRows(KernelEmitter &em, const LinearKernel &k, const NormParams &p,
                  mlir::Value x, mlir::Value dst, int64_t dstOff, int64_t rows, DType out);

/// The output-stationary schedule (LowerLinearPrefill.cpp), for a kernel
/// whose job slices are planned; a diagnostic on the op when it does not
/// apply (see outputStationaryApplies).
mlir::LogicalResult emitOutputStationary(EntryLowering &e, LinearKernel &k);

/// Whether the output-stationary schedule can emit `k`: weights (not an
/// activation) as every B operand, one weight precision, and a tiling that
/// fits the SRAM budget.
bool outputStationaryApplies(EntryLowering &e, LinearKernel &k);

} // namespace strata::lowering
