// RUN: strata-opt %s --strata-graph-to-npu="cores=2" | FileCheck %s

// A decode step of grouped-query attention over an f16 KV cache laid out
// [layer][kv_head][k|v][max_seq][head_dim]: one KV head per core; the new K
// and V rows are cast together and appended at row `pos` of each half by one
// store (a register address; the row count w = min(1, max_seq - pos) is a
// register too), rows 0..L-1 (L = min(pos + 1, max_seq)) of both halves are
// read back with one register-sized DMA, and the group's two
// query heads are the two rows of the score GEMM (n = L), the softmax
// (cols = L) and the value GEMM (k = L).

// CHECK: npu.region @kv_cache kv_cache size 2048
// CHECK: npu.hbm_buffer @kv.kv_cache in @kv_cache[0] size 2048
// CHECK-LABEL: npu.entry @decode attributes {param_names = ["pos"], param_regs = array<i32: 1>}
// CHECK: npu.core 0
//   w = min(T, max_seq - pos)
// CHECK: npu.addi r[[W:[0-9]+]], r1, 0
// CHECK-NEXT: npu.muli r[[W]], r[[W]], -1
// CHECK-NEXT: npu.addi r[[W]], r[[W]], 16
// CHECK: npu.min r[[W]], r[[W]]
//   L = min(pos + T, max_seq)
// CHECK: npu.addi r[[L:[0-9]+]], r1, 0
// CHECK-NEXT: npu.addi r[[L]], r[[L]], 1
// CHECK: npu.min r[[L]], r[[L]]
// CHECK: npu.muli r[[POSB:[0-9]+]], r{{[0-9]+}}, 16
// CHECK: npu.muli r[[LB:[0-9]+]], r[[L]], 16
// CHECK: %[[KV:[0-9]+]] = npu.alloc 512 {tag = "kv.cache"}
// CHECK: npu.dma_load %[[NEW:[0-9]+]][0] from @input1[0] size [32]
// CHECK-NEXT: npu.dma_load %[[NEW]][32] from @input2[0] size [32]
// CHECK: npu.vcast rows 2 cols 8, %[[NEW]][0] ld 8 : f32 -> {{.*}} : f16
// CHECK: npu.dma_store %{{[0-9]+}}[0] to @kv.kv_cache[1024] size [16, r[[W]], 2] {dst_reg = [[POSB]] : i32, dst_strides = array<i64: 16, 256>, dst_window = array<i64: 1024, 512>, {{.*}}src_strides = array<i64: 16, 16>}
// CHECK-NEXT: npu.dma_load %[[KV]][0] from @kv.kv_cache[1024] size [r[[LB]], 2] {dst_strides = array<i64: 256>, {{.*}}src_strides = array<i64: 256>, src_window = array<i64: 1024, 512>}
// CHECK: npu.dma_load %{{[0-9]+}}[0] from @input0[0] size [64]
// CHECK: npu.tc_config independent f16
// CHECK: npu.gemm m 2 n r[[L]] k 8, %{{[0-9]+}}[0] ld 8 : f16, %[[KV]][0] ld 8 : f16 -> %[[S:[0-9]+]][0] ld 16 : f32 {{{.*}}trans_b}
// CHECK: npu.vsoftmax rows 2 cols r[[L]], %[[S]][0] ld 16 : f32 -> %[[P:[0-9]+]][0] ld 16 : f16 {fimm = 0.353553385 : f32
// CHECK: npu.gemm m 2 n 8 k r[[L]], %[[P]][0] ld 16 : f16, %[[KV]][256] ld 8 : f16
// CHECK: npu.dma_store %{{[0-9]+}}[0] to @logits[0] size [64]
// CHECK: npu.core 1
// CHECK: npu.dma_store %{{[0-9]+}}[0] to @kv.kv_cache[1536]
// CHECK: npu.dma_store %{{[0-9]+}}[0] to @logits[64] size [64]
module {
  graph.kv_cache @kv_cache {layers = 2 : i64, max_seq = 16 : i64, kv_heads = 2 : i64, head_dim = 8 : i64, element_type = f16}
  func.func @decode(%q: tensor<1x32xf32>, %k: tensor<1x16xf32>, %v: tensor<1x16xf32>, %pos: index) -> tensor<1x32xf32> attributes {graph.entry} {
    %o = graph.attention %q, %k, %v, %pos {cache = @kv_cache, layer = 1 : i64, num_heads = 4 : i64, num_kv_heads = 2 : i64, head_dim = 8 : i64} : (tensor<1x32xf32>, tensor<1x16xf32>, tensor<1x16xf32>, index) -> tensor<1x32xf32>
    return %o : tensor<1x32xf32>
  }
}
