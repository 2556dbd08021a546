// Fusion decides on the module's target description: a target whose L1
// cannot hold the accumulator tile plus the epilogue's operand tiles gets no
// fusion (explained). (fuse-invalid.mlir: a module without a description.)
// RUN: sinter-opt %s --sinter-fuse | FileCheck %s
// RUN: sinter-opt %s --sinter-fuse=remarks=true -mlir-print-op-on-diagnostic=false 2>&1 >/dev/null | FileCheck %s --check-prefix=REMARK

#id = affine_map<(d0, d1) -> (d0, d1)>

// Cost: on a CPU target whose L1 cannot hold the accumulator tile plus
// this many operand tiles, fusion is declined and explained.
// CHECK-LABEL: func @over_budget
// CHECK: linalg.generic
// REMARK: remark: not fused into the epilogue of sinter.gemm ({{.*}}): the epilogue's operand tiles ({{[0-9]+}} B) exceed the on-chip budget (1024 B)
module attributes {sinter.target = #sinter.target<name = "tiny", kind = "cpu", cores = 1,
    levels = [#sinter.memory<name = "dram", capacity = 1048576, bandwidth = 10>,
              #sinter.memory<name = "l1", capacity = 1024, bandwidth = 100, per_core = true>],
    peaks = [#sinter.peak<type = f32, unit = "vector", gops = 10>], matrix_shape = [1, 16, 1], vector_bytes = 32>} {
  func.func @over_budget(%a: tensor<4x8xf32>, %b: tensor<8x3xf32>, %r: tensor<4x3xf32>) -> tensor<4x3xf32> {
    %e = tensor.empty() : tensor<4x3xf32>
    %0 = sinter.gemm ins(%a, %b : tensor<4x8xf32>, tensor<8x3xf32>) outs(%e : tensor<4x3xf32>) {acc_type = f32} -> tensor<4x3xf32>
    %1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
        ins(%0, %r : tensor<4x3xf32>, tensor<4x3xf32>) outs(%e : tensor<4x3xf32>) {
    ^bb0(%x: f32, %y: f32, %o: f32):
      %s = arith.addf %x, %y : f32
      linalg.yield %s : f32
    } -> tensor<4x3xf32>
    return %1 : tensor<4x3xf32>
  }
}

