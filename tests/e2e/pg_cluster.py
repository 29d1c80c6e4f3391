"""Helpers of the end-to-end tests that run `jejak serve` on PostgreSQL (pg_multi_test.py,
pg_replica_test.py): the test cluster's URL, throwaway databases in it, and server
processes on a chosen port with extra arguments (a restart on the same port, --read-only).

The cluster is the ctest fixture `postgres` (ops/pg.sh): $JEJAK_TEST_PG_DIR/url holds a
superuser URL on a loopback port. Imported after api_test (the caller sets api.JEJAK).
"""

import http.client
import os
import secrets
import signal
import ssl
import subprocess
import threading
import time
import urllib.parse

import api_test as api

PSQL = "psql"
# Debian's postgresql-15 (pg_ctl, pg_basebackup), or $JEJAK_PG_BIN as for ops/pg.sh.
PG_BIN = os.environ.get("JEJAK_PG_BIN", "/usr/lib/postgresql/15/bin")


def cluster_url():
    """The superuser URL of the test cluster, from $JEJAK_TEST_PG_DIR/url. Raises with the
    reason if there is none (the ctest fixture `postgres` did not run)."""
    pg_dir = os.environ.get("JEJAK_TEST_PG_DIR")
    if not pg_dir:
        raise RuntimeError("JEJAK_TEST_PG_DIR is not set: run through ctest (fixture postgres), "
                           "or set it to a directory whose file `url` names a PostgreSQL superuser URL")
    path = os.path.join(pg_dir, "url")
    with open(path, encoding="utf-8") as f:
        url = f.read().strip()
    if not url.startswith(("postgresql://", "postgres://")):
        raise RuntimeError(f"{path} holds no postgresql:// URL: {url!r}")
    return url


def with_database(url, database=None, port=None):
    """`url` naming another database and/or port (same user and host)."""
    parts = urllib.parse.urlsplit(url)
    netloc = parts.netloc
    if port is not None:
        netloc = f"{parts.username}@{parts.hostname}:{port}" if parts.username else f"{parts.hostname}:{port}"
    path = "/" + database if database is not None else parts.path
    return urllib.parse.urlunsplit((parts.scheme, netloc, path, parts.query, parts.fragment))


def psql(url, sql, timeout=60, check=True):
    """Runs `sql` with psql against `url`; returns its unaligned, tuples-only output."""
    result = subprocess.run([PSQL, "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
                            capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
    if check and result.returncode != 0:
        raise RuntimeError(f"psql {sql!r} exited {result.returncode}: "
                           + result.stderr.decode("utf-8", "replace"))
    return result.stdout.decode("utf-8", "replace").strip()


def create_database(url, prefix):
    """Creates an empty database named PREFIX_PID_RANDOM in the cluster of `url`; returns
    (name, URL of it)."""
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    psql(url, f"CREATE DATABASE {name}")
    return name, with_database(url, name)


def drop_database(url, name):
    """Drops `name` (closing its connections); best effort, for cleanup."""
    psql(url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", check=False)


class Instance(api.Server):
    """One `jejak serve --data DIR --listen 127.0.0.1:PORT [ARGS...]` child, on a given port
    (a restart reuses its predecessor's) or a free one. Everything else (log draining,
    connect, stop) is api_test's Server."""

    def __init__(self, data_dir, port=None, args=(), start_seconds=20):
        super().__init__(data_dir, port, args, start_seconds)

    def kill(self):
        """SIGKILL by PID, then reap it and its log threads."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)
        for thread in self.threads:
            thread.join(5)

    def stderr_text(self):
        with self.lock:
            return "\n".join(self.stderr_lines)

    def wait_ready(self, seconds=30):
        """Waits until /readyz answers 200 (the start-up verification has passed)."""
        deadline = time.monotonic() + seconds
        last = None
        while time.monotonic() < deadline:
            try:
                last = api.get("/readyz", server=self)
                if last.status == 200:
                    return last.json()
            except (OSError, http.client.HTTPException) as error:
                last = error
            time.sleep(0.1)
        raise RuntimeError(f"port {self.port} not ready after {seconds} s: {last!r}")


def set_conf(data_dir, settings):
    """Replaces (or appends) `key = value` lines of DATA/jejak.conf."""
    path = os.path.join(data_dir, "jejak.conf")
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    left = dict(settings)
    for i, line in enumerate(lines):
        key = line.split("=", 1)[0].strip()
        if "=" in line and not line.lstrip().startswith("#") and key in left:
            lines[i] = f"{key} = {left.pop(key)}"
    lines += [f"{key} = {value}" for key, value in left.items()]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
