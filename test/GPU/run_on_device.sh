#!/usr/bin/env bash
# Everything the GPU machine runs, in one command (from the repository root,
# after test/GPU/generate.py wrote build-gpu/ on the build machine):
#   test/GPU/run_on_device.sh [OUT]
# writes OUT/{device.txt, tests.log, models.log, memcheck*.log, racecheck*.log,
# bench.md, blocks.md, gpu-tests.json, gpu-models.json, gpu-bench.json, gpu-blocks.json};
# exits non-zero if a test or a sanitizer
# run fails.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-${OUT:-gpu-results}}
mkdir -p "$OUT"
export PATH=/usr/local/cuda/bin:$PATH
rc=0
{ nvidia-smi; nvcc --version; gcc --version | head -1; python3 -c "import torch; print('torch', torch.__version__)"; } \
  > "$OUT/device.txt" 2>&1
python3 test/GPU/run.py --out "$OUT" 2>&1 | tee "$OUT/tests.log" || rc=1
python3 test/GPU/models.py run --out "$OUT" 2>&1 | tee "$OUT/models.log" || rc=1
# Small shapes of each kernel under the sanitizers.
small=gemm_f32,gemm_bf16_reductions,gemm_bf16_wgmma_bias,gemm_bf16_aligned_batched_kn,gemm_f16_wgmma_ragged_k,gemm_bf16_bias_gelu_residual,gemm_f16_bt_silu,gemm_f32_at_scales_relu,gemm_bf16_batched,gemm_bf16_aligned_bias,gemm_f16_aligned_bt,attn_bf16_causal_gqa_lse,attn_f16_nomask_d128,attn_bf16_window_softcap_mqa,attn_bf16_window_empty_rows,attn_bf16_window_empty_rows_d64,attn_bf16_bshd_causal_d96,paged_bf16_decode_gqa,paged_f16_prefill_window,paged_bf16_bs24_d96,paged_f16_bs8,kv_gather_bf16,kv_append_bf16,kv_append_bf16_in_place,kv_quantize_int8,w8a16_bf16_channel_zp,w8a16_bf16_bt_grouped,w4a16_bf16_bt_grouped,w4a16_f16_channel_unsigned_zp,gemm_bf16_swiglu_rmsnorm,gemm_f32_swiglu_rmsnorm,gemm_f16_swiglu_bt_rowsum,gemm_f32_reductions,gemm_i8_i32,kv_evict_heavy_hitter,kv_evict_sink_window,kv_quantize_int8_channel,kv_quantize_fp8,gemm_bf16_swiglu_wgmma_bt,gemm_f16_swiglu_wgmma_kn
for tool in memcheck racecheck; do
  compute-sanitizer --tool $tool --error-exitcode 3 \
    python3 test/GPU/run.py --only $small --out "$OUT/$tool" > "$OUT/$tool.log" 2>&1 || rc=1
  tail -3 "$OUT/$tool.log"
  # The generic kernels, the launch sequence and its workspace: whole blocks.
  compute-sanitizer --tool $tool --error-exitcode 3 \
    python3 test/GPU/models.py run --only llama_bf16,tinylm,decoder_linalg_f32 --out "$OUT/$tool" \
    > "$OUT/$tool-models.log" 2>&1 || rc=1
  tail -3 "$OUT/$tool-models.log"
done
python3 bench/gpu/bench.py --out "$OUT" 2>&1 | tee "$OUT/bench.md" || rc=1
# Whole blocks (after bench/gpu/blocks.py generate on the build machine).
if [ -d build-gpu/blocks ]; then
  python3 bench/gpu/blocks.py run --out "$OUT" --profile 2>&1 | tee "$OUT/blocks.md" || rc=1
fi
exit $rc
