// RUN: sinter-opt %s --sinter-decompose --canonicalize --one-shot-bufferize=bufferize-function-boundaries | FileCheck %s

// Destination-passing style lets one-shot bufferization update the cache in
// place: only the appended rows are copied, the cache is never cloned.
// CHECK-LABEL: func @append
// CHECK-SAME: %[[CACHE:arg2]]: memref<8x4x2x16xf16
// CHECK-NOT: memref.alloc
// CHECK: scf.for
// CHECK: memref.subview %{{.*}}[%{{.*}}, %{{.*}}, 0, 0] [1, 1, 2, 16]
// CHECK: memref.copy
// CHECK-NOT: memref.alloc
// CHECK: return
func.func @append(%k: tensor<3x2x16xf16>, %s: tensor<3xi32>, %c: tensor<8x4x2x16xf16>) -> tensor<8x4x2x16xf16> {
  %r = sinter.kv.append ins(%k, %s : tensor<3x2x16xf16>, tensor<3xi32>) outs(%c : tensor<8x4x2x16xf16>) -> tensor<8x4x2x16xf16>
  return %r : tensor<8x4x2x16xf16>
}
