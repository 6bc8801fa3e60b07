//===- ModelCompile.h - Model file or config name -> NPU binary -*- C++ -*-===//
//
// The model-file path shared by `strata compile MODEL`, `strata run MODEL`,
// the end-to-end tests and the benchmarks: load the model (or take a well-known config for a timing-only
// build without weights), build its graph module, compile it with the
// compiler driver, and record what the runtime needs to know about the
// program in the binary's metadata (KV-cache length, model facts).
//
// Library StrataModelCompile, built when the compiler is part of the build;
// the strata CLI, the end-to-end tests and the benchmarks use it.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/Driver/CompileOptions.h"
#include "strata/models/Model.h"
#include "strata/models/ModelConfig.h"
#include "strata/support/Error.h"
#include "strata/target/ArchConfig.h"
#include "strata/target/Binary.h"

#include <cstdint>
#include <optional>
#include <string>

namespace strata::runtime {

struct ModelCompileOptions {
  /// What the compiler driver is asked to do. An empty precision means fp32
  /// here (a model file's stored encodings are not a precision choice);
  /// an empty model name becomes the model's.
  CompileOptions compile;
  /// Rows of one prefill call.
  uint32_t prefillChunk = 16;
  /// KV-cache positions; 0: the model's context.
  uint32_t maxSeq = 0;
  /// KV-cache element type: f32, f16 or bf16.
  std::string kvCache = "f32";
  /// Keep the final npu IR as text (CompiledModel::mlir).
  bool keepMlir = false;
};

struct CompiledModel {
  bin::Binary binary;
  /// The architecture it was compiled for.
  ArchConfig arch;
  /// The compiler's report (JSON text).
  std::string report;
  /// The final npu IR, when asked for.
  std::string mlir;
  models::ModelConfig config;
  /// The loaded model (absent for a well-known config name).
  std::optional<models::Model> model;
  uint32_t maxSeq = 0;
  /// Human-readable name of what was compiled (file path or config name).
  std::string source;
};

/// True if `input` names a model the model path can compile: an existing
/// file or directory that is not an NPU binary, or a well-known config name.
bool isModelInput(const std::string &input);

/// Loads or looks up `input` and compiles it. Errors name the input.
Expected<CompiledModel> compileModelInput(const std::string &input,
                                          const ModelCompileOptions &options);

} // namespace strata::runtime
