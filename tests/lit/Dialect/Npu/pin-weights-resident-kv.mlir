// RUN: strata-opt %s --strata-npu-pin-weights=sram-bytes=8192 | FileCheck %s
// RUN: strata-opt %s --strata-npu-pin-weights=sram-bytes=8192 --strata-npu-allocate-sram=sram-bytes=8192 | FileCheck %s --check-prefix=ALLOC

// With a resident KV cache (npu.resident_kv: 2 KiB at the top, its block
// placed already), weights go right below it (8192 - 2048 - 1024 = 5120),
// the KV block is no candidate, and allocation keeps both reservations.

// CHECK-LABEL: module attributes {npu.pinned_weights = {buffers = 1 : i64, loads_removed = 1 : i64, sram_bytes = 1024 : i64}, npu.resident_kv = {buffers = 1 : i64, sram_bytes = 2048 : i64}}
// CHECK: npu.entry @load_weights
// CHECK: npu.alloc 1024 at 5120 {npu.pinned, tag = "pinned"}
// CHECK: npu.entry @decode
// CHECK: npu.alloc 2048 at 6144 {npu.pinned, tag = "kv.resident"}
// CHECK: npu.alloc 1024 at 5120 {npu.pinned}
// ALLOC-LABEL: npu.sram_high_water = {decode.core0 = 1088 : i64, load_weights.core0 = 0 : i64}
// ALLOC: npu.alloc 1024 at 0
// ALLOC: npu.alloc 2048 at 6144 {npu.pinned, tag = "kv.resident"}
// ALLOC: npu.alloc 1024 at 5120 {npu.pinned}
// ALLOC: npu.alloc 64 at 1024
module attributes {npu.resident_kv = {buffers = 1 : i64, sram_bytes = 2048 : i64}} {
  npu.region @w weights size 4096
  npu.region @kv kv_cache size 4096
  npu.region @io io size 4096
  npu.constant @w0 = "w" payload in @w[0] size 1024
  npu.hbm_buffer @cache in @kv[0] size 2048
  npu.io input @x : tensor<1x256xf32> in @io[0]
  npu.entry @decode attributes {param_names = ["kv_valid"], param_regs = array<i32: 1>} {
    npu.core 0 {
      %x = npu.alloc 1024
      %kv = npu.alloc 2048 at 6144 {npu.pinned, tag = "kv.resident"}
      %w0 = npu.alloc 1024
      %c0 = npu.alloc 64
      npu.dma_load %x[0] from @x[0] size [1024]
      npu.dma_load %kv[0] from @cache[0] size [r1] {dst_reg = 1 : i32, dst_window = array<i64: 0, 2048>, src_reg = 1 : i32, src_window = array<i64: 0, 2048>}
      npu.dma_load %w0[0] from @w0[0] size [1024]
      npu.gemm m 1 n 4 k 64, %x[0] ld 256 : f32, %w0[0] ld 64 : f32 -> %c0[0] ld 4 : f32 {trans_b}
      npu.gemm m 1 n 4 k 64, %x[0] ld 256 : f32, %kv[0] ld 64 : f32 -> %c0[0] ld 4 : f32 {trans_b, accumulate}
    }
  }
}
