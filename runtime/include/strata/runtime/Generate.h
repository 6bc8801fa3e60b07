//===- Generate.h - Prompt in, tokens out -----------------------*- C++ -*-===//
//
// The generation loop on top of sessions: feed the prompt, sample, stream
// each new token to a callback, feed it back, until the token budget, the
// stop token, the end of the KV cache or the callback says stop.
//
// generateBatch runs several sequences on one engine: every prompt first,
// then one decode step per live sequence in turn. The compiled program has
// no batch dimension (one sequence per entry-point call), so the steps of
// different sequences run one after another on the simulated chip: total
// simulated time is the sum of the sequences' steps, and each sequence's
// tokens are exactly what it would get alone (tested). See docs/runtime.md.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/runtime/Sampler.h"
#include "strata/runtime/Session.h"

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

namespace strata::runtime {

struct GenerateOptions {
  /// New tokens to generate at most.
  uint32_t maxNewTokens = 0;
  /// Stop when this token is sampled; it is not appended. -1: none.
  /// (llama2.c stops on BOS.)
  int32_t stopToken = -1;
  SamplingOptions sampling;
};

enum class StopReason : uint8_t { Length, StopToken, ContextFull, Callback };
std::string_view stopReasonName(StopReason reason); ///< "length", "stop_token", ...

struct GenerateResult {
  /// The prompt followed by the generated tokens.
  std::vector<int32_t> tokens;
  uint32_t promptTokens = 0;
  /// Logits at the last prompt position.
  std::vector<float> promptLogits;
  StopReason stop = StopReason::Length;
  /// This sequence's steps.
  RunStats stats;
};

/// Called with each generated token as soon as it is sampled (`sequence`
/// is the index in the batch, 0 for generate()). Return false to stop that
/// sequence.
using TokenCallback = std::function<bool(uint32_t sequence, int32_t token)>;

/// Runs `prompt` (at least one token) from the session's current position
/// and generates up to options.maxNewTokens tokens.
Expected<GenerateResult> generate(Session &session, const std::vector<int32_t> &prompt,
                                  const GenerateOptions &options,
                                  const TokenCallback &onToken = {});

struct SequenceRequest {
  std::vector<int32_t> prompt;
  GenerateOptions options;
};

/// Generates for every request on one engine, interleaving decode steps
/// round-robin. Results are in request order.
Expected<std::vector<GenerateResult>> generateBatch(Engine &engine,
                                                    const std::vector<SequenceRequest> &requests,
                                                    const TokenCallback &onToken = {});

} // namespace strata::runtime
