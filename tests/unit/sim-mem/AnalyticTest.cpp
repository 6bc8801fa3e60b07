//===- AnalyticTest.cpp - Closed-form bulk timing against the detailed model ===//
//
// The same transfer is timed twice on fresh simulations: by the detailed model
// (a DMA-like generator issuing dma.requestBytes requests with many in flight)
// and by MemorySystem::bulkTransfer. Documented tolerances
// (docs/simulator-memory.md): interleaved sequential streams 12%, row-major
// streams 15%, strided tiles 25%. The closed form is optimistic on long
// streams: it derates each pseudo-channel for refresh on its own, while in
// the detailed model an in-order requester with a bounded window stalls
// behind the one pseudo-channel that is refreshing.

#include "MemTestUtil.h"
#include "SystemCTest.h"

#include "strata/sim/mem/AnalyticModel.h"
#include "strata/sim/mem/HbmStorage.h"
#include "strata/sim/stats/Stats.h"

#include <gtest/gtest.h>

using namespace strata;
using namespace strata::sim;
using namespace strata::sim::mem;
using namespace strata::sim::mem::test;

namespace {

void freshContext() {
  sc_core::sc_curr_simcontext = new sc_core::sc_simcontext();
  sc_core::sc_default_global_context = sc_core::sc_curr_simcontext;
}

/// Splits the pattern into requests of at most `bytes`, as a DMA engine does.
std::deque<Req> requests(const BulkPattern &p, uint32_t bytes, bool write) {
  std::deque<Req> q;
  for (uint32_t i2 = 0; i2 < p.size[2]; ++i2)
    for (uint32_t i1 = 0; i1 < p.size[1]; ++i1) {
      uint64_t a = p.base + i1 * p.stride[0] + i2 * p.stride[1];
      for (uint64_t off = 0; off < p.size[0];) {
        uint32_t n = uint32_t(std::min<uint64_t>(bytes - (a + off) % bytes, p.size[0] - off));
        q.push_back(Req{a + off, n, write});
        off += n;
      }
    }
  return q;
}

double detailedNs(const ArchConfig &c, const BulkPattern &p, bool write) {
  HbmStorage storage(c.hbm.totalCapacityBytes());
  StatGroup stats("chip");
  MemorySystem mem("mem", c, storage, stats);
  TrafficGen gen("gen", mem, {requests(p, c.core.dma.requestBytes, write)},
                 c.core.dma.engines * c.core.dma.maxOutstanding);
  sc_core::sc_start();
  return gen.finish();
}

double analyticNs(const ArchConfig &c, const BulkPattern &p, bool write) {
  HbmStorage storage(c.hbm.totalCapacityBytes());
  StatGroup stats("chip");
  ArchConfig a = c;
  a.hbm.model = "analytic";
  MemorySystem mem("mem", a, storage, stats);
  EXPECT_TRUE(mem.analytic());
  double ns = -1;
  sc_core::sc_spawn([&] { ns = mem.bulkTransfer(0, p, write).to_seconds() * 1e9; });
  sc_core::sc_start();
  return ns;
}

void compare(const ArchConfig &c, const BulkPattern &p, bool write, double tolerance,
             const char *what) {
  double d = detailedNs(c, p, write);
  freshContext();
  double a = analyticNs(c, p, write);
  std::printf("[ figures  ] %s: detailed %.1f ns, analytic %.1f ns (%+.1f%%)\n", what, d, a,
              100 * (a - d) / d);
  EXPECT_NEAR(a, d, tolerance * d) << what;
}

BulkPattern dense(uint64_t base, uint32_t bytes) {
  BulkPattern p;
  p.base = base;
  p.size[0] = bytes;
  return p;
}

} // namespace

class AnalyticVsDetailed : public strata::test::SystemCTest {};

TEST_F(AnalyticVsDetailed, SequentialReadStream) {
  compare(oneStackConfig(), dense(0, 8 << 20), false, 0.12, "sequential read 8 MiB");
}

TEST_F(AnalyticVsDetailed, SequentialWriteStream) {
  compare(oneStackConfig(), dense(1 << 20, 4 << 20), true, 0.12, "sequential write 4 MiB");
}

TEST_F(AnalyticVsDetailed, SequentialStreamWithoutRefreshAgreesClosely) {
  ArchConfig c = oneStackConfig();
  c.hbm.timing.tREFI = 100000000; // no refresh within the run
  compare(c, dense(0, 8 << 20), false, 0.03, "sequential read 8 MiB, no refresh");
}

TEST_F(AnalyticVsDetailed, RowMajorStreamWithDeepQueues) {
  ArchConfig c = oneStackConfig();
  c.hbm.addressMapping = "row-major";
  c.hbm.queueDepth = 64;
  compare(c, dense(0, 8 << 20), false, 0.15, "row-major sequential read 8 MiB, queueDepth 64");
}

TEST_F(AnalyticVsDetailed, StridedTile) {
  // A 256 x 512-byte tile of a row-major matrix with 8 KiB rows.
  BulkPattern p;
  p.base = 3 << 20;
  p.size[0] = 512;
  p.size[1] = 256;
  p.stride[0] = 8192;
  compare(oneStackConfig(), p, false, 0.25, "strided tile 256 x 512 B, stride 8 KiB");
}

TEST_F(AnalyticVsDetailed, ThreeDimensionalTile) {
  BulkPattern p;
  p.base = 5 << 20;
  p.size[0] = 1024;
  p.size[1] = 32;
  p.size[2] = 8;
  p.stride[0] = 4096;
  p.stride[1] = 1 << 20;
  compare(oneStackConfig(), p, false, 0.25, "3D tile 8 x 32 x 1 KiB");
}

TEST_F(AnalyticVsDetailed, BulkTransfersContendForPseudoChannels) {
  ArchConfig c = oneStackConfig();
  c.hbm.model = "analytic";
  c.numCores = 2;
  HbmStorage storage(c.hbm.totalCapacityBytes());
  StatGroup stats("chip");
  MemorySystem mem("mem", c, storage, stats);
  double first = 0, second = 0, other = 0;
  sc_core::sc_spawn([&] {
    first = mem.bulkTransfer(0, dense(0, 4 << 20), false).to_seconds();
    second = mem.bulkTransfer(1, dense(64 << 20, 4 << 20), false).to_seconds();
  });
  sc_core::sc_start();
  // Both stream over every pseudo-channel: the second waits for the first.
  EXPECT_NEAR(second, 2 * first, 0.1 * first);
  freshContext();
  StatGroup stats2("chip");
  MemorySystem mem2("mem", c, storage, stats2);
  sc_core::sc_spawn([&] { other = mem2.bulkTransfer(1, dense(64 << 20, 4 << 20), false).to_seconds(); });
  sc_core::sc_start();
  EXPECT_NEAR(other, first, 0.02 * first);
}

TEST(AnalyticModelTest, HugeStreamIsTimedAtTheDeratedPeak) {
  // The default chip: 4 stacks, 1.23 TB/s; 13 GB as one transfer.
  HbmConfig h;
  AddressMapper m(h);
  AnalyticModel model(h, m);
  BulkPattern p = dense(0, 0);
  p.size[0] = 1u << 30;
  p.size[1] = 13;
  p.stride[0] = 1u << 30;
  AnalyticModel::Result r = model.transfer(p, false, 0);
  double seconds = r.doneCycle / (h.clockMHz * 1e6);
  double ideal = 13.0 * (1u << 30) / h.peakBytesPerSecond();
  double derate = 1.0 - double(h.timing.tRFC) / h.timing.tREFI;
  EXPECT_NEAR(seconds, ideal / derate, 0.01 * ideal);
  EXPECT_EQ(r.activity.readBytes, 13ull << 30);
  // One activation per row of every bank touched.
  EXPECT_EQ(r.activity.activates, (13ull << 30) / h.rowBytes);
  EXPECT_GT(r.activity.refreshes, 0u);
}

TEST(AnalyticModelTest, ReopeningAnOpenRowIsNotAnActivation) {
  HbmConfig h;
  AddressMapper m(h);
  AnalyticModel model(h, m);
  BulkPattern p = dense(0, 256);
  EXPECT_EQ(model.transfer(p, false, 0).activity.activates, 1u);
  p.base = 128;
  p.size[0] = 64;
  EXPECT_EQ(model.transfer(p, false, 0).activity.activates, 0u);
  p.base = m.superBlockBytes(); // same bank, next row
  AnalyticModel::Result r = model.transfer(p, false, 0);
  EXPECT_EQ(r.activity.activates, 1u);
  EXPECT_EQ(r.activity.precharges, 1u);
}
