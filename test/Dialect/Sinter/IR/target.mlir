// RUN: sinter-opt %s -split-input-file | sinter-opt -split-input-file | FileCheck %s

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

// -----

// The backend's own facts ride along in `config` (any kind of backend).
// CHECK: #sinter.target<name = "my-accelerator", kind = "fpga", cores = 4,
// CHECK-SAME: vector_bytes = 64, config = {clock_mhz = 300 : i64, part = "xcvu9p"}>
module attributes {sinter.target = #sinter.target<name = "my-accelerator", kind = "fpga", cores = 4,
    levels = [#sinter.memory<name = "ddr", capacity = 1073741824, bandwidth = 20>],
    peaks = [#sinter.peak<type = f32, unit = "vector", gops = 100>],
    matrix_shape = [8, 8, 1], vector_bytes = 64, config = {part = "xcvu9p", clock_mhz = 300}>} {
}
