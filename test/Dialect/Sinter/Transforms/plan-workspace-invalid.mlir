// RUN: sinter-opt --sinter-attach-target=target=nvidia-h100 %s --sinter-partition --sinter-plan-workspace -verify-diagnostics

// A 160 GB intermediate does not fit the H100's 80 GiB: refused, naming the
// function and the kernel whose result is the largest.
#id = affine_map<(d0, d1) -> (d0, d1)>
// expected-error @+1 {{sinter-plan-workspace: @huge needs 160000000000 bytes of workspace and 0 bytes of load-time results, more than the nvidia-h100's hbm holds (85899345920 bytes); the largest intermediate is the result of @huge_0_generic (160000000000 bytes)}}
func.func @huge(%x: tensor<200000x200000xf32>) -> tensor<200000x200000xf32> {
  %e = tensor.empty() : tensor<200000x200000xf32>
  %a = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<200000x200000xf32>) outs(%e : tensor<200000x200000xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = math.exp %in : f32
    linalg.yield %m : f32
  } -> tensor<200000x200000xf32>
  %b = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<200000x200000xf32>) outs(%e : tensor<200000x200000xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = math.log %in : f32
    linalg.yield %m : f32
  } -> tensor<200000x200000xf32>
  return %b : tensor<200000x200000xf32>
}
