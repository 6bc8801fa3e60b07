// RUN: strata-opt %s --split-input-file --strata-graph-to-npu="cores=4" | FileCheck %s

// A linear layer small enough for one core (under 64 KiB of weight) runs on
// the core that wrote its input when one core did: a chain of small layers
// (a decode step of a small model) stays on one core, each reading its
// input from HBM behind that core's own store, with no barrier between the
// kernels, and the other cores stay idle.
// CHECK-LABEL: npu.entry @chain
// CHECK: npu.core 0 {
// CHECK: npu.gemm m 1 n 64 k 64
// CHECK-NEXT: npu.dma_store %{{[0-9]+}}[0] to @[[A:chain.t[0-9]+]][0] size [256]
// CHECK-NOT: npu.barrier
// CHECK: npu.dma_load %{{[0-9]+}}[0] from @[[A]][0] size [256]
// CHECK: npu.dma_store %{{[0-9]+}}[0] to @[[B:chain.t[0-9]+]][0] size [256]
// CHECK-NOT: npu.barrier
// CHECK: npu.dma_load %{{[0-9]+}}[0] from @[[B]][0] size [256]
// CHECK: npu.dma_store %{{[0-9]+}}[0] to @logits[0] size [256] {{.*}}
// CHECK-NEXT: }
// CHECK-NEXT: npu.core 1 {
// CHECK-NEXT: }
// CHECK-NEXT: npu.core 2 {
// CHECK-NEXT: }
// CHECK-NEXT: npu.core 3 {
// CHECK-NEXT: }
module {
  graph.weight @w1 : tensor<64x64xf32>
  graph.weight @w2 : tensor<64x64xf32>
  graph.weight @w3 : tensor<64x64xf32>
  func.func @chain(%x: tensor<1x64xf32>) -> tensor<1x64xf32> attributes {graph.entry} {
    %w1 = graph.weight_ref @w1 : tensor<64x64xf32>
    %w2 = graph.weight_ref @w2 : tensor<64x64xf32>
    %w3 = graph.weight_ref @w3 : tensor<64x64xf32>
    %a = graph.linear %x, %w1 : (tensor<1x64xf32>, tensor<64x64xf32>) -> tensor<1x64xf32>
    %b = graph.linear %a, %w2 : (tensor<1x64xf32>, tensor<64x64xf32>) -> tensor<1x64xf32>
    %c = graph.linear %b, %w3 : (tensor<1x64xf32>, tensor<64x64xf32>) -> tensor<1x64xf32>
    return %c : tensor<1x64xf32>
  }
}

// -----

// The outputs of a fused layer (Q/K/V) whose input one core wrote go to that
// core as well: each is a few hundred cycles of work, less than the barrier
// and the HBM round trip that another core would cost.
// CHECK-LABEL: npu.entry @siblings
// CHECK: npu.core 0 {
// CHECK: npu.dma_load %{{[0-9]+}}[0] from @w.w0[0]
// CHECK: npu.dma_load %{{[0-9]+}}[0] from @w.wq[0]
// CHECK: npu.dma_load %{{[0-9]+}}[0] from @w.wk[0]
// CHECK: npu.dma_load %{{[0-9]+}}[0] from @w.wv[0]
// CHECK: npu.core 1 {
// CHECK-NEXT: }
module {
  graph.weight @w0 : tensor<64x64xf32>
  graph.weight @wq : tensor<64x64xf32>
  graph.weight @wk : tensor<64x64xf32>
  graph.weight @wv : tensor<64x64xf32>
  func.func @siblings(%x: tensor<1x64xf32>) -> (tensor<1x64xf32>, tensor<1x64xf32>, tensor<1x64xf32>) attributes {graph.entry} {
    %w0 = graph.weight_ref @w0 : tensor<64x64xf32>
    %wq = graph.weight_ref @wq : tensor<64x64xf32>
    %wk = graph.weight_ref @wk : tensor<64x64xf32>
    %wv = graph.weight_ref @wv : tensor<64x64xf32>
    %h = graph.linear %x, %w0 : (tensor<1x64xf32>, tensor<64x64xf32>) -> tensor<1x64xf32>
    %q, %k, %v = graph.fused_linear %h weights(%wq, %wk, %wv) : (tensor<1x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>) -> (tensor<1x64xf32>, tensor<1x64xf32>, tensor<1x64xf32>)
    return %q, %k, %v : tensor<1x64xf32>, tensor<1x64xf32>, tensor<1x64xf32>
  }
}

// -----

// An input no single core wrote (an entry's argument, or a tensor several
// cores wrote) leaves the layers on the rotation: the three outputs take
// successive cores and run side by side.
// CHECK-LABEL: npu.entry @inputs
// CHECK: npu.core 0 {
// CHECK: npu.dma_load %{{[0-9]+}}[0] from @w.wq[0]
// CHECK: npu.core 1 {
// CHECK: npu.dma_load %{{[0-9]+}}[0] from @w.wk[0]
// CHECK: npu.core 2 {
// CHECK: npu.dma_load %{{[0-9]+}}[0] from @w.wv[0]
module {
  graph.weight @wq : tensor<64x64xf32>
  graph.weight @wk : tensor<64x64xf32>
  graph.weight @wv : tensor<64x64xf32>
  func.func @inputs(%x: tensor<1x64xf32>) -> (tensor<1x64xf32>, tensor<1x64xf32>, tensor<1x64xf32>) attributes {graph.entry} {
    %wq = graph.weight_ref @wq : tensor<64x64xf32>
    %wk = graph.weight_ref @wk : tensor<64x64xf32>
    %wv = graph.weight_ref @wv : tensor<64x64xf32>
    %q, %k, %v = graph.fused_linear %x weights(%wq, %wk, %wv) : (tensor<1x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>) -> (tensor<1x64xf32>, tensor<1x64xf32>, tensor<1x64xf32>)
    return %q, %k, %v : tensor<1x64xf32>, tensor<1x64xf32>, tensor<1x64xf32>
  }
}
