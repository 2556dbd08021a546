//===- SinterOps.h - Sinter operations and attributes -----------*- C++ -*-===//
#ifndef SINTER_DIALECT_SINTER_IR_SINTEROPS_H
#define SINTER_DIALECT_SINTER_IR_SINTEROPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "sinter/Dialect/Sinter/IR/SinterDialect.h"

#include "sinter/Dialect/Sinter/IR/SinterEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "sinter/Dialect/Sinter/IR/SinterAttrs.h.inc"

#define GET_OP_CLASSES
#include "sinter/Dialect/Sinter/IR/SinterOps.h.inc"

#endif
