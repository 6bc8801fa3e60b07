//===- LoweringContext.h - State shared by the graph -> npu kernels -*- C++ -*-===//
//
// The lowering walks each entry function in order and turns every graph op
// into a kernel: code appended to the programs of the cores that run it.
// This header holds what kernels share:
//
//   ModuleLowering  the HBM memory plan (weights as npu.constant, I/O
//                   bindings, the KV cache, activation buffers) and the arch;
//   EntryLowering   one entry point: its cores, where each graph value lives
//                   (an HBM tensor, a weight, or an index in a register), and
//                   which tensors other cores wrote since the last barrier;
//   CoreState       one core's program: an insertion point, its scalar
//                   registers and the current tensor-core configuration;
//   KernelEmitter   small builders for npu ops on one core.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/Compiler/WeightStore.h"
#include "strata/Dialect/Graph/IR/GraphOps.h"
#include "strata/Dialect/Npu/IR/NpuOps.h"
#include "strata/target/ArchConfig.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace strata::lowering {

/// How linear layers are scheduled (docs/compiler.md, "Linear layers").
enum class LinearSchedule {
  Auto,          ///< output-stationary when a kernel's rows exceed one row tile
  RowStationary, ///< a row tile of inputs resident, weights streamed per row tile
  OutputStationary, ///< FP32 accumulators resident, inputs and weights in K chunks
};

struct LoweringOptions {
  unsigned cores = 0;         ///< 0: all cores of the arch
  unsigned prefillChunk = 0;  ///< rows per activation tile; 0: SRAM budget decides
  unsigned prefetchDepth = 2; ///< weight tiles in flight per core
  LinearSchedule linearSchedule = LinearSchedule::Auto;
  unsigned prefillKChunk = 0; ///< output-stationary K chunk; 0: cost model
  /// How the output-stationary schedule adds K chunks: nullopt lets the cost
  /// model choose; true: the GEMM's accumulate; false: vector adds.
  std::optional<bool> prefillAccumulate;
  /// A decode step's K and V rows of an f32 cache stay in SRAM between
  /// steps when they take at most an eighth of it (NpuResidency.h).
  bool residentKv = true;
  /// Activations of several rows get a padded row pitch where the packed
  /// one would camp on few pseudo-channels (EntryLowering::activationPitch).
  bool padRows = true;
};

/// Alignment of activation buffers in HBM (one DMA request).
inline constexpr int64_t kHbmAlign = 256;
/// Alignment of SRAM buffers (one bank line).
inline constexpr int64_t kSramAlign = 64;

/// `v` rounded up to a multiple of `a` (any positive `a`).
inline int64_t alignUp(int64_t v, int64_t a) { return (v + a - 1) / a * a; }

/// A weight as placed in the binary.
struct WeightInfo {
  std::string name;        ///< weight-store / graph.weight name
  mlir::StringAttr payload; ///< npu.constant with the values
  mlir::StringAttr scales;  ///< npu.constant with the scales (quantized only)
  DType dtype = DType::F32;
  int64_t rows = 1, cols = 1; ///< 2D view of the stored tensor (1D: one row)
  bool quantized = false;
  bool perGroup = false;
  int64_t groupSize = 0;
  DType scaleType = DType::F32;
  int64_t elemBytes(int64_t count) const { return int64_t(dtypeBytes(dtype, count)); }
  int64_t scaleBytes() const { return scaleType == DType::F16 ? 2 : 4; }
  /// Scale groups per row (per-channel: 1).
  int64_t groupsPerRow() const { return perGroup ? cols / groupSize : 1; }
};

/// An activation tensor in HBM: [rows][cols] row-major at symbol + offset,
/// row r at `offset + r * stride()`. The pitch exceeds the row's bytes only
/// for activations the lowering pads (EntryLowering::activationPitch).
struct Tensor {
  mlir::StringAttr symbol;
  int64_t offset = 0;
  int64_t rows = 0, cols = 0;
  DType dtype = DType::F32;
  int64_t pitch = 0; ///< bytes from one row to the next; 0: rowBytes()
  int64_t rowBytes() const { return int64_t(dtypeBytes(dtype, cols)); }
  int64_t stride() const { return pitch ? pitch : rowBytes(); }
  bool packed() const { return stride() == rowBytes(); }
  /// Bytes the tensor spans in HBM.
  int64_t bytes() const { return rows * stride(); }
  /// HBM offset of element (row, col) within `symbol`.
  int64_t at(int64_t row, int64_t col) const {
    return offset + row * stride() + int64_t(dtypeBytes(dtype, col));
  }
};

class ModuleLowering;
class EntryLowering;

/// One core's program and registers.
struct CoreState {
  unsigned id = 0;
  npu::CoreOp op;
  mlir::OpBuilder builder;
  /// Registers not holding a parameter or a cached value.
  std::vector<bool> regFree;
  /// Index values and derived quantities already in registers.
  llvm::DenseMap<mlir::Value, unsigned> indexRegs;
  llvm::StringMap<unsigned> derived;
  std::optional<std::pair<isa::Gang, DType>> tc;

  explicit CoreState(mlir::MLIRContext *ctx) : builder(ctx) {}
  /// A free register, or nullopt when all 31 are taken.
  std::optional<unsigned> takeReg();
  void releaseReg(unsigned r);
};

/// Builders for npu ops on one core.
class KernelEmitter {
public:
  KernelEmitter(CoreState &core, mlir::Location loc) : core_(core), loc_(loc) {}
  CoreState &core() { return core_; }
  mlir::OpBuilder &b() { return core_.builder; }
  mlir::Location loc() const { return loc_; }
  mlir::MLIRContext *ctx() { return core_.builder.getContext(); }

  mlir::Value alloc(int64_t bytes, llvm::StringRef tag);
  /// A buffer placed at `offset` already, whose bytes outlive the program
  /// (NpuResidency.h).
  mlir::Value allocResident(int64_t bytes, int64_t offset, llvm::StringRef tag);

  /// [rows] x [rowBytes] from HBM to SRAM (strides in bytes; 0 = packed).
  npu::DmaLoadOp load(mlir::Value dst, int64_t dstOffset, mlir::StringAttr symbol,
                      int64_t srcOffset, int64_t rowBytes, int64_t rows = 1,
                      int64_t srcStride = 0, int64_t dstStride = 0);
  npu::DmaStoreOp store(mlir::Value src, int64_t srcOffset, mlir::StringAttr symbol,
                        int64_t dstOffset, int64_t rowBytes, int64_t rows = 1,
                        int64_t srcStride = 0, int64_t dstStride = 0);
  /// The same copy as load(), cut into up to `parts` DMAs (by rows, or by
  /// bytes for one row) that the core's engines run at once. One engine's
  /// requests in flight do not cover the memory latency at a core's share of
  /// the bandwidth, and a semaphore after a load waits for the load queue to
  /// drain, so a big tile must be several DMAs to keep the engines busy.
  void loadParallel(mlir::Value dst, int64_t dstOffset, mlir::StringAttr symbol,
                    int64_t srcOffset, int64_t rowBytes, int64_t rows, int64_t srcStride,
                    int64_t dstStride, unsigned parts);
  /// The same copy as store(), cut like loadParallel().
  void storeParallel(mlir::Value src, int64_t srcOffset, mlir::StringAttr symbol,
                     int64_t dstOffset, int64_t rowBytes, int64_t rows, int64_t srcStride,
                     int64_t dstStride, unsigned parts);
  /// Whole rows of an HBM tensor to a packed SRAM buffer, and back.
  void loadRows(mlir::Value dst, int64_t dstOffset, const Tensor &t, int64_t row0,
                int64_t rows);
  void storeRows(mlir::Value src, int64_t srcOffset, const Tensor &t, int64_t row0,
                 int64_t rows);

  /// Reconfigures the tensor cores if the core is not already in (gang, precision).
  void tcConfig(isa::Gang gang, DType precision);

  struct Vec {
    mlir::Value x, y, z, dst;
    int64_t xOff = 0, yOff = 0, zOff = 0, dstOff = 0;
    mlir::Attribute rows, cols, aux;
    DType in = DType::F32, out = DType::F32;
    std::optional<DType> in1;
    int64_t ld0 = 0, ld1 = 0, ldd = 0, aux2 = 0;
    float fimm = 0.0f;
    npu::Broadcast bcast = npu::Broadcast::None;
    bool causal = false, ropeHalf = false;
  };
  /// A vector op over `rows` dense rows of `cols` elements, `x` to `dst`.
  Vec denseRows(mlir::Value x, mlir::Value dst, int64_t rows, int64_t cols, DType in,
                DType out) {
    Vec v;
    v.x = x;
    v.dst = dst;
    v.rows = imm(rows);
    v.cols = imm(cols);
    v.in = in;
    v.out = out;
    v.ld0 = v.ldd = cols;
    return v;
  }
  template <typename Op> Op vec(const Vec &v) {
    mlir::OpBuilder &bb = b();
    auto i64 = [&](int64_t x) { return bb.getI64IntegerAttr(x); };
    auto type = [&](DType t) { return mlir::TypeAttr::get(npu::toMlirType(ctx(), t)); };
    return bb.create<Op>(
        loc_, v.x, v.y, v.z, v.dst, i64(v.xOff), v.y ? i64(v.yOff) : mlir::IntegerAttr(),
        v.z ? i64(v.zOff) : mlir::IntegerAttr(), i64(v.dstOff), v.rows, v.cols, v.aux,
        type(v.in), v.in1 ? type(*v.in1) : mlir::TypeAttr(), type(v.out), i64(v.ld0),
        v.ld1 ? i64(v.ld1) : mlir::IntegerAttr(), i64(v.ldd),
        v.aux2 ? i64(v.aux2) : mlir::IntegerAttr(),
        v.fimm != 0.0f ? bb.getF32FloatAttr(v.fimm) : mlir::FloatAttr(),
        v.bcast != npu::Broadcast::None ? npu::BroadcastAttr::get(ctx(), v.bcast)
                                        : npu::BroadcastAttr(),
        v.causal ? bb.getUnitAttr() : mlir::UnitAttr(),
        v.ropeHalf ? bb.getUnitAttr() : mlir::UnitAttr());
  }

  struct Gemm {
    mlir::Value a, b, c, scaleA, scaleB, bias;
    int64_t aOff = 0, bOff = 0, cOff = 0, scaleAOff = 0, scaleBOff = 0, biasOff = 0;
    mlir::Attribute m, n, k;
    int64_t lda = 0, ldb = 0, ldc = 0;
    DType aType = DType::F32, bType = DType::F32, outType = DType::F32;
    std::optional<DType> scaleType;
    npu::ScaleMode aScale = npu::ScaleMode::None, bScale = npu::ScaleMode::None;
    npu::Activation act = npu::Activation::None;
    bool transB = false, accumulate = false;
    int64_t groupSize = 0;
  };
  npu::GemmOp gemm(const Gemm &g);

  mlir::Attribute imm(int64_t v);
  mlir::Attribute reg(unsigned r);

  // Scalar code.
  void li(unsigned rd, int64_t imm);
  void addi(unsigned rd, unsigned rs, int64_t imm);
  void muli(unsigned rd, unsigned rs, int64_t imm);
  void add(unsigned rd, unsigned rs1, unsigned rs2);
  void sub(unsigned rd, unsigned rs1, unsigned rs2);
  void mul(unsigned rd, unsigned rs1, unsigned rs2);
  void min(unsigned rd, unsigned rs1, unsigned rs2);
  void max(unsigned rd, unsigned rs1, unsigned rs2);

private:
  CoreState &core_;
  mlir::Location loc_;
};

/// The module: arch, options, memory plan.
class ModuleLowering {
public:
  ModuleLowering(mlir::ModuleOp module, const ArchConfig &arch, const LoweringOptions &options,
                 WeightStore &store);

  mlir::ModuleOp module() { return module_; }
  mlir::MLIRContext *ctx() { return module_.getContext(); }
  const ArchConfig &arch() const { return arch_; }
  const LoweringOptions &options() const { return options_; }
  unsigned numCores() const;
  /// SRAM bytes a kernel may plan with (the rest stays free for prefetch).
  int64_t sramBudget() const;

  /// The resident KV cache's SRAM per core (0: none), reserved at the top
  /// of every core's SRAM for the decode steps' K and V rows.
  int64_t residentKvBytes() const { return residentKvBytes_; }
  /// Whether entry `f` keeps KV rows resident (and so takes kv_valid).
  bool usesResidentKv(mlir::func::FuncOp f);
  /// The fixed SRAM offset of core `core`'s resident buffer `key` of
  /// `bytes`, placed on first use; nullopt when the KV cache is not
  /// resident.
  std::optional<int64_t> residentKvOffset(unsigned core, llvm::StringRef key, int64_t bytes);

  /// The weight behind a graph.weight, placing its constants on first use.
  mlir::FailureOr<const WeightInfo *> weight(graph::WeightOp op);
  mlir::FailureOr<const WeightInfo *> weight(mlir::Value v);

  /// The I/O binding `name` (created with `type` on first use; a later use
  /// with a larger shape of the same element type grows it).
  mlir::FailureOr<Tensor> ioTensor(llvm::StringRef name, npu::IoDirection dir,
                                   mlir::RankedTensorType type, mlir::Location loc);

  /// The KV cache: symbol and layout [layers][kv_heads][2][max_seq][head_dim].
  struct KvCache {
    mlir::StringAttr symbol;
    int64_t layers = 0, maxSeq = 0, kvHeads = 0, headDim = 0;
    DType dtype = DType::F32;
    int64_t rowBytes() const { return int64_t(dtypeBytes(dtype, headDim)); }
    int64_t headBytes() const { return maxSeq * rowBytes(); }
    /// The head's K rows; its V rows follow them at headBytes().
    int64_t base(int64_t layer, int64_t head) const {
      return (layer * kvHeads + head) * 2 * headBytes();
    }
  };
  mlir::FailureOr<const KvCache *> kvCache(mlir::FlatSymbolRefAttr name, mlir::Operation *user);

  /// A fresh activation buffer of `bytes` in the activations region, at
  /// `entryOffset` of the entry (entries share the region: they never run
  /// at the same time).
  mlir::StringAttr newActivation(llvm::StringRef entry, int64_t &entryOffset, int64_t bytes);

  /// Creates the npu.region ops with their final sizes and records the arch.
  void finish();

private:
  mlir::StringAttr newConstant(llvm::StringRef name, llvm::StringRef weight, npu::ConstPart part,
                               int64_t bytes);
  void planResidentKv();
  mlir::ModuleOp module_;
  ArchConfig arch_;
  LoweringOptions options_;
  WeightStore &store_;
  mlir::OpBuilder symbols_;
  llvm::StringMap<std::unique_ptr<WeightInfo>> weights_;
  llvm::StringMap<std::pair<npu::IoOp, Tensor>> io_;
  llvm::StringMap<std::unique_ptr<KvCache>> kv_;
  int64_t weightBytes_ = 0, ioBytes_ = 0, activationBytes_ = 0, kvBytes_ = 0;
  unsigned actCounter_ = 0;
  int64_t residentKvBytes_ = 0;
  llvm::StringMap<int64_t> residentKvSlots_; ///< "core/key" -> offset
  std::vector<int64_t> residentKvTop_;       ///< per core: bytes placed
};

/// One entry point being lowered.
class EntryLowering {
public:
  EntryLowering(ModuleLowering &module, npu::EntryOp entry,
                llvm::ArrayRef<std::pair<mlir::Value, unsigned>> params);

  ModuleLowering &module() { return module_; }
  const ArchConfig &arch() const { return module_.arch(); }
  llvm::StringRef name() { return entry_.getSymName(); }
  unsigned numCores() const { return static_cast<unsigned>(cores_.size()); }
  CoreState &core(unsigned c) { return *cores_[c]; }
  /// Next core for single-core kernels, rotating so small kernels spread.
  unsigned nextCore() { return rotate_++ % numCores(); }
  /// The core for a single-core kernel reading `input`: the one core that
  /// wrote it, so a chain of small kernels needs no barrier; else the next
  /// core in rotation.
  unsigned coreFor(const Tensor &input);

  // Where graph values live.
  void setTensor(mlir::Value v, const Tensor &t) { tensors_[v] = t; }
  mlir::FailureOr<Tensor> tensor(mlir::Value v, mlir::Operation *user);
  bool isWeight(mlir::Value v) const;
  /// The HBM tensor a kernel writes its result `v` into: a preassigned
  /// output binding, or a new activation buffer.
  Tensor resultTensor(mlir::Value v, DType dtype);
  void preassign(mlir::Value v, const Tensor &t) { preassigned_[v] = t; }
  /// The type to store activation `v` in: f16 or bf16 when every use of it
  /// is the input of a linear layer (no norm prologue) whose weights are all
  /// of that type, so the value is only ever read as a GEMM's A operand and
  /// storing it rounded is exactly the cast its readers apply; else f32.
  DType storageType(mlir::Value v);
  /// A new [rows][cols] activation buffer that no graph value names (a
  /// kernel's intermediate that other cores read).
  Tensor scratchTensor(int64_t rows, int64_t cols, DType dtype);
  /// Row pitch for a new [rows][cols] activation: its packed row size, or
  /// one interleave chunk more where the packed pitch is a multiple of
  /// several chunks whose count shares a factor of 4 or more with the
  /// pseudo-channels under the `interleaved` mapping. A column tile of such
  /// an activation (an output tile of 1 KiB rows 16 KiB apart, an A chunk of
  /// 2 KiB rows 8 KiB apart) then reaches every pseudo-channel instead of a
  /// quarter or fewer of them.
  int64_t activationPitch(int64_t rows, int64_t cols, DType dtype) const;

  /// Register holding index value `v` on core `c` (computed on first use).
  mlir::FailureOr<unsigned> indexReg(unsigned c, mlir::Value v, mlir::Location loc);
  /// Register of the entry's scalar parameter `name` (e.g. kv_valid, which
  /// no graph argument provides).
  mlir::FailureOr<unsigned> paramReg(llvm::StringRef name, mlir::Location loc);
  /// A compile-time constant index, if `v` is one.
  std::optional<int64_t> constantIndex(mlir::Value v);
  /// Register holding a derived quantity named `key` on core `c`, computed
  /// by `compute(rd)` the first time.
  mlir::FailureOr<unsigned> derivedReg(unsigned c, llvm::StringRef key, mlir::Location loc,
                                       llvm::function_ref<void(KernelEmitter &, unsigned)> compute);
  /// A scratch register on core `c`, released with releaseTemp.
  mlir::FailureOr<unsigned> tempReg(unsigned c, mlir::Location loc);
  void releaseTemp(unsigned c, unsigned r) { cores_[c]->releaseReg(r); }

  /// Makes tensors that other cores wrote visible to the consumer cores:
  /// when some consumer does not yet see a write to an input, emits a
  /// barrier over the consumers that do not and the writers they need.
  void syncInputs(llvm::ArrayRef<Tensor> inputs, uint64_t consumerMask, mlir::Location loc);
  /// Records that core `c` wrote `t` (for the next syncInputs).
  void noteWrite(const Tensor &t, unsigned c);

  int64_t activationBytes() const { return activationOffset_; }

private:
  ModuleLowering &module_;
  npu::EntryOp entry_;
  std::vector<std::unique_ptr<CoreState>> cores_;
  llvm::DenseMap<mlir::Value, Tensor> tensors_;
  llvm::DenseMap<mlir::Value, Tensor> preassigned_;
  llvm::DenseMap<mlir::Value, unsigned> params_;
  /// Symbols with a write not every core sees yet: per writer core, the
  /// cores that see its last write (0: no such write). A barrier makes what
  /// any of its cores sees visible to all of them, and since each core
  /// passes its barriers in order, visibility carries along chains of
  /// barriers: a core idle in a kernel need not join its barrier.
  llvm::DenseMap<mlir::StringAttr, llvm::SmallVector<uint64_t, 8>> visibleTo_;
  /// Barrier ids by core mask: every arrival at one id names one mask (a
  /// core's k-th arrival at an id meets the others' k-th), and the cores of
  /// a mask meet at its barriers in one order.
  llvm::DenseMap<uint64_t, unsigned> barrierIds_;
  /// Every core that ever wrote a symbol in this entry.
  llvm::DenseMap<mlir::StringAttr, uint64_t> writers_;
  std::vector<mlir::StringAttr> pendingOrder_;
  int64_t activationOffset_ = 0;
  unsigned rotate_ = 0;
};

/// A kernel's failure, reported on the graph op.
mlir::LogicalResult kernelError(mlir::Operation *op, const llvm::Twine &message);

} // namespace strata::lowering
