# -*- Python -*-
import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "SINTER"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".py", ".test"]
config.excludes = ["lit.cfg.py", "lit.site.cfg.py", "CMakeLists.txt", "lib", "consumer", "Inputs"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.sinter_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(("%sinter_src", config.sinter_src_root))
config.substitutions.append(("%sinter_obj", config.sinter_obj_root))
config.substitutions.append(("%cmake", config.cmake_command))
config.substitutions.append(("%cxx", config.cxx_compiler))
config.substitutions.append(("%cc", config.c_compiler))
config.substitutions.append(("%llvm_lib", config.llvm_lib_dir))
config.substitutions.append(("%mlir_dir", config.mlir_dir))

llvm_config.use_default_substitutions()
llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])

tool_dirs = [config.sinter_tools_dir, config.llvm_tools_dir]
tools = ["sinter-opt", "sinter-compile", "sinter-translate", "mlir-runner", "FileCheck", "not", "llvm-readelf"]
llvm_config.add_tool_substitutions(tools, tool_dirs)

# Integration tests drive sinter-opt and mlir-runner from Python.
config.environment["SINTER_OPT"] = os.path.join(config.sinter_tools_dir, "sinter-opt")
config.environment["SINTER_MLIR_RUNNER"] = os.path.join(config.llvm_tools_dir, "mlir-runner")
config.environment["SINTER_MLIR_LIB_DIR"] = config.mlir_lib_dir
config.environment["PYTHONPATH"] = os.pathsep.join(
    [os.path.join(config.sinter_src_root, "python"),
     os.path.join(config.sinter_src_root, "test", "Integration", "lib")])
# The compiled path of the harness (and the examples) runs the product:
# the sinter package from the source tree with the build's extension.
config.environment["SINTER_BUILD_DIR"] = config.sinter_obj_root
config.environment["SINTER_COMPILE"] = os.path.join(config.sinter_tools_dir, "sinter-compile")
config.environment["SINTER_RUNTIME_LIB"] = os.path.join(config.sinter_obj_root, "lib", "libsinter_runtime.a")
config.environment["CXX"] = config.cxx_compiler

# GPU compile tests assemble with ptxas when the CUDA toolkit is installed.
import shutil
_ptxas = shutil.which("ptxas") or ("/usr/local/cuda/bin/ptxas"
                                   if os.path.exists("/usr/local/cuda/bin/ptxas") else None)
if _ptxas:
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", _ptxas))
