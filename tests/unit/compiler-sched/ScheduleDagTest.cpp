//===- ScheduleDagTest.cpp - The DAG container ----------------------------===//
#include "strata/Dialect/Npu/Transforms/ScheduleDag.h"

#include <gtest/gtest.h>

using namespace strata::npu::sched;

TEST(ScheduleDag, EdgesAreKeptOncePerPair) {
  ScheduleDag dag;
  for (int i = 0; i < 3; ++i)
    dag.addNode(DagNode());
  dag.addEdge(0, 2, DepKind::Memory);
  dag.addEdge(0, 2, DepKind::Register);
  dag.addEdge(1, 2, DepKind::Order);
  EXPECT_EQ(dag.numEdges(), 2u);
  EXPECT_EQ(dag.preds(2), (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ(dag.succs(0), (std::vector<uint32_t>{2}));
}

TEST(ScheduleDag, ValidOrdersKeepEveryEdge) {
  ScheduleDag dag;
  for (int i = 0; i < 4; ++i)
    dag.addNode(DagNode());
  dag.addEdge(0, 3, DepKind::Memory);
  dag.addEdge(1, 2, DepKind::Memory);
  std::string why;
  EXPECT_TRUE(dag.isValidOrder({1, 0, 2, 3}, &why)) << why;
  EXPECT_TRUE(dag.isValidOrder(dag.originalOrder(), &why)) << why;
  EXPECT_FALSE(dag.isValidOrder({0, 2, 1, 3}, &why));
  EXPECT_EQ(why, "node 2 is placed before its dependency 1");
  EXPECT_FALSE(dag.isValidOrder({0, 1, 1, 3}, &why));
  EXPECT_EQ(why, "node 1 appears twice");
  EXPECT_FALSE(dag.isValidOrder({0, 1, 2}, &why));
  EXPECT_EQ(why, "the order has 3 nodes, the DAG 4");
  EXPECT_FALSE(dag.isValidOrder({0, 1, 2, 9}, &why));
  EXPECT_EQ(why, "node 9 does not exist");
}

TEST(ScheduleDag, BuffersKeepTheirSizes) {
  ScheduleDag dag;
  EXPECT_EQ(dag.addBuffer(64), 0u);
  EXPECT_EQ(dag.addBuffer(4096), 1u);
  EXPECT_EQ(dag.numBuffers(), 2u);
  EXPECT_EQ(dag.bufferBytes(1), 4096u);
}
