//===- Translations.cpp - strata-translate's npu translations -------------===//
#include "strata/InitAllDialects.h"
#include "strata/Target/NpuToBinary.h"
#include "strata/target/Assembly.h"
#include "strata/target/BinaryIO.h"

#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace mlir;

namespace strata {

namespace {

FailureOr<bin::Binary> emitFrom(Operation *op) {
  auto module = llvm::dyn_cast<ModuleOp>(op);
  if (!module)
    return op->emitError("npu translations take a builtin.module");
  EmitOptions options;
  options.toolVersion = "strata-translate";
  return emitBinary(module, options);
}

} // namespace

void registerNpuTranslations() {
  static TranslateFromMLIRRegistration toBinary(
      "npu-to-binary", "Emit an npu module as a Strata NPU binary (ELF)",
      [](Operation *op, raw_ostream &os) -> LogicalResult {
        FailureOr<bin::Binary> binary = emitFrom(op);
        if (failed(binary))
          return failure();
        // writeBinary writes files (atomically); go through a temporary one
        // to reach the translation's stream.
        SmallString<128> path;
        if (llvm::sys::fs::createTemporaryFile("strata-translate", "npubin", path))
          return op->emitError("npu-to-binary: cannot create a temporary file");
        Status written = writeBinary(*binary, path.str().str());
        if (!written) {
          llvm::sys::fs::remove(path);
          return op->emitError() << "npu-to-binary: " << written.message();
        }
        auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
        llvm::sys::fs::remove(path);
        if (!buffer)
          return op->emitError("npu-to-binary: cannot read back the written binary");
        os << (*buffer)->getBuffer();
        return success();
      },
      [](DialectRegistry &registry) { registerAllDialects(registry); });

  static TranslateFromMLIRRegistration toAsm(
      "npu-to-asm", "Emit an npu module as Strata assembly (.s, no constant data)",
      [](Operation *op, raw_ostream &os) -> LogicalResult {
        FailureOr<bin::Binary> binary = emitFrom(op);
        if (failed(binary))
          return failure();
        bin::DisassembleOptions options;
        options.constData = false;
        os << bin::disassemble(*binary, options);
        return success();
      },
      [](DialectRegistry &registry) { registerAllDialects(registry); });
}

} // namespace strata
