// Weights read from files: known values, GGUF blocks, and IR that is
// printed after quantization and read back.
// RUN: %python %S/Inputs/write_weights.py %t
// RUN: sed -e "s|@DATA@|%t|g" %s | strata-opt -strata-graph-quantize=policy=int8 | FileCheck %s --check-prefix=INT8
// RUN: sed -e "s|@DATA@|%t|g" %s | strata-opt '-strata-graph-quantize=policy=int4 group-size=4' | FileCheck %s --check-prefix=INT4
// RUN: sed -e "s|@DATA@|%t|g" %s | strata-opt -strata-graph-quantize=policy=native | FileCheck %s --check-prefix=NATIVE
// RUN: sed -e "s|@DATA@|%t|g" %s | strata-opt -strata-graph-quantize=policy=fp32 | FileCheck %s --check-prefix=FP32
// RUN: sed -e "s|@DATA@|%t|g" %s | strata-opt -strata-graph-quantize=policy=int8 | strata-opt -strata-graph-quantize=policy=int8 | FileCheck %s --check-prefix=INT8
// RUN: sed -e "s|@DATA@|%t|g" %s | strata-opt -strata-graph-quantize=policy=int8 | strata-opt -strata-graph-quantize=policy=fp32 | FileCheck %s --check-prefix=BACK

// Row [1, -0.5, 0.25, 0] with scale 1/127: -0.5 and 0.25 land 0.0039 and
// 0.0020 away from a step; the zero row has scale 0 and no error.
// INT8: graph.weight @known : tensor<2x4xi8> {file = "{{.*}}.f32", format = "f32", quant = #graph.quant<per_channel, 0, f32>, quant_error = {max_abs = 0.0039370{{[0-9]*}} : f64, rel_rms = 0.00384{{[0-9]*}} : f64}, role = "ffn"}
// Groups of 4 with scale 1/7: the same values are 0.071 and 0.036 away.
// INT4: graph.weight @known : tensor<2x4xi4> {file = "{{.*}}.f32", format = "f32", quant = #graph.quant<per_group, 4, f32>, quant_error = {max_abs = 0.07142{{[0-9]*}} : f64, rel_rms = 0.0697{{[0-9]*}} : f64}, role = "ffn"}
// Under native an f32 weight stays f32 and nothing is measured.
// NATIVE: graph.weight @known : tensor<2x4xf32> {file = "{{.*}}.f32", format = "f32", role = "ffn"}
// Printed int8 IR read back with the f32 policy: the file still holds the
// original values, so the weight is exactly f32 again.
// BACK: graph.weight @known : tensor<2x4xf32> {file = "{{.*}}.f32", format = "f32", quant_error = {max_abs = 0.000000e+00 : f64, rel_rms = 0.000000e+00 : f64}, role = "ffn"}
graph.weight @known : tensor<2x4xf32> {file = "@DATA@.f32", format = "f32", role = "ffn"}

// q8_0 and q4_0 blocks are re-laid out bit-exactly under native; decoding
// them to f32 is exact too.
// NATIVE: graph.weight @blocks8 : tensor<1x32xi8> {file = "{{.*}}.q8_0", format = "q8_0", quant = #graph.quant<per_group, 32, f16>, quant_error = {max_abs = 0.000000e+00 : f64, rel_rms = 0.000000e+00 : f64}, role = "ffn"}
// NATIVE: graph.weight @blocks4 : tensor<1x32xi4> {file = "{{.*}}.q4_0", format = "q4_0", quant = #graph.quant<per_group, 32, f16>, quant_error = {max_abs = 0.000000e+00 : f64, rel_rms = 0.000000e+00 : f64}, role = "attention"}
// NATIVE: graph.weight @half : tensor<2x4xf16> {file = "{{.*}}.f16", format = "f16", quant_error = {max_abs = 0.000000e+00 : f64, rel_rms = 0.000000e+00 : f64}, role = "attention"}
// FP32: graph.weight @blocks8 : tensor<1x32xf32> {file = "{{.*}}.q8_0", format = "q8_0", quant_error = {max_abs = 0.000000e+00 : f64, rel_rms = 0.000000e+00 : f64}, role = "ffn"}
// FP32: graph.weight @blocks4 : tensor<1x32xf32> {file = "{{.*}}.q4_0", format = "q4_0", quant_error = {max_abs = 0.000000e+00 : f64, rel_rms = 0.000000e+00 : f64}, role = "attention"}
// FP32: graph.weight @half : tensor<2x4xf32> {file = "{{.*}}.f16", format = "f16", quant_error = {max_abs = 0.000000e+00 : f64, rel_rms = 0.000000e+00 : f64}, role = "attention"}
graph.weight @blocks8 : tensor<1x32xf32> {file = "@DATA@.q8_0", format = "q8_0", role = "ffn"}
graph.weight @blocks4 : tensor<1x32xf32> {file = "@DATA@.q4_0", format = "q4_0", role = "attention"}
graph.weight @half : tensor<2x4xf32> {file = "@DATA@.f16", format = "f16", role = "attention"}

// Without data, native reads the precision from `format`.
// NATIVE: graph.weight @declared : tensor<64x64xi4> {format = "q4_0", quant = #graph.quant<per_group, 32, f16>, role = "ffn"}
graph.weight @declared : tensor<64x64xf32> {format = "q4_0", role = "ffn"}
