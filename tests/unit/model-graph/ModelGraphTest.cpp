//===- ModelGraphTest.cpp - The graph builder -----------------------------===//
//
// Structure of the modules the builder emits (entry signatures, op counts
// per kind, attributes that carry the config), the verifier and a print/parse
// round trip, and the weight-store entries (roles, zero-copy views, GPT-2's
// split QKV against the dequantised fused tensor).
//
//===----------------------------------------------------------------------===//
#include "TinyCheckpoint.h"

#include "SharedData.h"
#include "TestPaths.h"

#include "strata/Dialect/Graph/IR/GraphDialect.h"
#include "strata/Dialect/Graph/IR/GraphOps.h"
#include "strata/InitAllDialects.h"
#include "strata/models/Dequantize.h"
#include "strata/models/ModelLoader.h"
#include "strata/models/WellKnownConfigs.h"
#include "strata/models/graph/ModelGraph.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>

namespace strata::models {
namespace {

using namespace mlir;
namespace g = ::strata::graph;

struct Context {
  Context() {
    DialectRegistry registry;
    strata::registerAllDialects(registry);
    ctx.appendDialectRegistry(registry);
    ctx.loadAllAvailableDialects();
  }
  MLIRContext ctx;
  WeightStore &store() { return ctx.getOrLoadDialect<g::GraphDialect>()->getWeightStore(); }
};

std::string print(Operation *op) {
  std::string text;
  llvm::raw_string_ostream os(text);
  op->print(os);
  return text;
}

/// Op name -> count inside `func`.
std::map<std::string, int> opCounts(func::FuncOp func) {
  std::map<std::string, int> counts;
  func.walk([&](Operation *op) { ++counts[op->getName().getStringRef().str()]; });
  return counts;
}

std::string bindingOf(func::FuncOp func, unsigned arg) {
  auto attr = func.getArgAttrOfType<StringAttr>(arg, graph_names::kBindingAttr);
  return attr ? attr.str() : "";
}

class TinyLlama : public ::testing::Test {
protected:
  void SetUp() override {
    path_ = test::tempPath("tiny-llama.bin");
    ASSERT_TRUE(test::writeTinyCheckpoint(path_, shape_, 11));
    auto m = loadModel(path_);
    ASSERT_TRUE(m) << m.message();
    model_ = m.takeValue();
  }
  void TearDown() override { std::remove(path_.c_str()); }

  test::TinyShape shape_;
  std::string path_;
  Model model_;
};

TEST_F(TinyLlama, EntriesHaveTheRuntimeSignature) {
  Context c;
  ModelGraphOptions options;
  options.prefillChunk = 8;
  auto module = buildModelGraph(c.ctx, model_, options);
  ASSERT_TRUE(module) << module.message();
  ASSERT_TRUE(succeeded(verify(**module)));

  auto prefill = (*module)->lookupSymbol<func::FuncOp>("prefill");
  auto decode = (*module)->lookupSymbol<func::FuncOp>("decode");
  ASSERT_TRUE(prefill && decode);
  EXPECT_TRUE(prefill->hasAttr(graph_names::kEntryAttr));
  EXPECT_TRUE(decode->hasAttr(graph_names::kEntryAttr));

  FunctionType pt = prefill.getFunctionType();
  ASSERT_EQ(pt.getNumInputs(), 3u);
  EXPECT_EQ(pt.getInput(0), RankedTensorType::get({8}, IntegerType::get(&c.ctx, 32)));
  EXPECT_TRUE(pt.getInput(1).isIndex() && pt.getInput(2).isIndex());
  EXPECT_EQ(bindingOf(prefill, 0), "tokens");
  EXPECT_EQ(bindingOf(prefill, 1), "pos");
  EXPECT_EQ(bindingOf(prefill, 2), "n_valid");
  ASSERT_EQ(pt.getNumResults(), 1u);
  EXPECT_EQ(pt.getResult(0), RankedTensorType::get({1, shape_.vocab}, Float32Type::get(&c.ctx)));
  EXPECT_EQ(prefill.getResultAttrOfType<StringAttr>(0, graph_names::kBindingAttr).str(),
            "logits");

  FunctionType dt = decode.getFunctionType();
  ASSERT_EQ(dt.getNumInputs(), 2u);
  EXPECT_EQ(dt.getInput(0), RankedTensorType::get({1}, IntegerType::get(&c.ctx, 32)));
  EXPECT_EQ(bindingOf(decode, 0), "tokens");
  EXPECT_EQ(bindingOf(decode, 1), "pos");
  EXPECT_EQ(dt.getResult(0), pt.getResult(0));
}

TEST_F(TinyLlama, LayersHaveTheLlamaStructure) {
  Context c;
  auto module = buildModelGraph(c.ctx, model_, {});
  ASSERT_TRUE(module) << module.message();
  const int L = shape_.layers;
  for (const char *entry : {"prefill", "decode"}) {
    SCOPED_TRACE(entry);
    auto counts = opCounts((*module)->lookupSymbol<func::FuncOp>(entry));
    EXPECT_EQ(counts["graph.embedding"], 1);
    EXPECT_EQ(counts["graph.rms_norm"], 2 * L + 1);
    EXPECT_EQ(counts["graph.layer_norm"], 0);
    EXPECT_EQ(counts["graph.linear"], 7 * L + 1); // q k v o gate up down + classifier
    EXPECT_EQ(counts["graph.rope"], 2 * L);
    EXPECT_EQ(counts["graph.attention"], L);
    EXPECT_EQ(counts["graph.silu"], L);
    EXPECT_EQ(counts["graph.mul"], L);
    EXPECT_EQ(counts["graph.add"], 2 * L);
    EXPECT_EQ(counts["graph.take_row"], std::string(entry) == "prefill" ? 1 : 0);
  }
  // Attention ops address consecutive layers of the one cache.
  auto decode = (*module)->lookupSymbol<func::FuncOp>("decode");
  int64_t expectLayer = 0;
  decode.walk([&](g::AttentionOp op) {
    EXPECT_EQ(op.getLayer(), uint64_t(expectLayer++));
    EXPECT_EQ(op.getCache(), "kv_cache");
    EXPECT_EQ(op.getNumHeads(), uint64_t(shape_.heads));
    EXPECT_EQ(op.getNumKvHeads(), uint64_t(shape_.kvHeads));
  });
  decode.walk([&](g::RopeOp op) {
    EXPECT_EQ(op.getStyle(), g::RopeStyle::Interleaved);
    EXPECT_EQ(op.getTheta().convertToDouble(), 10000.0);
  });
  auto kv = (*module)->lookupSymbol<g::KvCacheOp>("kv_cache");
  ASSERT_TRUE(kv);
  EXPECT_EQ(kv.getLayers(), uint64_t(L));
  EXPECT_EQ(kv.getMaxSeq(), uint64_t(shape_.seqLen));
  EXPECT_EQ(kv.getKvHeads(), uint64_t(shape_.kvHeads));
  EXPECT_EQ(kv.getHeadDim(), uint64_t(shape_.dim / shape_.heads));
  EXPECT_TRUE(kv.getElementType().isF32());
}

TEST_F(TinyLlama, RoundTripsThroughText) {
  Context c;
  auto module = buildModelGraph(c.ctx, model_, {});
  ASSERT_TRUE(module) << module.message();
  std::string text = print(module->get());
  OwningOpRef<ModuleOp> parsed = parseSourceString<ModuleOp>(text, &c.ctx);
  ASSERT_TRUE(parsed);
  ASSERT_TRUE(succeeded(verify(*parsed)));
  EXPECT_EQ(print(parsed.get()), text);
}

TEST_F(TinyLlama, WeightsAreZeroCopyViewsWithRoles) {
  Context c;
  auto module = buildModelGraph(c.ctx, model_, {});
  ASSERT_TRUE(module) << module.message();
  std::map<std::string, std::string> roles;
  (*module)->walk([&](g::WeightOp w) { roles[w.getSymName().str()] = w.getRole()->str(); });
  EXPECT_EQ(roles.size(), model_.tensors().size());
  EXPECT_EQ(roles["token_embd.weight"], "embedding");
  EXPECT_EQ(roles["blk.1.attn_q.weight"], "attention");
  EXPECT_EQ(roles["blk.1.attn_output.weight"], "attention");
  EXPECT_EQ(roles["blk.0.ffn_down.weight"], "ffn");
  EXPECT_EQ(roles["blk.0.attn_norm.weight"], "norm");
  EXPECT_EQ(roles["output_norm.weight"], "norm");
  EXPECT_EQ(roles.count("output.weight"), 0u) << "tied classifier reuses the embedding";

  for (const Tensor &t : model_.tensors()) {
    const WeightEntry *e = c.store().find(t.name);
    ASSERT_NE(e, nullptr) << t.name;
    EXPECT_EQ(e->data, t.data) << t.name << " must point into the mapping";
    EXPECT_EQ(e->bytes, t.byteSize);
    EXPECT_EQ(e->format, WeightFormat::F32);
  }
  // The classifier of a tied model is the embedding's symbol.
  auto decode = (*module)->lookupSymbol<func::FuncOp>("decode");
  auto ret = cast<func::ReturnOp>(decode.getBody().front().getTerminator());
  auto classifier = ret.getOperand(0).getDefiningOp<g::LinearOp>();
  ASSERT_TRUE(classifier);
  auto ref = classifier.getWeight().getDefiningOp<g::WeightRefOp>();
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref.getName(), "token_embd.weight");
}

TEST_F(TinyLlama, StoreKeepsTheMappingAlive) {
  Context c;
  const uint8_t *data = model_.find("blk.0.attn_q.weight")->data;
  std::vector<float> before(16);
  std::memcpy(before.data(), data, 64);
  {
    auto module = buildModelGraph(c.ctx, model_, {});
    ASSERT_TRUE(module) << module.message();
  }
  model_ = Model(); // the test's copy of the mapping is gone
  auto values = c.store().readF32("blk.0.attn_q.weight");
  ASSERT_TRUE(values) << values.message();
  EXPECT_EQ(std::memcmp(values->data(), before.data(), 64), 0);
}

TEST_F(TinyLlama, KvCacheTypeAndLengthFollowTheOptions) {
  Context c;
  ModelGraphOptions options;
  options.kvCache = KvCacheType::F16;
  options.maxSeq = 40;
  options.emitPrefill = false;
  auto module = buildModelGraph(c.ctx, model_, options);
  ASSERT_TRUE(module) << module.message();
  auto kv = (*module)->lookupSymbol<g::KvCacheOp>("kv_cache");
  EXPECT_TRUE(kv.getElementType().isF16());
  EXPECT_EQ(kv.getMaxSeq(), 40u);
  EXPECT_FALSE((*module)->lookupSymbol<func::FuncOp>("prefill"));
  EXPECT_TRUE((*module)->lookupSymbol<func::FuncOp>("decode"));
}

TEST_F(TinyLlama, BadOptionsAreErrors) {
  Context c;
  ModelGraphOptions options;
  options.prefillChunk = 0;
  auto a = buildModelGraph(c.ctx, model_, options);
  ASSERT_FALSE(a);
  EXPECT_NE(a.message().find("at least 1 token"), std::string::npos) << a.message();

  options.prefillChunk = 128; // longer than the 64-position cache
  auto b = buildModelGraph(c.ctx, model_, options);
  ASSERT_FALSE(b);
  EXPECT_NE(b.message().find("longer than the KV cache"), std::string::npos) << b.message();
  EXPECT_NE(b.message().find(path_), std::string::npos) << "names the model";

  options = {};
  options.emitPrefill = options.emitDecode = false;
  EXPECT_FALSE(buildModelGraph(c.ctx, model_, options));
}

TEST(ModelGraphTimingOnly, WellKnownShapesBuildWithoutData) {
  for (const char *name : {"llama2-7b", "llama3-8b", "qwen2.5-7b", "gpt2-xl"}) {
    SCOPED_TRACE(name);
    Context c;
    auto config = findWellKnownConfig(name);
    ASSERT_TRUE(config);
    ModelGraphOptions options;
    options.prefillChunk = 128;
    options.maxSeq = 1024;
    auto module = buildModelGraph(c.ctx, *config, options);
    ASSERT_TRUE(module) << module.message();
    EXPECT_TRUE(succeeded(verify(**module)));
    EXPECT_EQ(c.store().size(), 0u) << "timing-only modules register no data";
    auto counts = opCounts((*module)->lookupSymbol<func::FuncOp>("prefill"));
    EXPECT_EQ(counts["graph.attention"], int(config->nLayers));
    uint64_t params = 0;
    (*module)->walk([&](g::WeightOp w) {
      params += uint64_t(w.getTensorType().getNumElements());
      EXPECT_FALSE(w.getFile());
    });
    // Declared weights are exactly the model's parameters (positions included).
    EXPECT_EQ(params, config->parameterCount());
  }
}

TEST(ModelGraphTimingOnly, LearnedPositionsLimitTheCache) {
  Context c;
  auto config = findWellKnownConfig("gpt2");
  ModelGraphOptions options;
  options.maxSeq = config->maxSeqLen + 1;
  auto module = buildModelGraph(c.ctx, *config, options);
  ASSERT_FALSE(module);
  EXPECT_NE(module.message().find("learned position table"), std::string::npos)
      << module.message();
}

TEST(ModelGraphShared, Gpt2SplitsQkvAndUsesConv1dLayout) {
  STRATA_REQUIRE_MODEL_FILE("hf/tiny-gpt2/model.safetensors");
  auto model = loadModel(testing::modelPath("hf/tiny-gpt2"));
  ASSERT_TRUE(model) << model.message();
  const ModelConfig &cfg = model->config;
  Context c;
  ModelGraphOptions options;
  options.prefillChunk = 4;
  auto module = buildModelGraph(c.ctx, *model, options);
  ASSERT_TRUE(module) << module.message();
  ASSERT_TRUE(succeeded(verify(**module)));

  auto prefill = (*module)->lookupSymbol<func::FuncOp>("prefill");
  EXPECT_EQ(prefill.getFunctionType().getNumInputs(), 4u);
  EXPECT_EQ(bindingOf(prefill, 0), "tokens");
  EXPECT_EQ(bindingOf(prefill, 1), "positions");
  EXPECT_EQ(bindingOf(prefill, 2), "pos");
  EXPECT_EQ(bindingOf(prefill, 3), "n_valid");
  auto counts = opCounts(prefill);
  const int L = int(cfg.nLayers);
  EXPECT_EQ(counts["graph.embedding"], 2);
  EXPECT_EQ(counts["graph.layer_norm"], 2 * L + 1);
  EXPECT_EQ(counts["graph.rms_norm"], 0);
  EXPECT_EQ(counts["graph.rope"], 0);
  EXPECT_EQ(counts["graph.gelu"], L);
  EXPECT_EQ(counts["graph.linear"], 6 * L + 1);
  prefill.walk([&](g::GeluOp op) { EXPECT_EQ(op.getApproximate(), g::GeluApprox::Tanh); });
  int kn = 0, withBias = 0;
  prefill.walk([&](g::LinearOp op) {
    kn += op.getWeightLayout() == g::WeightLayout::KN;
    withBias += bool(op.getBias());
  });
  EXPECT_EQ(kn, 6 * L) << "Conv1D weights stay [in, out]; the tied classifier is [out, in]";
  EXPECT_EQ(withBias, 6 * L);

  // The split Q/K/V weights hold exactly the fused tensor's columns.
  const Tensor *fused = model->find("blk.1.attn_qkv.weight");
  ASSERT_NE(fused, nullptr);
  std::vector<float> full = toFloat32(*fused); // canonical [3d, d]
  const uint64_t d = cfg.dim;
  struct Part { const char *name; uint64_t first; } parts[] = {
      {"blk.1.attn_q.weight", 0}, {"blk.1.attn_k.weight", d}, {"blk.1.attn_v.weight", 2 * d}};
  for (const Part &p : parts) {
    SCOPED_TRACE(p.name);
    const WeightEntry *e = c.store().find(p.name);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->shape, (std::vector<int64_t>{int64_t(d), int64_t(d)})); // [in, out]
    auto values = c.store().readF32(p.name);
    ASSERT_TRUE(values) << values.message();
    for (uint64_t i = 0; i < d; ++i)     // input feature
      for (uint64_t o = 0; o < d; ++o) // output feature
        ASSERT_EQ((*values)[i * d + o], full[(p.first + o) * d + i]);
  }
  // The split biases are views into the fused bias.
  const Tensor *bias = model->find("blk.1.attn_qkv.bias");
  EXPECT_EQ(c.store().find("blk.1.attn_k.bias")->data, bias->data + d * 4);
}

TEST(ModelGraphShared, Qwen2HasQkvBiasesAndHalfSplitRope) {
  STRATA_REQUIRE_MODEL_FILE("hf/tiny-qwen2/model.safetensors");
  auto model = loadModel(testing::modelPath("hf/tiny-qwen2"));
  ASSERT_TRUE(model) << model.message();
  Context c;
  auto module = buildModelGraph(c.ctx, *model, {});
  ASSERT_TRUE(module) << module.message();
  auto decode = (*module)->lookupSymbol<func::FuncOp>("decode");
  int biased = 0;
  decode.walk([&](g::LinearOp op) { biased += bool(op.getBias()); });
  EXPECT_EQ(biased, 3 * int(model->config.nLayers));
  decode.walk([&](g::RopeOp op) {
    EXPECT_EQ(op.getStyle(), g::RopeStyle::HalfSplit);
    EXPECT_EQ(op.getTheta().convertToDouble(), 1e6);
  });
  decode.walk([&](g::RmsNormOp op) {
    EXPECT_EQ(op.getEps().convertToDouble(), double(1e-6f));
  });
}

TEST(ModelGraphShared, GgufBlockFormatsAreStoredAsIs) {
  STRATA_REQUIRE_MODEL_FILE("stories260K/gguf/stories260K-q4_0.gguf");
  auto model = loadModel(testing::modelPath("stories260K/gguf/stories260K-q4_0.gguf"));
  ASSERT_TRUE(model) << model.message();
  Context c;
  auto module = buildModelGraph(c.ctx, *model, {});
  ASSERT_TRUE(module) << module.message();
  EXPECT_EQ(c.store().find("blk.0.attn_q.weight")->format, WeightFormat::Q4_0);
  EXPECT_EQ(c.store().find("blk.0.ffn_down.weight")->format, WeightFormat::F16);
  EXPECT_EQ(c.store().find("output.weight")->format, WeightFormat::Q8_0);
  // The untied classifier is its own weight with the lm_head role.
  bool found = false;
  (*module)->walk([&](g::WeightOp w) {
    if (w.getSymName() == "output.weight") {
      found = true;
      EXPECT_EQ(*w.getRole(), "lm_head");
      EXPECT_TRUE(w.getTensorType().getElementType().isF32()) << "logical type";
    }
  });
  EXPECT_TRUE(found);
}

} // namespace
} // namespace strata::models
