// RUN: strata-opt %s '-strata-graph-pipeline=policy=mixed' | FileCheck %s
// RUN: strata-opt %s '-strata-graph-pipeline=fuse=false policy=int8' | FileCheck %s --check-prefix=NOFUSE
// RUN: strata-opt %s -strata-graph-pipeline --mlir-print-ir-after-all -o /dev/null 2>&1 | FileCheck %s --check-prefix=DUMP

// DUMP: IR Dump After GraphFusePass (strata-graph-fuse)
// DUMP: graph.fused_linear
// DUMP: IR Dump After GraphQuantizePass (strata-graph-quantize)
// DUMP: graph.quantize_stats = {{{.*}}policy = "fp32"

// CHECK-LABEL: module attributes {graph.quantize_stats = {{{.*}}policy = "mixed"{{.*}}weights_f16 = 1 : i64{{.*}}weights_i8 = 3 : i64
// CHECK: graph.weight @wq : tensor<16x16xf16>
// CHECK: graph.weight @w1 : tensor<32x16xi8>
// CHECK-LABEL: func.func @block
// CHECK-SAME: graph.fusion_stats = {activation = 0 : i64, bias = 0 : i64, horizontal_groups = 0 : i64, horizontal_linears = 0 : i64, norm_prologue = 2 : i64, ops_after = 3 : i64, ops_before = 10 : i64, residual = 2 : i64, swiglu = 1 : i64}
// CHECK: %[[A:.*]] = graph.fused_linear %arg0 weights(%{{.*}}) norm(%{{.*}}) residual(%arg0) {norm = #graph<norm rms>} : (tensor<2x16xf32>, tensor<16x16xf16>, tensor<16xf32>, tensor<2x16xf32>) -> tensor<2x16xf32>
// CHECK: %[[H:.*]] = graph.fused_linear %[[A]] weights(%{{.*}}, %{{.*}}) norm(%{{.*}}) {activation = #graph<activation swiglu>, norm = #graph<norm rms>} : (tensor<2x16xf32>, tensor<32x16xi8>, tensor<32x16xi8>, tensor<16xf32>) -> tensor<2x32xf32>
// CHECK: graph.fused_linear %[[H]] weights(%{{.*}}) residual(%[[A]]) : (tensor<2x32xf32>, tensor<16x32xi8>, tensor<2x16xf32>) -> tensor<2x16xf32>

// NOFUSE-LABEL: func.func @block
// NOFUSE-NOT: graph.fusion_stats
// NOFUSE: graph.rms_norm
// NOFUSE: graph.linear %{{.*}}, %{{.*}} : (tensor<2x16xf32>, tensor<16x16xi8>) -> tensor<2x16xf32>
graph.weight @g1 : tensor<16xf32> {role = "norm", seed = 1 : i64}
graph.weight @wq : tensor<16x16xf32> {role = "attention", seed = 2 : i64}
graph.weight @g2 : tensor<16xf32> {role = "norm", seed = 3 : i64}
graph.weight @w1 : tensor<32x16xf32> {role = "ffn", seed = 4 : i64}
graph.weight @w3 : tensor<32x16xf32> {role = "ffn", seed = 5 : i64}
graph.weight @w2 : tensor<16x32xf32> {role = "ffn", seed = 6 : i64}
func.func @block(%x: tensor<2x16xf32>) -> tensor<2x16xf32> {
  %g1 = graph.weight_ref @g1 : tensor<16xf32>
  %n1 = graph.rms_norm %x, %g1 {eps = 1.0e-05 : f64} : (tensor<2x16xf32>, tensor<16xf32>) -> tensor<2x16xf32>
  %wq = graph.weight_ref @wq : tensor<16x16xf32>
  %q = graph.linear %n1, %wq : (tensor<2x16xf32>, tensor<16x16xf32>) -> tensor<2x16xf32>
  %a = graph.add %x, %q : (tensor<2x16xf32>, tensor<2x16xf32>) -> tensor<2x16xf32>
  %g2 = graph.weight_ref @g2 : tensor<16xf32>
  %n2 = graph.rms_norm %a, %g2 {eps = 1.0e-05 : f64} : (tensor<2x16xf32>, tensor<16xf32>) -> tensor<2x16xf32>
  %w1 = graph.weight_ref @w1 : tensor<32x16xf32>
  %gate = graph.linear %n2, %w1 : (tensor<2x16xf32>, tensor<32x16xf32>) -> tensor<2x32xf32>
  %w3 = graph.weight_ref @w3 : tensor<32x16xf32>
  %up = graph.linear %n2, %w3 : (tensor<2x16xf32>, tensor<32x16xf32>) -> tensor<2x32xf32>
  %s = graph.silu %gate : tensor<2x32xf32>
  %h = graph.mul %s, %up : (tensor<2x32xf32>, tensor<2x32xf32>) -> tensor<2x32xf32>
  %w2 = graph.weight_ref @w2 : tensor<16x32xf32>
  %d = graph.linear %h, %w2 : (tensor<2x32xf32>, tensor<16x32xf32>) -> tensor<2x16xf32>
  %o = graph.add %a, %d : (tensor<2x16xf32>, tensor<2x16xf32>) -> tensor<2x16xf32>
  return %o : tensor<2x16xf32>
}
