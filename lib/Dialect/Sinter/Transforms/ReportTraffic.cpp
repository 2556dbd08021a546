//===- ReportTraffic.cpp - Print HBM traffic per function and op ----------===//
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "sinter/Analysis/Traffic.h"
#include "sinter/Dialect/Sinter/IR/SinterOps.h"
#include "sinter/Dialect/Sinter/Transforms/Passes.h"
#include "llvm/Support/Format.h"

namespace mlir::sinter {
#define GEN_PASS_DEF_SINTERREPORTTRAFFIC
#include "sinter/Dialect/Sinter/Transforms/Passes.h.inc"
} // namespace mlir::sinter

using namespace mlir;
using namespace mlir::sinter;

std::string mlir::sinter::getShortLocation(Location loc) {
  if (auto f = dyn_cast<FileLineColLoc>(loc))
    return (llvm::Twine(f.getLine()) + ":" + llvm::Twine(f.getColumn())).str();
  return "-";
}

namespace {
const char *kindName(KernelKind k) {
  switch (k) {
  case KernelKind::Gemm:
    return "gemm";
  case KernelKind::Attention:
    return "attention";
  case KernelKind::Other:
    return "other";
  }
  llvm_unreachable("unknown kernel kind");
}

/// Roofline time of one kernel: the larger of its HBM time and its compute
/// time at the peak for its input type (matrix unit for GEMM/attention,
/// vector unit otherwise).
double rooflineSeconds(const KernelTraffic &k, TargetAttr target) {
  auto hbm = cast<MemoryLevelAttr>(target.getLevels()[0]);
  double memory =
      double(k.readBytes + k.writeBytes) / (hbm.getBandwidth() * 1e9);
  Type elem;
  for (Value v : k.op->getOperands())
    if (isa<RankedTensorType>(v.getType())) {
      elem = getElementTypeOrSelf(v.getType());
      break;
    }
  StringRef unit = k.kind == KernelKind::Other ? "vector" : "matrix";
  int64_t gops = 0;
  for (Attribute a : target.getPeaks()) {
    auto p = cast<PeakComputeAttr>(a);
    if (p.getUnit() == unit && p.getType() == elem)
      gops = std::max(gops, p.getGops());
  }
  if (!gops) // fall back to the best f32 rate of that unit, then any unit
    for (Attribute a : target.getPeaks()) {
      auto p = cast<PeakComputeAttr>(a);
      if (p.getType().isF32() && (p.getUnit() == unit || !gops))
        gops = std::max(gops, p.getGops());
    }
  double compute = gops ? double(k.flops) / (gops * 1e9) : 0.0;
  return std::max(memory, compute);
}

struct ReportTrafficPass
    : public sinter::impl::SinterReportTrafficBase<ReportTrafficPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<TargetAttr> resolved =
        requireTarget(module, "sinter-report-traffic");
    if (failed(resolved))
      return signalPassFailure();
    TargetAttr target = *resolved;
    llvm::raw_ostream &os = llvm::outs();
    module.walk([&](func::FuncOp func) {
      if (func.isExternal())
        return;
      FunctionTraffic t = analyzeTraffic(func);
      os << "sinter traffic report: @" << func.getSymName() << " on "
         << target.getName() << "\n";
      os << llvm::format("  %-4s %-10s %-26s %-8s %14s %14s %16s %12s\n", "#",
                         "kind", "op", "loc", "read B", "written B", "flops",
                         "time us");
      double seconds = 0;
      unsigned numLoadTime = 0;
      for (auto [i, k] : llvm::enumerate(t.kernels)) {
        double s = rooflineSeconds(k, target);
        if (k.loadTime)
          ++numLoadTime;
        else
          seconds += s;
        os << llvm::format(
            "  %-4u %-10s %-26s %-8s %14lld %14lld %16lld %12.2f\n",
            unsigned(i), k.loadTime ? "load-time" : kindName(k.kind),
            k.op->getName().getStringRef().str().c_str(),
            getShortLocation(k.op->getLoc()).c_str(), (long long)k.readBytes,
            (long long)k.writeBytes, (long long)k.flops, s * 1e6);
      }
      int64_t total = t.totalRead() + t.totalWrite();
      int64_t minimum = t.compulsoryRead + t.compulsoryWrite;
      os << "  kernels: " << t.kernels.size() - numLoadTime << " ("
         << t.count(KernelKind::Gemm) << " gemm, "
         << t.count(KernelKind::Attention) << " attention, "
         << t.count(KernelKind::Other) << " other)";
      if (numLoadTime)
        os << ", plus " << numLoadTime
           << " load-time kernel(s) on weights, not counted per call";
      os << "\n";
      os << "  HBM bytes: " << total << " (read " << t.totalRead()
         << ", written " << t.totalWrite() << ")\n";
      os << "  compulsory minimum: " << minimum << " (read " << t.compulsoryRead
         << ", written " << t.compulsoryWrite << ")\n";
      os << llvm::format("  ratio to minimum: %.3f\n",
                         minimum ? double(total) / minimum : 0.0);
      os << "  flops: " << t.totalFlops() << "\n";
      os << llvm::format("  roofline time: %.2f us\n", seconds * 1e6);
    });
  }
};
} // namespace
