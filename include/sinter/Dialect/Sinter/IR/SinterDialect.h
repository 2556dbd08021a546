//===- SinterDialect.h - Sinter dialect -------------------------*- C++ -*-===//
#ifndef SINTER_DIALECT_SINTER_IR_SINTERDIALECT_H
#define SINTER_DIALECT_SINTER_IR_SINTERDIALECT_H

#include "mlir/IR/Dialect.h"

#include "sinter/Dialect/Sinter/IR/SinterDialect.h.inc"

#endif
