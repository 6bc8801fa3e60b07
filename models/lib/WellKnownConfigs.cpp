#include "strata/models/WellKnownConfigs.h"

#include <cctype>

namespace strata::models {

namespace {

struct Shape {
  const char *name;
  Family family;
  uint32_t dim, nLayers, nHeads, nKvHeads, hiddenDim, vocabSize, maxSeqLen;
  float normEps;
  float ropeTheta;
  bool tied;
  RopeStyle rope; // Interleaved for llama2.c/GGUF-style checkpoints
  int32_t bos, eos;
};

// Values from the publishers' config files (see docs/models.md).
const Shape kShapes[] = {
    // LLaMA family
    {"llama2-7b", Family::Llama, 4096, 32, 32, 32, 11008, 32000, 4096, 1e-5f, 10000.0f, false,
     RopeStyle::HalfSplit, 1, 2},
    {"llama2-13b", Family::Llama, 5120, 40, 40, 40, 13824, 32000, 4096, 1e-5f, 10000.0f, false,
     RopeStyle::HalfSplit, 1, 2},
    {"llama3-8b", Family::Llama, 4096, 32, 32, 8, 14336, 128256, 8192, 1e-5f, 500000.0f, false,
     RopeStyle::HalfSplit, 128000, 128001},
    // Qwen2 family
    {"qwen2.5-0.5b", Family::Qwen2, 896, 24, 14, 2, 4864, 151936, 32768, 1e-6f, 1000000.0f, true,
     RopeStyle::HalfSplit, -1, 151643},
    {"qwen2.5-7b", Family::Qwen2, 3584, 28, 28, 4, 18944, 152064, 131072, 1e-6f, 1000000.0f,
     false, RopeStyle::HalfSplit, -1, 151643},
    // GPT-2 family
    {"gpt2", Family::Gpt2, 768, 12, 12, 12, 3072, 50257, 1024, 1e-5f, 0.0f, true, RopeStyle::None,
     50256, 50256},
    {"gpt2-xl", Family::Gpt2, 1600, 48, 25, 25, 6400, 50257, 1024, 1e-5f, 0.0f, true,
     RopeStyle::None, 50256, 50256},
    // llama2.c TinyStories models
    {"stories260k", Family::Llama, 64, 5, 8, 4, 172, 512, 512, 1e-5f, 10000.0f, true,
     RopeStyle::Interleaved, 1, 2},
    {"stories15m", Family::Llama, 288, 6, 6, 6, 768, 32000, 256, 1e-5f, 10000.0f, true,
     RopeStyle::Interleaved, 1, 2},
    {"stories110m", Family::Llama, 768, 12, 12, 12, 2048, 32000, 1024, 1e-5f, 10000.0f, true,
     RopeStyle::Interleaved, 1, 2},
    // The small Hugging Face reference models in shared/models/hf
    {"tiny-llama", Family::Llama, 128, 4, 8, 4, 344, 512, 512, 1e-5f, 10000.0f, false,
     RopeStyle::HalfSplit, 1, 2},
    {"tiny-qwen2", Family::Qwen2, 128, 3, 4, 2, 256, 512, 512, 1e-6f, 1000000.0f, true,
     RopeStyle::HalfSplit, -1, -1},
    {"tiny-gpt2", Family::Gpt2, 128, 3, 4, 4, 512, 512, 256, 1e-5f, 0.0f, true, RopeStyle::None,
     -1, -1},
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char &c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

ModelConfig toConfig(const Shape &s) {
  ModelConfig c = ModelConfig::forFamily(s.family);
  c.name = s.name;
  c.dim = s.dim;
  c.nLayers = s.nLayers;
  c.nHeads = s.nHeads;
  c.nKvHeads = s.nKvHeads;
  c.headDim = s.dim / s.nHeads;
  c.hiddenDim = s.hiddenDim;
  c.vocabSize = s.vocabSize;
  c.maxSeqLen = s.maxSeqLen;
  c.normEps = s.normEps;
  c.ropeStyle = s.rope;
  if (s.rope != RopeStyle::None)
    c.ropeTheta = s.ropeTheta;
  c.tiedEmbeddings = s.tied;
  c.bosId = s.bos;
  c.eosId = s.eos;
  return c;
}

} // namespace

std::optional<ModelConfig> findWellKnownConfig(std::string_view name) {
  std::string key = lower(name);
  for (const Shape &s : kShapes)
    if (key == s.name)
      return toConfig(s);
  return std::nullopt;
}

std::vector<std::string> wellKnownConfigNames() {
  std::vector<std::string> names;
  for (const Shape &s : kShapes)
    names.emplace_back(s.name);
  return names;
}

} // namespace strata::models
