// RUN: strata-opt %s --strata-graph-to-npu="cores=1" --strata-npu-schedule-prefetch | FileCheck %s
// RUN: strata-opt %s --strata-graph-to-npu="cores=1" --strata-npu-schedule-prefetch="reorder=false" | FileCheck %s --check-prefix=KEEP
// RUN: strata-opt %s --strata-graph-to-npu="cores=1" --strata-npu-schedule-prefetch="sram-bytes=20000" | FileCheck %s --check-prefix=TIGHT
// RUN: not strata-opt %s --strata-graph-to-npu="cores=1" --strata-npu-allocate-sram --strata-npu-insert-semaphores --strata-npu-schedule-prefetch 2>&1 | FileCheck %s --check-prefix=ERR

// Two linear layers with a SiLU between them, on one core. As lowered, the
// second weight is loaded when its kernel starts, after the SiLU. The
// scheduler issues it right after the SiLU's activation load (loads keep
// their relative order: the load queue is in order), above the SiLU and the
// store, so it streams while they run; the second kernel's activation load
// stays behind the store that produces it.
// CHECK: npu.prefetch_stats = {entries = {chain = {{{.*}}loads_hoisted = 1 : i64}}, estimated_overlap = {{.*}}, loads = 5 : i64, loads_hoisted = 1 : i64}
// CHECK-LABEL: npu.entry @chain
// CHECK: npu.dma_load %{{[0-9]+}}[0] from @w.w1[0] size [16384]
// CHECK: npu.dma_load %{{[0-9]+}}[0] from @input0[0] size [256]
// CHECK: npu.gemm
// CHECK: npu.dma_store %{{[0-9]+}}[0] to @chain.t0[0]
// CHECK: npu.dma_load %{{[0-9]+}}[0] from @chain.t0[0]
// CHECK: npu.dma_load %{{[0-9]+}}[0] from @w.w2[0] size [16384]
// CHECK: npu.vsilu
// CHECK: npu.dma_store %{{[0-9]+}}[0] to @chain.t1[0]
// CHECK: npu.dma_load %{{[0-9]+}}[0] from @chain.t1[0]
// CHECK: npu.gemm

// reorder=false keeps the lowered order and only reports the estimate.
// KEEP: loads_hoisted = 0 : i64
// KEEP: npu.dma_store %{{[0-9]+}}[0] to @chain.t1[0]
// KEEP-NOT: npu.gemm
// KEEP: npu.dma_load %{{[0-9]+}}[0] from @w.w2[0] size [16384]

// With 20000 bytes of SRAM both weights cannot be live at once: the second
// load waits until the first GEMM has consumed the first weight; it still
// runs ahead of the SiLU.
// TIGHT: npu.gemm
// TIGHT: npu.dma_load %{{[0-9]+}}[0] from @w.w2[0] size [16384]
// TIGHT: npu.vsilu

// Semaphores pair operations by program position: scheduling after they are
// inserted would break the pairs.
// ERR: error: strata-npu-schedule-prefetch: the module already has semaphores

module {
  graph.weight @w1 : tensor<64x64xf32>
  graph.weight @w2 : tensor<64x64xf32>
  func.func @chain(%x: tensor<1x64xf32>) -> tensor<1x64xf32> attributes {graph.entry} {
    %w1 = graph.weight_ref @w1 : tensor<64x64xf32>
    %w2 = graph.weight_ref @w2 : tensor<64x64xf32>
    %h = graph.linear %x, %w1 : (tensor<1x64xf32>, tensor<64x64xf32>) -> tensor<1x64xf32>
    %s = graph.silu %h : tensor<1x64xf32>
    %y = graph.linear %s, %w2 : (tensor<1x64xf32>, tensor<64x64xf32>) -> tensor<1x64xf32>
    return %y : tensor<1x64xf32>
  }
}
