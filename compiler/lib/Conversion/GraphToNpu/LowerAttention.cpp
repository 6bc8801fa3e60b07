//===- LowerAttention.cpp - Causal GQA attention over the KV cache --------===//
//
// KV heads are split over cores. For each KV head of a core:
//
//   1. append: the T new key and value rows (f32 in HBM) are loaded, cast to
//      the cache type and stored at rows pos .. pos+w-1 of the head's cache,
//      w = min(T, max_seq - pos), by a DMA whose row count and address are
//      registers;
//   2. read back rows 0 .. L-1, L = min(pos + T, max_seq), with DMAs of
//      register size. A decode step over an f32 cache needs no cast: rows
//      0 .. pos-1 are read, the new row is loaded into place beside them and
//      stored from there, so the scores do not wait for the store to reach
//      HBM and come back;
//   3. per query head of the group (decode: the whole group as the rows of
//      one GEMM): S = Q K^T (n = L in a register), P = softmax(scale S) with
//      the causal mask at offset pos, O = P V (k = L), stored into the
//      head's columns of the result.
//
// A decode step over an f32 cache may keep the head's rows resident in SRAM
// between steps (NpuResidency.h; docs/compiler.md 7.15): its block then has a
// fixed place, and step 2 reads only the rows from kv_valid on.
//
// The cache layout is [layer][kv_head][k|v][max_seq][head_dim], so a head's
// K and V rows are one block: the append and the read of one head are one
// DMA each (K and V as a second dimension) and never touch another core's
// bytes. The append (store queue) and the read (load queue)
// overlap in HBM, which makes strata-npu-insert-semaphores order them.
//
//===----------------------------------------------------------------------===//
#include "Kernels.h"

#include "strata/Conversion/GraphToNpu/CostModel.h"
#include "strata/Dialect/Npu/IR/NpuResidency.h"

#include <cmath>

using namespace mlir;

namespace strata::lowering {

LogicalResult lowerAttention(EntryLowering &e, graph::AttentionOp op) {
  FailureOr<Tensor> q = e.tensor(op.getQuery(), op);
  FailureOr<Tensor> kNew = e.tensor(op.getKey(), op);
  FailureOr<Tensor> vNew = e.tensor(op.getValue(), op);
  if (failed(q) || failed(kNew) || failed(vNew))
    return failure();
  FailureOr<const ModuleLowering::KvCache *> kvOr = e.module().kvCache(op.getCacheAttr(), op);
  if (failed(kvOr))
    return failure();
  const ModuleLowering::KvCache &kv = **kvOr;
  const int64_t H = op.getNumHeads(), Hkv = op.getNumKvHeads(), hd = op.getHeadDim();
  const int64_t T = q->rows, layer = op.getLayer();
  if (H % Hkv != 0)
    return kernelError(op, "num_heads must be a multiple of num_kv_heads");
  if (Hkv != kv.kvHeads || hd != kv.headDim || layer >= kv.layers)
    return kernelError(op, "its heads, head size or layer do not match the KV cache");
  if (q->dtype != DType::F32 || kNew->dtype != DType::F32 || vNew->dtype != DType::F32)
    return kernelError(op, "query, key and value must be f32 activations");
  if (T > kv.maxSeq)
    return kernelError(op, "a chunk of " + std::to_string(T) +
                               " rows exceeds the KV cache's max_seq " +
                               std::to_string(kv.maxSeq));
  const int64_t G = H / Hkv;
  const DType ce = kv.dtype;
  const int64_t rowBytes = kv.rowBytes();
  const float scale = op.getScale()
                          ? static_cast<float>(op.getScale()->convertToDouble())
                          : static_cast<float>(1.0 / std::sqrt(double(hd)));
  // Stored rounded to f16/bf16 when only half-precision linear layers read
  // it (the output projection): half the bytes, the same values they cast.
  Tensor out = e.resultTensor(op.getResult(), e.storageType(op.getResult()));
  const int64_t ob = int64_t(dtypeBytes(out.dtype, 1));

  unsigned cores = static_cast<unsigned>(std::min<int64_t>(e.numCores(), Hkv));
  unsigned start = e.nextCore();
  auto headRanges = splitRange(Hkv, cores, 1);
  uint64_t consumers = 0;
  for (size_t i = 0; i < headRanges.size(); ++i)
    consumers |= uint64_t(1) << ((start + i) % e.numCores());
  e.syncInputs({*q, *kNew, *vNew}, consumers, op.getLoc());

  Value pos = op.getPos();
  std::optional<int64_t> constPos = e.constantIndex(pos);
  int64_t budget = e.module().sramBudget();
  // Score rows per block: S (f32) and P (cache type) rows of max_seq.
  int64_t perRow = kv.maxSeq * (4 + int64_t(dtypeBytes(ce, 1))) + hd * 16;
  int64_t fixed = 2 * kv.headBytes() + 4 * T * hd * 4;
  if (fixed >= budget)
    return kernelError(op, "the K and V rows of one head (" + std::to_string(2 * kv.headBytes()) +
                               " bytes) do not fit the SRAM budget of " +
                               std::to_string(budget) + " bytes");
  const bool decode = T == 1;
  const int64_t qRowsPerBlock = decode ? G : std::max<int64_t>(1, (budget - fixed) / perRow);
  if (decode && G * perRow + fixed > budget)
    return kernelError(op, "a decode step's scores do not fit the SRAM budget");

  for (size_t ci = 0; ci < headRanges.size(); ++ci) {
    unsigned c = (start + unsigned(ci)) % e.numCores();
    KernelEmitter em(e.core(c), op.getLoc());
    std::string key = std::to_string(T) + "." + std::to_string(kv.maxSeq);
    // Registers: pos, w = min(T, max_seq - pos), L = min(pos + T, max_seq),
    // and their byte forms for this row size.
    unsigned posReg = 0;
    if (!constPos) {
      FailureOr<unsigned> r = e.indexReg(c, pos, op.getLoc());
      if (failed(r))
        return failure();
      posReg = *r;
    }
    auto posValue = [&](KernelEmitter &k, unsigned rd) {
      if (constPos)
        k.li(rd, *constPos);
      else
        k.addi(rd, posReg, 0);
    };
    // rd = min(rd, bound), the bound in a temporary register.
    auto capAt = [&](KernelEmitter &k, unsigned rd, int64_t bound) {
      FailureOr<unsigned> t = e.tempReg(c, op.getLoc());
      if (failed(t))
        return;
      k.li(*t, bound);
      k.min(rd, rd, *t);
      e.releaseTemp(c, *t);
    };
    FailureOr<unsigned> wReg = e.derivedReg(c, "kv.w." + key, op.getLoc(), [&](KernelEmitter &k,
                                                                              unsigned rd) {
      // rd = min(T, max_seq - pos), using rd itself for the constants.
      posValue(k, rd);
      k.muli(rd, rd, -1);
      k.addi(rd, rd, kv.maxSeq);
      capAt(k, rd, T);
    });
    FailureOr<unsigned> lReg = e.derivedReg(c, "kv.L." + key, op.getLoc(), [&](KernelEmitter &k,
                                                                              unsigned rd) {
      posValue(k, rd);
      k.addi(rd, rd, T);
      capAt(k, rd, kv.maxSeq);
    });
    if (failed(wReg) || failed(lReg))
      return failure();
    FailureOr<unsigned> posBytes = e.derivedReg(
        c, "kv.posbytes." + std::to_string(rowBytes), op.getLoc(),
        [&](KernelEmitter &k, unsigned rd) {
          posValue(k, rd);
          k.muli(rd, rd, rowBytes);
        });
    // A decode step over an f32 cache appends in place (below). Not a
    // prefill chunk: its cache reads, no longer behind the append, are then
    // free to move ahead into earlier kernels, and the prefetch scheduler's
    // capacity check, blind to the allocator's fragmentation, lets them
    // crowd the big chunks' GEMMs (LLaMA-2-7B at a 128-token chunk would no
    // longer fit its SRAM).
    const bool inPlace = ce == DType::F32 && decode;
    // The read-back's size (an in-place append reads rows 0 .. pos-1 instead).
    FailureOr<unsigned> lBytes = unsigned(0);
    if (!inPlace)
      lBytes = e.derivedReg(c, "kv.Lbytes." + key + "." + std::to_string(rowBytes), op.getLoc(),
                            [&](KernelEmitter &k, unsigned rd) { k.muli(rd, *lReg, rowBytes); });
    // Rows 0 .. min(pos, max_seq)-1 in bytes: what an in-place append reads
    // (the cap keeps a position past the cache inside the head's rows).
    FailureOr<unsigned> oldBytes = unsigned(0);
    if (inPlace)
      oldBytes = e.derivedReg(
          c, "kv.oldbytes." + std::to_string(kv.maxSeq) + "." + std::to_string(rowBytes),
          op.getLoc(), [&](KernelEmitter &k, unsigned rd) {
            posValue(k, rd);
            capAt(k, rd, kv.maxSeq);
            k.muli(rd, rd, rowBytes);
          });
    if (failed(posBytes) || failed(lBytes) || failed(oldBytes))
      return failure();
    // A resident cache (NpuResidency.h) holds rows 0 .. kv_valid-1 from the
    // steps before: read only rows valid .. pos-1, valid = kv_valid clamped
    // to 0 .. min(pos, max_seq), in bytes (validBytes), and what is left.
    const bool resident = inPlace && e.module().residentKvBytes() > 0;
    FailureOr<unsigned> validBytes = unsigned(0), freshBytes = unsigned(0);
    if (resident) {
      FailureOr<unsigned> validParam = e.paramReg(npu::kKvValidParam, op.getLoc());
      if (failed(validParam))
        return failure();
      validBytes = e.derivedReg(
          c, "kv.validbytes." + std::to_string(kv.maxSeq) + "." + std::to_string(rowBytes),
          op.getLoc(), [&](KernelEmitter &k, unsigned rd) {
            k.muli(rd, *validParam, rowBytes);
            k.min(rd, rd, *oldBytes);
            k.max(rd, rd, 0); // r0 reads as zero
          });
      if (failed(validBytes))
        return failure();
      freshBytes = e.derivedReg(
          c, "kv.unheldbytes." + std::to_string(kv.maxSeq) + "." + std::to_string(rowBytes),
          op.getLoc(), [&](KernelEmitter &k, unsigned rd) { k.sub(rd, *oldBytes, *validBytes); });
      if (failed(freshBytes))
        return failure();
    }

    for (int64_t g = headRanges[ci].first; g < headRanges[ci].second; ++g) {
      // The head's K rows and then its V rows, in HBM as in SRAM: one DMA
      // moves both (a second dimension of `hb` bytes), so the read and the
      // append are one descriptor each, not one per half.
      const int64_t hb = kv.headBytes();
      const int64_t base = kv.base(layer, g);
      std::optional<int64_t> residentAt;
      if (resident) {
        residentAt = e.module().residentKvOffset(
            c, "L" + std::to_string(layer) + ".H" + std::to_string(g), 2 * hb);
        if (!residentAt)
          return kernelError(op, "the resident KV cache's reservation is too small for this "
                                 "head (internal error)");
      }
      Value cache = residentAt ? em.allocResident(2 * hb, *residentAt, "kv.resident")
                               : em.alloc(2 * hb, "kv.cache");
      auto bothHalves = [&](auto dma, DenseI64ArrayAttr srcStrides, DenseI64ArrayAttr dstStrides) {
        dma.setSizeAttr(
            em.b().getArrayAttr({em.imm(rowBytes), em.reg(*wReg), em.imm(2)}));
        dma.setSrcStridesAttr(srcStrides);
        dma.setDstStridesAttr(dstStrides);
      };
      // `bytesReg` bytes of each half into the block, from the byte offset
      // in `fromReg` (on both sides) when there is one, else from row 0.
      auto readBack = [&](unsigned bytesReg, std::optional<unsigned> fromReg = std::nullopt) {
        npu::DmaLoadOp ld = em.load(cache, 0, kv.symbol, base, rowBytes);
        ld.setSizeAttr(em.b().getArrayAttr({em.reg(bytesReg), em.imm(2)}));
        ld.setSrcStridesAttr(em.b().getDenseI64ArrayAttr({hb}));
        ld.setDstStridesAttr(em.b().getDenseI64ArrayAttr({hb}));
        ld.setSrcWindowAttr(em.b().getDenseI64ArrayAttr({base, 2 * hb}));
        if (fromReg) {
          ld.setSrcRegAttr(em.b().getI32IntegerAttr(*fromReg));
          ld.setDstRegAttr(em.b().getI32IntegerAttr(*fromReg));
          ld.setDstWindowAttr(em.b().getDenseI64ArrayAttr({0, 2 * hb}));
        }
      };
      if (inPlace) {
        // An f32 cache holds the rows as they are: read rows 0 .. pos-1
        // (those the resident copy lacks), load the new rows straight into
        // row pos of each half and store them from there. Nothing reads the
        // cache after the append, so the scores need not wait for the store.
        if (resident)
          readBack(*freshBytes, *validBytes);
        else
          readBack(*oldBytes);
        for (int64_t which = 0; which < 2; ++which) {
          const Tensor &src = which == 0 ? *kNew : *vNew;
          npu::DmaLoadOp fresh = em.load(cache, which * hb, src.symbol, src.at(0, g * hd), hd * 4,
                                         T, src.stride(), rowBytes);
          fresh.setSizeAttr(em.b().getArrayAttr({em.imm(rowBytes), em.reg(*wReg)}));
          fresh.setDstRegAttr(em.b().getI32IntegerAttr(*posBytes));
          fresh.setDstWindowAttr(em.b().getDenseI64ArrayAttr({which * hb, hb}));
        }
        npu::DmaStoreOp st = em.store(cache, 0, kv.symbol, base, rowBytes, 1);
        bothHalves(st, em.b().getDenseI64ArrayAttr({rowBytes, hb}),
                   em.b().getDenseI64ArrayAttr({rowBytes, hb}));
        st.setSrcRegAttr(em.b().getI32IntegerAttr(*posBytes));
        st.setSrcWindowAttr(em.b().getDenseI64ArrayAttr({0, 2 * hb}));
        st.setDstRegAttr(em.b().getI32IntegerAttr(*posBytes));
        st.setDstWindowAttr(em.b().getDenseI64ArrayAttr({base, 2 * hb}));
      } else {
        // 1. Append the new K and V rows at pos (cast to the cache type):
        //    [2][T] rows, K then V.
        Value rows = em.alloc(2 * T * hd * 4, "kv.new");
        for (int64_t which = 0; which < 2; ++which) {
          const Tensor &src = which == 0 ? *kNew : *vNew;
          em.load(rows, which * T * hd * 4, src.symbol, src.at(0, g * hd), hd * 4, T, src.stride(),
                  hd * 4);
        }
        Value cast = rows;
        if (ce != DType::F32) {
          cast = em.alloc(2 * T * rowBytes, "kv.cast");
          em.vec<npu::VCastOp>(em.denseRows(rows, cast, 2 * T, hd, DType::F32, ce));
        }
        npu::DmaStoreOp st = em.store(cast, 0, kv.symbol, base, rowBytes, 1);
        bothHalves(st, em.b().getDenseI64ArrayAttr({rowBytes, T * rowBytes}),
                   em.b().getDenseI64ArrayAttr({rowBytes, hb}));
        st.setDstRegAttr(em.b().getI32IntegerAttr(*posBytes));
        st.setDstWindowAttr(em.b().getDenseI64ArrayAttr({base, 2 * hb}));

        // 2. Read rows 0 .. L-1 of both halves back.
        readBack(*lBytes);
      }

      // 3. Scores, softmax and the weighted sum, per block of query rows.
      auto attend = [&](int64_t head0, int64_t heads, int64_t row0, int64_t rows) -> LogicalResult {
        // Q rows: decode stacks the group's heads ([heads][hd], contiguous in
        // the single query row); prefill takes [rows][hd] of one head.
        int64_t m = decode ? heads : rows;
        Value qf = em.alloc(m * hd * 4, "q");
        if (decode)
          em.load(qf, 0, q->symbol, q->offset + head0 * hd * 4, heads * hd * 4);
        else
          em.load(qf, 0, q->symbol, q->at(row0, head0 * hd), hd * 4, rows, q->stride(), hd * 4);
        Value qc = qf;
        if (ce != DType::F32) {
          qc = em.alloc(m * rowBytes, "q.cast");
          em.vec<npu::VCastOp>(em.denseRows(qf, qc, m, hd, DType::F32, ce));
        }
        Value s = em.alloc(m * kv.maxSeq * 4, "scores");
        KernelEmitter::Gemm g1;
        g1.a = qc;
        g1.b = cache;
        g1.c = s;
        g1.m = em.imm(m);
        g1.n = em.reg(*lReg);
        g1.k = em.imm(hd);
        g1.lda = hd;
        g1.ldb = hd;
        g1.ldc = kv.maxSeq;
        g1.aType = ce;
        g1.bType = ce;
        g1.transB = true;
        std::optional<isa::Gang> current;
        if (em.core().tc)
          current = em.core().tc->first;
        GemmShape shape{m, std::min<int64_t>(kv.maxSeq, T + 64), hd, ce, ce, DType::F32, false};
        em.tcConfig(chooseGang(e.arch(), shape, current), ce);
        em.gemm(g1);

        Value p = em.alloc(m * int64_t(dtypeBytes(ce, kv.maxSeq)), "probs");
        KernelEmitter::Vec sm;
        sm.x = s;
        sm.dst = p;
        sm.rows = em.imm(m);
        sm.cols = em.reg(*lReg);
        sm.in = DType::F32;
        sm.out = ce;
        sm.ld0 = kv.maxSeq;
        sm.ldd = kv.maxSeq;
        sm.fimm = scale;
        std::optional<unsigned> temp;
        if (!decode) {
          sm.causal = true;
          if (constPos) {
            sm.aux = em.imm(*constPos + row0);
          } else if (row0 == 0) {
            sm.aux = em.reg(posReg);
          } else {
            FailureOr<unsigned> t = e.tempReg(c, op.getLoc());
            if (failed(t))
              return failure();
            em.addi(*t, posReg, row0);
            sm.aux = em.reg(*t);
            temp = *t;
          }
        }
        em.vec<npu::VSoftmaxOp>(sm);
        if (temp)
          e.releaseTemp(c, *temp);

        Value o = em.alloc(m * hd * ob, "o");
        KernelEmitter::Gemm g2;
        g2.a = p;
        g2.b = cache;
        g2.bOff = hb;
        g2.c = o;
        g2.m = em.imm(m);
        g2.n = em.imm(hd);
        g2.k = em.reg(*lReg);
        g2.lda = kv.maxSeq;
        g2.ldb = hd;
        g2.ldc = hd;
        g2.aType = ce;
        g2.bType = ce;
        g2.outType = out.dtype;
        em.gemm(g2);
        if (decode)
          em.store(o, 0, out.symbol, out.offset + head0 * hd * ob, heads * hd * ob);
        else
          em.store(o, 0, out.symbol, out.at(row0, head0 * hd), hd * ob, rows, hd * ob, out.stride());
        return success();
      };
      if (decode) {
        if (failed(attend(g * G, G, 0, 1)))
          return failure();
      } else {
        for (int64_t h = g * G; h < (g + 1) * G; ++h)
          for (int64_t r0 = 0; r0 < T; r0 += qRowsPerBlock)
            if (failed(attend(h, 1, r0, std::min(qRowsPerBlock, T - r0))))
              return failure();
      }
    }
    e.noteWrite(out, c);
  }
  return success();
}

} // namespace strata::lowering
