#!/usr/bin/env bash
# Installs every Debian package Jejak needs to build, test and run. Idempotent: when all
# packages are present it only checks and returns.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev
  libsoci-dev libsoci-sqlite3-4.0 libsoci-postgresql4.0
  libsqlite3-dev sqlite3
  libcpp-jwt-dev nlohmann-json3-dev libssl-dev openssl
  python3 python3-jwt python3-cryptography curl wrk
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  libxlsxwriter-dev python3-openpyxl libzip-dev libxml2-dev
  chromium fonts-dejavu-core
  faketime
  dpkg-dev file systemd adduser
  postgresql-15 postgresql-client-15 libpq-dev
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

# Browser tests (tests/browser) run Node.js and npm; a machine that already has them (from
# any source) keeps its own, since Debian's npm conflicts with other nodejs builds.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
