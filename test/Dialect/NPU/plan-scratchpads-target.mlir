// The planner reads the scratchpad capacities from the target description.
// RUN: sinter-opt --sinter-attach-target=target=npu-910 %s --npu-plan-scratchpads | FileCheck %s
// RUN: not sinter-opt --sinter-attach-target=target=nvidia-h100 %s --npu-plan-scratchpads 2>&1 | FileCheck %s --check-prefix=GPU
// RUN: not sinter-opt --sinter-attach-target=target=npu-9000 %s --npu-plan-scratchpads 2>&1 | FileCheck %s --check-prefix=UNKNOWN

// CHECK: npu.alloc {offset = 0 : i64} : memref<16x16xf32, #npu.space<ub>>
// GPU: error: 'npu.alloc' op target 'nvidia-h100' has no 'ub' memory level
// UNKNOWN: error: {{.*}}npu-9000
func.func @f() {
  %a = npu.alloc : memref<16x16xf32, #npu.space<ub>>
  return
}
