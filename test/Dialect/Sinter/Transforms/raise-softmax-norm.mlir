// RUN: sinter-opt %s --sinter-raise --split-input-file | FileCheck %s

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
#col = affine_map<(d0, d1) -> (d1)>

// Max-subtracted softmax with linalg.reduce.
// CHECK-LABEL: func @softmax_max_subtracted
// CHECK: %[[R:.*]] = sinter.softmax ins(%arg0 : tensor<4x8xf32>) outs(%{{.*}} : tensor<4x8xf32>) {dim = 1 : i64}
// CHECK-NEXT: return %[[R]]
func.func @softmax_max_subtracted(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %ninf = arith.constant 0xFF800000 : f32
  %zero = arith.constant 0.0 : f32
  %er = tensor.empty() : tensor<4xf32>
  %mi = linalg.fill ins(%ninf : f32) outs(%er : tensor<4xf32>) -> tensor<4xf32>
  %mx = linalg.reduce ins(%x : tensor<4x8xf32>) outs(%mi : tensor<4xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %m = arith.maximumf %in, %acc : f32
      linalg.yield %m : f32
    }
  %e = tensor.empty() : tensor<4x8xf32>
  %p = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %mx : tensor<4x8xf32>, tensor<4xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%v: f32, %m: f32, %o: f32):
    %d = arith.subf %v, %m : f32
    %ex = math.exp %d : f32
    linalg.yield %ex : f32
  } -> tensor<4x8xf32>
  %zr = linalg.fill ins(%zero : f32) outs(%er : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.reduce ins(%p : tensor<4x8xf32>) outs(%zr : tensor<4xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %a = arith.addf %in, %acc : f32
      linalg.yield %a : f32
    }
  %y = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%p, %sum : tensor<4x8xf32>, tensor<4xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%v: f32, %s: f32, %o: f32):
    %d = arith.divf %v, %s : f32
    linalg.yield %d : f32
  } -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>

// Plain softmax along dim 0, reductions as generics, division spelled as a
// multiplication by the reciprocal.
// CHECK-LABEL: func @softmax_plain_dim0
// CHECK: sinter.softmax ins(%arg0 : tensor<4x8xf32>) {{.*}} {dim = 0 : i64}
func.func @softmax_plain_dim0(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x8xf32>
  %p = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%v: f32, %o: f32):
    %ex = math.exp %v : f32
    linalg.yield %ex : f32
  } -> tensor<4x8xf32>
  %ec = tensor.empty() : tensor<8xf32>
  %zc = linalg.fill ins(%zero : f32) outs(%ec : tensor<8xf32>) -> tensor<8xf32>
  %sum = linalg.generic {indexing_maps = [#id, #col], iterator_types = ["reduction", "parallel"]}
      ins(%p : tensor<4x8xf32>) outs(%zc : tensor<8xf32>) {
  ^bb0(%v: f32, %a: f32):
    %s = arith.addf %a, %v : f32
    linalg.yield %s : f32
  } -> tensor<8xf32>
  %y = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%p, %sum : tensor<4x8xf32>, tensor<8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%v: f32, %s: f32, %o: f32):
    %one = arith.constant 1.0 : f32
    %r = arith.divf %one, %s : f32
    %d = arith.mulf %r, %v : f32
    linalg.yield %d : f32
  } -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>

// Left alone: the exponentials are also returned (a second user), and a
// "softmax" whose sum is taken over a different tensor.
// CHECK-LABEL: func @softmax_left_alone
// CHECK-NOT: sinter.softmax
func.func @softmax_left_alone(%x: tensor<4x8xf32>, %z: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x8xf32>
  %p = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%v: f32, %o: f32):
    %ex = math.exp %v : f32
    linalg.yield %ex : f32
  } -> tensor<4x8xf32>
  %er = tensor.empty() : tensor<4xf32>
  %zr = linalg.fill ins(%zero : f32) outs(%er : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.reduce ins(%p : tensor<4x8xf32>) outs(%zr : tensor<4xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %a = arith.addf %in, %acc : f32
      linalg.yield %a : f32
    }
  %sumz = linalg.reduce ins(%z : tensor<4x8xf32>) outs(%zr : tensor<4xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %a = arith.addf %in, %acc : f32
      linalg.yield %a : f32
    }
  %y = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%p, %sum : tensor<4x8xf32>, tensor<4xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%v: f32, %s: f32, %o: f32):
    %d = arith.divf %v, %s : f32
    linalg.yield %d : f32
  } -> tensor<4x8xf32>
  %w = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%p, %sumz : tensor<4x8xf32>, tensor<4xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%v: f32, %s: f32, %o: f32):
    %d = arith.divf %v, %s : f32
    linalg.yield %d : f32
  } -> tensor<4x8xf32>
  return %y, %p, %w : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
#col = affine_map<(d0, d1) -> (d1)>

// RMSNorm as x * rsqrt(sum(x^2)/N + eps) * g, and as x / sqrt(mean) with
// the mean taken inside the reduction and no gamma (gamma becomes ones).
// (An epsilon of 1e-6 is the op's default and is not printed.)
// CHECK-LABEL: func @rms_norms
// CHECK: %[[ONES:.*]] = arith.constant dense<1.000000e+00> : tensor<16xbf16>
// CHECK: sinter.rms_norm ins(%arg0, %arg1 : tensor<3x16xbf16>, tensor<16xbf16>) outs(%{{.*}} : tensor<3x16xbf16>) -> tensor<3x16xbf16>
// CHECK: sinter.rms_norm ins(%arg0, %[[ONES]] : tensor<3x16xbf16>, tensor<16xbf16>) {{.*}} {epsilon = 9.99999974E-6 : f32}
func.func @rms_norms(%x: tensor<3x16xbf16>, %g: tensor<16xbf16>) -> (tensor<3x16xbf16>, tensor<3x16xbf16>) {
  %zero = arith.constant 0.0 : f32
  %er = tensor.empty() : tensor<3xf32>
  %zr = linalg.fill ins(%zero : f32) outs(%er : tensor<3xf32>) -> tensor<3xf32>
  %ss = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<3x16xbf16>) outs(%zr : tensor<3xf32>) {
  ^bb0(%v: bf16, %a: f32):
    %w = arith.extf %v : bf16 to f32
    %sq = arith.mulf %w, %w : f32
    %s = arith.addf %a, %sq : f32
    linalg.yield %s : f32
  } -> tensor<3xf32>
  %e = tensor.empty() : tensor<3x16xbf16>
  %y = linalg.generic {indexing_maps = [#id, #row, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %ss, %g : tensor<3x16xbf16>, tensor<3xf32>, tensor<16xbf16>) outs(%e : tensor<3x16xbf16>) {
  ^bb0(%v: bf16, %s: f32, %gv: bf16, %o: bf16):
    %n = arith.constant 16.0 : f32
    %eps = arith.constant 1.0e-06 : f32
    %mean = arith.divf %s, %n : f32
    %d = arith.addf %mean, %eps : f32
    %r = math.rsqrt %d : f32
    %w = arith.extf %v : bf16 to f32
    %gw = arith.extf %gv : bf16 to f32
    %t = arith.mulf %w, %r : f32
    %u = arith.mulf %t, %gw : f32
    %out = arith.truncf %u : f32 to bf16
    linalg.yield %out : bf16
  } -> tensor<3x16xbf16>
  %zr2 = linalg.fill ins(%zero : f32) outs(%er : tensor<3xf32>) -> tensor<3xf32>
  %ms = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<3x16xbf16>) outs(%zr2 : tensor<3xf32>) {
  ^bb0(%v: bf16, %a: f32):
    %w = arith.extf %v : bf16 to f32
    %sq = arith.mulf %w, %w : f32
    %inv = arith.constant 0.0625 : f32
    %q = arith.mulf %sq, %inv : f32
    %s = arith.addf %a, %q : f32
    linalg.yield %s : f32
  } -> tensor<3xf32>
  %y2 = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %ms : tensor<3x16xbf16>, tensor<3xf32>) outs(%e : tensor<3x16xbf16>) {
  ^bb0(%v: bf16, %m: f32, %o: bf16):
    %eps = arith.constant 1.0e-05 : f32
    %d = arith.addf %m, %eps : f32
    %r = math.sqrt %d : f32
    %w = arith.extf %v : bf16 to f32
    %t = arith.divf %w, %r : f32
    %out = arith.truncf %t : f32 to bf16
    linalg.yield %out : bf16
  } -> tensor<3x16xbf16>
  return %y, %y2 : tensor<3x16xbf16>, tensor<3x16xbf16>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>

// Left alone: a LayerNorm-like body (x - mean) is not RMSNorm.
// CHECK-LABEL: func @not_rms
// CHECK-NOT: sinter.rms_norm
func.func @not_rms(%x: tensor<3x16xf32>) -> tensor<3x16xf32> {
  %zero = arith.constant 0.0 : f32
  %er = tensor.empty() : tensor<3xf32>
  %zr = linalg.fill ins(%zero : f32) outs(%er : tensor<3xf32>) -> tensor<3xf32>
  %ss = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<3x16xf32>) outs(%zr : tensor<3xf32>) {
  ^bb0(%v: f32, %a: f32):
    %sq = arith.mulf %v, %v : f32
    %s = arith.addf %a, %sq : f32
    linalg.yield %s : f32
  } -> tensor<3xf32>
  %e = tensor.empty() : tensor<3x16xf32>
  %y = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %ss : tensor<3x16xf32>, tensor<3xf32>) outs(%e : tensor<3x16xf32>) {
  ^bb0(%v: f32, %s: f32, %o: f32):
    %one = arith.constant 1.0 : f32
    %t = arith.subf %v, %one : f32
    %r = math.rsqrt %s : f32
    %u = arith.mulf %t, %r : f32
    linalg.yield %u : f32
  } -> tensor<3x16xf32>
  return %y : tensor<3x16xf32>
}

// -----

// Hugging Face's RMSNorm as torch exports it: the weight read first, the
// inverse root as 1 / sqrt, mean as sum / n; in bf16 the statistics come
// from an f32 copy of x (a widening generic), and the norm takes the bf16 x.
// CHECK-LABEL: func @hf_rms_norm_f32
// CHECK: sinter.rms_norm ins(%arg0, %arg1 : tensor<2x5x64xf32>, tensor<64xf32>) outs(%{{.*}} : tensor<2x5x64xf32>) -> tensor<2x5x64xf32>
// CHECK-NOT: linalg.generic
// CHECK-LABEL: func @hf_rms_norm_bf16
// CHECK: sinter.rms_norm ins(%arg0, %arg1 : tensor<2x5x64xbf16>, tensor<64xbf16>) outs(%{{.*}} : tensor<2x5x64xbf16>)
// CHECK-NOT: linalg.generic
#x3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1)>
#w3 = affine_map<(d0, d1, d2) -> (d2)>
func.func @hf_rms_norm_f32(%x: tensor<2x5x64xf32>, %w: tensor<64xf32>) -> tensor<2x5x64xf32> {
  %eps = arith.constant 9.99999997E-7 : f32
  %n = arith.constant 6.400000e+01 : f32
  %one = arith.constant 1.000000e+00 : f32
  %zero = arith.constant 0.000000e+00 : f32
  %e0 = tensor.empty() : tensor<2x5xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e0 : tensor<2x5xf32>) -> tensor<2x5xf32>
  %ss = linalg.generic {indexing_maps = [#x3, #row3], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x : tensor<2x5x64xf32>) outs(%f : tensor<2x5xf32>) {
  ^bb0(%in: f32, %out: f32):
    %sq = arith.mulf %in, %in : f32
    %s = arith.addf %out, %sq : f32
    linalg.yield %s : f32
  } -> tensor<2x5xf32>
  %e = tensor.empty() : tensor<2x5x64xf32>
  %y = linalg.generic {indexing_maps = [#w3, #x3, #row3, #x3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%w, %x, %ss : tensor<64xf32>, tensor<2x5x64xf32>, tensor<2x5xf32>) outs(%e : tensor<2x5x64xf32>) {
  ^bb0(%g: f32, %v: f32, %s: f32, %out: f32):
    %m = arith.divf %s, %n : f32
    %a = arith.addf %m, %eps : f32
    %r = math.sqrt %a : f32
    %i = arith.divf %one, %r : f32
    %h = arith.mulf %v, %i : f32
    %o = arith.mulf %g, %h : f32
    linalg.yield %o : f32
  } -> tensor<2x5x64xf32>
  return %y : tensor<2x5x64xf32>
}
func.func @hf_rms_norm_bf16(%x: tensor<2x5x64xbf16>, %w: tensor<64xbf16>) -> tensor<2x5x64xbf16> {
  %eps = arith.constant 9.99999997E-7 : f32
  %n = arith.constant 6.400000e+01 : f32
  %one = arith.constant 1.000000e+00 : f32
  %zero = arith.constant 0.000000e+00 : f32
  %e0 = tensor.empty() : tensor<2x5xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e0 : tensor<2x5xf32>) -> tensor<2x5xf32>
  %ew = tensor.empty() : tensor<2x5x64xf32>
  %xf = linalg.generic {indexing_maps = [#x3, #x3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x : tensor<2x5x64xbf16>) outs(%ew : tensor<2x5x64xf32>) {
  ^bb0(%in: bf16, %out: f32):
    %w32 = arith.extf %in : bf16 to f32
    linalg.yield %w32 : f32
  } -> tensor<2x5x64xf32>
  %ss = linalg.generic {indexing_maps = [#x3, #row3], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%xf : tensor<2x5x64xf32>) outs(%f : tensor<2x5xf32>) {
  ^bb0(%in: f32, %out: f32):
    %sq = arith.mulf %in, %in : f32
    %s = arith.addf %out, %sq : f32
    linalg.yield %s : f32
  } -> tensor<2x5xf32>
  %e = tensor.empty() : tensor<2x5x64xbf16>
  %y = linalg.generic {indexing_maps = [#w3, #x3, #row3, #x3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%w, %xf, %ss : tensor<64xbf16>, tensor<2x5x64xf32>, tensor<2x5xf32>) outs(%e : tensor<2x5x64xbf16>) {
  ^bb0(%g: bf16, %v: f32, %s: f32, %out: bf16):
    %m = arith.divf %s, %n : f32
    %a = arith.addf %m, %eps : f32
    %r = math.sqrt %a : f32
    %i = arith.divf %one, %r : f32
    %h = arith.mulf %v, %i : f32
    %t = arith.truncf %h : f32 to bf16
    %o = arith.mulf %g, %t : bf16
    linalg.yield %o : bf16
  } -> tensor<2x5x64xbf16>
  return %y : tensor<2x5x64xbf16>
}

// -----

// Left alone: the normalized value is not the one the statistics reduce.
// CHECK-LABEL: func @rms_of_another
// CHECK-NOT: sinter.rms_norm
func.func @rms_of_another(%x: tensor<2x64xf32>, %z: tensor<2x64xf32>, %w: tensor<64xf32>) -> tensor<2x64xf32> {
  %n = arith.constant 6.400000e+01 : f32
  %one = arith.constant 1.000000e+00 : f32
  %zero = arith.constant 0.000000e+00 : f32
  %e0 = tensor.empty() : tensor<2xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e0 : tensor<2xf32>) -> tensor<2xf32>
  %ss = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<2x64xf32>) outs(%f : tensor<2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %sq = arith.mulf %in, %in : f32
    %s = arith.addf %out, %sq : f32
    linalg.yield %s : f32
  } -> tensor<2xf32>
  %e = tensor.empty() : tensor<2x64xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%w, %z, %ss : tensor<64xf32>, tensor<2x64xf32>, tensor<2xf32>) outs(%e : tensor<2x64xf32>) {
  ^bb0(%g: f32, %v: f32, %s: f32, %out: f32):
    %m = arith.divf %s, %n : f32
    %r = math.sqrt %m : f32
    %i = arith.divf %one, %r : f32
    %h = arith.mulf %v, %i : f32
    %o = arith.mulf %g, %h : f32
    linalg.yield %o : f32
  } -> tensor<2x64xf32>
  return %y : tensor<2x64xf32>
}
