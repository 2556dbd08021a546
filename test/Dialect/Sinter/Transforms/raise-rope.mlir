// RUN: sinter-opt %s --sinter-raise --split-input-file | FileCheck %s

#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#rot = affine_map<(d0, d1, d2) -> (d1, d2)>

// Rotate-half RoPE on slices of [H, S, D] with tables indexed by S.
// CHECK-LABEL: func @rope_slices
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x5x8xf32>
// CHECK: %[[R:.*]] = sinter.rope ins(%arg0, %arg1, %arg2 : tensor<2x5x8xf32>, tensor<5x4xf32>, tensor<5x4xf32>) outs(%[[E]] : tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
// CHECK-NEXT: return %[[R]]
func.func @rope_slices(%x: tensor<2x5x8xf32>, %cos: tensor<5x4xf32>, %sin: tensor<5x4xf32>) -> tensor<2x5x8xf32> {
  %x1 = tensor.extract_slice %x[0, 0, 0] [2, 5, 4] [1, 1, 1] : tensor<2x5x8xf32> to tensor<2x5x4xf32>
  %x2 = tensor.extract_slice %x[0, 0, 4] [2, 5, 4] [1, 1, 1] : tensor<2x5x8xf32> to tensor<2x5x4xf32>
  %e = tensor.empty() : tensor<2x5x4xf32>
  %y1, %y2 = linalg.generic {indexing_maps = [#id3, #id3, #rot, #rot, #id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x1, %x2, %cos, %sin : tensor<2x5x4xf32>, tensor<2x5x4xf32>, tensor<5x4xf32>, tensor<5x4xf32>)
      outs(%e, %e : tensor<2x5x4xf32>, tensor<2x5x4xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32, %s: f32, %o1: f32, %o2: f32):
    %ac = arith.mulf %a, %c : f32
    %bs = arith.mulf %b, %s : f32
    %bc = arith.mulf %b, %c : f32
    %as = arith.mulf %a, %s : f32
    %r1 = arith.subf %ac, %bs : f32
    %r2 = arith.addf %bc, %as : f32
    linalg.yield %r1, %r2 : f32, f32
  } -> (tensor<2x5x4xf32>, tensor<2x5x4xf32>)
  %ef = tensor.empty() : tensor<2x5x8xf32>
  %p = tensor.insert_slice %y1 into %ef[0, 0, 0] [2, 5, 4] [1, 1, 1] : tensor<2x5x4xf32> into tensor<2x5x8xf32>
  %y = tensor.insert_slice %y2 into %p[0, 0, 4] [2, 5, 4] [1, 1, 1] : tensor<2x5x4xf32> into tensor<2x5x8xf32>
  return %y : tensor<2x5x8xf32>
}

// -----

#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#rot = affine_map<(d0, d1, d2) -> (d1, d2)>

// Left alone: the second half uses the wrong sign (not a rotation).
// CHECK-LABEL: func @not_rope
// CHECK-NOT: sinter.rope
func.func @not_rope(%x: tensor<2x5x8xf32>, %cos: tensor<5x4xf32>, %sin: tensor<5x4xf32>) -> tensor<2x5x8xf32> {
  %x1 = tensor.extract_slice %x[0, 0, 0] [2, 5, 4] [1, 1, 1] : tensor<2x5x8xf32> to tensor<2x5x4xf32>
  %x2 = tensor.extract_slice %x[0, 0, 4] [2, 5, 4] [1, 1, 1] : tensor<2x5x8xf32> to tensor<2x5x4xf32>
  %e = tensor.empty() : tensor<2x5x4xf32>
  %y1, %y2 = linalg.generic {indexing_maps = [#id3, #id3, #rot, #rot, #id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x1, %x2, %cos, %sin : tensor<2x5x4xf32>, tensor<2x5x4xf32>, tensor<5x4xf32>, tensor<5x4xf32>)
      outs(%e, %e : tensor<2x5x4xf32>, tensor<2x5x4xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32, %s: f32, %o1: f32, %o2: f32):
    %ac = arith.mulf %a, %c : f32
    %bs = arith.mulf %b, %s : f32
    %bc = arith.mulf %b, %c : f32
    %as = arith.mulf %a, %s : f32
    %r1 = arith.subf %ac, %bs : f32
    %r2 = arith.subf %bc, %as : f32
    linalg.yield %r1, %r2 : f32, f32
  } -> (tensor<2x5x4xf32>, tensor<2x5x4xf32>)
  %ef = tensor.empty() : tensor<2x5x8xf32>
  %p = tensor.insert_slice %y1 into %ef[0, 0, 0] [2, 5, 4] [1, 1, 1] : tensor<2x5x4xf32> into tensor<2x5x8xf32>
  %y = tensor.insert_slice %y2 into %p[0, 0, 4] [2, 5, 4] [1, 1, 1] : tensor<2x5x4xf32> into tensor<2x5x8xf32>
  return %y : tensor<2x5x8xf32>
}

// -----

// A transpose feeding RoPE moves below it: RoPE runs on the token-major
// tensor with its sequence dim renamed.
// CHECK-LABEL: func @sink_transpose
// CHECK: %[[R:.*]] = sinter.rope ins(%arg0, %arg1, %arg2 : tensor<5x2x8xf32>, tensor<5x4xf32>, tensor<5x4xf32>) {{.*}} {seq_dim = 0 : i64}
// CHECK: linalg.transpose ins(%[[R]] : tensor<5x2x8xf32>) {{.*}} permutation = [1, 0, 2]
func.func @sink_transpose(%x: tensor<5x2x8xf32>, %cos: tensor<5x4xf32>, %sin: tensor<5x4xf32>) -> tensor<2x5x8xf32> {
  %e = tensor.empty() : tensor<2x5x8xf32>
  %t = linalg.transpose ins(%x : tensor<5x2x8xf32>) outs(%e : tensor<2x5x8xf32>) permutation = [1, 0, 2]
  %r = sinter.rope ins(%t, %cos, %sin : tensor<2x5x8xf32>, tensor<5x4xf32>, tensor<5x4xf32>) outs(%e : tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  return %r : tensor<2x5x8xf32>
}

// -----

#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#tab = affine_map<(d0, d1, d2) -> (d1, d2)>

// Rotate-half RoPE as torch exports it: x * cos + concat(-x2, x1) * sin
// with full-width constant tables cat(f, f): sinter.rope on the half
// tables.
// CHECK-LABEL: func @rope_full_tables
// CHECK-DAG: %[[C:.*]] = arith.constant dense<{{\[\[}}1.000000e+00, 5.000000e-01], [2.500000e-01, 1.250000e-01]]> : tensor<2x2xf32>
// CHECK-DAG: %[[S:.*]] = arith.constant dense<{{\[\[}}0.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK: %[[R:.*]] = sinter.rope ins(%arg0, %[[C]], %[[S]] : tensor<3x2x4xf32>, tensor<2x2xf32>, tensor<2x2xf32>)
// CHECK-NEXT: return %[[R]]
func.func @rope_full_tables(%x: tensor<3x2x4xf32>) -> tensor<3x2x4xf32> {
  %cos = arith.constant dense<[[1.0, 0.5, 1.0, 0.5], [0.25, 0.125, 0.25, 0.125]]> : tensor<2x4xf32>
  %sin = arith.constant dense<[[0.0, 2.0, 0.0, 2.0], [3.0, 4.0, 3.0, 4.0]]> : tensor<2x4xf32>
  %x1 = tensor.extract_slice %x[0, 0, 0] [3, 2, 2] [1, 1, 1] : tensor<3x2x4xf32> to tensor<3x2x2xf32>
  %x2 = tensor.extract_slice %x[0, 0, 2] [3, 2, 2] [1, 1, 1] : tensor<3x2x4xf32> to tensor<3x2x2xf32>
  %eh = tensor.empty() : tensor<3x2x2xf32>
  %n = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x2 : tensor<3x2x2xf32>) outs(%eh : tensor<3x2x2xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.negf %a : f32
    linalg.yield %m : f32
  } -> tensor<3x2x2xf32>
  %e = tensor.empty() : tensor<3x2x4xf32>
  %r0 = tensor.insert_slice %n into %e[0, 0, 0] [3, 2, 2] [1, 1, 1] : tensor<3x2x2xf32> into tensor<3x2x4xf32>
  %rot = tensor.insert_slice %x1 into %r0[0, 0, 2] [3, 2, 2] [1, 1, 1] : tensor<3x2x2xf32> into tensor<3x2x4xf32>
  %y = linalg.generic {indexing_maps = [#id3, #tab, #id3, #tab, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %cos, %rot, %sin : tensor<3x2x4xf32>, tensor<2x4xf32>, tensor<3x2x4xf32>, tensor<2x4xf32>) outs(%e : tensor<3x2x4xf32>) {
  ^bb0(%a: f32, %c: f32, %r: f32, %s: f32, %o: f32):
    %ac = arith.mulf %a, %c : f32
    %rs = arith.mulf %r, %s : f32
    %t = arith.addf %ac, %rs : f32
    linalg.yield %t : f32
  } -> tensor<3x2x4xf32>
  return %y : tensor<3x2x4xf32>
}

// -----

#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#tab = affine_map<(d0, d1, d2) -> (d1, d2)>

// Left alone: the table's halves differ (not cat(f, f)), so it is not a
// rotation by one angle per pair.
// CHECK-LABEL: func @rope_unequal_halves
// CHECK-NOT: sinter.rope
func.func @rope_unequal_halves(%x: tensor<3x2x4xf32>) -> tensor<3x2x4xf32> {
  %cos = arith.constant dense<[[1.0, 0.5, 1.0, 0.7], [0.25, 0.125, 0.25, 0.125]]> : tensor<2x4xf32>
  %sin = arith.constant dense<[[0.0, 2.0, 0.0, 2.0], [3.0, 4.0, 3.0, 4.0]]> : tensor<2x4xf32>
  %x1 = tensor.extract_slice %x[0, 0, 0] [3, 2, 2] [1, 1, 1] : tensor<3x2x4xf32> to tensor<3x2x2xf32>
  %x2 = tensor.extract_slice %x[0, 0, 2] [3, 2, 2] [1, 1, 1] : tensor<3x2x4xf32> to tensor<3x2x2xf32>
  %eh = tensor.empty() : tensor<3x2x2xf32>
  %n = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x2 : tensor<3x2x2xf32>) outs(%eh : tensor<3x2x2xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.negf %a : f32
    linalg.yield %m : f32
  } -> tensor<3x2x2xf32>
  %e = tensor.empty() : tensor<3x2x4xf32>
  %r0 = tensor.insert_slice %n into %e[0, 0, 0] [3, 2, 2] [1, 1, 1] : tensor<3x2x2xf32> into tensor<3x2x4xf32>
  %rot = tensor.insert_slice %x1 into %r0[0, 0, 2] [3, 2, 2] [1, 1, 1] : tensor<3x2x2xf32> into tensor<3x2x4xf32>
  %y = linalg.generic {indexing_maps = [#id3, #tab, #id3, #tab, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %cos, %rot, %sin : tensor<3x2x4xf32>, tensor<2x4xf32>, tensor<3x2x4xf32>, tensor<2x4xf32>) outs(%e : tensor<3x2x4xf32>) {
  ^bb0(%a: f32, %c: f32, %r: f32, %s: f32, %o: f32):
    %ac = arith.mulf %a, %c : f32
    %rs = arith.mulf %r, %s : f32
    %t = arith.addf %ac, %rs : f32
    linalg.yield %t : f32
  } -> tensor<3x2x4xf32>
  return %y : tensor<3x2x4xf32>
}
