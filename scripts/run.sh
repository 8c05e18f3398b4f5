#!/usr/bin/env bash
# Sets everything up and starts Otter. Safe to run twice.
#
# Installs what is missing (scripts/setup.sh), builds the web editor and the release
# build of otterd, then runs otterd on its embedded default configuration:
#   http://127.0.0.1:8080/          the web editor (frontend/dist)
#   ws://127.0.0.1:8080/ws          the WebSocket protocol (docs/protocol.md)
#   http://127.0.0.1:8080/api/docs  the REST API (docs/api.md)
#   ./data/otter.db                 the documents (SQLite)
# Extra arguments go to otterd: `scripts/run.sh --listen 0.0.0.0:8080`,
# `scripts/run.sh --config otter.yaml` (docs/configuration.md). Ctrl-C stops it gracefully.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

# ---- frontend: build the web app into frontend/dist, which otterd serves at /
(cd frontend && npm run --silent build)
# ---- end frontend
cmake --preset release >/dev/null
cmake --build --preset release -j "${OTTER_JOBS:-$(nproc)}" --target otterd otter
exec build/release/otterd/otterd "$@"
