#!/usr/bin/env bash
# `ops/pg.sh replica` against the `postgres` fixture (through pg_lib.sh's pg_new_replica):
# a streaming replica made with pg_basebackup on another loopback port receives a row
# committed on the primary after the copy, refuses writes, and is stopped and removed by
# `ops/pg.sh stop`, its own or the primary's.
source "$(dirname "$0")/../e2e/lib.sh"
source "$(dirname "$0")/../e2e/pg_lib.sh"

primary_url=$(pg_new_database replica) || exit 1
db=${primary_url##*/}

expect_exit 0 "a table on the primary" -- pg_psql "$primary_url" -c "CREATE TABLE t (x int)" -c "INSERT INTO t VALUES (1)"
replica_dir=$(pg_new_replica)
expect_equal "pg_new_replica (ops/pg.sh replica)" "$?" "0"
trap 'bash "$SOURCE_DIR/ops/pg.sh" stop "$replica_dir" 2>/dev/null; rm -rf "$SCRATCH"' EXIT
replica_url="postgresql://postgres@127.0.0.1:$(cat "$replica_dir/port")/$db"
expect_equal "the replica has its own port" "$([[ $(cat "$replica_dir/port") != $(cat "$(pg_cluster_dir)/port") ]] && echo yes)" "yes"
expect_exit 0 "a row after the copy" -- pg_psql "$primary_url" -c "INSERT INTO t VALUES (2)"
streamed=
for _ in $(seq 1 100); do
  streamed=$(pg_psql "$replica_url" -t -A -c "SELECT count(*) FROM t" 2>/dev/null)
  [[ "$streamed" == 2 ]] && break
  sleep 0.1
done
expect_equal "the replica streamed the row" "$streamed" "2"
expect_equal "the replica is in recovery" "$(pg_psql "$replica_url" -t -A -c "SELECT pg_is_in_recovery()")" "t"
expect_exit 1 "the replica refuses writes" -- pg_psql "$replica_url" -c "INSERT INTO t VALUES (3)"
expect_contains "the reason" "$LAST_STDERR" "read-only transaction"
replica_pid=$(cat "$replica_dir/pid")
expect_exit 0 "ops/pg.sh stop" -- bash "$SOURCE_DIR/ops/pg.sh" stop "$replica_dir"
# Gone, or a zombie waiting for init to reap it (its command line is then empty).
alive() { [[ -n "$(tr -d '\0' 2>/dev/null < "/proc/$1/cmdline")" ]]; }
for _ in $(seq 1 50); do alive "$replica_pid" || break; sleep 0.1; done
expect_equal "the replica's postmaster is gone" "$(alive "$replica_pid" && echo running || echo gone)" "gone"
expect_equal "its directory is gone" "$([[ -e "$replica_dir" ]] && echo present || echo gone)" "gone"

# A replica left running is stopped with the primary: here a copy of the primary (a
# cluster of our own, so that the fixture's keeps running for the other tests).
own=$SCRATCH/own
expect_exit 0 "a primary of our own" -- bash "$SOURCE_DIR/ops/pg.sh" start "$own"
expect_exit 0 "its replica, inside its directory" -- bash "$SOURCE_DIR/ops/pg.sh" replica "$own" "$own/replica"
left_pid=$(cat "$own/replica/pid")
expect_exit 0 "stopping the primary" -- bash "$SOURCE_DIR/ops/pg.sh" stop "$own"
for _ in $(seq 1 50); do alive "$left_pid" || break; sleep 0.1; done
expect_equal "stopped the replica inside it too" "$(alive "$left_pid" && echo running || echo gone)" "gone"
finish
