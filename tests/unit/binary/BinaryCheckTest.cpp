//===- BinaryCheckTest.cpp - checkBinary and checkBinaryAgainstArch -------===//
#include "SampleBinary.h"

#include "strata/target/ArchConfig.h"

#include <gtest/gtest.h>

namespace strata::bintest {
namespace {

using namespace bin;

class Check : public ::testing::Test {
protected:
  SampleData data;
  Binary b = sampleBinary(data);

  void expectError(const std::string &fragment) {
    Status s = checkBinary(b);
    ASSERT_FALSE(s.isOk()) << "expected: " << fragment;
    EXPECT_NE(s.message().find(fragment), std::string::npos)
        << "message: " << s.message() << "\nexpected: " << fragment;
  }
};

TEST_F(Check, SampleIsConsistent) { EXPECT_TRUE(checkBinary(b).isOk()); }

TEST_F(Check, IsaMajorVersion) {
  b.isaMajor = isa::kIsaVersionMajor + 1;
  expectError("binary uses ISA version");
}

TEST_F(Check, OverlappingRegions) {
  b.regions[3].hbmAddress = 0x20f000; // into the kv region
  expectError("regions 'kv' [0x200000, 0x210000) and 'io' [0x20f000, 0x210000) overlap");
}

TEST_F(Check, TouchingRegionsDoNotOverlap) {
  b.regions[1].hbmAddress = 0x100000; // right after the weights
  EXPECT_TRUE(checkBinary(b).isOk());
}

TEST_F(Check, EmptyRegion) {
  b.regions[2].size = 0;
  expectError("region 'kv' has size 0");
}

TEST_F(Check, RegionWrapsAround) {
  b.regions[2].hbmAddress = ~0ull - 10;
  expectError("region 'kv' (address 0xfffffffffffffff5, size 0x10000) extends past the "
              "end of the 64-bit address space");
}

TEST_F(Check, UnknownRegionKind) {
  b.regions[1].kind = static_cast<RegionKind>(17);
  expectError("region 'activations' has unknown kind 17");
}

TEST_F(Check, ConstantOutsideAnyRegion) {
  b.constants[1].hbmAddress = 0x180000 - 100;
  b.regions[1].hbmAddress = 0x180000;
  expectError("constant segment 'wk' [0x17ff9c, 0x1800c8) is not inside a weights region");
}

TEST_F(Check, ConstantStraddlingTheEndOfTheWeights) {
  b.constants[1].hbmAddress = 0x100000 - 100;
  expectError("constant segment 'wk' [0xfff9c, 0x1000c8) is not inside a weights region");
}

TEST_F(Check, ConstantInANonWeightsRegion) {
  b.constants[1].hbmAddress = 0x100000; // activations
  expectError("constant segment 'wk' [0x100000, 0x10012c) is not inside a weights region");
}

TEST_F(Check, ConstantInASecondWeightsRegion) {
  b.regions.push_back({"more-weights", RegionKind::Weights, 0x400000, 0x1000});
  b.constants[1].hbmAddress = 0x400100;
  EXPECT_TRUE(checkBinary(b).isOk());
}

TEST_F(Check, OverlappingConstants) {
  b.constants[1].hbmAddress = 0x1000;
  expectError("constant segments 'wq' [0x0, 0x1388) and 'wk' [0x1000, 0x112c) overlap");
}

TEST_F(Check, EmptyConstant) {
  b.constants[0].size = 0;
  expectError("constant segment 'wq' has size 0");
}

TEST_F(Check, IoOutsideAnyRegion) {
  b.io[1].hbmAddress = 0x300000 + 0x1000 - 64; // f32[1x32] = 128 bytes, half outside
  expectError("I/O binding 'logits' (f32[1x32], 128 bytes at 0x300fc0) is not inside "
              "one memory region");
}

TEST_F(Check, IoSizeUsesTheDtype) {
  // 3 x i4 = 2 bytes: fits exactly at the last two bytes of the io region.
  b.io[2].hbmAddress = 0x300ffe;
  EXPECT_TRUE(checkBinary(b).isOk());
  b.io[2].shape = {5}; // 3 bytes
  expectError("I/O binding 'packed' (i4[5], 3 bytes at 0x300ffe)");
}

TEST_F(Check, IoSpanningTwoRegions) {
  // kv ends at 0x210000; put io right after so the two touch, then straddle.
  b.regions[3].hbmAddress = 0x210000;
  for (IoBinding &io : b.io)
    io.hbmAddress = io.hbmAddress - 0x300000 + 0x210000;
  EXPECT_TRUE(checkBinary(b).isOk());
  b.io[0].hbmAddress = 0x210000 - 32;
  expectError("I/O binding 'tokens' (i32[1x16], 64 bytes at 0x20ffe0) is not inside "
              "one memory region");
}

TEST_F(Check, IoNonPositiveDimension) {
  b.io[0].shape = {1, 0};
  expectError("I/O binding 'tokens' dimension 1 is 0; dimensions must be positive");
  b.io[0].shape = {-4};
  expectError("I/O binding 'tokens' dimension 0 is -4");
}

TEST_F(Check, IoShapeOverflow) {
  b.io[0].shape = {1ll << 40, 1ll << 40};
  expectError("I/O binding 'tokens' shape i32[1099511627776x1099511627776] has too many "
              "elements");
}

TEST_F(Check, IoScalarShape) {
  b.io[0].shape = {};
  EXPECT_TRUE(checkBinary(b).isOk());
}

TEST_F(Check, IoUnknownDtypeAndDirection) {
  b.io[0].dtype = static_cast<DType>(6);
  expectError("I/O binding 'tokens' has unknown dtype 6");
  b.io[0].dtype = DType::I32;
  b.io[0].direction = static_cast<IoDirection>(2);
  expectError("I/O binding 'tokens' has unknown direction 2");
}

TEST_F(Check, ParamRegisterZero) {
  b.entries[0].params[0].reg = 0;
  expectError("entry point 'prefill' parameter 'pos' uses register r0; parameters use "
              "r1..r31");
}

TEST_F(Check, ParamRegisterTooHigh) {
  b.entries[0].params[1].reg = 32;
  expectError("entry point 'prefill' parameter 'len' uses register r32");
}

TEST_F(Check, ParamRegisterThirtyOneIsFine) {
  b.entries[0].params[1].reg = 31;
  EXPECT_TRUE(checkBinary(b).isOk());
}

TEST_F(Check, ParamRegistersUnique) {
  b.entries[0].params[1].reg = 1;
  expectError("entry point 'prefill' parameters 'pos' and 'len' both use register r1");
}

TEST_F(Check, ParamNamesUnique) {
  b.entries[0].params[1].name = "pos";
  expectError("entry point 'prefill' has two parameters named 'pos'");
}

TEST_F(Check, ParamNameEmpty) {
  b.entries[1].params[0].name = "";
  expectError("entry point 'decode' parameter 0 has an empty name");
}

TEST_F(Check, EntryWithoutCores) {
  b.entries[1].cores.clear();
  expectError("entry point 'decode' has no cores");
}

TEST_F(Check, EntryWithOnlyIdleCores) {
  b.entries[1].cores = {{}, {}};
  expectError("entry point 'decode' has no instructions on any core");
}

TEST_F(Check, InstructionsFollowTheIsaRules) {
  // An SRAM offset wider than its 27-bit field would not survive encoding.
  std::get<isa::VecInstr>(b.entries[1].cores[2][5]).dst.offset = 1u << 28;
  expectError("entry point 'decode' core 2 instruction 5: vadd: ");
  expectError("exceeds the 27-bit SRAM offset field");
}

TEST_F(Check, DuplicateNames) {
  b.regions[2].name = "weights";
  expectError("duplicate region name 'weights' (regions 0 and 2)");
  b = sampleBinary(data);
  b.io[2].name = "tokens";
  expectError("duplicate I/O binding name 'tokens' (I/O bindings 0 and 2)");
  b = sampleBinary(data);
  b.constants[1].name = "wq";
  expectError("duplicate constant segment name 'wq' (constant segments 0 and 1)");
  b = sampleBinary(data);
  b.entries[1].name = "prefill";
  expectError("duplicate entry point name 'prefill' (entry points 0 and 1)");
}

TEST_F(Check, SameNameInDifferentKindsIsFine) {
  b.regions[3].name = "tokens"; // a region and an I/O binding
  EXPECT_TRUE(checkBinary(b).isOk());
}

TEST_F(Check, EmptyAndNulNames) {
  b.regions[0].name = "";
  expectError("region 0 has an empty name");
  b = sampleBinary(data);
  b.entries[0].name = std::string("pre\0fill", 8);
  expectError("name of entry point 0 contains a NUL byte");
}

TEST_F(Check, MetadataKeys) {
  b.meta.extra.push_back({"model-name", "x"});
  expectError("metadata key 'model-name' is reserved for the named metadata field");
  b = sampleBinary(data);
  b.meta.extra.push_back({"seed", "1"});
  expectError("duplicate metadata key 'seed' (entries 1 and 2)");
  b = sampleBinary(data);
  b.meta.extra.push_back({"", "1"});
  expectError("metadata entry 2 has an empty key");
  b = sampleBinary(data);
  b.meta.modelName = std::string("a\0b", 3);
  expectError("metadata model name contains a NUL byte");
}

TEST_F(Check, ManyRegionsCheckQuickly) {
  // Sorting, not pairwise comparison: 200k regions must not take minutes.
  b.regions.clear();
  b.io.clear();
  b.constants.clear();
  for (uint64_t i = 0; i < 200000; ++i)
    b.regions.push_back({"r" + std::to_string(i), RegionKind::Scratch, i * 64, 64});
  EXPECT_TRUE(checkBinary(b).isOk());
  b.regions.back().hbmAddress = 32;
  expectError("regions 'r0' [0x0, 0x40) and 'r199999' [0x20, 0x60) overlap");
}

TEST(CheckAgainstArch, FitsTheDefaultChip) {
  SampleData data;
  EXPECT_TRUE(checkBinaryAgainstArch(sampleBinary(data), ArchConfig{}).isOk());
}

TEST(CheckAgainstArch, RegionBeyondHbmCapacity) {
  SampleData data;
  Binary b = sampleBinary(data);
  ArchConfig arch;
  arch.name = "tiny";
  arch.hbm.stacks = 1;
  arch.hbm.capacityBytesPerStack = 0x300800;
  Status s = checkBinaryAgainstArch(b, arch);
  ASSERT_FALSE(s.isOk());
  EXPECT_EQ(s.message(), "region 'io' [0x300000, 0x301000) does not fit in the 3147776 "
                         "bytes of HBM of architecture 'tiny'");
}

TEST(CheckAgainstArch, TooManyCores) {
  SampleData data;
  Binary b = sampleBinary(data);
  ArchConfig arch;
  arch.name = "duo";
  arch.numCores = 2;
  Status s = checkBinaryAgainstArch(b, arch);
  ASSERT_FALSE(s.isOk());
  EXPECT_EQ(s.message(), "entry point 'decode' uses 3 cores but architecture 'duo' has 2");
}

TEST(CheckAgainstArch, DmaToAMissingPeerCore) {
  SampleData data;
  Binary b = sampleBinary(data);
  auto &dma = std::get<isa::DmaInstr>(b.entries[0].cores[1][1]);
  dma.dst.core = 9;
  ArchConfig arch;
  Status s = checkBinaryAgainstArch(b, arch);
  ASSERT_FALSE(s.isOk());
  EXPECT_EQ(s.message(), "entry point 'prefill' core 1 instruction 1: dma.load names the "
                         "SRAM of core 9 but architecture 'npu-default' has 8 cores");
  dma.dst.core = 7;
  EXPECT_TRUE(checkBinaryAgainstArch(b, arch).isOk());
}

} // namespace
} // namespace strata::bintest
