// RUN: strata-opt %s --strata-graph-to-npu="cores=2" | FileCheck %s


// A cache whose decode rows would take more than an eighth of the 8 MiB
// SRAM (2 layers x 2 heads per core x 2 x 8192 rows x 32 bytes = 2 MiB)
// stays in HBM: no reservation, no kv_valid.
// CHECK-NOT: npu.resident_kv
// CHECK: npu.entry @decode attributes {param_names = ["pos"], param_regs = array<i32: 1>}
// CHECK: npu.alloc {{[0-9]+}} {tag = "kv.cache"}
module {
  graph.kv_cache @kv_cache {layers = 32 : i64, max_seq = 8192 : i64, kv_heads = 4 : i64, head_dim = 8 : i64, element_type = f32}
  func.func @decode(%q: tensor<1x64xf32>, %k: tensor<1x32xf32>, %v: tensor<1x32xf32>, %pos: index) -> tensor<1x64xf32> attributes {graph.entry} {
    %o0 = graph.attention %q, %k, %v, %pos {cache = @kv_cache, layer = 0 : i64, num_heads = 8 : i64, num_kv_heads = 4 : i64, head_dim = 8 : i64} : (tensor<1x64xf32>, tensor<1x32xf32>, tensor<1x32xf32>, index) -> tensor<1x64xf32>
    %o1 = graph.attention %o0, %k, %v, %pos {cache = @kv_cache, layer = 31 : i64, num_heads = 8 : i64, num_kv_heads = 4 : i64, head_dim = 8 : i64} : (tensor<1x64xf32>, tensor<1x32xf32>, tensor<1x32xf32>, index) -> tensor<1x64xf32>
    return %o1 : tensor<1x64xf32>
  }
}
