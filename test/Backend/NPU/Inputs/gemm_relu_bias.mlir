// y = max(a x b + bias, a x b * scale) in bf16: a GEMM whose epilogue uses a
// row (bias) and a full tile (scale) of operands, M, N not multiples of
// 128 (so smaller tiles), several k blocks.
func.func @gemm_epilogue(%a: tensor<96x384xf16>, %b: tensor<384x160xf16>, %bias: tensor<160xf32>, %scale: tensor<96x160xf32>) -> tensor<96x160xbf16> {
  %o = tensor.empty() : tensor<96x160xbf16>
  %y = sinter.gemm ins(%a, %b : tensor<96x384xf16>, tensor<384x160xf16>) epilogue_ins(%bias, %scale : tensor<160xf32>, tensor<96x160xf32>) outs(%o : tensor<96x160xbf16>) {acc_type = f32, epilogue_maps = [affine_map<(m, n) -> (n)>, affine_map<(m, n) -> (m, n)>]} -> tensor<96x160xbf16>
    epilogue {
    ^bb0(%acc: f32, %bv: f32, %s: f32):
      %x = arith.addf %bv, %acc : f32
      %z = arith.mulf %acc, %s : f32
      %m = arith.maximumf %x, %z : f32
      %t = arith.truncf %m : f32 to bf16
      sinter.yield %t : bf16
    }
  return %y : tensor<96x160xbf16>
}
