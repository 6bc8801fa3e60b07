//===- TimingModel.cpp - Cycle models of the core's units -----------------===//
#include "strata/sim/core/TimingModel.h"

#include <algorithm>
#include <cmath>

namespace strata::sim::core {

namespace {
uint64_t ceilDiv(uint64_t a, uint64_t b) { return b == 0 ? 0 : (a + b - 1) / b; }

uint32_t isqrt(uint32_t v) {
  uint32_t r = uint32_t(std::sqrt(double(v)));
  while ((r + 1) * (r + 1) <= v)
    ++r;
  while (r * r > v)
    --r;
  return r;
}
} // namespace

TcGeometry tcGeometry(const TensorCoreConfig &tc, isa::Gang gang) {
  TcGeometry g;
  uint32_t side = 1;
  switch (gang) {
  case isa::Gang::Independent:
    side = 1;
    break;
  case isa::Gang::Quad:
    side = 2;
    break;
  case isa::Gang::Single:
    // All arrays form one square gang (4 x 4 for the 16 of the ISA).
    side = std::max(1u, isqrt(tc.count));
    break;
  }
  g.arraysPerGroup = side * side;
  g.groups = std::max(1u, tc.count / g.arraysPerGroup);
  g.rows = tc.rows * side;
  g.cols = tc.cols * side;
  return g;
}

std::optional<DType> gemmPrecision(DType a, DType b) {
  if (a == b && a != DType::I32)
    return a;
  if ((a == DType::I8 && b == DType::I4) || (a == DType::I4 && b == DType::I8))
    return DType::I8;
  return std::nullopt;
}

GemmCost gemmCost(const CoreConfig &core, const TcGeometry &geo, DType prec,
                  uint32_t groupsUsed, const isa::GemmInstr &instr, uint32_t m,
                  uint32_t n, uint32_t k) {
  const TensorCoreConfig &tc = core.tensorCores;
  GemmCost c;
  const uint64_t arrayPes = uint64_t(tc.rows) * tc.cols;
  const uint64_t macs = tc.macsPerCycle[unsigned(prec)];
  // Low precisions pack several K elements into one PE (deeper tiles); a
  // precision slower than one MAC per PE per cycle stretches every row.
  if (macs >= arrayPes) {
    c.tileK = uint64_t(geo.rows) * (macs / arrayPes);
    c.rowCycles = m;
  } else {
    c.tileK = geo.rows;
    c.rowCycles = ceilDiv(uint64_t(m) * arrayPes, std::max<uint64_t>(macs, 1));
  }
  c.kTiles = std::max<uint64_t>(1, ceilDiv(k, c.tileK));
  c.nTiles = std::max<uint64_t>(1, ceilDiv(n, geo.cols));
  c.tiles = c.kTiles * c.nTiles;
  c.groupsUsed = std::max(1u, groupsUsed);
  c.tilesPerGroup = ceilDiv(c.tiles, c.groupsUsed);
  // Weights of the next tile load behind the current tile's rows (double
  // buffered), so a tile occupies its group for max(rows streamed, R) cycles;
  // the R + C fill/drain skew and the pipeline latency are paid once.
  c.fillCycles = uint64_t(geo.rows) + geo.cols + tc.pipelineCycles;
  c.computeCycles =
      c.tilesPerGroup * std::max<uint64_t>(c.rowCycles, geo.rows) + c.fillCycles;

  // Scratchpad traffic. A is streamed once per column tile; B once; every
  // K tile after the first reads and writes the FP32 partial sums of its
  // output tile; the epilogue writes C (and reads it to accumulate).
  const uint64_t mn = uint64_t(m) * n;
  const uint64_t nOut = instr.act == isa::Activation::SwiGlu ? n / 2 : n;
  uint64_t read = dtypeBytes(instr.a, uint64_t(m) * k) * c.nTiles +
                  dtypeBytes(instr.b, uint64_t(k) * n);
  uint64_t write = 0;
  const uint64_t partial = (c.kTiles - 1) * mn * 4;
  read += partial;
  write += partial;
  write += dtypeBytes(instr.out, uint64_t(m) * nOut);
  if (instr.accumulate)
    read += dtypeBytes(instr.out, uint64_t(m) * nOut);
  if (instr.hasBias)
    read += uint64_t(n) * 4;
  const uint64_t scaleBytes = dtypeBits(instr.scaleType) / 8;
  const uint64_t groups =
      instr.groupSize ? ceilDiv(k, instr.groupSize) : 1;
  if (instr.aScale == isa::ScaleMode::PerRow)
    read += uint64_t(m) * scaleBytes;
  else if (instr.aScale == isa::ScaleMode::PerGroup)
    read += uint64_t(m) * groups * scaleBytes;
  if (instr.bScale == isa::ScaleMode::PerRow)
    read += uint64_t(n) * scaleBytes;
  else if (instr.bScale == isa::ScaleMode::PerGroup)
    read += uint64_t(n) * groups * scaleBytes;
  c.sramReadBytes = read;
  c.sramWriteBytes = write;
  c.sramBytes = read + write;
  const uint64_t sramBw = uint64_t(core.sram.banks) * core.sram.bankWidthBytes;
  c.sramCycles = ceilDiv(c.sramBytes, sramBw);

  if (instr.hasBias || instr.accumulate || instr.act != isa::Activation::None) {
    const uint64_t perCycle = std::max(1u, tc.epilogueElemsPerCycle);
    c.epilogueCycles = ceilDiv(mn, perCycle);
    // A column tile's sums are final once its last K tile has streamed the
    // rows through, row by row. When the column tiles stay on their groups
    // (at least one per group), they finish in waves of groupsUsed, the
    // first after kTiles tile steps, and the epilogue works on each wave
    // while the array computes the next; only the last wave's work beyond
    // its own streaming follows the array. Fewer column tiles than groups
    // split K over the groups, and every sum is final only at the end.
    const uint64_t step = std::max<uint64_t>(c.rowCycles, geo.rows);
    uint64_t lastCols = n;
    if (c.nTiles >= c.groupsUsed) {
      const uint64_t waves = ceilDiv(c.nTiles, c.groupsUsed);
      lastCols = n - std::min<uint64_t>(n, (waves - 1) * c.groupsUsed * geo.cols);
      c.epilogueStartCycles = (c.kTiles - 1) * step;
    } else {
      c.epilogueStartCycles = c.computeCycles - std::min(c.computeCycles, c.rowCycles);
    }
    const uint64_t last = ceilDiv(uint64_t(m) * lastCols, perCycle);
    c.epilogueTailCycles = last - std::min(last, c.rowCycles);
  }
  c.cycles = uint64_t(c.latency(double(std::max(c.computeCycles, c.sramCycles))));
  c.macs = mn * k;
  return c;
}

double GemmCost::latency(double arrayCycles) const {
  if (epilogueCycles == 0)
    return arrayCycles;
  return std::max(arrayCycles + double(epilogueTailCycles),
                  double(epilogueStartCycles + epilogueCycles));
}

double GemmCost::occupancy(double arrayCycles) const {
  // The array's work ends fillCycles after its last row entered, whether
  // the MACs (tilesPerGroup steps) or the scratchpad (rows entering at the
  // rate the banks feed them) set the pace of the rows; from then on the
  // group only drains. Scratchpad traffic the drain still makes (the last
  // sums, C) stays on the bank ledger, where the next Gemm's booking queues
  // behind it, so freeing the group early never exceeds the bandwidth.
  return std::max(0.0, arrayCycles - double(fillCycles));
}

SramAccessCost sramAccessCost(const SramConfig &sram, const SramStream *streams,
                              unsigned count) {
  SramAccessCost cost;
  const uint64_t banks = std::max(1u, sram.banks);
  const uint64_t width = std::max(1u, sram.bankWidthBytes);
  // Per-bank line counts as a circular difference array: a run of n lines
  // starting in bank b adds n / banks to every bank and one more to the
  // n % banks banks from b on.
  thread_local std::vector<int64_t> diff;
  diff.assign(banks + 1, 0);
  uint64_t everyBank = 0;
  auto addRun = [&](uint64_t addr, uint64_t bytes, uint64_t times) {
    const uint64_t first = addr / width;
    const uint64_t lines = (addr + bytes - 1) / width - first + 1;
    everyBank += (lines / banks) * times;
    const uint64_t rem = lines % banks;
    if (rem == 0)
      return;
    const uint64_t start = first % banks;
    const uint64_t end = start + rem;
    diff[start] += int64_t(times);
    if (end <= banks) {
      diff[end] -= int64_t(times);
    } else {
      diff[banks] -= int64_t(times);
      diff[0] += int64_t(times);
      diff[end - banks] -= int64_t(times);
    }
  };
  for (unsigned s = 0; s < count; ++s) {
    const SramStream &st = streams[s];
    if (st.rows == 0 || st.rowBytes == 0)
      continue;
    const uint64_t bytes = st.rows * st.rowBytes;
    (st.write ? cost.writeBytes : cost.readBytes) += bytes;
    if (st.rows == 1 || st.strideBytes == st.rowBytes) {
      addRun(st.base, bytes, 1);
    } else if (st.strideBytes % (banks * width) == 0) {
      // Every row starts in the same bank: the classic conflict pattern.
      addRun(st.base, st.rowBytes, st.rows);
    } else {
      for (uint64_t r = 0; r < st.rows; ++r)
        addRun(st.base + r * st.strideBytes, st.rowBytes, 1);
    }
  }
  int64_t run = 0, busiest = 0;
  for (uint64_t b = 0; b < banks; ++b) {
    run += diff[b];
    busiest = std::max(busiest, run);
  }
  cost.cycles = everyBank + uint64_t(busiest);
  return cost;
}

bool isRowOp(isa::Opcode op) {
  return op == isa::Opcode::VSoftmax || op == isa::Opcode::VRmsNorm ||
         op == isa::Opcode::VLayerNorm || op == isa::Opcode::VQuantize;
}

unsigned vectorStreams(const func::ResolvedVec &op, SramStream out[4]) {
  using isa::Opcode;
  const isa::VecInstr &v = *op.instr;
  unsigned n = 0;
  auto add = [&](uint64_t base, uint64_t rows, uint64_t rowBytes, uint64_t stride,
                 bool write) {
    out[n++] = SramStream{base, rows, rowBytes, stride, write};
  };
  const uint64_t rows = op.rows, cols = op.cols;
  add(op.x, rows, dtypeBytes(v.in, cols), dtypeBytes(v.in, v.ld0), false);
  switch (v.op) {
  case Opcode::VAdd:
  case Opcode::VSub:
  case Opcode::VMul:
  case Opcode::VMax:
    switch (v.bcast) {
    case isa::Broadcast::None:
      add(op.y, rows, dtypeBytes(v.in1, cols), dtypeBytes(v.in1, v.ld1), false);
      break;
    case isa::Broadcast::Row:
      add(op.y, 1, dtypeBytes(v.in1, cols), 0, false);
      break;
    case isa::Broadcast::Col:
      add(op.y, 1, dtypeBytes(v.in1, rows), 0, false);
      break;
    case isa::Broadcast::Scalar:
      break;
    }
    break;
  case Opcode::VRmsNorm:
    add(op.y, 1, dtypeBytes(v.in1, cols), 0, false);
    break;
  case Opcode::VLayerNorm:
    add(op.y, 1, dtypeBytes(v.in1, cols), 0, false);
    add(op.z, 1, dtypeBytes(v.in1, cols), 0, false);
    break;
  case Opcode::VQuantize:
  case Opcode::VDequantize: {
    const uint64_t groups = v.aux2 ? (cols + v.aux2 - 1) / v.aux2 : 1;
    add(op.y, 1, dtypeBytes(v.in1, rows * groups), 0, v.op == Opcode::VQuantize);
    break;
  }
  default:
    break;
  }
  switch (v.op) {
  case Opcode::VReduceSum:
  case Opcode::VReduceMax:
  case Opcode::VArgmax:
    add(op.dst, rows, dtypeBytes(v.out, 1), dtypeBytes(v.out, v.ldd), true);
    break;
  case Opcode::VTranspose:
    add(op.dst, cols, dtypeBytes(v.out, rows), dtypeBytes(v.out, v.ldd), true);
    break;
  default:
    add(op.dst, rows, dtypeBytes(v.out, cols), dtypeBytes(v.out, v.ldd), true);
    break;
  }
  return n;
}

VectorCost vectorCost(const CoreConfig &core, const func::ResolvedVec &op) {
  const VectorUnitConfig &vu = core.vector;
  VectorCost c;
  c.elements = uint64_t(op.rows) * op.cols;
  c.lineCycles = ceilDiv(c.elements, std::max(1u, vu.lanes));
  c.passes = isRowOp(op.instr->op) ? std::max(1u, vu.rowOpPasses) : 1;
  c.transcendental = func::isTranscendental(op.instr->op);
  // One of the passes runs on the transcendental pipeline (exp of softmax,
  // the function itself for VExp/VSilu/...); the others at one line a cycle.
  const uint64_t extra = c.transcendental && vu.transcendentalCycles > 1
                             ? uint64_t(vu.transcendentalCycles) - 1
                             : 0;
  c.computeCycles = vu.startupCycles + c.lineCycles * (c.passes + extra);
  SramStream streams[4];
  const unsigned count = vectorStreams(op, streams);
  c.sram = sramAccessCost(core.sram, streams, count);
  c.cycles = std::max(c.computeCycles, c.sram.cycles);
  return c;
}

DmaRequestCursor::DmaRequestCursor(uint64_t src, uint64_t dst, const uint32_t size[3],
                                   const uint32_t srcStride[2],
                                   const uint32_t dstStride[2], uint32_t requestBytes,
                                   bool alignOnSrc)
    : src_(src), dst_(dst), requestBytes_(std::max(1u, requestBytes)),
      alignOnSrc_(alignOnSrc) {
  for (int i = 0; i < 3; ++i)
    size_[i] = size[i];
  for (int i = 0; i < 2; ++i) {
    srcStride_[i] = srcStride[i];
    dstStride_[i] = dstStride[i];
  }
}

DmaRequestCursor::Request DmaRequestCursor::next() {
  const uint64_t runSrc =
      src_ + uint64_t(i1_) * srcStride_[0] + uint64_t(i2_) * srcStride_[1];
  const uint64_t runDst =
      dst_ + uint64_t(i1_) * dstStride_[0] + uint64_t(i2_) * dstStride_[1];
  Request r;
  r.src = runSrc + offset_;
  r.dst = runDst + offset_;
  const uint64_t aligned = alignOnSrc_ ? r.src : r.dst;
  const uint64_t toBoundary = requestBytes_ - aligned % requestBytes_;
  r.bytes = uint32_t(std::min<uint64_t>(size_[0] - offset_, toBoundary));
  offset_ += r.bytes;
  if (offset_ >= size_[0]) {
    offset_ = 0;
    if (++i1_ >= size_[1]) {
      i1_ = 0;
      ++i2_;
    }
  }
  return r;
}

uint64_t DmaRequestCursor::count(uint64_t src, uint64_t dst, const uint32_t size[3],
                                 const uint32_t srcStride[2],
                                 const uint32_t dstStride[2], uint32_t requestBytes,
                                 bool alignOnSrc) {
  if (size[0] == 0)
    return 0;
  const uint64_t rb = std::max(1u, requestBytes);
  uint64_t total = 0;
  for (uint64_t i2 = 0; i2 < size[2]; ++i2)
    for (uint64_t i1 = 0; i1 < size[1]; ++i1) {
      const uint64_t a = alignOnSrc ? src + i1 * srcStride[0] + i2 * srcStride[1]
                                    : dst + i1 * dstStride[0] + i2 * dstStride[1];
      total += ceilDiv(a % rb + size[0], rb);
    }
  return total;
}

} // namespace strata::sim::core
