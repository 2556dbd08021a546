// sinter-fuse decides with the module's target description; without one it
// refuses to guess.
// RUN: sinter-opt %s --sinter-fuse -verify-diagnostics

// expected-error @below {{sinter-fuse needs the module's target description: attach one with --sinter-attach-target=target=NAME}}
module {
  func.func @no_target(%a: tensor<4x8xf32>, %b: tensor<8x3xf32>) -> tensor<4x3xf32> {
    %e = tensor.empty() : tensor<4x3xf32>
    %0 = sinter.gemm ins(%a, %b : tensor<4x8xf32>, tensor<8x3xf32>) outs(%e : tensor<4x3xf32>) {acc_type = f32} -> tensor<4x3xf32>
    return %0 : tensor<4x3xf32>
  }
}
