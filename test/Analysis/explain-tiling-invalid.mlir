// RUN: sinter-opt --sinter-attach-target=target=x86-avx2 %s --split-input-file --sinter-explain-tiling -o /dev/null -verify-diagnostics
// RUN: not sinter-opt --sinter-attach-target=target=tpu %s --sinter-explain-tiling -o /dev/null 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// UNKNOWN: error: unknown target 'tpu'

func.func @too_big(%a: tensor<2048x2048xf32>, %b: tensor<2048x2048xf32>, %c: tensor<2048x2048xf32>) -> tensor<2048x2048xf32> {
  // expected-error @below {{pinned tile 1024x1024x256 does not fit the 1048576 bytes of 'l2'}}
  %0 = sinter.gemm ins(%a, %b : tensor<2048x2048xf32>, tensor<2048x2048xf32>) outs(%c : tensor<2048x2048xf32>) {acc_type = f32, sinter.tile_sizes = array<i64: 1024, 1024, 256>} -> tensor<2048x2048xf32>
  return %0 : tensor<2048x2048xf32>
}

// -----

func.func @arity(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>, %o: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32> {
  // expected-error @below {{sinter.tile_sizes must be [block_q, block_kv, kv_splits]}}
  %0 = sinter.attention ins(%q, %k, %v : tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) outs(%o : tensor<1x2x8x16xf32>) {sinter.tile_sizes = array<i64: 4, 4>} -> tensor<1x2x8x16xf32>
  return %0 : tensor<1x2x8x16xf32>
}
