//===- LowerLinear.cpp - Linear layers and matmuls on the tensor cores ----===//
//
// A linear layer [M][K] x W -> [M][N] runs as:
//
//   per core (a range of output columns; small weights use fewer cores):
//     per row tile (mt rows):          prologue: load x, optional norm,
//                                      convert to the GEMM's input type
//     per column tile (tn columns):    load weight tile (+ scales, bias,
//       [per K chunk]                  residual), GEMM with fused epilogue,
//                                      store the output tile
//
// The steps are emitted software-pipelined: the loads of step i + depth - 1
// come before the compute of step i, so `depth` weight tiles are in flight
// and their SRAM buffers have overlapping live ranges (double buffering once
// SRAM is allocated). When even a 32-column tile of the full K does not fit
// the tile budget, K is split into chunks accumulated in FP32; the
// activation and residual then run on the vector unit after the last chunk.
//
// Input precision follows the weight: f32 weights multiply f32 inputs;
// f16/bf16 weights get inputs cast to their type; i8/i4 weights get inputs
// quantized to i8 per row (per-channel weights) or per weight group
// (group-wise weights, the Q8_0-style activation quantization), and the GEMM
// applies both scales.
//
//===----------------------------------------------------------------------===//
#include "Kernels.h"
#include "LinearKernel.h"

#include "strata/Conversion/GraphToNpu/CostModel.h"

#include <map>
#include <numeric>

using namespace mlir;

namespace strata::lowering {

AForm formFor(const MatOperand &b) {
  AForm f;
  if (b.quantized) {
    f.type = DType::I8;
    f.quantized = true;
    f.group = b.perGroup ? b.groupSize : 0;
    f.scaleType = b.scaleType;
  } else {
    f.type = b.dtype;
  }
  return f;
}

void emitPipelined(std::vector<Step> &steps, unsigned depth) {
  // Loads run `depth - 1` steps ahead of compute. The load queue is in
  // order, so an activation load that waits for a barrier would hold back
  // the weight loads behind it: activation loads are issued as late as their
  // compute allows (right before it), weight loads early.
  size_t ahead = std::max<size_t>(1, depth - 1);
  for (size_t i = 0; i < steps.size() + ahead; ++i) {
    if (i < steps.size() && !steps[i].activation && steps[i].loads)
      steps[i].loads();
    if (i >= ahead) {
      Step &s = steps[i - ahead];
      if (s.activation && s.loads)
        s.loads();
      if (s.compute)
        s.compute();
    }
  }
}

void loadWeightTile(KernelEmitter &em, const ArchConfig &arch, const OutputJob &job,
                    int64_t n0, int64_t nt, int64_t k0, int64_t kk, Value &w, Value &scales) {
  const int64_t pair = job.pair();
  w = em.alloc(job.b.elemBytes(pair * nt * kk), "w");
  for (int64_t h = 0; h < pair; ++h) {
    const MatOperand &W = h == 0 ? job.b : job.b2;
    unsigned parts = std::max(1u, arch.core.dma.engines / 2 / static_cast<unsigned>(pair));
    if (!W.kn) {
      em.loadParallel(w, W.elemBytes(h * nt * kk), W.symbol,
                      W.offset + W.elemBytes(n0 * W.k + k0), W.elemBytes(kk), nt,
                      W.elemBytes(W.k), W.elemBytes(kk), parts);
    } else {
      em.loadParallel(w, W.elemBytes(h * nt), W.symbol, W.offset + W.elemBytes(k0 * W.n + n0),
                      W.elemBytes(nt), kk, W.elemBytes(W.n), W.elemBytes(pair * nt), parts);
    }
    if (W.quantized) {
      int64_t sb = W.scaleBytes();
      if (h == 0)
        scales = em.alloc(pair * nt * (W.perGroup ? kk / W.groupSize : 1) * sb, "w.scales");
      if (W.perGroup) {
        int64_t g = kk / W.groupSize;
        em.load(scales, h * nt * g * sb, W.scales, (n0 * W.groups() + k0 / W.groupSize) * sb,
                g * sb, nt, W.groups() * sb, g * sb);
      } else {
        em.load(scales, h * nt * sb, W.scales, n0 * sb, nt * sb);
      }
    }
  }
}

NormParams loadNormParams(KernelEmitter &em, const LinearKernel &k) {
  const int64_t K = k.x.cols;
  NormParams p;
  p.gamma = em.alloc(k.gamma->elemBytes(K), "gamma");
  em.load(p.gamma, 0, k.gamma->payload, 0, k.gamma->elemBytes(K));
  if (k.beta) {
    p.beta = em.alloc(k.beta->elemBytes(K), "beta");
    em.load(p.beta, 0, k.beta->payload, 0, k.beta->elemBytes(K));
  }
  return p;
}

void emitNormRows(KernelEmitter &em, const LinearKernel &k, const NormParams &p, Value x,
                  Value dst, int64_t dstOff, int64_t rows, DType out) {
  const int64_t K = k.x.cols;
  KernelEmitter::Vec v = em.denseRows(x, dst, rows, K, k.x.dtype, out);
  v.y = p.gamma;
  v.dstOff = dstOff;
  v.in1 = k.gamma->dtype;
  v.fimm = static_cast<float>(k.eps);
  if (k.norm == graph::NormKind::Rms) {
    em.vec<npu::VRmsNormOp>(v);
  } else {
    v.z = p.beta;
    em.vec<npu::VLayerNormOp>(v);
  }
}

Value loadBiasTile(KernelEmitter &em, const OutputJob &job, int64_t n0, int64_t nt) {
  const int64_t pair = job.pair();
  Value buf = em.alloc(pair * nt * 4, "bias");
  for (int64_t h = 0; h < pair; ++h) {
    const WeightInfo *bias = h == 0 ? job.bias : job.bias2;
    if (bias->dtype == DType::F32) {
      em.load(buf, h * nt * 4, bias->payload, n0 * 4, nt * 4);
      continue;
    }
    Value raw = em.alloc(bias->elemBytes(nt), "bias.raw");
    em.load(raw, 0, bias->payload, bias->elemBytes(n0), bias->elemBytes(nt));
    KernelEmitter::Vec v = em.denseRows(raw, buf, 1, nt, bias->dtype, DType::F32);
    v.dstOff = h * nt * 4;
    em.vec<npu::VCastOp>(v);
  }
  return buf;
}

namespace {

MatOperand fromWeight(const WeightInfo &w, bool kn) {
  MatOperand m;
  m.symbol = w.payload;
  m.dtype = w.dtype;
  m.kn = kn;
  m.n = kn ? w.cols : w.rows;
  m.k = kn ? w.rows : w.cols;
  m.quantized = w.quantized;
  m.perGroup = w.perGroup;
  m.groupSize = w.groupSize;
  m.scaleType = w.scaleType;
  m.scales = w.scales;
  return m;
}

npu::Activation toNpu(graph::Activation a) {
  switch (a) {
  case graph::Activation::None: return npu::Activation::None;
  case graph::Activation::Relu: return npu::Activation::Relu;
  case graph::Activation::Silu: return npu::Activation::Silu;
  case graph::Activation::GeluTanh: return npu::Activation::GeluTanh;
  case graph::Activation::GeluErf: return npu::Activation::GeluErf;
  case graph::Activation::SwiGlu: return npu::Activation::SwiGlu;
  }
  return npu::Activation::None;
}

/// Per-core state of one row tile: the prepared A operands per K chunk.
struct RowTile {
  int64_t m0 = 0, mt = 0;
  Value x;      ///< f32 (or input type) rows as loaded
  Value xn;     ///< after the norm prologue (== x without one)
  DType xType = DType::F32;
  /// (form, chunk k0) -> (A buffer, scales buffer, lda)
  struct Prepared {
    Value a, scales;
    int64_t lda = 0;
  };
  std::map<std::pair<AForm, int64_t>, Prepared> forms;
};

class LinearEmitter {
public:
  LinearEmitter(EntryLowering &e, LinearKernel &k) : e_(e), k_(k) {}

  LogicalResult run();

private:
  LogicalResult plan();
  /// Whether the rows of the kernel need more than one row-stationary tile
  /// (so that schedule would read every weight more than once).
  bool rowsExceedOneTile() const;
  LogicalResult emitCore(unsigned core);
  void prepare(KernelEmitter &em, RowTile &tile, const AForm &form, int64_t k0, int64_t kc,
               int64_t kTotal);

  EntryLowering &e_;
  LinearKernel &k_;
  int64_t tileBudget_ = 0;
  int64_t mTile_ = 1;
};

LogicalResult LinearEmitter::plan() {
  const ArchConfig &arch = e_.arch();
  int64_t budget = e_.module().sramBudget();
  unsigned depth = std::max(1u, e_.module().options().prefetchDepth);
  tileBudget_ = budget / (2 * (depth + 1));
  int64_t K = k_.x.cols;
  (void)arch;
  (void)budget;
  (void)K;
  for (OutputJob &job : k_.outs) {
    int64_t pair = job.paired ? 2 : 1;
    int64_t bytes = job.b.elemBytes(job.b.n * job.b.k) * pair;
    unsigned cores = coresForWork(e_.numCores(), bytes, job.b.n);
    unsigned start = cores == 1 ? e_.coreFor(k_.x) : e_.nextCore();
    auto ranges = splitRange(job.b.n, cores, kMinColsPerCore);
    for (size_t i = 0; i < ranges.size(); ++i)
      job.slices.push_back({(start + unsigned(i)) % e_.numCores(), ranges[i]});
  }
  return success();
}

void LinearEmitter::prepare(KernelEmitter &em, RowTile &tile, const AForm &form, int64_t k0,
                            int64_t kc, int64_t kTotal) {
  auto key = std::make_pair(form, k0);
  if (tile.forms.count(key))
    return;
  RowTile::Prepared p;
  int64_t mt = tile.mt;
  if (!form.quantized && form.type == tile.xType) {
    // The activation itself: address the chunk inside the full row.
    p.a = tile.xn;
    p.lda = kTotal;
    tile.forms[key] = p;
    return;
  }
  // Converted chunks are packed [mt][kc].
  p.lda = kc;
  KernelEmitter::Vec v;
  v.x = tile.xn;
  v.xOff = int64_t(dtypeBytes(tile.xType, k0));
  v.rows = em.imm(mt);
  v.cols = em.imm(kc);
  v.in = tile.xType;
  v.ld0 = kTotal;
  v.ldd = kc;
  if (form.quantized) {
    int64_t groups = form.group ? kc / form.group : 1;
    p.a = em.alloc(mt * kc, "a.i8");
    p.scales = em.alloc(mt * groups * (form.scaleType == DType::F16 ? 2 : 4), "a.scales");
    v.dst = p.a;
    v.y = p.scales;
    v.in1 = form.scaleType;
    v.ld1 = groups;
    v.out = DType::I8;
    v.aux2 = form.group;
    em.vec<npu::VQuantizeOp>(v);
  } else {
    p.a = em.alloc(int64_t(dtypeBytes(form.type, mt * kc)), "a.cast");
    v.dst = p.a;
    v.out = form.type;
    em.vec<npu::VCastOp>(v);
  }
  tile.forms[key] = p;
}

LogicalResult LinearEmitter::emitCore(unsigned coreId) {
  CoreState &core = e_.core(coreId);
  KernelEmitter em(core, k_.op->getLoc());
  const ArchConfig &arch = e_.arch();
  const int64_t K = k_.x.cols;
  const int64_t M = k_.x.rows;
  unsigned depth = std::max(1u, e_.module().options().prefetchDepth);

  // Work on this core: (job, n0, n1).
  struct Slice {
    OutputJob *job;
    int64_t n0, n1;
  };
  std::vector<Slice> slices;
  for (OutputJob &job : k_.outs)
    for (auto &[c, range] : job.slices)
      if (c == coreId)
        slices.push_back({&job, range.first, range.second});
  if (slices.empty())
    return success();

  // Weight tiling per slice: a column tile of the full K when at least 32
  // columns fit the tile budget, else K chunks of a 32-column tile.
  struct SlicePlan {
    int64_t weightTn, kc;
  };
  std::vector<SlicePlan> plans;
  bool anySplit = false;
  for (const Slice &s : slices) {
    const MatOperand &B = s.job->b;
    const int64_t pair = s.job->paired ? 2 : 1;
    int64_t weightTn = tileBudget_ / std::max<int64_t>(1, B.elemBytes(K) * pair);
    int64_t kc = K;
    if (weightTn < kMinColsPerCore && s.n1 - s.n0 > weightTn) {
      int64_t tn = std::min<int64_t>(kMinColsPerCore, s.n1 - s.n0);
      int64_t unit = 64;
      if (B.perGroup)
        unit = std::max<int64_t>(unit, B.groupSize / std::gcd(B.groupSize, unit) * unit);
      kc = tileBudget_ / std::max<int64_t>(1, B.elemBytes(tn) * pair) / unit * unit;
      if (kc < unit)
        return kernelError(k_.op, "a " + std::to_string(tn) + "-column weight tile of " +
                                      std::to_string(unit) +
                                      " inputs does not fit the SRAM tile budget of " +
                                      std::to_string(tileBudget_) + " bytes");
      kc = std::min(kc, K);
      weightTn = tn;
    }
    anySplit |= kc < K;
    plans.push_back({weightTn, kc});
  }

  // The GEMM inputs this core needs, prepared from the (normalised) input.
  const bool hasNorm = k_.norm != graph::NormKind::None;
  const DType preparedFrom = hasNorm ? DType::F32 : k_.x.dtype;
  std::vector<AForm> forms;
  bool anyDirect = false;
  for (const Slice &s : slices) {
    AForm f = formFor(s.job->b);
    if (!f.quantized && f.type == preparedFrom) {
      anyDirect = true;
      continue;
    }
    if (std::find_if(forms.begin(), forms.end(), [&](const AForm &o) {
          return !(o < f) && !(f < o);
        }) == forms.end())
      forms.push_back(f);
  }
  auto formBytes = [&](const AForm &f, int64_t rows) {
    int64_t b = int64_t(dtypeBytes(f.type, rows * K));
    if (f.quantized)
      b += rows * (f.group ? K / f.group : 1) * (f.scaleType == DType::F16 ? 2 : 4);
    return b;
  };

  // Row tile. Without K chunks the prepared inputs of a whole row tile stay
  // resident in SRAM while the weights stream once past them, so the tile
  // gets half the budget and large prefill chunks reload weights rarely;
  // the raw rows pass through in small sub-chunks. With K chunks, inputs
  // are prepared per chunk from a resident copy of the rows.
  const int64_t budget = e_.module().sramBudget();
  const bool resident = !anySplit;
  int64_t perRow = 64;
  if (resident) {
    for (const AForm &f : forms)
      perRow += formBytes(f, 1);
    if (anyDirect)
      perRow += int64_t(dtypeBytes(preparedFrom, K));
  } else {
    perRow += K * (4 + 4 + 2 + 4);
  }
  mTile_ = rowsPerTile(M, perRow, resident ? budget / 2 : budget / 4,
                       e_.module().options().prefillChunk);
  if (mTile_ < 1)
    return kernelError(k_.op, "one row of " + std::to_string(K) +
                                  " inputs does not fit the SRAM budget of " +
                                  std::to_string(budget) + " bytes");
  // Raw rows per sub-chunk of a resident tile.
  const int64_t subRows =
      std::max<int64_t>(1, std::min<int64_t>(mTile_, (256 * 1024) / std::max<int64_t>(1, K * 4)));

  std::vector<Step> steps;
  // Norm parameters load once per kernel per core.
  auto norm = std::make_shared<NormParams>();

  for (int64_t m0 = 0; m0 < M; m0 += mTile_) {
    auto tile = std::make_shared<RowTile>();
    tile->m0 = m0;
    tile->mt = std::min(mTile_, M - m0);
    tile->xType = k_.x.dtype;
    Step prologue;
    auto loadNormParams = [=, &em]() {
      if (k_.norm != graph::NormKind::None && !norm->gamma)
        *norm = lowering::loadNormParams(em, k_);
    };
    auto normRows = [=, &em](Value x, Value dst, int64_t dstOff, int64_t rows) {
      emitNormRows(em, k_, *norm, x, dst, dstOff, rows, DType::F32);
    };
    if (resident) {
      prologue.loads = loadNormParams;
      prologue.compute = [=, &em]() {
        const int64_t mt = tile->mt;
        tile->xType = preparedFrom;
        // Resident buffers: the direct input (if a GEMM takes it as it is)
        // and each converted form.
        Value direct = anyDirect ? em.alloc(int64_t(dtypeBytes(preparedFrom, mt * K)), "x.res")
                                 : Value();
        tile->xn = direct;
        std::vector<RowTile::Prepared> prepared;
        for (const AForm &f : forms) {
          RowTile::Prepared p;
          p.lda = K;
          p.a = em.alloc(int64_t(dtypeBytes(f.type, mt * K)), f.quantized ? "a.i8" : "a.cast");
          if (f.quantized)
            p.scales = em.alloc(formBytes(f, mt) - int64_t(dtypeBytes(f.type, mt * K)),
                                "a.scales");
          prepared.push_back(p);
        }
        for (int64_t r0 = 0; r0 < mt; r0 += subRows) {
          const int64_t n = std::min(subRows, mt - r0);
          // Rows in the form the conversions read: straight into the resident
          // buffer when nothing transforms them.
          Value rows;
          int64_t rowsOff = 0;
          if (!hasNorm && direct) {
            em.loadRows(direct, r0 * k_.x.rowBytes(), k_.x, tile->m0 + r0, n);
            rows = direct;
            rowsOff = r0 * K;
          } else {
            Value raw = em.alloc(n * k_.x.rowBytes(), "x");
            em.loadRows(raw, 0, k_.x, tile->m0 + r0, n);
            rows = raw;
            if (hasNorm) {
              if (direct) {
                normRows(raw, direct, r0 * K * 4, n);
                rows = direct;
                rowsOff = r0 * K;
              } else {
                Value xn = em.alloc(n * K * 4, "xn");
                normRows(raw, xn, 0, n);
                rows = xn;
              }
            }
          }
          for (size_t i = 0; i < forms.size(); ++i) {
            const AForm &f = forms[i];
            KernelEmitter::Vec v =
                em.denseRows(rows, prepared[i].a, n, K, preparedFrom, f.type);
            v.xOff = int64_t(dtypeBytes(preparedFrom, rowsOff));
            v.dstOff = int64_t(dtypeBytes(f.type, r0 * K));
            if (f.quantized) {
              int64_t groups = f.group ? K / f.group : 1;
              v.y = prepared[i].scales;
              v.yOff = r0 * groups * (f.scaleType == DType::F16 ? 2 : 4);
              v.in1 = f.scaleType;
              v.ld1 = groups;
              v.aux2 = f.group;
              em.vec<npu::VQuantizeOp>(v);
            } else {
              em.vec<npu::VCastOp>(v);
            }
          }
        }
        for (size_t i = 0; i < forms.size(); ++i)
          tile->forms[{forms[i], 0}] = prepared[i];
      };
      prologue.activation = true;
      steps.push_back(prologue);
    } else {
    prologue.loads = [=, &em]() {
      tile->x = em.alloc(tile->mt * k_.x.rowBytes(), "x");
      em.loadRows(tile->x, 0, k_.x, tile->m0, tile->mt);
      loadNormParams();
    };
    prologue.compute = [=, &em]() {
      tile->xn = tile->x;
      if (k_.norm == graph::NormKind::None)
        return;
      tile->xn = em.alloc(tile->mt * K * 4, "xn");
      normRows(tile->x, tile->xn, 0, tile->mt);
      tile->xType = DType::F32;
    };
    prologue.activation = true;
    steps.push_back(prologue);
    }

    for (size_t si = 0; si < slices.size(); ++si) {
      const Slice &s = slices[si];
      OutputJob &job = *s.job;
      const MatOperand &B = job.b;
      const int64_t pair = job.paired ? 2 : 1;
      AForm form = formFor(B);
      const int64_t kc = plans[si].kc;
      // Column tile: the weight tile budget, and the output tile's.
      int64_t tn = std::min(plans[si].weightTn,
                            tileBudget_ / std::max<int64_t>(1, tile->mt * 4 * pair));
      tn = std::max<int64_t>(1, std::min(tn, s.n1 - s.n0));
      if (tn > kMinColsPerCore)
        tn = tn / kMinColsPerCore * kMinColsPerCore;
      if (B.dtype == DType::I4 && tn % 2 != 0 && B.kn)
        return kernelError(k_.op, "int4 weights in kn layout need an even column tile");
      const bool split = kc < K;
      // Without a K split the whole slice's output can share one C buffer,
      // stored once after its last tile: one store and one store-queue
      // handoff per slice instead of per tile.
      const int64_t sliceW = s.n1 - s.n0;
      const bool sliceC = !split && tile->mt * sliceW * 4 <= tileBudget_;
      const int64_t sliceN0 = s.n0;
      auto sliceBuf = std::make_shared<Value>();

      for (int64_t n0 = s.n0; n0 < s.n1; n0 += tn) {
        const int64_t nt = std::min(tn, s.n1 - n0);
        const bool lastTile = n0 + nt >= s.n1;
        auto cBuf = sliceC ? sliceBuf : std::make_shared<Value>();
        const int64_t cOff = sliceC ? (n0 - sliceN0) * 4 : 0;
        const int64_t ldC = sliceC ? sliceW : nt;
        for (int64_t k0 = 0; k0 < K; k0 += kc) {
          const int64_t kk = std::min(kc, K - k0);
          const bool first = k0 == 0, last = k0 + kk >= K;
          auto bBuf = std::make_shared<Value>();
          auto sBuf = std::make_shared<Value>();
          auto biasBuf = std::make_shared<Value>();
          const bool fuseEpilogue = !split;
          const bool withBias = job.bias && first;
          const bool residualInC = k_.residual && fuseEpilogue;
          Step step;
          OutputJob *jp = &job;
          step.loads = [=, &em]() {
            const OutputJob &job = *jp;
            loadWeightTile(em, e_.arch(), job, n0, nt, k0, kk, *bBuf, *sBuf);
            if (withBias)
              *biasBuf = loadBiasTile(em, job, n0, nt);
            if (first) {
              if (!sliceC || n0 == sliceN0)
                *cBuf = em.alloc(tile->mt * (sliceC ? sliceW : fuseEpilogue ? nt : pair * nt) * 4,
                                 "c");
              if (residualInC)
                em.load(*cBuf, cOff, k_.residual->symbol, k_.residual->at(tile->m0, n0), nt * 4,
                        tile->mt, k_.residual->stride(), ldC * 4);
            }
          };
          step.compute = [=, &em]() {
            const OutputJob &job = *jp;
            const MatOperand &B = job.b;
            prepare(em, *tile, form, split ? k0 : 0, split ? kk : K, K);
            const RowTile::Prepared &A = tile->forms[{form, split ? k0 : 0}];
            KernelEmitter::Gemm g;
            g.a = A.a;
            g.aOff = (A.a == tile->xn && split) ? int64_t(dtypeBytes(tile->xType, k0)) : 0;
            g.lda = A.lda;
            g.aType = form.type;
            g.b = *bBuf;
            g.bType = B.dtype;
            g.transB = !B.kn;
            g.ldb = B.kn ? pair * nt : kk;
            g.c = *cBuf;
            g.cOff = cOff;
            g.m = em.imm(tile->mt);
            g.n = em.imm(pair * nt);
            g.k = em.imm(kk);
            g.outType = DType::F32;
            if (B.quantized) {
              g.scaleA = A.scales;
              g.aScale = form.group ? npu::ScaleMode::PerGroup : npu::ScaleMode::PerRow;
              g.scaleB = *sBuf;
              g.bScale = B.perGroup ? npu::ScaleMode::PerGroup : npu::ScaleMode::PerRow;
              g.scaleType = B.scaleType;
              g.groupSize = B.perGroup ? B.groupSize : 0;
              if (form.group && !B.perGroup)
                g.groupSize = form.group;
            }
            if (withBias)
              g.bias = *biasBuf;
            if (!split) {
              g.act = k_.act;
              g.accumulate = residualInC;
              g.ldc = ldC;
            } else {
              g.accumulate = !first;
              g.ldc = pair * nt;
            }
            GemmShape shape{tile->mt, pair * nt, kk, g.aType, g.bType, g.outType,
                            withBias || g.act != npu::Activation::None || g.accumulate,
                            g.accumulate};
            std::optional<isa::Gang> current;
            if (em.core().tc)
              current = em.core().tc->first;
            isa::Gang gang = chooseGang(e_.arch(), shape, current);
            em.tcConfig(gang, gemmPrecision(g.aType, g.bType));
            em.gemm(g);
            if (!last)
              return;
            Value result = *cBuf;
            if (split) {
              // Epilogue on the vector unit: activation, then residual.
              result = em.alloc(tile->mt * nt * 4, "o");
              KernelEmitter::Vec v;
              v.x = *cBuf;
              v.dst = result;
              v.rows = em.imm(tile->mt);
              v.cols = em.imm(nt);
              v.ld0 = pair * nt;
              v.ldd = nt;
              switch (k_.act) {
              case npu::Activation::None: em.vec<npu::VCopyOp>(v); break;
              case npu::Activation::Relu: em.vec<npu::VReluOp>(v); break;
              case npu::Activation::Silu: em.vec<npu::VSiluOp>(v); break;
              case npu::Activation::GeluTanh: em.vec<npu::VGeluTanhOp>(v); break;
              case npu::Activation::GeluErf: em.vec<npu::VGeluErfOp>(v); break;
              case npu::Activation::SwiGlu: {
                em.vec<npu::VSiluOp>(v);
                KernelEmitter::Vec m = v;
                m.x = result;
                m.ld0 = nt;
                m.y = *cBuf;
                m.yOff = nt * 4;
                m.ld1 = pair * nt;
                m.in1 = DType::F32;
                em.vec<npu::VMulOp>(m);
                break;
              }
              }
              if (k_.residual) {
                Value r = em.alloc(tile->mt * nt * 4, "residual");
                em.load(r, 0, k_.residual->symbol, k_.residual->at(tile->m0, n0), nt * 4, tile->mt,
                        k_.residual->stride(), nt * 4);
                KernelEmitter::Vec a;
                a.x = result;
                a.y = r;
                a.dst = result;
                a.rows = em.imm(tile->mt);
                a.cols = em.imm(nt);
                a.ld0 = nt;
                a.ld1 = nt;
                a.ldd = nt;
                a.in1 = DType::F32;
                Value sum = em.alloc(tile->mt * nt * 4, "o.res");
                a.dst = sum;
                em.vec<npu::VAddOp>(a);
                result = sum;
              }
            }
            if (sliceC) {
              if (lastTile)
                em.store(result, 0, job.out.symbol, job.out.at(tile->m0, sliceN0), sliceW * 4,
                         tile->mt, sliceW * 4, job.out.stride());
              return;
            }
            em.store(result, 0, job.out.symbol, job.out.at(tile->m0, n0), nt * 4, tile->mt, nt * 4,
                     job.out.stride());
          };
          steps.push_back(step);
        }
      }
    }
  }

  emitPipelined(steps, depth);
  for (OutputJob &job : k_.outs)
    for (auto &[c, range] : job.slices)
      if (c == coreId)
        e_.noteWrite(job.out, coreId);
  (void)arch;
  return success();
}

bool LinearEmitter::rowsExceedOneTile() const {
  // The row-stationary tile as emitCore sizes it (without the prefill-chunk
  // option: a row tile the user asks for is not a reason to switch).
  const int64_t K = k_.x.cols, M = k_.x.rows;
  const bool hasNorm = k_.norm != graph::NormKind::None;
  const DType preparedFrom = hasNorm ? DType::F32 : k_.x.dtype;
  int64_t perRow = 64;
  bool split = false;
  std::vector<AForm> forms;
  for (const OutputJob &job : k_.outs) {
    int64_t weightTn = tileBudget_ / std::max<int64_t>(1, job.b.elemBytes(K) * job.pair());
    split |= weightTn < kMinColsPerCore && job.b.n > weightTn;
    AForm f = formFor(job.b);
    if (std::find(forms.begin(), forms.end(), f) != forms.end())
      continue;
    forms.push_back(f);
    if (!f.quantized && f.type == preparedFrom)
      perRow += int64_t(dtypeBytes(preparedFrom, K));
    else
      perRow += int64_t(dtypeBytes(f.type, K)) + (f.quantized ? f.groups(K) * f.scaleBytes() : 0);
  }
  const int64_t budget = e_.module().sramBudget();
  if (split)
    return M > (budget / 4) / (64 + K * (4 + 4 + 2 + 4));
  return M > (budget / 2) / perRow;
}

LogicalResult LinearEmitter::run() {
  if (failed(plan()))
    return failure();
  switch (e_.module().options().linearSchedule) {
  case LinearSchedule::OutputStationary:
    // Wherever it applies; activation x activation matmuls stay as they are.
    if (outputStationaryApplies(e_, k_))
      return emitOutputStationary(e_, k_);
    break;
  case LinearSchedule::Auto:
    if (rowsExceedOneTile() && outputStationaryApplies(e_, k_))
      return emitOutputStationary(e_, k_);
    break;
  case LinearSchedule::RowStationary:
    break;
  }
  uint64_t consumers = 0;
  for (OutputJob &job : k_.outs)
    for (auto &[c, range] : job.slices)
      consumers |= uint64_t(1) << c;
  SmallVector<Tensor> inputs{k_.x};
  if (k_.residual)
    inputs.push_back(*k_.residual);
  for (OutputJob &job : k_.outs)
    if (job.b.activation)
      inputs.push_back(Tensor{job.b.symbol, job.b.offset, 0, 0, job.b.dtype});
  e_.syncInputs(inputs, consumers, k_.op->getLoc());
  for (unsigned c = 0; c < e_.numCores(); ++c)
    if (failed(emitCore(c)))
      return failure();
  return success();
}

LogicalResult checkInput(Operation *op, const Tensor &x) {
  if (!isFloat(x.dtype))
    return kernelError(op, "the input of a linear layer must be a float tensor");
  return success();
}

} // namespace

LogicalResult lowerFusedLinear(EntryLowering &e, graph::FusedLinearOp op) {
  LinearKernel k;
  k.op = op;
  FailureOr<Tensor> x = e.tensor(op.getInput(), op);
  if (failed(x) || failed(checkInput(op, *x)))
    return failure();
  k.x = *x;
  k.norm = op.getNorm();
  k.eps = op.getEps().convertToDouble();
  k.act = toNpu(op.getActivation());
  ModuleLowering &m = e.module();
  if (k.norm != graph::NormKind::None) {
    if (!op.getNormGamma())
      return kernelError(op, "a norm prologue needs its gamma");
    FailureOr<const WeightInfo *> g = m.weight(op.getNormGamma());
    if (failed(g))
      return kernelError(op, "the norm gamma must be a weight");
    k.gamma = *g;
    if (k.norm == graph::NormKind::Layer) {
      if (!op.getNormBeta())
        return kernelError(op, "a layer-norm prologue needs its beta");
      FailureOr<const WeightInfo *> b = m.weight(op.getNormBeta());
      if (failed(b))
        return kernelError(op, "the norm beta must be a weight");
      k.beta = *b;
    }
  }
  if (op.getResidual()) {
    FailureOr<Tensor> r = e.tensor(op.getResidual(), op);
    if (failed(r))
      return failure();
    if (r->dtype != DType::F32)
      return kernelError(op, "the residual must be f32");
    k.residual = *r;
  }
  bool kn = op.getWeightLayout() == graph::WeightLayout::KN;
  SmallVector<const WeightInfo *> weights, biases;
  for (Value w : op.getWeights()) {
    FailureOr<const WeightInfo *> info = m.weight(w);
    if (failed(info))
      return kernelError(op, "its weights must be graph.weight_ref values");
    if ((*info)->quantized && kn)
      return kernelError(op, "quantized weights must be in nk layout");
    weights.push_back(*info);
  }
  for (Value b : op.getBiases()) {
    FailureOr<const WeightInfo *> info = m.weight(b);
    if (failed(info))
      return kernelError(op, "its biases must be graph.weight_ref values");
    biases.push_back(*info);
  }
  if (k.act == npu::Activation::SwiGlu) {
    if (weights.size() != 2 || op->getNumResults() != 1)
      return kernelError(op, "swiglu takes two weights (gate, up) and has one result");
    OutputJob job;
    job.paired = true;
    job.b = fromWeight(*weights[0], kn);
    job.b2 = fromWeight(*weights[1], kn);
    if (job.b.dtype != job.b2.dtype || job.b.quantized != job.b2.quantized ||
        job.b.groupSize != job.b2.groupSize || job.b.scaleType != job.b2.scaleType)
      return kernelError(op, "gate and up weights of a swiglu must have the same precision");
    if (!biases.empty()) {
      job.bias = biases[0];
      job.bias2 = biases[1];
    }
    job.out = e.resultTensor(op->getResult(0), DType::F32);
    job.result = op->getResult(0);
    k.outs.push_back(job);
  } else {
    for (auto [i, w] : llvm::enumerate(weights)) {
      OutputJob job;
      job.b = fromWeight(*w, kn);
      if (!biases.empty())
        job.bias = biases[i];
      job.out = e.resultTensor(op->getResult(i), DType::F32);
      job.result = op->getResult(i);
      k.outs.push_back(job);
    }
  }
  for (OutputJob &job : k.outs)
    if (job.b.k != k.x.cols)
      return kernelError(op, "weight inner dimension " + std::to_string(job.b.k) +
                                 " does not match the input width " +
                                 std::to_string(k.x.cols));
  LinearEmitter emitter(e, k);
  return emitter.run();
}

LogicalResult lowerLinear(EntryLowering &e, graph::LinearOp op) {
  LinearKernel k;
  k.op = op;
  FailureOr<Tensor> x = e.tensor(op.getInput(), op);
  if (failed(x) || failed(checkInput(op, *x)))
    return failure();
  k.x = *x;
  bool kn = op.getWeightLayout() == graph::WeightLayout::KN;
  FailureOr<const WeightInfo *> w = e.module().weight(op.getWeight());
  if (failed(w))
    return kernelError(op, "the weight must be a graph.weight_ref value (use graph.matmul "
                           "for two activations)");
  if ((*w)->quantized && kn)
    return kernelError(op, "quantized weights must be in nk layout");
  OutputJob job;
  job.b = fromWeight(**w, kn);
  if (op.getBias()) {
    FailureOr<const WeightInfo *> b = e.module().weight(op.getBias());
    if (failed(b))
      return kernelError(op, "the bias must be a graph.weight_ref value");
    job.bias = *b;
  }
  job.out = e.resultTensor(op.getResult(), DType::F32);
  job.result = op.getResult();
  k.outs.push_back(job);
  LinearEmitter emitter(e, k);
  return emitter.run();
}

LogicalResult lowerMatmul(EntryLowering &e, graph::MatmulOp op) {
  LinearKernel k;
  k.op = op;
  FailureOr<Tensor> a = e.tensor(op.getLhs(), op);
  FailureOr<Tensor> b = e.tensor(op.getRhs(), op);
  if (failed(a) || failed(b))
    return failure();
  if (a->dtype != b->dtype || !isFloat(a->dtype))
    return kernelError(op, "both operands must have the same float type");
  k.x = *a;
  OutputJob job;
  job.b.symbol = b->symbol;
  job.b.offset = b->offset;
  job.b.dtype = b->dtype;
  job.b.kn = !op.getTransposeRhs();
  job.b.activation = true;
  job.b.n = op.getTransposeRhs() ? b->rows : b->cols;
  job.b.k = op.getTransposeRhs() ? b->cols : b->rows;
  job.out = e.resultTensor(op.getResult(), DType::F32);
  k.outs.push_back(job);
  LinearEmitter emitter(e, k);
  return emitter.run();
}

} // namespace strata::lowering
