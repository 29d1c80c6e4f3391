"""Helpers for Python tests that need PostgreSQL, the counterpart of pg_lib.sh.

The `postgres` CTest fixture (tests/pg/CMakeLists.txt, ops/pg.sh) runs one throwaway
cluster for the whole suite; each test creates a database of its own with new_database()
so that parallel tests never meet. The test must be declared with jejak_requires_postgres().
"""
import os
import random
import re
import subprocess
import time

PG_BIN = os.environ.get("JEJAK_PG_BIN", "/usr/lib/postgresql/15/bin")
_PG_SH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "ops", "pg.sh")


def cluster_dir():
    """The fixture's directory; raises when the test runs without the fixture."""
    directory = os.environ.get("JEJAK_TEST_PG_DIR", "")
    if not directory or not os.path.isfile(os.path.join(directory, "url")):
        raise RuntimeError(f"no test PostgreSQL (JEJAK_TEST_PG_DIR={directory!r} has no url); "
                           "declare the test with jejak_requires_postgres()")
    return directory


def url(database="postgres", user="postgres"):
    """The loopback URL of database as user (every loopback login is trusted)."""
    with open(os.path.join(cluster_dir(), "port")) as f:
        port = f.read().strip()
    return f"postgresql://{user}@127.0.0.1:{port}/{database}"


def psql(database_url, sql, check=True):
    """Runs sql with psql (-X, ON_ERROR_STOP); returns the CompletedProcess (text, -t -A)."""
    result = subprocess.run([os.path.join(PG_BIN, "psql"), "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1",
                             "-d", database_url, "-c", sql], capture_output=True, text=True)
    if check and result.returncode != 0:
        raise RuntimeError(f"psql failed: {sql}: {result.stderr.strip()}")
    return result


def new_database(prefix="jejak"):
    """Creates an empty database no other test uses; returns its name."""
    prefix = re.sub(r"[^a-z0-9_]", "_", prefix.lower())[:30]
    name = f"{prefix}_{time.time_ns()}_{os.getpid()}_{random.randrange(1 << 30)}"
    psql(url(), f'CREATE DATABASE "{name}"')
    return name


def new_replica():
    """A streaming replica of the test cluster (ops/pg.sh replica) in a new directory inside
    the cluster's own, so that pg.stop (or its watchdog) stops it even if the test is
    killed. Returns the directory (url, port and pid files as for the primary); stop it
    with stop_replica()."""
    directory = os.path.join(cluster_dir(), f"replica_{time.time_ns()}_{os.getpid()}_{random.randrange(1 << 30)}")
    subprocess.run(["bash", _PG_SH, "replica", cluster_dir(), directory], check=True)
    return directory


def stop_replica(directory):
    """Stops a replica from new_replica() and removes its directory."""
    subprocess.run(["bash", _PG_SH, "stop", directory], check=True)
