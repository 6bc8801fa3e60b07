// RUN: strata-opt %s --strata-graph-to-npu="cores=4" | FileCheck %s

// A barrier spans only the cores that need it: the consumers that do not
// yet see a write to their input, and the writers of those writes. The first
// attention's two KV heads run on cores 0 and 1 and write @decode.t0; the
// second attention reads it on cores 1 and 2 (the rotation of kernel cores),
// so cores 0, 1 and 2 meet at a barrier of their own (id 1, mask 0b0111):
// core 2 only acquires, the writers release, and core 3, idle in both
// kernels, has no barrier at all. A mask other than the whole chip's gets its
// own barrier id, so every arrival at an id names one mask.

// CHECK-LABEL: npu.entry @decode
// CHECK: npu.core 0 {
// CHECK: npu.dma_store %{{[0-9]+}}[0] to @decode.t0[0] size [64]
// CHECK-NEXT: npu.barrier store, 1, 7 {acquire = [@decode.t0], {{.*}}release = [@decode.t0]}
// CHECK-NEXT: }
// CHECK: npu.core 1 {
// CHECK: npu.dma_store %{{[0-9]+}}[0] to @decode.t0[64] size [64]
// CHECK-NEXT: npu.barrier store, 1, 7 {acquire = [@decode.t0], {{.*}}release = [@decode.t0]}
// CHECK: npu.dma_store %{{[0-9]+}}[0] to @logits[0] size [64]
// CHECK: npu.core 2 {
// CHECK-NEXT: npu.barrier store, 1, 7 {acquire = [@decode.t0], npu.label = "attention"}
// CHECK: npu.dma_store %{{[0-9]+}}[0] to @logits[64] size [64]
// CHECK: npu.core 3 {
// CHECK-NOT: npu.barrier
module {
  graph.kv_cache @kv_cache {layers = 2 : i64, max_seq = 16 : i64, kv_heads = 2 : i64, head_dim = 8 : i64, element_type = f16}
  func.func @decode(%q: tensor<1x32xf32>, %k: tensor<1x16xf32>, %v: tensor<1x16xf32>, %pos: index) -> tensor<1x32xf32> attributes {graph.entry} {
    %o = graph.attention %q, %k, %v, %pos {cache = @kv_cache, layer = 0 : i64, num_heads = 4 : i64, num_kv_heads = 2 : i64, head_dim = 8 : i64} : (tensor<1x32xf32>, tensor<1x16xf32>, tensor<1x16xf32>, index) -> tensor<1x32xf32>
    %o2 = graph.attention %o, %k, %v, %pos {cache = @kv_cache, layer = 1 : i64, num_heads = 4 : i64, num_kv_heads = 2 : i64, head_dim = 8 : i64} : (tensor<1x32xf32>, tensor<1x16xf32>, tensor<1x16xf32>, index) -> tensor<1x32xf32>
    return %o2 : tensor<1x32xf32>
  }
}
