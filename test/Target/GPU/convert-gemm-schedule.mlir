// RUN: sinter-opt %s --convert-sinter-to-gpu=gemm-schedule=pingpong | FileCheck %s --check-prefix=PP
// RUN: sinter-opt %s --convert-sinter-to-gpu=gemm-schedule=cooperative | FileCheck %s --check-prefix=COOP
// RUN: not sinter-opt %s --convert-sinter-to-gpu=gemm-schedule=fast 2>&1 | FileCheck %s --check-prefix=BAD

// The schedule can be forced either way.
// PP:   sinter.gpu.shared_bytes = 197696 : i64
// COOP: sinter.gpu.shared_bytes = 230464 : i64
// BAD:  error: convert-sinter-to-gpu: unknown gemm-schedule 'fast' (expected auto, cooperative or pingpong)
func.func @plain(%a: tensor<300x512xbf16>, %b: tensor<264x512xbf16>) -> tensor<300x264xbf16> {
  %o = tensor.empty() : tensor<300x264xbf16>
  %y = sinter.gemm ins(%a, %b : tensor<300x512xbf16>, tensor<264x512xbf16>) outs(%o : tensor<300x264xbf16>) {acc_type = f32, transpose_b} -> tensor<300x264xbf16>
  return %y : tensor<300x264xbf16>
}
