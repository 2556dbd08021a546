// gemm_relu_bias.mlir with A and the scale batched [2, 48, ...] and B
// shared: the kernel folds the batch into M (its tiles are those of the
// 96 x 160 GEMM, the same bytes).
func.func @gemm_epilogue(%a: tensor<2x48x384xf16>, %b: tensor<384x160xf16>, %bias: tensor<160xf32>, %scale: tensor<2x48x160xf32>) -> tensor<2x48x160xbf16> {
  %o = tensor.empty() : tensor<2x48x160xbf16>
  %y = sinter.gemm ins(%a, %b : tensor<2x48x384xf16>, tensor<384x160xf16>) epilogue_ins(%bias, %scale : tensor<160xf32>, tensor<2x48x160xf32>) outs(%o : tensor<2x48x160xbf16>) {acc_type = f32, epilogue_maps = [affine_map<(b, m, n) -> (n)>, affine_map<(b, m, n) -> (b, m, n)>]} -> tensor<2x48x160xbf16>
    epilogue {
    ^bb0(%acc: f32, %bv: f32, %s: f32):
      %x = arith.addf %bv, %acc : f32
      %z = arith.mulf %acc, %s : f32
      %m = arith.maximumf %x, %z : f32
      %t = arith.truncf %m : f32 to bf16
      sinter.yield %t : bf16
    }
  return %y : tensor<2x48x160xbf16>
}
