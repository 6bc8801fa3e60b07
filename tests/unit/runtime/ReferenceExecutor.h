//===- ReferenceExecutor.h - An Executor on the FP32 reference --*- C++ -*-===//
//
// Runs the prefill/decode convention on models::ReferenceModel, so session,
// generation and batching logic is tested on real model numbers without the
// compiler. Its "KV cache" is the token at every position: saving copies
// that history out, restoring replays it through the reference (which
// rebuilds the reference's own cache exactly). Each step reports a made-up
// but deterministic cost (1 us and 1000 cycles per row run) so statistics
// can be checked.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/models/reference/ReferenceModel.h"
#include "strata/runtime/Executor.h"

#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace strata::runtime::test {

class ReferenceExecutor final : public Executor {
public:
  ReferenceExecutor(std::unique_ptr<models::ReferenceModel> model, ProgramInfo info)
      : model_(std::move(model)), info_(info) {}

  const ProgramInfo &info() const override { return info_; }
  bool computesValues() const override { return true; }

  Expected<sim::RunResult> run(const StepInput &step, std::vector<float> &logits) override {
    const bool prefill = step.kind == StepKind::Prefill;
    size_t rows = prefill ? info_.prefillChunk : 1;
    if (step.tokens.empty() || step.tokens.size() > rows)
      return Error("bad step size " + std::to_string(step.tokens.size()));
    if (step.pos > history_.size())
      return Error("step at position " + std::to_string(step.pos) + " skips positions");
    if (info_.maxSeq && step.pos + rows > info_.maxSeq)
      return Error("step rows run past the cache");
    history_.resize(step.pos);
    for (size_t i = 0; i < step.tokens.size(); ++i) {
      if (Status s = model_->forward(step.tokens[i], uint32_t(step.pos + i)); !s)
        return s.error();
      history_.push_back(step.tokens[i]);
    }
    logits = model_->logits();
    ++steps_;
    (prefill ? prefillSteps_ : decodeSteps_)++;
    sim::RunResult r;
    r.entry = prefill ? "prefill" : "decode";
    r.cycles = 1000 * rows;
    r.seconds = 1e-6 * double(rows);
    r.energyJ = 2e-6 * double(rows);
    r.units = {{"tensor", 0.5e3 * double(rows), 0}};
    r.hbmReadBytes = 100.0 * double(rows);
    return r;
  }

  Status saveKvCache(std::vector<uint8_t> &bytes) override {
    bytes.resize(history_.size() * sizeof(int32_t));
    std::memcpy(bytes.data(), history_.data(), bytes.size());
    return Status::ok();
  }
  Status restoreKvCache(const std::vector<uint8_t> &bytes) override {
    std::vector<int32_t> tokens(bytes.size() / sizeof(int32_t));
    std::memcpy(tokens.data(), bytes.data(), bytes.size());
    model_->reset();
    history_.clear();
    for (size_t p = 0; p < tokens.size(); ++p) {
      if (Status s = model_->forward(tokens[p], uint32_t(p)); !s)
        return s;
      history_.push_back(tokens[p]);
    }
    ++restores_;
    return Status::ok();
  }

  int steps_ = 0, prefillSteps_ = 0, decodeSteps_ = 0, restores_ = 0;

private:
  std::unique_ptr<models::ReferenceModel> model_;
  ProgramInfo info_;
  std::vector<int32_t> history_;
};

} // namespace strata::runtime::test
