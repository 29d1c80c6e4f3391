#!/usr/bin/env python3
"""End-to-end tests of the log's witness pusher: a real `jejak serve` configured with a
witness (`witness = VKEY URL CA_FILE` in jejak.conf) that is a fake C2SP tlog-witness in
this process, over HTTPS with keep-alive: it checks the log's signature, the old size (409
with its size otherwise) and the consistency proof (422), and cosigns with cosignature/v1
computed here with Python's `cryptography`, so that the log's checks are held to an
independent implementation. Then it refuses, and the log must fail closed.

Usage: python3 tests/e2e/witness_push_test.py /path/to/jejak [unittest options]
Reuses the helpers of api_test.py (same directory).
"""

import base64
import http.server
import json
import os
import shutil
import socketserver
import ssl
import struct
import sys
import tempfile
import threading
import time
import datetime
import unittest

sys.dont_write_bytecode = True  # Importing api_test must leave no __pycache__ in the tree.

import api_test as api  # noqa: E402  (helpers only; its tests are not loaded here)

from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402
import ipaddress  # noqa: E402

WITNESS_NAME = "inspektorat.test/saksi"
EMPTY_ROOT = api.sha256(b"")


def cosigner_key_id(name, public_raw):
    # C2SP tlog-cosignature: SHA-256(name || "\n" || 0x04 || public key)[:4].
    return api.sha256(name.encode() + b"\n\x04" + public_raw)[:4]


def self_signed_certificate(directory):
    """A P-256 certificate for 127.0.0.1 and localhost; returns (cert path, key path)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(minutes=5))
                   .not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.SubjectAlternativeName(
                       [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                       critical=False)
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .sign(key, hashes.SHA256()))
    cert_path = os.path.join(directory, "witness-cert.pem")
    key_path = os.path.join(directory, "witness-key.pem")
    with open(cert_path, "wb") as f:
        f.write(certificate.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return cert_path, key_path


class FakeWitness:
    """A tlog-witness add-checkpoint endpoint for one log, over TLS with keep-alive."""

    def __init__(self, directory, log_vkey):
        self.log_vkey = log_vkey
        self.key = Ed25519PrivateKey.generate()
        self.public_raw = self.key.public_key().public_bytes(serialization.Encoding.Raw,
                                                            serialization.PublicFormat.Raw)
        self.key_id = cosigner_key_id(WITNESS_NAME, self.public_raw)
        self.vkey = (f"{WITNESS_NAME}+{self.key_id.hex()}+"
                     + base64.b64encode(b"\x04" + self.public_raw).decode())
        self.lock = threading.Lock()
        self.size, self.root = 0, EMPTY_ROOT
        self.mode = "honest"  # or "refuse" (422 to everything), or "down" (503)
        self.cosigned = []    # (old size, size) of each cosigned request, in order.
        self.connections = 0
        self.cert_path, key_path = self_signed_certificate(directory)
        witness = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # Keep-alive.

            def setup(self):
                super().setup()
                with witness.lock:
                    witness.connections += 1

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                status, body, kind = witness.add_checkpoint(self.path, self.rfile.read(length))
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True

        self.httpd = Server(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_path, key_path)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def config_line(self):
        return f"witness = {self.vkey} https://127.0.0.1:{self.port}/w {self.cert_path}\n"

    def add_checkpoint(self, path, raw):
        text = lambda status, message: (status, (message + "\n").encode(), "text/plain; charset=utf-8")  # noqa: E731
        if path != "/w/add-checkpoint":
            return text(404, "no such path")
        head, sep, note = raw.decode("utf-8").partition("\n\n")
        lines = head.split("\n")
        if not sep or not lines[0].startswith("old "):
            return text(400, "malformed")
        old = int(lines[0][4:])
        proof = [base64.b64decode(line, validate=True) for line in lines[1:]]
        if not api.verify_note_signature(note, self.log_vkey):
            return text(403, "no trusted signature")
        checkpoint = api.Checkpoint(note)
        with self.lock:
            if self.mode == "refuse":
                return text(422, "refused")
            if self.mode == "down":
                return text(503, "down for now")
            if old > checkpoint.size:
                return text(400, "old size above size")
            if old != self.size:
                return 409, f"{self.size}\n".encode(), "text/x.tlog.size"
            if old == checkpoint.size:
                if checkpoint.root != self.root:
                    return text(422, "same size, other root")
            elif old > 0 and not api.verify_consistency(old, checkpoint.size, self.root, checkpoint.root, proof):
                return text(422, "bad consistency proof")
            elif old == 0 and proof:
                return text(422, "proof from zero")
            self.cosigned.append((old, checkpoint.size))
            self.size, self.root = checkpoint.size, checkpoint.root
            stamp = int(time.time())
            message = b"cosignature/v1\ntime " + str(stamp).encode() + b"\n" + checkpoint.signed_text
            blob = self.key_id + struct.pack(">Q", stamp) + self.key.sign(message)
            line = f"\u2014 {WITNESS_NAME} {base64.b64encode(blob).decode()}\n"
            return 200, line.encode("utf-8"), "text/plain; charset=utf-8"


def cosignature_verifies(note, witness):
    """True if `note` carries a cosignature/v1 line by `witness` over its checkpoint text."""
    checkpoint = api.Checkpoint(note)
    for line in checkpoint.signature_lines:
        parts = line.split(" ")
        if len(parts) != 3 or parts[1] != WITNESS_NAME:
            continue
        blob = base64.b64decode(parts[2], validate=True)
        if len(blob) != 76 or blob[:4] != witness.key_id:
            return False
        stamp = struct.unpack(">Q", blob[4:12])[0]
        message = b"cosignature/v1\ntime " + str(stamp).encode() + b"\n" + checkpoint.signed_text
        witness.key.public_key().verify(blob[12:], message)  # Raises if it does not verify.
        return True
    return False


class WitnessPushTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="jejak-witness-push-test-")
        self.data = os.path.join(self.tmp, "log")
        api.init_ledger(self.data)
        with open(os.path.join(self.data, "keys", "checkpoint.vkey"), encoding="utf-8") as f:
            self.log_vkey = f.read().strip()
        self.witness = FakeWitness(self.tmp, self.log_vkey)
        with open(os.path.join(self.data, "jejak.conf"), "a", encoding="utf-8") as f:
            f.write(self.witness.config_line() + "witness_wait_max_seconds = 5\n")
        self.server = api.Server(self.data)
        self.admin = api.cli_token(self.data, "admin", "bpkad-admin")
        self.auditor = api.cli_token(self.data, "auditor", "bpk-auditor")

    def tearDown(self):
        self.server.stop()
        self.witness.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def append_opd(self, query=""):
        code = api.fresh_opd_code()
        return api.post("/v1/entries" + query, {"kind": "opd", "code": code, "name": "Dinas Uji " + code},
                        self.admin, server=self.server)

    def integrity(self):
        response = api.get("/v1/integrity", self.auditor, server=self.server)
        self.assertEqual(response.status, 200, response)
        return response.json()

    def wait_for(self, predicate, seconds=15):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.05)
        return predicate()

    def test_every_checkpoint_is_cosigned_and_served_with_the_checkpoint(self):
        sizes = []
        for _ in range(6):
            response = self.append_opd("?wait_witnesses=1")
            self.assertEqual(response.status, 201, response)
            body = response.json()
            self.assertEqual(body["witnesses"], {"cosigned": 1, "quorum": 1})
            self.assertTrue(api.verify_note_signature(body["checkpoint"], self.log_vkey))
            self.assertTrue(cosignature_verifies(body["checkpoint"], self.witness), body["checkpoint"])
            sizes.append(body["tree_size"])
        # Each checkpoint in order, each proved from the one before (the start-up push of
        # the genesis checkpoint first).
        with self.witness.lock:
            cosigned = list(self.witness.cosigned)
        self.assertEqual([size for _, size in cosigned][-len(sizes):], sizes)
        for (old, _), (_, previous) in zip(cosigned[1:], cosigned):
            self.assertEqual(old, previous)
        # One keep-alive connection carried them all.
        self.assertEqual(self.witness.connections, 1)
        # GET /v1/checkpoint and ?tree_size= serve the stored cosignature.
        latest = api.get("/v1/checkpoint", self.admin, server=self.server)
        self.assertEqual(latest.status, 200, latest)
        self.assertTrue(cosignature_verifies(latest.body.decode(), self.witness))
        older = api.get(f"/v1/checkpoint?tree_size={sizes[0]}", self.admin, server=self.server)
        self.assertTrue(cosignature_verifies(older.body.decode(), self.witness))
        state = self.integrity()
        self.assertIsNone(state["alert"])
        self.assertEqual(len(state["witnesses"]), 1)
        seen = state["witnesses"][0]
        self.assertEqual(seen["name"], WITNESS_NAME)
        self.assertEqual(seen["cosigned_size"], sizes[-1])
        self.assertEqual(seen["lag"], 0)
        self.assertEqual(seen["state"], "ok")
        metrics = api.get("/metrics", server=self.server).body.decode()
        self.assertIn(f'jejak_witness_cosignatures_total{{witness="{WITNESS_NAME}"}} {len(cosigned)}', metrics)
        # Without waiting the append still answers at once, and says how many had cosigned.
        quick = self.append_opd()
        self.assertEqual(quick.status, 201, quick)
        self.assertEqual(quick.json()["witnesses"]["quorum"], 1)
        self.assertIn(quick.json()["witnesses"]["cosigned"], (0, 1))

    def test_wait_witnesses_is_checked(self):
        for query, field in (("?wait_witnesses=2", "wait_witnesses"), ("?wait_witnesses=x", "wait_witnesses"),
                             ("?unknown=1", "unknown")):
            response = self.append_opd(query)
            self.assertEqual(response.status, 400, (query, response))
            self.assertEqual(response.header("content-type"), api.PROBLEM)
            self.assertIn(field, response.body.decode(), response)

    def test_a_refusal_fails_the_log_closed_with_the_alert_shown(self):
        first = self.append_opd("?wait_witnesses=1")
        self.assertEqual(first.status, 201, first)
        with self.witness.lock:
            self.witness.mode = "refuse"
        refused = self.append_opd()  # Committed; its checkpoint is what the witness refuses.
        self.assertEqual(refused.status, 201, refused)
        self.assertTrue(self.wait_for(lambda: self.integrity()["alert"] is not None))
        state = self.integrity()
        self.assertEqual(state["alert"]["witness"], WITNESS_NAME)
        self.assertIn("422", state["alert"]["what"])
        self.assertEqual(state["witnesses"][0]["state"], "refused")
        self.assertEqual(state["witnesses"][0]["lag"], refused.json()["tree_size"] - first.json()["tree_size"])
        after = self.append_opd()
        self.assertEqual(after.status, 503, after)
        self.assertIn("refused", after.json()["detail"])
        self.assertEqual(api.get("/readyz", server=self.server).status, 503)
        self.assertTrue(self.wait_for(lambda: '"event":"witness.refused","alert":true' in self.server.log_text()))

    def test_a_read_only_instance_pushes_nothing_and_shows_what_the_database_knows(self):
        response = self.append_opd("?wait_witnesses=1")
        self.assertEqual(response.status, 201, response)
        cosigned_size = response.json()["tree_size"]
        self.server.stop()
        requests_before = len(self.witness.cosigned)
        self.server = api.Server(self.data, args=["--read-only"])
        state = self.integrity()
        self.assertIsNone(state["alert"])
        seen = state["witnesses"][0]
        self.assertEqual(seen["state"], "pending")
        self.assertIn("read_only", seen["detail"])
        self.assertEqual(seen["cosigned_size"], cosigned_size)
        self.assertEqual(seen["lag"], 0)
        refused = self.append_opd("?wait_witnesses=1")
        self.assertEqual(refused.status, 503, refused)
        time.sleep(0.3)
        self.assertEqual(len(self.witness.cosigned), requests_before)

    def test_a_replay_after_a_restart_counts_the_stored_cosignatures(self):
        key = {"Idempotency-Key": "replay-" + api.fresh_opd_code()}
        code = api.fresh_opd_code()
        body = {"kind": "opd", "code": code, "name": "Dinas Uji " + code}
        first = api.post("/v1/entries?wait_witnesses=1", body, self.admin, headers=key, server=self.server)
        self.assertEqual(first.status, 201, first)
        self.assertEqual(first.json()["witnesses"], {"cosigned": 1, "quorum": 1})
        later = self.append_opd("?wait_witnesses=1")  # The replayed size is not the newest.
        self.assertEqual(later.status, 201, later)
        # A restart forgets what the pusher saw; the witness cannot answer meanwhile.
        self.server.stop()
        with self.witness.lock:
            self.witness.mode = "down"
        self.server = api.Server(self.data)
        replay = api.post("/v1/entries", body, self.admin, headers=key, server=self.server)
        self.assertEqual(replay.status, 201, replay)
        self.assertEqual(replay.header("idempotent-replayed"), "true")
        self.assertEqual(replay.json()["witnesses"], {"cosigned": 1, "quorum": 1})
        self.assertEqual(replay.json()["checkpoint"], first.json()["checkpoint"])
        self.assertTrue(cosignature_verifies(replay.json()["checkpoint"], self.witness))

    def test_a_witness_ahead_of_the_log_at_start_is_an_alarm(self):
        # As after restoring an older copy of the database: the witness has cosigned more
        # than the ledger now holds.
        self.server.stop()
        with self.witness.lock:
            self.witness.size = 1000
        self.server = api.Server(self.data)
        self.assertTrue(self.wait_for(lambda: self.integrity()["alert"] is not None))
        state = self.integrity()
        self.assertIn("rewound", state["alert"]["what"])
        self.assertEqual(state["witnesses"][0]["state"], "refused")
        response = self.append_opd()
        self.assertEqual(response.status, 503, response)
        self.assertIn("refused", response.json()["detail"])


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: witness_push_test.py /path/to/jejak [unittest options]")
    api.JEJAK = os.path.abspath(sys.argv[1])
    unittest.main(argv=[sys.argv[0]] + sys.argv[2:], verbosity=2)
