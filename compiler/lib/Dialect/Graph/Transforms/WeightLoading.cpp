//===- WeightLoading.cpp - Filling the weight store from graph.weight -----===//
#include "strata/Dialect/Graph/Transforms/WeightLoading.h"

#include "mlir/IR/Diagnostics.h"

using namespace mlir;

namespace strata::graph {

namespace {

std::string shapeString(llvm::ArrayRef<int64_t> shape) {
  std::string s;
  for (int64_t d : shape)
    s += (s.empty() ? "" : "x") + std::to_string(d);
  return s;
}

} // namespace

FailureOr<const WeightEntry *> materializeWeight(WeightOp weight, WeightStore &store) {
  std::string name = weight.getSymName().str();
  llvm::ArrayRef<int64_t> shape = weight.getTensorType().getShape();
  if (const WeightEntry *existing = store.find(name)) {
    if (llvm::ArrayRef<int64_t>(existing->shape) != shape)
      return weight.emitOpError("the weight store holds ")
             << shapeString(existing->shape) << " values for '" << name << "', the symbol declares "
             << shapeString(shape);
    return existing;
  }
  if (!weight.getFile() && !weight.getSeed())
    return static_cast<const WeightEntry *>(nullptr);

  std::vector<int64_t> sourceShape(shape.begin(), shape.end());
  if (weight.getSourceTransposed())
    std::swap(sourceShape[0], sourceShape[1]);
  if (auto file = weight.getFile()) {
    // The verifier guarantees a known format for a file weight.
    WeightFormat format = *parseWeightFormat(*weight.getFormat());
    Status status = store.putFromFile(name, sourceShape, format, file->str(),
                                      uint64_t(weight.getOffset().value_or(0)));
    if (!status)
      return weight.emitOpError(status.message());
  } else {
    // Seeded data is generated in memory; a typo in a test shape must not
    // exhaust the machine.
    constexpr int64_t kMaxSeededElements = int64_t(1) << 28;
    if (weight.getTensorType().getNumElements() > kMaxSeededElements)
      return weight.emitOpError("seeded weight has ")
             << weight.getTensorType().getNumElements()
             << " elements; seeded data is for tests and limited to 2^28";
    double scale = weight.getInitScale() ? weight.getInitScale()->convertToDouble() : 1.0;
    store.putRandom(name, sourceShape, uint64_t(*weight.getSeed()), scale);
  }
  if (weight.getSourceTransposed()) {
    Expected<WeightEntry> transposed = quant::transposeWeight(*store.find(name), name);
    if (!transposed)
      return weight.emitOpError(transposed.message());
    store.put(name, transposed.takeValue());
  }
  return store.find(name);
}

quant::TargetEncoding declaredEncoding(WeightOp weight) {
  Type elem = weight.getTensorType().getElementType();
  quant::TargetEncoding e;
  if (elem.isF16())
    e.format = WeightFormat::F16;
  else if (elem.isBF16())
    e.format = WeightFormat::BF16;
  else if (elem.isInteger(8) || elem.isInteger(4))
    e.format = elem.isInteger(8) ? WeightFormat::I8 : WeightFormat::I4;
  if (auto q = weight.getQuant()) {
    e.groupSize = q->getScheme() == QuantScheme::PerGroup ? q->getGroupSize() : 0;
    e.scaleType = q->getScaleType().isF16() ? DType::F16 : DType::F32;
  }
  return e;
}

FailureOr<const WeightEntry *> loadWeight(WeightOp weight, WeightStore &store) {
  FailureOr<const WeightEntry *> entry = materializeWeight(weight, store);
  if (failed(entry) || !*entry)
    return entry;
  quant::TargetEncoding want = declaredEncoding(weight);
  if (quant::encodingOf(**entry) == want && (*entry)->format != WeightFormat::Q8_0 &&
      (*entry)->format != WeightFormat::Q4_0)
    return entry;
  std::string name = weight.getSymName().str();
  Expected<WeightEntry> converted = quant::convertWeight(**entry, want, name);
  if (!converted)
    return weight.emitOpError(converted.message());
  store.put(name, converted.takeValue());
  return store.find(name);
}

} // namespace strata::graph
