#!/usr/bin/env python3
"""End-to-end tests of Jejak's HTTPS API against a real `jejak serve`.

Usage: python3 tests/e2e/api_test.py /path/to/jejak [unittest options]

Needs Python 3.11 with the Debian packages python3-jwt and python3-cryptography
(ops/install-deps.sh installs them). Starts its own servers on free loopback ports in
scratch directories, and removes them at the end.
"""

import base64
import hashlib
import hmac
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import atexit

try:
    import jwt
    from cryptography.exceptions import InvalidSignature
except ImportError as error:  # pragma: no cover
    sys.stderr.write(f"api_test.py: {error}; needs the Debian packages python3-jwt and python3-cryptography "
                     f"(ops/install-deps.sh), run with the system python3 (/usr/bin/python3)\n")
    sys.exit(2)
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

JEJAK = None  # Path of the binary, from argv[1].

REGION = "Pemerintah Kabupaten Uji"
ORIGIN = "jejak.test/uji"
OPD_A = "1.02.0.00.0.00.01.0000"  # Dinas Kesehatan: officer_a's OPD.
OPD_B = "1.01.0.00.0.00.01.0000"  # Dinas Pendidikan: officer_b's OPD.
OPD_F = "1.03.0.00.0.00.01.0000"  # Filter fixtures only.
OPD_P = "4.01.0.00.0.00.01.0000"  # The 10,000-entry paging test only.
PROBLEM = "application/problem+json"


# --------------------------------------------------------------------------------------
# Server process


class Server:
    """One `jejak serve` child; its stdout (one JSON line per request) and stderr are
    drained by background threads so the pipes never fill, and kept for assertions."""

    running = []  # Stopped at exit even if tearDownModule never runs.

    def __init__(self, data_dir, port=None, args=(), start_seconds=10):
        """Serves `data_dir` on `port` (default: a free one) with extra `args`."""
        self.data_dir = data_dir
        self.port = port or free_port()
        self.args = list(args)
        self.stdout_lines = []
        self.stderr_lines = []
        self.lock = threading.Lock()
        self.proc = subprocess.Popen(
            [JEJAK, "serve", "--data", data_dir, "--listen", f"127.0.0.1:{self.port}", *self.args],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        Server.running.append(self)
        listening = threading.Event()

        def drain(stream, lines, watch):
            for raw in iter(stream.readline, b""):
                line = raw.decode("utf-8", "replace").rstrip("\n")
                with self.lock:
                    lines.append(line)
                if watch and line.startswith("listening on https://"):
                    listening.set()
            stream.close()

        self.threads = [
            threading.Thread(target=drain, args=(self.proc.stdout, self.stdout_lines, True), daemon=True),
            threading.Thread(target=drain, args=(self.proc.stderr, self.stderr_lines, False), daemon=True),
        ]
        for thread in self.threads:
            thread.start()
        deadline = time.monotonic() + start_seconds
        while not listening.wait(0.05):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"jejak serve {' '.join(self.args)} on port {self.port} did not start: "
                                   + "\n".join(self.stderr_lines[-20:]))
        self.context = ssl.create_default_context(cafile=os.path.join(data_dir, "tls", "cert.pem"))
        self.context.check_hostname = True

    def connect(self, timeout=30):
        return http.client.HTTPSConnection("127.0.0.1", self.port, context=self.context, timeout=timeout)

    def log_text(self):
        with self.lock:
            return "\n".join(self.stdout_lines + self.stderr_lines)

    def request_log(self):
        """The JSON request lines of stdout, parsed."""
        with self.lock:
            lines = list(self.stdout_lines)
        parsed = []
        for line in lines:
            if line.startswith("{"):
                try:
                    parsed.append(json.loads(line))
                except ValueError:
                    pass
        return parsed

    def terminate(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)

    def stop(self, timeout=10):
        self.terminate()
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for thread in self.threads:
            thread.join(5)
        return self.proc.returncode


@atexit.register
def _stop_servers():
    for server in Server.running:
        if server.proc.poll() is None:
            server.proc.kill()
            server.proc.wait()


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_cli(*args, check=True, timeout=120):
    result = subprocess.run([JEJAK, *args], capture_output=True, timeout=timeout)
    if check and result.returncode != 0:
        raise RuntimeError(f"jejak {' '.join(args)} exited {result.returncode}: "
                           + result.stderr.decode("utf-8", "replace"))
    return result


_databases = iter(range(1, 1 << 30))


def database_args():
    """`--db URL` for `jejak init`: nothing on SQLite (the default); with
    JEJAK_TEST_BACKEND=postgresql, a fresh database of its own in the test cluster whose
    superuser URL is in $JEJAK_TEST_PG_DIR/url."""
    if os.environ.get("JEJAK_TEST_BACKEND") != "postgresql":
        return []
    with open(os.path.join(os.environ["JEJAK_TEST_PG_DIR"], "url"), encoding="utf-8") as f:
        admin = f.read().strip()
    name = f"e2e_{os.getpid()}_{next(_databases)}"
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", admin,
                    "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)",
                    "-c", f"CREATE DATABASE {name}"], check=True, capture_output=True, timeout=60)
    return ["--db", admin.rsplit("/", 1)[0] + "/" + name]


def init_ledger(data_dir, *extra):
    run_cli("init", "--data", data_dir, "--region", REGION, "--origin", ORIGIN, *extra,
            *database_args())


def cli_token(data_dir, role, sub, opd=None, ttl="8h"):
    args = ["token", "--data", data_dir, "--role", role, "--sub", sub, "--ttl", ttl]
    if opd:
        args += ["--opd", opd]
    token = run_cli(*args).stdout.decode().strip()
    TOKENS_ISSUED.append(token)
    return token


def read_conf(data_dir):
    conf = {}
    with open(os.path.join(data_dir, "jejak.conf"), encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, value = line.split("=", 1)
                conf.setdefault(key.strip(), value.strip())
    return conf


# --------------------------------------------------------------------------------------
# HTTP helpers


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
        return f"<{self.status} {self.headers.get('content-type')} {self.body[:300]!r}>"


def request(method, path, body=None, token=None, headers=None, conn=None, server=None,
            content_type="application/json"):
    """One request; `body` is a dict/list (sent as JSON), bytes or str. Uses `conn`
    (keep-alive) when given, else a fresh connection to `server` (default: the main one)."""
    own = conn is None
    if own:
        conn = (server or S.server).connect()
    all_headers = {}
    if body is not None:
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        if content_type:
            all_headers["Content-Type"] = content_type
    if token:
        all_headers["Authorization"] = "Bearer " + token
    all_headers.update(headers or {})
    try:
        conn.request(method, path, body=body, headers=all_headers)
        raw = conn.getresponse()
        response = Response(raw.status, raw.getheaders(), raw.read())
    finally:
        if own:
            conn.close()
    return response


def get(path, token=None, **kw):
    return request("GET", path, token=token, **kw)


def post(path, body, token=None, **kw):
    return request("POST", path, body=body, token=token, **kw)


def tree_size(server=None):
    response = get("/readyz", server=server)
    assert response.status == 200, response
    return response.json()["tree_size"]


# --------------------------------------------------------------------------------------
# Entry bodies

_counter = [0]
_counter_lock = threading.Lock()


def unique(prefix):
    with _counter_lock:
        _counter[0] += 1
        return f"{prefix}-{os.getpid()}-{_counter[0]:06d}"


def expenditure(opd, bank_ref=None, account="5.1.02.01.01.0024", value_date="2026-02-03",
                fiscal_year=2026, gross="12500000.00"):
    """A valid expenditure (shape of ops/demo/expenditures.ndjson) with a fresh bank_ref."""
    return {
        "kind": "expenditure", "fiscal_year": fiscal_year, "opd": opd,
        "sub_activity": "1.02.02.2.01.0014", "account": account, "mechanism": "GU",
        "instrument": "cms_transfer", "value_date": value_date, "gross": gross,
        "taxes": [{"type": "PPN", "amount": "1126126.13"}, {"type": "PPh22", "amount": "168918.92"}],
        "net": cents_to_money(money_to_cents(gross) - 112612613 - 16891892),
        "payee": {"name": "CV Sinar Rejang", "npwp": "012345678901000", "bank": "Bank Bengkulu",
                  "account_no": "0012034567", "account_name": "CV SINAR REJANG"},
        "documents": {"spp": "00012/SPP-GU/1.02/2026", "spm": "00012/SPM-GU/1.02/2026",
                      "sp2d": "00045/SP2D-GU/2026", "evidence_no": "KW-0117/DINKES/II/2026",
                      "evidence_date": "2026-02-02"},
        "description": "Belanja alat tulis kantor triwulan I",
        "bank_ref": bank_ref or unique("CMS"),
        "procurement": {"method": "PL", "contract_no": "027/SPK/DINKES/2026", "contract_value": "12500000"},
    }


def simple_expenditure(opd, bank_ref):
    """A small valid expenditure without taxes, for bulk appends."""
    return {
        "kind": "expenditure", "fiscal_year": 2026, "opd": opd,
        "sub_activity": "1.02.02.2.01.0014", "account": "5.1.02.01.01.0024", "mechanism": "UP",
        "instrument": "kkpd", "value_date": "2026-03-01", "gross": "150000.00", "taxes": [],
        "net": "150000.00",
        "payee": {"name": "Toko Berkah", "bank": "Bank Bengkulu", "account_no": "0012999001",
                  "account_name": "TOKO BERKAH"},
        "documents": {"evidence_no": "NOTA-1", "evidence_date": "2026-03-01"},
        "bank_ref": bank_ref, "description": "Bahan habis pakai",
    }


def budget(opd, account="5.1.02.01.01.0024", pagu="150000000.00"):
    return {"kind": "budget", "fiscal_year": 2026, "opd": opd, "sub_activity": "1.02.02.2.01.0014",
            "account": account, "pagu": pagu, "stage": "murni",
            "monthly_plan": ["12500000.00"] * 12, "note": "APBD murni 2026"}


def money_to_cents(text):
    whole, _, frac = text.partition(".")
    return int(whole) * 100 + int((frac + "00")[:2])


def cents_to_money(cents):
    return f"{cents // 100}.{cents % 100:02d}"


_opd_counter = [0]


def fresh_opd_code():
    with _counter_lock:
        _opd_counter[0] += 1
        return f"9.99.9.99.9.99.{_opd_counter[0] % 100:02d}.{(os.getpid() + _opd_counter[0] // 100) % 10000:04d}"


# --------------------------------------------------------------------------------------
# Auditor-side verification: canonical form, RFC 9162 proofs, signed notes


def sha256(data):
    return hashlib.sha256(data).digest()


def canonical_bytes(entry):
    # RFC 8785 for the entry subset (no floats, ASCII keys).
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def leaf_hash(entry):
    return sha256(b"\x00" + canonical_bytes(entry))


def node_hash(left, right):
    return sha256(b"\x01" + left + right)


def verify_inclusion(index, size, leaf, proof, root):
    """RFC 9162 §2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first, second, first_root, second_root, proof):
    """RFC 9162 §2.1.4.2."""
    if first > second or first == 0:
        return False
    if first == second:
        return not proof and first_root == second_root
    proof = list(proof)
    if first & (first - 1) == 0:  # An exact power of two.
        proof.insert(0, first_root)
    if not proof:
        return False
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0


def merkle_root(leaves):
    """RFC 9162 MTH, for small trees in the tests of the verifiers themselves."""
    if not leaves:
        return sha256(b"")
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(merkle_root(leaves[:k]), merkle_root(leaves[k:]))


class Checkpoint:
    def __init__(self, note):
        self.note = note
        body, sep, signatures = note.partition("\n\n")
        assert sep, f"no blank line in note {note!r}"
        lines = body.split("\n")
        assert len(lines) >= 3, note
        self.origin = lines[0]
        assert re.fullmatch(r"[1-9][0-9]*|0", lines[1]), lines[1]
        self.size = int(lines[1])
        self.root = base64.b64decode(lines[2], validate=True)
        self.extensions = lines[3:]
        self.signed_text = (body + "\n").encode("utf-8")
        self.signature_lines = [line for line in signatures.split("\n") if line]
        self.chain = self.time = None
        for ext in self.extensions:
            if ext.startswith("chain "):
                self.chain = ext[len("chain "):]
            elif ext.startswith("time "):
                self.time = ext[len("time "):]


def parse_vkey(text):
    name, key_id_hex, key_b64 = text.strip().split("+", 2)  # base64 may hold "+"
    raw = base64.b64decode(key_b64, validate=True)
    assert raw[0] == 0x01 and len(raw) == 33, "not an Ed25519 signed-note key"
    key_id = bytes.fromhex(key_id_hex)
    # C2SP signed-note: key ID = first 4 bytes of SHA-256(name || "\n" || 0x01 || key).
    assert sha256(name.encode() + b"\n" + raw)[:4] == key_id, "verifier key ID does not match the key"
    return name, key_id, Ed25519PublicKey.from_public_bytes(raw[1:])


def verify_note_signature(note, vkey_text):
    """True if `note` carries a valid signature by the verifier key."""
    name, key_id, public_key = parse_vkey(vkey_text)
    checkpoint = Checkpoint(note)
    for line in checkpoint.signature_lines:
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != "\u2014" or parts[1] != name:
            continue
        blob = base64.b64decode(parts[2], validate=True)
        if blob[:4] != key_id or len(blob) != 68:
            continue
        try:
            public_key.verify(blob[4:], checkpoint.signed_text)
            return True
        except InvalidSignature:
            return False
    return False


# --------------------------------------------------------------------------------------
# JWTs


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def claims(role, sub, opd=None, **overrides):
    now = int(time.time())
    c = {"iss": S.conf["token_issuer"], "aud": S.conf.get("token_audience", "jejak"), "sub": sub,
         "role": role, "iat": now, "exp": now + 3600}
    if opd:
        c["opd"] = opd
    c.update(overrides)
    return c


def pyjwt_token(payload, key_pem=None, algorithm="ES256"):
    token = jwt.encode(payload, key_pem if key_pem is not None else S.issuer_private_pem, algorithm=algorithm)
    if isinstance(token, bytes):
        token = token.decode()
    TOKENS_ISSUED.append(token)
    return token


def handmade_token(header, payload, sign):
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(payload).encode())
    token = signing_input + "." + b64url(sign(signing_input.encode()))
    TOKENS_ISSUED.append(token)
    return token


# --------------------------------------------------------------------------------------
# Module fixture


class State:
    pass


S = State()
TOKENS_ISSUED = []


def setUpModule():
    S.tmp = tempfile.mkdtemp(prefix="jejak-api-test-")
    S.data = os.path.join(S.tmp, "main")
    init_ledger(S.data)
    S.conf = read_conf(S.data)
    with open(os.path.join(S.data, "keys", "checkpoint.vkey"), encoding="utf-8") as f:
        S.vkey = f.read().strip()
    with open(os.path.join(S.data, "keys", "token-issuer.pem"), "rb") as f:
        S.issuer_private_pem = f.read()
    with open(os.path.join(S.data, "keys", "token-issuer.pub.pem"), "rb") as f:
        S.issuer_public_pem = f.read()
    S.server = Server(S.data)
    S.admin = cli_token(S.data, "admin", "bpkad-admin")
    S.officer_a = cli_token(S.data, "officer", "bendahara-dinkes", OPD_A)
    S.officer_b = cli_token(S.data, "officer", "bendahara-disdik", OPD_B)
    S.officer_f = cli_token(S.data, "officer", "bendahara-pupr", OPD_F)
    S.officer_p = cli_token(S.data, "officer", "bendahara-setda", OPD_P)
    S.auditor = cli_token(S.data, "auditor", "bpk-auditor")
    S.executive = cli_token(S.data, "executive", "bupati")
    for code, name in [(OPD_A, "Dinas Kesehatan"), (OPD_B, "Dinas Pendidikan dan Kebudayaan"),
                       (OPD_F, "Dinas Pekerjaan Umum dan Penataan Ruang"), (OPD_P, "Sekretariat Daerah")]:
        response = post("/v1/entries", {"kind": "opd", "code": code, "name": name}, S.admin)
        if response.status != 201:
            raise RuntimeError(f"registering OPD {code}: {response}")
    for opd in (OPD_A, OPD_B):
        response = post("/v1/entries", budget(opd), S.admin)
        if response.status != 201:
            raise RuntimeError(f"budget for {opd}: {response}")


def tearDownModule():
    try:
        if getattr(S, "server", None):
            S.server.stop()
            if os.environ.get("JEJAK_E2E_LOG"):  # Keep the server's log for a look.
                with open(os.environ["JEJAK_E2E_LOG"], "w", encoding="utf-8") as f:
                    f.write(S.server.log_text() + "\n")
    finally:
        shutil.rmtree(S.tmp, ignore_errors=True)


class ApiTestCase(unittest.TestCase):
    maxDiff = 4000

    def assertProblem(self, response, status, field=None):
        """An RFC 9457 problem with the given status and a detail."""
        self.assertEqual(response.status, status, response)
        self.assertTrue((response.header("content-type") or "").startswith(PROBLEM), response)
        problem = response.json()
        self.assertEqual(problem.get("status"), status, problem)
        self.assertIsInstance(problem.get("detail"), str, problem)
        self.assertTrue(problem["detail"], problem)
        self.assertIn("title", problem)
        self.assertIn("type", problem)
        if field is not None:
            names = [e.get("field", "") for e in problem.get("errors", [])]
            self.assertTrue(any(field in name for name in names),
                            f"errors[] does not name {field!r}: {problem}")
        return problem

    def assertStillServing(self, server=None):
        response = get("/healthz", server=server)
        self.assertEqual(response.status, 200, response)

    def append(self, body, token, **kw):
        response = post("/v1/entries", body, token, **kw)
        self.assertEqual(response.status, 201, response)
        return response.json()

    def assertAppendVerifies(self, result):
        """What an auditor checks of a 201: leaf hash of the canonical entry, inclusion
        proof to the root of the signed checkpoint that came with it."""
        entry = result["entry"]
        leaf = leaf_hash(entry)
        self.assertEqual(result["leaf_hash"], leaf.hex())
        checkpoint = Checkpoint(result["checkpoint"])
        self.assertTrue(verify_note_signature(result["checkpoint"], S.vkey), result["checkpoint"])
        self.assertEqual(checkpoint.origin, ORIGIN)
        self.assertGreater(checkpoint.size, entry["seq"])
        proof = [bytes.fromhex(h) for h in result["inclusion_proof"]]
        self.assertTrue(verify_inclusion(entry["seq"], checkpoint.size, leaf, proof, checkpoint.root),
                        f"inclusion proof of seq {entry['seq']} does not reach the checkpoint root")
        return checkpoint


# --------------------------------------------------------------------------------------
# 1. Every route


class T01Routes(ApiTestCase):

    def test_healthz_and_readyz(self):
        response = get("/healthz")
        self.assertEqual(response.status, 200)
        self.assertEqual(response.json(), {"status": "ok"})
        response = get("/readyz")
        self.assertEqual(response.status, 200)
        body = response.json()
        self.assertEqual(body["status"], "ready")
        self.assertGreaterEqual(body["tree_size"], 7)  # genesis, 4 OPDs, 2 budgets

    def test_metrics_prometheus_text(self):
        self.append(expenditure(OPD_A), S.officer_a)  # So the append histograms have data.
        response = get("/metrics")
        self.assertEqual(response.status, 200, response)
        self.assertTrue(response.header("content-type").startswith("text/plain"))
        text = response.body.decode()
        for family, kind in [("jejak_http_requests_total", "counter"),
                             ("jejak_append_latency_seconds", "histogram"),
                             ("jejak_append_batch_entries", "histogram"),
                             ("jejak_ledger_entries", "gauge"),
                             ("jejak_checkpoint_age_seconds", "gauge")]:
            self.assertIn(f"# TYPE {family} {kind}\n", text)
        self.assertRegex(text, r'jejak_http_requests_total\{method="POST",route="/v1/entries",status="201"\} [1-9]')
        for histogram in ("jejak_append_latency_seconds", "jejak_append_batch_entries"):
            self.assertRegex(text, histogram + r'_bucket\{le="\+Inf"\} [1-9]')
            self.assertRegex(text, histogram + r"_sum [0-9.e+-]+\n")
            self.assertRegex(text, histogram + r"_count [1-9][0-9]*\n")
        entries = int(re.search(r"^jejak_ledger_entries (\d+)$", text, re.M).group(1))
        self.assertEqual(entries, tree_size())
        age = float(re.search(r"^jejak_checkpoint_age_seconds (\S+)$", text, re.M).group(1))
        self.assertGreaterEqual(age, 0)
        self.assertLess(age, 600)

    def test_openapi_yaml(self):
        response = get("/v1/openapi.yaml")
        self.assertEqual(response.status, 200)
        self.assertTrue(response.body.decode().startswith("openapi: 3.1"), response.body[:50])

    def test_checkpoint_is_a_signed_note(self):
        response = get("/v1/checkpoint")
        self.assertEqual(response.status, 200)
        self.assertTrue(response.header("content-type").startswith("text/plain"))
        note = response.body.decode("utf-8")
        lines = note.split("\n")
        self.assertEqual(lines[0], ORIGIN)
        self.assertRegex(lines[1], r"^[1-9][0-9]*$")
        self.assertEqual(len(base64.b64decode(lines[2], validate=True)), 32)
        self.assertRegex(lines[3], r"^chain [0-9a-f]{64}$")
        self.assertRegex(lines[4], r"^time \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
        self.assertEqual(lines[5], "")
        self.assertTrue(lines[6].startswith("\u2014 " + ORIGIN + " "), lines[6])
        self.assertTrue(note.endswith("\n"))
        self.assertTrue(verify_note_signature(note, S.vkey))
        self.assertEqual(int(lines[1]), tree_size())
        # The chain line is the chain hash of the last entry.
        seq = int(lines[1]) - 1
        entry = get(f"/v1/entries/{seq}", S.auditor).json()
        self.assertEqual(lines[3], "chain " + entry["chain_hash"])

    def test_post_entry_returns_201_with_proof_and_location(self):
        body = expenditure(OPD_A)
        response = post("/v1/entries", body, S.officer_a)
        self.assertEqual(response.status, 201, response)
        self.assertTrue(response.header("content-type").startswith("application/json"))
        result = response.json()
        for key in ("entry", "leaf_hash", "chain_hash", "checkpoint", "inclusion_proof", "warnings"):
            self.assertIn(key, result)
        entry = result["entry"]
        self.assertEqual(response.header("location"), f"/v1/entries/{entry['seq']}")
        self.assertEqual(entry["v"], 1)
        self.assertEqual(entry["recorded_by"], "bendahara-dinkes")
        self.assertRegex(entry["recorded_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertEqual(entry["bank_ref"], body["bank_ref"])
        self.assertEqual(entry["procurement"]["contract_value"], "12500000.00")  # Two decimals stored.
        self.assertIsInstance(result["warnings"], list)
        self.assertRegex(result["chain_hash"], r"^[0-9a-f]{64}$")
        checkpoint = self.assertAppendVerifies(result)
        # chain_hash(n) = SHA-256(chain_hash(n-1) || leaf_hash(n)).
        previous = get(f"/v1/entries/{entry['seq'] - 1}", S.auditor).json()
        self.assertEqual(sha256(bytes.fromhex(previous["chain_hash"]) + bytes.fromhex(result["leaf_hash"])).hex(),
                         result["chain_hash"])
        if checkpoint.size == entry["seq"] + 1:
            self.assertEqual(checkpoint.chain, result["chain_hash"])

    def test_reversal_route(self):
        original = self.append(expenditure(OPD_A), S.officer_a)["entry"]
        response = post(f"/v1/entries/{original['seq']}/reversal", {"reason": "Salah kode rekening"}, S.officer_a)
        self.assertEqual(response.status, 201, response)
        result = response.json()
        self.assertEqual(result["entry"]["kind"], "reversal")
        self.assertEqual(result["entry"]["reverses"], original["seq"])
        self.assertEqual(result["entry"]["reason"], "Salah kode rekening")
        self.assertEqual(response.header("location"), f"/v1/entries/{result['entry']['seq']}")
        self.assertAppendVerifies(result)
        # Reversing it again is refused (not yet reversed only), and writes nothing.
        size = tree_size()
        again = post(f"/v1/entries/{original['seq']}/reversal", {"reason": "lagi"}, S.officer_a)
        self.assertIn(again.status, (400, 409), again)
        self.assertProblem(again, again.status)
        self.assertEqual(tree_size(), size)
        # A reversal of a reversal, of a non-expenditure, or of a missing seq: 4xx.
        for seq in (result["entry"]["seq"], 10 ** 12):
            bad = post(f"/v1/entries/{seq}/reversal", {"reason": "x"}, S.officer_a)
            self.assertIn(bad.status, (400, 403, 404, 409), bad)
            self.assertProblem(bad, bad.status)
        self.assertEqual(tree_size(), size)

    def test_bank_statement_is_not_posted_to_entries(self):
        statement = {"kind": "bank_statement", "bank": "BPD Bengkulu", "account_no": "0010000001",
                     "account_role": "rkud", "period_start": "2026-03-01", "period_end": "2026-03-31",
                     "currency": "IDR", "opening_balance": "10", "closing_balance": "10",
                     "format": "mt940", "file_sha256": "a" * 64, "lines": []}
        size = tree_size()
        for token in (S.admin, S.officer_a):
            response = post("/v1/entries", statement, token)
            self.assertProblem(response, 422, "kind")
            self.assertEqual(response.json()["errors"],
                             [{"field": "kind",
                               "message": "bank statements are uploaded to POST /v1/bank-statements"}])
        indonesian = post("/v1/entries", statement, S.admin, headers={"Accept-Language": "id"})
        self.assertEqual(indonesian.status, 422, indonesian)
        self.assertEqual(indonesian.json()["errors"][0]["message"],
                         "rekening koran bank diunggah ke POST /v1/bank-statements")
        self.assertEqual(tree_size(), size)

    def test_get_entry_with_inclusion_proof_to_latest_checkpoint(self):
        appended = self.append(expenditure(OPD_A), S.officer_a)
        seq = appended["entry"]["seq"]
        for token in (S.auditor, S.officer_a, S.executive):
            response = get(f"/v1/entries/{seq}", token)
            self.assertEqual(response.status, 200, response)
            result = response.json()
            self.assertEqual(result["entry"], appended["entry"])
            self.assertEqual(result["leaf_hash"], appended["leaf_hash"])
            self.assertEqual(result["chain_hash"], appended["chain_hash"])
            self.assertAppendVerifies(result)
        missing = get("/v1/entries/999999999", S.auditor)
        self.assertProblem(missing, 404)

    def test_list_entries_filters_and_paging(self):
        # Six entries of OPD_F with distinct accounts, dates and years.
        specs = [("5.1.02.01.01.0024", "2026-01-15", 2026), ("5.1.02.01.01.0026", "2026-02-10", 2026),
                 ("5.1.02.01.01.0024", "2026-03-05", 2026), ("5.1.02.02.01.0029", "2026-03-31", 2026),
                 ("5.1.02.01.01.0024", "2025-12-20", 2025), ("5.1.02.01.01.0026", "2026-04-01", 2026)]
        made = []
        for account, date, year in specs:
            entry = self.append(expenditure(OPD_F, account=account, value_date=date, fiscal_year=year),
                                S.officer_f)["entry"]
            made.append(entry)
        # The OPD's own registration entry belongs to it too (its `code` is its OPD).
        registration = self.page_all(f"/v1/entries?opd={OPD_F}&kind=opd", S.auditor)
        self.assertEqual([r["entry"]["code"] for r in registration], [OPD_F])

        def seqs(query):
            return [r["entry"]["seq"] for r in self.page_all(f"/v1/entries?opd={OPD_F}&{query}", S.auditor)]

        def expect(pred):
            return [e["seq"] for e in made if pred(e)]

        self.assertEqual(seqs("kind=expenditure"), expect(lambda e: True))
        self.assertEqual(seqs("fiscal_year=2025"), expect(lambda e: e["fiscal_year"] == 2025))
        self.assertEqual(seqs("account=5.1.02.01.01.0024"), expect(lambda e: e["account"] == "5.1.02.01.01.0024"))
        self.assertEqual(seqs("from=2026-02-10&to=2026-03-31"),
                         expect(lambda e: "2026-02-10" <= e["value_date"] <= "2026-03-31"))
        self.assertEqual(seqs("from=2026-03-06"), expect(lambda e: e["value_date"] >= "2026-03-06"))
        self.assertEqual(seqs("to=2026-01-15"), expect(lambda e: e["value_date"] <= "2026-01-15"))
        self.assertEqual(seqs(f"after_seq={made[2]['seq']}"), [e["seq"] for e in made[3:]])
        self.assertEqual(seqs("fiscal_year=2026&account=5.1.02.01.01.0026&kind=expenditure"),
                         expect(lambda e: e["fiscal_year"] == 2026 and e["account"] == "5.1.02.01.01.0026"))
        # limit and next_after_seq.
        page = get(f"/v1/entries?opd={OPD_F}&kind=expenditure&limit=2", S.auditor).json()
        self.assertEqual([r["entry"]["seq"] for r in page["entries"]], [made[0]["seq"], made[1]["seq"]])
        self.assertEqual(page["next_after_seq"], made[1]["seq"])
        for row in page["entries"]:
            self.assertEqual(row["leaf_hash"], leaf_hash(row["entry"]).hex())
            self.assertRegex(row["chain_hash"], r"^[0-9a-f]{64}$")
        last = get(f"/v1/entries?opd={OPD_F}&after_seq={made[3]['seq']}&limit=2", S.auditor).json()
        self.assertEqual(len(last["entries"]), 2)
        self.assertIsNone(last["next_after_seq"])
        # Bad filters: 400 naming the parameter.
        for query, field in [("limit=0", "limit"), ("limit=1001", "limit"), ("limit=x", "limit"),
                             ("fiscal_year=20x6", "fiscal_year"), ("opd=1.02", "opd"), ("kind=gift", "kind"),
                             ("from=2026-1-1", "from"), ("after_seq=-5", "after_seq"), ("colour=red", "colour"),
                             ("limit=1&limit=2", "limit")]:
            self.assertProblem(get(f"/v1/entries?{query}", S.auditor), 400, field)

    def page_all(self, path, token, limit_pages=100):
        rows, after = [], None
        for _ in range(limit_pages):
            url = path + (f"&after_seq={after}" if after is not None else "")
            response = get(url, token)
            self.assertEqual(response.status, 200, response)
            page = response.json()
            rows += page["entries"]
            after = page["next_after_seq"]
            if after is None:
                return rows
        self.fail("too many pages")

    def test_inclusion_proof_route(self):
        appended = self.append(expenditure(OPD_A), S.officer_a)
        seq = appended["entry"]["seq"]
        checkpoint = Checkpoint(get("/v1/checkpoint").body.decode())
        for size in sorted({seq + 1, checkpoint.size}):
            response = get(f"/v1/proofs/inclusion?seq={seq}&tree_size={size}", S.auditor)
            self.assertEqual(response.status, 200, response)
            proof = response.json()
            self.assertEqual(proof["seq"], seq)
            self.assertEqual(proof["tree_size"], size)
            self.assertEqual(proof["leaf_hash"], appended["leaf_hash"])
        # Against the root of the latest checkpoint (tree_size omitted: the latest size).
        proof = get(f"/v1/proofs/inclusion?seq={seq}&tree_size={checkpoint.size}", S.auditor).json()
        self.assertTrue(verify_inclusion(seq, checkpoint.size, bytes.fromhex(appended["leaf_hash"]),
                                         [bytes.fromhex(h) for h in proof["hashes"]], checkpoint.root))
        default = get(f"/v1/proofs/inclusion?seq={seq}", S.auditor).json()
        self.assertEqual(default["tree_size"], tree_size())
        # Genesis (seq 0) in every tree.
        proof = get(f"/v1/proofs/inclusion?seq=0&tree_size={checkpoint.size}", S.auditor).json()
        genesis = get("/v1/entries/0", S.auditor).json()["entry"]
        self.assertEqual(genesis["kind"], "genesis")
        self.assertEqual(genesis["origin"], ORIGIN)
        self.assertEqual(genesis["region"], REGION)
        self.assertTrue(verify_inclusion(0, checkpoint.size, leaf_hash(genesis),
                                         [bytes.fromhex(h) for h in proof["hashes"]], checkpoint.root))
        # Out of range and missing parameters: 400.
        self.assertProblem(get(f"/v1/proofs/inclusion?seq={seq}&tree_size={seq}", S.auditor), 400)
        self.assertProblem(get("/v1/proofs/inclusion?tree_size=3", S.auditor), 400, "seq")
        self.assertProblem(get(f"/v1/proofs/inclusion?seq=0&tree_size={checkpoint.size + 10 ** 6}", S.auditor), 400)

    def test_consistency_proof_route(self):
        # Checkpoints at several sizes (one per 201), then every pair must be consistent.
        notes = [get("/v1/checkpoint").body.decode()]
        for _ in range(5):
            notes.append(self.append(expenditure(OPD_A), S.officer_a)["checkpoint"])
        checkpoints = sorted({c.size: c for c in map(Checkpoint, notes)}.values(), key=lambda c: c.size)
        checked = 0
        for i, old in enumerate(checkpoints):
            for new in checkpoints[i:]:
                response = get(f"/v1/proofs/consistency?first={old.size}&second={new.size}", S.auditor)
                self.assertEqual(response.status, 200, response)
                proof = response.json()
                self.assertEqual((proof["first"], proof["second"]), (old.size, new.size))
                hashes = [bytes.fromhex(h) for h in proof["hashes"]]
                self.assertTrue(verify_consistency(old.size, new.size, old.root, new.root, hashes),
                                f"consistency {old.size} -> {new.size} does not verify")
                checked += 1
        self.assertGreaterEqual(checked, 6)
        # From tree size 1 (the genesis leaf alone, a power of two) and 2, 4, ...
        genesis = get("/v1/entries/0", S.auditor).json()
        latest = checkpoints[-1]
        proof = get(f"/v1/proofs/consistency?first=1&second={latest.size}", S.auditor).json()
        self.assertTrue(verify_consistency(1, latest.size, bytes.fromhex(genesis["leaf_hash"]), latest.root,
                                           [bytes.fromhex(h) for h in proof["hashes"]]))
        self.assertProblem(get(f"/v1/proofs/consistency?first={latest.size}&second=1", S.auditor), 400)
        self.assertProblem(get("/v1/proofs/consistency?second=2", S.auditor), 400, "first")
        self.assertProblem(get("/v1/proofs/consistency?first=0&second=2", S.auditor), 400, "first")

    def test_verify_route(self):
        response = get("/v1/verify", S.auditor)
        self.assertEqual(response.status, 200, response)
        report = response.json()
        self.assertIs(report["ok"], True, report)
        size = tree_size()
        self.assertEqual(report["from_seq"], 0)
        self.assertGreaterEqual(report["to_seq"], size - 1)
        ranged = get("/v1/verify?from_seq=2&to_seq=5", S.auditor).json()
        self.assertIs(ranged["ok"], True, ranged)
        self.assertEqual((ranged["from_seq"], ranged["to_seq"]), (2, 5))
        self.assertProblem(get("/v1/verify?from_seq=5&to_seq=2", S.auditor), 400)
        self.assertProblem(get(f"/v1/verify?to_seq={10 ** 12}", S.auditor), 400, "to_seq")


# --------------------------------------------------------------------------------------
# 2. The verifiers themselves (so a passing proof check means something)


class T02AuditorVerifiers(ApiTestCase):

    def test_python_verifiers_against_a_local_tree(self):
        leaves = [sha256(bytes([i])) for i in range(1, 12)]
        for size in range(1, len(leaves) + 1):
            root = merkle_root(leaves[:size])
            for index in range(size):
                proof = local_inclusion(leaves[:size], index)
                self.assertTrue(verify_inclusion(index, size, leaves[index], proof, root))
                if proof:
                    broken = list(proof)
                    broken[0] = sha256(broken[0])
                    self.assertFalse(verify_inclusion(index, size, leaves[index], broken, root))
            for first in range(1, size + 1):
                proof = local_consistency(leaves[:size], first)
                old = merkle_root(leaves[:first])
                self.assertTrue(verify_consistency(first, size, old, root, proof), (first, size))
                if first < size:
                    self.assertFalse(verify_consistency(first, size, sha256(old), root, proof))

    def test_server_proofs_match_a_local_tree_of_all_leaves(self):
        size = Checkpoint(get("/v1/checkpoint").body.decode()).size
        rows = []
        after = -1
        for _ in range(50):
            page = get(f"/v1/entries?after_seq={after}&limit=1000", S.auditor).json()
            rows += page["entries"]
            if page["next_after_seq"] is None:
                break
            after = page["next_after_seq"]
        # Genesis, OPD and budget entries have no `opd` column... the auditor sees all.
        leaves = {r["entry"]["seq"]: bytes.fromhex(r["leaf_hash"]) for r in rows}
        for seq, row in ((r["entry"]["seq"], r) for r in rows):
            self.assertEqual(row["leaf_hash"], leaf_hash(row["entry"]).hex(), f"seq {seq}")
        self.assertEqual(sorted(leaves)[: size], list(range(size)))
        checkpoint = Checkpoint(get("/v1/checkpoint").body.decode())
        local = [leaves[i] for i in range(checkpoint.size)]
        self.assertEqual(merkle_root(local), checkpoint.root)
        # chain hashes, recomputed.
        chain = b"\x00" * 32
        by_seq = {r["entry"]["seq"]: r for r in rows}
        for seq in range(checkpoint.size):
            chain = sha256(chain + leaves[seq])
            self.assertEqual(by_seq[seq]["chain_hash"], chain.hex(), f"chain hash of seq {seq}")
        self.assertEqual(checkpoint.chain, chain.hex())
        for seq in (0, 1, checkpoint.size // 2, checkpoint.size - 1):
            proof = get(f"/v1/proofs/inclusion?seq={seq}&tree_size={checkpoint.size}", S.auditor).json()
            self.assertEqual([bytes.fromhex(h) for h in proof["hashes"]], local_inclusion(local, seq))

    def test_checkpoint_signature_is_checked(self):
        note = get("/v1/checkpoint").body.decode()
        self.assertTrue(verify_note_signature(note, S.vkey))
        lines = note.split("\n")
        lines[1] = str(int(lines[1]) + 1)
        self.assertFalse(verify_note_signature("\n".join(lines), S.vkey))


def local_inclusion(leaves, index):
    """RFC 9162 PATH(m, D[n])."""
    if len(leaves) <= 1:
        return []
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    if index < k:
        return local_inclusion(leaves[:k], index) + [merkle_root(leaves[k:])]
    return local_inclusion(leaves[k:], index - k) + [merkle_root(leaves[:k])]


def local_consistency(leaves, first):
    """RFC 9162 PROOF(m, D[n])."""
    def subproof(m, d, b):
        if m == len(d):
            return [] if b else [merkle_root(d)]
        k = 1
        while k * 2 < len(d):
            k *= 2
        if m <= k:
            return subproof(m, d[:k], b) + [merkle_root(d[k:])]
        return subproof(m - k, d[k:], False) + [merkle_root(d[:k])]
    return subproof(first, leaves, True)


# --------------------------------------------------------------------------------------
# 3. Role matrix


class T03RoleMatrix(ApiTestCase):

    ROLES = ("officer_own", "officer_other", "auditor", "executive", "admin", "none")

    def token(self, role):
        return {"officer_own": S.officer_a, "officer_other": S.officer_b, "auditor": S.auditor,
                "executive": S.executive, "admin": S.admin, "none": None}[role]

    def check(self, label, expected, make_request):
        """expected: role -> status. make_request(token) -> Response. Writes nothing
        unless the status is 2xx."""
        for role in self.ROLES:
            with self.subTest(route=label, role=role):
                size = tree_size()
                response = make_request(self.token(role))
                want = expected[role]
                self.assertEqual(response.status, want, f"{label} as {role}: {response}")
                if want >= 400:
                    self.assertProblem(response, want)
                    if want == 401:
                        self.assertEqual(response.header("www-authenticate"), "Bearer")
                    self.assertEqual(tree_size(), size, f"{label} as {role} wrote an entry")

    def test_post_expenditure(self):
        self.check("POST /v1/entries expenditure of own OPD",
                   {"officer_own": 201, "officer_other": 403, "auditor": 403, "executive": 403,
                    "admin": 403, "none": 401},
                   lambda token: post("/v1/entries", expenditure(OPD_A), token))

    def test_post_tax_deposit(self):
        covered = self.append(expenditure(OPD_A), S.officer_a)["entry"]["seq"]

        def deposit(token):
            n = int(unique("n").rsplit("-", 1)[1])
            body = {"kind": "tax_deposit", "fiscal_year": 2026, "opd": OPD_A, "tax_type": "PPN",
                    "amount": "1126126.13", "billing_code": f"8202603{n:08d}", "ntpn": f"NTPN{n:012d}",
                    "deposit_date": "2026-03-10", "covers": [covered]}
            return post("/v1/entries", body, token)

        self.check("POST /v1/entries tax_deposit of own OPD",
                   {"officer_own": 201, "officer_other": 403, "auditor": 403, "executive": 403,
                    "admin": 403, "none": 401}, deposit)

    def test_post_opd_and_budget(self):
        admin_only = {"officer_own": 403, "officer_other": 403, "auditor": 403, "executive": 403,
                      "admin": 201, "none": 401}
        self.check("POST /v1/entries opd", admin_only,
                   lambda token: post("/v1/entries", {"kind": "opd", "code": fresh_opd_code(), "name": "UPTD Uji"},
                                      token))
        self.check("POST /v1/entries budget", admin_only,
                   lambda token: post("/v1/entries", budget(OPD_A, pagu="160000000.00"), token))

    def test_post_reversal(self):
        # Each role reverses a fresh expenditure of OPD_A.
        for role in self.ROLES:
            with self.subTest(role=role):
                seq = self.append(expenditure(OPD_A), S.officer_a)["entry"]["seq"]
                size = tree_size()
                response = post(f"/v1/entries/{seq}/reversal", {"reason": "Salah input"}, self.token(role))
                want = {"officer_own": 201, "officer_other": 403, "auditor": 403, "executive": 403,
                        "admin": 403, "none": 401}[role]
                self.assertEqual(response.status, want, f"reversal as {role}: {response}")
                if want >= 400:
                    self.assertProblem(response, want)
                    self.assertEqual(tree_size(), size)
                else:
                    self.assertEqual(tree_size(), size + 1)

    def test_get_entries(self):
        readers = {"officer_own": 200, "officer_other": 403, "auditor": 200, "executive": 200,
                   "admin": 403, "none": 401}
        self.check("GET /v1/entries?opd=A", readers, lambda token: get(f"/v1/entries?opd={OPD_A}&limit=5", token))
        # Without a filter, an officer sees only their own OPD.
        post("/v1/entries", expenditure(OPD_B), S.officer_b)
        page = get("/v1/entries?limit=1000", S.officer_b).json()
        self.assertTrue(page["entries"])
        for row in page["entries"]:
            entry = row["entry"]
            self.assertEqual(entry.get("opd", entry.get("code")), OPD_B, row)

    def test_get_entry(self):
        seq = self.append(expenditure(OPD_A), S.officer_a)["entry"]["seq"]
        self.check("GET /v1/entries/{seq of A}",
                   {"officer_own": 200, "officer_other": 403, "auditor": 200, "executive": 200,
                    "admin": 403, "none": 401},
                   lambda token: get(f"/v1/entries/{seq}", token))

    def test_proofs_and_verify(self):
        auditor_only = {"officer_own": 403, "officer_other": 403, "auditor": 200, "executive": 403,
                        "admin": 403, "none": 401}
        self.check("GET /v1/proofs/inclusion", auditor_only,
                   lambda token: get("/v1/proofs/inclusion?seq=1&tree_size=3", token))
        self.check("GET /v1/proofs/consistency", auditor_only,
                   lambda token: get("/v1/proofs/consistency?first=2&second=5", token))
        self.check("GET /v1/verify", auditor_only, lambda token: get("/v1/verify?from_seq=0&to_seq=4", token))

    def test_public_routes_need_no_token(self):
        for path in ("/healthz", "/readyz", "/metrics", "/v1/openapi.yaml", "/v1/checkpoint"):
            for role in self.ROLES:
                with self.subTest(path=path, role=role):
                    self.assertEqual(get(path, self.token(role)).status, 200)


# --------------------------------------------------------------------------------------
# 4, 5. Idempotency and duplicate bank references


class T04Idempotency(ApiTestCase):

    def test_same_key_same_body_replays_first_response(self):
        key = unique("idem")
        body = expenditure(OPD_A)
        first = post("/v1/entries", body, S.officer_a, headers={"Idempotency-Key": key})
        self.assertEqual(first.status, 201, first)
        self.assertIsNone(first.header("idempotent-replayed"))
        size = tree_size()
        second = post("/v1/entries", body, S.officer_a, headers={"Idempotency-Key": key})
        self.assertEqual(second.status, 201, second)
        self.assertEqual(second.header("idempotent-replayed"), "true")
        self.assertEqual(second.body, first.body)
        self.assertEqual(second.header("location"), first.header("location"))
        self.assertEqual(tree_size(), size)
        # Key order and whitespace do not make a different request.
        reordered = json.dumps(dict(reversed(list(body.items()))), indent=2)
        third = post("/v1/entries", reordered, S.officer_a, headers={"Idempotency-Key": key})
        self.assertEqual(third.status, 201, third)
        self.assertEqual(third.json(), first.json())
        self.assertEqual(tree_size(), size)

    def test_same_key_different_body_is_409(self):
        key = unique("idem")
        body = expenditure(OPD_A)
        self.assertEqual(post("/v1/entries", body, S.officer_a, headers={"Idempotency-Key": key}).status, 201)
        size = tree_size()
        other = dict(body, bank_ref=unique("CMS"))
        response = post("/v1/entries", other, S.officer_a, headers={"Idempotency-Key": key})
        self.assertProblem(response, 409)
        self.assertEqual(tree_size(), size)

    def test_duplicate_bank_ref_is_409_naming_the_holder(self):
        body = expenditure(OPD_A)
        holder = self.append(body, S.officer_a)["entry"]["seq"]
        size = tree_size()
        again = dict(body, description="Dicatat dua kali")
        response = post("/v1/entries", again, S.officer_a)
        problem = self.assertProblem(response, 409)
        self.assertRegex(problem["detail"], rf"\b{holder}\b")
        self.assertIn(body["bank_ref"], problem["detail"])
        self.assertEqual(tree_size(), size)
        # Even from another OPD's officer: bank_ref is unique in the whole ledger.
        response = post("/v1/entries", dict(body, opd=OPD_B), S.officer_b)
        problem = self.assertProblem(response, 409)
        self.assertRegex(problem["detail"], rf"\b{holder}\b")
        self.assertEqual(tree_size(), size)


# --------------------------------------------------------------------------------------
# 6. Paging through 10,000 entries


class T05Paging(ApiTestCase):

    COUNT = 10_000
    THREADS = 16

    def test_append_10000_concurrently_then_page_through_them(self):
        start_metrics = get("/metrics").body.decode()
        batches_before = int(re.search(r"^jejak_append_batch_entries_count (\d+)$", start_metrics, re.M).group(1))
        acknowledged = {}
        errors = []
        lock = threading.Lock()
        per_thread = self.COUNT // self.THREADS
        deadline = time.monotonic() + 120
        run_id = unique("PG")

        def worker(index):
            conn = S.server.connect(timeout=30)
            try:
                for i in range(per_thread):
                    if time.monotonic() > deadline:
                        errors.append(f"thread {index}: out of time at {i}")
                        return
                    ref = f"{run_id}-{index:02d}-{i:05d}"
                    try:
                        response = post("/v1/entries", simple_expenditure(OPD_P, ref), S.officer_p, conn=conn)
                    except (http.client.HTTPException, OSError) as e:
                        conn.close()
                        conn = S.server.connect(timeout=30)
                        errors.append(f"thread {index}: {e!r}")
                        continue
                    if response.status != 201:
                        errors.append(f"thread {index}: {response}")
                        continue
                    with lock:
                        acknowledged[response.json()["entry"]["seq"]] = ref
            finally:
                conn.close()

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(self.THREADS)]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(150)
        elapsed = time.monotonic() - began
        self.assertEqual(errors[:5], [])
        self.assertEqual(len(acknowledged), per_thread * self.THREADS)
        metrics = get("/metrics").body.decode()
        batches = int(re.search(r"^jejak_append_batch_entries_count (\d+)$", metrics, re.M).group(1)) - batches_before
        sys.stderr.write(f"\n  [{len(acknowledged)} appends in {elapsed:.1f}s, {batches} group commits] ")
        self.assertLess(batches, len(acknowledged), "group commit never batched two appends")

        # Page through every expenditure with after_seq until next_after_seq is null.
        seen = []
        after = None
        conn = S.server.connect(timeout=60)
        page_deadline = time.monotonic() + 60
        try:
            for _ in range(1000):
                self.assertLess(time.monotonic(), page_deadline, "paging took too long")
                path = "/v1/entries?kind=expenditure&limit=1000" + (f"&after_seq={after}" if after is not None else "")
                response = get(path, S.auditor, conn=conn)
                self.assertEqual(response.status, 200, response)
                page = response.json()
                self.assertLessEqual(len(page["entries"]), 1000)
                for row in page["entries"]:
                    self.assertEqual(row["entry"]["kind"], "expenditure")
                    seen.append(row["entry"]["seq"])
                after = page["next_after_seq"]
                if after is None:
                    break
                self.assertEqual(after, seen[-1])
            else:
                self.fail("next_after_seq never became null")
        finally:
            conn.close()
        self.assertEqual(seen, sorted(set(seen)), "pages repeat or reorder entries")
        mine = [s for s in seen if s in acknowledged]
        self.assertEqual(mine, sorted(acknowledged), "some appended entries are missing from the pages")
        # And just this OPD's: exactly the acknowledged ones, each once.
        only_p = []
        after = -1
        for _ in range(50):
            page = get(f"/v1/entries?opd={OPD_P}&kind=expenditure&limit=1000&after_seq={after}", S.officer_p).json()
            only_p += [(r["entry"]["seq"], r["entry"]["bank_ref"]) for r in page["entries"]]
            after = page["next_after_seq"]
            if after is None:
                break
        self.assertEqual(dict(only_p), acknowledged)
        self.assertEqual(len(only_p), len(acknowledged))


# --------------------------------------------------------------------------------------
# 7, 8. Bad input and tokens


class T06BadInput(ApiTestCase):

    def setUp(self):
        self.size_before = tree_size()

    def tearDown(self):
        # The server still answers, and nothing was written.
        self.assertStillServing()
        self.assertEqual(tree_size(), self.size_before, "a refused request wrote an entry")

    def test_malformed_json(self):
        for body in (b'{"kind": "opd", "code": ', b"{'kind': 'opd'}", b'{"kind":"opd"} trailing', b"",
                     b'{"kind":"opd","kind":"opd","code":"1.02.0.00.0.00.01.0000","name":"x"}',
                     b"[1, 2]", b"null"):
            with self.subTest(body=body):
                self.assertProblem(post("/v1/entries", body, S.admin), 400)

    def test_non_utf8_bytes(self):
        body = b'{"kind": "opd", "code": "9.99.9.99.9.99.98.0001", "name": "Dinas \xff\xfe Uji"}'
        self.assertProblem(post("/v1/entries", body, S.admin), 400)
        overlong = b'{"kind": "opd", "code": "9.99.9.99.9.99.98.0002", "name": "\xc0\xaf"}'
        self.assertProblem(post("/v1/entries", overlong, S.admin), 400)
        lone_surrogate = b'{"kind": "opd", "code": "9.99.9.99.9.99.98.0003", "name": "\\ud800"}'
        self.assertProblem(post("/v1/entries", lone_surrogate, S.admin), 400)

    def test_unknown_field_is_named(self):
        body = dict(expenditure(OPD_A), colour="merah")
        self.assertProblem(post("/v1/entries", body, S.officer_a), 400, "colour")
        nested = expenditure(OPD_A)
        nested["payee"]["shoe_size"] = "42"
        self.assertProblem(post("/v1/entries", nested, S.officer_a), 400, "shoe_size")
        self.assertProblem(post("/v1/entries/1/reversal", {"reason": "x", "extra": 1}, S.officer_a), 400, "extra")
        for client_set in ("seq", "recorded_at", "recorded_by", "v"):
            with self.subTest(field=client_set):
                self.assertProblem(post("/v1/entries", dict(expenditure(OPD_A), **{client_set: 5}), S.officer_a),
                                   400, client_set)

    def test_missing_field_is_named(self):
        body = expenditure(OPD_A)
        del body["account"]
        self.assertProblem(post("/v1/entries", body, S.officer_a), 400, "account")
        self.assertProblem(post("/v1/entries", {"kind": "opd", "code": fresh_opd_code()}, S.admin), 400, "name")
        self.assertProblem(post("/v1/entries", {"code": fresh_opd_code(), "name": "x"}, S.admin), 400)

    def test_floats_are_refused(self):
        money = expenditure(OPD_A)
        money["gross"] = 12500000.0
        self.assertProblem(post("/v1/entries", money, S.officer_a), 400, "gross")
        money_int = expenditure(OPD_A)
        money_int["net"] = 11204955
        self.assertProblem(post("/v1/entries", money_int, S.officer_a), 400, "net")
        year = expenditure(OPD_A)
        raw = json.dumps(year).replace('"fiscal_year": 2026', '"fiscal_year": 2026.0')
        self.assertProblem(post("/v1/entries", raw, S.officer_a), 400)
        exponent = json.dumps(year).replace('"fiscal_year": 2026', '"fiscal_year": 2.026e3')
        self.assertProblem(post("/v1/entries", exponent, S.officer_a), 400)
        for bad_money in ("-12500000.00", "12500000.001", "1.25e7", "012500000", "+1", "12345678901234567"):
            with self.subTest(money=bad_money):
                body = expenditure(OPD_A)
                body["gross"] = bad_money
                self.assertProblem(post("/v1/entries", body, S.officer_a), 400, "gross")

    def test_integer_out_of_range(self):
        for number in ("99999999999999999999", "-99999999999999999999", "18446744073709551616",
                       "9223372036854775808"):
            with self.subTest(number=number):
                raw = json.dumps(expenditure(OPD_A)).replace('"fiscal_year": 2026', '"fiscal_year": ' + number)
                self.assertProblem(post("/v1/entries", raw, S.officer_a), 400)
        raw = json.dumps({"reason": "x"})
        self.assertProblem(post("/v1/entries/99999999999999999999/reversal", raw, S.officer_a), 404)
        self.assertProblem(post("/v1/entries", dict(expenditure(OPD_A), fiscal_year=3000), S.officer_a), 400,
                           "fiscal_year")

    def test_query_integer_out_of_range_is_400(self):
        # 19 digits pass a length check but not int64: must be a 400, not an exception.
        for path in ("/v1/entries?after_seq=9999999999999999999", "/v1/entries?limit=9999999999999999999",
                     "/v1/entries?fiscal_year=99999999999999999999",
                     "/v1/proofs/inclusion?seq=9999999999999999999",
                     "/v1/proofs/consistency?first=1&second=9999999999999999999",
                     "/v1/verify?from_seq=9999999999999999999"):
            with self.subTest(path=path):
                field = path.split("?")[1].split("=")[-2].split("&")[-1]
                self.assertProblem(get(path, S.auditor), 400, field)

    def test_bad_idempotency_key_is_400(self):
        for key in ("k" * 129, "kunci dengan spasi"):
            with self.subTest(key=key[:20]):
                response = post("/v1/entries", expenditure(OPD_A), S.officer_a, headers={"Idempotency-Key": key})
                if response.status == 201:
                    self.size_before += 1
                self.assertProblem(response, 400)

    def test_body_over_64_kib_is_413(self):
        # Declared too large: refused from the header alone.
        data = raw_tls_exchange(b"POST /v1/entries HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                                b"Authorization: Bearer " + S.officer_a.encode() + b"\r\nContent-Length: 71680\r\n\r\n")
        self.assertTrue(data.startswith(b"HTTP/1.1 413 "), data[:200])
        self.assertIn(b"application/problem+json", data.partition(b"\r\n\r\n")[0])
        # Chunked, with no declared length: refused once the limit is passed.
        chunk = b"x" * 8192
        chunked = b"".join(b"%x\r\n" % len(chunk) + chunk + b"\r\n" for _ in range(9)) + b"0\r\n\r\n"
        data = raw_tls_exchange(b"POST /v1/entries HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                                b"Authorization: Bearer " + S.officer_a.encode() + b"\r\nTransfer-Encoding: chunked\r\n\r\n"
                                + chunked)
        self.assertTrue(data.startswith(b"HTTP/1.1 413 "), data[:200])

    def test_body_over_64_kib_sent_in_full_gets_413(self):
        # What an ordinary client does: send the whole body, then read the answer. The
        # server must let the client see the 413 (drain or linger before closing), not
        # close with the body unread (a TCP reset that can drop the response).
        body = expenditure(OPD_A)
        body["description"] = "x" * (70 * 1024)
        outcomes = []
        for _ in range(20):
            try:
                outcomes.append(post("/v1/entries", body, S.officer_a).status)
            except (http.client.HTTPException, OSError) as e:
                outcomes.append(type(e).__name__)
        self.assertEqual(outcomes, [413] * 20, "a client sending a too-large body does not reliably get its 413")

    def test_nesting_deeper_than_16_is_400(self):
        deep = "x"
        for _ in range(40):
            deep = {"a": deep}
        body = dict(expenditure(OPD_A), description=deep)
        problem = self.assertProblem(post("/v1/entries", body, S.officer_a), 400)
        self.assertRegex(problem["detail"].lower(), r"deep|depth|nest", problem)
        arrays = "[" * 30000 + "]" * 30000  # Under 64 KiB; would overflow a naive recursive parser.
        self.assertIn(post("/v1/entries", arrays, S.officer_a).status, (400, 413))

    def test_wrong_content_type(self):
        body = json.dumps(expenditure(OPD_A))
        for content_type in ("text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin1",
                             None):
            with self.subTest(content_type=content_type):
                response = post("/v1/entries", body, S.officer_a, content_type=content_type)
                self.assertIn(response.status, (400, 415), response)
                self.assertProblem(response, response.status)
        for content_type in ("application/json; charset=utf-8", "Application/JSON"):
            with self.subTest(content_type=content_type):
                self.assertEqual(post("/v1/entries", expenditure(OPD_A), S.officer_a,
                                      content_type=content_type).status, 201)
                self.size_before += 1

    def test_unknown_route_is_404(self):
        for path in ("/v1/nope", "/v2/entries", "/v1/entries/abc", "/v1/entries/1/undo", "/healthz/"):
            with self.subTest(path=path):
                self.assertProblem(get(path, S.auditor), 404)

    def test_wrong_method_is_405_with_allow(self):
        for method, path, allow in [("DELETE", "/v1/entries", "GET, POST"), ("PUT", "/v1/entries", "GET, POST"),
                                    ("POST", "/healthz", "GET"), ("DELETE", "/v1/entries/1", "GET"),
                                    ("GET", "/v1/entries/1/reversal", "POST"), ("POST", "/v1/checkpoint", None),
                                    ("POST", "/v1/verify", "GET")]:
            with self.subTest(method=method, path=path):
                response = request(method, path, token=S.auditor)
                self.assertProblem(response, 405)
                self.assertTrue(response.header("allow"), response)
                if allow:
                    self.assertEqual(response.header("allow"), allow)

    def test_officer_writing_for_another_opd_is_403(self):
        self.assertProblem(post("/v1/entries", expenditure(OPD_B), S.officer_a), 403)
        seq = get(f"/v1/entries?opd={OPD_B}&kind=expenditure&limit=1", S.auditor).json()["entries"]
        if seq:
            self.assertProblem(post(f"/v1/entries/{seq[0]['entry']['seq']}/reversal", {"reason": "x"},
                                    S.officer_a), 403)

    def test_header_over_16_kib_is_431(self):
        response = get("/healthz", headers={"X-Padding": "p" * (17 * 1024)})
        self.assertProblem(response, 431)

    def test_malformed_request_line_on_raw_tls_is_400(self):
        for raw in (b"GARBAGE\r\n\r\n", b"GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n",
                    b"GET /healthz HTTP/1.1\r\nHost x\r\n\r\n",
                    b"POST /v1/entries HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n"):
            with self.subTest(raw=raw):
                data = raw_tls_exchange(raw, timeout=10)
                self.assertTrue(data.startswith(b"HTTP/1.1 400 "), data[:200])
                head, _, body = data.partition(b"\r\n\r\n")
                self.assertIn(b"application/problem+json", head.lower())
                self.assertIn("detail", json.loads(body))

    def test_slow_client_is_timed_out(self):
        timeout = int(S.conf.get("request_timeout_seconds", "10"))
        began = time.monotonic()
        with socket.create_connection(("127.0.0.1", S.server.port), timeout=20) as plain:
            with S.server.context.wrap_socket(plain, server_hostname="127.0.0.1") as tls:
                tls.sendall(b"POST /v1/entries HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                            b"Content-Length: 400\r\n\r\n{\"kind\": \"ex")
                received = b""
                try:
                    while time.monotonic() - began < 20:
                        chunk = tls.recv(4096)
                        if not chunk:
                            break
                        received += chunk
                except (ssl.SSLError, ConnectionResetError, socket.timeout) as e:
                    if isinstance(e, socket.timeout):
                        self.fail("the server kept a half-sent request open for 20 s")
        elapsed = time.monotonic() - began
        self.assertLess(elapsed, timeout + 5, "closed, but later than request_timeout + slack")
        self.assertGreater(elapsed, timeout - 2, f"closed after {elapsed:.1f}s, before request_timeout")
        self.assertFalse(received.startswith(b"HTTP/1.1 2"), received[:100])


def raw_tls_exchange(data, timeout=10):
    with socket.create_connection(("127.0.0.1", S.server.port), timeout=timeout) as plain:
        with S.server.context.wrap_socket(plain, server_hostname="127.0.0.1") as tls:
            tls.sendall(data)
            received = b""
            deadline = time.monotonic() + timeout
            try:
                while time.monotonic() < deadline:
                    chunk = tls.recv(65536)
                    if not chunk:
                        break
                    received += chunk
            except (ssl.SSLError, ConnectionResetError):
                pass
            return received


class T07Tokens(ApiTestCase):

    PATH = "/v1/entries?limit=1"

    def setUp(self):
        self.size_before = tree_size()

    def tearDown(self):
        self.assertStillServing()
        self.assertEqual(tree_size(), self.size_before)

    def assert401(self, token, what):
        for method, path, body in [("GET", self.PATH, None), ("POST", "/v1/entries", expenditure(OPD_A))]:
            with self.subTest(what=what, method=method):
                response = request(method, path, body=body, token=token)
                self.assertProblem(response, 401)
                self.assertEqual(response.header("www-authenticate"), "Bearer")

    def test_pyjwt_es256_token_from_issuer_key_is_accepted(self):
        token = pyjwt_token(claims("auditor", "pyjwt-auditor"))
        self.assertEqual(get(self.PATH, token).status, 200)
        officer = pyjwt_token(claims("officer", "pyjwt-officer", OPD_A))
        response = post("/v1/entries", expenditure(OPD_A), officer)
        self.assertEqual(response.status, 201, response)
        self.assertEqual(response.json()["entry"]["recorded_by"], "pyjwt-officer")
        self.size_before += 1
        # aud as an array containing the audience is fine too (RFC 7519 §4.1.3).
        token = pyjwt_token(claims("auditor", "pyjwt-auditor", aud=["other", S.conf.get("token_audience", "jejak")]))
        self.assertEqual(get(self.PATH, token).status, 200)

    def test_expired_token(self):
        now = int(time.time())
        self.assert401(pyjwt_token(claims("auditor", "late", iat=now - 7200, exp=now - 3600)), "expired")
        self.assert401(pyjwt_token({k: v for k, v in claims("auditor", "noexp").items() if k != "exp"}), "no exp")
        self.assert401(pyjwt_token(claims("auditor", "future", nbf=now + 3600)), "not yet valid")

    def test_token_signed_by_another_key(self):
        other = ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        self.assert401(pyjwt_token(claims("auditor", "mallory"), key_pem=other), "other key")

    def test_tampered_payload(self):
        header, payload, signature = S.officer_a.split(".")
        body = json.loads(b64url_decode(payload))
        body["role"] = "auditor"
        tampered = header + "." + b64url(json.dumps(body, separators=(",", ":")).encode()) + "." + signature
        TOKENS_ISSUED.append(tampered)
        self.assert401(tampered, "tampered role")
        body = json.loads(b64url_decode(payload))
        body["opd"] = OPD_B
        tampered = header + "." + b64url(json.dumps(body, separators=(",", ":")).encode()) + "." + signature
        self.assert401(tampered, "tampered opd")
        self.assert401(S.officer_a[:-4] + ("AAAA" if not S.officer_a.endswith("AAAA") else "BBBB"), "bad signature")
        self.assert401("not-a-jwt", "garbage")
        self.assert401(S.officer_a + ".x", "four parts")

    def test_wrong_audience_or_issuer(self):
        self.assert401(pyjwt_token(claims("auditor", "x", aud="other-service")), "wrong aud")
        self.assert401(pyjwt_token({k: v for k, v in claims("auditor", "x").items() if k != "aud"}), "no aud")
        self.assert401(pyjwt_token(claims("auditor", "x", iss="https://evil.example")), "unknown iss")

    def test_alg_none_refused(self):
        payload = claims("auditor", "none-auditor")
        for alg in ("none", "None", "NONE"):
            self.assert401(handmade_token({"alg": alg, "typ": "JWT"}, payload, lambda _: b""), "alg " + alg)
        unsigned = handmade_token({"alg": "none", "typ": "JWT"}, payload, lambda _: b"")
        self.assert401(unsigned.rstrip("."), "alg none, two parts")

    def test_hs256_with_public_key_as_secret_refused(self):
        payload = claims("auditor", "confused")
        for secret in (S.issuer_public_pem, S.issuer_public_pem.strip()):
            token = handmade_token({"alg": "HS256", "typ": "JWT"}, payload,
                                   lambda data, secret=secret: hmac.new(secret, data, hashlib.sha256).digest())
            self.assert401(token, "HS256 with public key")
        # ES256 claimed in lower case is not ES256.
        good = pyjwt_token(payload)
        _, p, s = good.split(".")
        self.assert401(b64url(json.dumps({"alg": "es256", "typ": "JWT"}).encode()) + "." + p + "." + s, "es256")

    def test_no_token_or_not_bearer(self):
        self.assert401(None, "none")
        for value in ("Basic dXNlcjpwYXNz", "Bearer", "Bearer ", S.auditor, "bearer"):
            with self.subTest(authorization=value[:20]):
                response = get(self.PATH, headers={"Authorization": value})
                self.assertProblem(response, 401)


# --------------------------------------------------------------------------------------
# 10. Request ids and logs


class T08RequestIdAndLogs(ApiTestCase):

    def test_request_id_on_every_response(self):
        responses = [get("/healthz"), get("/v1/checkpoint"), get("/v1/nope"), get("/v1/entries"),
                     request("DELETE", "/v1/entries"), post("/v1/entries", b"{", S.admin),
                     get(f"/v1/entries?opd={OPD_B}", S.officer_a), post("/v1/entries", expenditure(OPD_A), S.officer_a)]
        ids = []
        for response in responses:
            with self.subTest(status=response.status):
                rid = response.header("x-request-id")
                self.assertTrue(rid, response)
                ids.append(rid)
        self.assertEqual(len(set(ids)), len(ids), "request ids repeat")
        # Each id is in exactly one log line, with the status of the response.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            logged = {line.get("request_id"): line for line in S.server.request_log()}
            if all(rid in logged for rid in ids):
                break
            time.sleep(0.05)
        for rid, response in zip(ids, responses):
            self.assertIn(rid, logged)
            self.assertEqual(logged[rid]["status"], response.status)

    def test_request_id_on_transport_level_errors(self):
        too_large = (b"POST /v1/entries HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 71680\r\n\r\n")
        for name, raw in [("400", b"GARBAGE\r\n\r\n"),
                          ("413", too_large),
                          ("431", b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"p" * (17 * 1024) + b"\r\n\r\n")]:
            with self.subTest(status=name):
                data = raw_tls_exchange(raw)
                head = data.partition(b"\r\n\r\n")[0]
                self.assertTrue(head.startswith(b"HTTP/1.1 " + name.encode()), data[:200])
                self.assertIn(b"x-request-id:", head.lower(), f"{name} response without X-Request-Id: {head!r}")

    def test_tokens_never_appear_in_logs(self):
        for token in (S.admin, S.auditor, S.officer_a):
            get("/v1/entries?limit=1", token)
        get("/v1/entries?limit=1", "not-a-valid.token.value")
        time.sleep(0.3)
        log = S.server.log_text()
        self.assertIn('"request_id"', log)
        for token in TOKENS_ISSUED + ["not-a-valid.token.value"]:
            for part in token.split("."):
                if len(part) >= 20:
                    self.assertNotIn(part, log, "a token (or a part of one) is in the server log")
        self.assertNotIn("Bearer", log)


class T08zServerHealth(ApiTestCase):

    def test_no_server_errors_so_far(self):
        """Nothing the tests above sent made the server answer 5xx or log an exception."""
        time.sleep(0.2)
        errors = [line for line in S.server.request_log() if line.get("status", 0) >= 500]
        self.assertEqual(errors, [])
        with S.server.lock:
            stderr = list(S.server.stderr_lines)
        bad = [line for line in stderr if "handler.exception" in line or '"event":"error"' in line
               or "verify.failed" in line]
        self.assertEqual(bad, [])
        self.assertIsNone(S.server.proc.poll(), "the server exited")


# --------------------------------------------------------------------------------------
# 9. Graceful shutdown loses no acknowledged append (runs last: own server)


class T09GracefulShutdown(ApiTestCase):
    """A second server on its own ledger takes ~200 appends from 8 threads and gets
    SIGTERM mid-way. Runs the scenario once; the tests check different promises."""

    @classmethod
    def setUpClass(cls):
        cls.data = os.path.join(S.tmp, "shutdown")
        init_ledger(cls.data)
        server = Server(cls.data)
        cls.acknowledged = {}  # seq -> (leaf_hash, bank_ref)
        cls.refused = []       # what the other requests got
        cls.sent = set()       # bank_refs of every append attempted
        lock = threading.Lock()
        cls.sigterm_at = float("inf")
        try:
            admin = cli_token(cls.data, "admin", "admin")
            officer = cli_token(cls.data, "officer", "bendahara", OPD_A)
            response = post("/v1/entries", {"kind": "opd", "code": OPD_A, "name": "Dinas Kesehatan"}, admin,
                            server=server)
            if response.status != 201:
                raise RuntimeError(f"registering the OPD: {response}")
            total, threads_n = 200, 8
            started = threading.Event()
            deadline = time.monotonic() + 60

            def worker(index):
                conn = server.connect(timeout=20)
                for i in range(total // threads_n):
                    if time.monotonic() > deadline:
                        break
                    ref = f"SHUT-{index}-{i}"
                    with lock:
                        cls.sent.add(ref)
                    try:
                        response = post("/v1/entries", simple_expenditure(OPD_A, ref), officer, conn=conn)
                    except (http.client.HTTPException, OSError) as e:
                        with lock:
                            cls.refused.append((ref, repr(e), round(time.monotonic() - cls.sigterm_at, 3)))
                        conn.close()
                        conn = server.connect(timeout=20)
                        continue
                    with lock:
                        if response.status == 201:
                            result = response.json()
                            cls.acknowledged[result["entry"]["seq"]] = (result["leaf_hash"], ref)
                            if len(cls.acknowledged) >= 60:
                                started.set()
                        else:
                            cls.refused.append((ref, response.status, response.body[:200].decode("utf-8", "replace")))
                conn.close()

            threads = [threading.Thread(target=worker, args=(i,)) for i in range(threads_n)]
            for thread in threads:
                thread.start()
            if not started.wait(30):
                raise RuntimeError("appends did not get going")
            with lock:
                cls.at_sigterm = len(cls.acknowledged)
            # The 60th answer came just after a group commit, when the clients are busy
            # sending their next requests: give those a moment to reach the writer, so
            # that SIGTERM finds appends in flight.
            time.sleep(0.004)
            cls.sigterm_at = time.monotonic()
            server.terminate()
            for thread in threads:
                thread.join(60)
            cls.exit_code = server.stop(timeout=20)
        finally:
            server.stop()
        cls.server_log = server.log_text()
        cls.verify = run_cli("verify", "--data", cls.data, check=False)
        bundle = os.path.join(S.tmp, "shutdown.ndjson")
        run_cli("export-bundle", "--data", cls.data, "--out", bundle)
        with open(bundle, "rb") as f:
            lines = f.read().split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        cls.bundle_header = json.loads(lines[0])
        cls.entries = lines[1:-1]
        cls.note = json.loads(lines[-1])["checkpoint"]
        sys.stderr.write(f"\n  [shutdown: {cls.at_sigterm} acknowledged before SIGTERM, {len(cls.acknowledged)} in all, "
                         f"{len(cls.entries) - 2} appended, {len(cls.refused)} refused] ")

    def test_sigterm_exits_0_and_ledger_verifies(self):
        self.assertEqual(self.exit_code, 0, self.server_log[-2000:])
        self.assertEqual(self.verify.returncode, 0, self.verify.stderr.decode())
        self.assertEqual(self.bundle_header["format"], "jejak-bundle/1")
        checkpoint = Checkpoint(self.note)
        self.assertEqual(checkpoint.size, len(self.entries))
        with open(os.path.join(self.data, "keys", "checkpoint.vkey"), encoding="utf-8") as f:
            self.assertTrue(verify_note_signature(self.note, f.read().strip()))
        self.assertEqual(merkle_root([sha256(b"\x00" + e) for e in self.entries]), checkpoint.root)
        unexpected = [r for r in self.refused if isinstance(r[1], int) and r[1] != 503]
        self.assertEqual(unexpected, [], "refusals other than 503 or a closed connection")

    def test_sigterm_with_appends_in_flight_loses_nothing_acknowledged(self):
        self.assertGreaterEqual(len(self.acknowledged), 60)
        for seq, (leaf, ref) in sorted(self.acknowledged.items()):
            self.assertLess(seq, len(self.entries), f"acknowledged seq {seq} is not in the ledger")
            self.assertEqual(sha256(b"\x00" + self.entries[seq]).hex(), leaf, f"seq {seq} changed")
            self.assertEqual(json.loads(self.entries[seq])["bank_ref"], ref)

    def test_sigterm_answers_every_append_it_commits(self):
        # Graceful: a request the server took in is finished and answered before it
        # exits. An append committed but never answered looks failed to its client,
        # which may then record the payment twice.
        committed = {json.loads(e).get("bank_ref") for e in self.entries} & self.sent
        answered = {ref for _, ref in self.acknowledged.values()}
        lost = sorted(committed - answered)
        self.assertEqual(lost, [], f"{len(lost)} appends were committed but their clients got no answer "
                                   f"({[r for r in self.refused if r[0] in lost][:3]})")


class T10ShutdownOfMainServer(ApiTestCase):
    """Last: stops the main server."""

    def test_sigterm_finishes_a_slow_request_in_flight(self):
        # A whole-ledger verification of 10,000+ entries takes a while on a worker
        # thread; SIGTERM arrives meanwhile. Graceful shutdown answers it, then exits 0.
        size = tree_size()
        self.assertGreater(size, 10_000)
        outcome = {}

        def verify():
            began = time.monotonic()
            try:
                response = get("/v1/verify", S.auditor)
                outcome["status"] = response.status
                outcome["body"] = response.json() if response.status == 200 else response.body
            except (http.client.HTTPException, OSError) as e:
                outcome["error"] = repr(e)
            outcome["seconds"] = time.monotonic() - began

        thread = threading.Thread(target=verify)
        thread.start()
        time.sleep(0.15)
        S.server.terminate()
        thread.join(60)
        code = S.server.stop(timeout=30)
        sys.stderr.write(f"\n  [verify of {size} entries: {outcome.get('seconds', 0):.2f}s] ")
        self.assertEqual(code, 0)
        self.assertNotIn("error", outcome, f"the request in flight got no answer: {outcome}")
        self.assertEqual(outcome["status"], 200, outcome)
        self.assertIs(outcome["body"]["ok"], True)
        self.assertEqual(outcome["body"]["to_seq"], size - 1)


if __name__ == "__main__":
    if len(sys.argv) < 2 or not os.path.isfile(sys.argv[1]) or not os.access(sys.argv[1], os.X_OK):
        sys.stderr.write("usage: api_test.py /path/to/jejak [unittest options]\n")
        sys.exit(2)
    JEJAK = os.path.abspath(sys.argv[1])
    unittest.main(argv=[sys.argv[0]] + sys.argv[2:], verbosity=2)
