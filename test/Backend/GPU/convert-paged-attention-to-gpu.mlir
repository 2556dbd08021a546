// RUN: sinter-opt --sinter-attach-target=target=nvidia-h100 %s --split-input-file --convert-sinter-to-gpu | FileCheck %s
// RUN: sinter-opt --sinter-attach-target=target=nvidia-a100 %s --split-input-file --convert-sinter-to-gpu | FileCheck %s --check-prefix=A100

// Paged decode (FlashDecoding): a split kernel of one warp per (split, KV
// head, sequence) and a combine kernel per output row, sharing an f32
// workspace of partial outputs and log-sum-exps:
// (3 x 8 x 1 rows x 3 splits) x (64 + 1) floats x 4 bytes = 18720.
// With 132 SMs (H100) the 192-key table splits into 3 chunks of 64 keys.
// CHECK-LABEL: func.func @decode
// CHECK-SAME:    sinter.gpu.block = array<i64: 32, 1, 1>
// CHECK-SAME:    sinter.gpu.grid = array<i64: 3, 2, 3>
// CHECK-SAME:    sinter.gpu.next_kernels = [{block = array<i64: 64, 1, 1>, grid = array<i64: 24, 1, 1>, kernel = "decode_combine", shared_bytes = 0 : i64}]
// CHECK-SAME:    sinter.gpu.workspace_bytes = 18720 : i64
// CHECK-LABEL: gpu.func @decode(
// CHECK-SAME:    %[[TABLE:arg3]]: memref<3x12xi32>, %[[LENS:arg4]]: memref<3xi32>, %{{.*}}: memref<3x8x1x64xbf16>, %[[WS:arg6]]: memref<4680xf32>)
// CHECK:         %[[SPLIT:.*]] = gpu.block_id  x
// CHECK:         %[[B:.*]] = gpu.block_id  z
// CHECK:         %[[LEN:.*]] = memref.load %[[LENS]][%[[B]]]
// GQA: the 4 query heads of a KV head are the rows of one mma tile.
// CHECK-COUNT-4: nvvm.cp.async.shared.global
// CHECK:         %[[BEGIN:.*]] = arith.muli %[[SPLIT]], %c64
// CHECK:         %[[END:.*]] = arith.minsi
// Pages are read in place: the block table gives each token's cache block
// (clamped into the cache's 40 blocks).
// CHECK:         scf.if
// CHECK:           memref.load %[[TABLE]][%[[B]], %{{.*}}] : memref<3x12xi32>
// CHECK:           arith.maxsi
// CHECK:           arith.minsi %{{.*}}, %c39
// CHECK:           nvvm.cp.async.shared.global
// CHECK:         scf.for %{{.*}} = %[[BEGIN]] to %[[END]] step %c64
// Keys at or past the sequence's length are masked.
// CHECK:           arith.cmpi ult
// CHECK:           arith.cmpi sle
// CHECK:           nvvm.mma.sync
// CHECK:           scf.yield
// Normalized partial outputs and the partial log-sum-exp (at 72 x 64 = 4608 on).
// CHECK:         memref.store %{{.*}}, %[[WS]]
// CHECK:         arith.addi %c4608
// CHECK:         memref.store %{{.*}}, %[[WS]]
// CHECK:         gpu.return
// CHECK-LABEL: gpu.func @decode_combine(
// CHECK-SAME:    %[[OUT:arg5]]: memref<3x8x1x64xbf16>, %[[WS2:arg6]]: memref<4680xf32>)
// CHECK-COUNT-3: memref.load %[[WS2]]
// CHECK:         llvm.call_intrinsic "llvm.nvvm.ex2.approx.ftz.f"
// CHECK:         llvm.intr.fma
// CHECK:         arith.divf
// CHECK:         arith.truncf {{.*}} : f32 to bf16
// CHECK:         memref.store %{{.*}}, %[[OUT]]
// The split count comes from the target description (SMs, shared memory per
// SM); this small table gives 3 splits on the A100 too.
// A100-LABEL: func.func @decode
// A100-SAME:    sinter.gpu.grid = array<i64: 3, 2, 3>
func.func @decode(%q: tensor<3x8x1x64xbf16>, %kc: tensor<40x16x2x64xbf16>, %vc: tensor<40x16x2x64xbf16>, %bt: tensor<3x12xi32>, %lens: tensor<3xi32>) -> tensor<3x8x1x64xbf16> {
  %o = tensor.empty() : tensor<3x8x1x64xbf16>
  %r = sinter.paged_attention ins(%q, %kc, %vc, %bt, %lens : tensor<3x8x1x64xbf16>, tensor<40x16x2x64xbf16>, tensor<40x16x2x64xbf16>, tensor<3x12xi32>, tensor<3xi32>)
      outs(%o : tensor<3x8x1x64xbf16>) {mask = #sinter.mask<causal>} -> tensor<3x8x1x64xbf16>
  return %r : tensor<3x8x1x64xbf16>
}

// -----

// A long table over few sequences: as many splits as fill the GPU once,
// each at least 64 keys. H100: 132 SMs x 6 blocks of 34 KiB resident in 228
// KiB / (2 x 2) = 198, at most 8192 / 64 = 128. On an A100, 108 x 4 (164 KiB) / 4
// = 108 splits of 76 keys, rounded up to 128-key chunks: 64 splits.
// CHECK-LABEL: func.func @long
// CHECK-SAME:    sinter.gpu.grid = array<i64: 128, 2, 2>
// A100-LABEL: func.func @long
// A100-SAME:    sinter.gpu.grid = array<i64: 64, 2, 2>
func.func @long(%q: tensor<2x4x1x128xf16>, %kc: tensor<1024x16x2x128xf16>, %vc: tensor<1024x16x2x128xf16>, %bt: tensor<2x512xi32>, %lens: tensor<2xi32>) -> tensor<2x4x1x128xf16> {
  %o = tensor.empty() : tensor<2x4x1x128xf16>
  %r = sinter.paged_attention ins(%q, %kc, %vc, %bt, %lens : tensor<2x4x1x128xf16>, tensor<1024x16x2x128xf16>, tensor<1024x16x2x128xf16>, tensor<2x512xi32>, tensor<2xi32>)
      outs(%o : tensor<2x4x1x128xf16>) -> tensor<2x4x1x128xf16>
  return %r : tensor<2x4x1x128xf16>
}

// -----

// Many sequences: one split each once B x Hkv fills the GPU.
// CHECK-LABEL: func.func @many
// CHECK-SAME:    sinter.gpu.grid = array<i64: 1, 8, 128>
func.func @many(%q: tensor<128x32x1x128xbf16>, %kc: tensor<4096x16x8x128xbf16>, %vc: tensor<4096x16x8x128xbf16>, %bt: tensor<128x32xi32>, %lens: tensor<128xi32>) -> tensor<128x32x1x128xbf16> {
  %o = tensor.empty() : tensor<128x32x1x128xbf16>
  %r = sinter.paged_attention ins(%q, %kc, %vc, %bt, %lens : tensor<128x32x1x128xbf16>, tensor<4096x16x8x128xbf16>, tensor<4096x16x8x128xbf16>, tensor<128x32xi32>, tensor<128xi32>)
      outs(%o : tensor<128x32x1x128xbf16>) -> tensor<128x32x1x128xbf16>
  return %r : tensor<128x32x1x128xbf16>
}
