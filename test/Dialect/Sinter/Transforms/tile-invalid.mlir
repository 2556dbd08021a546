// RUN: sinter-opt --sinter-attach-target=target=nvidia-h100 %s --split-input-file --sinter-tile -verify-diagnostics
// RUN: not sinter-opt %s --split-input-file --sinter-tile 2>&1 | FileCheck %s --check-prefix=NOTARGET
// RUN: not sinter-opt --sinter-attach-target=target=tpu %s --split-input-file --sinter-tile 2>&1 | FileCheck %s --check-prefix=UNKNOWN

// NOTARGET: error: sinter-tile needs the module's target description: attach one with --sinter-attach-target=target=NAME
// UNKNOWN: error: unknown target 'tpu'

func.func @too_big(%a: tensor<2048x2048xbf16>, %b: tensor<2048x2048xbf16>, %c: tensor<2048x2048xbf16>) -> tensor<2048x2048xbf16> {
  // expected-error @below {{pinned tile 1024x1024x256 does not fit the 233472 bytes of 'smem'}}
  %0 = sinter.gemm ins(%a, %b : tensor<2048x2048xbf16>, tensor<2048x2048xbf16>) outs(%c : tensor<2048x2048xbf16>) {acc_type = f32, sinter.tile_sizes = array<i64: 1024, 1024, 256>} -> tensor<2048x2048xbf16>
  return %0 : tensor<2048x2048xbf16>
}

// -----

func.func @arity(%a: tensor<64x64xbf16>, %b: tensor<64x64xbf16>, %c: tensor<64x64xbf16>) -> tensor<64x64xbf16> {
  // expected-error @below {{sinter.tile_sizes must be [tile_m, tile_n, tile_k]}}
  %0 = sinter.gemm ins(%a, %b : tensor<64x64xbf16>, tensor<64x64xbf16>) outs(%c : tensor<64x64xbf16>) {acc_type = f32, sinter.tile_sizes = array<i64: 64, 64>} -> tensor<64x64xbf16>
  return %0 : tensor<64x64xbf16>
}

// -----

func.func @too_many_splits(%q: tensor<1x1x1x16xf32>, %k: tensor<1x1x16x16xf32>, %v: tensor<1x1x16x16xf32>, %o: tensor<1x1x1x16xf32>) -> tensor<1x1x1x16xf32> {
  // expected-error @below {{pinned blocks 1x8 with 4 split(s) do not fit the 233472 bytes of 'smem' or split fewer key blocks than there are splits}}
  %0 = sinter.attention ins(%q, %k, %v : tensor<1x1x1x16xf32>, tensor<1x1x16x16xf32>, tensor<1x1x16x16xf32>) outs(%o : tensor<1x1x1x16xf32>) {sinter.tile_sizes = array<i64: 1, 8, 4>} -> tensor<1x1x1x16xf32>
  return %0 : tensor<1x1x1x16xf32>
}
