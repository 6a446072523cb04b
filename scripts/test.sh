#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: once in a normal
# build and once with AddressSanitizer + UndefinedBehaviorSanitizer.
# Set TOLLGATE_SKIP_SANITIZE=1 to skip the sanitizer pass while iterating.
source "$(dirname "$0")/common.sh"
install_missing
export QT_QPA_PLATFORM=offscreen

# Optimized without debug info (half the compile time on 2 cores); the
# sanitizer build below keeps its debug info for the stack traces. The install
# prefix is the package's, so scripts/package-check.sh can package this tree.
echo "==> build (Release, -O2)"
build "$ROOT/build" -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG" \
  -DCMAKE_INSTALL_PREFIX=/usr -DTOLLGATE_WERROR=ON
echo "==> tests"
(cd "$ROOT/build" && ctest --output-on-failure -j "$JOBS" --timeout 300)

if [ "${TOLLGATE_SKIP_SANITIZE:-0}" != 1 ]; then
  echo "==> build (address + undefined sanitizers)"
  build "$ROOT/build-asan" -DCMAKE_BUILD_TYPE=Debug -DTOLLGATE_SANITIZE=ON -DTOLLGATE_BUILD_BENCH=OFF
  echo "==> tests under sanitizers"
  export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
  (cd "$ROOT/build-asan" && ctest --output-on-failure -j "$JOBS" --timeout 600)
fi
