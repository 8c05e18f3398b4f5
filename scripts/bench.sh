#!/usr/bin/env bash
# Sets up (scripts/setup.sh), builds the release preset and runs the benchmark programs,
# writing each one's JSON to bench/results/<name>.json (git-ignored) and its stderr to
# bench/results/<name>.log, plus bench/results/machine.txt saying where the numbers came
# from.
#
#   scripts/bench.sh              run every benchmark below, then the load benchmark
#   scripts/bench.sh ot_bench     run only the named ones
#   scripts/bench.sh load_bench   only the load benchmark (scripts/load_bench.sh, which
#                                 starts otterd, ShareDB and the relay and drives them;
#                                 8-12 minutes; writes bench/results/load_bench.json)
#
# Set OTTER_JOBS to change build parallelism.
# Exits non-zero if a build or any benchmark fails (ot_bench fails when a trace replay
# does not reproduce the trace's final text). See docs/benchmarks.md.
set -euo pipefail

# One line per benchmark program: <cmake target> <binary under the build dir> [args...]
BENCHMARKS=(
  "ot_bench bench/ot/ot_bench"
  "core_bench bench/core/core_bench"
  "caf_bench bench/core/caf_bench"
)

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build/release"
results="$root/bench/results"
cd "$root"

selected=()
for line in "${BENCHMARKS[@]}"; do
  read -r -a fields <<<"$line"
  if [ $# -eq 0 ] || [[ " $* " == *" ${fields[0]} "* ]]; then selected+=("$line"); fi
done
run_load=false
if [ $# -eq 0 ] || [[ " $* " == *" load_bench "* ]]; then run_load=true; fi
if [ ${#selected[@]} -eq 0 ] && [ "$run_load" = false ]; then
  echo "bench.sh: no benchmark named: $* (known: ${BENCHMARKS[*]%% *} load_bench)" >&2
  exit 2
fi

targets=()
for line in "${selected[@]}"; do
  read -r -a fields <<<"$line"
  targets+=("${fields[0]}")
done
scripts/setup.sh
cmake --preset release >/dev/null
if [ ${#targets[@]} -gt 0 ]; then
  cmake --build "$build" -j "${OTTER_JOBS:-$(nproc)}" --target "${targets[@]}"
fi

mkdir -p "$results"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "compiler: $(c++ --version | head -1)"
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$results/machine.txt"

status=0
for line in "${selected[@]}"; do
  read -r -a fields <<<"$line"
  name="${fields[0]}"
  echo "bench.sh: running $name" >&2
  if "$build/${fields[1]}" "${fields[@]:2}" >"$results/$name.json" 2>"$results/$name.log"; then
    echo "bench.sh: $name -> bench/results/$name.json" >&2
  else
    echo "bench.sh: $name FAILED (see bench/results/$name.log)" >&2
    status=1
  fi
done
if [ "$run_load" = true ]; then
  echo "bench.sh: running load_bench (scripts/load_bench.sh)" >&2
  if scripts/load_bench.sh; then
    echo "bench.sh: load_bench -> bench/results/load_bench.json, load_bench.md" >&2
  else
    echo "bench.sh: load_bench FAILED" >&2
    status=1
  fi
fi
exit $status
