// A W4A16 GEMM with a bias and ReLU, written against the NPU kernel API
// and run on the simulator: C[M, N] = relu(A[M, K] x dequant(Wq)[K, N] +
// bias), A f16, int4 weights with grouped f16 scales. Checked against a
// plain loop nest; prints the simulator's report. With `race` it leaves a
// flag out and expects the simulator to report the hazard.
#include "sinter/npu/npu_sim.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>

using namespace sinter::npu;

int main(int argc, char **argv) {
  bool race = argc > 1 && !std::strcmp(argv[1], "race");
  const int64_t M = 64, N = 128, K = 256, G = 128;
  Core core(Config::npu910());
  // Global buffers: A, Wq (two int4 per byte), scales, bias, C.
  int a = core.global(M * K * 2), wq = core.global(K * N / 2),
      sc = core.global(K / G * N * 2), bias = core.global(N * 4),
      out = core.global(M * N * 2);
  Tile gA = core.globalTile(a, DType::F16, M, K),
       gW = core.globalTile(wq, DType::I4, K, N),
       gS = core.globalTile(sc, DType::F16, K / G, N),
       gB = core.globalTile(bias, DType::F32, 1, N),
       gC = core.globalTile(out, DType::F16, M, N);
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-1, 1);
  std::uniform_int_distribution<int> q(-8, 7);
  for (int64_t i = 0; i < M; ++i)
    for (int64_t k = 0; k < K; ++k)
      core.set(gA, i, k, u(rng));
  for (int64_t k = 0; k < K; ++k)
    for (int64_t n = 0; n < N; ++n)
      core.set(gW, k, n, float(q(rng)));
  for (int64_t g = 0; g < K / G; ++g)
    for (int64_t n = 0; n < N; ++n)
      core.set(gS, g, n, 0.01f + 0.02f * (u(rng) + 1));
  for (int64_t n = 0; n < N; ++n)
    core.set(gB, 0, n, u(rng));

  // Scratchpad tiles (offsets as npu-plan-scratchpads would give them).
  Tile qUB = core.local(Space::UB, DType::I4, K, N, 0),
       sUB = core.local(Space::UB, DType::F16, K / G, N, 16384),
       wUB = core.local(Space::UB, DType::F16, K, N, 16896),
       cUB = core.local(Space::UB, DType::F32, M, N, 82432),
       bUB = core.local(Space::UB, DType::F32, 1, N, 115200),
       yUB = core.local(Space::UB, DType::F16, M, N, 115712),
       aL1 = core.local(Space::L1, DType::F16, M, K, 0, Layout::NZ),
       wL1 = core.local(Space::L1, DType::F16, K, N, 32768, Layout::NZ),
       aL0 = core.local(Space::L0A, DType::F16, M, K, 0, Layout::NZ),
       wL0 = core.local(Space::L0B, DType::F16, K, N, 0, Layout::NZ),
       c = core.local(Space::L0C, DType::F32, M, N, 0, Layout::NZ);

  // MTE2 brings the weights, scales and activations in; V dequantizes
  // while A moves on to L1.
  core.copy(qUB, gW);
  core.copy(sUB, gS);
  core.copy(aL1, gA);
  core.copy(bUB, gB);
  core.setFlag(Pipe::MTE2, Pipe::V, 0);
  core.waitFlag(Pipe::MTE2, Pipe::V, 0);
  core.vdequant(wUB, qUB, sUB, nullptr, G);
  core.setFlag(Pipe::V, Pipe::MTE3, 0);
  core.waitFlag(Pipe::V, Pipe::MTE3, 0);
  core.copy(wL1, wUB); // UB -> L1 in the cube's NZ format
  core.setFlag(Pipe::MTE3, Pipe::MTE1, 0);
  core.waitFlag(Pipe::MTE3, Pipe::MTE1, 0);
  core.setFlag(Pipe::MTE2, Pipe::MTE1, 1);
  core.waitFlag(Pipe::MTE2, Pipe::MTE1, 1);
  core.copy(aL0, aL1);
  core.copy(wL0, wL1);
  core.setFlag(Pipe::MTE1, Pipe::M, 0);
  core.waitFlag(Pipe::MTE1, Pipe::M, 0);
  core.mmad(c, aL0, wL0, false);
  core.setFlag(Pipe::M, Pipe::FIX, 0);
  core.waitFlag(Pipe::M, Pipe::FIX, 0);
  core.copy(cUB, c);
  if (!race) {
    core.setFlag(Pipe::FIX, Pipe::V, 0);
    core.waitFlag(Pipe::FIX, Pipe::V, 0);
  }
  core.vbinary(Core::Binary::Add, cUB, cUB, bUB);
  core.vunary(Core::Unary::Relu, cUB, cUB);
  core.vcast(yUB, cUB);
  core.setFlag(Pipe::V, Pipe::MTE3, 1);
  core.waitFlag(Pipe::V, Pipe::MTE3, 1);
  core.copy(gC, yUB);

  if (race) {
    for (const std::string &h : core.hazards())
      std::printf("hazard: %s\n", h.c_str());
    return core.hazards().empty() ? 1 : 0;
  }
  // The reference: weights dequantized and rounded to f16 as the vector
  // unit does, products in double, the result rounded to f16.
  double maxErr = 0;
  for (int64_t i = 0; i < M; ++i)
    for (int64_t n = 0; n < N; ++n) {
      double acc = 0;
      for (int64_t k = 0; k < K; ++k) {
        float w = halfToFloat(
            floatToHalf(core.get(gW, k, n) * core.get(gS, k / G, n)));
        acc += double(core.get(gA, i, k)) * w;
      }
      double want = std::max(acc + core.get(gB, 0, n), 0.0);
      double err = std::fabs(core.get(gC, i, n) - want);
      maxErr = std::max(maxErr, err / (1 + std::fabs(want)));
    }
  std::printf("max relative error %.3g\n", maxErr);
  std::printf("%s", core.summary().c_str());
  std::FILE *trace = std::fopen(argc > 2 ? argv[2] : "trace.json", "w");
  if (trace) {
    std::fputs(core.chromeTrace().c_str(), trace);
    std::fclose(trace);
  }
  if (maxErr > 1e-3 || !core.hazards().empty()) {
    std::printf("FAIL\n");
    return 1;
  }
  std::printf("PASS\n");
  return 0;
}
