// RUN: sinter-opt %s --split-input-file --convert-sinter-to-gpu | FileCheck %s
// RUN: sinter-opt %s --split-input-file --convert-sinter-to-gpu=target=nvidia-a100 | FileCheck %s --check-prefix=A100

// On sm_90a, an f16/bf16 GEMM with K-major operands (A [M, K], B [N, K])
// runs on warpgroup MMA: 128 x 256 tiles, two warpgroups, a 4-stage ring of
// swizzled tiles in dynamic shared memory (4 x 48 KiB + 1 KiB to align it).
// CHECK-LABEL: func.func @linear
// CHECK-SAME:    sinter.gpu.block = array<i64: 256, 1, 1>
// CHECK-SAME:    sinter.gpu.grid = array<i64: 2, 3, 1>
// CHECK-SAME:    sinter.gpu.shared_bytes = 197632 : i64
// CHECK-LABEL: gpu.func @linear(
// CHECK-NOT:     workgroup
// Blocks run in groups of 8 tile rows (column by column) for L2 reuse.
// CHECK:         arith.divui %{{.*}}, %c16 : index
// CHECK:         arith.minsi
// CHECK:         gpu.dynamic_shared_memory
// The ring is aligned to the 1024-byte swizzle atom.
// CHECK:         arith.andi %{{.*}}, %c-1024_i64
// Two k blocks are in flight before the loop (zero-filled past M, N, K);
// 16-byte chunk c of row r lands at chunk c ^ (r % 8).
// CHECK:         scf.if
// CHECK:           arith.xori
// CHECK:           nvvm.cp.async.shared.global {{.*}}, 16, cache =  cg
// CHECK:         nvvm.cp.async.commit.group
// CHECK:         %[[ZERO:.*]] = llvm.mlir.zero : !llvm.struct<(f32, f32,
// CHECK:         scf.for {{.*}} iter_args(%[[ACC:.*]] = %[[ZERO]])
// CHECK:           nvvm.cp.async.wait.group 1
// CHECK-NEXT:      nvvm.fence.proxy {kind = #nvvm.proxy_kind<async.shared>, space = #nvvm.shared_space<cta>}
// CHECK-NEXT:      gpu.barrier
// CHECK:           scf.if
// CHECK:           nvvm.cp.async.commit.group
// Descriptors: start address >> 4, 1024-byte group stride, 128-byte swizzle.
// CHECK:           arith.ori %{{.*}}, %c4611686293305360384_i64
// CHECK:           nvvm.wgmma.fence.aligned
// CHECK-COUNT-4:   nvvm.wgmma.mma_async %{{.*}}, %{{.*}}, %{{.*}}, <m = 64, n = 256, k = 16>, D[<f32>, <one>], A[<bf16>, <one>, <row>], B[<bf16>, <one>, <col>]
// One wgmma group stays in flight across iterations; the last is awaited
// after the loop.
// CHECK:           nvvm.wgmma.commit.group.sync.aligned
// CHECK-NEXT:      nvvm.wgmma.wait.group.sync.aligned 1
// CHECK:         nvvm.wgmma.wait.group.sync.aligned 0
// The epilogue runs on each of the 128 accumulators a thread holds.
// CHECK-COUNT-128: arith.addf
// CHECK:         gpu.return
// The A100 has no wgmma: the same GEMM takes the mma.sync kernel.
// A100-LABEL: gpu.func @linear(
// A100-SAME:    workgroup(
// A100-NOT:     nvvm.wgmma
// A100:         nvvm.mma.sync
func.func @linear(%a: tensor<300x512xbf16>, %b: tensor<264x512xbf16>, %bias: tensor<264xf32>) -> tensor<300x264xf32> {
  %o = tensor.empty() : tensor<300x264xf32>
  %y = sinter.gemm ins(%a, %b : tensor<300x512xbf16>, tensor<264x512xbf16>) epilogue_ins(%bias : tensor<264xf32>) outs(%o : tensor<300x264xf32>) {acc_type = f32, transpose_b, epilogue_maps = [affine_map<(m, n) -> (n)>]} -> tensor<300x264xf32>
    epilogue {
    ^bb0(%acc: f32, %bv: f32):
      %s = arith.addf %acc, %bv : f32
      sinter.yield %s : f32
    }
  return %y : tensor<300x264xf32>
}

// -----

// A [K, N] B (N-major) keeps the mma.sync kernel for now.
// CHECK-LABEL: gpu.func @kn(
// CHECK-NOT:     nvvm.wgmma
// CHECK:         nvvm.mma.sync
func.func @kn(%a: tensor<128x64xbf16>, %b: tensor<64x128xbf16>) -> tensor<128x128xbf16> {
  %o = tensor.empty() : tensor<128x128xbf16>
  %y = sinter.gemm ins(%a, %b : tensor<128x64xbf16>, tensor<64x128xbf16>) outs(%o : tensor<128x128xbf16>) {acc_type = f32} -> tensor<128x128xbf16>
  return %y : tensor<128x128xbf16>
}
