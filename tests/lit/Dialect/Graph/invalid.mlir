// RUN: strata-opt %s -split-input-file -verify-diagnostics

// expected-error @+1 {{integer weight needs a #graph.quant attribute}}
graph.weight @w : tensor<4x4xi8>

// -----

// expected-error @+1 {{#graph.quant is only valid on i8 or i4 weights}}
graph.weight @w : tensor<4x4xf32> {quant = #graph.quant<per_channel, 0, f32>}

// -----

// expected-error @+1 {{per-group quantization needs a positive group size}}
graph.weight @w : tensor<4x4xi4> {quant = #graph.quant<per_group, 0, f32>}

// -----

// expected-error @+1 {{per-channel quantization has group size 0, got 32}}
graph.weight @w : tensor<4x4xi8> {quant = #graph.quant<per_channel, 32, f32>}

// -----

// expected-error @+1 {{quantization scales must be f32 or f16}}
graph.weight @w : tensor<4x4xi8> {quant = #graph.quant<per_channel, 0, bf16>}

// -----

// expected-error @+1 {{a weight read from a file needs a 'format'}}
graph.weight @w : tensor<4x4xf32> {file = "w.bin"}

// -----

// expected-error @+1 {{unknown weight format 'q5_k'}}
graph.weight @w : tensor<4x4xf32> {file = "w.bin", format = "q5_k"}

// -----

// expected-error @+1 {{'file' and 'seed' are mutually exclusive}}
graph.weight @w : tensor<4x4xf32> {file = "w.bin", format = "f32", seed = 1 : i64}

// -----

// expected-error @+1 {{unknown role 'mlp' (expected embedding, attention, ffn, lm_head, norm or bias)}}
graph.weight @w : tensor<4x4xf32> {role = "mlp"}

// -----

// expected-error @+1 {{'source_transposed' needs a 2D weight}}
graph.weight @w : tensor<4xf32> {seed = 1 : i64, source_transposed}

// -----

// expected-error @+1 {{'quant_error' needs a float 'max_abs' entry}}
graph.weight @w : tensor<4x4xf16> {quant_error = {rel_rms = 1.0e-3 : f64}}

// -----

// expected-error @+1 {{'quant_error' has only 'max_abs' and 'rel_rms' entries}}
graph.weight @w : tensor<4x4xf16> {quant_error = {rel_rms = 1.0e-3 : f64, max_abs = 1.0 : f64, mean = 0.0 : f64}}

// -----

// expected-error @+1 {{KV cache element type must be f32, f16 or bf16, got 'i8'}}
graph.kv_cache @kv {layers = 1 : i64, max_seq = 4 : i64, kv_heads = 1 : i64, head_dim = 2 : i64, element_type = i8}

// -----

// expected-error @+1 {{'max_seq' failed to satisfy constraint}}
graph.kv_cache @kv {layers = 1 : i64, max_seq = 0 : i64, kv_heads = 1 : i64, head_dim = 2 : i64, element_type = f32}

// -----

func.func @ref_missing() -> tensor<4xf32> {
  // expected-error @+1 {{'missing' does not name a graph.weight}}
  %w = graph.weight_ref @missing : tensor<4xf32>
  return %w : tensor<4xf32>
}

// -----

graph.weight @w : tensor<4xf32>
func.func @ref_type() -> tensor<8xf32> {
  // expected-error @+1 {{type 'tensor<8xf32>' does not match the weight's type 'tensor<4xf32>'}}
  %w = graph.weight_ref @w : tensor<8xf32>
  return %w : tensor<8xf32>
}

// -----

func.func @embedding_rows(%t: tensor<16x8xf32>, %ids: tensor<4xi32>) -> tensor<3x8xf32> {
  // expected-error @+1 {{result has 3 rows for 4 ids}}
  %x = graph.embedding %t, %ids : (tensor<16x8xf32>, tensor<4xi32>) -> tensor<3x8xf32>
  return %x : tensor<3x8xf32>
}

// -----

func.func @embedding_width(%t: tensor<16x8xf32>, %ids: tensor<4xi32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{result width 4 differs from the table width 8}}
  %x = graph.embedding %t, %ids : (tensor<16x8xf32>, tensor<4xi32>) -> tensor<4x4xf32>
  return %x : tensor<4x4xf32>
}

// -----

func.func @embedding_ids(%t: tensor<16x8xf32>, %ids: tensor<4xi64>) -> tensor<4x8xf32> {
  // expected-error @+1 {{operand #1 must be 1D tensor of 32-bit signless integer values}}
  %x = graph.embedding %t, %ids : (tensor<16x8xf32>, tensor<4xi64>) -> tensor<4x8xf32>
  return %x : tensor<4x8xf32>
}

// -----

func.func @rms_shape(%x: tensor<4x8xf32>, %g: tensor<8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{result shape 'tensor<4x8xf32>' does not match 'tensor<2x8xf32>'}}
  %y = graph.rms_norm %x, %g {eps = 1.0e-05 : f64} : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// -----

func.func @rms_eps(%x: tensor<4x8xf32>, %g: tensor<8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{eps must not be negative}}
  %y = graph.rms_norm %x, %g {eps = -1.0 : f64} : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @rms_gamma(%x: tensor<4x8xf32>, %g: tensor<6xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{gamma has 6 elements, expected 8}}
  %y = graph.rms_norm %x, %g {eps = 1.0e-05 : f64} : (tensor<4x8xf32>, tensor<6xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @layer_shape(%x: tensor<4x8xf32>, %g: tensor<8xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{result shape 'tensor<4x8xf32>' does not match 'tensor<4x4xf32>'}}
  %y = graph.layer_norm %x, %g, %g {eps = 1.0e-05 : f64} : (tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<4x4xf32>
  return %y : tensor<4x4xf32>
}

// -----

func.func @layer_eps(%x: tensor<4x8xf32>, %g: tensor<8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{eps must not be negative}}
  %y = graph.layer_norm %x, %g, %g {eps = -1.0e-05 : f64} : (tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @layer_gamma(%x: tensor<4x8xf32>, %g: tensor<4xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{gamma has 4 elements, expected 8}}
  %y = graph.layer_norm %x, %g, %b {eps = 1.0e-05 : f64} : (tensor<4x8xf32>, tensor<4xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @layer_beta(%x: tensor<4x8xf32>, %g: tensor<8xf32>, %b: tensor<9xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{beta has 9 elements, expected 8}}
  %y = graph.layer_norm %x, %g, %b {eps = 1.0e-05 : f64} : (tensor<4x8xf32>, tensor<8xf32>, tensor<9xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @linear_in(%x: tensor<4x8xf32>, %w: tensor<16x6xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{input has 8 features but the weight takes 6}}
  %y = graph.linear %x, %w : (tensor<4x8xf32>, tensor<16x6xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @linear_kn(%x: tensor<4x8xf32>, %w: tensor<16x8xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{input has 8 features but the weight takes 16}}
  %y = graph.linear %x, %w {weight_layout = #graph<weight_layout kn>} : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @linear_result(%x: tensor<4x8xf32>, %w: tensor<16x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{result must be 4x16}}
  %y = graph.linear %x, %w : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @linear_bias(%x: tensor<4x8xf32>, %w: tensor<16x8xf32>, %b: tensor<8xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{bias has 8 elements, expected 16}}
  %y = graph.linear %x, %w, %b : (tensor<4x8xf32>, tensor<16x8xf32>, tensor<8xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @matmul_k(%a: tensor<4x8xf32>, %b: tensor<6x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{contraction sizes differ: 8 vs 6}}
  %c = graph.matmul %a, %b : (tensor<4x8xf32>, tensor<6x16xf32>) -> tensor<4x16xf32>
  return %c : tensor<4x16xf32>
}

// -----

func.func @matmul_result(%a: tensor<4x8xf32>, %b: tensor<16x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{result must be 4x16}}
  %c = graph.matmul %a, %b {transpose_rhs} : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x8xf32>
  return %c : tensor<4x8xf32>
}

// -----

func.func @rope_shape(%x: tensor<4x16xf32>, %pos: index) -> tensor<4x8xf32> {
  // expected-error @+1 {{result shape 'tensor<4x16xf32>' does not match 'tensor<4x8xf32>'}}
  %y = graph.rope %x, %pos {head_dim = 8 : i64, theta = 1.0e+04 : f64, style = #graph<rope_style interleaved>} : (tensor<4x16xf32>, index) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @rope_odd(%x: tensor<4x15xf32>, %pos: index) -> tensor<4x15xf32> {
  // expected-error @+1 {{head_dim must be even, got 5}}
  %y = graph.rope %x, %pos {head_dim = 5 : i64, theta = 1.0e+04 : f64, style = #graph<rope_style interleaved>} : (tensor<4x15xf32>, index) -> tensor<4x15xf32>
  return %y : tensor<4x15xf32>
}

// -----

func.func @rope_width(%x: tensor<4x12xf32>, %pos: index) -> tensor<4x12xf32> {
  // expected-error @+1 {{width 12 is not a multiple of head_dim 8}}
  %y = graph.rope %x, %pos {head_dim = 8 : i64, theta = 1.0e+04 : f64, style = #graph<rope_style half_split>} : (tensor<4x12xf32>, index) -> tensor<4x12xf32>
  return %y : tensor<4x12xf32>
}

// -----

graph.kv_cache @kv {layers = 1 : i64, max_seq = 8 : i64, kv_heads = 2 : i64, head_dim = 4 : i64, element_type = f32}
func.func @attention_heads(%q: tensor<2x12xf32>, %k: tensor<2x8xf32>, %pos: index) -> tensor<2x12xf32> {
  // expected-error @+1 {{num_heads 3 is not a multiple of num_kv_heads 2}}
  %o = graph.attention %q, %k, %k, %pos {cache = @kv, layer = 0 : i64, num_heads = 3 : i64, num_kv_heads = 2 : i64, head_dim = 4 : i64}
      : (tensor<2x12xf32>, tensor<2x8xf32>, tensor<2x8xf32>, index) -> tensor<2x12xf32>
  return %o : tensor<2x12xf32>
}

// -----

graph.kv_cache @kv {layers = 1 : i64, max_seq = 8 : i64, kv_heads = 2 : i64, head_dim = 4 : i64, element_type = f32}
func.func @attention_query(%q: tensor<2x12xf32>, %k: tensor<2x8xf32>, %pos: index) -> tensor<2x12xf32> {
  // expected-error @+1 {{query width 12 != num_heads * head_dim = 16}}
  %o = graph.attention %q, %k, %k, %pos {cache = @kv, layer = 0 : i64, num_heads = 4 : i64, num_kv_heads = 2 : i64, head_dim = 4 : i64}
      : (tensor<2x12xf32>, tensor<2x8xf32>, tensor<2x8xf32>, index) -> tensor<2x12xf32>
  return %o : tensor<2x12xf32>
}

// -----

graph.kv_cache @kv {layers = 1 : i64, max_seq = 8 : i64, kv_heads = 2 : i64, head_dim = 4 : i64, element_type = f32}
func.func @attention_kv_width(%q: tensor<2x16xf32>, %k: tensor<2x8xf32>, %v: tensor<2x4xf32>, %pos: index) -> tensor<2x16xf32> {
  // expected-error @+1 {{key and value width must be num_kv_heads * head_dim = 8}}
  %o = graph.attention %q, %k, %v, %pos {cache = @kv, layer = 0 : i64, num_heads = 4 : i64, num_kv_heads = 2 : i64, head_dim = 4 : i64}
      : (tensor<2x16xf32>, tensor<2x8xf32>, tensor<2x4xf32>, index) -> tensor<2x16xf32>
  return %o : tensor<2x16xf32>
}

// -----

graph.kv_cache @kv {layers = 1 : i64, max_seq = 8 : i64, kv_heads = 2 : i64, head_dim = 4 : i64, element_type = f32}
func.func @attention_rows(%q: tensor<2x16xf32>, %k: tensor<3x8xf32>, %pos: index) -> tensor<2x16xf32> {
  // expected-error @+1 {{query, key and value must have the same number of rows}}
  %o = graph.attention %q, %k, %k, %pos {cache = @kv, layer = 0 : i64, num_heads = 4 : i64, num_kv_heads = 2 : i64, head_dim = 4 : i64}
      : (tensor<2x16xf32>, tensor<3x8xf32>, tensor<3x8xf32>, index) -> tensor<2x16xf32>
  return %o : tensor<2x16xf32>
}

// -----

graph.kv_cache @kv {layers = 1 : i64, max_seq = 8 : i64, kv_heads = 2 : i64, head_dim = 4 : i64, element_type = f32}
func.func @attention_result(%q: tensor<2x16xf32>, %k: tensor<2x8xf32>, %pos: index) -> tensor<1x16xf32> {
  // expected-error @+1 {{result shape 'tensor<2x16xf32>' does not match 'tensor<1x16xf32>'}}
  %o = graph.attention %q, %k, %k, %pos {cache = @kv, layer = 0 : i64, num_heads = 4 : i64, num_kv_heads = 2 : i64, head_dim = 4 : i64}
      : (tensor<2x16xf32>, tensor<2x8xf32>, tensor<2x8xf32>, index) -> tensor<1x16xf32>
  return %o : tensor<1x16xf32>
}

// -----

graph.weight @kv : tensor<4xf32>
func.func @attention_not_cache(%q: tensor<2x16xf32>, %k: tensor<2x8xf32>, %pos: index) -> tensor<2x16xf32> {
  // expected-error @+1 {{'kv' does not name a graph.kv_cache}}
  %o = graph.attention %q, %k, %k, %pos {cache = @kv, layer = 0 : i64, num_heads = 4 : i64, num_kv_heads = 2 : i64, head_dim = 4 : i64}
      : (tensor<2x16xf32>, tensor<2x8xf32>, tensor<2x8xf32>, index) -> tensor<2x16xf32>
  return %o : tensor<2x16xf32>
}

// -----

graph.kv_cache @kv {layers = 2 : i64, max_seq = 8 : i64, kv_heads = 2 : i64, head_dim = 4 : i64, element_type = f32}
func.func @attention_layer(%q: tensor<2x16xf32>, %k: tensor<2x8xf32>, %pos: index) -> tensor<2x16xf32> {
  // expected-error @+1 {{layer 2 is outside the cache's 2 layers}}
  %o = graph.attention %q, %k, %k, %pos {cache = @kv, layer = 2 : i64, num_heads = 4 : i64, num_kv_heads = 2 : i64, head_dim = 4 : i64}
      : (tensor<2x16xf32>, tensor<2x8xf32>, tensor<2x8xf32>, index) -> tensor<2x16xf32>
  return %o : tensor<2x16xf32>
}

// -----

graph.kv_cache @kv {layers = 1 : i64, max_seq = 8 : i64, kv_heads = 1 : i64, head_dim = 8 : i64, element_type = f32}
func.func @attention_cache_shape(%q: tensor<2x16xf32>, %k: tensor<2x8xf32>, %pos: index) -> tensor<2x16xf32> {
  // expected-error @+1 {{cache holds 1 heads of 8, op uses 2 of 4}}
  %o = graph.attention %q, %k, %k, %pos {cache = @kv, layer = 0 : i64, num_heads = 4 : i64, num_kv_heads = 2 : i64, head_dim = 4 : i64}
      : (tensor<2x16xf32>, tensor<2x8xf32>, tensor<2x8xf32>, index) -> tensor<2x16xf32>
  return %o : tensor<2x16xf32>
}

// -----

func.func @softmax_type(%x: tensor<4x8xf32>) -> tensor<4x8xf16> {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %y = "graph.softmax"(%x) : (tensor<4x8xf32>) -> tensor<4x8xf16>
  return %y : tensor<4x8xf16>
}

// -----

func.func @add_result(%x: tensor<4x8xf32>) -> tensor<4x8xf16> {
  // expected-error @+1 {{result type must equal the lhs type}}
  %y = graph.add %x, %x : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf16>
  return %y : tensor<4x8xf16>
}

// -----

func.func @mul_broadcast(%x: tensor<4x8xf32>, %r: tensor<2x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{rhs 'tensor<2x8xf32>' is neither the lhs shape nor one broadcast row}}
  %y = graph.mul %x, %r : (tensor<4x8xf32>, tensor<2x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @take_row(%x: tensor<4x8xf32>, %i: index) -> tensor<2x8xf32> {
  // expected-error @+1 {{result must be 1x8}}
  %y = graph.take_row %x, %i : (tensor<4x8xf32>, index) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// -----

func.func @cast_shape(%x: tensor<4x8xf32>) -> tensor<4x4xf16> {
  // expected-error @+1 {{cast must not change the shape}}
  %y = graph.cast %x : tensor<4x8xf32> to tensor<4x4xf16>
  return %y : tensor<4x4xf16>
}

// -----

func.func @cast_int(%x: tensor<4x8xf32>) -> tensor<4x8xi8> {
  // expected-error @+1 {{cast converts between float types}}
  %y = graph.cast %x : tensor<4x8xf32> to tensor<4x8xi8>
  return %y : tensor<4x8xi8>
}

// -----

func.func @fused_no_weight(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{needs at least one weight}}
  %y = graph.fused_linear %x weights() : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @fused_weight_in(%x: tensor<4x8xf32>, %w: tensor<16x6xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{weight 'tensor<16x6xf32>' does not take 8 inputs}}
  %y = graph.fused_linear %x weights(%w) : (tensor<4x8xf32>, tensor<16x6xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @fused_bias_count(%x: tensor<4x8xf32>, %w: tensor<16x8xf32>, %b: tensor<16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  // expected-error @+1 {{biases must be absent or one per weight}}
  %y:2 = graph.fused_linear %x weights(%w, %w) biases(%b) : (tensor<4x8xf32>, tensor<16x8xf32>, tensor<16x8xf32>, tensor<16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>)
  return %y#0, %y#1 : tensor<4x16xf32>, tensor<4x16xf32>
}

// -----

func.func @fused_bias_len(%x: tensor<4x8xf32>, %w: tensor<16x8xf32>, %b: tensor<8xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{bias has 8 elements, expected 16}}
  %y = graph.fused_linear %x weights(%w) biases(%b) : (tensor<4x8xf32>, tensor<16x8xf32>, tensor<8xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @fused_swiglu_count(%x: tensor<4x8xf32>, %w: tensor<16x8xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{swiglu takes exactly two weights (gate, up)}}
  %y = graph.fused_linear %x weights(%w) {activation = #graph<activation swiglu>} : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @fused_swiglu_out(%x: tensor<4x8xf32>, %g: tensor<16x8xf32>, %u: tensor<12x8xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{swiglu gate and up weights must have the same output size}}
  %y = graph.fused_linear %x weights(%g, %u) {activation = #graph<activation swiglu>} : (tensor<4x8xf32>, tensor<16x8xf32>, tensor<12x8xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @fused_results(%x: tensor<4x8xf32>, %w: tensor<16x8xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{expected 2 results, got 1}}
  %y = graph.fused_linear %x weights(%w, %w) : (tensor<4x8xf32>, tensor<16x8xf32>, tensor<16x8xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @fused_result_shape(%x: tensor<4x8xf32>, %w: tensor<16x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{result 0 must be 4x16}}
  %y = graph.fused_linear %x weights(%w) : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @fused_norm_gamma(%x: tensor<4x8xf32>, %w: tensor<16x8xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{norm gamma must be present exactly when norm is not none}}
  %y = graph.fused_linear %x weights(%w) {norm = #graph<norm rms>} : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @fused_norm_beta(%x: tensor<4x8xf32>, %w: tensor<16x8xf32>, %g: tensor<8xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{norm beta must be present exactly for layer norm}}
  %y = graph.fused_linear %x weights(%w) norm(%g) {norm = #graph<norm layer>} : (tensor<4x8xf32>, tensor<16x8xf32>, tensor<8xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @fused_norm_len(%x: tensor<4x8xf32>, %w: tensor<16x8xf32>, %g: tensor<16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{norm gamma has 16 elements, expected 8}}
  %y = graph.fused_linear %x weights(%w) norm(%g) {norm = #graph<norm rms>} : (tensor<4x8xf32>, tensor<16x8xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @fused_residual_results(%x: tensor<4x8xf32>, %w: tensor<16x8xf32>, %r: tensor<4x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{a residual needs a single result}}
  %y:2 = graph.fused_linear %x weights(%w, %w) residual(%r) : (tensor<4x8xf32>, tensor<16x8xf32>, tensor<16x8xf32>, tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>)
  return %y#0 : tensor<4x16xf32>
}

// -----

func.func @fused_residual_shape(%x: tensor<4x8xf32>, %w: tensor<16x8xf32>, %r: tensor<4x8xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{residual shape 'tensor<4x8xf32>' does not match 'tensor<4x16xf32>'}}
  %y = graph.fused_linear %x weights(%w) residual(%r) : (tensor<4x8xf32>, tensor<16x8xf32>, tensor<4x8xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @fused_norm_beta_len(%x: tensor<4x8xf32>, %w: tensor<16x8xf32>, %g: tensor<8xf32>, %b: tensor<4xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{norm beta has 4 elements, expected 8}}
  %y = graph.fused_linear %x weights(%w) norm(%g, %b) {norm = #graph<norm layer>} : (tensor<4x8xf32>, tensor<16x8xf32>, tensor<8xf32>, tensor<4xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @fused_eps(%x: tensor<4x8xf32>, %w: tensor<16x8xf32>, %g: tensor<8xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{eps must not be negative}}
  %y = graph.fused_linear %x weights(%w) norm(%g) {norm = #graph<norm rms>, eps = -1.0 : f64} : (tensor<4x8xf32>, tensor<16x8xf32>, tensor<8xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// expected-error @+1 {{a weight needs a static shape, got 'tensor<?x4xf32>'}}
graph.weight @w : tensor<?x4xf32>
