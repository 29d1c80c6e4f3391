#!/usr/bin/env python3
"""End-to-end tests of the witness program (`jejak witness-init`, `jejak witness`)
against the real binary over HTTPS with keep-alive connections: every status of C2SP
tlog-witness add-checkpoint on real signed checkpoints (logs made here with
`cryptography`, and a real Jejak ledger's checkpoint), the 200 cosignature checked against
the cosignature/v1 message, the 409 body and Content-Type, evidence kept and served for a
rollback and a fork, GET /checkpoint by origin and by origin hash, concurrent submissions
ending at the highest size, and state kept across a restart.

Usage: python3 tests/e2e/witness_test.py /path/to/jejak [unittest options]
"""

import base64
import hashlib
import http.client
import json
import os
import shutil
import signal
import ssl
import stat
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.dont_write_bytecode = True  # Importing api_test must leave no __pycache__ in the tree.

import api_test as api  # noqa: E402  (helpers only; its tests are not loaded here)
from cryptography.exceptions import InvalidSignature  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import (  # noqa: E402
    Ed25519PrivateKey, Ed25519PublicKey)
from cryptography.hazmat.primitives import serialization  # noqa: E402

EM_DASH = "\u2014"
SIZE_TYPE = "text/x.tlog.size"


def sha256(data):
    return hashlib.sha256(data).digest()


def subproof(m, leaves, complete):
    """RFC 9162 §2.1.4.1 SUBPROOF."""
    n = len(leaves)
    if m == n:
        return [] if complete else [api.merkle_root(leaves)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return subproof(m, leaves[:k], complete) + [api.merkle_root(leaves[k:])]
    return subproof(m - k, leaves[k:], False) + [api.merkle_root(leaves[:k])]


def raw_public(key):
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


class Log:
    """A transparency log made here: an Ed25519 signed-note key and a tree of leaves."""

    def __init__(self, origin, leaves=64, salt=b""):
        self.origin = origin
        self.key = Ed25519PrivateKey.generate()
        raw = raw_public(self.key)
        self.key_id = sha256(origin.encode() + b"\n\x01" + raw)[:4]
        typed = base64.b64encode(b"\x01" + raw).decode()
        self.vkey = f"{origin}+{self.key_id.hex()}+{typed}"
        self.leaves = [sha256(salt + b"leaf %d" % i) for i in range(leaves)]

    def root(self, size):
        return api.merkle_root(self.leaves[:size])

    def proof(self, old, size):
        return subproof(old, self.leaves[:size], True) if old else []

    def text(self, size, root=None, extra=""):
        root = self.root(size) if root is None else root
        return f"{self.origin}\n{size}\n{base64.b64encode(root).decode()}\n{extra}"

    def signature_line(self, text, key=None, key_id=None):
        signature = (key or self.key).sign(text.encode())
        blob = (key_id or self.key_id) + signature
        return f"{EM_DASH} {self.origin} {base64.b64encode(blob).decode()}\n"

    def note(self, size, root=None, extra=""):
        text = self.text(size, root, extra)
        return text + "\n" + self.signature_line(text)


def body(old, proof, note):
    lines = [f"old {old}\n"] + [base64.b64encode(h).decode() + "\n" for h in proof]
    return ("".join(lines) + "\n" + note).encode()


def verify_cosignature(line, text, vkey):
    """The cosignature/v1 line `line` by `vkey` over the checkpoint `text`: its timestamp."""
    name, key_id_hex, key_b64 = vkey.split("+", 2)
    raw = base64.b64decode(key_b64)
    assert raw[0] == 0x04 and len(raw) == 33, "not a cosignature/v1 key"
    assert sha256(name.encode() + b"\n\x04" + raw[1:])[:4] == bytes.fromhex(key_id_hex)
    assert line.endswith("\n"), line
    dash, line_name, blob_b64 = line.rstrip("\n").split(" ")
    assert dash == EM_DASH and line_name == name, line
    blob = base64.b64decode(blob_b64, validate=True)
    assert len(blob) == 4 + 8 + 64 and blob[:4] == bytes.fromhex(key_id_hex), line
    timestamp = int.from_bytes(blob[4:12], "big")
    message = f"cosignature/v1\ntime {timestamp}\n".encode() + text.encode()
    Ed25519PublicKey.from_public_bytes(raw[1:]).verify(blob[12:], message)  # Raises if bad.
    return timestamp


class Witness:
    """One `jejak witness` child, its output drained and kept."""

    def __init__(self, data_dir, port):
        self.data_dir, self.port = data_dir, port
        self.lines, self.lock = [], threading.Lock()
        self.proc = subprocess.Popen([api.JEJAK, "witness", "--data", data_dir, "--listen", f"127.0.0.1:{port}"],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        listening = threading.Event()

        def drain(stream):
            for raw in iter(stream.readline, b""):
                line = raw.decode("utf-8", "replace").rstrip("\n")
                with self.lock:
                    self.lines.append(line)
                if line.startswith("listening on https://127.0.0.1:"):
                    listening.set()
            stream.close()

        self.threads = [threading.Thread(target=drain, args=(s,), daemon=True)
                        for s in (self.proc.stdout, self.proc.stderr)]
        for thread in self.threads:
            thread.start()
        if not listening.wait(15):
            self.stop()
            raise RuntimeError("jejak witness did not start:\n" + self.log())
        self.context = ssl.create_default_context(cafile=os.path.join(data_dir, "tls", "cert.pem"))

    def connect(self):
        return http.client.HTTPSConnection("127.0.0.1", self.port, context=self.context, timeout=30)

    def log(self):
        with self.lock:
            return "\n".join(self.lines)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for thread in self.threads:
            thread.join(5)
        return self.proc.returncode


class S:
    tmp = witness = vkey = None
    logs = {}
    ledger_dir = None


def call(conn, method, path, payload=None):
    conn.request(method, path, body=payload)
    raw = conn.getresponse()
    return raw.status, raw.getheader("Content-Type"), raw.read()


def setUpModule():
    S.tmp = tempfile.mkdtemp(prefix="jejak-witness-e2e-")
    for name in ("a", "b", "c", "d", "e", "f", "g", "h"):
        S.logs[name] = Log(f"log.test/{name}", salt=name.encode())
    # A real Jejak ledger, its checkpoint made by `jejak init`.
    S.ledger_dir = os.path.join(S.tmp, "ledger")
    api.run_cli("init", "--data", S.ledger_dir, "--region", api.REGION, "--origin", "jejak.test/saksi")
    wdir = os.path.join(S.tmp, "witness")
    out = api.run_cli("witness-init", "--data", wdir, "--name", "inspektorat.test/saksi-1")
    S.vkey = out.stdout.decode().strip()
    assert "\n" not in S.vkey and S.vkey.startswith("inspektorat.test/saksi-1+"), out.stdout
    with open(os.path.join(S.ledger_dir, "keys", "checkpoint.vkey"), encoding="utf-8") as f:
        ledger_vkey = f.read().strip()
    conf = os.path.join(wdir, "witness.conf")
    with open(conf, encoding="utf-8") as f:
        text = f.read()
    assert "\nevidence_max = 10000\n" in text, text
    with open(conf, "w", encoding="utf-8") as f:
        # Per origin, forks excepted: test_evidence_flood_and_cap.
        f.write(text.replace("\nevidence_max = 10000\n", "\nevidence_max = 3\n"))
    with open(conf, "a", encoding="utf-8") as f:
        for log in S.logs.values():
            f.write(f"log = {log.origin} {log.vkey}\n")
        f.write(f"log = jejak.test/saksi {ledger_vkey}\n")
    S.witness = Witness(wdir, api.free_port())


def tearDownModule():
    if S.witness:
        S.witness.stop()
    shutil.rmtree(S.tmp, ignore_errors=True)


class WitnessTest(unittest.TestCase):
    def setUp(self):
        self.conn = S.witness.connect()  # One keep-alive connection per test.

    def tearDown(self):
        self.conn.close()

    def add(self, old, proof, note):
        return call(self.conn, "POST", "/add-checkpoint", body(old, proof, note))

    def test_init_files_and_refusals(self):
        wdir = S.witness.data_dir
        self.assertEqual(stat.S_IMODE(os.stat(wdir).st_mode), 0o700)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(wdir, "keys", "witness.key")).st_mode), 0o600)
        with open(os.path.join(wdir, "keys", "witness.vkey"), encoding="utf-8") as f:
            self.assertEqual(f.read(), S.vkey + "\n")
        again = api.run_cli("witness-init", "--data", wdir, "--name", "x.test/w", check=False)
        self.assertEqual(again.returncode, 2)
        self.assertIn(b"already exists", again.stderr)
        bad = api.run_cli("witness-init", "--data", os.path.join(S.tmp, "w2"), "--name", "bad name", check=False)
        self.assertEqual(bad.returncode, 2)
        self.assertFalse(os.path.exists(os.path.join(S.tmp, "w2", "witness.conf")))

    def test_bad_config_is_refused_by_line(self):
        wdir = os.path.join(S.tmp, "w-bad")
        api.run_cli("witness-init", "--data", wdir, "--name", "bpk.test/w")
        with open(os.path.join(wdir, "witness.conf"), "a", encoding="utf-8") as f:
            f.write("log = log.test/a not-a-key\n")
        result = api.run_cli("witness", "--data", wdir, check=False)
        self.assertEqual(result.returncode, 2)
        self.assertIn(b"witness.conf:", result.stderr)
        self.assertIn(b"verifier key", result.stderr)
        os.chmod(os.path.join(wdir, "keys", "witness.key"), 0o644)
        with open(os.path.join(wdir, "witness.conf"), "a", encoding="utf-8") as f:
            f.write(f"log = {S.logs['a'].origin} {S.logs['a'].vkey}\n")
        lines = open(os.path.join(wdir, "witness.conf"), encoding="utf-8").read().split("\n")
        with open(os.path.join(wdir, "witness.conf"), "w", encoding="utf-8") as f:
            f.write("\n".join(l for l in lines if "not-a-key" not in l))
        result = api.run_cli("witness", "--data", wdir, check=False)
        self.assertEqual(result.returncode, 2)
        self.assertIn(b"readable by others", result.stderr)

    def test_200_cosigns_and_extends_with_a_proof(self):
        log = S.logs["a"]
        status, ctype, answer = self.add(0, [], log.note(10))
        self.assertEqual(status, 200, answer)
        self.assertEqual(ctype, "text/plain; charset=utf-8")
        timestamp = verify_cosignature(answer.decode(), log.text(10), S.vkey)
        self.assertGreater(timestamp, 0)
        self.assertLess(abs(timestamp - time.time()), 120)
        status, _, answer = self.add(10, log.proof(10, 37), log.note(37))
        self.assertEqual(status, 200, answer)
        verify_cosignature(answer.decode(), log.text(37), S.vkey)
        # The same checkpoint again is cosigned again (old = size, same root).
        status, _, answer = self.add(37, [], log.note(37))
        self.assertEqual(status, 200, answer)
        # A tampered cosignature does not verify: the check above can fail.
        line = answer.decode()
        dash, name, blob = line.rstrip("\n").split(" ")
        raw = bytearray(base64.b64decode(blob))
        raw[-1] ^= 1
        with self.assertRaises(InvalidSignature):
            verify_cosignature(f"{dash} {name} {base64.b64encode(bytes(raw)).decode()}\n", log.text(37), S.vkey)

    def test_real_jejak_checkpoint_is_cosigned(self):
        note = api.run_cli("checkpoint", "--data", S.ledger_dir).stdout.decode()
        status, _, answer = self.add(0, [], note)
        self.assertEqual(status, 200, answer)
        text = note[:note.rindex("\n\n") + 1]
        verify_cosignature(answer.decode(), text, S.vkey)

    def test_404_unknown_origin(self):
        stranger = Log("log.test/unknown")
        status, _, answer = self.add(0, [], stranger.note(3))
        self.assertEqual(status, 404, answer)

    def test_403_untrusted_or_bad_signature(self):
        log = S.logs["b"]
        impostor = Ed25519PrivateKey.generate()
        text = log.text(5)
        # Another key under the log's name: ignored, so no trusted signature is left.
        other_id = sha256(log.origin.encode() + b"\n\x01" + raw_public(impostor))[:4]
        status, _, answer = self.add(0, [], text + "\n" + log.signature_line(text, impostor, other_id))
        self.assertEqual(status, 403, answer)
        # The trusted key's name and ID with a signature that does not verify, beside a good one.
        bad = log.signature_line(text, impostor, log.key_id)
        status, _, answer = self.add(0, [], text + "\n" + log.signature_line(text) + bad)
        self.assertEqual(status, 403, answer)
        self.assertIn(b"does not verify", answer)
        # Nothing was cosigned for it.
        self.assertEqual(call(self.conn, "GET", "/checkpoint?origin=log.test/b")[0], 404)

    def test_400_old_above_size_and_malformed(self):
        log = S.logs["b"]
        status, _, answer = self.add(6, [], log.note(5))
        self.assertEqual(status, 400, answer)
        status, _, answer = call(self.conn, "POST", "/add-checkpoint", b"old 01\n\n" + log.note(5).encode())
        self.assertEqual(status, 400, answer)
        status, _, answer = call(self.conn, "POST", "/add-checkpoint", b"no old line")
        self.assertEqual(status, 400, answer)
        # A body over the limit is refused by the transport.
        status, _, _ = call(self.conn, "POST", "/add-checkpoint", b"x" * (70 * 1024))
        self.assertEqual(status, 413)

    def test_409_stale_old_size(self):
        log = S.logs["c"]
        self.assertEqual(self.add(0, [], log.note(20))[0], 200)
        status, ctype, answer = self.add(0, [], log.note(30))
        self.assertEqual(status, 409, answer)
        self.assertEqual(ctype, SIZE_TYPE)
        self.assertEqual(answer, b"20\n")
        status, ctype, answer = self.add(25, log.proof(25, 30), log.note(30))
        self.assertEqual((status, ctype, answer), (409, SIZE_TYPE, b"20\n"))

    def test_422_each_case(self):
        log = S.logs["d"]
        # Size 0 without the empty tree's root.
        status, _, answer = self.add(0, [], log.note(0, root=log.leaves[0]))
        self.assertEqual(status, 422, answer)
        self.assertEqual(self.add(0, [], log.note(0))[0], 200)  # The empty tree's root.
        # A proof while old is 0.
        status, _, answer = self.add(0, [log.leaves[0]], log.note(8))
        self.assertEqual(status, 422, answer)
        self.assertEqual(self.add(0, [], log.note(8))[0], 200)
        # A proof that does not verify.
        proof = log.proof(8, 21)
        proof[0] = sha256(b"wrong")
        status, _, answer = self.add(8, proof, log.note(21))
        self.assertEqual(status, 422, answer)
        # Same size, another root: a fork.
        status, _, answer = self.add(8, [], log.note(8, root=sha256(b"other tree")))
        self.assertEqual(status, 422, answer)
        latest = call(self.conn, "GET", "/checkpoint?origin=log.test/d")[2].decode()
        self.assertTrue(latest.startswith(log.text(8)), latest)

    def test_evidence_for_rollback_and_fork(self):
        log = S.logs["e"]
        self.assertEqual(self.add(0, [], log.note(40))[0], 200)
        rollback = log.note(30)
        status, ctype, answer = self.add(0, [], rollback)
        self.assertEqual((status, ctype, answer), (409, SIZE_TYPE, b"40\n"))
        fork_root = sha256(b"forked")
        fork = log.note(40, root=fork_root)
        self.assertEqual(self.add(40, [], fork)[0], 422)
        self.assertEqual(self.add(40, [], fork)[0], 422)  # Identical: kept once.
        status, ctype, answer = call(self.conn, "GET", "/evidence?origin=log.test/e")
        self.assertEqual(status, 200, answer)
        self.assertTrue(ctype.startswith("application/json"), ctype)
        rows = json.loads(answer)["evidence"]
        self.assertEqual([r["reason"] for r in rows], ["rollback", "fork"], rows)
        self.assertEqual(rows[0]["tree_size"], 30)
        self.assertEqual(rows[0]["witness_size"], 40)
        self.assertEqual(rows[0]["old_size"], 0)
        self.assertEqual(rows[0]["checkpoint"], rollback)
        self.assertEqual(rows[0]["root_hash"], log.root(30).hex())
        self.assertEqual(rows[1]["root_hash"], fork_root.hex())
        self.assertEqual(rows[1]["checkpoint"], fork)
        # Only a fork proves misbehaviour on its own; every row says what it means.
        self.assertEqual([r["proves"] for r in rows], [False, True])
        self.assertTrue(all(r["meaning"] for r in rows), rows)
        self.assertLess(rows[0]["id"], rows[1]["id"])
        self.assertTrue(rows[0]["received_at"].startswith("20"), rows[0])
        all_rows = json.loads(call(self.conn, "GET", "/evidence")[2])["evidence"]
        self.assertTrue(all(r["origin"] for r in all_rows))
        self.assertGreaterEqual(len(all_rows), 2)
        # Paged by id: after the rollback row, only the fork.
        later = json.loads(call(self.conn, "GET", f"/evidence?origin=log.test/e&after={rows[0]['id']}")[2])
        self.assertEqual([r["id"] for r in later["evidence"]], [rows[1]["id"]])
        self.assertEqual(call(self.conn, "GET", "/evidence?after=x")[0], 400)
        self.assertEqual(call(self.conn, "GET", "/evidence?bogus=1")[0], 400)
        self.assertIn('"event":"witness.evidence"', S.witness.log())

    def test_evidence_flood_and_cap(self):
        log = S.logs["h"]
        stranger = Ed25519PrivateKey.generate()
        self.assertEqual(self.add(0, [], log.note(40))[0], 200)

        def junk(note, i):
            # A line by a key the witness does not know: ignored, but it makes the bytes unique.
            text = note.split("\n\n", 1)[0] + "\n"
            return note + log.signature_line(text, key=stranger, key_id=i.to_bytes(4, "big")).replace(
                log.origin, "junk.test/x", 1)

        # Replaying an old checkpoint over and over, each time with another junk line: one row.
        old = log.note(30)
        for i in range(100):
            self.assertEqual(self.add(0, [], junk(old, i))[0], 409)
        # The log's next checkpoint with a garbage proof, again and again: one row.
        garbage = [sha256(b"garbage %d" % i) for i in range(3)]
        for i in range(30):
            self.assertEqual(self.add(40, garbage, junk(log.note(50), i))[0], 422)
        rows = json.loads(call(self.conn, "GET", "/evidence?origin=log.test/h")[2])["evidence"]
        self.assertEqual([(r["reason"], r["tree_size"]) for r in rows], [("rollback", 30), ("inconsistent", 50)])
        # Kept as the log signed it: its text and its own signature line, no junk line.
        self.assertEqual(rows[0]["checkpoint"], old)
        self.assertEqual(rows[1]["checkpoint"], log.note(50))
        self.assertNotIn("junk.test", json.dumps(rows))
        # The cap (3 here) is per origin and leaves forks out.
        self.assertEqual(self.add(0, [], log.note(20))[0], 409)  # The third row.
        self.assertEqual(self.add(0, [], log.note(10))[0], 409)  # Past the cap: logged only.
        self.assertEqual(self.add(40, [], log.note(40, root=sha256(b"forked h")))[0], 422)
        rows = json.loads(call(self.conn, "GET", "/evidence?origin=log.test/h")[2])["evidence"]
        self.assertEqual([(r["reason"], r["tree_size"]) for r in rows],
                         [("rollback", 30), ("inconsistent", 50), ("rollback", 20), ("fork", 40)])
        self.assertEqual([r["proves"] for r in rows], [False, False, False, True])
        self.assertIn('"event":"witness.evidence_full"', S.witness.log())
        # The cosigned checkpoint never moved.
        latest = call(self.conn, "GET", "/checkpoint?origin=log.test/h")[2].decode()
        self.assertTrue(latest.startswith(log.text(40)), latest)

    def test_get_checkpoint_by_origin_and_by_hash(self):
        log = S.logs["f"]
        status, _, cosig = self.add(0, [], log.note(12))
        self.assertEqual(status, 200)
        for path in ("/checkpoint?origin=log.test%2Ff",
                     "/" + hashlib.sha256(b"log.test/f").hexdigest() + "/checkpoint"):
            status, ctype, answer = call(self.conn, "GET", path)
            self.assertEqual(status, 200, (path, answer))
            self.assertEqual(ctype, "text/plain; charset=utf-8")
            note = answer.decode()
            self.assertTrue(api.verify_note_signature(note, log.vkey), note)
            self.assertTrue(note.endswith(cosig.decode()), note)
            verify_cosignature(cosig.decode(), log.text(12), S.vkey)
        self.assertEqual(call(self.conn, "GET", "/checkpoint?origin=log.test/nothing")[0], 404)
        self.assertEqual(call(self.conn, "GET", "/" + "0" * 64 + "/checkpoint")[0], 404)
        self.assertEqual(call(self.conn, "GET", "/healthz")[0], 200)
        self.assertEqual(call(self.conn, "GET", "/add-checkpoint")[0], 405)
        # One JSON line per request on stdout, without the query string.
        lines = [json.loads(l) for l in S.witness.log().split("\n") if l.startswith('{"duration_ms"')]
        self.assertTrue(any(l["path"] == "/checkpoint" and l["status"] == 404 and l["method"] == "GET"
                            for l in lines), lines[-5:])
        self.assertFalse(any("?" in l["path"] for l in lines))

    def test_concurrent_submissions_end_at_the_highest_size(self):
        log = S.logs["g"]
        sizes = list(range(3, 64, 3))
        results = []
        lock = threading.Lock()

        def submit(size):
            conn = S.witness.connect()
            old = 0
            try:
                for _ in range(100):
                    status, ctype, answer = call(conn, "POST", "/add-checkpoint",
                                                 body(old, log.proof(old, size) if old < size else [], log.note(size)))
                    if status == 409:
                        old = int(answer)
                        if old >= size:
                            break  # The witness is already past this size.
                        continue
                    with lock:
                        results.append((size, status))
                    break
            finally:
                conn.close()

        threads = [threading.Thread(target=submit, args=(size,)) for size in sizes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        self.assertTrue(all(status == 200 for _, status in results), results)
        note = call(self.conn, "GET", "/checkpoint?origin=log.test/g")[2].decode()
        self.assertTrue(note.startswith(log.text(max(sizes))), note)

    def test_zz_restart_keeps_state(self):
        log = S.logs["a"]
        self.add(0, [], log.note(10))  # Makes sure log a holds something whatever ran before.
        before = call(self.conn, "GET", "/checkpoint?origin=log.test/a")[2]
        self.conn.close()
        self.assertEqual(S.witness.stop(), 0)
        self.assertIn('"event":"shutdown.done"', S.witness.log())
        S.witness = Witness(S.witness.data_dir, S.witness.port)
        self.conn = S.witness.connect()
        self.assertEqual(call(self.conn, "GET", "/checkpoint?origin=log.test/a")[2], before)
        size = int(before.decode().split("\n")[1])
        self.assertEqual(self.add(0, [], log.note(size + 1)), (409, SIZE_TYPE, f"{size}\n".encode()))
        rows = json.loads(call(self.conn, "GET", "/evidence?origin=log.test/e")[2])["evidence"]
        self.assertEqual(len(rows), 2)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.stderr.write("usage: witness_test.py /path/to/jejak [unittest options]\n")
        sys.exit(2)
    api.JEJAK = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
