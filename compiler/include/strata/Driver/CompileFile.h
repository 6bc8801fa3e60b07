//===- CompileFile.h - Compile a .mlir file (no MLIR headers) ---*- C++ -*-===//
//
// The facade the CLI uses: it keeps MLIR out of code built with exceptions
// and turns diagnostics into an Error message.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/Driver/CompileOptions.h"
#include "strata/support/Error.h"

#include <string>

namespace strata {

/// Parses the graph-dialect module in `path` and compiles it. With
/// `keepMlir`, CompileOutput::mlir holds the final npu IR.
Expected<CompileOutput> compileFile(const std::string &path, const CompileOptions &options,
                                    bool keepMlir = false);

/// The same for module text; `name` stands for the file in diagnostics.
Expected<CompileOutput> compileSource(const std::string &text, const std::string &name,
                                      const CompileOptions &options, bool keepMlir = false);

} // namespace strata
