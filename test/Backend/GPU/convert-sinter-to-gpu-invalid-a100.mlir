// RUN: sinter-opt --sinter-attach-target=target=nvidia-a100 %s --split-input-file --convert-sinter-to-gpu -verify-diagnostics

// sm_80 has no conversion to fp8.
func.func @quant_fp8(%x: tensor<4x64xf16>) -> (tensor<4x64xf8E4M3FN>, tensor<4xf32>) {
  %q0 = tensor.empty() : tensor<4x64xf8E4M3FN>
  %s0 = tensor.empty() : tensor<4xf32>
  // expected-error @+1 {{GPU target: cannot compile the kv.quantize in @quant_fp8: fp8 quantization needs sm_89 or later (cvt to e4m3)}}
  %q, %s = sinter.kv.quantize ins(%x : tensor<4x64xf16>) outs(%q0, %s0 : tensor<4x64xf8E4M3FN>, tensor<4xf32>) {granularity = #sinter.granularity<per_token>} -> tensor<4x64xf8E4M3FN>, tensor<4xf32>
  return %q, %s : tensor<4x64xf8E4M3FN>, tensor<4xf32>
}
