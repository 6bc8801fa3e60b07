// RUN: not strata-translate --npu-to-binary %s -o /dev/null 2>&1 | FileCheck %s

// Every program is checked with the ISA validator against the module's
// architecture before anything is written: an SRAM operand past the 8 MiB
// scratchpad names the entry, the core and the instruction.

// CHECK: error: 'npu.core' op entry 'main' core 0: instruction 0 (dma.load)
module attributes {npu.arch_yaml = "name: npu-default\0A"} {
  npu.region @io io size 4096
  npu.io input @x : tensor<1024xf32> in @io[0]
  npu.entry @main attributes {param_names = [], param_regs = array<i32>} {
    npu.core 0 {
      %a = npu.alloc 4096 at 8388608
      npu.dma_load %a[0] from @x[0] size [4096]
    }
  }
}
