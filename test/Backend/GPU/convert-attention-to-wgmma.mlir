// RUN: sinter-opt --sinter-attach-target=target=nvidia-h100 %s --split-input-file --convert-sinter-to-gpu | FileCheck %s

// On sm_90a, attention in the [B, H, S, D] layout with D = Dv = 64 or 128
// runs on warpgroup MMA (FlashAttention-3 form): blocks of 128 queries
// (grid: ceil(300 / 128) x Hq x B), a producer warpgroup and two consumer
// warpgroups (384 threads); dynamic shared memory holds Q (32 KiB), a ring
// of 2 stages of K and V (4 x 32 KiB), each consumer's P tile (2 x 16 KiB)
// and 5 mbarriers, plus 1 KiB to align it. Q, K and V are read through 3-d
// TMA descriptors (a box never crosses into the next head).
// CHECK-LABEL: func.func @causal_gqa
// CHECK-SAME:    sinter.gpu.block = array<i64: 384, 1, 1>
// CHECK-SAME:    sinter.gpu.grid = array<i64: 3, 8, 2>
// CHECK-SAME:    sinter.gpu.shared_bytes = 197672 : i64
// CHECK-SAME:    sinter.gpu.tensor_maps = [{arg = 0 : i64, batches = 16 : i64, box_cols = 64 : i64, box_rows = 128 : i64, cols = 128 : i64, elem_bytes = 2 : i64, rows = 300 : i64}, {arg = 1 : i64, batches = 4 : i64, box_cols = 64 : i64, box_rows = 128 : i64, cols = 128 : i64, elem_bytes = 2 : i64, rows = 300 : i64}, {arg = 2 : i64, batches = 4 : i64,
// CHECK-LABEL: gpu.func @causal_gqa(
// CHECK-SAME:    %[[LSE:arg4]]: memref<2x8x300xf32>, %[[MAPQ:.*]]: !llvm.ptr, %[[MAPK:.*]]: !llvm.ptr, %[[MAPV:.*]]: !llvm.ptr) kernel
// CHECK-SAME:    sinter.tensor_map_args = array<i64: 5, 6, 7>
// Causal grids run the longest query blocks first; GQA: KV head = h / 4.
// CHECK:         %[[BX:.*]] = gpu.block_id  x
// CHECK:         arith.subi %c2, %[[BX]]
// CHECK:         %[[H:.*]] = gpu.block_id  y
// CHECK:         arith.divui %[[H]], %c4
// CHECK:         nvvm.mbarrier.init %{{.*}}, %c1_i32
// CHECK-COUNT-2: nvvm.mbarrier.init %{{.*}}, %c8_i32
// CHECK:         nvvm.fence.mbarrier.init
// The producer: Q once (two column blocks of 64 at head b * 8 + h), then K
// and V of each key block once its stage is empty.
// CHECK:         nvvm.setmaxregister  decrease 40
// CHECK:         nvvm.mbarrier.arrive.expect_tx %{{.*}}, %c32768_i32
// CHECK:         arith.muli %{{.*}}, %c8
// CHECK-COUNT-2: nvvm.cp.async.bulk.tensor.shared.cluster.global %{{.*}}, %[[MAPQ]], %{{.*}}, box[%{{.*}}, %{{.*}}, %{{.*}}]
// CHECK:         scf.for
// CHECK:           nvvm.mbarrier.try_wait.parity
// CHECK:           nvvm.mbarrier.arrive.expect_tx %{{.*}}, %c65536_i32
// CHECK-COUNT-2:   nvvm.cp.async.bulk.tensor.shared.cluster.global %{{.*}}, %[[MAPK]]
// CHECK-COUNT-2:   nvvm.cp.async.bulk.tensor.shared.cluster.global %{{.*}}, %[[MAPV]]
// The consumers: S = Q K^T (8 k steps of 16 along D), the online softmax
// in registers (ex2 on the SFU, quad shuffles), P to shared memory, O
// rescaled, O += P V with V read N-major (8 k steps of 16 keys), then the
// stage is released.
// CHECK:       } else {
// CHECK:         nvvm.setmaxregister  increase 232
// CHECK:         nvvm.mbarrier.try_wait.parity
// CHECK:         scf.for
// CHECK:           nvvm.mbarrier.try_wait.parity
// CHECK:           nvvm.wgmma.fence.aligned
// CHECK-COUNT-8:   nvvm.wgmma.mma_async {{.*}} <m = 64, n = 128, k = 16>, D[<f32>, <one>], A[<bf16>, <one>, <row>], B[<bf16>, <one>, <col>]
// CHECK:           nvvm.wgmma.wait.group.sync.aligned 0
// CHECK:           arith.cmpi sle
// CHECK:           gpu.shuffle  xor
// The scale folds into the exponent: exp2(s c - m) with c = log2(e) / sqrt(128).
// CHECK:           %[[P:.*]] = llvm.intr.fma(%{{.*}}, %cst{{.*}}, %{{.*}}) : (f32, f32, f32) -> f32
// CHECK-NEXT:      llvm.call_intrinsic "llvm.nvvm.ex2.approx.ftz.f"(%[[P]])
// CHECK:           llvm.store %{{.*}}, %{{.*}} {alignment = 4 : i64} : vector<2xbf16>, !llvm.ptr<3>
// CHECK:           nvvm.fence.proxy {kind = #nvvm.proxy_kind<async.shared>, space = #nvvm.shared_space<cta>}
// CHECK:           nvvm.barrier id
// CHECK:           nvvm.wgmma.fence.aligned
// CHECK-COUNT-8:   nvvm.wgmma.mma_async {{.*}} <m = 64, n = 128, k = 16>, D[<f32>, <one>], A[<bf16>, <one>, <row>], B[<bf16>, <one>, <row>]
// CHECK:           nvvm.wgmma.wait.group.sync.aligned 0
// CHECK:           nvvm.mbarrier.arrive
// O / l stored two columns at a time, and the log-sum-exp.
// CHECK:         llvm.store %{{.*}}, %{{.*}} {alignment = 4 : i64} : vector<2xbf16>, !llvm.ptr<1>
// CHECK:         memref.store %{{.*}}, %[[LSE]]
// CHECK:         gpu.return
func.func @causal_gqa(%q: tensor<2x8x300x128xbf16>, %k: tensor<2x2x300x128xbf16>, %v: tensor<2x2x300x128xbf16>) -> (tensor<2x8x300x128xbf16>, tensor<2x8x300xf32>) {
  %o = tensor.empty() : tensor<2x8x300x128xbf16>
  %l = tensor.empty() : tensor<2x8x300xf32>
  %r:2 = sinter.attention ins(%q, %k, %v : tensor<2x8x300x128xbf16>, tensor<2x2x300x128xbf16>, tensor<2x2x300x128xbf16>) outs(%o, %l : tensor<2x8x300x128xbf16>, tensor<2x8x300xf32>) {mask = #sinter.mask<causal>} -> tensor<2x8x300x128xbf16>, tensor<2x8x300xf32>
  return %r#0, %r#1 : tensor<2x8x300x128xbf16>, tensor<2x8x300xf32>
}

// -----

// With a softcap the scores are scaled, capped (tanh) and scaled again
// before the row max; nothing is folded into the exponent.
// CHECK-LABEL: gpu.func @softcap(
// CHECK:         nvvm.wgmma.wait.group.sync.aligned 0
// CHECK:         math.tanh
// CHECK-NOT:     llvm.intr.fma
// CHECK:         arith.subf
// CHECK-NEXT:    llvm.call_intrinsic "llvm.nvvm.ex2.approx.ftz.f"
// CHECK-NOT:     llvm.intr.fma
// CHECK:         gpu.return
func.func @softcap(%q: tensor<1x2x128x64xbf16>, %k: tensor<1x2x128x64xbf16>, %v: tensor<1x2x128x64xbf16>) -> tensor<1x2x128x64xbf16> {
  %o = tensor.empty() : tensor<1x2x128x64xbf16>
  %r = sinter.attention ins(%q, %k, %v : tensor<1x2x128x64xbf16>, tensor<1x2x128x64xbf16>, tensor<1x2x128x64xbf16>) outs(%o : tensor<1x2x128x64xbf16>) {mask = #sinter.mask<none>, softcap = 30.0 : f32} -> tensor<1x2x128x64xbf16>
  return %r : tensor<1x2x128x64xbf16>
}

// -----

// The token-major layout, D = 96 or D != Dv take the FlashAttention-2
// kernel (mma.sync).
// CHECK-LABEL: gpu.func @d96(
// CHECK-NOT:     nvvm.wgmma
// CHECK:         nvvm.mma.sync
func.func @d96(%q: tensor<1x2x70x96xbf16>, %k: tensor<1x2x70x96xbf16>, %v: tensor<1x2x70x96xbf16>) -> tensor<1x2x70x96xbf16> {
  %o = tensor.empty() : tensor<1x2x70x96xbf16>
  %r = sinter.attention ins(%q, %k, %v : tensor<1x2x70x96xbf16>, tensor<1x2x70x96xbf16>, tensor<1x2x70x96xbf16>) outs(%o : tensor<1x2x70x96xbf16>) {mask = #sinter.mask<causal>} -> tensor<1x2x70x96xbf16>
  return %r : tensor<1x2x70x96xbf16>
}
