func.func @gemm_bias(%a: tensor<37x64xf32>, %b: tensor<64x45xf32>, %bias: tensor<45xf32>) -> tensor<37x45xf32> {
  %o = tensor.empty() : tensor<37x45xf32>
  %y = sinter.gemm ins(%a, %b : tensor<37x64xf32>, tensor<64x45xf32>) epilogue_ins(%bias : tensor<45xf32>) outs(%o : tensor<37x45xf32>) {acc_type = f32, epilogue_maps = [affine_map<(m, n) -> (n)>]} -> tensor<37x45xf32>
    epilogue {
    ^bb0(%acc: f32, %bv: f32):
      %0 = arith.addf %acc, %bv : f32
      sinter.yield %0 : f32
    }
  return %y : tensor<37x45xf32>
}
