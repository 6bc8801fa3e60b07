//===- PassTestSupport.h - Running graph passes on text in tests -*- C++ -*-===//
#pragma once

#include "strata/Dialect/Graph/IR/GraphOps.h"
#include "strata/Dialect/Graph/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace strata::test {

/// Makes Strata's graph passes known to textual pipelines.
inline void registerGraphPassesOnce() {
  static bool done = [] {
    graph::registerGraphPasses();
    graph::registerGraphPassPipeline();
    return true;
  }();
  (void)done;
}

/// A context with the dialects graph modules use (not every Strata dialect:
/// these tests link only the graph stage); diagnostics are collected.
struct GraphContext {
  GraphContext() {
    registerGraphPassesOnce();
    mlir::DialectRegistry registry;
    registry.insert<graph::GraphDialect, mlir::func::FuncDialect, mlir::arith::ArithDialect>();
    ctx.appendDialectRegistry(registry);
    ctx.loadAllAvailableDialects();
    handler.emplace(&ctx, [this](mlir::Diagnostic &d) {
      diagnostics += d.str() + "\n";
      return mlir::success();
    });
  }
  WeightStore &store() { return ctx.getOrLoadDialect<graph::GraphDialect>()->getWeightStore(); }
  mlir::OwningOpRef<mlir::ModuleOp> parse(const std::string &text) {
    auto module = mlir::parseSourceString<mlir::ModuleOp>(text, &ctx);
    EXPECT_TRUE(module) << diagnostics;
    return module;
  }
  /// Runs a textual pipeline, e.g. "strata-graph-quantize{policy=int8}".
  mlir::LogicalResult run(mlir::ModuleOp module, const std::string &pipeline) {
    mlir::PassManager pm(&ctx, mlir::ModuleOp::getOperationName());
    if (mlir::failed(mlir::parsePassPipeline(pipeline, pm))) {
      ADD_FAILURE() << "bad pipeline " << pipeline;
      return mlir::failure();
    }
    return pm.run(module);
  }

  mlir::MLIRContext ctx;
  std::string diagnostics;
  std::optional<mlir::ScopedDiagnosticHandler> handler;
};

inline std::string print(mlir::Operation *op) {
  std::string text;
  llvm::raw_string_ostream os(text);
  op->print(os);
  return text;
}

/// Uniform values in [-1, 1] from a fixed seed.
inline std::vector<float> randomValues(size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float &x : v)
    x = dist(gen);
  return v;
}

} // namespace strata::test
