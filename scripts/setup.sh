#!/usr/bin/env bash
# One command for a fresh Debian 12 machine: installs the system packages,
# configures and builds askguru (Release), then runs the main job (the demo).
#
#   scripts/setup.sh            install + build + main job
#   scripts/setup.sh --no-demo  install + build only (CI)
#   scripts/setup.sh --deps     install the packages only
set -euo pipefail
cd "$(dirname "$0")/.."

run_demo=1
build=1
for arg in "$@"; do
  case "$arg" in
    --no-demo) run_demo=0 ;;
    --deps) build=0; run_demo=0 ;;
    *) echo "setup.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

packages=(
  build-essential cmake ninja-build ccache pkg-config git sqlite3
  libsqlite3-dev nlohmann-json3-dev libcurl4-openssl-dev libcpp-httplib-dev libyaml-cpp-dev
  libcli11-dev libspdlog-dev libfmt-dev libre2-dev libutf8proc-dev libxxhash-dev
  libgtest-dev libgmock-dev libbenchmark-dev libfaiss-dev libopenblas0-pthread
  libpq-dev postgresql unixodbc-dev unixodbc libsqliteodbc odbc-postgresql
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing ${#missing[@]} Debian packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ $build = 1 ]; then
  echo "==> configuring and building (Release) in build/"
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
  cmake --build build -j"$(nproc)"
fi

if [ $run_demo = 1 ]; then
  scripts/demo.sh
fi
