// RUN: strata-opt %s --split-input-file --strata-npu-forward-stores --verify-diagnostics | FileCheck %s
// RUN: strata-opt %s --split-input-file --strata-npu-forward-stores --strata-npu-allocate-sram=sram-bytes=65536 --strata-npu-insert-semaphores | FileCheck %s --check-prefix=SYNC

// Core 0 stores a GEMM's result to the scratch tensor @t and loads it back
// for the next GEMM: the load goes, the second GEMM reads the stored buffer,
// and the store, which nothing reads any more, goes too. With the loads gone
// the semaphores only order the compute queue before the output's store.

// CHECK-LABEL: npu.entry @decode
// CHECK:         %[[C:.*]] = npu.alloc 16 {tag = "c"}
// CHECK:         npu.gemm {{.*}} -> %[[C]][0]
// CHECK-NOT:     @t
// CHECK:         npu.gemm m 1 n 4 k 4, %[[C]][0] ld 4
// CHECK:         npu.dma_store {{.*}} to @y[0]

// SYNC-LABEL: npu.entry @decode
// SYNC-NOT:     @t
// SYNC:         npu.gemm
// SYNC-NEXT:    npu.gemm
// SYNC-NEXT:    npu.sem_signal compute
// SYNC-NEXT:    npu.sem_wait store
// SYNC-NEXT:    npu.dma_store {{.*}} to @y[0]

npu.region @w weights size 4096
npu.region @act activations size 4096
npu.region @io io size 4096
npu.constant @w0 = "w" payload in @w[0] size 1024
npu.hbm_buffer @t in @act[0] size 16
npu.io input @x : tensor<1x64xf32> in @io[0]
npu.io output @y : tensor<1x4xf32> in @io[1024]
npu.entry @decode attributes {param_names = [], param_regs = array<i32>} {
  npu.core 0 {
    %x = npu.alloc 256 {tag = "x"}
    %w = npu.alloc 1024 {tag = "w"}
    %c = npu.alloc 16 {tag = "c"}
    %d = npu.alloc 16 {tag = "d"}
    %o = npu.alloc 16 {tag = "o"}
    npu.dma_load %x[0] from @x[0] size [256]
    npu.dma_load %w[0] from @w0[0] size [1024]
    npu.gemm m 1 n 4 k 64, %x[0] ld 64 : f32, %w[0] ld 64 : f32 -> %c[0] ld 4 : f32 {trans_b}
    npu.dma_store %c[0] to @t[0] size [16]
    npu.dma_load %d[0] from @t[0] size [16]
    npu.gemm m 1 n 4 k 4, %d[0] ld 4 : f32, %w[0] ld 4 : f32 -> %o[0] ld 4 : f32 {trans_b}
    npu.dma_store %o[0] to @y[0] size [16]
  }
}

// -----

// Core 1 also writes @t's bytes (through the alias @a), so what core 0
// loads from @t depends on the order of the two stores: that load stays.
// Core 1's load of @u is forwarded, but its store stays: core 0 reads @u.

// CHECK-LABEL: npu.entry @decode
// CHECK:       npu.core 0
// CHECK:         npu.dma_store %{{.*}}[0] to @t[0] size [16]
// CHECK:         npu.dma_load %[[D:.*]][0] from @t[0] size [16]
// CHECK:         npu.dma_load %{{.*}}[0] from @u[0] size [16]
// CHECK:         npu.gemm m 1 n 4 k 4, %[[D]][0]
// CHECK:       npu.core 1
// CHECK:         %[[C1:.*]] = npu.alloc 16 {tag = "c"}
// CHECK:         npu.dma_store %[[C1]][0] to @a[0] size [16]
// CHECK:         npu.dma_store %[[C1]][0] to @u[0] size [16]
// CHECK-NOT:     from @u
// CHECK:         npu.gemm m 1 n 4 k 4, %[[C1]][0]
npu.region @w weights size 4096
npu.region @act activations size 4096
npu.region @io io size 4096
npu.constant @w0 = "w" payload in @w[0] size 1024
npu.hbm_buffer @t in @act[0] size 16
npu.hbm_buffer @a in @act[0] size 16
npu.hbm_buffer @u in @act[16] size 16
npu.io input @x : tensor<1x64xf32> in @io[0]
npu.io output @y : tensor<2x4xf32> in @io[1024]
npu.entry @decode attributes {param_names = [], param_regs = array<i32>} {
  npu.core 0 {
    %x = npu.alloc 256 {tag = "x"}
    %w = npu.alloc 1024 {tag = "w"}
    %c = npu.alloc 16 {tag = "c"}
    %d = npu.alloc 16 {tag = "d"}
    %e = npu.alloc 16 {tag = "e"}
    %o = npu.alloc 16 {tag = "o"}
    npu.dma_load %x[0] from @x[0] size [256]
    npu.dma_load %w[0] from @w0[0] size [1024]
    npu.gemm m 1 n 4 k 64, %x[0] ld 64 : f32, %w[0] ld 64 : f32 -> %c[0] ld 4 : f32 {trans_b}
    npu.dma_store %c[0] to @t[0] size [16]
    npu.barrier store, 1, 3
    npu.dma_load %d[0] from @t[0] size [16]
    npu.dma_load %e[0] from @u[0] size [16]
    npu.gemm m 1 n 4 k 4, %d[0] ld 4 : f32, %w[0] ld 4 : f32 -> %o[0] ld 4 : f32 {trans_b}
    npu.vadd rows 1 cols 4, %o[0] ld 4 : f32, %e[0] -> %o[0] ld 4 : f32 {in1_type = f32, ld1 = 4 : i64}
    npu.dma_store %o[0] to @y[0] size [16]
  }
  npu.core 1 {
    %x = npu.alloc 256 {tag = "x"}
    %w = npu.alloc 1024 {tag = "w"}
    %c = npu.alloc 16 {tag = "c"}
    %d = npu.alloc 16 {tag = "d"}
    %o = npu.alloc 16 {tag = "o"}
    npu.dma_load %x[0] from @x[0] size [256]
    npu.dma_load %w[0] from @w0[0] size [1024]
    npu.gemm m 1 n 4 k 64, %x[0] ld 64 : f32, %w[0] ld 64 : f32 -> %c[0] ld 4 : f32 {trans_b}
    npu.dma_store %c[0] to @a[0] size [16]
    npu.dma_store %c[0] to @u[0] size [16]
    npu.barrier store, 1, 3
    npu.dma_load %d[0] from @u[0] size [16]
    npu.gemm m 1 n 4 k 4, %d[0] ld 4 : f32, %w[0] ld 4 : f32 -> %o[0] ld 4 : f32 {trans_b}
    npu.dma_store %o[0] to @y[16] size [16]
  }
}

// -----

// Loads that would not see the stored bytes unchanged stay: the stored
// buffer is written again after the store (@t), the load reads fewer bytes
// than were stored (@v), and the KV cache is not a scratch tensor (@kv).

// CHECK-LABEL: npu.entry @decode
// CHECK:         npu.dma_load %{{.*}}[0] from @t[0] size [16]
// CHECK:         npu.dma_load %{{.*}}[0] from @v[0] size [8]
// CHECK:         npu.dma_load %{{.*}}[0] from @kv[0] size [16]
npu.region @w weights size 4096
npu.region @act activations size 4096
npu.region @kvr kv_cache size 4096
npu.region @io io size 4096
npu.constant @w0 = "w" payload in @w[0] size 1024
npu.hbm_buffer @t in @act[0] size 16
npu.hbm_buffer @v in @act[16] size 16
npu.hbm_buffer @kv in @kvr[0] size 16
npu.io input @x : tensor<1x64xf32> in @io[0]
npu.io output @y : tensor<1x4xf32> in @io[1024]
npu.entry @decode attributes {param_names = [], param_regs = array<i32>} {
  npu.core 0 {
    %x = npu.alloc 256 {tag = "x"}
    %w = npu.alloc 1024 {tag = "w"}
    %c = npu.alloc 16 {tag = "c"}
    %d = npu.alloc 16 {tag = "d"}
    %e = npu.alloc 16 {tag = "e"}
    %f = npu.alloc 16 {tag = "f"}
    %o = npu.alloc 16 {tag = "o"}
    npu.dma_load %x[0] from @x[0] size [256]
    npu.dma_load %w[0] from @w0[0] size [1024]
    npu.gemm m 1 n 4 k 64, %x[0] ld 64 : f32, %w[0] ld 64 : f32 -> %c[0] ld 4 : f32 {trans_b}
    npu.dma_store %c[0] to @t[0] size [16]
    npu.dma_store %x[0] to @v[0] size [16]
    npu.dma_store %x[0] to @kv[0] size [16]
    npu.gemm m 1 n 4 k 64, %x[0] ld 64 : f32, %w[0] ld 64 : f32 -> %c[0] ld 4 : f32 {trans_b}
    npu.dma_load %d[0] from @t[0] size [16]
    npu.dma_load %e[0] from @v[0] size [8]
    npu.dma_load %f[0] from @kv[0] size [16]
    npu.vadd rows 1 cols 4, %d[0] ld 4 : f32, %c[0] -> %o[0] ld 4 : f32 {in1_type = f32, ld1 = 4 : i64}
    npu.vadd rows 1 cols 2, %e[0] ld 2 : f32, %f[0] -> %o[0] ld 2 : f32 {in1_type = f32, ld1 = 2 : i64}
    npu.dma_store %o[0] to @y[0] size [16]
  }
}
