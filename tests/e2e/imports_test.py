#!/usr/bin/env python3
"""End-to-end tests of bulk imports (POST /v1/imports, saved mappings, `jejak import-csv`)
and of Accept-Language: id, against a real `jejak serve` over HTTPS.

Usage: python3 tests/e2e/imports_test.py /path/to/jejak [unittest options]

A dry run with one bad row writes nothing and names the row's error in Indonesian; a
commit of a good file (XLSX made here with python3-openpyxl, and CSV) appends every row
with consecutive seqs under one checkpoint, and verification passes; another OPD's rows
are refused; a file over import_body_max_bytes gets 413 while the other routes keep their
small limit; a bad POST /v1/entries answers in Indonesian or English as asked. The
20,000-row test prints how long the dry run and the commit took. Reuses api_test.py's
helpers (same directory).
"""

import io
import json
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

import openpyxl  # noqa: E402  (python3-openpyxl, ops/install-deps.sh)

OPD_A = "1.02.0.00.0.00.01.0000"  # Dinas Kesehatan: officer_a.
OPD_B = "1.01.0.00.0.00.01.0000"  # Dinas Pendidikan: officer_b.
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_LIMIT = 8 * 1024 * 1024
HEADER = ["Tanggal", "No SP2D", "Uraian", "Nilai Bruto", "PPh 22", "Penerima", "Bank", "Rekening",
          "Ref Bank", "OPD"]
MAPPING = {
    "columns": {"value_date": "Tanggal", "documents.sp2d": "No SP2D", "description": "Uraian",
                "gross": "Nilai Bruto", "taxes.PPh22": "PPh 22", "payee.name": "Penerima",
                "payee.bank": "Bank", "payee.account_no": "Rekening", "bank_ref": "Ref Bank",
                "opd": "OPD"},
    "defaults": {"sub_activity": "1.02.02.2.01.0014", "account": "5.1.02.01.01.0024",
                 "mechanism": "LS", "instrument": "cms_transfer", "payee.account_name": "REKANAN"},
    "date_format": "DD/MM/YYYY",
    "decimal": ",",
}


class State:
    pass


S = State()


def row(n, gross="2.750.000", tax="41.250", opd="", ref=None):
    return [f"{(n % 28) + 1:02d}/03/2026", f"{n:05d}/SP2D-LS/2026", f"Belanja baris {n}", gross, tax,
            f"CV Rekanan {n}", "Bank Bengkulu", f"00{n:08d}", ref or api.unique("IMP"), opd]


def csv_bytes(rows, header=HEADER):
    lines = [";".join(header)] + [";".join(f'"{cell}"' if ";" in cell else cell for cell in r) for r in rows]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def xlsx_bytes(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def post_import(body, query="dry_run=true&mapping=sp2d", token=None, content_type="text/csv", headers=None):
    return api.request("POST", f"/v1/imports?{query}", body=body, token=token or S.officer_a,
                       content_type=content_type, headers=headers)


def setUpModule():
    S.tmp = tempfile.mkdtemp(prefix="jejak-imports-test-")
    S.data = os.path.join(S.tmp, "main")
    api.init_ledger(S.data)
    conf_path = os.path.join(S.data, "jejak.conf")
    with open(conf_path, encoding="utf-8") as f:
        conf = f.read()
    conf, replaced = re.subn(r"(?m)^import_body_max_bytes = \d+$", f"import_body_max_bytes = {IMPORT_LIMIT}", conf)
    assert replaced == 1, "jejak init wrote no import_body_max_bytes line"
    with open(conf_path, "w", encoding="utf-8") as f:
        f.write(conf)
    api.S.conf = api.read_conf(S.data)
    S.server = api.Server(S.data)
    api.S.server = S.server
    S.admin = api.cli_token(S.data, "admin", "bpkad-admin")
    S.officer_a = api.cli_token(S.data, "officer", "bendahara-dinkes", OPD_A)
    S.officer_b = api.cli_token(S.data, "officer", "bendahara-disdik", OPD_B)
    S.auditor = api.cli_token(S.data, "auditor", "bpk-auditor")
    for code, name in ((OPD_A, "Dinas Kesehatan"), (OPD_B, "Dinas Pendidikan")):
        response = api.post("/v1/entries", {"kind": "opd", "code": code, "name": name}, S.admin)
        assert response.status == 201, response
    response = api.post("/v1/imports/mappings", {"name": "sp2d", "mapping": MAPPING}, S.officer_a)
    assert response.status == 201, response


def tearDownModule():
    try:
        S.server.stop()
    finally:
        shutil.rmtree(S.tmp, ignore_errors=True)


class ImportTestCase(unittest.TestCase):
    def assertStatus(self, response, status):
        self.assertEqual(response.status, status, response)


class T01Mappings(ImportTestCase):
    def test_fields_list_labels(self):
        response = api.get("/v1/imports/fields", S.officer_a)
        self.assertStatus(response, 200)
        fields = {f["path"]: f for f in response.json()["fields"]}
        self.assertEqual(fields["gross"]["label"], "Nilai Bruto")
        self.assertTrue(fields["gross"]["required"])
        self.assertIn("taxes.PPh4(2)", fields)

    def test_saved_mappings_newest_wins_and_per_opd(self):
        changed = dict(MAPPING, decimal=".")
        self.assertStatus(api.post("/v1/imports/mappings", {"name": "lain", "mapping": MAPPING}, S.officer_a), 201)
        saved = api.post("/v1/imports/mappings", {"name": "lain", "mapping": changed}, S.officer_a)
        self.assertStatus(saved, 201)
        self.assertEqual(saved.json()["version"], 2)
        listed = api.get("/v1/imports/mappings", S.officer_a).json()["mappings"]
        by_name = {m["name"]: m for m in listed}
        self.assertEqual(by_name["lain"]["mapping"]["decimal"], ".")
        self.assertEqual(by_name["lain"]["opd"], OPD_A)
        self.assertEqual(by_name["lain"]["saved_by"], "bendahara-dinkes")
        self.assertEqual(len([m for m in listed if m["name"] == "lain"]), 1)
        # Another OPD's officer sees none of them, and cannot import with them.
        self.assertEqual(api.get("/v1/imports/mappings", S.officer_b).json()["mappings"], [])
        response = post_import(csv_bytes([row(1)]), token=S.officer_b)
        self.assertStatus(response, 404)
        self.assertEqual(response.json()["errors"][0]["field"], "mapping")

    def test_bad_mapping_refused_in_indonesian(self):
        bad = dict(MAPPING, decimal=";", columns=dict(MAPPING["columns"], gros="Nilai"))
        response = api.post("/v1/imports/mappings", {"name": "x", "mapping": bad}, S.officer_a,
                            headers={"Accept-Language": "id-ID,id;q=0.9,en;q=0.5"})
        self.assertStatus(response, 400)
        errors = {e["field"]: e["message"] for e in response.json()["errors"]}
        self.assertEqual(errors["mapping.columns.gros"], "isian tidak dikenal")
        self.assertIn("harus salah satu dari", errors["mapping.decimal"])
        self.assertEqual(response.json()["title"], "Permintaan Tidak Valid")

    def test_roles_and_media_types(self):
        self.assertStatus(post_import(csv_bytes([row(1)]), token=S.auditor), 403)
        self.assertStatus(post_import(b"{}", content_type="application/json"), 415)
        self.assertStatus(post_import(csv_bytes([row(1)]), query="mapping=sp2d&dry_run=maybe"), 400)
        self.assertStatus(post_import(csv_bytes([row(1)]), query="dry_run=true"), 400)
        self.assertStatus(post_import(csv_bytes([row(1)]), query="mapping=tidak-ada"), 404)


class T02DryRunAndCommit(ImportTestCase):
    def test_dry_run_with_one_bad_row_writes_nothing(self):
        before = api.tree_size()
        rows = [row(1), row(2), row(3, gross="dua juta"), row(4)]
        response = post_import(csv_bytes(rows))
        self.assertStatus(response, 200)
        body = response.json()
        self.assertTrue(body["dry_run"])
        self.assertEqual(body["rows"], 4)
        self.assertEqual(body["valid"], 3)
        self.assertEqual(body["errors"], [{"row": 4, "field": "gross", "column": "Nilai Bruto",
                                           "message": "harus berupa jumlah uang seperti 1.234.567,89"}])
        self.assertEqual(len(body["entries"]), 3)
        self.assertEqual(body["entries"][0]["net"], "2708750.00")
        self.assertNotIn("first_seq", body)
        # The same file committed: 422, nothing written.
        refused = post_import(csv_bytes(rows), query="dry_run=false&mapping=sp2d")
        self.assertStatus(refused, 422)
        self.assertEqual(refused.header("content-type"), api.PROBLEM)
        self.assertEqual(refused.json()["rows_errors"][0]["row"], 4)
        self.assertEqual(api.tree_size(), before)

    def test_dry_run_finds_the_ledgers_refusals(self):
        taken = api.unique("TAKEN")
        first = post_import(csv_bytes([row(10, ref=taken)]), query="dry_run=false&mapping=sp2d")
        self.assertStatus(first, 201)
        before = api.tree_size()
        response = post_import(csv_bytes([row(11), row(12, ref=taken)]))
        self.assertStatus(response, 200)
        errors = response.json()["errors"]
        self.assertEqual(len(errors), 1)
        self.assertEqual(errors[0]["row"], 3)
        self.assertEqual(errors[0]["field"], "bank_ref")
        self.assertEqual(errors[0]["column"], "Ref Bank")
        self.assertIn("sudah tercatat pada entri", errors[0]["message"])
        self.assertEqual(api.tree_size(), before)

    def test_commit_of_a_good_xlsx_file(self):
        rows = [row(100 + n) for n in range(40)]
        dry = post_import(xlsx_bytes(rows), content_type=XLSX)
        self.assertStatus(dry, 200)
        self.assertEqual(dry.json()["errors"], [])
        self.assertEqual(dry.json()["valid"], 40)
        before = api.tree_size()
        response = post_import(xlsx_bytes(rows), query="dry_run=false&mapping=sp2d", content_type=XLSX)
        self.assertStatus(response, 201)
        body = response.json()
        self.assertFalse(body["dry_run"])
        self.assertEqual(body["first_seq"], before)
        self.assertEqual(body["last_seq"], before + 39)
        self.assertEqual(body["tree_size"], before + 40)
        # One checkpoint covers them all: signed by the ledger's key, at the last seq + 1.
        checkpoint = api.Checkpoint(body["checkpoint"])
        self.assertEqual(checkpoint.size, before + 40)
        with open(os.path.join(S.data, "keys", "checkpoint.vkey"), encoding="utf-8") as f:
            self.assertTrue(api.verify_note_signature(body["checkpoint"], f.read().strip()))
        listed = api.get(f"/v1/entries?after_seq={before - 1}&limit=100", S.officer_a).json()["entries"]
        entries = [item["entry"] for item in listed]
        self.assertEqual([e["seq"] for e in entries], list(range(before, before + 40)))
        self.assertEqual({e["recorded_at"] for e in entries}, {entries[0]["recorded_at"]})
        self.assertEqual({e["recorded_by"] for e in entries}, {"bendahara-dinkes"})
        self.assertEqual(entries[0]["documents"]["sp2d"], "00100/SP2D-LS/2026")
        self.assertEqual(entries[0]["value_date"], "2026-03-17")
        # The inclusion proof of the first entry goes to that very checkpoint's root.
        proof = api.get(f"/v1/proofs/inclusion?seq={before}&tree_size={before + 40}", S.auditor)
        self.assertStatus(proof, 200)
        verified = api.get("/v1/verify", S.auditor)
        self.assertStatus(verified, 200)
        self.assertTrue(verified.json()["ok"], verified)

    def test_another_opds_rows_are_refused(self):
        before = api.tree_size()
        rows = [row(200), row(201, opd=OPD_B), row(202, opd=OPD_A)]
        response = post_import(csv_bytes(rows))
        self.assertStatus(response, 200)
        errors = response.json()["errors"]
        self.assertEqual(len(errors), 1)
        self.assertEqual(errors[0]["row"], 3)
        self.assertEqual(errors[0]["field"], "opd")
        self.assertEqual(errors[0]["column"], "OPD")
        self.assertEqual(errors[0]["message"], f"OPD {OPD_B} bukan OPD Anda ({OPD_A})")
        self.assertStatus(post_import(csv_bytes(rows), query="dry_run=false&mapping=sp2d"), 422)
        self.assertEqual(api.tree_size(), before)

    def test_unreadable_file_names_row_and_column(self):
        response = post_import(b"Tanggal;Uraian\r\n01/03/2026;\"tidak ditutup\r\n",
                               headers={"Accept-Language": "id"})
        self.assertStatus(response, 400)
        self.assertEqual(response.json()["errors"][0],
                         {"field": "file", "message": "baris 2, kolom 2: sel bertanda kutip tidak ditutup"})
        broken = post_import(b"PK\x03\x04 not really", content_type=XLSX)
        self.assertStatus(broken, 400)
        self.assertIn("cannot be read", broken.json()["errors"][0]["message"])


def declared_body(path, length, headers=None, token=True):
    """A POST whose header declares `length` body bytes, of which only a few are sent:
    the server must answer from the header alone (it would drain at most 1 MiB)."""
    conn = S.server.connect()
    try:
        start_upload(conn, path, length, headers, token)
        raw = conn.getresponse()
        return api.Response(raw.status, raw.getheaders(), raw.read())
    finally:
        conn.close()


def start_upload(conn, path, length, headers=None, token=True):
    """Sends a POST's header declaring `length` body bytes, and the body's first line."""
    conn.putrequest("POST", path)
    fields = {"Content-Type": "text/csv", "Content-Length": str(length), **(headers or {})}
    if token:
        fields["Authorization"] = "Bearer " + S.officer_a
    for name, value in fields.items():
        conn.putheader(name, value)
    conn.endheaders()
    conn.send(b"Tanggal;Uraian\r\n")


class T03Limits(ImportTestCase):
    def test_an_upload_without_a_token_is_refused_before_its_body(self):
        # Only the header and one line are sent: a 401 proves the body was never awaited.
        response = declared_body("/v1/imports?mapping=sp2d", IMPORT_LIMIT - 1, token=False)
        self.assertStatus(response, 401)

    def test_at_most_two_uploads_are_read_at_once(self):
        # Two uploads whose bodies are still coming hold the two slots; a third is told to
        # come back (503) from its header alone, and a slot frees once an upload is answered.
        held = [S.server.connect() for _ in range(2)]
        try:
            for conn in held:
                start_upload(conn, "/v1/imports?mapping=sp2d", IMPORT_LIMIT - 1)
            time.sleep(0.5)  # Both headers read by the server.
            third = declared_body("/v1/imports?mapping=sp2d", IMPORT_LIMIT - 1)
            self.assertStatus(third, 503)
            self.assertIn("too many uploads", third.json()["detail"])
            # Small bodies on other routes are not affected.
            self.assertStatus(api.get("/v1/imports/fields", S.officer_a), 200)
        finally:
            for conn in held:
                conn.close()
        # The closed uploads gave their slots back.
        deadline = time.time() + 10
        while True:
            ok = post_import(csv_bytes([row(1)]))
            if ok.status == 200 or time.time() > deadline:
                break
            time.sleep(0.2)
        self.assertStatus(ok, 200)

    def test_body_over_the_import_limit_is_413(self):
        response = declared_body("/v1/imports?mapping=sp2d", IMPORT_LIMIT + 1)
        self.assertStatus(response, 413)
        self.assertIn(str(IMPORT_LIMIT), response.json()["detail"])
        indonesian = declared_body("/v1/imports?mapping=sp2d", IMPORT_LIMIT + 1, {"Accept-Language": "id"})
        self.assertStatus(indonesian, 413)
        self.assertEqual(indonesian.json()["title"], "Muatan Terlalu Besar")
        self.assertEqual(indonesian.json()["detail"], f"isi permintaan lebih besar dari {IMPORT_LIMIT} byte")

    def test_other_routes_keep_the_small_limit(self):
        small = int(api.S.conf["body_bytes_max"])
        response = api.post("/v1/entries", b"x" * (small + 1), S.officer_a)
        self.assertStatus(response, 413)
        self.assertIn(str(small), response.json()["detail"])
        mapping = api.post("/v1/imports/mappings", b"x" * (small + 1), S.officer_a)
        self.assertStatus(mapping, 413)
        # A length past every route's limit names this route's, not the largest.
        huge = declared_body("/v1/entries", IMPORT_LIMIT + 10)
        self.assertStatus(huge, 413)
        self.assertEqual(huge.json()["detail"], f"the request body is larger than {small} bytes")
        huge_import = declared_body("/v1/imports?mapping=sp2d", IMPORT_LIMIT * 4)
        self.assertEqual(huge_import.json()["detail"], f"the request body is larger than {IMPORT_LIMIT} bytes")
        # ... while an import of several times that is read whole.
        rows = [row(300 + n) for n in range(3000)]
        body = csv_bytes(rows)
        self.assertGreater(len(body), 4 * small)
        response = post_import(body)
        self.assertStatus(response, 200)
        self.assertEqual(response.json()["valid"], 3000)

    def test_twenty_thousand_rows(self):
        rows = [row(10000 + n) for n in range(20000)]
        body = csv_bytes(rows)
        started = time.monotonic()
        dry = post_import(body)
        dry_seconds = time.monotonic() - started
        self.assertStatus(dry, 200)
        self.assertEqual(dry.json()["valid"], 20000)
        before = api.tree_size()
        started = time.monotonic()
        committed = post_import(body, query="dry_run=false&mapping=sp2d")
        commit_seconds = time.monotonic() - started
        self.assertStatus(committed, 201)
        self.assertEqual(committed.json()["last_seq"] - committed.json()["first_seq"], 19999)
        self.assertEqual(api.tree_size(), before + 20000)
        sys.stderr.write(f"\n  20,000 rows ({len(body) / 1e6:.1f} MB CSV): dry run {dry_seconds:.2f} s, "
                         f"commit {commit_seconds:.2f} s\n")


class T04AcceptLanguage(ImportTestCase):
    BAD = {"kind": "expenditure", "fiscal_year": 2026, "opd": OPD_A, "mechanism": "XX"}

    def test_indonesian_when_preferred(self):
        for header in ("id", "id-ID", "en;q=0.5, id;q=0.8", "ID"):
            response = api.post("/v1/entries", self.BAD, S.officer_a, headers={"Accept-Language": header})
            self.assertStatus(response, 400)
            body = response.json()
            errors = {e["field"]: e["message"] for e in body["errors"]}
            self.assertEqual(errors["gross"], "wajib diisi", header)
            self.assertEqual(errors["mechanism"], "harus salah satu dari UP, GU, TU, LS", header)
            self.assertEqual(body["title"], "Permintaan Tidak Valid")
            self.assertEqual(body["detail"], "entri tidak valid")
            self.assertEqual(response.header("content-language"), "id")

    def test_english_otherwise(self):
        for header in (None, "en", "en-US,en;q=0.9", "id;q=0.1, en", "id;q=0", "fr, id;q=0.5, en"):
            headers = {"Accept-Language": header} if header else None
            response = api.post("/v1/entries", self.BAD, S.officer_a, headers=headers)
            self.assertStatus(response, 400)
            errors = {e["field"]: e["message"] for e in response.json()["errors"]}
            self.assertEqual(errors["gross"], "required", header)
            self.assertEqual(response.json()["title"], "Bad Request")
            self.assertIsNone(response.header("content-language"))

    def test_query_and_auth_problems_too(self):
        response = api.get("/v1/entries?bogus=1", S.officer_a, headers={"Accept-Language": "id"})
        self.assertStatus(response, 400)
        self.assertEqual(response.json()["errors"], [{"field": "bogus", "message": "parameter tidak dikenal"}])
        missing = api.get("/v1/entries", headers={"Accept-Language": "id"})
        self.assertStatus(missing, 401)
        self.assertEqual(missing.json()["title"], "Tidak Terautentikasi")


class T05Cli(ImportTestCase):
    def test_import_csv_dry_run_and_commit(self):
        mapping = os.path.join(S.tmp, "mapping.json")
        with open(mapping, "w", encoding="utf-8") as f:
            json.dump(MAPPING, f)
        bad = os.path.join(S.tmp, "bad.csv")
        with open(bad, "wb") as f:
            f.write(csv_bytes([row(500), row(501, gross="1,5,0")]))
        before = api.tree_size()
        result = api.run_cli("import-csv", "--data", S.data, "--opd", OPD_A, "--mapping", mapping, bad,
                             check=False)
        self.assertEqual(result.returncode, 2, result)
        self.assertIn('baris 3, kolom "Nilai Bruto" (gross): harus berupa jumlah uang', result.stdout.decode())
        result = api.run_cli("import-csv", "--data", S.data, "--opd", OPD_A, "--mapping", mapping,
                             "--commit", bad, check=False)
        self.assertEqual(result.returncode, 2, result)
        many = os.path.join(S.tmp, "many_bad.csv")  # More errors than are listed: counted all.
        with open(many, "wb") as f:
            f.write(csv_bytes([row(600 + i, gross="1,5,0") for i in range(1100)]))
        result = api.run_cli("import-csv", "--data", S.data, "--opd", OPD_A, "--mapping", mapping, many,
                             check=False)
        self.assertEqual(result.returncode, 2, result)
        self.assertEqual(len(result.stdout.decode().splitlines()), 1000)
        self.assertIn("1100 error(s) (the first 1000 listed); nothing written", result.stderr.decode())
        good = os.path.join(S.tmp, "good.xlsx")
        with open(good, "wb") as f:
            f.write(xlsx_bytes([row(600 + n) for n in range(5)]))
        dry = api.run_cli("import-csv", "--data", S.data, "--opd", OPD_A, "--mapping", mapping, good)
        self.assertIn("all valid", dry.stdout.decode())
        self.assertEqual(api.tree_size(), before)
        committed = api.run_cli("import-csv", "--data", S.data, "--opd", OPD_A, "--mapping", mapping,
                                "--sub", "bendahara-dinkes", "--commit", good)
        self.assertIn(f"imported 5 entries, seq {before} to {before + 4}", committed.stdout.decode())
        self.assertEqual(api.tree_size(), before + 5)
        verified = api.run_cli("verify", "--data", S.data)
        self.assertEqual(verified.returncode, 0)


if __name__ == "__main__":
    if len(sys.argv) < 2 or not os.path.isfile(sys.argv[1]) or not os.access(sys.argv[1], os.X_OK):
        sys.stderr.write("usage: imports_test.py /path/to/jejak [unittest options]\n")
        sys.exit(2)
    api.JEJAK = os.path.abspath(sys.argv[1])
    unittest.main(argv=[sys.argv[0]] + sys.argv[2:], verbosity=2)
