// RUN: sinter-opt --sinter-attach-target=target=nvidia-a100 %s --split-input-file --convert-sinter-to-gpu | FileCheck %s
// RUN: sinter-opt --sinter-attach-target=target=nvidia-h100 %s --split-input-file --convert-sinter-to-gpu | FileCheck %s --check-prefix=H100

// The FlashAttention-2 kernel (mma.sync), as the A100 runs it; on the H100
// it takes what the wgmma kernel does not (bshd here; see
// convert-attention-to-wgmma.mlir).
// H100-LABEL: gpu.func @window_bshd(
// H100-NOT:     nvvm.wgmma
// H100:         nvvm.mma.sync

// Causal GQA attention with the log-sum-exp: one block of 4 warps per 64
// queries of one head (grid: ceil(100 / 64) x Hq x B), tiles of 64 rows
// padded by 8 in shared memory: at D = 64, two K buffers and one V.
// CHECK-LABEL: func.func @causal_gqa
// CHECK-SAME:    sinter.gpu.block = array<i64: 128, 1, 1>
// CHECK-SAME:    sinter.gpu.grid = array<i64: 2, 8, 2>
// CHECK-LABEL: gpu.func @causal_gqa(
// CHECK-SAME:    %[[LSE:arg4]]: memref<2x8x100xf32>
// CHECK-SAME:    workgroup(%{{.*}} : memref<64x72xbf16, #gpu.address_space<workgroup>>, %{{.*}} : memref<64x72xbf16, #gpu.address_space<workgroup>>, %{{.*}} : memref<64x72xbf16, #gpu.address_space<workgroup>>)
// Causal grids run the longest query blocks first.
// CHECK:         %[[BX:.*]] = gpu.block_id  x
// CHECK:         arith.subi %c1{{.*}}, %[[BX]]
// GQA: K/V head = query head / 4.
// CHECK:         %[[H:.*]] = gpu.block_id  y
// CHECK:         arith.divui %[[H]], %c4
// Q: 64 x 64 bf16 = 4 16-byte cp.async per thread, zero-filled past row 100.
// CHECK-COUNT-4: nvvm.cp.async.shared.global {{.*}}, 16, cache =  cg, %{{.*}} : !llvm.ptr<3>, !llvm.ptr<1>, i32
// CHECK:         nvvm.cp.async.commit.group
// CHECK-NEXT:    nvvm.cp.async.wait.group 0
// CHECK-NEXT:    gpu.barrier
// Q's A fragments, held in registers: D / 16 = 4 ldmatrix.x4.
// CHECK-COUNT-4: nvvm.ldmatrix {{.*}} layout = #nvvm.mma_layout<row>, num = 4
// CHECK:         gpu.barrier
// The causal mask bounds the key loop: min(Skv, last query + 1).
// CHECK:         arith.minsi
// CHECK:         %[[END:.*]] = arith.maxsi
// The first K block is issued before the loop.
// CHECK:         scf.if
// CHECK-COUNT-4:   nvvm.cp.async.shared.global
// CHECK:         nvvm.cp.async.commit.group
// Loop state: row max and sum for two rows, 64 / 8 x 4 output accumulators.
// CHECK:         scf.for %[[KV:.*]] = %{{.*}} to %[[END]] step %c64{{.*}} -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32)
// Block j reads K buffer j % 2 while K_{j+1} loads into the other.
// CHECK:           arith.remui
// CHECK:           %[[KCUR:.*]] = arith.select
// CHECK:           %[[KNEXT:.*]] = arith.select
// CHECK:           nvvm.cp.async.wait.group 0
// CHECK-NEXT:      gpu.barrier
// V_j and K_{j+1} are issued while S = Q K^T runs.
// CHECK-COUNT-4:   nvvm.cp.async.shared.global
// CHECK:           nvvm.cp.async.commit.group
// CHECK:           scf.if
// CHECK-COUNT-4:     nvvm.cp.async.shared.global
// CHECK:           nvvm.cp.async.commit.group
// CHECK:           arith.addi %[[KCUR]]
// CHECK:           nvvm.ldmatrix {{.*}} layout = #nvvm.mma_layout<row>, num = 4
// CHECK:           nvvm.mma.sync {{.*}} multiplicandAPtxType = #nvvm.mma_type<bf16>
// Mask, then the online softmax: quad shuffles and exp2 on the SFU.
// CHECK:           arith.cmpi sle
// CHECK:           arith.select
// CHECK:           gpu.shuffle  xor {{.*}}, %c1_i32
// CHECK:           gpu.shuffle  xor {{.*}}, %c2_i32
// CHECK:           llvm.call_intrinsic "llvm.nvvm.ex2.approx.ftz.f"
// V_j has arrived (K_{j+1} may still be loading).
// CHECK:           nvvm.cp.async.wait.group 1
// CHECK-NEXT:      gpu.barrier
// P stays in registers: packed to bf16 pairs, V by ldmatrix.trans.
// CHECK:           arith.truncf {{.*}} : vector<2xf32> to vector<2xbf16>
// CHECK:           nvvm.ldmatrix {{.*}} layout = #nvvm.mma_layout<col>, num = 4
// CHECK:           nvvm.mma.sync
// CHECK:           scf.yield
// O / l stored as bf16, and ln(l) + m ln 2 by one lane of each quad.
// CHECK:         arith.truncf {{.*}} : f32 to bf16
// CHECK:         memref.store
// CHECK:         math.log
// CHECK:         memref.store {{.*}}, %[[LSE]]
// CHECK:         gpu.return
func.func @causal_gqa(%q: tensor<2x8x100x64xbf16>, %k: tensor<2x2x100x64xbf16>, %v: tensor<2x2x100x64xbf16>) -> (tensor<2x8x100x64xbf16>, tensor<2x8x100xf32>) {
  %o = tensor.empty() : tensor<2x8x100x64xbf16>
  %l = tensor.empty() : tensor<2x8x100xf32>
  %r:2 = sinter.attention ins(%q, %k, %v : tensor<2x8x100x64xbf16>, tensor<2x2x100x64xbf16>, tensor<2x2x100x64xbf16>)
      outs(%o, %l : tensor<2x8x100x64xbf16>, tensor<2x8x100xf32>) {mask = #sinter.mask<causal>} -> tensor<2x8x100x64xbf16>, tensor<2x8x100xf32>
  return %r#0, %r#1 : tensor<2x8x100x64xbf16>, tensor<2x8x100xf32>
}

// -----

// No mask and a key length that fills whole 64-key blocks: no mask
// arithmetic at all, the loop runs over every key block, grid in order.
// f16 operands are vector<2xf16>; D = 128 needs 8 Q fragments and keeps one
// K buffer: K_{j+1} is issued once S_j is done.
// CHECK-LABEL: func.func @unmasked_f16
// CHECK-SAME:    sinter.gpu.grid = array<i64: 2, 4, 1>
// CHECK-LABEL: gpu.func @unmasked_f16(
// CHECK-SAME:    workgroup(%{{.*}} : memref<64x136xf16, #gpu.address_space<workgroup>>, %{{.*}} : memref<64x136xf16, #gpu.address_space<workgroup>>)
// CHECK-NOT:     arith.subi %c{{.*}}, %{{.*}} : index
// CHECK-COUNT-8: nvvm.ldmatrix {{.*}} layout = #nvvm.mma_layout<row>, num = 4
// CHECK-NOT:     arith.minsi
// CHECK:         scf.for %{{.*}} = %c0{{.*}} to %c256{{.*}} step %c64
// CHECK:           nvvm.mma.sync {{.*}} : (vector<2xf16>, vector<2xf16>, f32)
// CHECK-NOT:       arith.cmpi s
// CHECK:           gpu.shuffle  xor
// CHECK:           nvvm.cp.async.wait.group 0
// CHECK-NEXT:      gpu.barrier
// CHECK:           scf.if
// CHECK:             nvvm.cp.async.shared.global
// CHECK:           scf.yield
// f32 output: no rounding before the store.
// CHECK-NOT:     arith.truncf {{.*}} : f32 to
// CHECK:         gpu.return
func.func @unmasked_f16(%q: tensor<1x4x77x128xf16>, %k: tensor<1x4x256x128xf16>, %v: tensor<1x4x256x128xf16>) -> tensor<1x4x77x128xf32> {
  %o = tensor.empty() : tensor<1x4x77x128xf32>
  %r = sinter.attention ins(%q, %k, %v : tensor<1x4x77x128xf16>, tensor<1x4x256x128xf16>, tensor<1x4x256x128xf16>)
      outs(%o : tensor<1x4x77x128xf32>) -> tensor<1x4x77x128xf32>
  return %r : tensor<1x4x77x128xf32>
}

// -----

// A sliding window starts the key loop at the 64-aligned block of the first
// visible key; token-major ([B, S, H, D]) outputs are stored as such.
// CHECK-LABEL: gpu.func @window_bshd(
// CHECK:         arith.maxsi
// CHECK:         arith.divui %{{.*}}, %c64
// CHECK:         %[[BEGIN:.*]] = arith.muli %{{.*}}, %c64
// CHECK:         scf.for %{{.*}} = %[[BEGIN]] to
// CHECK:           arith.cmpi slt
// CHECK:         memref.store %{{.*}}, %arg3[%{{.*}}, %[[ROW:.*]], %{{.*}}, %{{.*}}] : memref<1x70x4x64xbf16>
func.func @window_bshd(%q: tensor<1x70x4x64xbf16>, %k: tensor<1x200x1x64xbf16>, %v: tensor<1x200x1x64xbf16>) -> tensor<1x70x4x64xbf16> {
  %o = tensor.empty() : tensor<1x70x4x64xbf16>
  %r = sinter.attention ins(%q, %k, %v : tensor<1x70x4x64xbf16>, tensor<1x200x1x64xbf16>, tensor<1x200x1x64xbf16>)
      outs(%o : tensor<1x70x4x64xbf16>) {mask = #sinter.mask<sliding_window>, window = 50, query_offset = 130, layout = #sinter.layout<bshd>} -> tensor<1x70x4x64xbf16>
  return %r : tensor<1x70x4x64xbf16>
}
