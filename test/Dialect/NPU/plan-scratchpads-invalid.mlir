// RUN: sinter-opt --sinter-attach-target=target=npu-910 %s --split-input-file --npu-plan-scratchpads --verify-diagnostics

// Two 40 KiB operand tiles live at once do not fit the 64 KiB L0A of the
// npu-910: the second is refused.
func.func @over_capacity(%s: memref<160x128xf16, #npu.space<l1>>) {
  %a = npu.alloc : memref<160x128xf16, #npu.space<l0a>>
  // expected-error @+1 {{needs 40960 bytes of l0a at offset 40960, but l0a holds 65536 bytes on target 'npu-910' and 40960 of them are taken by buffers live here}}
  %b = npu.alloc : memref<160x128xf16, #npu.space<l0a>>
  npu.dma %s, %a {source_layout = #npu.layout<nz>, target_layout = #npu.layout<nz>} : memref<160x128xf16, #npu.space<l1>>, memref<160x128xf16, #npu.space<l0a>>
  npu.dma %s, %b {source_layout = #npu.layout<nz>, target_layout = #npu.layout<nz>} : memref<160x128xf16, #npu.space<l1>>, memref<160x128xf16, #npu.space<l0a>>
  return
}

// -----

func.func @pinned_overlap(%x: memref<16x16xf32>) {
  %a = npu.alloc {offset = 0} : memref<16x16xf32, #npu.space<ub>>
  // expected-error @+1 {{is pinned at offset 512 of ub, where a buffer live at the same time already is (0 to 1024)}}
  %b = npu.alloc {offset = 512} : memref<16x16xf32, #npu.space<ub>>
  npu.vunary exp %a, %b : memref<16x16xf32, #npu.space<ub>>, memref<16x16xf32, #npu.space<ub>>
  return
}

// -----

func.func @pinned_past_the_end() {
  // expected-error @+1 {{needs 1024 bytes of ub at offset 261632, but ub holds 262144 bytes}}
  %a = npu.alloc {offset = 261632} : memref<16x16xf32, #npu.space<ub>>
  return
}
