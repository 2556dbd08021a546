// RUN: sinter-opt %s | sinter-opt | FileCheck %s
// RUN: sinter-opt %s --mlir-print-op-generic | sinter-opt | FileCheck %s

// A W4A16 GEMM tile as the NPU runs it: int4 weights and activations come
// in by DMA, the vector unit dequantizes the weights, the cube multiplies,
// the accumulator leaves through the fixpipe with a bias added on the
// vector unit; flags order the pipes.
// CHECK-LABEL: func.func @w4a16_tile
func.func @w4a16_tile(%x: memref<64x256xf16>, %wq: memref<256x128xi4>, %s: memref<2x128xf16>,
                      %bias: memref<1x128xf32>, %y: memref<64x128xf16>) {
  // CHECK: %[[C:.*]] = npu.core_id
  // CHECK: npu.num_cores
  %core = npu.core_id
  %cores = npu.num_cores
  // CHECK: npu.alloc {offset = 0 : i64} : memref<256x128xi4, #npu.space<ub>>
  %qub = npu.alloc {offset = 0} : memref<256x128xi4, #npu.space<ub>>
  %sub = npu.alloc : memref<2x128xf16, #npu.space<ub>>
  %wub = npu.alloc : memref<256x128xf16, #npu.space<ub>>
  %xl1 = npu.alloc : memref<64x256xf16, #npu.space<l1>>
  %wl1 = npu.alloc : memref<256x128xf16, #npu.space<l1>>
  %a = npu.alloc : memref<64x256xf16, #npu.space<l0a>>
  %b = npu.alloc : memref<256x128xf16, #npu.space<l0b>>
  %c = npu.alloc : memref<64x128xf32, #npu.space<l0c>>
  %cub = npu.alloc : memref<64x128xf32, #npu.space<ub>>
  %bub = npu.alloc : memref<1x128xf32, #npu.space<ub>>
  %yub = npu.alloc : memref<64x128xf16, #npu.space<ub>>
  // CHECK: npu.dma %{{.*}}, %{{.*}} : memref<256x128xi4>, memref<256x128xi4, #npu.space<ub>>
  npu.dma %wq, %qub : memref<256x128xi4>, memref<256x128xi4, #npu.space<ub>>
  npu.dma %s, %sub : memref<2x128xf16>, memref<2x128xf16, #npu.space<ub>>
  // CHECK: npu.set_flag mte2 -> v, 0
  npu.set_flag mte2 -> v, 0
  // CHECK: npu.wait_flag mte2 -> v, 0
  npu.wait_flag mte2 -> v, 0
  // CHECK: npu.vdequant %{{.*}}, %{{.*}}, %{{.*}} {group_size = 128 : i64}
  npu.vdequant %qub, %sub, %wub {group_size = 128} : memref<256x128xi4, #npu.space<ub>>, memref<2x128xf16, #npu.space<ub>>, memref<256x128xf16, #npu.space<ub>>
  npu.set_flag v -> mte3, 1
  npu.wait_flag v -> mte3, 1
  // CHECK: npu.dma %{{.*}}, %{{.*}} {target_layout = #npu.layout<nz>}
  npu.dma %wub, %wl1 {target_layout = #npu.layout<nz>} : memref<256x128xf16, #npu.space<ub>>, memref<256x128xf16, #npu.space<l1>>
  npu.dma %x, %xl1 {target_layout = #npu.layout<nz>} : memref<64x256xf16>, memref<64x256xf16, #npu.space<l1>>
  // CHECK: npu.dma %{{.*}}, %{{.*}} {source_layout = #npu.layout<nz>, target_layout = #npu.layout<nz>} : memref<64x256xf16, #npu.space<l1>>, memref<64x256xf16, #npu.space<l0a>>
  npu.dma %xl1, %a {source_layout = #npu.layout<nz>, target_layout = #npu.layout<nz>} : memref<64x256xf16, #npu.space<l1>>, memref<64x256xf16, #npu.space<l0a>>
  npu.dma %wl1, %b {source_layout = #npu.layout<nz>, target_layout = #npu.layout<nz>} : memref<256x128xf16, #npu.space<l1>>, memref<256x128xf16, #npu.space<l0b>>
  npu.set_flag mte1 -> m, 0
  npu.wait_flag mte1 -> m, 0
  // CHECK: npu.mmad %{{.*}}, %{{.*}}, %{{.*}} : memref<64x256xf16, #npu.space<l0a>>, memref<256x128xf16, #npu.space<l0b>>, memref<64x128xf32, #npu.space<l0c>>
  npu.mmad %a, %b, %c : memref<64x256xf16, #npu.space<l0a>>, memref<256x128xf16, #npu.space<l0b>>, memref<64x128xf32, #npu.space<l0c>>
  // CHECK: npu.mmad {{.*}} {accumulate}
  npu.mmad %a, %b, %c {accumulate} : memref<64x256xf16, #npu.space<l0a>>, memref<256x128xf16, #npu.space<l0b>>, memref<64x128xf32, #npu.space<l0c>>
  npu.set_flag m -> fix, 0
  npu.wait_flag m -> fix, 0
  npu.dma %c, %cub {source_layout = #npu.layout<nz>} : memref<64x128xf32, #npu.space<l0c>>, memref<64x128xf32, #npu.space<ub>>
  npu.dma %bias, %bub : memref<1x128xf32>, memref<1x128xf32, #npu.space<ub>>
  // CHECK: npu.vbinary add %{{.*}}, %{{.*}}, %{{.*}} : memref<64x128xf32, #npu.space<ub>>, memref<1x128xf32, #npu.space<ub>>
  npu.vbinary add %cub, %bub, %cub : memref<64x128xf32, #npu.space<ub>>, memref<1x128xf32, #npu.space<ub>>, memref<64x128xf32, #npu.space<ub>>
  // CHECK: npu.vunary relu
  npu.vunary relu %cub, %cub : memref<64x128xf32, #npu.space<ub>>, memref<64x128xf32, #npu.space<ub>>
  // CHECK: npu.vcast
  npu.vcast %cub, %yub : memref<64x128xf32, #npu.space<ub>>, memref<64x128xf16, #npu.space<ub>>
  npu.dma %yub, %y : memref<64x128xf16, #npu.space<ub>>, memref<64x128xf16>
  return
}

// The softmax statistics of an attention tile, and an int8 dequantize with
// zero points and per-column scales.
// CHECK-LABEL: func.func @rows
func.func @rows(%s: memref<64x128xf32, #npu.space<ub>>, %m: memref<64x1xf32, #npu.space<ub>>,
                %q: memref<32x64xi8, #npu.space<ub>>, %sc: memref<1x64xbf16, #npu.space<ub>>,
                %z: memref<1x64xbf16, #npu.space<ub>>, %w: memref<32x64xbf16, #npu.space<ub>>) {
  // CHECK: npu.vreduce max
  npu.vreduce max %s, %m : memref<64x128xf32, #npu.space<ub>>, memref<64x1xf32, #npu.space<ub>>
  // CHECK: npu.vbinary sub {{.*}} memref<64x1xf32, #npu.space<ub>>
  npu.vbinary sub %s, %m, %s : memref<64x128xf32, #npu.space<ub>>, memref<64x1xf32, #npu.space<ub>>, memref<64x128xf32, #npu.space<ub>>
  npu.vunary exp %s, %s : memref<64x128xf32, #npu.space<ub>>, memref<64x128xf32, #npu.space<ub>>
  npu.vreduce sum %s, %m : memref<64x128xf32, #npu.space<ub>>, memref<64x1xf32, #npu.space<ub>>
  // CHECK: npu.vdequant %{{.*}}, %{{.*}} zero_point(%{{.*}} : memref<1x64xbf16, #npu.space<ub>>), %{{.*}} :
  npu.vdequant %q, %sc zero_point(%z : memref<1x64xbf16, #npu.space<ub>>), %w : memref<32x64xi8, #npu.space<ub>>, memref<1x64xbf16, #npu.space<ub>>, memref<32x64xbf16, #npu.space<ub>>
  return
}

// Attention pieces: K copied transposed into L0B, a scalar multiply and
// the causal mask with a dynamic diagonal.
// CHECK-LABEL: func.func @attention_pieces
func.func @attention_pieces(%k: memref<128x64xf16, #npu.space<l1>>, %kt: memref<64x128xf16, #npu.space<l0b>>,
                            %s: memref<128x128xf32, #npu.space<ub>>, %d: index) {
  // CHECK: npu.dma %{{.*}}, %{{.*}} {source_layout = #npu.layout<nz>, target_layout = #npu.layout<nz>, transpose}
  npu.dma %k, %kt {source_layout = #npu.layout<nz>, target_layout = #npu.layout<nz>, transpose} : memref<128x64xf16, #npu.space<l1>>, memref<64x128xf16, #npu.space<l0b>>
  // CHECK: npu.vscalar mul %{{.*}}, %{{.*}} {scalar = 1.250000e-01 : f32}
  npu.vscalar mul %s, %s {scalar = 0.125 : f32} : memref<128x128xf32, #npu.space<ub>>, memref<128x128xf32, #npu.space<ub>>
  // CHECK: npu.vmask %{{.*}}, %{{.*}} : memref<128x128xf32, #npu.space<ub>>
  npu.vmask %s, %d : memref<128x128xf32, #npu.space<ub>>
  // CHECK: npu.vmask %{{.*}}, %{{.*}} columns %{{.*}} {window = 64 : i64} : memref<128x128xf32, #npu.space<ub>>
  npu.vmask %s, %d columns %d {window = 64} : memref<128x128xf32, #npu.space<ub>>
  return
}

// Ragged edges: a smaller (dynamic) global source pads its target, a
// smaller global target crops its source.
// CHECK-LABEL: func.func @ragged_copies
func.func @ragged_copies(%a: memref<100x40xf16>, %t: memref<128x48xf16, #npu.space<l1>>,
                         %u: memref<128x48xf32, #npu.space<ub>>, %o: memref<100x40xf32>, %r: index) {
  %e = memref.subview %a[0, 0] [%r, 40] [1, 1] : memref<100x40xf16> to memref<?x40xf16, strided<[40, 1]>>
  // CHECK: npu.dma %{{.*}}, %{{.*}} {target_layout = #npu.layout<nz>} : memref<?x40xf16, strided<[40, 1]>>, memref<128x48xf16, #npu.space<l1>>
  npu.dma %e, %t {target_layout = #npu.layout<nz>} : memref<?x40xf16, strided<[40, 1]>>, memref<128x48xf16, #npu.space<l1>>
  // CHECK: npu.dma %{{.*}}, %{{.*}} : memref<128x48xf32, #npu.space<ub>>, memref<100x40xf32>
  npu.dma %u, %o : memref<128x48xf32, #npu.space<ub>>, memref<100x40xf32>
  return
}

// CHECK-LABEL: func.func @fill
func.func @fill(%m: memref<128x1xf32, #npu.space<ub>>) {
  // CHECK: npu.vfill %{{.*}} {value = 0xFF800000 : f32}
  npu.vfill %m {value = 0xFF800000 : f32} : memref<128x1xf32, #npu.space<ub>>
  return
}

// The scalar unit's reads and the in-place test of the KV-cache programs.
// CHECK-LABEL: func.func @scalar
func.func @scalar(%slots: memref<1x8xi32>, %a: memref<64x32xf16>, %b: memref<64x32xf16>, %t: index) -> (index, i1) {
  %c0 = arith.constant 0 : index
  // CHECK: npu.read_index %{{.*}}[%{{.*}}, %{{.*}}] : memref<1x8xi32>
  %s = npu.read_index %slots[%c0, %t] : memref<1x8xi32>
  // CHECK: npu.same_buffer %{{.*}}, %{{.*}} : memref<64x32xf16>, memref<64x32xf16>
  %same = npu.same_buffer %a, %b : memref<64x32xf16>, memref<64x32xf16>
  return %s, %same : index, i1
}

// A row sum of x * y with a broadcast y: the vector programs of leftover
// tensor ops.
// CHECK-LABEL: func.func @vgeneric
// CHECK: npu.vgeneric ins(%{{.*}}, %{{.*}} : memref<4x8xf32>, memref<8xf32>) outs(%{{.*}} : memref<4xf32>) attributes {chunk_cols = 8 : i64, chunk_rows = 4 : i64
// CHECK-SAME: inits = [0.000000e+00 : f32], iterator_types = ["parallel", "reduction"], loop_ranges = array<i64: 4, 8>}
// CHECK: ^bb0(%{{.*}}: index, %{{.*}}: index, %[[X:.*]]: f32, %[[Y:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK: npu.yield %{{.*}} : f32
func.func @vgeneric(%x: memref<4x8xf32>, %y: memref<8xf32>, %s: memref<4xf32>) {
  npu.vgeneric ins(%x, %y : memref<4x8xf32>, memref<8xf32>) outs(%s : memref<4xf32>) attributes {
      chunk_cols = 8 : i64, chunk_rows = 4 : i64,
      indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0)>],
      inits = [0.0 : f32], iterator_types = ["parallel", "reduction"], loop_ranges = array<i64: 4, 8>} {
  ^bb0(%i: index, %j: index, %a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %r = arith.addf %acc, %p : f32
    npu.yield %r : f32
  }
  return
}
