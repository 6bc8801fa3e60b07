//===- ModelQuantizeTest.cpp - The graph stage on a real model ------------===//
//
// stories260K (llama.cpp's GGUF conversions, ../shared) through the graph
// builder and strata-graph-pipeline: native keeps every stored block
// exactly, and each policy's error on trained weights stays in its band.
// Skipped, with the path, when the shared models are absent.
//
//===----------------------------------------------------------------------===//
#include "PassTestSupport.h"

#include "strata/models/ModelLoader.h"
#include "strata/models/graph/ModelGraph.h"

#include <cstdlib>
#include <map>
#include <sys/stat.h>

using namespace strata;
using namespace strata::test;

namespace {

std::string ggufPath(const std::string &variant) {
  const char *env = std::getenv("STRATA_SHARED_DIR");
  std::string dir = env && *env ? env : STRATA_SHARED_DIR;
  return dir + "/models/stories260K/gguf/stories260K-" + variant + ".gguf";
}

bool exists(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

int64_t statInt(mlir::ModuleOp m, llvm::StringRef key) {
  auto stats = m->getAttrOfType<mlir::DictionaryAttr>(graph::kQuantizeStatsAttr);
  return stats ? llvm::cast<mlir::IntegerAttr>(stats.get(key)).getInt() : -1;
}

double statDouble(mlir::ModuleOp m, llvm::StringRef key) {
  auto stats = m->getAttrOfType<mlir::DictionaryAttr>(graph::kQuantizeStatsAttr);
  return stats ? llvm::cast<mlir::FloatAttr>(stats.get(key)).getValueAsDouble() : -1;
}

/// Builds stories260K-<variant> and runs the graph pipeline with `options`.
struct Compiled {
  GraphContext c;
  mlir::OwningOpRef<mlir::ModuleOp> module;
};

std::unique_ptr<Compiled> compile(const std::string &variant, const std::string &options) {
  auto out = std::make_unique<Compiled>();
  Expected<models::Model> model = models::loadModel(ggufPath(variant));
  EXPECT_TRUE(model) << model.message();
  if (!model)
    return nullptr;
  auto module = models::buildModelGraph(out->c.ctx, *model);
  EXPECT_TRUE(module) << module.message();
  if (!module)
    return nullptr;
  out->module = module.takeValue();
  EXPECT_TRUE(mlir::succeeded(out->c.run(*out->module, "strata-graph-pipeline{" + options + "}")))
      << out->c.diagnostics;
  return out;
}

} // namespace

TEST(ModelQuantize, NativeKeepsLlamaCppBlocksExactly) {
  for (const char *variant : {"q8_0", "q4_0"}) {
    SCOPED_TRACE(variant);
    if (!exists(ggufPath(variant)))
      GTEST_SKIP() << "reference model not found: " << ggufPath(variant);
    auto compiled = compile(variant, "policy=native");
    ASSERT_TRUE(compiled);
    mlir::ModuleOp m = *compiled->module;
    // q8_0: 32 blocks tensors (q k v o gate up x5, embedding, output), the
    // five ffn_down in f16 (rows of 172 are not whole blocks).
    // q4_0: the same but in 4 bits, except output, which llama.cpp keeps in q8_0.
    bool q8 = std::string(variant) == "q8_0";
    EXPECT_EQ(statInt(m, "weights_i8"), q8 ? 32 : 1);
    EXPECT_EQ(statInt(m, "weights_i4"), q8 ? 0 : 31);
    EXPECT_EQ(statInt(m, "weights_f16"), 5);
    EXPECT_EQ(statDouble(m, "max_abs"), 0.0);
    for (graph::WeightOp w : m.getOps<graph::WeightOp>()) {
      const WeightEntry *e = compiled->c.store().find(w.getSymName().str());
      ASSERT_NE(e, nullptr);
      if (auto quant = w.getQuant()) {
        EXPECT_EQ(quant->getScheme(), graph::QuantScheme::PerGroup);
        EXPECT_EQ(quant->getGroupSize(), 32);
        EXPECT_TRUE(quant->getScaleType().isF16());
        EXPECT_EQ(e->groupSize, 32);
      }
    }
  }
}

TEST(ModelQuantize, PolicyErrorsOnTrainedWeights) {
  if (!exists(ggufPath("f32")))
    GTEST_SKIP() << "reference model not found: " << ggufPath("f32");
  struct Band {
    const char *options;
    double maxRelRms;
  };
  // Upper bounds of the worst tensor's relative RMS error; the measured
  // values are recorded as test properties and in docs/compiler.md.
  const Band bands[] = {
      {"policy=fp16", 1e-3},  {"policy=bf16", 5e-3},
      {"policy=int8", 0.02},  {"policy=int8 scale-type=f16", 0.02},
      {"policy=mixed", 0.02}, {"policy=int4 group-size=32", 0.2},
  };
  for (const Band &band : bands) {
    SCOPED_TRACE(band.options);
    auto compiled = compile("f32", band.options);
    ASSERT_TRUE(compiled);
    mlir::ModuleOp m = *compiled->module;
    double worst = statDouble(m, "max_rel_rms");
    EXPECT_GT(worst, 0.0);
    EXPECT_LT(worst, band.maxRelRms);
    RecordProperty(band.options, std::to_string(worst) + " worst rel_rms, " +
                                     std::to_string(statInt(m, "weight_bytes_after")) + " of " +
                                     std::to_string(statInt(m, "weight_bytes_before")) + " bytes");
  }
}
