#!/usr/bin/env python3
"""End-to-end tests of GET /v1/summary/absorption and GET /v1/audit/findings against a real
`jejak serve` over HTTPS.

Usage: python3 tests/e2e/summary_test.py /path/to/jejak [unittest options]

Records a small regency through the API (admin: OPDs and budgets; officers: expenditures
and a reversal), then checks every number of the absorption summary against what this
test computes from what it posted, the role rules, parameter validation, and the audit
findings. Reuses the server and HTTP helpers of api_test.py (same directory); needs the
same Debian python3 packages.
"""

import datetime
import os
import shutil
import sys
import tempfile
import time
import unittest

sys.dont_write_bytecode = True  # Importing api_test must leave no __pycache__ in the tree.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import api_test as api  # noqa: E402  (helpers only; its tests are not loaded here)

OPD_A = "1.02.0.00.0.00.01.0000"  # Dinas Kesehatan: officer_a.
OPD_B = "1.01.0.00.0.00.01.0000"  # Dinas Pendidikan: officer_b.
OPD_X = "1.03.0.00.0.00.01.0000"  # Registered, no budget, nothing spent.
PEGAWAI = "5.1.01.01.01.0001"
BARANG_JASA = "5.1.02.01.01.0024"
MODAL = "5.2.02.05.01.0001"
INSTRUMENTS = ["cms_transfer", "sp2d_ls", "kkpd", "qris", "cash"]
GROUPS = ["pegawai", "barang_jasa", "modal", "lainnya"]
RULE_ORDER = ["OVER_PAGU", "SPLIT_PACKAGE", "DUPLICATE_PAYMENT", "CASH_PAYMENT", "TAX_NOT_DEPOSITED",
              "TAX_NOT_COLLECTED", "OUTSIDE_FISCAL_YEAR", "PAYMENT_BEFORE_EVIDENCE", "LATE_RECORDING",
              "REVERSAL_HEAVY"]
OPD_NAMES = {}  # Filled in setUpModule.

# The fiscal year is the current one, so budgets recorded now are in force as of its 31
# December whatever day the test runs.
YEAR = time.gmtime().tm_year
AS_OF = f"{YEAR}-12-31"


class State:
    pass


S = State()


def money(sen):
    sign = "-" if sen < 0 else ""
    sen = abs(sen)
    return f"{sign}{sen // 100}.{sen % 100:02d}"


def sen_of(text):
    return api.money_to_cents(text)


def basis_points(numerator, denominator):
    """Rounded half away from zero, as the issue asks."""
    scaled = numerator * 10000
    half = denominator // 2
    return (scaled + half) // denominator if scaled >= 0 else -((-scaled + half) // denominator)


def percent(bp):
    sign = "-" if bp < 0 else ""
    bp = abs(bp)
    return f"{sign}{bp // 100}.{bp % 100:02d}"


def group_of(account):
    if account.startswith("5.1.01"):
        return "pegawai"
    if account.startswith("5.1.02"):
        return "barang_jasa"
    if account.startswith("5.2"):
        return "modal"
    return "lainnya"


def band_of(real, plan):
    """Blue better than -10%, green -10% to -20%, yellow -20% to -30%, red worse."""
    if (real - plan) * 100 > -10 * plan:
        return "blue"
    if (real - plan) * 100 >= -20 * plan:
        return "green"
    if (real - plan) * 100 >= -30 * plan:
        return "yellow"
    return "red"


def budget(opd, account, pagu_sen, plan_sen=None, sub_activity="1.02.02.2.01.0014"):
    body = {"kind": "budget", "fiscal_year": YEAR, "opd": opd, "sub_activity": sub_activity,
            "account": account, "pagu": money(pagu_sen), "stage": "murni", "note": "APBD murni"}
    if plan_sen is not None:
        body["monthly_plan"] = [money(m) for m in plan_sen]
    return body


def spend(opd, account, instrument, day, gross_sen, payee_no, evidence, sub_activity="1.02.02.2.01.0014"):
    body = {
        "kind": "expenditure", "fiscal_year": YEAR, "opd": opd, "sub_activity": sub_activity,
        "account": account, "mechanism": "LS" if instrument == "sp2d_ls" else "GU",
        "instrument": instrument, "value_date": f"{YEAR}-{day}", "gross": money(gross_sen),
        "taxes": [], "net": money(gross_sen),
        "payee": {"name": "Penyedia " + payee_no},
        "documents": {"evidence_no": evidence, "evidence_date": f"{YEAR}-{day}"},
        "description": "Belanja " + evidence,
    }
    if instrument == "cash":
        body["cash_reason"] = "Penyedia tidak memiliki rekening bank"
    else:
        body["payee"].update({"bank": "Bank Bengkulu", "account_no": payee_no,
                              "account_name": "PENYEDIA " + payee_no})
        body["bank_ref"] = api.unique("SUM")
    return body


def setUpModule():
    S.tmp = tempfile.mkdtemp(prefix="jejak-summary-test-")
    S.data = os.path.join(S.tmp, "main")
    api.init_ledger(S.data)
    api.S.conf = api.read_conf(S.data)
    S.server = api.Server(S.data)
    api.S.server = S.server  # The helpers' default server.
    S.admin = api.cli_token(S.data, "admin", "bpkad-admin")
    S.officer_a = api.cli_token(S.data, "officer", "bendahara-dinkes", OPD_A)
    S.officer_b = api.cli_token(S.data, "officer", "bendahara-disdik", OPD_B)
    S.auditor = api.cli_token(S.data, "auditor", "bpk-auditor")
    S.executive = api.cli_token(S.data, "executive", "bupati")

    def must(body, token):
        response = api.post("/v1/entries", body, token)
        if response.status != 201:
            raise RuntimeError(f"recording {body.get('kind')}: {response}")
        return response.json()["entry"]

    for code, name in [(OPD_A, "Dinas Kesehatan"), (OPD_B, "Dinas Pendidikan"), (OPD_X, "Dinas PUPR")]:
        must({"kind": "opd", "code": code, "name": name}, S.admin)
        OPD_NAMES[code] = name
    # Budgets: (opd, account, pagu, plan or None).
    S.budgets = [
        (OPD_A, BARANG_JASA, 100_000_000_00, [10_000_000_00] * 10 + [0, 0]),
        (OPD_A, PEGAWAI, 50_000_000_33, None),
        (OPD_B, MODAL, 200_000_000_00, [0, 0] + [20_000_000_00] * 10),
    ]
    for opd, account, pagu, plan in S.budgets:
        must(budget(opd, account, pagu, plan), S.admin)
    # Expenditures: name -> (opd, account, instrument, MM-DD, gross sen, payee account, token).
    plan = [
        ("e1", OPD_A, BARANG_JASA, "cms_transfer", "01-05", 12_500_000_00, "0012034567", S.officer_a),
        ("e2", OPD_A, BARANG_JASA, "cms_transfer", "01-09", 12_500_000_00, "0012034567", S.officer_a),
        ("e3", OPD_A, PEGAWAI, "sp2d_ls", "02-03", 4_800_000_00, "0099000001", S.officer_a),
        ("e4", OPD_A, BARANG_JASA, "cash", "01-10", 1_500_000_00, "-", S.officer_a),
        ("e5", OPD_A, BARANG_JASA, "kkpd", "01-12", 2_000_000_00, "0077000001", S.officer_a),
        ("e6", OPD_A, BARANG_JASA, "qris", "02-03", 750_000_50, "0066000001", S.officer_a),
        ("f1", OPD_B, MODAL, "sp2d_ls", "01-15", 150_000_000_00, "0033000001", S.officer_b),
        ("f2", OPD_B, MODAL, "cms_transfer", "01-16", 10_000_000_00, "0033000002", S.officer_b),
        ("f3", OPD_B, MODAL, "cash", "01-17", 2_500_000_00, "-", S.officer_b),
    ]
    S.spent = {}
    for name, opd, account, instrument, day, gross, payee, token in plan:
        entry = must(spend(opd, account, instrument, day, gross, payee, "KW-" + name), token)
        S.spent[name] = dict(opd=opd, account=account, instrument=instrument, value_date=f"{YEAR}-{day}",
                             gross=gross, payee=payee, seq=entry["seq"], recorded_at=entry["recorded_at"],
                             reversed=False)
    response = api.post(f"/v1/entries/{S.spent['f2']['seq']}/reversal", {"reason": "Salah input"}, S.officer_b)
    if response.status != 201:
        raise RuntimeError(f"reversal: {response}")
    S.spent["f2"]["reversed"] = True


def tearDownModule():
    try:
        if getattr(S, "server", None):
            S.server.stop()
    finally:
        shutil.rmtree(S.tmp, ignore_errors=True)


# --------------------------------------------------------------------------------------
# What the summary must say, computed from what setUpModule posted.


def expected_row(opds):
    """The absorption of the OPDs in `opds` as of AS_OF (31 December: every month)."""
    row = {"pagu": 0, "real": 0, "groups": {g: [0, 0] for g in GROUPS},
           "instruments": {i: [0, 0] for i in INSTRUMENTS}, "plan": None, "planned": 0,
           "months": [0] * 12, "band_real": 0, "corrections": [0, 0]}
    planned_lines = {(opd, account) for opd, account, _, plan in S.budgets if plan is not None}
    for opd, account, pagu, plan in S.budgets:
        if opd not in opds:
            continue
        row["pagu"] += pagu
        row["groups"][group_of(account)][0] += pagu
        if plan is not None:
            row["plan"] = row["plan"] or [0] * 12
            cumulative = 0
            for m in range(12):
                cumulative += plan[m]
                row["plan"][m] += cumulative
            row["planned"] += pagu
    for e in S.spent.values():
        if e["opd"] in opds and e["reversed"]:
            row["corrections"][0] += e["gross"]
            row["corrections"][1] += 1
        if e["opd"] not in opds or e["reversed"]:
            continue
        # The band counts only the lines that carry a RAK (all one sub-activity here).
        if (e["opd"], e["account"]) in planned_lines:
            row["band_real"] += e["gross"]
        row["real"] += e["gross"]
        row["groups"][group_of(e["account"])][1] += e["gross"]
        row["instruments"][e["instrument"]][0] += e["gross"]
        row["instruments"][e["instrument"]][1] += 1
        row["months"][int(e["value_date"][5:7]) - 1] += e["gross"]
    monthly, cumulative = [], 0
    for m in range(12):
        cumulative += row["months"][m]
        monthly.append({"month": f"{YEAR}-{m + 1:02d}", "realisation": money(cumulative),
                        "plan": money(row["plan"][m]) if row["plan"] else None})
    non_cash = sum(row["instruments"][i][0] for i in INSTRUMENTS if i != "cash")
    non_cash_count = sum(row["instruments"][i][1] for i in INSTRUMENTS if i != "cash")
    cash, cash_count = row["instruments"]["cash"]
    # As of 31 December the band compares December's end.
    deviation = band = None
    if row["plan"] and row["plan"][11] > 0:
        deviation = percent(basis_points(row["band_real"] - row["plan"][11], row["plan"][11]))
        band = band_of(row["band_real"], row["plan"][11])
    return {
        "pagu": money(row["pagu"]),
        "realisation": money(row["real"]),
        "remaining": money(row["pagu"] - row["real"]),
        "percent": percent(basis_points(row["real"], row["pagu"])) if row["pagu"] > 0 else None,
        "monthly": monthly,
        "planned_pagu": money(row["planned"]),
        "deviation_percent": deviation,
        "band": band,
        "band_month": f"{YEAR}-12",
        "band_realisation": money(row["band_real"]),
        "band_plan": money(row["plan"][11]) if row["plan"] else None,
        "month_to_date": None,
        "corrections": {"amount": money(row["corrections"][0]), "count": row["corrections"][1]},
        "refunds": {"amount": "0.00", "count": 0},
        "other_revenue": {"amount": "0.00", "count": 0},
        "account_groups": {g: {"pagu": money(p), "realisation": money(r)} for g, (p, r) in row["groups"].items()},
        "non_cash": {
            "amount": money(non_cash), "count": non_cash_count,
            "share_percent": percent(basis_points(non_cash, non_cash + cash)) if non_cash + cash > 0 else None,
            "cash": {"amount": money(cash), "count": cash_count},
            "by_instrument": {i: {"amount": money(a), "count": n} for i, (a, n) in row["instruments"].items()},
        },
    }


def lpj_deadline(value_date):
    """The 10th of the next month; 31 December for December (LATE_RECORDING)."""
    if value_date.month == 12:
        return datetime.date(value_date.year, 12, 31)
    return datetime.date(value_date.year, value_date.month + 1, 10)


def jakarta_day(recorded_at):
    """recorded_at (UTC) as a date in Asia/Jakarta (UTC+7, no daylight saving)."""
    moment = datetime.datetime.fromisoformat(recorded_at.replace("Z", "+00:00"))
    return (moment + datetime.timedelta(hours=7)).date()


def expected_findings():
    """The findings of the default rules (config defaults) as of AS_OF."""
    s = S.spent
    findings = [
        # e1 and e2: same payee account, amount and account four days apart (window 7 days).
        {"rule": "DUPLICATE_PAYMENT", "opd": OPD_A, "seqs": [s["e1"]["seq"], s["e2"]["seq"]],
         "amount": money(12_500_000_00), "severity": "high"},
        # Cash above the Rp2,000,000 cap; e4 (Rp1,500,000, no exempt list) is no finding.
        {"rule": "CASH_PAYMENT", "opd": OPD_B, "seqs": [s["f3"]["seq"]], "amount": money(2_500_000_00),
         "severity": "high"},
        # 10,000,000 of 162,500,000 recorded is 6.15%, above 5%: a low internal-control signal.
        {"rule": "REVERSAL_HEAVY", "opd": OPD_B, "seqs": [s["f2"]["seq"]], "amount": money(10_000_000_00),
         "severity": "low"},
    ]
    # LATE_RECORDING depends on today: recorded (in Jakarta) after the LPJ deadline of the
    # value date's month is medium, after the value date's year closed high.
    for opd in (OPD_B, OPD_A):
        late = {"medium": [], "high": []}
        for e in s.values():
            if e["opd"] != opd or e["reversed"]:
                continue
            value = datetime.date.fromisoformat(e["value_date"])
            recorded = jakarta_day(e["recorded_at"])
            if recorded > lpj_deadline(value):
                closed = recorded > datetime.date(value.year, 12, 31)
                late["high" if closed else "medium"].append(e)
        for severity, entries in late.items():
            if entries:
                findings.append({"rule": "LATE_RECORDING", "opd": opd,
                                 "seqs": sorted(e["seq"] for e in entries),
                                 "amount": money(sum(e["gross"] for e in entries)),
                                 "severity": severity})
    findings.sort(key=lambda f: (RULE_ORDER.index(f["rule"]), f["opd"], f["seqs"]))
    return findings


def absorption(query, token):
    return api.get("/v1/summary/absorption" + query, token)


def findings(query, token):
    return api.get("/v1/audit/findings" + query, token)


class SummaryCase(api.ApiTestCase):
    maxDiff = None

    def assertRowEqual(self, actual, expected, opd=None, name=None):
        actual = dict(actual)
        if opd is not None:
            self.assertEqual(actual.pop("opd"), opd)
            self.assertEqual(actual.pop("name"), name)
        else:
            self.assertNotIn("opd", actual)
        self.assertEqual(actual, expected)


class T01Absorption(SummaryCase):

    def check_all_opds(self, token):
        response = absorption(f"?fiscal_year={YEAR}&as_of={AS_OF}", token)
        self.assertEqual(response.status, 200, response)
        body = response.json()
        self.assertEqual(body["fiscal_year"], YEAR)
        self.assertEqual(body["as_of"], AS_OF)
        self.assertIsInstance(body["tree_size"], int)
        self.assertRegex(body["root_hash"], "^[0-9a-f]{64}$")
        # Rows by OPD code: B (1.01...) then A (1.02...). OPD_X has neither budget nor
        # realisation, so no row.
        self.assertEqual([row["opd"] for row in body["opds"]], [OPD_B, OPD_A])
        self.assertRowEqual(body["opds"][0], expected_row({OPD_B}), OPD_B, "Dinas Pendidikan")
        self.assertRowEqual(body["opds"][1], expected_row({OPD_A}), OPD_A, "Dinas Kesehatan")
        self.assertRowEqual(body["total"], expected_row({OPD_A, OPD_B}))
        # The totals equal the sum of the rows, field by field.
        total = body["total"]
        for field in ("pagu", "realisation", "remaining", "planned_pagu"):
            self.assertEqual(sen_of(total[field]), sum(sen_of(row[field]) for row in body["opds"]), field)
        for m in range(12):
            self.assertEqual(sen_of(total["monthly"][m]["realisation"]),
                             sum(sen_of(row["monthly"][m]["realisation"]) for row in body["opds"]))
        for group in GROUPS:
            for field in ("pagu", "realisation"):
                self.assertEqual(sen_of(total["account_groups"][group][field]),
                                 sum(sen_of(row["account_groups"][group][field]) for row in body["opds"]))
        for instrument in INSTRUMENTS:
            self.assertEqual(total["non_cash"]["by_instrument"][instrument]["count"],
                             sum(row["non_cash"]["by_instrument"][instrument]["count"] for row in body["opds"]))
        return body

    def test_executive_sees_every_opd_with_exact_numbers(self):
        body = self.check_all_opds(S.executive)
        # Spot checks worked by hand: A spent 34,050,000.50 of 150,000,000.33 (22.70%);
        # B 152,500,000.00 of 200,000,000.00 (76.25%) after the reversal of 10,000,000.
        a, b = body["opds"][1], body["opds"][0]
        self.assertEqual(a["realisation"], "34050000.50")
        self.assertEqual(a["pagu"], "150000000.33")
        self.assertEqual(a["percent"], "22.70")
        self.assertEqual(b["realisation"], "152500000.00")
        self.assertEqual(b["remaining"], "47500000.00")
        self.assertEqual(b["percent"], "76.25")
        self.assertEqual(b["non_cash"]["by_instrument"]["cms_transfer"], {"amount": "0.00", "count": 0})
        self.assertEqual(b["non_cash"]["cash"], {"amount": "2500000.00", "count": 1})
        self.assertEqual(body["total"]["realisation"], "186550000.50")

    def test_auditor_sees_every_opd(self):
        self.check_all_opds(S.auditor)

    def test_executive_may_narrow_to_one_opd(self):
        response = absorption(f"?fiscal_year={YEAR}&as_of={AS_OF}&opd={OPD_B}", S.executive)
        self.assertEqual(response.status, 200, response)
        body = response.json()
        self.assertEqual([row["opd"] for row in body["opds"]], [OPD_B])
        self.assertRowEqual(body["total"], expected_row({OPD_B}))

    def test_officer_sees_only_own_opd(self):
        for query in (f"?fiscal_year={YEAR}&as_of={AS_OF}", f"?fiscal_year={YEAR}&as_of={AS_OF}&opd={OPD_A}"):
            response = absorption(query, S.officer_a)
            self.assertEqual(response.status, 200, response)
            body = response.json()
            self.assertEqual([row["opd"] for row in body["opds"]], [OPD_A])
            self.assertRowEqual(body["opds"][0], expected_row({OPD_A}), OPD_A, "Dinas Kesehatan")
            self.assertRowEqual(body["total"], expected_row({OPD_A}))

    def test_officer_asking_for_another_opd_is_403(self):
        self.assertProblem(absorption(f"?fiscal_year={YEAR}&opd={OPD_B}", S.officer_a), 403)
        self.assertProblem(absorption(f"?fiscal_year={YEAR}&opd={OPD_A}", S.officer_b), 403)

    def test_admin_is_403(self):
        self.assertProblem(absorption(f"?fiscal_year={YEAR}&as_of={AS_OF}", S.admin), 403)

    def test_no_token_is_401(self):
        self.assertProblem(absorption(f"?fiscal_year={YEAR}&as_of={AS_OF}", None), 401)

    def test_bad_parameters_are_400(self):
        self.assertProblem(absorption(f"?as_of={AS_OF}", S.executive), 400, "fiscal_year")
        self.assertProblem(absorption(f"?fiscal_year={YEAR}&as_of={YEAR}-02-30", S.executive), 400, "as_of")
        self.assertProblem(absorption(f"?fiscal_year={YEAR}&as_of=31-12-{YEAR}", S.executive), 400, "as_of")
        self.assertProblem(absorption(f"?fiscal_year={YEAR}&as_of={AS_OF}&colour=red", S.executive), 400)
        self.assertProblem(absorption("?fiscal_year=twenty", S.executive), 400, "fiscal_year")
        self.assertProblem(absorption(f"?fiscal_year={YEAR}&opd=DINKES", S.executive), 400, "opd")

    def test_budgets_recorded_after_as_of_do_not_count(self):
        # Everything was recorded today, so as of yesterday no budget is in force; the
        # realisation (by value date) is there all the same.
        yesterday = (datetime.datetime.now(datetime.timezone.utc).date() - datetime.timedelta(days=1))
        if yesterday.year != YEAR:
            self.skipTest("yesterday is in another year")
        response = absorption(f"?fiscal_year={YEAR}&as_of={yesterday.isoformat()}", S.executive)
        self.assertEqual(response.status, 200, response)
        total = response.json()["total"]
        self.assertEqual(total["pagu"], "0.00")
        self.assertIsNone(total["percent"])


class T02Findings(SummaryCase):

    def test_auditor_gets_the_full_findings(self):
        response = findings(f"?fiscal_year={YEAR}&as_of={AS_OF}", S.auditor)
        self.assertEqual(response.status, 200, response)
        body = response.json()
        self.assertEqual(body["fiscal_year"], YEAR)
        self.assertEqual(body["as_of"], AS_OF)
        got = body["findings"]
        for finding in got:
            # BPK's five elements, in Indonesian.
            for text in ("kondisi", "kriteria", "sebab", "akibat", "rekomendasi"):
                self.assertIsInstance(finding[text], str)
                self.assertTrue(finding[text], finding)
            # The OPD by its registered name where the store supplies it, else its code.
            self.assertIn(finding["opd_name"], (OPD_NAMES[finding["opd"]], ""), finding)
            head = finding["opd_name"] or "OPD " + finding["opd"]
            self.assertTrue(finding["rekomendasi"].startswith("BPK merekomendasikan "), finding)
            self.assertIn("agar memerintahkan Kepala " + head + " selaku Pengguna Anggaran untuk ",
                          finding["rekomendasi"])
            if finding["opd_name"]:
                self.assertNotIn(finding["opd"], finding["kondisi"])
        stripped = [{k: f[k] for k in ("rule", "opd", "seqs", "amount", "severity")} for f in got]
        self.assertEqual(stripped, expected_findings())

    def test_executive_gets_counts_only(self):
        response = findings(f"?fiscal_year={YEAR}&as_of={AS_OF}", S.executive)
        self.assertEqual(response.status, 200, response)
        body = response.json()
        self.assertNotIn("findings", body)
        expected = {}
        for f in expected_findings():
            count, amount = expected.get((f["rule"], f["opd"]), (0, 0))
            expected[(f["rule"], f["opd"])] = (count + 1, amount + sen_of(f["amount"]))
        got = {(c["rule"], c["opd"]): (c["count"], sen_of(c["amount"])) for c in body["counts"]}
        self.assertEqual(got, expected)

    def test_officer_and_admin_are_403(self):
        self.assertProblem(findings(f"?fiscal_year={YEAR}", S.officer_a), 403)
        self.assertProblem(findings(f"?fiscal_year={YEAR}", S.admin), 403)
        self.assertProblem(findings(f"?fiscal_year={YEAR}", None), 401)

    def test_filters_by_opd_and_rule(self):
        response = findings(f"?fiscal_year={YEAR}&as_of={AS_OF}&opd={OPD_B}", S.auditor)
        self.assertEqual(response.status, 200, response)
        got = [{k: f[k] for k in ("rule", "opd", "seqs", "amount", "severity")} for f in response.json()["findings"]]
        self.assertEqual(got, [f for f in expected_findings() if f["opd"] == OPD_B])
        response = findings(f"?fiscal_year={YEAR}&as_of={AS_OF}&rule=CASH_PAYMENT", S.auditor)
        self.assertEqual(response.status, 200, response)
        got = [{k: f[k] for k in ("rule", "opd", "seqs", "amount", "severity")} for f in response.json()["findings"]]
        self.assertEqual(got, [f for f in expected_findings() if f["rule"] == "CASH_PAYMENT"])
        self.assertEqual(len(got), 1)
        response = findings(f"?fiscal_year={YEAR}&as_of={AS_OF}&rule=CASH_PAYMENT&opd={OPD_B}", S.executive)
        self.assertEqual(response.status, 200, response)
        counts = [{k: c[k] for k in ("rule", "opd", "count", "amount")} for c in response.json()["counts"]]
        self.assertEqual(counts, [{"rule": "CASH_PAYMENT", "opd": OPD_B, "count": 1, "amount": "2500000.00"}])
        # The new rules are accepted by the filter.
        for rule in ("TAX_NOT_COLLECTED", "PAYMENT_BEFORE_EVIDENCE"):
            response = findings(f"?fiscal_year={YEAR}&as_of={AS_OF}&rule={rule}", S.auditor)
            self.assertEqual(response.status, 200, response)
            self.assertEqual(response.json()["findings"], [])

    def test_bad_parameters_are_400(self):
        self.assertProblem(findings(f"?as_of={AS_OF}", S.auditor), 400, "fiscal_year")
        self.assertProblem(findings(f"?fiscal_year={YEAR}&rule=NOT_A_RULE", S.auditor), 400, "rule")
        self.assertProblem(findings(f"?fiscal_year={YEAR}&as_of={YEAR}-02-30", S.auditor), 400, "as_of")
        self.assertProblem(findings(f"?fiscal_year={YEAR}&limit=5", S.auditor), 400)


class T03RefundsAndPinnedReports(SummaryCase):
    """Runs after T01 and T02 (it appends): a refund in April of a February payment, a
    refund this year of last year's payment, the rules of who may refund what, and a
    report pinned to a tree size that later appends of every kind leave byte-identical."""

    def test_refunds_and_pinned_reports(self):
        april = f"?fiscal_year={YEAR}&as_of={YEAR}-04-30&opd={OPD_A}"
        last_year = f"?fiscal_year={YEAR - 1}&as_of={YEAR - 1}-12-31"
        g1 = self.append(spend(OPD_A, BARANG_JASA, "cms_transfer", "02-10", 8_000_000_00, "0012777001",
                               "KW-g1"), S.officer_a)["entry"]
        old = spend(OPD_A, BARANG_JASA, "cms_transfer", "11-10", 6_000_000_00, "0012777002", "KW-l1")
        old.update({"fiscal_year": YEAR - 1, "value_date": f"{YEAR - 1}-11-10"})
        old["documents"]["evidence_date"] = f"{YEAR - 1}-11-10"
        l1 = self.append(old, S.officer_a)["entry"]

        # Pinned to the current size: as_of defaults to the last entry's recording day.
        pinned_size = api.tree_size()
        pinned_url = f"?fiscal_year={YEAR}&tree_size={pinned_size}"
        pinned = absorption(pinned_url, S.executive)
        self.assertEqual(pinned.status, 200, pinned)
        pinned_body = pinned.json()
        self.assertEqual(pinned_body["tree_size"], pinned_size)
        checkpoint = api.Checkpoint(api.get("/v1/checkpoint").body.decode())
        self.assertEqual(checkpoint.size, pinned_size)
        self.assertEqual(pinned_body["root_hash"], checkpoint.root.hex())
        self.assertEqual(pinned_body["as_of"], g1["recorded_at"][:10])
        pinned_april = absorption(april + f"&tree_size={pinned_size}", S.executive)
        before_april = absorption(april, S.executive).json()
        before_last_year = absorption(last_year, S.executive).json()
        self.assertEqual(before_last_year["total"]["realisation"], "6000000.00")

        refund = {"kind": "refund", "refunds": g1["seq"], "value_date": f"{YEAR}-04-10",
                  "amount": "3000000", "sts_no": "STS/0042/DINKES", "reason": "Kelebihan bayar"}
        # Who may refund: only an officer of the payment's OPD.
        self.assertProblem(api.post("/v1/entries", refund, S.officer_b), 403)
        self.assertProblem(api.post("/v1/entries", refund, S.executive), 403)
        self.assertProblem(api.post("/v1/entries", dict(refund, refunds=10**9), S.officer_a), 404, "refunds")
        self.assertProblem(api.post("/v1/entries", dict(refund, amount="8000000.01"), S.officer_a), 422,
                           "amount")
        self.assertProblem(api.post("/v1/entries", dict(refund, value_date=f"{YEAR}-02-09"), S.officer_a),
                           422, "value_date")
        # Seq 1 registers OPD_A: an entry of its OPD, but no expenditure to refund.
        self.assertProblem(api.post("/v1/entries", dict(refund, refunds=1), S.officer_a), 422, "refunds")
        self.assertProblem(api.post("/v1/entries", dict(refund, sts_no="STS\n1"), S.officer_a), 400, "sts_no")
        stored = self.append(refund, S.officer_a)
        self.assertEqual(stored["entry"]["amount"], "3000000.00")
        self.assertEqual(stored["entry"]["refunds"], g1["seq"])
        # Cash came back: the payment can no longer be corrected as a recording error.
        self.assertProblem(api.post(f"/v1/entries/{g1['seq']}/reversal", {"reason": "x"}, S.officer_a),
                           409, "reverses")
        self.assertProblem(api.post("/v1/entries", dict(refund, amount="5000000.01"), S.officer_a), 422,
                           "amount")
        self.append({"kind": "refund", "refunds": l1["seq"], "value_date": f"{YEAR}-03-01",
                     "amount": "1000000", "sts_no": "STS/0043/DINKES", "reason": "Sisa UP tahun lalu"},
                    S.officer_a)
        listed = api.get(f"/v1/entries?kind=refund&opd={OPD_A}", S.officer_a)
        self.assertEqual(listed.status, 200, listed)
        self.assertEqual(len(listed.json()["entries"]), 2)

        # April: the February payment's month is unchanged, April is 3,000,000 lower.
        after = absorption(april, S.executive).json()
        a_before, a_after = before_april["opds"][0], after["opds"][0]
        for m in range(3):
            self.assertEqual(a_after["monthly"][m], a_before["monthly"][m])
        self.assertEqual(sen_of(a_after["monthly"][3]["realisation"]),
                         sen_of(a_before["monthly"][3]["realisation"]) - 3_000_000_00)
        self.assertEqual(sen_of(a_after["realisation"]), sen_of(a_before["realisation"]) - 3_000_000_00)
        self.assertEqual(a_after["refunds"], {"amount": "3000000.00", "count": 1})
        self.assertEqual(a_after["other_revenue"], {"amount": "1000000.00", "count": 1})
        self.assertEqual(after["total"]["other_revenue"], {"amount": "1000000.00", "count": 1})
        self.assertEqual(after["total"]["refunds"], {"amount": "3000000.00", "count": 1})
        # Last year's payment refunded this year leaves last year alone.
        now_last_year = absorption(last_year, S.executive).json()
        self.assertEqual(now_last_year["total"], before_last_year["total"])
        self.assertEqual(now_last_year["opds"], before_last_year["opds"])

        # More appends of every kind: an OPD, a budget, an expenditure, a reversal.
        self.append({"kind": "opd", "code": "1.04.0.00.0.00.01.0000", "name": "Dinas Sosial"}, S.admin)
        self.append(budget(OPD_A, MODAL, 40_000_000_00, [4_000_000_00] * 10 + [0, 0]), S.admin)
        g2 = self.append(spend(OPD_A, MODAL, "sp2d_ls", "03-03", 9_000_000_00, "0012777003", "KW-g2"),
                         S.officer_a)["entry"]
        response = api.post(f"/v1/entries/{g2['seq']}/reversal", {"reason": "Salah input"}, S.officer_a)
        self.assertEqual(response.status, 201, response)
        # The pinned reports are byte-identical; the unpinned one moved on.
        again = absorption(pinned_url, S.executive)
        self.assertEqual(again.status, 200, again)
        self.assertEqual(again.body, pinned.body)
        self.assertEqual(absorption(april + f"&tree_size={pinned_size}", S.executive).body, pinned_april.body)
        self.assertNotEqual(absorption(april, S.executive).json()["total"], before_april["total"])
        self.assertProblem(absorption(f"?fiscal_year={YEAR}&tree_size={api.tree_size() + 1}", S.executive),
                           400, "tree_size")
        self.assertProblem(absorption(f"?fiscal_year={YEAR}&tree_size=0", S.executive), 400, "tree_size")

    def test_mid_month_band_compares_the_previous_months_end(self):
        # OPD_X gets a budget in force from 1 January (its effective_date) with a RAK of
        # 1,000,000 a month, 1,500,000 paid on 20 January and 400,000 on 5 February.
        plan = budget(OPD_X, BARANG_JASA, 12_000_000_00, [1_000_000_00] * 12)
        plan["effective_date"] = f"{YEAR}-01-01"
        self.append(plan, S.admin)
        officer_x = api.cli_token(S.data, "officer", "bendahara-pupr", OPD_X)
        self.append(spend(OPD_X, BARANG_JASA, "kkpd", "01-20", 1_500_000_00, "0012888001", "KW-x1"), officer_x)
        self.append(spend(OPD_X, BARANG_JASA, "qris", "02-05", 400_000_00, "0012888002", "KW-x2"), officer_x)
        response = absorption(f"?fiscal_year={YEAR}&as_of={YEAR}-02-15&opd={OPD_X}", S.executive)
        self.assertEqual(response.status, 200, response)
        row = response.json()["opds"][0]
        # 15 February is inside February: the band compares at the end of January.
        self.assertEqual(row["band_month"], f"{YEAR}-01")
        self.assertEqual(row["band_plan"], "1000000.00")
        self.assertEqual(row["band_realisation"], "1500000.00")
        self.assertEqual(row["deviation_percent"], "50.00")
        self.assertEqual(row["band"], "blue")
        self.assertEqual(row["month_to_date"], "400000.00")
        # On 28 February (its last day) February itself: 1,900,000 of 2,000,000.
        row = absorption(f"?fiscal_year={YEAR}&as_of={YEAR}-02-{29 if YEAR % 4 == 0 else 28}&opd={OPD_X}",
                         S.executive).json()["opds"][0]
        self.assertEqual(row["band_month"], f"{YEAR}-02")
        self.assertEqual(row["deviation_percent"], "-5.00")
        self.assertIsNone(row["month_to_date"])
        # Before January has ended there is no band.
        row = absorption(f"?fiscal_year={YEAR}&as_of={YEAR}-01-25&opd={OPD_X}", S.executive).json()["opds"][0]
        self.assertIsNone(row["band_month"])
        self.assertIsNone(row["band"])
        self.assertEqual(row["month_to_date"], "1500000.00")

if __name__ == "__main__":
    if len(sys.argv) < 2 or not os.path.isfile(sys.argv[1]) or not os.access(sys.argv[1], os.X_OK):
        sys.stderr.write("usage: summary_test.py /path/to/jejak [unittest options]\n")
        sys.exit(2)
    api.JEJAK = os.path.abspath(sys.argv[1])
    unittest.main(argv=[sys.argv[0]] + sys.argv[2:], verbosity=2)
