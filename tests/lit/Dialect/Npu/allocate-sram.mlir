// RUN: strata-opt %s --split-input-file --strata-npu-allocate-sram=sram-bytes=8192 --verify-diagnostics | FileCheck %s

// Buffers whose live ranges overlap (the double-buffered weight tiles w0 and
// w1: w1 is loaded before the GEMM on w0) get disjoint bytes; a buffer first
// used after another's last use takes its place (c1 reuses w0's bytes; c0
// cannot, its GEMM still reads w0).

// CHECK-LABEL: module attributes {npu.sram_high_water = {main.core0 = 3584 : i64}}
// CHECK: npu.alloc 1024 at 0
// CHECK: npu.alloc 1024 at 1024
// CHECK: npu.alloc 1024 at 2048
// CHECK: npu.alloc 512 at 3072
// CHECK: npu.alloc 512 at 1024
npu.region @w weights size 4096
npu.region @io io size 4096
npu.constant @w0 = "w" payload in @w[0] size 1024
npu.constant @w1 = "w" payload in @w[1024] size 1024
npu.io input @x : tensor<1x256xf32> in @io[0]
npu.io output @y : tensor<1x256xf32> in @io[1024]
npu.entry @main attributes {param_names = [], param_regs = array<i32>} {
  npu.core 0 {
    %x = npu.alloc 1024
    %w0 = npu.alloc 1024
    %w1 = npu.alloc 1024
    %c0 = npu.alloc 512
    %c1 = npu.alloc 512
    npu.dma_load %x[0] from @x[0] size [1024]
    npu.dma_load %w0[0] from @w0[0] size [1024]
    npu.dma_load %w1[0] from @w1[0] size [1024]
    npu.gemm m 1 n 4 k 64, %x[0] ld 256 : f32, %w0[0] ld 64 : f32 -> %c0[0] ld 4 : f32 {trans_b}
    npu.dma_store %c0[0] to @y[0] size [16]
    npu.gemm m 1 n 4 k 64, %x[0] ld 256 : f32, %w1[0] ld 64 : f32 -> %c1[0] ld 4 : f32 {trans_b}
    npu.dma_store %c1[0] to @y[16] size [16]
  }
}

// -----

// More live bytes than the core has: the error names the entry, the core and
// where the live set peaks.

npu.region @io io size 16384
npu.io input @x : tensor<4096xf32> in @io[0]
npu.entry @big attributes {param_names = [], param_regs = array<i32>} {
  npu.core 2 {
    %a = npu.alloc 6144
    %b = npu.alloc 4096
    npu.dma_load %a[0] from @x[0] size [6144]
    // expected-error @+1 {{entry 'big' core 2 needs 10240 bytes of SRAM here (2 live buffers, 10240 bytes) but the core has 8192}}
    npu.dma_load %b[0] from @x[0] size [4096]
    npu.vexp rows 1 cols 16, %a[0] ld 16 : f32 -> %b[0] ld 16 : f32
  }
}
