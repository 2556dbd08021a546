/* A C program on the compiler's C API (sinter-c/compiler.h): parse a
 * module, run the graph pipeline and the traffic report, compile it for
 * the host CPU, read the manifest, list the passes and targets, and show
 * that errors come back as messages. Prints what it checks; exits non-zero
 * on a failed check. */
#include "sinter-c/compiler.h"

#include <stdio.h>
#include <string.h>

static const char kModule[] =
    "func.func @f(%a: tensor<8x16xf32>, %b: tensor<16x4xf32>) -> "
    "tensor<8x4xf32> {\n"
    "  %z = arith.constant 0.0 : f32\n"
    "  %e = tensor.empty() : tensor<8x4xf32>\n"
    "  %f = linalg.fill ins(%z : f32) outs(%e : tensor<8x4xf32>) -> "
    "tensor<8x4xf32>\n"
    "  %r = linalg.matmul ins(%a, %b : tensor<8x16xf32>, tensor<16x4xf32>) "
    "outs(%f : tensor<8x4xf32>) -> tensor<8x4xf32>\n"
    "  return %r : tensor<8x4xf32>\n"
    "}\n";

static void progress(const char *line, void *user) {
  ++*(int *)user;
  printf("progress: %s\n", line);
}

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      printf("FAIL: %s\n", #cond);                                             \
      return 1;                                                                \
    }                                                                          \
  } while (0)

int main(int argc, char **argv) {
  CHECK(argc == 2);
  printf("version %s\n", sinterVersion());
  SinterContext ctx = sinterContextCreate();
  SinterModule bad = sinterModuleParse(ctx, "func.func @f(", 12);
  CHECK(!bad);
  printf("parse error: %s\n", sinterContextGetError(ctx));

  SinterModule m = sinterModuleParse(ctx, kModule, strlen(kModule));
  CHECK(m);
  SinterModule copy = sinterModuleClone(m);
  char *report = NULL;
  CHECK(sinterModuleRunPipeline(copy,
                                "sinter-attach-target{target=nvidia-h100},"
                                "sinter-graph-pipeline,sinter-report-traffic",
                                &report) == 0);
  printf("report: %.*s\n", (int)strcspn(report, "\n"), report);
  sinterStringFree(report);
  char *text = sinterModulePrint(copy, 0);
  CHECK(strstr(text, "sinter.gemm") != NULL);
  sinterStringFree(text);
  CHECK(sinterModuleRunPipeline(copy, "no-such-pass", NULL) != 0);
  printf("pipeline error: %.*s\n",
         (int)strcspn(sinterContextGetError(ctx), "\n"),
         sinterContextGetError(ctx));

  /* Every pass sinter-opt knows can be named here (the Python test
   * compares the two listings in full). */
  char *passes = sinterListPasses();
  CHECK(passes && strstr(passes, "--convert-sinter-to-npu") &&
        strstr(passes, "--sinter-cpu-vectorize-gemm"));
  sinterStringFree(passes);
  CHECK(sinterPassIsRegistered("convert-sinter-to-gpu"));
  CHECK(sinterPassIsRegistered("npu-plan-scratchpads"));
  CHECK(sinterPassIsRegistered("sinter-lower-to-cpu")); /* a pipeline */
  CHECK(!sinterPassIsRegistered("no-such-pass"));
  printf("passes ok\n");
  char *targets = sinterListTargets();
  printf("targets: %.*s\n", (int)strcspn(targets, "\n"), targets);
  sinterStringFree(targets);

  SinterCompileOptions o;
  sinterCompileOptionsInit(&o);
  o.target = "x86-avx2";
  o.output_dir = argv[1];
  o.name = "mm";
  int lines = 0;
  CHECK(sinterCompile(m, &o, progress, &lines) == 0);
  CHECK(lines >= 3);
  char *manifest = sinterReadManifest(ctx, argv[1], "mm");
  CHECK(manifest && strstr(manifest, "\"target\": \"x86-avx2\""));
  printf("manifest ok\n");
  sinterStringFree(manifest);

  o.target = "tpu-9";
  CHECK(sinterCompile(copy, &o, NULL, NULL) != 0);
  printf("compile error: %s\n", sinterContextGetError(ctx));
  sinterModuleDestroy(copy);
  sinterModuleDestroy(m);
  sinterContextDestroy(ctx);
  printf("PASS\n");
  return 0;
}
