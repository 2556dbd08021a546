//===- Tile.cpp - Apply the cost model's tiles ----------------------------===//
#include "sinter/Analysis/TilingModel.h"
#include "sinter/Dialect/Sinter/Transforms/Passes.h"

namespace mlir::sinter {
#define GEN_PASS_DEF_SINTERTILE
#include "sinter/Dialect/Sinter/Transforms/Passes.h.inc"
} // namespace mlir::sinter

using namespace mlir;
using namespace mlir::sinter;

namespace {
struct TilePass : public sinter::impl::SinterTileBase<TilePass> {
  using Base::Base;
  void runOnOperation() override {}
};
} // namespace
