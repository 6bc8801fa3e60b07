// RUN: strata-opt %s --strata-graph-to-npu="cores=1" | FileCheck %s
// RUN: strata-opt %s --strata-graph-to-npu="cores=1 pad-rows=false" | FileCheck %s --check-prefix=PACKED
// RUN: strata-opt %s --strata-graph-to-npu="cores=1 arch=%S/Inputs/hashed.yaml" | FileCheck %s --check-prefix=PACKED

// Padded activation rows. The norm's result has rows of 1 KiB: four 256-byte
// interleave chunks, so packed rows start on every sixteenth pseudo-channel
// of the default chip's 64 and a column tile of them reaches 4 of the 64.
// Its rows get one chunk of padding (pitch 1,280 bytes, five chunks, prime
// to 64): the buffer is 8 x 1,280 bytes, the norm stores its rows and the
// linear layer loads them as strided DMAs with that pitch.
//
// Not padded: the I/O bindings (the runtime reads them packed), the SiLU
// result (a matmul reads it as a packed B operand), and everything with
// pad-rows=false or under the `hashed` mapping, which spreads strided rows
// over the pseudo-channels itself.

// CHECK: npu.hbm_buffer @[[N:prefill.t[0-9]+]] in @activations[0] size 10240
// CHECK: npu.hbm_buffer @[[S:prefill.t[0-9]+]] in @activations[10240] size 8192
// CHECK: npu.vrmsnorm rows 8 cols 256
// CHECK-NEXT: npu.dma_store %{{[0-9]+}}[0] to @[[N]][0] size [1024, 8] {dst_strides = array<i64: 1280>, {{.*}}src_strides = array<i64: 1024>}
// CHECK: npu.dma_load %{{[0-9]+}}[0] from @[[N]][0] size [1024, 8] {dst_strides = array<i64: 1024>, {{.*}}src_strides = array<i64: 1280>}
// CHECK: npu.dma_store %{{[0-9]+}}[0] to @output0[0] size [8192]
// CHECK: npu.dma_store %{{[0-9]+}}[0] to @[[S]][0] size [8192]
// CHECK: npu.dma_load %{{[0-9]+}}[0] from @[[S]][0] size [8192]

// PACKED: npu.hbm_buffer @[[N:prefill.t[0-9]+]] in @activations[0] size 8192
// PACKED: npu.dma_store %{{[0-9]+}}[0] to @[[N]][0] size [8192]
// PACKED: npu.dma_load %{{[0-9]+}}[0] from @[[N]][0] size [8192]
// PACKED-NOT: strides
module {
  graph.weight @w : tensor<256x256xf32>
  graph.weight @g : tensor<256xf32>
  func.func @prefill(%x: tensor<8x256xf32>) -> (tensor<8x256xf32>, tensor<8x8xf32>) attributes {graph.entry} {
    %w = graph.weight_ref @w : tensor<256x256xf32>
    %g = graph.weight_ref @g : tensor<256xf32>
    %n = graph.rms_norm %x, %g {eps = 1.0e-05 : f64} : (tensor<8x256xf32>, tensor<256xf32>) -> tensor<8x256xf32>
    %y = graph.linear %n, %w : (tensor<8x256xf32>, tensor<256x256xf32>) -> tensor<8x256xf32>
    %s = graph.silu %x : tensor<8x256xf32>
    %m = graph.matmul %s, %s {transpose_rhs} : (tensor<8x256xf32>, tensor<8x256xf32>) -> tensor<8x8xf32>
    return %y, %m : tensor<8x256xf32>, tensor<8x8xf32>
  }
}
