// The planner reads the scratchpad capacities from the target description.
// RUN: sinter-opt %s --npu-plan-scratchpads=target=npu-910 | FileCheck %s
// RUN: not sinter-opt %s --npu-plan-scratchpads=target=nvidia-h100 2>&1 | FileCheck %s --check-prefix=GPU
// RUN: not sinter-opt %s --npu-plan-scratchpads=target=npu-9000 2>&1 | FileCheck %s --check-prefix=UNKNOWN

// CHECK: npu.alloc {offset = 0 : i64} : memref<16x16xf32, #npu.space<ub>>
// GPU: error: 'npu.alloc' op target 'nvidia-h100' has no 'ub' memory level
// UNKNOWN: error: {{.*}}npu-9000
func.func @f() {
  %a = npu.alloc : memref<16x16xf32, #npu.space<ub>>
  return
}
