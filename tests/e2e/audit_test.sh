#!/usr/bin/env bash
# The auditor's tool against a live server (`jejak serve` on a free loopback port, TLS
# verified against the ledger's own certificate): audits that pass and keep state, a
# full bundle check, a cosignature the server then shows; then what an auditor must catch:
# (i) a rewritten ledger, (ii) a truncated one, (iii) a server signing with another key,
# (iv) an entry's stored bytes edited. Each failure exits 1 and leaves the state alone.
source "$(dirname "$0")/lib.sh"
DEMO=$SOURCE_DIR/ops/demo
command -v sqlite3 >/dev/null || { echo "sqlite3 tool missing (ops/install-deps.sh installs it)" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl missing" >&2; exit 1; }

DROP="DROP TRIGGER IF EXISTS entries_no_update; DROP TRIGGER IF EXISTS entries_no_delete;
      DROP TRIGGER IF EXISTS merkle_nodes_no_update; DROP TRIGGER IF EXISTS merkle_nodes_no_delete;
      DROP TRIGGER IF EXISTS checkpoints_no_update; DROP TRIGGER IF EXISTS checkpoints_no_delete;
      DROP TRIGGER IF EXISTS cosignatures_no_update; DROP TRIGGER IF EXISTS cosignatures_no_delete;
      DROP TRIGGER IF EXISTS audit_expenditures_no_update; DROP TRIGGER IF EXISTS audit_expenditures_no_delete;"
tamper() { sqlite3 "$1/ledger.db" "$DROP $2"; }

SERVER_PID=
URL=
stop_server() {
  if [[ -n $SERVER_PID ]]; then
    kill "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
    SERVER_PID=
  fi
}
trap 'stop_server; rm -rf "$SCRATCH"' EXIT

# start_server DIR: serves the ledger in DIR on a free loopback port; sets URL.
start_server() {
  local out=$SCRATCH/serve.$RANDOM
  : >"$out.out"
  "$JEJAK" serve --data "$1" --listen 127.0.0.1:0 >"$out.out" 2>"$out.err" &
  SERVER_PID=$!
  for _ in $(seq 1 200); do
    URL=$(sed -n 's/^listening on //p' "$out.out" | head -n 1)
    [[ -n $URL ]] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.05
  done
  echo "FAIL: jejak serve did not start: $(cat "$out.err")" >&2
  exit 1
}

# fresh NAME: a ledger in $SCRATCH/NAME with the demo registry and expenditures, one
# commit (and so one checkpoint) per expenditure, and an auditor token in NAME.token.
fresh() {
  local dir=$SCRATCH/$1
  "$JEJAK" init --data "$dir" --region "Pemerintah Kabupaten Uji" --origin "jejak.test/$1" >/dev/null
  "$JEJAK" append --data "$dir" --sub admin "$DEMO/registry.ndjson" >/dev/null
  "$JEJAK" append --data "$dir" --sub bendahara --batch 1 "$DEMO/expenditures.ndjson" >/dev/null
  "$JEJAK" token --data "$dir" --role auditor --sub bpk.auditor >"$dir.token"
  echo "$dir"
}

# audit DIR STATE [MORE...]: `jejak audit` against the running server as DIR's auditor.
audit() {
  local dir=$1 state=$2
  shift 2
  "$JEJAK" audit --server "$URL" --token-file "$dir.token" --key "$dir/keys/checkpoint.vkey" \
    --ca-cert "$dir/tls/cert.pem" --state "$state" "$@"
}

size_of() { sed -n 2p "$1"; }

# --- The happy path: first audit, growth, full check, cosignature. -------------------
L=$SCRATCH/main
"$JEJAK" init --data "$L" --region "Pemerintah Kabupaten Uji" --origin jejak.test/main >/dev/null
"$JEJAK" append --data "$L" --sub admin "$DEMO/registry.ndjson" >/dev/null
"$JEJAK" token --data "$L" --role auditor --sub bpk.auditor >"$L.token"
expect_exit 0 "cosigner-key makes a witness key" -- \
  "$JEJAK" cosigner-key --name bpk.test/auditor-1 --out "$SCRATCH/witness.pem"
WITNESS_VKEY=$LAST_STDOUT
expect_contains "cosigner-key prints a vkey" "$WITNESS_VKEY" "bpk.test/auditor-1+"
expect_equal "witness key is private" "$(stat -c %a "$SCRATCH/witness.pem")" "600"
expect_exit 2 "cosigner-key never overwrites" -- \
  "$JEJAK" cosigner-key --name bpk.test/auditor-1 --out "$SCRATCH/witness.pem"
echo "witness_key = $WITNESS_VKEY" >>"$L/jejak.conf"
start_server "$L"

S=$SCRATCH/state
expect_exit 0 "first audit" -- audit "$L" "$S"
expect_contains "first audit says so" "$LAST_STDOUT" "first audit"
[[ -f $S/checkpoint.note ]] || { echo "FAIL: no checkpoint kept" >&2; FAILURES=$((FAILURES + 1)); }
FIRST_SIZE=$(size_of "$S/checkpoint.note")
expect_exit 0 "same size again" -- audit "$L" "$S"
expect_contains "same size is consistent" "$LAST_STDOUT" "consistent with kept size $FIRST_SIZE"

stop_server
"$JEJAK" append --data "$L" --sub bendahara --batch 1 "$DEMO/expenditures.ndjson" >/dev/null
start_server "$L"
expect_exit 0 "audit after growth" -- audit "$L" "$S"
expect_contains "growth proved consistent" "$LAST_STDOUT" "consistent with kept size $FIRST_SIZE"
SIZE=$(size_of "$S/checkpoint.note")
[[ $SIZE -gt $FIRST_SIZE ]] || { echo "FAIL: kept size $SIZE did not grow from $FIRST_SIZE" >&2; FAILURES=$((FAILURES + 1)); }
expect_exit 0 "full audit" -- audit "$L" "$S" --full
expect_contains "full audit recomputed the bundle" "$LAST_STDOUT" "bundle of $SIZE entries"
expect_equal "audit.log has a line per audit" "$(wc -l <"$S/audit.log")" "4"

expect_exit 2 "cosign needs a name" -- audit "$L" "$S" --cosign "$SCRATCH/witness.pem"
expect_exit 0 "audit and cosign" -- audit "$L" "$S" --cosign "$SCRATCH/witness.pem" --cosigner-name bpk.test/auditor-1
expect_contains "cosign prints the witness key" "$LAST_STDOUT" "witness_key = $WITNESS_VKEY"
NOTE=$(curl -sS --cacert "$L/tls/cert.pem" "$URL/v1/checkpoint")
expect_contains "the checkpoint carries the cosignature" "$NOTE" $'\xe2\x80\x94 bpk.test/auditor-1 '
expect_exit 0 "audit of the cosigned checkpoint" -- audit "$L" "$S"

# Usage and network errors are exit 2.
expect_exit 2 "plain http refused" -- "$JEJAK" audit --server "http://127.0.0.1:1" --token-file "$L.token" \
  --key "$L/keys/checkpoint.vkey" --state "$SCRATCH/unused"
expect_exit 2 "untrusted certificate" -- "$JEJAK" audit --server "$URL" --token-file "$L.token" \
  --key "$L/keys/checkpoint.vkey" --state "$SCRATCH/unused"
expect_exit 2 "bad token" -- bash -c "echo not-a-token >'$SCRATCH/bad.token'; '$JEJAK' audit --server '$URL' \
  --token-file '$SCRATCH/bad.token' --key '$L/keys/checkpoint.vkey' --ca-cert '$L/tls/cert.pem' --full \
  --state '$SCRATCH/unused'"
expect_exit 0 "host name verified (localhost)" -- "$JEJAK" audit --server "${URL/127.0.0.1/localhost}" \
  --token-file "$L.token" --key "$L/keys/checkpoint.vkey" --ca-cert "$L/tls/cert.pem" --state "$SCRATCH/host"

# (iii) A server whose checkpoints are signed by another key than the pinned one.
OTHER=$SCRATCH/other
"$JEJAK" init --data "$OTHER" --region "Pemerintah Kabupaten Lain" --origin jejak.test/main >/dev/null
expect_exit 1 "(iii) wrong key" -- "$JEJAK" audit --server "$URL" --token-file "$L.token" \
  --key "$OTHER/keys/checkpoint.vkey" --ca-cert "$L/tls/cert.pem" --state "$SCRATCH/iii"
expect_contains "(iii) says the signature does not verify" "$LAST_STDERR" "does not verify under the pinned key"
[[ ! -e $SCRATCH/iii/checkpoint.note ]] || { echo "FAIL: (iii) kept a checkpoint" >&2; FAILURES=$((FAILURES + 1)); }
stop_server

# (i) The tail rewritten from seq 13 with fresh hashes and checkpoints re-signed by the
# ledger's own key: self-consistent, but not an extension of what the auditor kept.
R=$(fresh rewrite)
start_server "$R"
expect_exit 0 "(i) audit before the rewrite" -- audit "$R" "$SCRATCH/i"
cp "$SCRATCH/i/checkpoint.note" "$SCRATCH/i.kept"
stop_server
sqlite3 "$R/ledger.db" "SELECT canonical FROM entries WHERE seq >= 13 ORDER BY seq" |
  python3 -c '
import json, sys
for line in sys.stdin:
    entry = json.loads(line)
    for field in ("v", "seq", "recorded_at", "recorded_by"):
        entry.pop(field)
    if entry.get("gross") == "96000000.00":
        entry["gross"], entry["net"] = "9600000.00", "7680000.00"
    print(json.dumps(entry))
' >"$SCRATCH/tail.ndjson"
tamper "$R" "DELETE FROM entries WHERE seq >= 13; DELETE FROM merkle_nodes WHERE completed_seq >= 13;
             DELETE FROM checkpoints WHERE tree_size > 13; DELETE FROM audit_expenditures WHERE seq >= 13;"
# An insider who can write the data directory also removes the kept checkpoint, which
# would otherwise refuse the rewound database (tamper_test.sh (f)).
rm -f "$R/state/latest-checkpoint"
expect_exit 0 "(i) attacker re-appends the tail" -- \
  "$JEJAK" append --data "$R" --sub bendahara --batch 1 "$SCRATCH/tail.ndjson"
start_server "$R"
expect_exit 1 "(i) rewritten ledger, same size" -- audit "$R" "$SCRATCH/i"
expect_contains "(i) says not consistent" "$LAST_STDERR" "NOT CONSISTENT"
expect_contains "(i) says rewritten" "$LAST_STDERR" "rewritten"
stop_server
echo '{"kind":"opd","code":"1.02.0.00.0.00.99.0000","name":"Unit Uji Tambahan"}' >"$SCRATCH/extra.json"
expect_exit 0 "(i) attacker appends one more" -- "$JEJAK" append --data "$R" --sub admin "$SCRATCH/extra.json"
start_server "$R"
expect_exit 1 "(i) rewritten ledger, grown" -- audit "$R" "$SCRATCH/i"
expect_contains "(i) says not a prefix" "$LAST_STDERR" "is not a prefix of the server's"
expect_contains "(i) names the kept size" "$LAST_STDERR" "(size $(size_of "$SCRATCH/i.kept"), root "
expect_equal "(i) state unchanged" "$(cat "$SCRATCH/i/checkpoint.note")" "$(cat "$SCRATCH/i.kept")"
stop_server

# (ii) The last entries deleted with their nodes and checkpoints: an older, smaller tree.
T=$(fresh truncate)
start_server "$T"
expect_exit 0 "(ii) audit before the truncation" -- audit "$T" "$SCRATCH/ii"
KEPT_SIZE=$(size_of "$SCRATCH/ii/checkpoint.note")
stop_server
tamper "$T" "DELETE FROM entries WHERE seq >= 15; DELETE FROM merkle_nodes WHERE completed_seq >= 15;
             DELETE FROM checkpoints WHERE tree_size > 15;"
# With the kept checkpoint in place the server would refuse to start (tamper_test.sh (f));
# the insider removes it, and it is the auditor's own kept state that catches them.
rm -f "$T/state/latest-checkpoint"
start_server "$T"
expect_exit 1 "(ii) truncated ledger" -- audit "$T" "$SCRATCH/ii"
expect_contains "(ii) says smaller than kept" "$LAST_STDERR" "is smaller than the checkpoint kept (size $KEPT_SIZE"
expect_contains "(ii) names the server's size" "$LAST_STDERR" "(size 15, root "
stop_server

# (iv) One entry's stored canonical bytes edited: the checkpoint still verifies, the
# bundle does not, and the failure names the seq.
B=$(fresh bundle)
tamper "$B" "UPDATE entries SET canonical = replace(canonical, '\"gross\":\"96000000.00\"', '\"gross\":\"96000001.00\"') WHERE seq = 13;"
start_server "$B"
expect_exit 0 "(iv) the signed checkpoint alone looks fine" -- audit "$B" "$SCRATCH/iv-light"
expect_exit 1 "(iv) tampered bundle line" -- audit "$B" "$SCRATCH/iv" --full
expect_contains "(iv) names the seq" "$LAST_STDERR" "seq 13"
[[ ! -e $SCRATCH/iv/checkpoint.note ]] || { echo "FAIL: (iv) kept a checkpoint" >&2; FAILURES=$((FAILURES + 1)); }
stop_server

finish
