//===- SimExecutor.cpp ----------------------------------------------------===//
#include "strata/runtime/SimExecutor.h"

#include "strata/runtime/ProgramMetadata.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace strata::runtime {

namespace {

uint64_t elementCount(const bin::IoBinding &b) {
  uint64_t n = 1;
  for (int64_t d : b.shape)
    n *= uint64_t(d);
  return n;
}

std::string shapeText(const bin::IoBinding &b) {
  std::string s = "[";
  for (size_t i = 0; i < b.shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(b.shape[i]);
  return s + "]";
}

bool hasParam(const bin::EntryPoint &entry, const char *name) {
  return std::any_of(entry.params.begin(), entry.params.end(),
                     [&](const bin::ScalarParam &p) { return p.name == name; });
}

/// Every parameter of `entry` must be one the runtime knows how to set.
Status checkParams(const bin::EntryPoint &entry, std::initializer_list<const char *> known,
                   const std::string &source) {
  for (const bin::ScalarParam &p : entry.params)
    if (std::none_of(known.begin(), known.end(), [&](const char *k) { return p.name == k; }))
      return Error(source + ": entry point '" + entry.name + "' takes parameter '" + p.name +
                   "', which the runtime does not provide");
  if (!hasParam(entry, names::kPos))
    return Error(source + ": entry point '" + entry.name + "' has no 'pos' parameter");
  return Status::ok();
}

Expected<const bin::IoBinding *> findIdBinding(const bin::Binary &b, const char *name,
                                               const std::string &source, bool required) {
  const bin::IoBinding *io = b.findIo(name);
  if (!io) {
    if (required)
      return Error(source + ": the binary has no input binding '" + name + "'");
    return static_cast<const bin::IoBinding *>(nullptr);
  }
  if (io->direction != bin::IoDirection::Input || io->dtype != DType::I32 ||
      io->shape.size() != 1)
    return Error(source + ": binding '" + name + "' must be a 1-D i32 input, but it is " +
                 std::string(io->direction == bin::IoDirection::Input ? "an input" : "an output") +
                 " of " + std::string(dtypeName(io->dtype)) + " " + shapeText(*io));
  return io;
}

} // namespace

Expected<std::unique_ptr<SimExecutor>> SimExecutor::create(bin::Binary binary,
                                                           const ArchConfig &arch,
                                                           const sim::SimOptions &options,
                                                           const std::string &source,
                                                           uint32_t maxSeq) {
  std::unique_ptr<SimExecutor> ex(new SimExecutor());
  ex->source_ = source;
  const bin::EntryPoint *prefill = binary.findEntry(names::kPrefill);
  const bin::EntryPoint *decode = binary.findEntry(names::kDecode);
  if (!prefill && !decode)
    return Error(source + ": the binary has neither a 'prefill' nor a 'decode' entry point");
  if (prefill) {
    if (Status s = checkParams(*prefill, {names::kPos, names::kNValid}, source); !s)
      return s.error();
    ex->prefillTakesValidCount_ = hasParam(*prefill, names::kNValid);
  }
  if (decode) {
    if (Status s = checkParams(*decode, {names::kPos, names::kKvValid}, source); !s)
      return s.error();
    ex->decodeTakesKvValid_ = hasParam(*decode, names::kKvValid);
  }

  auto created = sim::Simulator::create(arch, options);
  if (!created)
    return created.error().withContext(source);
  ex->simulator_ = created.takeValue();
  if (Status s = ex->simulator_->load(binary); !s)
    return s.error().withContext(source);
  const bin::Binary &b = *ex->simulator_->binary();

  auto tokens = findIdBinding(b, names::kTokens, source, true);
  if (!tokens)
    return tokens.error();
  auto positions = findIdBinding(b, names::kPositions, source, false);
  if (!positions)
    return positions.error();
  ex->tokens_ = *tokens;
  ex->positions_ = *positions;
  if (ex->positions_ && elementCount(*ex->positions_) != elementCount(*ex->tokens_))
    return Error(source + ": binding 'positions' " + shapeText(*ex->positions_) +
                 " must have the shape of 'tokens' " + shapeText(*ex->tokens_));

  ex->logits_ = b.findIo(names::kLogits);
  if (!ex->logits_)
    return Error(source + ": the binary has no output binding 'logits'");
  if (ex->logits_->direction != bin::IoDirection::Output || ex->logits_->dtype != DType::F32 ||
      elementCount(*ex->logits_) == 0 || ex->logits_->shape.back() != int64_t(elementCount(*ex->logits_)))
    return Error(source + ": binding 'logits' must be an f32 output of shape [1, vocab], but it "
                 "is " + std::string(dtypeName(ex->logits_->dtype)) + " " +
                 shapeText(*ex->logits_));

  ex->kvCache_ = b.findRegion(names::kKvCache);
  if (!ex->kvCache_)
    return Error(source + ": the binary has no memory region 'kv_cache'");

  ProgramInfo &info = ex->info_;
  info.prefillChunk = prefill ? uint32_t(elementCount(*ex->tokens_)) : 0;
  info.hasDecode = decode != nullptr;
  info.vocabSize = uint32_t(elementCount(*ex->logits_));
  info.takesPositions = ex->positions_ != nullptr;
  info.maxSeq = maxSeq;
  if (!info.maxSeq)
    if (auto value = meta::find(b, meta::kMaxSeq))
      info.maxSeq = uint32_t(std::strtoul(value->c_str(), nullptr, 10));
  ex->idBuffer_.resize(elementCount(*ex->tokens_));
  return ex;
}

Status SimExecutor::writeIds(const char *binding, const std::vector<int32_t> &ids) {
  std::fill(idBuffer_.begin(), idBuffer_.end(), 0);
  std::copy(ids.begin(), ids.end(), idBuffer_.begin());
  return simulator_->writeIo(binding, idBuffer_.data(), idBuffer_.size() * sizeof(int32_t));
}

Expected<sim::RunResult> SimExecutor::run(const StepInput &step, std::vector<float> &logits) {
  const bool prefill = step.kind == StepKind::Prefill;
  const size_t capacity = prefill ? info_.prefillChunk : 1;
  if (prefill && info_.prefillChunk == 0)
    return Error(source_ + ": the binary has no prefill entry point");
  if (!prefill && !info_.hasDecode)
    return Error(source_ + ": the binary has no decode entry point");
  if (step.tokens.empty() || step.tokens.size() > capacity)
    return Error(source_ + ": a " + std::string(stepKindName(step.kind)) + " step takes 1 to " +
                 std::to_string(capacity) + " tokens, got " + std::to_string(step.tokens.size()));
  if (Status s = writeIds(names::kTokens, step.tokens); !s)
    return s.error().withContext(source_);
  if (positions_) {
    std::vector<int32_t> pos(step.tokens.size());
    for (size_t i = 0; i < pos.size(); ++i)
      pos[i] = int32_t(step.pos + i);
    if (Status s = writeIds(names::kPositions, pos); !s)
      return s.error().withContext(source_);
  }
  std::vector<std::pair<std::string, int64_t>> params{{names::kPos, int64_t(step.pos)}};
  if (prefill && prefillTakesValidCount_)
    params.emplace_back(names::kNValid, int64_t(step.tokens.size()));
  if (!prefill && decodeTakesKvValid_)
    params.emplace_back(names::kKvValid, int64_t(std::min(kvRowsInSram_, step.pos)));
  auto result = simulator_->run(prefill ? names::kPrefill : names::kDecode, params);
  if (!result) {
    kvRowsInSram_ = 0; // a step cut short may have left any rows behind
    return result.error().withContext(source_);
  }
  kvRowsInSram_ = prefill ? std::min(kvRowsInSram_, step.pos) : step.pos + 1;
  logits.resize(info_.vocabSize);
  if (Status s = simulator_->readIo(names::kLogits, logits.data(), logits.size() * sizeof(float));
      !s)
    return s.error().withContext(source_);
  return result;
}

Status SimExecutor::saveKvCache(std::vector<uint8_t> &bytes) {
  bytes.resize(kvCache_->size);
  return simulator_->readHbm(kvCache_->hbmAddress, bytes.data(), bytes.size());
}

Status SimExecutor::restoreKvCache(const std::vector<uint8_t> &bytes) {
  kvRowsInSram_ = 0;
  if (bytes.size() != kvCache_->size)
    return Error(source_ + ": a saved KV cache of " + std::to_string(bytes.size()) +
                 " bytes does not fit the 'kv_cache' region of " +
                 std::to_string(kvCache_->size) + " bytes");
  return simulator_->writeHbm(kvCache_->hbmAddress, bytes.data(), bytes.size());
}

} // namespace strata::runtime
