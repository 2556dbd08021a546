"""Sinter: an MLIR compiler for transformer workloads (Python side).

`sinter.runner` executes MLIR functions (sinter ops included) on the CPU
through `sinter-opt --sinter-reference-to-llvm` and `mlir-runner`, with numpy
arrays in and out. It is the reference executor that tests and examples use.
"""

__version__ = "0.1.0"
