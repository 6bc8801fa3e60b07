// RUN: strata-opt %s | strata-opt | FileCheck %s
// RUN: strata-opt %s --mlir-print-op-generic | strata-opt | FileCheck %s

// CHECK: graph.kv_cache @kv {element_type = f32, head_dim = 8 : i64, kv_heads = 2 : i64, layers = 2 : i64, max_seq = 16 : i64}
graph.kv_cache @kv {layers = 2 : i64, max_seq = 16 : i64, kv_heads = 2 : i64, head_dim = 8 : i64, element_type = f32}
// CHECK: graph.kv_cache @kv16 {{{.*}}element_type = bf16
graph.kv_cache @kv16 {layers = 1 : i64, max_seq = 4 : i64, kv_heads = 1 : i64, head_dim = 2 : i64, element_type = bf16}

// CHECK: graph.weight @table : tensor<64x32xf32> {role = "embedding", seed = 1 : i64}
graph.weight @table : tensor<64x32xf32> {role = "embedding", seed = 1 : i64}
// CHECK: graph.weight @gain : tensor<32xf32> {init_scale = 5.000000e-01 : f64, role = "norm", seed = 2 : i64}
graph.weight @gain : tensor<32xf32> {role = "norm", seed = 2 : i64, init_scale = 0.5 : f64}
// CHECK: graph.weight @beta : tensor<32xf32> {role = "norm"}
graph.weight @beta : tensor<32xf32> {role = "norm"}
// CHECK: graph.weight @bias : tensor<48xf32> {role = "bias"}
graph.weight @bias : tensor<48xf32> {role = "bias"}
// CHECK: graph.weight @w : tensor<48x32xf32> {file = "model.gguf", format = "q8_0", offset = 1024 : i64, role = "ffn"}
graph.weight @w : tensor<48x32xf32> {file = "model.gguf", offset = 1024 : i64, format = "q8_0", role = "ffn"}
// CHECK: graph.weight @w_kn : tensor<32x48xf32> {role = "attention"}
graph.weight @w_kn : tensor<32x48xf32> {role = "attention"}
// CHECK: graph.weight @w8 : tensor<48x32xi8> {quant = #graph.quant<per_channel, 0, f32>, quant_error = {max_abs = 1.000000e-03 : f64, rel_rms = 2.000000e-03 : f64}, role = "ffn", seed = 3 : i64}
graph.weight @w8 : tensor<48x32xi8> {quant = #graph.quant<per_channel, 0, f32>, role = "ffn", seed = 3 : i64,
                                     quant_error = {rel_rms = 2.0e-3 : f64, max_abs = 1.0e-3 : f64}}
// CHECK: graph.weight @w4 : tensor<48x32xi4> {quant = #graph.quant<per_group, 16, f16>, role = "ffn", seed = 4 : i64, source_transposed}
graph.weight @w4 : tensor<48x32xi4> {quant = #graph.quant<per_group, 16, f16>, role = "ffn", seed = 4 : i64, source_transposed}
// CHECK: graph.weight @wh : tensor<48x32xf16> {role = "attention"}
graph.weight @wh : tensor<48x32xf16> {role = "attention"}
// CHECK: graph.weight @wb : tensor<48x32xbf16>
graph.weight @wb : tensor<48x32xbf16>

// CHECK-LABEL: func.func @building_blocks
func.func @building_blocks(%ids: tensor<4xi32>, %pos: index, %row: index) -> tensor<1x32xf32> {
  // CHECK: graph.weight_ref @table : tensor<64x32xf32>
  %t = graph.weight_ref @table : tensor<64x32xf32>
  %g = graph.weight_ref @gain : tensor<32xf32>
  %b = graph.weight_ref @beta : tensor<32xf32>
  %bias = graph.weight_ref @bias : tensor<48xf32>
  %w = graph.weight_ref @w : tensor<48x32xf32>
  %wkn = graph.weight_ref @w_kn : tensor<32x48xf32>
  // CHECK: graph.embedding %{{.*}}, %{{.*}} : (tensor<64x32xf32>, tensor<4xi32>) -> tensor<4x32xf32>
  %x = graph.embedding %t, %ids : (tensor<64x32xf32>, tensor<4xi32>) -> tensor<4x32xf32>
  // CHECK: graph.rms_norm %{{.*}}, %{{.*}} {eps = 1.000000e-05 : f64} : (tensor<4x32xf32>, tensor<32xf32>) -> tensor<4x32xf32>
  %n = graph.rms_norm %x, %g {eps = 1.0e-05 : f64} : (tensor<4x32xf32>, tensor<32xf32>) -> tensor<4x32xf32>
  // CHECK: graph.layer_norm %{{.*}}, %{{.*}}, %{{.*}} {eps = 9.765625E-4 : f64} : (tensor<4x32xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<4x32xf32>
  %ln = graph.layer_norm %n, %g, %b {eps = 9.765625e-04 : f64} : (tensor<4x32xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<4x32xf32>
  // CHECK: graph.linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<4x32xf32>, tensor<48x32xf32>, tensor<48xf32>) -> tensor<4x48xf32>
  %l = graph.linear %ln, %w, %bias : (tensor<4x32xf32>, tensor<48x32xf32>, tensor<48xf32>) -> tensor<4x48xf32>
  // CHECK: graph.linear %{{.*}}, %{{.*}} {weight_layout = #graph<weight_layout kn>} : (tensor<4x32xf32>, tensor<32x48xf32>) -> tensor<4x48xf32>
  %lkn = graph.linear %ln, %wkn {weight_layout = #graph<weight_layout kn>} : (tensor<4x32xf32>, tensor<32x48xf32>) -> tensor<4x48xf32>
  // CHECK: graph.matmul %{{.*}}, %{{.*}} : (tensor<4x48xf32>, tensor<48x32xf32>) -> tensor<4x32xf32>
  %mm = graph.matmul %l, %w : (tensor<4x48xf32>, tensor<48x32xf32>) -> tensor<4x32xf32>
  // CHECK: graph.matmul %{{.*}}, %{{.*}} {transpose_rhs} : (tensor<4x48xf32>, tensor<4x48xf32>) -> tensor<4x4xf32>
  %s = graph.matmul %l, %lkn {transpose_rhs} : (tensor<4x48xf32>, tensor<4x48xf32>) -> tensor<4x4xf32>
  // CHECK: graph.softmax %{{.*}} {scale = 2.500000e-01 : f64} : tensor<4x4xf32>
  %p = graph.softmax %s {scale = 0.25 : f64} : tensor<4x4xf32>
  // CHECK: graph.softmax %{{.*}} : tensor<4x4xf32>
  %p2 = graph.softmax %p : tensor<4x4xf32>
  // CHECK: graph.silu %{{.*}} : tensor<4x48xf32>
  %a1 = graph.silu %l : tensor<4x48xf32>
  // CHECK: graph.relu %{{.*}} : tensor<4x48xf32>
  %a2 = graph.relu %a1 : tensor<4x48xf32>
  // CHECK: graph.gelu %{{.*}} : tensor<4x48xf32>
  %a3 = graph.gelu %a2 : tensor<4x48xf32>
  // CHECK: graph.gelu %{{.*}} {approximate = #graph<gelu_approx tanh>} : tensor<4x48xf32>
  %a4 = graph.gelu %a3 {approximate = #graph<gelu_approx tanh>} : tensor<4x48xf32>
  // CHECK: graph.add %{{.*}}, %{{.*}} : (tensor<4x48xf32>, tensor<4x48xf32>) -> tensor<4x48xf32>
  %s1 = graph.add %a4, %lkn : (tensor<4x48xf32>, tensor<4x48xf32>) -> tensor<4x48xf32>
  // CHECK: graph.add %{{.*}}, %{{.*}} : (tensor<4x48xf32>, tensor<48xf32>) -> tensor<4x48xf32>
  %s2 = graph.add %s1, %bias : (tensor<4x48xf32>, tensor<48xf32>) -> tensor<4x48xf32>
  // CHECK: graph.mul %{{.*}}, %{{.*}} : (tensor<4x48xf32>, tensor<1x48xf32>) -> tensor<4x48xf32>
  %r = graph.take_row %s2, %row : (tensor<4x48xf32>, index) -> tensor<1x48xf32>
  %s3 = graph.mul %s2, %r : (tensor<4x48xf32>, tensor<1x48xf32>) -> tensor<4x48xf32>
  // CHECK: graph.take_row %{{.*}}, %{{.*}} : (tensor<4x32xf32>, index) -> tensor<1x32xf32>
  %last = graph.take_row %mm, %row : (tensor<4x32xf32>, index) -> tensor<1x32xf32>
  // CHECK: graph.cast %{{.*}} : tensor<1x32xf32> to tensor<1x32xf16>
  %h = graph.cast %last : tensor<1x32xf32> to tensor<1x32xf16>
  // CHECK: graph.cast %{{.*}} : tensor<1x32xf16> to tensor<1x32xf32>
  %f = graph.cast %h : tensor<1x32xf16> to tensor<1x32xf32>
  return %f : tensor<1x32xf32>
}

// CHECK-LABEL: func.func @attention_ops
func.func @attention_ops(%q: tensor<4x32xf32>, %k: tensor<4x16xf32>, %v: tensor<4x16xf32>,
                         %pos: index) -> tensor<4x32xf32> {
  // CHECK: graph.rope %{{.*}}, %{{.*}} {head_dim = 8 : i64, style = #graph<rope_style interleaved>, theta = 1.000000e+04 : f64} : (tensor<4x32xf32>, index) -> tensor<4x32xf32>
  %qr = graph.rope %q, %pos {head_dim = 8 : i64, theta = 1.0e+04 : f64, style = #graph<rope_style interleaved>}
      : (tensor<4x32xf32>, index) -> tensor<4x32xf32>
  // CHECK: graph.rope %{{.*}}, %{{.*}} {head_dim = 8 : i64, style = #graph<rope_style half_split>, theta = 5.000000e+05 : f64} : (tensor<4x16xf32>, index) -> tensor<4x16xf32>
  %kr = graph.rope %k, %pos {head_dim = 8 : i64, theta = 5.0e+05 : f64, style = #graph<rope_style half_split>}
      : (tensor<4x16xf32>, index) -> tensor<4x16xf32>
  // CHECK: graph.attention %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {cache = @kv, head_dim = 8 : i64, layer = 1 : i64, num_heads = 4 : i64, num_kv_heads = 2 : i64} : (tensor<4x32xf32>, tensor<4x16xf32>, tensor<4x16xf32>, index) -> tensor<4x32xf32>
  %a = graph.attention %qr, %kr, %v, %pos {cache = @kv, layer = 1 : i64, num_heads = 4 : i64,
                                          num_kv_heads = 2 : i64, head_dim = 8 : i64}
      : (tensor<4x32xf32>, tensor<4x16xf32>, tensor<4x16xf32>, index) -> tensor<4x32xf32>
  // CHECK: graph.attention {{.*}}scale = 1.250000e-01 : f64
  %b = graph.attention %a, %kr, %v, %pos {cache = @kv, layer = 0 : i64, num_heads = 4 : i64,
                                          num_kv_heads = 2 : i64, head_dim = 8 : i64, scale = 0.125 : f64}
      : (tensor<4x32xf32>, tensor<4x16xf32>, tensor<4x16xf32>, index) -> tensor<4x32xf32>
  return %b : tensor<4x32xf32>
}

// CHECK-LABEL: func.func @quantized_weights
func.func @quantized_weights(%x: tensor<4x32xf32>) -> (tensor<4x48xf32>, tensor<4x48xf32>) {
  // CHECK: graph.weight_ref @w8 : tensor<48x32xi8>
  %w8 = graph.weight_ref @w8 : tensor<48x32xi8>
  %w4 = graph.weight_ref @w4 : tensor<48x32xi4>
  // CHECK: graph.linear %{{.*}}, %{{.*}} : (tensor<4x32xf32>, tensor<48x32xi8>) -> tensor<4x48xf32>
  %a = graph.linear %x, %w8 : (tensor<4x32xf32>, tensor<48x32xi8>) -> tensor<4x48xf32>
  %b = graph.linear %x, %w4 : (tensor<4x32xf32>, tensor<48x32xi4>) -> tensor<4x48xf32>
  return %a, %b : tensor<4x48xf32>, tensor<4x48xf32>
}

// CHECK-LABEL: func.func @fused_linears
func.func @fused_linears(%x: tensor<4x32xf32>, %r: tensor<4x48xf32>) -> (tensor<4x48xf32>, tensor<4x48xf32>) {
  %w = graph.weight_ref @w : tensor<48x32xf32>
  %wh = graph.weight_ref @wh : tensor<48x32xf16>
  %bias = graph.weight_ref @bias : tensor<48xf32>
  %g = graph.weight_ref @gain : tensor<32xf32>
  %b = graph.weight_ref @beta : tensor<32xf32>
  %wkn = graph.weight_ref @w_kn : tensor<32x48xf32>
  // CHECK: graph.fused_linear %{{.*}} weights(%{{.*}}) : (tensor<4x32xf32>, tensor<48x32xf32>) -> tensor<4x48xf32>
  %0 = graph.fused_linear %x weights(%w) : (tensor<4x32xf32>, tensor<48x32xf32>) -> tensor<4x48xf32>
  // CHECK: graph.fused_linear %{{.*}} weights(%{{.*}}) biases(%{{.*}}) norm(%{{.*}}, %{{.*}}) residual(%{{.*}}) {activation = #graph<activation gelu_tanh>, eps = 9.765625E-4 : f64, norm = #graph<norm layer>}
  %1 = graph.fused_linear %x weights(%w) biases(%bias) norm(%g, %b) residual(%r)
      {activation = #graph<activation gelu_tanh>, norm = #graph<norm layer>, eps = 9.765625e-04 : f64}
      : (tensor<4x32xf32>, tensor<48x32xf32>, tensor<48xf32>, tensor<32xf32>, tensor<32xf32>, tensor<4x48xf32>) -> tensor<4x48xf32>
  // CHECK: %{{.*}}:2 = graph.fused_linear %{{.*}} weights(%{{.*}}, %{{.*}}) norm(%{{.*}}) {norm = #graph<norm rms>}
  %2:2 = graph.fused_linear %x weights(%w, %wh) norm(%g) {norm = #graph<norm rms>}
      : (tensor<4x32xf32>, tensor<48x32xf32>, tensor<48x32xf16>, tensor<32xf32>) -> (tensor<4x48xf32>, tensor<4x48xf32>)
  // CHECK: graph.fused_linear %{{.*}} weights(%{{.*}}, %{{.*}}) {activation = #graph<activation swiglu>} : (tensor<4x32xf32>, tensor<48x32xf32>, tensor<48x32xf16>) -> tensor<4x48xf32>
  %3 = graph.fused_linear %x weights(%w, %wh) {activation = #graph<activation swiglu>}
      : (tensor<4x32xf32>, tensor<48x32xf32>, tensor<48x32xf16>) -> tensor<4x48xf32>
  // CHECK: graph.fused_linear %{{.*}} weights(%{{.*}}) {activation = #graph<activation relu>, weight_layout = #graph<weight_layout kn>}
  %4 = graph.fused_linear %x weights(%wkn) {activation = #graph<activation relu>, weight_layout = #graph<weight_layout kn>}
      : (tensor<4x32xf32>, tensor<32x48xf32>) -> tensor<4x48xf32>
  // CHECK: graph.fused_linear %{{.*}} weights(%{{.*}}) {activation = #graph<activation silu>}
  %5 = graph.fused_linear %x weights(%w) {activation = #graph<activation silu>} : (tensor<4x32xf32>, tensor<48x32xf32>) -> tensor<4x48xf32>
  // CHECK: graph.fused_linear %{{.*}} weights(%{{.*}}) {activation = #graph<activation gelu_erf>}
  %6 = graph.fused_linear %x weights(%w) {activation = #graph<activation gelu_erf>} : (tensor<4x32xf32>, tensor<48x32xf32>) -> tensor<4x48xf32>
  %s0 = graph.add %0, %2#0 : (tensor<4x48xf32>, tensor<4x48xf32>) -> tensor<4x48xf32>
  %s1 = graph.add %s0, %2#1 : (tensor<4x48xf32>, tensor<4x48xf32>) -> tensor<4x48xf32>
  %s2 = graph.add %s1, %3 : (tensor<4x48xf32>, tensor<4x48xf32>) -> tensor<4x48xf32>
  %s3 = graph.add %s2, %4 : (tensor<4x48xf32>, tensor<4x48xf32>) -> tensor<4x48xf32>
  %s4 = graph.add %s3, %5 : (tensor<4x48xf32>, tensor<4x48xf32>) -> tensor<4x48xf32>
  %s5 = graph.add %s4, %6 : (tensor<4x48xf32>, tensor<4x48xf32>) -> tensor<4x48xf32>
  return %1, %s5 : tensor<4x48xf32>, tensor<4x48xf32>
}
