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
//   kv.evict     one block per (sequence, head): classify, rank the
//                candidates, scan the keep flags, copy the kept rows (see
//                evict()).
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
        k.ifThen(k.andi(inside, distinct), [&] {
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
          Value keep = k.andi(
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
                k.andi(later.getRegionIterArgs()[0],
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

/// The largest |element(i)| for i = lo, lo + step, ... < hi (0 if none).
Value absMax(KVKernel &k, Value lo, Value hi, Value step,
             llvm::function_ref<Value(Value)> element) {
  OpBuilder &b = k.b;
  auto loop = scf::ForOp::create(b, k.loc, lo, hi, step, ValueRange{k.f32(0)});
  OpBuilder::InsertionGuard g(b);
  b.setInsertionPointToStart(loop.getBody());
  Value x = k.toF32(element(loop.getInductionVar()));
  scf::YieldOp::create(
      b, k.loc,
      Value(arith::MaxNumFOp::create(b, k.loc, loop.getRegionIterArgs()[0],
                                     math::AbsFOp::create(b, k.loc, x))));
  return loop.getResult(0);
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
            Value amax =
                absMax(k, k.idx(0), k.idx(S), k.idx(1), [&](Value s) -> Value {
                  return memref::LoadOp::create(b, loc, in, element(s));
                });
            Value scale = scaleOf(k, amax, qType);
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
          Value amax = k.xorReduce(
              absMax(k, lane, k.idx(D), k.idx(32),
                     [&](Value d) -> Value {
                       return memref::LoadOp::create(b, loc, in, at(d));
                     }),
              {1, 2, 4, 8, 16}, [&](Value x, Value y) -> Value {
                return arith::MaxNumFOp::create(b, loc, x, y);
              });
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

/// Bytes of dynamic shared memory the evict kernel needs: per token its
/// score, class and keep flag, per slot its position, per thread a count,
/// and two counters.
int64_t evictSharedBytes(KVEvictOp op) {
  auto kT = cast<RankedTensorType>(op.getKey().getType());
  auto cT = cast<RankedTensorType>(op.getKeyInit().getType());
  return 12 * kT.getDimSize(2) + 4 * cT.getDimSize(2) + 4 * kThreads + 8;
}

/// kv.evict: one block per (sequence, head). Each thread classifies tokens
/// p = tid, tid + 256, ... (forced: a sink or in the recent window;
/// candidate: the policy may keep it) into shared memory; a candidate's
/// rank counts the candidates that beat it (a higher score, or an equal
/// one earlier), and it is kept while the rank is within the budget left
/// by the forced tokens. The kept tokens' slots come from a scan of the
/// keep flags (each thread a contiguous segment), and the block then
/// copies their K and V rows, 16 bytes per thread at a time.
SmallVector<KernelLaunch> evict(OpBuilder &b, KVEvictOp op, func::FuncOp f,
                                ArrayRef<Type> params) {
  auto kT = cast<RankedTensorType>(op.getKey().getType());
  auto vT = cast<RankedTensorType>(op.getValue().getType());
  auto cT = cast<RankedTensorType>(op.getKeyInit().getType());
  int64_t B = kT.getDimSize(0), H = kT.getDimSize(1), S = kT.getDimSize(2);
  int64_t C = cT.getDimSize(2);
  int64_t sinks = op.getSinks(), window = op.getWindow();
  EvictPolicy policy = op.getPolicy();
  Location loc = op.getLoc();
  int64_t segment = llvm::divideCeil(S, kThreads);
  KernelLaunch l =
      kernel(b, loc, f.getName(), params, 0, [&](KVKernel &k, Block &e) {
        unsigned nArgs = f.getNumArguments();
        Value key = e.getArgument(argIndex(op.getKey()));
        Value value = e.getArgument(argIndex(op.getValue()));
        Value lens = e.getArgument(argIndex(op.getSeqLens()));
        Value scores =
            op.getScores() ? e.getArgument(argIndex(op.getScores())) : Value();
        Value keyOut = e.getArgument(nArgs),
              valueOut = e.getArgument(nArgs + 1);
        Value keptOut = e.getArgument(nArgs + 2),
              countOut = e.getArgument(nArgs + 3);
        Value tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
        Value bh = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
        Value bIdx = k.divu(bh, H), hIdx = k.remu(bh, H);
        auto wg = gpu::AddressSpaceAttr::get(b.getContext(),
                                             gpu::AddressSpace::Workgroup);
        Value dyn = gpu::DynamicSharedMemoryOp::create(
            b, loc,
            MemRefType::get({ShapedType::kDynamic}, b.getI8Type(),
                            MemRefLayoutAttrInterface{}, wg));
        int64_t at = 0;
        auto view = [&](int64_t n, Type t) {
          Value v = memref::ViewOp::create(
              b, loc, MemRefType::get({n}, t, MemRefLayoutAttrInterface{}, wg),
              dyn, k.idx(at), ValueRange{});
          at += n * 4;
          return v;
        };
        Type i32 = b.getI32Type();
        Value score = view(S, b.getF32Type()), cls = view(S, i32),
              keep = view(S, i32), slot = view(C, i32),
              seg = view(kThreads, i32), counters = view(2, i32);
        auto c32 = [&](int64_t v) {
          return arith::ConstantIntOp::create(b, loc, i32, v).getResult();
        };
        auto load = [&](Value m, Value i) {
          return memref::LoadOp::create(b, loc, m, ValueRange{i}).getResult();
        };
        auto store = [&](Value v, Value m, Value i) {
          memref::StoreOp::create(b, loc, v, m, ValueRange{i});
        };
        auto slt = [&](Value x, Value y) {
          return k.cmpi(arith::CmpIPredicate::slt, x, y);
        };
        auto isEq = [&](Value x, Value y) {
          return k.cmpi(arith::CmpIPredicate::eq, x, y);
        };
        // p = tid, tid + 256, ... < S.
        auto forTokens = [&](llvm::function_ref<void(Value)> body) {
          auto loop =
              scf::ForOp::create(b, loc, tid, k.idx(S), k.idx(kThreads));
          OpBuilder::InsertionGuard g(b);
          b.setInsertionPointToStart(loop.getBody());
          body(loop.getInductionVar());
        };
        auto barrier = [&] { gpu::BarrierOp::create(b, loc); };
        Value first = isEq(tid, k.idx(0));
        k.ifThen(first, [&] { store(c32(0), counters, k.idx(0)); });
        barrier();
        Value len = k.loadIndex(lens, ValueRange{bIdx});
        enum : int64_t { kDrop = 0, kCandidate = 1, kForced = 2 };
        forTokens([&](Value p) {
          Value valid = slt(p, len);
          Value forced = k.andi(
              valid,
              arith::OrIOp::create(b, loc, slt(p, k.idx(sinks)),
                                   k.cmpi(arith::CmpIPredicate::sle,
                                          k.sub(len, p), k.idx(window))));
          Value candidate = arith::ConstantIntOp::create(b, loc, 0, 1);
          Value sc = k.f32(0);
          if (scores) {
            auto sT = cast<MemRefType>(scores.getType());
            Value h = sT.getDimSize(1) == 1 ? k.idx(0) : hIdx;
            sc = k.toF32(
                memref::LoadOp::create(b, loc, scores, ValueRange{bIdx, h, p}));
            Value notForced = arith::XOrIOp::create(
                b, loc, forced, arith::ConstantIntOp::create(b, loc, 1, 1));
            candidate = k.andi(valid, notForced);
            if (policy == EvictPolicy::retention) {
              // decay^age as 2^(age log2 decay).
              Value age = arith::SIToFPOp::create(
                  b, loc, b.getF32Type(),
                  arith::IndexCastOp::create(b, loc, b.getI64Type(),
                                             k.sub(k.sub(len, k.idx(1)), p)));
              float l2 = std::log2(op.getDecay()->convertToFloat());
              sc = arith::MulFOp::create(
                  b, loc, sc,
                  k.exp2(arith::MulFOp::create(b, loc, age, k.f32(l2))));
              candidate = k.andi(
                  candidate, arith::CmpFOp::create(
                                 b, loc, arith::CmpFPredicate::OGE, sc,
                                 k.f32(op.getThreshold()->convertToFloat())));
            }
          }
          Value c = arith::SelectOp::create(
              b, loc, forced, c32(kForced),
              arith::SelectOp::create(b, loc, candidate, c32(kCandidate),
                                      c32(kDrop)));
          store(c, cls, p);
          store(sc, score, p);
          k.ifThen(forced, [&] {
            memref::AtomicRMWOp::create(b, loc, arith::AtomicRMWKind::addi,
                                        c32(1), counters, ValueRange{k.idx(0)});
          });
        });
        barrier();
        Value budget =
            arith::SubIOp::create(b, loc, c32(C), load(counters, k.idx(0)));
        forTokens([&](Value p) {
          Value c = load(cls, p);
          Value sp = load(score, p);
          auto ifCand =
              scf::IfOp::create(b, loc, TypeRange{i32},
                                isEq(c, c32(kCandidate)), /*withElse=*/true);
          {
            OpBuilder::InsertionGuard g(b);
            b.setInsertionPointToStart(&ifCand.getThenRegion().front());
            auto rankLoop = scf::ForOp::create(b, loc, k.idx(0), k.idx(S),
                                               k.idx(1), ValueRange{c32(0)});
            {
              OpBuilder::InsertionGuard g2(b);
              b.setInsertionPointToStart(rankLoop.getBody());
              Value q = rankLoop.getInductionVar();
              Value sq = load(score, q);
              Value better = arith::OrIOp::create(
                  b, loc,
                  arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, sq,
                                        sp),
                  k.andi(arith::CmpFOp::create(
                             b, loc, arith::CmpFPredicate::OEQ, sq, sp),
                         k.lt(q, p)));
              Value beats = k.andi(isEq(load(cls, q), c32(kCandidate)), better);
              Value r = rankLoop.getRegionIterArgs()[0];
              scf::YieldOp::create(
                  b, loc,
                  Value(arith::SelectOp::create(
                      b, loc, beats, arith::AddIOp::create(b, loc, r, c32(1)),
                      r)));
            }
            Value chosen = k.cmpi(arith::CmpIPredicate::slt,
                                  rankLoop.getResult(0), budget);
            scf::YieldOp::create(
                b, loc, Value(arith::ExtUIOp::create(b, loc, i32, chosen)));
            b.setInsertionPointToStart(&ifCand.getElseRegion().front());
            scf::YieldOp::create(b, loc,
                                 Value(arith::ExtUIOp::create(
                                     b, loc, i32, isEq(c, c32(kForced)))));
          }
          store(ifCand.getResult(0), keep, p);
        });
        barrier();
        // Keep flags of the thread's segment [tid L, tid L + L).
        Value segStart = k.mul(tid, k.idx(segment));
        Value segEnd = arith::MinUIOp::create(
            b, loc, k.add(segStart, k.idx(segment)), k.idx(S));
        auto countLoop = scf::ForOp::create(b, loc, segStart, segEnd, k.idx(1),
                                            ValueRange{c32(0)});
        {
          OpBuilder::InsertionGuard g(b);
          b.setInsertionPointToStart(countLoop.getBody());
          scf::YieldOp::create(b, loc,
                               Value(arith::AddIOp::create(
                                   b, loc, countLoop.getRegionIterArgs()[0],
                                   load(keep, countLoop.getInductionVar()))));
        }
        store(countLoop.getResult(0), seg, tid);
        barrier();
        k.ifThen(first, [&] {
          auto scan = scf::ForOp::create(b, loc, k.idx(0), k.idx(kThreads),
                                         k.idx(1), ValueRange{c32(0)});
          {
            OpBuilder::InsertionGuard g(b);
            b.setInsertionPointToStart(scan.getBody());
            Value t = scan.getInductionVar();
            Value run = scan.getRegionIterArgs()[0];
            Value n = load(seg, t);
            store(run, seg, t);
            scf::YieldOp::create(b, loc,
                                 Value(arith::AddIOp::create(b, loc, run, n)));
          }
          store(scan.getResult(0), counters, k.idx(1));
        });
        barrier();
        auto placeLoop = scf::ForOp::create(b, loc, segStart, segEnd, k.idx(1),
                                            ValueRange{load(seg, tid)});
        {
          OpBuilder::InsertionGuard g(b);
          b.setInsertionPointToStart(placeLoop.getBody());
          Value p = placeLoop.getInductionVar();
          Value d = placeLoop.getRegionIterArgs()[0];
          Value kept = isEq(load(keep, p), c32(1));
          k.ifThen(kept, [&] {
            store(arith::IndexCastOp::create(b, loc, i32, p), slot,
                  arith::IndexCastOp::create(b, loc, b.getIndexType(), d));
          });
          scf::YieldOp::create(
              b, loc,
              Value(arith::AddIOp::create(
                  b, loc, d, arith::ExtUIOp::create(b, loc, i32, kept))));
        }
        barrier();
        Value total = load(counters, k.idx(1));
        Value totalIdx =
            arith::IndexCastOp::create(b, loc, b.getIndexType(), total);
        Type countElem = cast<MemRefType>(countOut.getType()).getElementType();
        Type posElem = cast<MemRefType>(keptOut.getType()).getElementType();
        auto toInt = [&](Value v, Type t) -> Value {
          unsigned w = t.getIntOrFloatBitWidth();
          if (w == 32)
            return v;
          return w > 32 ? arith::ExtSIOp::create(b, loc, t, v).getResult()
                        : arith::TruncIOp::create(b, loc, t, v).getResult();
        };
        k.ifThen(first, [&] {
          memref::StoreOp::create(b, loc, toInt(total, countElem), countOut,
                                  ValueRange{bIdx, hIdx});
        });
        // Kept positions, -1 past the count.
        auto posLoop =
            scf::ForOp::create(b, loc, tid, k.idx(C), k.idx(kThreads));
        {
          OpBuilder::InsertionGuard g(b);
          b.setInsertionPointToStart(posLoop.getBody());
          Value c = posLoop.getInductionVar();
          Value inside = k.lt(c, totalIdx);
          auto v = scf::IfOp::create(b, loc, TypeRange{i32}, inside, true);
          {
            OpBuilder::InsertionGuard g2(b);
            b.setInsertionPointToStart(&v.getThenRegion().front());
            scf::YieldOp::create(b, loc, load(slot, c));
            b.setInsertionPointToStart(&v.getElseRegion().front());
            scf::YieldOp::create(b, loc, c32(-1));
          }
          memref::StoreOp::create(b, loc, toInt(v.getResult(0), posElem),
                                  keptOut, ValueRange{bIdx, hIdx, c});
        }
        // The kept rows, zeros past the count.
        for (auto [src, dst] :
             {std::make_pair(key, keyOut), std::make_pair(value, valueOut)}) {
          auto t = cast<MemRefType>(src.getType());
          int64_t D = t.getDimSize(3);
          int64_t cw = chunkElements(t.getElementType(), D);
          auto vt = VectorType::get({cw}, t.getElementType());
          auto copy = scf::ForOp::create(b, loc, tid, k.idx(C * (D / cw)),
                                         k.idx(kThreads));
          OpBuilder::InsertionGuard g(b);
          b.setInsertionPointToStart(copy.getBody());
          Value i = copy.getInductionVar();
          Value c = k.divu(i, D / cw), d = k.mul(k.remu(i, D / cw), k.idx(cw));
          auto v =
              scf::IfOp::create(b, loc, TypeRange{vt}, k.lt(c, totalIdx), true);
          {
            OpBuilder::InsertionGuard g2(b);
            b.setInsertionPointToStart(&v.getThenRegion().front());
            Value pos = arith::IndexCastOp::create(b, loc, b.getIndexType(),
                                                   load(slot, c));
            scf::YieldOp::create(
                b, loc, k.vload(vt, src, ValueRange{bIdx, hIdx, pos, d}));
            b.setInsertionPointToStart(&v.getElseRegion().front());
            scf::YieldOp::create(
                b, loc,
                Value(arith::ConstantOp::create(
                    b, loc,
                    DenseElementsAttr::get(
                        vt, b.getZeroAttr(t.getElementType())))));
          }
          k.vstore(v.getResult(0), dst, ValueRange{bIdx, hIdx, c, d});
        }
        (void)vT;
      });
  l.grid = {B * H, 1, 1};
  l.sharedBytes = evictSharedBytes(op);
  return {l};
}
} // namespace

std::string
mlir::sinter::gpu_kernels::unsupportedKVCache(Operation *op,
                                              const GPUResources &resources) {
  for (Value v : op->getOperands())
    if (!cast<RankedTensorType>(v.getType()).hasStaticShape())
      return "dynamic shapes are not supported";
  if (auto q = dyn_cast<KVQuantizeOp>(op)) {
    if (!getElementTypeOrSelf(q.getQ().getType()).isInteger(8) &&
        !resources.hopper)
      return "fp8 quantization needs sm_89 or later (cvt to e4m3)";
    Type in = getElementTypeOrSelf(q.getInput().getType());
    if (!isa<FloatType>(in))
      return "the input must be floating point";
  }
  if (auto e = dyn_cast<KVEvictOp>(op)) {
    int64_t need = evictSharedBytes(e);
    if (need > resources.sharedBytesPerSM)
      return "the evict kernel keeps a head's scores, classes and slots in "
             "shared memory: " +
             std::to_string(need) + " bytes for these shapes, the SM has " +
             std::to_string(resources.sharedBytesPerSM);
  }
  if (auto a = dyn_cast<KVAppendOp>(op)) {
    if (getElementTypeOrSelf(a.getUpdate().getType()) !=
        getElementTypeOrSelf(a.getCache().getType()))
      return "the update and the cache must have one element type";
  }
  return "";
}

KernelPlan mlir::sinter::gpu_kernels::createKVCacheKernels(
    OpBuilder &b, Operation *op, func::FuncOp f, ArrayRef<Type> params,
    const GPUResources &gpu) {
  KernelPlan plan;
  if (auto g = dyn_cast<KVGatherOp>(op))
    plan.launches = gather(b, g, f, params);
  else if (auto a = dyn_cast<KVAppendOp>(op))
    plan.launches = append(b, a, f, params, plan.workspaceBytes);
  else if (auto e = dyn_cast<KVEvictOp>(op))
    plan.launches = evict(b, e, f, params);
  else
    plan.launches = quantize(b, cast<KVQuantizeOp>(op), f, params);
  return plan;
}
