//===- anchors.cpp - The CPU baselines Sinter is compared with ------------===//
//
//   anchors sgemm     M N K REPS   OpenBLAS cblas_sgemm
//   anchors sgemm_epi M N K REPS   OpenBLAS sgemm, then a separate loop
//                                  y = gelu_tanh(c + bias) + residual
//                                  (OpenMP over rows, built -O3 -march=native)
//   anchors dnnl      M N K REPS   oneDNN f32 matmul
//   anchors dnnl_epi  M N K REPS   oneDNN f32 matmul with bias and post-ops
//                                  eltwise_gelu_tanh + binary_add(residual)
//
// Prints the best time of REPS calls (after a warm-up) in milliseconds.
//
//===----------------------------------------------------------------------===//
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <unordered_map>
#include <vector>

#include <cblas.h>
#include <oneapi/dnnl/dnnl.hpp>

namespace {
double bestMs(int reps, const std::function<void()> &f) {
  f(); // warm up
  std::vector<double> t;
  for (int i = 0; i < reps; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    t.push_back(std::chrono::duration<double, std::milli>(
                    std::chrono::steady_clock::now() - t0)
                    .count());
  }
  return *std::min_element(t.begin(), t.end());
}

float gelu(float x) {
  return 0.5f * x * (1.0f + std::tanh(0.7978845608f * (x + 0.044715f * x * x * x)));
}
} // namespace

int main(int argc, char **argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: %s MODE M N K REPS\n", argv[0]);
    return 2;
  }
  std::string mode = argv[1];
  long M = std::atol(argv[2]), N = std::atol(argv[3]), K = std::atol(argv[4]);
  int reps = std::atoi(argv[5]);
  std::vector<float> a(M * K), b(K * N), c(M * N), bias(N), res(M * N);
  for (size_t i = 0; i < a.size(); ++i)
    a[i] = std::sin(0.001f * i);
  for (size_t i = 0; i < b.size(); ++i)
    b[i] = std::cos(0.002f * i) / std::sqrt(float(K));
  for (long i = 0; i < N; ++i)
    bias[i] = 0.01f * i;
  for (size_t i = 0; i < res.size(); ++i)
    res[i] = 0.5f;

  double ms = 0;
  if (mode == "sgemm" || mode == "sgemm_epi") {
    bool epi = mode == "sgemm_epi";
    ms = bestMs(reps, [&] {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.0f,
                  a.data(), K, b.data(), N, 0.0f, c.data(), N);
      if (epi)
#pragma omp parallel for
        for (long i = 0; i < M; ++i)
          for (long j = 0; j < N; ++j)
            c[i * N + j] = gelu(c[i * N + j] + bias[j]) + res[i * N + j];
    });
  } else if (mode == "dnnl" || mode == "dnnl_epi") {
    using namespace dnnl;
    bool epi = mode == "dnnl_epi";
    engine eng(engine::kind::cpu, 0);
    stream s(eng);
    using dt = memory::data_type;
    using tag = memory::format_tag;
    memory::desc aMd({M, K}, dt::f32, tag::ab), bMd({K, N}, dt::f32, tag::ab),
        cMd({M, N}, dt::f32, tag::ab), biasMd({1, N}, dt::f32, tag::ab);
    primitive_attr attr;
    if (epi) {
      post_ops po;
      po.append_eltwise(1.f, algorithm::eltwise_gelu_tanh, 0.f, 0.f);
      po.append_binary(algorithm::binary_add, cMd);
      attr.set_post_ops(po);
    }
    // oneDNN 2.x (Debian 12) API.
    auto pd = epi ? matmul::primitive_desc(
                        matmul::desc(aMd, bMd, biasMd, cMd), attr, eng)
                  : matmul::primitive_desc(matmul::desc(aMd, bMd, cMd), eng);
    matmul mm(pd);
    memory aM(aMd, eng, a.data()), bM(bMd, eng, b.data()), cM(cMd, eng, c.data()),
        biasM(biasMd, eng, bias.data()), resM(cMd, eng, res.data());
    std::unordered_map<int, memory> args{
        {DNNL_ARG_SRC, aM}, {DNNL_ARG_WEIGHTS, bM}, {DNNL_ARG_DST, cM}};
    if (epi) {
      args.insert({DNNL_ARG_BIAS, biasM});
      args.insert({DNNL_ARG_ATTR_MULTIPLE_POST_OP(1) | DNNL_ARG_SRC_1, resM});
    }
    ms = bestMs(reps, [&] {
      mm.execute(s, args);
      s.wait();
    });
  } else {
    std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
    return 2;
  }
  std::printf("%.4f\n", ms);
  return 0;
}
