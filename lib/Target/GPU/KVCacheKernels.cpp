//===- KVCacheKernels.cpp - Bandwidth-bound KV-cache kernels --------------===//
//
// The KV-cache ops as flat SIMT kernels, one thread per 16-byte chunk of a
// row (vector loads and stores), 256 threads per block:
//
//   kv.gather    thread (b, h, s, c): the chunk of token s of sequence b,
//                read from its cache block through the block table, or
//                zeros past the sequence's length.
//   kv.append    three kernels in stream order: copy the cache into the
//                result (skipped when they are the same buffer: the update
//                in place that serving wants), mark the tokens whose slot
//                no later token overwrites (the later one wins), scatter
//                the marked tokens' rows into their slots.
//   kv.quantize  int8 or fp8 (e4m3). Per token: one warp per row, the
//                absolute maximum by a butterfly of shuffles, then scale
//                and round. Per channel: one thread per channel, looping
//                over the tokens (a warp reads 32 consecutive channels).
//
//===----------------------------------------------------------------------===//
#include "KernelBuilder.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "sinter/Dialect/Sinter/IR/SinterOps.h"

using namespace mlir;
using namespace mlir::sinter;
using namespace mlir::sinter::gpu_kernels;

namespace {
constexpr int64_t kThreads = 256;

/// Elements per chunk: the most that fit 16 bytes and divide `d`.
int64_t chunkElements(Type elem, int64_t d) {
  int64_t c = 128 / elem.getIntOrFloatBitWidth();
  while (c > 1 && d % c != 0)
    c /= 2;
  return c;
}

struct KVKernel : KernelBuilder {
  /// The global thread index, and whether it is below `n`.
  std::pair<Value, Value> flatThread(int64_t n) {
    Value id = add(
        mul(gpu::BlockIdOp::create(b, loc, gpu::Dimension::x), idx(kThreads)),
        gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x));
    return {id, lt(id, idx(n))};
  }
  /// `i` as coordinates of a row-major array of `sizes`.
  SmallVector<Value> delinearize(Value i, ArrayRef<int64_t> sizes) {
    SmallVector<Value> out(sizes.size());
    for (int64_t d = sizes.size() - 1; d >= 0; --d) {
      out[d] = d ? remu(i, sizes[d]) : i;
      if (d)
        i = divu(i, sizes[d]);
    }
    return out;
  }
  /// Chunks start at multiples of their size in rows of whole chunks, so
  /// they are aligned to it (the launcher checks 16-byte bases).
  static llvm::MaybeAlign chunkAlign(VectorType t) {
    return llvm::MaybeAlign(t.getNumElements() * t.getElementTypeBitWidth() /
                            8);
  }
  Value vload(VectorType t, Value m, ValueRange ids) {
    return vector::LoadOp::create(b, loc, t, m, ids, /*nontemporal=*/false,
                                  chunkAlign(t));
  }
  void vstore(Value v, Value m, ValueRange ids) {
    vector::StoreOp::create(b, loc, v, m, ids, /*nontemporal=*/false,
                            chunkAlign(cast<VectorType>(v.getType())));
  }
  Value cmpi(arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, p, x, y);
  }
};

int64_t blocksFor(int64_t n) {
  return std::max<int64_t>(1, llvm::divideCeil(n, kThreads));
}

/// Builds one kernel named `name` with `params` whose body `body` gets the
/// entry block's arguments; returns its launch for `n` threads.
KernelLaunch kernel(OpBuilder &b, Location loc, StringRef name,
                    ArrayRef<Type> params, int64_t n,
                    llvm::function_ref<void(KVKernel &, Block &)> body,
                    int64_t threads = kThreads) {
  auto k = createKernelFunc(b, loc, name, params, TypeRange{}, threads);
  Block &entry = k.getBody().front();
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&entry);
  KVKernel kb{{b, loc}};
  body(kb, entry);
  gpu::ReturnOp::create(b, loc);
  return {name.str(), {blocksFor(n), 1, 1}, threads};
}

unsigned argIndex(Value v) { return cast<BlockArgument>(v).getArgNumber(); }

SmallVector<KernelLaunch> gather(OpBuilder &b, KVGatherOp op, func::FuncOp f,
                                 ArrayRef<Type> params) {
  auto cT = cast<RankedTensorType>(op.getCache().getType());
  auto rT = cast<RankedTensorType>(op.getInit().getType());
  int64_t bs = cT.getDimSize(1), numBlocks = cT.getDimSize(0);
  int64_t B = rT.getDimSize(0), H = rT.getDimSize(1), S = rT.getDimSize(2),
          D = rT.getDimSize(3);
  int64_t cw = chunkElements(rT.getElementType(), D);
  auto vt = VectorType::get({cw}, rT.getElementType());
  int64_t n = B * H * S * (D / cw);
  return {kernel(
      b, op.getLoc(), f.getName(), params, n, [&](KVKernel &k, Block &e) {
        Value cache = e.getArgument(argIndex(op.getCache()));
        Value table = e.getArgument(argIndex(op.getBlockTable()));
        Value lens = e.getArgument(argIndex(op.getSeqLens()));
        Value out = e.getArgument(f.getNumArguments());
        auto [id, inside] = k.flatThread(n);
        k.ifThen(inside, [&] {
          SmallVector<Value> c = k.delinearize(id, {B, H, S, D / cw});
          Value col = k.mul(c[3], k.idx(cw));
          Value valid =
              k.cmpi(arith::CmpIPredicate::slt, c[2], k.loadIndex(lens, c[0]));
          auto sel = scf::IfOp::create(b, k.loc, TypeRange{vt}, valid, true);
          {
            OpBuilder::InsertionGuard g(b);
            b.setInsertionPointToStart(&sel.getThenRegion().front());
            Value blk = k.loadIndex(table, ValueRange{c[0], k.divu(c[2], bs)});
            blk = arith::MinSIOp::create(
                b, k.loc, arith::MaxSIOp::create(b, k.loc, blk, k.idx(0)),
                k.idx(numBlocks - 1));
            scf::YieldOp::create(
                b, k.loc,
                k.vload(vt, cache,
                        ValueRange{blk, k.remu(c[2], bs), c[1], col}));
            b.setInsertionPointToStart(&sel.getElseRegion().front());
            scf::YieldOp::create(
                b, k.loc,
                Value(arith::ConstantOp::create(
                    b, k.loc,
                    DenseElementsAttr::get(
                        vt, b.getZeroAttr(rT.getElementType())))));
          }
          k.vstore(sel.getResult(0), out, ValueRange{c[0], c[1], c[2], col});
        });
      })};
}

SmallVector<KernelLaunch> append(OpBuilder &b, KVAppendOp op, func::FuncOp f,
                                 ArrayRef<Type> params, int64_t &workspace) {
  auto uT = cast<RankedTensorType>(op.getUpdate().getType());
  auto cT = cast<RankedTensorType>(op.getCache().getType());
  int64_t T = uT.getDimSize(0), H = uT.getDimSize(1), D = uT.getDimSize(2);
  int64_t numBlocks = cT.getDimSize(0), bs = cT.getDimSize(1);
  int64_t cw = chunkElements(uT.getElementType(), D);
  auto vt = VectorType::get({cw}, uT.getElementType());
  workspace = std::max<int64_t>(T, 1) * 4;
  SmallVector<Type> withWorkspace(params);
  withWorkspace.push_back(
      MemRefType::get({std::max<int64_t>(T, 1)}, b.getF32Type()));
  Location loc = op.getLoc();
  int64_t copyN = numBlocks * bs * H * (D / cw), tokensHD = T * H * (D / cw);
  auto cacheOf = [&](Block &e) {
    return e.getArgument(argIndex(op.getCache()));
  };
  auto resultOf = [&](Block &e) { return e.getArgument(f.getNumArguments()); };
  auto wsOf = [&](Block &e) { return e.getArgument(withWorkspace.size() - 1); };
  SmallVector<KernelLaunch> launches;
  // The cache's contents carry over, unless the result is the cache.
  launches.push_back(kernel(
      b, loc, f.getName(), withWorkspace, copyN, [&](KVKernel &k, Block &e) {
        Value cache = cacheOf(e), out = resultOf(e);
        auto [id, inside] = k.flatThread(copyN);
        Value distinct =
            k.cmpi(arith::CmpIPredicate::ne, k.address(cache), k.address(out));
        k.ifThen(k.both(inside, distinct), [&] {
          SmallVector<Value> c = k.delinearize(id, {numBlocks, bs, H, D / cw});
          c[3] = k.mul(c[3], k.idx(cw));
          k.vstore(k.vload(vt, cache, c), out, c);
        });
      }));
  // Token t is written unless its slot is negative, past the cache, or
  // named again by a later token.
  launches.push_back(kernel(
      b, loc, (f.getName() + "_last_writer").str(), withWorkspace, T,
      [&](KVKernel &k, Block &e) {
        Value slots = e.getArgument(argIndex(op.getSlots()));
        auto [t, inside] = k.flatThread(T);
        k.ifThen(inside, [&] {
          Value slot = k.loadIndex(slots, t);
          Value keep = k.both(
              k.cmpi(arith::CmpIPredicate::sge, slot, k.idx(0)),
              k.cmpi(arith::CmpIPredicate::slt, slot, k.idx(numBlocks * bs)));
          auto later = scf::ForOp::create(b, k.loc, k.add(t, k.idx(1)),
                                          k.idx(T), k.idx(1), ValueRange{keep});
          {
            OpBuilder::InsertionGuard g(b);
            b.setInsertionPointToStart(later.getBody());
            Value other = k.loadIndex(slots, later.getInductionVar());
            scf::YieldOp::create(
                b, k.loc,
                k.both(later.getRegionIterArgs()[0],
                       k.cmpi(arith::CmpIPredicate::ne, other, slot)));
          }
          Value flag = arith::SelectOp::create(b, k.loc, later.getResult(0),
                                               k.f32(1), k.f32(0));
          memref::StoreOp::create(b, k.loc, flag, wsOf(e), t);
        });
      }));
  launches.push_back(kernel(
      b, loc, (f.getName() + "_scatter").str(), withWorkspace, tokensHD,
      [&](KVKernel &k, Block &e) {
        Value update = e.getArgument(argIndex(op.getUpdate()));
        Value slots = e.getArgument(argIndex(op.getSlots()));
        Value out = resultOf(e);
        auto [id, inside] = k.flatThread(tokensHD);
        k.ifThen(inside, [&] {
          SmallVector<Value> c = k.delinearize(id, {T, H, D / cw});
          Value flag = memref::LoadOp::create(b, k.loc, wsOf(e), c[0]);
          Value write = arith::CmpFOp::create(
              b, k.loc, arith::CmpFPredicate::ONE, flag, k.f32(0));
          k.ifThen(write, [&] {
            Value slot = k.loadIndex(slots, c[0]);
            Value col = k.mul(c[2], k.idx(cw));
            k.vstore(k.vload(vt, update, ValueRange{c[0], c[1], col}), out,
                     ValueRange{k.divu(slot, bs), k.remu(slot, bs), c[1], col});
          });
        });
      }));
  return launches;
}

/// The quantized code of `x` for `scale` in `qType`: i8 rounds x / scale
/// to nearest-even and clamps it to +-127; f8E4M3FN converts it with
/// cvt.rn.satfinite (sm_89 and later).
Value quantizeValue(KVKernel &k, Value x, Value scale, Type qType) {
  OpBuilder &b = k.b;
  Location loc = k.loc;
  Value y = arith::DivFOp::create(b, loc, x, scale);
  if (qType.isInteger(8)) {
    Value r = math::RoundEvenOp::create(b, loc, y);
    r = arith::MinNumFOp::create(
        b, loc, arith::MaxNumFOp::create(b, loc, r, k.f32(-127)), k.f32(127));
    return arith::FPToSIOp::create(b, loc, b.getI8Type(), r);
  }
  // The pair's first value lands in the upper byte.
  Value pair = NVVM::ConvertF32x2ToF8x2Op::create(
      b, loc, b.getI16Type(), y, k.f32(0), NVVM::FPRoundingMode::RN,
      NVVM::SaturationMode::SATFINITE, /*relu=*/false, qType);
  Value hi = arith::ShRUIOp::create(
      b, loc, pair, arith::ConstantIntOp::create(b, loc, b.getI16Type(), 8));
  Value code = arith::TruncIOp::create(b, loc, b.getI8Type(), hi);
  return arith::BitcastOp::create(b, loc, qType, code);
}

/// absmax / qmax, or 1 for an all-zero group.
Value scaleOf(KVKernel &k, Value amax, Type qType) {
  OpBuilder &b = k.b;
  Value isZero = arith::CmpFOp::create(b, k.loc, arith::CmpFPredicate::OEQ,
                                       amax, k.f32(0));
  float qmax = qType.isInteger(8) ? 127 : 448;
  return arith::SelectOp::create(
      b, k.loc, isZero, k.f32(1),
      arith::DivFOp::create(b, k.loc, amax, k.f32(qmax)).getResult());
}

SmallVector<KernelLaunch> quantize(OpBuilder &b, KVQuantizeOp op,
                                   func::FuncOp f, ArrayRef<Type> params) {
  auto iT = cast<RankedTensorType>(op.getInput().getType());
  ArrayRef<int64_t> shape = iT.getShape();
  Type qType = getElementTypeOrSelf(op.getQ().getType());
  int64_t D = shape.back();
  Location loc = op.getLoc();
  if (op.getGranularity() == KVGranularity::per_channel) {
    // One thread per (leading..., d) column: consecutive threads read
    // consecutive channels of a token.
    int64_t S = shape[shape.size() - 2];
    int64_t columns = iT.getNumElements() / S;
    SmallVector<int64_t> colShape(shape.drop_back(2));
    colShape.push_back(D);
    return {kernel(
        b, loc, f.getName(), params, columns, [&](KVKernel &k, Block &e) {
          Value in = e.getArgument(argIndex(op.getInput()));
          Value q = e.getArgument(f.getNumArguments());
          Value scales = e.getArgument(f.getNumArguments() + 1);
          auto [col, inside] = k.flatThread(columns);
          k.ifThen(inside, [&] {
            SmallVector<Value> at = k.delinearize(col, colShape);
            auto element = [&](Value s) {
              SmallVector<Value> ids(ArrayRef(at).drop_back());
              ids.append({s, at.back()});
              return ids;
            };
            auto maxLoop = scf::ForOp::create(b, loc, k.idx(0), k.idx(S),
                                              k.idx(1), ValueRange{k.f32(0)});
            {
              OpBuilder::InsertionGuard g(b);
              b.setInsertionPointToStart(maxLoop.getBody());
              Value x = k.toF32(memref::LoadOp::create(
                  b, loc, in, element(maxLoop.getInductionVar())));
              scf::YieldOp::create(b, loc,
                                   Value(arith::MaxNumFOp::create(
                                       b, loc, maxLoop.getRegionIterArgs()[0],
                                       math::AbsFOp::create(b, loc, x))));
            }
            Value scale = scaleOf(k, maxLoop.getResult(0), qType);
            auto qLoop =
                scf::ForOp::create(b, loc, k.idx(0), k.idx(S), k.idx(1));
            {
              OpBuilder::InsertionGuard g(b);
              b.setInsertionPointToStart(qLoop.getBody());
              SmallVector<Value> ids = element(qLoop.getInductionVar());
              Value x = k.toF32(memref::LoadOp::create(b, loc, in, ids));
              memref::StoreOp::create(b, loc, quantizeValue(k, x, scale, qType),
                                      q, ids);
            }
            memref::StoreOp::create(b, loc, scale, scales, at);
          });
        })};
  }
  int64_t rows = iT.getNumElements() / D;
  constexpr int64_t kRowsPerBlock = kThreads / 32;
  KernelLaunch l =
      kernel(b, loc, f.getName(), params, 0, [&](KVKernel &k, Block &e) {
        Value in = e.getArgument(argIndex(op.getInput()));
        Value q = e.getArgument(f.getNumArguments());
        Value scales = e.getArgument(f.getNumArguments() + 1);
        Value tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
        Value lane = k.remu(tid, 32);
        Value row =
            k.add(k.mul(gpu::BlockIdOp::create(b, loc, gpu::Dimension::x),
                        k.idx(kRowsPerBlock)),
                  k.divu(tid, 32));
        k.ifThen(k.lt(row, k.idx(rows)), [&] {
          SmallVector<Value> lead = k.delinearize(row, shape.drop_back());
          auto at = [&](Value d) {
            SmallVector<Value> ids(lead);
            ids.push_back(d);
            return ids;
          };
          // |x| max over the lane's columns, then across the warp.
          auto maxLoop = scf::ForOp::create(b, loc, lane, k.idx(D), k.idx(32),
                                            ValueRange{k.f32(0)});
          {
            OpBuilder::InsertionGuard g(b);
            b.setInsertionPointToStart(maxLoop.getBody());
            Value x = k.toF32(memref::LoadOp::create(
                b, loc, in, at(maxLoop.getInductionVar())));
            scf::YieldOp::create(b, loc,
                                 Value(arith::MaxNumFOp::create(
                                     b, loc, maxLoop.getRegionIterArgs()[0],
                                     math::AbsFOp::create(b, loc, x))));
          }
          Value amax = maxLoop.getResult(0);
          for (int32_t offset : {1, 2, 4, 8, 16})
            amax = arith::MaxNumFOp::create(
                b, loc, amax,
                gpu::ShuffleOp::create(
                    b, loc, amax,
                    arith::ConstantIntOp::create(b, loc, offset, 32),
                    arith::ConstantIntOp::create(b, loc, 32, 32),
                    gpu::ShuffleMode::XOR)
                    .getShuffleResult());
          Value scale = scaleOf(k, amax, qType);
          auto qLoop = scf::ForOp::create(b, loc, lane, k.idx(D), k.idx(32));
          {
            OpBuilder::InsertionGuard g(b);
            b.setInsertionPointToStart(qLoop.getBody());
            Value d = qLoop.getInductionVar();
            Value x = k.toF32(memref::LoadOp::create(b, loc, in, at(d)));
            memref::StoreOp::create(b, loc, quantizeValue(k, x, scale, qType),
                                    q, at(d));
          }
          k.ifThen(k.cmpi(arith::CmpIPredicate::eq, lane, k.idx(0)), [&] {
            memref::StoreOp::create(b, loc, scale, scales, lead);
          });
        });
      });
  l.grid = {blocksFor(rows * 32), 1, 1};
  return {l};
}
} // namespace

std::string mlir::sinter::gpu_kernels::unsupportedKVCache(Operation *op,
                                                          bool hasFp8) {
  for (Value v : op->getOperands())
    if (!cast<RankedTensorType>(v.getType()).hasStaticShape())
      return "dynamic shapes are not supported";
  if (auto q = dyn_cast<KVQuantizeOp>(op)) {
    if (!getElementTypeOrSelf(q.getQ().getType()).isInteger(8) && !hasFp8)
      return "fp8 quantization needs sm_89 or later (cvt to e4m3)";
    Type in = getElementTypeOrSelf(q.getInput().getType());
    if (!isa<FloatType>(in))
      return "the input must be floating point";
  }
  if (auto a = dyn_cast<KVAppendOp>(op)) {
    if (getElementTypeOrSelf(a.getUpdate().getType()) !=
        getElementTypeOrSelf(a.getCache().getType()))
      return "the update and the cache must have one element type";
  }
  return "";
}

SmallVector<KernelLaunch> mlir::sinter::gpu_kernels::createKVCacheKernels(
    OpBuilder &b, Operation *op, func::FuncOp f, ArrayRef<Type> params,
    int64_t &workspaceBytes) {
  workspaceBytes = 0;
  if (auto g = dyn_cast<KVGatherOp>(op))
    return gather(b, g, f, params);
  if (auto a = dyn_cast<KVAppendOp>(op))
    return append(b, a, f, params, workspaceBytes);
  return quantize(b, cast<KVQuantizeOp>(op), f, params);
}
