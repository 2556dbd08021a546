// RUN: sinter-opt %s --split-input-file --verify-diagnostics

#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @no_output(%a: memref<4x8xf32>) {
  // expected-error @+1 {{needs at least one output}}
  "npu.vgeneric"(%a) <{chunk_cols = 1 : i64, chunk_rows = 4 : i64, indexing_maps = [#id], inits = [], iterator_types = ["parallel", "parallel"], loop_ranges = array<i64: 4, 8>, operandSegmentSizes = array<i32: 1, 0>}> ({
  ^bb0(%i: index, %j: index, %x: f32):
    npu.yield
  }) : (memref<4x8xf32>) -> ()
  return
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @iterator(%a: memref<4x8xf32>, %b: memref<4x8xf32>) {
  // expected-error @+1 {{iterator types are "parallel" or "reduction", got "window"}}
  npu.vgeneric ins(%a : memref<4x8xf32>) outs(%b : memref<4x8xf32>) attributes {chunk_cols = 1 : i64, chunk_rows = 4 : i64, indexing_maps = [#id, #id], inits = [unit], iterator_types = ["parallel", "window"], loop_ranges = array<i64: 4, 8>} {
  ^bb0(%i: index, %j: index, %x: f32, %y: f32):
    npu.yield %x : f32
  }
  return
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
func.func @map_rank(%a: memref<4x8xf32>, %b: memref<4x8xf32>) {
  // expected-error @+1 {{indexing map 1 must take the 2 loop indices to the 2 indices of operand 1}}
  npu.vgeneric ins(%a : memref<4x8xf32>) outs(%b : memref<4x8xf32>) attributes {chunk_cols = 1 : i64, chunk_rows = 4 : i64, indexing_maps = [#id, #row], inits = [unit], iterator_types = ["parallel", "parallel"], loop_ranges = array<i64: 4, 8>} {
  ^bb0(%i: index, %j: index, %x: f32, %y: f32):
    npu.yield %x : f32
  }
  return
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @space(%a: memref<4x8xf32, #npu.space<ub>>, %b: memref<4x8xf32>) {
  // expected-error @+1 {{operand 0 must be in global memory}}
  npu.vgeneric ins(%a : memref<4x8xf32, #npu.space<ub>>) outs(%b : memref<4x8xf32>) attributes {chunk_cols = 1 : i64, chunk_rows = 4 : i64, indexing_maps = [#id, #id], inits = [unit], iterator_types = ["parallel", "parallel"], loop_ranges = array<i64: 4, 8>} {
  ^bb0(%i: index, %j: index, %x: f32, %y: f32):
    npu.yield %x : f32
  }
  return
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @init_type(%a: memref<4x8xf32>, %b: memref<4x8xf32>) {
  // expected-error @+1 {{init 0 must be a 'f32'}}
  npu.vgeneric ins(%a : memref<4x8xf32>) outs(%b : memref<4x8xf32>) attributes {chunk_cols = 1 : i64, chunk_rows = 4 : i64, indexing_maps = [#id, #id], inits = [0 : i32], iterator_types = ["parallel", "parallel"], loop_ranges = array<i64: 4, 8>} {
  ^bb0(%i: index, %j: index, %x: f32, %y: f32):
    npu.yield %x : f32
  }
  return
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @block_args(%a: memref<4x8xf32>, %b: memref<4x8xf32>) {
  // expected-error @+1 {{body must take the 2 loop indices and one element per operand}}
  npu.vgeneric ins(%a : memref<4x8xf32>) outs(%b : memref<4x8xf32>) attributes {chunk_cols = 1 : i64, chunk_rows = 4 : i64, indexing_maps = [#id, #id], inits = [unit], iterator_types = ["parallel", "parallel"], loop_ranges = array<i64: 4, 8>} {
  ^bb0(%x: f32, %y: f32):
    npu.yield %x : f32
  }
  return
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @yield_type(%a: memref<4x8xf32>, %b: memref<4x8xf16>) {
  // expected-error @+1 {{body must yield one element per output}}
  npu.vgeneric ins(%a : memref<4x8xf32>) outs(%b : memref<4x8xf16>) attributes {chunk_cols = 1 : i64, chunk_rows = 4 : i64, indexing_maps = [#id, #id], inits = [unit], iterator_types = ["parallel", "parallel"], loop_ranges = array<i64: 4, 8>} {
  ^bb0(%i: index, %j: index, %x: f32, %y: f16):
    npu.yield %x : f32
  }
  return
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @chunk(%a: memref<4x8xf32>, %b: memref<4x8xf32>) {
  // expected-error @+1 {{attribute 'chunk_rows' failed to satisfy constraint}}
  npu.vgeneric ins(%a : memref<4x8xf32>) outs(%b : memref<4x8xf32>) attributes {chunk_cols = 1 : i64, chunk_rows = 0 : i64, indexing_maps = [#id, #id], inits = [unit], iterator_types = ["parallel", "parallel"], loop_ranges = array<i64: 4, 8>} {
  ^bb0(%i: index, %j: index, %x: f32, %y: f32):
    npu.yield %x : f32
  }
  return
}
