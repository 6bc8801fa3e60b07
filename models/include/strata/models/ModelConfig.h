//===- ModelConfig.h - Shape and semantics of a transformer -----*- C++ -*-===//
//
// One description for every supported decoder-only family. Each field that
// changes the arithmetic is explicit (norm kind, RoPE pairing, biases,
// activation, ...), so the reference forward pass and the graph builder read
// the config rather than switching on the family name.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/support/Error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace strata::models {

enum class Family : uint8_t { Llama, Qwen2, Gpt2 };

enum class NormKind : uint8_t {
  RmsNorm,   ///< x / sqrt(mean(x^2) + eps) * g
  LayerNorm, ///< (x - mean) / sqrt(var + eps) * g + b
};

enum class RopeStyle : uint8_t {
  None,        ///< no rotary embedding (learned positions instead)
  Interleaved, ///< rotate pairs (2i, 2i+1): llama2.c, GGUF "llama"
  HalfSplit,   ///< rotate pairs (i, i + head_dim/2): HF LLaMA/Qwen2, GGUF "qwen2"
};

enum class Activation : uint8_t {
  SiLU,     ///< x * sigmoid(x), used gated (SwiGLU)
  GeluTanh, ///< 0.5x(1 + tanh(sqrt(2/pi)(x + 0.044715x^3)))
  GeluErf,  ///< 0.5x(1 + erf(x / sqrt(2)))
};

std::string_view familyName(Family f);       ///< "llama", "qwen2", "gpt2"
std::optional<Family> parseFamily(std::string_view name);
std::string_view ropeStyleName(RopeStyle s); ///< "none", "interleaved", "half-split"
std::string_view activationName(Activation a); ///< "silu", "gelu-tanh", "gelu-erf"
std::string_view normKindName(NormKind n);   ///< "rmsnorm", "layernorm"

struct ModelConfig {
  std::string name;
  Family family = Family::Llama;

  uint32_t dim = 0;        ///< model (residual) width
  uint32_t nLayers = 0;
  uint32_t nHeads = 0;     ///< query heads
  uint32_t nKvHeads = 0;   ///< key/value heads (GQA when < nHeads)
  uint32_t headDim = 0;    ///< per-head width (usually dim / nHeads)
  uint32_t hiddenDim = 0;  ///< FFN inner width
  uint32_t vocabSize = 0;
  uint32_t maxSeqLen = 0;  ///< trained context (learned-position table size for GPT-2)

  NormKind norm = NormKind::RmsNorm;
  float normEps = 1e-5f;

  RopeStyle ropeStyle = RopeStyle::Interleaved;
  float ropeTheta = 10000.0f;

  Activation activation = Activation::SiLU;
  /// FFN is down(act(gate(x)) * up(x)) (SwiGLU) rather than down(act(up(x))).
  bool gatedFfn = true;

  /// The classifier reuses token_embd.weight (no output.weight tensor).
  bool tiedEmbeddings = false;
  /// Q, K and V projections carry biases (Qwen2, GPT-2).
  bool qkvBias = false;
  /// Output projection, FFN projections and norms carry biases (GPT-2).
  bool linearBias = false;
  /// Q, K and V come as one fused projection "attn_qkv" (GPT-2's c_attn).
  bool fusedQkv = false;
  /// Positions come from a learned table "position_embd.weight" (GPT-2).
  bool learnedPositions = false;

  /// Special tokens, -1 when unknown.
  int32_t bosId = -1;
  int32_t eosId = -1;

  uint32_t qDim() const { return nHeads * headDim; }
  uint32_t kvDim() const { return nKvHeads * headDim; }

  /// Defaults of a family: norm, RoPE, activation, biases, fused QKV.
  static ModelConfig forFamily(Family family);

  /// Checks that the numbers are consistent (non-zero, heads divide, ...).
  /// `source` names the file or config for the message.
  Status validate(const std::string &source) const;

  /// Number of weights (including the classifier when untied).
  uint64_t parameterCount() const;

  /// One-line human-readable summary.
  std::string summary() const;
};

} // namespace strata::models
