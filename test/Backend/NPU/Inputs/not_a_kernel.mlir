// Not translatable to the NPU kernel API (npu-to-cpp.test).
func.func @scalar(%x: f32) -> f32 {
  return %x : f32
}

// -----

func.func @scalar_math(%m: memref<16x16xf32>) {
  %x = arith.constant 1.0 : f32
  return
}
