#!/usr/bin/env bash
# Installs everything Otter needs to build, test and benchmark on Debian 12.
# Idempotent: packages already present are skipped, so running it twice is cheap.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libboost1.81-all-dev libboost-json1.81-dev libyaml-cpp-dev libgtest-dev libgmock-dev libbenchmark-dev
  libsqlite3-dev sqlite3 libspdlog-dev libfmt-dev
  libcaf-dev            # the reference actor runtime the core benchmark compares against
  clang libclang-rt-14-dev  # libFuzzer for the OT fuzz target
)
if [ "${OTTER_WITH_BROWSER:-0}" = 1 ]; then
  packages+=(chromium nodejs npm)
fi

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
