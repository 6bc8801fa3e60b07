//===- Generate.cpp -------------------------------------------------------===//
#include "strata/runtime/Generate.h"

#include <memory>
#include <string>

namespace strata::runtime {

std::string_view stopReasonName(StopReason reason) {
  switch (reason) {
  case StopReason::Length: return "length";
  case StopReason::StopToken: return "stop_token";
  case StopReason::ContextFull: return "context_full";
  case StopReason::Callback: return "callback";
  }
  return "?";
}

namespace {

/// One sequence in flight: its session, sampler and the token it last
/// sampled (which the next decode step feeds).
struct Sequence {
  uint32_t index = 0;
  Session *session = nullptr;
  const GenerateOptions *options = nullptr;
  std::unique_ptr<Sampler> sampler;
  GenerateResult result;
  bool done = false;
  size_t statsFrom = 0;
};

Status start(Sequence &seq, const std::vector<int32_t> &prompt) {
  if (prompt.empty())
    return Error("sequence " + std::to_string(seq.index) +
                 ": the prompt is empty (it needs at least the BOS token)");
  if (std::string problem = seq.options->sampling.validate(); !problem.empty())
    return Error("sequence " + std::to_string(seq.index) + ": " + problem);
  seq.sampler = std::make_unique<Sampler>(seq.options->sampling);
  seq.statsFrom = seq.session->stats().steps().size();
  seq.result.tokens = prompt;
  seq.result.promptTokens = uint32_t(prompt.size());
  if (Status s = seq.session->feed(prompt, StepPurpose::Prompt); !s)
    return s;
  seq.result.promptLogits = seq.session->logits();
  if (seq.options->maxNewTokens == 0)
    seq.done = true;
  return Status::ok();
}

/// Samples from the session's current logits; feeds the token back when
/// more are wanted. Marks the sequence done when it stops.
Status advance(Sequence &seq, const TokenCallback &onToken) {
  const GenerateOptions &opt = *seq.options;
  int32_t token = seq.sampler->sample(seq.session->logits());
  if (opt.stopToken >= 0 && token == opt.stopToken) {
    seq.result.stop = StopReason::StopToken;
    seq.done = true;
    return Status::ok();
  }
  seq.result.tokens.push_back(token);
  bool keepGoing = !onToken || onToken(seq.index, token);
  uint32_t generated = uint32_t(seq.result.tokens.size()) - seq.result.promptTokens;
  if (!keepGoing) {
    seq.result.stop = StopReason::Callback;
    seq.done = true;
  } else if (generated >= opt.maxNewTokens) {
    seq.result.stop = StopReason::Length;
    seq.done = true;
  } else if (seq.session->remaining() == 0) {
    seq.result.stop = StopReason::ContextFull;
    seq.done = true;
  } else {
    return seq.session->feed({token}, StepPurpose::Generation);
  }
  return Status::ok();
}

void finish(Sequence &seq) {
  const auto &steps = seq.session->stats().steps();
  for (size_t i = seq.statsFrom; i < steps.size(); ++i)
    seq.result.stats.add(steps[i]);
}

} // namespace

Expected<GenerateResult> generate(Session &session, const std::vector<int32_t> &prompt,
                                  const GenerateOptions &options,
                                  const TokenCallback &onToken) {
  Sequence seq;
  seq.session = &session;
  seq.options = &options;
  if (Status s = start(seq, prompt); !s)
    return s.error();
  while (!seq.done)
    if (Status s = advance(seq, onToken); !s)
      return s.error();
  finish(seq);
  return std::move(seq.result);
}

Expected<std::vector<GenerateResult>> generateBatch(Engine &engine,
                                                    const std::vector<SequenceRequest> &requests,
                                                    const TokenCallback &onToken) {
  std::vector<std::unique_ptr<Session>> sessions;
  std::vector<Sequence> seqs(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    sessions.push_back(engine.createSession());
    seqs[i].index = uint32_t(i);
    seqs[i].session = sessions.back().get();
    seqs[i].options = &requests[i].options;
    if (Status s = start(seqs[i], requests[i].prompt); !s)
      return s.error();
  }
  for (bool anyLive = true; anyLive;) {
    anyLive = false;
    for (Sequence &seq : seqs) {
      if (seq.done)
        continue;
      if (Status s = advance(seq, onToken); !s)
        return s.error();
      anyLive = anyLive || !seq.done;
    }
  }
  std::vector<GenerateResult> results;
  for (Sequence &seq : seqs) {
    finish(seq);
    results.push_back(std::move(seq.result));
  }
  return results;
}

} // namespace strata::runtime
