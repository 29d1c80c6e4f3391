#!/usr/bin/env bash
# Append throughput and latency of the HTTPS API with 1 and with 32 concurrent keep-alive
# clients (wrk), against a fresh ledger served by build/jejak on a free loopback port.
# Timings are noisy on shared machines: compare runs on one machine, never assert.
# Usage: tests/bench/http_append.sh [build/jejak] [seconds per run]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jejak=$(realpath "${1:-$here/../../build/jejak}")
seconds=${2:-10}
command -v wrk >/dev/null || { echo "wrk missing (ops/install-deps.sh installs it)" >&2; exit 2; }
scratch=$(mktemp -d)
server=
cleanup() {
  [[ -n "$server" ]] && kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$scratch"
}
trap cleanup EXIT

"$jejak" init --data "$scratch/l" --region "Kabupaten Bench" --origin jejak.bench/l >/dev/null
printf '{"kind":"opd","code":"1.02.0.00.0.00.01.0000","name":"Dinas Kesehatan"}\n' > "$scratch/opd.json"
"$jejak" append --data "$scratch/l" --sub admin "$scratch/opd.json" >/dev/null
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$jejak" serve --data "$scratch/l" --listen "127.0.0.1:$port" > /dev/null 2> "$scratch/server.err" &
server=$!
for _ in $(seq 1 100); do
  curl -s --cacert "$scratch/l/tls/cert.pem" "https://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.1
done
token=$("$jejak" token --data "$scratch/l" --role officer --sub bench --opd 1.02.0.00.0.00.01.0000)
for clients in 1 32; do
  threads=$((clients < 2 ? 1 : 2))
  printf '%2d clients: ' "$clients"
  wrk -t "$threads" -c "$clients" -d "${seconds}s" --timeout 10s -s "$here/http_append.lua" \
    "https://127.0.0.1:$port" -- "$token" "c$clients" | tail -n 1
done
"$jejak" verify --data "$scratch/l"
curl -s --cacert "$scratch/l/tls/cert.pem" "https://127.0.0.1:$port/metrics" |
  grep -E '^jejak_append_batch_entries_(sum|count)'
