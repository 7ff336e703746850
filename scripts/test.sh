#!/usr/bin/env bash
# Installs what is missing, builds (warnings are errors), and runs the whole CTest suite; then
# builds the suite again with AddressSanitizer + UndefinedBehaviorSanitizer and runs the tests
# that exercise Herald's own code under them. Tests that need a display start their own Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
JOBS=$(nproc)
cmake --preset ci
cmake --build --preset ci -j"$JOBS"
ctest --preset ci -j"$JOBS"
if [ "${HERALD_SKIP_ASAN:-0}" != "1" ]; then
  # Only what the sanitizer run executes: the server, shared and their tests (no desktop, bench,
  # browser, chaos, cluster or packaging tests, which the first half ran).
  cmake --preset asan -DHERALD_BUILD_DESKTOP=OFF -DHERALD_BUILD_BENCH=OFF \
    -DHERALD_BROWSER_TESTS=OFF -DHERALD_TEST_AREAS='shared;server;abuse;fuzz'
  cmake --build --preset asan -j"$JOBS"
  # Debian's Qt is not instrumented; leak checking would report Qt's own allocations.
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --preset asan -j"$JOBS" -L 'unit|integration|abuse|fuzz'
fi
