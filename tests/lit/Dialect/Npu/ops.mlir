// RUN: strata-opt %s | strata-opt | FileCheck %s
// RUN: strata-opt %s --mlir-print-op-generic | strata-opt | FileCheck %s

// Round trip of every npu op: the memory plan, program structure, DMA,
// tensor cores, every vector instruction, synchronisation and scalar code.

// CHECK-LABEL: module
// CHECK: npu.region @weights weights size 8192
// CHECK: npu.region @io io size 1024 at 65536
// CHECK: npu.constant @w = "layers.0.w" payload in @weights[0] size 4096
// CHECK: npu.constant @s = "layers.0.w" scales in @weights[4096] size 256
// CHECK: npu.io input @x : tensor<4x16xf32> in @io[0]
// CHECK: npu.io output @y : tensor<4x64xf32> in @io[0]
// CHECK: npu.hbm_buffer @t in @io[512] size 256
module {
  npu.region @weights weights size 8192
  npu.region @io io size 1024 at 65536
  npu.constant @w = "layers.0.w" payload in @weights[0] size 4096
  npu.constant @s = "layers.0.w" scales in @weights[4096] size 256
  npu.io input @x : tensor<4x16xf32> in @io[0]
  npu.io output @y : tensor<4x64xf32> in @io[0]
  npu.hbm_buffer @t in @io[512] size 256

  // CHECK: npu.entry @main attributes {param_names = ["pos", "n_valid"], param_regs = array<i32: 1, 2>}
  npu.entry @main attributes {param_names = ["pos", "n_valid"], param_regs = array<i32: 1, 2>} {
    // CHECK: npu.core 0
    npu.core 0 {
      // CHECK: %[[A:.*]] = npu.alloc 1024
      // CHECK: npu.alloc 4096 align 128 at 4096
      %a = npu.alloc 1024
      %b = npu.alloc 4096 align 128 at 4096
      %c = npu.alloc 1024
      %d = npu.alloc 1024
      %q = npu.alloc 256

      // CHECK: npu.dma_load %[[A]][0] from @x[0] size [256]
      npu.dma_load %a[0] from @x[0] size [256]
      // CHECK: npu.dma_load {{.*}} from @w[0] size [64, 64] {dst_strides = array<i64: 64>, src_strides = array<i64: 64>}
      npu.dma_load %b[0] from @w[0] size [64, 64] {src_strides = array<i64: 64>, dst_strides = array<i64: 64>}
      // CHECK: npu.dma_load {{.*}} from @t[0] size [r3] {src_reg = 4 : i32, src_window = array<i64: 0, 256>}
      npu.dma_load %d[0] from @t[0] size [r3] {src_reg = 4 : i32, src_window = array<i64: 0, 256>}
      // CHECK: npu.dma_load {{.*}} from %[[A]][64] size [64]
      npu.dma_load %d[0] from %a[64] size [64]
      // CHECK: npu.dma_store {{.*}} to @y[0] size [1024]
      npu.dma_store %c[0] to @y[0] size [1024]

      // CHECK: npu.tc_config independent f32
      npu.tc_config independent f32
      // CHECK: npu.tc_config single i8
      npu.tc_config single i8
      // CHECK: npu.gemm m 4 n 64 k 16, %[[A]][0] ld 16 : f32, {{.*}}[0] ld 16 : f32 -> {{.*}}[0] ld 64 : f32 {trans_b}
      npu.gemm m 4 n 64 k 16, %a[0] ld 16 : f32, %b[0] ld 16 : f32 -> %c[0] ld 64 : f32 {trans_b}
      // CHECK: npu.gemm m r5 n 16 k 16, {{.*}} : i8, {{.*}} : i4 -> {{.*}} : f32 scale_a {{.*}}[0] scale_b {{.*}}[64] bias {{.*}}[128] {a_scale = #npu<scale_mode per_row>, act = #npu<activation silu>, b_scale = #npu<scale_mode per_group>, group_size = 16 : i64, scale_type = f16, trans_b}
      npu.gemm m r5 n 16 k 16, %a[0] ld 16 : i8, %b[0] ld 16 : i4 -> %c[0] ld 16 : f32 scale_a %q[0] scale_b %q[64] bias %q[128] {a_scale = #npu<scale_mode per_row>, b_scale = #npu<scale_mode per_group>, group_size = 16 : i64, scale_type = f16, act = #npu<activation silu>, trans_b}

      // CHECK: npu.vadd rows 4 cols 16, {{.*}}[0] ld 16 : f32, {{.*}}[0] -> {{.*}}[0] ld 16 : f32 {in1_type = f32, ld1 = 16 : i64}
      npu.vadd rows 4 cols 16, %a[0] ld 16 : f32, %d[0] -> %c[0] ld 16 : f32 {in1_type = f32, ld1 = 16 : i64}
      // CHECK: npu.vsub {{.*}}bcast = #npu<broadcast row>
      npu.vsub rows 4 cols 16, %a[0] ld 16 : f32, %d[0] -> %c[0] ld 16 : f32 {in1_type = f32, bcast = #npu<broadcast row>}
      // CHECK: npu.vmul {{.*}}bcast = #npu<broadcast col>
      npu.vmul rows 4 cols 16, %a[0] ld 16 : f32, %d[0] -> %c[0] ld 16 : f32 {in1_type = f32, bcast = #npu<broadcast col>}
      // CHECK: npu.vmax {{.*}}bcast = #npu<broadcast scalar>, fimm = 5.000000e-01 : f32
      npu.vmax rows 4 cols 16, %a[0] ld 16 : f32 -> %c[0] ld 16 : f32 {bcast = #npu<broadcast scalar>, fimm = 0.5 : f32}
      npu.vexp rows 4 cols 16, %a[0] ld 16 : f32 -> %c[0] ld 16 : f32
      npu.vrsqrt rows 4 cols 16, %a[0] ld 16 : f32 -> %c[0] ld 16 : f32
      npu.vsilu rows 4 cols 16, %a[0] ld 16 : f32 -> %c[0] ld 16 : f32
      npu.vgelu_tanh rows 4 cols 16, %a[0] ld 16 : f32 -> %c[0] ld 16 : f32
      npu.vgelu_erf rows 4 cols 16, %a[0] ld 16 : f32 -> %c[0] ld 16 : f32
      npu.vrelu rows 4 cols 16, %a[0] ld 16 : f32 -> %c[0] ld 16 : f32
      npu.vcast rows 4 cols 16, %a[0] ld 16 : f32 -> %c[0] ld 16 : f32
      npu.vcopy rows 4 cols 16, %a[0] ld 16 : f32 -> %c[0] ld 16 : f32
      // CHECK-COUNT-8: npu.v{{exp|rsqrt|silu|gelu_tanh|gelu_erf|relu|cast|copy}} rows 4 cols 16
      // CHECK: npu.vreduce_sum rows 4 cols 16, {{.*}} -> {{.*}}[0] ld 1 : f32
      npu.vreduce_sum rows 4 cols 16, %a[0] ld 16 : f32 -> %c[0] ld 1 : f32
      // CHECK: npu.vreduce_max
      npu.vreduce_max rows 4 cols 16, %a[0] ld 16 : f32 -> %c[0] ld 1 : f32
      // CHECK: npu.vargmax {{.*}} : i32
      npu.vargmax rows 4 cols 16, %a[0] ld 16 : f32 -> %c[0] ld 1 : i32
      // CHECK: npu.vsoftmax rows 4 cols r6, {{.*}} : f16 {aux = #npu.reg<1>, causal, fimm = 2.500000e-01 : f32}
      npu.vsoftmax rows 4 cols r6, %a[0] ld 16 : f32 -> %c[0] ld 16 : f16 {aux = #npu.reg<1>, causal, fimm = 0.25 : f32}
      // CHECK: npu.vrmsnorm {{.*}}fimm = 9.99999974E-6 : f32, in1_type = f16
      npu.vrmsnorm rows 4 cols 16, %a[0] ld 16 : f32, %d[0] -> %c[0] ld 16 : f32 {in1_type = f16, fimm = 1.0e-05 : f32}
      // CHECK: npu.vlayernorm rows 4 cols 16, {{.*}}, {{.*}}[0], {{.*}}[64] ->
      npu.vlayernorm rows 4 cols 16, %a[0] ld 16 : f32, %d[0], %d[64] -> %c[0] ld 16 : f32 {in1_type = f32, fimm = 1.0e-05 : f32}
      // CHECK: npu.vrope {{.*}}aux = 7 : i64, aux2 = 8 : i64, fimm = 1.000000e+04 : f32, rope_half
      npu.vrope rows 4 cols 16, %a[0] ld 16 : f32 -> %c[0] ld 16 : f32 {aux = 7, aux2 = 8 : i64, fimm = 10000.0 : f32, rope_half}
      // CHECK: npu.vquantize {{.*}} : i8 {aux2 = 8 : i64, in1_type = f16, ld1 = 2 : i64}
      npu.vquantize rows 4 cols 16, %a[0] ld 16 : f32, %q[0] -> %c[0] ld 16 : i8 {in1_type = f16, ld1 = 2 : i64, aux2 = 8 : i64}
      // CHECK: npu.vdequantize rows 4 cols 16, {{.*}} : i8, {{.*}} -> {{.*}} : f32
      npu.vdequantize rows 4 cols 16, %c[0] ld 16 : i8, %q[0] -> %a[0] ld 16 : f32 {in1_type = f16, ld1 = 2 : i64, aux2 = 8 : i64}
      // CHECK: npu.vtranspose rows 4 cols 16, {{.*}} -> {{.*}}[0] ld 4 : f32
      npu.vtranspose rows 4 cols 16, %a[0] ld 16 : f32 -> %c[0] ld 4 : f32

      // CHECK: npu.sem_signal load, 1, 1
      npu.sem_signal load, 1, 1
      // CHECK: npu.sem_release compute, 12, 1
      npu.sem_release compute, 12, 1
      // CHECK: npu.sem_wait compute, 1, 2
      npu.sem_wait compute, 1, 2
      // CHECK: npu.barrier store, 0, 3 {acquire = [@t], release = [@y]}
      npu.barrier store, 0, 3 {acquire = [@t], release = [@y]}
      // CHECK: npu.dvfs_hint load, 255, 1
      npu.dvfs_hint load, 255, 1
      // CHECK: npu.fence
      npu.fence

      // CHECK: npu.li r3, 4096
      npu.li r3, 4096
      // CHECK: npu.add r4, r1, r2
      npu.add r4, r1, r2
      npu.sub r4, r1, r2
      npu.mul r4, r1, r2
      npu.and r4, r1, r2
      npu.or r4, r1, r2
      npu.min r4, r1, r2
      // CHECK: npu.max r4, r1, r2
      npu.max r4, r1, r2
      // CHECK: npu.addi r4, r1, -8
      npu.addi r4, r1, -8
      npu.muli r4, r1, 3
      npu.divui r4, r1, 3
      npu.remui r4, r1, 3
      npu.shli r4, r1, 2
      // CHECK: npu.shri r4, r1, 2
      npu.shri r4, r1, 2
      // CHECK: npu.ld32 r6, @x[r4 + 16]
      npu.ld32 r6, @x[r4 + 16]

      // CHECK: npu.loop r9 to 4 limit r10 {
      // CHECK-NEXT: npu.ld32 r6, @x[r9 + 0]
      // CHECK-NEXT: npu.dma_load
      npu.loop r9 to 4 limit r10 {
        npu.ld32 r6, @x[r9 + 0]
        npu.dma_load %d[0] from @t[0] size [4] {src_reg = 6 : i32}
      }
      // CHECK: npu.loop r9 to r2 limit r10
      npu.loop r9 to r2 limit r10 {
        npu.addi r4, r4, 1
      }
    }
    // CHECK: npu.core 1
    npu.core 1 {
    }
  }
}
