#!/usr/bin/env bash
# Runs the dashboard's browser tests in Debian's headless Chromium against a real
# `jejak serve`. Usage: tests/browser/run.sh [PATH_TO_JEJAK] (default build/jejak).
# Installs the pinned npm packages (playwright-core only; it downloads no browser) when
# they are missing. Screenshots go to $JEJAK_ARTIFACTS (default build/test-artifacts).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
if [[ $# -ge 1 ]]; then
  JEJAK="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
  export JEJAK
fi
export JEJAK="${JEJAK:-$repo/build/jejak}"
export JEJAK_ARTIFACTS="${JEJAK_ARTIFACTS:-$repo/build/test-artifacts}"
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

if [[ ! -x "$CHROMIUM" ]]; then
  echo "browser tests: no Chromium at $CHROMIUM (ops/install-deps.sh installs Debian's chromium)" >&2
  exit 1
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "browser tests: node and npm are needed (ops/install-deps.sh installs them)" >&2
  exit 1
fi
if [[ ! -x "$JEJAK" ]]; then
  echo "browser tests: no jejak binary at $JEJAK" >&2
  exit 1
fi

cd "$here"
wanted="$(node -p 'require("./package.json").devDependencies["playwright-core"]')"
have="$(node -p 'require("./node_modules/playwright-core/package.json").version' 2>/dev/null || true)"
if [[ "$have" != "$wanted" ]]; then
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 timeout 300 npm ci --no-audit --no-fund --loglevel=error
fi
mkdir -p "$JEJAK_ARTIFACTS"
exec timeout 900 node --test --test-concurrency=1 --test-timeout=300000 ./*.test.mjs
