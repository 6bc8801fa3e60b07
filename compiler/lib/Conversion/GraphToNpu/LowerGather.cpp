//===- LowerGather.cpp - Embedding lookups and rows at runtime indices ----===//
//
// An embedding is a gather loop: for each token, ld32 reads its id from the
// ids binding, the table row's HBM address is computed in a register, and a
// DMA copies that row (and its scales, for an integer table) into SRAM. The
// rows are then converted to f32 on the vector unit and stored. take_row
// copies one row whose index is a register (e.g. n_valid - 1).
//
//===----------------------------------------------------------------------===//
#include "Kernels.h"

using namespace mlir;

namespace strata::lowering {

LogicalResult lowerEmbedding(EntryLowering &e, graph::EmbeddingOp op) {
  FailureOr<const WeightInfo *> tableOr = e.module().weight(op.getTable());
  if (failed(tableOr))
    return kernelError(op, "the table must be a graph.weight_ref value");
  const WeightInfo &table = **tableOr;
  FailureOr<Tensor> ids = e.tensor(op.getIds(), op);
  if (failed(ids))
    return failure();
  if (ids->dtype != DType::I32)
    return kernelError(op, "ids must be i32");
  const int64_t T = ids->rows * ids->cols;
  const int64_t dim = table.cols;
  const int64_t rowBytes = table.elemBytes(dim);
  const int64_t groups = table.quantized ? table.groupsPerRow() : 0;
  const int64_t scaleRowBytes = groups * table.scaleBytes();
  Tensor out = e.resultTensor(op.getResult(), DType::F32);

  auto split = splitRowsOverCores(e, T);
  uint64_t consumers = 0;
  for (auto &[c, range] : split)
    consumers |= uint64_t(1) << c;
  e.syncInputs({*ids}, consumers, op.getLoc());

  int64_t perRow = rowBytes + scaleRowBytes + dim * 4;
  int64_t tile = rowsPerTile(T, perRow, e.module().sramBudget() / 2, 0);
  if (tile < 1)
    return kernelError(op, "one embedding row does not fit the SRAM budget");
  for (auto &[c, range] : split) {
    KernelEmitter em(e.core(c), op.getLoc());
    for (int64_t t0 = range.first; t0 < range.second; t0 += tile) {
      int64_t n = std::min(tile, range.second - t0);
      Value rows = em.alloc(n * rowBytes, "emb.rows");
      Value scales = table.quantized ? em.alloc(n * scaleRowBytes, "emb.scales") : Value();
      // Registers: loop counter, trip limit, token address, id, row addresses.
      SmallVector<unsigned> regs;
      for (int i = 0; i < 6; ++i) {
        FailureOr<unsigned> r = e.tempReg(c, op.getLoc());
        if (failed(r))
          return failure();
        regs.push_back(*r);
      }
      unsigned counter = regs[0], limit = regs[1], tokenOff = regs[2], id = regs[3],
               src = regs[4], dst = regs[5];
      em.li(tokenOff, 0);
      em.li(dst, 0);
      OpBuilder &b = em.b();
      auto loop = b.create<npu::LoopOp>(op.getLoc(), counter, em.imm(n), limit);
      {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToEnd(&loop.getBody().front());
        b.create<npu::Ld32Op>(op.getLoc(), b.getI32IntegerAttr(id),
                              FlatSymbolRefAttr::get(ids->symbol),
                              b.getI64IntegerAttr(ids->offset + t0 * 4),
                              b.getI32IntegerAttr(tokenOff));
        em.muli(src, id, rowBytes);
        npu::DmaLoadOp ld = em.load(rows, 0, table.payload, 0, rowBytes);
        ld.setSrcRegAttr(b.getI32IntegerAttr(src));
        ld.setDstRegAttr(b.getI32IntegerAttr(dst));
        ld.setSrcWindowAttr(b.getDenseI64ArrayAttr({0, table.elemBytes(table.rows * dim)}));
        ld.setDstWindowAttr(b.getDenseI64ArrayAttr({0, n * rowBytes}));
        if (table.quantized) {
          // Scales of row `id`: [groups] at id * scaleRowBytes. `src` is
          // reused: the payload DMA read it when it was dispatched.
          em.muli(src, id, scaleRowBytes);
          // The scale row of token i lands at i * scaleRowBytes: the counter
          // times the row size, computed into `id` (free after its use).
          // Registers resolve at dispatch, so both come before the DMA.
          em.muli(id, counter, scaleRowBytes);
          npu::DmaLoadOp sl = em.load(scales, 0, table.scales, 0, scaleRowBytes);
          sl.setSrcRegAttr(b.getI32IntegerAttr(src));
          sl.setDstRegAttr(b.getI32IntegerAttr(id));
          sl.setSrcWindowAttr(b.getDenseI64ArrayAttr({0, table.rows * scaleRowBytes}));
          sl.setDstWindowAttr(b.getDenseI64ArrayAttr({0, n * scaleRowBytes}));
        }
        em.addi(tokenOff, tokenOff, 4);
        em.addi(dst, dst, rowBytes);
      }
      for (unsigned r : regs)
        e.releaseTemp(c, r);

      Value f32 = rows;
      if (table.dtype != DType::F32) {
        f32 = em.alloc(n * dim * 4, "emb.f32");
        KernelEmitter::Vec v;
        v.x = rows;
        v.dst = f32;
        v.rows = em.imm(n);
        v.cols = em.imm(dim);
        v.in = table.dtype;
        v.out = DType::F32;
        v.ld0 = dim;
        v.ldd = dim;
        if (table.quantized) {
          v.y = scales;
          v.in1 = table.scaleType;
          v.ld1 = groups;
          v.aux2 = table.perGroup ? table.groupSize : 0;
          em.vec<npu::VDequantizeOp>(v);
        } else {
          em.vec<npu::VCastOp>(v);
        }
      }
      em.storeRows(f32, 0, out, t0, n);
    }
    e.noteWrite(out, c);
  }
  return success();
}

LogicalResult lowerTakeRow(EntryLowering &e, graph::TakeRowOp op) {
  FailureOr<Tensor> x = e.tensor(op.getInput(), op);
  if (failed(x))
    return failure();
  Tensor out = e.resultTensor(op.getResult(), x->dtype);
  unsigned c = e.coreFor(*x);
  e.syncInputs({*x}, uint64_t(1) << c, op.getLoc());
  KernelEmitter em(e.core(c), op.getLoc());
  Value row = em.alloc(x->rowBytes(), "row");
  if (std::optional<int64_t> k = e.constantIndex(op.getRow())) {
    if (*k < 0 || *k >= x->rows)
      return kernelError(op, "row " + std::to_string(*k) + " is outside the " +
                                 std::to_string(x->rows) + " rows");
    em.loadRows(row, 0, *x, *k, 1);
  } else {
    FailureOr<unsigned> idx = e.indexReg(c, op.getRow(), op.getLoc());
    FailureOr<unsigned> off = e.tempReg(c, op.getLoc());
    if (failed(idx) || failed(off))
      return failure();
    em.muli(*off, *idx, x->stride());
    npu::DmaLoadOp ld = em.load(row, 0, x->symbol, x->offset, x->rowBytes());
    ld.setSrcRegAttr(em.b().getI32IntegerAttr(*off));
    ld.setSrcWindowAttr(em.b().getDenseI64ArrayAttr({x->offset, x->bytes()}));
    e.releaseTemp(c, *off);
  }
  em.storeRows(row, 0, out, 0, 1);
  e.noteWrite(out, c);
  return success();
}

} // namespace strata::lowering
