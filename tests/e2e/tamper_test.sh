#!/usr/bin/env bash
# Tampering with the database file as an insider with the sqlite3 tool would (triggers
# dropped first): each change makes `jejak verify` exit 1 and name the first bad seq.
# (e) rewrites the tail with freshly computed hashes and re-signed checkpoints (using the
# ledger's own key from disk); only a checkpoint kept from before catches it.
source "$(dirname "$0")/lib.sh"
DEMO=$SOURCE_DIR/ops/demo
command -v sqlite3 >/dev/null || { echo "sqlite3 tool missing (ops/install-deps.sh installs it)" >&2; exit 1; }

DROP="DROP TRIGGER entries_no_update; DROP TRIGGER entries_no_delete;
      DROP TRIGGER merkle_nodes_no_update; DROP TRIGGER merkle_nodes_no_delete;
      DROP TRIGGER checkpoints_no_update; DROP TRIGGER checkpoints_no_delete;
      DROP TRIGGER audit_expenditures_no_update; DROP TRIGGER audit_expenditures_no_delete;"

# fresh NAME: a verified copy of the demo ledger in $SCRATCH/NAME (seq 0..20).
fresh() {
  local dir=$SCRATCH/$1
  "$JEJAK" init --data "$dir" --region "Pemerintah Kabupaten Uji" --origin jejak.test/uji >/dev/null
  "$JEJAK" append --data "$dir" --sub admin "$DEMO/registry.ndjson" >/dev/null
  "$JEJAK" append --data "$dir" --sub bendahara --batch 1 "$DEMO/expenditures.ndjson" >/dev/null
  "$JEJAK" append --data "$dir" --sub bendahara "$DEMO/corrections.ndjson" >/dev/null
  "$JEJAK" verify --data "$dir" >/dev/null || echo "FAIL: fresh ledger $1 does not verify" >&2
  echo "$dir"
}

# The sqlite3 tool refuses to touch the triggers' tables while they exist: it is the
# attacker who drops them.
tamper() { sqlite3 "$1/ledger.db" "$DROP $2"; }

# (a) One byte of an entry's body.
L=$(fresh a)
tamper "$L" "UPDATE entries SET canonical = replace(canonical, '\"gross\":\"96000000.00\"', '\"gross\":\"96000001.00\"') WHERE seq = 13;"
expect_exit 1 "(a) changed body byte" -- "$JEJAK" verify --data "$L"
expect_contains "(a) names seq 13" "$LAST_STDERR" "at seq 13:"

# (b) Only a derived column: the amount the queries would sum.
L=$(fresh b)
tamper "$L" "UPDATE entries SET amount_sen = 960000 WHERE seq = 13;"
expect_exit 1 "(b) changed amount column" -- "$JEJAK" verify --data "$L"
expect_contains "(b) names seq 13" "$LAST_STDERR" "at seq 13:"
expect_contains "(b) names the column" "$LAST_STDERR" "amount_sen"

# (c) A deleted entry.
L=$(fresh c)
tamper "$L" "DELETE FROM entries WHERE seq = 15;"
expect_exit 1 "(c) deleted entry" -- "$JEJAK" verify --data "$L"
expect_contains "(c) names seq 15" "$LAST_STDERR" "at seq 15:"

# (d) Two entries swapped.
L=$(fresh d)
tamper "$L" "UPDATE entries SET seq = -1 WHERE seq = 14; UPDATE entries SET seq = 14 WHERE seq = 15; UPDATE entries SET seq = 15 WHERE seq = -1;"
expect_exit 1 "(d) swapped entries" -- "$JEJAK" verify --data "$L"
expect_contains "(d) names seq 14" "$LAST_STDERR" "at seq 14:"

# (e) The tail rewritten from seq 13 on, with hashes, Merkle nodes and checkpoints all
# recomputed and re-signed by jejak itself. The auditor kept the checkpoint from before.
L=$(fresh e)
"$JEJAK" checkpoint --data "$L" > "$SCRATCH/kept.note"
tail_file=$SCRATCH/tail.ndjson
sqlite3 "$L/ledger.db" "SELECT canonical FROM entries WHERE seq >= 13 ORDER BY seq" |
  python3 -c '
import json, sys
for line in sys.stdin:
    entry = json.loads(line)
    for field in ("v", "seq", "recorded_at", "recorded_by"):
        entry.pop(field)
    if entry.get("gross") == "96000000.00":
        entry["gross"], entry["net"] = "9600000.00", "7680000.00"
    print(json.dumps(entry))
' > "$tail_file"
# The attacker also rebuilds the realisation aggregates of the entries that remain and
# drops the audit facts of the entries removed.
group="CASE WHEN account LIKE '5.1.01%' THEN 'pegawai' WHEN account LIKE '5.1.02%' THEN 'barang_jasa'
       WHEN account LIKE '5.2%' THEN 'modal' ELSE 'lainnya' END"
unreversed="kind = 'expenditure' AND NOT EXISTS (SELECT 1 FROM entries r WHERE r.reverses = e.seq)"
tamper "$L" "DELETE FROM entries WHERE seq >= 13; DELETE FROM merkle_nodes WHERE completed_seq >= 13;
             DELETE FROM checkpoints WHERE tree_size > 13; DELETE FROM audit_expenditures WHERE seq >= 13;
             DELETE FROM realisation_monthly; DELETE FROM realisation_daily;
             INSERT INTO realisation_monthly SELECT fiscal_year, opd, $group, instrument,
               substr(value_date, 1, 7), SUM(amount_sen), COUNT(*) FROM entries e WHERE $unreversed
               GROUP BY 1, 2, 3, 4, 5;
             INSERT INTO realisation_daily SELECT fiscal_year, value_date, opd, $group, instrument,
               SUM(amount_sen), COUNT(*) FROM entries e WHERE $unreversed GROUP BY 1, 2, 3, 4, 5;
             DELETE FROM realisation_lines;
             INSERT INTO realisation_lines SELECT fiscal_year, opd, sub_activity, account,
               substr(value_date, 1, 7), SUM(amount_sen), COUNT(*) FROM entries e WHERE $unreversed
               GROUP BY 1, 2, 3, 4, 5;"
# (f) below shows that the kept checkpoint in DIR/state stops this when it is left in
# place; an insider who can write the data directory removes it too.
rm -f "$L/state/latest-checkpoint"
expect_exit 0 "(e) attacker re-appends the tail" -- "$JEJAK" append --data "$L" --sub bendahara "$tail_file"
expect_exit 0 "(e) the rewritten ledger is self-consistent" -- "$JEJAK" verify --data "$L"
expect_exit 1 "(e) the kept checkpoint catches the rewrite" -- "$JEJAK" verify --data "$L" --checkpoint "$SCRATCH/kept.note"
expect_contains "(e) names a seq" "$LAST_STDERR" "at seq 20:"
expect_contains "(e) says it does not match" "$LAST_STDERR" "trusted checkpoint"

# (f) A rewound database: the file as it was at tree size 13 (a restored backup, or a WAL
# whose last commits were lost), while DIR/state/latest-checkpoint holds the newest
# checkpoint. Every hash in the old file is right; only the kept checkpoint shows that
# acknowledged entries are gone.
L=$(fresh f)
sqlite3 "$L/ledger.db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
rm -rf "$SCRATCH/f-full" && cp -a "$L" "$SCRATCH/f-full"
tamper "$L" "DELETE FROM entries WHERE seq >= 13; DELETE FROM merkle_nodes WHERE completed_seq >= 13;
             DELETE FROM checkpoints WHERE tree_size > 13;"
expect_exit 1 "(f) verify refuses the rewound database" -- "$JEJAK" verify --data "$L"
expect_contains "(f) names the database's size" "$LAST_STDERR" "the database holds 13 entries"
expect_contains "(f) names the kept checkpoint's size" "$LAST_STDERR" "covers 21 entries"
expect_exit 1 "(f) append refuses to reuse acknowledged seqs" -- \
  "$JEJAK" append --data "$L" --sub bendahara "$DEMO/corrections.ndjson"
expect_contains "(f) append says it was rewound" "$LAST_STDERR" "rewound"
expect_exit 2 "(f) serve refuses to start on it" -- "$JEJAK" serve --data "$L" --listen 127.0.0.1:0
expect_contains "(f) serve names both sizes" "$LAST_STDERR" "covers 21 entries"
# The kept checkpoint from another ledger of the same key would not help an attacker
# either: a replaced database of the same size has another root.
expect_exit 0 "(f) the untouched copy still verifies" -- "$JEJAK" verify --data "$SCRATCH/f-full"

# An untouched ledger checked against a checkpoint that `export-bundle --to-seq` signed
# after later entries were recorded: an outside checkpoint takes no part in the time
# order, so this is no false alarm.
L=$(fresh g)
sleep 0.01
"$JEJAK" export-bundle --data "$L" --to-seq 10 --out "$SCRATCH/g.ndjson" 2>/dev/null
tail -n 1 "$SCRATCH/g.ndjson" | python3 -c 'import json, sys; sys.stdout.write(json.load(sys.stdin)["checkpoint"])' > "$SCRATCH/g.note"
expect_exit 0 "(g) an exported prefix's checkpoint is a valid trusted checkpoint" -- \
  "$JEJAK" verify --data "$L" --checkpoint "$SCRATCH/g.note"
expect_exit 0 "(g) the prefix bundle verifies" -- \
  "$JEJAK" verify-bundle "$SCRATCH/g.ndjson" --key "$L/keys/checkpoint.vkey"

finish
