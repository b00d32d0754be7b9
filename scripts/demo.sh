#!/usr/bin/env bash
# The main job, offline: builds the demo database and runs askguru on it.
set -euo pipefail
cd "$(dirname "$0")/.."
./build/askguru version
