//===- Scoring.cpp --------------------------------------------------------===//
#include "strata/runtime/Scoring.h"

#include "strata/runtime/Sampler.h"

#include <algorithm>
#include <string>

namespace strata::runtime {

double SequenceScore::meanNll() const {
  if (nll.empty())
    return 0.0;
  double sum = 0;
  for (double v : nll)
    sum += v;
  return sum / double(nll.size());
}

double negativeLogLikelihood(const std::vector<float> &logits, int32_t token) {
  double maxValue = *std::max_element(logits.begin(), logits.end());
  double sum = 0;
  for (float l : logits)
    sum += std::exp(double(l) - maxValue);
  return -(double(logits[size_t(token)]) - maxValue - std::log(sum));
}

Expected<SequenceScore> scoreSequence(Session &session, const std::vector<int32_t> &tokens) {
  if (tokens.size() < 2)
    return Error("scoring needs at least two tokens (one prediction)");
  SequenceScore score;
  score.top1.reserve(tokens.size() - 1);
  score.nll.reserve(tokens.size() - 1);
  for (size_t i = 0; i + 1 < tokens.size(); ++i) {
    // One token per step: every position's logits are needed, and prefill
    // returns only the last row's.
    if (Status s = session.feed({tokens[i]}, StepPurpose::Generation); !s)
      return s.error().withContext("scoring position " + std::to_string(i));
    const std::vector<float> &logits = session.logits();
    score.top1.push_back(argmaxToken(logits.data(), logits.size()));
    score.nll.push_back(negativeLogLikelihood(logits, tokens[i + 1]));
  }
  return score;
}

double topOneAgreement(const SequenceScore &a, const SequenceScore &b) {
  size_t n = std::min(a.top1.size(), b.top1.size());
  if (n == 0)
    return 0.0;
  size_t same = 0;
  for (size_t i = 0; i < n; ++i)
    same += a.top1[i] == b.top1[i];
  return double(same) / double(n);
}

} // namespace strata::runtime
