#!/usr/bin/env bash
# Sets everything up and runs every test. Safe to run twice (setup skips what is there,
# ccache and the build trees make the second build cheap).
#
#   1. installs Debian packages (scripts/setup.sh)
#   2. ASan+UBSan build of everything, the whole test suite under it
#   3. ThreadSanitizer build, the tests labelled `concurrency` under it
#   4. the libFuzzer targets (clang): built, and a short seeded run of each
#   5. the frontend: npm test (the TypeScript OT client), then the browser tests
#
# In CI (CI=true) warnings are errors in the ASan build (which compiles everything) and in the
# fuzz build (clang).
# Set OTTER_JOBS to change build parallelism.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

jobs=${OTTER_JOBS:-$(nproc)}
werror=OFF
[ "${CI:-}" = true ] && werror=ON

# Each step says how long the run has taken so far, so a slow CI run shows where.
step() { printf '\n==> [%dm%02ds] %s\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*"; }

step "ASan + UBSan build"
cmake --preset asan -DOTTER_WERROR=$werror >/dev/null
cmake --build --preset asan -j "$jobs"

step "Tests under ASan + UBSan"
ctest --preset asan -j "$jobs"

step "ThreadSanitizer build"
# Never -Werror here: GCC's -Wtsan flags Boost.Asio's own atomic_thread_fence use.
# Our code's warnings are already errors in the ASan build above.
# Only the test programs that hold `concurrency` tests (asked of the ASan tree, where they
# are built) and what they run: that is about half the targets, and half the time.
cmake --preset tsan -DOTTER_WERROR=OFF >/dev/null
mapfile -t tsan_targets < <(ctest --preset asan -L concurrency --show-only=json-v1 | python3 -c '
import json, os, sys
print("\n".join(sorted({os.path.basename(t["command"][0]) for t in json.load(sys.stdin)["tests"]})))')
[ "${#tsan_targets[@]}" -gt 0 ] || { echo "no concurrency tests found in the ASan tree" >&2; exit 1; }
cmake --build --preset tsan -j "$jobs" --target "${tsan_targets[@]}"

step "Concurrency tests under TSan"
# TSan's runtime needs ASLR entropy it can handle; Debian 12 kernels may use more.
setarch "$(uname -m)" -R ctest --preset tsan -j "$jobs" -L concurrency

step "Fuzz targets: build with clang and libFuzzer, a short seeded run of each"
# Keeps them building and shows nothing they already reach has broken. Fixed seeds and run
# counts, so a run is repeatable; longer runs are in docs/ot.md and docs/protocol.md.
cmake --preset fuzz -DOTTER_WERROR=$werror >/dev/null
cmake --build --preset fuzz -j "$jobs" --target ot_fuzz ws_frame_fuzz protocol_fuzz static_files_fuzz rest_api_fuzz session_fuzz
fuzz_scratch=$(mktemp -d)
trap 'rm -rf "$fuzz_scratch"' EXIT
fuzz() {  # fuzz TARGET RUNS [SEED_CORPUS]: a find (crash-* in the scratch dir) fails the step
  local binary="$PWD/build/fuzz/tests/fuzz/$1" log="$fuzz_scratch/$1.log"
  mkdir -p "$fuzz_scratch/$1"
  if [ -n "${3:-}" ]; then cp -r "$3"/. "$fuzz_scratch/$1"; fi
  if (cd "$fuzz_scratch" && "$binary" -seed=1 -runs="$2" "$1" >"$log" 2>&1); then
    echo "$1: $(grep -a "^Done" "$log" | tail -n 1)"
  else
    tail -n 40 "$log" >&2
    echo "$1 found a failure; see above" >&2
    return 1
  fi
}
fuzz ot_fuzz 200000 tests/fuzz/corpus
fuzz ws_frame_fuzz 400000
fuzz protocol_fuzz 500000 tests/fuzz/protocol_corpus
fuzz static_files_fuzz 200000 tests/fuzz/static_files_corpus
fuzz rest_api_fuzz 20000 tests/fuzz/rest_api_corpus  # a real service: ~1 000 requests/s
fuzz session_fuzz 2000 tests/fuzz/session_corpus     # a real service: ~70-300 conversations/s

# ---- frontend (frontend/, docs/frontend.md) ---------------------------------------------
step "Frontend unit tests (TypeScript OT client, shared vectors)"
(cd frontend && npm test)

step "Frontend browser tests (Debian chromium + playwright-core against a real otterd)"
# Against the ASan otterd built above (else the tests build a release one in build/frontend);
# screenshots go to frontend/test-artifacts/.
asan_otterd="$PWD/build/asan/otterd/otterd"
if [ -x "$asan_otterd" ]; then
  (cd frontend && OTTERD_BINARY="$asan_otterd" npm run test:browser)
else
  (cd frontend && npm run test:browser)
fi
# ---- end frontend

step "All tests passed"
