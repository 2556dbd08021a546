//===- npu_sim.h - The NPU kernel API and its simulator ---------*- C++ -*-===//
//
// The API that NPU kernels are written against (AscendC-style: tiles in
// explicit scratchpads, DMA copies, the cube's mmad, vector ops, flags
// between pipes), implemented by a simulator that is exact in values and
// models time per pipe:
//
//   * every call runs on one pipe (DMA calls on their path's: MTE2 from
//     global memory, MTE1 from L1 to L0A/L0B, FIX from L0C, MTE3 from UB;
//     mmad on M; vector calls on V) and takes latency + work / throughput
//     cycles of that pipe, from the Config;
//   * calls on one pipe run in program order; a pipe waits for another only
//     at wait_flag, until the matching set_flag's point on the other pipe;
//   * a call that touches bytes another pipe is still writing (or reading,
//     for a write) without a flag between them is a hazard: it is recorded
//     (hazards()) — the data race real hardware would have.
//
// Values: f16/bf16 are stored as their bits; the cube multiplies exactly
// and accumulates in f32 (i8 x i8 in i32); vector ops compute in f32 and
// round to the tile's type. Layouts (ND row-major, NZ fractal) are checked
// where the hardware needs them; tiles keep their elements in logical
// row-major order, so functional results do not depend on them.
//
//===----------------------------------------------------------------------===//
#ifndef SINTER_NPU_NPU_SIM_H
#define SINTER_NPU_NPU_SIM_H

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace sinter::npu {

enum class Space { Global, L1, L0A, L0B, L0C, UB };
enum class Pipe { MTE2, MTE1, M, FIX, V, MTE3 };
enum class Layout { ND, NZ };
/// I1: booleans, one byte each (0 or 1).
enum class DType { F16, BF16, F32, I8, I4, I32, I64, I1 };
constexpr int kNumPipes = 6;
constexpr int kNumSpaces = 6;

const char *name(Pipe p);
const char *name(Space s);
/// Bits of one element.
int bits(DType t);

/// What the simulator knows of the machine (per core): scratchpad bytes,
/// the bytes per cycle of each data path, the cube's and the vector
/// unit's throughput, and fixed latencies. npu910() gives the `npu-910`
/// target description's numbers at its 1 GHz clock.
struct Config {
  double clockGHz = 1.0;
  std::array<int64_t, kNumSpaces> capacity{}; // bytes, per space
  double gmBytesPerCycle = 0;     // global <-> core (MTE2, MTE3, FIX out)
  double l1BytesPerCycle = 0;     // L1 -> L0A/L0B (MTE1)
  double localBytesPerCycle = 0;  // L0C -> UB, UB -> L1
  double cubeMacsPerCycle = 0;    // f16/bf16; i8 runs at twice this
  double vectorBytesPerCycle = 0; // bytes of the widest operand
  int64_t dmaLatency = 0, cubeLatency = 0, vectorLatency = 0;
  /// Copies a DMA pipe keeps in flight: a copy occupies its pipe for its
  /// transfer, its latency overlaps the next ones (1: one at a time).
  int64_t dmaQueueDepth = 1;
  /// false: timing only (no values computed), for shapes too large to
  /// compute element by element.
  bool functional = true;
  static Config npu910();
};

/// A tile: rows x cols elements of `dtype` at byte `offset` of a
/// scratchpad (or of a global buffer, see Core::global).
struct Tile {
  Space space = Space::Global;
  DType dtype = DType::F32;
  int64_t rows = 0, cols = 0;
  int64_t offset = 0;
  Layout layout = Layout::ND;
  int buffer = -1; // global buffers: the index Core::global returned
  /// Elements between the starts of two rows (0: cols, a dense tile).
  int64_t rowStride = 0;
  int64_t stride() const { return rowStride ? rowStride : cols; }
  /// Bytes from the first element to one past the last (what the tile
  /// covers, gaps between rows included).
  int64_t bytes() const;
  /// Bytes of its elements (what a copy moves).
  int64_t dataBytes() const { return (rows * cols * bits(dtype) + 7) / 8; }
  /// Rows [r0, r0 + rows) x columns [c0, c0 + cols) of this tile.
  Tile slice(int64_t r0, int64_t c0, int64_t rows, int64_t cols) const;
};

/// One simulated call, for the timeline.
struct Event {
  std::string name;
  Pipe pipe;
  int64_t start, end;
};

class Core {
public:
  explicit Core(const Config &config, int64_t coreId = 0, int64_t numCores = 1);
  /// This core's index and the number of cores the kernel runs on.
  const int64_t coreId, numCores;
  /// Whether calls compute values (Config::functional).
  bool functional() const;

  /// Registers a global-memory buffer of `bytes` (zero-filled) and returns
  /// its index; data(index) is its storage.
  int global(int64_t bytes);
  std::vector<uint8_t> &data(int buffer) { return owned[buffer]; }
  /// Registers `bytes` of the caller's memory at `data` as a global buffer
  /// (a host program's arguments and workspace, shared by its kernels and
  /// cores) and returns its index. `data` may be null in timing-only runs.
  int attach(void *data, int64_t bytes);
  /// A tile over a global buffer (row-major, `cols` elements per row).
  Tile globalTile(int buffer, DType t, int64_t rows, int64_t cols,
                  int64_t offset = 0) const;
  /// A tile in scratchpad `s` at byte `offset`; throws std::runtime_error
  /// past the scratchpad's capacity.
  Tile local(Space s, DType t, int64_t rows, int64_t cols, int64_t offset,
             Layout l = Layout::ND) const;

  // Data movement. The path decides the pipe (see the header comment).
  // `transpose` (L1 -> L0B only): dst is src's transpose. Ragged edges: a
  // copy from global memory into a larger tile pads it (src in its top-left
  // corner, zeros elsewhere); a copy to global memory from a larger tile
  // crops it (src's top-left corner); either moves only the smaller side.
  void copy(const Tile &dst, const Tile &src, bool transpose = false);
  // The cube: c (L0C) = [c +] a (L0A) x b (L0B).
  void mmad(const Tile &c, const Tile &a, const Tile &b, bool accumulate);
  // The vector unit, on UB tiles. rhs of a binary op may be a row [1, N]
  // or a column [M, 1] of the output's shape.
  enum class Binary { Add, Sub, Mul, Div, Max, Min };
  enum class Unary { Exp, Log, Relu, Abs, Neg, Sqrt, Rsqrt, Tanh };
  void vbinary(Binary op, const Tile &out, const Tile &lhs, const Tile &rhs);
  void vunary(Unary op, const Tile &out, const Tile &in);
  /// out = in op scalar.
  void vscalar(Binary op, const Tile &out, const Tile &in, float scalar);
  /// Every element of t = value.
  void vfill(const Tile &t, float value);
  /// t[r][c] = -inf where c > r + diagonal (causal masking), and with a
  /// window w > 0 also where c <= r + diagonal - w, and with columns >= 0
  /// also where c >= columns (padded keys past a ragged edge), in place.
  void vmask(const Tile &t, int64_t diagonal, int64_t window = 0,
             int64_t columns = -1);
  void vcast(const Tile &out, const Tile &in);
  void vreduceMax(const Tile &out, const Tile &in);
  void vreduceSum(const Tile &out, const Tile &in);
  /// out = (in - zeroPoint) * scale[k / group], in i8 or i4 (two per byte,
  /// low nibble first); group 0: one scale row for all k. zeroPoint may be
  /// null.
  void vdequant(const Tile &out, const Tile &in, const Tile &scale,
                const Tile *zeroPoint, int64_t group);

  // Access-pattern copies and the vector unit's general form: what the
  // leftover tensor ops of a graph (elementwise and broadcast maps,
  // reductions, transposes, slices, gathers) run as.
  /// Element (r, c) of a tile -> the row-major element index in a global
  /// tile that holds it.
  using IndexFn = std::function<int64_t(int64_t r, int64_t c)>;
  /// MTE2: dst (UB) element (r, c) = src (a dense global tile) element
  /// index(r, c). The transfer moves `runs` bursts of `runElements`
  /// contiguous elements (its cost; a burst rounds up to 32 bytes).
  void gather(const Tile &dst, const Tile &src, const IndexFn &index,
              int64_t runs, int64_t runElements);
  /// MTE3: dst (a dense global tile) element index(r, c) = src (UB)
  /// element (r, c).
  void scatter(const Tile &dst, const Tile &src, const IndexFn &index,
               int64_t runs, int64_t runElements);
  /// The vector unit applying a scalar program of `ops` instructions to
  /// every element of the [rows, cols] input tiles: for each row r, the
  /// accumulators start as the outputs' elements (r, 0) ([rows, 1]
  /// outputs: a reduction along the row) or (r, c) ([rows, cols]
  /// outputs), fn(in, acc, r, c) updates them from the inputs' elements
  /// (r, c), and they are written back. Values are doubles (exact for
  /// every element type the tiles hold); fn rounds as the op's types do.
  using ComputeFn =
      std::function<void(const double *in, double *acc, int64_t r, int64_t c)>;
  void vcompute(const std::vector<Tile> &outs, const std::vector<Tile> &ins,
                int64_t rows, int64_t cols, int64_t ops, const ComputeFn &fn);
  /// The scalar unit reading element (r, c) of a global tile (a gather's
  /// table entry): like readIndex, for any element type.
  double readValue(const Tile &t, int64_t r, int64_t c) const;
  // The scalar unit. readIndex: element (r, c) of an integer tile in
  // global memory (a slot, a block-table entry, a length) as a value the
  // kernel's control flow uses; its latency is not modelled (the scalar
  // unit runs ahead of the pipes it issues to). sameBuffer: whether two
  // global tiles start at one address (a cache updated in place).
  int64_t readIndex(const Tile &t, int64_t r, int64_t c) const;
  bool sameBuffer(const Tile &a, const Tile &b) const {
    return a.space == b.space && a.buffer == b.buffer && a.offset == b.offset;
  }

  // Pipe synchronisation: set on `from`, wait on `to`.
  void setFlag(Pipe from, Pipe to, int event);
  void waitFlag(Pipe from, Pipe to, int event);

  // Reading values back (tests, the runtime).
  float get(const Tile &t, int64_t r, int64_t c) const;
  void set(const Tile &t, int64_t r, int64_t c, float v);
  /// The same, exact for 32- and 64-bit integers.
  double getExact(const Tile &t, int64_t r, int64_t c) const;
  void setExact(const Tile &t, int64_t r, int64_t c, double v);
  /// Fills `t` with values uniform in [lo, hi) drawn from `seed` (tests and
  /// benchmarks), rounded to the tile's type.
  void fillUniform(const Tile &t, uint32_t seed, float lo = -1, float hi = 1);

  // The report.
  int64_t cycles() const; // when the last pipe finishes
  int64_t busy(Pipe p) const { return busyCycles[int(p)]; }
  int64_t bytesMoved(Pipe p) const { return movedBytes[int(p)]; }
  const std::vector<Event> &events() const { return timeline; }
  const std::vector<std::string> &hazards() const { return hazardList; }
  /// A Chrome-trace JSON timeline (one track per pipe), for Perfetto.
  std::string chromeTrace() const;
  /// A plain-text summary: cycles, time, per-pipe utilisation and bytes.
  std::string summary() const;

private:
  struct Access {
    Space space;
    int buffer;
    int64_t lo, hi;
    Pipe pipe;
    int64_t end;
    bool write;
  };
  Config cfg;
  std::array<std::vector<uint8_t>, kNumSpaces> pads;
  // Global buffers: the core's own (global()) or the caller's (attach()).
  std::vector<std::vector<uint8_t>> owned;
  std::vector<uint8_t *> external;
  std::vector<int64_t> globalBytes;
  // clock: when a pipe can start its next call; done: when everything it
  // has started is complete; inFlight: completion times of a DMA pipe's
  // copies still in flight.
  std::array<int64_t, kNumPipes> clock{}, done{}, busyCycles{}, movedBytes{};
  std::array<std::vector<int64_t>, kNumPipes> inFlight;
  // Pending flags: the time each was set, per (from, to, event).
  std::vector<int64_t> flags[kNumPipes][kNumPipes][8];
  std::vector<Event> timeline;
  std::vector<Access> accesses;
  std::vector<std::string> hazardList;

  /// Cycles of a vector op whose widest operand has `bytes`.
  int64_t vectorCycles(int64_t bytes) const;
  uint8_t *bytesOf(const Tile &t);
  const uint8_t *bytesOf(const Tile &t) const;
  /// Schedules a call of `cycles` on `pipe` that reads `reads` and writes
  /// `writes`, recording hazards against other pipes' unfinished accesses.
  /// `latency` is the part of `cycles` a DMA queue overlaps.
  void run(const std::string &what, Pipe pipe, int64_t cycles,
           const std::vector<const Tile *> &reads,
           const std::vector<const Tile *> &writes, int64_t bytes = 0,
           int64_t latency = 0);
  /// gather (toGlobal false) and scatter (true): elements between a dense
  /// global tile, at index(r, c), and a UB tile.
  void accessPatternCopy(const Tile &global, const Tile &local,
                         const IndexFn &index, int64_t runs,
                         int64_t runElements, bool toGlobal);
  /// Cycles of a DMA of `runs` bursts of `runBytes` to or from global memory.
  int64_t burstCycles(int64_t runs, int64_t runBytes) const;
};

/// A host program on the simulator: kernels launched one after another on
/// `numCores` cores over global buffers they share (the caller's
/// arguments and workspace). The cores of a launch are simulated one after
/// another on the shared memory (they write disjoint parts, as on the
/// machine); a launch takes its slowest core's cycles, and the program the
/// sum of its launches'.
class Machine {
public:
  Machine(const Config &config, int64_t numCores);
  /// Registers the caller's memory as a global buffer; returns its index
  /// (the same on every core).
  int attach(void *data, int64_t bytes);
  /// Runs kernel(core) on every core; throws std::runtime_error naming the
  /// kernel on a hazard.
  void launch(const std::string &name, const std::function<void(Core &)> &kernel);

  struct Launch {
    std::string name;
    int64_t start = 0, cycles = 0;
    /// Summed over the cores.
    std::array<int64_t, kNumPipes> busy{}, bytes{};
  };
  const std::vector<Launch> &launches() const { return launchList; }
  int64_t cycles() const { return total; }
  const Config &config() const { return cfg; }
  /// The launches as JSON: cycles, microseconds, per-pipe busy cycles and
  /// bytes, and a Chrome-trace timeline (one track per launch's pipes).
  std::string report() const;

private:
  Config cfg;
  int64_t numCores;
  std::vector<std::pair<void *, int64_t>> buffers;
  std::vector<Launch> launchList;
  int64_t total = 0;
};

// f16/bf16 bits <-> f32 (round to nearest even).
float halfToFloat(uint16_t h);
uint16_t floatToHalf(float f);
float bf16ToFloat(uint16_t h);
uint16_t floatToBf16(float f);

} // namespace sinter::npu

#endif // SINTER_NPU_NPU_SIM_H
