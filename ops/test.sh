#!/usr/bin/env bash
# Installs what is needed, builds everything and runs every test (unit, storage,
# end-to-end). Exits non-zero on any failure. Warnings are errors here.
set -euo pipefail
cd "$(dirname "$0")/.."
ops/install-deps.sh
ops/build.sh -DJEJAK_WERROR=ON
cd build
ctest --output-on-failure --timeout 1200 -j "$(nproc)"
