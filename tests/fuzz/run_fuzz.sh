#!/usr/bin/env bash
# Runs the libFuzzer build of fuzz_hub for a bounded time (the fuzz_hub_libfuzzer CTest test).
#   run_fuzz.sh FUZZER SECONDS WORKDIR [extra libFuzzer flags...]
# Exit 77 (CTest: skipped) when there is no fuzzer binary (clang not installed).
# A crash leaves its input in WORKDIR/artifacts: copy it to tests/fuzz/regressions/ and fix it.
# For a long local run, see docs/security.md ("Fuzzing").
set -uo pipefail
fuzzer=${1:-}
seconds=${2:-60}
work=${3:-$(mktemp -d)}
shift 3 2>/dev/null || true
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "$fuzzer" ] || [ ! -x "$fuzzer" ]; then
  echo "fuzz_hub: no libFuzzer build (clang++ not found, or a sanitizer tree); skipped."
  echo "          scripts/deps.sh installs clang; the fuzzer then builds with the rest."
  exit 77
fi
mkdir -p "$work/corpus" "$work/artifacts"
# The target's database goes to tmpfs when there is one (it syncs every storage batch).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0:abort_on_error=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1"
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=3072 -max_len=4096 \
  -dict="$here/herald.dict" -detect_leaks=0 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" "$@" "$work/corpus" "$here/corpus" "$here/regressions"
status=$?
if [ $status -ne 0 ]; then
  echo "fuzz_hub: FAILED (status $status). Inputs that crashed: $work/artifacts/"
  ls -l "$work/artifacts/" 2>/dev/null
  echo "Replay one with: $fuzzer <file>; then add it to tests/fuzz/regressions/ (tst_fuzz_replay runs them)."
fi
exit $status
