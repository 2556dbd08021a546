// RUN: sinter-opt %s --split-input-file --sinter-plan-workspace | FileCheck %s

// A chain of kernels: %a dies at %c's call (its view's last reader), so %d
// takes its bytes; %b lives until the end and keeps its own; the returned
// value (through a view) is written into the output buffer (-1). Offsets
// are 256-byte aligned (%a is 4 x 100 bytes = 400 -> 512).

// CHECK-LABEL: func.func @chain(
// CHECK-SAME:      sinter.intermediate_bytes = 2048 : i64
// CHECK-SAME:      sinter.persistent_bytes = 0 : i64
// CHECK-SAME:      sinter.workspace_bytes = 1536 : i64
// CHECK:         call @k(%arg0) {sinter.result_offsets = array<i64: 0>}
// CHECK:         call @k(%{{.*}}) {sinter.result_offsets = array<i64: 512>}
// CHECK:         call @k(%{{.*}}) {sinter.result_offsets = array<i64: 1024>}
// CHECK:         call @k(%{{.*}}) {sinter.result_offsets = array<i64: 0>}
// CHECK:         call @k2(%{{.*}}, %{{.*}}) {sinter.result_offsets = array<i64: -1>}
func.func private @k(%x: tensor<4x25xf32>) -> tensor<4x25xf32> attributes {sinter.kernel = "generic"}
func.func private @k2(%x: tensor<4x25xf32>, %y: tensor<4x25xf32>) -> tensor<4x25xf32> attributes {sinter.kernel = "generic"}
func.func @chain(%x: tensor<4x25xf32>) -> tensor<100xf32> attributes {sinter.host} {
  %a = call @k(%x) : (tensor<4x25xf32>) -> tensor<4x25xf32>
  %b = call @k(%a) : (tensor<4x25xf32>) -> tensor<4x25xf32>
  %av = tensor.collapse_shape %a [[0, 1]] : tensor<4x25xf32> into tensor<100xf32>
  %ave = tensor.expand_shape %av [[0, 1]] output_shape [4, 25] : tensor<100xf32> into tensor<4x25xf32>
  %c = call @k(%ave) : (tensor<4x25xf32>) -> tensor<4x25xf32>
  %d = call @k(%c) : (tensor<4x25xf32>) -> tensor<4x25xf32>
  %e = call @k2(%d, %b) : (tensor<4x25xf32>, tensor<4x25xf32>) -> tensor<4x25xf32>
  %r = tensor.collapse_shape %e [[0, 1]] : tensor<4x25xf32> into tensor<100xf32>
  return %r : tensor<100xf32>
}

// -----

// Load-time results get a persistent area of their own, never reused; a
// kernel's result never shares bytes with its inputs.

// CHECK-LABEL: func.func @load_time(
// CHECK-SAME:      sinter.intermediate_bytes = 1536 : i64
// CHECK-SAME:      sinter.persistent_bytes = 1024 : i64
// CHECK-SAME:      sinter.workspace_bytes = 512 : i64
// CHECK:         call @w(%arg1) {sinter.load_time, sinter.result_offsets = array<i64: 0>}
// CHECK:         call @w(%arg1) {sinter.load_time, sinter.result_offsets = array<i64: 512>}
// CHECK:         call @k2(%arg0, %{{.*}}) {sinter.result_offsets = array<i64: 0>}
// CHECK:         call @k2(%{{.*}}, %{{.*}}) {sinter.result_offsets = array<i64: -1>}
func.func private @w(%x: tensor<4x25xf32>) -> tensor<4x25xf32> attributes {sinter.kernel = "generic"}
func.func private @k2(%x: tensor<4x25xf32>, %y: tensor<4x25xf32>) -> tensor<4x25xf32> attributes {sinter.kernel = "generic"}
func.func @load_time(%x: tensor<4x25xf32>, %wt: tensor<4x25xf32> {sinter.weight}) -> tensor<4x25xf32> attributes {sinter.host} {
  %w0 = call @w(%wt) {sinter.load_time} : (tensor<4x25xf32>) -> tensor<4x25xf32>
  %w1 = call @w(%wt) {sinter.load_time} : (tensor<4x25xf32>) -> tensor<4x25xf32>
  %h = call @k2(%x, %w0) : (tensor<4x25xf32>, tensor<4x25xf32>) -> tensor<4x25xf32>
  %y = call @k2(%h, %w1) : (tensor<4x25xf32>, tensor<4x25xf32>) -> tensor<4x25xf32>
  return %y : tensor<4x25xf32>
}

// -----

// Functions that are not host programs are left alone.
// CHECK-LABEL: func.func @plain(
// CHECK-NOT:     sinter.workspace_bytes
func.func @plain(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
