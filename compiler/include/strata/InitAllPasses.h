//===- InitAllPasses.h - Every pass and pipeline Strata tools know -*- C++ -*-===//
#pragma once

#include "strata/Conversion/Passes.h"
#include "strata/Dialect/Graph/Transforms/Passes.h"
#include "strata/Dialect/Npu/Transforms/Passes.h"

#include "mlir/Transforms/Passes.h"

namespace strata {

/// Registers Strata's passes and pipelines plus the upstream ones the
/// pipelines use, for strata-opt and the compile driver.
inline void registerAllPasses() {
  mlir::registerTransformsPasses();
  graph::registerGraphPasses();
  graph::registerGraphPassPipeline();
  registerConversionPasses();
  npu::registerNpuPasses();
  npu::registerBackendPassPipeline();
}

} // namespace strata
