// The machine is the module's #sinter.target alone: a module without one, a
// description of another kind or a GPU description that does not name its
// architecture (config.chip) is refused; any GPU description with a chip is
// taken, preset or not.
// RUN: sinter-opt %s --split-input-file --convert-sinter-to-gpu -verify-diagnostics | FileCheck %s

// expected-error @below {{convert-sinter-to-gpu needs the module's target description: attach one with --sinter-attach-target=target=NAME}}
module {
  func.func @f(%a: tensor<8x8xf32>, %b: tensor<8x8xf32>) -> tensor<8x8xf32> {
    %o = tensor.empty() : tensor<8x8xf32>
    %y = sinter.gemm ins(%a, %b : tensor<8x8xf32>, tensor<8x8xf32>) outs(%o : tensor<8x8xf32>) {acc_type = f32} -> tensor<8x8xf32>
    return %y : tensor<8x8xf32>
  }
}

// -----

// expected-error @below {{convert-sinter-to-gpu: target 'tiny' is not a GPU with a config.chip (its kind is 'cpu')}}
module attributes {sinter.target = #sinter.target<name = "tiny", kind = "cpu", cores = 2,
    levels = [#sinter.memory<name = "dram", capacity = 1073741824, bandwidth = 20>],
    peaks = [#sinter.peak<type = f32, unit = "vector", gops = 100>],
    matrix_shape = [1, 8, 1], vector_bytes = 32,
    config = {triple = "x86_64-unknown-linux-gnu", cpu = "x86-64-v3"}>} {
  func.func @f(%a: tensor<8x8xf32>, %b: tensor<8x8xf32>) -> tensor<8x8xf32> {
    %o = tensor.empty() : tensor<8x8xf32>
    %y = sinter.gemm ins(%a, %b : tensor<8x8xf32>, tensor<8x8xf32>) outs(%o : tensor<8x8xf32>) {acc_type = f32} -> tensor<8x8xf32>
    return %y : tensor<8x8xf32>
  }
}

// -----

// expected-error @below {{convert-sinter-to-gpu: target 'my-gpu' is not a GPU with a config.chip (its kind is 'gpu')}}
module attributes {sinter.target = #sinter.target<name = "my-gpu", kind = "gpu", cores = 16,
    levels = [#sinter.memory<name = "hbm", capacity = 1073741824, bandwidth = 500>,
              #sinter.memory<name = "smem", capacity = 65536, bandwidth = 5000, per_core = true>],
    peaks = [#sinter.peak<type = f32, unit = "vector", gops = 10000>],
    matrix_shape = [16, 8, 16], vector_bytes = 16>} {
  func.func @f(%a: tensor<8x8xf32>, %b: tensor<8x8xf32>) -> tensor<8x8xf32> {
    %o = tensor.empty() : tensor<8x8xf32>
    %y = sinter.gemm ins(%a, %b : tensor<8x8xf32>, tensor<8x8xf32>) outs(%o : tensor<8x8xf32>) {acc_type = f32} -> tensor<8x8xf32>
    return %y : tensor<8x8xf32>
  }
}

// -----

// CHECK-LABEL: func.func @custom
// CHECK-SAME:    sinter.gpu.grid = array<i64: 1, 1, 1>
// CHECK:       gpu.func @custom
module attributes {sinter.target = #sinter.target<name = "my-gpu", kind = "gpu", cores = 16,
    levels = [#sinter.memory<name = "hbm", capacity = 1073741824, bandwidth = 500>,
              #sinter.memory<name = "smem", capacity = 65536, bandwidth = 5000, per_core = true>],
    peaks = [#sinter.peak<type = f32, unit = "vector", gops = 10000>],
    matrix_shape = [16, 8, 16], vector_bytes = 16, config = {chip = "sm_80"}>} {
  func.func @custom(%a: tensor<8x8xf32>, %b: tensor<8x8xf32>) -> tensor<8x8xf32> {
    %o = tensor.empty() : tensor<8x8xf32>
    %y = sinter.gemm ins(%a, %b : tensor<8x8xf32>, tensor<8x8xf32>) outs(%o : tensor<8x8xf32>) {acc_type = f32} -> tensor<8x8xf32>
    return %y : tensor<8x8xf32>
  }
}
