// RUN: strata-opt %s --strata-graph-to-npu="cores=1" | FileCheck %s

// An embedding is a gather loop: ld32 reads each token id from the tokens
// binding, the row address is computed in a register, a DMA copies the row
// (and, for an int8 table, its scale); then the rows are dequantized. The
// last valid row (n_valid - 1, a register) is taken with a register-addressed
// DMA.

// CHECK: npu.io input @tokens : tensor<4xi32> in @io[0]
// CHECK: npu.constant @w.emb = "emb" payload in @weights[0] size 1024
// CHECK: npu.constant @s.emb = "emb" scales in @weights[1024] size 128
// CHECK-LABEL: npu.entry @prefill attributes {param_names = ["pos", "n_valid"], param_regs = array<i32: 1, 2>}
// CHECK: npu.li r[[TOK:[0-9]+]], 0
// CHECK: npu.li r[[DST:[0-9]+]], 0
// CHECK: npu.loop r{{[0-9]+}} to 4 limit r{{[0-9]+}}
// CHECK-NEXT: npu.ld32 r[[ID:[0-9]+]], @tokens[r[[TOK]] + 0]
// CHECK-NEXT: npu.muli r[[SRC:[0-9]+]], r[[ID]], 32
// CHECK-NEXT: npu.dma_load %{{[0-9]+}}[0] from @w.emb[0] size [32] {dst_reg = [[DST]] : i32, dst_window = array<i64: 0, 128>, {{.*}}src_reg = [[SRC]] : i32, src_window = array<i64: 0, 1024>}
// CHECK-NEXT: npu.muli r[[SRC]], r[[ID]], 4
// CHECK-NEXT: npu.muli r[[ID]], r{{[0-9]+}}, 4
// CHECK-NEXT: npu.dma_load %{{[0-9]+}}[0] from @s.emb[0] size [4]
// CHECK-NEXT: npu.addi r[[TOK]], r[[TOK]], 4
// CHECK-NEXT: npu.addi r[[DST]], r[[DST]], 32
// CHECK-NEXT: }
// CHECK: npu.vdequantize rows 4 cols 32, {{.*}} : i8, {{.*}} -> {{.*}} : f32 {in1_type = f32, ld1 = 1 : i64
// CHECK: npu.dma_store {{.*}} to @prefill.t0[0] size [512]
// CHECK: npu.li r[[ONE:[0-9]+]], 1
// CHECK: npu.sub r[[LAST:[0-9]+]], r2, r[[ONE]]
// CHECK: npu.muli r[[OFF:[0-9]+]], r[[LAST]], 128
// CHECK: npu.dma_load %{{[0-9]+}}[0] from @prefill.t0[0] size [128] {{{.*}}src_reg = [[OFF]] : i32, src_window = array<i64: 0, 512>}
// CHECK: npu.dma_store %{{[0-9]+}}[0] to @logits[0] size [128]
module {
  graph.weight @emb : tensor<32x32xi8> {quant = #graph.quant<per_channel, 0, f32>}
  func.func @prefill(%tokens: tensor<4xi32>, %pos: index, %n_valid: index) -> tensor<1x32xf32> attributes {graph.entry} {
    %e = graph.weight_ref @emb : tensor<32x32xi8>
    %x = graph.embedding %e, %tokens : (tensor<32x32xi8>, tensor<4xi32>) -> tensor<4x32xf32>
    %one = arith.constant 1 : index
    %last = arith.subi %n_valid, %one : index
    %r = graph.take_row %x, %last : (tensor<4x32xf32>, index) -> tensor<1x32xf32>
    return %r : tensor<1x32xf32>
  }
}
