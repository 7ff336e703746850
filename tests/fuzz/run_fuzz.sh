#!/usr/bin/env bash
# Runs a libFuzzer target for a bounded time (the fuzz_*_libfuzzer CTest tests).
#   run_fuzz.sh FUZZER SECONDS WORKDIR [extra libFuzzer flags...]
# HERALD_FUZZ_DATA: the folder with its corpus/ and regressions/ (default: fuzz_hub's, here);
# HERALD_FUZZ_MAX_LEN: the longest input (default 4096).
# Exit 77 (CTest: skipped) when there is no fuzzer binary (clang not installed).
# A crash leaves its input in WORKDIR/artifacts: copy it to tests/fuzz/regressions/ and fix it.
# For a long local run, see docs/security.md ("Fuzzing").
set -uo pipefail
fuzzer=${1:-}
seconds=${2:-60}
work=${3:-$(mktemp -d)}
shift 3 2>/dev/null || true
here=$(cd "$(dirname "$0")" && pwd)
data=${HERALD_FUZZ_DATA:-$here}
dict=()
[ -f "$data/herald.dict" ] && dict=(-dict="$data/herald.dict")
if [ -z "$fuzzer" ] || [ ! -x "$fuzzer" ]; then
  echo "$(basename "${fuzzer:-fuzzer}"): no libFuzzer build (clang++ not found, or a sanitizer tree); skipped."
  echo "          scripts/deps.sh installs clang; the fuzzer then builds with the rest."
  exit 77
fi
mkdir -p "$work/corpus" "$work/artifacts"
# The target's database goes to tmpfs when there is one (it syncs every storage batch).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0:abort_on_error=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1"
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=3072 -max_len="${HERALD_FUZZ_MAX_LEN:-4096}" \
  "${dict[@]}" -detect_leaks=0 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" "$@" "$work/corpus" "$data/corpus" "$data/regressions"
status=$?
if [ $status -ne 0 ]; then
  echo "$(basename "$fuzzer"): FAILED (status $status). Inputs that crashed: $work/artifacts/"
  ls -l "$work/artifacts/" 2>/dev/null
  echo "Replay one with: $fuzzer <file>; then add it to $data/regressions/ (tst_fuzz_replay runs them)."
fi
exit $status
