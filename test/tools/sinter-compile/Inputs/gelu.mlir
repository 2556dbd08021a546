// An f32 GEMM with a tanh-GELU epilogue (test/tools/sinter-compile/gpu.test).
func.func @gelu(%a: tensor<40x30xf32>, %b: tensor<30x20xf32>) -> tensor<40x20xf32> {
  %o = tensor.empty() : tensor<40x20xf32>
  %y = sinter.gemm ins(%a, %b : tensor<40x30xf32>, tensor<30x20xf32>) outs(%o : tensor<40x20xf32>) {acc_type = f32} -> tensor<40x20xf32>
    epilogue {
    ^bb0(%x: f32):
      %h = arith.constant 0.5 : f32
      %one = arith.constant 1.0 : f32
      %ck = arith.constant 0.7978845608 : f32
      %cc = arith.constant 0.044715 : f32
      %x2 = arith.mulf %x, %x : f32
      %x3 = arith.mulf %x2, %x : f32
      %t0 = arith.mulf %cc, %x3 : f32
      %t1 = arith.addf %x, %t0 : f32
      %t2 = arith.mulf %ck, %t1 : f32
      %t3 = math.tanh %t2 : f32
      %t4 = arith.addf %one, %t3 : f32
      %t5 = arith.mulf %x, %t4 : f32
      %g = arith.mulf %h, %t5 : f32
      sinter.yield %g : f32
    }
  return %y : tensor<40x20xf32>
}
