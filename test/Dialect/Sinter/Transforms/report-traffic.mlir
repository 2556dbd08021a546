// RUN: sinter-opt --sinter-attach-target=target=nvidia-h100 %s --sinter-report-traffic -o /dev/null | FileCheck %s
// RUN: sinter-opt --sinter-attach-target=target=nvidia-h100 %s --sinter-fuse --sinter-report-traffic -o /dev/null | FileCheck %s --check-prefix=FUSED

// A 64x128 * 128x32 f32 GEMM followed by a bias add, on the H100 preset:
// reads A (32768 B) + B (16384 B), writes C (8192 B); the bias kernel reads
// C and the bias (128 B) and writes 8192 B. The fill is an on-chip init.
// CHECK: sinter traffic report: @f on nvidia-h100
// CHECK: 0    gemm       sinter.gemm                {{[0-9]+}}:{{[0-9]+}}          49152           8192           524288
// CHECK: 1    other      linalg.generic             {{[0-9]+}}:{{[0-9]+}}           8320           8192             2048
// CHECK: kernels: 2 (1 gemm, 0 attention, 1 other)
// CHECK: HBM bytes: 73856 (read 57472, written 16384)
// CHECK: compulsory minimum: 57472 (read 49280, written 8192)
// CHECK: ratio to minimum: 1.285

// After fusion only the compulsory traffic is left.
// FUSED: kernels: 1 (1 gemm, 0 attention, 0 other)
// FUSED: HBM bytes: 57472 (read 49280, written 8192)
// FUSED: ratio to minimum: 1.000
#id = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>
func.func @f(%a: tensor<64x128xf32>, %b: tensor<128x32xf32>, %bias: tensor<32xf32>) -> tensor<64x32xf32> {
  %e = tensor.empty() : tensor<64x32xf32>
  %0 = sinter.gemm ins(%a, %b : tensor<64x128xf32>, tensor<128x32xf32>) outs(%e : tensor<64x32xf32>) {acc_type = f32} -> tensor<64x32xf32>
  %1 = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%0, %bias : tensor<64x32xf32>, tensor<32xf32>) outs(%e : tensor<64x32xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<64x32xf32>
  return %1 : tensor<64x32xf32>
}
