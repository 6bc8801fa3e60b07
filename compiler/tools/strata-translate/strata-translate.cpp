//===- strata-translate.cpp - mlir-translate for Strata's emission --------===//
//
//   strata-translate --npu-to-binary lowered.mlir -o model.npubin
//   strata-translate --npu-to-asm lowered.mlir
//
//===----------------------------------------------------------------------===//
#include "strata/Target/NpuToBinary.h"

#include "mlir/Support/LogicalResult.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"

int main(int argc, char **argv) {
  strata::registerNpuTranslations();
  return mlir::failed(
      mlir::mlirTranslateMain(argc, argv, "Strata translation driver\n")) ? 1 : 0;
}
