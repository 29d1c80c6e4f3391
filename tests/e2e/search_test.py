#!/usr/bin/env python3
"""End-to-end tests of the search filters of GET /v1/entries, GET /v1/budget-lines and
GET /v1/tax/open-withholdings against a real `jejak serve` over HTTPS.

Usage: python3 tests/e2e/search_test.py /path/to/jejak [unittest options]

Records a small ledger through the API (two OPDs, budgets with a pergeseran, payments
with taxes, a refund, a reversal, partial tax deposits), then checks what each filter
finds, paging in both orders, officer scoping (403 for another OPD), validation (400
naming the field) and every number of the two read endpoints against what this test
computes from what it posted. Reuses the helpers of api_test.py (same directory).
"""

import os
import shutil
import sys
import tempfile
import time
import unittest
import urllib.parse

sys.dont_write_bytecode = True  # Importing api_test must leave no __pycache__ in the tree.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import api_test as api  # noqa: E402  (helpers only; its tests are not loaded here)

OPD_A = "1.02.0.00.0.00.01.0000"  # Dinas Kesehatan: officer_a.
OPD_B = "1.01.0.00.0.00.01.0000"  # Dinas Pendidikan: officer_b.
SUB_1 = "1.02.02.2.01.0014"
SUB_2 = "1.02.02.2.01.0015"
ATK = "5.1.02.01.01.0024"
MODAL = "5.2.02.05.01.0001"
YEAR = time.gmtime().tm_year
NPWP = "012345678901234"


class State:
    pass


S = State()


def money(sen):
    return f"{sen // 100}.{sen % 100:02d}"


def budget(opd, sub, account, pagu_sen, stage="murni", effective=f"{YEAR}-01-01"):
    return {"kind": "budget", "fiscal_year": YEAR, "opd": opd, "sub_activity": sub, "account": account,
            "pagu": money(pagu_sen), "stage": stage, "effective_date": effective}


def spend(opd, sub, account, instrument, day, gross_sen, payee, taxes=(), npwp=None, sp2d=None):
    tax_sen = sum(amount for _, amount in taxes)
    body = {
        "kind": "expenditure", "fiscal_year": YEAR, "opd": opd, "sub_activity": sub, "account": account,
        "mechanism": "LS" if instrument == "sp2d_ls" else "GU", "instrument": instrument,
        "value_date": f"{YEAR}-{day}", "gross": money(gross_sen),
        "taxes": [{"type": kind, "amount": money(amount)} for kind, amount in taxes],
        "net": money(gross_sen - tax_sen),
        "payee": {"name": payee, "bank": "Bank Bengkulu", "account_no": api.unique("AC")[-10:],
                  "account_name": payee.upper()},
        "bank_ref": api.unique("SRCH"),
        "documents": {"evidence_no": api.unique("KW"), "spm": api.unique("SPM")},
        "description": "Belanja " + payee,
    }
    if npwp:
        body["payee"]["npwp"] = npwp
    if sp2d:
        body["documents"]["sp2d"] = sp2d
    return body


def ntpn():
    """A fresh 16-character NTPN (0-9, A-Z)."""
    return "NT" + api.unique("x").split("-", 1)[1].replace("-", "").rjust(14, "0")[-14:]


def must(body, token, path="/v1/entries"):
    response = api.post(path, body, token)
    if response.status != 201:
        raise RuntimeError(f"recording {body.get('kind', path)}: {response}")
    return response.json()["entry"]


def setUpModule():
    S.tmp = tempfile.mkdtemp(prefix="jejak-search-test-")
    S.data = os.path.join(S.tmp, "main")
    api.init_ledger(S.data)
    api.S.conf = api.read_conf(S.data)
    S.server = api.Server(S.data)
    api.S.server = S.server
    S.admin = api.cli_token(S.data, "admin", "bpkad-admin")
    S.officer_a = api.cli_token(S.data, "officer", "bendahara-dinkes", OPD_A)
    S.officer_b = api.cli_token(S.data, "officer", "bendahara-disdik", OPD_B)
    S.auditor = api.cli_token(S.data, "auditor", "bpk-auditor")
    S.executive = api.cli_token(S.data, "executive", "bupati")
    must({"kind": "opd", "code": OPD_A, "name": "Dinas Kesehatan"}, S.admin)
    must({"kind": "opd", "code": OPD_B, "name": "Dinas Pendidikan"}, S.admin)
    must(budget(OPD_A, SUB_1, ATK, 100_000_000_00), S.admin)
    must(budget(OPD_A, SUB_1, MODAL, 500_000_000_00), S.admin)
    # A pergeseran of the ATK line later: the newest entry is in force.
    S.atk_budget = must(budget(OPD_A, SUB_1, ATK, 80_000_000_00, "pergeseran", f"{YEAR}-03-01"), S.admin)
    must(budget(OPD_A, SUB_2, ATK, 10_000_000_00), S.admin)
    must(budget(OPD_B, SUB_1, ATK, 40_000_000_00), S.admin)
    S.e = {}
    S.e["atk1"] = must(spend(OPD_A, SUB_1, ATK, "cms_transfer", "01-10", 11_100_000_00, "CV Maju Jaya",
                             [("PPN", 1_100_000_00), ("PPh22", 166_500_00)], NPWP, "SP2D-A-1"), S.officer_a)
    S.e["atk2"] = must(spend(OPD_A, SUB_1, ATK, "qris", "01-20", 2_000_000_00, "Toko maju"), S.officer_a)
    S.e["modal"] = must(spend(OPD_A, SUB_1, MODAL, "sp2d_ls", "02-03", 222_000_000_00, "PT Bangun_Raya",
                              [("PPN", 22_000_000_00), ("PPh22", 3_000_000_00)], NPWP), S.officer_a)
    S.e["wrong"] = must(spend(OPD_A, SUB_1, ATK, "kkpd", "02-05", 5_000_000_00, "CV 100% Jaya",
                              [("PPh23", 100_000_00)]), S.officer_a)
    S.e["b1"] = must(spend(OPD_B, SUB_1, ATK, "cms_transfer", "01-11", 11_100_000_00, "CV Maju Jaya",
                           [("PPN", 1_100_000_00)], NPWP, "SP2D-B-1"), S.officer_b)
    must({"reason": "Salah input"}, S.officer_a, f"/v1/entries/{S.e['wrong']['seq']}/reversal")
    must({"kind": "refund", "refunds": S.e["atk2"]["seq"], "value_date": f"{YEAR}-01-25",
          "amount": money(500_000_00), "sts_no": "STS/001", "reason": "Kelebihan bayar"}, S.officer_a)
    # Deposits: all of atk1's PPN; 1,000,000 of modal's PPN; nothing of the PPh22s.
    for covers, amount in [([S.e["atk1"]["seq"]], 1_100_000_00), ([S.e["modal"]["seq"]], 1_000_000_00)]:
        must({"kind": "tax_deposit", "fiscal_year": YEAR, "opd": OPD_A, "tax_type": "PPN",
              "amount": money(amount), "billing_code": "1" * 15, "ntpn": ntpn(),
              "deposit_date": f"{YEAR}-02-10", "covers": covers}, S.officer_a)


def tearDownModule():
    try:
        if getattr(S, "server", None):
            S.server.stop()
    finally:
        shutil.rmtree(S.tmp, ignore_errors=True)


def query(path, **params):
    return path + "?" + urllib.parse.urlencode(params)


class SearchTest(api.ApiTestCase):
    def seqs(self, token, **params):
        """Every seq the filter lists, following next_after_seq / next_before_seq."""
        seqs = []
        cursor = "before_seq" if params.get("order") == "desc" else "after_seq"
        for _ in range(50):
            response = api.get(query("/v1/entries", **params), token)
            self.assertEqual(response.status, 200, response)
            page = response.json()
            seqs += [item["entry"]["seq"] for item in page["entries"]]
            nxt = page["next_before_seq" if cursor == "before_seq" else "next_after_seq"]
            if nxt is None:
                return seqs
            params[cursor] = nxt
        self.fail("paging did not end")

    def seq(self, *names):
        return [S.e[name]["seq"] for name in names]

    def test_each_filter(self):
        a = S.auditor
        self.assertEqual(self.seqs(a, bank_ref=S.e["modal"]["bank_ref"]), self.seq("modal"))
        self.assertEqual(self.seqs(a, evidence_no=S.e["atk2"]["documents"]["evidence_no"]), self.seq("atk2"))
        self.assertEqual(self.seqs(a, evidence_no=S.e["atk2"]["documents"]["spm"]), self.seq("atk2"))
        self.assertEqual(self.seqs(a, evidence_no="SP2D-B-1"), self.seq("b1"))
        self.assertEqual(self.seqs(a, payee_npwp=NPWP), self.seq("atk1", "modal", "b1"))
        self.assertEqual(self.seqs(a, payee="cv MAJU"), self.seq("atk1", "b1"))
        self.assertEqual(self.seqs(a, payee="CV 100%"), self.seq("wrong"))
        self.assertEqual(self.seqs(a, payee="CV %"), [])
        self.assertEqual(self.seqs(a, payee="pt bangun_"), self.seq("modal"))
        self.assertEqual(self.seqs(a, amount_min="11100000", amount_max="11100000.00"), self.seq("atk1", "b1"))
        self.assertEqual(self.seqs(a, amount_min="100000000"), self.seq("modal"))
        self.assertEqual(self.seqs(a, instrument="qris"), self.seq("atk2"))
        self.assertEqual(self.seqs(a, account="5.2", kind="expenditure"), self.seq("modal"))  # Budgets match too.
        self.assertEqual(self.seqs(a, account="5.1.02.01.01.0024", kind="expenditure"),
                         self.seq("atk1", "atk2", "wrong", "b1"))
        got = self.seqs(a, fiscal_year=YEAR, payee="cv maju", **{"from": f"{YEAR}-01-11"})
        self.assertEqual(got, self.seq("b1"), [api.get(f"/v1/entries/{seq}", a).json()["entry"] for seq in got])

    def test_descending_pages(self):
        got = self.seqs(S.auditor, kind="expenditure", order="desc", limit=2)
        self.assertEqual(got, sorted(self.seq("atk1", "atk2", "modal", "wrong", "b1"), reverse=True))
        first = api.get(query("/v1/entries", kind="expenditure", order="desc", limit=2), S.auditor).json()
        self.assertNotIn("next_after_seq", first)
        self.assertEqual(first["next_before_seq"], first["entries"][-1]["entry"]["seq"])
        self.assertEqual(self.seqs(S.auditor, payee_npwp=NPWP, order="desc", limit=1),
                         self.seq("b1", "modal", "atk1"))

    def test_officer_sees_own_opd_only(self):
        self.assertEqual(self.seqs(S.officer_a, payee_npwp=NPWP), self.seq("atk1", "modal"))
        self.assertEqual(self.seqs(S.officer_b, payee="cv maju"), self.seq("b1"))
        self.assertEqual(self.seqs(S.officer_a, bank_ref=S.e["b1"]["bank_ref"]), [])
        self.assertProblem(api.get(query("/v1/entries", opd=OPD_B, payee="cv"), S.officer_a), 403)

    def test_validation(self):
        bad = [
            ({"amount_min": "12.345"}, "amount_min"), ({"amount_max": "-5"}, "amount_max"),
            ({"amount_min": "1e6"}, "amount_min"), ({"amount_min": "10", "amount_max": "9"}, "amount_max"),
            ({"instrument": "wesel"}, "instrument"), ({"payee_npwp": "12-34"}, "payee_npwp"),
            ({"payee": ""}, "payee"), ({"payee": "x" * 1025}, "payee"),
            ({"bank_ref": "r" * 65}, "bank_ref"), ({"evidence_no": ""}, "evidence_no"),
            ({"account": "5..2"}, "account"), ({"account": "5.2%"}, "account"),
            ({"order": "sideways"}, "order"), ({"order": "desc", "after_seq": "3"}, "after_seq"),
            ({"before_seq": "3"}, "before_seq"), ({"order": "desc", "before_seq": "-1"}, "before_seq"),
            ({"surprise": "1"}, "surprise"),
        ]
        for params, field in bad:
            with self.subTest(params=params):
                self.assertProblem(api.get(query("/v1/entries", **params), S.auditor), 400, field)
        response = api.get("/v1/entries?payee=%FF%FE", S.auditor)
        self.assertProblem(response, 400, "payee")
        self.assertStillServing()


class BudgetLinesTest(api.ApiTestCase):
    def test_lines_in_force_with_realisation(self):
        response = api.get(query("/v1/budget-lines", fiscal_year=YEAR, opd=OPD_A, as_of=f"{YEAR}-12-31"),
                           S.auditor)
        self.assertEqual(response.status, 200, response)
        body = response.json()
        self.assertEqual((body["fiscal_year"], body["opd"], body["name"], body["as_of"]),
                         (YEAR, OPD_A, "Dinas Kesehatan", f"{YEAR}-12-31"))
        # ATK: pagu 80M (the pergeseran); atk1 11.1M + atk2 2M - refund 0.5M; wrong reversed.
        atk_real = 11_100_000_00 + 2_000_000_00 - 500_000_00
        self.assertEqual(body["lines"], [
            {"sub_activity": SUB_1, "account": ATK, "pagu": money(80_000_000_00), "realisation": money(atk_real),
             "remaining": money(80_000_000_00 - atk_real), "stage": "pergeseran",
             "budget_seq": S.atk_budget["seq"]},
            {"sub_activity": SUB_1, "account": MODAL, "pagu": money(500_000_000_00),
             "realisation": money(222_000_000_00), "remaining": money(278_000_000_00), "stage": "murni",
             "budget_seq": body["lines"][1]["budget_seq"]},
            {"sub_activity": SUB_2, "account": ATK, "pagu": money(10_000_000_00), "realisation": "0.00",
             "remaining": money(10_000_000_00), "stage": "murni", "budget_seq": body["lines"][2]["budget_seq"]},
        ])

    def test_as_of_counts_payments_up_to_it(self):
        body = api.get(query("/v1/budget-lines", fiscal_year=YEAR, opd=OPD_A, as_of=f"{YEAR}-01-15"),
                       S.auditor).json()
        # Before the pergeseran takes effect the murni ATK line is in force.
        self.assertEqual([(line["pagu"], line["stage"], line["realisation"]) for line in body["lines"]],
                         [(money(100_000_000_00), "murni", money(11_100_000_00)),
                          (money(500_000_000_00), "murni", "0.00"), (money(10_000_000_00), "murni", "0.00")])

    def test_officer_scoping_and_validation(self):
        own = api.get(query("/v1/budget-lines", fiscal_year=YEAR), S.officer_b)
        self.assertEqual(own.status, 200, own)
        self.assertEqual(own.json()["opd"], OPD_B)
        self.assertEqual([line["realisation"] for line in own.json()["lines"]], [money(11_100_000_00)])
        self.assertProblem(api.get(query("/v1/budget-lines", fiscal_year=YEAR, opd=OPD_A), S.officer_b), 403)
        self.assertProblem(api.get(query("/v1/budget-lines", fiscal_year=YEAR), S.auditor), 400, "opd")
        self.assertProblem(api.get(query("/v1/budget-lines", opd=OPD_A), S.auditor), 400, "fiscal_year")
        self.assertProblem(api.get(query("/v1/budget-lines", fiscal_year=YEAR, opd="5.1"), S.executive), 400, "opd")
        self.assertProblem(api.get(query("/v1/budget-lines", fiscal_year=YEAR, opd=OPD_A, as_of="31-12"),
                                   S.executive), 400, "as_of")
        self.assertEqual(api.get(query("/v1/budget-lines", fiscal_year=YEAR, opd=OPD_A), S.executive).status, 200)
        self.assertProblem(api.get(query("/v1/budget-lines", fiscal_year=YEAR, opd=OPD_A), S.admin), 403)


class OpenWithholdingsTest(api.ApiTestCase):
    def test_open_amounts(self):
        response = api.get(query("/v1/tax/open-withholdings", fiscal_year=YEAR), S.officer_a)
        self.assertEqual(response.status, 200, response)
        body = response.json()
        self.assertEqual((body["fiscal_year"], body["opd"]), (YEAR, OPD_A))
        atk1, modal = S.e["atk1"], S.e["modal"]
        # atk1's PPN is deposited in full; the reversed payment's PPh23 is not open.
        self.assertEqual(body["withholdings"], [
            {"seq": atk1["seq"], "value_date": atk1["value_date"], "tax_type": "PPh22",
             "withheld": money(166_500_00), "deposited": "0.00", "open": money(166_500_00),
             "payee": "CV Maju Jaya", "bank_ref": atk1["bank_ref"], "evidence_no": atk1["documents"]["evidence_no"]},
            {"seq": modal["seq"], "value_date": modal["value_date"], "tax_type": "PPN",
             "withheld": money(22_000_000_00), "deposited": money(1_000_000_00), "open": money(21_000_000_00),
             "payee": "PT Bangun_Raya", "bank_ref": modal["bank_ref"],
             "evidence_no": modal["documents"]["evidence_no"]},
            {"seq": modal["seq"], "value_date": modal["value_date"], "tax_type": "PPh22",
             "withheld": money(3_000_000_00), "deposited": "0.00", "open": money(3_000_000_00),
             "payee": "PT Bangun_Raya", "bank_ref": modal["bank_ref"],
             "evidence_no": modal["documents"]["evidence_no"]},
        ])

    def test_scoping_and_validation(self):
        auditor = api.get(query("/v1/tax/open-withholdings", fiscal_year=YEAR, opd=OPD_B), S.auditor)
        self.assertEqual(auditor.status, 200, auditor)
        self.assertEqual([w["seq"] for w in auditor.json()["withholdings"]], [S.e["b1"]["seq"]])
        self.assertProblem(api.get(query("/v1/tax/open-withholdings", fiscal_year=YEAR, opd=OPD_A),
                                   S.officer_b), 403)
        self.assertProblem(api.get(query("/v1/tax/open-withholdings", fiscal_year=YEAR, opd=OPD_A),
                                   S.executive), 403)
        self.assertProblem(api.get(query("/v1/tax/open-withholdings", fiscal_year=YEAR), S.auditor), 400, "opd")
        self.assertProblem(api.get(query("/v1/tax/open-withholdings", fiscal_year="20x6", opd=OPD_A),
                                   S.auditor), 400, "fiscal_year")
        self.assertProblem(api.get(query("/v1/tax/open-withholdings", fiscal_year=YEAR, opd=OPD_A,
                                         as_of=f"{YEAR}-01-01"), S.auditor), 400, "as_of")

    def test_pinned_to_a_tree_size(self):
        size = api.tree_size()
        before = api.get(query("/v1/tax/open-withholdings", fiscal_year=YEAR, tree_size=size), S.officer_a).json()
        must({"kind": "tax_deposit", "fiscal_year": YEAR, "opd": OPD_A, "tax_type": "PPh22",
              "amount": money(3_000_000_00), "billing_code": "2" * 15, "ntpn": ntpn(),
              "deposit_date": f"{YEAR}-02-11", "covers": [S.e["modal"]["seq"]]}, S.officer_a)
        again = api.get(query("/v1/tax/open-withholdings", fiscal_year=YEAR, tree_size=size), S.officer_a).json()
        self.assertEqual(again["withholdings"], before["withholdings"])
        now = api.get(query("/v1/tax/open-withholdings", fiscal_year=YEAR), S.officer_a).json()
        self.assertEqual([(w["seq"], w["tax_type"]) for w in now["withholdings"]],
                         [(S.e["atk1"]["seq"], "PPh22"), (S.e["modal"]["seq"], "PPN")])


if __name__ == "__main__":
    if len(sys.argv) < 2 or not os.path.isfile(sys.argv[1]) or not os.access(sys.argv[1], os.X_OK):
        sys.stderr.write("usage: search_test.py /path/to/jejak [unittest options]\n")
        sys.exit(2)
    api.JEJAK = os.path.abspath(sys.argv[1])
    unittest.main(argv=[sys.argv[0]] + sys.argv[2:], verbosity=2)
