//===- SimExecutor.h - Run a compiled model on the simulator ----*- C++ -*-===//
//
// Loads an NPU binary into a sim::Simulator and runs its prefill/decode
// entry points. The weights are the binary's constant segments, which the
// simulator maps into HBM without copying, so "binding weights" is loading.
// The binary's interface is checked once, at creation, against the
// conventions in docs/runtime.md, with messages that name the binding or
// entry that does not fit.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/runtime/Executor.h"
#include "strata/sim/Simulator.h"
#include "strata/target/ArchConfig.h"
#include "strata/target/Binary.h"

#include <memory>
#include <string>

namespace strata::runtime {

/// Binding, parameter, entry and region names of the runtime convention.
namespace names {
inline constexpr const char *kPrefill = "prefill";
inline constexpr const char *kDecode = "decode";
inline constexpr const char *kTokens = "tokens";
inline constexpr const char *kPositions = "positions";
inline constexpr const char *kLogits = "logits";
inline constexpr const char *kPos = "pos";
inline constexpr const char *kNValid = "n_valid";
inline constexpr const char *kKvValid = "kv_valid";
inline constexpr const char *kKvCache = "kv_cache";
} // namespace names

class SimExecutor final : public Executor {
public:
  /// `source` names the binary in messages. `maxSeq` overrides the KV-cache
  /// length recorded in the binary's metadata (meta::kMaxSeq; 0: use it).
  static Expected<std::unique_ptr<SimExecutor>>
  create(bin::Binary binary, const ArchConfig &arch, const sim::SimOptions &options,
         const std::string &source, uint32_t maxSeq = 0);

  const ProgramInfo &info() const override { return info_; }
  bool computesValues() const override { return !simulator_->options().timingOnly; }
  Expected<sim::RunResult> run(const StepInput &step, std::vector<float> &logits) override;
  Status saveKvCache(std::vector<uint8_t> &bytes) override;
  Status restoreKvCache(const std::vector<uint8_t> &bytes) override;
  void kvCacheSwitched() override { kvRowsInSram_ = 0; }

  sim::Simulator &simulator() { return *simulator_; }
  const bin::Binary &binary() const { return *simulator_->binary(); }

private:
  SimExecutor() = default;
  Status writeIds(const char *binding, const std::vector<int32_t> &ids);

  std::unique_ptr<sim::Simulator> simulator_;
  std::string source_;
  ProgramInfo info_;
  const bin::IoBinding *tokens_ = nullptr;
  const bin::IoBinding *positions_ = nullptr;
  const bin::IoBinding *logits_ = nullptr;
  const bin::MemoryRegion *kvCache_ = nullptr;
  bool prefillTakesValidCount_ = false;
  /// The decode entry keeps the KV cache resident in SRAM (its kv_valid
  /// parameter), and the leading rows of the sequence's cache that the SRAM
  /// copy holds: a decode step at pos adds rows up to pos; a prefill writes
  /// HBM only, so its rows are not held; another sequence's cache holds none.
  bool decodeTakesKvValid_ = false;
  uint32_t kvRowsInSram_ = 0;
  std::vector<int32_t> idBuffer_;
};

} // namespace strata::runtime
