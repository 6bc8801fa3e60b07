// RUN: strata-opt %s -split-input-file -strata-graph-quantize=policy=int8 | FileCheck %s --check-prefix=INT8
// RUN: strata-opt %s -split-input-file '-strata-graph-quantize=policy=int4 group-size=16 scale-type=f16' | FileCheck %s --check-prefix=INT4
// RUN: strata-opt %s -split-input-file -strata-graph-quantize=policy=fp16 | FileCheck %s --check-prefix=FP16
// RUN: strata-opt %s -split-input-file -strata-graph-quantize=policy=bf16 | FileCheck %s --check-prefix=BF16
// RUN: strata-opt %s -split-input-file -strata-graph-quantize=policy=mixed | FileCheck %s --check-prefix=MIXED
// RUN: strata-opt %s -split-input-file -strata-graph-quantize=policy=fp32 | FileCheck %s --check-prefix=FP32

// One weight of each role; norm gains and biases stay f32 under every policy.
// INT8-LABEL: module attributes {graph.quantize_stats = {max_abs = {{.*}}, max_rel_rms = {{.*}}, policy = "int8", weight_bytes_after = 1312 : i64, weight_bytes_before = 4256 : i64, weights_bf16 = 0 : i64, weights_converted = 3 : i64, weights_f16 = 0 : i64, weights_i4 = 0 : i64, weights_i8 = 3 : i64, weights_transposed = 0 : i64, weights_without_data = 0 : i64}}
// INT8: graph.weight @embed : tensor<16x32xi8> {quant = #graph.quant<per_channel, 0, f32>, quant_error = {max_abs = {{.*}} : f64, rel_rms = {{.*}} : f64}, role = "embedding", seed = 1 : i64}
// INT8: graph.weight @wq : tensor<8x32xi8> {quant = #graph.quant<per_channel, 0, f32>, quant_error = {{.*}}, role = "attention", seed = 2 : i64}
// INT8: graph.weight @w1 : tensor<8x32xi8> {quant = #graph.quant<per_channel, 0, f32>, quant_error = {{.*}}, role = "ffn", seed = 3 : i64}
// INT8: graph.weight @gain : tensor<32xf32> {role = "norm", seed = 4 : i64}
// INT8: graph.weight @bias : tensor<8xf32> {role = "bias", seed = 5 : i64}
// INT8-LABEL: func.func @roles
// INT8: graph.weight_ref @embed : tensor<16x32xi8>
// INT8: graph.weight_ref @gain : tensor<32xf32>
// INT8: graph.weight_ref @wq : tensor<8x32xi8>
// INT8: graph.weight_ref @bias : tensor<8xf32>
// INT8: graph.linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x32xf32>, tensor<8x32xi8>, tensor<8xf32>) -> tensor<2x8xf32>
// INT8: graph.weight_ref @w1 : tensor<8x32xi8>

// INT4-LABEL: module attributes {graph.quantize_stats = {{{.*}}policy = "int4", weight_bytes_after = 800 : i64{{.*}}weights_i4 = 3 : i64
// INT4: graph.weight @embed : tensor<16x32xi4> {quant = #graph.quant<per_group, 16, f16>
// INT4: graph.weight @wq : tensor<8x32xi4> {quant = #graph.quant<per_group, 16, f16>
// INT4: graph.weight @w1 : tensor<8x32xi4> {quant = #graph.quant<per_group, 16, f16>
// INT4: graph.weight @gain : tensor<32xf32> {role = "norm", seed = 4 : i64}

// FP16: graph.weight @embed : tensor<16x32xf16> {quant_error = {max_abs = {{.*}}, rel_rms = {{.*}}}, role = "embedding", seed = 1 : i64}
// FP16: graph.weight @wq : tensor<8x32xf16>
// FP16: graph.weight @w1 : tensor<8x32xf16>
// FP16: graph.weight @gain : tensor<32xf32> {role = "norm", seed = 4 : i64}
// FP16: graph.weight @bias : tensor<8xf32> {role = "bias", seed = 5 : i64}

// BF16: graph.weight @embed : tensor<16x32xbf16>
// BF16: graph.weight @wq : tensor<8x32xbf16>
// BF16: graph.weight @w1 : tensor<8x32xbf16>
// BF16: graph.weight @gain : tensor<32xf32>

// mixed: attention f16, ffn int8 per channel, embedding bf16.
// MIXED-LABEL: module attributes {graph.quantize_stats = {{{.*}}policy = "mixed"{{.*}}weights_bf16 = 1 : i64, weights_converted = 3 : i64, weights_f16 = 1 : i64, weights_i4 = 0 : i64, weights_i8 = 1 : i64
// MIXED: graph.weight @embed : tensor<16x32xbf16>
// MIXED: graph.weight @wq : tensor<8x32xf16>
// MIXED: graph.weight @w1 : tensor<8x32xi8> {quant = #graph.quant<per_channel, 0, f32>
// MIXED: graph.weight @gain : tensor<32xf32>

// fp32 keeps everything as it is: nothing is converted.
// FP32-LABEL: module attributes {graph.quantize_stats = {max_abs = 0.000000e+00 : f64, max_rel_rms = 0.000000e+00 : f64, policy = "fp32", weight_bytes_after = 4256 : i64, weight_bytes_before = 4256 : i64, weights_bf16 = 0 : i64, weights_converted = 0 : i64
// FP32: graph.weight @embed : tensor<16x32xf32> {role = "embedding", seed = 1 : i64}
graph.weight @embed : tensor<16x32xf32> {role = "embedding", seed = 1 : i64}
graph.weight @wq : tensor<8x32xf32> {role = "attention", seed = 2 : i64}
graph.weight @w1 : tensor<8x32xf32> {role = "ffn", seed = 3 : i64}
graph.weight @gain : tensor<32xf32> {role = "norm", seed = 4 : i64}
graph.weight @bias : tensor<8xf32> {role = "bias", seed = 5 : i64}
func.func @roles(%ids: tensor<2xi32>) -> (tensor<2x8xf32>, tensor<2x8xf32>) {
  %e = graph.weight_ref @embed : tensor<16x32xf32>
  %x = graph.embedding %e, %ids : (tensor<16x32xf32>, tensor<2xi32>) -> tensor<2x32xf32>
  %g = graph.weight_ref @gain : tensor<32xf32>
  %n = graph.rms_norm %x, %g {eps = 1.0e-05 : f64} : (tensor<2x32xf32>, tensor<32xf32>) -> tensor<2x32xf32>
  %wq = graph.weight_ref @wq : tensor<8x32xf32>
  %b = graph.weight_ref @bias : tensor<8xf32>
  %q = graph.linear %n, %wq, %b : (tensor<2x32xf32>, tensor<8x32xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  %w1 = graph.weight_ref @w1 : tensor<8x32xf32>
  %h = graph.linear %n, %w1 : (tensor<2x32xf32>, tensor<8x32xf32>) -> tensor<2x8xf32>
  return %q, %h : tensor<2x8xf32>, tensor<2x8xf32>
}

// -----

// A tied classifier is the embedding's symbol: it follows the embedding
// (bf16 under mixed) in both of its readers. An untied lm_head is bf16 too.
// MIXED-LABEL: graph.weight @tok : tensor<64x16xbf16>
// MIXED: graph.weight @head : tensor<64x16xbf16>
// MIXED-LABEL: func.func @tied
// MIXED: graph.weight_ref @tok : tensor<64x16xbf16>
// MIXED: graph.embedding %{{.*}}, %{{.*}} : (tensor<64x16xbf16>, tensor<1xi32>) -> tensor<1x16xf32>
// MIXED: graph.weight_ref @tok : tensor<64x16xbf16>
// MIXED: graph.linear %{{.*}}, %{{.*}} : (tensor<1x16xf32>, tensor<64x16xbf16>) -> tensor<1x64xf32>
graph.weight @tok : tensor<64x16xf32> {role = "embedding", seed = 1 : i64}
graph.weight @head : tensor<64x16xf32> {role = "lm_head", seed = 2 : i64}
func.func @tied(%ids: tensor<1xi32>) -> (tensor<1x64xf32>, tensor<1x64xf32>) {
  %t = graph.weight_ref @tok : tensor<64x16xf32>
  %x = graph.embedding %t, %ids : (tensor<64x16xf32>, tensor<1xi32>) -> tensor<1x16xf32>
  %t2 = graph.weight_ref @tok : tensor<64x16xf32>
  %l = graph.linear %x, %t2 : (tensor<1x16xf32>, tensor<64x16xf32>) -> tensor<1x64xf32>
  %h = graph.weight_ref @head : tensor<64x16xf32>
  %l2 = graph.linear %x, %h : (tensor<1x16xf32>, tensor<64x16xf32>) -> tensor<1x64xf32>
  return %l, %l2 : tensor<1x64xf32>, tensor<1x64xf32>
}

// -----

// Timing-only weights (no file, no seed) change type only: no error is
// measured because there is nothing to measure.
// INT8-LABEL: module attributes {graph.quantize_stats = {{{.*}}weights_converted = 1 : i64{{.*}}weights_without_data = 1 : i64}}
// INT8: graph.weight @big : tensor<4096x4096xi8> {quant = #graph.quant<per_channel, 0, f32>, role = "ffn"}
// INT8-LABEL: func.func @timing_only
// INT8: graph.weight_ref @big : tensor<4096x4096xi8>
graph.weight @big : tensor<4096x4096xf32> {role = "ffn"}
func.func @timing_only(%x: tensor<1x4096xf32>) -> tensor<1x4096xf32> {
  %w = graph.weight_ref @big : tensor<4096x4096xf32>
  %y = graph.linear %x, %w : (tensor<1x4096xf32>, tensor<4096x4096xf32>) -> tensor<1x4096xf32>
  return %y : tensor<1x4096xf32>
}

// -----

// Integer scales run along output channels, so an integer weight read in
// kn layout is re-laid out as nk, and so is every other weight of the same
// kernel (the attention weight here stays f16 under mixed but is
// transposed with its sibling). The seed still describes the [in, out] data.
// MIXED-LABEL: module attributes {graph.quantize_stats = {{{.*}}weights_transposed = 2 : i64
// MIXED: graph.weight @up : tensor<24x8xi8> {quant = #graph.quant<per_channel, 0, f32>, quant_error = {{.*}}, role = "ffn", seed = 1 : i64, source_transposed}
// MIXED: graph.weight @side : tensor<16x8xf16> {quant_error = {{.*}}, role = "attention", seed = 2 : i64, source_transposed}
// MIXED: graph.weight @alone : tensor<8x16xf16> {quant_error = {{.*}}, role = "attention", seed = 3 : i64}
// MIXED-LABEL: func.func @kn_layout
// MIXED: graph.fused_linear %arg0 weights(%{{.*}}, %{{.*}}) : (tensor<2x8xf32>, tensor<24x8xi8>, tensor<16x8xf16>) -> (tensor<2x24xf32>, tensor<2x16xf32>)
// MIXED: graph.linear %arg0, %{{.*}} {weight_layout = #graph<weight_layout kn>} : (tensor<2x8xf32>, tensor<8x16xf16>) -> tensor<2x16xf32>
// INT8-LABEL: func.func @kn_layout
// INT8-NOT: weight_layout
// INT8: return
graph.weight @up : tensor<8x24xf32> {role = "ffn", seed = 1 : i64}
graph.weight @side : tensor<8x16xf32> {role = "attention", seed = 2 : i64}
graph.weight @alone : tensor<8x16xf32> {role = "attention", seed = 3 : i64}
func.func @kn_layout(%x: tensor<2x8xf32>) -> (tensor<2x24xf32>, tensor<2x16xf32>, tensor<2x16xf32>) {
  %u = graph.weight_ref @up : tensor<8x24xf32>
  %s = graph.weight_ref @side : tensor<8x16xf32>
  %r:2 = graph.fused_linear %x weights(%u, %s) {weight_layout = #graph<weight_layout kn>}
      : (tensor<2x8xf32>, tensor<8x24xf32>, tensor<8x16xf32>) -> (tensor<2x24xf32>, tensor<2x16xf32>)
  %a = graph.weight_ref @alone : tensor<8x16xf32>
  %y = graph.linear %x, %a {weight_layout = #graph<weight_layout kn>} : (tensor<2x8xf32>, tensor<8x16xf32>) -> tensor<2x16xf32>
  return %r#0, %r#1, %y : tensor<2x24xf32>, tensor<2x16xf32>, tensor<2x16xf32>
}
