#!/usr/bin/env python3
"""The same ledger on SQLite and on PostgreSQL answers every read alike: a demo regency's
year (`jejak demo`: budgets, payments, corrections, refunds, tax deposits and planted
anomalies) is exported as a bundle and imported into a PostgreSQL database under the
same keys; both ledgers are served, and their entries (pages and every filter), single
entries, proofs, checkpoint, absorption, findings, workpapers (CSV) and bundle must be
byte for byte the same. Also: `jejak init` refuses a PostgreSQL database that already
holds a ledger, and leaves nothing behind.

Usage: python3 tests/e2e/pg_parity_test.py /path/to/jejak
Needs the test PostgreSQL ($JEJAK_TEST_PG_DIR/url, the ctest fixture `postgres`).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import api_test as api  # noqa: E402  (the shared helpers; their module state is unused)

YEAR = 2025  # The demo's fiscal year.
EXPENDITURES = 1500  # The demo's smallest year.


class S:
    tmp = sqlite_dir = pg_dir = pg_url = None
    sqlite = pg = None
    token = None


def build_demo_ledger(data_dir):
    """`jejak demo` records its year, prints the dashboard line, then serves: stopped there."""
    demo = subprocess.Popen([api.JEJAK, "demo", "--data", data_dir, "--port", str(api.free_port()),
                             "--entries", str(EXPENDITURES)],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        for line in demo.stdout:
            if line.startswith(b"dashboard:"):
                break
        else:
            raise RuntimeError("jejak demo ended early: " + demo.stderr.read().decode("utf-8", "replace"))
    finally:
        demo.terminate()
        demo.wait(timeout=60)


def setUpModule():
    api.JEJAK = os.path.abspath(sys.argv[1])
    S.tmp = tempfile.mkdtemp(prefix="jejak-parity-")
    S.sqlite_dir = os.path.join(S.tmp, "sqlite")
    build_demo_ledger(S.sqlite_dir)
    bundle = os.path.join(S.tmp, "ledger.bundle")
    api.run_cli("export-bundle", "--data", S.sqlite_dir, "--out", bundle, timeout=300)
    # The same keys, config and certificate; a fresh PostgreSQL database.
    S.pg_dir = os.path.join(S.tmp, "pg")
    shutil.copytree(S.sqlite_dir, S.pg_dir,
                    ignore=shutil.ignore_patterns("ledger.db*", "state"))
    os.environ["JEJAK_TEST_BACKEND"] = "postgresql"
    S.pg_url = api.database_args()[1]
    api.run_cli("import", "--data", S.pg_dir, "--db", S.pg_url, bundle, timeout=600)
    S.sqlite = api.Server(S.sqlite_dir)
    S.pg = api.Server(S.pg_dir)
    S.token = api.cli_token(S.sqlite_dir, "auditor", "bpk.auditor")


def tearDownModule():
    for server in (S.sqlite, S.pg):
        if server:
            server.stop()
    shutil.rmtree(S.tmp, ignore_errors=True)


class Parity(unittest.TestCase):
    def same(self, path, binary=False):
        """GET `path` from both servers: the same status and body. Returns the body."""
        one = api.get(path, S.token, server=S.sqlite)
        other = api.get(path, S.token, server=S.pg)
        self.assertEqual(one.status, 200, f"{path}: {one}")
        self.assertEqual(other.status, one.status, f"{path}: {other}")
        if one.body != other.body:
            # Name the first difference rather than dump megabytes.
            at = next(i for i, (a, b) in enumerate(zip(one.body, other.body)) if a != b) \
                if any(a != b for a, b in zip(one.body, other.body)) else min(len(one.body), len(other.body))
            self.fail(f"{path}: bodies differ at byte {at}: sqlite {one.body[max(0, at - 80):at + 80]!r}"
                      f" postgresql {other.body[max(0, at - 80):at + 80]!r}")
        for header in ("X-Jejak-Tree-Size", "X-Jejak-Root-Hash"):
            self.assertEqual(one.header(header), other.header(header), f"{path}: {header}")
        return one.body if binary else one.json()

    def test_checkpoint_and_the_whole_bundle(self):
        # The bundle carried the stored checkpoint of the last commit: the very same note.
        checkpoint = api.get("/v1/checkpoint", server=S.sqlite)
        self.assertEqual(checkpoint.status, 200)
        self.assertEqual(checkpoint.body, api.get("/v1/checkpoint", server=S.pg).body)
        bundle = self.same("/v1/export/bundle", binary=True)
        self.assertGreater(bundle.count(b"\n"), EXPENDITURES)

    def test_every_page_of_entries_and_each_filter(self):
        after, pages, seen = -1, 0, 0
        while True:
            page = self.same(f"/v1/entries?limit=500&after_seq={after}")
            seen += len(page["entries"])
            pages += 1
            if page.get("next_after_seq") is None:
                break
            after = page["next_after_seq"]
        self.assertGreater(seen, EXPENDITURES)
        self.assertGreater(pages, 2)
        first = self.same(f"/v1/entries?kind=expenditure&fiscal_year={YEAR}&limit=50")["entries"]
        self.assertEqual(len(first), 50)
        sample = first[7]["entry"]
        for query in (f"opd={sample['opd']}&fiscal_year={YEAR}",
                      f"account={sample['account']}",
                      "kind=reversal", "kind=refund", "kind=tax_deposit", "kind=budget", "kind=opd",
                      f"from={YEAR}-03-01&to={YEAR}-03-31",
                      f"opd={sample['opd']}&kind=expenditure&from={YEAR}-06-01&limit=20"):
            self.same(f"/v1/entries?{query}")
        for entry in first[:10]:
            self.same(f"/v1/entries/{entry['entry']['seq']}")

    def test_proofs(self):
        size = api.tree_size(S.sqlite)
        self.assertEqual(size, api.tree_size(S.pg))
        for seq in (0, 1, size // 3, size // 2, size - 1):
            self.same(f"/v1/proofs/inclusion?seq={seq}&tree_size={size}")
        for first in (1, size // 4, size - 1):
            self.same(f"/v1/proofs/consistency?first={first}&second={size}")

    def test_absorption_findings_and_workpapers(self):
        whole = self.same(f"/v1/summary/absorption?fiscal_year={YEAR}")
        self.assertTrue(whole)
        opds = self.same(f"/v1/entries?kind=opd")["entries"]
        for opd in opds[:3]:
            self.same(f"/v1/summary/absorption?fiscal_year={YEAR}&opd={opd['entry']['code']}")
        findings = self.same(f"/v1/audit/findings?fiscal_year={YEAR}")
        self.assertGreater(len(json.dumps(findings)), 1000)
        listed = findings.get("findings", [])
        self.assertTrue(listed, "the demo plants anomalies: findings expected")
        for finding in listed[:5]:
            self.same(f"/v1/audit/findings/{finding['id']}?fiscal_year={YEAR}")
        for sheet in ("Ringkasan", "Transaksi", "Realisasi", "Pajak", "Temuan", "Koreksi"):
            csv = self.same(f"/v1/export/workpapers?fiscal_year={YEAR}&format=csv&sheet={sheet}",
                            binary=True)
            self.assertIn(b"\n", csv)
        self.assertGreater(len(self.same(f"/v1/export/workpapers?fiscal_year={YEAR}&format=csv"
                                         f"&sheet=Transaksi", binary=True)), 10000)

    def test_init_refuses_a_database_that_holds_a_ledger(self):
        target = os.path.join(S.tmp, "second")
        result = api.run_cli("init", "--data", target, "--region", "Kabupaten Lain", "--db", S.pg_url,
                             check=False)
        self.assertEqual(result.returncode, 2, result)
        self.assertIn(b"already holds a ledger", result.stderr)
        self.assertFalse(os.path.exists(target))
        self.assertEqual(api.tree_size(S.pg), api.tree_size(S.sqlite))


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]] + sys.argv[2:], verbosity=2)
