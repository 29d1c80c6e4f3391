#!/usr/bin/env bash
# `jejak backup` end to end, on the backend named by $2 (sqlite or postgresql), while
# `jejak serve` takes appends over HTTPS: the copy is restored as README's "Backup and
# restore" says (SQLite: the file copied to the configured path of a fresh data
# directory; PostgreSQL: pg_restore into an empty database) and verified, also against
# an auditor's checkpoint pinned before the backup; a second backup never overwrites the
# first; the original data directory, whose kept checkpoint is newer than the copy,
# refuses the copy as rewound. The PostgreSQL run makes its databases in the test
# cluster whose superuser URL is in $JEJAK_TEST_PG_DIR/url.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/pg_lib.sh"  # pg_new_database: one database per run, gone at pg.stop.
BACKEND=${2:?usage: $0 path/to/jejak sqlite|postgresql}
DEMO=$SOURCE_DIR/ops/demo
command -v curl >/dev/null || { echo "curl missing" >&2; exit 1; }

SERVER_PID=
APPENDER_PID=
cleanup() {
  [[ -n $APPENDER_PID ]] && { touch "$SCRATCH/stop"; wait "$APPENDER_PID" 2>/dev/null; }
  if [[ -n $SERVER_PID ]]; then kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; fi
  rm -rf "$SCRATCH"
}
trap cleanup EXIT

# new_database TAG: prints the URL of a new, empty PostgreSQL database.
new_database() {
  pg_new_database "backup_$1" || { echo "FAIL: cannot create a test database" >&2; exit 1; }
}

SRC=$SCRATCH/src
DB_OPTION=()
if [[ $BACKEND == postgresql ]]; then
  pg_cluster_dir >/dev/null || exit 1
  command -v pg_restore >/dev/null || { echo "FAIL: pg_restore missing (postgresql-client)" >&2; exit 1; }
  DB_OPTION=(--db "$(new_database src)")
fi
"$JEJAK" init --data "$SRC" --region "Pemerintah Kabupaten Uji" --origin jejak.test/backup "${DB_OPTION[@]}" >/dev/null
"$JEJAK" append --data "$SRC" --sub admin "$DEMO/registry.ndjson" >/dev/null
"$JEJAK" append --data "$SRC" --sub bendahara "$DEMO/expenditures.ndjson" >/dev/null

"$JEJAK" serve --data "$SRC" --listen 127.0.0.1:0 >"$SCRATCH/serve.out" 2>"$SCRATCH/serve.err" &
SERVER_PID=$!
URL=
for _ in $(seq 1 200); do
  URL=$(sed -n 's/^listening on //p' "$SCRATCH/serve.out" | head -n 1)
  [[ -n $URL ]] && break
  kill -0 "$SERVER_PID" 2>/dev/null || break
  sleep 0.05
done
[[ -n $URL ]] || { echo "FAIL: jejak serve did not start: $(cat "$SCRATCH/serve.err")" >&2; exit 1; }
OFFICER=$("$JEJAK" token --data "$SRC" --role officer --sub bendahara.dinkes --opd 1.02.0.00.0.00.01.0000)

# Appends over HTTPS until $SCRATCH/stop appears; each acknowledged one adds a line to acked.
appender() {
  local n=0 code
  while [[ ! -e $SCRATCH/stop ]]; do
    n=$((n + 1))
    sed "s/CMS20260304-000421/CMS-BK-$n/; s#KW-0421/DINKES#KW-BK-$n/DINKES#" \
      "$DEMO/example-expenditure.json" >"$SCRATCH/body.json"
    code=$(curl -sS -o /dev/null -w '%{http_code}' --cacert "$SRC/tls/cert.pem" \
      -H "Authorization: Bearer $OFFICER" -H "Content-Type: application/json" \
      --data @"$SCRATCH/body.json" "$URL/v1/entries")
    [[ $code == 201 ]] && echo "$n" >>"$SCRATCH/acked"
  done
}
: >"$SCRATCH/acked"
appender &
APPENDER_PID=$!
for _ in $(seq 1 200); do [[ $(wc -l <"$SCRATCH/acked") -ge 5 ]] && break; sleep 0.05; done
# An auditor's checkpoint, pinned before the backup.
curl -sS --cacert "$SRC/tls/cert.pem" "$URL/v1/checkpoint" >"$SCRATCH/pinned"
BEFORE=$(wc -l <"$SCRATCH/acked")

OUT=$SCRATCH/ledger.backup
expect_exit 0 "backup while the server appends" -- "$JEJAK" backup --data "$SRC" --out "$OUT"
if [[ $BACKEND == sqlite ]]; then
  expect_contains "the copy was checked" "$LAST_STDOUT" "checked: integrity, newest checkpoint and its root"
else
  expect_contains "pg_dump wrote it" "$LAST_STDOUT" "pg_dump of jejak.test/backup written to $OUT"
fi
# Appends after the copy (the appender runs one at a time: of three acknowledged now, two
# started after the backup ended, so the live ledger outgrows the copy).
MID=$(wc -l <"$SCRATCH/acked")
for _ in $(seq 1 200); do [[ $(wc -l <"$SCRATCH/acked") -ge $((MID + 3)) ]] && break; sleep 0.05; done
touch "$SCRATCH/stop"; wait "$APPENDER_PID"; APPENDER_PID=
AFTER=$(wc -l <"$SCRATCH/acked")
expect_equal "appends went on during the backup" "$((AFTER > BEFORE))" 1
expect_exit 2 "never over an existing file" -- "$JEJAK" backup --data "$SRC" --out "$OUT"
expect_contains "says so" "$LAST_STDERR" "already exists"
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=
expect_exit 0 "the live ledger verifies" -- "$JEJAK" verify --data "$SRC"
LIVE=$(sed -n 's/^ok: \([0-9]*\) entries.*/\1/p' <<<"$LAST_STDOUT")

# Restore into a fresh data directory (the service stopped; config and keys copied).
R=$SCRATCH/restored
mkdir -m 700 "$R"
cp -p "$SRC/jejak.conf" "$R/"
cp -rp "$SRC/keys" "$SRC/tls" "$R/"
if [[ $BACKEND == sqlite ]]; then
  cp "$OUT" "$R/ledger.db"
else
  RESTORED_URL=$(new_database restored)
  expect_exit 0 "pg_restore into an empty database" -- pg_restore --no-owner --no-privileges \
    --exit-on-error --dbname "$RESTORED_URL" "$OUT"
  sed -i "s#^database = .*#database = $RESTORED_URL#" "$R/jejak.conf"
fi
expect_exit 0 "the restored copy verifies" -- "$JEJAK" verify --data "$R"
COPY=$(sed -n 's/^ok: \([0-9]*\) entries.*/\1/p' <<<"$LAST_STDOUT")
PINNED_SIZE=$(sed -n 2p "$SCRATCH/pinned")
expect_equal "the copy holds the entries before the backup" "$((COPY >= PINNED_SIZE))" 1
expect_equal "the copy is a prefix of the live ledger" "$((COPY <= LIVE))" 1
expect_exit 0 "the copy extends the auditor's pinned checkpoint" -- \
  "$JEJAK" verify --data "$R" --checkpoint "$SCRATCH/pinned"
expect_equal "the live ledger outgrew the copy" "$((COPY < LIVE))" 1
if ((COPY < LIVE)); then
  # In the original directory, whose kept checkpoint covers later entries, the copy is a
  # rewound ledger: refused.
  O=$SCRATCH/original
  mkdir -m 700 "$O"
  cp -p "$R/jejak.conf" "$O/"
  cp -rp "$SRC/keys" "$SRC/tls" "$SRC/state" "$O/"
  [[ $BACKEND == sqlite ]] && cp "$OUT" "$O/ledger.db"
  expect_exit 1 "a copy older than the kept checkpoint is refused" -- "$JEJAK" verify --data "$O"
  expect_contains "as rewound, naming the sizes" "$LAST_STDERR" "$LIVE entries"
fi
expect_exit 0 "the restored ledger takes appends" -- "$JEJAK" append --data "$R" --sub bendahara \
  "$DEMO/example-expenditure.json"

finish
