// RUN: strata-opt %s --split-input-file --verify-diagnostics

// Everything the ISA validator rejects is rejected by the op verifiers, plus
// what only the IR knows: operand extents inside their SRAM buffers and HBM
// symbols, symbols that exist, entry and loop structure.

npu.region @io io size 256
npu.entry @main attributes {param_names = [], param_regs = array<i32>} {
  npu.core 0 {
    %a = npu.alloc 64
    %c = npu.alloc 64
    // expected-error @+1 {{gemm: lda (8) is smaller than k (16)}}
    npu.gemm m 4 n 8 k 16, %a[0] ld 8 : f32, %a[0] ld 16 : f32 -> %c[0] ld 8 : f32 {trans_b}
  }
}
// -----
npu.entry @main attributes {param_names = [], param_regs = array<i32>} {
  npu.core 0 {
    %a = npu.alloc 64
    %c = npu.alloc 64
    // expected-error @+1 {{gemm: operand types a=f16 b=bf16 are not a supported pair (i4 x i4, i8 x i8, i8 x i4, f16 x f16, bf16 x bf16, f32 x f32)}}
    npu.gemm m 1 n 8 k 8, %a[0] ld 8 : f16, %a[0] ld 8 : bf16 -> %c[0] ld 8 : f32
  }
}
// -----
npu.entry @main attributes {param_names = [], param_regs = array<i32>} {
  npu.core 0 {
    %a = npu.alloc 64
    // expected-error @+1 {{vadd: causal is only for vsoftmax}}
    npu.vadd rows 4 cols 16, %a[0] ld 16 : f32 -> %a[0] ld 16 : f32 {causal}
  }
}
// -----
npu.entry @main attributes {param_names = [], param_regs = array<i32>} {
  npu.core 0 {
    %a = npu.alloc 64
    // expected-error @+1 {{touches bytes [0, 256) of a 64-byte buffer}}
    npu.vexp rows 4 cols 16, %a[0] ld 16 : f32 -> %a[0] ld 16 : f32
  }
}
// -----
npu.region @io io size 256
npu.hbm_buffer @t in @io[0] size 128
npu.entry @main attributes {param_names = [], param_regs = array<i32>} {
  npu.core 0 {
    %a = npu.alloc 1024
    // expected-error @+1 {{touches bytes [64, 192) of @t (128 bytes)}}
    npu.dma_load %a[0] from @t[64] size [128]
  }
}
// -----
npu.entry @main attributes {param_names = [], param_regs = array<i32>} {
  npu.core 0 {
    %a = npu.alloc 1024
    // expected-error @+1 {{names unknown HBM symbol @nowhere}}
    npu.dma_load %a[0] from @nowhere[0] size [128]
  }
}
// -----
// expected-error @+1 {{parameter 'pos' is in r0; parameters use r1..r31}}
npu.entry @main attributes {param_names = ["pos"], param_regs = array<i32: 0>} {
}
// -----
npu.entry @main attributes {param_names = [], param_regs = array<i32>} {
  npu.core 0 {
  }
  // expected-error @+1 {{core 0 appears twice in entry main}}
  npu.core 0 {
  }
}
// -----
npu.entry @main attributes {param_names = [], param_regs = array<i32>} {
  npu.core 0 {
    // expected-error @+1 {{alignment 48 is not a power of two}}
    %a = npu.alloc 96 align 48
  }
}
// -----
npu.entry @main attributes {param_names = [], param_regs = array<i32>} {
  npu.core 0 {
    %a = npu.alloc 1024
    // expected-error @+1 {{counter and limit use the same register r3}}
    npu.loop r3 to 4 limit r3 {
      npu.addi r4, r4, 1
    }
  }
}
// -----
npu.region @io io size 256
npu.hbm_buffer @t in @io[0] size 128
npu.entry @main attributes {param_names = [], param_regs = array<i32>} {
  npu.core 0 {
    %a = npu.alloc 1024
    npu.loop r3 to 4 limit r4 {
      npu.dma_load %a[0] from @t[0] size [4]
      // expected-error @+1 {{is dispatched to the store queue but the loop already uses the load queue (a loop body uses one queue)}}
      npu.dma_store %a[0] to @t[0] size [4]
    }
  }
}
// -----
npu.entry @main attributes {param_names = [], param_regs = array<i32>} {
  npu.core 0 {
    // expected-error @+1 {{attribute 'count' failed to satisfy constraint: 32-bit signless integer attribute whose value is positive}}
    npu.sem_signal load, 1, 0
  }
}
// -----
npu.entry @main attributes {param_names = [], param_regs = array<i32>} {
  npu.core 0 {
    // expected-error @+1 {{attribute 'count' failed to satisfy constraint: 32-bit signless integer attribute whose value is positive}}
    npu.sem_release compute, 12, 0
  }
}
// -----
npu.entry @main attributes {param_names = [], param_regs = array<i32>} {
  npu.core 0 {
    // expected-error @+1 {{divui: the divisor immediate is 0}}
    npu.divui r3, r1, 0
  }
}
// -----
npu.entry @main attributes {param_names = [], param_regs = array<i32>} {
  npu.core 0 {
    // expected-error @+1 {{'npu.li' expected a register r0..r31}}
    npu.li r40, 1
  }
}
// -----
npu.region @io io size 256
// expected-error @+1 {{I/O tensor must have a static shape, got 'tensor<?x4xf32>'}}
npu.io input @x : tensor<?x4xf32> in @io[0]
// -----
npu.entry @main attributes {param_names = [], param_regs = array<i32>} {
  npu.core 0 {
    %a = npu.alloc 64
    // expected-error @+1 {{tc.config: precision i32 is not a multiplier precision (i4, i8, f16, bf16, f32)}}
    npu.tc_config independent i32
  }
}
