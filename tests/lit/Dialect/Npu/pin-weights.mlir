// RUN: strata-opt %s --split-input-file --strata-npu-pin-weights=sram-bytes=8192 --verify-diagnostics | FileCheck %s
// RUN: strata-opt %s --split-input-file --strata-npu-pin-weights=sram-bytes=8192 --strata-npu-allocate-sram=sram-bytes=8192 --verify-diagnostics | FileCheck %s --check-prefix=ALLOC
// RUN: strata-opt %s --split-input-file --strata-npu-pin-weights="sram-bytes=8192 max-bytes=1024" --verify-diagnostics | FileCheck %s --check-prefix=LIMIT

// Two entries load the same weight tile w0 on core 0 (one slot); decode also
// loads w1 in two parts into one buffer (one slot of 1024 bytes). The slots
// sit at the top of the 8 KiB SRAM (8192 - 2048 = 6144); the loads move to
// load_weights, the activation loads stay. Allocation then places the other
// buffers below 6144.

// CHECK-LABEL: module attributes {npu.pinned_weights = {buffers = 2 : i64, loads_removed = 4 : i64, sram_bytes = 2048 : i64}}
// CHECK:      npu.entry @load_weights
// CHECK-NEXT:   npu.core 0 {
// CHECK-NEXT:     %[[S0:.*]] = npu.alloc 1024 at 6144 {npu.pinned, tag = "pinned"}
// CHECK-NEXT:     npu.dma_load %[[S0]][0] from @w0[0] size [1024]
// CHECK-NEXT:     %[[S1:.*]] = npu.alloc 1024 at 7168 {npu.pinned, tag = "pinned"}
// CHECK-NEXT:     npu.dma_load %[[S1]][0] from @w1[0] size [512]
// CHECK-NEXT:     npu.dma_load %[[S1]][512] from @w1[512] size [512]
// CHECK-NEXT:   }
// CHECK-NEXT: }
// CHECK:      npu.entry @prefill
// CHECK:        %[[P0:.*]] = npu.alloc 1024 at 6144 {npu.pinned}
// CHECK-NOT:    from @w0
// CHECK:        npu.gemm {{.*}}, %[[P0]][0]
// CHECK:      npu.entry @decode
// CHECK:        npu.alloc 1024 at 6144 {npu.pinned}
// CHECK:        npu.alloc 1024 at 7168 {npu.pinned}
// CHECK:        npu.dma_load {{.*}} from @x[0] size [1024]
// CHECK-NOT:    from @w
// CHECK:        npu.gemm

// ALLOC-LABEL: module attributes {npu.pinned_weights = {{.*}}, npu.sram_high_water = {decode.core0 = 1536 : i64, load_weights.core0 = 0 : i64, prefill.core0 = 1536 : i64}}
// ALLOC: npu.entry @decode
// ALLOC: npu.alloc 1024 at 0
// ALLOC: npu.alloc 1024 at 6144 {npu.pinned}

// LIMIT-NOT: npu.pinned
// LIMIT-NOT: load_weights
npu.region @w weights size 4096
npu.region @io io size 4096
npu.constant @w0 = "w" payload in @w[0] size 1024
npu.constant @w1 = "w" payload in @w[1024] size 1024
npu.io input @x : tensor<1x256xf32> in @io[0]
npu.io output @y : tensor<1x256xf32> in @io[1024]
npu.entry @prefill attributes {param_names = [], param_regs = array<i32>} {
  npu.core 0 {
    %x = npu.alloc 1024
    %w0 = npu.alloc 1024
    %c0 = npu.alloc 512
    npu.dma_load %x[0] from @x[0] size [1024]
    npu.dma_load %w0[0] from @w0[0] size [1024]
    npu.gemm m 1 n 4 k 64, %x[0] ld 256 : f32, %w0[0] ld 64 : f32 -> %c0[0] ld 4 : f32 {trans_b}
    npu.dma_store %c0[0] to @y[0] size [16]
  }
}
npu.entry @decode attributes {param_names = [], param_regs = array<i32>} {
  npu.core 0 {
    %x = npu.alloc 1024
    %w0 = npu.alloc 1024
    %w1 = npu.alloc 1024
    %c0 = npu.alloc 512
    npu.dma_load %x[0] from @x[0] size [1024]
    npu.dma_load %w0[0] from @w0[0] size [1024]
    npu.dma_load %w1[512] from @w1[512] size [512]
    npu.dma_load %w1[0] from @w1[0] size [512]
    npu.gemm m 1 n 4 k 64, %x[0] ld 256 : f32, %w0[0] ld 64 : f32 -> %c0[0] ld 4 : f32 {trans_b}
    npu.gemm m 1 n 4 k 64, %x[0] ld 256 : f32, %w1[0] ld 64 : f32 -> %c0[0] ld 4 : f32 {trans_b, accumulate}
    npu.dma_store %c0[0] to @y[0] size [16]
  }
}

// -----

// Not pinnable: w0's buffer is loaded twice over the same bytes (it holds
// different weights over time), w1's from a register-addressed offset, and
// the buffer of x from an I/O binding. Nothing changes.

// CHECK-LABEL: module {
// CHECK-NOT: npu.pinned
// CHECK-NOT: load_weights
// CHECK: npu.dma_load {{.*}} from @w0[0]
// CHECK: npu.dma_load {{.*}} from @w1[0]
npu.region @w weights size 4096
npu.region @io io size 4096
npu.constant @w0 = "w" payload in @w[0] size 2048
npu.constant @w1 = "w" payload in @w[2048] size 1024
npu.io input @x : tensor<1x256xf32> in @io[0]
npu.entry @decode attributes {param_names = [], param_regs = array<i32>} {
  npu.core 0 {
    %x = npu.alloc 1024
    %w0 = npu.alloc 1024
    %w1 = npu.alloc 1024
    %c0 = npu.alloc 512
    npu.dma_load %x[0] from @x[0] size [1024]
    npu.dma_load %w0[0] from @w0[0] size [1024]
    npu.gemm m 1 n 4 k 64, %x[0] ld 256 : f32, %w0[0] ld 64 : f32 -> %c0[0] ld 4 : f32 {trans_b}
    npu.dma_load %w0[0] from @w0[1024] size [1024]
    npu.gemm m 1 n 4 k 64, %x[0] ld 256 : f32, %w0[0] ld 64 : f32 -> %c0[0] ld 4 : f32 {trans_b, accumulate}
    npu.dma_load %w1[0] from @w1[0] size [1024] {src_reg = 4 : i32}
    npu.gemm m 1 n 4 k 64, %x[0] ld 256 : f32, %w1[0] ld 64 : f32 -> %c0[0] ld 4 : f32 {trans_b, accumulate}
  }
}

// -----

// The weights would fit, but not for the whole program: x (7 KiB) dies
// before w0 is loaded, so unpinned w0 reuses x's bytes (high-water 7232),
// while a resident w0 would leave 7168 bytes for x and c. Nothing is pinned.

// CHECK-LABEL: module {
// CHECK-NOT: npu.pinned
// CHECK: npu.dma_load {{.*}} from @w0[0]
npu.region @w weights size 4096
npu.region @io io size 8192
npu.constant @w0 = "w" payload in @w[0] size 1024
npu.io input @x : tensor<1792xf32> in @io[0]
npu.entry @decode attributes {param_names = [], param_regs = array<i32>} {
  npu.core 0 {
    %x = npu.alloc 7168
    %c = npu.alloc 64
    %w0 = npu.alloc 1024
    %d = npu.alloc 64
    npu.dma_load %x[0] from @x[0] size [7168]
    npu.vexp rows 1 cols 16, %x[0] ld 16 : f32 -> %c[0] ld 16 : f32
    npu.dma_load %w0[0] from @w0[0] size [1024]
    npu.gemm m 1 n 4 k 16, %c[0] ld 16 : f32, %w0[0] ld 16 : f32 -> %d[0] ld 4 : f32 {trans_b}
  }
}

// -----

// expected-error @+1 {{strata-npu-pin-weights: the module already has an entry 'load_weights'}}
module {
  npu.entry @load_weights attributes {param_names = [], param_regs = array<i32>} {
  }
}
