//===- Passes.td - NPU dialect passes ----------------------*- tablegen -*-===//
#ifndef SINTER_NPU_PASSES_TD
#define SINTER_NPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def NPUPlanScratchpads : Pass<"npu-plan-scratchpads", "::mlir::func::FuncOp"> {
  let summary = "Place every npu.alloc in its scratchpad, by lifetime";
  let description = [{
    Gives each `npu.alloc` of a function a byte `offset` in its memory space
    (`l1`, `l0a`, `l0b`, `l0c`, `ub`) so that buffers live at the same time
    never share bytes, and checks that everything fits the capacities the
    target description gives those levels (the module's `sinter.target`,
    which the pass requires).

    A buffer lives from its `npu.alloc` to the last op of the function's
    body that uses it (an op with a region counts as using what its region
    uses, so a buffer used inside a loop lives through the whole loop).
    Buffers are placed in program order at the lowest offset, aligned to
    32 bytes, that no live buffer occupies; offsets already on an
    `npu.alloc` (pinned by hand or an earlier planner) are kept and
    checked. A buffer that cannot fit is an error naming the space, the
    bytes it needs and what the buffers live there take, so over-capacity
    tiles are refused rather than silently overlapped.

    Example:
    ```mlir
    %a = npu.alloc : memref<64x256xf16, #npu.space<l0a>>   // 32 KiB
    %b = npu.alloc : memref<64x256xf16, #npu.space<l0a>>
    ```
    becomes `{offset = 0}` and `{offset = 32768}` while both are live, and
    both `{offset = 0}` when `%a` is dead before `%b` is allocated.
  }];
}

#endif // SINTER_NPU_PASSES_TD
