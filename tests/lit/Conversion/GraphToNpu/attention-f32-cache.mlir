// RUN: strata-opt %s --strata-graph-to-npu="cores=2 resident-kv=false" | FileCheck %s
// RUN: strata-opt %s --strata-graph-to-npu="cores=2 resident-kv=false" --strata-npu-allocate-sram --strata-npu-insert-semaphores | FileCheck %s --check-prefix=SYNC

// A decode step over an f32 KV cache: no cast, so each head's buffer takes
// rows 0..pos-1 of its K and its V rows from the cache in one DMA (min(pos,
// 16) * 32 bytes of each half, the halves 512 bytes apart in HBM as in SRAM:
// a position past the cache still reads only the head's rows), the new rows
// straight from the projections at row pos of each half (a register address
// into the buffer), and the append of both is one store from those rows. No
// read of the cache follows the append, so the score GEMM waits for the loads
// only, not for the store.

// (attention-resident-kv.mlir: the same step with the rows resident in SRAM.)

// CHECK-NOT: npu.resident_kv
// CHECK-LABEL: npu.entry @decode attributes {param_names = ["pos"],
// CHECK: npu.core 0
// CHECK: npu.muli r[[POSB:[0-9]+]], r{{[0-9]+}}, 32
// CHECK-NEXT: npu.addi r[[OLDB:[0-9]+]], r1, 0
// CHECK-NEXT: npu.li r[[MAX:[0-9]+]], 16
// CHECK-NEXT: npu.min r[[OLDB]], r[[OLDB]], r[[MAX]]
// CHECK-NEXT: npu.muli r[[OLDB]], r[[OLDB]], 32
// CHECK: %[[KV:[0-9]+]] = npu.alloc 1024 {tag = "kv.cache"}
// CHECK-NEXT: npu.dma_load %[[KV]][0] from @kv.kv_cache[2048] size [r[[OLDB]], 2] {dst_strides = array<i64: 512>, {{.*}}src_strides = array<i64: 512>, src_window = array<i64: 2048, 1024>}
// CHECK-NEXT: npu.dma_load %[[KV]][0] from @input1[0] size [32, r[[W:[0-9]+]]] {dst_reg = [[POSB]] : i32, dst_window = array<i64: 0, 512>
// CHECK-NEXT: npu.dma_load %[[KV]][512] from @input2[0] size [32, r[[W]]] {dst_reg = [[POSB]] : i32, dst_window = array<i64: 512, 512>
// CHECK-NEXT: npu.dma_store %[[KV]][0] to @kv.kv_cache[2048] size [32, r[[W]], 2] {dst_reg = [[POSB]] : i32, dst_strides = array<i64: 32, 512>, dst_window = array<i64: 2048, 1024>, {{.*}}src_reg = [[POSB]] : i32, src_strides = array<i64: 32, 512>, src_window = array<i64: 0, 1024>}
// CHECK-NOT: kv.cast
// CHECK: npu.gemm m 2 n r{{[0-9]+}} k 8, %{{[0-9]+}}[0] ld 8 : f32, %[[KV]][0] ld 8 : f32
// CHECK: npu.gemm m 2 n 8 k r{{[0-9]+}}, %{{[0-9]+}}[0] ld 16 : f32, %[[KV]][512] ld 8 : f32
// The second head (core 1) has the next 1024 bytes of layer 1.
// CHECK: npu.core 1
// CHECK: npu.dma_load %{{[0-9]+}}[0] from @kv.kv_cache[3072] size [r{{[0-9]+}}, 2]

// The loads signal the compute queue; the stores wait for the loads, and
// nothing on the load queue waits for the stores.
// SYNC-LABEL: npu.entry @decode
// SYNC: npu.core 0
// SYNC-NOT: npu.sem_wait  load
// SYNC: npu.gemm
// SYNC: npu.core 1
module {
  graph.kv_cache @kv_cache {layers = 2 : i64, max_seq = 16 : i64, kv_heads = 2 : i64, head_dim = 8 : i64, element_type = f32}
  func.func @decode(%q: tensor<1x32xf32>, %k: tensor<1x16xf32>, %v: tensor<1x16xf32>, %pos: index) -> tensor<1x32xf32> attributes {graph.entry} {
    %o = graph.attention %q, %k, %v, %pos {cache = @kv_cache, layer = 1 : i64, num_heads = 4 : i64, num_kv_heads = 2 : i64, head_dim = 8 : i64} : (tensor<1x32xf32>, tensor<1x16xf32>, tensor<1x16xf32>, index) -> tensor<1x32xf32>
    return %o : tensor<1x32xf32>
  }
}
