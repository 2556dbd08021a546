// A plain f16 GEMM named `kernel`, the form bench/npu/driver.cpp runs.
func.func @kernel(%a: tensor<256x512xf16>, %b: tensor<512x256xf16>) -> tensor<256x256xf16> {
  %o = tensor.empty() : tensor<256x256xf16>
  %y = sinter.gemm ins(%a, %b : tensor<256x512xf16>, tensor<512x256xf16>) outs(%o : tensor<256x256xf16>) {acc_type = f32} -> tensor<256x256xf16>
  return %y : tensor<256x256xf16>
}
