#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for tests and benchmarks: one directory holds the data,
# the unix socket, the server log and the files that say where it listens. It is NOT a
# deployment: every loopback connection is trusted (no password), fsync is off, and the
# whole directory is deleted when it stops. docs/postgresql.md describes a real setup.
#
# Usage:
#   ops/pg.sh start DIR [--watch-parent] [-c NAME=VALUE]...
#                                          initdb in DIR/data and start a postmaster; each
#                                          -c setting overrides the throwaway ones below
#                                          (ops/bench.sh turns fsync back on)
#   ops/pg.sh replica PRIMARY_DIR DIR      a streaming replica of a running cluster
#   ops/pg.sh stop DIR                     stop the postmaster (and any replica made in a
#                                          directory inside DIR) and remove DIR
#
# After start (or replica), DIR holds:
#   url    postgresql://postgres@127.0.0.1:PORT/postgres (superuser `postgres`)
#   port   the TCP port, on 127.0.0.1 only; the unix socket is in DIR/socket
#   pid    the postmaster's PID
#   server.log
# The cluster has wal_level=replica, max_wal_senders=8 and a pg_hba replication line for
# 127.0.0.1, so `replica` (pg_basebackup -R, then a second postmaster on another free
# port) works against it.
#
# Run as root, the cluster belongs to the unprivileged user `nobody` (PostgreSQL refuses to
# run as root). If `nobody` cannot reach DIR, or DIR is too deep for a unix socket path,
# the cluster's files live in a private directory under /tmp and DIR/data and DIR/socket
# point to it; stop removes both.
#
# start on a DIR that already holds a cluster (a run that was interrupted) stops that one
# first. --watch-parent starts a small watchdog that stops the cluster when the calling
# process (ctest, for the test fixture) exits without running stop.
#
# Binaries: /usr/lib/postgresql/15/bin (Debian postgresql-15), or $JEJAK_PG_BIN.
set -euo pipefail

pg_bin=${JEJAK_PG_BIN:-/usr/lib/postgresql/15/bin}
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")

usage() {
  echo "usage: ops/pg.sh start DIR [--watch-parent] [-c NAME=VALUE]... | replica PRIMARY_DIR DIR | stop DIR" >&2
  exit 2
}
fail() {
  echo "pg.sh: $*" >&2
  exit 1
}

# as_owner CMD...: runs CMD as the cluster's owner (nobody when we are root).
as_owner=()
if [[ $(id -u) -eq 0 ]]; then as_owner=(runuser -u nobody --); fi

check_binaries() {
  local tool
  for tool in initdb pg_ctl postgres psql pg_basebackup pg_isready; do
    [[ -x "$pg_bin/$tool" ]] || fail "$pg_bin/$tool missing (Debian: ops/install-deps.sh installs postgresql-15)"
  done
}

free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

log_tail() {
  local log=$1
  if [[ -f "$log" ]]; then
    echo "pg.sh: last lines of $log:" >&2
    tail -n 30 "$log" >&2
  fi
}

# is_postmaster PID: the process exists and is a postgres server (a PID may be reused; an
# exited process not yet reaped has an empty command line).
is_postmaster() {
  [[ "$1" =~ ^[0-9]+$ ]] && [[ -r "/proc/$1/cmdline" ]] &&
    tr '\0' ' ' < "/proc/$1/cmdline" | grep -q 'postgres'
}

# prepare_home DIR: creates DIR, and sets `home` to where the cluster's files go (DIR
# itself, or a private directory under /tmp that DIR/data and DIR/socket point to).
prepare_home() {
  local dir=$1
  mkdir -p "$dir"
  home=$dir
  # A unix socket path holds at most 107 bytes: DIR/socket/.s.PGSQL.NNNNN.
  local reachable=1
  if ((${#as_owner[@]})); then
    chown nobody "$dir"
    "${as_owner[@]}" test -w "$dir" -a -x "$dir" || reachable=0
  fi
  if ((!reachable)) || ((${#dir} > 80)); then
    home=$(mktemp -d /tmp/jejak-pg.XXXXXX)
    chmod 700 "$home"
    if ((${#as_owner[@]})); then chown nobody "$home"; fi
    echo "$home" > "$dir/home"
  fi
  mkdir -p "$home/socket"
  if [[ "$home" != "$dir" ]]; then
    ln -sfn "$home/data" "$dir/data"
    ln -sfn "$home/socket" "$dir/socket"
    ln -sfn "$home/server.log" "$dir/server.log"
  fi
  if ((${#as_owner[@]})); then chown nobody "$home/socket"; fi
  chmod 700 "$home/socket"
}

# launch DIR: starts the postmaster of DIR/data on a free port (a few tries: another
# process may take the port between choosing and binding), then writes url, port, pid.
launch() {
  local dir=$1 home_dir=$2 port try pid
  for try in 1 2 3 4 5; do
    port=$(free_port)
    : > "$home_dir/server.log"
    if ((${#as_owner[@]})); then chown nobody "$home_dir/server.log"; fi
    if "${as_owner[@]}" "$pg_bin/pg_ctl" -D "$home_dir/data" -l "$home_dir/server.log" -w -t 60 start \
      -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$home_dir/socket" >/dev/null; then
      break
    fi
    if ! grep -q 'could not bind\|Address already in use' "$dir/server.log" || ((try == 5)); then
      log_tail "$dir/server.log"
      fail "the postmaster in $dir did not start"
    fi
    echo "pg.sh: port $port was taken, trying another" >&2
  done
  pid=$(head -n 1 "$home_dir/data/postmaster.pid")
  echo "$port" > "$dir/port"
  echo "$pid" > "$dir/pid"
  echo "postgresql://postgres@127.0.0.1:$port/postgres" > "$dir/url"
  if ! "$pg_bin/psql" -X -q -t -A -v ON_ERROR_STOP=1 -d "$(cat "$dir/url")" -c 'SELECT 1' >/dev/null; then
    log_tail "$dir/server.log"
    fail "the postmaster in $dir started but does not answer on 127.0.0.1:$port"
  fi
}

# watch PID DIR POSTMASTER: in the background, stops DIR's cluster once PID has exited,
# unless DIR was stopped (or restarted with another postmaster) meanwhile.
watch() {
  local parent=$1 dir=$2 postmaster=$3
  (
    trap '' HUP
    while kill -0 "$parent" 2>/dev/null; do
      [[ "$(cat "$dir/pid" 2>/dev/null)" == "$postmaster" ]] || exit 0
      sleep 2
    done
    [[ "$(cat "$dir/pid" 2>/dev/null)" == "$postmaster" ]] || exit 0
    echo "pg.sh: process $parent exited without stopping the cluster; stopping it" >&2
    bash "$self" stop "$dir"
  ) </dev/null >>"$dir/watchdog.log" 2>&1 &
  disown
}

start() {
  local dir=$1 watch_parent=$2 setting
  shift 2
  check_binaries
  if [[ -e "$dir" ]]; then
    echo "pg.sh: $dir exists (an interrupted run?); stopping and removing it first" >&2
    stop "$dir"
  fi
  prepare_home "$dir"
  if ! "${as_owner[@]}" "$pg_bin/initdb" -D "$home/data" -U postgres --auth=trust --no-sync \
    --encoding=UTF8 --no-locale > "$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    fail "initdb in $home/data failed"
  fi
  # Throwaway settings: no durability (fsync off), small memory, replication allowed.
  cat >> "$home/data/postgresql.conf" <<'EOF'

# ops/pg.sh: a throwaway test cluster
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 32MB
max_connections = 200
wal_level = replica
max_wal_senders = 8
max_replication_slots = 8
wal_keep_size = 128MB
hot_standby = on
log_min_messages = warning
log_line_prefix = '%m [%p] %q%u@%d '
EOF
  for setting in "$@"; do echo "$setting" >> "$home/data/postgresql.conf"; done
  # Trust, on loopback and the private socket only: a throwaway cluster has no passwords.
  cat > "$home/data/pg_hba.conf" <<'EOF'
# ops/pg.sh: a throwaway test cluster trusts every local and loopback connection.
local   all           all                  trust
host    all           all   127.0.0.1/32   trust
local   replication   all                  trust
host    replication   all   127.0.0.1/32   trust
EOF
  launch "$dir" "$home"
  if ((watch_parent)); then watch "$PPID" "$dir" "$(cat "$dir/pid")"; fi
  echo "pg.sh: PostgreSQL $(cat "$dir/pid") listening on $(cat "$dir/url")" >&2
}

replica() {
  local primary=$1 dir=$2
  check_binaries
  [[ -f "$primary/url" ]] || fail "$primary holds no running cluster (no $primary/url)"
  if [[ -e "$dir" ]]; then
    echo "pg.sh: $dir exists; stopping and removing it first" >&2
    stop "$dir"
  fi
  prepare_home "$dir"
  # -R writes standby.signal and primary_conninfo; -X stream copies the WAL it needs. A fast
  # checkpoint: a spread one would make the copy wait for minutes.
  if ! "${as_owner[@]}" "$pg_bin/pg_basebackup" -d "$(cat "$primary/url")" -D "$home/data" -R \
    -X stream --checkpoint=fast --no-sync > "$dir/basebackup.log" 2>&1; then
    cat "$dir/basebackup.log" >&2
    fail "pg_basebackup from $(cat "$primary/url") failed"
  fi
  launch "$dir" "$home"
  echo "pg.sh: replica $(cat "$dir/pid") of $(cat "$primary/url") on $(cat "$dir/url")" >&2
}

stop() {
  local dir=$1 pid="" data_dir
  if [[ ! -e "$dir" ]]; then
    echo "pg.sh: $dir does not exist; nothing to stop" >&2
    return 0
  fi
  # Only what this script made is removed: an empty directory, or one with its files.
  if [[ -n "$(ls -A "$dir")" && ! -e "$dir/initdb.log" && ! -e "$dir/basebackup.log" && ! -e "$dir/home" &&
    ! -e "$dir/data/PG_VERSION" ]]; then
    fail "$dir is not a cluster directory of ops/pg.sh; refusing to remove it"
  fi
  # Replicas made inside DIR (tests/e2e/pg_lib.sh pg_new_replica) stop with it.
  local child
  for child in "$dir"/*/url; do
    [[ -f "$child" ]] && stop "$(dirname "$child")"
  done
  data_dir=$dir/data
  if [[ -f "$dir/home" ]]; then data_dir=$(cat "$dir/home")/data; fi
  if [[ -f "$data_dir/postmaster.pid" ]]; then
    pid=$(head -n 1 "$data_dir/postmaster.pid")
  elif [[ -f "$dir/pid" ]]; then
    pid=$(cat "$dir/pid")
  fi
  if [[ -n "$pid" ]] && is_postmaster "$pid"; then
    if [[ -f "$data_dir/postmaster.pid" ]]; then
      "${as_owner[@]}" "$pg_bin/pg_ctl" -D "$data_dir" -m fast -w -t 30 stop >/dev/null 2>&1 || true
    fi
    local i
    # pg_ctl returns once postmaster.pid is gone; the process itself may take a moment.
    for i in $(seq 1 50); do is_postmaster "$pid" || break; sleep 0.1; done
    if is_postmaster "$pid"; then
      echo "pg.sh: pg_ctl did not stop $pid; sending SIGQUIT, then SIGKILL" >&2
      log_tail "$dir/server.log"
      kill -QUIT "$pid" 2>/dev/null || true
      for i in $(seq 1 50); do is_postmaster "$pid" || break; sleep 0.1; done
      if is_postmaster "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
      for i in $(seq 1 50); do is_postmaster "$pid" || break; sleep 0.1; done
      is_postmaster "$pid" && fail "postmaster $pid in $dir does not stop"
    fi
  fi
  if [[ -f "$dir/home" ]]; then
    local private
    private=$(cat "$dir/home")
    [[ "$private" == /tmp/jejak-pg.* ]] && rm -rf "$private"
  fi
  rm -rf "$dir"
  echo "pg.sh: stopped and removed $dir" >&2
}

(($# >= 2)) || usage
case "$1" in
  start)
    dir=$2
    shift 2
    watch_parent=0
    settings=()
    while (($#)); do
      case "$1" in
        --watch-parent) watch_parent=1 ;;
        -c)
          (($# >= 2)) && [[ "$2" =~ ^[a-z_]+=[^\']*$ ]] || usage
          settings+=("${2%%=*} = '${2#*=}'")
          shift
          ;;
        *) usage ;;
      esac
      shift
    done
    start "$(realpath -m "$dir")" "$watch_parent" "${settings[@]}"
    ;;
  replica)
    (($# == 3)) || usage
    replica "$(realpath -m "$2")" "$(realpath -m "$3")"
    ;;
  stop)
    (($# == 2)) || usage
    stop "$(realpath -m "$2")"
    ;;
  *) usage ;;
esac
