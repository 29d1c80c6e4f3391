#!/usr/bin/env bash
# `jejak import` end to end, on the backend named by $2 (sqlite or postgresql): a SQLite
# ledger exported as a bundle is imported into an empty database of that backend in a new
# data directory (config and keys copied, --db naming the new database): the same root,
# `jejak verify` passes, and `jejak serve` on it shows the bundle's checkpoint. Tampered
# bundles (a changed byte, a dropped line, swapped lines, another key's checkpoint, a
# truncated file, a non-canonical line) exit 1 naming the line, and leave the database
# empty; a database that is not empty is refused with exit 2. The PostgreSQL run makes
# its databases in the test cluster whose superuser URL is in $JEJAK_TEST_PG_DIR/url.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/pg_lib.sh"  # pg_new_database: one database per run, gone at pg.stop.
BACKEND=${2:?usage: $0 path/to/jejak sqlite|postgresql}
DEMO=$SOURCE_DIR/ops/demo
command -v curl >/dev/null || { echo "curl missing" >&2; exit 1; }

SERVER_PID=
URL=
cleanup() {
  if [[ -n $SERVER_PID ]]; then kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; fi
  rm -rf "$SCRATCH"
}
trap cleanup EXIT

if [[ $BACKEND == postgresql ]]; then
  pg_cluster_dir >/dev/null || exit 1
fi

# new_database TAG: prints the --db URL of a new, empty database of the backend.
new_database() {
  if [[ $BACKEND == sqlite ]]; then
    echo "sqlite:$SCRATCH/$1.db"
    return
  fi
  pg_new_database "import_$1" || { echo "FAIL: cannot create a test database" >&2; exit 1; }
}

# entries_in URL: how many entries (and checkpoints) the database holds ("none" if the
# SQLite file does not exist).
entries_in() {
  if [[ $BACKEND == sqlite ]]; then
    local file=${1#sqlite:}
    [[ -f $file ]] || { echo none; return; }
    sqlite3 "$file" "SELECT (SELECT COUNT(*) FROM entries) || '/' || (SELECT COUNT(*) FROM checkpoints)"
  else
    psql -qAt "$1" -c "SELECT (SELECT COUNT(*) FROM entries) || '/' || (SELECT COUNT(*) FROM checkpoints)"
  fi
}

# target NAME: a new data directory with SRC's config and keys (no database, no state).
target() {
  local dir=$SCRATCH/$1
  mkdir -m 700 "$dir"
  cp -p "$SRC/jejak.conf" "$dir/"
  cp -rp "$SRC/keys" "$SRC/tls" "$dir/"
  echo "$dir"
}

# The source: a SQLite ledger with the demo registry, expenditures and corrections.
SRC=$SCRATCH/src
"$JEJAK" init --data "$SRC" --region "Pemerintah Kabupaten Uji" --origin jejak.test/import >/dev/null
"$JEJAK" append --data "$SRC" --sub admin "$DEMO/registry.ndjson" >/dev/null
"$JEJAK" append --data "$SRC" --sub bendahara --batch 7 "$DEMO/expenditures.ndjson" >/dev/null
"$JEJAK" append --data "$SRC" --sub bendahara "$DEMO/corrections.ndjson" >/dev/null
expect_exit 0 "export the bundle" -- "$JEJAK" export-bundle --data "$SRC" --out "$SCRATCH/bundle.ndjson"
expect_exit 0 "verify the source" -- "$JEJAK" verify --data "$SRC"
SRC_ROOT=${LAST_STDOUT##* }
LINES=$(wc -l <"$SCRATCH/bundle.ndjson")
ENTRIES=$((LINES - 2))

# The import into a new database of the backend, named by --db.
DST=$(target dst)
DB=$(new_database dst)
expect_exit 0 "import into $BACKEND" -- "$JEJAK" import --data "$DST" --db "$DB" "$SCRATCH/bundle.ndjson"
expect_contains "import reports the entries" "$LAST_STDOUT" "imported $ENTRIES entries"
expect_contains "import reports the rate" "$LAST_STDOUT" "entries/s"
expect_contains "import reports the root" "$LAST_STDOUT" "root $SRC_ROOT"
expect_contains "the config names the new database" "$(grep '^database' "$DST/jejak.conf")" "database = $DB"
expect_exit 0 "verify the import" -- "$JEJAK" verify --data "$DST"
expect_equal "same root" "${LAST_STDOUT##* }" "$SRC_ROOT"
expect_contains "verify counts the entries" "$LAST_STDOUT" "ok: $ENTRIES entries"
NOTE=$(tail -n 1 "$SCRATCH/bundle.ndjson" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["checkpoint"], end="")')
expect_equal "the kept checkpoint is the bundle's" "$(cat "$DST/state/latest-checkpoint")" "$NOTE"

"$JEJAK" serve --data "$DST" --listen 127.0.0.1:0 >"$SCRATCH/serve.out" 2>"$SCRATCH/serve.err" &
SERVER_PID=$!
for _ in $(seq 1 200); do
  URL=$(sed -n 's/^listening on //p' "$SCRATCH/serve.out" | head -n 1)
  [[ -n $URL ]] && break
  kill -0 "$SERVER_PID" 2>/dev/null || break
  sleep 0.05
done
[[ -n $URL ]] || { echo "FAIL: jejak serve did not start: $(cat "$SCRATCH/serve.err")" >&2; exit 1; }
SERVED=$(curl -sS --cacert "$DST/tls/cert.pem" "$URL/v1/checkpoint")
expect_equal "GET /v1/checkpoint shows the bundle's checkpoint" "$SERVED" "$NOTE"
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=

# Into the database already holding it: refused, exit 2, nothing changed.
expect_exit 2 "a non-empty database" -- "$JEJAK" import --data "$DST" "$SCRATCH/bundle.ndjson"
expect_contains "names why" "$LAST_STDERR" "not empty"
expect_equal "the imported ledger is untouched" "$(entries_in "$DB")" "$ENTRIES/1"

# Tampered bundles: exit 1 naming the line, and nothing written.
B=$SCRATCH/bundle.ndjson
# A byte of seq 13 changed, the entry still valid: only the checkpoint's root tells.
sed '15s/"recorded_by":"b/"recorded_by":"c/' "$B" >"$SCRATCH/changed.ndjson"
# A byte of seq 13 changed so that the entry no longer validates: named on its line.
sed '15s/"kind":"expenditure"/"kind":"expenditurx"/' "$B" >"$SCRATCH/broken.ndjson"
sed '7d' "$B" >"$SCRATCH/dropped.ndjson"
awk 'NR==9 {held=$0; next} NR==10 {print; print held; next} {print}' "$B" >"$SCRATCH/swapped.ndjson"
head -c $(($(wc -c <"$B") - 50)) "$B" >"$SCRATCH/truncated.ndjson"
sed '5s/^{/{ /' "$B" >"$SCRATCH/noncanonical.ndjson"
# Another ledger with the same origin, signed by its own key: its checkpoint line.
OTHER=$SCRATCH/other
"$JEJAK" init --data "$OTHER" --region "Pemerintah Kabupaten Uji" --origin jejak.test/import >/dev/null
"$JEJAK" export-bundle --data "$OTHER" --out "$SCRATCH/other.ndjson"
{ head -n -1 "$B"; tail -n 1 "$SCRATCH/other.ndjson"; } >"$SCRATCH/otherkey.ndjson"
for tag in changed broken; do
  cmp -s "$B" "$SCRATCH/$tag.ndjson" && { echo "FAIL: the $tag bundle is unchanged" >&2; exit 1; }
done

refused() {  # refused TAG WHAT: imports $SCRATCH/TAG.ndjson into a new database.
  local dir db
  dir=$(target "t-$1")
  db=$(new_database "t_$1")
  expect_exit 1 "$1 bundle refused" -- "$JEJAK" import --data "$dir" --db "$db" "$SCRATCH/$1.ndjson"
  expect_contains "$1: names the line" "$LAST_STDERR" "$2"
  expect_contains "$1: nothing written" "$LAST_STDERR" "nothing written"
  local left
  left=$(entries_in "$db")
  [[ $left == none ]] || expect_equal "$1: the database is empty" "$left" "0/0"
  expect_equal "$1: the config is unchanged" "$(grep '^database' "$dir/jejak.conf")" "$(grep '^database' "$SRC/jejak.conf")"
  [[ -e $dir/state/latest-checkpoint ]] && { echo "FAIL: $1: a checkpoint was kept" >&2; FAILURES=$((FAILURES + 1)); }
}
refused changed "bundle line $LINES (checkpoint): checkpoint at tree size $ENTRIES: root hash differs"
refused broken "bundle line 15 (seq 13)"
refused dropped "bundle line 7 (seq 5)"
refused swapped "bundle line 9 (seq 7)"
refused truncated "bundle line"
refused noncanonical "bundle line 5 (seq 3)"
refused otherkey "bundle line $LINES (checkpoint)"

# A bundle from another origin is refused by DIR's key before anything is written.
expect_exit 1 "another origin's bundle" -- "$JEJAK" import --data "$(target foreign)" \
  --db "$(new_database foreign)" "$SCRATCH/other.ndjson"

# Without --db: into the database DIR's config names (SQLite's default file).
if [[ $BACKEND == sqlite ]]; then
  PLAIN=$(target plain)
  expect_exit 0 "import into the configured database" -- "$JEJAK" import --data "$PLAIN" "$SCRATCH/bundle.ndjson"
  expect_exit 0 "verify it" -- "$JEJAK" verify --data "$PLAIN"
  expect_equal "same root" "${LAST_STDOUT##* }" "$SRC_ROOT"
  expect_exit 0 "append onto the imported ledger" -- "$JEJAK" append --data "$PLAIN" --sub bendahara \
    "$DEMO/example-expenditure.json"
  expect_exit 0 "verify after the append" -- "$JEJAK" verify --data "$PLAIN"
fi

finish
