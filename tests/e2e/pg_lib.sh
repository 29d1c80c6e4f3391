# Helpers for shell tests that need PostgreSQL: the `postgres` CTest fixture
# (tests/pg/CMakeLists.txt, ops/pg.sh) runs one throwaway cluster for the whole suite, so
# each test works in a database of its own and parallel tests never meet. Source it after
# declaring the test with jejak_requires_postgres(), which sets JEJAK_TEST_PG_DIR.

PG_BIN=${JEJAK_PG_BIN:-/usr/lib/postgresql/15/bin}

# pg_cluster_dir: the fixture's directory; fails loudly when the test runs without it.
pg_cluster_dir() {
  local dir=${JEJAK_TEST_PG_DIR:-}
  if [[ -z "$dir" || ! -f "$dir/url" ]]; then
    echo "pg_lib: no test PostgreSQL (JEJAK_TEST_PG_DIR='$dir' has no url); declare the test with jejak_requires_postgres()" >&2
    return 1
  fi
  echo "$dir"
}

# pg_url [DATABASE [USER]]: the loopback URL of DATABASE (default postgres) as USER
# (default postgres, the cluster's superuser; every loopback login is trusted).
pg_url() {
  local dir
  dir=$(pg_cluster_dir) || return 1
  echo "postgresql://${2:-postgres}@127.0.0.1:$(cat "$dir/port")/${1:-postgres}"
}

# pg_psql URL ARGS...: psql without ~/.psqlrc, stopping at the first error.
pg_psql() {
  local url=$1
  shift
  "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$url" "$@"
}

# pg_new_database [PREFIX]: creates an empty database with a name no other test uses
# (PREFIX, the time in nanoseconds, the PID and a random number) and prints its
# superuser URL. The database goes away with the cluster at pg.stop.
pg_new_database() {
  local prefix=${1:-jejak} name
  prefix=$(tr -c 'a-z0-9_\n' '_' <<<"${prefix,,}")
  name="${prefix:0:30}_$(date +%s%N)_$$_$RANDOM"
  pg_psql "$(pg_url)" -c "CREATE DATABASE \"$name\"" || {
    echo "pg_lib: CREATE DATABASE $name failed" >&2
    return 1
  }
  pg_url "$name"
}

# pg_new_replica: a streaming replica of the test cluster (ops/pg.sh replica) in a new
# directory inside the cluster's own, so that pg.stop (or its watchdog) stops it even if
# the test is killed; prints that directory (its url, port and pid files as for the
# primary). The test stops it with `ops/pg.sh stop DIR` when done.
pg_new_replica() {
  local dir replica
  dir=$(pg_cluster_dir) || return 1
  replica="$dir/replica_$(date +%s%N)_$$_$RANDOM"
  bash "$(dirname "${BASH_SOURCE[0]}")/../../ops/pg.sh" replica "$dir" "$replica" >&2 || return 1
  echo "$replica"
}
