// gemm_relu_bias.mlir at 512 x 256 (K = 384): blocks of 2 x 2 output tiles
// of 128 x 128, their epilogue operands loaded tile by tile.
func.func @gemm_epilogue(%a: tensor<512x384xf16>, %b: tensor<384x256xf16>, %bias: tensor<256xf32>, %scale: tensor<512x256xf32>) -> tensor<512x256xbf16> {
  %o = tensor.empty() : tensor<512x256xbf16>
  %y = sinter.gemm ins(%a, %b : tensor<512x384xf16>, tensor<384x256xf16>) epilogue_ins(%bias, %scale : tensor<256xf32>, tensor<512x256xf32>) outs(%o : tensor<512x256xbf16>) {acc_type = f32, epilogue_maps = [affine_map<(m, n) -> (n)>, affine_map<(m, n) -> (m, n)>]} -> tensor<512x256xbf16>
    epilogue {
    ^bb0(%acc: f32, %bv: f32, %s: f32):
      %x = arith.addf %bv, %acc : f32
      %z = arith.mulf %acc, %s : f32
      %m = arith.maximumf %x, %z : f32
      %t = arith.truncf %m : f32 to bf16
      sinter.yield %t : bf16
    }
  return %y : tensor<512x256xbf16>
}
