//===- Compile.cpp - The compile driver -----------------------------------===//
#include "strata/Driver/Compile.h"

#include "strata/Conversion/Passes.h"
#include "strata/Dialect/Graph/IR/GraphOps.h"
#include "strata/Dialect/Graph/Transforms/Passes.h"
#include "strata/Dialect/Npu/Transforms/Passes.h"
#include "strata/Driver/ProgramStats.h"
#include "strata/Target/NpuToBinary.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <mutex>

using namespace mlir;
using json = nlohmann::ordered_json;

namespace strata {
namespace {

/// Wall time of every pass, summed per pass argument over nested runs.
class PassTimer : public PassInstrumentation {
public:
  using Clock = std::chrono::steady_clock;
  void runBeforePass(Pass *pass, Operation *) override {
    if (isAdaptor(pass))
      return;
    std::lock_guard<std::mutex> lock(mutex_);
    start_[pass].push_back(Clock::now());
  }
  void runAfterPass(Pass *pass, Operation *) override { stop(pass); }
  void runAfterPassFailed(Pass *pass, Operation *) override { stop(pass); }

  /// (pass argument, seconds) in first-run order.
  std::vector<std::pair<std::string, double>> results() const { return order_; }

private:
  /// The pass manager's nesting adaptors time their nested passes, which
  /// are reported themselves.
  static bool isAdaptor(Pass *pass) {
    return pass->getName().contains("OpToOpPassAdaptor");
  }
  void stop(Pass *pass) {
    if (isAdaptor(pass))
      return;
    std::lock_guard<std::mutex> lock(mutex_);
    auto &starts = start_[pass];
    if (starts.empty())
      return;
    double s = std::chrono::duration<double>(Clock::now() - starts.back()).count();
    starts.pop_back();
    std::string name = pass->getArgument().empty() ? pass->getName().str()
                                                   : pass->getArgument().str();
    for (auto &[n, t] : order_)
      if (n == name) {
        t += s;
        return;
      }
    order_.push_back({name, s});
  }
  std::mutex mutex_;
  llvm::DenseMap<Pass *, std::vector<Clock::time_point>> start_;
  std::vector<std::pair<std::string, double>> order_;
};

FailureOr<quant::QuantPolicy> policyOf(ModuleOp module, const std::string &name) {
  std::optional<quant::QuantPolicy> p = quant::parsePolicy(name);
  if (!p)
    return module.emitError() << "unknown precision '" << name
                              << "' (expected fp32, bf16, fp16, int8, int4, mixed or native)";
  return *p;
}

void addGraphStage(OpPassManager &pm, const CompileOptions &o, bool fuse,
                   std::optional<quant::QuantPolicy> policy) {
  if (fuse) {
    graph::GraphFusePassOptions f;
    f.epilogue = o.fuseEpilogue;
    f.prologue = o.fusePrologue;
    f.horizontal = o.fuseHorizontal;
    f.swiglu = o.fuseSwiglu;
    pm.addNestedPass<func::FuncOp>(graph::createGraphFusePass(f));
  }
  if (policy) {
    graph::GraphQuantizePassOptions q;
    q.policy = *policy;
    q.groupSize = o.groupSize;
    q.scaleType = o.scaleType == "f16" ? DType::F16 : DType::F32;
    pm.addPass(graph::createGraphQuantizePass(q));
  }
}

void addBackendStage(OpPassManager &pm, const CompileOptions &o) {
  npu::BackendPipelineOptions b;
  b.arch = o.arch;
  b.cores = o.cores;
  b.prefillChunk = o.prefillChunk;
  b.prefetchDepth = o.prefetchDepth;
  b.linearSchedule = o.linearSchedule;
  b.prefillKChunk = o.prefillKChunk;
  b.prefillKSums = o.prefillKSums;
  b.prefetch = o.prefetch;
  b.dvfsHints = o.dvfsHints;
  b.pinWeights = o.pinWeights;
  b.residentKv = o.residentKv;
  b.padRows = o.padRows;
  b.forwardStores = o.forwardStores;
  npu::buildBackendPassPipeline(pm, b);
}

json statsJson(const EntryStats &s) {
  json j;
  j["instructions"] = s.instructions;
  j["dma"] = s.dma;
  j["gemm"] = s.gemms;
  j["vector"] = s.vector;
  j["sync"] = s.sync;
  j["hbm_load_bytes"] = s.hbmLoadBytes;
  j["hbm_store_bytes"] = s.hbmStoreBytes;
  j["hbm_dynamic_bytes_max"] = s.dynamicHbmBytes;
  j["macs"] = s.macs;
  return j;
}

json attrJson(Attribute a) {
  if (auto i = llvm::dyn_cast<IntegerAttr>(a))
    return i.getInt();
  if (auto f = llvm::dyn_cast<FloatAttr>(a))
    return f.getValueAsDouble();
  if (auto s = llvm::dyn_cast<StringAttr>(a))
    return s.str();
  if (auto d = llvm::dyn_cast<DictionaryAttr>(a)) {
    json j = json::object();
    for (NamedAttribute n : d)
      j[n.getName().str()] = attrJson(n.getValue());
    return j;
  }
  if (auto arr = llvm::dyn_cast<ArrayAttr>(a)) {
    json j = json::array();
    for (Attribute e : arr)
      j.push_back(attrJson(e));
    return j;
  }
  std::string text;
  llvm::raw_string_ostream os(text);
  a.print(os);
  return os.str();
}

/// Runs a pass manager, with IR printing and timing as asked.
LogicalResult runPasses(PassManager &pm, ModuleOp module, const CompileOptions &o,
                        PassInstrumentation *timer, llvm::raw_ostream *irStream) {
  if (timer)
    pm.addInstrumentation(std::unique_ptr<PassInstrumentation>(timer));
  // Verifying the whole module after every pass costs more than most passes
  // on a large model; the final module is verified once before emission.
  pm.enableVerifier(false);
  if (o.printIrAfterAll && irStream) {
    module.getContext()->disableMultithreading();
    pm.enableIRPrinting([](Pass *, Operation *) { return false; },
                        [](Pass *, Operation *) { return true; },
                        /*printModuleScope=*/true, /*printAfterOnlyOnChange=*/false,
                        /*printAfterOnlyOnFailure=*/false, *irStream);
  }
  return pm.run(module);
}

/// A forwarding instrumentation, so one PassTimer outlives both managers.
class TimerRef : public PassInstrumentation {
public:
  explicit TimerRef(PassTimer &t) : t_(t) {}
  void runBeforePass(Pass *p, Operation *op) override { t_.runBeforePass(p, op); }
  void runAfterPass(Pass *p, Operation *op) override { t_.runAfterPass(p, op); }
  void runAfterPassFailed(Pass *p, Operation *op) override { t_.runAfterPassFailed(p, op); }

private:
  PassTimer &t_;
};

/// Instruction and traffic figures of `module` compiled without fusion.
FailureOr<std::map<std::string, EntryStats>> compileUnfused(ModuleOp module,
                                                            const CompileOptions &o,
                                                            std::optional<quant::QuantPolicy> p) {
  OwningOpRef<ModuleOp> copy(module.clone());
  PassManager pm(module.getContext());
  addGraphStage(pm, o, /*fuse=*/false, p);
  addBackendStage(pm, o);
  if (failed(pm.run(*copy)))
    return failure();
  return analyzeProgram(*copy);
}

/// The passes of both stages with their options, as one pipeline on the
/// module (what strata-opt's --pass-pipeline takes).
std::string pipelineText(std::initializer_list<OpPassManager *> stages) {
  std::string text = "builtin.module(";
  llvm::raw_string_ostream os(text);
  bool first = true;
  for (OpPassManager *pm : stages)
    for (Pass &pass : pm->getPasses()) {
      if (!first)
        os << ",";
      first = false;
      pass.printAsTextualPipeline(os);
    }
  os << ")";
  return text;
}

} // namespace

FailureOr<CompileOutput> compileModule(ModuleOp module, const CompileOptions &o) {
  auto begin = std::chrono::steady_clock::now();
  std::optional<quant::QuantPolicy> policy;
  if (!o.precision.empty()) {
    FailureOr<quant::QuantPolicy> p = policyOf(module, o.precision);
    if (failed(p))
      return failure();
    policy = *p;
  }
  if (o.scaleType != "f32" && o.scaleType != "f16")
    return module.emitError() << "unknown scale type '" << o.scaleType
                              << "' (expected f32 or f16)";

  std::unique_ptr<llvm::raw_fd_ostream> irFile;
  llvm::raw_ostream *irStream = &llvm::errs();
  if (o.printIrAfterAll && !o.irDumpPath.empty()) {
    std::error_code ec;
    irFile = std::make_unique<llvm::raw_fd_ostream>(o.irDumpPath, ec, llvm::sys::fs::OF_Text);
    if (ec)
      return module.emitError() << "cannot write the IR dump '" << o.irDumpPath
                                << "': " << ec.message();
    irStream = irFile.get();
  }

  // The unfused copy is taken before any pass changes the module.
  OwningOpRef<ModuleOp> unfusedInput;
  if (o.compareFusion && o.fuse)
    unfusedInput = module.clone();

  PassTimer timer;
  // Graph stage, then read what it recorded before lowering erases it.
  PassManager graphPm(module.getContext());
  addGraphStage(graphPm, o, o.fuse, policy);
  if (failed(runPasses(graphPm, module, o, new TimerRef(timer), irStream)))
    return failure();
  json fusion = json::object();
  int64_t graphOps = 0;
  for (func::FuncOp f : module.getOps<func::FuncOp>()) {
    if (auto stats = f->getAttrOfType<DictionaryAttr>(graph::kFusionStatsAttr))
      for (NamedAttribute n : stats)
        if (auto i = llvm::dyn_cast<IntegerAttr>(n.getValue())) {
          std::string key = n.getName().str();
          fusion[key] = fusion.value(key, int64_t(0)) + i.getInt();
        }
    f.walk([&](Operation *op) {
      if (op->getDialect() && op->getDialect()->getNamespace() == "graph" &&
          !llvm::isa<graph::WeightRefOp>(op))
        ++graphOps;
    });
  }
  json quantize = nullptr;
  if (auto q = module->getAttrOfType<DictionaryAttr>(graph::kQuantizeStatsAttr))
    quantize = attrJson(q);

  PassManager backendPm(module.getContext());
  addBackendStage(backendPm, o);
  const std::string pipeline = pipelineText({&graphPm, &backendPm});
  if (failed(runPasses(backendPm, module, o, new TimerRef(timer), irStream)))
    return failure();

  if (failed(verify(module)))
    return failure();
  std::map<std::string, EntryStats> after = analyzeProgram(module);
  std::map<std::string, EntryStats> before;
  if (unfusedInput) {
    FailureOr<std::map<std::string, EntryStats>> b =
        compileUnfused(*unfusedInput, o, policy);
    if (failed(b))
      return failure();
    before = *b;
  }

  EmitOptions emit;
  emit.toolVersion = o.toolVersion;
  emit.passPipeline = pipeline;
  emit.modelName = o.modelName;
  emit.timingOnly = o.timingOnly;
  auto emitStart = std::chrono::steady_clock::now();
  FailureOr<bin::Binary> binary = emitBinary(module, emit);
  if (failed(binary))
    return failure();
  double emitSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - emitStart).count();

  json report;
  report["tool"] = o.toolVersion;
  report["model"] = o.modelName;
  if (auto name = module->getAttrOfType<StringAttr>("npu.arch_name"))
    report["arch"] = name.str();
  report["arch_hash"] = binary->archHash;
  report["pipeline"] = emit.passPipeline;
  report["precision"] = o.precision.empty() ? "as declared" : o.precision;
  json passes = json::array();
  for (auto &[name, seconds] : timer.results())
    passes.push_back({{"pass", name}, {"seconds", seconds}});
  passes.push_back({{"pass", "npu-to-binary"}, {"seconds", emitSeconds}});
  report["passes"] = passes;
  report["fusion"] = {{"graph_ops_after", graphOps}, {"fused", fusion}};
  report["quantization"] = quantize;
  json entries = json::object();
  for (auto &[name, s] : after) {
    json e;
    e["after_fusion"] = statsJson(s);
    auto it = before.find(name);
    if (it != before.end())
      e["before_fusion"] = statsJson(it->second);
    entries[name] = e;
  }
  report["entries"] = entries;
  if (auto hw = module->getAttrOfType<DictionaryAttr>(npu::kSramHighWaterAttr)) {
    int64_t max = 0;
    for (NamedAttribute n : hw)
      max = std::max<int64_t>(max, llvm::cast<IntegerAttr>(n.getValue()).getInt());
    report["sram_high_water_bytes"] = max;
    report["sram_high_water_per_core"] = attrJson(hw);
  }
  // Statistics other npu passes record as module attributes (semaphores,
  // the prefetch scheduler, DVFS hints).
  for (NamedAttribute n : module->getAttrs()) {
    StringRef key = n.getName().getValue();
    if (key.starts_with("npu.") && key.ends_with("_stats"))
      report[key.drop_front(4).str()] = attrJson(n.getValue());
  }
  // Resident weights: the SRAM reserved per core, slots, loads moved out.
  if (auto pinned = module->getAttrOfType<DictionaryAttr>(npu::kPinnedWeightsAttr))
    report["pinned_weights"] = attrJson(pinned);
  else
    report["pinned_weights"] = nullptr;
  // The resident KV cache: the SRAM reserved per core and its buffers.
  if (auto resident = module->getAttrOfType<DictionaryAttr>(npu::kResidentKvAttr))
    report["resident_kv"] = attrJson(resident);
  else
    report["resident_kv"] = nullptr;
  if (auto prefetch = module->getAttrOfType<DictionaryAttr>(npu::kPrefetchStatsAttr))
    if (auto overlap = prefetch.getAs<FloatAttr>("estimated_overlap"))
      report["estimated_overlap"] = overlap.getValueAsDouble();
  report["constants_bytes"] = [&] {
    uint64_t b = 0;
    for (const bin::ConstSegment &c : binary->constants)
      b += c.size;
    return b;
  }();
  report["timing_only"] = std::all_of(binary->constants.begin(), binary->constants.end(),
                                      [](const bin::ConstSegment &c) { return !c.data; });
  report["compile_seconds"] =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();

  CompileOutput out;
  out.binary = std::move(*binary);
  out.report = report.dump(2);
  return out;
}

} // namespace strata
