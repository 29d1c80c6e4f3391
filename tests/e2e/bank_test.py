#!/usr/bin/env python3
"""End-to-end tests of bank statements and their reconciliation against a real
`jejak serve` over HTTPS: POST /v1/bank-statements, its saved CSV mappings,
GET /v1/reconciliation, the "Rekonsiliasi Bank" workpaper sheet, `jejak bank-import` and
the stored reconciliation that `jejak verify` recomputes.

Usage: python3 tests/e2e/bank_test.py /path/to/jejak [unittest options]

A small ledger (three expenditures of one OPD) and a treasurer's statement written here
in MT940 (a debit matched by its bank reference, one matched by amount, date and payee
account, an unmatched debit, a teller cash withdrawal, a credit) give totals computed by
hand below. The sample files of tests/testdata/bank/ (MT940, camt.053, CSV with its
mapping) are uploaded as they are. Refusals: 401 before the body, 403, 413 past
bank_statement_body_max_bytes, 422 naming the file's line, 409 for an overlap or a
holder that differs; nothing is written on any of them. Reuses api_test.py's helpers.
"""

import csv
import hashlib
import io
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import unittest
import urllib.parse

sys.dont_write_bytecode = True  # Importing api_test must leave no __pycache__ in the tree.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import api_test as api  # noqa: E402  (helpers only; its tests are not loaded here)

OPD_A = "1.02.0.00.0.00.01.0000"  # Dinas Kesehatan: officer_a.
OPD_B = "1.01.0.00.0.00.01.0000"  # Dinas Pendidikan: officer_b.
TREASURER_ACCOUNT = "0020102000999"  # Dinas Kesehatan's bendahara pengeluaran.
RKUD_ACCOUNT = "0010100000777"
BODY_LIMIT = 1024 * 1024
TESTDATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testdata", "bank")
PAYEE_ACCOUNT = "0012034567"  # api.expenditure's payee.


class State:
    pass


S = State()


def cents(text):
    return api.money_to_cents(text)


def money(value):
    return api.cents_to_money(value)


def mt940_amount(value):
    return f"{value // 100},{value % 100:02d}"


def mt940(account, lines, opening, start, end, statement_no="00001/001"):
    """An MT940 statement. `lines`: (date YYYY-MM-DD, 'D'|'C', cents, type code,
    reference, bank reference or None, :86: text). Returns (bytes, closing cents, the file
    line of each :61:)."""
    def yymmdd(date):
        return date[2:4] + date[5:7] + date[8:10]
    out = [":20:" + api.unique("STMT")[-16:], f":25:{account}", f":28C:{statement_no}",
           f":60F:C{yymmdd(start)}IDR{mt940_amount(opening)}"]
    balance = opening
    line_numbers = []
    for date, mark, amount, code, reference, bank_ref, info in lines:
        line_numbers.append(len(out) + 1)
        tail = reference + (f"//{bank_ref}" if bank_ref else "")
        out.append(f":61:{yymmdd(date)}{date[5:7]}{date[8:10]}{mark}{mt940_amount(amount)}{code}{tail}")
        out.append(f":86:{info}")
        balance += amount if mark == "C" else -amount
    out.append(f":62F:C{yymmdd(end)}IDR{mt940_amount(balance)}")
    return ("\r\n".join(out) + "\r\n-").encode("ascii"), balance, line_numbers


def upload(body, query, token=None, headers=None):
    return api.request("POST", "/v1/bank-statements?" + urllib.parse.urlencode(query), body=body,
                       token=token or S.admin, content_type="application/octet-stream", headers=headers)


def reconciliation(query, token=None):
    response = api.get("/v1/reconciliation?" + urllib.parse.urlencode(query), token or S.auditor)
    assert response.status == 200, response
    return response.json()


def setUpModule():
    S.tmp = tempfile.mkdtemp(prefix="jejak-bank-test-")
    S.data = os.path.join(S.tmp, "main")
    api.init_ledger(S.data)
    conf_path = os.path.join(S.data, "jejak.conf")
    with open(conf_path, encoding="utf-8") as f:
        conf = f.read()
    assert "bank_statement_body_max_bytes = 52428800\n" in conf, "jejak init wrote no default body limit"
    with open(conf_path, "w", encoding="utf-8") as f:
        f.write(conf.replace("bank_statement_body_max_bytes = 52428800\n",
                             f"bank_statement_body_max_bytes = {BODY_LIMIT}\n"))
    api.S.conf = api.read_conf(S.data)
    S.server = api.Server(S.data)
    api.S.server = S.server
    S.admin = api.cli_token(S.data, "admin", "bpkad-admin")
    S.officer_a = api.cli_token(S.data, "officer", "bendahara-dinkes", OPD_A)
    S.officer_b = api.cli_token(S.data, "officer", "bendahara-disdik", OPD_B)
    S.auditor = api.cli_token(S.data, "auditor", "bpk-auditor")
    S.executive = api.cli_token(S.data, "executive", "bupati")
    for code, name in ((OPD_A, "Dinas Kesehatan"), (OPD_B, "Dinas Pendidikan")):
        response = api.post("/v1/entries", {"kind": "opd", "code": code, "name": name}, S.admin)
        assert response.status == 201, response
    # The payments: E1 paid with bank reference CMS-E1, E3 paid without one (matched by
    # amount, date and payee account), E2 never debited.
    S.payments = {}
    for name, value_date, gross in (("E1", "2026-02-03", "12500000.00"), ("E2", "2026-02-10", "7000000.00"),
                                    ("E3", "2026-02-12", "4400000.00")):
        body = api.expenditure(OPD_A, bank_ref=api.unique("CMS-" + name), value_date=value_date, gross=gross)
        response = api.post("/v1/entries", body, S.officer_a)
        assert response.status == 201, response
        entry = response.json()["entry"]
        S.payments[name] = {"seq": entry["seq"], "net": cents(entry["net"]), "bank_ref": entry["bank_ref"],
                            "date": value_date}
    S.opening = 100_000_000_00
    S.lines = [
        ("2026-02-03", "D", S.payments["E1"]["net"], "NTRF", "NONREF", S.payments["E1"]["bank_ref"],
         "/REMI/BELANJA ATK"),
        ("2026-02-12", "D", S.payments["E3"]["net"], "NTRF", "NONREF", None,
         f"/ACC/{PAYEE_ACCOUNT}/NAME/CV SINAR REJANG/REMI/BELANJA"),
        ("2026-02-15", "D", 3_000_000_00, "NTRF", "NONREF", "FT-NO-ENTRY-1", "/REMI/TRANSFER TANPA SP2D"),
        ("2026-02-20", "D", 5_000_000_00, "NCHK", "CK778899", None, "PENARIKAN TUNAI TELLER"),
        ("2026-02-25", "C", 1_000_000_00, "NINT", "NONREF", None, "BUNGA JASA GIRO"),
    ]
    S.february, S.closing, S.line_numbers = mt940(TREASURER_ACCOUNT, S.lines, S.opening, "2026-02-01",
                                                   "2026-02-28")


def tearDownModule():
    try:
        S.server.stop()
    finally:
        shutil.rmtree(S.tmp, ignore_errors=True)


class BankTestCase(unittest.TestCase):
    maxDiff = 4000

    def assertStatus(self, response, status):
        self.assertEqual(response.status, status, response)

    def assertNothingWritten(self, before):
        self.assertEqual(api.tree_size(), before)


class T01Refusals(BankTestCase):
    def test_no_token_is_401_before_the_body(self):
        before = api.tree_size()
        response = api.request("POST", "/v1/bank-statements?account=1&format=mt940", body=S.february,
                               content_type="text/plain")
        self.assertStatus(response, 401)
        self.assertNothingWritten(before)

    def test_an_officer_may_not_upload(self):
        response = upload(S.february, {"account": TREASURER_ACCOUNT, "format": "mt940"}, token=S.officer_a)
        self.assertStatus(response, 403)

    def test_a_body_over_the_routes_limit_is_413(self):
        before = api.tree_size()
        response = upload(b"x" * (BODY_LIMIT + 1), {"account": TREASURER_ACCOUNT, "format": "mt940"})
        self.assertStatus(response, 413)
        self.assertNothingWritten(before)
        # Entries keep their small limit; this route's larger one is its own.
        response = api.request("POST", "/v1/entries", body=b"{" + b" " * (70 * 1024) + b"}", token=S.admin)
        self.assertStatus(response, 413)

    def test_a_malformed_line_is_422_naming_the_line(self):
        before = api.tree_size()
        broken = S.february.replace(b"D" + mt940_amount(3_000_000_00).encode(), b"DXX,00")
        self.assertNotEqual(broken, S.february)
        query = {"account": TREASURER_ACCOUNT, "format": "mt940", "bank": "Bank Bengkulu",
                 "role": "bendahara_pengeluaran", "opd": OPD_A}
        response = upload(broken, query)
        self.assertStatus(response, 422)
        fields = [e["field"] for e in response.json()["errors"]]
        self.assertIn(f"line {S.line_numbers[2]}", fields, response)
        indonesian = upload(broken, query, headers={"Accept-Language": "id"})
        self.assertStatus(indonesian, 422)
        self.assertEqual(indonesian.header("content-language"), "id")
        self.assertIn(f"line {S.line_numbers[2]}", [e["field"] for e in indonesian.json()["errors"]])
        self.assertNothingWritten(before)

    def test_a_first_statement_needs_its_holder(self):
        before = api.tree_size()
        response = upload(S.february, {"account": TREASURER_ACCOUNT, "format": "mt940"})
        self.assertStatus(response, 400)
        fields = {e["field"] for e in response.json()["errors"]}
        self.assertEqual(fields, {"bank", "role"})
        response = upload(S.february, {"account": TREASURER_ACCOUNT, "format": "mt940", "bank": "Bank Bengkulu",
                                       "role": "bendahara_pengeluaran"})
        self.assertStatus(response, 400)
        self.assertEqual([e["field"] for e in response.json()["errors"]], ["opd"])
        response = upload(S.february, {"account": "0099", "format": "mt940", "bank": "Bank Bengkulu",
                                       "role": "rkud"})
        self.assertStatus(response, 422)  # The file is another account's.
        self.assertNothingWritten(before)


class T02Upload(BankTestCase):
    def test_1_statement_is_appended_and_reconciled(self):
        before = api.tree_size()
        response = upload(S.february, {"account": TREASURER_ACCOUNT, "format": "mt940", "bank": "Bank Bengkulu",
                                       "role": "bendahara_pengeluaran", "opd": OPD_A})
        self.assertStatus(response, 201)
        answer = response.json()
        S.february_seq = answer["seq"]
        self.assertEqual(answer["seq"], before)
        self.assertEqual(answer["tree_size"], before + 1)
        self.assertEqual((answer["lines"], answer["debits"], answer["credits"]), (5, 4, 1))
        self.assertEqual(answer["file_sha256"], hashlib.sha256(S.february).hexdigest())
        self.assertEqual(answer["fiscal_year"], 2026)
        self.assertIn(f"\n{before + 1}\n", answer["checkpoint"])
        entry = api.get(f"/v1/entries/{answer['seq']}", S.auditor).json()["entry"]
        self.assertEqual(entry["kind"], "bank_statement")
        self.assertEqual(entry["file_sha256"], answer["file_sha256"])
        self.assertEqual(entry["closing_balance"], money(S.closing))
        self.assertEqual(answer["leaf_hash"], api.leaf_hash(entry).hex())
        totals = answer["reconciliation"]["totals"]
        self.assertEqual(answer["reconciliation"]["tree_size"], before + 1)
        self.assertEqual(totals, expected_totals())

    def test_2_reconciliation_report_by_hand(self):
        report = reconciliation({"fiscal_year": 2026})
        self.assertEqual(report["totals"], expected_totals())
        self.assertEqual(report["params"], {"window_days": 3, "debit_due_days": 7})
        self.assertIsNone(report["account"])
        self.assertEqual(len(report["root_hash"]), 64)
        [account] = report["accounts"]
        self.assertEqual((account["account_no"], account["role"], account["opd"], account["opd_name"]),
                         (TREASURER_ACCOUNT, "bendahara_pengeluaran", OPD_A, "Dinas Kesehatan"))
        self.assertEqual((account["statements"], account["debit_lines"], account["matched_lines"]), (1, 4, 2))
        [unmatched] = report["unmatched_debits"]
        self.assertEqual((unmatched["amount"], unmatched["bank_ref"], unmatched["source_line"], unmatched["date"]),
                         ("3000000.00", "FT-NO-ENTRY-1", S.line_numbers[2], "2026-02-15"))
        [cash] = report["cash_withdrawals"]
        self.assertEqual((cash["amount"], cash["type"]), ("5000000.00", "cash_withdrawal"))
        [payment] = report["unmatched_payments"]
        self.assertEqual((payment["seq"], payment["kind"], payment["amount"]),
                         (S.payments["E2"]["seq"], "expenditure", money(S.payments["E2"]["net"])))
        [february] = [m for m in report["months"] if m["month"] == "2026-02"]
        self.assertEqual(february["debit_lines"], 4)
        self.assertEqual(february["unmatched_payments"], 1)
        self.assertFalse(report["lists_truncated"])

    def test_3_reconciliation_roles_and_filters(self):
        self.assertEqual(reconciliation({"fiscal_year": 2026}, S.executive)["totals"], expected_totals())
        own = reconciliation({"fiscal_year": 2026}, S.officer_a)
        self.assertEqual(own["opd"], OPD_A)
        self.assertEqual(own["totals"], expected_totals())
        other = reconciliation({"fiscal_year": 2026}, S.officer_b)
        self.assertEqual(other["totals"]["debit_lines"], 0)
        self.assertEqual(other["totals"]["unmatched_payments"], 0)
        response = api.get(f"/v1/reconciliation?fiscal_year=2026&opd={OPD_A}", S.officer_b)
        self.assertStatus(response, 403)
        self.assertStatus(api.get("/v1/reconciliation?fiscal_year=2026", S.admin), 200)
        self.assertStatus(api.get("/v1/reconciliation?fiscal_year=2026&account=a%20b", S.auditor), 400)
        by_account = reconciliation({"fiscal_year": 2026, "account": TREASURER_ACCOUNT})
        self.assertEqual(by_account["totals"], expected_totals())
        none = reconciliation({"fiscal_year": 2026, "account": RKUD_ACCOUNT})
        self.assertEqual((none["totals"]["debit_lines"], none["totals"]["unmatched_payments"]), (0, 0))
        # Pinned to the tree before the statement: nothing to reconcile.
        pinned = reconciliation({"fiscal_year": 2026, "tree_size": S.february_seq})
        self.assertEqual(pinned["totals"]["debit_lines"], 0)
        self.assertEqual(pinned["totals"]["unmatched_payments"], 3)

    def test_4_overlap_is_409_and_writes_nothing(self):
        before = api.tree_size()
        response = upload(S.february, {"account": TREASURER_ACCOUNT, "format": "mt940"})
        self.assertStatus(response, 409)
        self.assertIn(str(S.february_seq), json.dumps(response.json()))
        self.assertNothingWritten(before)

    def test_5_workpaper_sheet_lists_every_line(self):
        response = api.get("/v1/export/workpapers?fiscal_year=2026&format=csv&sheet=Rekonsiliasi%20Bank",
                           S.auditor)
        self.assertStatus(response, 200)
        records = list(csv.reader(io.StringIO(response.body.decode("utf-8"))))
        header, rows = records[1], records[2:]
        self.assertEqual(len(rows), 5)
        status = [row[header.index("Status")] for row in rows]
        self.assertEqual(status, ["Cocok (referensi bank)", "Cocok (jumlah, tanggal, rekening)", "Debit tanpa entri",
                                  "Tarik tunai", "Kredit tanpa pasangan"])
        self.assertEqual(rows[0][header.index("Seq Entri Cocok")], str(S.payments["E1"]["seq"]))
        self.assertEqual(rows[1][header.index("Seq Entri Cocok")], str(S.payments["E3"]["seq"]))
        self.assertEqual(rows[1][header.index("Metode")], "amount_date_account")
        self.assertEqual(rows[2][header.index("Jumlah (Rp)")], "3000000.00")
        self.assertEqual(rows[2][header.index("Nama OPD")], "Dinas Kesehatan")
        self.assertEqual(rows[2][header.index("Baris Berkas")], str(S.line_numbers[2]))


def expected_totals():
    """The February statement against E1, E2, E3, by hand: E1 by reference, E3 by amount,
    date and payee account; 3,000,000 debited without an entry; 5,000,000 withdrawn at the
    teller; E2 never debited."""
    e1, e2, e3 = (S.payments[name]["net"] for name in ("E1", "E2", "E3"))
    debits = e1 + e3 + 3_000_000_00 + 5_000_000_00
    matched = e1 + e3
    percent = (matched * 10000 * 2 + debits) // (debits * 2)  # Half up.
    return {"debit_lines": 4, "debit_amount": money(debits), "matched_lines": 2, "matched_amount": money(matched),
            "matched_percent": f"{percent // 100}.{percent % 100:02d}", "unmatched_debit_lines": 1,
            "unmatched_debit_amount": "3000000.00", "unmatched_payments": 1, "unmatched_payment_amount": money(e2),
            "cash_withdrawals": 1, "cash_withdrawal_amount": "5000000.00", "amount_mismatches": 0, "breaks": 0}


class T03Inheritance(BankTestCase):
    def test_a_later_statement_inherits_its_holder(self):
        march, _, _ = mt940(TREASURER_ACCOUNT, [("2026-03-02", "C", 2_000_000_00, "NTRF", "NONREF", "FT-UP-03",
                                                 "PELIMPAHAN UP")], S.closing, "2026-03-01", "2026-03-31")
        before = api.tree_size()
        conflict = upload(march, {"account": TREASURER_ACCOUNT, "format": "mt940", "role": "rkud"})
        self.assertStatus(conflict, 409)
        self.assertEqual([e["field"] for e in conflict.json()["errors"]], ["role"])
        self.assertNothingWritten(before)
        response = upload(march, {"account": TREASURER_ACCOUNT, "format": "mt940"})
        self.assertStatus(response, 201)
        entry = api.get(f"/v1/entries/{response.json()['seq']}", S.auditor).json()["entry"]
        self.assertEqual((entry["account_role"], entry["opd"], entry["bank"]),
                         ("bendahara_pengeluaran", OPD_A, "Bank Bengkulu"))
        [account] = reconciliation({"fiscal_year": 2026})["accounts"]
        self.assertEqual((account["statements"], account["period_end"], account["breaks"]), (2, "2026-03-31", 0))


class T04Mappings(BankTestCase):
    def test_mappings_are_admin_only_and_newest_wins(self):
        mapping = {"separator": ";", "decimal": ",", "date_format": "DD/MM/YYYY", "date": "Tanggal",
                   "value_date": "Tanggal", "description": "Uraian", "bank_ref": "Ref", "amount": "Jumlah",
                   "direction": "DK"}
        self.assertStatus(api.post("/v1/bank-statements/mappings", {"name": "m", "mapping": mapping},
                                   S.officer_a), 403)
        self.assertStatus(api.post("/v1/bank-statements/mappings", {"name": "m", "mapping": mapping}, S.admin), 201)
        changed = dict(mapping, decimal=".")
        saved = api.post("/v1/bank-statements/mappings", {"name": "m", "mapping": changed}, S.admin)
        self.assertStatus(saved, 201)
        self.assertEqual(saved.json()["version"], 2)
        listed = api.get("/v1/bank-statements/mappings", S.admin).json()["mappings"]
        [m] = [m for m in listed if m["name"] == "m"]
        self.assertEqual(m["mapping"]["decimal"], ".")
        bad = api.post("/v1/bank-statements/mappings", {"name": "", "mapping": {"decimal": "x"}}, S.admin)
        self.assertStatus(bad, 400)
        # The import mappings of officers do not see them.
        self.assertEqual([x for x in api.get("/v1/imports/mappings", S.officer_a).json()["mappings"]
                          if x["name"] == "m"], [])
        missing = upload(b"a;b\r\n", {"account": "0030", "format": "csv", "mapping": "none-such",
                                       "bank": "BPD", "role": "rkud"})
        self.assertStatus(missing, 404)


class T05Samples(BankTestCase):
    """The hand-checked samples of tests/testdata/bank/, uploaded as they are."""

    def sample(self, name):
        with open(os.path.join(TESTDATA, name), "rb") as f:
            return f.read()

    def test_each_sample_format_uploads(self):
        if not os.path.isdir(TESTDATA):
            self.skipTest("tests/testdata/bank/ is not there")
        with open(os.path.join(TESTDATA, "sample-mapping.json"), encoding="utf-8") as f:
            mapping = json.load(f)
        self.assertStatus(api.post("/v1/bank-statements/mappings", {"name": "bpd-cms", "mapping": mapping},
                                   S.admin), 201)
        uploaded = {}
        for name, query in (("sample.mt940", {"format": "mt940"}), ("sample.camt053.xml", {"format": "camt053"}),
                            ("sample.csv", {"format": "csv", "mapping": "bpd-cms"})):
            body = self.sample(name)
            account = sample_account(name, body)
            response = upload(body, dict(query, account=account, bank="BPD Bengkulu", role="rkud"))
            if response.status == 409:  # Two samples of one account and period: a new account.
                self.fail(f"{name}: {response}")
            self.assertStatus(response, 201)
            answer = response.json()
            self.assertEqual(answer["file_sha256"], hashlib.sha256(body).hexdigest())
            self.assertGreater(answer["lines"], 0)
            uploaded[name] = answer
        self.assertEqual(len(uploaded), 3)


def sample_account(name, body):
    """The account a sample file names (MT940 :25:, camt Acct/Id, the CSV's: none, so
    one of its own)."""
    text = body.decode("utf-8", "replace")
    if name.endswith(".mt940"):
        return next(line[4:].strip() for line in text.splitlines() if line.startswith(":25:"))
    if name.endswith(".xml"):
        start = text.index("<Acct>")
        ident = text.index("<Id>", text.index("<Id>", start) + 4) if "<Othr>" in text[start:start + 200] else \
            text.index("<Id>", start)
        return text[ident + 4:text.index("</", ident)].strip()
    return "0090909090"


class T06Cli(BankTestCase):
    def test_bank_import_writes_nothing_on_error_then_appends(self):
        before = api.tree_size()
        rkud, _, lines = mt940(RKUD_ACCOUNT, [
            ("2026-04-02", "D", 1_000_000_00, "NTRF", "NONREF", "FT-RKUD-1", "/REMI/SP2D LS"),
            ("2026-04-03", "D", 2_000_000_00, "NTRF", "NONREF", "FT-RKUD-2", "/REMI/SP2D LS"),
        ], 50_000_000_00, "2026-04-01", "2026-04-30")
        bad_path = os.path.join(S.tmp, "bad.mt940")
        with open(bad_path, "wb") as f:
            f.write(rkud.replace(b"D" + mt940_amount(2_000_000_00).encode(), b"D2.000.000"))
        result = api.run_cli("bank-import", "--data", S.data, "--account", RKUD_ACCOUNT, "--bank", "BPD Bengkulu",
                             "--role", "rkud", bad_path, check=False)
        self.assertEqual(result.returncode, 2, result)
        self.assertIn(f"line {lines[1]}:", result.stdout.decode())
        self.assertIn("nothing written", result.stderr.decode())
        self.assertNothingWritten(before)
        good_path = os.path.join(S.tmp, "april.mt940")  # The format from the extension.
        with open(good_path, "wb") as f:
            f.write(rkud)
        result = api.run_cli("bank-import", "--data", S.data, "--account", RKUD_ACCOUNT, "--bank", "BPD Bengkulu",
                             "--role", "rkud", "--sub", "bpkad-admin", good_path)
        self.assertIn(f"appended bank statement seq {before}:", result.stdout.decode())
        self.assertIn("reconciliation 2026", result.stdout.decode())
        self.assertEqual(api.tree_size(), before + 1)
        self.assertEqual(api.run_cli("verify", "--data", S.data).returncode, 0)
        rkud_report = reconciliation({"fiscal_year": 2026, "account": RKUD_ACCOUNT})
        self.assertEqual(rkud_report["totals"]["unmatched_debit_lines"], 2)
        self.assertEqual(rkud_report["accounts"][0]["opd_name"], "Kas Daerah (RKUD)")


class T09Tampering(BankTestCase):
    """Last: these leave the ledger broken."""

    def test_verify_fails_when_the_stored_result_or_a_line_is_altered(self):
        self.assertEqual(api.run_cli("verify", "--data", S.data).returncode, 0)
        S.server.stop()
        path = os.path.join(S.data, "ledger.db")
        if not os.path.exists(path):
            self.skipTest("the ledger is not in SQLite")
        db = sqlite3.connect(path, timeout=30)
        stored = db.execute("SELECT result FROM bank_reconciliations WHERE fiscal_year = 2026").fetchone()[0]
        self.assertIn('"unmatched_debits"', stored)
        altered = stored.replace('"unmatched_debits":[{', '"unmatched_debits":[{"x":1,', 1)
        self.assertNotEqual(altered, stored)
        db.execute("UPDATE bank_reconciliations SET result = ?, result_sha256 = ? WHERE fiscal_year = 2026",
                   (altered, hashlib.sha256(altered.encode()).hexdigest()))
        db.commit()
        result = api.run_cli("verify", "--data", S.data, check=False)
        self.assertEqual(result.returncode, 1, result)
        self.assertIn("fiscal year 2026", result.stderr.decode())
        self.assertIn("unmatched_debits[0]", result.stderr.decode())
        db.execute("UPDATE bank_reconciliations SET result = ?, result_sha256 = ? WHERE fiscal_year = 2026",
                   (stored, hashlib.sha256(stored.encode()).hexdigest()))
        db.commit()
        self.assertEqual(api.run_cli("verify", "--data", S.data).returncode, 0)
        # A statement line altered in the entry itself: its leaf hash no longer matches.
        for trigger in ("entries_no_update", "entries_no_delete"):
            db.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        canonical = db.execute("SELECT canonical FROM entries WHERE seq = ?", (S.february_seq,)).fetchone()[0]
        self.assertIn('"FT-NO-ENTRY-1"', canonical)
        db.execute("UPDATE entries SET canonical = ? WHERE seq = ?",
                   (canonical.replace('"FT-NO-ENTRY-1"', '"FT-NO-ENTRY-2"'), S.february_seq))
        db.commit()
        db.close()
        result = api.run_cli("verify", "--data", S.data, check=False)
        self.assertEqual(result.returncode, 1, result)
        self.assertIn(f"at seq {S.february_seq}", result.stderr.decode())
        self.assertIn("leaf hash", result.stderr.decode())


if __name__ == "__main__":
    if len(sys.argv) < 2 or not os.path.isfile(sys.argv[1]) or not os.access(sys.argv[1], os.X_OK):
        sys.stderr.write("usage: bank_test.py /path/to/jejak [unittest options]\n")
        sys.exit(2)
    api.JEJAK = os.path.abspath(sys.argv[1])
    unittest.main(argv=[sys.argv[0]] + sys.argv[2:], verbosity=2)
