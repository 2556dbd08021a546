// The target option names a GPU preset; anything else is refused.
// RUN: not sinter-opt %s --convert-sinter-to-gpu=target=x86-avx512 2>&1 | FileCheck %s
// RUN: not sinter-opt %s --convert-sinter-to-gpu=target=nvidia-b200 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// CHECK: error: convert-sinter-to-gpu: 'x86-avx512' is not a GPU target preset
// UNKNOWN: error: convert-sinter-to-gpu: 'nvidia-b200' is not a GPU target preset
func.func @f(%a: tensor<8x8xf32>, %b: tensor<8x8xf32>) -> tensor<8x8xf32> {
  %o = tensor.empty() : tensor<8x8xf32>
  %y = sinter.gemm ins(%a, %b : tensor<8x8xf32>, tensor<8x8xf32>) outs(%o : tensor<8x8xf32>) {acc_type = f32} -> tensor<8x8xf32>
  return %y : tensor<8x8xf32>
}
