// RUN: sinter-opt %s --split-input-file --sinter-mark-c-exports -verify-diagnostics

// expected-error @below {{cannot export 'dyn': argument 0 has type 'memref<?xf32>'; the C interface needs static shapes}}
func.func @dyn(%a: memref<?xf32>) {
  return
}

// -----

// expected-error @below {{cannot export 'ret': a result is not a buffer of static shape the caller can provide}}
func.func @ret(%a: memref<4xf32>) -> memref<4xf32> {
  return %a : memref<4xf32>
}

// -----

func.func @fp8(%a: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %v = memref.load %a[%c0] : memref<4xf32>
  // expected-error @below {{computes in 'f8E4M3FN', which the CPU backend does not support yet}}
  %t = arith.truncf %v : f32 to f8E4M3FN
  return
}
