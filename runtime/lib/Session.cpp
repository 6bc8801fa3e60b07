//===- Session.cpp --------------------------------------------------------===//
#include "strata/runtime/Session.h"

#include <algorithm>
#include <limits>
#include <string>

namespace strata::runtime {

Engine::Engine(std::unique_ptr<Executor> executor) : executor_(std::move(executor)) {}

Engine::~Engine() = default;

std::unique_ptr<Session> Engine::createSession() {
  return std::unique_ptr<Session>(new Session(*this, nextId_++));
}

Status Engine::makeResident(Session &session) {
  if (resident_ == &session)
    return Status::ok();
  // Without values (timing-only) the cache's contents do not matter.
  if (executor_->computesValues()) {
    if (resident_)
      if (Status s = executor_->saveKvCache(resident_->savedKv_); !s)
        return s;
    // A fresh sequence needs no restore: every position is written before
    // it is read, so another sequence's stale entries are never seen.
    if (session.pos_ > 0) {
      if (Status s = executor_->restoreKvCache(session.savedKv_); !s)
        return s;
      ++kvSwaps_;
    }
  }
  resident_ = &session;
  executor_->kvCacheSwitched();
  return Status::ok();
}

void Engine::forget(Session &session) {
  if (resident_ == &session)
    resident_ = nullptr;
}

Session::~Session() { engine_.forget(*this); }

uint32_t Session::remaining() const {
  uint32_t maxSeq = engine_.info().maxSeq;
  return maxSeq ? maxSeq - std::min(maxSeq, pos_) : std::numeric_limits<uint32_t>::max();
}

void Session::reset() {
  pos_ = 0;
  logits_.clear();
  savedKv_.clear();
}

Status Session::runStep(const StepInput &step, StepPurpose purpose, uint32_t validTokens) {
  if (Status s = engine_.makeResident(*this); !s)
    return s;
  auto result = engine_.executor_->run(step, logits_);
  if (!result)
    return result.error();
  StepRecord record;
  record.kind = step.kind;
  record.purpose = purpose;
  record.sequence = id_;
  record.pos = step.pos;
  record.tokens = validTokens;
  record.result = result.takeValue();
  // The engine's record of every step of every session keeps no per-label
  // costs: a long-lived engine (a server, a benchmark) would otherwise grow
  // by a copy of them at every token. The session's record takes them.
  std::vector<sim::LabelCost> labels = std::move(record.result.labels);
  record.result.labels = {};
  StepRecord mine = record;
  mine.result.labels = std::move(labels);
  stats_.add(std::move(mine));
  engine_.stats_.add(std::move(record));
  pos_ += validTokens;
  return Status::ok();
}

Status Session::feed(const std::vector<int32_t> &tokens, StepPurpose purpose) {
  const ProgramInfo &info = engine_.info();
  if (tokens.empty())
    return Error("session " + std::to_string(id_) + ": nothing to run (no tokens)");
  if (tokens.size() > remaining())
    return Error("session " + std::to_string(id_) + ": " + std::to_string(tokens.size()) +
                 " more tokens at position " + std::to_string(pos_) +
                 " do not fit in the KV cache of " + std::to_string(info.maxSeq) +
                 " positions");
  for (size_t i = 0; i < tokens.size(); ++i)
    if (tokens[i] < 0 || (info.vocabSize && uint32_t(tokens[i]) >= info.vocabSize))
      return Error("session " + std::to_string(id_) + ": token " + std::to_string(i) +
                   " has id " + std::to_string(tokens[i]) + ", outside the vocabulary of " +
                   std::to_string(info.vocabSize));

  const uint32_t chunk = info.prefillChunk;
  size_t i = 0;
  while (i < tokens.size()) {
    const size_t left = tokens.size() - i;
    // A padded chunk writes (and later overwrites) KV rows up to pos + T - 1,
    // so it must fit entirely in the cache.
    const bool chunkFits = chunk > 0 && (info.maxSeq == 0 || pos_ + chunk <= info.maxSeq);
    StepInput step;
    step.pos = pos_;
    if (chunkFits && (left > 1 || !info.hasDecode)) {
      size_t take = std::min<size_t>(chunk, left);
      step.kind = StepKind::Prefill;
      step.tokens.assign(tokens.begin() + i, tokens.begin() + i + take);
    } else if (info.hasDecode) {
      step.kind = StepKind::Decode;
      step.tokens = {tokens[i]};
    } else {
      return Error("session " + std::to_string(id_) + ": the program has no decode entry and " +
                   "a prefill chunk of " + std::to_string(chunk) + " at position " +
                   std::to_string(pos_) + " would run past the KV cache");
    }
    const uint32_t valid = uint32_t(step.tokens.size());
    if (Status s = runStep(step, purpose, valid); !s)
      return s;
    i += valid;
  }
  return Status::ok();
}

} // namespace strata::runtime
