// RUN: strata-opt %s --split-input-file --strata-npu-insert-semaphores | FileCheck %s

// Semaphore (from, to) is id from*3 + to (load 0, compute 1, store 2); a
// release (from, to) is id 9 + from*3 + to.

// A load -> GEMM -> store chain: each handoff is a signal after the producer
// and a wait before the consumer. Two loads feeding one GEMM need one signal
// (after the second: the queue is in order) and one wait.
// CHECK-LABEL: module attributes {npu.semaphore_stats = {fences = 0 : i64, implied = 0 : i64, releases = 0 : i64, signals = 2 : i64, waits = 2 : i64}}
// CHECK: npu.dma_load %{{.*}} from @x
// CHECK-NEXT: npu.dma_load %{{.*}} from @w
// CHECK-NEXT: npu.sem_signal load, 1, 1
// CHECK-NEXT: npu.sem_wait compute, 1, 1
// CHECK-NEXT: npu.gemm
// CHECK-NEXT: npu.sem_signal compute, 5, 1
// CHECK-NEXT: npu.sem_wait store, 5, 1
// CHECK-NEXT: npu.dma_store
npu.region @io io size 8192
npu.io input @x : tensor<1x64xf32> in @io[0]
npu.io input @w : tensor<16x64xf32> in @io[256]
npu.io output @y : tensor<1x16xf32> in @io[4352]
npu.entry @main attributes {param_names = [], param_regs = array<i32>} {
  npu.core 0 {
    %x = npu.alloc 256 at 0
    %w = npu.alloc 4096 at 256
    %c = npu.alloc 64 at 4352
    npu.dma_load %x[0] from @x[0] size [256]
    npu.dma_load %w[0] from @w[0] size [4096]
    npu.gemm m 1 n 16 k 64, %x[0] ld 64 : f32, %w[0] ld 64 : f32 -> %c[0] ld 16 : f32 {trans_b}
    npu.dma_store %c[0] to @y[0] size [64]
  }
}

// -----

// Write after read: a load into bytes a GEMM reads waits only until the
// GEMM has read them, a release (compute -> load, id 9 + 3 = 12). The second
// GEMM's wait for its own load also covers nothing earlier, so counts stay
// cumulative: 1 then 1.
// CHECK-LABEL: module attributes {npu.semaphore_stats = {fences = 0 : i64, implied = 0 : i64, releases = 1 : i64, signals = 2 : i64, waits = 3 : i64}}
// CHECK: npu.gemm
// CHECK-NEXT: npu.sem_release compute, 12, 1
// CHECK-NEXT: npu.sem_wait load, 12, 1
// CHECK-NEXT: npu.dma_load %{{.*}} from @w[4096]
// CHECK-NEXT: npu.sem_signal load, 1, 1
// CHECK-NEXT: npu.sem_wait compute, 1, 1
// CHECK-NEXT: npu.gemm
npu.region @io io size 16384
npu.io input @x : tensor<1x64xf32> in @io[0]
npu.io input @w : tensor<32x64xf32> in @io[256]
npu.entry @main attributes {param_names = [], param_regs = array<i32>} {
  npu.core 0 {
    %x = npu.alloc 256 at 0
    %w = npu.alloc 4096 at 256
    %c = npu.alloc 64 at 4352
    npu.dma_load %x[0] from @x[0] size [256]
    npu.dma_load %w[0] from @w[0] size [4096]
    npu.gemm m 1 n 16 k 64, %x[0] ld 64 : f32, %w[0] ld 64 : f32 -> %c[0] ld 16 : f32 {trans_b}
    npu.dma_load %w[0] from @w[4096] size [4096]
    npu.gemm m 1 n 16 k 64, %x[0] ld 64 : f32, %w[0] ld 64 : f32 -> %c[0] ld 16 : f32 {accumulate, trans_b}
  }
}

// -----

// Transitively implied: the store of %c waits for the GEMM, which waited for
// the load of %x; the later store of %x's bytes needs no wait on the load
// queue of its own (its signal was already consumed through compute).
// CHECK-LABEL: module attributes {npu.semaphore_stats = {fences = 0 : i64, implied = 1 : i64
// CHECK: npu.sem_wait store, 5, 1
// CHECK-NEXT: npu.dma_store %{{.*}} to @y[0]
// CHECK-NEXT: npu.dma_store %{{.*}} to @y[64]
npu.region @io io size 8192
npu.io input @x : tensor<1x64xf32> in @io[0]
npu.io output @y : tensor<1x80xf32> in @io[4096]
npu.entry @main attributes {param_names = [], param_regs = array<i32>} {
  npu.core 0 {
    %x = npu.alloc 256 at 0
    %c = npu.alloc 256 at 256
    npu.dma_load %x[0] from @x[0] size [256]
    npu.vexp rows 1 cols 16, %x[0] ld 64 : f32 -> %c[0] ld 16 : f32
    npu.dma_store %c[0] to @y[0] size [64]
    npu.dma_store %x[0] to @y[64] size [64]
  }
}

// -----

// Covered through another queue: the second load overwrites %a, which the
// vexp reads (compute -> load), and reads @t, which the store wrote (store ->
// load). The store waited for the vexp before it ran, so the store queue's
// signal alone says both are done: one pair, not two.
// CHECK-LABEL: module attributes {npu.semaphore_stats = {fences = 0 : i64, implied = 1 : i64, releases = 0 : i64, signals = 3 : i64, waits = 3 : i64}}
// CHECK-NOT: npu.sem_signal compute, 3
// CHECK: npu.sem_wait store, 5, 1
// CHECK-NEXT: npu.dma_store %{{.*}} to @t[0]
// CHECK-NEXT: npu.sem_signal store, 6, 1
// CHECK-NEXT: npu.sem_wait load, 6, 1
// CHECK-NEXT: npu.dma_load %{{.*}} from @t[0]
npu.region @io io size 8192
npu.io input @x : tensor<1x64xf32> in @io[0]
npu.hbm_buffer @t in @io[256] size 256
npu.entry @main attributes {param_names = [], param_regs = array<i32>} {
  npu.core 0 {
    %a = npu.alloc 256 at 0
    %b = npu.alloc 256 at 256
    npu.dma_load %a[0] from @x[0] size [256]
    npu.vexp rows 1 cols 64, %a[0] ld 64 : f32 -> %b[0] ld 64 : f32
    npu.dma_store %b[0] to @t[0] size [256]
    npu.dma_load %a[0] from @t[0] size [256]
  }
}


// -----

// The hardware orders SRAM hazards inside a queue but not HBM ones: a store
// over HBM bytes an earlier store of the same queue wrote drains the queue
// first (store -> store, id 8). An ld32 of bytes this core stored waits for
// all queues (a fence): the sequencer does not wait for queues.
// CHECK-LABEL: module
// CHECK: npu.dma_store %{{.*}} to @t[0] size [64]
// CHECK-NEXT: npu.sem_signal store, 8, 1
// CHECK-NEXT: npu.sem_wait store, 8, 1
// CHECK-NEXT: npu.dma_store %{{.*}} to @t[32] size [64]
// CHECK-NEXT: npu.fence
// CHECK-NEXT: npu.ld32 r5, @t[r0 + 0]
npu.region @io io size 8192
npu.hbm_buffer @t in @io[0] size 256
npu.entry @main attributes {param_names = [], param_regs = array<i32>} {
  npu.core 0 {
    %a = npu.alloc 256 at 0
    npu.dma_store %a[0] to @t[0] size [64]
    npu.dma_store %a[0] to @t[32] size [64]
    npu.ld32 r5, @t[r0 + 0]
  }
}

// -----

// A barrier waits for its own queue; a load of a symbol it acquires (another
// core wrote it) waits for the barrier (store -> load, id 6); loads of other
// symbols (weights) do not.
// CHECK-LABEL: module
// CHECK: npu.barrier store, 0, 3 {acquire = [@t]}
// CHECK-NEXT: npu.sem_signal store, 6, 1
// CHECK-NEXT: npu.dma_load %{{.*}} from @w[0]
// CHECK-NEXT: npu.sem_wait load, 6, 1
// CHECK-NEXT: npu.dma_load %{{.*}} from @t[0]
npu.region @io io size 8192
npu.hbm_buffer @t in @io[0] size 256
npu.hbm_buffer @w in @io[256] size 256
npu.entry @main attributes {param_names = [], param_regs = array<i32>} {
  npu.core 0 {
    %a = npu.alloc 512 at 0
    npu.barrier store, 0, 3 {acquire = [@t]}
    npu.dma_load %a[0] from @w[0] size [256]
    npu.dma_load %a[256] from @t[0] size [256]
  }
  npu.core 1 {
    npu.barrier store, 0, 3 {}
  }
}

// -----

// A release says what the GEMM has read, not that it finished. The load
// over %x after the load over %w needs no wait of its own (the release
// already said %x was read), but the load into %c, which the GEMM writes,
// waits for its completion with a signal (compute -> load, id 3), placed
// behind the release so that the release does not wait for it.
// CHECK-LABEL: module attributes {npu.semaphore_stats = {fences = 0 : i64, implied = 1 : i64, releases = 1 : i64, signals = 2 : i64, waits = 3 : i64}}
// CHECK: npu.gemm
// CHECK-NEXT: npu.sem_release compute, 12, 1
// CHECK-NEXT: npu.sem_signal compute, 3, 1
// CHECK-NEXT: npu.sem_wait load, 12, 1
// CHECK-NEXT: npu.dma_load %{{.*}} from @w[4096]
// CHECK-NEXT: npu.dma_load %{{.*}} from @x[256]
// CHECK-NEXT: npu.sem_wait load, 3, 1
// CHECK-NEXT: npu.dma_load %{{.*}} from @w[0]
npu.region @io io size 16384
npu.io input @x : tensor<2x64xf32> in @io[0]
npu.io input @w : tensor<32x64xf32> in @io[512]
npu.entry @main attributes {param_names = [], param_regs = array<i32>} {
  npu.core 0 {
    %x = npu.alloc 256 at 0
    %w = npu.alloc 4096 at 256
    %c = npu.alloc 64 at 4352
    npu.dma_load %x[0] from @x[0] size [256]
    npu.dma_load %w[0] from @w[0] size [4096]
    npu.gemm m 1 n 16 k 64, %x[0] ld 64 : f32, %w[0] ld 64 : f32 -> %c[0] ld 16 : f32 {trans_b}
    npu.dma_load %w[0] from @w[4096] size [4096]
    npu.dma_load %x[0] from @x[256] size [256]
    npu.dma_load %c[0] from @w[0] size [64]
  }
}

// -----

// A write that must wait for a compute op to finish (it overwrites the
// vexp's output) and only for another to have read (the GEMM after it reads
// the vexp's input) gets one signal after the later of the two: finished
// covers read.
// CHECK-LABEL: module attributes {npu.semaphore_stats = {fences = 0 : i64, implied = 0 : i64, releases = 0 : i64, signals = 3 : i64, waits = 3 : i64}}
// CHECK: npu.gemm
// CHECK-NEXT: npu.sem_signal compute, 3, 1
// CHECK-NEXT: npu.sem_wait load, 3, 1
// CHECK-NEXT: npu.dma_load %{{.*}} from @x[0] size [512]
npu.region @io io size 16384
npu.io input @x : tensor<2x64xf32> in @io[0]
npu.io input @w : tensor<16x64xf32> in @io[512]
npu.entry @main attributes {param_names = [], param_regs = array<i32>} {
  npu.core 0 {
    %a = npu.alloc 512 at 0
    %w = npu.alloc 4096 at 512
    %y = npu.alloc 64 at 4608
    npu.dma_load %a[0] from @x[0] size [256]
    npu.dma_load %w[0] from @w[0] size [4096]
    npu.vexp rows 1 cols 64, %a[0] ld 64 : f32 -> %a[256] ld 64 : f32
    npu.gemm m 1 n 16 k 64, %a[0] ld 64 : f32, %w[0] ld 64 : f32 -> %y[0] ld 16 : f32 {trans_b}
    npu.dma_load %a[0] from @x[0] size [512]
  }
}

// -----

// A store over HBM bytes an earlier store of the queue wrote needs no drain
// of its own when a signal already stands between them in the queue: the
// signal after the first store (for the load that reads @t) waits for it,
// and the second store starts after that signal. The load's read of @t is
// what the second store waits for (load -> store, id 2).
// CHECK-LABEL: module attributes {npu.semaphore_stats = {fences = 0 : i64, implied = 0 : i64, releases = 0 : i64, signals = 2 : i64, waits = 2 : i64}}
// CHECK: npu.dma_store %{{.*}} to @t[0] size [64]
// CHECK-NEXT: npu.sem_signal store, 6, 1
// CHECK-NOT: store, 8
// CHECK: npu.sem_wait store, 2, 1
// CHECK-NEXT: npu.dma_store %{{.*}} to @t[0] size [64]
npu.region @io io size 8192
npu.hbm_buffer @t in @io[0] size 256
npu.entry @main attributes {param_names = [], param_regs = array<i32>} {
  npu.core 0 {
    %a = npu.alloc 256 at 0
    %b = npu.alloc 256 at 256
    npu.dma_store %a[0] to @t[0] size [64]
    npu.dma_load %b[0] from @t[0] size [64]
    npu.dma_store %a[0] to @t[0] size [64]
  }
}
