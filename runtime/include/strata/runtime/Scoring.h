//===- Scoring.h - Teacher-forced scoring of a token sequence ---*- C++ -*-===//
//
// Runs a fixed sequence through a session one token at a time and scores
// every next-token prediction: the argmax (for top-1 agreement between two
// programs, e.g. a quantized model against FP32) and the negative
// log-likelihood of the actual next token (for perplexity).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/runtime/Session.h"

#include <cmath>
#include <cstdint>
#include <vector>

namespace strata::runtime {

struct SequenceScore {
  /// Argmax of the logits after tokens[0..i], for i = 0 .. n-2 (the
  /// prediction of tokens[i+1]).
  std::vector<int32_t> top1;
  /// -log p(tokens[i+1] | tokens[0..i]), same indexing.
  std::vector<double> nll;

  size_t positions() const { return nll.size(); }
  double meanNll() const;
  double perplexity() const { return std::exp(meanNll()); }
};

/// Feeds `tokens` (at least two) from the session's current position, one
/// decode step each, and scores each prediction of the next token.
Expected<SequenceScore> scoreSequence(Session &session, const std::vector<int32_t> &tokens);

/// -log softmax(logits)[token], computed in double.
double negativeLogLikelihood(const std::vector<float> &logits, int32_t token);

/// Fraction of positions where `a` and `b` predict the same token.
double topOneAgreement(const SequenceScore &a, const SequenceScore &b);

} // namespace strata::runtime
