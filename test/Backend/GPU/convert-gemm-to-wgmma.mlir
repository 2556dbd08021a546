// RUN: sinter-opt --sinter-attach-target=target=nvidia-h100 %s --split-input-file --convert-sinter-to-gpu | FileCheck %s
// RUN: sinter-opt --sinter-attach-target=target=nvidia-a100 %s --split-input-file --convert-sinter-to-gpu | FileCheck %s --check-prefix=A100

// On sm_90a, an f16/bf16 GEMM with K-major operands (A [M, K], B [N, K])
// runs on warpgroup MMA in a persistent, warp-specialized kernel: 128 x 256
// tiles (3 x 2 here, so 6 blocks; never more than the SMs), a producer
// warpgroup and two consumer warpgroups (384 threads), a 4-stage ring of
// swizzled tiles in dynamic shared memory (4 x 48 KiB, 4 x 8 KiB of output
// staging, 8 mbarriers, 1 KiB to align the ring). A and B are also read through TMA descriptors, which
// the launch code encodes (sinter.gpu.tensor_maps) and passes by value
// after the buffers.
// CHECK-LABEL: func.func @linear
// CHECK-SAME:    sinter.gpu.block = array<i64: 384, 1, 1>
// CHECK-SAME:    sinter.gpu.grid = array<i64: 6, 1, 1>
// CHECK-SAME:    sinter.gpu.shared_bytes = 230464 : i64
// CHECK-SAME:    sinter.gpu.tensor_maps = [{arg = 0 : i64, box_cols = 64 : i64, box_rows = 128 : i64, cols = 512 : i64, elem_bytes = 2 : i64, rows = 300 : i64}, {arg = 1 : i64, box_cols = 64 : i64, box_rows = 256 : i64, cols = 512 : i64, elem_bytes = 2 : i64, rows = 264 : i64}, {arg = 3 : i64, box_cols = 32 : i64, box_rows = 64 : i64, cols = 264 : i64, elem_bytes = 4 : i64, rows = 300 : i64}]
// CHECK-LABEL: gpu.func @linear(
// CHECK-SAME:    %{{.*}}: memref<300x264xf32>, %[[MAPA:.*]]: !llvm.ptr, %[[MAPB:.*]]: !llvm.ptr, %[[MAPC:.*]]: !llvm.ptr) kernel
// CHECK-SAME:    sinter.tensor_map_args = array<i64: 4, 5, 6>
// CHECK-NOT:     workgroup
// The ring is aligned to the 1024-byte swizzle atom; thread 0 sets up each
// stage's `full` barrier (one arrival: the producer's, plus the TMA bytes)
// and `empty` barrier (one arrival per consumer warp).
// CHECK:         gpu.dynamic_shared_memory
// CHECK:         arith.andi %{{.*}}, %c-1024_i64
// CHECK:         nvvm.mbarrier.init %{{.*}}, %c1_i32
// CHECK:         nvvm.mbarrier.init %{{.*}}, %c8_i32
// CHECK-COUNT-6: nvvm.mbarrier.init
// CHECK:         nvvm.fence.mbarrier.init
// CHECK:         gpu.barrier
// The producer warpgroup gives up registers; one thread walks the block's
// tiles (from the block id, by the grid size), in groups of 8 tile rows.
// CHECK:         nvvm.setmaxregister  decrease 40
// CHECK:         %[[BID:.*]] = gpu.block_id  x
// CHECK:         %[[GRID:.*]] = gpu.grid_dim  x
// CHECK:         scf.for %{{.*}} = %[[BID]] to %c6 step %[[GRID]]
// CHECK:           arith.divui %{{.*}}, %c16 : index
// CHECK:           arith.minsi
// Per k block: wait for the stage to be empty, expect its 48 KiB, and
// load A's and B's boxes into it, completing its `full` barrier.
// CHECK:           scf.for %{{.*}} = %c0{{.*}} to %c8{{.*}} step %c1
// CHECK:             arith.xori
// CHECK:             nvvm.mbarrier.try_wait.parity
// CHECK:             nvvm.mbarrier.arrive.expect_tx %{{.*}}, %c49152_i32
// CHECK:             nvvm.cp.async.bulk.tensor.shared.cluster.global %{{.*}}, %[[MAPA]], %{{.*}}, box[
// CHECK:             nvvm.cp.async.bulk.tensor.shared.cluster.global %{{.*}}, %[[MAPB]], %{{.*}}, box[
// The consumers take the registers and walk the same tiles.
// CHECK:       } else {
// CHECK:         nvvm.setmaxregister  increase 232
// CHECK:         scf.for %{{.*}} = %{{.*}} to %c6 step %{{.*}}
// CHECK:           %[[ZERO:.*]] = llvm.mlir.zero : !llvm.struct<(f32, f32,
// CHECK:           scf.for {{.*}} iter_args(%[[ACC:.*]] = %[[ZERO]],
// CHECK:             nvvm.mbarrier.try_wait.parity
// Descriptors: start address >> 4, 1024-byte group stride, 128-byte swizzle.
// CHECK:             arith.ori %{{.*}}, %c4611686293305360384_i64
// CHECK:             nvvm.wgmma.fence.aligned
// CHECK-COUNT-4:     nvvm.wgmma.mma_async %{{.*}}, %{{.*}}, %{{.*}}, <m = 64, n = 256, k = 16>, D[<f32>, <one>], A[<bf16>, <one>, <row>], B[<bf16>, <one>, <col>]
// One wgmma group stays in flight; once the previous one is done, lane 0
// of each warp releases its stage.
// CHECK:             nvvm.wgmma.commit.group.sync.aligned
// CHECK-NEXT:        nvvm.wgmma.wait.group.sync.aligned 1
// CHECK:             scf.if
// CHECK:               scf.if
// CHECK:                 nvvm.mbarrier.arrive
// CHECK:           nvvm.wgmma.wait.group.sync.aligned 0
// CHECK:           nvvm.mbarrier.arrive
// The output (one, rows of a multiple of 16 bytes) is stored through TMA
// too: box by box (64 rows x 128 bytes, 32 f32 columns here), the epilogue
// runs on a pair of accumulators (zeros outside M x N, operands unread),
// the pair goes to a staging box in the 128-byte swizzle, and one thread of
// the warpgroup stores the box once all 128 have written (named barrier
// 1 + warpgroup), after waiting until the box two back has been read.
// CHECK:           nvvm.cp.async.bulk.wait_group 1 {read}
// CHECK:           nvvm.barrier id = %{{.*}} number_of_threads = %c128_i32
// CHECK:           scf.if %{{.*}} -> (f32, f32) {
// CHECK:             arith.addf
// CHECK:             arith.addf
// CHECK:           } else {
// CHECK:           arith.xori
// CHECK:           llvm.store %{{.*}}, %{{.*}} {alignment = 8 : i64} : vector<2xf32>, !llvm.ptr<3>
// CHECK:           nvvm.fence.proxy {kind = #nvvm.proxy_kind<async.shared>, space = #nvvm.shared_space<cta>}
// CHECK:           nvvm.barrier id
// CHECK:           nvvm.cp.async.bulk.tensor.global.shared.cta %[[MAPC]], %{{.*}}, box[
// CHECK-NEXT:      nvvm.cp.async.bulk.commit.group
// CHECK-COUNT-7:   nvvm.cp.async.bulk.tensor.global.shared.cta
// The last stores have read their boxes before the block exits.
// CHECK:         nvvm.cp.async.bulk.wait_group 0
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

// A [K, N] B (N-major) takes the same kernel: its tensor map reads boxes of
// 64 k rows x 64 columns, four per stage side by side (8 KiB apart, the
// descriptor's leading offset, 512 in units of 16), and wgmma reads B
// transposed (layout row); a k16 step is 16 rows of 128 bytes (128).
// CHECK-LABEL: func.func @kn
// CHECK-SAME:    {arg = 1 : i64, box_cols = 64 : i64, box_rows = 64 : i64, cols = 128 : i64, elem_bytes = 2 : i64, rows = 64 : i64}
// CHECK-LABEL: gpu.func @kn(
// CHECK-COUNT-5: nvvm.cp.async.bulk.tensor.shared.cluster.global
// CHECK-NOT:     nvvm.cp.async.bulk.tensor.shared.cluster.global
// CHECK:         arith.ori %{{.*}}, %c4611686293338849280_i64
// CHECK:         arith.addi %{{.*}}, %c128_i64 : i64
// CHECK:         nvvm.wgmma.mma_async {{.*}} B[<bf16>, <one>, <row>]
// CHECK-NOT:     nvvm.mma.sync
func.func @kn(%a: tensor<128x64xbf16>, %b: tensor<64x128xbf16>) -> tensor<128x128xbf16> {
  %o = tensor.empty() : tensor<128x128xbf16>
  %y = sinter.gemm ins(%a, %b : tensor<128x64xbf16>, tensor<64x128xbf16>) outs(%o : tensor<128x128xbf16>) {acc_type = f32} -> tensor<128x128xbf16>
  return %y : tensor<128x128xbf16>
}

// -----

// Rows of 66 bf16 (132 bytes) cannot be TMA boxes: the epilogue's values
// are stored from registers, two adjacent columns at once (N is even).
// CHECK-LABEL: gpu.func @even_n(
// CHECK-NOT:     nvvm.cp.async.bulk.tensor.global.shared.cta
// CHECK-COUNT-64: llvm.store %{{.*}}, %{{.*}} {alignment = 4 : i64} : vector<2xbf16>, !llvm.ptr<1>
// CHECK-NOT:     memref.store
// CHECK:         gpu.return
func.func @even_n(%a: tensor<100x64xbf16>, %b: tensor<66x64xbf16>) -> tensor<100x66xbf16> {
  %o = tensor.empty() : tensor<100x66xbf16>
  %y = sinter.gemm ins(%a, %b : tensor<100x64xbf16>, tensor<66x64xbf16>) outs(%o : tensor<100x66xbf16>) {acc_type = f32, transpose_b} -> tensor<100x66xbf16>
  return %y : tensor<100x66xbf16>
}

// -----

// With N odd a column pair can straddle the edge: elements are stored one
// by one, each inside the bounds.
func.func @odd_n(%a: tensor<100x64xbf16>, %b: tensor<77x64xbf16>) -> tensor<100x77xbf16> {
  %o = tensor.empty() : tensor<100x77xbf16>
  %y = sinter.gemm ins(%a, %b : tensor<100x64xbf16>, tensor<77x64xbf16>) outs(%o : tensor<100x77xbf16>) {acc_type = f32, transpose_b} -> tensor<100x77xbf16>
  return %y : tensor<100x77xbf16>
}

// -----

// Rows of A and B whose bytes are not a multiple of 16 (K = 36) cannot be
// TMA boxes: the GEMM takes the mma.sync kernel.
// CHECK-LABEL: gpu.func @k36(
// CHECK-NOT:     nvvm.cp.async.bulk.tensor
// CHECK:         nvvm.mma.sync
func.func @k36(%a: tensor<64x36xbf16>, %b: tensor<64x36xbf16>) -> tensor<64x64xbf16> {
  %o = tensor.empty() : tensor<64x64xbf16>
  %y = sinter.gemm ins(%a, %b : tensor<64x36xbf16>, tensor<64x36xbf16>) outs(%o : tensor<64x64xbf16>) {acc_type = f32, transpose_b} -> tensor<64x64xbf16>
  return %y : tensor<64x64xbf16>
}

// -----

// Transcendental math in the epilogue (tanh-GELU) keeps the cooperative
// schedule (ping-pong measured slower; convert-gemm-schedule.mlir).
// CHECK-LABEL: func.func @gelu
// CHECK-SAME:    sinter.gpu.shared_bytes = 230464 : i64
// CHECK-LABEL: func.func @no_math
// CHECK-SAME:    sinter.gpu.shared_bytes = 230464 : i64
func.func @gelu(%a: tensor<300x512xbf16>, %b: tensor<264x512xbf16>) -> tensor<300x264xbf16> {
  %o = tensor.empty() : tensor<300x264xbf16>
  %y = sinter.gemm ins(%a, %b : tensor<300x512xbf16>, tensor<264x512xbf16>) outs(%o : tensor<300x264xbf16>) {acc_type = f32, transpose_b} -> tensor<300x264xbf16>
    epilogue {
    ^bb0(%acc: f32):
      %t = math.tanh %acc : f32
      %r = arith.truncf %t : f32 to bf16
      sinter.yield %r : bf16
    }
  return %y : tensor<300x264xbf16>
}
func.func @no_math(%a: tensor<300x512xbf16>, %b: tensor<264x512xbf16>) -> tensor<300x264xbf16> {
  %o = tensor.empty() : tensor<300x264xbf16>
  %y = sinter.gemm ins(%a, %b : tensor<300x512xbf16>, tensor<264x512xbf16>) outs(%o : tensor<300x264xbf16>) {acc_type = f32, transpose_b} -> tensor<300x264xbf16>
  return %y : tensor<300x264xbf16>
}
