// RUN: strata-opt %s --split-input-file --strata-graph-to-npu --verify-diagnostics

// What the lowering cannot do is an error on the graph op, saying why.

module {
  graph.weight @w : tensor<64x32xi8> {quant = #graph.quant<per_channel, 0, f32>}
  func.func @main(%x: tensor<1x64xf32>) -> tensor<1x32xf32> attributes {graph.entry} {
    %w = graph.weight_ref @w : tensor<64x32xi8>
    // expected-error @+1 {{cannot be lowered to the NPU: quantized weights must be in nk layout}}
    %y = graph.linear %x, %w {weight_layout = #graph<weight_layout kn>} : (tensor<1x64xf32>, tensor<64x32xi8>) -> tensor<1x32xf32>
    return %y : tensor<1x32xf32>
  }
}

// -----

module {
  graph.kv_cache @kv_cache {layers = 1 : i64, max_seq = 4 : i64, kv_heads = 1 : i64, head_dim = 8 : i64, element_type = f32}
  func.func @prefill(%q: tensor<8x8xf32>, %pos: index) -> tensor<8x8xf32> attributes {graph.entry} {
    // expected-error @+1 {{a chunk of 8 rows exceeds the KV cache's max_seq 4}}
    %o = graph.attention %q, %q, %q, %pos {cache = @kv_cache, layer = 0 : i64, num_heads = 1 : i64, num_kv_heads = 1 : i64, head_dim = 8 : i64} : (tensor<8x8xf32>, tensor<8x8xf32>, tensor<8x8xf32>, index) -> tensor<8x8xf32>
    return %o : tensor<8x8xf32>
  }
}

// -----

module {
  func.func @main(%x: tensor<2x8xf32>, %i: index) -> tensor<2x8xf32> attributes {graph.entry} {
    %c = arith.constant 3 : index
    // expected-error @+1 {{computes an index the NPU lowering does not support}}
    %d = arith.divui %i, %c : index
    %r = graph.rope %x, %d {head_dim = 8 : i64, theta = 1.0e+04 : f64, style = #graph<rope_style interleaved>} : (tensor<2x8xf32>, index) -> tensor<2x8xf32>
    return %r : tensor<2x8xf32>
  }
}

// -----

module {
  func.func @main(%x: tensor<2x8xf32>) -> tensor<2x8xf32> attributes {graph.entry} {
    // expected-error @+1 {{returns an argument or a weight; the NPU lowering needs a computed result}}
    return %x : tensor<2x8xf32>
  }
}

// -----

// expected-error @+1 {{the module has no entry function}}
module {
  func.func private @decl(%x: tensor<2x8xf32>) -> tensor<2x8xf32>
}
