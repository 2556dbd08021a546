// RUN: sinter-opt %s --split-input-file --convert-sinter-to-gpu -verify-diagnostics

// expected-error @+1 {{GPU target: function @two_ops needs more than one kernel ('arith.addf' besides a gemm)}}
func.func @two_ops(%a: tensor<8x8xf32>, %b: tensor<8x8xf32>, %s: f32) -> tensor<8x8xf32> {
  %o = tensor.empty() : tensor<8x8xf32>
  %y = sinter.gemm ins(%a, %b : tensor<8x8xf32>, tensor<8x8xf32>) outs(%o : tensor<8x8xf32>) {acc_type = f32} -> tensor<8x8xf32>
  %z = arith.addf %s, %s : f32
  return %y : tensor<8x8xf32>
}

// -----

// expected-error @+1 {{GPU target: function @no_gemm has no sinter.gemm to compile}}
func.func @no_gemm(%a: tensor<8x8xf32>) -> tensor<8x8xf32> {
  return %a : tensor<8x8xf32>
}

// -----

func.func @int8(%a: tensor<8x8xi8>, %b: tensor<8x8xi8>) -> tensor<8x8xi32> {
  %o = tensor.empty() : tensor<8x8xi32>
  // expected-error @+1 {{GPU target: cannot compile the gemm in @int8: only f32 accumulation is supported by the GPU kernel yet}}
  %y = sinter.gemm ins(%a, %b : tensor<8x8xi8>, tensor<8x8xi8>) outs(%o : tensor<8x8xi32>) {acc_type = i32} -> tensor<8x8xi32>
  return %y : tensor<8x8xi32>
}

// -----

func.func @pairwise(%a: tensor<8x8xf32>, %b: tensor<8x16xf32>) -> tensor<8x8xf32> {
  %o = tensor.empty() : tensor<8x8xf32>
  // expected-error @+1 {{GPU target: cannot compile the gemm in @pairwise: pairwise GEMMs are not supported by the GPU kernel yet}}
  %y = sinter.gemm ins(%a, %b : tensor<8x8xf32>, tensor<8x16xf32>) outs(%o : tensor<8x8xf32>) {acc_type = f32, pairwise} -> tensor<8x8xf32>
    epilogue {
    ^bb0(%g: f32, %u: f32):
      %p = arith.mulf %g, %u : f32
      sinter.yield %p : f32
    }
  return %y : tensor<8x8xf32>
}

// -----

func.func @w4a16(%a: tensor<8x64xbf16>, %q: tensor<16x64xi4>, %s: tensor<2x16xbf16>) -> tensor<8x16xf32> {
  %o = tensor.empty() : tensor<8x16xf32>
  // expected-error @+1 {{GPU target: cannot compile the gemm in @w4a16: quantized B is not supported by the GPU kernel yet}}
  %y = sinter.gemm ins(%a, %q : tensor<8x64xbf16>, tensor<16x64xi4>) scales(%s : tensor<2x16xbf16>) outs(%o : tensor<8x16xf32>) {acc_type = f32, transpose_b, b_quant = #sinter.weight_quant<scheme = grouped, group_size = 32>} -> tensor<8x16xf32>
  return %y : tensor<8x16xf32>
}

// -----

func.func @computed(%a: tensor<8x8xf32>, %b: tensor<8x8xf32>) -> tensor<8x8xf32> {
  %o = tensor.empty() : tensor<8x8xf32>
  %t = tensor.empty() : tensor<8x8xf32>
  // expected-error @+1 {{GPU target: an operand of the gemm in @computed is not an argument of the function}}
  %y = sinter.gemm ins(%a, %b : tensor<8x8xf32>, tensor<8x8xf32>) epilogue_ins(%t : tensor<8x8xf32>) outs(%o : tensor<8x8xf32>) {acc_type = f32, epilogue_maps = [affine_map<(m, n) -> (m, n)>]} -> tensor<8x8xf32>
    epilogue {
    ^bb0(%acc: f32, %r: f32):
      %s = arith.addf %acc, %r : f32
      sinter.yield %s : f32
    }
  return %y : tensor<8x8xf32>
}
