// RUN: strata-translate --npu-to-asm %s | FileCheck %s
// RUN: strata-translate --npu-to-binary %s -o %t.npubin && head -c 4 %t.npubin | tail -c 3 | FileCheck %s --check-prefix=ELF

// Emission: regions get addresses in order (4 KiB aligned), symbols resolve
// to region + offset, SRAM buffers to their allocated offsets, registers
// pass through, loops become li/bge/.../addi/blt, and every core ends in
// halt. The binary is an ELF file.

// ELF: ELF

// CHECK: .region weights kind=weights addr=0x0 size=0x2000
// CHECK: .region io kind=io addr=0x2000 size=0x400
// CHECK: .input tokens i32[4] addr=0x2000
// CHECK: .output y f32[1,64] addr=0x2100
// CHECK: .const w addr=0x0 reserve=4096
// CHECK: .entry decode
// CHECK: .param pos r1
// CHECK: .core 0
// CHECK-NEXT: li r4, 4
// CHECK-NEXT: li r3, 0
// CHECK-NEXT: bge r3, r4, [[END:L[0-9]+]]
// CHECK-NEXT: [[HEAD:L[0-9]+]]:
// CHECK-NEXT: ld32 r6, [r5+0x2000]
// CHECK-NEXT: dma.load src=hbm[r6] dst=sram[0x40] size=16
// CHECK-NEXT: addi r5, r5, 4
// CHECK-NEXT: addi r3, r3, 1
// CHECK-NEXT: blt r3, r4, [[HEAD]]
// CHECK-NEXT: [[END]]:
// CHECK-NEXT: dma.load src=hbm[0x0] dst=sram[0x1000] size=4096
// CHECK-NEXT: sem.signal load, s1
// CHECK-NEXT: tc.config gang=16x1 precision=f32
// CHECK-NEXT: sem.wait compute, s1
// CHECK-NEXT: gemm m=1 n=64 k=16 a=f32 b=f32 out=f32 A=[0x40] lda=16 B=[0x1000] ldb=16 transB C=[0x2000] ldc=64
// CHECK-NEXT: sem.release compute, s12
// CHECK-NEXT: sem.signal compute, s5
// CHECK-NEXT: sem.wait store, s5
// CHECK-NEXT: dma.store src=sram[0x2000] dst=hbm[0x2100] size=256
// CHECK-NEXT: halt
// CHECK: .core 1
// CHECK-NEXT: halt
module attributes {npu.arch_yaml = "name: npu-default\0A"} {
  npu.region @weights weights size 8192
  npu.region @io io size 1024
  npu.constant @w = "w" payload in @weights[0] size 4096
  npu.io input @tokens : tensor<4xi32> in @io[0]
  npu.io output @y : tensor<1x64xf32> in @io[256]
  npu.entry @decode attributes {param_names = ["pos"], param_regs = array<i32: 1>} {
    npu.core 0 {
      %x = npu.alloc 64 at 64
      %w = npu.alloc 4096 at 4096
      %c = npu.alloc 256 at 8192
      npu.loop r3 to 4 limit r4 {
        npu.ld32 r6, @tokens[r5 + 0]
        npu.dma_load %x[0] from @w[0] size [16] {src_reg = 6 : i32}
        npu.addi r5, r5, 4
      }
      npu.dma_load %w[0] from @w[0] size [4096]
      npu.sem_signal load, 1, 1
      npu.tc_config independent f32
      npu.sem_wait compute, 1, 1
      npu.gemm m 1 n 64 k 16, %x[0] ld 16 : f32, %w[0] ld 16 : f32 -> %c[0] ld 64 : f32 {trans_b}
      npu.sem_release compute, 12, 1
      npu.sem_signal compute, 5, 1
      npu.sem_wait store, 5, 1
      npu.dma_store %c[0] to @y[0] size [256]
    }
    npu.core 1 {
    }
  }
}
