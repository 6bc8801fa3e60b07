//===- LabelCostTest.cpp - Per-label accounting of retired instructions ---===//
#include "SimTestUtil.h"

#include <algorithm>
#include <map>

using namespace strata;
using namespace strata::test;

namespace {

bin::Binary labelled(uint32_t cores) {
  std::vector<std::string> programs(cores, kGemmSoftmaxProgram);
  bin::Binary b = binaryOf(programs);
  b.regions.push_back({"io", bin::RegionKind::Io, 0x100000, 0x300000});
  for (uint32_t c = 0; c < cores; ++c) {
    b.entries[0].labels.push_back({"load", c, 0, 3});
    b.entries[0].labels.push_back({"gemm", c, 3, 6});
    b.entries[0].labels.push_back({"softmax", c, 6, 8});
    b.entries[0].labels.push_back({"store", c, 8, 10});
  }
  return b;
}

std::map<std::string, sim::LabelCost> byName(const sim::RunResult &r) {
  std::map<std::string, sim::LabelCost> m;
  for (const sim::LabelCost &c : r.labels)
    m[c.name] = c;
  return m;
}

double coreSideEnergy(const sim::RunResult &r) {
  double e = 0;
  for (const auto &[unit, joules] : r.energyByUnit)
    if (unit == "tensor" || unit == "vector" || unit == "sram" || unit == "dma")
      e += joules;
  return e;
}

TEST(LabelCost, InstructionsAreChargedToTheirLabels) {
  auto sim = makeSim(testArch(1));
  ASSERT_TRUE(sim->load(labelled(1)));
  auto r = sim->run("main");
  ASSERT_TRUE(r) << r.message();
  ASSERT_EQ(r->labels.size(), 4u);
  EXPECT_EQ(r->labels[0].name, "load") << "in order of first appearance";
  auto costs = byName(*r);

  EXPECT_EQ(costs["load"].instructions, 2u); // two DMAs (the signal does no work)
  EXPECT_DOUBLE_EQ(costs["load"].hbmReadBytes, 2048 + 6144);
  EXPECT_GT(costs["load"].dmaBusyNs, 0);
  EXPECT_DOUBLE_EQ(costs["gemm"].macs, 16.0 * 48 * 64);
  EXPECT_DOUBLE_EQ(costs["gemm"].macs, r->macs);
  EXPECT_GT(costs["gemm"].tensorBusyNs, 0);
  EXPECT_EQ(costs["gemm"].vectorBusyNs, 0);
  EXPECT_GT(costs["softmax"].vectorElementOps, 0);
  EXPECT_GT(costs["softmax"].vectorBusyNs, 0);
  EXPECT_DOUBLE_EQ(costs["store"].hbmWriteBytes, 3072);
  EXPECT_DOUBLE_EQ(costs["store"].hbmWriteBytes, r->hbmWriteBytes);

  // The labels hold all of the core-side dynamic energy (every instruction
  // is labelled), and nothing else.
  double labelled = 0;
  for (const sim::LabelCost &c : r->labels)
    labelled += c.coreEnergyJ;
  EXPECT_NEAR(labelled, coreSideEnergy(*r), 1e-6 * coreSideEnergy(*r));

  // Spans follow program order: the gemm starts after the loads began and
  // the store ends last.
  EXPECT_LE(costs["load"].firstStartNs, costs["gemm"].firstStartNs);
  EXPECT_LE(costs["gemm"].lastEndNs, costs["softmax"].lastEndNs);
  EXPECT_DOUBLE_EQ(costs["store"].lastEndNs, r->endNs);
  // Per unit, label busy times add up to the run's.
  double tensor = 0;
  for (const sim::LabelCost &c : r->labels)
    tensor += c.tensorBusyNs;
  EXPECT_NEAR(tensor, r->units[0].busyNs, 1e-9);
}

TEST(LabelCost, SameNameOnSeveralCoresIsOneEntry) {
  auto sim = makeSim(testArch(2));
  ASSERT_TRUE(sim->load(labelled(2)));
  auto r = sim->run("main");
  ASSERT_TRUE(r) << r.message();
  ASSERT_EQ(r->labels.size(), 4u);
  auto costs = byName(*r);
  EXPECT_DOUBLE_EQ(costs["gemm"].macs, 2 * 16.0 * 48 * 64);
  EXPECT_EQ(costs["load"].instructions, 4u);
}

TEST(LabelCost, EachRunReportsItsOwnLabels) {
  auto sim = makeSim(testArch(1));
  ASSERT_TRUE(sim->load(labelled(1)));
  auto first = sim->run("main");
  auto second = sim->run("main");
  ASSERT_TRUE(first && second);
  EXPECT_DOUBLE_EQ(byName(*second)["gemm"].macs, 16.0 * 48 * 64) << "not accumulated";
  EXPECT_GT(byName(*second)["load"].firstStartNs, byName(*first)["store"].lastEndNs - 1e-9);
}

TEST(LabelCost, UnlabelledBinariesHaveNoLabelCosts) {
  auto sim = makeSim(testArch(1));
  bin::Binary b = labelled(1);
  b.entries[0].labels.clear();
  ASSERT_TRUE(sim->load(b));
  auto r = sim->run("main");
  ASSERT_TRUE(r) << r.message();
  EXPECT_TRUE(r->labels.empty());
}

TEST(LabelCost, PartialLabelsLeaveTheRestUnattributed) {
  auto sim = makeSim(testArch(1));
  bin::Binary b = labelled(1);
  b.entries[0].labels = {{"gemm", 0, 5, 6}};
  ASSERT_TRUE(sim->load(b));
  auto r = sim->run("main");
  ASSERT_TRUE(r) << r.message();
  ASSERT_EQ(r->labels.size(), 1u);
  EXPECT_EQ(r->labels[0].instructions, 1u);
  EXPECT_EQ(r->labels[0].hbmReadBytes, 0);
}

} // namespace
