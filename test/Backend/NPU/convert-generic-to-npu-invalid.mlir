// RUN: sinter-opt %s --split-input-file --sinter-attach-target=target=npu-910 --sinter-partition --convert-sinter-to-npu --verify-diagnostics

// An op with no vector program yet is an error naming it and its kernel.
func.func @pad(%x: tensor<4x6xf32>) -> tensor<6x8xf32> {
  %z = arith.constant 0.0 : f32
  // expected-error @+1 {{NPU target: cannot compile 'tensor.pad' in kernel @pad_0_pad: the NPU backend has no kernel for it yet}}
  %p = tensor.pad %x low[1, 1] high[1, 1] {
  ^bb0(%i: index, %j: index):
    tensor.yield %z : f32
  } : tensor<4x6xf32> to tensor<6x8xf32>
  return %p : tensor<6x8xf32>
}

// -----

// A fill of a value the kernel cannot know as a constant (a host program
// as sinter-partition writes it).
func.func private @k_0_fill(%t: tensor<2xf32>) -> tensor<4x8xf32> attributes {sinter.kernel = "fill"} {
  %c0 = arith.constant 0 : index
  %v = tensor.extract %t[%c0] : tensor<2xf32>
  %e = tensor.empty() : tensor<4x8xf32>
  // expected-error @+1 {{NPU target: cannot compile 'linalg.fill' in kernel @k_0_fill: a fill of a value that is not a constant}}
  %f = linalg.fill ins(%v : f32) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %f : tensor<4x8xf32>
}
func.func @k(%t: tensor<2xf32>) -> tensor<4x8xf32> attributes {sinter.host} {
  %r = call @k_0_fill(%t) : (tensor<2xf32>) -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}
