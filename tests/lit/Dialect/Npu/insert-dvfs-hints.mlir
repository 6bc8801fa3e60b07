// RUN: strata-opt %s --split-input-file --strata-graph-to-npu="cores=8" --strata-npu-insert-dvfs-hints | FileCheck %s
// RUN: not strata-opt %s --split-input-file --strata-graph-to-npu="cores=8" --strata-npu-insert-dvfs-hints="margin=0.5" 2>&1 | FileCheck %s --check-prefix=ERR

// A decode-shaped linear layer (one row against a 64 MiB f32 weight) is
// memory-bound on every core: each core's compute queue drops its own clock
// domain (255) to the lowest operating point before its first GEMM and
// restores the initial point (2, nominal) after its last.
// CHECK: npu.dvfs_stats = {hints = 16 : i64, memory_bound_regions = 8 : i64, memory_bound_share = {{0\.9[0-9]*}}
// CHECK-LABEL: npu.entry @decode
// CHECK: npu.core 0
// CHECK-NOT: npu.gemm
// CHECK: npu.dvfs_hint compute, 255, 0
// CHECK-NEXT: npu.tc_config
// CHECK-NEXT: npu.gemm
// CHECK-NOT: npu.dvfs_hint
// CHECK: npu.dvfs_hint compute, 255, 2 {npu.label = "linear"}
// CHECK-NEXT: }
// CHECK-NEXT: npu.core 1
module {
  graph.weight @w : tensor<4096x4096xf32>
  func.func @decode(%x: tensor<1x4096xf32>) -> tensor<1x4096xf32> attributes {graph.entry} {
    %w = graph.weight_ref @w : tensor<4096x4096xf32>
    %y = graph.linear %x, %w : (tensor<1x4096xf32>, tensor<4096x4096xf32>) -> tensor<1x4096xf32>
    return %y : tensor<1x4096xf32>
  }
}

// -----

// The same layer over 512 rows (a prefill chunk) is compute-bound: no hints.
// CHECK: npu.dvfs_stats = {hints = 0 : i64, memory_bound_regions = 0 : i64
// CHECK-LABEL: npu.entry @prefill
// CHECK-NOT: npu.dvfs_hint
module {
  graph.weight @w : tensor<4096x4096xf32>
  func.func @prefill(%x: tensor<512x4096xf32>) -> tensor<512x4096xf32> attributes {graph.entry} {
    %w = graph.weight_ref @w : tensor<4096x4096xf32>
    %y = graph.linear %x, %w : (tensor<512x4096xf32>, tensor<4096x4096xf32>) -> tensor<512x4096xf32>
    return %y : tensor<512x4096xf32>
  }
}

// ERR: error: strata-npu-insert-dvfs-hints: margin 5.000000e-01 is below 1
