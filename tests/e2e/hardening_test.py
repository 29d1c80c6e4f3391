#!/usr/bin/env python3
"""End-to-end tests of Jejak under hostile and unlucky conditions, against a real
`jejak serve` over HTTPS: sums over input that once aborted the process, a year whose
totals once wedged verification, a detected tampering that must stop appends, a read-only
database, a clock set back, file modes whatever the umask, unbounded metrics labels,
long-lived tokens, error bodies and logs that echoed input.

Usage: python3 tests/e2e/hardening_test.py /path/to/jejak [unittest options]

Reuses the helpers of api_test.py. Every server runs on a free loopback port in a scratch
directory and is stopped by its PID.
"""

import json
import os
import pwd
import re
import shutil
import socket
import sqlite3
import ssl
import stat
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import api_test as api  # noqa: E402  (the shared helpers; their module state is unused)

MAX = "9999999999999999.99"
OPD = api.OPD_A


def set_conf(data_dir, key, value):
    """Sets `key = value` in DIR/jejak.conf (replacing the line, or adding it)."""
    path = os.path.join(data_dir, "jejak.conf")
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    lines = [line for line in lines if not re.match(rf"\s*{re.escape(key)}\s*=", line)]
    lines.append(f"{key} = {value}")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


class Ledger:
    """A fresh ledger with one OPD and tokens, and a server on it."""

    def __init__(self, name, serve=True):
        self.tmp = tempfile.mkdtemp(prefix=f"jejak-hardening-{name}-")
        self.data = os.path.join(self.tmp, "data")
        api.init_ledger(self.data)
        # Long verification intervals: the start-up pass is the one under test.
        set_conf(self.data, "verify_interval_minutes", "600")
        self.admin = api.cli_token(self.data, "admin", "bpkad-admin")
        self.officer = api.cli_token(self.data, "officer", "bendahara-dinkes", OPD)
        self.auditor = api.cli_token(self.data, "auditor", "bpk-auditor")
        self.server = None
        if serve:
            self.start()
            response = self.post({"kind": "opd", "code": OPD, "name": "Dinas Kesehatan"}, self.admin)
            assert response.status == 201, response

    def start(self, via=None):
        self.server = Server(self.data, via)
        return self.server

    def get(self, path, token=None):
        return api.get(path, token, server=self.server)

    def post(self, body, token, path="/v1/entries"):
        return api.post(path, body, token, server=self.server)

    def stop(self):
        if self.server:
            self.server.stop()
            self.server = None

    def close(self):
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)


def wrapper(directory, command):
    """An executable script running `command` followed by its own arguments: a way to
    start api_test's Server behind faketime or setpriv."""
    path = os.path.join(directory, "wrapped-jejak")
    with open(path, "w", encoding="utf-8") as f:
        f.write("#!/bin/sh\nexec " + " ".join(command) + ' "$@"\n')
    os.chmod(path, 0o755)
    return path


def Server(data_dir, via=None):
    """api_test's Server, started through `via` (a wrapper script) when given."""
    saved = api.JEJAK
    if via:
        api.JEJAK = via
    try:
        return api.Server(data_dir)
    finally:
        api.JEJAK = saved


def expenditure(bank_ref, gross="1250000.00", taxes=None, fiscal_year=2026, opd=OPD):
    taxes = taxes or []
    total = sum(api.money_to_cents(t["amount"]) for t in taxes)
    net = api.cents_to_money(max(api.money_to_cents(gross) - total, 0))
    year = str(fiscal_year)
    return {
        "kind": "expenditure", "fiscal_year": fiscal_year, "opd": opd,
        "sub_activity": "1.02.02.2.01.0014", "account": "5.2.02.05.01.0001", "mechanism": "LS",
        "instrument": "sp2d_ls", "value_date": f"{year}-02-03", "gross": gross, "taxes": taxes,
        "net": net,
        "payee": {"name": "PT Mega Konstruksi", "npwp": "019876543210000", "bank": "Bank Bengkulu",
                  "account_no": "7778889990", "account_name": "PT MEGA KONSTRUKSI"},
        "documents": {"evidence_no": "BAST-" + bank_ref, "evidence_date": f"{year}-02-02"},
        "bank_ref": bank_ref, "description": "Belanja modal gedung",
    }


def read_bytes(*path):
    with open(os.path.join(*path), "rb") as f:
        return f.read()


def tamper_sql(data_dir, statement):
    """Edits the database as an insider with the sqlite3 tool would (triggers dropped)."""
    db = sqlite3.connect(os.path.join(data_dir, "ledger.db"), timeout=30)
    for trigger in ("entries_no_update", "entries_no_delete"):
        db.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    db.executescript(statement)
    db.commit()
    db.close()


def wait_for(predicate, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    return predicate()


class HardeningTestCase(unittest.TestCase):
    maxDiff = 4000

    def assertProblem(self, response, status, field=None):
        self.assertEqual(response.status, status, response)
        self.assertEqual(response.header("content-type"), api.PROBLEM, response)
        body = response.json()
        self.assertEqual(body["status"], status)
        if field is not None:
            self.assertIn(field, [e["field"] for e in body.get("errors", [])], body)
        return body


class T01SumsOverInput(HardeningTestCase):
    """Defect 1: ten taxes of 9999999999999999.99 once reached a CHECK and aborted."""

    @classmethod
    def setUpClass(cls):
        cls.ledger = Ledger("sums")

    @classmethod
    def tearDownClass(cls):
        cls.ledger.close()

    def test_taxes_past_int64_are_a_validation_error_and_the_server_lives(self):
        taxes = [{"type": "PPh23", "amount": MAX}] * 10
        body = expenditure("SP2D-TAX-1", gross=MAX, taxes=taxes)
        body["net"] = "0"
        self.assertProblem(self.ledger.post(body, self.ledger.officer), 400, "taxes")
        # Sixteen of them, and the same body for another OPD (refused before validation).
        body["taxes"] = [{"type": "PPN", "amount": MAX}] * 16
        self.assertProblem(self.ledger.post(body, self.ledger.officer), 400, "taxes")
        body["opd"] = api.OPD_B
        self.assertProblem(self.ledger.post(body, self.ledger.officer), 403)
        self.assertIsNone(self.ledger.server.proc.poll(), "the server died")
        self.assertEqual(self.ledger.get("/healthz").status, 200)

    def test_a_budget_plan_past_the_largest_amount_is_refused(self):
        budget = api.budget(OPD, pagu=MAX)
        budget["monthly_plan"] = [MAX] * 12
        self.assertProblem(self.ledger.post(budget, self.ledger.admin), 400, "monthly_plan")


class T02YearTotals(HardeningTestCase):
    """Defect 2: ten maximal expenditures in one OPD and month once overflowed the stored
    monthly realisation, and verification reported tampering forever."""

    @classmethod
    def setUpClass(cls):
        cls.ledger = Ledger("totals")

    @classmethod
    def tearDownClass(cls):
        cls.ledger.close()

    def test_the_append_past_the_year_total_is_refused_with_422_and_everything_still_adds_up(self):
        ledger = self.ledger
        first = ledger.post(expenditure("SP2D-MAX-0", gross=MAX), ledger.officer)
        self.assertEqual(first.status, 201, first)
        for n in range(1, 10):
            body = self.assertProblem(ledger.post(expenditure(f"SP2D-MAX-{n}", gross=MAX), ledger.officer),
                                      422, "gross")
            self.assertIn("fiscal year 2026", body["detail"])
        # Another year is its own total.
        other = ledger.post(expenditure("SP2D-2027", gross=MAX, fiscal_year=2027), ledger.officer)
        self.assertEqual(other.status, 201, other)
        verify = ledger.get("/v1/verify", ledger.auditor)
        self.assertEqual(verify.status, 200, verify)
        self.assertIs(verify.json()["ok"], True, verify.json())
        absorption = ledger.get(f"/v1/summary/absorption?fiscal_year=2026&opd={OPD}&as_of=2026-12-31",
                                ledger.auditor)
        self.assertEqual(absorption.status, 200, absorption)
        self.assertEqual(absorption.json()["total"]["realisation"], MAX)
        workpapers = ledger.get("/v1/export/workpapers?fiscal_year=2026&format=csv&sheet=Transaksi",
                                ledger.auditor)
        self.assertEqual(workpapers.status, 200, workpapers)
        # jejak verify agrees once the server is gone.
        ledger.stop()
        result = api.run_cli("verify", "--data", ledger.data, check=False)
        self.assertEqual(result.returncode, 0, result.stderr)


class T03FailClosed(HardeningTestCase):
    """Defect 6: a detected tampering must stop appends; a database the process cannot
    write must make /readyz not ready."""

    def test_a_failed_verification_suspends_appends_but_not_reads(self):
        ledger = Ledger("closed")
        self.addCleanup(ledger.close)
        for n in range(3):
            self.assertEqual(ledger.post(expenditure(f"CMS-C{n}"), ledger.officer).status, 201)
        self.assertEqual(ledger.get("/readyz").status, 200)
        tamper_sql(ledger.data, "UPDATE entries SET canonical = replace(canonical, "
                                "'PT Mega Konstruksi', 'PT Mega Konstruksj') WHERE seq = 3;")
        verify = ledger.get("/v1/verify", ledger.auditor)
        self.assertEqual(verify.status, 200, verify)
        self.assertIs(verify.json()["ok"], False)
        self.assertEqual(verify.json()["problem"]["seq"], 3)
        body = self.assertProblem(ledger.post(expenditure("CMS-C9"), ledger.officer), 503)
        self.assertIn("suspended", body["detail"])
        self.assertIn("seq 3", body["detail"])
        ready = self.assertProblem(ledger.get("/readyz"), 503)
        self.assertIn("not ready", ready["detail"])
        integrity = ledger.get("/v1/integrity", ledger.auditor)
        self.assertEqual(integrity.status, 200)
        self.assertEqual(integrity.json()["verification"]["state"], "failed")
        self.assertEqual(ledger.get(f"/v1/entries?opd={OPD}", ledger.auditor).status, 200)
        self.assertIn('"alert":true', ledger.server.log_text())
        self.assertIn('"appends":"suspended"', ledger.server.log_text())
        # A restart verifies again at start-up, and holds appends until it has: the
        # tampering is found again and appends stay refused.
        ledger.stop()
        ledger.start()
        body = self.assertProblem(ledger.post(expenditure("CMS-C10"), ledger.officer), 503)
        self.assertIn("suspended", body["detail"])
        self.assertEqual(wait_for(lambda: ledger.get("/readyz").status == 503), True)
        self.assertEqual(api.run_cli("verify", "--data", ledger.data, check=False).returncode, 1)

    def test_a_read_only_database_is_not_ready_at_start_up(self):
        ledger = Ledger("readonly", serve=False)
        self.addCleanup(ledger.close)
        via = None
        if os.geteuid() == 0:
            # Root writes a 0444 file anyway: run the server as nobody, on its own copy of
            # the binary (the build directory may not be readable for nobody).
            nobody = pwd.getpwnam("nobody")
            jejak = os.path.join(ledger.tmp, "jejak")
            shutil.copy2(api.JEJAK, jejak)
            for root, dirs, files in os.walk(ledger.tmp):
                for name in dirs + files:
                    os.chown(os.path.join(root, name), nobody.pw_uid, nobody.pw_gid)
            os.chown(ledger.tmp, nobody.pw_uid, nobody.pw_gid)
            via = wrapper(ledger.tmp, ["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}",
                                       "--clear-groups", "--", jejak])
        os.chmod(os.path.join(ledger.data, "ledger.db"), 0o444)
        ledger.start(via)
        ready = self.assertProblem(ledger.get("/readyz"), 503)
        self.assertRegex(ready["detail"], "read-only|cannot be written")
        body = self.assertProblem(ledger.post({"kind": "opd", "code": OPD, "name": "Dinas"}, ledger.admin), 503)
        self.assertIn("suspended", body["detail"])
        self.assertEqual(ledger.get("/v1/checkpoint").status, 200)


    def test_a_read_only_instance_serves_reads_and_refuses_every_write(self):
        ledger = Ledger("readonly-instance")
        self.addCleanup(ledger.close)
        self.assertEqual(ledger.post(expenditure("CMS-RO1"), ledger.officer).status, 201)
        kept = os.path.join(ledger.data, "state", "latest-checkpoint")
        kept_before = read_bytes(kept)
        ledger.stop()
        set_conf(ledger.data, "read_only", "true")
        ledger.start()
        ready = ledger.get("/readyz")
        self.assertEqual(ready.status, 200, ready)
        self.assertIs(ready.json()["read_only"], True)
        self.assertEqual(ready.json()["tree_size"], 3)
        body = self.assertProblem(ledger.post(expenditure("CMS-RO2"), ledger.officer), 503)
        self.assertIn("read-only", body["detail"])
        cosign = {"tree_size": 3, "cosignature": "\u2014 bpk.go.id/auditor AAAA"}
        body = self.assertProblem(ledger.post(cosign, ledger.auditor, "/v1/checkpoint/cosignatures"), 503)
        self.assertIn("read-only", body["detail"])
        entries = ledger.get(f"/v1/entries?opd={OPD}", ledger.auditor)
        self.assertEqual(entries.status, 200)
        self.assertEqual([e["entry"]["kind"] for e in entries.json()["entries"]], ["opd", "expenditure"])
        self.assertEqual(ledger.get("/v1/checkpoint").status, 200)
        self.assertEqual(ledger.get("/v1/verify", ledger.auditor).json()["ok"], True)
        self.assertEqual(api.tree_size(ledger.server), 3)
        # Nothing was written: the same entries, and the kept checkpoint untouched.
        self.assertEqual(read_bytes(kept), kept_before)


class T04Clock(HardeningTestCase):
    """Defect 8: with the clock set back, appends were stamped before the entries before
    them. They are refused (503, an alert) until the clock catches up."""

    def test_a_clock_behind_the_newest_checkpoint_refuses_appends(self):
        libfaketime = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1"
        if not os.path.exists(libfaketime):
            self.fail("libfaketime missing (ops/install-deps.sh installs faketime)")
        ledger = Ledger("clock")
        self.addCleanup(ledger.close)
        self.assertEqual(ledger.post(expenditure("CMS-T1"), ledger.officer).status, 201)
        ledger.stop()
        # The same server one hour in the past. Tokens without iat, valid for the server.
        # The library is preloaded by `env`, which execs: the server keeps the PID that
        # api_test's Server stops (the faketime tool forks and would leave it running).
        ledger.start(wrapper(ledger.tmp, ["env", "LD_PRELOAD=" + libfaketime, "FAKETIME=-1h",
                                          "FAKETIME_DONT_FAKE_MONOTONIC=1", api.JEJAK]))
        now = int(time.time())
        token = api.pyjwt_token({"iss": api.read_conf(ledger.data)["token_issuer"], "aud": "jejak",
                                 "sub": "bendahara-dinkes", "role": "officer", "opd": OPD,
                                 "exp": now + 600},
                                key_pem=read_bytes(ledger.data, "keys", "token-issuer.pem"))
        body = self.assertProblem(ledger.post(expenditure("CMS-T2"), token), 503)
        self.assertIn("behind", body["detail"])
        ready = self.assertProblem(ledger.get("/readyz"), 503)
        self.assertIn("behind", ready["detail"])
        self.assertTrue(wait_for(lambda: '"event":"clock.behind","alert":true' in ledger.server.log_text(), 5))
        ledger.stop()
        # Nothing was written, and the ledger still verifies.
        result = api.run_cli("verify", "--data", ledger.data, check=False)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("ok: 3 entries", result.stdout.decode())


class T05FileModes(HardeningTestCase):
    """Defect 5: modes followed the umask (ledger.db 0644 under umask 022, the data
    directory 0777 under umask 000)."""

    def test_everything_is_private_whatever_the_umask_and_writable_dirs_are_refused(self):
        tmp = tempfile.mkdtemp(prefix="jejak-hardening-modes-")
        self.addCleanup(shutil.rmtree, tmp, True)
        data = os.path.join(tmp, "data")
        old = os.umask(0)
        try:
            api.init_ledger(data)
            token = api.cli_token(data, "admin", "bpkad-admin")
            server = Server(data)
            try:
                response = api.post("/v1/entries", {"kind": "opd", "code": OPD, "name": "Dinas"}, token,
                                    server=server)
                self.assertEqual(response.status, 201, response)
                for name in ("ledger.db-wal", "ledger.db-shm"):
                    self.assertTrue(os.path.exists(os.path.join(data, name)), name)
                self.check_private(data)
            finally:
                server.stop()
        finally:
            os.umask(old)
        self.check_private(data)

        os.chmod(data, 0o777)
        result = subprocess.run([api.JEJAK, "serve", "--data", data, "--listen", "127.0.0.1:0"],
                                capture_output=True, timeout=30)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn(b"group- or world-writable", result.stderr)
        os.chmod(data, 0o700)
        os.chmod(os.path.join(data, "keys", "checkpoint.key"), 0o666)
        result = subprocess.run([api.JEJAK, "serve", "--data", data, "--listen", "127.0.0.1:0"],
                                capture_output=True, timeout=30)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn(b"checkpoint.key", result.stderr)
        result = subprocess.run([api.JEJAK, "append", "--data", data, "--sub", "admin", "-"],
                                input=b'{"kind":"opd","code":"1.01.0.00.0.00.01.0000","name":"X"}',
                                capture_output=True, timeout=30)
        self.assertEqual(result.returncode, 2, result.stderr)

    def check_private(self, data):
        for root, dirs, files in os.walk(data):
            for name in dirs:
                mode = stat.S_IMODE(os.stat(os.path.join(root, name)).st_mode)
                self.assertEqual(mode, 0o700, f"{os.path.join(root, name)} is {oct(mode)}")
            for name in files:
                mode = stat.S_IMODE(os.stat(os.path.join(root, name)).st_mode)
                self.assertEqual(mode, 0o600, f"{os.path.join(root, name)} is {oct(mode)}")
        self.assertEqual(stat.S_IMODE(os.stat(data).st_mode), 0o700)


class T06Surface(HardeningTestCase):
    """Defects 4, 9 and 10: metrics labels, logs, tokens and error bodies."""

    @classmethod
    def setUpClass(cls):
        cls.ledger = Ledger("surface")

    @classmethod
    def tearDownClass(cls):
        cls.ledger.close()

    def raw(self, request_bytes):
        """Sends raw bytes over TLS and returns the status code of the answer."""
        context = ssl.create_default_context(cafile=os.path.join(self.ledger.data, "tls", "cert.pem"))
        with socket.create_connection(("127.0.0.1", self.ledger.server.port), timeout=10) as sock:
            with context.wrap_socket(sock, server_hostname="localhost") as tls:
                tls.sendall(request_bytes)
                answer = b""
                while b"\r\n" not in answer:
                    chunk = tls.recv(4096)
                    if not chunk:
                        break
                    answer += chunk
        return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else None

    def test_metrics_labels_stay_bounded_whatever_the_methods(self):
        for n in range(300):
            method = f"M{n:04d}X" if n % 100 else "Z" * 10000
            status = self.raw(f"{method} /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode())
            self.assertIn(status, (400, 405, 413, 431), method[:20])
        metrics = self.ledger.get("/metrics")
        self.assertEqual(metrics.status, 200)
        text = metrics.body.decode()
        methods = set(re.findall(r'jejak_http_requests_total\{method="([^"]*)"', text))
        self.assertNotIn("M0001X", methods)
        self.assertTrue(methods <= {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS",
                                    "TRACE", "PATCH", "-", "other"}, methods)
        self.assertLess(len(text), 64 * 1024)

    def test_a_token_valid_for_years_is_refused(self):
        now = int(time.time())
        key = read_bytes(self.ledger.data, "keys", "token-issuer.pem")
        issuer = api.read_conf(self.ledger.data)["token_issuer"]
        claims = {"iss": issuer, "aud": "jejak", "sub": "bpk-auditor", "role": "auditor",
                  "iat": now, "exp": now + 10 * 365 * 86400}
        response = self.ledger.get("/v1/entries", api.pyjwt_token(claims, key_pem=key))
        body = self.assertProblem(response, 401)
        self.assertIn("lifetime", body["detail"])
        claims["exp"] = now + 3600
        self.assertEqual(self.ledger.get("/v1/entries", api.pyjwt_token(claims, key_pem=key)).status, 200)
        # Without iat, exp alone counts.
        del claims["iat"]
        claims["exp"] = now + 2 * 86400
        self.assertProblem(self.ledger.get("/v1/entries", api.pyjwt_token(claims, key_pem=key)), 401)
        # jejak token refuses to mint one the server would refuse.
        result = api.run_cli("token", "--data", self.ledger.data, "--role", "auditor", "--sub", "x",
                             "--ttl", "2d", check=False)
        self.assertEqual(result.returncode, 2)
        self.assertIn(b"token_lifetime_max_seconds", result.stderr)

    def test_error_bodies_do_not_echo_the_input(self):
        secret = "RAHASIA-0123456789"
        response = api.request("POST", "/v1/entries", body='{"kind": "opd", "code": "' + secret,
                               token=self.ledger.admin, server=self.ledger.server)
        body = self.assertProblem(response, 400)
        self.assertNotIn(secret, response.body.decode())
        self.assertIn("syntax error at byte", json.dumps(body))
        response = api.request("POST", "/v1/entries", body='{"kind": "opd", "x": tru' + secret + '}',
                               token=self.ledger.admin, server=self.ledger.server)
        self.assertProblem(response, 400)
        self.assertNotIn(secret, response.body.decode())

    def test_a_failed_write_logs_the_statement_name_not_its_values(self):
        # An injected failure inside the INSERT (what a full disk or a broken file would do).
        tamper_sql(self.ledger.data, "CREATE TRIGGER inject_failure BEFORE INSERT ON entries "
                                     "BEGIN SELECT RAISE(ABORT, 'injected failure'); END;")
        try:
            body = expenditure("CMS-LOG-1")
            response = self.ledger.post(body, self.ledger.officer)
            self.assertProblem(response, 503)
        finally:
            tamper_sql(self.ledger.data, "DROP TRIGGER inject_failure;")
        log = self.ledger.server.log_text()
        self.assertIn("injected failure", log)
        self.assertIn("db.append", log)
        for value in ("7778889990", "019876543210000", "PT MEGA KONSTRUKSI", "INSERT INTO"):
            self.assertNotIn(value, log)
        self.assertEqual(self.ledger.post(expenditure("CMS-LOG-2"), self.ledger.officer).status, 201)


if __name__ == "__main__":
    if len(sys.argv) < 2 or not os.access(sys.argv[1], os.X_OK):
        sys.stderr.write("usage: hardening_test.py /path/to/jejak [unittest options]\n")
        sys.exit(2)
    api.JEJAK = os.path.abspath(sys.argv[1])
    unittest.main(argv=[sys.argv[0]] + sys.argv[2:], verbosity=2)
