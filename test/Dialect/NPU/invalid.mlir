// RUN: sinter-opt %s --split-input-file --verify-diagnostics

func.func @alloc_global() {
  // expected-error @+1 {{allocates scratchpad buffers only (l1, l0a, l0b, l0c, ub)}}
  %a = npu.alloc : memref<16x16xf16>
  return
}

// -----

func.func @alloc_offset() {
  // expected-error @+1 {{offset must be non-negative, got -8}}
  %a = npu.alloc {offset = -8} : memref<16x16xf16, #npu.space<ub>>
  return
}

// -----

func.func @foreign_space(%x: memref<16x16xf16, 3>, %y: memref<16x16xf16, #npu.space<ub>>) {
  // expected-error @+1 {{the source has memory space 3 : i64, not an #npu.space}}
  npu.dma %x, %y : memref<16x16xf16, 3>, memref<16x16xf16, #npu.space<ub>>
  return
}

// -----

func.func @no_path(%x: memref<16x16xf16>, %y: memref<16x16xf16, #npu.space<l0a>>) {
  // expected-error @+1 {{has no data path from global to l0a}}
  npu.dma %x, %y : memref<16x16xf16>, memref<16x16xf16, #npu.space<l0a>>
  return
}

// -----

func.func @dma_shape(%x: memref<16x32xf16>, %y: memref<32x16xf16, #npu.space<ub>>) {
  // expected-error @+1 {{copies a tile of one shape}}
  npu.dma %x, %y : memref<16x32xf16>, memref<32x16xf16, #npu.space<ub>>
  return
}

// -----

func.func @dma_pad_local(%x: memref<16x16xf16, #npu.space<l1>>, %y: memref<32x16xf16, #npu.space<l0a>>) {
  // expected-error @+1 {{only a global source may be smaller than its target, padded}}
  npu.dma %x, %y {source_layout = #npu.layout<nz>, target_layout = #npu.layout<nz>} : memref<16x16xf16, #npu.space<l1>>, memref<32x16xf16, #npu.space<l0a>>
  return
}

// -----

func.func @dma_crop_larger(%x: memref<16x16xf32, #npu.space<ub>>, %y: memref<32x16xf32>) {
  // expected-error @+1 {{copies a tile of one shape}}
  npu.dma %x, %y : memref<16x16xf32, #npu.space<ub>>, memref<32x16xf32>
  return
}

// -----

func.func @dma_layout(%x: memref<16x16xf16>, %y: memref<16x16xf16, #npu.space<ub>>) {
  // expected-error @+1 {{cannot turn the nd layout into nz on the global -> ub path}}
  npu.dma %x, %y {target_layout = #npu.layout<nz>} : memref<16x16xf16>, memref<16x16xf16, #npu.space<ub>>
  return
}

// -----

func.func @dma_fractal(%x: memref<20x16xf16>, %y: memref<20x16xf16, #npu.space<l1>>) {
  // expected-error @+1 {{the target is in the nz layout, so its shape must be a multiple of the 16 x 16 fractal}}
  npu.dma %x, %y {target_layout = #npu.layout<nz>} : memref<20x16xf16>, memref<20x16xf16, #npu.space<l1>>
  return
}

// -----

func.func @dma_convert(%x: memref<16x16xf16>, %y: memref<16x16xf32, #npu.space<ub>>) {
  // expected-error @+1 {{does not convert elements on the global -> ub path ('f16' -> 'f32')}}
  npu.dma %x, %y : memref<16x16xf16>, memref<16x16xf32, #npu.space<ub>>
  return
}

// -----

func.func @fixpipe_convert(%c: memref<16x16xi32, #npu.space<l0c>>, %y: memref<16x16xf16>) {
  // expected-error @+1 {{converts accumulators only from f32 to f32, f16 or bf16, or keeps i32; got 'i32' -> 'f16'}}
  npu.dma %c, %y {source_layout = #npu.layout<nz>} : memref<16x16xi32, #npu.space<l0c>>, memref<16x16xf16>
  return
}

// -----

func.func @mmad_space(%a: memref<16x16xf16, #npu.space<l0b>>, %b: memref<16x16xf16, #npu.space<l0b>>, %c: memref<16x16xf32, #npu.space<l0c>>) {
  // expected-error @+1 {{lhs must be in l0a, not l0b}}
  npu.mmad %a, %b, %c : memref<16x16xf16, #npu.space<l0b>>, memref<16x16xf16, #npu.space<l0b>>, memref<16x16xf32, #npu.space<l0c>>
  return
}

// -----

func.func @mmad_shape(%a: memref<16x32xf16, #npu.space<l0a>>, %b: memref<16x16xf16, #npu.space<l0b>>, %c: memref<16x16xf32, #npu.space<l0c>>) {
  // expected-error @+1 {{needs lhs [M, K], rhs [K, N] and acc [M, N]}}
  npu.mmad %a, %b, %c : memref<16x32xf16, #npu.space<l0a>>, memref<16x16xf16, #npu.space<l0b>>, memref<16x16xf32, #npu.space<l0c>>
  return
}

// -----

func.func @mmad_fractal(%a: memref<8x16xf16, #npu.space<l0a>>, %b: memref<16x16xf16, #npu.space<l0b>>, %c: memref<8x16xf32, #npu.space<l0c>>) {
  // expected-error @+1 {{lhs is in the nz layout, so its shape must be a multiple of the 16 x 16 fractal}}
  npu.mmad %a, %b, %c : memref<8x16xf16, #npu.space<l0a>>, memref<16x16xf16, #npu.space<l0b>>, memref<8x16xf32, #npu.space<l0c>>
  return
}

// -----

func.func @mmad_types(%a: memref<16x16xf16, #npu.space<l0a>>, %b: memref<16x16xf16, #npu.space<l0b>>, %c: memref<16x16xf16, #npu.space<l0c>>) {
  // expected-error @+1 {{multiplies f16 x f16 -> f32, bf16 x bf16 -> f32 or i8 x i8 -> i32; got 'f16' x 'f16' -> 'f16'}}
  npu.mmad %a, %b, %c : memref<16x16xf16, #npu.space<l0a>>, memref<16x16xf16, #npu.space<l0b>>, memref<16x16xf16, #npu.space<l0c>>
  return
}

// -----

func.func @vbinary_space(%x: memref<16x16xf32, #npu.space<l1>>, %y: memref<16x16xf32, #npu.space<ub>>) {
  // expected-error @+1 {{lhs must be in ub, not l1}}
  npu.vbinary add %x, %y, %y : memref<16x16xf32, #npu.space<l1>>, memref<16x16xf32, #npu.space<ub>>, memref<16x16xf32, #npu.space<ub>>
  return
}

// -----

func.func @vbinary_broadcast(%x: memref<16x32xf32, #npu.space<ub>>, %r: memref<2x32xf32, #npu.space<ub>>) {
  // expected-error @+1 {{rhs must have the output's shape, be a row [1, 32] or a column [16, 1]}}
  npu.vbinary mul %x, %r, %x : memref<16x32xf32, #npu.space<ub>>, memref<2x32xf32, #npu.space<ub>>, memref<16x32xf32, #npu.space<ub>>
  return
}

// -----

func.func @vbinary_int(%x: memref<16x16xi32, #npu.space<ub>>) {
  // expected-error @+1 {{works on one element type, f16, bf16 or f32}}
  npu.vbinary add %x, %x, %x : memref<16x16xi32, #npu.space<ub>>, memref<16x16xi32, #npu.space<ub>>, memref<16x16xi32, #npu.space<ub>>
  return
}

// -----

func.func @vunary_types(%x: memref<16x16xf32, #npu.space<ub>>, %y: memref<16x16xf16, #npu.space<ub>>) {
  // expected-error @+1 {{in and out must have one shape and element type}}
  npu.vunary exp %x, %y : memref<16x16xf32, #npu.space<ub>>, memref<16x16xf16, #npu.space<ub>>
  return
}

// -----

func.func @vcast_int(%x: memref<16x16xf32, #npu.space<ub>>, %y: memref<16x16xi8, #npu.space<ub>>) {
  // expected-error @+1 {{converts between f32, f16 and bf16}}
  npu.vcast %x, %y : memref<16x16xf32, #npu.space<ub>>, memref<16x16xi8, #npu.space<ub>>
  return
}

// -----

func.func @vreduce_shape(%x: memref<16x32xf32, #npu.space<ub>>, %y: memref<16x2xf32, #npu.space<ub>>) {
  // expected-error @+1 {{reduces rows: out must be [16, 1]}}
  npu.vreduce sum %x, %y : memref<16x32xf32, #npu.space<ub>>, memref<16x2xf32, #npu.space<ub>>
  return
}

// -----

func.func @dequant_type(%q: memref<32x16xi16, #npu.space<ub>>, %s: memref<1x16xf16, #npu.space<ub>>, %w: memref<32x16xf16, #npu.space<ub>>) {
  // expected-error @+1 {{dequantizes i8 or i4, got 'i16'}}
  npu.vdequant %q, %s, %w : memref<32x16xi16, #npu.space<ub>>, memref<1x16xf16, #npu.space<ub>>, memref<32x16xf16, #npu.space<ub>>
  return
}

// -----

func.func @dequant_groups(%q: memref<300x16xi4, #npu.space<ub>>, %s: memref<2x16xf16, #npu.space<ub>>, %w: memref<300x16xf16, #npu.space<ub>>) {
  // expected-error @+1 {{scales must be [3, 16]}}
  npu.vdequant %q, %s, %w {group_size = 128} : memref<300x16xi4, #npu.space<ub>>, memref<2x16xf16, #npu.space<ub>>, memref<300x16xf16, #npu.space<ub>>
  return
}

// -----

func.func @dequant_group_size(%q: memref<32x16xi4, #npu.space<ub>>, %s: memref<1x16xf16, #npu.space<ub>>, %w: memref<32x16xf16, #npu.space<ub>>) {
  // expected-error @+1 {{group_size must be positive, got 0}}
  npu.vdequant %q, %s, %w {group_size = 0} : memref<32x16xi4, #npu.space<ub>>, memref<1x16xf16, #npu.space<ub>>, memref<32x16xf16, #npu.space<ub>>
  return
}

// -----

func.func @dequant_zero_points(%q: memref<32x16xi8, #npu.space<ub>>, %s: memref<1x16xf16, #npu.space<ub>>, %z: memref<1x16xbf16, #npu.space<ub>>, %w: memref<32x16xf16, #npu.space<ub>>) {
  // expected-error @+1 {{zero points must have the scales' type}}
  npu.vdequant %q, %s zero_point(%z : memref<1x16xbf16, #npu.space<ub>>), %w : memref<32x16xi8, #npu.space<ub>>, memref<1x16xf16, #npu.space<ub>>, memref<32x16xf16, #npu.space<ub>>
  return
}

// -----

func.func @same_pipe() {
  // expected-error @+1 {{orders two different pipes}}
  npu.set_flag v -> v, 0
  return
}

// -----

func.func @event_id() {
  // expected-error @+1 {{event ids are 0 to 7 per pipe pair, got 9}}
  npu.wait_flag mte2 -> m, 9
  return
}

// -----

func.func @bad_pipe() {
  // expected-error @+1 {{unknown pipe 'cube' (mte2, mte1, m, fix, v, mte3)}}
  npu.wait_flag mte2 -> cube, 0
  return
}

// -----

func.func @transpose_shape(%k: memref<128x64xf16, #npu.space<l1>>, %kt: memref<128x64xf16, #npu.space<l0b>>) {
  // expected-error @+1 {{transposes a tile: the target must be the source's transpose}}
  npu.dma %k, %kt {source_layout = #npu.layout<nz>, target_layout = #npu.layout<nz>, transpose} : memref<128x64xf16, #npu.space<l1>>, memref<128x64xf16, #npu.space<l0b>>
  return
}

// -----

func.func @transpose_path(%k: memref<128x64xf16>, %kt: memref<64x128xf16, #npu.space<l1>>) {
  // expected-error @+1 {{transposes only on the l1 -> l0b path}}
  npu.dma %k, %kt {transpose} : memref<128x64xf16>, memref<64x128xf16, #npu.space<l1>>
  return
}

// -----

func.func @vscalar_types(%a: memref<16x16xf32, #npu.space<ub>>, %b: memref<16x16xf16, #npu.space<ub>>) {
  // expected-error @+1 {{in and out must have one shape and element type}}
  npu.vscalar add %a, %b {scalar = 1.0 : f32} : memref<16x16xf32, #npu.space<ub>>, memref<16x16xf16, #npu.space<ub>>
  return
}

// -----

func.func @vmask_space(%a: memref<16x16xf32, #npu.space<l1>>, %d: index) {
  // expected-error @+1 {{tile must be in ub, not l1}}
  npu.vmask %a, %d : memref<16x16xf32, #npu.space<l1>>
  return
}

// -----

func.func @vfill_int(%a: memref<16x16xi8, #npu.space<ub>>) {
  // expected-error @+1 {{works on f16, bf16 or f32}}
  npu.vfill %a {value = 0.0 : f32} : memref<16x16xi8, #npu.space<ub>>
  return
}

// -----

func.func @vmask_window(%a: memref<16x16xf32, #npu.space<ub>>, %d: index) {
  // expected-error @+1 {{window must be positive, got 0}}
  npu.vmask %a, %d {window = 0} : memref<16x16xf32, #npu.space<ub>>
  return
}

// -----

func.func @read_index_local(%t: memref<1x16xi32, #npu.space<ub>>, %i: index) -> index {
  // expected-error @+1 {{the tile must be in global, not ub}}
  %v = npu.read_index %t[%i, %i] : memref<1x16xi32, #npu.space<ub>>
  return %v : index
}

// -----

func.func @read_index_float(%t: memref<1x16xf16>, %i: index) -> index {
  // expected-error @+1 {{reads i8, i32 or i64 elements, got 'f16'}}
  %v = npu.read_index %t[%i, %i] : memref<1x16xf16>
  return %v : index
}

// -----

func.func @same_buffer_local(%a: memref<16x16xf16>, %b: memref<16x16xf16, #npu.space<ub>>) -> i1 {
  // expected-error @+1 {{rhs must be in global, not ub}}
  %s = npu.same_buffer %a, %b : memref<16x16xf16>, memref<16x16xf16, #npu.space<ub>>
  return %s : i1
}

// -----

func.func @dma_dynamic_local(%a: memref<?x16xf16, #npu.space<ub>>, %b: memref<16x16xf16>) {
  // expected-error @+1 {{takes a dynamically sized source only in global memory}}
  npu.dma %a, %b : memref<?x16xf16, #npu.space<ub>>, memref<16x16xf16>
  return
}
