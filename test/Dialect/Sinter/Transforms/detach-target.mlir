// sinter-detach-target drops the description (and nothing else); the
// reference pipeline ends with it, so mlir-runner can read its output.
// RUN: sinter-opt %s --sinter-attach-target=target=x86-avx2 --sinter-detach-target | FileCheck %s
// RUN: sinter-opt %s --sinter-attach-target=target=x86-avx2 --sinter-reference-to-llvm | FileCheck %s --check-prefix=REF
// RUN: not sinter-opt %s --sinter-attach-target 2>&1 | FileCheck %s --check-prefix=NONAME

// CHECK: module attributes {test.kept}
// CHECK-NOT: sinter.target
// REF-NOT: sinter.target
// NONAME: error: sinter-attach-target needs target=NAME; known targets: x86-avx512, x86-avx2, aarch64-neon, nvidia-h100, nvidia-a100, npu-910
module attributes {test.kept} {
  func.func @f(%x: f32) -> f32 {
    return %x : f32
  }
}
