//===- GraphEvaluator.h - A plain f32 interpreter of graph functions -*- C++ -*-===//
//
// Runs a graph-dialect function on the host, so tests can compare a function
// before and after a pass. Each op has exactly one implementation here, and
// graph.fused_linear is evaluated stage by stage with the same helpers as
// the ops it replaces (norm, then each product, then bias, activation,
// residual), which is the arithmetic the fusion pass promises to keep.
//
// Covers the ops fusion and quantization touch (no rope or attention).
// Weights come from the weight store, decoded to f32.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/Dialect/Graph/IR/GraphOps.h"
#include "strata/Dialect/Graph/Transforms/WeightLoading.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <optional>
#include <string>
#include <vector>

namespace strata::test {

struct HostTensor {
  std::vector<int64_t> shape;
  std::vector<float> data;
  int64_t rows() const { return shape.size() == 2 ? shape[0] : 1; }
  int64_t cols() const { return shape.back(); }
};

class GraphEvaluator {
public:
  explicit GraphEvaluator(WeightStore &store) : store_(store) {}

  /// Results of `func` on `args`, or nullopt with `error()` set.
  std::optional<std::vector<HostTensor>> run(mlir::func::FuncOp func,
                                             const std::vector<HostTensor> &args) {
    values_.clear();
    for (auto [arg, value] : llvm::zip(func.getArguments(), args))
      values_[arg] = value;
    for (mlir::Operation &op : func.getBody().front()) {
      if (auto ret = llvm::dyn_cast<mlir::func::ReturnOp>(op)) {
        std::vector<HostTensor> out;
        for (mlir::Value v : ret.getOperands())
          out.push_back(values_.lookup(v));
        return out;
      }
      if (!eval(&op))
        return std::nullopt;
    }
    error_ = "function has no return";
    return std::nullopt;
  }

  const std::string &error() const { return error_; }

private:
  using Act = graph::Activation;

  static float silu(float x) { return x / (1.0f + std::exp(-x)); }
  static float activate(Act act, float x) {
    switch (act) {
    case Act::Relu: return x > 0.0f ? x : 0.0f;
    case Act::Silu: return silu(x);
    case Act::GeluErf: return 0.5f * x * (1.0f + std::erf(x * 0.70710678118654752f));
    case Act::GeluTanh: {
      float inner = 0.7978845608028654f * (x + 0.044715f * x * x * x);
      return 0.5f * x * (1.0f + std::tanh(inner));
    }
    default: return x;
    }
  }

  static HostTensor rmsNorm(const HostTensor &x, const HostTensor &g, double eps) {
    HostTensor y = x;
    for (int64_t t = 0; t < x.rows(); ++t) {
      float ss = 0.0f;
      for (int64_t j = 0; j < x.cols(); ++j)
        ss += x.data[t * x.cols() + j] * x.data[t * x.cols() + j];
      float r = 1.0f / std::sqrt(ss / float(x.cols()) + float(eps));
      for (int64_t j = 0; j < x.cols(); ++j)
        y.data[t * x.cols() + j] = g.data[j] * (x.data[t * x.cols() + j] * r);
    }
    return y;
  }

  static HostTensor layerNorm(const HostTensor &x, const HostTensor &g, const HostTensor &b,
                              double eps) {
    HostTensor y = x;
    for (int64_t t = 0; t < x.rows(); ++t) {
      const float *row = &x.data[t * x.cols()];
      float mean = 0.0f, var = 0.0f;
      for (int64_t j = 0; j < x.cols(); ++j)
        mean += row[j];
      mean /= float(x.cols());
      for (int64_t j = 0; j < x.cols(); ++j)
        var += (row[j] - mean) * (row[j] - mean);
      float r = 1.0f / std::sqrt(var / float(x.cols()) + float(eps));
      for (int64_t j = 0; j < x.cols(); ++j)
        y.data[t * x.cols() + j] = (row[j] - mean) * r * g.data[j] + b.data[j];
    }
    return y;
  }

  /// x · W^T (nk) or x · W (kn), accumulated in input order, then + bias.
  static HostTensor linear(const HostTensor &x, const HostTensor &w, const HostTensor *bias,
                           graph::WeightLayout layout) {
    bool nk = layout == graph::WeightLayout::NK;
    int64_t out = nk ? w.shape[0] : w.shape[1], in = x.cols();
    HostTensor y{{x.rows(), out}, std::vector<float>(x.rows() * out)};
    for (int64_t t = 0; t < x.rows(); ++t)
      for (int64_t n = 0; n < out; ++n) {
        float acc = 0.0f;
        for (int64_t k = 0; k < in; ++k)
          acc += x.data[t * in + k] * (nk ? w.data[n * in + k] : w.data[k * out + n]);
        y.data[t * out + n] = bias ? acc + bias->data[n] : acc;
      }
    return y;
  }

  /// lhs op rhs with rhs of lhs's shape or one broadcast row.
  template <typename F> static HostTensor binary(const HostTensor &l, const HostTensor &r, F f) {
    HostTensor y = l;
    bool row = r.data.size() != l.data.size();
    for (size_t i = 0; i < l.data.size(); ++i)
      y.data[i] = f(l.data[i], r.data[row ? i % r.data.size() : i]);
    return y;
  }

  bool fail(mlir::Operation *op, const std::string &what) {
    error_ = op->getName().getStringRef().str() + ": " + what;
    return false;
  }

  bool eval(mlir::Operation *op) {
    auto in = [&](unsigned i) -> const HostTensor & { return values_[op->getOperand(i)]; };
    auto set = [&](HostTensor t, unsigned i = 0) {
      values_[op->getResult(i)] = std::move(t);
      return true;
    };
    return llvm::TypeSwitch<mlir::Operation *, bool>(op)
        .Case([&](graph::WeightRefOp ref) {
          auto weight =
              mlir::SymbolTable::lookupNearestSymbolFrom<graph::WeightOp>(ref, ref.getNameAttr());
          mlir::FailureOr<const WeightEntry *> entry = graph::loadWeight(weight, store_);
          if (mlir::failed(entry) || !*entry)
            return fail(op, "no data for @" + ref.getName().str());
          Expected<std::vector<float>> values = store_.readF32(ref.getName().str());
          if (!values)
            return fail(op, values.message());
          return set({(*entry)->shape, values.takeValue()});
        })
        .Case([&](graph::RmsNormOp n) {
          return set(rmsNorm(in(0), in(1), n.getEps().convertToDouble()));
        })
        .Case([&](graph::LayerNormOp n) {
          return set(layerNorm(in(0), in(1), in(2), n.getEps().convertToDouble()));
        })
        .Case([&](graph::LinearOp l) {
          HostTensor bias = l.getBias() ? values_[l.getBias()] : HostTensor{};
          return set(linear(in(0), in(1), l.getBias() ? &bias : nullptr, l.getWeightLayout()));
        })
        .Case([&](graph::FusedLinearOp f) { return evalFused(f); })
        .Case([&](graph::SiluOp) { return set(unary(in(0), Act::Silu)); })
        .Case([&](graph::ReluOp) { return set(unary(in(0), Act::Relu)); })
        .Case([&](graph::GeluOp g) {
          return set(unary(in(0), g.getApproximate() == graph::GeluApprox::Tanh ? Act::GeluTanh
                                                                                : Act::GeluErf));
        })
        .Case([&](graph::AddOp) {
          return set(binary(in(0), in(1), [](float a, float b) { return a + b; }));
        })
        .Case([&](graph::MulOp) {
          return set(binary(in(0), in(1), [](float a, float b) { return a * b; }));
        })
        .Default([&](mlir::Operation *) { return fail(op, "not supported by the evaluator"); });
  }

  static HostTensor unary(HostTensor x, Act act) {
    for (float &v : x.data)
      v = activate(act, v);
    return x;
  }

  bool evalFused(graph::FusedLinearOp f) {
    HostTensor x = values_[f.getInput()];
    switch (f.getNorm()) {
    case graph::NormKind::Rms:
      x = rmsNorm(x, values_[f.getNormGamma()], f.getEps().convertToDouble());
      break;
    case graph::NormKind::Layer:
      x = layerNorm(x, values_[f.getNormGamma()], values_[f.getNormBeta()],
                    f.getEps().convertToDouble());
      break;
    case graph::NormKind::None: break;
    }
    std::vector<HostTensor> products;
    for (auto [i, w] : llvm::enumerate(f.getWeights())) {
      HostTensor bias = f.getBiases().empty() ? HostTensor{} : values_[f.getBiases()[i]];
      products.push_back(
          linear(x, values_[w], f.getBiases().empty() ? nullptr : &bias, f.getWeightLayout()));
    }
    if (f.getActivation() == Act::SwiGlu) {
      HostTensor h = unary(products[0], Act::Silu);
      products = {binary(h, products[1], [](float a, float b) { return a * b; })};
    } else {
      for (HostTensor &p : products)
        p = unary(std::move(p), f.getActivation());
    }
    if (f.getResidual())
      products[0] =
          binary(products[0], values_[f.getResidual()], [](float a, float b) { return a + b; });
    for (auto [i, p] : llvm::enumerate(products))
      values_[f.getResult(i)] = std::move(p);
    return true;
  }

  WeightStore &store_;
  llvm::DenseMap<mlir::Value, HostTensor> values_;
  std::string error_;
};

} // namespace strata::test
