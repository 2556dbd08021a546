// RUN: sinter-opt %s --split-input-file --sinter-copies-to-linalg | FileCheck %s --check-prefix=COPY
// RUN: sinter-opt %s --split-input-file --sinter-approximate-math | FileCheck %s --check-prefix=MATH
// RUN: sinter-opt %s --split-input-file --sinter-mark-c-exports | FileCheck %s --check-prefix=MARK
// RUN: sinter-opt %s --split-input-file --sinter-mark-c-exports --finalize-memref-to-llvm --convert-func-to-llvm --reconcile-unrealized-casts --sinter-export-c-interface | FileCheck %s --check-prefix=EXPORT

// COPY-LABEL: @copy
// COPY:         linalg.copy ins(%arg0 : memref<4x?xf32, strided<[?, 1], offset: ?>>) outs(%arg1 : memref<4x8xf32>)
// COPY-NOT:     memref.copy
// Private functions are not exported.
// MARK-LABEL: @copy
// MARK-NOT:     sinter.c_arg_types
func.func private @copy(%a: memref<4x?xf32, strided<[?, 1], offset: ?>>, %b: memref<4x8xf32>) {
  memref.copy %a, %b : memref<4x?xf32, strided<[?, 1], offset: ?>> to memref<4x8xf32>
  return
}

// -----

// MATH-LABEL: @tanh
// MATH-NOT:     math.tanh
// MATH:         arith.divf {{.*}} : vector<16xf32>
func.func private @tanh(%x: vector<16xf32>) -> vector<16xf32> {
  %t = math.tanh %x : vector<16xf32>
  return %t : vector<16xf32>
}

// -----

// A public function on static buffers: its C signature is recorded, the
// written argument marked; on the LLVM dialect it gets a bare-pointer entry
// point that calls the descriptor-based implementation.
// MARK-LABEL: func.func @scale
// MARK-SAME:    sinter.c_arg_types = [memref<4x8xf32>, memref<4x8xf32>]
// MARK-SAME:    sinter.c_arg_written = array<i1: false, true>
// EXPORT:       llvm.func internal @scale.sinter_impl(
// EXPORT:       llvm.func @scale(%[[A:.*]]: !llvm.ptr, %[[B:.*]]: !llvm.ptr)
// EXPORT-SAME:    sinter.c_arg_written = array<i1: false, true>
// EXPORT:         llvm.call @scale.sinter_impl(%[[A]], %[[A]], %{{.*}}, %[[B]], %[[B]]
func.func @scale(%a: memref<4x8xf32>, %b: memref<4x8xf32>) {
  %c0 = arith.constant 0 : index
  %v = memref.load %a[%c0, %c0] : memref<4x8xf32>
  memref.store %v, %b[%c0, %c0] : memref<4x8xf32>
  return
}
