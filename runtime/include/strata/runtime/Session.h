//===- Session.h - Sequences with a KV cache on one program -----*- C++ -*-===//
//
// An Engine owns an Executor (one compiled program on one simulated chip);
// each Session is one sequence: its KV-cache position, the logits of its
// last step and what its steps cost.
//
//   Engine engine(std::move(executor));
//   auto s = engine.createSession();
//   s->feed(promptIds);            // prefill chunks of T (padded), decode for the tail
//   int32_t t = sampler.sample(s->logits());
//   s->feed({t}, StepPurpose::Generation);   // one decode step
//
// Several sessions may take turns on one engine. The program has one KV
// cache, so when another session's step runs, the engine copies the
// resident session's cache out and the next one's back in (host-side
// copies of the `kv_cache` region; no simulated time). Every sequence thus
// sees exactly its own history.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/runtime/Executor.h"
#include "strata/runtime/RunStats.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace strata::runtime {

class Session;

class Engine {
public:
  explicit Engine(std::unique_ptr<Executor> executor);
  ~Engine();
  Engine(const Engine &) = delete;
  Engine &operator=(const Engine &) = delete;

  Executor &executor() { return *executor_; }
  const ProgramInfo &info() const { return executor_->info(); }

  /// A new sequence at position 0.
  std::unique_ptr<Session> createSession();
  /// Every step of every session, in the order they ran, without per-label
  /// costs (RunResult::labels is empty; each session's stats() keep them).
  const RunStats &stats() const { return stats_; }
  /// How often a session's KV cache was swapped in (host copies).
  uint64_t kvSwaps() const { return kvSwaps_; }

private:
  friend class Session;
  Status makeResident(Session &session);
  void forget(Session &session);

  std::unique_ptr<Executor> executor_;
  Session *resident_ = nullptr;
  uint32_t nextId_ = 0;
  uint64_t kvSwaps_ = 0;
  RunStats stats_;
};

class Session {
public:
  ~Session();
  Session(const Session &) = delete;
  Session &operator=(const Session &) = delete;

  uint32_t id() const { return id_; }
  /// Tokens in this sequence's KV cache.
  uint32_t position() const { return pos_; }
  /// Positions left before the KV cache is full (UINT32_MAX if unknown).
  uint32_t remaining() const;

  /// Runs `tokens` at the current position: prefill calls of up to T tokens
  /// (the last one padded), and a decode call for a single token or where
  /// a padded chunk would run past the cache. Afterwards logits() holds the
  /// logits of the last token. Fails without running anything if the
  /// tokens do not fit in the cache or the program cannot run them.
  Status feed(const std::vector<int32_t> &tokens, StepPurpose purpose = StepPurpose::Prompt);
  const std::vector<float> &logits() const { return logits_; }

  /// This sequence's steps.
  const RunStats &stats() const { return stats_; }
  /// Forgets the sequence (position 0); the next feed starts afresh.
  void reset();

private:
  friend class Engine;
  Session(Engine &engine, uint32_t id) : engine_(engine), id_(id) {}
  Status runStep(const StepInput &step, StepPurpose purpose, uint32_t validTokens);

  Engine &engine_;
  uint32_t id_;
  uint32_t pos_ = 0;
  std::vector<float> logits_;
  std::vector<uint8_t> savedKv_;
  RunStats stats_;
};

} // namespace strata::runtime
