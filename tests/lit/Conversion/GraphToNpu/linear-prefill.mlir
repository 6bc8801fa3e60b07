// RUN: strata-opt %s --split-input-file --strata-graph-to-npu="cores=1 linear-schedule=outputs prefill-k-chunk=256 prefill-k-sums=vector" | FileCheck %s
// RUN: strata-opt %s --split-input-file --strata-graph-to-npu="cores=1 linear-schedule=outputs prefill-k-chunk=256" | FileCheck %s --check-prefix=GEMM
// RUN: strata-opt %s --split-input-file --strata-graph-to-npu="cores=1 linear-schedule=rows" | FileCheck %s --check-prefix=ROWS

// The output-stationary (prefill) schedule of a 64-row linear layer with
// f16 weights and a residual, K = 768 in chunks of 256, its K chunks added
// on the vector unit (prefill-k-sums=vector):
//   - staging: the f32 rows are cast to f16 once, in row tiles, and stored
//     to an HBM scratch buffer the GEMMs then read in K chunks;
//   - per chunk: the A chunk [64][256] and the weight tile [64][256] load as
//     strided DMAs (rows of 512 bytes, 1536 apart); the first weight tile
//     loads ahead of the first A chunk, which waits for the staging's
//     barrier in the in-order load queue;
//   - the first chunk's GEMM writes a partial-sum buffer that the vector
//     unit adds to the residual, starting the FP32 accumulator; each later
//     chunk's partial sums are added to it (three partial buffers rotate);
//     each add comes one GEMM after the GEMM it reads, so that the next
//     GEMM does not wait in the compute queue for that one to complete;
//   - after the last chunk the accumulator is stored.
// CHECK-LABEL: npu.entry @prefill
// CHECK: npu.vcast rows 16 cols 768, %{{[0-9]+}}[0] ld 768 : f32 -> %[[S0:[0-9]+]][0] ld 768 : f16
// CHECK-NEXT: npu.dma_store %[[S0]][0] to @[[SCRATCH:prefill.t[0-9]+]][0] size [24576]
// CHECK: npu.dma_store %{{[0-9]+}}[0] to @[[SCRATCH]][73728] size [24576]
// CHECK: npu.dma_load %[[W0:[0-9]+]][0] from @w.w[0] size [512, 64] {{.*}}src_strides = array<i64: 1536>
// CHECK: npu.dma_load %[[R:[0-9]+]][0] from @input1[0] size [16384]
// CHECK: npu.dma_load %[[A0:[0-9]+]][0] from @[[SCRATCH]][0] size [512, 64] {{.*}}src_strides = array<i64: 1536>
// CHECK: npu.dma_load %[[A1:[0-9]+]][0] from @[[SCRATCH]][512] size [512, 64]
// CHECK: npu.dma_load %[[W1:[0-9]+]][0] from @w.w[512] size [512, 64]
// CHECK: %[[P0:[0-9]+]] = npu.alloc 16384 {tag = "partial"}
// CHECK: npu.gemm m 64 n 64 k 256, %[[A0]][0] ld 256 : f16, %[[W0]][0] ld 256 : f16 -> %[[P0]][0] ld 64 : f32
// CHECK: %[[P1:[0-9]+]] = npu.alloc 16384 {tag = "partial"}
// CHECK-NEXT: npu.gemm m 64 n 64 k 256, %[[A1]][0] ld 256 : f16, %[[W1]][0] ld 256 : f16 -> %[[P1]][0] ld 64 : f32
// CHECK: %[[ACC:[0-9]+]] = npu.alloc 16384 {tag = "acc"}
// CHECK-NEXT: npu.vadd rows 64 cols 64, %[[R]][0] ld 64 : f32, %[[P0]][0] -> %[[ACC]][0] ld 64 : f32
// CHECK: %[[P2:[0-9]+]] = npu.alloc 16384 {tag = "partial"}
// CHECK-NEXT: npu.gemm m 64 n 64 k 256, {{.*}} -> %[[P2]][0] ld 64 : f32
// CHECK-NEXT: npu.vadd rows 64 cols 64, %[[ACC]][0] ld 64 : f32, %[[P1]][0] -> %[[ACC]][0] ld 64 : f32
// CHECK-NEXT: npu.vadd rows 64 cols 64, %[[ACC]][0] ld 64 : f32, %[[P2]][0] -> %[[ACC]][0] ld 64 : f32
// CHECK-NEXT: npu.dma_store %[[ACC]][0] to @logits[0] size [16384]
// CHECK-NOT: npu.gemm

// The same kernel with the K chunks added by the GEMMs' accumulate
// epilogue (what the cost model chooses here): the residual is the
// accumulator, the first chunk's GEMM adds onto it and so does every later
// one; no partial buffers, no vector work, and the sums are stored as they
// are right behind the last GEMM.
// GEMM-LABEL: npu.entry @prefill
// GEMM: npu.dma_load %[[W0:[0-9]+]][0] from @w.w[0] size [512, 64]
// GEMM: npu.dma_load %[[R:[0-9]+]][0] from @input1[0] size [16384]
// GEMM: npu.dma_load %[[A0:[0-9]+]][0] from @[[SCRATCH:prefill.t[0-9]+]][0] size [512, 64]
// GEMM-NOT: tag = "partial"
// GEMM: npu.gemm m 64 n 64 k 256, %[[A0]][0] ld 256 : f16, %[[W0]][0] ld 256 : f16 -> %[[R]][0] ld 64 : f32 {accumulate
// GEMM: npu.gemm m 64 n 64 k 256, {{.*}} -> %[[R]][0] ld 64 : f32 {accumulate
// GEMM-NEXT: npu.gemm m 64 n 64 k 256, {{.*}} -> %[[R]][0] ld 64 : f32 {accumulate
// GEMM-NEXT: npu.dma_store %[[R]][0] to @logits[0] size [16384]
// GEMM-NOT: npu.vadd

// The row-stationary schedule of the same kernel: the inputs of the row
// tile cast once in SRAM, one GEMM over the whole K, the residual
// accumulated into C by the GEMM's epilogue.
// ROWS-LABEL: npu.entry @prefill
// ROWS: npu.vcast rows {{[0-9]+}} cols 768
// ROWS: npu.gemm m 64 n 64 k 768, {{.*}} {accumulate
// ROWS-NOT: npu.vadd
module {
  graph.weight @w : tensor<64x768xf16>
  func.func @prefill(%x: tensor<64x768xf32>, %r: tensor<64x64xf32>) -> tensor<64x64xf32> attributes {graph.entry} {
    %w = graph.weight_ref @w : tensor<64x768xf16>
    %y = graph.fused_linear %x weights(%w) residual(%r) : (tensor<64x768xf32>, tensor<64x768xf16>, tensor<64x64xf32>) -> tensor<64x64xf32>
    return %y : tensor<64x64xf32>
  }
}

// -----

// A SwiGLU pair: the epilogue after the last chunk takes two vector
// instructions (silu of the gate half, times the up half), each issued
// behind a GEMM; the product is stored.
// CHECK-LABEL: npu.entry @swiglu
// CHECK: npu.gemm m 64 n 128 k 256
// CHECK: npu.gemm m 64 n 128 k 256
// CHECK: npu.gemm m 64 n 128 k 256
// CHECK: npu.vsilu rows 64 cols 64, %[[ACC:[0-9]+]][0] ld 128 : f32 -> %[[O:[0-9]+]][0] ld 64 : f32
// CHECK-NEXT: npu.vmul rows 64 cols 64, %[[O]][0] ld 64 : f32, %[[ACC]][256] -> %[[O]][0] ld 64 : f32
// CHECK-NEXT: npu.dma_store %[[O]][0] to @logits[0] size [16384]
// With the GEMM accumulating, the first chunk starts the sums and the later
// two add to them; silu and the product follow the last one.
// GEMM-LABEL: npu.entry @swiglu
// GEMM: %[[GACC:[0-9]+]] = npu.alloc 32768 {tag = "acc"}
// GEMM: npu.gemm m 64 n 128 k 256, {{.*}} -> %[[GACC]][0] ld 128 : f32 {npu.label
// GEMM: npu.gemm m 64 n 128 k 256, {{.*}} -> %[[GACC]][0] ld 128 : f32 {accumulate
// GEMM-NEXT: npu.gemm m 64 n 128 k 256, {{.*}} -> %[[GACC]][0] ld 128 : f32 {accumulate
// GEMM: npu.vsilu rows 64 cols 64, %[[GACC]][0] ld 128 : f32 -> %[[GO:[0-9]+]][0] ld 64 : f32
// GEMM-NEXT: npu.vmul rows 64 cols 64, %[[GO]][0] ld 64 : f32, %[[GACC]][256] -> %[[GO]][0] ld 64 : f32
// GEMM-NEXT: npu.dma_store %[[GO]][0] to @logits[0] size [16384]
module {
  graph.weight @w1 : tensor<64x768xf16>
  graph.weight @w3 : tensor<64x768xf16>
  func.func @swiglu(%x: tensor<64x768xf32>) -> tensor<64x64xf32> attributes {graph.entry} {
    %w1 = graph.weight_ref @w1 : tensor<64x768xf16>
    %w3 = graph.weight_ref @w3 : tensor<64x768xf16>
    %h = graph.fused_linear %x weights(%w1, %w3) {activation = #graph<activation swiglu>} : (tensor<64x768xf32>, tensor<64x768xf16>, tensor<64x768xf16>) -> tensor<64x64xf32>
    return %h : tensor<64x64xf32>
  }
}
