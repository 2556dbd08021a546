//===- NPUOps.td - NPU target dialect ----------------------*- tablegen -*-===//
#ifndef SINTER_NPU_OPS_TD
#define SINTER_NPU_OPS_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def NPU_Dialect : Dialect {
  let name = "npu";
  let cppNamespace = "::mlir::sinter::npu";
  let summary = "A decoupled NPU: explicit scratchpads, DMA, cube and vector units";
  let description = [{
    The `npu` dialect is the target level of Sinter's NPU backend: machines
    in the class of Ascend's AI cores (and AMD's AIE, systolic-array
    accelerators) that have no caches. A kernel moves every tile itself
    between global memory and small software-managed scratchpads, feeds a
    matrix unit (the *cube*) and a vector unit that run as separate pipes,
    and orders the pipes with flags.

    * Memory spaces (`#npu.space<...>`, the memory space of every memref an
      op touches): `global` (off-chip), `l1` (the core's staging buffer),
      `l0a` / `l0b` (the cube's operand buffers), `l0c` (its accumulator
      buffer) and `ub` (the vector unit's unified buffer).
    * `npu.alloc`: a buffer in a scratchpad.
    * `npu.dma`: a tile copy along one of the machine's data paths, with
      the layout change the path performs (row-major `nd` <-> the cube's
      blocked `nz` format of 16 x 16 fractals).
    * `npu.mmad`: the cube's matrix multiply-accumulate, L0A x L0B -> L0C.
    * `npu.vbinary`, `npu.vunary`, `npu.vcast`, `npu.vreduce`,
      `npu.vdequant`: the vector unit, on unified-buffer tiles.
    * `npu.set_flag` / `npu.wait_flag`: the signal a producing pipe sends
      and the wait a consuming pipe performs, per event id.
    * `npu.core_id` / `npu.num_cores`: the multi-core split.

    Each op runs on one pipe: a DMA on its path's (`mte2`, `mte1`, `fix`
    or `mte3`), `npu.mmad` on the cube's (`m`), the vector ops on `v`.
    Ops on one pipe run in program order, ops on different pipes only as
    the flags order them. This is the dialect only: the lowering from
    tiled sinter IR, the scratchpad planner and the simulator come next.
  }];
  let useDefaultAttributePrinterParser = 1;
}

class NPU_Op<string mnemonic, list<Trait> traits = []>
    : Op<NPU_Dialect, mnemonic, traits>;

//===----------------------------------------------------------------------===//
// Enums and attributes
//===----------------------------------------------------------------------===//

def NPU_MemorySpace : I32EnumAttr<"MemorySpace", "NPU memory space", [
    I32EnumAttrCase<"global", 0>,
    I32EnumAttrCase<"l1", 1>,
    I32EnumAttrCase<"l0a", 2>,
    I32EnumAttrCase<"l0b", 3>,
    I32EnumAttrCase<"l0c", 4>,
    I32EnumAttrCase<"ub", 5>]> {
  let cppNamespace = "::mlir::sinter::npu";
  let genSpecializedAttr = 0;
}
def NPU_MemorySpaceAttr : EnumAttr<NPU_Dialect, NPU_MemorySpace, "space"> {
  let assemblyFormat = "`<` $value `>`";
}

def NPU_Pipe : I32EnumAttr<"Pipe", "NPU pipe", [
    I32EnumAttrCase<"mte2", 0>,
    I32EnumAttrCase<"mte1", 1>,
    I32EnumAttrCase<"m", 2>,
    I32EnumAttrCase<"fix", 3>,
    I32EnumAttrCase<"v", 4>,
    I32EnumAttrCase<"mte3", 5>]> {
  let cppNamespace = "::mlir::sinter::npu";
  let genSpecializedAttr = 0;
}
def NPU_PipeAttr : EnumAttr<NPU_Dialect, NPU_Pipe, "pipe"> {
  let assemblyFormat = "`<` $value `>`";
}

def NPU_Layout : I32EnumAttr<"Layout", "NPU tile layout", [
    I32EnumAttrCase<"nd", 0>,
    I32EnumAttrCase<"nz", 1>]> {
  let cppNamespace = "::mlir::sinter::npu";
  let genSpecializedAttr = 0;
}
def NPU_LayoutAttr : EnumAttr<NPU_Dialect, NPU_Layout, "layout"> {
  let assemblyFormat = "`<` $value `>`";
}

def NPU_BinaryKind : I32EnumAttr<"BinaryKind", "vector binary op", [
    I32EnumAttrCase<"add", 0>,
    I32EnumAttrCase<"sub", 1>,
    I32EnumAttrCase<"mul", 2>,
    I32EnumAttrCase<"div", 3>,
    I32EnumAttrCase<"max", 4>,
    I32EnumAttrCase<"min", 5>]> {
  let cppNamespace = "::mlir::sinter::npu";
}
def NPU_UnaryKind : I32EnumAttr<"UnaryKind", "vector unary op", [
    I32EnumAttrCase<"exp", 0>,
    I32EnumAttrCase<"log", 1>,
    I32EnumAttrCase<"relu", 2>,
    I32EnumAttrCase<"abs", 3>,
    I32EnumAttrCase<"neg", 4>,
    I32EnumAttrCase<"sqrt", 5>,
    I32EnumAttrCase<"rsqrt", 6>,
    I32EnumAttrCase<"tanh", 7>]> {
  let cppNamespace = "::mlir::sinter::npu";
}
def NPU_ReduceKind : I32EnumAttr<"ReduceKind", "vector reduction", [
    I32EnumAttrCase<"sum", 0>,
    I32EnumAttrCase<"max", 1>]> {
  let cppNamespace = "::mlir::sinter::npu";
}

class NPU_MemRefIn<string space> :
    Arg<AnyStaticShapeMemRef, "a tile in " # space, [MemRead]>;
class NPU_MemRefOut<string space> :
    Arg<AnyStaticShapeMemRef, "a tile in " # space, [MemWrite]>;
// The global side of a DMA at a ragged edge may have dynamic sizes.
class NPU_DmaMemRef<string space, list<OpVariableDecorator> effects> :
    Arg<AnyMemRef, "a tile in " # space, effects>;

//===----------------------------------------------------------------------===//
// Buffers and the multi-core split
//===----------------------------------------------------------------------===//

def NPU_AllocOp : NPU_Op<"alloc"> {
  let summary = "A buffer in one of the core's scratchpads";
  let description = [{
    A statically shaped buffer in a scratchpad (`l1`, `l0a`, `l0b`, `l0c` or
    `ub`; never `global`, which kernels receive as arguments). `offset`,
    once the scratchpad planner has run, is its byte offset in the
    scratchpad; buffers whose lifetimes overlap must not share bytes.

    Example:
    ```mlir
    %a = npu.alloc {offset = 0} : memref<64x64xf16, #npu.space<l0a>>
    ```
  }];
  let arguments = (ins OptionalAttr<I64Attr>:$offset);
  let results = (outs Res<AnyStaticShapeMemRef, "", [MemAlloc]>:$buffer);
  let assemblyFormat = "attr-dict `:` type($buffer)";
  let hasVerifier = 1;
}

def NPU_CoreIdOp : NPU_Op<"core_id", [Pure]> {
  let summary = "This core's index, in [0, npu.num_cores)";
  let description = [{
    Kernels split their work over the chip's cores by this index.

    Example:
    ```mlir
    %c = npu.core_id
    ```
  }];
  let results = (outs Index:$id);
  let assemblyFormat = "attr-dict";
}

def NPU_NumCoresOp : NPU_Op<"num_cores", [Pure]> {
  let summary = "The number of cores the kernel runs on";
  let description = [{
    Example:
    ```mlir
    %n = npu.num_cores
    ```
  }];
  let results = (outs Index:$count);
  let assemblyFormat = "attr-dict";
}

def NPU_ReadIndexOp : NPU_Op<"read_index"> {
  let summary = "The scalar unit reads an integer from global memory";
  let description = [{
    Element `[row, col]` of an i8, i32 or i64 tile in global memory, as an
    index the kernel's control flow and addresses use: a cache slot, a
    block-table entry, a sequence length. Data-dependent DMA programs (the
    KV-cache ops) are built on it.

    Example:
    ```mlir
    %s = npu.read_index %slots[%c0, %t] : memref<1x64xi32>
    ```
  }];
  let arguments = (ins Arg<AnyStaticShapeMemRef, "a global tile",
                           [MemRead]>:$tile,
                       Index:$row, Index:$col);
  let results = (outs Index:$value);
  let assemblyFormat = [{
    $tile `[` $row `,` $col `]` attr-dict `:` type($tile)
  }];
  let hasVerifier = 1;
}

def NPU_SameBufferOp : NPU_Op<"same_buffer", [Pure]> {
  let summary = "Whether two global tiles start at one address";
  let description = [{
    True when `lhs` and `rhs` are the same memory: a kernel whose result
    is its cache argument (an update in place) skips copying the cache.

    Example:
    ```mlir
    %same = npu.same_buffer %cache, %out : memref<512x128xf16>, memref<512x128xf16>
    ```
  }];
  let arguments = (ins AnyStaticShapeMemRef:$lhs, AnyStaticShapeMemRef:$rhs);
  let results = (outs I1:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def NPU_DmaOp : NPU_Op<"dma"> {
  let summary = "Copy a tile along one of the core's data paths";
  let description = [{
    Copies `source` to `target`, both tiles of the same logical shape
    (the shapes are the matrices' rows and columns, whatever the layout
    they are stored in). The path decides the pipe and what may change:

    | path | pipe | layouts | element type |
    | --- | --- | --- | --- |
    | global -> l1 | mte2 | nd -> nd or nz | same |
    | global -> ub | mte2 | nd -> nd | same |
    | l1 -> l0a, l1 -> l0b | mte1 | nz -> nz | same |
    | l0c -> ub, l0c -> global | fix | nz -> nd | f32 -> f32, f16 or bf16; i32 -> i32 |
    | ub -> global | mte3 | nd -> nd | same |
    | ub -> l1 | mte3 | nd -> nd or nz | same |

    Ragged edges: a copy in from global memory may read a smaller source
    (a subview with dynamic sizes at a matrix's edge) into the top-left
    corner of its target and fill the rest with zeros (padding: the zeros
    add nothing to a product over k); a copy out to global memory may
    write a smaller target from the top-left corner of its source
    (cropping). Only the smaller side's bytes move.

    Tiles in the `nz` layout are made of 16 x 16 fractals, so their rows
    and columns must be multiples of 16. With `transpose` (l1 -> l0b only)
    the target is the source's transpose, [C, R] for an [R, C] source: a
    K tile stored [keys, D] becomes the [D, keys] right-hand side of
    Q K^T.

    Example:
    ```mlir
    npu.dma %w, %l1 {source_layout = #npu.layout<nd>, target_layout = #npu.layout<nz>}
        : memref<128x64xf16>, memref<128x64xf16, #npu.space<l1>>
    ```
  }];
  let arguments = (ins NPU_DmaMemRef<"the source space", [MemRead]>:$source,
                       NPU_DmaMemRef<"the target space", [MemWrite]>:$target,
                       DefaultValuedAttr<NPU_LayoutAttr,
                         "::mlir::sinter::npu::Layout::nd">:$source_layout,
                       DefaultValuedAttr<NPU_LayoutAttr,
                         "::mlir::sinter::npu::Layout::nd">:$target_layout,
                       UnitAttr:$transpose);
  let assemblyFormat = [{
    $source `,` $target attr-dict `:` type($source) `,` type($target)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// The cube
//===----------------------------------------------------------------------===//

def NPU_MmadOp : NPU_Op<"mmad"> {
  let summary = "The cube's matrix multiply-accumulate (pipe m)";
  let description = [{
    `acc = lhs x rhs` (or `acc += lhs x rhs` with `accumulate`) for `lhs`
    [M, K] in L0A, `rhs` [K, N] in L0B and `acc` [M, N] in L0C, all in the
    `nz` layout: M, N and K are multiples of the 16 x 16 fractal. The
    element types are f16 x f16 -> f32, bf16 x bf16 -> f32 or
    i8 x i8 -> i32.

    Example:
    ```mlir
    npu.mmad %a, %b, %c {accumulate} : memref<64x32xf16, #npu.space<l0a>>,
        memref<32x128xf16, #npu.space<l0b>>, memref<64x128xf32, #npu.space<l0c>>
    ```
  }];
  let arguments = (ins NPU_MemRefIn<"l0a">:$lhs, NPU_MemRefIn<"l0b">:$rhs,
                       Arg<AnyStaticShapeMemRef, "the accumulator in l0c",
                           [MemRead, MemWrite]>:$acc,
                       UnitAttr:$accumulate);
  let assemblyFormat = [{
    $lhs `,` $rhs `,` $acc attr-dict `:` type($lhs) `,` type($rhs) `,` type($acc)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// The vector unit (pipe v), on unified-buffer tiles in the nd layout
//===----------------------------------------------------------------------===//

def NPU_VBinaryOp : NPU_Op<"vbinary"> {
  let summary = "Elementwise binary vector op";
  let description = [{
    `out = lhs <kind> rhs` element by element. `rhs` may also be a row
    ([1, N], broadcast over the rows) or a column ([M, 1], broadcast over
    the columns) of the output's shape. All tiles are in `ub` with the same
    element type (f16, bf16 or f32).

    Example:
    ```mlir
    npu.vbinary add %x, %bias, %y : memref<64x128xf32, #npu.space<ub>>,
        memref<1x128xf32, #npu.space<ub>>, memref<64x128xf32, #npu.space<ub>>
    ```
  }];
  let arguments = (ins NPU_BinaryKind:$kind, NPU_MemRefIn<"ub">:$lhs,
                       NPU_MemRefIn<"ub">:$rhs, NPU_MemRefOut<"ub">:$out);
  let assemblyFormat = [{
    $kind $lhs `,` $rhs `,` $out attr-dict `:` type($lhs) `,` type($rhs) `,` type($out)
  }];
  let hasVerifier = 1;
}

def NPU_VUnaryOp : NPU_Op<"vunary"> {
  let summary = "Elementwise unary vector op";
  let description = [{
    `out = kind(in)` element by element, both in `ub`, same shape and
    element type (f16, bf16 or f32).

    Example:
    ```mlir
    npu.vunary exp %s, %p : memref<64x128xf32, #npu.space<ub>>, memref<64x128xf32, #npu.space<ub>>
    ```
  }];
  let arguments = (ins NPU_UnaryKind:$kind, NPU_MemRefIn<"ub">:$in,
                       NPU_MemRefOut<"ub">:$out);
  let assemblyFormat = [{
    $kind $in `,` $out attr-dict `:` type($in) `,` type($out)
  }];
  let hasVerifier = 1;
}

def NPU_VScalarOp : NPU_Op<"vscalar"> {
  let summary = "Elementwise vector op with a scalar";
  let description = [{
    `out = in kind scalar` element by element, both in `ub`, same shape and
    element type (f16, bf16 or f32); the scalar is an f32 immediate.

    Example:
    ```mlir
    npu.vscalar mul %s, %t {scalar = 0.125 : f32} : memref<128x128xf32, #npu.space<ub>>, memref<128x128xf32, #npu.space<ub>>
    ```
  }];
  let arguments = (ins NPU_BinaryKind:$kind, NPU_MemRefIn<"ub">:$in,
                       NPU_MemRefOut<"ub">:$out, F32Attr:$scalar);
  let assemblyFormat = [{
    $kind $in `,` $out attr-dict `:` type($in) `,` type($out)
  }];
  let hasVerifier = 1;
}

def NPU_VFillOp : NPU_Op<"vfill"> {
  let summary = "Fills a tile with one value";
  let description = [{
    Sets every element of an f16, bf16 or f32 tile in `ub` to `value`
    (an f32 immediate; infinities allowed): the initial statistics of an
    online softmax.

    Example:
    ```mlir
    npu.vfill %m {value = 0xFF800000 : f32} : memref<128x1xf32, #npu.space<ub>>
    ```
  }];
  let arguments = (ins NPU_MemRefOut<"ub">:$tile, F32Attr:$value);
  let assemblyFormat = [{
    $tile attr-dict `:` type($tile)
  }];
  let hasVerifier = 1;
}

def NPU_VMaskOp : NPU_Op<"vmask"> {
  let summary = "Masks the elements above a diagonal (causal attention)";
  let description = [{
    Sets `tile[r, c]` to -inf where `c > r + diagonal`, in place, on an
    f16, bf16 or f32 tile in `ub`: the scores of keys past each query's
    position in a block the causal diagonal crosses (`diagonal` is the
    block's first query position minus its first key position; it may be
    negative). With `window` (a sliding window of that many keys), also
    where `c <= r + diagonal - window`. With `columns`, also where
    `c >= columns`: the padded keys of a block at a ragged sequence end (a
    diagonal of at least the tile's columns masks nothing else).

    Example:
    ```mlir
    npu.vmask %s, %d : memref<128x128xf32, #npu.space<ub>>
    npu.vmask %s, %d columns %n : memref<128x128xf32, #npu.space<ub>>
    ```
  }];
  let arguments = (ins NPU_MemRefOut<"ub">:$tile, Index:$diagonal,
                       OptionalAttr<I64Attr>:$window,
                       Optional<Index>:$columns);
  let assemblyFormat = [{
    $tile `,` $diagonal (`columns` $columns^)? attr-dict `:` type($tile)
  }];
  let hasVerifier = 1;
}

def NPU_VCastOp : NPU_Op<"vcast"> {
  let summary = "Elementwise conversion between float types";
  let description = [{
    `out = in` converted (rounding to nearest even) between f32, f16 and
    bf16, both in `ub`, same shape.

    Example:
    ```mlir
    npu.vcast %x, %h : memref<64x128xf32, #npu.space<ub>>, memref<64x128xf16, #npu.space<ub>>
    ```
  }];
  let arguments = (ins NPU_MemRefIn<"ub">:$in, NPU_MemRefOut<"ub">:$out);
  let assemblyFormat = "$in `,` $out attr-dict `:` type($in) `,` type($out)";
  let hasVerifier = 1;
}

def NPU_VReduceOp : NPU_Op<"vreduce"> {
  let summary = "Row reduction on the vector unit";
  let description = [{
    `out[i, 0] = kind_j in[i, j]` for a tile `in` [M, N] and `out` [M, 1],
    both in `ub` with the same element type (f16, bf16 or f32): the row
    statistics of norms and softmax.

    Example:
    ```mlir
    npu.vreduce max %s, %m : memref<64x128xf32, #npu.space<ub>>, memref<64x1xf32, #npu.space<ub>>
    ```
  }];
  let arguments = (ins NPU_ReduceKind:$kind, NPU_MemRefIn<"ub">:$in,
                       NPU_MemRefOut<"ub">:$out);
  let assemblyFormat = [{
    $kind $in `,` $out attr-dict `:` type($in) `,` type($out)
  }];
  let hasVerifier = 1;
}

def NPU_VDequantOp : NPU_Op<"vdequant"> {
  let summary = "Dequantize int8 or int4 weights on the vector unit";
  let description = [{
    `out[k, n] = (in[k, n] - zero_point) * scale[k / group_size, n]` for
    int8 or int4 `in` [K, N], f16/bf16 `scale` (and `zero_point`, same
    type) [ceil(K / group_size), N] and `out` [K, N] of the scales' type,
    all in `ub`. Without `group_size` the scales are per column
    ([1, N]). This is the hand-off of W8A16 / W4A16 GEMMs: the vector unit
    dequantizes, the cube multiplies.

    Example:
    ```mlir
    npu.vdequant %q, %s, %w {group_size = 128} : memref<256x64xi4, #npu.space<ub>>,
        memref<2x64xf16, #npu.space<ub>>, memref<256x64xf16, #npu.space<ub>>
    ```
  }];
  let arguments = (ins NPU_MemRefIn<"ub">:$in, NPU_MemRefIn<"ub">:$scale,
                       Optional<AnyStaticShapeMemRef>:$zero_point,
                       NPU_MemRefOut<"ub">:$out,
                       OptionalAttr<I64Attr>:$group_size);
  let assemblyFormat = [{
    $in `,` $scale (`zero_point` `(` $zero_point^ `:` type($zero_point) `)`)? `,` $out
    attr-dict `:` type($in) `,` type($scale) `,` type($out)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Leftover tensor ops: access-pattern DMA and the vector unit
//===----------------------------------------------------------------------===//

def NPU_VGenericOp : NPU_Op<"vgeneric", [AttrSizedOperandSegments,
    SingleBlock]> {
  let summary = "A loop nest over global tiles, run by DMA and the vector unit";
  let description = [{
    What a graph leaves besides the ops with cube kernels (elementwise and
    broadcast maps, reductions, transposes, slices and concatenations,
    casts, fills, gathers) runs on the NPU as this op: `linalg.generic`'s
    semantics over global memrefs. The loops have the static extents
    `loop_ranges` and the kinds `iterator_types`; operand `i` is read or
    written at `indexing_maps[i]` of the loop indices (any affine map: an
    output map may place the op in part of its output, as a concat's
    pieces do). The body takes the loop indices, the inputs' elements and
    the outputs' current values and yields the outputs' new values; it may
    read further global memrefs (`memref.load`, a gather's table), on the
    scalar unit. `inits` gives each output's value before its reductions
    (a fill's constant), or a unit attribute where the body defines it.

    A core takes chunks of `chunk_rows` points of the parallel loops
    (row-major over them, round-robin over the cores) and, within a chunk,
    the reduction loops `chunk_cols` elements at a time: MTE2 gathers each
    input's elements of the chunk into the unified buffer, the vector unit
    runs the body over them (one instruction per body op), MTE3 scatters
    the outputs; two buffer sets let the next chunk's loads overlap this
    one's computation and stores.

    Example:
    ```mlir
    npu.vgeneric ins(%x, %b : memref<8x64xf32>, memref<64xf32>)
        outs(%y : memref<8x64xf32>) {
        indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>,
                         affine_map<(d0, d1) -> (d0, d1)>],
        iterator_types = ["parallel", "parallel"], loop_ranges = array<i64: 8, 64>,
        inits = [unit], chunk_rows = 512, chunk_cols = 1} {
    ^bb0(%i: index, %j: index, %a: f32, %c: f32, %o: f32):
      %s = arith.addf %a, %c : f32
      npu.yield %s : f32
    }
    ```
  }];
  let arguments = (ins
      Variadic<AnyStaticShapeMemRef>:$inputs,
      Variadic<AnyStaticShapeMemRef>:$outputs,
      AffineMapArrayAttr:$indexing_maps,
      StrArrayAttr:$iterator_types,
      DenseI64ArrayAttr:$loop_ranges,
      ArrayAttr:$inits,
      ConfinedAttr<I64Attr, [IntPositive]>:$chunk_rows,
      ConfinedAttr<I64Attr, [IntPositive]>:$chunk_cols);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    `ins` `(` $inputs `:` type($inputs) `)` `outs` `(` $outputs `:` type($outputs) `)`
    attr-dict-with-keyword $body
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The number of loops.
    unsigned getNumLoops() { return getLoopRanges().size(); }
    bool isReductionLoop(unsigned d) {
      return cast<StringAttr>(getIteratorTypes()[d]).getValue() == "reduction";
    }
    AffineMap getIndexingMap(unsigned operand) {
      return cast<AffineMapAttr>(getIndexingMaps()[operand]).getValue();
    }
  }];
}

def NPU_YieldOp : NPU_Op<"yield", [Pure, Terminator,
    HasParent<"VGenericOp">]> {
  let summary = "The values an npu.vgeneric body yields";
  let arguments = (ins Variadic<AnyType>:$values);
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
}

//===----------------------------------------------------------------------===//
// Pipe synchronisation
//===----------------------------------------------------------------------===//

def NPU_SetFlagOp : NPU_Op<"set_flag"> {
  let summary = "Signal event `event` from pipe `from` to pipe `to`";
  let description = [{
    Issued on pipe `from` after the ops it must follow; the matching
    `npu.wait_flag` on pipe `to` waits until it has been signalled. Event
    ids are per pipe pair, 0 to 7 (the hardware's eight flags).

    Example:
    ```mlir
    npu.set_flag mte2 -> mte1, 0
    ```
  }];
  let arguments = (ins NPU_PipeAttr:$from, NPU_PipeAttr:$to,
                       ConfinedAttr<I32Attr, [IntNonNegative]>:$event);
  let assemblyFormat = "custom<PipePair>($from, $to) `,` $event attr-dict";
  let hasVerifier = 1;
}

def NPU_WaitFlagOp : NPU_Op<"wait_flag"> {
  let summary = "Wait on pipe `to` for event `event` from pipe `from`";
  let description = [{
    Example:
    ```mlir
    npu.wait_flag mte2 -> mte1, 0
    ```
  }];
  let arguments = (ins NPU_PipeAttr:$from, NPU_PipeAttr:$to,
                       ConfinedAttr<I32Attr, [IntNonNegative]>:$event);
  let assemblyFormat = "custom<PipePair>($from, $to) `,` $event attr-dict";
  let hasVerifier = 1;
}

#endif // SINTER_NPU_OPS_TD
