// RUN: strata-opt %s -split-input-file -strata-graph-quantize=policy=mixed -verify-diagnostics
// RUN: not strata-opt %s -split-input-file '-strata-graph-quantize=policy=int4 group-size=0' 2>&1 | FileCheck %s --check-prefix=GROUP

// GROUP: error: 'graph.weight' op int4 quantization needs a positive group size, got 0

// expected-error @+1 {{the mixed policy needs a 'role' (embedding, attention, ffn or lm_head) on every matrix weight}}
graph.weight @w : tensor<8x8xf32>

// -----

// An integer weight read in kn layout is transposed with its readers; a
// reader that is not a linear kernel cannot follow.
// expected-error @+1 {{is quantized to integers and must be re-laid out from kn to nk, but graph.matmul}}
graph.weight @w : tensor<8x16xf32> {role = "ffn"}
func.func @kn_and_matmul(%x: tensor<2x8xf32>) -> (tensor<2x16xf32>, tensor<2x16xf32>) {
  %w = graph.weight_ref @w : tensor<8x16xf32>
  %a = graph.linear %x, %w {weight_layout = #graph<weight_layout kn>} : (tensor<2x8xf32>, tensor<8x16xf32>) -> tensor<2x16xf32>
  %b = graph.matmul %x, %w : (tensor<2x8xf32>, tensor<8x16xf32>) -> tensor<2x16xf32>
  return %a, %b : tensor<2x16xf32>, tensor<2x16xf32>
}

// -----

// expected-error @+1 {{cannot open weight file 'no/such/file.bin'}}
graph.weight @w : tensor<8x8xf32> {file = "no/such/file.bin", format = "f32", role = "ffn"}


// -----

// expected-error @+1 {{seeded weight has 4294967296 elements; seeded data is for tests and limited to 2^28}}
graph.weight @w : tensor<65536x65536xf32> {seed = 1 : i64, role = "ffn"}

// -----

// expected-error @+1 {{cannot change type: it is read by func.return}}
graph.weight @w : tensor<8x8xf32> {role = "ffn"}
func.func @leak() -> tensor<8x8xf32> {
  %w = graph.weight_ref @w : tensor<8x8xf32>
  return %w : tensor<8x8xf32>
}
