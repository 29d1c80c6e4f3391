#!/usr/bin/env bash
# Runs README.md's curl examples, as written, against `jejak demo` (on a free port
# instead of 8443, in a scratch copy of the layout the examples assume). Each curl must
# succeed with a 2xx answer.
source "$(dirname "$0")/lib.sh"

mkdir -p "$SCRATCH/build" "$SCRATCH/ops" "$SCRATCH/var"
ln -s "$(realpath "$JEJAK")" "$SCRATCH/build/jejak"
ln -s "$SOURCE_DIR/ops/demo" "$SCRATCH/ops/demo"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cd "$SCRATCH"
build/jejak demo --data var/demo --port "$port" --entries 1500 > "$SCRATCH/server.log" 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$SCRATCH"' EXIT
for _ in $(seq 1 600); do
  grep -q "listening on" "$SCRATCH/server.log" && break
  sleep 0.1
done
expect_contains "demo server started" "$(cat "$SCRATCH/server.log")" "listening on https://127.0.0.1:$port"

examples=$(sed -n '/<!-- readme-test:begin -->/,/<!-- readme-test:end -->/p' "$SOURCE_DIR/README.md" |
  sed '/^<!--/d; /^```/d' | sed "s/127.0.0.1:8443/127.0.0.1:$port/g")
expect_contains "README has curl examples" "$examples" "curl --cacert"
runs=$(printf '%s\n' "$examples" | grep -c '^curl' || true)
script="set -euo pipefail
curl() { command curl -sS --fail-with-body --max-time 20 \"\$@\"; echo; }
$examples"
expect_exit 0 "README examples ($runs curl calls)" -- bash -c "$script"
expect_contains "checkpoint example prints the note" "$LAST_STDOUT" "jejak.demo/contoh-lestari"
expect_contains "entries example prints entries" "$LAST_STDOUT" '"entries":['
expect_contains "verify example says ok" "$LAST_STDOUT" '"ok":true'
expect_contains "append example is recorded" "$LAST_STDOUT" '"bank_ref":"CMS20260304-000421"'
# As written, run again: the Idempotency-Key replays the append instead of failing.
expect_exit 0 "README examples run twice" -- bash -c "$script"

# The demo's refunds (pengembalian belanja), as README.md describes them: printed at
# recording, in the absorption of 2025 (none as pendapatan lain-lain) and in Koreksi.
refunds=$(grep -c '^  refund: ' "$SCRATCH/server.log" || true)
expect_exit 0 "demo prints its refunds ($refunds)" -- test "$refunds" -ge 3
auditor=$(build/jejak token --data var/demo --role auditor --sub bpk.auditor)
get() { command curl -sS --fail-with-body --max-time 60 --cacert var/demo/tls/cert.pem \
  -H "Authorization: Bearer $auditor" "https://127.0.0.1:$port$1"; }
expect_exit 0 "absorption 2025 counts the refunds" -- python3 -c '
import json, sys
total = json.loads(sys.argv[1])["total"]
assert total["refunds"]["count"] == int(sys.argv[2]), total["refunds"]
assert float(total["refunds"]["amount"]) > 0, total["refunds"]
assert total["other_revenue"] == {"amount": "0.00", "count": 0}, total["other_revenue"]
' "$(get '/v1/summary/absorption?fiscal_year=2025')" "$refunds"
koreksi=$(get '/v1/export/workpapers?fiscal_year=2025&format=csv&sheet=Koreksi')
expect_equal "Koreksi lists each refund with its STS" \
  "$(printf '%s\n' "$koreksi" | grep -c ',pengembalian,.*STS-[0-9]\{4\}/' || true)" "$refunds"

# The demo's two witnesses (children on loopback ports) cosign its checkpoints.
cosigned=""
for _ in $(seq 1 300); do
  cosigned=$(curl -sS --max-time 20 --cacert var/demo/tls/cert.pem "https://127.0.0.1:$port/v1/checkpoint")
  [[ "$cosigned" == *"— inspektorat."* && "$cosigned" == *"— bpk-perwakilan."* ]] && break
  sleep 0.1
done
expect_contains "the demo's checkpoint is cosigned by the Inspektorat" "$cosigned" "— inspektorat.contoh-lestari.go.id/saksi "
expect_contains "and by BPK Perwakilan" "$cosigned" "— bpk-perwakilan.go.id/saksi "
expect_contains "the demo prints its witnesses" "$(cat "$SCRATCH/server.log")" "witness BPK Perwakilan: https://127.0.0.1:"
expect_equal "both witnesses run" "$(pgrep -f -c "jejak witness --data .*$(basename "$SCRATCH")/var/demo/witnesses/" || true)" "2"

kill -TERM $server
wait $server
expect_equal "demo server exits 0 on SIGTERM" "$?" "0"
for _ in $(seq 1 100); do
  pgrep -f "jejak witness --data .*$(basename "$SCRATCH")/var/demo/witnesses/" > /dev/null || break
  sleep 0.1
done
expect_equal "its witnesses stop with it" "$(pgrep -f -c "jejak witness --data .*$(basename "$SCRATCH")/var/demo/witnesses/" || true)" "0"
finish
