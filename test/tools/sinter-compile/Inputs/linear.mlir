// A K-major bf16 GEMM with a bias (the wgmma kernel on sm_90a; test/tools/sinter-compile/gpu*.test).
func.func @wg(%a: tensor<300x512xbf16>, %b: tensor<264x512xbf16>, %bias: tensor<264xf32>) -> tensor<300x264xbf16> {
  %o = tensor.empty() : tensor<300x264xbf16>
  %y = sinter.gemm ins(%a, %b : tensor<300x512xbf16>, tensor<264x512xbf16>) epilogue_ins(%bias : tensor<264xf32>) outs(%o : tensor<300x264xbf16>) {acc_type = f32, transpose_b, epilogue_maps = [affine_map<(m, n) -> (n)>]} -> tensor<300x264xbf16>
    epilogue {
    ^bb0(%acc: f32, %bv: f32):
      %s = arith.addf %acc, %bv : f32
      %t = arith.truncf %s : f32 to bf16
      sinter.yield %t : bf16
    }
  return %y : tensor<300x264xbf16>
}
