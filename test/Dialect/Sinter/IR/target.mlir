// RUN: sinter-opt %s | sinter-opt | FileCheck %s

// CHECK: module attributes {sinter.target = #sinter.target<name = "tiny", kind = "cpu", cores = 2,
// CHECK-SAME: levels = [#sinter.memory<name = "dram", capacity = 1073741824, bandwidth = 20>, #sinter.memory<name = "l1", capacity = 32768, bandwidth = 200, per_core = true>]
// CHECK-SAME: peaks = [#sinter.peak<type = f32, unit = "vector", gops = 100>]
// CHECK-SAME: matrix_shape = [8, 8, 1], vector_bytes = 32>
module attributes {sinter.target = #sinter.target<name = "tiny", kind = "cpu", cores = 2,
    levels = [#sinter.memory<name = "dram", capacity = 1073741824, bandwidth = 20>,
              #sinter.memory<name = "l1", capacity = 32768, bandwidth = 200, per_core = true>],
    peaks = [#sinter.peak<type = f32, unit = "vector", gops = 100>],
    matrix_shape = [8, 8, 1], vector_bytes = 32>} {
}
