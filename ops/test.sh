#!/usr/bin/env bash
# Installs what is needed, builds everything and runs every test (unit, storage,
# end-to-end), the storage tests on SQLite and on PostgreSQL. Exits non-zero on any
# failure. Warnings are errors here.
#
# ctest starts a throwaway PostgreSQL in build/pg before the first test that needs it and
# stops it after the last (the `postgres` fixture: tests pg.start and pg.stop, ops/pg.sh;
# docs/postgresql.md). If the run is interrupted, the trap below stops it; failing that,
# pg.start's watchdog does within seconds of ctest's exit, and the next run's pg.start
# removes whatever is left. By hand: ops/pg.sh stop build/pg.
set -euo pipefail
cd "$(dirname "$0")/.."
ops/install-deps.sh
ops/build.sh -DJEJAK_WERROR=ON
cd build
trap 'bash ../ops/pg.sh stop pg >/dev/null 2>&1; exit 130' INT TERM
ctest --output-on-failure --timeout 1200 -j "$(nproc)"
