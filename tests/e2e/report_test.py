#!/usr/bin/env python3
"""End-to-end tests of reports pinned to a tree size and of findings at any size, against
a real `jejak serve` over HTTPS.

Usage: python3 tests/e2e/report_test.py /path/to/jejak [unittest options]

Records a regency whose OPD recorded 250 payments late (one LATE_RECORDING finding of 250
seqs), then checks that the findings list carries 100 seqs and seq_count 250, that
GET /v1/audit/findings/{id} pages through all 250 exactly once, and that the findings JSON,
the workpapers CSV (byte for byte) and the workbook (cell values, read by openpyxl) at a
tree size stay the same after later entries of every kind, each naming its tree size and
root, which match the signed checkpoint of that size. Reuses api_test.py's helpers.
"""

import io
import os
import shutil
import sys
import tempfile
import time
import unittest

sys.dont_write_bytecode = True  # Importing api_test must leave no __pycache__ in the tree.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import api_test as api  # noqa: E402  (helpers only; its tests are not loaded here)

import openpyxl  # noqa: E402  (Debian's python3-openpyxl, as tests/server/read_workpapers.py)

OPD_A = "1.02.0.00.0.00.01.0000"  # Dinas Kesehatan: 250 late payments.
OPD_B = "1.01.0.00.0.00.01.0000"  # Dinas Pendidikan: a cash payment.
ACCOUNT = "5.1.02.01.01.0024"
SUB = "1.02.02.2.01.0014"
# The year before the current one: its January payments recorded today are late whatever
# day the test runs.
YEAR = time.gmtime().tm_year - 1
AS_OF = f"{YEAR}-12-31"
LATE = 250
SHEETS = ["Ringkasan", "Transaksi", "Realisasi", "Pajak", "Temuan", "Koreksi"]
FINDING_KEYS = {"id", "rule", "severity", "opd", "opd_name", "seqs", "seq_count", "amount", "kondisi",
                "kriteria", "sebab", "akibat", "rekomendasi"}


class State:
    pass


S = State()


def payment(opd, n, day, instrument="cms_transfer", gross="1000000.00"):
    body = {
        "kind": "expenditure", "fiscal_year": YEAR, "opd": opd, "sub_activity": SUB, "account": ACCOUNT,
        "mechanism": "GU", "instrument": instrument, "value_date": f"{YEAR}-01-{day:02d}", "gross": gross,
        "taxes": [], "net": gross, "payee": {"name": f"Toko {n}"},
        "documents": {"evidence_no": f"KW-{n}", "evidence_date": f"{YEAR}-01-{day:02d}"},
        "description": f"Belanja bahan {n}",
    }
    if instrument == "cash":
        body["cash_reason"] = "Penyedia tidak memiliki rekening bank"
    else:
        body["payee"].update({"bank": "Bank Bengkulu", "account_no": f"77{n:08d}", "account_name": f"TOKO {n}"})
        body["bank_ref"] = api.unique("CMS")
    return body


def setUpModule():
    S.tmp = tempfile.mkdtemp(prefix="jejak-report-test-")
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
    conn = S.server.connect()
    try:
        def must(body, token):
            response = api.request("POST", "/v1/entries", body=body, token=token, conn=conn)
            if response.status != 201:
                raise RuntimeError(f"recording {body.get('kind')}: {response}")
            return response.json()["entry"]["seq"]

        for code, name in [(OPD_A, "Dinas Kesehatan"), (OPD_B, "Dinas Pendidikan")]:
            must({"kind": "opd", "code": code, "name": name}, S.admin)
        must({"kind": "budget", "fiscal_year": YEAR, "opd": OPD_A, "sub_activity": SUB, "account": ACCOUNT,
              "pagu": "900000000.00", "stage": "murni"}, S.admin)
        S.late = [must(payment(OPD_A, n, 2 + n % 20), S.officer_a) for n in range(LATE)]
        S.cash = must(payment(OPD_B, 9999, 5, "cash", "2500000.00"), S.officer_b)
    finally:
        conn.close()


def tearDownModule():
    try:
        if getattr(S, "server", None):
            S.server.stop()
    finally:
        shutil.rmtree(S.tmp, ignore_errors=True)


def findings(query, token=None):
    return api.get("/v1/audit/findings" + query, token or S.auditor)


def late_finding(body):
    matches = [f for f in body["findings"] if f["rule"] == "LATE_RECORDING" and f["opd"] == OPD_A]
    assert len(matches) == 1, body["findings"]
    return matches[0]


def xlsx_cells(data):
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return {name: [list(row) for row in book[name].iter_rows(values_only=True)] for name in book.sheetnames}


class ReportCase(api.ApiTestCase):
    maxDiff = None


class T01FindingsAtAnySize(ReportCase):

    def test_the_list_carries_100_seqs_and_the_count(self):
        response = findings(f"?fiscal_year={YEAR}&as_of={AS_OF}")
        self.assertEqual(response.status, 200, response)
        body = response.json()
        for key in ("fiscal_year", "as_of", "tree_size", "root_hash", "counts", "findings"):
            self.assertIn(key, body)
        self.assertEqual(response.header("X-Jejak-Tree-Size"), str(body["tree_size"]))
        self.assertEqual(response.header("X-Jejak-Root-Hash"), body["root_hash"])
        for finding in body["findings"]:
            self.assertEqual(set(finding), FINDING_KEYS, finding)
            self.assertRegex(finding["id"], r"^[0-9a-f]{32}$")
            self.assertLessEqual(len(finding["seqs"]), 100)
            self.assertEqual(finding["seqs"], sorted(finding["seqs"]))
            self.assertGreaterEqual(finding["seq_count"], len(finding["seqs"]))
        late = late_finding(body)
        self.assertEqual(late["seq_count"], LATE)
        self.assertEqual(late["seqs"], S.late[:100])
        self.assertEqual(late["opd_name"], "Dinas Kesehatan")
        # Executives: counts only, with the total behind each count.
        executive = findings(f"?fiscal_year={YEAR}&as_of={AS_OF}", S.executive)
        self.assertEqual(executive.status, 200, executive)
        self.assertNotIn("findings", executive.json())
        counts = [c for c in executive.json()["counts"] if c["rule"] == "LATE_RECORDING" and c["opd"] == OPD_A]
        self.assertEqual(counts[0]["seq_count"], LATE)

    def test_paging_a_finding_returns_every_seq_once_in_order(self):
        body = findings(f"?fiscal_year={YEAR}&as_of={AS_OF}").json()
        late = late_finding(body)
        base = f"/v1/audit/findings/{late['id']}?fiscal_year={YEAR}&as_of={AS_OF}&tree_size={body['tree_size']}"
        seen, after, pages = [], None, 0
        while True:
            response = api.get(base + "&limit=37" + ("" if after is None else f"&after_seq={after}"), S.auditor)
            self.assertEqual(response.status, 200, response)
            page = response.json()
            self.assertEqual(page["tree_size"], body["tree_size"])
            self.assertEqual(page["root_hash"], body["root_hash"])
            finding = page["finding"]
            self.assertEqual(set(finding), FINDING_KEYS | {"next_after_seq"})
            self.assertEqual({k: finding[k] for k in FINDING_KEYS - {"seqs"}},
                             {k: late[k] for k in FINDING_KEYS - {"seqs"}})
            self.assertLessEqual(len(finding["seqs"]), 37)
            seen += finding["seqs"]
            pages += 1
            after = finding["next_after_seq"]
            if after is None:
                break
            self.assertEqual(after, finding["seqs"][-1])
        self.assertEqual(seen, S.late)
        self.assertEqual(pages, 7)  # ceil(250 / 37)
        # The default page is 100; the largest, 1000, holds them all.
        first = api.get(base, S.auditor).json()["finding"]
        self.assertEqual(first["seqs"], S.late[:100])
        self.assertEqual(first["next_after_seq"], S.late[99])
        whole = api.get(base + "&limit=1000", S.auditor).json()["finding"]
        self.assertEqual(whole["seqs"], S.late)
        self.assertIsNone(whole["next_after_seq"])

    def test_ids_are_stable_and_change_with_the_seqs(self):
        one = findings(f"?fiscal_year={YEAR}&as_of={AS_OF}").json()
        two = findings(f"?fiscal_year={YEAR}&as_of={AS_OF}").json()
        self.assertEqual([f["id"] for f in one["findings"]], [f["id"] for f in two["findings"]])
        self.assertEqual(len({f["id"] for f in one["findings"]}), len(one["findings"]))
        # As of 5 January fewer payments count: the late finding has other seqs, another id.
        early = findings(f"?fiscal_year={YEAR}&as_of={YEAR}-01-05&tree_size={one['tree_size']}").json()
        early_late = late_finding(early)
        self.assertLess(early_late["seq_count"], LATE)
        self.assertNotEqual(early_late["id"], late_finding(one)["id"])
        missing = api.get(f"/v1/audit/findings/{late_finding(one)['id']}?fiscal_year={YEAR}&as_of={YEAR}-01-05"
                          f"&tree_size={one['tree_size']}", S.auditor)
        self.assertProblem(missing, 404)

    def test_each_scope_gets_its_own_report_however_calls_interleave(self):
        # The server keeps computed reports by scope: calls that alternate between the
        # newest tree, an as_of pin and a smaller tree_size each get their scope's report.
        size = api.tree_size()
        newest = f"?fiscal_year={YEAR}&as_of={AS_OF}"
        early = f"?fiscal_year={YEAR}&as_of={YEAR}-01-05&tree_size={size}"
        smaller = f"?fiscal_year={YEAR}&as_of={AS_OF}&tree_size={size - 100}"
        first = {query: findings(query) for query in (newest, early, smaller)}
        for query in (smaller, newest, early, newest, smaller):
            again = findings(query)
            self.assertEqual(again.status, 200, again)
            self.assertEqual(again.body, first[query].body, query)
        self.assertEqual(first[newest].json()["tree_size"], size)
        self.assertEqual(first[smaller].json()["tree_size"], size - 100)
        self.assertNotEqual(first[smaller].json()["root_hash"], first[newest].json()["root_hash"])
        self.assertEqual(late_finding(first[newest].json())["seq_count"], LATE)
        self.assertLess(late_finding(first[early].json())["seq_count"], LATE)
        self.assertLess(late_finding(first[smaller].json())["seq_count"], LATE)
        # The single-finding route reads the same report: each id only in its own scope.
        for query in (newest, early, smaller):
            for other in (newest, early, smaller):
                finding_id = late_finding(first[query].json())["id"]
                page = api.get(f"/v1/audit/findings/{finding_id}{other}", S.auditor)
                self.assertEqual(page.status, 200 if other == query else 404, (query, other))

    def test_unknown_ids_bad_limits_and_roles(self):
        body = findings(f"?fiscal_year={YEAR}&as_of={AS_OF}").json()
        late = late_finding(body)
        query = f"?fiscal_year={YEAR}&as_of={AS_OF}"
        problem = self.assertProblem(api.get("/v1/audit/findings/" + "0" * 32 + query, S.auditor), 404)
        self.assertIn("0" * 32, problem["detail"])
        self.assertProblem(api.get("/v1/audit/findings/not-an-id" + query, S.auditor), 404)
        self.assertProblem(api.get("/v1/audit/findings/abc" + query, S.auditor), 404)
        path = f"/v1/audit/findings/{late['id']}"
        for bad in ("limit=0", "limit=1001", "limit=ten", "after_seq=-1", "tree_size=0",
                    f"tree_size={10**9}", "page=2"):
            self.assertProblem(api.get(path + query + "&" + bad, S.auditor), 400, bad.split("=")[0])
        self.assertProblem(api.get(path + f"?as_of={AS_OF}", S.auditor), 400, "fiscal_year")
        self.assertProblem(api.get(path + query, S.executive), 403)
        self.assertProblem(api.get(path + query, S.officer_a), 403)
        self.assertProblem(api.get(path + query), 401)


class T02PinnedReports(ReportCase):
    """Runs last (T02 after T01): it appends to the ledger."""

    def exports(self, size, with_as_of):
        query = f"?fiscal_year={YEAR}&tree_size={size}" + (f"&as_of={AS_OF}" if with_as_of else "")
        out = {"findings": findings(query)}
        for sheet in SHEETS:
            out[sheet] = api.get(f"/v1/export/workpapers{query}&format=csv&sheet={sheet}", S.auditor)
        out["xlsx"] = api.get(f"/v1/export/workpapers{query}", S.auditor)
        for name, response in out.items():
            self.assertEqual(response.status, 200, (name, response))
        return out

    def test_a_report_at_a_tree_size_is_the_same_after_later_entries_of_every_kind(self):
        size = api.tree_size()
        before = {flag: self.exports(size, flag) for flag in (True, False)}
        body = before[True]["findings"].json()
        self.assertEqual(body["tree_size"], size)
        # The root names the signed checkpoint of that size, cosignatures and all.
        note = api.get(f"/v1/checkpoint?tree_size={size}")
        self.assertEqual(note.status, 200, note)
        checkpoint = api.Checkpoint(note.body.decode())
        self.assertEqual(checkpoint.size, size)
        self.assertEqual(checkpoint.root.hex(), body["root_hash"])
        with open(os.path.join(S.data, "keys", "checkpoint.vkey"), encoding="utf-8") as f:
            self.assertTrue(api.verify_note_signature(checkpoint.note, f.read().strip()))
        for name in SHEETS + ["xlsx"]:
            response = before[True][name]
            self.assertEqual(response.header("X-Jejak-Tree-Size"), str(size), name)
            self.assertEqual(response.header("X-Jejak-Root-Hash"), body["root_hash"], name)
            self.assertEqual(response.header("X-Jejak-Signed-Checkpoint"), "true", name)
        # The bundle up to seq size - 1 holds exactly the covered entries, under the same root.
        bundle = api.get(f"/v1/export/bundle?to_seq={size - 1}", S.auditor)
        self.assertEqual(bundle.status, 200, bundle)
        self.assertEqual(bundle.header("X-Jejak-Tree-Size"), str(size))
        self.assertEqual(bundle.header("X-Jejak-Root-Hash"), body["root_hash"])
        last = api.json.loads(bundle.body.decode().rstrip("\n").split("\n")[-1])
        self.assertEqual(api.Checkpoint(last["checkpoint"]).root.hex(), body["root_hash"])
        first_line = before[True]["Ringkasan"].body.decode().split("\r\n")[0]
        self.assertIn(f"ukuran pohon {size}", first_line)
        self.assertIn(body["root_hash"], first_line)
        without_as_of = before[False]["findings"].json()
        self.assertEqual(without_as_of["as_of"], time.strftime("%Y-%m-%d", time.gmtime()))  # The last entry's date.

        conn = S.server.connect()
        try:
            def must(entry, token):
                response = api.request("POST", "/v1/entries", body=entry, token=token, conn=conn)
                self.assertEqual(response.status, 201, response)
                return response.json()["entry"]["seq"]

            # Later: a reversal of a counted payment, a refund of another, a budget in
            # force from before the payments, a new OPD, another late payment and a tax
            # deposit.
            reversal = api.request("POST", f"/v1/entries/{S.late[0]}/reversal", body={"reason": "Salah input"},
                                   token=S.officer_a, conn=conn)
            self.assertEqual(reversal.status, 201, reversal)
            must({"kind": "refund", "refunds": S.late[1], "value_date": f"{YEAR}-06-01", "amount": "100.00",
                  "sts_no": "STS-0001/2025", "reason": "Kelebihan bayar"}, S.officer_a)
            must({"kind": "budget", "fiscal_year": YEAR, "opd": OPD_B, "sub_activity": SUB, "account": ACCOUNT,
                  "pagu": "100000000.00", "stage": "murni", "effective_date": f"{YEAR}-01-01"}, S.admin)
            must({"kind": "opd", "code": "1.03.0.00.0.00.01.0000", "name": "Dinas PUPR"}, S.admin)
            taxed = payment(OPD_A, 5000, 20)
            taxed["taxes"] = [{"type": "PPh23", "amount": "20000.00"}]
            taxed["net"] = "980000.00"
            taxed_seq = must(taxed, S.officer_a)
            must({"kind": "tax_deposit", "fiscal_year": YEAR, "opd": OPD_A, "tax_type": "PPh23",
                  "amount": "20000.00", "billing_code": "123456789012345", "ntpn": "0A1B2C3D4E5F6G7H",
                  "deposit_date": f"{YEAR}-02-10", "covers": [taxed_seq]}, S.officer_a)
        finally:
            conn.close()
        self.assertEqual(api.tree_size(), size + 6)

        for flag in (True, False):
            after = self.exports(size, flag)
            self.assertEqual(after["findings"].body, before[flag]["findings"].body, flag)
            for sheet in SHEETS:
                self.assertEqual(after[sheet].body, before[flag][sheet].body, (flag, sheet))
            self.assertEqual(xlsx_cells(after["xlsx"].body), xlsx_cells(before[flag]["xlsx"].body), flag)

        # The newest report sees the later entries: another tree, another late finding.
        newest = findings(f"?fiscal_year={YEAR}&as_of={AS_OF}")
        self.assertEqual(newest.json()["tree_size"], size + 6)
        self.assertNotEqual(newest.json()["root_hash"], body["root_hash"])
        self.assertNotEqual(late_finding(newest.json())["id"], late_finding(body)["id"])
        self.assertNotIn(S.late[0], late_finding(newest.json())["seqs"])


if __name__ == "__main__":
    if len(sys.argv) < 2 or not os.path.isfile(sys.argv[1]) or not os.access(sys.argv[1], os.X_OK):
        sys.stderr.write("usage: report_test.py /path/to/jejak [unittest options]\n")
        sys.exit(2)
    api.JEJAK = os.path.abspath(sys.argv[1])
    unittest.main(argv=[sys.argv[0]] + sys.argv[2:], verbosity=2)
