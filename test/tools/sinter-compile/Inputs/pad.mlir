// A tensor.pad: an op the NPU backend has no kernel for yet (an error).
func.func @pad(%x: tensor<4x6xf32>) -> tensor<6x8xf32> {
  %z = arith.constant 0.0 : f32
  %p = tensor.pad %x low[1, 1] high[1, 1] {
  ^bb0(%i: index, %j: index):
    tensor.yield %z : f32
  } : tensor<4x6xf32> to tensor<6x8xf32>
  return %p : tensor<6x8xf32>
}
