// An f16 GEMM named `kernel` with B stored [N, K] (nn.Linear's layout):
// 2 x 2 blocks of 128 x 128 tiles, 4 k blocks.
func.func @kernel(%a: tensor<256x512xf16>, %b: tensor<256x512xf16>) -> tensor<256x256xf16> {
  %o = tensor.empty() : tensor<256x256xf16>
  %y = sinter.gemm ins(%a, %b : tensor<256x512xf16>, tensor<256x512xf16>) outs(%o : tensor<256x256xf16>) {acc_type = f32, transpose_b} -> tensor<256x256xf16>
  return %y : tensor<256x256xf16>
}
