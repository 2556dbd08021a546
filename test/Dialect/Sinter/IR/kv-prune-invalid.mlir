// RUN: sinter-opt %s -split-input-file -verify-diagnostics

func.func @keep(%x: tensor<4x16xf16>, %v: tensor<4x17xf16>, %b: tensor<4x2xi8>) {
  // expected-error @+1 {{the number of kept elements (17) must be static and in [1, 16]}}
  %r:2 = sinter.kv.prune ins(%x : tensor<4x16xf16>) outs(%v, %b : tensor<4x17xf16>, tensor<4x2xi8>) -> tensor<4x17xf16>, tensor<4x2xi8>
  return
}

// -----

func.func @bitmap(%x: tensor<4x17xf16>, %v: tensor<4x4xf16>, %b: tensor<4x2xi8>) {
  // expected-error @+1 {{bitmap has shape [4, 2] but expected [4, 3] (dimension 1 differs)}}
  %r:2 = sinter.kv.prune ins(%x : tensor<4x17xf16>) outs(%v, %b : tensor<4x4xf16>, tensor<4x2xi8>) -> tensor<4x4xf16>, tensor<4x2xi8>
  return
}

// -----

func.func @bitmap_type(%x: tensor<4x16xf16>, %v: tensor<4x4xf16>, %b: tensor<4x2xi16>) {
  // expected-error @+1 {{bitmap must be i8, got 'i16'}}
  %r:2 = sinter.kv.prune ins(%x : tensor<4x16xf16>) outs(%v, %b : tensor<4x4xf16>, tensor<4x2xi16>) -> tensor<4x4xf16>, tensor<4x2xi16>
  return
}

// -----

func.func @dynamic(%x: tensor<4x?xf16>, %v: tensor<4x4xf16>, %b: tensor<4x2xi8>) {
  // expected-error @+1 {{the pruned (last) dimension must be static}}
  %r:2 = sinter.kv.prune ins(%x : tensor<4x?xf16>) outs(%v, %b : tensor<4x4xf16>, tensor<4x2xi8>) -> tensor<4x4xf16>, tensor<4x2xi8>
  return
}

// -----

func.func @values_type(%x: tensor<4x16xf16>, %v: tensor<4x4xf32>, %b: tensor<4x2xi8>) {
  // expected-error @+1 {{values must have the dense tensor's element type}}
  %r:2 = sinter.kv.prune ins(%x : tensor<4x16xf16>) outs(%v, %b : tensor<4x4xf32>, tensor<4x2xi8>) -> tensor<4x4xf32>, tensor<4x2xi8>
  return
}

// -----

func.func @densify_rows(%v: tensor<4x4xf16>, %b: tensor<5x2xi8>, %y: tensor<4x16xf16>) {
  // expected-error @+1 {{bitmap has shape [5, 2] but expected [4, 2] (dimension 0 differs)}}
  %r = sinter.kv.densify ins(%v, %b : tensor<4x4xf16>, tensor<5x2xi8>) outs(%y : tensor<4x16xf16>) -> tensor<4x16xf16>
  return
}
