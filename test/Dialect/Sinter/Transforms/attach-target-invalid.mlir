// RUN: not sinter-opt %s --sinter-attach-target=target=tpu-v9 2>&1 | FileCheck %s

// CHECK: error: unknown target 'tpu-v9'; known targets: x86-avx512, x86-avx2, aarch64-neon, nvidia-h100, nvidia-a100, npu-910
module {
}
