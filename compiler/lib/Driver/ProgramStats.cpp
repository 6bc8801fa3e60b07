//===- ProgramStats.cpp - Static figures of an npu module -----------------===//
#include "strata/Driver/ProgramStats.h"

#include "strata/Dialect/Npu/IR/NpuOps.h"

using namespace mlir;

namespace strata {
namespace {

/// Bytes a DMA moves when its sizes are immediates; nullopt otherwise.
std::optional<uint64_t> staticBytes(ArrayAttr size) {
  uint64_t bytes = 1;
  for (Attribute d : size) {
    std::optional<int64_t> v = npu::staticDim(d);
    if (!v)
      return std::nullopt;
    bytes *= static_cast<uint64_t>(*v);
  }
  return bytes;
}

void count(Operation *op, uint64_t times, EntryStats &s) {
  if (auto loop = llvm::dyn_cast<npu::LoopOp>(op)) {
    uint64_t trips = static_cast<uint64_t>(npu::staticDim(loop.getTrip()).value_or(1));
    s.instructions += 4; // li, bge, addi, blt around the body
    for (Operation &inner : loop.getBody().front())
      count(&inner, times * trips, s);
    return;
  }
  if (!llvm::isa<npu::NpuInstructionOpInterface>(op))
    return;
  s.instructions += times;
  auto dma = [&](ArrayAttr size, std::optional<ArrayRef<int64_t>> window, bool load) {
    ++s.dma;
    std::optional<uint64_t> bytes = staticBytes(size);
    if (bytes) {
      (load ? s.hbmLoadBytes : s.hbmStoreBytes) += *bytes * times;
    } else if (window && window->size() == 2) {
      s.dynamicHbmBytes += static_cast<uint64_t>((*window)[1]) * times;
    }
  };
  if (auto l = llvm::dyn_cast<npu::DmaLoadOp>(op)) {
    if (l.getSrcSymbol())
      dma(l.getSize(), l.getSrcWindow(), true);
    else
      ++s.dma;
  } else if (auto st = llvm::dyn_cast<npu::DmaStoreOp>(op)) {
    if (st.getDstSymbol())
      dma(st.getSize(), st.getDstWindow(), false);
    else
      ++s.dma;
  } else if (auto g = llvm::dyn_cast<npu::GemmOp>(op)) {
    ++s.gemms;
    auto m = npu::staticDim(g.getM()), n = npu::staticDim(g.getN()), k = npu::staticDim(g.getK());
    if (m && n && k)
      s.macs += static_cast<uint64_t>(*m * *n * *k) * times;
  } else if (llvm::isa<npu::SemSignalOp, npu::SemReleaseOp, npu::SemWaitOp, npu::BarrierOp>(op)) {
    s.sync += times;
  } else if (op->getName().getStringRef().starts_with("npu.v")) {
    s.vector += times;
  }
}

} // namespace

std::map<std::string, EntryStats> analyzeProgram(ModuleOp module) {
  std::map<std::string, EntryStats> out;
  for (npu::EntryOp entry : module.getOps<npu::EntryOp>()) {
    EntryStats &s = out[entry.getSymName().str()];
    for (Operation &core : entry.getBody().front()) {
      s.instructions += 1; // the halt emission appends
      for (Operation &op : llvm::cast<npu::CoreOp>(core).getBody().front())
        count(&op, 1, s);
    }
  }
  return out;
}

} // namespace strata
