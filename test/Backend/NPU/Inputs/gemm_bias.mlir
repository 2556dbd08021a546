// y = a x b + bias on one NPU core, K in 4 blocks of 128: each block comes
// in by DMA (MTE2) into L1 in the cube's NZ format, moves to L0A/L0B
// (MTE1) and is multiplied into the L0C accumulator (M); the fixpipe
// brings the accumulator to UB, the vector unit adds the bias, MTE3 stores.
// Flags order every hand-over, both ways (a buffer is refilled only once
// its reader is done with it).
func.func @gemm_bias(%a: memref<64x512xf16>, %b: memref<512x128xf16>, %bias: memref<1x128xf32>, %y: memref<64x128xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c128 = arith.constant 128 : index
  %aL1 = npu.alloc : memref<64x128xf16, #npu.space<l1>>
  %bL1 = npu.alloc : memref<128x128xf16, #npu.space<l1>>
  %aL0 = npu.alloc : memref<64x128xf16, #npu.space<l0a>>
  %bL0 = npu.alloc : memref<128x128xf16, #npu.space<l0b>>
  %acc = npu.alloc : memref<64x128xf32, #npu.space<l0c>>
  %cub = npu.alloc : memref<64x128xf32, #npu.space<ub>>
  %bub = npu.alloc : memref<1x128xf32, #npu.space<ub>>
  npu.dma %bias, %bub : memref<1x128xf32>, memref<1x128xf32, #npu.space<ub>>
  // The consumers' "free" flags start set: the first fill waits for nothing.
  npu.set_flag mte1 -> mte2, 0
  npu.set_flag m -> mte1, 0
  // The first k block sets the accumulator, the others add to it.
  %f0 = arith.muli %c0, %c128 : index
  %fa = memref.subview %a[0, %f0] [64, 128] [1, 1] : memref<64x512xf16> to memref<64x128xf16, strided<[512, 1], offset: ?>>
  %fb = memref.subview %b[%f0, 0] [128, 128] [1, 1] : memref<512x128xf16> to memref<128x128xf16, strided<[128, 1], offset: ?>>
  npu.wait_flag mte1 -> mte2, 0
  npu.dma %fa, %aL1 {target_layout = #npu.layout<nz>} : memref<64x128xf16, strided<[512, 1], offset: ?>>, memref<64x128xf16, #npu.space<l1>>
  npu.dma %fb, %bL1 {target_layout = #npu.layout<nz>} : memref<128x128xf16, strided<[128, 1], offset: ?>>, memref<128x128xf16, #npu.space<l1>>
  npu.set_flag mte2 -> mte1, 0
  npu.wait_flag mte2 -> mte1, 0
  npu.wait_flag m -> mte1, 0
  npu.dma %aL1, %aL0 {source_layout = #npu.layout<nz>, target_layout = #npu.layout<nz>} : memref<64x128xf16, #npu.space<l1>>, memref<64x128xf16, #npu.space<l0a>>
  npu.dma %bL1, %bL0 {source_layout = #npu.layout<nz>, target_layout = #npu.layout<nz>} : memref<128x128xf16, #npu.space<l1>>, memref<128x128xf16, #npu.space<l0b>>
  npu.set_flag mte1 -> mte2, 0
  npu.set_flag mte1 -> m, 0
  npu.wait_flag mte1 -> m, 0
  npu.mmad %aL0, %bL0, %acc : memref<64x128xf16, #npu.space<l0a>>, memref<128x128xf16, #npu.space<l0b>>, memref<64x128xf32, #npu.space<l0c>>
  npu.set_flag m -> mte1, 0
  scf.for %kb = %c1 to %c4 step %c1 {
    %k0 = arith.muli %kb, %c128 : index
    %as = memref.subview %a[0, %k0] [64, 128] [1, 1] : memref<64x512xf16> to memref<64x128xf16, strided<[512, 1], offset: ?>>
    %bs = memref.subview %b[%k0, 0] [128, 128] [1, 1] : memref<512x128xf16> to memref<128x128xf16, strided<[128, 1], offset: ?>>
    npu.wait_flag mte1 -> mte2, 0
    npu.dma %as, %aL1 {target_layout = #npu.layout<nz>} : memref<64x128xf16, strided<[512, 1], offset: ?>>, memref<64x128xf16, #npu.space<l1>>
    npu.dma %bs, %bL1 {target_layout = #npu.layout<nz>} : memref<128x128xf16, strided<[128, 1], offset: ?>>, memref<128x128xf16, #npu.space<l1>>
    npu.set_flag mte2 -> mte1, 0
    npu.wait_flag mte2 -> mte1, 0
    npu.wait_flag m -> mte1, 0
    npu.dma %aL1, %aL0 {source_layout = #npu.layout<nz>, target_layout = #npu.layout<nz>} : memref<64x128xf16, #npu.space<l1>>, memref<64x128xf16, #npu.space<l0a>>
    npu.dma %bL1, %bL0 {source_layout = #npu.layout<nz>, target_layout = #npu.layout<nz>} : memref<128x128xf16, #npu.space<l1>>, memref<128x128xf16, #npu.space<l0b>>
    npu.set_flag mte1 -> mte2, 0
    npu.set_flag mte1 -> m, 0
    npu.wait_flag mte1 -> m, 0
    npu.mmad %aL0, %bL0, %acc {accumulate} : memref<64x128xf16, #npu.space<l0a>>, memref<128x128xf16, #npu.space<l0b>>, memref<64x128xf32, #npu.space<l0c>>
    npu.set_flag m -> mte1, 0
  }
  npu.wait_flag mte1 -> mte2, 0
  npu.wait_flag m -> mte1, 0
  npu.set_flag m -> fix, 0
  npu.wait_flag m -> fix, 0
  npu.dma %acc, %cub {source_layout = #npu.layout<nz>} : memref<64x128xf32, #npu.space<l0c>>, memref<64x128xf32, #npu.space<ub>>
  npu.set_flag fix -> v, 0
  npu.wait_flag fix -> v, 0
  npu.vbinary add %cub, %bub, %cub : memref<64x128xf32, #npu.space<ub>>, memref<1x128xf32, #npu.space<ub>>, memref<64x128xf32, #npu.space<ub>>
  npu.set_flag v -> mte3, 0
  npu.wait_flag v -> mte3, 0
  npu.dma %cub, %y : memref<64x128xf32, #npu.space<ub>>, memref<64x128xf32>
  return
}
