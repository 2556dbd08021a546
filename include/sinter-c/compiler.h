/*===- sinter-c/compiler.h - The compiler as a C library ------------------===*
 *
 * Parse and print modules, run pass pipelines, compile to artifacts for a
 * target and read the manifest, from C (and from Python: the `sinter`
 * package's _sinter extension is built on this API). Link with
 * SinterCAPI (and libMLIR).
 *
 * Errors: calls that can fail return NULL or non-zero and leave a message
 * (with the diagnostics MLIR reported) in sinterContextGetError, valid
 * until the next call on that context.
 *
 *===----------------------------------------------------------------------===*/
#ifndef SINTER_C_COMPILER_H
#define SINTER_C_COMPILER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct SinterContextImpl *SinterContext;
typedef struct SinterModuleImpl *SinterModule;

/* "MAJOR.MINOR.PATCH" of the compiler. */
const char *sinterVersion(void);

/* A context with every dialect, pass and pipeline Sinter knows. */
SinterContext sinterContextCreate(void);
void sinterContextDestroy(SinterContext ctx);
/* The last failed call's message ("" if none). */
const char *sinterContextGetError(SinterContext ctx);

/* A module from MLIR text (`length` bytes) or a file; NULL on error. */
SinterModule sinterModuleParse(SinterContext ctx, const char *text,
                               size_t length);
SinterModule sinterModuleParseFile(SinterContext ctx, const char *path);
void sinterModuleDestroy(SinterModule module);
/* A copy of `module` (compiling rewrites a module). */
SinterModule sinterModuleClone(SinterModule module);

/* The module as MLIR text (generic form if `generic`); free with
 * sinterStringFree. */
char *sinterModulePrint(SinterModule module, int generic);
void sinterStringFree(char *s);

/* Runs a textual pass pipeline on the module, in sinter-opt's syntax
 * ("sinter-graph-pipeline", "builtin.module(sinter-raise,sinter-fuse)");
 * 0 on success. Text the passes print (reports) is appended to *output if
 * `output` is not NULL (free with sinterStringFree). */
int sinterModuleRunPipeline(SinterModule module, const char *pipeline,
                            char **output);

/* The passes and pipelines a pipeline can name, as `sinter-opt
 * --list-passes` prints them; free with sinterStringFree. */
char *sinterListPasses(void);

/* Whether `name` is a registered pass or pipeline. */
int sinterPassIsRegistered(const char *name);

/* The target presets, one name per line; free with sinterStringFree. */
char *sinterListTargets(void);

typedef struct SinterCompileOptions {
  const char *target;            /* preset name; NULL or "": the host CPU */
  const char *output_dir;        /* NULL: "." */
  const char *name;              /* artifacts' base name; NULL: "model" */
  int no_graph;                  /* skip raising and fusion */
  const char *stop_after;        /* NULL, "graph", "tile" or "llvm" */
  const char *gpu_gemm_schedule; /* NULL: "auto" */
  int64_t k_block;               /* CPU micro-kernel k block (0: from L1) */
} SinterCompileOptions;

void sinterCompileOptionsInit(SinterCompileOptions *options);

/* Progress lines during a compile. */
typedef void (*SinterProgressFn)(const char *line, void *user);

/* Compiles the module (which it rewrites) and writes the artifacts and
 * <output_dir>/<name>.json; 0 on success. */
int sinterCompile(SinterModule module, const SinterCompileOptions *options,
                  SinterProgressFn progress, void *user);

/* The text of <output_dir>/<name>.json; NULL if it cannot be read. Free
 * with sinterStringFree. */
char *sinterReadManifest(SinterContext ctx, const char *output_dir,
                         const char *name);

#ifdef __cplusplus
}
#endif

#endif /* SINTER_C_COMPILER_H */
