// RUN: sinter-opt --sinter-attach-target=target=nvidia-h100 %s --convert-sinter-to-gpu=gemm-schedule=pingpong | FileCheck %s --check-prefix=PP
// RUN: sinter-opt --sinter-attach-target=target=nvidia-h100 %s --convert-sinter-to-gpu=gemm-schedule=cooperative | FileCheck %s --check-prefix=COOP
// RUN: not sinter-opt --sinter-attach-target=target=nvidia-h100 %s --convert-sinter-to-gpu=gemm-schedule=fast 2>&1 | FileCheck %s --check-prefix=BAD

// The ping-pong schedule: 64 x 256 tiles (5 x 2 here), each owned by one
// consumer warpgroup, stages of 8 + 32 KiB (4 x 40 KiB + staging = 197696
// bytes), emptied by one warpgroup's 4 warps; A boxes of 64 rows.
// Warpgroup cw walks the block's tiles cw, cw + 2, ...: before a tile's
// mainloop (but the first) it waits at named barrier 3 + cw, and after
// it, if the block has another tile, arrives at the other warpgroup's
// (4 - cw).
// PP-LABEL: func.func @plain
// PP-SAME:    sinter.gpu.grid = array<i64: 10, 1, 1>
// PP-SAME:    sinter.gpu.shared_bytes = 197696 : i64
// PP-SAME:    box_rows = 64 : i64, cols = 512 : i64, elem_bytes = 2 : i64, rows = 300
// PP-LABEL: gpu.func @plain(
// PP:         nvvm.mbarrier.init %{{.*}}, %c4_i32
// PP:         nvvm.mbarrier.arrive.expect_tx %{{.*}}, %c40960_i32
// PP:         nvvm.setmaxregister  increase 232
// PP:         scf.for
// PP:           arith.addi %{{.*}}, %c3
// PP:           arith.subi %c4, %{{.*}}
// PP:           scf.if
// PP:             nvvm.barrier id = %{{.*}} number_of_threads = %c256_i32
// PP:           scf.for
// PP-COUNT-4:     nvvm.wgmma.mma_async
// PP:           scf.if
// PP:             nvvm.barrier.arrive id = %{{.*}} number_of_threads = %c256_i32
// PP:           nvvm.wgmma.wait.group.sync.aligned 0
// COOP: sinter.gpu.shared_bytes = 230464 : i64
// BAD:  error: convert-sinter-to-gpu: unknown gemm-schedule 'fast' (expected auto, cooperative or pingpong)
func.func @plain(%a: tensor<300x512xbf16>, %b: tensor<264x512xbf16>) -> tensor<300x264xbf16> {
  %o = tensor.empty() : tensor<300x264xbf16>
  %y = sinter.gemm ins(%a, %b : tensor<300x512xbf16>, tensor<264x512xbf16>) outs(%o : tensor<300x264xbf16>) {acc_type = f32, transpose_b} -> tensor<300x264xbf16>
  return %y : tensor<300x264xbf16>
}
