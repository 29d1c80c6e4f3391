#!/usr/bin/env python3
"""Crash test of Jejak: SIGKILL `jejak serve` while appends are in flight.

Usage: /usr/bin/python3 tests/crash/crash_test.py /path/to/jejak [unittest options]

The contract under test: an acknowledged (201) append is durable, its database
transaction has committed, and the ledger always verifies. Each of ROUNDS rounds:

  1. 8 threads, each on its own keep-alive HTTPS connection, post unique expenditures
     (officer token, a fresh Idempotency-Key on every request) as fast as they can,
     recording every 201: seq, leaf_hash, bank_ref, the body and its key;
  2. after a random 0.3-1.5 s (seeded RNG, JEJAK_CRASH_SEED overrides the seed) the
     server's PID gets SIGKILL, never SIGTERM: no graceful drain, no chance to flush;
  3. `jejak verify --data DIR` must exit 0;
  4. the server restarts on the same data directory (a new free port) and, as auditor,
     every acknowledged seq of every round so far is read back (paging API, and a sample
     through GET /v1/entries/{seq}): same leaf_hash, same bank_ref, no bank_ref twice;
  5. a few acknowledged bodies (the newest ones, nearest the kill, and a random sample)
     are posted again with their original Idempotency-Key: each must replay (201,
     Idempotent-Replayed: true, same seq), so the idempotency record committed in the
     same transaction as the entry;
  6. the requests left unanswered by the kill (each writer posts until a request fails,
     so it ends on exactly one) are retried with their keys: an append that committed
     must replay (same seq), one that did not is appended once.

The restarted server takes the load of the next round. Python 3 standard library only.
Every loop is bounded by time and count; every process is stopped by its PID.
"""

import hashlib
import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.dont_write_bytecode = True  # Importing api_test must leave no __pycache__ in the tree.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
import api_test as api  # noqa: E402  (its Server and CLI helpers; its tests are not loaded)

JEJAK = None  # Path of the binary, from argv[1].

REGION = "Pemerintah Kabupaten Uji Crash"
ORIGIN = "jejak.test/crash"
OPD = "1.02.0.00.0.00.01.0000"
ROUNDS = 3
THREADS = 8
KILL_AFTER = (0.3, 1.5)          # Seconds of load before SIGKILL, drawn per round.
PER_THREAD_MAX = 20000           # Appends per thread per round, at most.
ROUND_LOAD_SECONDS_MAX = 30      # Load phase of a round, at most (kill comes far earlier).
REPLAYS_NEWEST = 3               # Per round: the acknowledged appends nearest the kill...
REPLAYS_RANDOM = 5               # ...and a random sample, posted again with their keys.
SPOT_GETS = 10                   # Per round: acknowledged seqs read through /v1/entries/{seq}.
PAGE_LIMIT = 1000
PAGES_MAX = 1000
DEFAULT_SEED = 20260203


# --------------------------------------------------------------------------------------
# Processes


free_port = api.free_port


def run_cli(*args, check=True, timeout=180):
    return api.run_cli(*args, check=check, timeout=timeout)


class Server(api.Server):
    """api_test's `jejak serve` child, plus a SIGKILL and its stderr for reports."""

    def __init__(self, data_dir):
        super().__init__(data_dir)
        self.pid = self.proc.pid

    def stderr_tail(self, n=20):
        with self.lock:
            return "\n".join(self.stderr_lines[-n:])

    def kill9(self):
        """SIGKILL to the PID: the process gets no chance to finish anything."""
        if self.proc.poll() is None:
            os.kill(self.pid, signal.SIGKILL)
        self.proc.wait(30)
        for thread in self.threads:
            thread.join(5)
        return self.proc.returncode

    def stop(self, timeout=20):
        return super().stop(timeout)


def stop_all_servers():
    for server in Server.running:
        if server.proc.poll() is None:
            try:
                os.kill(server.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                server.proc.wait(30)
            except subprocess.TimeoutExpired:
                pass


# --------------------------------------------------------------------------------------
# HTTP


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = {k.lower(): v for k, v in headers}
        self.body = body

    def header(self, name):
        return self.headers.get(name.lower())

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"<{self.status} {self.body[:300]!r}>"


def request(conn, method, path, body=None, token=None, headers=None):
    all_headers = {}
    if body is not None:
        body = json.dumps(body).encode() if not isinstance(body, bytes) else body
        all_headers["Content-Type"] = "application/json"
    if token:
        all_headers["Authorization"] = "Bearer " + token
    all_headers.update(headers or {})
    conn.request(method, path, body=body, headers=all_headers)
    raw = conn.getresponse()
    return Response(raw.status, raw.getheaders(), raw.read())


def one_request(server, method, path, body=None, token=None, headers=None):
    conn = server.connect()
    try:
        return request(conn, method, path, body, token, headers)
    finally:
        conn.close()


def expenditure(bank_ref):
    """A small valid expenditure (no taxes, no budget needed)."""
    return {
        "kind": "expenditure", "fiscal_year": 2026, "opd": OPD,
        "sub_activity": "1.02.02.2.01.0014", "account": "5.1.02.01.01.0024", "mechanism": "UP",
        "instrument": "kkpd", "value_date": "2026-03-01", "gross": "150000.00", "taxes": [],
        "net": "150000.00",
        "payee": {"name": "Toko Berkah", "bank": "Bank Bengkulu", "account_no": "0012999001",
                  "account_name": "TOKO BERKAH"},
        "documents": {"evidence_no": "NOTA-1", "evidence_date": "2026-03-01"},
        "bank_ref": bank_ref, "description": "Bahan habis pakai",
    }


def leaf_hash_hex(entry):
    canonical = json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(b"\x00" + canonical).hexdigest()


def page_all(server, token):
    """Every entry of the ledger through GET /v1/entries?after_seq=&limit=, in seq order."""
    rows = []
    after = None
    conn = server.connect(timeout=60)
    try:
        for _ in range(PAGES_MAX):
            path = f"/v1/entries?limit={PAGE_LIMIT}" + (f"&after_seq={after}" if after is not None else "")
            response = request(conn, "GET", path, token=token)
            if response.status != 200:
                raise RuntimeError(f"GET {path}: {response}")
            page = response.json()
            rows += page["entries"]
            after = page["next_after_seq"]
            if after is None:
                return rows
    finally:
        conn.close()
    raise RuntimeError(f"more than {PAGES_MAX} pages")


def server_stdout_tail(server, n):
    with server.lock:
        return "\n".join(server.stdout_lines[-n:])


# --------------------------------------------------------------------------------------
# One round of load and SIGKILL


class Ack:
    __slots__ = ("seq", "leaf_hash", "bank_ref", "key", "body", "round")

    def __init__(self, seq, leaf_hash, bank_ref, key, body, round_):
        self.seq, self.leaf_hash, self.bank_ref, self.key, self.body, self.round = \
            seq, leaf_hash, bank_ref, key, body, round_


def load_and_kill(server, officer, round_, delay, tag):
    """Runs the writers, SIGKILLs the server `delay` s into the load, returns what the
    clients saw: acknowledgements, refusals, the requests left unanswered."""
    lock = threading.Lock()
    acks = []
    refused = []          # (bank_ref, status, body) answered non-201 before the kill
    errors_before = []    # (bank_ref, error) connection failures before the kill
    unanswered = []       # (bank_ref, key, body) in flight when the server died
    ends = []             # why each writer stopped
    killed = threading.Event()
    first_ack = threading.Event()
    deadline = time.monotonic() + ROUND_LOAD_SECONDS_MAX

    def worker(index):
        # Posts until a request fails: the kill finds each writer either waiting for an
        # answer or about to send, and the next request of the latter fails too. So
        # every writer ends on exactly one unanswered request.
        conn = server.connect(timeout=20)
        end = "count"
        try:
            for i in range(PER_THREAD_MAX):
                if time.monotonic() > deadline:
                    end = "deadline"
                    break
                ref = f"CRASH-{tag}-R{round_}-T{index}-{i:06d}"
                key = f"crash-{tag}-r{round_}-t{index}-{i:06d}"
                body = expenditure(ref)
                try:
                    response = request(conn, "POST", "/v1/entries", body, officer, {"Idempotency-Key": key})
                except (http.client.HTTPException, OSError) as e:
                    with lock:
                        if killed.is_set():
                            unanswered.append((ref, key, body))
                            end = "killed"
                        else:
                            errors_before.append((ref, repr(e)))
                            end = "error before the kill"
                    break
                with lock:
                    if response.status == 201:
                        result = response.json()
                        acks.append(Ack(result["entry"]["seq"], result["leaf_hash"], ref, key, body, round_))
                        first_ack.set()
                    else:
                        refused.append((ref, response.status, response.body[:300].decode("utf-8", "replace")))
        except Exception as e:  # Anything else is a bug of this test or a garbled answer.
            end = "exception " + repr(e)
            raise
        finally:
            conn.close()
            with lock:
                ends.append(end)

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(THREADS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    got_going = first_ack.wait(20)
    time.sleep(delay)
    with lock:
        acked_at_kill = len(acks)
    killed.set()
    exit_code = server.kill9()
    killed_at = time.monotonic() - started
    for thread in threads:
        thread.join(60)
    alive = sum(thread.is_alive() for thread in threads)
    return {
        "server_stderr": server.stderr_tail(40), "server_stdout": server_stdout_tail(server, 5),
        "acks": acks, "refused": refused, "errors_before": errors_before,
        "unanswered": unanswered, "ends": ends,
        "got_going": got_going, "acked_at_kill": acked_at_kill, "exit_code": exit_code,
        "killed_at": killed_at, "threads_alive": alive,
    }


# --------------------------------------------------------------------------------------
# The scenario: runs once, the tests check its promises


class CrashKill9(unittest.TestCase):
    maxDiff = 4000

    @classmethod
    def setUpClass(cls):
        cls.seed = int(os.environ.get("JEJAK_CRASH_SEED", DEFAULT_SEED))
        rng = random.Random(cls.seed)
        # Drawn first, so the kill times depend on the seed alone (the samples below
        # depend on how many appends were acknowledged).
        delays = [round(rng.uniform(*KILL_AFTER), 3) for _ in range(ROUNDS)]
        cls.tmp = tempfile.mkdtemp(prefix="jejak-crash-test-")
        cls.addClassCleanup(cls.cleanup)  # Runs even if this method raises.
        cls.data = os.path.join(cls.tmp, "ledger")
        cls.rounds = []
        cls.all_acks = {}        # seq -> Ack, every round
        cls.duplicate_acks = []  # two different 201s (not replays) with one seq
        cls.final = {}
        tag = f"{os.getpid()}"
        sys.stderr.write(f"\n[crash] seed {cls.seed}, data {cls.data}\n")
        server = None
        try:
            run_cli("init", "--data", cls.data, "--region", REGION, "--origin", ORIGIN)
            admin = run_cli("token", "--data", cls.data, "--role", "admin", "--sub", "crash-admin",
                            "--ttl", "8h").stdout.decode().strip()
            officer = run_cli("token", "--data", cls.data, "--role", "officer", "--sub", "crash-bendahara",
                              "--opd", OPD, "--ttl", "8h").stdout.decode().strip()
            auditor = run_cli("token", "--data", cls.data, "--role", "auditor", "--sub", "crash-auditor",
                              "--ttl", "8h").stdout.decode().strip()
            server = Server(cls.data)
            response = one_request(server, "POST", "/v1/entries", {"kind": "opd", "code": OPD, "name": "Dinas Kesehatan"},
                                   admin)
            if response.status != 201:
                raise RuntimeError(f"registering the OPD: {response}")

            for round_ in range(1, ROUNDS + 1):
                delay = delays[round_ - 1]
                r = {"round": round_, "delay": delay}
                cls.rounds.append(r)
                r.update(load_and_kill(server, officer, round_, delay, tag))
                server = None
                for ack in r["acks"]:
                    if ack.seq in cls.all_acks:
                        cls.duplicate_acks.append((ack.seq, cls.all_acks[ack.seq].bank_ref, ack.bank_ref))
                    else:
                        cls.all_acks[ack.seq] = ack
                # The ledger as the crash left it, before any server touches it again.
                verify = run_cli("verify", "--data", cls.data, check=False)
                r["verify_rc"] = verify.returncode
                r["verify_out"] = (verify.stdout + verify.stderr).decode("utf-8", "replace")[-2000:]
                # Restart and read everything back as auditor.
                server = Server(cls.data)
                r["port"] = server.port
                cls.check_ledger(server, auditor, r, rng)
                cls.replay(server, officer, r, rng)
                cls.retry_unanswered(server, officer, r)
                sys.stderr.write(
                    f"[crash] round {round_}: kill -9 after {delay:.3f}s of load "
                    f"({r['killed_at']:.2f}s in), acknowledged {len(r['acks'])}, "
                    f"in ledger {r['acks_in_ledger']}/{len(r['acks'])} "
                    f"(all rounds {r['all_acks_in_ledger']}/{r['all_acks_count']}), "
                    f"verified {'yes' if r['verify_rc'] == 0 else 'NO rc=%d' % r['verify_rc']}, "
                    f"ledger size {r['ledger_size']}, committed-unanswered {len(r['committed_unanswered'])}, "
                    f"replays {r['replays_ok']}/{len(r['replays'])}, "
                    f"unanswered retried {r['retries_ok']}/{len(r['retries'])}, "
                    f"connection errors before the kill {len(r['errors_before'])}, "
                    f"refused {len(r['refused'])}, server exit {r['exit_code']}\n")

            # After the crashes: the retries appended, a graceful stop, a last check.
            rows = page_all(server, auditor)
            cls.final["dup_bank_refs"] = duplicates(rows)
            cls.final["size"] = len(rows)
            cls.final["exit_code"] = server.stop()
            server = None
            verify = run_cli("verify", "--data", cls.data, check=False)
            cls.final["verify_rc"] = verify.returncode
            cls.final["verify_out"] = (verify.stdout + verify.stderr).decode("utf-8", "replace")[-2000:]
            sys.stderr.write(f"[crash] end: ledger size {cls.final['size']}, SIGTERM exit {cls.final['exit_code']}, "
                             f"verified {'yes' if cls.final['verify_rc'] == 0 else 'NO'}\n")
        finally:
            try:
                if server is not None:
                    server.stop()
            finally:
                stop_all_servers()

    @classmethod
    def cleanup(cls):
        stop_all_servers()
        if os.environ.get("JEJAK_CRASH_KEEP"):
            sys.stderr.write(f"[crash] kept {cls.tmp}\n")
        else:
            shutil.rmtree(cls.tmp, ignore_errors=True)

    # -- the checks of one round, on the restarted server --------------------------------

    @classmethod
    def check_ledger(cls, server, auditor, r, rng):
        rows = page_all(server, auditor)
        by_seq = {}
        r["seq_problems"] = []
        for position, row in enumerate(rows):
            seq = row["entry"]["seq"]
            if seq != position:
                r["seq_problems"].append(f"position {position} holds seq {seq}")
            by_seq[seq] = row
        ready = one_request(server, "GET", "/readyz")
        r["ledger_size"] = len(rows)
        r["readyz_size"] = ready.json().get("tree_size") if ready.status == 200 else ready
        r["dup_bank_refs"] = duplicates(rows)
        # Every acknowledged append of every round so far, as acknowledged.
        missing, changed = [], []
        for seq, ack in sorted(cls.all_acks.items()):
            row = by_seq.get(seq)
            if row is None:
                missing.append((seq, ack.bank_ref, f"round {ack.round}"))
                continue
            if (row["leaf_hash"] != ack.leaf_hash or row["entry"].get("bank_ref") != ack.bank_ref
                    or leaf_hash_hex(row["entry"]) != ack.leaf_hash):
                changed.append((seq, ack.bank_ref, row["entry"].get("bank_ref"), ack.leaf_hash, row["leaf_hash"]))
        r["missing"], r["changed"] = missing, changed
        r["all_acks_count"] = len(cls.all_acks)
        r["all_acks_in_ledger"] = len(cls.all_acks) - len(missing)
        this_round = {ack.seq for ack in r["acks"]}
        r["acks_in_ledger"] = sum(1 for seq in this_round if seq in by_seq
                                  and by_seq[seq]["leaf_hash"] == cls.all_acks[seq].leaf_hash)
        # Sent, committed, never answered: allowed (the answer died with the process).
        answered = {ack.bank_ref for ack in r["acks"]}
        in_ledger_refs = {row["entry"].get("bank_ref"): row["entry"]["seq"] for row in rows}
        r["committed_unanswered"] = {ref: in_ledger_refs[ref] for ref, _, _ in r["unanswered"]
                                     if ref in in_ledger_refs and ref not in answered}
        r["in_ledger_refs"] = in_ledger_refs
        # A sample through GET /v1/entries/{seq}: the newest acknowledgements and random ones.
        newest = sorted(this_round)[-3:]
        sample = sorted(set(newest) | set(rng.sample(sorted(this_round), min(SPOT_GETS, len(this_round)))))
        r["spot_problems"] = []
        conn = server.connect()
        try:
            for seq in sample:
                response = request(conn, "GET", f"/v1/entries/{seq}", token=auditor)
                ack = cls.all_acks[seq]
                if response.status != 200:
                    r["spot_problems"].append((seq, response.status, response.body[:200]))
                    continue
                got = response.json()
                if got["leaf_hash"] != ack.leaf_hash or got["entry"].get("bank_ref") != ack.bank_ref:
                    r["spot_problems"].append((seq, got["leaf_hash"], got["entry"].get("bank_ref")))
        finally:
            conn.close()
        r["spot_checked"] = len(sample)

    @classmethod
    def replay(cls, server, officer, r, rng):
        """The same body with the same Idempotency-Key: 201, Idempotent-Replayed, same seq."""
        acks = sorted(r["acks"], key=lambda a: a.seq)
        chosen = acks[-REPLAYS_NEWEST:]
        rest = acks[:-REPLAYS_NEWEST] if len(acks) > REPLAYS_NEWEST else []
        chosen += rng.sample(rest, min(REPLAYS_RANDOM, len(rest)))
        r["replays"] = []
        conn = server.connect()
        try:
            for ack in chosen:
                response = request(conn, "POST", "/v1/entries", ack.body, officer, {"Idempotency-Key": ack.key})
                seq = leaf = None
                if response.status == 201:
                    result = response.json()
                    seq, leaf = result["entry"]["seq"], result["leaf_hash"]
                ok = (response.status == 201 and (response.header("idempotent-replayed") or "").lower() == "true"
                      and seq == ack.seq and leaf == ack.leaf_hash)
                r["replays"].append((ok, ack.seq, ack.key, response.status, response.header("idempotent-replayed"),
                                     seq, response.body[:200] if response.status != 201 else b""))
        finally:
            conn.close()
        r["replays_ok"] = sum(1 for x in r["replays"] if x[0])

    @classmethod
    def retry_unanswered(cls, server, officer, r):
        """A client whose append got no answer retries it with its key: if the append
        committed it replays (same seq), else it is appended now, once."""
        r["retries"] = []
        conn = server.connect()
        try:
            for ref, key, body in r["unanswered"]:
                committed_seq = r["in_ledger_refs"].get(ref)
                response = request(conn, "POST", "/v1/entries", body, officer, {"Idempotency-Key": key})
                replayed = (response.header("idempotent-replayed") or "").lower() == "true"
                seq = response.json()["entry"]["seq"] if response.status == 201 else None
                if committed_seq is not None:
                    ok = response.status == 201 and replayed and seq == committed_seq
                else:
                    ok = response.status == 201 and not replayed
                r["retries"].append((ok, ref, committed_seq, response.status, replayed, seq,
                                     response.body[:200] if response.status != 201 else b""))
        finally:
            conn.close()
        r["retries_ok"] = sum(1 for x in r["retries"] if x[0])

    # -- the tests -------------------------------------------------------------------------

    def rounds_or_fail(self):
        self.assertEqual(len(self.rounds), ROUNDS, "the scenario did not run every round")
        return self.rounds

    def test_1_load_reached_the_server_and_every_writer_ended_at_the_kill(self):
        for r in self.rounds_or_fail():
            with self.subTest(round=r["round"]):
                evidence = (f"server exit {r['exit_code']}; errors before the kill {r['errors_before'][:8]}; "
                            f"refused {r['refused'][:3]}; server stderr:\n{r['server_stderr']}\n"
                            f"last request log lines:\n{r['server_stdout']}")
                self.assertTrue(r["got_going"], "no append was acknowledged within 20 s")
                self.assertGreaterEqual(len(r["acks"]), 20, "too little load to mean anything")
                self.assertEqual(r["exit_code"], -signal.SIGKILL, "the server did not die of SIGKILL: " + evidence)
                self.assertEqual(r["threads_alive"], 0, "a writer thread did not finish")
                self.assertEqual(sorted(r["ends"]), ["killed"] * THREADS,
                                 "every writer should end on a request the kill left unanswered: " + evidence)
                self.assertEqual(r["errors_before"], [], "connections failed before the kill: " + evidence)
                self.assertEqual(r["refused"], [], "appends refused before the kill: " + evidence)

    def test_2_ledger_verifies_after_every_kill(self):
        for r in self.rounds_or_fail():
            with self.subTest(round=r["round"]):
                self.assertEqual(r["verify_rc"], 0, r["verify_out"])
        self.assertEqual(self.final.get("verify_rc"), 0, self.final.get("verify_out"))
        self.assertEqual(self.final.get("exit_code"), 0, "graceful stop after the crashes")

    def test_3_every_acknowledged_append_survives(self):
        self.assertEqual(self.duplicate_acks, [], "two different appends were acknowledged with one seq")
        for r in self.rounds_or_fail():
            with self.subTest(round=r["round"]):
                self.assertEqual(r["seq_problems"], [])
                self.assertEqual(r["readyz_size"], r["ledger_size"])
                self.assertEqual(r["missing"][:20], [],
                                 f"{len(r['missing'])} acknowledged appends are not in the ledger after SIGKILL")
                self.assertEqual(r["changed"][:20], [], "acknowledged appends changed")
                self.assertEqual(r["acks_in_ledger"], len(r["acks"]))
                self.assertEqual(r["spot_problems"], [], "GET /v1/entries/{seq} disagrees")
                self.assertGreater(r["spot_checked"], 0)

    def test_4_no_bank_ref_twice(self):
        for r in self.rounds_or_fail():
            with self.subTest(round=r["round"]):
                self.assertEqual(r["dup_bank_refs"], {})
        self.assertEqual(self.final.get("dup_bank_refs"), {}, "after the retries of unanswered appends")

    def test_5_acknowledged_appends_replay_with_their_idempotency_key(self):
        for r in self.rounds_or_fail():
            with self.subTest(round=r["round"]):
                self.assertGreater(len(r["replays"]), 0)
                bad = [x for x in r["replays"] if not x[0]]
                self.assertEqual(bad, [], "(ok, seq, key, status, Idempotent-Replayed, seq replayed, body)")

    def test_6_unanswered_appends_retry_exactly_once(self):
        for r in self.rounds_or_fail():
            with self.subTest(round=r["round"]):
                bad = [x for x in r["retries"] if not x[0]]
                self.assertEqual(bad, [], "(ok, bank_ref, committed seq, status, replayed, seq, body)")


def duplicates(rows):
    seen = {}
    for row in rows:
        ref = row["entry"].get("bank_ref")
        if ref is not None:
            seen.setdefault(ref, []).append(row["entry"]["seq"])
    return {ref: seqs for ref, seqs in seen.items() if len(seqs) > 1}


if __name__ == "__main__":
    if len(sys.argv) < 2 or not os.path.isfile(sys.argv[1]) or not os.access(sys.argv[1], os.X_OK):
        sys.stderr.write("usage: crash_test.py /path/to/jejak [unittest options]\n")
        sys.exit(2)
    JEJAK = os.path.abspath(sys.argv[1])
    api.JEJAK = JEJAK
    try:
        unittest.main(argv=[sys.argv[0]] + sys.argv[2:], verbosity=2)
    finally:
        stop_all_servers()
