// RUN: sinter-opt %s -split-input-file -verify-diagnostics

// expected-error @+1 {{target kind must be a backend's name (letters, digits, '-' and '_'), got "f p"}}
module attributes {sinter.target = #sinter.target<name = "x", kind = "f p", cores = 1,
    levels = [#sinter.memory<name = "dram", capacity = 1024, bandwidth = 1>], peaks = [],
    matrix_shape = [1, 1, 1], vector_bytes = 16>} {}

// -----

// expected-error @+1 {{target must have at least one core, got 0}}
module attributes {sinter.target = #sinter.target<name = "x", kind = "cpu", cores = 0,
    levels = [#sinter.memory<name = "dram", capacity = 1024, bandwidth = 1>], peaks = [],
    matrix_shape = [1, 1, 1], vector_bytes = 16>} {}

// -----

// expected-error @+1 {{target levels must be #sinter.memory attributes, got 5 : i64}}
module attributes {sinter.target = #sinter.target<name = "x", kind = "cpu", cores = 1,
    levels = [5], peaks = [], matrix_shape = [1, 1, 1], vector_bytes = 16>} {}

// -----

// expected-error @+1 {{the first memory level must be the chip's off-chip memory, not a per-core one}}
module attributes {sinter.target = #sinter.target<name = "x", kind = "cpu", cores = 1,
    levels = [#sinter.memory<name = "l1", capacity = 1024, bandwidth = 1, per_core = true>], peaks = [],
    matrix_shape = [1, 1, 1], vector_bytes = 16>} {}

// -----

// expected-error @+1 {{memory level "dram" must have positive capacity and bandwidth}}
module attributes {sinter.target = #sinter.target<name = "x", kind = "cpu", cores = 1,
    levels = [#sinter.memory<name = "dram", capacity = 0, bandwidth = 1>], peaks = [],
    matrix_shape = [1, 1, 1], vector_bytes = 16>} {}

// -----

// expected-error @+1 {{matrix_shape must be three positive sizes [m, n, k]}}
module attributes {sinter.target = #sinter.target<name = "x", kind = "cpu", cores = 1,
    levels = [#sinter.memory<name = "dram", capacity = 1024, bandwidth = 1>], peaks = [],
    matrix_shape = [8, 8], vector_bytes = 16>} {}

// -----

// expected-error @+1 {{vector_bytes must be a positive power of two, got 24}}
module attributes {sinter.target = #sinter.target<name = "x", kind = "cpu", cores = 1,
    levels = [#sinter.memory<name = "dram", capacity = 1024, bandwidth = 1>], peaks = [],
    matrix_shape = [1, 1, 1], vector_bytes = 24>} {}

// -----

// expected-error @+1 {{peak unit must be "matrix" or "vector", got "tensor"}}
module attributes {sinter.target = #sinter.target<name = "x", kind = "cpu", cores = 1,
    levels = [#sinter.memory<name = "dram", capacity = 1024, bandwidth = 1>],
    peaks = [#sinter.peak<type = f32, unit = "tensor", gops = 1>],
    matrix_shape = [1, 1, 1], vector_bytes = 16>} {}

// -----

// expected-error @+1 {{struct is missing required parameter: vector_bytes}}
module attributes {sinter.target = #sinter.target<name = "x", kind = "cpu", cores = 1, levels = [], peaks = [], matrix_shape = [1, 1, 1]>} {}

// -----

// expected-error @+4 {{invalid kind of attribute specified}}
// expected-error @+3 {{failed to parse Sinter_TargetAttr parameter 'config' which is to be a `::mlir::DictionaryAttr`}}
module attributes {sinter.target = #sinter.target<name = "x", kind = "cpu", cores = 1,
    levels = [#sinter.memory<name = "dram", capacity = 1024, bandwidth = 1>], peaks = [],
    matrix_shape = [1, 1, 1], vector_bytes = 16, config = [1, 2]>} {}
