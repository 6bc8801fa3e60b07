//===- CompileFile.cpp - Compile a .mlir file -----------------------------===//
#include "strata/Driver/CompileFile.h"

#include "strata/Driver/Compile.h"
#include "strata/InitAllDialects.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace strata {

namespace {

Expected<CompileOutput> compileBuffer(std::unique_ptr<llvm::MemoryBuffer> buffer,
                                      const std::string &path, const CompileOptions &options,
                                      bool keepMlir) {
  DialectRegistry registry;
  registerAllDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();

  // Diagnostics become the error message: "file:line:col: error: ...".
  std::string diagnostics;
  llvm::raw_string_ostream diagStream(diagnostics);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &context, diagStream);

  sourceMgr.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module) {
    diagStream.flush();
    return Error(diagnostics.empty() ? path + ": cannot read or parse the file" : diagnostics);
  }
  FailureOr<CompileOutput> out = compileModule(*module, options);
  diagStream.flush();
  if (failed(out))
    return Error(diagnostics.empty() ? path + ": compilation failed" : diagnostics);
  if (keepMlir) {
    llvm::raw_string_ostream os(out->mlir);
    module->print(os);
  }
  return std::move(*out);
}

} // namespace

Expected<CompileOutput> compileFile(const std::string &path, const CompileOptions &options,
                                    bool keepMlir) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return Error(path + ": cannot read the file: " + buffer.getError().message());
  return compileBuffer(std::move(*buffer), path, options, keepMlir);
}

Expected<CompileOutput> compileSource(const std::string &text, const std::string &name,
                                      const CompileOptions &options, bool keepMlir) {
  return compileBuffer(llvm::MemoryBuffer::getMemBufferCopy(text, name), name, options,
                       keepMlir);
}

} // namespace strata
