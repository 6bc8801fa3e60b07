// RUN: strata-opt %s -split-input-file -strata-graph-fuse | FileCheck %s
// RUN: strata-opt %s -split-input-file -strata-graph-fuse=epilogue=false | FileCheck %s --check-prefix=NOEPI
// RUN: strata-opt %s -split-input-file -strata-graph-fuse=prologue=false | FileCheck %s --check-prefix=NOPRO
// RUN: strata-opt %s -split-input-file -strata-graph-fuse=horizontal=false | FileCheck %s --check-prefix=NOHOR
// RUN: strata-opt %s -split-input-file -strata-graph-fuse=swiglu=false | FileCheck %s --check-prefix=NOSWI

// Bias, activation and residual in one chain: the order of the fused
// kernel's stages is the order of the ops it replaces.
// CHECK-LABEL: func.func @epilogue_chain
// CHECK-SAME: graph.fusion_stats = {activation = 1 : i64, bias = 1 : i64, horizontal_groups = 0 : i64, horizontal_linears = 0 : i64, norm_prologue = 0 : i64, ops_after = 1 : i64, ops_before = 4 : i64, residual = 1 : i64, swiglu = 0 : i64}
// CHECK-NEXT: %[[F:.*]] = graph.fused_linear %arg0 weights(%arg1) biases(%arg2) residual(%arg3) {activation = #graph<activation gelu_tanh>}
// CHECK-NEXT: return %[[F]]
// NOEPI-LABEL: func.func @epilogue_chain
// NOEPI: graph.linear
// NOEPI: graph.add
// NOEPI: graph.gelu
// NOEPI: graph.add
// NOEPI-NOT: graph.fused_linear
// NOEPI: return
func.func @epilogue_chain(%x: tensor<4x8xf32>, %w: tensor<16x8xf32>, %b: tensor<16xf32>,
                          %r: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %0 = graph.linear %x, %w : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x16xf32>
  %1 = graph.add %0, %b : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  %2 = graph.gelu %1 {approximate = #graph<gelu_approx tanh>} : tensor<4x16xf32>
  %3 = graph.add %2, %r : (tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  return %3 : tensor<4x16xf32>
}

// -----

// CHECK-LABEL: func.func @epilogue_relu
// CHECK-NEXT: graph.fused_linear %arg0 weights(%arg1) {activation = #graph<activation relu>}
// CHECK-NEXT: return
func.func @epilogue_relu(%x: tensor<4x8xf32>, %w: tensor<16x8xf32>) -> tensor<4x16xf32> {
  %0 = graph.linear %x, %w : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x16xf32>
  %1 = graph.relu %0 : tensor<4x16xf32>
  return %1 : tensor<4x16xf32>
}

// -----

// The linear's own bias stays a bias; gelu (erf) becomes the epilogue.
// CHECK-LABEL: func.func @epilogue_gelu_after_biased_linear
// CHECK-NEXT: graph.fused_linear %arg0 weights(%arg1) biases(%arg2) {activation = #graph<activation gelu_erf>, weight_layout = #graph<weight_layout kn>}
// CHECK-NEXT: return
func.func @epilogue_gelu_after_biased_linear(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>,
                                             %b: tensor<16xf32>) -> tensor<4x16xf32> {
  %0 = graph.linear %x, %w, %b {weight_layout = #graph<weight_layout kn>} : (tensor<4x8xf32>, tensor<8x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  %1 = graph.gelu %0 : tensor<4x16xf32>
  return %1 : tensor<4x16xf32>
}

// -----

// The residual may be either operand of the add.
// CHECK-LABEL: func.func @epilogue_residual_lhs
// CHECK-NEXT: graph.fused_linear %arg0 weights(%arg1) residual(%arg2)
// CHECK-NEXT: return
func.func @epilogue_residual_lhs(%x: tensor<4x8xf32>, %w: tensor<16x8xf32>,
                                 %r: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %0 = graph.linear %x, %w : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x16xf32>
  %1 = graph.add %r, %0 : (tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  return %1 : tensor<4x16xf32>
}

// -----

// A product that is also used elsewhere must stay materialised.
// CHECK-LABEL: func.func @epilogue_needs_single_user
// CHECK-NEXT: %[[L:.*]] = graph.linear
// CHECK-NEXT: graph.silu %[[L]]
// CHECK-NOT: graph.fused_linear
func.func @epilogue_needs_single_user(%x: tensor<4x8xf32>, %w: tensor<16x8xf32>)
    -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  %0 = graph.linear %x, %w : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x16xf32>
  %1 = graph.silu %0 : tensor<4x16xf32>
  return %0, %1 : tensor<4x16xf32>, tensor<4x16xf32>
}

// -----

// A vector added after the activation is not a bias (a bias precedes the
// activation), and a broadcast vector is not a residual.
// CHECK-LABEL: func.func @epilogue_vector_after_activation
// CHECK-NEXT: %[[F:.*]] = graph.fused_linear %arg0 weights(%arg1) {activation = #graph<activation silu>}
// CHECK-NEXT: graph.add %[[F]], %arg2 : (tensor<4x16xf32>, tensor<16xf32>)
func.func @epilogue_vector_after_activation(%x: tensor<4x8xf32>, %w: tensor<16x8xf32>,
                                            %v: tensor<16xf32>) -> tensor<4x16xf32> {
  %0 = graph.linear %x, %w : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x16xf32>
  %1 = graph.silu %0 : tensor<4x16xf32>
  %2 = graph.add %1, %v : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  return %2 : tensor<4x16xf32>
}

// -----

// A gated FFN: norm prologue, gate/up and silu(gate) * up in one kernel,
// and the down projection with its residual in another.
// CHECK-LABEL: func.func @swiglu_ffn
// CHECK-SAME: norm_prologue = 1 : i64, ops_after = 2 : i64, ops_before = 7 : i64, residual = 1 : i64, swiglu = 1 : i64
// CHECK-NEXT: %[[H:.*]] = graph.fused_linear %arg0 weights(%arg2, %arg3) norm(%arg1) {activation = #graph<activation swiglu>, eps = 9.765625E-4 : f64, norm = #graph<norm rms>} : (tensor<4x8xf32>, tensor<16x8xf32>, tensor<16x8xf32>, tensor<8xf32>) -> tensor<4x16xf32>
// CHECK-NEXT: %[[D:.*]] = graph.fused_linear %[[H]] weights(%arg4) residual(%arg0)
// CHECK-NEXT: return %[[D]]
// Without swiglu, silu is the gate's epilogue, which keeps gate and up apart.
// NOSWI-LABEL: func.func @swiglu_ffn
// NOSWI: %[[UP:.*]] = graph.fused_linear %arg0 weights(%arg3) norm(%arg1)
// NOSWI: %[[GATE:.*]] = graph.fused_linear %arg0 weights(%arg2) norm(%arg1) {activation = #graph<activation silu>
// NOSWI: graph.mul %[[GATE]], %[[UP]]
// NOPRO-LABEL: func.func @swiglu_ffn
// NOPRO: %[[N:.*]] = graph.rms_norm
// NOPRO: graph.fused_linear %[[N]] weights(%arg2, %arg3) {activation = #graph<activation swiglu>}
func.func @swiglu_ffn(%x: tensor<4x8xf32>, %g: tensor<8xf32>, %w1: tensor<16x8xf32>,
                      %w3: tensor<16x8xf32>, %w2: tensor<8x16xf32>) -> tensor<4x8xf32> {
  %n = graph.rms_norm %x, %g {eps = 9.765625e-04 : f64} : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %gate = graph.linear %n, %w1 : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x16xf32>
  %up = graph.linear %n, %w3 : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x16xf32>
  %s = graph.silu %gate : tensor<4x16xf32>
  %h = graph.mul %s, %up : (tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  %d = graph.linear %h, %w2 : (tensor<4x16xf32>, tensor<8x16xf32>) -> tensor<4x8xf32>
  %o = graph.add %x, %d : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %o : tensor<4x8xf32>
}

// -----

// up * silu(gate): the gate is whichever product goes through silu.
// CHECK-LABEL: func.func @swiglu_operands_swapped
// CHECK-NEXT: graph.fused_linear %arg0 weights(%arg1, %arg2) {activation = #graph<activation swiglu>}
// CHECK-NEXT: return
func.func @swiglu_operands_swapped(%x: tensor<4x8xf32>, %wg: tensor<16x8xf32>,
                                   %wu: tensor<16x8xf32>) -> tensor<4x16xf32> {
  %up = graph.linear %x, %wu : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x16xf32>
  %gate = graph.linear %x, %wg : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x16xf32>
  %s = graph.silu %gate : tensor<4x16xf32>
  %h = graph.mul %up, %s : (tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  return %h : tensor<4x16xf32>
}

// -----

// Gate and up reading different inputs are not a gated pair.
// CHECK-LABEL: func.func @swiglu_needs_shared_input
// CHECK-NOT: activation swiglu
// CHECK: graph.mul
func.func @swiglu_needs_shared_input(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>,
                                     %wg: tensor<16x8xf32>, %wu: tensor<16x8xf32>) -> tensor<4x16xf32> {
  %gate = graph.linear %x, %wg : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x16xf32>
  %up = graph.linear %y, %wu : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x16xf32>
  %s = graph.silu %gate : tensor<4x16xf32>
  %h = graph.mul %s, %up : (tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  return %h : tensor<4x16xf32>
}

// -----

// Q/K/V: one kernel with three results. Weight reads between the members
// are hoisted above the fused op; the rope on q stays where it was.
graph.weight @wq : tensor<16x8xf32>
graph.weight @wk : tensor<8x8xf32>
graph.weight @wv : tensor<8x8xf32>
// CHECK-LABEL: func.func @horizontal_qkv
// CHECK-SAME: horizontal_groups = 1 : i64, horizontal_linears = 3 : i64, norm_prologue = 1 : i64
// CHECK-DAG: %[[WQ:.*]] = graph.weight_ref @wq
// CHECK-DAG: %[[WK:.*]] = graph.weight_ref @wk
// CHECK-DAG: %[[WV:.*]] = graph.weight_ref @wv
// CHECK: %[[QKV:.*]]:3 = graph.fused_linear %arg0 weights(%[[WQ]], %[[WK]], %[[WV]]) norm(%arg1) {eps = 9.765625E-4 : f64, norm = #graph<norm rms>} : (tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<8x8xf32>, tensor<8xf32>) -> (tensor<4x16xf32>, tensor<4x8xf32>, tensor<4x8xf32>)
// CHECK-NEXT: %[[Q:.*]] = graph.rope %[[QKV]]#0
// CHECK-NEXT: %[[K:.*]] = graph.rope %[[QKV]]#1
// CHECK-NEXT: return %[[Q]], %[[K]], %[[QKV]]#2
// NOHOR-LABEL: func.func @horizontal_qkv
// NOHOR-COUNT-3: graph.fused_linear %arg0 weights(%{{.*}}) norm(%arg1)
// NOHOR-NOT: graph.rms_norm
// NOHOR: return
func.func @horizontal_qkv(%x: tensor<4x8xf32>, %g: tensor<8xf32>, %pos: index)
    -> (tensor<4x16xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  %n = graph.rms_norm %x, %g {eps = 9.765625e-04 : f64} : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %wq = graph.weight_ref @wq : tensor<16x8xf32>
  %q = graph.linear %n, %wq : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x16xf32>
  %qr = graph.rope %q, %pos {head_dim = 4 : i64, theta = 1.0e+04 : f64, style = #graph<rope_style interleaved>} : (tensor<4x16xf32>, index) -> tensor<4x16xf32>
  %wk = graph.weight_ref @wk : tensor<8x8xf32>
  %k = graph.linear %n, %wk : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  %kr = graph.rope %k, %pos {head_dim = 4 : i64, theta = 1.0e+04 : f64, style = #graph<rope_style interleaved>} : (tensor<4x8xf32>, index) -> tensor<4x8xf32>
  %wv = graph.weight_ref @wv : tensor<8x8xf32>
  %v = graph.linear %n, %wv : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  return %qr, %kr, %v : tensor<4x16xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// GPT-2 style: layer norm, [in, out] weights with biases.
// CHECK-LABEL: func.func @horizontal_layer_norm_kn_biases
// CHECK-NEXT: %{{.*}}:3 = graph.fused_linear %arg0 weights(%arg3, %arg4, %arg5) biases(%arg6, %arg7, %arg8) norm(%arg1, %arg2) {eps = 9.765625E-4 : f64, norm = #graph<norm layer>, weight_layout = #graph<weight_layout kn>}
// CHECK-NEXT: return
func.func @horizontal_layer_norm_kn_biases(%x: tensor<4x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>,
    %wq: tensor<8x8xf32>, %wk: tensor<8x8xf32>, %wv: tensor<8x8xf32>,
    %bq: tensor<8xf32>, %bk: tensor<8xf32>, %bv: tensor<8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  %n = graph.layer_norm %x, %g, %b {eps = 9.765625e-04 : f64} : (tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %q = graph.linear %n, %wq, %bq {weight_layout = #graph<weight_layout kn>} : (tensor<4x8xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %k = graph.linear %n, %wk, %bk {weight_layout = #graph<weight_layout kn>} : (tensor<4x8xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %v = graph.linear %n, %wv, %bv {weight_layout = #graph<weight_layout kn>} : (tensor<4x8xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %q, %k, %v : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// Siblings whose kernels differ (bias or no bias; different layout) stay apart.
// CHECK-LABEL: func.func @horizontal_needs_same_kernel
// CHECK-COUNT-3: graph.linear
// CHECK-NOT: graph.fused_linear
// CHECK: return
func.func @horizontal_needs_same_kernel(%x: tensor<4x8xf32>, %w: tensor<8x8xf32>, %b: tensor<8xf32>)
    -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  %0 = graph.linear %x, %w : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  %1 = graph.linear %x, %w, %b : (tensor<4x8xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %2 = graph.linear %x, %w {weight_layout = #graph<weight_layout kn>} : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  return %0, %1, %2 : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// A weight computed after the first sibling cannot be hoisted: that sibling
// stays out of the group.
// CHECK-LABEL: func.func @horizontal_operand_not_available
// CHECK: graph.linear %arg0, %arg1
// CHECK: graph.matmul
// CHECK: graph.linear %arg0
func.func @horizontal_operand_not_available(%x: tensor<4x8xf32>, %w: tensor<8x8xf32>,
                                            %a: tensor<8x4xf32>, %c: tensor<4x8xf32>)
    -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %0 = graph.linear %x, %w : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  %w2 = graph.matmul %a, %c : (tensor<8x4xf32>, tensor<4x8xf32>) -> tensor<8x8xf32>
  %1 = graph.linear %x, %w2 : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  return %0, %1 : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// The final norm into the classifier is a prologue.
// CHECK-LABEL: func.func @prologue_classifier
// CHECK-NEXT: graph.fused_linear %arg0 weights(%arg2) norm(%arg1) {norm = #graph<norm rms>} : (tensor<1x8xf32>, tensor<32x8xf32>, tensor<8xf32>) -> tensor<1x32xf32>
// CHECK-NEXT: return
// NOPRO-LABEL: func.func @prologue_classifier
// NOPRO-NEXT: graph.rms_norm
// NOPRO-NEXT: graph.linear
func.func @prologue_classifier(%x: tensor<1x8xf32>, %g: tensor<8xf32>, %w: tensor<32x8xf32>) -> tensor<1x32xf32> {
  %n = graph.rms_norm %x, %g {eps = 1.0e-05 : f64} : (tensor<1x8xf32>, tensor<8xf32>) -> tensor<1x8xf32>
  %l = graph.linear %n, %w : (tensor<1x8xf32>, tensor<32x8xf32>) -> tensor<1x32xf32>
  return %l : tensor<1x32xf32>
}

// -----

// A norm with a user other than a linear's input (here the residual of the
// fused kernel) is computed once, unfused.
// CHECK-LABEL: func.func @prologue_needs_only_linear_users
// CHECK-NEXT: %[[N:.*]] = graph.layer_norm
// CHECK-NEXT: graph.fused_linear %[[N]] weights(%arg2) residual(%[[N]])
// CHECK-NEXT: return
func.func @prologue_needs_only_linear_users(%x: tensor<4x8xf32>, %g: tensor<8xf32>, %w: tensor<8x8xf32>) -> tensor<4x8xf32> {
  %n = graph.layer_norm %x, %g, %g {eps = 1.0e-05 : f64} : (tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %l = graph.linear %n, %w : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  %s = graph.add %n, %l : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %s : tensor<4x8xf32>
}

// -----

// LayerNorm and GELU away from linears stay single ops: fusion never splits
// them into elementwise pieces.
// CHECK-LABEL: func.func @single_kernels
// CHECK-NEXT: graph.layer_norm
// CHECK-NEXT: graph.gelu
// CHECK-NEXT: return
func.func @single_kernels(%x: tensor<4x8xf32>, %g: tensor<8xf32>) -> tensor<4x8xf32> {
  %n = graph.layer_norm %x, %g, %g {eps = 1.0e-05 : f64} : (tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %y = graph.gelu %n {approximate = #graph<gelu_approx tanh>} : tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
