//===- KernelBuilder.h - IR-building helpers shared by the GPU kernels ----===//
//
// Index arithmetic, shared-memory addresses, ldmatrix, mma.sync and cp.async
// as the kernel generators of lib/Backend/GPU/Conversion use them. Internal to
// the library.
//
//===----------------------------------------------------------------------===//
#ifndef SINTER_LIB_BACKEND_GPU_CONVERSION_KERNELBUILDER_H
#define SINTER_LIB_BACKEND_GPU_CONVERSION_KERNELBUILDER_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "sinter/Support/ScalarBuilder.h"
#include <array>
#include <string>

namespace mlir::func {
class FuncOp;
} // namespace mlir::func
namespace mlir::sinter::gpu_kernels {

/// A kernel `name` with `params`, workgroup buffers `shared`, launched with
/// `threads` threads (known block size and launch bound).
inline gpu::GPUFuncOp createKernelFunc(OpBuilder &b, Location loc,
                                       StringRef name, ArrayRef<Type> params,
                                       TypeRange shared, int64_t threads) {
  auto kernel = gpu::GPUFuncOp::create(
      b, loc, name, b.getFunctionType(params, {}), shared, TypeRange{});
  kernel->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
  kernel.setKnownBlockSizeAttr(
      b.getDenseI32ArrayAttr({int32_t(threads), 1, 1}));
  kernel->setAttr("nvvm.maxntid",
                  b.getDenseI32ArrayAttr({int32_t(threads), 1, 1}));
  return kernel;
}

/// The GPU kernels' builder: the scalar IR of ScalarBuilder, and memref
/// addresses and pointers, shared memory, ldmatrix, mma.sync, cp.async,
/// mbarriers, TMA, wgmma descriptors and warp shuffles.
struct KernelBuilder : ScalarBuilder {
  /// An integer element of `m` as an index.
  Value loadIndex(Value m, ValueRange ids) {
    Value v = memref::LoadOp::create(b, loc, m, ids);
    return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
  }

  Value toI64(Value index) {
    return arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
  }

  /// The aligned base address of a memref as an i64.
  Value address(Value memref) {
    return toI64(
        memref::ExtractAlignedPointerAsIndexOp::create(b, loc, memref));
  }
  /// `base + offset` as a pointer into `addressSpace` (1 global, 3 shared).
  Value pointer(Value base, Value byteOffset, unsigned addressSpace) {
    Value a = arith::AddIOp::create(b, loc, base, toI64(byteOffset));
    return LLVM::IntToPtrOp::create(
        b, loc, LLVM::LLVMPointerType::get(b.getContext(), addressSpace), a);
  }

  /// ldmatrix.x4: four 8 x 8 matrices of 16-bit `elem`s from a shared tile
  /// at `base` (rows of `rowLength` elements); this lane gives the address
  /// of (row, col) (its matrix is lane / 8) and receives, from each matrix
  /// (transposed with `transpose`), the pair (lane / 4, 2 (lane % 4)) as
  /// mma.sync takes it.
  SmallVector<Value> ldmatrix4(Value base, int64_t rowLength, Value row,
                               Value col, Type elem, bool transpose = false) {
    Value ptr = pointer(base, mul(add(mul(row, idx(rowLength)), col), idx(2)),
                        /*addressSpace=*/3);
    auto type = LLVM::LLVMStructType::getLiteral(
        b.getContext(), SmallVector<Type>(4, b.getI32Type()));
    Value m = NVVM::LdMatrixOp::create(
        b, loc, type, ptr, 4,
        transpose ? NVVM::MMALayout::col : NVVM::MMALayout::row,
        NVVM::LdStMatrixShapeAttr::get(b.getContext(), 8, 8),
        NVVM::LdStMatrixEltType::B16);
    SmallVector<Value> regs;
    for (int64_t i = 0; i < 4; ++i) {
      Value r = LLVM::ExtractValueOp::create(b, loc, m, i);
      regs.push_back(operandPair(r, elem));
    }
    return regs;
  }

  /// A 32-bit register of two 16-bit elements as mma.sync takes it: i32
  /// for bf16, vector<2xf16> for f16.
  Value operandPair(Value i32, Type elem) {
    if (elem.isF16())
      return LLVM::BitcastOp::create(b, loc, VectorType::get({2}, elem), i32);
    return i32;
  }
  /// Two f32 values rounded to `elem` and packed as mma.sync takes them.
  Value packPair(Value lo, Value hi, Type elem) {
    auto v2 = VectorType::get({2}, b.getF32Type());
    Value v = vector::FromElementsOp::create(b, loc, v2, ValueRange{lo, hi});
    Value t = arith::TruncFOp::create(b, loc, VectorType::get({2}, elem), v);
    if (elem.isF16())
      return t;
    return LLVM::BitcastOp::create(b, loc, b.getI32Type(), t);
  }

  /// c += a * b for one m16n8k16 tile (f32 accumulators).
  void mma16816(Type elem, ArrayRef<Value> a, ArrayRef<Value> bFrag,
                MutableArrayRef<Value> c) {
    auto mmaType = elem.isBF16() ? NVVM::MMATypes::bf16 : NVVM::MMATypes::f16;
    auto resultType = LLVM::LLVMStructType::getLiteral(
        b.getContext(), SmallVector<Type>(4, b.getF32Type()));
    Value d = NVVM::MmaOp::create(
        b, loc, resultType, a, bFrag, SmallVector<Value>(c),
        ArrayRef<int64_t>{16, 8, 16}, std::nullopt, std::nullopt,
        std::array<NVVM::MMATypes, 2>{mmaType, mmaType},
        std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                       NVVM::MMALayout::col});
    for (int64_t e = 0; e < 4; ++e)
      c[e] = LLVM::ExtractValueOp::create(b, loc, d, e);
  }

  /// cp.async of 16 bytes from global `src` to shared `dst`, zero-filled
  /// (nothing read) when `valid` is false.
  void copyAsync16(Value dst, Value src, Value valid) {
    Value size = arith::SelectOp::create(
        b, loc, valid, arith::ConstantIntOp::create(b, loc, 16, 32),
        arith::ConstantIntOp::create(b, loc, 0, 32));
    NVVM::CpAsyncOp::create(b, loc, dst, src, 16,
                            NVVM::LoadCacheModifierKind::CG, size);
  }

  // Hopper (sm_90a): shared memory by address, mbarriers, TMA, wgmma.

  Value i64(int64_t v) {
    return arith::ConstantIntOp::create(b, loc, v, 64).getResult();
  }
  Value i32(Value index) {
    return arith::IndexCastOp::create(b, loc, b.getI32Type(), index);
  }
  /// The i64 shared address `addr` as a pointer.
  Value shared(Value addr) {
    return LLVM::IntToPtrOp::create(
        b, loc, LLVM::LLVMPointerType::get(b.getContext(), 3), addr);
  }
  /// i64 address `base` plus index `bytes`.
  Value offset(Value base, Value bytes) {
    return arith::AddIOp::create(b, loc, base, toI64(bytes));
  }
  /// The kernel's dynamic shared memory, its address rounded up to 1024
  /// bytes (the 128-byte swizzle's atom; launches reserve 1 KiB extra).
  Value alignedDynamicShared() {
    auto type = MemRefType::get(
        {ShapedType::kDynamic}, b.getI8Type(), MemRefLayoutAttrInterface{},
        gpu::AddressSpaceAttr::get(b.getContext(),
                                   gpu::AddressSpace::Workgroup));
    Value raw = address(gpu::DynamicSharedMemoryOp::create(b, loc, type));
    return arith::AndIOp::create(
        b, loc, arith::AddIOp::create(b, loc, raw, i64(1023)), i64(~1023ll));
  }
  /// Waits until phase `parity` (an index, 0 or 1) of the mbarrier at
  /// shared address `bar` has completed.
  void mbarrierWait(Value bar, Value parity) {
    NVVM::MBarrierTryWaitParityOp::create(
        b, loc, shared(bar), i32(parity),
        arith::ConstantIntOp::create(b, loc, 1000000, 32));
  }
  void mbarrierInit(Value bar, int64_t arrivals) {
    NVVM::MBarrierInitOp::create(
        b, loc, shared(bar), arith::ConstantIntOp::create(b, loc, arrivals, 32),
        Value());
  }
  void mbarrierArrive(Value bar) {
    NVVM::MBarrierArriveOp::create(b, loc, b.getI64Type(), shared(bar),
                                   Value());
  }
  /// Arrives on the mbarrier at `bar`, which then also waits for `bytes` of
  /// TMA copies.
  void expectBytes(Value bar, int64_t bytes) {
    NVVM::MBarrierArriveExpectTxOp::create(
        b, loc, Type(), shared(bar),
        arith::ConstantIntOp::create(b, loc, bytes, 32),
        NVVM::MemScopeKind::CTA, false, Value());
  }
  /// A TMA box copy through descriptor `map` (a by-value parameter) at
  /// i32 `coords` (innermost first) to shared address `dst`, completing on
  /// the mbarrier at `bar`. The destination is a shared::cluster address
  /// (a block is its own cluster).
  void tmaLoad(Value dst, Value map, ValueRange coords, Value bar) {
    Value cluster = LLVM::AddrSpaceCastOp::create(
        b, loc, LLVM::LLVMPointerType::get(b.getContext(), 7), shared(dst));
    NVVM::CpAsyncBulkTensorGlobalToSharedClusterOp::create(
        b, loc, cluster, map, coords, shared(bar), ValueRange{}, Value(),
        Value(), NVVM::TMALoadMode::TILE, false, nullptr, Value());
  }
  /// bar.sync on barrier `id` (i32) for `threads` threads.
  void namedBarrier(Value id, int64_t threads) {
    NVVM::BarrierOp::create(b, loc, Type(), id,
                            arith::ConstantIntOp::create(b, loc, threads, 32),
                            nullptr, Value());
  }
  /// Arrives at named barrier `id` (counting `threads`) without waiting.
  void namedBarrierArrive(Value id, int64_t threads) {
    NVVM::BarrierArriveOp::create(
        b, loc, id, arith::ConstantIntOp::create(b, loc, threads, 32));
  }
  /// Makes this thread's shared memory writes visible to the async proxy
  /// (TMA stores, wgmma operands).
  void fenceAsyncShared() {
    NVVM::FenceProxyOp::create(
        b, loc,
        NVVM::ProxyKindAttr::get(b.getContext(), NVVM::ProxyKind::async_shared),
        NVVM::SharedSpaceAttr::get(b.getContext(),
                                   NVVM::SharedSpace::shared_cta));
  }
  /// The wgmma descriptor of a tile at shared address `addr` laid out as
  /// TMA writes it with the 128-byte swizzle (mode 1; `addr` within a
  /// 1024-byte aligned atom grid): rows of 128 bytes, 1024 bytes between
  /// groups of 8 rows, `leadingBytes` between blocks of 64 columns of an
  /// MN-major operand (unused for K-major ones).
  Value swizzledDescriptor(Value addr, int64_t leadingBytes) {
    Value start = arith::ShRUIOp::create(
        b, loc, arith::AndIOp::create(b, loc, addr, i64(0x3FFFF)), i64(4));
    int64_t fixed = ((leadingBytes >> 4) << 16) | (int64_t(1024 >> 4) << 32) |
                    (int64_t(1) << 62);
    return arith::OrIOp::create(b, loc, start, i64(fixed));
  }
  /// acc += A B for one wgmma m64nNk16 with f32 accumulators (a struct of
  /// N / 2 f32), A K-major and B K-major or N-major, both from shared
  /// memory descriptors.
  Value wgmma(Value acc, Value descA, Value descB, Type elem, int64_t n,
              bool bNMajor) {
    MLIRContext *ctx = b.getContext();
    auto type = elem.isBF16() ? NVVM::WGMMATypes::bf16 : NVVM::WGMMATypes::f16;
    return NVVM::WgmmaMmaAsyncOp::create(
        b, loc, acc.getType(), acc, descA, descB,
        NVVM::MMAShapeAttr::get(ctx, 64, n, 16),
        NVVM::WGMMATypesAttr::get(ctx, type),
        NVVM::WGMMATypesAttr::get(ctx, type),
        NVVM::WGMMATypesAttr::get(ctx, NVVM::WGMMATypes::f32),
        NVVM::WGMMAScaleOutAttr::get(ctx, NVVM::WGMMAScaleOut::one),
        NVVM::WGMMAScaleInAttr::get(ctx, NVVM::WGMMAScaleIn::one),
        NVVM::WGMMAScaleInAttr::get(ctx, NVVM::WGMMAScaleIn::one),
        NVVM::MMALayoutAttr::get(ctx, NVVM::MMALayout::row),
        NVVM::MMALayoutAttr::get(ctx, bNMajor ? NVVM::MMALayout::row
                                              : NVVM::MMALayout::col),
        NVVM::MMAIntOverflowAttr());
  }

  /// 2^x by the SFU (ex2.approx.ftz; -inf gives 0).
  Value exp2(Value x) {
    return LLVM::CallIntrinsicOp::create(
               b, loc, b.getF32Type(),
               b.getStringAttr("llvm.nvvm.ex2.approx.ftz.f"), ValueRange{x})
        .getResult(0);
  }

  /// The butterfly reduction of `v` over the 4 lanes of a quad (lanes that
  /// hold one row of an mma accumulator tile).
  Value quadReduce(Value v, bool isMax) {
    return xorReduce(v, {1, 2}, [&](Value x, Value y) -> Value {
      if (isMax)
        return arith::MaxNumFOp::create(b, loc, x, y);
      return arith::AddFOp::create(b, loc, x, y);
    });
  }
  /// `v` combined with the values of the lanes `offsets` away, in turn
  /// (xor shuffles: a butterfly over those lanes).
  Value xorReduce(Value v, ArrayRef<int32_t> offsets,
                  llvm::function_ref<Value(Value, Value)> combine) {
    for (int32_t offset : offsets)
      v = combine(v, gpu::ShuffleOp::create(
                         b, loc, v,
                         arith::ConstantIntOp::create(b, loc, offset, 32),
                         arith::ConstantIntOp::create(b, loc, 32, 32),
                         gpu::ShuffleMode::XOR)
                         .getShuffleResult());
    return v;
  }
};

/// What the target description says about the GPU's SMs, and the
/// compile's choices for the kernels.
struct GPUResources {
  int64_t sms;
  int64_t sharedBytesPerSM;
  /// sm_90a: warpgroup MMA, TMA and mbarriers.
  bool hopper = false;
  /// The Hopper GEMM schedule: ping-pong instead of cooperative.
  bool gemmPingpong = false;
};

/// One kernel launch of a compiled function.
struct KernelLaunch {
  std::string name;
  std::array<int64_t, 3> grid;
  int64_t threads;
  /// Dynamic shared memory.
  int64_t sharedBytes = 0;
};

/// A TMA descriptor the launch code encodes and passes by value after the
/// other parameters: of the row-major matrix argument `arg` (its position
/// among the function's arguments, then its results; `batches` matrices
/// of rows x cols, a 3-d map, when not 0), in boxes of boxRows x boxCols
/// elements of elemBytes.
struct TensorMap {
  int64_t arg, batches, rows, cols, boxRows, boxCols, elemBytes;
};

/// How a function's kernels are launched, which every kernel family
/// returns: the launches in stream order (the first named like the
/// function), the f32 scratch bytes they share (passed to each kernel after
/// the function's results) and the TMA descriptors they read through.
struct KernelPlan {
  SmallVector<KernelLaunch> launches;
  int64_t workspaceBytes = 0;
  SmallVector<TensorMap> tensorMaps;
};

// Every kernel family is entered the same way:
//
//   KernelPlan createXKernels(OpBuilder &b, <the op>, func::FuncOp f,
//                             ArrayRef<Type> params, const GPUResources &gpu)
//
// creates, at `b`'s insertion point in the gpu.module, the kernels of `f`,
// whose body is the op on its arguments; `params` are the kernels'
// parameters (f's arguments, then its results, as memrefs; the workspace
// and the descriptors follow when the plan has them). The GEMM families
// are declared in GemmKernel.h.

/// Why `op` (sinter.attention or sinter.paged_attention) cannot become GPU
/// kernels, or empty.
std::string unsupportedAttention(Operation *op);

/// sinter.attention (the Hopper kernel where it applies, else
/// FlashAttention-2) and sinter.paged_attention (split-KV decode and its
/// combine kernel; the SMs and their shared memory size the split).
KernelPlan createAttentionKernels(OpBuilder &b, Operation *op, func::FuncOp f,
                                  ArrayRef<Type> params,
                                  const GPUResources &gpu);

/// Why `op` (sinter.kv.gather, kv.append, kv.evict or kv.quantize) cannot
/// become GPU kernels, or empty. fp8 needs a chip that converts to it (sm_89
/// and later; Hopper here).
std::string unsupportedKVCache(Operation *op, const GPUResources &resources);

/// The KV-cache ops.
KernelPlan createKVCacheKernels(OpBuilder &b, Operation *op, func::FuncOp f,
                                ArrayRef<Type> params, const GPUResources &gpu);

/// Whether `op` takes the generic kernel (GenericKernels.cpp): a linalg op,
/// tensor.concat or a tensor.extract_slice copy.
bool isGenericKernelOp(Operation *op);
/// Why it cannot, or empty.
std::string unsupportedGeneric(Operation *op);
/// One thread per element of the op's parallel space, reductions in a loop.
KernelPlan createGenericKernels(OpBuilder &b, Operation *op, func::FuncOp f,
                                ArrayRef<Type> params, const GPUResources &gpu);

/// Why the GPU backend has no kernel for the sinter op `op` (or for it with
/// these operands), or empty. Such ops are decomposed before partitioning
/// (sinter-gpu-decompose-unsupported) and run as generic kernels.
std::string unsupportedSinterOp(Operation *op, const GPUResources &gpu);

/// The machine a GPU target description gives (its SMs, shared memory per
/// SM, whether it is Hopper), or an error on `diag` naming what is missing.
FailureOr<GPUResources> getGPUResources(Operation *diag, llvm::StringRef pass);

} // namespace mlir::sinter::gpu_kernels

#endif // SINTER_LIB_BACKEND_GPU_CONVERSION_KERNELBUILDER_H
