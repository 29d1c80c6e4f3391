#!/usr/bin/env bash
# Times each search filter of GET /v1/entries on a big ledger (default 1,000,000
# expenditures from gen_ledger.py), as an auditor (every OPD) and as an officer (one OPD),
# in both orders, over HTTPS against a Release `jejak serve`: the server-side p50 / p99 of
# the request (its logged duration_ms) and the number of entries on the first page. Prints
# a markdown table. Not run by ctest; on a shared machine run it alone:
#
#   flock /tmp/jejak-build.lock tests/bench/search_bench.sh [BUILD_DIR]
#
#   JEJAK_BENCH_ENTRIES   expenditures in the ledger (default 1000000)
#   JEJAK_SEARCH_LEDGER   reuse (or keep) the ledger in this directory instead of a temporary one
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build-release}
jejak=$build/jejak
entries=${JEJAK_BENCH_ENTRIES:-1000000}
scratch=$(mktemp -d /tmp/jejak-search-bench.XXXXXX)
ledger=${JEJAK_SEARCH_LEDGER:-$scratch/ledger}
server=
cleanup() {
  [[ -n "$server" ]] && kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT
log() { printf '[search-bench] %s\n' "$*" >&2; }

if [[ ! -x "$jejak" ]]; then
  log "building Release in $build"
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
  cmake --build "$build" --parallel "$(nproc)" --target jejak >/dev/null
fi

if [[ ! -f "$ledger/jejak.conf" ]]; then
  log "filling a ledger of $entries expenditures in $ledger"
  "$jejak" init --data "$ledger" --region "Kabupaten Bench" --origin jejak.bench/kabupaten >/dev/null
  sed -i -e 's/^verify_interval_minutes *=.*/verify_interval_minutes = 0/' "$ledger/jejak.conf"
  grep -q '^verify_interval_minutes = 0' "$ledger/jejak.conf" || echo 'verify_interval_minutes = 0' >> "$ledger/jejak.conf"
  python3 "$here/gen_ledger.py" registry > "$scratch/registry.ndjson"
  "$jejak" append --data "$ledger" --sub admin.bpkad --batch 1000 "$scratch/registry.ndjson" >/dev/null
  chunk=100000
  start=$(date +%s)
  for ((first = 0; first < entries; first += chunk)); do
    count=$((entries - first < chunk ? entries - first : chunk))
    python3 "$here/gen_ledger.py" expenditures --first "$first" --count "$count" --total "$entries" > "$scratch/chunk"
    "$jejak" append --data "$ledger" --sub bendahara --batch 1000 "$scratch/chunk" >/dev/null
    log "  $((first + count)) / $entries appended ($(($(date +%s) - start)) s)"
  done
fi
tree_size=$("$jejak" checkpoint --data "$ledger" | sed -n 2p)

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$jejak" serve --data "$ledger" --listen "127.0.0.1:$port" > "$scratch/serve.log" 2> "$scratch/serve.err" &
server=$!
for _ in $(seq 1 600); do
  curl -sf --cacert "$ledger/tls/cert.pem" "https://127.0.0.1:$port/readyz" >/dev/null && break
  kill -0 "$server" 2>/dev/null || { cat "$scratch/serve.err" >&2; exit 1; }
  sleep 0.1
done
opd=1.02.0.00.0.00.01.0000
auditor=$("$jejak" token --data "$ledger" --role auditor --sub bench.auditor)
officer=$("$jejak" token --data "$ledger" --role officer --sub bench.bendahara --opd "$opd")

# A bank_ref and the documents of an sp2d_ls payment near the middle of the ledger.
middle=$(curl -sf --cacert "$ledger/tls/cert.pem" -H "Authorization: Bearer $auditor" \
  "https://127.0.0.1:$port/v1/entries?instrument=sp2d_ls&after_seq=$((tree_size / 2))&limit=1")
read -r bank_ref evidence sp2d <<<"$(python3 -c '
import json, sys
e = json.loads(sys.argv[1])["entries"][0]["entry"]
print(e["bank_ref"], e["documents"]["evidence_no"], e["documents"].get("sp2d", "-"))' "$middle")"
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

# time LABEL TOKEN QUERY: one table row.
time_row() {
  local label=$1 token=$2 query=$3
  local result first
  result=$(python3 "$here/latency.py" --port "$port" --cacert "$ledger/tls/cert.pem" --token "$token" \
    --path "/v1/entries?$query" --count 40 --seconds 20 --log "$scratch/serve.log")
  first=$(curl -sf --cacert "$ledger/tls/cert.pem" -H "Authorization: Bearer $token" \
    "https://127.0.0.1:$port/v1/entries?$query" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["entries"]))')
  python3 -c '
import json, sys
r = json.loads(sys.argv[2])
print("| %s | `%s` | %.2f / %.2f | %s |" % (sys.argv[1], sys.argv[3], r["server_p50_ms"], r["server_p99_ms"], sys.argv[4]))' \
    "$label" "$result" "$query" "$first"
}

echo "Search at $tree_size entries ($(nproc) cores, $(date -u +%Y-%m-%d)); server time p50 / p99 in ms over 40 requests; rows = entries on the page (limit 100)."
echo
echo "| who | query | server ms p50 / p99 | rows |"
echo "|---|---|---|---|"
for who in auditor officer; do
  token=$auditor
  [[ $who == officer ]] && token=$officer
  for order in asc desc; do
    suffix="&order=$order"
    time_row "$who" "$token" "bank_ref=$(enc "$bank_ref")$suffix"
    time_row "$who" "$token" "evidence_no=$(enc "$evidence")$suffix"
    [[ "$sp2d" != "-" ]] && time_row "$who" "$token" "evidence_no=$(enc "$sp2d")$suffix"
    time_row "$who" "$token" "payee_npwp=100000000000123$suffix"
    time_row "$who" "$token" "payee=$(enc "cv mitra daerah 123")$suffix"
    time_row "$who" "$token" "payee=$(enc "cv mitra daerah 1")$suffix"
    time_row "$who" "$token" "payee=cv$suffix"
    time_row "$who" "$token" "amount_min=12345000&amount_max=12350000$suffix"
    time_row "$who" "$token" "amount_min=39000000$suffix"
    time_row "$who" "$token" "amount_min=100000$suffix"
    time_row "$who" "$token" "account=5.2$suffix"
    time_row "$who" "$token" "account=5.1.02.01.01.0024&fiscal_year=2022$suffix"
    time_row "$who" "$token" "instrument=qris$suffix"
    time_row "$who" "$token" "from=2021-03-01&to=2021-03-31&kind=expenditure$suffix"
    time_row "$who" "$token" "payee=$(enc "cv mitra daerah 12")&account=5.2&fiscal_year=2024&instrument=cms_transfer$suffix"
  done
done
