#!/usr/bin/env bash
# Installs everything Otter needs to build, test and benchmark on Debian 12.
# Idempotent: packages already present are skipped, so running it twice is cheap.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libboost1.81-all-dev libboost-json1.81-dev libyaml-cpp-dev libgtest-dev libgmock-dev libbenchmark-dev
  libsqlite3-dev sqlite3 libspdlog-dev libfmt-dev zlib1g-dev  # zlib: the gzipped editing traces
  libcaf-dev            # the reference actor runtime the core benchmark compares against
  clang libclang-rt-14-dev  # libFuzzer for the OT fuzz target
)
# The frontend: Debian's chromium runs its browser tests (never a browser npm downloads).
# Node.js 20+ and npm build it; a machine that already has node (NodeSource's nodejs
# includes npm) keeps it: Debian's npm package would conflict with it. Debian 12's own
# nodejs is 18, too old for the frontend's tools: the check after the install says so.
packages+=(chromium fonts-noto-color-emoji)  # the font: emoji in the tests' screenshots
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all Debian packages present"
fi

node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt 20 ]; then
  echo "setup: Node.js $(node --version) is too old: the frontend needs Node.js 20 or newer" \
       "(its test runner uses node --test --test-concurrency). Install Node.js 20+ and rerun." >&2
  exit 1
fi

# ---- frontend: npm packages (frontend/package-lock.json), again only when the lockfile changed
frontend_dir="$(cd "$(dirname "$0")/.." && pwd)/frontend"
lock_stamp="$frontend_dir/node_modules/.otter-lock.sha256"
lock_sum="$(sha256sum "$frontend_dir/package-lock.json" | cut -d' ' -f1)"
if [ ! -d "$frontend_dir/node_modules" ] || [ "$(cat "$lock_stamp" 2>/dev/null)" != "$lock_sum" ]; then
  echo "setup: npm ci in frontend/"
  (cd "$frontend_dir" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock_sum" >"$lock_stamp"
else
  echo "setup: frontend npm packages present"
fi
