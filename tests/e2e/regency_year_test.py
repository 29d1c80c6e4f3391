#!/usr/bin/env python3
"""A regency's fiscal year, computed by hand, against a real `jejak serve` over HTTPS.

Usage: python3 tests/e2e/regency_year_test.py /path/to/jejak [unittest options]

Two OPDs of a regency record fiscal year 2025 (and one payment of 2024) through the API.
Every figure the tests check was worked out by hand from the entries below, and each test
shows one decision an auditor would sign:

- a refund in April of a February payment leaves February's realisation unchanged and
  lowers April's; a refund of a 2024 payment is pendapatan lain-lain of 2025 and leaves
  2024 alone;
- a report at tree_size=N is byte-identical before and after later appends;
- the TEPRA band inside a month compares at the previous month's end;
- a backfilled DPA (budget with effective_date) removes a false OVER_PAGU, while the
  report pinned before it still shows it;
- six direct-procurement packages of Rp195 juta to six vendors on one line are a split;
- a regional holiday does not move a tax deposit deadline; a national one does.

Reuses the server and HTTP helpers of api_test.py (same directory).
"""

import os
import shutil
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True  # Importing api_test must leave no __pycache__ in the tree.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import api_test as api  # noqa: E402  (helpers only; its tests are not loaded here)

DINKES = "1.02.0.00.0.00.01.0000"
PUPR = "1.03.0.00.0.00.01.0000"
SUB_DINKES = "1.02.02.2.01.0014"
SUB_PUPR = "1.03.03.2.01.0001"
ATK = "5.1.02.01.01.0024"          # DINKES line with a RAK of Rp50 juta a month.
JASA = "5.1.02.02.01.0026"         # DINKES line whose DPA is entered late.
PEMELIHARAAN = "5.1.02.03.02.0035"  # PUPR line of the six packages (goods and services).
JUTA = 1_000_000 * 100             # Sen in one million rupiah.


class State:
    pass


S = State()


def money(sen):
    return f"{sen // 100}.{sen % 100:02d}"


def sen_of(text):
    return api.money_to_cents(text)


def expenditure(opd, sub, account, value_date, gross_sen, fiscal_year=2025, taxes=(), payee=None,
                procurement=None, evidence_date=None):
    taxes = [{"type": kind, "amount": money(amount)} for kind, amount in taxes]
    net = gross_sen - sum(sen_of(t["amount"]) for t in taxes)
    body = {
        "kind": "expenditure", "fiscal_year": fiscal_year, "opd": opd, "sub_activity": sub,
        "account": account, "mechanism": "LS", "instrument": "sp2d_ls", "value_date": value_date,
        "gross": money(gross_sen), "taxes": taxes, "net": money(net),
        "payee": payee or {"name": "CV Sinar Rejang", "npwp": "012345678901000", "bank": "Bank Bengkulu",
                           "account_no": "0012034567", "account_name": "CV SINAR REJANG"},
        "documents": {"sp2d": api.unique("SP2D"), "evidence_no": api.unique("KW"),
                      "evidence_date": evidence_date or value_date},
        "description": "Belanja tahun anggaran " + str(fiscal_year),
        "bank_ref": api.unique("BRK"),
    }
    if procurement:
        body["procurement"] = procurement
    return body


def budget(opd, sub, account, pagu_sen, effective_date=None, plan_sen=None, fiscal_year=2025):
    body = {"kind": "budget", "fiscal_year": fiscal_year, "opd": opd, "sub_activity": sub,
            "account": account, "pagu": money(pagu_sen), "stage": "murni",
            "note": f"DPA {fiscal_year}"}
    if effective_date:
        body["effective_date"] = effective_date
    if plan_sen is not None:
        body["monthly_plan"] = [money(plan_sen)] * 12
    return body


def append(body, token):
    response = api.post("/v1/entries", body, token)
    if response.status != 201:
        raise AssertionError(f"append refused: {response} for {body}")
    return response.json()["entry"]["seq"]


def absorption(query, token=None):
    response = api.get("/v1/summary/absorption?" + query, token or S.auditor)
    assert response.status == 200, response
    return response


def findings(query):
    response = api.get("/v1/audit/findings?" + query, S.auditor)
    assert response.status == 200, response
    return response


def opd_row(report, code):
    rows = [row for row in report["opds"] if row["opd"] == code]
    assert len(rows) == 1, report
    return rows[0]


def setUpModule():
    S.tmp = tempfile.mkdtemp(prefix="jejak-regency-")
    S.data = os.path.join(S.tmp, "data")
    api.run_cli("init", "--data", S.data, "--region", "Pemerintah Kabupaten Rejang Lebong",
                "--origin", "jejak.test/rejang-lebong", *api.database_args())
    # A regional holiday on the deadline of July's tax (Friday 15 August 2025) and a
    # national one on September's (Wednesday 15 October 2025).
    with open(os.path.join(S.data, "jejak.conf"), "a", encoding="utf-8") as conf:
        conf.write("holiday = 2025-08-15 regional Hari Jadi Kabupaten\n")
        conf.write("holiday = 2025-10-15 national Libur Nasional Uji\n")
    S.server = api.Server(S.data)
    api.S.server = S.server
    S.admin = api.cli_token(S.data, "admin", "bpkad")
    S.auditor = api.cli_token(S.data, "auditor", "bpk-auditor")
    S.dinkes = api.cli_token(S.data, "officer", "bendahara-dinkes", DINKES)
    S.pupr = api.cli_token(S.data, "officer", "bendahara-pupr", PUPR)

    append({"kind": "opd", "code": DINKES, "name": "Dinas Kesehatan"}, S.admin)
    append({"kind": "opd", "code": PUPR, "name": "Dinas Pekerjaan Umum dan Penataan Ruang"}, S.admin)
    append(budget(DINKES, SUB_DINKES, ATK, 600 * JUTA, "2025-01-02", plan_sen=50 * JUTA), S.admin)
    append(budget(PUPR, SUB_PUPR, PEMELIHARAAN, 1200 * JUTA, "2025-01-02"), S.admin)
    # The DPA of JASA typed in today without its date: in force only from today.
    append(budget(DINKES, SUB_DINKES, JASA, 100 * JUTA), S.admin)
    append(budget(DINKES, SUB_DINKES, ATK, 600 * JUTA, "2024-01-02", fiscal_year=2024), S.admin)

    S.prior = append(expenditure(DINKES, SUB_DINKES, ATK, "2024-11-05", 5 * JUTA, fiscal_year=2024), S.dinkes)
    S.feb = append(expenditure(DINKES, SUB_DINKES, ATK, "2025-02-10", 100 * JUTA), S.dinkes)
    S.mar = append(expenditure(DINKES, SUB_DINKES, ATK, "2025-03-14", 40 * JUTA), S.dinkes)
    S.jasa = append(expenditure(DINKES, SUB_DINKES, JASA, "2025-06-02", 20 * JUTA), S.dinkes)
    # Rp11 juta with Rp2 juta PPh 23 withheld in July and in September.
    S.jul = append(expenditure(DINKES, SUB_DINKES, ATK, "2025-07-10", 11 * JUTA,
                               taxes=[("PPh23", 2 * JUTA)]), S.dinkes)
    S.sep = append(expenditure(DINKES, SUB_DINKES, ATK, "2025-09-10", 11 * JUTA,
                               taxes=[("PPh23", 2 * JUTA)]), S.dinkes)
    # July's deadline is Friday 15 August (a regional holiday moves nothing): Monday 18th is
    # late. September's is Wednesday 15 October, a national holiday: Thursday 16th is on time.
    deposit = {"kind": "tax_deposit", "fiscal_year": 2025, "opd": DINKES, "tax_type": "PPh23",
               "amount": money(2 * JUTA)}
    S.jul_deposit = append(dict(deposit, billing_code="123456789012345", ntpn="A1B2C3D4E5F6G7H8",
                                deposit_date="2025-08-18", covers=[S.jul]), S.dinkes)
    S.sep_deposit = append(dict(deposit, billing_code="123456789012346", ntpn="B1B2C3D4E5F6G7H8",
                                deposit_date="2025-10-16", covers=[S.sep]), S.dinkes)
    # Six packages of Rp195 juta, each to another vendor with its own SPK, one line.
    S.packages = []
    for i in range(6):
        payee = {"name": f"CV Vendor {i + 1}", "npwp": f"01234567890{i}000", "bank": "Bank Bengkulu",
                 "account_no": f"00120000{i}1", "account_name": f"CV VENDOR {i + 1}"}
        S.packages.append(append(expenditure(
            PUPR, SUB_PUPR, PEMELIHARAAN, f"2025-05-{5 + 3 * i:02d}", 195 * JUTA, payee=payee,
            procurement={"method": "PL", "contract_no": f"6{i}/SPK/PUPR/2025",
                         "contract_value": "195000000"}), S.pupr))
    S.first_size = api.tree_size()
    S.pinned = {
        "absorption": absorption(f"fiscal_year=2025&as_of=2025-12-31&tree_size={S.first_size}").body,
        "findings": findings(f"fiscal_year=2025&as_of=2025-12-31&tree_size={S.first_size}").body,
    }

    # Later: refunds (April of February's payment; March 2025 of the 2024 payment), the
    # backfilled DPA of JASA, and more spending.
    S.refund = append({"kind": "refund", "refunds": S.feb, "value_date": "2025-04-22",
                       "amount": money(10 * JUTA), "sts_no": "STS-0042/DINKES/2025",
                       "reason": "Kelebihan bayar dikembalikan penyedia"}, S.dinkes)
    S.prior_refund = append({"kind": "refund", "refunds": S.prior, "value_date": "2025-03-03",
                             "amount": money(5 * JUTA), "sts_no": "STS-0007/DINKES/2025",
                             "reason": "Sisa uang muka 2024 disetor kembali"}, S.dinkes)
    S.backfill = append(budget(DINKES, SUB_DINKES, JASA, 100 * JUTA, "2025-01-02"), S.admin)
    append(expenditure(DINKES, SUB_DINKES, ATK, "2025-11-03", 7 * JUTA), S.dinkes)


def tearDownModule():
    S.server.stop()
    shutil.rmtree(S.tmp, ignore_errors=True)


class T01Refunds(unittest.TestCase):
    def test_april_refund_of_a_february_payment_lowers_april_only(self):
        # Hand-computed cumulative realisation of DINKES on ATK and JASA: Feb 100, Mar 140,
        # Apr 130 (the refund of 10), May 130, Jun 150 (JASA 20).
        row = opd_row(absorption("fiscal_year=2025&as_of=2025-06-30").json(), DINKES)
        monthly = {m["month"]: m["realisation"] for m in row["monthly"]}
        self.assertEqual(monthly["2025-01"], money(0))
        self.assertEqual(monthly["2025-02"], money(100 * JUTA))
        self.assertEqual(monthly["2025-03"], money(140 * JUTA))
        self.assertEqual(monthly["2025-04"], money(130 * JUTA))
        self.assertEqual(monthly["2025-06"], money(150 * JUTA))
        self.assertEqual(row["realisation"], money(150 * JUTA))
        self.assertEqual(row["refunds"], {"amount": money(10 * JUTA), "count": 1})
        # The same report as of the end of February, asked after the refund: unchanged.
        february = opd_row(absorption("fiscal_year=2025&as_of=2025-02-28").json(), DINKES)
        self.assertEqual(february["realisation"], money(100 * JUTA))

    def test_refund_of_last_years_payment_is_other_revenue_of_this_year(self):
        row = opd_row(absorption("fiscal_year=2025&as_of=2025-12-31").json(), DINKES)
        self.assertEqual(row["other_revenue"], {"amount": money(5 * JUTA), "count": 1})
        # Belanja 2025: 100 + 40 + 20 + 11 + 11 + 7 - 10 = 179 juta; the 2024 refund is not in it.
        self.assertEqual(row["realisation"], money(179 * JUTA))
        closed = opd_row(absorption("fiscal_year=2024&as_of=2024-12-31").json(), DINKES)
        self.assertEqual(closed["realisation"], money(5 * JUTA))
        self.assertEqual(closed["other_revenue"], {"amount": money(0), "count": 0})

    def test_refund_beyond_what_is_unrefunded_is_refused(self):
        # 90 juta of February's payment are still unrefunded.
        response = api.post("/v1/entries", {"kind": "refund", "refunds": S.feb, "value_date": "2025-05-02",
                                            "amount": money(90 * JUTA + 1), "sts_no": "STS-0099/DINKES/2025",
                                            "reason": "Uji batas"}, S.dinkes)
        self.assertIn(response.status, (409, 422), response)
        self.assertIn("amount", [e["field"] for e in response.json().get("errors", [])], response)


class T02PinnedReports(unittest.TestCase):
    def test_report_at_tree_size_is_identical_after_later_appends(self):
        query = f"fiscal_year=2025&as_of=2025-12-31&tree_size={S.first_size}"
        self.assertEqual(absorption(query).body, S.pinned["absorption"])
        self.assertEqual(findings(query).body, S.pinned["findings"])
        # ...while the newest report has moved on.
        self.assertNotEqual(absorption("fiscal_year=2025&as_of=2025-12-31").body, S.pinned["absorption"])

    def test_pinned_report_names_its_tree_size_and_root(self):
        report = absorption(f"fiscal_year=2025&as_of=2025-12-31&tree_size={S.first_size}").json()
        self.assertEqual(report["tree_size"], S.first_size)
        self.assertRegex(report["root_hash"], "^[0-9a-f]{64}$")
        proof = api.get(f"/v1/proofs/consistency?first={S.first_size}&second={api.tree_size()}", S.auditor)
        self.assertEqual(proof.status, 200, proof)


class T03TepraBand(unittest.TestCase):
    def test_mid_month_compares_at_the_previous_months_end(self):
        # 25 April: compared at 31 March, 140 juta against a RAK of 150 juta (-6.67%,
        # blue); April so far is the refund of -10 juta.
        row = opd_row(absorption("fiscal_year=2025&as_of=2025-04-25").json(), DINKES)
        self.assertEqual(row["band_month"], "2025-03")
        self.assertEqual(row["band_realisation"], money(140 * JUTA))
        self.assertEqual(row["band_plan"], money(150 * JUTA))
        self.assertEqual(row["band"], "blue")
        self.assertEqual(row["month_to_date"], "-" + money(10 * JUTA))

    def test_month_end_compares_that_month(self):
        # 30 April: 130 juta against 200 juta, -35%: red.
        row = opd_row(absorption("fiscal_year=2025&as_of=2025-04-30").json(), DINKES)
        self.assertEqual(row["band_month"], "2025-04")
        self.assertEqual(row["band_realisation"], money(130 * JUTA))
        self.assertEqual(row["band_plan"], money(200 * JUTA))
        self.assertEqual(row["band"], "red")

    def test_only_lines_with_a_rak_count(self):
        # 30 June: JASA's 20 juta has no RAK: the band sees 130 juta on ATK, not 150.
        row = opd_row(absorption("fiscal_year=2025&as_of=2025-06-30").json(), DINKES)
        self.assertEqual(row["band_realisation"], money(130 * JUTA))
        self.assertEqual(row["band_plan"], money(300 * JUTA))


def rule_findings(body, rule, opd=None):
    return [f for f in body["findings"] if f["rule"] == rule and (opd is None or f["opd"] == opd)]


class T04Findings(unittest.TestCase):
    def test_backfilled_dpa_removes_the_false_over_pagu(self):
        before = findings(f"fiscal_year=2025&as_of=2025-12-31&tree_size={S.first_size}").json()
        over = rule_findings(before, "OVER_PAGU", DINKES)
        self.assertEqual([f["seqs"] for f in over], [[S.jasa]], before)
        after = findings("fiscal_year=2025&as_of=2025-12-31").json()
        self.assertEqual(rule_findings(after, "OVER_PAGU"), [], after)

    def test_six_vendor_split_is_found(self):
        body = findings("fiscal_year=2025&as_of=2025-12-31").json()
        split = rule_findings(body, "SPLIT_PACKAGE", PUPR)
        self.assertEqual(len(split), 1, body)
        self.assertEqual(split[0]["seqs"], S.packages)
        self.assertEqual(split[0]["amount"], money(1170 * JUTA))
        self.assertEqual(split[0]["opd_name"], "Dinas Pekerjaan Umum dan Penataan Ruang")
        for field in ("kondisi", "kriteria", "sebab", "akibat", "rekomendasi"):
            self.assertTrue(split[0][field], field)
        self.assertIn("Peraturan Presiden Nomor 16 Tahun 2018", split[0]["kriteria"])
        self.assertIn("Nomor 12 Tahun 2021, Pasal 20 ayat (2) huruf d", split[0]["kriteria"])
        self.assertIn("Rp 200.000.000,00", split[0]["kriteria"])
        self.assertTrue(split[0]["rekomendasi"].startswith("BPK merekomendasikan Bupati Rejang Lebong"),
                        split[0]["rekomendasi"])

    def test_regional_holiday_does_not_move_a_deposit_deadline(self):
        body = findings("fiscal_year=2025&as_of=2025-12-31").json()
        taxes = rule_findings(body, "TAX_NOT_DEPOSITED", DINKES)
        flagged = {seq for f in taxes for seq in f["seqs"]}
        self.assertIn(S.jul, flagged, taxes)       # Deposited 18 August, deadline 15 August.
        self.assertNotIn(S.sep, flagged, taxes)    # Deposited 16 October, deadline moved to 16th.


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    api.JEJAK = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
