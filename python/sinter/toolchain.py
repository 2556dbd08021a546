"""Where the host's compilers and Sinter's runtime are, for building
programs and libraries against compiled artifacts (CompiledModule links
its shared library with them; the C++ examples build with them).

Overrides: $CC, $CXX, $SINTER_RUNTIME_LIB.
"""
import glob
import os
import shutil
from typing import Optional


class ToolchainError(RuntimeError):
    """A tool or library the build needs is missing."""


def _first(candidates, what: str, hint: str) -> str:
    for c in candidates:
        if c and shutil.which(c):
            return c
    raise ToolchainError(f"no {what} found ({hint})")


def c_compiler() -> str:
    """$CC, else clang-22, cc or gcc."""
    return _first((os.environ.get("CC"), "clang-22", "cc", "gcc"), "C compiler", "set $CC")


def cxx_compiler() -> str:
    """$CXX, else clang++-22, c++ or g++."""
    return _first((os.environ.get("CXX"), "clang++-22", "c++", "g++"), "C++ compiler", "set $CXX")


def omp_lib_dir() -> str:
    """The folder of the LLVM OpenMP runtime (libomp.so) the CPU objects
    call."""
    found = sorted(glob.glob("/usr/lib/llvm-*/lib/libomp.so")) + sorted(glob.glob("/usr/lib/*/libomp.so"))
    if not found:
        raise ToolchainError("libomp.so not found (install libomp-dev)")
    return os.path.dirname(found[-1])


def install_prefix() -> Optional[str]:
    """Where `cmake --install` put Sinter, when this package came from it."""
    try:
        from . import _install  # written by cmake --install
        return _install.PREFIX
    except ImportError:
        return None


def runtime_lib() -> str:
    """libsinter_runtime.a: $SINTER_RUNTIME_LIB, the build tree's, or the
    install prefix's."""
    from . import _build  # noqa: F401 (set by the package's __init__)
    candidates = [os.environ.get("SINTER_RUNTIME_LIB"), os.path.join(_build, "lib", "libsinter_runtime.a")]
    prefix = install_prefix()
    if prefix:
        candidates.append(os.path.join(prefix, "lib", "libsinter_runtime.a"))
    for c in candidates:
        if c and os.path.exists(c):
            return c
    raise ToolchainError("libsinter_runtime.a not found (set $SINTER_RUNTIME_LIB)")
