//===- LowerLinearPrefill.cpp - Output-stationary linear layers -----------===//
//
// The schedule for prefill chunks (many rows). The row-stationary schedule
// re-reads every weight once per row tile, and a row tile is what fits half
// the SRAM (142 rows of K = 11,008 at f16): a 512-row chunk reads the down
// projection's weights four times. Here each core instead keeps the FP32
// sums of up to 512 rows for a group of its output columns resident and
// streams inputs and weights past them in K chunks:
//
//   staging (row-parallel, only when the input is not already the GEMM's
//   A operand): norm prologue, cast to f16/bf16 or quantization to i8 with
//   scales, stored to an HBM scratch tensor; a barrier;
//
//   per core, per row block (<= 512 rows), per column group:
//     per K chunk:   load the A chunk [rows][kc] (one chunk ahead)
//       per column tile: load the weight tile [nt][kc]; GEMM into the tile's
//                        accumulator (first chunk, with the bias), then
//                        either accumulating into it (the GEMM's epilogue)
//                        or into a partial buffer the vector unit adds to it
//     epilogue per tile after the last chunk: activation / swiglu and the
//     residual on the vector unit, store.
//
// Weights are read once per row block and inputs once per column group; the
// plan (rows, K chunk, column tile, accumulator group, how chunks are added)
// minimises the larger of tensor-core, vector and HBM time under the SRAM
// budget. Accumulating GEMMs pay the epilogue's tail (the post-processing
// unit overlaps the array but for the last column tiles) and need no
// partial buffers, so a column group holds more accumulators and re-reads A
// less; vector adds run beside the next GEMM but occupy the in-order compute
// queue and three partial buffers. Staging rounds and
// quantizes exactly as the row-stationary schedule's prologue (whole rows,
// the same instructions), so both schedules compute the same A operands.
//
//===----------------------------------------------------------------------===//
#include "Kernels.h"
#include "LinearKernel.h"

#include "strata/Conversion/GraphToNpu/CostModel.h"

#include <array>
#include <deque>
#include <map>
#include <numeric>

using namespace mlir;

namespace strata::lowering {
namespace {

/// Rows per row block at most: the accumulators of 512 rows x 256 columns
/// are 512 KiB, and 512 rows already put a GEMM far above the ridge point.
constexpr int64_t kMaxBlockRows = 512;

/// Plans whose estimated cycles lie within this fraction of the best are
/// taken as equal, and the one with the least HBM traffic wins.
constexpr double kPlanCostTolerance = 0.02;

int64_t formElemBytes(const AForm &f) { return int64_t(dtypeBytes(f.type, 1)); }

/// Where the A operand of one form lives in HBM: the kernel input itself or
/// a staged copy (with per-row or per-group scales when quantized).
struct StagedForm {
  AForm form;
  Tensor data;
  std::optional<Tensor> scales;
  bool staged = false;
};

/// Tiling of the output-stationary schedule (the same on every core).
struct Plan {
  int64_t mt = 0;      ///< rows per row block
  int64_t blocks = 1;  ///< row blocks
  int64_t kc = 0;      ///< K chunk (== K: one chunk, epilogue fused in the GEMM)
  int64_t nt = 0;      ///< output columns per GEMM (per half of a swiglu pair)
  int64_t groupCols = 0; ///< accumulator columns per group (per half)
  /// K chunks after the first accumulate in the GEMM's epilogue (else into
  /// partial buffers that the vector unit adds).
  bool accumulate = false;
  double cost = 0;     ///< estimated core cycles
  double hbmBytes = 0; ///< estimated HBM traffic of the busiest core
  bool single() const { return groupCols == 0; }
};

/// What the planner needs to know about a kernel on its busiest core.
struct PlanInput {
  int64_t M = 0, K = 0, pair = 1;
  std::vector<int64_t> sliceWidths; ///< per-half columns of each slice on the core
  std::vector<AForm> forms;         ///< A forms the core's GEMMs read
  DType wType = DType::F16;
  bool quantized = false;
  int64_t groupSize = 0; ///< weight group (0: none)
  bool act = false, residual = false;
};

class Planner {
public:
  Planner(EntryLowering &e, const PlanInput &in)
      : arch_(e.arch()), in_(in), budget_(e.module().sramBudget()),
        depth_(std::max(1u, e.module().options().prefetchDepth)),
        chunkOption_(e.module().options().prefillChunk),
        kChunkOption_(e.module().options().prefillKChunk),
        accumulateOption_(e.module().options().prefillAccumulate), cores_(e.numCores()) {}

  std::optional<Plan> best() const {
    std::optional<Plan> best;
    int64_t cap = chunkOption_ ? std::min<int64_t>(chunkOption_, kMaxBlockRows) : kMaxBlockRows;
    int64_t blocks = (in_.M + cap - 1) / cap;
    int64_t mt = (in_.M + blocks - 1) / blocks;
    const int64_t unit = kUnit();
    std::vector<int64_t> kcs{in_.K};
    std::vector<int64_t> targets{128, 256, 512, 1024, 2048, 4096};
    if (kChunkOption_) {
      kcs.clear();
      targets = {int64_t(kChunkOption_)};
      if (alignUp(kChunkOption_, unit) >= in_.K)
        kcs.push_back(in_.K);
    }
    for (int64_t target : targets) {
      if (target >= in_.K)
        continue;
      int64_t chunks = (in_.K + target - 1) / target;
      int64_t kc = alignUp((in_.K + chunks - 1) / chunks, unit);
      if (kChunkOption_)
        kc = alignUp(target, unit);
      if (kc < in_.K && std::find(kcs.begin(), kcs.end(), kc) == kcs.end())
        kcs.push_back(kc);
    }
    const int64_t widest = *std::max_element(in_.sliceWidths.begin(), in_.sliceWidths.end());
    std::vector<Plan> plans;
    for (int64_t kc : kcs)
      for (int64_t nt : {32, 64, 128, 256})
        for (bool accumulate : {false, true}) {
          if (nt > alignUp(widest, kMinColsPerCore) || (accumulate && kc >= in_.K) ||
              (accumulateOption_ && *accumulateOption_ != accumulate && kc < in_.K))
            continue;
          if (std::optional<Plan> p = evaluate(mt, blocks, kc, nt, accumulate))
            plans.push_back(*p);
        }
    // The estimate cannot tell plans within a few percent apart; among those
    // the one moving the fewest HBM bytes leaves the DMA streams the most
    // margin (strided tiles rarely reach the core's share of the peak).
    for (const Plan &p : plans)
      if (!best || p.cost < best->cost)
        best = p;
    if (!best)
      return best;
    const double near = best->cost * (1 + kPlanCostTolerance);
    for (const Plan &p : plans)
      if (p.cost <= near && (p.hbmBytes < best->hbmBytes ||
                             (p.hbmBytes == best->hbmBytes && p.cost < best->cost)))
        best = p;
    return best;
  }

private:
  /// K granularity: a whole weight tile of the one-gang configuration (the
  /// ganging large-M GEMMs take) and whole quantization groups.
  int64_t kUnit() const {
    const TensorCoreConfig &tc = arch_.core.tensorCores;
    DType prec = gemmPrecision(in_.forms.front().type, in_.wType);
    uint64_t macs = tc.macsPerCycle[unsigned(prec)];
    int64_t side = std::max<int64_t>(1, int64_t(std::sqrt(double(tc.count))));
    int64_t tileK = int64_t(tc.rows) * side *
                    std::max<int64_t>(1, int64_t(macs / (uint64_t(tc.rows) * tc.cols)));
    int64_t unit = std::max<int64_t>(64, tileK);
    for (const AForm &f : in_.forms)
      if (f.group)
        unit = std::lcm(unit, f.group);
    if (in_.groupSize)
      unit = std::lcm(unit, in_.groupSize);
    return unit;
  }

  std::optional<Plan> evaluate(int64_t mt, int64_t blocks, int64_t kc, int64_t nt,
                               bool accumulate) const {
    const int64_t K = in_.K, pair = in_.pair;
    const bool single = kc >= K;
    kc = std::min(kc, K);
    const int64_t chunks = (K + kc - 1) / kc;
    int64_t aBytes = 0;
    for (const AForm &f : in_.forms) {
      aBytes += formElemBytes(f) * mt * kc;
      if (f.quantized)
        aBytes += mt * f.groups(kc) * f.scaleBytes();
    }
    int64_t wBytes = int64_t(dtypeBytes(in_.wType, pair * nt * kc));
    if (in_.quantized)
      wBytes += pair * nt * (in_.groupSize ? kc / in_.groupSize : 1) * 4;
    // A chunks double buffered (one resident A for a single chunk and row
    // block), `depth` weight tiles in flight.
    int64_t mem = (single && blocks == 1 ? 1 : 2) * aBytes + int64_t(depth_) * wBytes;
    int64_t groupCols = 0;
    if (single) {
      mem += 2 * mt * nt * 4;
    } else {
      if (!accumulate)
        mem += 3 * mt * pair * nt * 4; // partial sums (kPartials)
      mem += 2 * mt * nt * 4 * ((in_.act ? 1 : 0) + (in_.residual ? 1 : 0)); // epilogue
      int64_t acc = budget_ - mem;
      if (acc <= 0)
        return std::nullopt;
      int64_t total = std::accumulate(in_.sliceWidths.begin(), in_.sliceWidths.end(), int64_t(0));
      groupCols = acc / (mt * pair * 4) / nt * nt;
      if (groupCols < nt)
        return std::nullopt;
      groupCols = std::min(groupCols, alignUp(total, nt));
      // Two tiles per group at least (see the A chunk prefetch in emitCore).
      if (groupCols < 2 * nt && total > nt)
        return std::nullopt;
    }
    if (mem > budget_)
      return std::nullopt;

    // Time estimate on the busiest core, in core cycles.
    const double coreHz = coreMHz() * 1e6;
    const double bytesPerCycle = arch_.hbm.peakBytesPerSecond() / coreHz / std::max(1u, cores_);
    double tc = 0, vecCycles = 0;
    int64_t cols = 0, tiles = 0;
    // Accumulating GEMMs (every chunk after the first, and the first onto
    // the residual) pay the epilogue's exposed part.
    const bool residualFirst = in_.residual && !in_.act;
    auto gemm = [&](int64_t n, int64_t k, bool firstChunk) {
      const bool accumulates = single ? in_.residual : accumulate && (!firstChunk || residualFirst);
      const bool epilogue = single ? (in_.act || in_.residual) : accumulates;
      GemmShape s{mt, pair * n, k, in_.forms.front().type, in_.wType, DType::F32, epilogue,
                  accumulates};
      isa::Gang g = chooseGang(arch_, s, std::nullopt);
      return double(gemmCycles(arch_, g, s));
    };
    for (int64_t w : in_.sliceWidths) {
      cols += w;
      for (int64_t n0 = 0; n0 < w; n0 += nt) {
        int64_t n = std::min(nt, w - n0);
        ++tiles;
        for (int64_t k0 = 0; k0 < K; k0 += kc)
          tc += gemm(n, std::min(kc, K - k0), k0 == 0);
      }
    }
    tc *= double(blocks);
    const double lanes = std::max(1u, arch_.core.vector.lanes);
    // The vector work of a tile's last chunk that GEMMs do not hide: the
    // compute queue issues in order, one vector instruction runs beside each
    // GEMM, and the store's semaphore holds the next GEMM until the tile's
    // last instruction finished. So all of a chain but its first
    // instruction, and a lone instruction itself, are exposed.
    if (!single) {
      const VectorUnitConfig &vu = arch_.core.vector;
      auto instr = [&](int64_t cols, bool transcendental) {
        return double(vu.startupCycles) +
               std::ceil(double(mt * cols) / lanes) *
                   (transcendental ? double(vu.transcendentalCycles) : 1.0);
      };
      std::vector<double> chain;
      if (!accumulate)
        chain.push_back(instr(pair * nt, false)); // the last partial-sum add
      if (in_.act) {
        chain.push_back(instr(nt, true));
        if (pair == 2)
          chain.push_back(instr(nt, false)); // x up
      }
      if (in_.residual && in_.act)
        chain.push_back(instr(nt, false));
      double exposed = 0;
      for (size_t i = chain.size() > 1 ? 1 : 0; i < chain.size(); ++i)
        exposed += chain[i];
      tc += exposed * double(blocks * tiles);
    }
    if (!single && !accumulate)
      vecCycles = double(blocks) * double(chunks - 1) * double(mt * pair * cols) / lanes +
                  double(blocks * tiles * (chunks - 1)) * arch_.core.vector.startupCycles;
    const int64_t groups = single ? 1 : (cols + groupCols - 1) / groupCols;
    Plan p;
    double formRow = 0;
    for (const AForm &f : in_.forms)
      formRow += double(formElemBytes(f)) * double(K);
    double hbm = double(blocks) * double(dtypeBytes(in_.wType, uint64_t(pair * cols * K))) +
                 double(groups) * double(in_.M) * formRow +
                 double(in_.M * cols) * 4 * (in_.residual ? 2 : 1);
    p.hbmBytes = hbm;
    hbm /= bytesPerCycle;
    double bubble = double(aBytes + wBytes) / bytesPerCycle;
    p.mt = mt;
    p.blocks = blocks;
    p.kc = kc;
    p.nt = nt;
    p.groupCols = groupCols;
    p.accumulate = accumulate;
    p.cost = std::max({tc, vecCycles, hbm}) + bubble;
    return p;
  }

  double coreMHz() const {
    const DvfsDomainConfig *d = arch_.findDomain("core");
    if (!d || d->points.empty())
      return 1000;
    return d->points[std::min<size_t>(d->nominal, d->points.size() - 1)].freqMHz;
  }

  const ArchConfig &arch_;
  const PlanInput &in_;
  int64_t budget_;
  unsigned depth_;
  unsigned chunkOption_;
  unsigned kChunkOption_;
  std::optional<bool> accumulateOption_;
  unsigned cores_;
};

/// One core's columns of one job, cut to GEMM width.
struct ColTile {
  OutputJob *job;
  int64_t n0, nt;
};

class OutputStationaryEmitter {
public:
  OutputStationaryEmitter(EntryLowering &e, LinearKernel &k) : e_(e), k_(k) {}

  /// Plans the kernel; false when the schedule does not apply.
  bool plan();
  LogicalResult run();

private:
  PlanInput planInput(unsigned core) const;
  void stage(unsigned core, int64_t r0, int64_t r1);
  void emitCore(unsigned core);
  const StagedForm &staged(const AForm &f) const {
    for (const StagedForm &s : forms_)
      if (s.form == f)
        return s;
    llvm_unreachable("form without a staged operand");
  }

  EntryLowering &e_;
  LinearKernel &k_;
  Plan plan_;
  std::vector<StagedForm> forms_;
  uint64_t consumers_ = 0;
};

PlanInput OutputStationaryEmitter::planInput(unsigned core) const {
  PlanInput in;
  in.M = k_.x.rows;
  in.K = k_.x.cols;
  in.act = k_.act != npu::Activation::None;
  in.residual = k_.residual.has_value();
  for (const OutputJob &job : k_.outs)
    for (auto &[c, range] : job.slices) {
      if (c != core)
        continue;
      in.sliceWidths.push_back(range.second - range.first);
      in.pair = std::max(in.pair, job.pair());
      in.wType = job.b.dtype;
      in.quantized |= job.b.quantized;
      if (job.b.perGroup)
        in.groupSize = job.b.groupSize;
      AForm f = formFor(job.b);
      if (std::find(in.forms.begin(), in.forms.end(), f) == in.forms.end())
        in.forms.push_back(f);
    }
  return in;
}

bool OutputStationaryEmitter::plan() {
  for (const OutputJob &job : k_.outs)
    if (job.b.activation)
      return false; // activation x activation (attention-style matmul)
  // Plan for the busiest core; every core uses the same tiling.
  unsigned busiest = 0;
  int64_t most = -1;
  for (unsigned c = 0; c < e_.numCores(); ++c) {
    int64_t cols = 0;
    for (const OutputJob &job : k_.outs)
      for (auto &[core, range] : job.slices)
        if (core == c)
          cols += (range.second - range.first) * job.pair();
    if (cols > 0)
      consumers_ |= uint64_t(1) << c;
    if (cols > most) {
      most = cols;
      busiest = c;
    }
  }
  PlanInput in = planInput(busiest);
  if (in.sliceWidths.empty())
    return false;
  // Mixed weight precisions on one core would need one plan per form.
  for (const OutputJob &job : k_.outs)
    if (job.b.dtype != in.wType || formFor(job.b).quantized != in.forms.front().quantized)
      return false;
  std::optional<Plan> p = Planner(e_, in).best();
  if (!p)
    return false;
  plan_ = *p;
  return true;
}

void OutputStationaryEmitter::stage(unsigned coreId, int64_t r0, int64_t r1) {
  KernelEmitter em(e_.core(coreId), k_.op->getLoc());
  const int64_t K = k_.x.cols;
  const bool hasNorm = k_.norm != graph::NormKind::None;
  NormParams normParams;
  if (hasNorm)
    normParams = loadNormParams(em, k_);
  std::vector<const StagedForm *> out;
  for (const StagedForm &s : forms_)
    if (s.staged)
      out.push_back(&s);
  // A norm whose result only one float form reads writes that form
  // directly (it computes in FP32 and rounds once, as a cast would).
  const bool normDirect = hasNorm && out.size() == 1 && !out[0]->form.quantized;
  int64_t perRow = k_.x.rowBytes() + (hasNorm && !normDirect ? K * 4 : 0);
  for (const StagedForm *s : out)
    perRow += s->data.rowBytes() + (s->scales ? s->scales->rowBytes() : 0);
  // Several tiles per core, so one tile's load and store overlap another's
  // vector work.
  const int64_t rowsPerTile = std::max<int64_t>(
      1, std::min((e_.module().sramBudget() / 4) / perRow, (r1 - r0 + 3) / 4));
  for (int64_t m0 = r0; m0 < r1; m0 += rowsPerTile) {
    const int64_t n = std::min(rowsPerTile, r1 - m0);
    Value raw = em.alloc(n * k_.x.rowBytes(), "x");
    em.loadRows(raw, 0, k_.x, m0, n);
    Value src = raw;
    DType srcType = k_.x.dtype;
    if (hasNorm) {
      if (normDirect) {
        Value dst = em.alloc(n * out[0]->data.rowBytes(), "a");
        emitNormRows(em, k_, normParams, raw, dst, 0, n, out[0]->form.type);
        em.storeRows(dst, 0, out[0]->data, m0, n);
        continue;
      }
      src = em.alloc(n * K * 4, "xn");
      emitNormRows(em, k_, normParams, raw, src, 0, n, DType::F32);
      srcType = DType::F32;
    }
    for (const StagedForm *s : out) {
      Value dst = em.alloc(n * s->data.rowBytes(), "a");
      KernelEmitter::Vec v = em.denseRows(src, dst, n, K, srcType, s->form.type);
      if (s->form.quantized) {
        Value sc = em.alloc(n * s->scales->rowBytes(), "a.scales");
        v.y = sc;
        v.in1 = s->form.scaleType;
        v.ld1 = s->form.groups(K);
        v.aux2 = s->form.group;
        em.vec<npu::VQuantizeOp>(v);
        em.storeRows(sc, 0, *s->scales, m0, n);
      } else {
        em.vec<npu::VCastOp>(v);
      }
      em.storeRows(dst, 0, s->data, m0, n);
    }
  }
  for (const StagedForm *s : out) {
    e_.noteWrite(s->data, coreId);
    if (s->scales)
      e_.noteWrite(*s->scales, coreId);
  }
}

/// One instruction of the epilogue's activation on the FP32 sums `acc`
/// ([rows][pair*nt]). Without `out`: the activation (silu of the gate half
/// for swiglu) into a new [rows][nt] buffer, returned; with `out` (swiglu
/// only): out times the up half, in place (f32) or into a new buffer.
/// `outType` is the type of the result.
Value emitActivationStep(KernelEmitter &em, npu::Activation act, Value acc, int64_t rows,
                         int64_t nt, int64_t pair, Value out, DType outType) {
  KernelEmitter::Vec v;
  v.out = outType;
  v.x = acc;
  v.rows = em.imm(rows);
  v.cols = em.imm(nt);
  v.ld0 = pair * nt;
  v.ldd = nt;
  if (out) {
    v.x = out;
    v.ld0 = nt;
    v.y = acc;
    v.yOff = nt * 4;
    v.ld1 = pair * nt;
    v.in1 = DType::F32;
    v.dst = outType == DType::F32 ? out : em.alloc(int64_t(dtypeBytes(outType, rows * nt)), "o");
    em.vec<npu::VMulOp>(v);
    return v.dst;
  }
  out = em.alloc(int64_t(dtypeBytes(outType, rows * nt)), "o");
  v.dst = out;
  switch (act) {
  case npu::Activation::None: em.vec<npu::VCopyOp>(v); break;
  case npu::Activation::Relu: em.vec<npu::VReluOp>(v); break;
  case npu::Activation::Silu:
  case npu::Activation::SwiGlu: em.vec<npu::VSiluOp>(v); break;
  case npu::Activation::GeluTanh: em.vec<npu::VGeluTanhOp>(v); break;
  case npu::Activation::GeluErf: em.vec<npu::VGeluErfOp>(v); break;
  }
  return out;
}

void OutputStationaryEmitter::emitCore(unsigned coreId) {
  std::vector<ColTile> tiles;
  for (OutputJob &job : k_.outs)
    for (auto &[c, range] : job.slices)
      if (c == coreId)
        for (int64_t n0 = range.first; n0 < range.second; n0 += plan_.nt)
          tiles.push_back({&job, n0, std::min(plan_.nt, range.second - n0)});
  if (tiles.empty())
    return;
  KernelEmitter em(e_.core(coreId), k_.op->getLoc());
  const int64_t K = k_.x.cols, M = k_.x.rows;
  const bool single = plan_.single();
  const int64_t kc = plan_.kc;

  // Column groups: consecutive tiles whose accumulators fit together.
  std::vector<std::pair<size_t, size_t>> groups;
  for (size_t i = 0; i < tiles.size();) {
    size_t j = i;
    int64_t cols = 0;
    while (j < tiles.size() && (j == i || single || cols + tiles[j].nt <= plan_.groupCols))
      cols += tiles[j++].nt;
    if (single)
      j = tiles.size();
    groups.push_back({i, j});
    i = j;
  }

  // The A operand chunks of one (row block, group, chunk), per form.
  struct AChunk {
    std::map<AForm, std::pair<Value, Value>> bufs; ///< form -> (data, scales)
  };
  struct Pass {
    int64_t m0, mt;
    size_t group;
    int64_t k0, kk;
    bool first, last; ///< first / last chunk of the group's sums
    std::shared_ptr<AChunk> a;
  };
  // Each core walks the K chunks from a different start. With the HBM's
  // fine interleave, a chunk's rows (kc elements, a row stride of K apart)
  // cover only some pseudo-channels, the same ones for every core; rotated,
  // the cores spread over all of them instead of queueing on a few.
  const int64_t chunks = (K + kc - 1) / kc;
  int64_t rotation = 0;
  for (unsigned c = 0; c < coreId; ++c)
    rotation += consumers_ >> c & 1;
  std::vector<Pass> passes;
  for (int64_t m0 = 0; m0 < M; m0 += plan_.mt)
    for (size_t g = 0; g < groups.size(); ++g)
      for (int64_t j = 0; j < chunks; ++j) {
        int64_t k0 = ((j + rotation) % chunks) * kc;
        passes.push_back({m0, std::min(plan_.mt, M - m0), g, k0, std::min(kc, K - k0), j == 0,
                          j + 1 == chunks, std::make_shared<AChunk>()});
      }

  auto loadA = [&, this](const Pass &p) {
    for (size_t t = groups[p.group].first; t < groups[p.group].second; ++t) {
      AForm f = formFor(tiles[t].job->b);
      if (p.a->bufs.count(f))
        continue;
      const StagedForm &s = staged(f);
      const int64_t eb = formElemBytes(f);
      Value data = em.alloc(p.mt * p.kk * eb, "a");
      em.loadParallel(data, 0, s.data.symbol, s.data.at(p.m0, p.k0), p.kk * eb, p.mt,
                      s.data.stride(), p.kk * eb, e_.arch().core.dma.engines);
      Value scales;
      if (f.quantized) {
        const int64_t sb = f.scaleBytes(), g = f.groups(p.kk);
        scales = em.alloc(p.mt * g * sb, "a.scales");
        const int64_t col0 = f.group ? p.k0 / f.group : 0;
        em.load(scales, 0, s.scales->symbol, s.scales->at(p.m0, col0), g * sb, p.mt,
                s.scales->stride(), g * sb);
      }
      p.a->bufs[f] = {data, scales};
    }
  };

  // Vector work (partial-sum adds, epilogues) waits in a queue and is
  // emitted one instruction after each GEMM, and never right behind the GEMM
  // whose result it reads: the compute queue issues in order, so a vector
  // instruction there would hold the next GEMM until that GEMM completed
  // (its drain and epilogue), where one GEMM later it waits beside the next
  // GEMM, which enters the array behind the previous one (a sem.release,
  // not a signal, hands weight buffers back). Two vector instructions per
  // GEMM would hold the next GEMM until the first finished.
  struct VecOp {
    std::function<void()> emit;
    int partial = -1;  ///< the partial-sum buffer this op reads last
    size_t gemm = 0;   ///< GEMMs emitted when it was queued: it waits for one more
  };
  size_t gemmsEmitted = 0;
  std::deque<VecOp> vecOps;
  auto emitVecOp = [&vecOps]() {
    VecOp op = std::move(vecOps.front());
    vecOps.pop_front();
    op.emit();
  };
  // Partial sums rotate through three buffers that live for the whole
  // kernel: a GEMM never writes the buffer the vector add just behind the
  // previous GEMM reads (the allocator would otherwise reuse it at once).
  constexpr int kPartials = 3;
  std::array<Value, kPartials> partials;
  int nextPartial = 0;
  int64_t widestPair = 0;
  for (const ColTile &t : tiles)
    widestPair = std::max(widestPair, t.job->pair() * t.nt);

  // Accumulators live across the chunks of a group, one per tile.
  std::map<std::pair<size_t, size_t>, std::shared_ptr<Value>> acc; // (block*groups+group, tile)
  std::vector<Step> steps;
  // The first A chunk reads what the staging (or the previous kernel) wrote,
  // behind a barrier: as an activation step it loads behind the first
  // `ahead` weight tiles, which the in-order load queue then fetches before
  // the barrier instead of after it.
  const unsigned depth = std::max(1u, e_.module().options().prefetchDepth);
  const size_t ahead = std::max<size_t>(1, depth - 1);
  // Its successor comes after it: with the weight tile of the pass's
  // (ahead + 1)-th tile, or right behind it when the pass has fewer tiles.
  const size_t firstTiles = groups[passes.front().group].second - groups[passes.front().group].first;
  const bool firstLoadsNextA = firstTiles <= ahead;
  Step first;
  first.loads = [&]() {
    loadA(passes.front());
    if (firstLoadsNextA && passes.size() > 1)
      loadA(passes[1]);
  };
  first.activation = true;
  steps.push_back(first);
  for (size_t pi = 0; pi < passes.size(); ++pi) {
    const Pass p = passes[pi];
    const bool firstChunk = p.first, lastChunk = p.last;
    for (size_t t = groups[p.group].first; t < groups[p.group].second; ++t) {
      const ColTile tile = tiles[t];
      auto key = std::make_pair(size_t(p.m0) * groups.size() + p.group, t);
      if (!acc.count(key))
        acc[key] = std::make_shared<Value>();
      auto accBuf = acc[key];
      auto w = std::make_shared<Value>(), ws = std::make_shared<Value>();
      auto bias = std::make_shared<Value>(), res = std::make_shared<Value>();
      // The next pass's A chunk loads with the second tile's weights: by
      // then the previous pass's last GEMM is emitted, so only two A chunks
      // are ever live (the planner keeps two tiles per group).
      const size_t groupTiles = groups[p.group].second - groups[p.group].first;
      const bool loadsNextA = pi == 0 ? !firstLoadsNextA && t == groups[p.group].first + ahead
                                      : t == groups[p.group].first + (groupTiles > 1 ? 1 : 0);
      const int64_t pair = tile.job->pair();
      const int64_t width = pair * tile.nt;
      // The residual joins the sums with the first chunk's add when no
      // activation follows; else it is added after the activation (single
      // chunk: accumulated into C by the GEMM).
      const bool residualFirst =
          k_.residual.has_value() && !single && k_.act == npu::Activation::None;
      const bool residualLast = k_.residual.has_value() && !residualFirst;
      const bool withResidual = residualFirst ? firstChunk : residualLast && lastChunk;
      Step s;
      s.loads = [&, this, p, pi, tile, w, ws, bias, res, loadsNextA, firstChunk, withResidual]() {
        loadWeightTile(em, e_.arch(), *tile.job, tile.n0, tile.nt, p.k0, p.kk, *w, *ws);
        if (loadsNextA && pi + 1 < passes.size())
          loadA(passes[pi + 1]);
        if (firstChunk && tile.job->bias)
          *bias = loadBiasTile(em, *tile.job, tile.n0, tile.nt);
        if (withResidual) {
          const Tensor &r = *k_.residual;
          *res = em.alloc(p.mt * tile.nt * 4, "residual");
          em.loadParallel(*res, 0, r.symbol, r.at(p.m0, tile.n0), tile.nt * 4, p.mt, r.stride(),
                          tile.nt * 4, e_.arch().core.dma.engines);
        }
      };
      s.compute = [&, this, p, tile, w, ws, bias, res, accBuf, pair, width, firstChunk,
                   lastChunk, withResidual, residualLast]() {
        const MatOperand &B = tile.job->b;
        const AForm form = formFor(B);
        auto [a, aScales] = p.a->bufs.at(form);
        KernelEmitter::Gemm g;
        g.a = a;
        g.lda = p.kk;
        g.aType = form.type;
        g.b = *w;
        g.bType = B.dtype;
        g.transB = !B.kn;
        g.ldb = B.kn ? width : p.kk;
        g.m = em.imm(p.mt);
        g.n = em.imm(width);
        g.k = em.imm(p.kk);
        g.outType = DType::F32;
        if (B.quantized) {
          g.scaleA = aScales;
          g.aScale = form.group ? npu::ScaleMode::PerGroup : npu::ScaleMode::PerRow;
          g.scaleB = *ws;
          g.bScale = B.perGroup ? npu::ScaleMode::PerGroup : npu::ScaleMode::PerRow;
          g.scaleType = B.scaleType;
          g.groupSize = B.perGroup ? B.groupSize : 0;
        }
        if (firstChunk && tile.job->bias)
          g.bias = *bias;
        int partial = -1;
        if (single) {
          // One chunk: the whole epilogue in the GEMM, the residual
          // accumulated into C.
          *accBuf = withResidual
                        ? *res
                        : em.alloc(int64_t(dtypeBytes(tile.job->out.dtype, p.mt * tile.nt)), "c");
          g.c = *accBuf;
          g.ldc = tile.nt;
          g.act = k_.act;
          g.accumulate = withResidual;
          g.outType = tile.job->out.dtype;
        } else if (plan_.accumulate) {
          // The GEMM's epilogue adds each chunk to the sums, the first
          // chunk's onto the residual when it joins them there.
          const bool ontoResidual = withResidual && !residualLast;
          if (firstChunk)
            *accBuf = ontoResidual ? *res : em.alloc(p.mt * width * 4, "acc");
          g.c = *accBuf;
          g.ldc = width;
          g.accumulate = !firstChunk || ontoResidual;
        } else if (firstChunk && !(withResidual && !residualLast)) {
          *accBuf = em.alloc(p.mt * width * 4, "acc");
          g.c = *accBuf;
          g.ldc = width;
        } else {
          partial = nextPartial;
          nextPartial = (nextPartial + 1) % kPartials;
          // The add that last read this buffer goes first.
          while (std::any_of(vecOps.begin(), vecOps.end(),
                             [&](const VecOp &op) { return op.partial == partial; }))
            emitVecOp();
          if (!partials[partial])
            partials[partial] = em.alloc(p.mt * widestPair * 4, "partial");
          g.c = partials[partial];
          g.ldc = width;
        }
        GemmShape shape{p.mt, width, p.kk, g.aType, g.bType, g.outType,
                        g.bias || g.act != npu::Activation::None || g.accumulate, g.accumulate};
        std::optional<isa::Gang> current;
        if (em.core().tc)
          current = em.core().tc->first;
        em.tcConfig(chooseGang(e_.arch(), shape, current), gemmPrecision(g.aType, g.bType));
        em.gemm(g);
        ++gemmsEmitted;

        auto store = [&, p, tile](Value result) {
          const int64_t ob = int64_t(dtypeBytes(tile.job->out.dtype, 1));
          em.storeParallel(result, 0, tile.job->out.symbol, tile.job->out.at(p.m0, tile.n0),
                           tile.nt * ob, p.mt, tile.nt * ob, tile.job->out.stride(),
                           e_.arch().core.dma.engines);
        };
        if (single) {
          store(*accBuf);
          return;
        }
        // The chain of vector work on this tile after this GEMM: the add of
        // the partial sums, then after the last chunk the activation (two
        // instructions for swiglu), the residual unless it joined the sums
        // at the first chunk, and the store behind the last of them.
        struct Link {
          std::function<void()> emit;
          bool instruction = true; ///< emits a vector instruction
        };
        std::vector<Link> chain;
        // The last instruction rounds to the output's storage type.
        const DType ot = tile.job->out.dtype;
        const bool actFinal = lastChunk && !residualLast && k_.act != npu::Activation::None;
        const bool addFinal = lastChunk && !residualLast && k_.act == npu::Activation::None;
        auto result = std::make_shared<Value>();
        bool stored = false;
        if (plan_.accumulate && addFinal) {
          // The sums are the result; f32 is stored as it is, right behind
          // the GEMM.
          if (ot == DType::F32) {
            store(*accBuf);
            stored = true;
          } else {
            chain.push_back({[&, p, tile, accBuf, result, ot]() {
              *result = emitActivationStep(em, npu::Activation::None, *accBuf, p.mt, tile.nt,
                                           1, Value(), ot);
            }});
          }
        }
        if (partial >= 0) {
          const bool fromResidual = firstChunk && withResidual;
          chain.push_back({[&, p, accBuf, res, partial, width, firstChunk, fromResidual, addFinal,
                            ot, result]() {
            if (firstChunk)
              *accBuf = em.alloc(p.mt * width * 4, "acc");
            KernelEmitter::Vec v;
            v.x = fromResidual ? *res : *accBuf;
            v.y = partials[partial];
            v.dst = *accBuf;
            if (addFinal && ot != DType::F32) {
              v.dst = em.alloc(int64_t(dtypeBytes(ot, p.mt * width)), "o");
              v.out = ot;
            }
            *result = v.dst;
            v.rows = em.imm(p.mt);
            v.cols = em.imm(width);
            v.ld0 = width;
            v.ld1 = width;
            v.ldd = width;
            v.in1 = DType::F32;
            em.vec<npu::VAddOp>(v);
          }});
        }
        if (lastChunk) {
          if (k_.act != npu::Activation::None) {
            const bool swiglu = k_.act == npu::Activation::SwiGlu;
            chain.push_back({[&, this, p, tile, accBuf, result, pair, swiglu, actFinal, ot]() {
              *result = emitActivationStep(em, k_.act, *accBuf, p.mt, tile.nt, pair, Value(),
                                           actFinal && !swiglu ? ot : DType::F32);
            }});
            if (swiglu)
              chain.push_back({[&, this, p, tile, accBuf, result, pair, actFinal, ot]() {
                *result = emitActivationStep(em, k_.act, *accBuf, p.mt, tile.nt, pair, *result,
                                             actFinal ? ot : DType::F32);
              }});
          }
          if (residualLast)
            chain.push_back({[&, p, tile, res, result, ot]() {
              KernelEmitter::Vec v;
              v.x = *result;
              v.y = *res;
              v.dst = *res;
              if (ot != DType::F32) {
                v.dst = em.alloc(int64_t(dtypeBytes(ot, p.mt * tile.nt)), "o");
                v.out = ot;
              }
              v.rows = em.imm(p.mt);
              v.cols = em.imm(tile.nt);
              v.ld0 = tile.nt;
              v.ld1 = tile.nt;
              v.ldd = tile.nt;
              v.in1 = DType::F32;
              em.vec<npu::VAddOp>(v);
              *result = v.dst;
            }});
          if (!stored)
            chain.push_back({[store, result]() { store(*result); }, false});
        }
        // Queue the chain as vector instructions: bookkeeping steps (no
        // instruction: taking the sums as the result, the store) ride along
        // with the instruction before them.
        for (size_t i = 0; i < chain.size();) {
          std::vector<std::function<void()>> parts{chain[i].emit};
          for (++i; i < chain.size() && !chain[i].instruction; ++i)
            parts.push_back(chain[i].emit);
          VecOp op;
          op.partial = partial;
          op.gemm = gemmsEmitted;
          op.emit = [parts]() {
            for (const auto &f : parts)
              f();
          };
          vecOps.push_back(std::move(op));
          partial = -1; // only the first op reads the partial sums
        }
        if (!vecOps.empty() && vecOps.front().gemm < gemmsEmitted)
          emitVecOp();
      };
      steps.push_back(s);
    }
  }
  emitPipelined(steps, depth);
  while (!vecOps.empty())
    emitVecOp();
  for (OutputJob &job : k_.outs)
    for (auto &[c, range] : job.slices)
      if (c == coreId)
        e_.noteWrite(job.out, coreId);
}

LogicalResult OutputStationaryEmitter::run() {
  // Results only half-precision linear layers read are stored in their type
  // (not with a residual accumulated into C in f16 by a single-chunk GEMM).
  for (OutputJob &job : k_.outs) {
    if (!job.result || (plan_.single() && k_.residual))
      continue;
    DType t = e_.storageType(job.result);
    if (t != DType::F32) {
      job.out.dtype = t;
      if (job.out.pitch) // a pitch chosen for the f32 rows: choose again
        job.out.pitch = e_.activationPitch(job.out.rows, job.out.cols, t);
      e_.setTensor(job.result, job.out);
    }
  }
  SmallVector<Tensor> inputs{k_.x};
  if (k_.residual)
    inputs.push_back(*k_.residual);

  // The A operands: the input itself when a GEMM reads it as it is, else a
  // staged copy written by all consumer cores, a row range each.
  const bool hasNorm = k_.norm != graph::NormKind::None;
  for (const OutputJob &job : k_.outs) {
    AForm f = formFor(job.b);
    if (std::any_of(forms_.begin(), forms_.end(), [&](const StagedForm &s) { return s.form == f; }))
      continue;
    StagedForm s;
    s.form = f;
    if (!hasNorm && !f.quantized && f.type == k_.x.dtype) {
      s.data = k_.x;
    } else {
      s.staged = true;
      s.data = e_.scratchTensor(k_.x.rows, k_.x.cols, f.type);
      if (f.quantized)
        s.scales = e_.scratchTensor(k_.x.rows, f.groups(k_.x.cols), f.scaleType);
    }
    forms_.push_back(s);
  }
  const bool anyStaged =
      std::any_of(forms_.begin(), forms_.end(), [](const StagedForm &s) { return s.staged; });
  if (anyStaged) {
    unsigned cores = unsigned(llvm::popcount(consumers_));
    std::vector<unsigned> ids;
    for (unsigned c = 0; c < e_.numCores(); ++c)
      if (consumers_ >> c & 1)
        ids.push_back(c);
    e_.syncInputs({k_.x}, consumers_, k_.op->getLoc());
    auto ranges = splitRange(k_.x.rows, cores, 1);
    for (size_t i = 0; i < ranges.size(); ++i)
      stage(ids[i], ranges[i].first, ranges[i].second);
    for (const StagedForm &s : forms_)
      if (s.staged) {
        inputs.push_back(s.data);
        if (s.scales)
          inputs.push_back(*s.scales);
      }
  }
  e_.syncInputs(inputs, consumers_, k_.op->getLoc());
  for (unsigned c = 0; c < e_.numCores(); ++c)
    emitCore(c);
  return success();
}

} // namespace

bool outputStationaryApplies(EntryLowering &e, LinearKernel &k) {
  OutputStationaryEmitter em(e, k);
  return em.plan();
}

LogicalResult emitOutputStationary(EntryLowering &e, LinearKernel &k) {
  OutputStationaryEmitter em(e, k);
  if (!em.plan())
    return kernelError(k.op, "the output-stationary linear schedule does not apply (an "
                             "activation as the B operand, mixed weight precisions, or no "
                             "tiling that fits the SRAM budget)");
  return em.run();
}

} // namespace strata::lowering
