//===- QuantizePassTest.cpp - strata-graph-quantize and the weight store ---===//
//
// What the pass leaves in the weight store, checked against the encoder run
// on independently generated source values; and that quantized IR printed
// to text and read back loads the same bytes.
//
//===----------------------------------------------------------------------===//
#include "PassTestSupport.h"
#include "TestPaths.h"

#include "strata/Dialect/Graph/Transforms/WeightEncoding.h"
#include "strata/Dialect/Graph/Transforms/WeightLoading.h"
#include "strata/support/Float16.h"

#include <cmath>
#include <cstdio>
#include <fstream>

using namespace strata;
using namespace strata::test;

namespace {

std::vector<uint8_t> payload(const WeightEntry &e) { return {e.data, e.data + e.bytes}; }
std::vector<uint8_t> scales(const WeightEntry &e) {
  return e.scales ? std::vector<uint8_t>(e.scales, e.scales + e.scaleBytes)
                  : std::vector<uint8_t>{};
}

graph::WeightOp weightNamed(mlir::ModuleOp m, llvm::StringRef name) {
  return m.lookupSymbol<graph::WeightOp>(name);
}

double attrDouble(mlir::DictionaryAttr dict, llvm::StringRef key) {
  return llvm::cast<mlir::FloatAttr>(dict.get(key)).getValueAsDouble();
}

const char *kSeeded = R"mlir(
graph.weight @w : tensor<6x48xf32> {seed = 5 : i64, init_scale = 0.3 : f64, role = "ffn"}
graph.weight @a : tensor<6x40xf32> {seed = 6 : i64, role = "attention"}
graph.weight @e : tensor<10x40xf32> {seed = 7 : i64, role = "embedding"}
graph.weight @g : tensor<40xf32> {seed = 8 : i64, role = "norm"}
)mlir";

/// A linear layer reading a seeded K x N weight @w in kn layout.
std::string knLinear(int64_t k, int64_t n) {
  const std::string w = "tensor<" + std::to_string(k) + "x" + std::to_string(n) + "xf32>";
  const std::string x = "tensor<2x" + std::to_string(k) + "xf32>";
  const std::string y = "tensor<2x" + std::to_string(n) + "xf32>";
  return "graph.weight @w : " + w + " {seed = 3 : i64, role = \"ffn\"}\n" +
         "func.func @f(%x: " + x + ") -> " + y + " {\n" +
         "  %w = graph.weight_ref @w : " + w + "\n" +
         "  %y = graph.linear %x, %w {weight_layout = #graph<weight_layout kn>} : (" + x + ", " +
         w + ") -> " + y + "\n" + "  return %y : " + y + "\n}";
}

} // namespace

TEST(QuantizePass, StoreHoldsTheEncoderOutputForTheSourceValues) {
  GraphContext c;
  auto m = c.parse(kSeeded);
  ASSERT_TRUE(m);
  ASSERT_TRUE(
      mlir::succeeded(c.run(*m, "strata-graph-quantize{policy=int4 group-size=16 scale-type=f16}")))
      << c.diagnostics;

  WeightStore ref;
  ref.putRandom("w", {6, 48}, 5, 0.3);
  std::vector<float> original = *ref.readF32("w");
  quant::TargetEncoding target{WeightFormat::I4, 16, DType::F16};
  Expected<WeightEntry> expected = quant::encodeWeight(original, {6, 48}, target);
  ASSERT_TRUE(expected);

  const WeightEntry *got = c.store().find("w");
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(got->format, WeightFormat::I4);
  EXPECT_EQ(got->groupSize, 16);
  EXPECT_EQ(got->scaleType, DType::F16);
  EXPECT_EQ(payload(*got), payload(*expected));
  EXPECT_EQ(scales(*got), scales(*expected));
  // Rows of 48 in groups of 16: 3 groups per row.
  EXPECT_EQ(got->scaleBytes, 6u * 3 * 2);

  quant::QuantError err = quant::measureError(original, *quant::decodeWeight(*expected, "w"));
  auto recorded = weightNamed(*m, "w").getQuantErrorAttr();
  ASSERT_TRUE(recorded);
  EXPECT_DOUBLE_EQ(attrDouble(recorded, "rel_rms"), err.relRms);
  EXPECT_DOUBLE_EQ(attrDouble(recorded, "max_abs"), err.maxAbs);
  // Symmetric int4 on uniform values: about step / sqrt(12) / rms(U) = 7%.
  EXPECT_GT(err.relRms, 0.04);
  EXPECT_LT(err.relRms, 0.1);

  // The norm gain is untouched, data and type.
  EXPECT_EQ(c.store().find("g")->format, WeightFormat::F32);
  EXPECT_FALSE(weightNamed(*m, "g").getQuantErrorAttr());
  auto stats = (*m)->getAttrOfType<mlir::DictionaryAttr>(graph::kQuantizeStatsAttr);
  ASSERT_TRUE(stats);
  // @a and @e have rows of 40, not whole groups of 16: int8 per channel.
  EXPECT_EQ(llvm::cast<mlir::IntegerAttr>(stats.get("weights_i4")).getInt(), 1);
  EXPECT_EQ(c.store().find("a")->format, WeightFormat::I8);
  EXPECT_EQ(c.store().find("e")->format, WeightFormat::I8);
}

TEST(QuantizePass, Int4GroupsFollowTheRowsOfTransposedWeights) {
  // A kn weight of 32 x 40 is stored as 40 rows of 32 (whole groups of 16).
  GraphContext c;
  auto m = c.parse(knLinear(32, 40));
  ASSERT_TRUE(m);
  ASSERT_TRUE(mlir::succeeded(c.run(*m, "strata-graph-quantize{policy=int4 group-size=16}")))
      << c.diagnostics;
  const WeightEntry *e = c.store().find("w");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->format, WeightFormat::I4);
  EXPECT_EQ(e->shape, (std::vector<int64_t>{40, 32}));
}

TEST(QuantizePass, PrintedIrReadsBackToTheSameBytes) {
  for (const char *pipeline :
       {"strata-graph-quantize{policy=int8}", "strata-graph-quantize{policy=int8 scale-type=f16}",
        "strata-graph-quantize{policy=int4 group-size=8}", "strata-graph-quantize{policy=mixed}",
        "strata-graph-quantize{policy=bf16}"}) {
    SCOPED_TRACE(pipeline);
    GraphContext first;
    auto m = first.parse(kSeeded);
    ASSERT_TRUE(mlir::succeeded(first.run(*m, pipeline))) << first.diagnostics;
    std::string text = print(*m);

    GraphContext second;
    auto reread = second.parse(text);
    ASSERT_TRUE(reread);
    for (graph::WeightOp w : reread->getOps<graph::WeightOp>()) {
      mlir::FailureOr<const WeightEntry *> loaded = graph::loadWeight(w, second.store());
      ASSERT_TRUE(mlir::succeeded(loaded) && *loaded) << second.diagnostics;
      const WeightEntry *orig = first.store().find(w.getSymName().str());
      ASSERT_NE(orig, nullptr);
      EXPECT_EQ((*loaded)->format, orig->format) << w.getSymName().str();
      EXPECT_EQ(payload(**loaded), payload(*orig)) << w.getSymName().str();
      EXPECT_EQ(scales(**loaded), scales(*orig)) << w.getSymName().str();
    }
  }
}

TEST(QuantizePass, KnWeightsAreTransposedToOutputChannels) {
  GraphContext c;
  auto m = c.parse(knLinear(8, 24));
  ASSERT_TRUE(m);
  ASSERT_TRUE(mlir::succeeded(c.run(*m, "strata-graph-quantize{policy=int8}"))) << c.diagnostics;

  WeightStore ref;
  ref.putRandom("w", {8, 24}, 3, 1.0);
  std::vector<float> kn = *ref.readF32("w");
  const WeightEntry *e = c.store().find("w");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->shape, (std::vector<int64_t>{24, 8}));
  std::vector<float> nk = *c.store().readF32("w");
  for (int n = 0; n < 24; ++n) {
    float amax = 0;
    for (int k = 0; k < 8; ++k)
      amax = std::max(amax, std::fabs(kn[k * 24 + n]));
    for (int k = 0; k < 8; ++k)
      EXPECT_LE(std::fabs(nk[n * 8 + k] - kn[k * 24 + n]), amax / 127 / 2 * 1.0001f)
          << n << "," << k;
  }
  auto linear = *m->lookupSymbol<mlir::func::FuncOp>("f").getOps<graph::LinearOp>().begin();
  EXPECT_EQ(linear.getWeightLayout(), graph::WeightLayout::NK);
  EXPECT_TRUE(weightNamed(*m, "w").getSourceTransposed());

  // Read back, the seed still describes the [8, 24] source.
  GraphContext second;
  auto reread = second.parse(print(*m));
  mlir::FailureOr<const WeightEntry *> loaded =
      graph::loadWeight(weightNamed(*reread, "w"), second.store());
  ASSERT_TRUE(mlir::succeeded(loaded) && *loaded);
  EXPECT_EQ(payload(**loaded), payload(*e));
  EXPECT_EQ(scales(**loaded), scales(*e));
}

TEST(QuantizePass, NativeReLaysGgufBlocksFromAFile) {
  // Two 64-wide rows of q8_0 (four blocks), then one 32-wide q4_0 row.
  std::string path = tempPath("native.gguf-blocks");
  std::vector<uint8_t> bytes;
  for (int b = 0; b < 4; ++b) {
    uint16_t d = f32ToF16(0.125f * float(b + 1));
    bytes.push_back(uint8_t(d));
    bytes.push_back(uint8_t(d >> 8));
    for (int j = 0; j < 32; ++j)
      bytes.push_back(uint8_t(int8_t((j * 7 + b * 13) % 255 - 127)));
  }
  size_t q4Offset = bytes.size();
  uint16_t d4 = f32ToF16(0.5f);
  bytes.push_back(uint8_t(d4));
  bytes.push_back(uint8_t(d4 >> 8));
  for (int j = 0; j < 16; ++j)
    bytes.push_back(uint8_t((j * 5) & 0xFF));
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char *>(bytes.data()), std::streamsize(bytes.size()));

  GraphContext c;
  auto m = c.parse("graph.weight @q8 : tensor<2x64xf32> {file = \"" + path +
                   "\", format = \"q8_0\", role = \"ffn\"}\n"
                   "graph.weight @q4 : tensor<1x32xf32> {file = \"" +
                   path + "\", offset = " + std::to_string(q4Offset) +
                   " : i64, format = \"q4_0\", role = \"ffn\"}\n");
  ASSERT_TRUE(m);
  ASSERT_TRUE(mlir::succeeded(c.run(*m, "strata-graph-quantize{policy=native}"))) << c.diagnostics;

  const WeightEntry *q8 = c.store().find("q8");
  ASSERT_NE(q8, nullptr);
  EXPECT_EQ(q8->format, WeightFormat::I8);
  EXPECT_EQ(q8->groupSize, 32);
  EXPECT_EQ(q8->scaleType, DType::F16);
  for (int b = 0; b < 4; ++b) {
    EXPECT_EQ(0, std::memcmp(q8->data + 32 * b, bytes.data() + 34 * b + 2, 32)) << b;
    EXPECT_EQ(0, std::memcmp(q8->scales + 2 * b, bytes.data() + 34 * b, 2)) << b;
  }
  const WeightEntry *q4 = c.store().find("q4");
  ASSERT_NE(q4, nullptr);
  EXPECT_EQ(q4->format, WeightFormat::I4);
  WeightStore ref;
  ASSERT_TRUE(ref.putFromFile("q4", {1, 32}, WeightFormat::Q4_0, path, q4Offset));
  EXPECT_EQ(*c.store().readF32("q4"), *ref.readF32("q4"));
  EXPECT_EQ(attrDouble(weightNamed(*m, "q8").getQuantErrorAttr(), "max_abs"), 0.0);
  std::remove(path.c_str());
}

TEST(QuantizePass, LoaderEntriesInOtherEncodingsFollowTheDeclaredType) {
  // A model loader registered an f16 tensor under an f32 symbol (zero copy);
  // after the pass the entry is encoded as the type says.
  GraphContext c;
  auto m = c.parse("graph.weight @w : tensor<2x2xf32> {role = \"ffn\"}\n");
  ASSERT_TRUE(m);
  Expected<WeightEntry> half =
      quant::encodeWeight({0.1f, 0.2f, -0.3f, 4.0f}, {2, 2}, {WeightFormat::F16, 0, DType::F32});
  ASSERT_TRUE(half);
  c.store().put("w", *half);
  ASSERT_TRUE(mlir::succeeded(c.run(*m, "strata-graph-quantize{policy=fp32}"))) << c.diagnostics;
  const WeightEntry *e = c.store().find("w");
  EXPECT_EQ(e->format, WeightFormat::F32);
  EXPECT_EQ(*c.store().readF32("w"),
            (std::vector<float>{roundToF16(0.1f), roundToF16(0.2f), roundToF16(-0.3f), 4.0f}));
  EXPECT_EQ(attrDouble(weightNamed(*m, "w").getQuantErrorAttr(), "rel_rms"), 0.0);
}

TEST(QuantizePass, TimingOnlyWeightsChangeTypeAndGetNoData) {
  GraphContext c;
  auto m = c.parse("graph.weight @w : tensor<64x64xf32> {role = \"attention\"}\n");
  ASSERT_TRUE(mlir::succeeded(c.run(*m, "strata-graph-quantize{policy=mixed}"))) << c.diagnostics;
  EXPECT_FALSE(c.store().contains("w"));
  EXPECT_TRUE(weightNamed(*m, "w").getTensorType().getElementType().isF16());
  EXPECT_FALSE(weightNamed(*m, "w").getQuantErrorAttr());
}

TEST(QuantizePass, AStoreEntryOfAnotherShapeIsAnError) {
  GraphContext c;
  auto m = c.parse("graph.weight @w : tensor<4x4xf32> {role = \"ffn\"}\n");
  c.store().putRandom("w", {3, 3}, 1, 1.0);
  EXPECT_TRUE(mlir::failed(c.run(*m, "strata-graph-quantize{policy=int8}")));
  EXPECT_NE(
      c.diagnostics.find("the weight store holds 3x3 values for 'w', the symbol declares 4x4"),
      std::string::npos)
      << c.diagnostics;
  // Nothing was converted.
  EXPECT_TRUE(weightNamed(*m, "w").getTensorType().getElementType().isF32());
}
