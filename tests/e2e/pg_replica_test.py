#!/usr/bin/env python3
"""Reads from a real PostgreSQL streaming replica while the primary takes appends: a
`jejak serve --read-only` on the replica serves entries, proofs, summaries, findings,
exports, the newest checkpoint the replica holds and the dashboard, and answers writes
with 503 and a problem.

Usage: /usr/bin/python3 tests/e2e/pg_replica_test.py /path/to/jejak [unittest options]
with JEJAK_TEST_PG_DIR naming the directory whose file `url` holds a superuser URL of a
running PostgreSQL 15 on loopback with wal_level=replica and replication allowed from
127.0.0.1 (the ctest fixture `postgres`, ops/pg.sh).

The standby is made here: pg_basebackup -R -X stream from that cluster into a scratch
directory, then a second postmaster on a free loopback port, both run as the user that
owns the primary's data directory (runuser, when this runs as root). The ledger's database
is created on the primary after the standby started, so everything reaches the replica by
streaming. The primary instance runs on DIR; the read-only one on a copy of DIR whose
config names the replica. A writer thread appends through the primary for as long as the
tests run (bounded); the last test stops it and waits (bounded) for the replica to catch
up. Every process started here is stopped by its PID at the end, also on failure.
"""

import http.client
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

JEJAK = None  # Path of the binary, from argv[1].
api = None    # api_test, imported in main.
pg = None     # pg_cluster, imported in main.

OPD_A = "1.02.0.00.0.00.01.0000"
OPD_B = "1.01.0.00.0.00.01.0000"
YEAR = 2026
AS_OF = f"{YEAR}-12-31"
SEED_ENTRIES = 40           # Expenditures before the read-only instance starts.
WRITERS = 4                 # Threads appending through the primary during the tests...
WRITER_PAUSE_SECONDS = 0.02
WRITER_SECONDS_MAX = 300    # ...for at most this long.
CATCH_UP_SECONDS_MAX = 60   # The replica must reach the primary's checkpoint within this.
GROWTH_SECONDS_MAX = 30     # The replica's checkpoint must grow within this.
PROBLEM = "application/problem+json"


class S:
    pass


# --------------------------------------------------------------------------------------
# The standby


class Standby:
    """A streaming replica of the cluster at `primary_url`, in a scratch directory, run by
    the owner of the primary's data directory."""

    def __init__(self, primary_url):
        self.pid = None
        self.home = None
        primary_data = pg.psql(primary_url, "SHOW data_directory")
        owner = os.stat(primary_data)
        if os.geteuid() == 0:
            if owner.st_uid == 0:
                raise RuntimeError(f"{primary_data} belongs to root; PostgreSQL never runs as root")
            self.as_owner = ["runuser", "-u", pwd.getpwuid(owner.st_uid).pw_name, "--"]
        elif owner.st_uid == os.geteuid():
            self.as_owner = []
        else:
            raise RuntimeError(f"{primary_data} belongs to uid {owner.st_uid}: run this as that user or as root")
        # Short, under /tmp: the unix socket's path must stay under 108 bytes.
        self.home = tempfile.mkdtemp(prefix="jejak-standby-", dir="/tmp")
        if os.geteuid() == 0:
            os.chown(self.home, owner.st_uid, owner.st_gid)
        self.data = os.path.join(self.home, "data")
        self.log = os.path.join(self.home, "server.log")
        self.run([os.path.join(pg.PG_BIN, "pg_basebackup"), "-d", primary_url, "-D", self.data,
                  "-R", "-X", "stream", "-c", "fast", "--no-sync"], timeout=300)
        self.port = api.free_port()
        self.run([os.path.join(pg.PG_BIN, "pg_ctl"), "-D", self.data, "-l", self.log, "-w", "-t", "60", "start",
                  "-o", f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.home}"],
                 timeout=90)
        with open(os.path.join(self.data, "postmaster.pid"), encoding="ascii") as f:
            self.pid = int(f.readline())
        self.url = pg.with_database(primary_url, port=self.port)
        if pg.psql(self.url, "SELECT pg_is_in_recovery()") != "t":
            raise RuntimeError("the standby is not in recovery")

    def run(self, command, timeout):
        result = subprocess.run(self.as_owner + command, capture_output=True, timeout=timeout,
                                stdin=subprocess.DEVNULL)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command[:2])} exited {result.returncode}: "
                               + result.stderr.decode("utf-8", "replace")[-2000:] + self.log_tail())

    def log_tail(self):
        try:
            with open(self.log, encoding="utf-8", errors="replace") as f:
                return "\n" + "".join(f.readlines()[-20:])
        except OSError:
            return ""

    def alive(self):
        if self.pid is None:
            return False
        try:
            with open(f"/proc/{self.pid}/cmdline", "rb") as f:
                return b"postgres" in f.read()
        except OSError:
            return False

    def stop(self):
        """pg_ctl stop -m fast; SIGQUIT, then SIGKILL, by its PID if that does not do;
        then the scratch directory goes."""
        try:
            if self.alive():
                subprocess.run(self.as_owner + [os.path.join(pg.PG_BIN, "pg_ctl"), "-D", self.data, "-m", "fast",
                                                "-w", "-t", "30", "stop"], capture_output=True, timeout=60)
                for sig in (None, signal.SIGQUIT, signal.SIGKILL):
                    if sig is not None and self.alive():
                        os.kill(self.pid, sig)
                    deadline = time.monotonic() + 5
                    while self.alive() and time.monotonic() < deadline:
                        time.sleep(0.1)
                    if not self.alive():
                        break
        finally:
            if self.home:
                shutil.rmtree(self.home, ignore_errors=True)


# --------------------------------------------------------------------------------------
# The writer: appends through the primary while the tests read from the replica


def writer(index):
    conn = S.primary.connect()
    n = 0
    try:
        while not S.stop_writing.is_set() and time.monotonic() < S.writer_deadline:
            ref = f"{S.run}-W{index}-{n:06d}"
            body = api.simple_expenditure(OPD_A if n % 2 else OPD_B, ref)
            token = S.officer_a if n % 2 else S.officer_b
            try:
                response = api.request("POST", "/v1/entries", body=body, token=token, conn=conn,
                                       headers={"Idempotency-Key": "key-" + ref})
            except (OSError, http.client.HTTPException) as error:
                S.writer_errors.append(repr(error))
                conn.close()
                conn = S.primary.connect()
                continue
            if response.status != 201:
                S.writer_errors.append(f"{ref}: {response}")
            else:
                acked = response.json()
                with S.lock:
                    S.acked[acked["entry"]["seq"]] = acked
            n += 1
            time.sleep(WRITER_PAUSE_SECONDS)
    finally:
        conn.close()


def stop_writers():
    S.stop_writing.set()
    for thread in getattr(S, "writers", []):
        thread.join(60)


def cash_payment(n):
    """A cash payment above audit_cash_cap: a CASH_PAYMENT finding."""
    body = api.simple_expenditure(OPD_B, None)
    del body["bank_ref"]
    body.update({"instrument": "cash", "gross": "2500000.00", "net": "2500000.00",
                 "payee": {"name": f"Toko {n}"}, "cash_reason": "Penyedia tidak memiliki rekening bank",
                 "documents": {"evidence_no": f"KW-{S.run}-{n}", "evidence_date": "2026-03-01"}})
    return body


def replica_size():
    """The replica's tree size as PostgreSQL itself sees it."""
    return int(pg.psql(S.replica_db_url, "SELECT count(*) FROM entries"))


def wait_for(predicate, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what}: not within {seconds} s")


# --------------------------------------------------------------------------------------
# Module fixture


def setUpModule():
    S.base_url = pg.cluster_url()
    S.tmp = tempfile.mkdtemp(prefix="jejak-pg-replica-")
    S.standby = S.primary = S.replica = None
    S.db_name = None
    S.stop_writing = threading.Event()
    S.lock = threading.Lock()
    S.acked = {}
    S.writer_errors = []
    S.run = f"PGR-{os.getpid()}"
    try:
        S.standby = Standby(S.base_url)
        S.db_name, S.db_url = pg.create_database(S.base_url, "multi_e2e_repl")
        S.replica_db_url = pg.with_database(S.standby.url, S.db_name)
        S.dir = os.path.join(S.tmp, "primary")
        api.run_cli("init", "--data", S.dir, "--region", api.REGION, "--origin", api.ORIGIN, "--db", S.db_url)
        with open(os.path.join(S.dir, "keys", "checkpoint.vkey"), encoding="utf-8") as f:
            S.vkey = f.read().strip()
        S.primary = pg.Instance(S.dir)
        S.primary.wait_ready(60)
        S.admin = api.cli_token(S.dir, "admin", "bpkad-admin")
        S.officer_a = api.cli_token(S.dir, "officer", "bendahara-dinkes", OPD_A)
        S.officer_b = api.cli_token(S.dir, "officer", "bendahara-disdik", OPD_B)
        S.auditor = api.cli_token(S.dir, "auditor", "bpk-auditor")
        S.executive = api.cli_token(S.dir, "executive", "bupati")
        seed = [({"kind": "opd", "code": OPD_A, "name": "Dinas Kesehatan"}, S.admin),
                ({"kind": "opd", "code": OPD_B, "name": "Dinas Pendidikan"}, S.admin),
                (api.budget(OPD_A), S.admin), (api.budget(OPD_B), S.admin)]
        seed += [(api.expenditure(OPD_A, f"{S.run}-S{n:03d}"), S.officer_a) for n in range(SEED_ENTRIES // 2)]
        # Cash above the cap: a finding on the replica as on the primary.
        seed += [(cash_payment(n), S.officer_b) for n in range(SEED_ENTRIES // 2)]
        for body, token in seed:
            response = api.post("/v1/entries", body, token, server=S.primary)
            if response.status != 201:
                raise RuntimeError(f"seeding {body['kind']}: {response}")
            S.acked[response.json()["entry"]["seq"]] = response.json()
        S.seed_size = api.tree_size(server=S.primary)
        # The copy for the read-only instance: same keys and config, the replica's database.
        # Its kept checkpoint is the primary's of now; the replica catches up to it first.
        S.replica_dir = os.path.join(S.tmp, "replica")
        shutil.copytree(S.dir, S.replica_dir)
        pg.set_conf(S.replica_dir, {"database": S.replica_db_url})
        with open(os.path.join(S.replica_dir, "state", "latest-checkpoint"), encoding="utf-8") as f:
            S.replica_kept = f.read()
        wait_for(lambda: replica_size() >= S.seed_size, CATCH_UP_SECONDS_MAX, "the replica catching up the seed")
        S.replica = pg.Instance(S.replica_dir, args=["--read-only"])
        S.writer_deadline = time.monotonic() + WRITER_SECONDS_MAX
        S.writers = [threading.Thread(target=writer, args=(i,), daemon=True) for i in range(WRITERS)]
        for thread in S.writers:
            thread.start()
    except BaseException:
        tearDownModule()
        raise


def tearDownModule():
    try:
        stop_writers()
        for instance in (S.replica, S.primary):
            if instance is not None:
                instance.stop(15)
        if os.environ.get("JEJAK_E2E_LOG"):  # Keep the servers' logs for a look.
            with open(os.environ["JEJAK_E2E_LOG"], "w", encoding="utf-8") as f:
                for name, instance in (("primary", S.primary), ("read-only", S.replica)):
                    if instance is not None:
                        f.write(f"===== {name}\n{instance.log_text()}\n")
                if S.standby is not None:
                    f.write(f"===== standby{S.standby.log_tail()}\n")
    finally:
        try:
            if S.standby is not None:
                S.standby.stop()
        finally:
            if S.db_name:
                pg.drop_database(S.base_url, S.db_name)
            shutil.rmtree(S.tmp, ignore_errors=True)


# --------------------------------------------------------------------------------------
# Tests


def ro_get(path, token=None):
    return api.get(path, token, server=S.replica)


def primary_get(path, token=None):
    return api.get(path, token, server=S.primary)


class ReplicaCase(unittest.TestCase):
    maxDiff = 4000

    def checkpoint(self, server):
        """The server's latest checkpoint, verified with the ledger's pinned key."""
        response = api.get("/v1/checkpoint", server=server)
        self.assertEqual(response.status, 200, response)
        note = response.body.decode()
        self.assertTrue(api.verify_note_signature(note, S.vkey), note)
        return api.Checkpoint(note)

    def assertProblem(self, response, status):
        self.assertEqual(response.status, status, response)
        self.assertTrue((response.header("content-type") or "").startswith(PROBLEM), response)
        problem = response.json()
        self.assertEqual(problem.get("status"), status, problem)
        self.assertTrue(problem.get("detail"), problem)
        return problem


class T01Checkpoint(ReplicaCase):

    def test_the_replicas_checkpoint_verifies_and_grows_as_it_catches_up(self):
        first = self.checkpoint(S.replica)
        self.assertGreaterEqual(first.size, S.seed_size)
        sizes = [first.size]
        deadline = time.monotonic() + GROWTH_SECONDS_MAX
        while time.monotonic() < deadline and len(set(sizes)) < 4:
            time.sleep(0.3)
            sizes.append(self.checkpoint(S.replica).size)
        self.assertEqual(sizes, sorted(sizes), "the replica's checkpoint went backwards")
        self.assertGreaterEqual(len(set(sizes)), 4, f"the replica's checkpoint did not grow: {sizes}")
        # Never ahead of the primary, and at most what the replica's database holds.
        self.assertLessEqual(sizes[-1], self.checkpoint(S.primary).size)
        self.assertLessEqual(sizes[-1], replica_size())

    def test_a_stored_checkpoint_by_size_is_the_primarys(self):
        latest = self.checkpoint(S.replica)
        response = ro_get(f"/v1/checkpoint?tree_size={latest.size}")
        self.assertEqual(response.status, 200, response)
        self.assertEqual(response.body, primary_get(f"/v1/checkpoint?tree_size={latest.size}").body)


class T02EntriesAndProofs(ReplicaCase):

    def test_entries_pages_and_one_entry_match_what_the_primary_acknowledged(self):
        latest = self.checkpoint(S.replica)
        response = ro_get(f"/v1/entries?limit=1000", S.auditor)
        self.assertEqual(response.status, 200, response)
        rows = response.json()["entries"]
        self.assertEqual([r["entry"]["seq"] for r in rows], list(range(min(latest.size, 1000))))
        with S.lock:
            acked = {seq: body for seq, body in S.acked.items() if seq < latest.size}
        for row in rows:
            if row["entry"]["seq"] in acked:
                self.assertEqual(row["entry"], acked[row["entry"]["seq"]]["entry"])
        seq = max(acked)
        one = ro_get(f"/v1/entries/{seq}", S.executive)
        self.assertEqual(one.status, 200, one)
        body = one.json()
        self.assertEqual(body["entry"], acked[seq]["entry"])
        self.assertEqual(body["leaf_hash"], acked[seq]["leaf_hash"])
        note = api.Checkpoint(body["checkpoint"])
        self.assertTrue(api.verify_note_signature(body["checkpoint"], S.vkey))
        self.assertGreaterEqual(note.size, latest.size)
        self.assertTrue(api.verify_inclusion(seq, note.size, bytes.fromhex(body["leaf_hash"]),
                                             [bytes.fromhex(h) for h in body["inclusion_proof"]], note.root))

    def test_inclusion_proofs_verify_against_the_replicas_checkpoints(self):
        for _ in range(3):
            latest = self.checkpoint(S.replica)
            with S.lock:
                seqs = sorted(seq for seq in S.acked if seq < latest.size)
            for seq in (seqs[0], seqs[len(seqs) // 2], seqs[-1]):
                response = ro_get(f"/v1/proofs/inclusion?seq={seq}&tree_size={latest.size}", S.auditor)
                self.assertEqual(response.status, 200, response)
                proof = response.json()
                self.assertEqual(proof["leaf_hash"], S.acked[seq]["leaf_hash"])
                self.assertTrue(api.verify_inclusion(seq, latest.size, bytes.fromhex(proof["leaf_hash"]),
                                                     [bytes.fromhex(h) for h in proof["hashes"]], latest.root),
                                f"inclusion of {seq} in {latest.size}")
            time.sleep(0.5)

    def test_consistency_proofs_from_the_primarys_201s_to_the_replicas_checkpoint(self):
        latest = self.checkpoint(S.replica)
        with S.lock:
            older = sorted({body["checkpoint"] for body in S.acked.values() if body["tree_size"] < latest.size},
                           key=lambda note: api.Checkpoint(note).size)
        self.assertTrue(older)
        for note in (older[0], older[len(older) // 2], older[-1]):
            first = api.Checkpoint(note)
            response = ro_get(f"/v1/proofs/consistency?first={first.size}&second={latest.size}", S.auditor)
            self.assertEqual(response.status, 200, response)
            proof = [bytes.fromhex(h) for h in response.json()["hashes"]]
            self.assertTrue(api.verify_consistency(first.size, latest.size, first.root, latest.root, proof),
                            f"consistency {first.size} -> {latest.size}")


class T03SummariesAndExports(ReplicaCase):
    """Pinned to a size the replica holds, each answer equals the primary's."""

    def pinned(self):
        return self.checkpoint(S.replica)

    def same_on_both(self, path, token):
        replica = ro_get(path, token)
        self.assertEqual(replica.status, 200, (path, replica))
        primary = primary_get(path, token)
        self.assertEqual(primary.status, 200, (path, primary))
        return replica, primary

    def test_absorption(self):
        size = self.pinned().size
        replica, primary = self.same_on_both(
            f"/v1/summary/absorption?fiscal_year={YEAR}&as_of={AS_OF}&tree_size={size}", S.executive)
        self.assertEqual(replica.json(), primary.json())
        self.assertNotEqual(replica.json()["total"]["realisation"], "0.00")

    def test_findings(self):
        size = self.pinned().size
        replica, primary = self.same_on_both(
            f"/v1/audit/findings?fiscal_year={YEAR}&as_of={AS_OF}&tree_size={size}", S.auditor)
        self.assertEqual(replica.json(), primary.json())
        self.assertEqual(replica.json()["tree_size"], size)
        self.assertIn("CASH_PAYMENT", {f["rule"] for f in replica.json()["findings"]})

    def test_workpapers(self):
        size = self.pinned().size
        replica, primary = self.same_on_both(
            f"/v1/export/workpapers?fiscal_year={YEAR}&as_of={AS_OF}&tree_size={size}&format=csv&sheet=Transaksi",
            S.auditor)
        self.assertEqual(replica.body, primary.body)
        self.assertEqual(replica.header("X-Jejak-Tree-Size"), str(size))
        xlsx = ro_get(f"/v1/export/workpapers?fiscal_year={YEAR}&as_of={AS_OF}&tree_size={size}", S.auditor)
        self.assertEqual(xlsx.status, 200, xlsx)
        self.assertEqual(xlsx.body[:2], b"PK")
        self.assertEqual(xlsx.header("X-Jejak-Signed-Checkpoint"), "true")

    def test_bundle(self):
        latest = self.pinned()
        replica, primary = self.same_on_both(f"/v1/export/bundle?to_seq={latest.size - 1}", S.auditor)
        self.assertEqual(replica.body, primary.body)
        lines = replica.body.decode().rstrip("\n").split("\n")
        self.assertEqual(json.loads(lines[0])["format"], "jejak-bundle/1")
        self.assertEqual(len(lines), latest.size + 2)
        note = json.loads(lines[-1])["checkpoint"]
        self.assertTrue(api.verify_note_signature(note, S.vkey))
        leaves = [api.sha256(b"\x00" + line.encode()) for line in lines[1:-1]]
        self.assertEqual(api.merkle_root(leaves), api.Checkpoint(note).root)
        self.assertEqual(api.Checkpoint(note).root, latest.root)

    def test_server_side_verification(self):
        response = ro_get("/v1/verify", S.auditor)
        self.assertEqual(response.status, 200, response)
        self.assertIs(response.json().get("ok"), True, response.json())

    def test_the_dashboard(self):
        page = ro_get("/")
        self.assertEqual(page.status, 200, page)
        self.assertTrue(page.header("content-type").startswith("text/html"), page)
        for asset in ("/assets/app.js", "/assets/style.css"):
            self.assertEqual(ro_get(asset).status, 200, asset)
        self.assertEqual(ro_get("/healthz").status, 200)


class T04WritesRefused(ReplicaCase):

    def test_writes_get_503_with_a_problem_and_write_nothing(self):
        ref = f"{S.run}-REFUSED"
        with S.lock:
            seq, acked = max(S.acked.items())
        checkpoint = api.Checkpoint(acked["checkpoint"])
        refused = [
            api.post("/v1/entries", api.simple_expenditure(OPD_A, ref), S.officer_a, server=S.replica,
                     headers={"Idempotency-Key": "key-" + ref}),
            api.post("/v1/entries", {"kind": "opd", "code": "1.03.0.00.0.00.01.0000", "name": "Dinas PUPR"},
                     S.admin, server=S.replica),
            api.post(f"/v1/entries/{S.seed_size - 1}/reversal", {"reason": "Salah input"}, S.officer_b,
                     server=S.replica),
            api.post("/v1/checkpoint/cosignatures",
                     {"tree_size": checkpoint.size, "cosignature": "\u2014 bpk.go.id/auditor AAAA"},
                     S.auditor, server=S.replica),
        ]
        for response in refused:
            problem = self.assertProblem(response, 503)
            self.assertIn("read-only", problem["detail"], problem)
        S.refused_ref = ref

    def test_readyz_says_read_only(self):
        response = ro_get("/readyz")
        self.assertEqual(response.status, 200, response)
        body = response.json()
        self.assertIs(body.get("read_only"), True, body)
        self.assertGreaterEqual(body["tree_size"], S.seed_size)
        self.assertIsNone(api.get("/readyz", server=S.primary).json().get("read_only"))

    def test_the_data_directory_is_not_written(self):
        with open(os.path.join(S.replica_dir, "state", "latest-checkpoint"), encoding="utf-8") as f:
            self.assertEqual(f.read(), S.replica_kept)


class T09CatchUp(ReplicaCase):
    """Last: the writers stop and the replica reaches the primary's newest checkpoint."""

    def test_the_replica_catches_up_and_holds_the_primarys_ledger(self):
        stop_writers()
        self.assertEqual(S.writer_errors[:5], [])
        self.assertFalse(any(thread.is_alive() for thread in S.writers))
        primary = self.checkpoint(S.primary)
        began = time.monotonic()
        wait_for(lambda: self.checkpoint(S.replica).size == primary.size, CATCH_UP_SECONDS_MAX,
                 f"the replica reaching size {primary.size}")
        lag = time.monotonic() - began
        self.assertEqual(api.get("/v1/checkpoint", server=S.replica).body.decode(), primary.note)
        rows = {}
        for name, server in (("replica", S.replica), ("primary", S.primary)):
            after, rows[name] = None, []
            for _ in range(1000):
                path = "/v1/entries?limit=1000" + (f"&after_seq={after}" if after is not None else "")
                page = api.get(path, S.auditor, server=server).json()
                rows[name] += page["entries"]
                after = page["next_after_seq"]
                if after is None:
                    break
        self.assertEqual(len(rows["replica"]), primary.size)
        self.assertEqual(rows["replica"], rows["primary"])
        for seq, body in S.acked.items():
            self.assertEqual(rows["replica"][seq]["entry"], body["entry"])
        refs = {r["entry"].get("bank_ref") for r in rows["replica"]}
        self.assertNotIn(getattr(S, "refused_ref", None) or "none", refs)
        sys.stderr.write(f"\n  {len(S.acked) - SEED_ENTRIES - 4} appends during the tests; the replica "
                         f"reached size {primary.size} {lag:.2f} s after the writers stopped ")


if __name__ == "__main__":
    if len(sys.argv) < 2 or not os.path.isfile(sys.argv[1]) or not os.access(sys.argv[1], os.X_OK):
        sys.stderr.write("usage: pg_replica_test.py /path/to/jejak [unittest options]\n")
        sys.exit(2)
    JEJAK = os.path.abspath(sys.argv[1])
    sys.dont_write_bytecode = True  # Importing api_test must leave no __pycache__ in the tree.
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import api_test as api  # noqa: E402  (its helpers and verifiers; its tests are not loaded)
    import pg_cluster as pg  # noqa: E402
    api.JEJAK = JEJAK
    unittest.main(argv=[sys.argv[0]] + sys.argv[2:], verbosity=2)
