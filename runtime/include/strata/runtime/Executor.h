//===- Executor.h - What a session runs its steps on ------------*- C++ -*-===//
//
// A compiled model offers two entry points (docs/runtime.md):
//
//   prefill(tokens[T], [positions[T]], pos, n_valid) -> logits[1, vocab]
//   decode(tokens[1 or T], [positions], pos)          -> logits[1, vocab]
//
// where the logits are those of the last valid row, and a KV cache that
// persists between calls. Sessions drive this interface; SimExecutor
// implements it on the simulator, and tests implement it on the reference
// forward pass, so the session logic is tested apart from the compiler.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/sim/Simulator.h"
#include "strata/support/Error.h"

#include <cstdint>
#include <string_view>
#include <vector>

namespace strata::runtime {

enum class StepKind : uint8_t { Prefill, Decode };
std::string_view stepKindName(StepKind kind); ///< "prefill", "decode"

/// What a program offers, read from its entry points and I/O bindings.
struct ProgramInfo {
  /// Rows of one prefill call (T); 0 when there is no prefill entry.
  uint32_t prefillChunk = 0;
  bool hasDecode = false;
  uint32_t vocabSize = 0;
  /// Positions the KV cache holds; 0 when the program does not say.
  uint32_t maxSeq = 0;
  /// The program takes absolute positions as an input (learned positions).
  bool takesPositions = false;
};

struct StepInput {
  StepKind kind = StepKind::Decode;
  /// The tokens of this step: at most prefillChunk for a prefill, one for a
  /// decode. The executor pads to the binding's size.
  std::vector<int32_t> tokens;
  /// KV-cache position of the first token.
  uint32_t pos = 0;
};

class Executor {
public:
  virtual ~Executor() = default;
  virtual const ProgramInfo &info() const = 0;
  /// False when the values are not computed (timing-only simulation): the
  /// logits are then meaningless and the KV cache need not be preserved.
  virtual bool computesValues() const = 0;
  /// Runs one step and writes the logits of its last token to `logits`
  /// (vocabSize floats). Returns what the step cost.
  virtual Expected<sim::RunResult> run(const StepInput &step, std::vector<float> &logits) = 0;
  /// Copies the KV cache out / back in, so several sequences can take turns
  /// on one program.
  virtual Status saveKvCache(std::vector<uint8_t> &bytes) = 0;
  virtual Status restoreKvCache(const std::vector<uint8_t> &bytes) = 0;
  /// The KV cache now holds another sequence (called on every switch, also
  /// when the contents are not copied): copies of it the executor keeps
  /// elsewhere, such as a resident KV cache in SRAM, are stale.
  virtual void kvCacheSwitched() {}
};

} // namespace strata::runtime
