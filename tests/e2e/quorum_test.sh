#!/usr/bin/env bash
# Verifiers that demand witnesses (--witness-key FILE... [--quorum K]) against a served
# ledger two auditors cosign with `jejak audit --cosign`: `audit`, `verify-bundle` and
# `verify --checkpoint` pass when K of the pinned witnesses cosigned the checkpoint they
# rely on, and exit 1 naming who did and did not cosign when fewer did, or when a pinned
# witness's cosignature line was tampered with; bundles (HTTP and `jejak export-bundle`)
# carry the cosigned checkpoint; a demand that cannot be met as stated is a usage error; and
# `audit` reports a rollback it can prove from its state as NOT CONSISTENT, not as a quorum.
source "$(dirname "$0")/lib.sh"
DEMO=$SOURCE_DIR/ops/demo
command -v sqlite3 >/dev/null || { echo "sqlite3 tool missing (ops/install-deps.sh installs it)" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl missing" >&2; exit 1; }

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

check() {  # check DESCRIPTION CONDITION...: a plain assertion.
  local what=$1
  shift
  if "$@"; then PASSES=$((PASSES + 1)); else echo "FAIL: $what" >&2; FAILURES=$((FAILURES + 1)); fi
}

# tamper_line FILE NAME: flips one bit of the signature in NAME's cosignature line of the
# note in FILE (a note, or a bundle whose last line is {"checkpoint": note}), keeping it
# well-formed base64 of the right length.
tamper_line() {
  python3 - "$1" "$2" <<'PY'
import base64, json, sys
path, name = sys.argv[1], sys.argv[2]
prefix = "\u2014 " + name + " "
def flip(note):
    lines = note.split("\n")
    for i, line in enumerate(lines):
        if line.startswith(prefix):
            raw = bytearray(base64.b64decode(line[len(prefix):]))
            raw[-1] ^= 1
            lines[i] = prefix + base64.b64encode(bytes(raw)).decode()
            return "\n".join(lines)
    sys.exit("no line by " + name)
text = open(path, encoding="utf-8").read()
if path.endswith(".ndjson"):
    body = text.rstrip("\n").split("\n")
    last = json.loads(body[-1])
    last["checkpoint"] = flip(last["checkpoint"])
    body[-1] = json.dumps(last, ensure_ascii=False, separators=(",", ":"))
    text = "\n".join(body) + "\n"
else:
    text = flip(text)
open(path, "w", encoding="utf-8").write(text)
PY
}

L=$SCRATCH/ledger
LOG_VKEY=$L/keys/checkpoint.vkey
"$JEJAK" init --data "$L" --region "Pemerintah Kabupaten Uji" --origin jejak.test/quorum >/dev/null
"$JEJAK" append --data "$L" --sub admin "$DEMO/registry.ndjson" >/dev/null
"$JEJAK" token --data "$L" --role auditor --sub bpk.auditor >"$L.token"

# Two auditors' witness keys (and a third witness who never cosigns).
W1=inspektorat.test/witness
W2=bpk.test/witness
W3=dprd.test/witness
n=0
for name in "$W1" "$W2" "$W3"; do
  n=$((n + 1))
  "$JEJAK" cosigner-key --name "$name" --out "$SCRATCH/w$n.pem" >"$SCRATCH/w$n.vkey" 2>/dev/null ||
    { echo "FAIL: cosigner-key $name" >&2; exit 1; }
done
echo "witness_key = $(cat "$SCRATCH/w1.vkey")" >>"$L/jejak.conf"
echo "witness_key = $(cat "$SCRATCH/w2.vkey")" >>"$L/jejak.conf"
BOTH=(--witness-key "$SCRATCH/w1.vkey" --witness-key "$SCRATCH/w2.vkey")

# audit STATE [MORE...]: `jejak audit` against the running server.
audit() {
  local state=$1
  shift
  "$JEJAK" audit --server "$URL" --token-file "$L.token" --key "$LOG_VKEY" --ca-cert "$L/tls/cert.pem" \
    --state "$state" "$@"
}
fetch() { curl -sS --fail --cacert "$L/tls/cert.pem" -H "Authorization: Bearer $(cat "$L.token")" "$URL$1"; }

start_server "$L"
SIZE=$(fetch /v1/checkpoint | sed -n 2p)

# --- One witness cosigned. ----------------------------------------------------------
expect_exit 0 "the first auditor audits and cosigns" -- audit "$SCRATCH/s1" --cosign "$SCRATCH/w1.pem" --cosigner-name "$W1"
fetch /v1/checkpoint >"$SCRATCH/one.note"
fetch /v1/export/bundle >"$SCRATCH/one.ndjson"
expect_contains "the served checkpoint carries the first cosignature" "$(cat "$SCRATCH/one.note")" $'\xe2\x80\x94 '"$W1 "

expect_exit 1 "audit demanding both, one cosigned" -- audit "$SCRATCH/a1" "${BOTH[@]}"
expect_contains "audit names who cosigned" "$LAST_STDERR" "1 of the 2 required witnesses cosigned (cosigned: $W1; not cosigned: $W2)"
check "a refused audit keeps no checkpoint" test ! -e "$SCRATCH/a1/checkpoint.note"
expect_exit 0 "audit demanding 1 of 2" -- audit "$SCRATCH/a2" "${BOTH[@]}" --quorum 1
expect_contains "audit says who cosigned" "$LAST_STDOUT" "witnesses $W1 cosigned (quorum 1 of 2)"

# --- Both cosigned (no append in between: the same checkpoint). ----------------------
expect_exit 0 "the second auditor audits and cosigns" -- audit "$SCRATCH/s2" --cosign "$SCRATCH/w2.pem" --cosigner-name "$W2"
fetch /v1/checkpoint >"$SCRATCH/both.note"
fetch /v1/export/bundle >"$SCRATCH/http.ndjson"
expect_equal "still the same tree size" "$(sed -n 2p "$SCRATCH/both.note")" "$SIZE"
expect_exit 0 "audit demanding both" -- audit "$SCRATCH/a3" "${BOTH[@]}"
expect_contains "audit lists both witnesses" "$LAST_STDOUT" "witnesses $W1, $W2 cosigned (quorum 2 of 2)"
expect_contains "audit logs the witnesses" "$(cat "$SCRATCH/a3/audit.log")" "witnesses $W1, $W2 cosigned"
expect_exit 0 "audit demanding 2 of 3" -- audit "$SCRATCH/a4" "${BOTH[@]}" --witness-key "$SCRATCH/w3.vkey" --quorum 2
expect_exit 1 "audit demanding 3 of 3" -- audit "$SCRATCH/a5" "${BOTH[@]}" --witness-key "$SCRATCH/w3.vkey"
expect_contains "audit names the missing third" "$LAST_STDERR" "not cosigned: $W3)"
# Usage errors of audit: exit 2 before any request.
expect_exit 2 "audit: quorum above the keys given" -- audit "$SCRATCH/u1" "${BOTH[@]}" --quorum 3
expect_exit 2 "audit: quorum without keys" -- audit "$SCRATCH/u2" --quorum 1
expect_exit 2 "audit: --quorum twice" -- audit "$SCRATCH/u3" "${BOTH[@]}" --quorum 1 --quorum 2
expect_contains "audit: given twice" "$LAST_STDERR" "option --quorum given twice"
stop_server

# --- Bundles carry the cosigned checkpoint. ---------------------------------------------
"$JEJAK" export-bundle --data "$L" --out "$SCRATCH/cli.ndjson" 2>/dev/null
for bundle in http cli; do
  last=$(tail -n 1 "$SCRATCH/$bundle.ndjson" | python3 -c 'import json, sys; print(json.load(sys.stdin)["checkpoint"], end="")')
  expect_contains "$bundle bundle: closing checkpoint cosigned by $W1" "$last" $'\xe2\x80\x94 '"$W1 "
  expect_contains "$bundle bundle: closing checkpoint cosigned by $W2" "$last" $'\xe2\x80\x94 '"$W2 "
  expect_equal "$bundle bundle: closing checkpoint is the served one" "$last" "$(cat "$SCRATCH/both.note")"
  expect_exit 0 "verify-bundle ($bundle) demanding both" -- \
    "$JEJAK" verify-bundle "$SCRATCH/$bundle.ndjson" --key "$LOG_VKEY" "${BOTH[@]}"
  expect_contains "verify-bundle ($bundle) says who cosigned" "$LAST_STDOUT" "witnesses $W1, $W2 cosigned (quorum 2 of 2)"
done
expect_exit 1 "verify-bundle demanding both, one cosigned" -- \
  "$JEJAK" verify-bundle "$SCRATCH/one.ndjson" --key "$LOG_VKEY" "${BOTH[@]}"
expect_contains "verify-bundle names who did and did not" "$LAST_STDERR" "(cosigned: $W1; not cosigned: $W2)"
expect_exit 0 "verify-bundle, 1 of 2" -- \
  "$JEJAK" verify-bundle "$SCRATCH/one.ndjson" --key "$LOG_VKEY" "${BOTH[@]}" --quorum 1
expect_exit 0 "verify-bundle without witness keys ignores cosignatures" -- \
  "$JEJAK" verify-bundle "$SCRATCH/one.ndjson" --key "$LOG_VKEY"
cp "$SCRATCH/cli.ndjson" "$SCRATCH/tampered.ndjson"
tamper_line "$SCRATCH/tampered.ndjson" "$W2"
expect_exit 1 "verify-bundle, tampered cosignature of a pinned witness" -- \
  "$JEJAK" verify-bundle "$SCRATCH/tampered.ndjson" --key "$LOG_VKEY" "${BOTH[@]}" --quorum 1
expect_contains "verify-bundle says the line does not verify" "$LAST_STDERR" "cosignature by $W2: signature does not verify"
expect_exit 0 "verify-bundle, the tampered line is not a pinned witness's" -- \
  "$JEJAK" verify-bundle "$SCRATCH/tampered.ndjson" --key "$LOG_VKEY" --witness-key "$SCRATCH/w1.vkey"

# --- verify --checkpoint NOTEFILE. -----------------------------------------------------
verify() { "$JEJAK" verify --data "$L" "$@"; }
expect_exit 0 "verify --checkpoint demanding both" -- verify --checkpoint "$SCRATCH/both.note" "${BOTH[@]}"
expect_contains "verify says who cosigned" "$LAST_STDOUT" "witnesses $W1, $W2 cosigned (quorum 2 of 2)"
expect_exit 1 "verify --checkpoint demanding both, one cosigned" -- \
  verify --checkpoint "$SCRATCH/one.note" "${BOTH[@]}"
expect_contains "verify names who did and did not" "$LAST_STDERR" "(cosigned: $W1; not cosigned: $W2)"
expect_exit 0 "verify --checkpoint, 1 of 2" -- verify --checkpoint "$SCRATCH/one.note" "${BOTH[@]}" --quorum 1
cp "$SCRATCH/both.note" "$SCRATCH/tampered.note"
tamper_line "$SCRATCH/tampered.note" "$W1"
expect_exit 1 "verify --checkpoint, tampered cosignature" -- verify --checkpoint "$SCRATCH/tampered.note" "${BOTH[@]}" --quorum 1
expect_contains "verify names the tampered witness" "$LAST_STDERR" "cosignature by $W1: signature does not verify"
expect_exit 0 "verify --checkpoint without witness keys" -- verify --checkpoint "$SCRATCH/one.note"

# --- Usage errors: exit 2. ------------------------------------------------------------
expect_exit 2 "quorum above the keys given" -- verify --checkpoint "$SCRATCH/both.note" "${BOTH[@]}" --quorum 3
expect_contains "says the range" "$LAST_STDERR" "from 1 to 2 (the number of witness keys given), not 3"
expect_exit 2 "quorum 0 with keys" -- \
  "$JEJAK" verify-bundle "$SCRATCH/cli.ndjson" --key "$LOG_VKEY" "${BOTH[@]}" --quorum 0
expect_exit 2 "quorum not a number" -- \
  "$JEJAK" verify-bundle "$SCRATCH/cli.ndjson" --key "$LOG_VKEY" "${BOTH[@]}" --quorum 2x
expect_exit 2 "quorum without keys" -- "$JEJAK" verify-bundle "$SCRATCH/cli.ndjson" --key "$LOG_VKEY" --quorum 1
expect_contains "says --quorum needs keys" "$LAST_STDERR" "--quorum needs --witness-key"
expect_exit 2 "the same witness twice" -- \
  "$JEJAK" verify-bundle "$SCRATCH/cli.ndjson" --key "$LOG_VKEY" --witness-key "$SCRATCH/w1.vkey" \
  --witness-key "$SCRATCH/w1.vkey" --quorum 1
expect_exit 2 "a log key is not a witness key" -- \
  "$JEJAK" verify-bundle "$SCRATCH/cli.ndjson" --key "$LOG_VKEY" --witness-key "$LOG_VKEY"
expect_exit 2 "a missing witness key file" -- \
  "$JEJAK" verify-bundle "$SCRATCH/cli.ndjson" --key "$LOG_VKEY" --witness-key "$SCRATCH/none.vkey"
expect_exit 2 "verify: witnesses need --checkpoint" -- verify "${BOTH[@]}"
expect_exit 2 "--key is still given once" -- \
  "$JEJAK" verify-bundle "$SCRATCH/cli.ndjson" --key "$LOG_VKEY" --key "$LOG_VKEY"

# --- A server whose stored cosignature was edited: the auditor refuses it. --------------
sqlite3 "$L/ledger.db" "SELECT line FROM cosignatures WHERE instr(line, '$W2 ') > 0" >"$SCRATCH/stored.line"
OLD_LINE=$(cat "$SCRATCH/stored.line")
tamper_line "$SCRATCH/stored.line" "$W2"
NEW_LINE=$(cat "$SCRATCH/stored.line")
check "the stored line was found and edited" test -n "$OLD_LINE" -a "$OLD_LINE" != "$NEW_LINE"
sqlite3 "$L/ledger.db" "DROP TRIGGER IF EXISTS cosignatures_no_update;
  UPDATE cosignatures SET line = replace(line, '$OLD_LINE', '$NEW_LINE') WHERE instr(line, '$W2 ') > 0;"
start_server "$L"
fetch /v1/checkpoint >"$SCRATCH/served.note"
check "the served cosignature changed" test "$(cat "$SCRATCH/served.note")" != "$(cat "$SCRATCH/both.note")"
expect_exit 1 "audit of an edited cosignature" -- audit "$SCRATCH/a6" "${BOTH[@]}" --quorum 1
expect_contains "audit says it does not verify" "$LAST_STDERR" "cosignature by $W2: signature does not verify"
check "the refused audit keeps no checkpoint" test ! -e "$SCRATCH/a6/checkpoint.note"
stop_server

# --- A rollback this auditor can prove is reported as such, not as a missing quorum. -----
# The ledger cut back to its genesis checkpoint (which no witness cosigned), and the
# server's own kept checkpoint removed, as an insider would (audit_test.sh (ii)).
sqlite3 "$L/ledger.db" "DROP TRIGGER IF EXISTS entries_no_delete; DROP TRIGGER IF EXISTS merkle_nodes_no_delete;
  DROP TRIGGER IF EXISTS checkpoints_no_delete; DROP TRIGGER IF EXISTS cosignatures_no_delete;
  DELETE FROM entries WHERE seq >= 1; DELETE FROM merkle_nodes WHERE completed_seq >= 1;
  DELETE FROM checkpoints WHERE tree_size > 1; DELETE FROM cosignatures WHERE tree_size > 1;"
rm -f "$L/state/latest-checkpoint"
start_server "$L"
expect_exit 1 "audit of a rolled-back ledger, witnesses demanded" -- audit "$SCRATCH/a3" "${BOTH[@]}"
expect_contains "the rollback is named first" "$LAST_STDERR" "is smaller than the checkpoint kept (size $SIZE"
expect_exit 1 "a first audit of it fails on the witnesses" -- audit "$SCRATCH/a7" "${BOTH[@]}"
expect_contains "no witness cosigned the rolled-back checkpoint" "$LAST_STDERR" "0 of the 2 required witnesses cosigned"
stop_server

finish
