#!/usr/bin/env python3
"""Two `jejak serve` processes appending to one PostgreSQL ledger while one of them is
SIGKILLed and restarted: the chain stays one linear chain holding every acknowledged entry
exactly once, at the seq its 201 gave, and nothing no client sent.

Usage: /usr/bin/python3 tests/e2e/pg_multi_test.py /path/to/jejak [unittest options]
with JEJAK_TEST_PG_DIR naming the directory whose file `url` holds a PostgreSQL superuser
URL (the ctest fixture `postgres`). A fresh database is created in that cluster and
dropped at the end.

The two instances run on two copies of one data directory (the same keys, TLS
certificate and config, each with its own state/latest-checkpoint), as two hosts behind a
load balancer would: nothing in DIR is shared between them, only the database. Sixteen
client threads append through both for RUN_SECONDS; each failed request (connection
refused or reset, timeout, 5xx) is retried with the same Idempotency-Key on the other
instance. Every loop is bounded in time and count; every process is stopped by its PID.
"""

import collections
import http.client
import json
import os
import shutil
import sys
import tempfile
import threading
import time
import unittest

JEJAK = None  # Path of the binary, from argv[1].
api = None    # api_test, imported in main (its helpers and auditor-side verifiers).
pg = None     # pg_cluster, imported in main.

OPD = "1.02.0.00.0.00.01.0000"
CLIENTS = 16
RUN_SECONDS = 20          # Clients start new appends for this long...
KILL_AT_SECONDS = 7       # ...instance B is SIGKILLed this far in...
DOWN_SECONDS = 2          # ...and restarted on its port this much later.
REQUEST_TIMEOUT_SECONDS = 15
ATTEMPTS_MAX = 40         # Per append, alternating between the instances...
RETRY_PAUSE_SECONDS = 0.1  # After failures on both instances.
DOWN_MARK_SECONDS = 0.5   # An instance that failed gets no first attempts for this long.
APPEND_SECONDS_MAX = 60   # ...for at most this long.
JOIN_SECONDS_MAX = RUN_SECONDS + APPEND_SECONDS_MAX + 30
PAGE_LIMIT = 1000
AUDIT_PAUSE_SECONDS = 1   # Between an auditor's GET /v1/verify calls during the run.
REPLAY_SAMPLE = 50        # Acknowledged appends sent again to the other instance after the run.
RETRIABLE = {500, 502, 503, 504}


class Append:
    """One append a client sent: its body's bank_ref, its Idempotency-Key, and what came
    back."""

    def __init__(self, bank_ref, key):
        self.bank_ref = bank_ref
        self.key = key
        self.seq = None            # From the 201.
        self.acked_at = None       # time.monotonic() of the 201.
        self.acked_by = None       # 0 (A) or 1 (B).
        self.replayed = False      # The 201 carried Idempotent-Replayed.
        self.raw = None            # The 201's body, parsed only after the run (less garbage
        self.failures = []         # for the collector meanwhile). What failed attempts got.
        self.unexpected = None     # A 4xx or other non-retriable answer.

    @property
    def body(self):
        return json.loads(self.raw)


class S:
    pass


def connect(port, timeout=REQUEST_TIMEOUT_SECONDS):
    return http.client.HTTPSConnection("127.0.0.1", port, context=S.context, timeout=timeout)


def client(index, stop_at):
    """Appends one expenditure after another until `stop_at`, each through instance
    (index + n) % 2 first, retrying on the other one with the same key after a failure.
    An instance that failed is passed over for first attempts during DOWN_MARK_SECONDS (as
    a load balancer's passive health check would), so that the numbers of the phase with
    one instance measure that instance, not the clients' retry pauses."""
    connections = {}
    down_until = [0.0, 0.0]
    records = []
    n = 0
    try:
        while time.monotonic() < stop_at and n < 1_000_000:
            ref = f"{S.run}-{index:02d}-{n:06d}"
            record = Append(ref, "key-" + ref)
            records.append(record)
            body = json.dumps(api.simple_expenditure(OPD, ref)).encode()
            target = (index + n) % 2
            if down_until[target] > time.monotonic():
                target = 1 - target
            give_up = time.monotonic() + APPEND_SECONDS_MAX
            for _ in range(ATTEMPTS_MAX):
                if time.monotonic() > give_up:
                    break
                conn = connections.get(target) or connect(S.ports[target])
                connections[target] = conn
                try:
                    response = api.request("POST", "/v1/entries", body=body, token=S.officer,
                                           headers={"Idempotency-Key": record.key}, conn=conn)
                    status = response.status
                except (OSError, http.client.HTTPException) as error:
                    conn.close()
                    connections.pop(target, None)
                    status = repr(error)[:120]
                if status == 201:
                    record.acked_at = time.monotonic()
                    record.acked_by = target
                    record.raw = response.body
                    record.seq = json.loads(response.body)["entry"]["seq"]
                    record.replayed = response.header("Idempotent-Replayed") == "true"
                    break
                if isinstance(status, int) and status not in RETRIABLE:
                    record.unexpected = (target, status, response.body[:300])
                    break
                record.failures.append((target, status))
                down_until[target] = time.monotonic() + DOWN_MARK_SECONDS
                target = 1 - target
                if down_until[target] > time.monotonic():  # Both failed just now.
                    time.sleep(RETRY_PAUSE_SECONDS)
            n += 1
    finally:
        for conn in connections.values():
            conn.close()
        with S.lock:
            S.records.extend(records)


def auditor(stop_at):
    """GET /v1/verify on each instance in turn, every AUDIT_PAUSE_SECONDS, while the clients
    append: each whole-ledger verification reads one snapshot however the other process
    appends meanwhile. Connection errors (B down) and 503 (one verification at a time) are
    counted, not failures."""
    turn = 0
    while time.monotonic() < stop_at:
        target = turn % 2
        turn += 1
        try:
            conn = connect(S.ports[target], timeout=60)
            try:
                response = api.get("/v1/verify", S.auditor, conn=conn)
            finally:
                conn.close()
        except (OSError, http.client.HTTPException) as error:
            S.audits.append((target, "unreachable", repr(error)[:120]))
        else:
            if response.status == 200:
                S.audits.append((target, "ok" if response.json().get("ok") is True else "FAILED",
                                 response.body[:300]))
            else:
                S.audits.append((target, response.status, response.body[:300]))
        time.sleep(AUDIT_PAUSE_SECONDS)


def read_ledger(port):
    """Every entry through GET /v1/entries pages: [(seq, entry, leaf_hash, chain_hash)]."""
    rows = []
    after = None
    conn = connect(port, timeout=60)
    try:
        for _ in range(10_000):
            path = f"/v1/entries?limit={PAGE_LIMIT}" + (f"&after_seq={after}" if after is not None else "")
            response = api.get(path, S.auditor, conn=conn)
            if response.status != 200:
                raise RuntimeError(f"GET {path}: {response}")
            page = response.json()
            rows += [(r["entry"]["seq"], r["entry"], r["leaf_hash"], r["chain_hash"]) for r in page["entries"]]
            after = page["next_after_seq"]
            if after is None:
                return rows
        raise RuntimeError("next_after_seq never became null")
    finally:
        conn.close()


def prefix_roots(leaves, sizes):
    """RFC 9162 roots of the first `size` leaves for every size in `sizes`, in one pass:
    the perfect subtrees of a prefix (a frontier), folded right to left."""
    wanted = set(sizes)
    roots = {}
    frontier = []  # [(height, hash)], heights strictly decreasing.
    for count, leaf in enumerate(leaves, start=1):
        node = (0, leaf)
        while frontier and frontier[-1][0] == node[0]:
            height, left = frontier.pop()
            node = (height + 1, api.node_hash(left, node[1]))
        frontier.append(node)
        if count in wanted:
            root = frontier[-1][1]
            for _, left in reversed(frontier[:-1]):
                root = api.node_hash(left, root)
            roots[count] = root
    return roots


def run_load():
    """The 20-second run: clients through both instances, B killed and restarted."""
    S.records = []
    S.lock = threading.Lock()
    began = time.monotonic()
    stop_at = began + RUN_SECONDS
    S.audits = []
    threads = [threading.Thread(target=client, args=(i, stop_at), daemon=True) for i in range(CLIENTS)]
    threads.append(threading.Thread(target=auditor, args=(stop_at,), daemon=True))
    for thread in threads:
        thread.start()
    time.sleep(KILL_AT_SECONDS)
    S.killed_pid = S.instances[1].proc.pid
    S.instances[1].kill()
    S.killed_at = time.monotonic()
    S.killed_exit = S.instances[1].proc.returncode
    S.old_b = S.instances[1]
    time.sleep(DOWN_SECONDS)
    S.instances[1] = pg.Instance(S.dirs[1], port=S.ports[1])
    S.restarted_at = time.monotonic()
    S.instances[1].wait_ready(60)
    S.back_at = time.monotonic()
    for thread in threads:
        thread.join(max(0.0, began + JOIN_SECONDS_MAX - time.monotonic()))
    S.stuck_clients = sum(thread.is_alive() for thread in threads)
    S.ended_at = time.monotonic()
    S.began = began


def resend_elsewhere():
    """Idempotency across processes, deterministically: REPLAY_SAMPLE acknowledged appends
    sent again (same key, same body) to the instance that did not acknowledge them, and
    one key sent there again with another body."""
    acked = sorted((r for r in S.records if r.seq is not None), key=lambda r: r.seq)
    step = max(1, len(acked) // REPLAY_SAMPLE)
    S.resent = []
    for record in acked[::step][:REPLAY_SAMPLE]:
        other = 1 - record.acked_by
        response = api.post("/v1/entries", api.simple_expenditure(OPD, record.bank_ref), S.officer,
                            headers={"Idempotency-Key": record.key}, server=S.instances[other])
        S.resent.append((record, response))
    S.reused = None
    if acked:
        record = acked[0]
        S.reused = api.post("/v1/entries", api.simple_expenditure(OPD, record.bank_ref + "-OTHER"), S.officer,
                            headers={"Idempotency-Key": record.key}, server=S.instances[1 - record.acked_by])


def collect():
    """After the run: the ledger as both instances page it, the database's own counts, a
    consistency proof, then the instances stopped and `jejak verify` on both copies."""
    resend_elsewhere()
    S.ledger = read_ledger(S.ports[0])
    S.ledger_b = read_ledger(S.ports[1])
    S.checkpoint_note = api.get("/v1/checkpoint", server=S.instances[0]).body.decode()
    S.checkpoint_note_b = api.get("/v1/checkpoint", server=S.instances[1]).body.decode()
    acked = [r for r in S.records if r.seq is not None]
    S.consistency = None
    if acked:
        sizes = sorted({r.body["tree_size"] for r in acked})
        first, last = sizes[0], api.Checkpoint(S.checkpoint_note).size
        S.consistency = (first, last, api.get(f"/v1/proofs/consistency?first={first}&second={last}",
                                              S.auditor, server=S.instances[0]))
    S.db_counts = pg.psql(S.db_url, "SELECT count(*), count(DISTINCT seq), coalesce(min(seq), -1),"
                                    " coalesce(max(seq), -1) FROM entries").split("|")
    S.db_keys = pg.psql(S.db_url, "SELECT count(*), count(DISTINCT seq) FROM idempotency").split("|")
    S.stop_codes = [instance.stop(30) for instance in S.instances]
    S.verify = [api.run_cli("verify", "--data", d, check=False, timeout=300) for d in S.dirs]


def setUpModule():
    S.base_url = pg.cluster_url()
    S.tmp = tempfile.mkdtemp(prefix="jejak-pg-multi-")
    S.instances = []
    S.db_name = None
    try:
        S.db_name, S.db_url = pg.create_database(S.base_url, "multi_e2e")
        S.dirs = [os.path.join(S.tmp, "a"), os.path.join(S.tmp, "b")]
        api.run_cli("init", "--data", S.dirs[0], "--region", api.REGION, "--origin", api.ORIGIN,
                    "--db", S.db_url)
        shutil.copytree(S.dirs[0], S.dirs[1])
        with open(os.path.join(S.dirs[0], "keys", "checkpoint.vkey"), encoding="utf-8") as f:
            S.vkey = f.read().strip()
        S.instances = [pg.Instance(d) for d in S.dirs]
        S.ports = [instance.port for instance in S.instances]
        for instance in S.instances:
            instance.wait_ready(60)
        S.context = S.instances[0].context  # Both copies hold the same certificate.
        admin = api.cli_token(S.dirs[0], "admin", "bpkad-admin")
        S.officer = api.cli_token(S.dirs[1], "officer", "bendahara-dinkes", OPD)
        S.auditor = api.cli_token(S.dirs[0], "auditor", "bpk-auditor")
        for body in ({"kind": "opd", "code": OPD, "name": "Dinas Kesehatan"},
                     api.budget(OPD, pagu="100000000000.00")):
            response = api.post("/v1/entries", body, admin, server=S.instances[0])
            if response.status != 201:
                raise RuntimeError(f"registering {body['kind']}: {response}")
        S.setup_size = api.tree_size(server=S.instances[1])  # Genesis, OPD, budget: through B.
        S.run = f"PGM-{os.getpid()}"
        run_load()
        collect()
    except BaseException:
        tearDownModule()
        raise


def tearDownModule():
    try:
        for instance in list(S.instances) + [getattr(S, "old_b", None)]:
            if instance is not None and instance.proc.poll() is None:
                instance.stop(10)
        if os.environ.get("JEJAK_E2E_LOG"):  # Keep the servers' logs for a look.
            with open(os.environ["JEJAK_E2E_LOG"], "w", encoding="utf-8") as f:
                for name, instance in zip(("A", "B", "B (killed)"), S.instances + [getattr(S, "old_b", None)]):
                    if instance is not None:
                        f.write(f"===== {name}\n{instance.log_text()}\n")
    finally:
        if S.db_name:
            pg.drop_database(S.base_url, S.db_name)
        shutil.rmtree(S.tmp, ignore_errors=True)


class T01OneLinearChain(unittest.TestCase):
    maxDiff = 4000

    def test_a_report_of_the_run(self):
        acked = [r for r in S.records if r.seq is not None]
        new = [r for r in acked if not r.replayed]
        phases = [("both up", S.began, S.killed_at), ("B killed, until back and ready", S.killed_at, S.back_at),
                  ("both up again", S.back_at, S.began + RUN_SECONDS)]
        lines = [f"{len(S.records)} appends sent, {len(acked)} acknowledged ({len(acked) - len(new)} as "
                 f"replays), {sum(1 for r in S.records if r.failures)} retried; B (pid {S.killed_pid}) "
                 f"killed at {S.killed_at - S.began:.1f} s, listening again {S.restarted_at - S.killed_at:.1f} s "
                 f"later, ready {S.back_at - S.killed_at:.1f} s later"]
        for name, start, end in phases:
            count = sum(1 for r in new if start <= r.acked_at < end)
            by = [sum(1 for r in new if start <= r.acked_at < end and r.acked_by == i) for i in (0, 1)]
            lines.append(f"{name}: {count} appends in {end - start:.1f} s = {count / max(end - start, 1e-9):.0f}/s "
                         f"(A {by[0]}, B {by[1]})")
        sys.stderr.write("\n  " + "\n  ".join(lines) + "\n")
        self.assertGreater(len(new), 0)

    def test_every_client_finished_and_no_append_was_refused(self):
        self.assertEqual(S.stuck_clients, 0, "client threads still running past the bound")
        unexpected = [(r.bank_ref, r.unexpected) for r in S.records if r.unexpected]
        self.assertEqual(unexpected[:5], [], f"{len(unexpected)} appends answered neither 201 nor 5xx")
        lost = [(r.bank_ref, r.failures[-3:]) for r in S.records if r.seq is None and not r.unexpected]
        self.assertEqual(lost[:5], [], f"{len(lost)} appends never acknowledged on either instance")

    def test_the_killed_instance_died_of_sigkill_and_both_survivors_exit_0(self):
        self.assertEqual(S.killed_exit, -9)
        self.assertEqual(S.stop_codes, [0, 0], "\n".join(i.stderr_text()[-3000:] for i in S.instances))

    def test_verifications_during_the_run_all_passed(self):
        outcomes = collections.Counter((target, outcome) for target, outcome, _ in S.audits)
        sys.stderr.write(f"\n  GET /v1/verify during the run (instance, outcome): {dict(outcomes)} ")
        bad = [audit for audit in S.audits if audit[1] not in ("ok", "unreachable", 503)]
        self.assertEqual(bad[:3], [])
        self.assertGreater(outcomes[(0, "ok")], 0)
        self.assertGreater(outcomes[(1, "ok")], 0)

    def test_no_instance_raised_an_alert(self):
        for instance in S.instances + [S.old_b]:
            alerts = [line for line in instance.stderr_lines if '"alert":true' in line]
            self.assertEqual(alerts[:5], [], f"port {instance.port}")

    def test_both_instances_kept_appending(self):
        new = [r for r in S.records if r.seq is not None and not r.replayed]
        alone = [r for r in new if S.killed_at <= r.acked_at < S.back_at]
        self.assertGreater(sum(1 for r in alone if r.acked_by == 0), 0, "A appended nothing while B was down")
        after = [r for r in new if r.acked_at >= S.back_at]
        self.assertGreater(sum(1 for r in after if r.acked_by == 1), 0, "the restarted B appended nothing")
        before = [r for r in new if r.acked_at < S.killed_at]
        self.assertEqual({r.acked_by for r in before}, {0, 1})

    def test_jejak_verify_passes_on_both_copies(self):
        for directory, result in zip(S.dirs, S.verify):
            self.assertEqual(result.returncode, 0, (directory, result.stdout.decode()[-2000:],
                                                    result.stderr.decode()[-2000:]))

    def test_seqs_run_from_0_without_gap_or_duplicate_and_chain(self):
        seqs = [row[0] for row in S.ledger]
        self.assertEqual(seqs, list(range(len(seqs))))
        self.assertEqual(S.db_counts, [str(len(seqs)), str(len(seqs)), "0", str(len(seqs) - 1)])
        self.assertEqual([row[:2] for row in S.ledger_b], [row[:2] for row in S.ledger],
                         "the instances page different ledgers")
        chain = bytes(32)
        for seq, entry, leaf_hex, chain_hex in S.ledger:
            leaf = api.leaf_hash(entry)
            self.assertEqual(leaf.hex(), leaf_hex, f"seq {seq}: leaf hash")
            chain = api.sha256(chain + leaf)
            self.assertEqual(chain.hex(), chain_hex, f"seq {seq}: chain hash")
        latest = api.Checkpoint(S.checkpoint_note)
        self.assertEqual(latest.size, len(seqs))
        self.assertEqual(latest.chain, chain.hex())
        self.assertEqual(api.Checkpoint(S.checkpoint_note_b).size, len(seqs))
        self.assertEqual(prefix_roots([bytes.fromhex(row[2]) for row in S.ledger], [latest.size])[latest.size],
                         latest.root)

    def test_every_acknowledged_entry_is_there_once_at_its_seq(self):
        by_ref = collections.defaultdict(list)
        for seq, entry, _, _ in S.ledger:
            if entry.get("kind") == "expenditure":
                by_ref[entry["bank_ref"]].append(seq)
        acked = [r for r in S.records if r.seq is not None]
        wrong = [(r.bank_ref, r.seq, by_ref.get(r.bank_ref)) for r in acked if by_ref.get(r.bank_ref) != [r.seq]]
        self.assertEqual(wrong[:5], [], f"{len(wrong)} acknowledged entries missing, repeated or elsewhere")
        self.assertEqual(len({r.seq for r in acked}), len(acked), "two acknowledgements share a seq")
        for r in acked:
            self.assertEqual(r.body["entry"]["bank_ref"], r.bank_ref)

    def test_no_entry_that_no_client_sent_and_none_twice(self):
        sent = {r.bank_ref for r in S.records}
        kinds = collections.Counter(entry.get("kind") for _, entry, _, _ in S.ledger)
        self.assertEqual(S.ledger[0][1].get("kind"), "genesis")
        self.assertEqual(kinds["opd"] + kinds["budget"] + kinds["genesis"], S.setup_size)
        expenditures = [entry["bank_ref"] for _, entry, _, _ in S.ledger if entry.get("kind") == "expenditure"]
        self.assertEqual(len(expenditures) + S.setup_size, len(S.ledger))
        self.assertEqual(len(expenditures), len(set(expenditures)), "a bank_ref recorded twice")
        strangers = [ref for ref in expenditures if ref not in sent]
        self.assertEqual(strangers, [])
        # Every client entry was sent with an Idempotency-Key: one key row per entry.
        self.assertEqual(S.db_keys, [str(len(expenditures)), str(len(expenditures))])

    def test_a_key_acknowledged_by_one_instance_is_replayed_by_the_other(self):
        self.assertGreater(len(S.resent), 0)
        for record, response in S.resent:
            self.assertEqual(response.status, 201, (record.bank_ref, response))
            self.assertEqual(response.header("Idempotent-Replayed"), "true", record.bank_ref)
            self.assertEqual(response.json()["entry"]["seq"], record.seq)
            self.assertEqual(response.json()["entry"], record.body["entry"])
        self.assertEqual(S.reused.status, 409, S.reused)
        self.assertTrue((S.reused.header("content-type") or "").startswith("application/problem+json"))

    def test_every_201_checkpoint_verifies_and_proves_its_entry(self):
        acked = [r for r in S.records if r.seq is not None]
        leaves = [bytes.fromhex(row[2]) for row in S.ledger]
        notes = {}
        for r in acked:
            body = r.body
            leaf = api.leaf_hash(body["entry"])
            self.assertEqual(leaf.hex(), body["leaf_hash"])
            checkpoint = api.Checkpoint(body["checkpoint"])
            self.assertEqual(checkpoint.size, body["tree_size"])
            self.assertTrue(api.verify_inclusion(r.seq, checkpoint.size, leaf,
                                                 [bytes.fromhex(h) for h in body["inclusion_proof"]],
                                                 checkpoint.root), f"inclusion of {r.seq}")
            notes[body["checkpoint"]] = checkpoint
        roots = prefix_roots(leaves, [c.size for c in notes.values()])
        by_size = collections.defaultdict(set)
        for note, checkpoint in notes.items():
            self.assertTrue(api.verify_note_signature(note, S.vkey), note)
            self.assertEqual(checkpoint.root, roots[checkpoint.size], f"checkpoint {checkpoint.size} forks")
            self.assertEqual(checkpoint.chain, S.ledger[checkpoint.size - 1][3])
            by_size[checkpoint.size].add(checkpoint.root)
        self.assertEqual([s for s, r in by_size.items() if len(r) > 1], [], "two roots for one size")
        sys.stderr.write(f"\n  {len(notes)} distinct checkpoints in {len(acked)} 201s, all prefixes of the final tree ")

    def test_a_consistency_proof_from_the_first_to_the_last(self):
        self.assertIsNotNone(S.consistency)
        first, last, response = S.consistency
        self.assertEqual(response.status, 200, response)
        proof = response.json()
        roots = prefix_roots([bytes.fromhex(row[2]) for row in S.ledger], [first, last])
        self.assertTrue(api.verify_consistency(first, last, roots[first], roots[last],
                                               [bytes.fromhex(h) for h in proof["hashes"]]))


if __name__ == "__main__":
    if len(sys.argv) < 2 or not os.path.isfile(sys.argv[1]) or not os.access(sys.argv[1], os.X_OK):
        sys.stderr.write("usage: pg_multi_test.py /path/to/jejak [unittest options]\n")
        sys.exit(2)
    JEJAK = os.path.abspath(sys.argv[1])
    sys.dont_write_bytecode = True  # Importing api_test must leave no __pycache__ in the tree.
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import api_test as api  # noqa: E402  (its helpers and verifiers; its tests are not loaded)
    import pg_cluster as pg  # noqa: E402
    api.JEJAK = JEJAK
    unittest.main(argv=[sys.argv[0]] + sys.argv[2:], verbosity=2)
