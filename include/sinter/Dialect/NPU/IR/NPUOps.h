//===- NPUOps.h - NPU target dialect ----------------------------*- C++ -*-===//
#ifndef SINTER_DIALECT_NPU_IR_NPUOPS_H
#define SINTER_DIALECT_NPU_IR_NPUOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "sinter/Dialect/NPU/IR/NPUDialect.h.inc"
#include "sinter/Dialect/NPU/IR/NPUEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "sinter/Dialect/NPU/IR/NPUAttrs.h.inc"

#define GET_OP_CLASSES
#include "sinter/Dialect/NPU/IR/NPUOps.h.inc"

namespace mlir::sinter::npu {
/// The NPU memory space of `type` (no memory space: global).
FailureOr<MemorySpace> getMemorySpace(MemRefType type);
} // namespace mlir::sinter::npu

#endif
