#!/usr/bin/env python3
"""A ledger held to its history by two witnesses: real `jejak serve` and two real
`jejak witness` processes (the Inspektorat and BPK Perwakilan) on loopback ports.

Usage: /usr/bin/python3 tests/e2e/witness_log_test.py /path/to/jejak [unittest options]

- Under load, every checkpoint the log hands out is cosigned by both witnesses within
  seconds, and every cosignature verifies with an independent check written here from
  C2SP tlog-cosignature (Python `cryptography`, the cosignature/v1 message).
- A restored older copy of the log's database (with its kept checkpoint: an operator
  with full control of the host) is refused by both witnesses, which keep the checkpoint
  as evidence; the log stops taking appends and shows the alert in /v1/integrity.
- Two histories signed with the same key (a fork), each shown to one witness: a verifier
  demanding a quorum of 2 refuses both, and the witness shown the other branch refuses it.

Every server a test starts is stopped by its PID; every loop is bounded in time and count.
"""

import base64
import hashlib
import http.client
import json
import os
import shutil
import signal
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

JEJAK = None  # Path of the binary, from argv[1].
api = None    # api_test, imported in main (server process, tokens, verifiers).

OPD = "1.02.0.00.0.00.01.0000"
CLIENTS = 6
LOAD_SECONDS = 6
COSIGN_WITHIN_SECONDS = 15   # After the load: every checkpoint cosigned by both by then.
REQUEST_TIMEOUT_SECONDS = 20
ALARM_WITHIN_SECONDS = 20    # A refusal must close appends by then.


# --------------------------------------------------------------------------------------
# An independent check of cosignature/v1 (C2SP tlog-cosignature), from the spec only.


def parse_cosigner_vkey(text):
    """(name, key_id, public key) of "<name>+<hex id>+<base64(0x04 || key)>"."""
    name, key_id_hex, key_b64 = text.strip().split("+", 2)
    raw = base64.b64decode(key_b64, validate=True)
    assert raw[0] == 0x04 and len(raw) == 33, "not a cosignature/v1 key"
    key_id = bytes.fromhex(key_id_hex)
    assert hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4] == key_id, "key ID mismatch"
    return name, key_id, Ed25519PublicKey.from_public_bytes(raw[1:])


def cosignature_by(note, vkey_text):
    """The timestamp of a valid cosignature/v1 line by the key on `note`, else None."""
    name, key_id, public_key = parse_cosigner_vkey(vkey_text)
    body, sep, signatures = note.partition("\n\n")
    assert sep, note
    text = (body + "\n").encode()
    for line in signatures.split("\n"):
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != "\u2014" or parts[1] != name:
            continue
        blob = base64.b64decode(parts[2], validate=True)
        if len(blob) != 4 + 8 + 64 or blob[:4] != key_id:
            continue
        timestamp = struct.unpack(">Q", blob[4:12])[0]
        message = b"cosignature/v1\ntime " + str(timestamp).encode() + b"\n" + text
        try:
            public_key.verify(blob[12:], message)
        except InvalidSignature:
            return None
        return timestamp
    return None


# --------------------------------------------------------------------------------------
# Processes


class Witness:
    """One `jejak witness` child in its own data directory."""

    running = []

    def __init__(self, data_dir, name, logs):
        """Makes the witness (witness-init), trusts each (origin, vkey) of `logs`, serves."""
        self.data_dir = data_dir
        self.name = name
        result = api.run_cli("witness-init", "--data", data_dir, "--name", name)
        self.vkey = result.stdout.decode().strip()
        with open(os.path.join(data_dir, "keys", "witness.vkey"), encoding="utf-8") as f:
            assert f.read().strip() == self.vkey, "witness-init printed another key than it wrote"
        with open(os.path.join(data_dir, "witness.conf"), "a", encoding="utf-8") as f:
            for origin, vkey in logs:
                f.write(f"log = {origin} {vkey}\n")
        self.start()

    def start(self):
        self.port = api.free_port()
        self.lines = []
        self.proc = subprocess.Popen(
            [JEJAK, "witness", "--data", self.data_dir, "--listen", f"127.0.0.1:{self.port}"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        Witness.running.append(self)
        listening = threading.Event()

        def drain():
            for raw in iter(self.proc.stdout.readline, b""):
                line = raw.decode("utf-8", "replace").rstrip("\n")
                self.lines.append(line)
                if line.startswith("listening on https://"):
                    listening.set()

        self.thread = threading.Thread(target=drain, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 15
        while not listening.wait(0.05):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"jejak witness {self.name} did not start: " + "\n".join(self.lines[-20:]))
        self.context = ssl.create_default_context(cafile=self.ca_file)
        self.url = f"https://127.0.0.1:{self.port}"

    @property
    def ca_file(self):
        return os.path.join(self.data_dir, "tls", "cert.pem")

    def get(self, path):
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.context, timeout=30)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.read().decode("utf-8")
        finally:
            conn.close()

    def post(self, path, body):
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.context, timeout=30)
        try:
            conn.request("POST", path, body=body.encode())
            response = conn.getresponse()
            return response.status, response.getheader("Content-Type"), response.read().decode("utf-8")
        finally:
            conn.close()

    def evidence(self):
        status, body = self.get("/evidence")
        assert status == 200, (status, body)
        return json.loads(body)["evidence"]

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.thread.join(5)
        return self.proc.returncode


def stop_all_witnesses():
    for witness in Witness.running:
        if witness.proc.poll() is None:
            witness.proc.kill()
            witness.proc.wait()


def add_witnesses(data_dir, witnesses, quorum):
    """Lists `witnesses` in the log's config, with their CA files, and the quorum."""
    with open(os.path.join(data_dir, "jejak.conf"), "a", encoding="utf-8") as f:
        for witness in witnesses:
            f.write(f"witness = {witness.vkey} {witness.url} {witness.ca_file}\n")
        f.write(f"witness_quorum = {quorum}\n")


def read_vkey(data_dir):
    with open(os.path.join(data_dir, "keys", "checkpoint.vkey"), encoding="utf-8") as f:
        return f.read().strip()


class Log:
    """A ledger directory, its tokens, and its `jejak serve` when running."""

    def __init__(self, data_dir, init=True):
        self.data_dir = data_dir
        if init:
            api.run_cli("init", "--data", data_dir, "--region", api.REGION, "--origin", api.ORIGIN)
        self.vkey = read_vkey(data_dir)
        self.server = None

    def start(self):
        self.server = api.Server(self.data_dir, start_seconds=30)
        self.admin = api.cli_token(self.data_dir, "admin", "bpkad-admin")
        self.officer = api.cli_token(self.data_dir, "officer", "bendahara-dinkes", OPD)
        self.auditor = api.cli_token(self.data_dir, "auditor", "bpk-auditor")
        return self

    def stop(self):
        if self.server is not None:
            self.server.stop(15)
            self.server = None

    def register(self):
        for body in ({"kind": "opd", "code": OPD, "name": "Dinas Kesehatan"},
                     api.budget(OPD, pagu="100000000000.00")):
            response = api.post("/v1/entries", body, self.admin, server=self.server)
            assert response.status == 201, response

    def append(self, ref, query="", conn=None):
        return api.request("POST", "/v1/entries" + query,
                           body=json.dumps(api.simple_expenditure(OPD, ref)).encode(),
                           token=self.officer, conn=conn, server=self.server)

    def checkpoint(self, size=None, conn=None):
        path = "/v1/checkpoint" + (f"?tree_size={size}" if size is not None else "")
        response = api.get(path, server=self.server, conn=conn)
        assert response.status == 200, response
        return response.body if isinstance(response.body, str) else response.body.decode()

    def integrity(self):
        response = api.get("/v1/integrity", self.auditor, server=self.server)
        assert response.status == 200, response
        return response.json()

    def wait_cosigned(self, witnesses, size=None, seconds=COSIGN_WITHIN_SECONDS):
        """The checkpoint (latest, or of `size`) once every witness cosigned it."""
        deadline = time.monotonic() + seconds
        while True:
            note = self.checkpoint(size)
            if all(cosignature_by(note, w.vkey) is not None for w in witnesses):
                return note
            if time.monotonic() > deadline:
                raise AssertionError(f"not cosigned by all within {seconds} s: {note}\n"
                                     f"{json.dumps(self.integrity().get('witnesses'))}")
            time.sleep(0.1)


class S:
    pass


def note_size(note):
    return int(note.split("\n")[1])


def setUpModule():
    S.tmp = tempfile.mkdtemp(prefix="jejak-witness-log-")
    S.logs = []


def tearDownModule():
    try:
        for log in S.logs:
            log.stop()
        stop_all_witnesses()
    finally:
        shutil.rmtree(S.tmp, ignore_errors=True)


def new_log(name):
    log = Log(os.path.join(S.tmp, name))
    S.logs.append(log)
    return log


def new_witnesses(prefix, logs):
    return [Witness(os.path.join(S.tmp, f"{prefix}-{short}"), name, logs)
            for short, name in (("inspektorat", "inspektorat.uji.go.id/saksi"),
                                ("bpk", "bpk-perwakilan.uji.go.id/saksi"))]


# --------------------------------------------------------------------------------------


class T01WitnessedUnderLoad(unittest.TestCase):
    """Deliverables 2 and 3, Done-when 1."""

    @classmethod
    def setUpClass(cls):
        cls.log = new_log("loaded")
        cls.witnesses = new_witnesses("loaded", [(api.ORIGIN, cls.log.vkey)])
        add_witnesses(cls.log.data_dir, cls.witnesses, 2)
        cls.log.start()
        cls.log.register()
        cls.notes = {}  # tree size -> the note a 201 carried
        cls.lock = threading.Lock()
        cls.errors = []
        cls.lags = []   # (time, max lag) sampled from /v1/integrity during the load
        stop_at = time.monotonic() + LOAD_SECONDS

        def client(index):
            conn = cls.log.server.connect(REQUEST_TIMEOUT_SECONDS)
            try:
                for n in range(100_000):
                    if time.monotonic() >= stop_at:
                        break
                    response = cls.log.append(f"WIT-{index}-{n}", conn=conn)
                    if response.status != 201:
                        cls.errors.append((response.status, response.body[:200]))
                        break
                    body = response.json()
                    with cls.lock:
                        cls.notes[note_size(body["checkpoint"])] = body["checkpoint"]
            finally:
                conn.close()

        def sampler():
            while time.monotonic() < stop_at:
                witnesses = cls.log.integrity().get("witnesses", [])
                cls.lags.append(max((w.get("lag", 0) for w in witnesses), default=0))
                time.sleep(0.25)

        threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
        threads.append(threading.Thread(target=sampler))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(LOAD_SECONDS + 60)
        cls.load_ended = time.monotonic()

    def test_a_the_load_appended_without_refusal(self):
        self.assertEqual(self.errors, [])
        self.assertGreater(len(self.notes), 20, "too few commits to say anything")

    def test_b_every_checkpoint_is_cosigned_by_both_within_seconds(self):
        # First the witnesses catch up (as /v1/integrity says), then every size a 201
        # named is checked on its stored note (which gathers the cosignatures).
        deadline = self.load_ended + COSIGN_WITHIN_SECONDS
        latest = max(self.notes)
        while time.monotonic() < deadline:
            witnesses = self.log.integrity()["witnesses"]
            if all(w["cosigned_size"] >= latest for w in witnesses):
                break
            time.sleep(0.1)
        caught_up = time.monotonic() - self.load_ended
        missing = []
        timestamps = []
        conn = self.log.server.connect(REQUEST_TIMEOUT_SECONDS)
        try:
            for size in sorted(self.notes):
                note = self.log.checkpoint(size, conn=conn)
                stamps = [cosignature_by(note, w.vkey) for w in self.witnesses]
                if any(stamp is None for stamp in stamps):
                    missing.append(size)
                timestamps += [stamp for stamp in stamps if stamp is not None]
        finally:
            conn.close()
        self.assertLess(caught_up, COSIGN_WITHIN_SECONDS, "the witnesses did not catch up")
        skips = [line for line in self.log.server.log_text().split("\n") if "witness.skip" in line]
        self.assertEqual(missing[:20], [], f"{len(missing)} of {len(self.notes)} checkpoints not cosigned "
                         f"by both; caught up in {caught_up:.1f} s; {skips[:5]}")
        now = int(time.time())
        self.assertTrue(all(now - 600 < t <= now + 5 for t in timestamps), "cosignature timestamps not now")
        print(f"\n  {len(self.notes)} checkpoints in {LOAD_SECONDS} s under {CLIENTS} clients, every one "
              f"cosigned by both; largest lag sampled during the load: {max(self.lags, default=0)} entries; "
              f"caught up {caught_up:.1f} s after the load", file=sys.stderr)

    def test_c_the_stored_note_keeps_the_log_signature_and_the_201_note_is_its_text(self):
        size = max(self.notes)
        stored = self.log.wait_cosigned(self.witnesses, size)
        self.assertTrue(api.verify_note_signature(stored, self.log.vkey))
        self.assertEqual(stored.partition("\n\n")[0], self.notes[size].partition("\n\n")[0])

    def test_d_integrity_shows_both_witnesses_caught_up(self):
        latest = note_size(self.log.wait_cosigned(self.witnesses))
        deadline = time.monotonic() + COSIGN_WITHIN_SECONDS
        while True:
            integrity = self.log.integrity()
            witnesses = {w["name"]: w for w in integrity["witnesses"]}
            if all(w["lag"] == 0 for w in witnesses.values()) or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        self.assertIsNone(integrity["alert"])
        self.assertEqual(set(witnesses), {w.name for w in self.witnesses})
        for witness in witnesses.values():
            self.assertEqual(witness["state"], "ok", witness)
            self.assertEqual(witness["cosigned_size"], latest, witness)
            self.assertEqual(witness["lag"], 0, witness)

    def test_e_each_witness_serves_the_latest_cosigned_checkpoint(self):
        note = self.log.wait_cosigned(self.witnesses)
        for witness in self.witnesses:
            status, body = witness.get("/checkpoint?origin=" + api.ORIGIN)
            self.assertEqual(status, 200, body)
            self.assertGreaterEqual(note_size(body), note_size(note))
            self.assertIsNotNone(cosignature_by(body, witness.vkey))
            self.assertTrue(api.verify_note_signature(body, self.log.vkey))
            self.assertEqual(witness.evidence(), [])

    def test_f_wait_witnesses_answers_with_a_note_cosigned_by_both(self):
        response = self.log.append("WIT-WAIT-1", query="?wait_witnesses=2")
        self.assertEqual(response.status, 201, response)
        body = response.json()
        self.assertEqual(body["witnesses"], {"cosigned": 2, "quorum": 2})
        for witness in self.witnesses:
            self.assertIsNotNone(cosignature_by(body["checkpoint"], witness.vkey), body["checkpoint"])
        self.assertEqual(note_size(body["checkpoint"]), body["entry"]["seq"] + 1)

    def test_g_a_plain_append_says_how_many_had_cosigned(self):
        response = self.log.append("WIT-PLAIN-1")
        self.assertEqual(response.status, 201, response)
        witnesses = response.json()["witnesses"]
        self.assertEqual(witnesses["quorum"], 2)
        self.assertIn(witnesses["cosigned"], (0, 1, 2))

    def test_h_wait_witnesses_beyond_the_configured_is_refused(self):
        response = self.log.append("WIT-WAIT-3", query="?wait_witnesses=3")
        self.assertEqual(response.status, 400, response)

    def test_i_quorum_verifiers_accept_the_bundle(self):
        self.log.wait_cosigned(self.witnesses)
        bundle = os.path.join(S.tmp, "loaded.ndjson")
        response = api.get("/v1/export/bundle", self.log.auditor, server=self.log.server)
        self.assertEqual(response.status, 200)
        with open(bundle, "wb") as f:
            f.write(response.body if isinstance(response.body, bytes) else response.body.encode())
        keys = write_witness_keys("loaded", self.witnesses)
        vkey = os.path.join(self.log.data_dir, "keys", "checkpoint.vkey")
        result = api.run_cli("verify-bundle", bundle, "--key", vkey, *keys, "--quorum", "2", check=False)
        self.assertEqual(result.returncode, 0, result.stderr)
        # The reference verifier of the auditor's guide agrees.
        result = reference_verifier(bundle, vkey, keys[1::2], 2)
        self.assertEqual(result.returncode, 0, result.stdout)
        self.assertIn(b"cosigned by", result.stdout)


    def test_j_the_bundle_of_a_witnessed_log_imports_with_its_cosignatures(self):
        # Disaster recovery: the witnesses' lines in the bundle are those of configured
        # cosigners, so `jejak import` keeps them.
        note = self.log.wait_cosigned(self.witnesses)
        response = api.get("/v1/export/bundle", self.log.auditor, server=self.log.server)
        self.assertEqual(response.status, 200)
        bundle = os.path.join(S.tmp, "loaded-import.ndjson")
        with open(bundle, "wb") as f:
            f.write(response.body)
        closing = json.loads(response.body.rstrip(b"\n").rsplit(b"\n", 1)[1])["checkpoint"]
        copy = os.path.join(S.tmp, "loaded-restored")
        shutil.copytree(self.log.data_dir, copy,
                        ignore=shutil.ignore_patterns("ledger.db*", "latest-checkpoint"))
        result = api.run_cli("import", "--data", copy, bundle, check=False, timeout=300)
        self.assertEqual(result.returncode, 0, result.stderr)
        out = os.path.join(S.tmp, "loaded-reexported.ndjson")
        api.run_cli("export-bundle", "--data", copy, "--out", out, timeout=300)
        with open(out, "rb") as f:
            imported = json.loads(f.read().rstrip(b"\n").rsplit(b"\n", 1)[1])["checkpoint"]
        self.assertEqual(imported.partition("\n\n")[0], closing.partition("\n\n")[0])
        self.assertGreaterEqual(note_size(closing), note_size(note))
        for witness in self.witnesses:
            self.assertIsNotNone(cosignature_by(imported, witness.vkey), imported)


def reference_verifier(bundle, vkey, witness_keys, quorum):
    """docs/verify_bundle.py, the auditor guide's independent checker."""
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "verify_bundle.py")
    return subprocess.run(["/usr/bin/python3", script, bundle, vkey, *witness_keys, "--quorum", str(quorum)],
                          capture_output=True, timeout=120)


def write_witness_keys(prefix, witnesses):
    args = []
    for index, witness in enumerate(witnesses):
        path = os.path.join(S.tmp, f"{prefix}-witness-{index}.vkey")
        with open(path, "w", encoding="utf-8") as f:
            f.write(witness.vkey + "\n")
        args += ["--witness-key", path]
    return args


class T02RestoredDatabase(unittest.TestCase):
    """Done-when 2: an older copy of the database, restored with its kept checkpoint."""

    @classmethod
    def setUpClass(cls):
        cls.log = new_log("restored")
        cls.witnesses = new_witnesses("restored", [(api.ORIGIN, cls.log.vkey)])
        add_witnesses(cls.log.data_dir, cls.witnesses, 2)
        cls.log.start()
        cls.log.register()
        for n in range(5):
            assert cls.log.append(f"OLD-{n}").status == 201
        cls.old_size = note_size(cls.log.wait_cosigned(cls.witnesses))
        cls.log.stop()
        cls.copy = os.path.join(S.tmp, "restored-copy")
        shutil.copytree(cls.log.data_dir, cls.copy)
        cls.log.start()
        for n in range(10):
            assert cls.log.append(f"NEW-{n}").status == 201
        cls.new_size = note_size(cls.log.wait_cosigned(cls.witnesses))
        cls.log.stop()
        # The operator puts the older database and its kept checkpoint back.
        for name in ("ledger.db", "ledger.db-wal", "ledger.db-shm"):
            path = os.path.join(cls.log.data_dir, name)
            if os.path.exists(path):
                os.remove(path)
        for name in ("ledger.db", "ledger.db-wal", "ledger.db-shm"):
            source = os.path.join(cls.copy, name)
            if os.path.exists(source):
                shutil.copy2(source, os.path.join(cls.log.data_dir, name))
        shutil.copy2(os.path.join(cls.copy, "state", "latest-checkpoint"),
                     os.path.join(cls.log.data_dir, "state", "latest-checkpoint"))
        cls.log.start()
        # The start-up push runs beside the writer (README, Witnesses): the first append
        # may be taken before a witness answers it, or refused if the alarm came first.
        cls.first = cls.log.append("AFTER-RESTORE-0")
        cls.closed = cls.first if cls.first.status == 503 else None
        deadline = time.monotonic() + ALARM_WITHIN_SECONDS
        for n in range(1, 10_000 if cls.closed is None else 1):
            response = cls.log.append(f"AFTER-RESTORE-{n}")
            if response.status == 503:
                cls.closed = response
                break
            if time.monotonic() > deadline:
                break
            time.sleep(0.2)

    def test_a_the_restored_log_started_smaller(self):
        self.assertLess(self.old_size, self.new_size)
        self.assertIn(self.first.status, (201, 503), self.first)
        if self.first.status == 201:  # Taken before the alarm: at the restored size.
            self.assertEqual(self.first.json()["entry"]["seq"], self.old_size)

    def test_b_appends_are_refused_fail_closed(self):
        self.assertIsNotNone(self.closed, f"appends still taken {ALARM_WITHIN_SECONDS} s after the restore")
        self.assertIn(b"witness", self.closed.body.lower())

    def test_c_integrity_shows_the_alert_and_both_witnesses_refusing(self):
        integrity = self.log.integrity()
        self.assertIsNotNone(integrity["alert"], integrity)
        self.assertIn(integrity["alert"]["witness"], {w.name for w in self.witnesses})
        states = {}
        deadline = time.monotonic() + ALARM_WITHIN_SECONDS
        while time.monotonic() < deadline:
            states = {w["name"]: w for w in self.log.integrity()["witnesses"]}
            if all(w["state"] == "refused" for w in states.values()):
                break
            time.sleep(0.2)
        for witness in self.witnesses:
            self.assertEqual(states[witness.name]["state"], "refused", states)
            self.assertEqual(states[witness.name]["cosigned_size"], self.new_size, states)

    def test_d_both_witnesses_keep_the_evidence_and_their_cosigned_size(self):
        for witness in self.witnesses:
            deadline = time.monotonic() + ALARM_WITHIN_SECONDS
            evidence = []
            while time.monotonic() < deadline and not evidence:
                evidence = witness.evidence()
                time.sleep(0.1)
            self.assertTrue(evidence, f"{witness.name} kept no evidence")
            item = evidence[0]
            self.assertEqual(item["origin"], api.ORIGIN)
            self.assertLess(item["tree_size"], self.new_size)
            self.assertEqual(item["witness_size"], self.new_size)
            self.assertIn(item["reason"], ("rollback", "fork", "inconsistent"))
            # The evidence is a checkpoint the log's own key signed.
            self.assertTrue(api.verify_note_signature(item["checkpoint"], self.log.vkey))
            status, body = witness.get("/checkpoint?origin=" + api.ORIGIN)
            self.assertEqual(status, 200)
            self.assertEqual(note_size(body), self.new_size)

    def test_e_the_alert_is_logged(self):
        self.assertIn("alert", self.log.server.log_text().lower())

    def test_f_a_restart_does_not_lift_it(self):
        self.log.stop()
        self.log.start()
        deadline = time.monotonic() + ALARM_WITHIN_SECONDS
        refused = False
        for n in range(10_000):
            response = self.log.append(f"AFTER-RESTART-{n}")
            if response.status == 503:
                refused = True
                break
            if time.monotonic() > deadline:
                break
            time.sleep(0.2)
        self.assertTrue(refused, "a restart lifted the witnesses' alarm")


class T03Fork(unittest.TestCase):
    """Done-when 3: two histories signed with the same key, one shown to each witness."""

    @classmethod
    def setUpClass(cls):
        cls.a = new_log("fork-a")
        cls.a.start()
        cls.a.register()
        for n in range(3):
            assert cls.a.append(f"COMMON-{n}").status == 201
        cls.a.stop()
        shutil.copytree(cls.a.data_dir, os.path.join(S.tmp, "fork-b"))
        cls.b = Log(os.path.join(S.tmp, "fork-b"), init=False)
        S.logs.append(cls.b)
        vkey = cls.a.vkey
        cls.w1, cls.w2 = new_witnesses("fork", [(api.ORIGIN, vkey)])
        add_witnesses(cls.a.data_dir, [cls.w1], 1)   # A's history goes to the Inspektorat,
        add_witnesses(cls.b.data_dir, [cls.w2], 1)   # B's to BPK: each sees one history.
        cls.a.start()
        cls.b.start()
        for n in range(4):
            assert cls.a.append(f"BRANCH-A-{n}").status == 201
            assert cls.b.append(f"BRANCH-B-{n}").status == 201
        cls.note_a = cls.a.wait_cosigned([cls.w1])
        cls.note_b = cls.b.wait_cosigned([cls.w2])
        cls.files = {}
        for name, log in (("a", cls.a), ("b", cls.b)):
            response = api.get("/v1/export/bundle", log.auditor, server=log.server)
            assert response.status == 200, response
            path = os.path.join(S.tmp, f"fork-{name}.ndjson")
            with open(path, "wb") as f:
                f.write(response.body if isinstance(response.body, bytes) else response.body.encode())
            cls.files[name] = path
            note = os.path.join(S.tmp, f"fork-{name}.note")
            with open(note, "w", encoding="utf-8") as f:
                f.write(log.checkpoint())
            cls.files[name + "-note"] = note
        cls.keys = write_witness_keys("fork", [cls.w1, cls.w2])
        cls.log_vkey = os.path.join(cls.a.data_dir, "keys", "checkpoint.vkey")

    def test_a_the_two_branches_are_a_fork_of_one_key(self):
        self.assertEqual(note_size(self.note_a), note_size(self.note_b))
        self.assertNotEqual(self.note_a.split("\n")[2], self.note_b.split("\n")[2])
        self.assertTrue(api.verify_note_signature(self.note_a, self.a.vkey))
        self.assertTrue(api.verify_note_signature(self.note_b, self.a.vkey))

    def test_b_quorum_of_two_refuses_each_branch(self):
        for name in ("a", "b"):
            result = api.run_cli("verify-bundle", self.files[name], "--key", self.log_vkey, *self.keys,
                                 "--quorum", "2", check=False)
            self.assertEqual(result.returncode, 1, (name, result.stderr))
            self.assertIn(b"quorum", result.stderr.lower() + result.stdout.lower())
            result = reference_verifier(self.files[name], self.log_vkey, self.keys[1::2], 2)
            self.assertEqual(result.returncode, 1, (name, result.stdout))
            self.assertIn(b"quorum not met", result.stdout)

    def test_c_without_a_quorum_each_branch_alone_would_pass(self):
        # What a verifier trusting one witness (or none) would accept: the danger.
        for name, witness_key in (("a", self.keys[1]), ("b", self.keys[3])):
            result = api.run_cli("verify-bundle", self.files[name], "--key", self.log_vkey,
                                 "--witness-key", witness_key, "--quorum", "1", check=False)
            self.assertEqual(result.returncode, 0, (name, result.stderr))
            result = reference_verifier(self.files[name], self.log_vkey, [witness_key], 1)
            self.assertEqual(result.returncode, 0, (name, result.stdout))

    def test_d_verify_checkpoint_with_a_quorum_refuses_the_fork(self):
        result = api.run_cli("verify", "--data", self.b.data_dir, "--checkpoint", self.files["b-note"],
                             *self.keys, "--quorum", "2", check=False)
        self.assertEqual(result.returncode, 1, result.stderr)

    def test_e_the_witness_shown_the_other_branch_refuses_it_and_keeps_evidence(self):
        # B's checkpoint, with a consistency proof from the size the Inspektorat cosigned
        # (A's) computed by B: it cannot verify, as the branches differ.
        witness_size = note_size(self.note_a)
        response = api.get(f"/v1/proofs/consistency?first={witness_size}&second={note_size(self.note_b)}",
                           self.b.auditor, server=self.b.server)
        hashes = response.json()["hashes"] if response.status == 200 else []
        proof = "".join(base64.b64encode(bytes.fromhex(h)).decode() + "\n" for h in hashes)
        stripped = self.note_b.partition("\n\n")
        note = stripped[0] + "\n\n" + "\n".join(
            line for line in stripped[2].split("\n") if line and line.split(" ")[1] == api.ORIGIN) + "\n"
        status, content_type, body = self.w1.post("/add-checkpoint", f"old {witness_size}\n{proof}\n{note}")
        self.assertEqual(status, 422, body)
        kept = [e for e in self.w1.evidence() if e["root_hash"] == base64.b64decode(note.split("\n")[2]).hex()]
        self.assertEqual(len(kept), 1, self.w1.evidence())
        self.assertEqual(kept[0]["reason"], "fork")
        self.assertEqual(self.w2.evidence(), [])


def main():
    global JEJAK, api
    if len(sys.argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    JEJAK = os.path.abspath(sys.argv.pop(1))
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import api_test
    api = api_test
    api.JEJAK = JEJAK
    try:
        program = unittest.main(exit=False, verbosity=2)
    finally:
        stop_all_witnesses()
    return 0 if program.result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
