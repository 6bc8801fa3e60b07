//===- TimingModelTest.cpp - Closed forms of the unit timing models -------===//
//
// Each expectation is worked out by hand from the formulas in
// docs/simulator.md for the default arch (32x32 arrays, 16 per core;
// MACs/cycle/array I4 4096, I8 2048, F16 1024, F32 256; 32 banks x 64 B;
// 64 vector lanes, startup 4, transcendental 4, 3 row passes).
//
//===----------------------------------------------------------------------===//
#include "strata/sim/core/TimingModel.h"

#include <gtest/gtest.h>

using namespace strata;
using namespace strata::sim::core;
using isa::Gang;

namespace {

isa::GemmInstr gemmOf(DType a, DType b, DType out = DType::F32) {
  isa::GemmInstr g;
  g.a = a;
  g.b = b;
  g.out = out;
  return g;
}

GemmCost cost(Gang gang, DType prec, uint32_t m, uint32_t n, uint32_t k,
              bool allGroups = true, isa::GemmInstr g = gemmOf(DType::F16, DType::F16)) {
  ArchConfig arch;
  TcGeometry geo = tcGeometry(arch.core.tensorCores, gang);
  return gemmCost(arch.core, geo, prec, allGroups ? geo.groups : 1, g, m, n, k);
}

} // namespace

TEST(TimingModel, GangGeometry) {
  ArchConfig arch;
  TcGeometry i = tcGeometry(arch.core.tensorCores, Gang::Independent);
  EXPECT_EQ(i.groups, 16u);
  EXPECT_EQ(i.rows, 32u);
  EXPECT_EQ(i.cols, 32u);
  TcGeometry q = tcGeometry(arch.core.tensorCores, Gang::Quad);
  EXPECT_EQ(q.groups, 4u);
  EXPECT_EQ(q.arraysPerGroup, 4u);
  EXPECT_EQ(q.rows, 64u);
  TcGeometry s = tcGeometry(arch.core.tensorCores, Gang::Single);
  EXPECT_EQ(s.groups, 1u);
  EXPECT_EQ(s.arraysPerGroup, 16u);
  EXPECT_EQ(s.rows, 128u);
  EXPECT_EQ(s.cols, 128u);
}

TEST(TimingModel, GemmPrecisionOfOperands) {
  EXPECT_EQ(gemmPrecision(DType::F16, DType::F16), DType::F16);
  EXPECT_EQ(gemmPrecision(DType::I8, DType::I4), DType::I8);
  EXPECT_EQ(gemmPrecision(DType::I4, DType::I4), DType::I4);
  EXPECT_FALSE(gemmPrecision(DType::F16, DType::I8));
  EXPECT_FALSE(gemmPrecision(DType::I32, DType::I32));
}

TEST(TimingModel, GemmF16EachGang) {
  // M=64 N=256 K=256, f16 x f16 -> f32.
  // Independent: R=C=32, 8x8 tiles over 16 groups = 4 each:
  //   compute 4*max(64,32) + 32+32+8 = 328
  //   SRAM A 32768*8 + B 131072 + partials 7*65536*2 + C 65536 = 1376256 B / 2048 = 672
  GemmCost i = cost(Gang::Independent, DType::F16, 64, 256, 256);
  EXPECT_EQ(i.tileK, 32u);
  EXPECT_EQ(i.tiles, 64u);
  EXPECT_EQ(i.tilesPerGroup, 4u);
  EXPECT_EQ(i.computeCycles, 328u);
  EXPECT_EQ(i.sramBytes, 1376256u);
  EXPECT_EQ(i.sramCycles, 672u);
  EXPECT_EQ(i.cycles, 672u);
  EXPECT_EQ(i.macs, 64u * 256 * 256);
  // Quad: R=C=64, 4x4 tiles over 4 groups: 4*64 + 64+64+8 = 392;
  //   SRAM 131072 + 131072 + 3*65536*2 + 65536 = 720896 B -> 352.
  GemmCost q = cost(Gang::Quad, DType::F16, 64, 256, 256);
  EXPECT_EQ(q.computeCycles, 392u);
  EXPECT_EQ(q.sramCycles, 352u);
  EXPECT_EQ(q.cycles, 392u);
  // Single: R=C=128, 2x2 tiles on 1 group: 4*max(64,128) + 128+128+8 = 776;
  //   SRAM 65536 + 131072 + 131072 + 65536 = 393216 B -> 192.
  GemmCost s = cost(Gang::Single, DType::F16, 64, 256, 256);
  EXPECT_EQ(s.computeCycles, 776u);
  EXPECT_EQ(s.sramCycles, 192u);
  EXPECT_EQ(s.cycles, 776u);
}

TEST(TimingModel, OccupancyEndsWhenTheLastRowHasEntered) {
  // The group holds a Gemm until its last row has entered the array: the
  // array's cycles less the fill/drain R + C + pipeline, which are latency.
  // Compute bound (Quad, 64 x 256 x 256): 392 - (64 + 64 + 8) = 4 * 64.
  GemmCost q = cost(Gang::Quad, DType::F16, 64, 256, 256);
  EXPECT_EQ(q.fillCycles, 136u);
  EXPECT_EQ(q.occupancy(double(q.computeCycles)), 256.0);
  // Scratchpad bound (Independent, 672 SRAM cycles against 328): rows enter
  // at the banks' pace, the last 672 - 72 = 600 cycles after the first.
  GemmCost i = cost(Gang::Independent, DType::F16, 64, 256, 256);
  EXPECT_EQ(i.fillCycles, 72u);
  EXPECT_EQ(i.occupancy(double(i.sramCycles)), 600.0);
  // Decode (M = 1 < R): a tile holds the group R cycles to load its
  // weights, 128 tiles per group on the 16x1 gang: 128 * 32.
  GemmCost d = cost(Gang::Independent, DType::F16, 1, 4096, 512);
  EXPECT_EQ(d.occupancy(double(d.computeCycles)), 128.0 * 32);
  // The epilogue is not occupancy either (840 cycles, 512 of them occupied).
  isa::GemmInstr g = gemmOf(DType::F16, DType::F16);
  g.hasBias = true;
  GemmCost b = cost(Gang::Single, DType::F16, 64, 256, 256, true, g);
  EXPECT_EQ(b.cycles, 840u);
  EXPECT_EQ(b.occupancy(double(b.computeCycles)), 512.0);
}

TEST(TimingModel, GemmPrecisionsPackAlongK) {
  // I8: 2 MACs per PE, tiles 64 deep: 4x8 tiles, 2 per group: 2*64+72 = 200;
  //   SRAM A 16384*8 + B 65536 + 3*65536*2 + 65536 = 655360 -> 320.
  GemmCost i8 = cost(Gang::Independent, DType::I8, 64, 256, 256, true,
                     gemmOf(DType::I8, DType::I8));
  EXPECT_EQ(i8.tileK, 64u);
  EXPECT_EQ(i8.computeCycles, 200u);
  EXPECT_EQ(i8.cycles, 320u);
  // I4 on the single gang: tiles 512 deep: 1x2 tiles: 2*128 + 264 = 520.
  GemmCost i4 = cost(Gang::Single, DType::I4, 64, 256, 256, true,
                     gemmOf(DType::I4, DType::I4));
  EXPECT_EQ(i4.tileK, 512u);
  EXPECT_EQ(i4.tiles, 2u);
  EXPECT_EQ(i4.cycles, 520u);
  // F32 at a quarter rate: each row takes 4 cycles: 4*256 + 72 = 1096.
  GemmCost f32 = cost(Gang::Independent, DType::F32, 64, 256, 256, true,
                      gemmOf(DType::F32, DType::F32));
  EXPECT_EQ(f32.rowCycles, 256u);
  EXPECT_EQ(f32.computeCycles, 1096u);
  EXPECT_EQ(f32.cycles, 1096u);
}

TEST(TimingModel, GemmOnOneGroupAndEpilogue) {
  // One group of the independent gang does all 64 tiles: 64*64 + 72.
  GemmCost one = cost(Gang::Independent, DType::F16, 64, 256, 256, false);
  EXPECT_EQ(one.computeCycles, 64u * 64 + 72);
  // A bias gives the epilogue M*N/64 = 256 cycles of work, most of it
  // beside the array. Single gang, 128 x 128: kTiles = nTiles = 2 on one
  // group, 128 cycles a tile step (M = 64 < R), compute 4*128 + 264 = 776.
  // The first column tile's sums drain during its last K step, from cycle
  // 128; the last tile's 64 x 128 outputs take 128 epilogue cycles, 64 of
  // them beside its own 64 rows streaming: max(776 + 64, 128 + 256) = 840.
  isa::GemmInstr g = gemmOf(DType::F16, DType::F16);
  g.hasBias = true;
  GemmCost biased = cost(Gang::Single, DType::F16, 64, 256, 256, true, g);
  EXPECT_EQ(biased.epilogueCycles, 256u);
  EXPECT_EQ(biased.epilogueStartCycles, 128u);
  EXPECT_EQ(biased.epilogueTailCycles, 64u);
  EXPECT_EQ(biased.cycles, 840u);
  EXPECT_EQ(biased.cycles, uint64_t(biased.latency(double(biased.computeCycles))));
  // The same with accumulate: C read back and added in the same pipeline.
  isa::GemmInstr acc = gemmOf(DType::F16, DType::F16);
  acc.accumulate = true;
  EXPECT_EQ(cost(Gang::Single, DType::F16, 64, 256, 256, true, acc).cycles, 840u);
  // No epilogue: nothing follows the array.
  EXPECT_EQ(cost(Gang::Single, DType::F16, 64, 256, 256).cycles, 776u);
}

TEST(TimingModel, EpilogueAfterSplitKFollowsTheArray) {
  // Independent gang, 16 groups of 32 x 32: nTiles = 8 column tiles for 16
  // groups, so K is split over the groups and every sum is final only in
  // the last tile step; the epilogue's 64*256/64 = 256 cycles start with
  // that step's 64 rows: 256 - 64 = 192 after the array.
  isa::GemmInstr g = gemmOf(DType::F16, DType::F16);
  g.hasBias = true;
  GemmCost c = cost(Gang::Independent, DType::F16, 64, 256, 256, true, g);
  EXPECT_EQ(c.nTiles, 8u);
  EXPECT_EQ(c.epilogueCycles, 256u);
  EXPECT_EQ(c.epilogueTailCycles, 192u);
  EXPECT_EQ(c.cycles, std::max(c.computeCycles, c.sramCycles) + 192);
}

TEST(TimingModel, EpilogueSlowerThanTheArrayBoundsTheGemm) {
  // Quad gang (4 groups of 64 x 64), M = 64, N = 1024, K = 64: one K tile,
  // 16 column tiles in 4 waves of 64 cycles, compute 4*64 + 136 = 392. The
  // epilogue needs 64*1024/64 = 1024 cycles from the first wave on (cycle
  // 0): it, not the array, sets the time. Its last wave alone would leave
  // 64*256/64 - 64 = 192 after the array.
  isa::GemmInstr g = gemmOf(DType::F16, DType::F16);
  g.hasBias = true;
  GemmCost c = cost(Gang::Quad, DType::F16, 64, 1024, 64, true, g);
  EXPECT_EQ(c.computeCycles, 392u);
  EXPECT_EQ(c.epilogueStartCycles, 0u);
  EXPECT_EQ(c.epilogueTailCycles, 192u);
  EXPECT_EQ(c.cycles, 1024u);
  // A slower array (the scratchpad's booking) moves the bound back to it.
  EXPECT_EQ(c.latency(2000.0), 2192.0);
}

TEST(TimingModel, GangingFavoursIndependentForDecodeAndGangedForPrefill) {
  // Decode (M = 1): latency is fill/drain bound, many small arrays win.
  const uint64_t decodeI = cost(Gang::Independent, DType::F16, 1, 4096, 4096).cycles;
  const uint64_t decodeQ = cost(Gang::Quad, DType::F16, 1, 4096, 4096).cycles;
  const uint64_t decodeS = cost(Gang::Single, DType::F16, 1, 4096, 4096).cycles;
  EXPECT_LT(decodeI, decodeQ);
  EXPECT_LT(decodeQ, decodeS);
  // Prefill (M = 2048): partial sums of many shallow tiles flood the SRAM,
  // the ganged array keeps them inside.
  const uint64_t prefillI = cost(Gang::Independent, DType::F16, 2048, 4096, 4096).cycles;
  const uint64_t prefillS = cost(Gang::Single, DType::F16, 2048, 4096, 4096).cycles;
  EXPECT_LT(prefillS, prefillI);
  // The decode figure in closed form: 128x128 tiles over 16 groups = 1024 each,
  // 1024*32 + 72 compute; SRAM (2 MiB of A re-reads + 32 MiB of B + ...) is below.
  EXPECT_EQ(decodeI, 1024u * 32 + 72);
}

TEST(TimingModel, VectorOps) {
  ArchConfig arch;
  isa::VecInstr v;
  v.op = isa::Opcode::VAdd;
  v.ld0 = v.ld1 = v.ldd = 256;
  sim::func::ResolvedVec r{&v, 64, 256, 0, 0, 0x10000, 0, 0x20000};
  // 64*256 elements over 64 lanes = 256 lines: 4 + 256.
  VectorCost add = vectorCost(arch.core, r);
  EXPECT_EQ(add.lineCycles, 256u);
  EXPECT_EQ(add.cycles, 260u);
  // 3 x 64 KiB contiguous streams: 96 lines per bank, below the compute.
  EXPECT_EQ(add.sram.cycles, 96u);
  EXPECT_EQ(add.sram.readBytes, 2u * 65536);
  EXPECT_EQ(add.sram.writeBytes, 65536u);
  v.op = isa::Opcode::VExp;
  EXPECT_EQ(vectorCost(arch.core, r).cycles, 4u + 256 * 4);
  v.op = isa::Opcode::VSoftmax; // 3 passes, one of them transcendental
  EXPECT_EQ(vectorCost(arch.core, r).cycles, 4u + 256 * (3 + 3));
  v.op = isa::Opcode::VRmsNorm; // 3 passes
  EXPECT_EQ(vectorCost(arch.core, r).cycles, 4u + 256 * 3);
}

TEST(TimingModel, BankConflicts) {
  ArchConfig arch;
  // 64 rows of one 64-byte line, 2048 bytes apart: all in bank 0.
  SramStream same{0, 64, 64, 2048, false};
  EXPECT_EQ(sramAccessCost(arch.core.sram, &same, 1).cycles, 64u);
  // 33 lines apart: the rows walk over the banks, two per bank.
  SramStream spread{0, 64, 64, 2112, false};
  EXPECT_EQ(sramAccessCost(arch.core.sram, &spread, 1).cycles, 2u);
  // Contiguous 64 KiB: 1024 lines over 32 banks.
  SramStream flat{0, 16, 4096, 4096, true};
  SramAccessCost c = sramAccessCost(arch.core.sram, &flat, 1);
  EXPECT_EQ(c.cycles, 32u);
  EXPECT_EQ(c.writeBytes, 65536u);
  // A 100-byte row from byte 1994 touches lines 31 and 32: banks 31 and 0.
  SramStream odd{64 * 31 + 10, 1, 100, 0, false};
  EXPECT_EQ(sramAccessCost(arch.core.sram, &odd, 1).cycles, 1u);
}

TEST(TimingModel, DmaRequestsNeverCrossRequestBoundaries) {
  const uint32_t size[3] = {600, 2, 1};
  const uint32_t srcStride[2] = {1000, 0};
  const uint32_t dstStride[2] = {600, 0};
  DmaRequestCursor c(100, 0, size, srcStride, dstStride, 256, true);
  std::vector<uint32_t> bytes;
  std::vector<uint64_t> src;
  while (!c.done()) {
    auto r = c.next();
    bytes.push_back(r.bytes);
    src.push_back(r.src);
  }
  // Run 0 at 100: 156, 256, 188. Run 1 at 1100 (1100 % 256 = 76): 180, 256, 164.
  EXPECT_EQ(bytes, (std::vector<uint32_t>{156, 256, 188, 180, 256, 164}));
  EXPECT_EQ(src, (std::vector<uint64_t>{100, 256, 512, 1100, 1280, 1536}));
  EXPECT_EQ(DmaRequestCursor::count(100, 0, size, srcStride, dstStride, 256, true), 6u);
  const uint32_t empty[3] = {0, 1, 1};
  EXPECT_TRUE(DmaRequestCursor(0, 0, empty, srcStride, dstStride, 256, true).done());
}
