//===- Passes.h - Sinter passes ---------------------------------*- C++ -*-===//
#ifndef SINTER_DIALECT_SINTER_TRANSFORMS_PASSES_H
#define SINTER_DIALECT_SINTER_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "sinter/Dialect/Sinter/IR/SinterOps.h"
#include "sinter/Dialect/Sinter/IR/Target.h"

namespace mlir {
class RewritePatternSet;
namespace sinter {

#define GEN_PASS_DECL
#include "sinter/Dialect/Sinter/Transforms/Passes.h.inc"

/// Patterns that rewrite each sinter op into its reference decomposition.
void populateDecomposePatterns(RewritePatternSet &patterns);

/// Rewrites every sinter op in `module`'s functions that `hasKernel`
/// refuses into its reference decomposition (attention with fused RoPE
/// first only loses its RoPE, as sinter.rope ops), until none is left: what
/// each backend's decompose-unsupported pass runs.
LogicalResult decomposeUnsupportedOps(
    ModuleOp module, llvm::function_ref<bool(Operation *)> hasKernel);

/// Rewrites `op` as a plain sinter.gemm (no epilogue, pairwise halves,
/// row statistics or reductions; the accumulator type out) and the
/// decomposition of the rest: for backends whose GEMM kernel lacks those.
LogicalResult splitGemmContraction(GemmOp op, RewriterBase &rewriter);

/// Patterns that raise linalg subgraphs into sinter ops.
void populateRaisePatterns(RewritePatternSet &patterns);

/// Patterns that fuse memory-bound ops into sinter.gemm epilogues.
void populateFusePatterns(RewritePatternSet &patterns, bool remarks);

/// Host programs and kernels (sinter-partition, sinter-plan-workspace):
/// the public function made a host program; a kernel function and its
/// kind; a call that can run once when the model is loaded; where each
/// call's results live (byte offsets, -1 for an output buffer); the
/// function's workspace, persistent (load-time) area and the sum of its
/// intermediates, in bytes.
inline constexpr llvm::StringLiteral kHostAttrName = "sinter.host";
inline constexpr llvm::StringLiteral kKernelAttrName = "sinter.kernel";
inline constexpr llvm::StringLiteral kLoadTimeAttrName = "sinter.load_time";
inline constexpr llvm::StringLiteral kResultOffsetsAttrName =
    "sinter.result_offsets";
inline constexpr llvm::StringLiteral kWorkspaceBytesAttrName =
    "sinter.workspace_bytes";
inline constexpr llvm::StringLiteral kPersistentBytesAttrName =
    "sinter.persistent_bytes";
inline constexpr llvm::StringLiteral kIntermediateBytesAttrName =
    "sinter.intermediate_bytes";

/// A static, unit-stride slice of a contiguous (row-major) range of its
/// source: it reads as a pointer offset, no copy.
bool isContiguousSlice(tensor::ExtractSliceOp slice);
/// Where a contiguous slice starts in its source, in bytes.
int64_t getSliceByteOffset(tensor::ExtractSliceOp slice);
/// Ops that cost no kernel in a host program: reshapes, casts and
/// contiguous slices that start 16-byte aligned.
bool isHostView(Operation *op);

/// Bytes of a statically shaped tensor type, 0 otherwise.
int64_t getTensorBytes(Type type);

/// The reference semantics of a quantized weight element:
/// (q - zp) * scale in f32 (`zp` may be null); q and zp are read as unsigned
/// when the scheme says so.
Value buildDequantizedWeight(OpBuilder &b, Location loc, WeightQuantAttr quant,
                             Value q, Value scale, Value zp);

/// "line:col" of a file location, "-" otherwise (for report tables).
std::string getShortLocation(Location loc);

/// Registers the named pipelines (`sinter-reference-to-llvm`).
void registerSinterPipelines();

#define GEN_PASS_REGISTRATION
#include "sinter/Dialect/Sinter/Transforms/Passes.h.inc"

} // namespace sinter
} // namespace mlir

#endif
