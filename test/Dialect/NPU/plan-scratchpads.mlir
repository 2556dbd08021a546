// RUN: sinter-opt --sinter-attach-target=target=npu-910 %s --split-input-file --npu-plan-scratchpads | FileCheck %s

// Buffers live at the same time get disjoint offsets (32-byte aligned);
// one whose lifetime starts after another's ended reuses its bytes; each
// space is planned on its own.
// CHECK-LABEL: func.func @lifetimes
// CHECK:         %[[A:.*]] = npu.alloc {offset = 0 : i64} : memref<64x256xf16, #npu.space<l0a>>
// CHECK:         %[[B:.*]] = npu.alloc {offset = 32768 : i64} : memref<16x16xf16, #npu.space<l0a>>
// CHECK:         npu.alloc {offset = 0 : i64} : memref<256x128xf16, #npu.space<l0b>>
// CHECK:         npu.alloc {offset = 0 : i64} : memref<64x128xf32, #npu.space<l0c>>
// The odd-sized ub buffer (3 x 5 f32 = 60 bytes) rounds the next up to 64.
// CHECK:         npu.alloc {offset = 0 : i64} : memref<3x5xf32, #npu.space<ub>>
// CHECK:         npu.alloc {offset = 64 : i64} : memref<64x128xf32, #npu.space<ub>>
// %A and %B are dead here: the next l0a buffer starts at 0 again.
// CHECK:         npu.alloc {offset = 0 : i64} : memref<64x256xf16, #npu.space<l0a>>
func.func @lifetimes(%out: memref<64x128xf32>, %s1: memref<16x16xf16, #npu.space<l1>>) {
  %a = npu.alloc : memref<64x256xf16, #npu.space<l0a>>
  %b16 = npu.alloc : memref<16x16xf16, #npu.space<l0a>>
  %b = npu.alloc : memref<256x128xf16, #npu.space<l0b>>
  %c = npu.alloc : memref<64x128xf32, #npu.space<l0c>>
  %odd = npu.alloc : memref<3x5xf32, #npu.space<ub>>
  %u = npu.alloc : memref<64x128xf32, #npu.space<ub>>
  npu.vunary exp %odd, %odd : memref<3x5xf32, #npu.space<ub>>, memref<3x5xf32, #npu.space<ub>>
  npu.mmad %a, %b, %c : memref<64x256xf16, #npu.space<l0a>>, memref<256x128xf16, #npu.space<l0b>>, memref<64x128xf32, #npu.space<l0c>>
  npu.dma %s1, %b16 {source_layout = #npu.layout<nz>, target_layout = #npu.layout<nz>} : memref<16x16xf16, #npu.space<l1>>, memref<16x16xf16, #npu.space<l0a>>
  npu.dma %c, %u {source_layout = #npu.layout<nz>} : memref<64x128xf32, #npu.space<l0c>>, memref<64x128xf32, #npu.space<ub>>
  npu.dma %u, %out : memref<64x128xf32, #npu.space<ub>>, memref<64x128xf32>
  %a2 = npu.alloc : memref<64x256xf16, #npu.space<l0a>>
  npu.vunary exp %u, %u : memref<64x128xf32, #npu.space<ub>>, memref<64x128xf32, #npu.space<ub>>
  return
}

// -----

// A buffer used inside a loop lives through the whole loop; offsets pinned
// by hand are kept, and the others placed around them.
// CHECK-LABEL: func.func @loop_and_pinned
// CHECK:         npu.alloc {offset = 0 : i64} : memref<64x64xf32, #npu.space<ub>>
// CHECK:         npu.alloc {offset = 16384 : i64} : memref<64x64xf32, #npu.space<ub>>
// CHECK:         npu.alloc {offset = 65536 : i64} : memref<64x64xf32, #npu.space<ub>>
// %u died with the loop, so %w takes its bytes.
// CHECK:         npu.alloc {offset = 16384 : i64} : memref<64x64xf32, #npu.space<ub>>
func.func @loop_and_pinned(%x: memref<64x64xf32>) {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  %c1 = arith.constant 1 : index
  %t = npu.alloc : memref<64x64xf32, #npu.space<ub>>
  %u = npu.alloc : memref<64x64xf32, #npu.space<ub>>
  %pinned = npu.alloc {offset = 65536} : memref<64x64xf32, #npu.space<ub>>
  scf.for %i = %c0 to %c4 step %c1 {
    npu.dma %x, %t : memref<64x64xf32>, memref<64x64xf32, #npu.space<ub>>
    npu.vunary exp %t, %u : memref<64x64xf32, #npu.space<ub>>, memref<64x64xf32, #npu.space<ub>>
  }
  %w = npu.alloc : memref<64x64xf32, #npu.space<ub>>
  npu.vbinary add %t, %pinned, %w : memref<64x64xf32, #npu.space<ub>>, memref<64x64xf32, #npu.space<ub>>, memref<64x64xf32, #npu.space<ub>>
  return
}
