#!/usr/bin/env bash
# ops/postgres/setup.sql against a real PostgreSQL (the `postgres` fixture): applied to a
# fresh database, then `jejak init` run as jejak_owner, it must let `jejak append`, `serve`
# and `verify` work as jejak_service, leave jejak_service unable to change, remove or
# create anything, jejak_reader able only to read, and jejak_owner refused UPDATE, DELETE
# and TRUNCATE of the ledger by the triggers, and refused removing those triggers or the
# tables.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/pg_lib.sh"

admin_url=$(pg_new_database setup) || exit 1
db=${admin_url##*/}
owner_url=$(pg_url "$db" jejak_owner)
service_url=$(pg_url "$db" jejak_service)
reader_url=$(pg_url "$db" jejak_reader)

# as ROLE_URL SQL...: runs each SQL in one session; stops at the first error.
as() {
  local url=$1
  shift
  local commands=()
  for sql in "$@"; do commands+=(-c "$sql"); done
  pg_psql "$url" -t -A "${commands[@]}"
}
# expect_sql_ok DESCRIPTION ROLE_URL SQL...
expect_sql_ok() {
  local what=$1
  shift
  expect_exit 0 "$what" -- as "$@"
}
# expect_sql_refused DESCRIPTION ERROR_TEXT ROLE_URL SQL...: the last SQL fails with an
# error containing ERROR_TEXT (every SQL before it must succeed; psql exits 1 when a -c
# command fails, 2 when it cannot connect).
expect_sql_refused() {
  local what=$1 error=$2
  shift 2
  expect_exit 1 "$what" -- as "$@" && expect_contains "$what: the reason" "$LAST_STDERR" "$error"
}

expect_exit 0 "setup.sql" -- pg_psql "$(pg_url)" -v db="$db" -f "$SOURCE_DIR/ops/postgres/setup.sql"
expect_exit 0 "setup.sql a second time changes nothing" -- \
  pg_psql "$(pg_url)" -v db="$db" -f "$SOURCE_DIR/ops/postgres/setup.sql"

# --- The real binary: init as the owner, then append, serve and verify as the service --------
L=$SCRATCH/ledger
DEMO=$SOURCE_DIR/ops/demo
SERVER_PID=
stop_server() {
  if [[ -n $SERVER_PID ]]; then
    kill -TERM "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
    SERVER_PID=
  fi
}
trap 'stop_server; rm -rf "$SCRATCH"' EXIT

# start_server: serves $L on a free loopback port; sets SERVER_PID and URL.
start_server() {
  "$JEJAK" serve --data "$L" --listen 127.0.0.1:0 "$@" > "$SCRATCH/serve.out" 2> "$SCRATCH/serve.err" &
  SERVER_PID=$!
  URL=
  for _ in $(seq 1 200); do
    URL=$(sed -n 's/^listening on //p' "$SCRATCH/serve.out" | head -n 1)
    [[ -n $URL ]] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.05
  done
  echo "FAIL: jejak serve did not start: $(cat "$SCRATCH/serve.err")" >&2
  FAILURES=$((FAILURES + 1))
}

expect_exit 0 "jejak init as jejak_owner" -- "$JEJAK" init --data "$L" --region "Pemerintah Kabupaten Uji" \
  --origin jejak.test/pg --db "$owner_url"
expect_contains "the config names the owner's URL" "$(cat "$L/jejak.conf")" "database = $owner_url"
sed -i "s|^database = .*|database = $service_url|" "$L/jejak.conf"
expect_exit 0 "append the registry as jejak_service" -- "$JEJAK" append --data "$L" --sub admin "$DEMO/registry.ndjson"
expect_contains "the registry is appended" "$LAST_STDOUT" "appended 11 entries, seq 1 to 11"
# Expenditures one per commit: the realisation upserts find their rows and add to them.
expect_exit 0 "append expenditures as jejak_service" -- \
  "$JEJAK" append --data "$L" --sub bendahara --batch 1 "$DEMO/expenditures.ndjson"
expect_exit 0 "append corrections as jejak_service" -- \
  "$JEJAK" append --data "$L" --sub bendahara "$DEMO/corrections.ndjson"
start_server
expect_contains "jejak serve as jejak_service listens" "$URL" "https://127.0.0.1:"
officer=$("$JEJAK" token --data "$L" --role officer --sub bendahara.dinkes --opd 1.02.0.00.0.00.01.0000)
auditor=$("$JEJAK" token --data "$L" --role auditor --sub bpk.auditor)
post() {
  curl -sS --max-time 30 --cacert "$L/tls/cert.pem" -H "Authorization: Bearer $officer" \
    -H "Content-Type: application/json" -H "Idempotency-Key: KW-0421-PG" \
    --data @"$DEMO/example-expenditure.json" -o "$SCRATCH/post.json" -w '%{http_code}' "$URL/v1/entries"
}
expect_equal "POST /v1/entries through the service role" "$(post)" "201"
first_seq=$(/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["entry"]["seq"])' "$SCRATCH/post.json")
expect_equal "the replayed Idempotency-Key answers the first entry" "$(post)" "201"
expect_equal "  ... with its seq" \
  "$(/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["entry"]["seq"])' "$SCRATCH/post.json")" "$first_seq"
checkpoint=$(curl -sS --max-time 30 --cacert "$L/tls/cert.pem" "$URL/v1/checkpoint")
tree_size=$((first_seq + 1))
expect_contains "GET /v1/checkpoint names the tree size" "$checkpoint" $'\n'"$tree_size"$'\n'
expect_equal "GET /v1/verify through the service role" \
  "$(curl -sS --max-time 60 --cacert "$L/tls/cert.pem" -H "Authorization: Bearer $auditor" \
     -o /dev/null -w '%{http_code}' "$URL/v1/verify")" "200"
stop_server
# jejak_reader behind `serve --read-only` (what a replica's readers get): reads, no writes.
sed -i "s|^database = .*|database = $reader_url|" "$L/jejak.conf"
start_server --read-only
expect_contains "serve --read-only as jejak_reader: GET /v1/checkpoint" \
  "$(curl -sS --max-time 30 --cacert "$L/tls/cert.pem" "$URL/v1/checkpoint")" $'\n'"$tree_size"$'\n'
expect_equal "serve --read-only as jejak_reader: POST answers 503" \
  "$(curl -sS --max-time 30 --cacert "$L/tls/cert.pem" -H "Authorization: Bearer $officer" \
     -H "Content-Type: application/json" --data @"$DEMO/example-expenditure.json" \
     -o /dev/null -w '%{http_code}' "$URL/v1/entries")" "503"
stop_server
sed -i "s|^database = .*|database = $service_url|" "$L/jejak.conf"
expect_exit 0 "jejak verify as jejak_service" -- "$JEJAK" verify --data "$L"
expect_contains "verify counts the entries" "$LAST_STDOUT" "ok: $tree_size entries"
expect_exit 0 "setup.sql again, over the ledger" -- \
  pg_psql "$(pg_url)" -v db="$db" -f "$SOURCE_DIR/ops/postgres/setup.sql"
expect_exit 0 "the service appends after it" -- \
  "$JEJAK" append --data "$L" --sub admin - <<<'{"kind":"opd","code":"1.02.0.00.0.00.01.0099","name":"Puskesmas Uji"}'
tree_size=$((tree_size + 1))
expect_equal "the entries are in PostgreSQL, readable by jejak_reader" \
  "$(pg_psql "$reader_url" -t -A -c "SELECT count(*) FROM entries")" "$tree_size"
expect_equal "the schema belongs to jejak_owner" \
  "$(pg_psql "$(pg_url "$db")" -t -A -c "SELECT DISTINCT pg_get_userbyid(relowner) FROM pg_class WHERE relnamespace = 'public'::regnamespace")" \
  "jejak_owner"

# Rows written by hand below use seqs and sizes far from the real ledger's.
entry_values="(1000000, '{}', 'leaf', 'chain', 'opd', '2026-01-02T03:04:05Z', 'admin')"
entry_columns="(seq, canonical, leaf_hash, chain_hash, kind, recorded_at, recorded_by)"

# --- jejak_service: reads and appends, nothing else ----------------------------------------
expect_sql_ok "service SELECTs entries" "$service_url" "SELECT count(*) FROM entries"
expect_sql_ok "service INSERTs an entry" "$service_url" "INSERT INTO entries $entry_columns VALUES $entry_values"
expect_equal "the entry is there" "$(as "$service_url" "SELECT seq || ' ' || kind FROM entries WHERE seq = 1000000")" "1000000 opd"
for table in merkle_nodes checkpoints cosignatures audit_expenditures witness_sizes import_mappings bank_statements idempotency schema_migrations; do
  expect_sql_ok "service SELECTs $table" "$service_url" "SELECT count(*) FROM $table"
done
expect_sql_ok "service INSERTs a checkpoint and a node" "$service_url" \
  "INSERT INTO checkpoints VALUES (1000000, 'note')" "INSERT INTO merkle_nodes VALUES (0, 1000000, 0, 'h')" \
  "INSERT INTO cosignatures VALUES (1000000, 'witness', 'line')" "INSERT INTO idempotency VALUES ('admin', 'k', 'h', 1, 2)" \
  "INSERT INTO witness_sizes VALUES ('witness', 1000000, '2026-01-02T03:04:05Z')"
expect_sql_refused "service UPDATE of entries" "permission denied for table entries" "$service_url" \
  "UPDATE entries SET kind = 'expenditure' WHERE seq = 1000000"
expect_sql_refused "service DELETE of entries" "permission denied for table entries" "$service_url" \
  "DELETE FROM entries WHERE seq = 1000000"
expect_sql_refused "service TRUNCATE of entries" "permission denied for table entries" "$service_url" \
  "TRUNCATE entries"
expect_sql_refused "service UPDATE of checkpoints" "permission denied for table checkpoints" "$service_url" \
  "UPDATE checkpoints SET note = 'forged'"
expect_sql_refused "service UPDATE of idempotency" "permission denied for table idempotency" "$service_url" \
  "UPDATE idempotency SET seq = 7"
expect_sql_refused "service INSERT into schema_migrations" "permission denied for table schema_migrations" \
  "$service_url" "INSERT INTO schema_migrations VALUES (99, 'now')"
expect_sql_refused "service CREATE TABLE" "permission denied for schema public" "$service_url" \
  "CREATE TABLE shadow (x int)"
expect_sql_refused "service CREATE TABLE IF NOT EXISTS of an existing table" "permission denied for schema public" \
  "$service_url" "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
expect_sql_refused "service CREATE TEMP TABLE" "permission denied to create temporary tables" "$service_url" \
  "CREATE TEMP TABLE shadow (x int)"
expect_sql_refused "service DROP TABLE" "must be owner of table entries" "$service_url" "DROP TABLE entries"
expect_sql_refused "service ALTER TABLE" "must be owner of table entries" "$service_url" \
  "ALTER TABLE entries DISABLE TRIGGER entries_append_only"
# The chain head is serialised with an advisory lock: any role may take one. Row or table
# locks strong enough to serialise appenders need UPDATE, which the service lacks.
expect_sql_ok "service takes the advisory lock" "$service_url" "BEGIN" "SELECT pg_advisory_xact_lock(42)" "COMMIT"
expect_sql_refused "service LOCK TABLE ... EXCLUSIVE" "permission denied for table entries" "$service_url" \
  "BEGIN" "LOCK TABLE entries IN EXCLUSIVE MODE"
expect_sql_refused "service SELECT ... FOR UPDATE" "permission denied for table entries" "$service_url" \
  "SELECT seq FROM entries ORDER BY seq DESC LIMIT 1 FOR UPDATE"
# The realisation aggregates: the append transaction's upsert, and nothing more.
upsert="INSERT INTO realisation_monthly VALUES (1999, '1.02', '5.1', 'LS', '1999-01', 100, 1)
  ON CONFLICT (fiscal_year, opd, account_group, instrument, month) DO UPDATE
  SET amount_sen = realisation_monthly.amount_sen + excluded.amount_sen,
      entries = realisation_monthly.entries + excluded.entries"
expect_sql_ok "service upserts realisation_monthly" "$service_url" "$upsert" "$upsert"
expect_equal "the upsert added" "$(as "$service_url" "SELECT amount_sen || ' ' || entries FROM realisation_monthly WHERE fiscal_year = 1999")" "200 2"
for table in realisation_daily realisation_lines; do
  expect_sql_refused "service UPDATE of $table's key" "permission denied for table $table" "$service_url" \
    "UPDATE $table SET opd = 'x'"
done
expect_sql_refused "service UPDATE of realisation_monthly's key" "permission denied for table realisation_monthly" \
  "$service_url" "UPDATE realisation_monthly SET opd = 'x'"
expect_sql_refused "service DELETE of realisation_monthly" "permission denied for table realisation_monthly" \
  "$service_url" "DELETE FROM realisation_monthly"
owned=$(as "$(pg_url "$db")" "SELECT (SELECT count(*) FROM pg_class WHERE relowner = 'jejak_service'::regrole)
  + (SELECT count(*) FROM pg_proc WHERE proowner = 'jejak_service'::regrole)
  + (SELECT count(*) FROM pg_namespace WHERE nspowner = 'jejak_service'::regrole)
  + (SELECT count(*) FROM pg_type WHERE typowner = 'jejak_service'::regrole)")
expect_equal "jejak_service owns nothing" "$owned" "0"

# --- jejak_reader: reads only ---------------------------------------------------------------
expect_sql_ok "reader SELECTs entries" "$reader_url" "SELECT count(*) FROM entries"
expect_sql_refused "reader INSERT" "permission denied for table entries" "$reader_url" \
  "INSERT INTO entries $entry_columns VALUES (2, '{}', 'l', 'c', 'opd', 't', 'admin')"
expect_sql_refused "reader upsert" "permission denied for table realisation_monthly" "$reader_url" "$upsert"

# --- jejak_owner: the triggers refuse changes, the guards keep the triggers -----------------
expect_sql_refused "owner UPDATE of entries" "entries is append-only" "$owner_url" \
  "UPDATE entries SET kind = 'expenditure' WHERE seq = 1000000"
expect_sql_refused "owner DELETE of entries" "entries is append-only" "$owner_url" "DELETE FROM entries"
expect_sql_refused "owner TRUNCATE of entries" "entries is append-only" "$owner_url" "TRUNCATE entries"
expect_sql_refused "owner UPDATE of checkpoints" "checkpoints is append-only" "$owner_url" "UPDATE checkpoints SET note = 'x'"
expect_sql_refused "owner DELETE of merkle_nodes" "merkle_nodes is append-only" "$owner_url" "DELETE FROM merkle_nodes"
expect_sql_refused "owner TRUNCATE of cosignatures" "cosignatures is append-only" "$owner_url" "TRUNCATE cosignatures"
expect_sql_refused "owner DELETE of witness_sizes" "witness_sizes is append-only" "$owner_url" "DELETE FROM witness_sizes"
expect_sql_refused "owner DROP TRIGGER" "the ledger keeps its trigger" "$owner_url" \
  "DROP TRIGGER entries_append_only ON entries"
expect_sql_refused "owner DROP FUNCTION ... CASCADE" "the ledger keeps its trigger" "$owner_url" \
  "DROP FUNCTION jejak_append_only() CASCADE"
expect_sql_refused "owner DISABLE TRIGGER" "of the ledger table entries stays enabled" "$owner_url" \
  "ALTER TABLE entries DISABLE TRIGGER ALL"
expect_sql_refused "owner replaces the trigger function: the guard still refuses" "entries is append-only (jejak_guard)" \
  "$owner_url" "BEGIN" \
  "CREATE OR REPLACE FUNCTION jejak_append_only() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN RETURN NEW; END \$\$" \
  "UPDATE entries SET kind = 'expenditure' WHERE seq = 1000000"
expect_sql_refused "owner DROP TABLE" "the ledger keeps its table public.entries" "$owner_url" "DROP TABLE entries"
expect_sql_refused "owner DROP SCHEMA CASCADE" "the ledger keeps its table public." "$owner_url" \
  "DROP SCHEMA public CASCADE"
expect_sql_refused "owner DROP COLUMN" "the ledger keeps its table column public.entries.canonical" "$owner_url" \
  "ALTER TABLE entries DROP COLUMN canonical"
expect_sql_refused "owner RENAME" "a ledger table keeps its name and schema, not entries_old" "$owner_url" "ALTER TABLE entries RENAME TO entries_old"
expect_sql_refused "owner rewrites a column" "is not rewritten" "$owner_url" \
  "ALTER TABLE entries ALTER COLUMN kind TYPE varchar(3) USING 'opd'"
expect_equal "the entry is unchanged" "$(as "$service_url" "SELECT seq || ' ' || kind || ' ' || canonical FROM entries WHERE seq = 1000000")" "1000000 opd {}"
# Eight append-only tables (bank_statements the eighth), four triggers each.
expect_equal "every ledger table still has its triggers" \
  "$(as "$(pg_url "$db")" "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgenabled = 'O'")" "32"

# --- A table created by a later migration gets the same privileges ---------------------------
expect_sql_ok "owner adds a table, ledger-style" "$owner_url" "CREATE TABLE later (x int PRIMARY KEY)"
expect_sql_ok "service INSERTs into the later table" "$service_url" "INSERT INTO later VALUES (1)" "SELECT * FROM later"
expect_sql_refused "service UPDATE of the later table" "permission denied for table later" "$service_url" "UPDATE later SET x = 2"
expect_sql_ok "reader SELECTs the later table" "$reader_url" "SELECT * FROM later"

finish
