//===- LoweringContext.cpp - State shared by the graph -> npu kernels -----===//
#include "LoweringContext.h"

#include "strata/Dialect/Graph/Transforms/WeightLoading.h"
#include "strata/Dialect/Npu/IR/NpuResidency.h"
#include "strata/target/ArchConfigIO.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/ADT/bit.h"

#include <numeric>

using namespace mlir;

namespace strata::lowering {

LogicalResult kernelError(Operation *op, const Twine &message) {
  return op->emitOpError() << "cannot be lowered to the NPU: " << message;
}

//===----------------------------------------------------------------------===//
// CoreState
//===----------------------------------------------------------------------===//

std::optional<unsigned> CoreState::takeReg() {
  for (unsigned r = 1; r < regFree.size(); ++r)
    if (regFree[r]) {
      regFree[r] = false;
      return r;
    }
  return std::nullopt;
}

void CoreState::releaseReg(unsigned r) {
  if (r > 0 && r < regFree.size())
    regFree[r] = true;
}

//===----------------------------------------------------------------------===//
// KernelEmitter
//===----------------------------------------------------------------------===//

Attribute KernelEmitter::imm(int64_t v) { return npu::immDim(ctx(), v); }
Attribute KernelEmitter::reg(unsigned r) { return npu::regDim(ctx(), r); }

Value KernelEmitter::alloc(int64_t bytes, StringRef tag) {
  auto op = b().create<npu::AllocOp>(loc_, npu::BufferType::get(ctx()),
                                     b().getI64IntegerAttr(alignUp(bytes, kSramAlign)),
                                     b().getI64IntegerAttr(kSramAlign), IntegerAttr(),
                                     b().getStringAttr(tag));
  return op.getBuffer();
}

Value KernelEmitter::allocResident(int64_t bytes, int64_t offset, StringRef tag) {
  Value buffer = alloc(bytes, tag);
  auto op = buffer.getDefiningOp<npu::AllocOp>();
  op.setOffsetAttr(b().getI64IntegerAttr(offset));
  op->setAttr(npu::kPinnedAttr, b().getUnitAttr());
  return buffer;
}

/// Rows that are contiguous on both sides are one linear copy.
static void coalesce(int64_t &rowBytes, int64_t &rows, int64_t &srcStride, int64_t &dstStride) {
  if (rows > 1 && (srcStride == 0 || srcStride == rowBytes) &&
      (dstStride == 0 || dstStride == rowBytes)) {
    rowBytes *= rows;
    rows = 1;
    srcStride = dstStride = 0;
  }
}

static ArrayAttr dmaSize(OpBuilder &b, int64_t rowBytes, int64_t rows) {
  SmallVector<Attribute> dims{npu::immDim(b.getContext(), rowBytes)};
  if (rows != 1)
    dims.push_back(npu::immDim(b.getContext(), rows));
  return b.getArrayAttr(dims);
}

npu::DmaLoadOp KernelEmitter::load(Value dst, int64_t dstOffset, StringAttr symbol,
                                   int64_t srcOffset, int64_t rowBytes, int64_t rows,
                                   int64_t srcStride, int64_t dstStride) {
  OpBuilder &bb = b();
  coalesce(rowBytes, rows, srcStride, dstStride);
  DenseI64ArrayAttr ss, ds;
  if (rows != 1) {
    ss = bb.getDenseI64ArrayAttr({srcStride ? srcStride : rowBytes});
    ds = bb.getDenseI64ArrayAttr({dstStride ? dstStride : rowBytes});
  }
  return bb.create<npu::DmaLoadOp>(loc_, dst, Value(), bb.getI64IntegerAttr(dstOffset),
                                   FlatSymbolRefAttr::get(symbol),
                                   bb.getI64IntegerAttr(srcOffset), IntegerAttr(), IntegerAttr(),
                                   IntegerAttr(), dmaSize(bb, rowBytes, rows), ss, ds,
                                   DenseI64ArrayAttr(), DenseI64ArrayAttr());
}

/// Cuts a [rows][rowBytes] copy into up to `parts` pieces (by rows, or by
/// bytes for one row) and hands each to `copy(srcOffset, dstOffset,
/// rowBytes, rows, srcStride, dstStride)`, offsets relative to the copy's.
template <typename Copy>
static void splitCopy(int64_t rowBytes, int64_t rows, int64_t srcStride, int64_t dstStride,
                      unsigned parts, Copy copy) {
  // Pieces below this size are not worth an engine's setup.
  constexpr int64_t kMinPiece = 64 * 1024;
  int64_t sStride = srcStride ? srcStride : rowBytes, dStride = dstStride ? dstStride : rowBytes;
  coalesce(rowBytes, rows, srcStride, dstStride);
  int64_t total = rowBytes * rows;
  int64_t n = std::min<int64_t>(parts, std::max<int64_t>(1, total / kMinPiece));
  if (n <= 1) {
    copy(0, 0, rowBytes, rows, srcStride, dstStride);
    return;
  }
  if (rows == 1) {
    int64_t piece = alignUp((rowBytes + n - 1) / n, 256);
    for (int64_t off = 0; off < rowBytes; off += piece)
      copy(off, off, std::min(piece, rowBytes - off), 1, 0, 0);
    return;
  }
  int64_t per = (rows + n - 1) / n;
  for (int64_t r = 0; r < rows; r += per)
    copy(r * sStride, r * dStride, rowBytes, std::min(per, rows - r), sStride, dStride);
}

void KernelEmitter::loadParallel(Value dst, int64_t dstOffset, StringAttr symbol,
                                 int64_t srcOffset, int64_t rowBytes, int64_t rows,
                                 int64_t srcStride, int64_t dstStride, unsigned parts) {
  splitCopy(rowBytes, rows, srcStride, dstStride, parts,
            [&](int64_t s, int64_t d, int64_t rb, int64_t n, int64_t ss, int64_t ds) {
              load(dst, dstOffset + d, symbol, srcOffset + s, rb, n, ss, ds);
            });
}

void KernelEmitter::storeParallel(Value src, int64_t srcOffset, StringAttr symbol,
                                  int64_t dstOffset, int64_t rowBytes, int64_t rows,
                                  int64_t srcStride, int64_t dstStride, unsigned parts) {
  splitCopy(rowBytes, rows, srcStride, dstStride, parts,
            [&](int64_t s, int64_t d, int64_t rb, int64_t n, int64_t ss, int64_t ds) {
              store(src, srcOffset + s, symbol, dstOffset + d, rb, n, ss, ds);
            });
}

npu::DmaStoreOp KernelEmitter::store(Value src, int64_t srcOffset, StringAttr symbol,
                                     int64_t dstOffset, int64_t rowBytes, int64_t rows,
                                     int64_t srcStride, int64_t dstStride) {
  OpBuilder &bb = b();
  coalesce(rowBytes, rows, srcStride, dstStride);
  DenseI64ArrayAttr ss, ds;
  if (rows != 1) {
    ss = bb.getDenseI64ArrayAttr({srcStride ? srcStride : rowBytes});
    ds = bb.getDenseI64ArrayAttr({dstStride ? dstStride : rowBytes});
  }
  return bb.create<npu::DmaStoreOp>(loc_, src, Value(), bb.getI64IntegerAttr(srcOffset),
                                    FlatSymbolRefAttr::get(symbol),
                                    bb.getI64IntegerAttr(dstOffset), IntegerAttr(),
                                    IntegerAttr(), IntegerAttr(), dmaSize(bb, rowBytes, rows),
                                    ss, ds, DenseI64ArrayAttr(), DenseI64ArrayAttr());
}

void KernelEmitter::loadRows(Value dst, int64_t dstOffset, const Tensor &t, int64_t row0,
                             int64_t rows) {
  // Packed in SRAM; one linear copy unless the HBM rows are padded.
  if (t.packed() || rows == 1)
    load(dst, dstOffset, t.symbol, t.at(row0, 0), rows * t.rowBytes());
  else
    load(dst, dstOffset, t.symbol, t.at(row0, 0), t.rowBytes(), rows, t.stride(), t.rowBytes());
}

void KernelEmitter::storeRows(Value src, int64_t srcOffset, const Tensor &t, int64_t row0,
                              int64_t rows) {
  if (t.packed() || rows == 1)
    store(src, srcOffset, t.symbol, t.at(row0, 0), rows * t.rowBytes());
  else
    store(src, srcOffset, t.symbol, t.at(row0, 0), t.rowBytes(), rows, t.rowBytes(), t.stride());
}

void KernelEmitter::tcConfig(isa::Gang gang, DType precision) {
  if (core_.tc && core_.tc->first == gang && core_.tc->second == precision)
    return;
  b().create<npu::TcConfigOp>(loc_, npu::GangAttr::get(ctx(), static_cast<npu::Gang>(gang)),
                              TypeAttr::get(npu::toMlirType(ctx(), precision)));
  core_.tc = {gang, precision};
}

npu::GemmOp KernelEmitter::gemm(const Gemm &g) {
  OpBuilder &bb = b();
  auto i64 = [&](int64_t x) { return bb.getI64IntegerAttr(x); };
  auto type = [&](DType t) { return TypeAttr::get(npu::toMlirType(ctx(), t)); };
  return bb.create<npu::GemmOp>(
      loc_, g.a, g.b, g.c, g.scaleA, g.scaleB, g.bias, i64(g.aOff), i64(g.bOff), i64(g.cOff),
      g.scaleA ? i64(g.scaleAOff) : IntegerAttr(), g.scaleB ? i64(g.scaleBOff) : IntegerAttr(),
      g.bias ? i64(g.biasOff) : IntegerAttr(), g.m, g.n, g.k, i64(g.lda), i64(g.ldb),
      i64(g.ldc), type(g.aType), type(g.bType), type(g.outType),
      g.scaleType ? type(*g.scaleType) : TypeAttr(),
      g.aScale != npu::ScaleMode::None ? npu::ScaleModeAttr::get(ctx(), g.aScale)
                                       : npu::ScaleModeAttr(),
      g.bScale != npu::ScaleMode::None ? npu::ScaleModeAttr::get(ctx(), g.bScale)
                                       : npu::ScaleModeAttr(),
      g.act != npu::Activation::None ? npu::ActivationAttr::get(ctx(), g.act)
                                     : npu::ActivationAttr(),
      g.transB ? bb.getUnitAttr() : UnitAttr(), g.accumulate ? bb.getUnitAttr() : UnitAttr(),
      g.groupSize ? i64(g.groupSize) : IntegerAttr(), IntegerAttr());
}

void KernelEmitter::li(unsigned rd, int64_t v) {
  b().create<npu::LiOp>(loc_, b().getI32IntegerAttr(rd), b().getI64IntegerAttr(v));
}
void KernelEmitter::addi(unsigned rd, unsigned rs, int64_t v) {
  b().create<npu::AddiOp>(loc_, b().getI32IntegerAttr(rd), b().getI32IntegerAttr(rs),
                          b().getI64IntegerAttr(v));
}
void KernelEmitter::muli(unsigned rd, unsigned rs, int64_t v) {
  b().create<npu::MuliOp>(loc_, b().getI32IntegerAttr(rd), b().getI32IntegerAttr(rs),
                          b().getI64IntegerAttr(v));
}
void KernelEmitter::add(unsigned rd, unsigned rs1, unsigned rs2) {
  b().create<npu::AddOp>(loc_, b().getI32IntegerAttr(rd), b().getI32IntegerAttr(rs1),
                         b().getI32IntegerAttr(rs2));
}
void KernelEmitter::sub(unsigned rd, unsigned rs1, unsigned rs2) {
  b().create<npu::SubOp>(loc_, b().getI32IntegerAttr(rd), b().getI32IntegerAttr(rs1),
                         b().getI32IntegerAttr(rs2));
}
void KernelEmitter::mul(unsigned rd, unsigned rs1, unsigned rs2) {
  b().create<npu::MulOp>(loc_, b().getI32IntegerAttr(rd), b().getI32IntegerAttr(rs1),
                         b().getI32IntegerAttr(rs2));
}
void KernelEmitter::min(unsigned rd, unsigned rs1, unsigned rs2) {
  b().create<npu::MinOp>(loc_, b().getI32IntegerAttr(rd), b().getI32IntegerAttr(rs1),
                         b().getI32IntegerAttr(rs2));
}
void KernelEmitter::max(unsigned rd, unsigned rs1, unsigned rs2) {
  b().create<npu::MaxOp>(loc_, b().getI32IntegerAttr(rd), b().getI32IntegerAttr(rs1),
                         b().getI32IntegerAttr(rs2));
}

//===----------------------------------------------------------------------===//
// ModuleLowering
//===----------------------------------------------------------------------===//

ModuleLowering::ModuleLowering(ModuleOp module, const ArchConfig &arch,
                               const LoweringOptions &options, WeightStore &store)
    : module_(module), arch_(arch), options_(options), store_(store),
      symbols_(module.getContext()) {
  symbols_.setInsertionPointToStart(module.getBody());
  planResidentKv();
}

/// The cache of `op` when `op` is a decode step over an f32 cache, the
/// attention kernel's in-place append, whose rows can stay resident.
static graph::KvCacheOp residentCandidate(ModuleOp module, graph::AttentionOp op) {
  auto q = llvm::cast<RankedTensorType>(op.getQuery().getType());
  auto kv = module.lookupSymbol<graph::KvCacheOp>(op.getCacheAttr());
  std::optional<DType> dtype = kv ? npu::toDType(kv.getElementType()) : std::nullopt;
  return q.getDimSize(0) == 1 && dtype && *dtype == DType::F32 ? kv : graph::KvCacheOp();
}

bool ModuleLowering::usesResidentKv(func::FuncOp f) {
  if (residentKvBytes_ == 0)
    return false;
  bool uses = false;
  f.walk([&](graph::AttentionOp op) { uses |= bool(residentCandidate(module_, op)); });
  return uses;
}

void ModuleLowering::planResidentKv() {
  if (!options_.residentKv)
    return;
  // Bound what one core can hold: each layer's KV heads split over
  // min(cores, kv_heads) cores.
  llvm::SmallDenseSet<int64_t> layers;
  graph::KvCacheOp cache;
  module_.walk([&](graph::AttentionOp op) {
    if (graph::KvCacheOp kv = residentCandidate(module_, op)) {
      cache = kv;
      layers.insert(op.getLayer());
    }
  });
  if (!cache)
    return;
  const int64_t kvHeads = cache.getKvHeads();
  const int64_t cores = std::min<int64_t>(numCores(), kvHeads);
  const int64_t perCore = (kvHeads + cores - 1) / cores;
  const int64_t headBytes =
      alignUp(2 * cache.getMaxSeq() * int64_t(dtypeBytes(DType::F32, cache.getHeadDim())),
              kSramAlign);
  const int64_t bytes = int64_t(layers.size()) * perCore * headBytes;
  if (bytes > int64_t(arch_.core.sram.sizeBytes) / 8)
    return;
  residentKvBytes_ = bytes;
  residentKvTop_.assign(numCores(), 0);
}

std::optional<int64_t> ModuleLowering::residentKvOffset(unsigned core, StringRef key,
                                                        int64_t bytes) {
  if (residentKvBytes_ == 0 || core >= residentKvTop_.size())
    return std::nullopt;
  auto [it, fresh] = residentKvSlots_.try_emplace((std::to_string(core) + "/" + key).str(), 0);
  if (fresh) {
    const int64_t offset = residentKvTop_[core];
    if (offset + bytes > residentKvBytes_) { // beyond the bound planResidentKv made
      residentKvSlots_.erase(it);
      return std::nullopt;
    }
    residentKvTop_[core] = alignUp(offset + bytes, kSramAlign);
    it->second = offset;
  }
  const int64_t base = int64_t(arch_.core.sram.sizeBytes) - residentKvBytes_;
  return base + it->second;
}

unsigned ModuleLowering::numCores() const {
  unsigned n = arch_.numCores;
  if (options_.cores != 0 && options_.cores < n)
    n = options_.cores;
  return std::max(1u, n);
}

int64_t ModuleLowering::sramBudget() const {
  // Three quarters for a kernel's own tiles; the rest is headroom for loads
  // a scheduler hoists from the next kernel.
  return (static_cast<int64_t>(arch_.core.sram.sizeBytes) - residentKvBytes_) / 4 * 3;
}

StringAttr ModuleLowering::newConstant(StringRef name, StringRef weight, npu::ConstPart part,
                                       int64_t bytes) {
  int64_t offset = alignUp(weightBytes_, kHbmAlign);
  weightBytes_ = offset + bytes;
  auto op = symbols_.create<npu::ConstantOp>(
      module_.getLoc(), symbols_.getStringAttr(name), symbols_.getStringAttr(weight),
      npu::ConstPartAttr::get(ctx(), part), FlatSymbolRefAttr::get(ctx(), "weights"),
      symbols_.getI64IntegerAttr(offset), symbols_.getI64IntegerAttr(bytes));
  return op.getSymNameAttr();
}

FailureOr<const WeightInfo *> ModuleLowering::weight(graph::WeightOp op) {
  auto it = weights_.find(op.getSymName());
  if (it != weights_.end())
    return it->second.get();

  RankedTensorType type = op.getTensorType();
  std::optional<DType> dt = npu::toDType(type.getElementType());
  if (!dt || *dt == DType::I32)
    return kernelError(op, "weight element type " + std::string("is not f32, f16, bf16, i8 or i4"));
  auto info = std::make_unique<WeightInfo>();
  info->name = op.getSymName().str();
  info->dtype = *dt;
  if (type.getRank() == 1) {
    info->rows = 1;
    info->cols = type.getDimSize(0);
  } else if (type.getRank() == 2) {
    info->rows = type.getDimSize(0);
    info->cols = type.getDimSize(1);
  } else {
    return kernelError(op, "weights must be 1D or 2D");
  }
  if (auto q = op.getQuant()) {
    info->quantized = true;
    info->perGroup = q->getScheme() == graph::QuantScheme::PerGroup;
    info->groupSize = info->perGroup ? q->getGroupSize() : 0;
    info->scaleType = q->getScaleType().isF16() ? DType::F16 : DType::F32;
    if (info->perGroup && info->cols % info->groupSize != 0)
      return kernelError(op, "int groups of " + std::to_string(info->groupSize) +
                                 " do not divide the row of " + std::to_string(info->cols) +
                                 " elements (the tensor cores need whole groups)");
  }

  // The values as the binary carries them (nullptr: timing-only).
  FailureOr<const WeightEntry *> entry = graph::loadWeight(op, store_);
  if (failed(entry))
    return failure();
  int64_t payloadBytes = info->elemBytes(info->rows * info->cols);
  int64_t scaleBytes =
      info->quantized ? info->rows * info->groupsPerRow() * info->scaleBytes() : 0;
  if (*entry) {
    if (static_cast<int64_t>((*entry)->bytes) != payloadBytes ||
        static_cast<int64_t>((*entry)->scaleBytes) != scaleBytes)
      return kernelError(op, "the weight store holds " + std::to_string((*entry)->bytes) +
                                 " + " + std::to_string((*entry)->scaleBytes) +
                                 " bytes for it, its type needs " +
                                 std::to_string(payloadBytes) + " + " +
                                 std::to_string(scaleBytes));
  }
  info->payload = newConstant("w." + info->name, info->name, npu::ConstPart::Payload,
                              payloadBytes);
  if (info->quantized)
    info->scales = newConstant("s." + info->name, info->name, npu::ConstPart::Scales,
                               scaleBytes);
  const WeightInfo *result = info.get();
  weights_[info->name] = std::move(info);
  return result;
}

FailureOr<const WeightInfo *> ModuleLowering::weight(Value v) {
  auto ref = v.getDefiningOp<graph::WeightRefOp>();
  if (!ref)
    return failure();
  auto op = module_.lookupSymbol<graph::WeightOp>(ref.getNameAttr());
  if (!op)
    return kernelError(ref, "'" + ref.getName().str() + "' does not name a graph.weight");
  return weight(op);
}

FailureOr<Tensor> ModuleLowering::ioTensor(StringRef name, npu::IoDirection dir,
                                           RankedTensorType type, Location loc) {
  std::optional<DType> dt = npu::toDType(type.getElementType());
  if (!dt || !type.hasStaticShape())
    return emitError(loc) << "I/O binding '" << name << "' has type " << type
                          << "; bindings need a static shape of f32, f16, bf16, i32, i8 or i4";
  auto it = io_.find(name);
  if (it != io_.end()) {
    auto [op, tensor] = it->second;
    auto have = llvm::cast<RankedTensorType>(op.getType());
    if (have.getElementType() != type.getElementType() || op.getDirection() != dir)
      return emitError(loc) << "I/O binding '" << name << "' is used as " << type << " ("
                            << npu::stringifyIoDirection(dir) << ") and as " << have << " ("
                            << npu::stringifyIoDirection(op.getDirection()) << ")";
    if (type.getNumElements() > have.getNumElements())
      return emitError(loc) << "I/O binding '" << name << "' is first declared as " << have
                            << " and later needs the larger " << type
                            << " (declare the largest use first)";
    Tensor t = tensor;
    t.rows = type.getRank() >= 2 ? type.getDimSize(0) : 1;
    t.cols = type.getNumElements() / std::max<int64_t>(1, t.rows);
    return t;
  }
  int64_t bytes = int64_t(dtypeBytes(*dt, type.getNumElements()));
  int64_t offset = alignUp(ioBytes_, kHbmAlign);
  ioBytes_ = offset + bytes;
  auto op = symbols_.create<npu::IoOp>(
      loc, symbols_.getStringAttr(name), npu::IoDirectionAttr::get(ctx(), dir),
      TypeAttr::get(type), FlatSymbolRefAttr::get(ctx(), "io"),
      symbols_.getI64IntegerAttr(offset));
  Tensor t;
  t.symbol = op.getSymNameAttr();
  t.rows = type.getRank() >= 2 ? type.getDimSize(0) : 1;
  t.cols = type.getNumElements() / std::max<int64_t>(1, t.rows);
  t.dtype = *dt;
  io_[name] = {op, t};
  return t;
}

FailureOr<const ModuleLowering::KvCache *> ModuleLowering::kvCache(FlatSymbolRefAttr name,
                                                                  Operation *user) {
  auto it = kv_.find(name.getValue());
  if (it != kv_.end())
    return it->second.get();
  auto op = module_.lookupSymbol<graph::KvCacheOp>(name);
  if (!op)
    return kernelError(user, "'" + name.getValue().str() + "' does not name a graph.kv_cache");
  if (!kv_.empty())
    return kernelError(user, "a module may declare one KV cache (the binary's kv_cache region)");
  auto kv = std::make_unique<KvCache>();
  kv->layers = op.getLayers();
  kv->maxSeq = op.getMaxSeq();
  kv->kvHeads = op.getKvHeads();
  kv->headDim = op.getHeadDim();
  kv->dtype = *npu::toDType(op.getElementType());
  int64_t bytes = kv->layers * 2 * kv->kvHeads * kv->headBytes();
  kvBytes_ = bytes;
  auto buf = symbols_.create<npu::HbmBufferOp>(
      op.getLoc(), symbols_.getStringAttr("kv." + name.getValue().str()),
      FlatSymbolRefAttr::get(ctx(), "kv_cache"), symbols_.getI64IntegerAttr(0),
      symbols_.getI64IntegerAttr(bytes));
  kv->symbol = buf.getSymNameAttr();
  const KvCache *result = kv.get();
  kv_[name.getValue()] = std::move(kv);
  return result;
}

StringAttr ModuleLowering::newActivation(StringRef entry, int64_t &entryOffset, int64_t bytes) {
  int64_t offset = alignUp(entryOffset, kHbmAlign);
  entryOffset = offset + std::max<int64_t>(bytes, 1);
  activationBytes_ = std::max(activationBytes_, entryOffset);
  std::string name = entry.str() + ".t" + std::to_string(actCounter_++);
  auto op = symbols_.create<npu::HbmBufferOp>(
      module_.getLoc(), symbols_.getStringAttr(name),
      FlatSymbolRefAttr::get(ctx(), "activations"), symbols_.getI64IntegerAttr(offset),
      symbols_.getI64IntegerAttr(std::max<int64_t>(bytes, 1)));
  return op.getSymNameAttr();
}

void ModuleLowering::finish() {
  OpBuilder b(ctx());
  b.setInsertionPointToStart(module_.getBody());
  auto region = [&](StringRef name, npu::RegionKind kind, int64_t bytes) {
    if (bytes <= 0)
      return;
    b.create<npu::RegionOp>(module_.getLoc(), b.getStringAttr(name),
                            npu::RegionKindAttr::get(ctx(), kind),
                            b.getI64IntegerAttr(alignUp(bytes, kHbmAlign)), IntegerAttr());
  };
  region("weights", npu::RegionKind::Weights, weightBytes_);
  region("kv_cache", npu::RegionKind::KvCache, kvBytes_);
  region("activations", npu::RegionKind::Activations, activationBytes_);
  region("io", npu::RegionKind::Io, ioBytes_);
  if (!residentKvSlots_.empty())
    module_->setAttr(npu::kResidentKvAttr,
                     b.getDictionaryAttr(
                         {b.getNamedAttr("sram_bytes", b.getI64IntegerAttr(residentKvBytes_)),
                          b.getNamedAttr("buffers",
                                         b.getI64IntegerAttr(int64_t(residentKvSlots_.size())))}));
  module_->setAttr("npu.arch_yaml", b.getStringAttr(archConfigToYaml(arch_)));
  module_->setAttr("npu.arch_name", b.getStringAttr(arch_.name));
}

//===----------------------------------------------------------------------===//
// EntryLowering
//===----------------------------------------------------------------------===//

EntryLowering::EntryLowering(ModuleLowering &module, npu::EntryOp entry,
                             ArrayRef<std::pair<Value, unsigned>> params)
    : module_(module), entry_(entry) {
  OpBuilder b(module.ctx());
  b.setInsertionPointToEnd(&entry.getBody().front());
  for (unsigned c = 0; c < module.numCores(); ++c) {
    auto core = std::make_unique<CoreState>(module.ctx());
    core->id = c;
    core->op = b.create<npu::CoreOp>(entry.getLoc(), static_cast<int32_t>(c));
    core->builder.setInsertionPointToEnd(&core->op.getBody().front());
    core->regFree.assign(isa::kNumScalarRegs, true);
    core->regFree[0] = false;
    for (int32_t reg : entry.getParamRegs()) // also those no graph argument sets
      core->regFree[unsigned(reg)] = false;
    for (auto [value, reg] : params)
      core->indexRegs[value] = reg;
    cores_.push_back(std::move(core));
  }
  for (auto [value, reg] : params)
    params_[value] = reg;
}

FailureOr<Tensor> EntryLowering::tensor(Value v, Operation *user) {
  auto it = tensors_.find(v);
  if (it != tensors_.end())
    return it->second;
  return kernelError(user, "an operand is not an activation in HBM (a weight used where an "
                           "activation is expected, or an unsupported producer)");
}

bool EntryLowering::isWeight(Value v) const {
  return static_cast<bool>(v.getDefiningOp<graph::WeightRefOp>());
}

/// Whether every reader of `v` lowers through Tensor::at/stride (so a padded
/// pitch is safe): kernels that view it as its own [rows][cols]. Matmul
/// reads an activation B operand as packed.
static bool readersHonourPitch(Value v) {
  auto type = llvm::cast<RankedTensorType>(v.getType());
  if (type.getRank() != 2)
    return false; // row kernels view higher ranks as [numel / last][last]
  return llvm::all_of(v.getUsers(), [](Operation *user) {
    return llvm::isa<graph::FusedLinearOp, graph::LinearOp, graph::AttentionOp, graph::RopeOp,
                     graph::RmsNormOp, graph::LayerNormOp, graph::AddOp, graph::MulOp,
                     graph::SiluOp, graph::ReluOp, graph::GeluOp, graph::CastOp,
                     graph::SoftmaxOp, graph::TakeRowOp>(user);
  });
}

int64_t EntryLowering::activationPitch(int64_t rows, int64_t cols, DType dtype) const {
  const int64_t rowBytes = int64_t(dtypeBytes(dtype, cols));
  const HbmConfig &hbm = arch().hbm;
  if (!module_.options().padRows || rows < 2 || hbm.addressMapping != "interleaved")
    return rowBytes;
  const int64_t chunk = hbm.interleaveBytes;
  const int64_t pcs = int64_t(hbm.stacks) * hbm.channelsPerStack * hbm.pseudoChannels;
  if (chunk <= 0 || rowBytes % chunk != 0 || std::gcd(rowBytes / chunk, pcs) < 4)
    return rowBytes;
  int64_t chunks = rowBytes / chunk + 1;
  while (std::gcd(chunks, pcs) != 1)
    ++chunks;
  return chunks * chunk;
}

Tensor EntryLowering::resultTensor(Value v, DType dtype) {
  auto it = preassigned_.find(v);
  if (it != preassigned_.end()) {
    tensors_[v] = it->second;
    return it->second;
  }
  auto type = llvm::cast<RankedTensorType>(v.getType());
  Tensor t;
  t.rows = type.getRank() >= 2 ? type.getDimSize(0) : 1;
  t.cols = type.getNumElements() / std::max<int64_t>(1, t.rows);
  t.dtype = dtype;
  if (readersHonourPitch(v))
    t.pitch = activationPitch(t.rows, t.cols, dtype);
  t.symbol = module_.newActivation(name(), activationOffset_, t.bytes());
  tensors_[v] = t;
  return t;
}

DType EntryLowering::storageType(Value v) {
  std::optional<DType> type;
  // Read from the graph.weight itself: placing the weight here would move
  // it in the memory plan.
  auto agree = [&](Value weight) {
    auto ref = weight.getDefiningOp<graph::WeightRefOp>();
    auto op = ref ? module_.module().lookupSymbol<graph::WeightOp>(ref.getNameAttr())
                  : graph::WeightOp();
    if (!op || op.getQuant())
      return false;
    std::optional<DType> dt = npu::toDType(op.getTensorType().getElementType());
    if (!dt || (*dt != DType::F16 && *dt != DType::BF16) || (type && *type != *dt))
      return false;
    type = *dt;
    return true;
  };
  if (v.use_empty() || preassigned_.count(v))
    return DType::F32;
  for (OpOperand &use : v.getUses()) {
    Operation *user = use.getOwner();
    if (auto l = llvm::dyn_cast<graph::LinearOp>(user)) {
      if (use.getOperandNumber() != 0 || !agree(l.getWeight()))
        return DType::F32;
    } else if (auto f = llvm::dyn_cast<graph::FusedLinearOp>(user)) {
      if (&use != &f.getInputMutable() || f.getNorm() != graph::NormKind::None)
        return DType::F32;
      for (Value w : f.getWeights())
        if (!agree(w))
          return DType::F32;
    } else {
      return DType::F32;
    }
  }
  return type.value_or(DType::F32);
}

Tensor EntryLowering::scratchTensor(int64_t rows, int64_t cols, DType dtype) {
  Tensor t;
  t.rows = rows;
  t.cols = cols;
  t.dtype = dtype;
  t.pitch = activationPitch(rows, cols, dtype);
  t.symbol = module_.newActivation(name(), activationOffset_, t.bytes());
  return t;
}

std::optional<int64_t> EntryLowering::constantIndex(Value v) {
  if (auto c = v.getDefiningOp<arith::ConstantIndexOp>())
    return c.value();
  if (auto c = v.getDefiningOp<arith::ConstantOp>())
    if (auto i = llvm::dyn_cast<IntegerAttr>(c.getValue()))
      return i.getInt();
  return std::nullopt;
}

FailureOr<unsigned> EntryLowering::paramReg(StringRef param, Location loc) {
  auto names = entry_.getParamNames().getAsValueRange<StringAttr>();
  for (auto [name, reg] : llvm::zip(names, entry_.getParamRegs()))
    if (name == param)
      return unsigned(reg);
  return emitError(loc) << "entry '" << entry_.getSymName() << "' has no parameter '" << param
                        << "' (internal error)";
}

FailureOr<unsigned> EntryLowering::tempReg(unsigned c, Location loc) {
  if (std::optional<unsigned> r = cores_[c]->takeReg())
    return *r;
  return emitError(loc) << "core " << c << " of entry '" << name()
                        << "' ran out of scalar registers (31)";
}

FailureOr<unsigned> EntryLowering::derivedReg(unsigned c, StringRef key, Location loc,
                                              function_ref<void(KernelEmitter &, unsigned)> compute) {
  CoreState &cs = *cores_[c];
  auto it = cs.derived.find(key);
  if (it != cs.derived.end())
    return it->second;
  FailureOr<unsigned> r = tempReg(c, loc);
  if (failed(r))
    return failure();
  KernelEmitter e(cs, loc);
  compute(e, *r);
  cs.derived[key] = *r;
  return *r;
}

FailureOr<unsigned> EntryLowering::indexReg(unsigned c, Value v, Location loc) {
  CoreState &cs = *cores_[c];
  auto it = cs.indexRegs.find(v);
  if (it != cs.indexRegs.end())
    return it->second;
  Operation *def = v.getDefiningOp();
  if (!def)
    return emitError(loc) << "an index argument of the entry is not a scalar parameter";
  auto binary = [&](auto op, auto emit) -> FailureOr<unsigned> {
    FailureOr<unsigned> lhs = indexReg(c, op.getLhs(), loc);
    FailureOr<unsigned> rhs = indexReg(c, op.getRhs(), loc);
    if (failed(lhs) || failed(rhs))
      return failure();
    FailureOr<unsigned> rd = tempReg(c, loc);
    if (failed(rd))
      return failure();
    KernelEmitter e(cs, loc);
    emit(e, *rd, *lhs, *rhs);
    return *rd;
  };
  FailureOr<unsigned> result = failure();
  if (std::optional<int64_t> k = constantIndex(v)) {
    result = tempReg(c, loc);
    if (succeeded(result)) {
      KernelEmitter e(cs, loc);
      e.li(*result, *k);
    }
  } else if (auto add = llvm::dyn_cast<arith::AddIOp>(def)) {
    result = binary(add, [](KernelEmitter &e, unsigned d, unsigned a, unsigned b) { e.add(d, a, b); });
  } else if (auto sub = llvm::dyn_cast<arith::SubIOp>(def)) {
    result = binary(sub, [](KernelEmitter &e, unsigned d, unsigned a, unsigned b) { e.sub(d, a, b); });
  } else if (auto mul = llvm::dyn_cast<arith::MulIOp>(def)) {
    result = binary(mul, [](KernelEmitter &e, unsigned d, unsigned a, unsigned b) { e.mul(d, a, b); });
  } else if (auto minOp = llvm::dyn_cast<arith::MinSIOp>(def)) {
    result = binary(minOp, [](KernelEmitter &e, unsigned d, unsigned a, unsigned b) { e.min(d, a, b); });
  } else {
    return def->emitOpError("computes an index the NPU lowering does not support "
                            "(constants, addi, subi, muli and minsi are supported)");
  }
  if (succeeded(result))
    cs.indexRegs[v] = *result;
  return result;
}

unsigned EntryLowering::coreFor(const Tensor &input) {
  auto it = writers_.find(input.symbol);
  if (it != writers_.end() && llvm::popcount(it->second) == 1)
    return static_cast<unsigned>(llvm::countr_zero(it->second));
  return nextCore();
}

void EntryLowering::noteWrite(const Tensor &t, unsigned c) {
  writers_[t.symbol] |= uint64_t(1) << c;
  auto [it, inserted] = visibleTo_.try_emplace(t.symbol);
  if (inserted) {
    it->second.assign(numCores(), 0);
    pendingOrder_.push_back(t.symbol);
  }
  it->second[c] = uint64_t(1) << c; // the new write: only its writer sees it
}

void EntryLowering::syncInputs(ArrayRef<Tensor> inputs, uint64_t consumerMask, Location loc) {
  const uint64_t all = numCores() >= 64 ? ~uint64_t(0) : (uint64_t(1) << numCores()) - 1;
  // The consumers that miss a write, and for each such write its writer.
  uint64_t mask = 0;
  for (const Tensor &t : inputs) {
    auto it = visibleTo_.find(t.symbol);
    if (it == visibleTo_.end())
      continue;
    for (unsigned w = 0; w < numCores(); ++w)
      if (uint64_t seen = it->second[w]; seen && (consumerMask & ~seen))
        mask |= (consumerMask & ~seen) | (uint64_t(1) << w);
  }
  if (!mask)
    return;
  // Each mask has its own barrier id; past the ids there are, the barrier
  // spans every core (id 0 is the whole chip's).
  unsigned id = 0;
  if (mask != all) {
    auto [idIt, fresh] = barrierIds_.try_emplace(mask, unsigned(barrierIds_.size() + 1));
    if (idIt->second > 255) {
      if (fresh)
        barrierIds_.erase(idIt);
      mask = all;
    } else {
      id = idIt->second;
    }
  }
  MLIRContext *ctx = module_.ctx();
  for (unsigned c = 0; c < numCores(); ++c) {
    if (!(mask >> c & 1))
      continue;
    // What this barrier makes visible to core c (acquire), and which of c's
    // own writes it makes visible to others (release).
    SmallVector<Attribute> acquire, release;
    for (StringAttr sym : pendingOrder_) {
      const SmallVector<uint64_t, 8> &seen = visibleTo_[sym];
      bool gains = false;
      for (unsigned w = 0; w < numCores() && !gains; ++w)
        gains = w != c && seen[w] && !(seen[w] >> c & 1) && (seen[w] & mask);
      if (gains)
        acquire.push_back(FlatSymbolRefAttr::get(sym));
      if (seen[c] && (mask & ~seen[c]))
        release.push_back(FlatSymbolRefAttr::get(sym));
    }
    OpBuilder &b = cores_[c]->builder;
    b.create<npu::BarrierOp>(loc, npu::QueueAttr::get(ctx, npu::Queue::Store),
                             b.getI32IntegerAttr(static_cast<int32_t>(id)),
                             b.getI64IntegerAttr(static_cast<int64_t>(mask)),
                             acquire.empty() ? ArrayAttr() : b.getArrayAttr(acquire),
                             release.empty() ? ArrayAttr() : b.getArrayAttr(release));
  }
  // What one core of the mask sees, all of them now see; a write every core
  // sees needs no further barrier.
  std::vector<StringAttr> still;
  for (StringAttr sym : pendingOrder_) {
    SmallVector<uint64_t, 8> &seen = visibleTo_[sym];
    bool pending = false;
    for (uint64_t &v : seen) {
      if (v & mask)
        v |= mask;
      pending |= v && v != all;
    }
    if (pending)
      still.push_back(sym);
    else
      visibleTo_.erase(sym);
  }
  pendingOrder_ = std::move(still);
}

} // namespace strata::lowering
