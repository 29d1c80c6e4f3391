#!/usr/bin/env bash
# End-to-end tests of the jejak CLI: a ledger's whole life (init, append, checkpoint,
# verify, export-bundle, verify-bundle) and bad input to every command (exit 2, a clear
# one-line reason, nothing changed).
source "$(dirname "$0")/lib.sh"
DEMO=$SOURCE_DIR/ops/demo
L=$SCRATCH/ledger

# --- A ledger's life -------------------------------------------------------------------
expect_exit 0 "init" -- "$JEJAK" init --data "$L" --region "Pemerintah Kabupaten Uji" --origin jejak.test/uji
expect_contains "init prints the verifier key" "$LAST_STDOUT" "jejak.test/uji+"
expect_equal "vkey file mode" "$(stat -c %a "$L/keys/checkpoint.key")" "600"
expect_exit 0 "append registry" -- "$JEJAK" append --data "$L" --sub admin "$DEMO/registry.ndjson"
expect_contains "append reports seqs" "$LAST_STDOUT" "appended 11 entries, seq 1 to 11"
expect_exit 0 "append expenditures one per commit" -- "$JEJAK" append --data "$L" --sub bendahara --batch 1 "$DEMO/expenditures.ndjson"
expect_exit 0 "append corrections from stdin" -- bash -c "\"$JEJAK\" append --data \"$L\" --sub bendahara - < \"$DEMO/corrections.ndjson\""
expect_exit 0 "checkpoint" -- "$JEJAK" checkpoint --data "$L"
expect_contains "checkpoint origin line" "$LAST_STDOUT" "jejak.test/uji"
expect_contains "checkpoint size line" "$LAST_STDOUT" $'\n21\n'
expect_contains "checkpoint signature line" "$LAST_STDOUT" "— jejak.test/uji "
echo "$LAST_STDOUT" > "$SCRATCH/kept.note"
expect_exit 0 "verify" -- "$JEJAK" verify --data "$L"
expect_contains "verify counts entries" "$LAST_STDOUT" "ok: 21 entries"
expect_exit 0 "verify against a kept checkpoint" -- "$JEJAK" verify --data "$L" --checkpoint "$SCRATCH/kept.note"

# --- Offline bundle ----------------------------------------------------------------------
expect_exit 0 "export-bundle" -- "$JEJAK" export-bundle --data "$L" --out "$SCRATCH/bundle.ndjson"
expect_equal "bundle lines" "$(wc -l < "$SCRATCH/bundle.ndjson")" "23"
expect_exit 0 "verify-bundle" -- "$JEJAK" verify-bundle "$SCRATCH/bundle.ndjson" --key "$L/keys/checkpoint.vkey"
expect_contains "verify-bundle counts" "$LAST_STDOUT" "ok: 21 entries"
expect_exit 0 "export-bundle to seq 5" -- "$JEJAK" export-bundle --data "$L" --to-seq 5 --out "$SCRATCH/bundle5.ndjson"
expect_exit 0 "verify partial bundle" -- "$JEJAK" verify-bundle "$SCRATCH/bundle5.ndjson" --key "$L/keys/checkpoint.vkey"
expect_contains "partial bundle counts" "$LAST_STDOUT" "ok: 6 entries"

# A bundle with one changed byte, a dropped entry, or another ledger's key fails (exit 1).
sed '15s/"gross":"96000000.00"/"gross":"96000001.00"/' "$SCRATCH/bundle.ndjson" > "$SCRATCH/tampered.ndjson"
expect_exit 1 "tampered bundle" -- "$JEJAK" verify-bundle "$SCRATCH/tampered.ndjson" --key "$L/keys/checkpoint.vkey"
expect_contains "tampered bundle names seq" "$LAST_STDERR" "seq 13"
sed '10d' "$SCRATCH/bundle.ndjson" > "$SCRATCH/dropped.ndjson"
expect_exit 1 "bundle missing an entry" -- "$JEJAK" verify-bundle "$SCRATCH/dropped.ndjson" --key "$L/keys/checkpoint.vkey"
head -n 22 "$SCRATCH/bundle.ndjson" > "$SCRATCH/truncated.ndjson"
expect_exit 1 "bundle without checkpoint" -- "$JEJAK" verify-bundle "$SCRATCH/truncated.ndjson" --key "$L/keys/checkpoint.vkey"
"$JEJAK" init --data "$SCRATCH/other" --region "Pemerintah Kota Lain" >/dev/null
expect_exit 1 "bundle checked with another key" -- "$JEJAK" verify-bundle "$SCRATCH/bundle.ndjson" --key "$SCRATCH/other/keys/checkpoint.vkey"

# --- Bad input: exit 2, a reason, nothing changed ---------------------------------------
before=$(sha256sum "$L/ledger.db" | cut -d' ' -f1)
before_size=$("$JEJAK" verify --data "$L")
expect_exit 2 "no command" -- "$JEJAK"
expect_exit 2 "unknown command" -- "$JEJAK" frobnicate
expect_contains "unknown command reason" "$LAST_STDERR" "unknown command"
expect_exit 2 "unknown option" -- "$JEJAK" verify --data "$L" --colour
expect_exit 2 "option without value" -- "$JEJAK" verify --data
expect_exit 2 "init over an existing ledger" -- "$JEJAK" init --data "$L" --region X
expect_contains "init refusal reason" "$LAST_STDERR" "already exists"
expect_exit 2 "init without region" -- "$JEJAK" init --data "$SCRATCH/new"
expect_exit 2 "init with a bad origin" -- "$JEJAK" init --data "$SCRATCH/new" --region X --origin "has space"
expect_exit 2 "init with an unreachable PostgreSQL" -- "$JEJAK" init --data "$SCRATCH/new" --region X --db postgresql://u@127.0.0.1:1/x
[[ ! -e "$SCRATCH/new" ]] || { echo "FAIL: failed init left $SCRATCH/new behind" >&2; FAILURES=$((FAILURES + 1)); }
expect_exit 2 "append without --sub" -- "$JEJAK" append --data "$L" "$DEMO/expenditures.ndjson"
expect_exit 2 "append of a missing file" -- "$JEJAK" append --data "$L" --sub x "$SCRATCH/nope.json"
printf '{"kind":"opd","code":"9.99.0.00.0.00.01.0000","name":"Baru"}\n{"kind":"opd","code":"bad","name":"X"}\n' > "$SCRATCH/badline.ndjson"
expect_exit 2 "append with a bad second line" -- "$JEJAK" append --data "$L" --sub admin "$SCRATCH/badline.ndjson"
expect_contains "bad line is named" "$LAST_STDERR" "line 2"
expect_contains "bad field is named" "$LAST_STDERR" "code"
printf '{"kind":"opd","code":"9.99.0.00.0.00.01.0000","name":"Baru"}\n' > "$SCRATCH/float.json"
sed -i 's/"Baru"}/"Baru","x":1.5}/' "$SCRATCH/float.json"
expect_exit 2 "append with a float" -- "$JEJAK" append --data "$L" --sub admin "$SCRATCH/float.json"
printf '{"kind":"opd","code":"9.99.0.00.0.00.01.0000","name":"Baru"}\n%s\n' "$(sed -n 1p "$DEMO/expenditures.ndjson")" > "$SCRATCH/dupref.ndjson"
expect_exit 2 "append reusing a bank_ref" -- "$JEJAK" append --data "$L" --sub admin --batch 1 "$SCRATCH/dupref.ndjson"
expect_contains "duplicate bank_ref names the holder" "$LAST_STDERR" "12"
printf '{"kind":"reversal","reverses":17,"reason":"again"}\n' > "$SCRATCH/rev.json"
expect_exit 2 "second reversal" -- "$JEJAK" append --data "$L" --sub x "$SCRATCH/rev.json"
printf '\xff\xfe{}' > "$SCRATCH/binary.json"
expect_exit 2 "append of non-UTF-8 bytes" -- "$JEJAK" append --data "$L" --sub x "$SCRATCH/binary.json"
expect_exit 2 "append with --batch 0" -- "$JEJAK" append --data "$L" --sub x --batch 0 "$DEMO/expenditures.ndjson"
# The input is read and checked a group at a time in one transaction: a refusal in the
# third group leaves the first two unwritten too, and names the entry by its line's place.
for n in 1 2 3 4; do printf '{"kind":"opd","code":"9.99.0.00.0.00.0%s.0000","name":"Baru %s"}\n' "$n" "$n"; done > "$SCRATCH/groups.ndjson"
printf '{"kind":"opd","code":"9.99.0.00.0.00.01.0000","name":"Lagi"}\n' >> "$SCRATCH/groups.ndjson"
expect_exit 2 "append refused in its third group" -- "$JEJAK" append --data "$L" --sub admin --batch 2 "$SCRATCH/groups.ndjson"
expect_contains "refusal says nothing was written" "$LAST_STDERR" "nothing written"
expect_contains "refusal names the entry" "$LAST_STDERR" "entry 4"
printf '{"kind":"opd","code":"9.99.0.00.0.00.05.0000","name":"Baik"}\n\n{"kind":"opd","code":"bad","name":"X"}\n' > "$SCRATCH/badlater.ndjson"
expect_exit 2 "append with a bad line after a blank one" -- "$JEJAK" append --data "$L" --sub admin --batch 1 "$SCRATCH/badlater.ndjson"
expect_contains "the bad line is counted with the blank one" "$LAST_STDERR" "line 3"
printf '\n\n' > "$SCRATCH/blank.ndjson"
expect_exit 2 "append of blank lines only" -- "$JEJAK" append --data "$L" --sub admin "$SCRATCH/blank.ndjson"
expect_contains "blank input reason" "$LAST_STDERR" "no entries in the input"
expect_exit 2 "checkpoint without a ledger" -- "$JEJAK" checkpoint --data "$SCRATCH/none"
expect_exit 2 "verify without a ledger" -- "$JEJAK" verify --data "$SCRATCH/none"
expect_exit 2 "verify with a bad key file" -- "$JEJAK" verify --data "$L" --key "$DEMO/registry.ndjson"
expect_exit 2 "export-bundle past the end" -- "$JEJAK" export-bundle --data "$L" --to-seq 21
expect_exit 2 "export-bundle over an existing file" -- "$JEJAK" export-bundle --data "$L" --out "$SCRATCH/bundle.ndjson"
expect_exit 2 "verify-bundle without --key" -- "$JEJAK" verify-bundle "$SCRATCH/bundle.ndjson"
expect_exit 2 "verify-bundle of a missing file" -- "$JEJAK" verify-bundle "$SCRATCH/nope" --key "$L/keys/checkpoint.vkey"
expect_equal "ledger unchanged by bad input" "$(sha256sum "$L/ledger.db" | cut -d' ' -f1)" "$before"
expect_equal "verify unchanged by bad input" "$("$JEJAK" verify --data "$L")" "$before_size"

# --- Refunds through append: seq 12 paid 12,500,000 on 3 February; 17 is reversed -------
refund() {  # refunds amount value_date
  printf '{"kind":"refund","refunds":%s,"value_date":"%s","amount":"%s","sts_no":"STS/%s","reason":"Kelebihan bayar"}\n' \
    "$1" "$3" "$2" "$1"
}
refund 17 1 2026-04-01 > "$SCRATCH/refund-reversed.json"
expect_exit 2 "refund of a reversed payment" -- "$JEJAK" append --data "$L" --sub bendahara "$SCRATCH/refund-reversed.json"
expect_contains "says it is reversed" "$LAST_STDERR" "reversed"
refund 12 12500000.01 2026-04-01 > "$SCRATCH/refund-over.json"
expect_exit 2 "refund of more than the gross" -- "$JEJAK" append --data "$L" --sub bendahara "$SCRATCH/refund-over.json"
expect_contains "says how much is refundable" "$LAST_STDERR" "12500000.00"
{ refund 12 2000000 2026-04-01; refund 12 500000 2026-05-01; } > "$SCRATCH/refunds.ndjson"
expect_exit 0 "append two refunds" -- "$JEJAK" append --data "$L" --sub bendahara "$SCRATCH/refunds.ndjson"
printf '{"kind":"reversal","reverses":12,"reason":"salah"}\n' > "$SCRATCH/rev-refunded.json"
expect_exit 2 "reversal of a refunded payment" -- "$JEJAK" append --data "$L" --sub bendahara "$SCRATCH/rev-refunded.json"
expect_contains "says it has a refund" "$LAST_STDERR" "refund"
expect_exit 0 "verify with refunds" -- "$JEJAK" verify --data "$L"
expect_contains "verify counts the refunds" "$LAST_STDOUT" "ok: 23 entries"

# --- One JSON object over several lines is one entry ------------------------------------
printf '{\n  "kind": "opd",\n  "code": "9.99.0.00.0.00.09.0000",\n  "name": "Dinas Baru"\n}\n' > "$SCRATCH/pretty.json"
expect_exit 0 "append a pretty-printed object" -- "$JEJAK" append --data "$L" --sub admin "$SCRATCH/pretty.json"
expect_contains "it is one entry" "$LAST_STDOUT" "appended seq 23"
printf '{\n  "kind": "opd",\n  "code": "bad"\n' > "$SCRATCH/broken.json"
expect_exit 2 "append a broken multi-line object" -- "$JEJAK" append --data "$L" --sub admin "$SCRATCH/broken.json"
expect_contains "the first line is named" "$LAST_STDERR" "line 1"
expect_exit 0 "verify after the pretty object" -- "$JEJAK" verify --data "$L"
expect_contains "verify counts it" "$LAST_STDOUT" "ok: 24 entries"

# --- A slow pipe on stdin never holds the ledger's write lock ---------------------------
# Stdin is read to its end before the append's transaction begins: another append goes
# through while the pipe's writer still sleeps, and the piped entry follows when it comes.
printf '{"kind":"opd","code":"9.99.0.00.0.00.10.0000","name":"Dinas Pipa"}\n' > "$SCRATCH/piped.json"
printf '{"kind":"opd","code":"9.99.0.00.0.00.11.0000","name":"Dinas Sela"}\n' > "$SCRATCH/between.json"
( sleep 6; cat "$SCRATCH/piped.json" ) | "$JEJAK" append --data "$L" --sub admin - > "$SCRATCH/piped.out" 2>&1 &
piped_pid=$!
sleep 1
expect_exit 0 "append while a stdin append waits for its pipe" -- "$JEJAK" append --data "$L" --sub admin "$SCRATCH/between.json"
expect_contains "it is the next seq" "$LAST_STDOUT" "appended seq 24"
expect_equal "the stdin append still waits for its pipe" "$(kill -0 "$piped_pid" 2>/dev/null && echo waiting)" "waiting"
piped_status=0
wait "$piped_pid" || piped_status=$?
expect_equal "the stdin append succeeds once its input comes" "$piped_status" "0"
expect_contains "and takes the seq after" "$(cat "$SCRATCH/piped.out")" "appended seq 25"
expect_exit 0 "verify after the piped append" -- "$JEJAK" verify --data "$L"
expect_contains "verify counts both" "$LAST_STDOUT" "ok: 26 entries"

finish
