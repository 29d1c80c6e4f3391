#!/usr/bin/env python3
"""End-to-end tests of what GET /v1/integrity tells the dashboard (the checkpoint's age and
staleness, the fiscal years and the default year) and of GET /v1/labels, against a real
`jejak serve` over HTTPS.

Usage: python3 tests/e2e/integrity_labels_test.py /path/to/jejak [unittest options]

Each test records into a ledger of its own (so their counts do not mix). The stale test
configures checkpoint_stale_after_seconds = 1 and waits past it. The labels test also
reads the workpapers CSV and the absorption summary: the names beside the codes there come
from the same table. Reuses the server and HTTP helpers of api_test.py (same directory).
"""

import calendar
import csv
import io
import os
import re
import shutil
import sys
import tempfile
import time
import unittest

sys.dont_write_bytecode = True  # Importing api_test must leave no __pycache__ in the tree.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import api_test as api  # noqa: E402  (helpers only; its tests are not loaded here)

OPD_A = "1.02.0.00.0.00.01.0000"
OPD_B = "1.01.0.00.0.00.01.0000"
LABEL_GROUPS = ["rules", "instruments", "mechanisms", "account_groups", "tax_types", "kinds", "severities"]


class Ledger:
    """A fresh ledger in its own directory, served, with a token per role and two OPDs."""

    def __init__(self, tmp, name, conf_lines=()):
        self.data = os.path.join(tmp, name)
        api.init_ledger(self.data)
        if conf_lines:
            path = os.path.join(self.data, "jejak.conf")
            with open(path, encoding="utf-8") as f:
                text = f.read()
            for key, value in conf_lines:
                text, replaced = re.subn(rf"(?m)^{key} = .*$", f"{key} = {value}", text)
                if not replaced:
                    text += f"{key} = {value}\n"
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        api.S.conf = api.read_conf(self.data)
        self.server = api.Server(self.data)
        self.admin = api.cli_token(self.data, "admin", "bpkad-admin")
        self.officer = api.cli_token(self.data, "officer", "bendahara-dinkes", OPD_A)
        self.auditor = api.cli_token(self.data, "auditor", "bpk-auditor")
        self.executive = api.cli_token(self.data, "executive", "bupati")
        for code, name in [(OPD_A, "Dinas Kesehatan"), (OPD_B, "Dinas Pendidikan")]:
            self.must({"kind": "opd", "code": code, "name": name}, self.admin)

    def must(self, body, token):
        response = api.post("/v1/entries", body, token, server=self.server)
        if response.status != 201:
            raise RuntimeError(f"recording {body.get('kind')}: {response}")
        return response.json()["entry"]

    def get(self, path, token):
        return api.get(path, token, server=self.server)

    def integrity(self):
        response = self.get("/v1/integrity", self.executive)
        if response.status != 200:
            raise RuntimeError(f"integrity: {response}")
        return response.json()


def setUpModule():
    S.tmp = tempfile.mkdtemp(prefix="jejak-integrity-test-")


def tearDownModule():
    for server in list(api.Server.running):
        server.stop()
    shutil.rmtree(S.tmp, ignore_errors=True)


class State:
    pass


S = State()


def spend(year, value_date, instrument="cms_transfer", opd=OPD_A):
    body = api.expenditure(opd, value_date=value_date, fiscal_year=year)
    body["instrument"] = instrument
    if instrument == "cash":
        body.pop("bank_ref")
        body["cash_reason"] = "Toko di desa tidak menerima transfer"
    return body


class IntegrityTest(unittest.TestCase):
    def test_fiscal_years_and_the_default_year(self):
        ledger = Ledger(S.tmp, "years")
        status = ledger.integrity()
        self.assertEqual(status["fiscal_years"], [])
        self.assertIsNone(status["default_fiscal_year"])
        # Payments of 2025 only, no budgets anywhere: the busiest year is the default.
        ledger.must(spend(2025, "2025-11-03"), ledger.officer)
        status = ledger.integrity()
        self.assertEqual(status["fiscal_years"], [{"fiscal_year": 2025, "budget_lines": 0, "expenditures": 1}])
        self.assertEqual(status["default_fiscal_year"], 2025)
        # 2026 has a budget line (recorded twice: murni, then pergeseran) and two payments;
        # one test payment in 2027 does not make 2027 the default.
        ledger.must(api.budget(OPD_A), ledger.admin)
        shifted = api.budget(OPD_A, pagu="140000000.00")
        shifted["stage"] = "pergeseran"
        ledger.must(shifted, ledger.admin)
        for day in ("2026-02-03", "2026-02-04"):
            ledger.must(spend(2026, day), ledger.officer)
        test_payment = ledger.must(spend(2027, "2027-01-05"), ledger.officer)
        status = ledger.integrity()
        self.assertEqual(status["fiscal_years"], [
            {"fiscal_year": 2027, "budget_lines": 0, "expenditures": 1},
            {"fiscal_year": 2026, "budget_lines": 1, "expenditures": 2},
            {"fiscal_year": 2025, "budget_lines": 0, "expenditures": 1},
        ])
        self.assertEqual(status["default_fiscal_year"], 2026)
        # Reversed, the test payment leaves 2027 with nothing: it is no longer listed.
        response = api.post(f"/v1/entries/{test_payment['seq']}/reversal", {"reason": "Uji coba"},
                            ledger.officer, server=ledger.server)
        self.assertEqual(response.status, 201, response)
        status = ledger.integrity()
        self.assertEqual([y["fiscal_year"] for y in status["fiscal_years"]], [2026, 2025])
        self.assertEqual(status["default_fiscal_year"], 2026)
        # Every reader role sees the same; an admin token is refused as before.
        for token in (ledger.officer, ledger.auditor):
            other = ledger.get("/v1/integrity", token).json()
            self.assertEqual(other["fiscal_years"], status["fiscal_years"])
        self.assertEqual(ledger.get("/v1/integrity", ledger.admin).status, 403)
        ledger.server.stop()

    def test_a_fresh_checkpoint_is_not_stale_by_default(self):
        ledger = Ledger(S.tmp, "fresh")
        self.assertEqual(api.read_conf(ledger.data)["checkpoint_stale_after_seconds"], "86400")
        status = ledger.integrity()
        self.assertIsInstance(status["checkpoint_age_seconds"], int)
        self.assertGreaterEqual(status["checkpoint_age_seconds"], 0)
        self.assertLess(status["checkpoint_age_seconds"], 60)
        self.assertIs(status["checkpoint_stale"], False)
        ledger.server.stop()

    def test_an_old_checkpoint_is_stale_after_the_configured_age(self):
        ledger = Ledger(S.tmp, "stale", conf_lines=[("checkpoint_stale_after_seconds", "1")])
        time.sleep(2.5)
        status = ledger.integrity()
        self.assertGreaterEqual(status["checkpoint_age_seconds"], 2)
        self.assertIs(status["checkpoint_stale"], True)
        # The age counts from the checkpoint's own time line.
        checkpoint_time = status["checkpoint_time"]
        then = calendar.timegm(time.strptime(checkpoint_time[:19], "%Y-%m-%dT%H:%M:%S"))
        self.assertLessEqual(abs(time.time() - then - status["checkpoint_age_seconds"]), 2)
        # A new entry makes a new checkpoint: younger, and stale again only past 1 second.
        old_age = status["checkpoint_age_seconds"]
        ledger.must(spend(2026, "2026-02-03"), ledger.officer)
        status = ledger.integrity()
        self.assertNotEqual(status["checkpoint_time"], checkpoint_time)
        self.assertLess(status["checkpoint_age_seconds"], old_age)
        self.assertIs(status["checkpoint_stale"], status["checkpoint_age_seconds"] > 1)
        ledger.server.stop()

    def test_a_bad_stale_age_is_refused_at_start(self):
        data = os.path.join(S.tmp, "bad-conf")
        api.init_ledger(data)
        with open(os.path.join(data, "jejak.conf"), encoding="utf-8") as f:
            text = f.read()
        with open(os.path.join(data, "jejak.conf"), "w", encoding="utf-8") as f:
            f.write(re.sub(r"(?m)^checkpoint_stale_after_seconds = .*$", "checkpoint_stale_after_seconds = 0", text))
        with self.assertRaises(RuntimeError) as refused:
            api.Server(data)
        self.assertIn("checkpoint_stale_after_seconds", str(refused.exception))


class LabelsTest(unittest.TestCase):
    def test_labels_for_every_role_and_the_same_as_the_workpapers(self):
        ledger = Ledger(S.tmp, "labels")
        ledger.must(api.budget(OPD_A), ledger.admin)
        ledger.must(spend(2026, "2026-02-03"), ledger.officer)
        ledger.must(spend(2026, "2026-02-05", instrument="cash"), ledger.officer)
        labels = ledger.get("/v1/labels", ledger.officer)
        self.assertEqual(labels.status, 200, labels)
        body = labels.json()
        self.assertEqual(list(body), LABEL_GROUPS)
        for token in (ledger.auditor, ledger.executive, ledger.admin):
            other = ledger.get("/v1/labels", token)
            self.assertEqual(other.status, 200)
            self.assertEqual(other.json(), body)
        self.assertEqual(ledger.get("/v1/labels", None).status, 401)
        self.assertEqual(ledger.get("/v1/labels?lang=id", ledger.officer).status, 400)
        self.assertEqual(body["instruments"]["cash"], "Tunai")
        self.assertEqual(body["mechanisms"]["GU"], "Ganti Uang Persediaan")
        self.assertEqual(body["account_groups"]["modal"], "Belanja Modal")
        self.assertEqual(body["tax_types"]["PPh22"], "PPh Pasal 22")
        self.assertEqual(body["kinds"]["reversal"], "Koreksi (pembatalan)")
        self.assertEqual(body["rules"]["CASH_PAYMENT"], "Pembayaran tunai")
        # Every code the API itself returns has a label.
        absorption = ledger.get("/v1/summary/absorption?fiscal_year=2026&as_of=2026-12-31", ledger.auditor).json()
        self.assertEqual(sorted(absorption["total"]["non_cash"]["by_instrument"]), sorted(body["instruments"]))
        self.assertEqual(sorted(absorption["total"]["account_groups"]), sorted(body["account_groups"]))
        findings = ledger.get("/v1/audit/findings?fiscal_year=2026&as_of=2026-12-31", ledger.auditor).json()
        self.assertTrue(findings["findings"])
        for finding in findings["findings"]:
            self.assertIn(finding["rule"], body["rules"])
            self.assertIn(finding["severity"], body["severities"])
        # The workpapers put the same labels beside their codes, and the OPD's name.
        response = ledger.get("/v1/export/workpapers?fiscal_year=2026&format=csv&sheet=Transaksi", ledger.auditor)
        self.assertEqual(response.status, 200, response)
        rows = list(csv.reader(io.StringIO(response.body.decode("utf-8"))))[1:]
        header, rows = rows[0], [dict(zip(rows[0], row)) for row in rows[1:]]
        self.assertEqual(header[header.index("Instrumen") + 1], "Nama Instrumen")
        self.assertEqual(len(rows), 2)
        for row in rows:
            self.assertEqual(row["Nama Instrumen"], body["instruments"][row["Instrumen"]])
            self.assertEqual(row["Nama Mekanisme"], body["mechanisms"][row["Mekanisme"]])
            self.assertEqual(row["Nama Kelompok Belanja"], body["account_groups"][row["Kelompok Belanja"]])
            self.assertEqual(row["Nama OPD"], "Dinas Kesehatan")
        response = ledger.get("/v1/export/workpapers?fiscal_year=2026&format=csv&sheet=Temuan", ledger.auditor)
        temuan = list(csv.reader(io.StringIO(response.body.decode("utf-8"))))[1:]
        temuan = [dict(zip(temuan[0], row)) for row in temuan[1:]]
        self.assertTrue(any(row["Kode Aturan"] == "CASH_PAYMENT" for row in temuan))
        for row in temuan:
            self.assertEqual(row["Nama Aturan"], body["rules"][row["Kode Aturan"]])
        ledger.server.stop()


if __name__ == "__main__":
    if len(sys.argv) < 2 or not os.path.isfile(sys.argv[1]) or not os.access(sys.argv[1], os.X_OK):
        sys.stderr.write("usage: integrity_labels_test.py /path/to/jejak [unittest options]\n")
        sys.exit(2)
    api.JEJAK = os.path.abspath(sys.argv[1])
    unittest.main(argv=[sys.argv[0]] + sys.argv[2:], verbosity=2)
