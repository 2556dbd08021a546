//===- NPUSim.cpp - The NPU kernel API, simulated ------------------------===//
#include "sinter/npu/npu_sim.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <sstream>
#include <stdexcept>

using namespace sinter::npu;

namespace {
[[noreturn]] void fail(const std::string &msg) {
  throw std::runtime_error("npu sim: " + msg);
}
} // namespace

const char *sinter::npu::name(Pipe p) {
  static const char *names[] = {"MTE2", "MTE1", "M", "FIX", "V", "MTE3"};
  return names[int(p)];
}
const char *sinter::npu::name(Space s) {
  static const char *names[] = {"global", "l1", "l0a", "l0b", "l0c", "ub"};
  return names[int(s)];
}
int sinter::npu::bits(DType t) {
  switch (t) {
  case DType::F16:
  case DType::BF16:
    return 16;
  case DType::F32:
  case DType::I32:
    return 32;
  case DType::I64:
    return 64;
  case DType::I8:
  case DType::I1:
    return 8;
  case DType::I4:
    return 4;
  }
  return 0;
}

int64_t Tile::bytes() const {
  int64_t elements = rows ? (rows - 1) * stride() + cols : 0;
  return (elements * bits(dtype) + 7) / 8;
}

Tile Tile::slice(int64_t r0, int64_t c0, int64_t r, int64_t c) const {
  if (r0 < 0 || c0 < 0 || r0 + r > rows || c0 + c > cols)
    fail("a slice outside its tile");
  if (bits(dtype) < 8 && (c0 * bits(dtype)) % 8)
    fail("a slice of sub-byte elements must start on a byte");
  Tile t = *this;
  t.rows = r;
  t.cols = c;
  t.rowStride = stride();
  t.offset = offset + (r0 * stride() + c0) * bits(dtype) / 8;
  return t;
}

// The npu-910 target description (lib/Dialect/Sinter/IR/TargetPresets.cpp)
// per core at 1 GHz: 32 cores share 1200 GB/s of HBM; the per-core levels'
// bandwidths are the chip's aggregate over 32 cores; f16 cube 256 TFLOP/s
// (4000 MACs per cycle per core), f16 vector 8 TFLOP/s.
Config Config::npu910() {
  Config c;
  c.clockGHz = 1.0;
  c.capacity[int(Space::Global)] = 0;
  c.capacity[int(Space::L1)] = 1 << 20;
  c.capacity[int(Space::L0A)] = 64 << 10;
  c.capacity[int(Space::L0B)] = 64 << 10;
  c.capacity[int(Space::L0C)] = 256 << 10;
  c.capacity[int(Space::UB)] = 256 << 10;
  c.gmBytesPerCycle = 1200.0 / 32;
  c.l1BytesPerCycle = 32000.0 / 32;
  c.localBytesPerCycle = 16000.0 / 32;
  c.cubeMacsPerCycle = 256000.0 / 32 / 2;
  c.vectorBytesPerCycle = 8000.0 / 32 * 2;
  c.dmaLatency = 100;
  c.cubeLatency = 20;
  c.vectorLatency = 10;
  c.dmaQueueDepth = 4;
  return c;
}

//===----------------------------------------------------------------------===//
// Numbers
//===----------------------------------------------------------------------===//

float sinter::npu::halfToFloat(uint16_t h) {
  uint32_t sign = uint32_t(h >> 15) << 31, exp = (h >> 10) & 0x1f,
           mant = h & 0x3ff;
  uint32_t bitsOut;
  if (exp == 0) {
    if (mant == 0) {
      bitsOut = sign;
    } else { // subnormal: normalize
      exp = 127 - 15 + 1;
      while (!(mant & 0x400)) {
        mant <<= 1;
        --exp;
      }
      bitsOut = sign | (exp << 23) | ((mant & 0x3ff) << 13);
    }
  } else if (exp == 31) {
    bitsOut = sign | 0x7f800000 | (mant << 13);
  } else {
    bitsOut = sign | ((exp - 15 + 127) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bitsOut, 4);
  return f;
}

uint16_t sinter::npu::floatToHalf(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  uint32_t sign = (x >> 16) & 0x8000;
  int32_t exp = int32_t((x >> 23) & 0xff) - 127 + 15;
  uint32_t mant = x & 0x7fffff;
  if (((x >> 23) & 0xff) == 0xff) // inf / nan
    return uint16_t(sign | 0x7c00 | (mant ? 0x200 : 0));
  if (exp >= 31)
    return uint16_t(sign | 0x7c00);
  if (exp <= 0) { // subnormal or zero
    if (exp < -10)
      return uint16_t(sign);
    mant |= 0x800000;
    int shift = 14 - exp;
    uint32_t half = mant >> shift, rest = mant & ((1u << shift) - 1),
             mid = 1u << (shift - 1);
    if (rest > mid || (rest == mid && (half & 1)))
      ++half;
    return uint16_t(sign | half);
  }
  uint32_t half = (uint32_t(exp) << 10) | (mant >> 13);
  uint32_t rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest == 0x1000 && (half & 1)))
    ++half; // may carry into the exponent, up to inf: correct
  return uint16_t(sign | half);
}

float sinter::npu::bf16ToFloat(uint16_t h) {
  uint32_t x = uint32_t(h) << 16;
  float f;
  std::memcpy(&f, &x, 4);
  return f;
}

uint16_t sinter::npu::floatToBf16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  if ((x & 0x7fffffff) > 0x7f800000)
    return uint16_t((x >> 16) | 0x40);
  x += 0x7fff + ((x >> 16) & 1);
  return uint16_t(x >> 16);
}

//===----------------------------------------------------------------------===//
// Core
//===----------------------------------------------------------------------===//

Core::Core(const Config &config, int64_t coreId, int64_t numCores)
    : coreId(coreId), numCores(numCores), cfg(config) {
  for (int s = 1; s < kNumSpaces; ++s)
    pads[s].assign(cfg.capacity[s], 0);
}

bool Core::functional() const { return cfg.functional; }

int Core::global(int64_t bytes) {
  // Timing only: no storage, just the size.
  owned.emplace_back(cfg.functional ? bytes : 0, 0);
  external.push_back(nullptr);
  globalBytes.push_back(bytes);
  return int(owned.size()) - 1;
}

int Core::attach(void *data, int64_t bytes) {
  if (!data && cfg.functional && bytes)
    fail("attach: a null buffer in a functional run");
  owned.emplace_back();
  external.push_back(static_cast<uint8_t *>(data));
  globalBytes.push_back(bytes);
  return int(owned.size()) - 1;
}

Tile Core::globalTile(int buffer, DType t, int64_t rows, int64_t cols,
                      int64_t offset) const {
  Tile tile{Space::Global, t, rows, cols, offset, Layout::ND, buffer};
  if (buffer < 0 || buffer >= int(globalBytes.size()) ||
      offset + tile.bytes() > globalBytes[buffer])
    fail("a global tile past its buffer");
  return tile;
}

Tile Core::local(Space s, DType t, int64_t rows, int64_t cols, int64_t offset,
                 Layout l) const {
  if (s == Space::Global)
    fail("local() takes a scratchpad, not global memory");
  Tile tile{s, t, rows, cols, offset, l, -1};
  if (offset < 0 || offset + tile.bytes() > cfg.capacity[int(s)])
    fail(std::string("a ") + std::to_string(tile.bytes()) + "-byte tile at " +
         std::to_string(offset) + " does not fit " + name(s) + " (" +
         std::to_string(cfg.capacity[int(s)]) + " bytes)");
  if (l == Layout::NZ && (rows % 16 || cols % 16))
    fail("an NZ tile must be whole 16 x 16 fractals");
  return tile;
}

uint8_t *Core::bytesOf(const Tile &t) {
  if (t.space != Space::Global)
    return pads[int(t.space)].data() + t.offset;
  uint8_t *base =
      external[t.buffer] ? external[t.buffer] : owned[t.buffer].data();
  return base + t.offset;
}
const uint8_t *Core::bytesOf(const Tile &t) const {
  return const_cast<Core *>(this)->bytesOf(t);
}

double Core::getExact(const Tile &t, int64_t r, int64_t c) const {
  const uint8_t *p = bytesOf(t);
  int64_t e = r * t.stride() + c;
  switch (t.dtype) {
  case DType::F16:
  case DType::BF16: {
    uint16_t h;
    std::memcpy(&h, p + 2 * e, 2);
    return t.dtype == DType::F16 ? halfToFloat(h) : bf16ToFloat(h);
  }
  case DType::F32: {
    float f;
    std::memcpy(&f, p + 4 * e, 4);
    return f;
  }
  case DType::I32: {
    int32_t i;
    std::memcpy(&i, p + 4 * e, 4);
    return i;
  }
  case DType::I64: {
    int64_t i;
    std::memcpy(&i, p + 8 * e, 8);
    return double(i);
  }
  case DType::I8:
    return int8_t(p[e]);
  case DType::I1:
    return p[e] != 0;
  case DType::I4: {
    int v = (p[e / 2] >> (4 * (e % 2))) & 0xf;
    return v >= 8 ? v - 16 : v;
  }
  }
  return 0;
}

void Core::setExact(const Tile &t, int64_t r, int64_t c, double v) {
  uint8_t *p = bytesOf(t);
  int64_t e = r * t.stride() + c;
  switch (t.dtype) {
  case DType::F16:
  case DType::BF16: {
    uint16_t h =
        t.dtype == DType::F16 ? floatToHalf(float(v)) : floatToBf16(float(v));
    std::memcpy(p + 2 * e, &h, 2);
    return;
  }
  case DType::F32: {
    float f = float(v);
    std::memcpy(p + 4 * e, &f, 4);
    return;
  }
  case DType::I32: {
    int32_t i = int32_t(int64_t(std::nearbyint(v)));
    std::memcpy(p + 4 * e, &i, 4);
    return;
  }
  case DType::I64: {
    int64_t i = int64_t(std::nearbyint(v));
    std::memcpy(p + 8 * e, &i, 8);
    return;
  }
  case DType::I8:
    p[e] = uint8_t(int8_t(std::nearbyint(v)));
    return;
  case DType::I1:
    p[e] = v != 0;
    return;
  case DType::I4: {
    int q = int(std::nearbyint(v)) & 0xf;
    uint8_t &byte = p[e / 2];
    byte = uint8_t((byte & ~(0xf << (4 * (e % 2)))) | (q << (4 * (e % 2))));
    return;
  }
  }
}

float Core::get(const Tile &t, int64_t r, int64_t c) const {
  return float(getExact(t, r, c));
}

void Core::set(const Tile &t, int64_t r, int64_t c, float v) {
  setExact(t, r, c, v);
}

double Core::readValue(const Tile &t, int64_t r, int64_t c) const {
  if (t.space != Space::Global)
    fail("readValue reads global memory");
  if (r < 0 || c < 0 || r >= t.rows || c >= t.cols)
    fail("readValue outside its tile (a gather's index out of range)");
  return getExact(t, r, c);
}

int64_t Core::readIndex(const Tile &t, int64_t r, int64_t c) const {
  if (t.space != Space::Global)
    fail("readIndex reads global memory");
  if (r < 0 || c < 0 || r >= t.rows || c >= t.cols)
    fail("readIndex outside its tile");
  const uint8_t *p = bytesOf(t);
  int64_t e = r * t.stride() + c;
  switch (t.dtype) {
  case DType::I8:
    return int8_t(p[e]);
  case DType::I32: {
    int32_t i;
    std::memcpy(&i, p + 4 * e, 4);
    return i;
  }
  case DType::I64: {
    int64_t i;
    std::memcpy(&i, p + 8 * e, 8);
    return i;
  }
  default:
    fail("readIndex reads i8, i32 or i64 tiles");
  }
  return 0;
}

void Core::fillUniform(const Tile &t, uint32_t seed, float lo, float hi) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(lo, hi);
  for (int64_t r = 0; r < t.rows; ++r)
    for (int64_t c = 0; c < t.cols; ++c)
      set(t, r, c, u(rng));
}

void Core::run(const std::string &what, Pipe pipe, int64_t cycles,
               const std::vector<const Tile *> &reads,
               const std::vector<const Tile *> &writes, int64_t bytes,
               int64_t latency) {
  int64_t start = clock[int(pipe)];
  // A full DMA queue waits for its oldest copy.
  std::vector<int64_t> &queue = inFlight[int(pipe)];
  bool queued = latency && cfg.dmaQueueDepth > 1;
  if (queued && int64_t(queue.size()) >= cfg.dmaQueueDepth) {
    start = std::max(start, queue.front());
    queue.erase(queue.begin());
  }
  int64_t end = start + cycles;
  auto check = [&](const Tile *t, bool write) {
    int64_t lo = t->offset, hi = t->offset + t->bytes();
    for (const Access &a : accesses)
      if (a.pipe != pipe && a.space == t->space && a.buffer == t->buffer &&
          a.lo < hi && lo < a.hi && (a.write || write) && a.end > start)
        hazardList.push_back(
            what + " on " + name(pipe) + " at cycle " + std::to_string(start) +
            " " + (write ? "writes" : "reads") + " " + name(t->space) +
            " bytes that " + name(a.pipe) + " " +
            (a.write ? "writes" : "reads") + " until cycle " +
            std::to_string(a.end) + ": a flag is missing");
    accesses.push_back({t->space, t->buffer, lo, hi, pipe, end, write});
  };
  for (const Tile *t : reads)
    check(t, false);
  for (const Tile *t : writes)
    check(t, true);
  // Accesses that end before every pipe's clock can no longer conflict.
  if (accesses.size() > 4096) {
    int64_t oldest = *std::min_element(clock.begin(), clock.end());
    accesses.erase(
        std::remove_if(accesses.begin(), accesses.end(),
                       [&](const Access &a) { return a.end <= oldest; }),
        accesses.end());
  }
  // A queued copy frees its pipe after its transfer; its data lands later.
  clock[int(pipe)] = queued ? end - latency : end;
  if (queued)
    queue.push_back(end);
  done[int(pipe)] = std::max(done[int(pipe)], end);
  busyCycles[int(pipe)] += queued ? cycles - latency : cycles;
  movedBytes[int(pipe)] += bytes;
  timeline.push_back({what, pipe, start, end});
}

void Core::copy(const Tile &dst, const Tile &src, bool transpose) {
  using S = Space;
  // Ragged edges: a copy in from global memory may pad (the source fills
  // the target's top-left corner, zeros the rest), a copy out to global
  // memory may crop (the source's top-left corner fills the target).
  bool pad = src.space == S::Global && dst.space != S::Global &&
             src.rows <= dst.rows && src.cols <= dst.cols;
  bool crop = dst.space == S::Global && src.space != S::Global &&
              dst.rows <= src.rows && dst.cols <= src.cols;
  if (transpose
          ? dst.rows != src.cols || dst.cols != src.rows
          : (dst.rows != src.rows || dst.cols != src.cols) && !pad && !crop)
    fail("copy between tiles of different shapes");
  if (transpose && !(src.space == S::L1 && dst.space == S::L0B))
    fail("only L1 -> L0B copies transpose");
  struct Path {
    S from, to;
    Pipe pipe;
  };
  static const Path paths[] = {
      {S::Global, S::L1, Pipe::MTE2}, {S::Global, S::UB, Pipe::MTE2},
      {S::L1, S::L0A, Pipe::MTE1},    {S::L1, S::L0B, Pipe::MTE1},
      {S::L0C, S::UB, Pipe::FIX},     {S::L0C, S::Global, Pipe::FIX},
      {S::UB, S::Global, Pipe::MTE3}, {S::UB, S::L1, Pipe::MTE3}};
  const Path *path = nullptr;
  for (const Path &p : paths)
    if (p.from == src.space && p.to == dst.space)
      path = &p;
  if (!path)
    fail(std::string("no data path from ") + name(src.space) + " to " +
         name(dst.space));
  if (src.space == S::L0C
          ? !(src.dtype == DType::F32 &&
              (dst.dtype == DType::F32 || dst.dtype == DType::F16 ||
               dst.dtype == DType::BF16)) &&
                !(src.dtype == DType::I32 && dst.dtype == DType::I32)
          : src.dtype != dst.dtype)
    fail(std::string("the ") + name(src.space) + " -> " + name(dst.space) +
         " path does not convert these element types");
  if (path->pipe == Pipe::MTE1 &&
      (src.layout != Layout::NZ || dst.layout != Layout::NZ))
    fail("L1 -> L0A/L0B copies NZ tiles");
  int64_t rows = std::min(src.rows, dst.rows),
          cols = std::min(src.cols, dst.cols);
  if (transpose)
    rows = src.rows, cols = src.cols;
  bool padded = !transpose && (rows < dst.rows || cols < dst.cols);
  for (int64_t r = 0; cfg.functional && padded && r < dst.rows; ++r)
    for (int64_t c = r < rows ? cols : 0; c < dst.cols; ++c)
      set(dst, r, c, 0);
  for (int64_t r = 0; cfg.functional && r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) {
      if (transpose)
        set(dst, c, r, get(src, r, c));
      else
        set(dst, r, c, get(src, r, c));
    }
  double bandwidth = src.space == S::Global || dst.space == S::Global
                         ? cfg.gmBytesPerCycle
                     : path->pipe == Pipe::MTE1 ? cfg.l1BytesPerCycle
                                                : cfg.localBytesPerCycle;
  // What crosses the path: the smaller side of a padding or cropping copy.
  int64_t bytes = pad    ? src.dataBytes()
                  : crop ? dst.dataBytes()
                         : std::max(src.dataBytes(), dst.dataBytes());
  run(std::string("copy ") + name(src.space) + "->" + name(dst.space),
      path->pipe,
      cfg.dmaLatency + int64_t(std::ceil(double(bytes) / bandwidth)), {&src},
      {&dst}, bytes, cfg.dmaLatency);
}

void Core::mmad(const Tile &c, const Tile &a, const Tile &b, bool accumulate) {
  if (a.space != Space::L0A || b.space != Space::L0B || c.space != Space::L0C)
    fail("mmad takes L0A x L0B -> L0C");
  if (a.cols != b.rows || c.rows != a.rows || c.cols != b.cols)
    fail("mmad shapes: [M, K] x [K, N] -> [M, N]");
  for (const Tile *t : {&a, &b, &c})
    if (t->layout != Layout::NZ)
      fail("mmad operands are NZ tiles");
  bool integer = a.dtype == DType::I8;
  if (integer ? !(b.dtype == DType::I8 && c.dtype == DType::I32)
              : !((a.dtype == DType::F16 || a.dtype == DType::BF16) &&
                  b.dtype == a.dtype && c.dtype == DType::F32))
    fail("mmad types: f16/bf16 -> f32 or i8 -> i32");
  for (int64_t i = 0; cfg.functional && i < c.rows; ++i)
    for (int64_t j = 0; j < c.cols; ++j) {
      double acc = accumulate ? get(c, i, j) : 0;
      for (int64_t k = 0; k < a.cols; ++k)
        acc += double(get(a, i, k)) * double(get(b, k, j));
      set(c, i, j, float(acc));
    }
  double macs = double(a.rows) * b.cols * a.cols;
  double rate = cfg.cubeMacsPerCycle * (integer ? 2 : 1);
  run("mmad", Pipe::M, cfg.cubeLatency + int64_t(std::ceil(macs / rate)),
      {&a, &b, &c}, {&c});
}

int64_t Core::vectorCycles(int64_t bytes) const {
  return cfg.vectorLatency +
         int64_t(std::ceil(double(bytes) / cfg.vectorBytesPerCycle));
}

namespace {
void requireUB(std::initializer_list<const Tile *> tiles) {
  for (const Tile *t : tiles)
    if (t->space != Space::UB)
      fail("vector ops work on UB tiles");
}
} // namespace

/// x op y as the vector unit computes it (in f32).
static float applyBinary(Core::Binary op, float x, float y) {
  using B = Core::Binary;
  return op == B::Add   ? x + y
         : op == B::Sub ? x - y
         : op == B::Mul ? x * y
         : op == B::Div ? x / y
         : op == B::Max ? std::max(x, y)
                        : std::min(x, y);
}

void Core::vbinary(Binary op, const Tile &out, const Tile &lhs,
                   const Tile &rhs) {
  requireUB({&out, &lhs, &rhs});
  bool row = rhs.rows == 1 && rhs.cols == out.cols,
       col = rhs.cols == 1 && rhs.rows == out.rows;
  if (lhs.rows != out.rows || lhs.cols != out.cols ||
      !(row || col || (rhs.rows == out.rows && rhs.cols == out.cols)))
    fail("vbinary shapes");
  for (int64_t r = 0; cfg.functional && r < out.rows; ++r)
    for (int64_t c = 0; c < out.cols; ++c) {
      float x = get(lhs, r, c);
      float y = get(rhs, rhs.rows == 1 ? 0 : r, rhs.cols == 1 ? 0 : c);
      set(out, r, c, applyBinary(op, x, y));
    }
  int64_t bytes = std::max(out.dataBytes(), lhs.dataBytes());
  run("vbinary", Pipe::V, vectorCycles(bytes), {&lhs, &rhs}, {&out});
}

void Core::vunary(Unary op, const Tile &out, const Tile &in) {
  requireUB({&out, &in});
  if (in.rows != out.rows || in.cols != out.cols)
    fail("vunary shapes");
  for (int64_t r = 0; cfg.functional && r < out.rows; ++r)
    for (int64_t c = 0; c < out.cols; ++c) {
      float x = get(in, r, c);
      float v = op == Unary::Exp     ? std::exp(x)
                : op == Unary::Log   ? std::log(x)
                : op == Unary::Relu  ? std::max(x, 0.0f)
                : op == Unary::Abs   ? std::fabs(x)
                : op == Unary::Neg   ? -x
                : op == Unary::Sqrt  ? std::sqrt(x)
                : op == Unary::Rsqrt ? 1 / std::sqrt(x)
                                     : std::tanh(x);
      set(out, r, c, v);
    }
  run("vunary", Pipe::V,
      vectorCycles(std::max(out.dataBytes(), in.dataBytes())), {&in}, {&out});
}

void Core::vscalar(Binary op, const Tile &out, const Tile &in, float scalar) {
  requireUB({&out, &in});
  if (in.rows != out.rows || in.cols != out.cols)
    fail("vscalar shapes");
  for (int64_t r = 0; cfg.functional && r < out.rows; ++r)
    for (int64_t c = 0; c < out.cols; ++c)
      set(out, r, c, applyBinary(op, get(in, r, c), scalar));
  run("vscalar", Pipe::V,
      vectorCycles(std::max(out.dataBytes(), in.dataBytes())), {&in}, {&out});
}

void Core::vfill(const Tile &t, float value) {
  requireUB({&t});
  for (int64_t r = 0; cfg.functional && r < t.rows; ++r)
    for (int64_t c = 0; c < t.cols; ++c)
      set(t, r, c, value);
  run("vfill", Pipe::V, vectorCycles(t.dataBytes()), {}, {&t});
}

void Core::vmask(const Tile &t, int64_t diagonal, int64_t window,
                 int64_t columns) {
  requireUB({&t});
  for (int64_t r = 0; cfg.functional && r < t.rows; ++r)
    for (int64_t c = 0; c < t.cols; ++c)
      if (c > r + diagonal || (window > 0 && c <= r + diagonal - window) ||
          (columns >= 0 && c >= columns))
        set(t, r, c, -INFINITY);
  run("vmask", Pipe::V, vectorCycles(t.dataBytes()), {&t}, {&t});
}

void Core::vcast(const Tile &out, const Tile &in) {
  requireUB({&out, &in});
  if (in.rows != out.rows || in.cols != out.cols)
    fail("vcast shapes");
  for (int64_t r = 0; cfg.functional && r < out.rows; ++r)
    for (int64_t c = 0; c < out.cols; ++c)
      set(out, r, c, get(in, r, c));
  run("vcast", Pipe::V, vectorCycles(std::max(out.dataBytes(), in.dataBytes())),
      {&in}, {&out});
}

void Core::vreduceMax(const Tile &out, const Tile &in) {
  requireUB({&out, &in});
  if (out.rows != in.rows || out.cols != 1)
    fail("vreduce: out is [M, 1]");
  for (int64_t r = 0; cfg.functional && r < in.rows; ++r) {
    float m = -INFINITY;
    for (int64_t c = 0; c < in.cols; ++c)
      m = std::max(m, get(in, r, c));
    set(out, r, 0, m);
  }
  run("vreduce max", Pipe::V, vectorCycles(in.dataBytes()), {&in}, {&out});
}

void Core::vreduceSum(const Tile &out, const Tile &in) {
  requireUB({&out, &in});
  if (out.rows != in.rows || out.cols != 1)
    fail("vreduce: out is [M, 1]");
  for (int64_t r = 0; cfg.functional && r < in.rows; ++r) {
    double s = 0;
    for (int64_t c = 0; c < in.cols; ++c)
      s += get(in, r, c);
    set(out, r, 0, float(s));
  }
  run("vreduce sum", Pipe::V, vectorCycles(in.dataBytes()), {&in}, {&out});
}

void Core::vdequant(const Tile &out, const Tile &in, const Tile &scale,
                    const Tile *zeroPoint, int64_t group) {
  requireUB({&out, &in, &scale});
  if (zeroPoint)
    requireUB({zeroPoint});
  if (!(in.dtype == DType::I8 || in.dtype == DType::I4) ||
      in.rows != out.rows || in.cols != out.cols || scale.cols != out.cols)
    fail("vdequant shapes or types");
  int64_t groups = group ? (in.rows + group - 1) / group : 1;
  if (scale.rows != groups)
    fail("vdequant: one scale row per group");
  for (int64_t k = 0; cfg.functional && k < in.rows; ++k)
    for (int64_t n = 0; n < in.cols; ++n) {
      int64_t g = group ? k / group : 0;
      float zp = zeroPoint ? get(*zeroPoint, g, n) : 0;
      set(out, k, n, (get(in, k, n) - zp) * get(scale, g, n));
    }
  run("vdequant", Pipe::V, vectorCycles(out.dataBytes()),
      zeroPoint ? std::initializer_list<const Tile *>{&in, &scale, zeroPoint}
                : std::initializer_list<const Tile *>{&in, &scale},
      {&out});
}

int64_t Core::burstCycles(int64_t runs, int64_t runBytes) const {
  double bytes = double(runs) * double((runBytes + 31) / 32 * 32);
  return cfg.dmaLatency + int64_t(std::ceil(bytes / cfg.gmBytesPerCycle));
}

void Core::gather(const Tile &dst, const Tile &src, const IndexFn &index,
                  int64_t runs, int64_t runElements) {
  if (src.space != Space::Global || dst.space != Space::UB)
    fail("gather copies global memory into the UB");
  accessPatternCopy(src, dst, index, runs, runElements, /*toGlobal=*/false);
}

void Core::scatter(const Tile &dst, const Tile &src, const IndexFn &index,
                   int64_t runs, int64_t runElements) {
  if (src.space != Space::UB || dst.space != Space::Global)
    fail("scatter copies the UB into global memory");
  accessPatternCopy(dst, src, index, runs, runElements, /*toGlobal=*/true);
}

void Core::accessPatternCopy(const Tile &global, const Tile &local,
                             const IndexFn &index, int64_t runs,
                             int64_t runElements, bool toGlobal) {
  const char *what = toGlobal ? "scatter" : "gather";
  if (global.dtype != local.dtype)
    fail(std::string(what) + " does not convert element types");
  int64_t n = global.rows * global.cols;
  for (int64_t r = 0; cfg.functional && r < local.rows; ++r)
    for (int64_t c = 0; c < local.cols; ++c) {
      int64_t e = index(r, c);
      if (e < 0 || e >= n)
        fail(std::string(what) + (toGlobal ? " writes" : " reads") +
             " element " + std::to_string(e) + " of a tile of " +
             std::to_string(n));
      int64_t gr = e / global.cols, gc = e % global.cols;
      if (toGlobal)
        setExact(global, gr, gc, getExact(local, r, c));
      else
        setExact(local, r, c, getExact(global, gr, gc));
    }
  int64_t runBytes = (runElements * bits(global.dtype) + 7) / 8;
  const Tile &src = toGlobal ? local : global, &dst = toGlobal ? global : local;
  run(toGlobal ? "scatter ub->global" : "gather global->ub",
      toGlobal ? Pipe::MTE3 : Pipe::MTE2, burstCycles(runs, runBytes), {&src},
      {&dst}, runs * runBytes, cfg.dmaLatency);
}

void Core::vcompute(const std::vector<Tile> &outs, const std::vector<Tile> &ins,
                    int64_t rows, int64_t cols, int64_t ops,
                    const ComputeFn &fn) {
  std::vector<const Tile *> reads, writes;
  int64_t widest = 0;
  for (const Tile &t : ins) {
    if (t.space != Space::UB || t.rows < rows || t.cols < cols)
      fail("vcompute reads [rows, cols] UB tiles");
    reads.push_back(&t);
    widest = std::max(widest, (rows * cols * bits(t.dtype) + 7) / 8);
  }
  for (const Tile &t : outs) {
    if (t.space != Space::UB || t.rows < rows || (t.cols != 1 && t.cols < cols))
      fail("vcompute writes [rows, 1] or [rows, cols] UB tiles");
    reads.push_back(&t);
    writes.push_back(&t);
    widest = std::max(widest, (rows * cols * bits(t.dtype) + 7) / 8);
  }
  if (cfg.functional) {
    std::vector<double> in(ins.size()), acc(outs.size());
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c) {
        for (size_t j = 0; j < outs.size(); ++j)
          if (c == 0 || outs[j].cols != 1)
            acc[j] = getExact(outs[j], r, outs[j].cols == 1 ? 0 : c);
        for (size_t i = 0; i < ins.size(); ++i)
          in[i] = getExact(ins[i], r, c);
        fn(in.data(), acc.data(), r, c);
        for (size_t j = 0; j < outs.size(); ++j)
          if (outs[j].cols != 1 || c + 1 == cols)
            setExact(outs[j], r, outs[j].cols == 1 ? 0 : c, acc[j]);
      }
  }
  run("vcompute", Pipe::V,
      cfg.vectorLatency +
          std::max<int64_t>(ops, 1) *
              int64_t(std::ceil(double(widest) / cfg.vectorBytesPerCycle)),
      reads, writes);
}

void Core::setFlag(Pipe from, Pipe to, int event) {
  if (from == to || event < 0 || event > 7)
    fail("set_flag between two pipes, events 0 to 7");
  // The flag goes up once everything `from` has started is complete, and
  // not before `from` reached it (after its own waits: a pipe that only
  // passes a flag on still orders what follows).
  flags[int(from)][int(to)][event].push_back(
      std::max(done[int(from)], clock[int(from)]));
}

void Core::waitFlag(Pipe from, Pipe to, int event) {
  if (from == to || event < 0 || event > 7)
    fail("wait_flag between two pipes, events 0 to 7");
  auto &queue = flags[int(from)][int(to)][event];
  if (queue.empty())
    fail(std::string("wait_flag ") + name(from) + " -> " + name(to) + ", " +
         std::to_string(event) +
         " waits for a flag nobody set (the core "
         "would hang)");
  clock[int(to)] = std::max(clock[int(to)], queue.front());
  queue.erase(queue.begin());
}

int64_t Core::cycles() const {
  return *std::max_element(done.begin(), done.end());
}

std::string Core::chromeTrace() const {
  std::ostringstream os;
  double perUs = cfg.clockGHz * 1000;
  os << "{\"traceEvents\": [\n";
  for (int p = 0; p < kNumPipes; ++p)
    os << "  {\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": 0, \"tid\": "
       << p << ", \"args\": {\"name\": \"" << name(Pipe(p)) << "\"}},\n";
  for (size_t i = 0; i < timeline.size(); ++i) {
    const Event &e = timeline[i];
    os << "  {\"name\": \"" << e.name << "\", \"ph\": \"X\", \"pid\": 0, "
       << "\"tid\": " << int(e.pipe) << ", \"ts\": " << e.start / perUs
       << ", \"dur\": " << (e.end - e.start) / perUs << "}"
       << (i + 1 < timeline.size() ? ",\n" : "\n");
  }
  os << "]}\n";
  return os.str();
}

std::string Core::summary() const {
  std::ostringstream os;
  int64_t total = cycles();
  os << "cycles " << total << " (" << total / (cfg.clockGHz * 1000) << " us)\n";
  for (int p = 0; p < kNumPipes; ++p)
    os << name(Pipe(p)) << ": busy " << busyCycles[p] << " cycles ("
       << (total ? 100.0 * busyCycles[p] / total : 0) << " %), "
       << movedBytes[p] << " bytes\n";
  os << "hazards " << hazardList.size() << "\n";
  return os.str();
}

//===----------------------------------------------------------------------===//
// Machine
//===----------------------------------------------------------------------===//

Machine::Machine(const Config &config, int64_t numCores)
    : cfg(config), numCores(numCores) {
  if (numCores < 1)
    fail("a machine needs at least one core");
}

int Machine::attach(void *data, int64_t bytes) {
  buffers.push_back({data, bytes});
  return int(buffers.size()) - 1;
}

void Machine::launch(const std::string &name,
                     const std::function<void(Core &)> &kernel) {
  Launch l;
  l.name = name;
  l.start = total;
  for (int64_t id = 0; id < numCores; ++id) {
    Core core(cfg, id, numCores);
    for (auto [data, bytes] : buffers)
      core.attach(data, bytes);
    try {
      kernel(core);
    } catch (const std::runtime_error &e) {
      throw std::runtime_error(std::string(e.what()) + " (kernel " + name +
                               ", core " + std::to_string(id) + ")");
    }
    if (!core.hazards().empty())
      fail("kernel " + name + ", core " + std::to_string(id) +
           ": hazard: " + core.hazards().front());
    l.cycles = std::max(l.cycles, core.cycles());
    for (int p = 0; p < kNumPipes; ++p) {
      l.busy[p] += core.busy(Pipe(p));
      l.bytes[p] += core.bytesMoved(Pipe(p));
    }
  }
  total += l.cycles;
  launchList.push_back(l);
}

std::string Machine::report() const {
  std::ostringstream os;
  double perUs = cfg.clockGHz * 1000;
  os << "{\"cores\": " << numCores << ", \"cycles\": " << total
     << ", \"us\": " << total / perUs << ", \"launches\": [";
  for (size_t i = 0; i < launchList.size(); ++i) {
    const Launch &l = launchList[i];
    os << (i ? ",\n  " : "\n  ") << "{\"name\": \"" << l.name
       << "\", \"start\": " << l.start << ", \"cycles\": " << l.cycles
       << ", \"busy\": {";
    for (int p = 0; p < kNumPipes; ++p)
      os << (p ? ", " : "") << "\"" << name(Pipe(p)) << "\": " << l.busy[p];
    os << "}, \"bytes\": {";
    for (int p = 0; p < kNumPipes; ++p)
      os << (p ? ", " : "") << "\"" << name(Pipe(p)) << "\": " << l.bytes[p];
    os << "}}";
  }
  os << "],\n\"traceEvents\": [";
  for (size_t i = 0; i < launchList.size(); ++i) {
    const Launch &l = launchList[i];
    os << (i ? ",\n  " : "\n  ") << "{\"name\": \"" << l.name
       << "\", \"ph\": \"X\", \"pid\": 0, \"tid\": 0, \"ts\": "
       << l.start / perUs << ", \"dur\": " << l.cycles / perUs << "}";
  }
  os << "]}\n";
  return os.str();
}
