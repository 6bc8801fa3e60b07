// RUN: strata-opt %s --split-input-file --strata-graph-to-npu="cores=4" | FileCheck %s

// A small f32 linear layer stays on one core: weight tile load (issued
// before the activation, which may wait for other cores), tensor-core
// configuration chosen for one row (16 independent arrays), GEMM with the
// bias in its epilogue, one store of the output row.
// CHECK: npu.constant @w.w = "w" payload in @weights[0] size 8192
// CHECK: npu.constant @w.b = "b" payload in @weights[8192] size 256
// CHECK-LABEL: npu.entry @small
// CHECK: npu.core 0
// CHECK: npu.dma_load %[[W:[0-9]+]][0] from @w.w[0] size [8192]
// CHECK: npu.dma_load %[[B:[0-9]+]][0] from @w.b[0] size [256]
// CHECK: npu.dma_load %[[X:[0-9]+]][0] from @input0[0] size [128]
// CHECK: npu.tc_config independent f32
// CHECK: npu.gemm m 1 n 64 k 32, %[[X]][0] ld 32 : f32, %[[W]][0] ld 32 : f32 -> %{{[0-9]+}}[0] ld 64 : f32 bias %[[B]][0] {{.*}}trans_b
// CHECK: npu.dma_store %{{[0-9]+}}[0] to @logits[0] size [256]
// CHECK: npu.core 1 {
// CHECK-NEXT: }
module {
  graph.weight @w : tensor<64x32xf32>
  graph.weight @b : tensor<64xf32>
  func.func @small(%x: tensor<1x32xf32>) -> tensor<1x64xf32> attributes {graph.entry} {
    %w = graph.weight_ref @w : tensor<64x32xf32>
    %b = graph.weight_ref @b : tensor<64xf32>
    %y = graph.linear %x, %w, %b : (tensor<1x32xf32>, tensor<64x32xf32>, tensor<64xf32>) -> tensor<1x64xf32>
    return %y : tensor<1x64xf32>
  }
}

// -----

// A larger weight is split by output columns over the cores (aligned to 32),
// each core streaming its own rows of the weight as two DMAs the engines run
// at once.
// CHECK-LABEL: npu.entry @split
// CHECK: npu.core 0
// CHECK: npu.dma_load %[[T:[0-9]+]][0] from @w.w[0] size [262144]
// CHECK-NEXT: npu.dma_load %[[T]][262144] from @w.w[262144] size [262144]
// CHECK: npu.gemm m 1 n 256 k 512
// CHECK: npu.dma_store %{{[0-9]+}}[0] to @logits[0] size [1024]
// CHECK: npu.core 1
// CHECK: npu.dma_load %{{[0-9]+}}[0] from @w.w[524288]
// CHECK: npu.gemm m 1 n 256 k 512
// CHECK: npu.dma_store %{{[0-9]+}}[0] to @logits[1024] size [1024]
// CHECK: npu.core 3
// CHECK: npu.dma_load %{{[0-9]+}}[0] from @w.w[1572864]
module {
  graph.weight @w : tensor<1024x512xf32>
  func.func @split(%x: tensor<1x512xf32>) -> tensor<1x1024xf32> attributes {graph.entry} {
    %w = graph.weight_ref @w : tensor<1024x512xf32>
    %y = graph.linear %x, %w : (tensor<1x512xf32>, tensor<1024x512xf32>) -> tensor<1x1024xf32>
    return %y : tensor<1x1024xf32>
  }
}

// -----

// int8 weights (per output channel): the input is quantized per row by the
// vector unit, and the GEMM applies both scales.
// CHECK: npu.constant @s.w = "w" scales in @weights
// CHECK-LABEL: npu.entry @int8
// CHECK: npu.vquantize rows 2 cols 64, {{.*}} : f32, {{.*}} -> {{.*}} : i8 {in1_type = f32, ld1 = 1 : i64
// CHECK: npu.tc_config independent i8
// CHECK: npu.gemm m 2 n 32 k 64, {{.*}} : i8, {{.*}} : i8 -> {{.*}} : f32 scale_a {{.*}} scale_b {{.*}} {a_scale = #npu<scale_mode per_row>, b_scale = #npu<scale_mode per_row>, {{.*}}scale_type = f32, trans_b}
module {
  graph.weight @w : tensor<32x64xi8> {quant = #graph.quant<per_channel, 0, f32>}
  func.func @int8(%x: tensor<2x64xf32>) -> tensor<2x32xf32> attributes {graph.entry} {
    %w = graph.weight_ref @w : tensor<32x64xi8>
    %y = graph.linear %x, %w : (tensor<2x64xf32>, tensor<32x64xi8>) -> tensor<2x32xf32>
    return %y : tensor<2x32xf32>
  }
}

// -----

// A fused swiglu FFN: gate and up tiles side by side in one B buffer, one
// GEMM with the swiglu epilogue; the norm prologue runs on the vector unit
// and the f16 weights get f16 inputs.
// CHECK-LABEL: npu.entry @swiglu
// CHECK: npu.dma_load %[[B:[0-9]+]][0] from @w.w1[0] size [4096]
// CHECK: npu.dma_load %[[B]][4096] from @w.w3[0] size [4096]
// CHECK: npu.vrmsnorm rows 1 cols 64
// CHECK: npu.vcast rows 1 cols 64, {{.*}} : f32 -> {{.*}} : f16
// CHECK: npu.tc_config independent f16
// CHECK: npu.gemm m 1 n 64 k 64, {{.*}} : f16, %[[B]][0] ld 64 : f16 -> {{.*}} ld 32 : f32 {act = #npu<activation swiglu>, {{.*}}trans_b}
module {
  graph.weight @g : tensor<64xf32>
  graph.weight @w1 : tensor<32x64xf16>
  graph.weight @w3 : tensor<32x64xf16>
  func.func @swiglu(%x: tensor<1x64xf32>) -> tensor<1x32xf32> attributes {graph.entry} {
    %g = graph.weight_ref @g : tensor<64xf32>
    %w1 = graph.weight_ref @w1 : tensor<32x64xf16>
    %w3 = graph.weight_ref @w3 : tensor<32x64xf16>
    %h = graph.fused_linear %x weights(%w1, %w3) norm(%g) {activation = #graph<activation swiglu>, norm = #graph<norm rms>, eps = 1.0e-05 : f64} : (tensor<1x64xf32>, tensor<32x64xf16>, tensor<32x64xf16>, tensor<64xf32>) -> tensor<1x32xf32>
    return %h : tensor<1x32xf32>
  }
}
