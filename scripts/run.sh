#!/usr/bin/env bash
# Sets everything up and starts Otter. Safe to run twice.
#
# Until the server (otterd) lands this runs the supervision-tree example of core/:
# type `crash` to crash the worker and watch its supervisor restart it.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

# ---- frontend: build the web app into frontend/dist, which otterd serves at /
(cd frontend && npm run --silent build)
# ---- end frontend
cmake --preset release >/dev/null
cmake --build --preset release -j "${OTTER_JOBS:-$(nproc)}" --target supervision_tree
exec build/release/examples/supervision_tree "$@"
