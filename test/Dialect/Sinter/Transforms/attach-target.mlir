// RUN: sinter-opt %s --sinter-attach-target=target=nvidia-h100 | FileCheck %s --check-prefix=H100
// RUN: sinter-opt %s --sinter-attach-target=target=x86-avx512 | FileCheck %s --check-prefix=AVX512
// RUN: sinter-opt %s --sinter-attach-target=target=x86-avx2 | FileCheck %s --check-prefix=AVX2
// RUN: sinter-opt %s --sinter-attach-target=target=npu-910 | FileCheck %s --check-prefix=NPU
// RUN: sinter-opt %s --sinter-attach-target=target=npu-910 --sinter-attach-target=target=x86-avx2 | FileCheck %s --check-prefix=AVX2

// The H100 preset: 132 SMs, HBM3 at 3.35 TB/s, 228 KiB shared memory per SM, bf16 dense peak.
// H100: sinter.target = #sinter.target<name = "nvidia-h100", kind = "gpu", cores = 132
// H100-SAME: #sinter.memory<name = "hbm", capacity = 85899345920, bandwidth = 3350>
// H100-SAME: #sinter.memory<name = "smem", capacity = 233472, bandwidth = 31000, per_core = true>
// H100-SAME: #sinter.peak<type = bf16, unit = "matrix", gops = 989000>
// H100-SAME: matrix_shape = [64, 256, 16], vector_bytes = 16, config = {chip = "sm_90a"}>

// AVX512: name = "x86-avx512", kind = "cpu"
// AVX512-SAME: vector_bytes = 64, config = {cpu = "x86-64-v4", triple = "x86_64-unknown-linux-gnu"}>
// AVX2: name = "x86-avx2", kind = "cpu"
// AVX2-SAME: vector_bytes = 32

// The Ascend-910-like accelerator has global memory, L1, unified buffer, L0A/L0B/L0C, 16x16x16 cube.
// NPU: name = "npu-910", kind = "npu", cores = 32
// NPU-SAME: name = "ub"
// NPU-SAME: name = "l0a"
// NPU-SAME: name = "l0b"
// NPU-SAME: name = "l0c"
// NPU-SAME: matrix_shape = [16, 16, 16]
// NPU-SAME: config = {clock_mhz = 1000 : i64, cube_latency = 20 : i64, dma_latency = 100 : i64, dma_queue_depth = 4 : i64, vector_latency = 10 : i64}
module {
}
