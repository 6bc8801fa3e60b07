// RUN: strata-opt %s --strata-graph-to-npu="cores=2" | FileCheck %s
// RUN: strata-opt %s --strata-graph-to-npu="cores=2" --strata-npu-allocate-sram --strata-npu-insert-semaphores | FileCheck %s --check-prefix=ALLOC
// RUN: strata-opt %s --strata-graph-to-npu="cores=2 resident-kv=false" | FileCheck %s --check-prefix=OFF

// The decode step of attention-f32-cache.mlir with the KV cache resident:
// each core's head keeps its K|V block (2 x 16 rows x 32 bytes) at a fixed
// place at the top of its SRAM (8 MiB - 1024), and the entry takes kv_valid,
// the leading rows that copy already holds. The step reads only rows
// valid .. pos-1, valid = kv_valid clamped to 0 .. min(pos, 16): in bytes
// min(kv_valid * 32, old) then max(.., r0), and the read is old - valid
// bytes of each half from row valid on (a register on both addresses). The
// new rows are loaded into the block and appended to HBM as before.

// CHECK: module attributes {npu.arch_name = "npu-default", npu.arch_yaml = {{.*}}, npu.resident_kv = {buffers = 2 : i64, sram_bytes = 1024 : i64}}
// CHECK: npu.entry @decode attributes {param_names = ["pos", "kv_valid"], param_regs = array<i32: 1, [[VALID:[0-9]+]]>}
// CHECK: npu.core 0
// CHECK: npu.muli r[[VB:[0-9]+]], r[[VALID]], 32
// CHECK-NEXT: npu.min r[[VB]], r[[VB]], r[[OLDB:[0-9]+]]
// CHECK-NEXT: npu.max r[[VB]], r[[VB]], r0
// CHECK-NEXT: npu.sub r[[FRESH:[0-9]+]], r[[OLDB]], r[[VB]]
// CHECK: %[[KV:[0-9]+]] = npu.alloc 1024 at 8387584 {npu.pinned, tag = "kv.resident"}
// CHECK-NEXT: npu.dma_load %[[KV]][0] from @kv.kv_cache[2048] size [r[[FRESH]], 2] {dst_reg = [[VB]] : i32, dst_strides = array<i64: 512>, dst_window = array<i64: 0, 1024>, {{.*}}src_reg = [[VB]] : i32, src_strides = array<i64: 512>, src_window = array<i64: 2048, 1024>}
// CHECK-NEXT: npu.dma_load %[[KV]][0] from @input1[0] size [32, r{{[0-9]+}}]
// CHECK-NEXT: npu.dma_load %[[KV]][512] from @input2[0] size [32, r{{[0-9]+}}]
// CHECK-NEXT: npu.dma_store %[[KV]][0] to @kv.kv_cache[2048]
// CHECK: npu.gemm m 2 n r{{[0-9]+}} k 8, %{{[0-9]+}}[0] ld 8 : f32, %[[KV]][0] ld 8 : f32
// Core 1 holds the second head in its own SRAM at the same place.
// CHECK: npu.core 1
// CHECK: npu.alloc 1024 at 8387584 {npu.pinned, tag = "kv.resident"}
// CHECK-NEXT: npu.dma_load %{{[0-9]+}}[0] from @kv.kv_cache[3072] size [r{{[0-9]+}}, 2]

// The allocator keeps the block where it is and every other buffer below
// the reservation.
// ALLOC: npu.sram_high_water
// ALLOC: npu.core 0
// ALLOC: npu.alloc 1024 at 8387584 {npu.pinned, tag = "kv.resident"}
// ALLOC: npu.alloc 64 at 0 {tag = "q"}

// resident-kv=false: no reservation, no kv_valid (attention-f32-cache.mlir).
// OFF-NOT: npu.resident_kv
// OFF: npu.entry @decode attributes {param_names = ["pos"], param_regs = array<i32: 1>}
module {
  graph.kv_cache @kv_cache {layers = 2 : i64, max_seq = 16 : i64, kv_heads = 2 : i64, head_dim = 8 : i64, element_type = f32}
  func.func @decode(%q: tensor<1x32xf32>, %k: tensor<1x16xf32>, %v: tensor<1x16xf32>, %pos: index) -> tensor<1x32xf32> attributes {graph.entry} {
    %o = graph.attention %q, %k, %v, %pos {cache = @kv_cache, layer = 1 : i64, num_heads = 4 : i64, num_kv_heads = 2 : i64, head_dim = 8 : i64} : (tensor<1x32xf32>, tensor<1x16xf32>, tensor<1x16xf32>, index) -> tensor<1x32xf32>
    return %o : tensor<1x32xf32>
  }
}
