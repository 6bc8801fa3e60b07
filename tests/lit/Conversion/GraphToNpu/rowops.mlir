// RUN: strata-opt %s --strata-graph-to-npu="cores=2" | FileCheck %s

// Row ops on the vector unit, and the barrier between kernels on different
// cores: the linear layer's two column halves come from cores 0 and 1, so
// the norm (one row: one core) waits at a barrier that acquires the linear's
// output. The rest of the chain stays on the core that wrote its input, with
// no further barrier; the same-core handoffs through HBM are ordered by
// strata-npu-insert-semaphores.

// CHECK-LABEL: npu.entry @decode
// CHECK: npu.core 0
// CHECK: npu.dma_store %{{[0-9]+}}[0] to @decode.t0[0] size [512]
// CHECK-NEXT: npu.barrier store, 0, 3 {acquire = [@decode.t0], {{.*}}release = [@decode.t0]}
// CHECK-NEXT: }
// CHECK: npu.core 1
// CHECK: npu.dma_store %{{[0-9]+}}[0] to @decode.t0[512] size [512]
// CHECK-NEXT: npu.barrier store, 0, 3 {acquire = [@decode.t0], {{.*}}release = [@decode.t0]}
// CHECK: npu.vrmsnorm rows 1 cols 256, {{.*}} -> {{.*}} {fimm = 9.99999974E-6 : f32, in1_type = f32
// CHECK: npu.vrope rows 1 cols 256, {{.*}} {aux = #npu.reg<1>, aux2 = 64 : i64, fimm = 1.000000e+04 : f32, {{.*}}rope_half}
// CHECK: npu.vsoftmax rows 1 cols 256, {{.*}} {fimm = 5.000000e-01 : f32
// CHECK: npu.vgelu_tanh rows 1 cols 256
// CHECK: npu.vmul rows 1 cols 256, {{.*}} {in1_type = f32, ld1 = 256 : i64
// CHECK: npu.dma_store %{{[0-9]+}}[0] to @logits[0] size [1024]
// CHECK-NOT: npu.barrier
module {
  graph.weight @w : tensor<256x512xf32>
  graph.weight @g : tensor<256xf32>
  func.func @decode(%x: tensor<1x512xf32>, %pos: index) -> tensor<1x256xf32> attributes {graph.entry} {
    %w = graph.weight_ref @w : tensor<256x512xf32>
    %g = graph.weight_ref @g : tensor<256xf32>
    %y = graph.linear %x, %w : (tensor<1x512xf32>, tensor<256x512xf32>) -> tensor<1x256xf32>
    %n = graph.rms_norm %y, %g {eps = 1.0e-05 : f64} : (tensor<1x256xf32>, tensor<256xf32>) -> tensor<1x256xf32>
    %r = graph.rope %n, %pos {head_dim = 64 : i64, theta = 1.0e+04 : f64, style = #graph<rope_style half_split>} : (tensor<1x256xf32>, index) -> tensor<1x256xf32>
    %s = graph.softmax %r {scale = 0.5 : f64} : tensor<1x256xf32>
    %a = graph.gelu %s {approximate = #graph<gelu_approx tanh>} : tensor<1x256xf32>
    %m = graph.mul %a, %g : (tensor<1x256xf32>, tensor<256xf32>) -> tensor<1x256xf32>
    return %m : tensor<1x256xf32>
  }
}
