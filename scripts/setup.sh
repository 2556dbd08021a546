#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine (run as root or with sudo):
#
#   scripts/setup.sh example   install dependencies, build and install, run the
#                              bundled decoder block and check it against
#                              numpy, compile it ahead of time and run it from
#                              C++, then the Python path: a torch block
#                              exported to ONNX, compiled with the sinter
#                              package, run and compared with torch
#   scripts/setup.sh test      install dependencies, build and install, run
#                              every test (lit, then pytest)
#
# Steps on their own: deps, build. BUILD_DIR (default: build) picks the
# build folder; an existing build is updated incrementally. The build is
# installed under PREFIX (default /usr/local), which puts the sinter Python
# package where /usr/bin/python3 finds it.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build}
LLVM_PREFIX=/usr/lib/llvm-22
PREFIX=${PREFIX:-/usr/local}
PACKAGES=(cmake ninja-build ccache python3 python3-numpy libomp-dev
          libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools clang-22 lld-22
          python3-dev pybind11-dev python3-pytest python3-onnx python3-torch
          python3-matplotlib)

sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo

deps() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "setup: all packages present"
    return
  fi
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
}

build() {
  if [ ! -f "$BUILD_DIR/build.ninja" ]; then
    cmake -G Ninja -B "$BUILD_DIR" \
      -DMLIR_DIR="$LLVM_PREFIX/lib/cmake/mlir" \
      -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
      -DLLVM_USE_LINKER=lld -DPython3_EXECUTABLE=/usr/bin/python3 \
      -DCMAKE_INSTALL_PREFIX="$PREFIX"
  fi
  ninja -C "$BUILD_DIR" all sinter-test-depends
  $sudo cmake --install "$BUILD_DIR" > "$BUILD_DIR/install.log"
  echo "setup: installed into $PREFIX (sinter Python package: $(cd / && /usr/bin/python3 -c 'import sinter, os; print(os.path.dirname(sinter.__file__))'))"
}

run_tests() {
  local xml="$BUILD_DIR/test/results.xml" pyxml="$BUILD_DIR/test/pytest.xml" rc=0
  /usr/bin/python3 "$LLVM_PREFIX/bin/lit" -sv --xunit-xml-output="$xml" "$BUILD_DIR/test" || rc=$?
  SINTER_BUILD_DIR="$PWD/$BUILD_DIR" /usr/bin/python3 -m pytest -q -p no:cacheprovider \
    --junitxml="$pyxml" python/tests || rc=$?
  # Closing lines CI readers understand, after lit's and pytest's own.
  /usr/bin/python3 - "$xml" "$pyxml" <<'PY'
import sys, xml.etree.ElementTree as ET
for label, path in (("lit", sys.argv[1]), ("pytest", sys.argv[2])):
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    tests = sum(int(s.get("tests", 0)) for s in suites)
    failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    skipped = sum(int(s.get("skipped", 0)) for s in suites)
    print(f"{label}: {tests - failed - skipped} passed, {failed} failed, {skipped} skipped")
PY
  return $rc
}

case "${1:-}" in
  deps) deps ;;
  build) deps; build ;;
  example) deps; build
    SINTER_OPT="$PWD/$BUILD_DIR/bin/sinter-opt" /usr/bin/python3 examples/decoder_block/run.py
    /usr/bin/python3 examples/aot-cpu/run.py --build-dir "$BUILD_DIR"
    (cd / && /usr/bin/python3 "$OLDPWD/examples/onnx-torch/run.py") ;;
  test) deps; build; run_tests ;;
  *) sed -n '2,10p' "$0"; exit 2 ;;
esac
