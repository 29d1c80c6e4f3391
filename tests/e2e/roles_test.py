#!/usr/bin/env python3
"""The role matrix of the routes added after the core API (integrity, exports,
cosignatures, dashboard, checkpoint by size) against a real `jejak serve` over HTTPS: every
role (and no token) times every route, with the status DESIGN's table implies.

Usage: /usr/bin/python3 tests/e2e/roles_test.py /path/to/jejak
Reuses the server and HTTP helpers of api_test.py (same directory).
"""

import os
import sys
import unittest

sys.dont_write_bytecode = True  # Importing api_test must leave no __pycache__ in the tree.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import api_test as api  # noqa: E402  (its setUpModule builds the ledger and tokens)

S = api.S
YEAR = 2026


def setUpModule():
    api.setUpModule()
    # Something to export: one expenditure of OPD A.
    response = api.post("/v1/entries", api.simple_expenditure(api.OPD_A, api.unique("ROLE")),
                        S.officer_a)
    if response.status != 201:
        raise RuntimeError(f"appending: {response}")


def tearDownModule():
    api.tearDownModule()


def tokens():
    return {"none": None, "officer": S.officer_a, "other_officer": S.officer_b,
            "auditor": S.auditor, "executive": S.executive, "admin": S.admin}


class RoleMatrixTest(unittest.TestCase):
    def check(self, method, path, expected, body=None):
        for role, token in tokens().items():
            with self.subTest(route=f"{method} {path}", role=role):
                response = api.request(method, path, body=body, token=token)
                self.assertEqual(response.status, expected[role],
                                 f"{role} on {method} {path}: {response}")
                if response.status >= 400:
                    self.assertTrue(response.header("Content-Type").startswith("application/problem+json"))

    def test_integrity(self):
        self.check("GET", "/v1/integrity", {"none": 401, "officer": 200, "other_officer": 200,
                                            "auditor": 200, "executive": 200, "admin": 403})

    def test_export_bundle_is_the_auditors(self):
        self.check("GET", "/v1/export/bundle?to_seq=1",
                   {"none": 401, "officer": 403, "other_officer": 403, "auditor": 200,
                    "executive": 403, "admin": 403})

    def test_export_workpapers_is_the_auditors(self):
        self.check("GET", f"/v1/export/workpapers?fiscal_year={YEAR}&format=csv&sheet=Transaksi",
                   {"none": 401, "officer": 403, "other_officer": 403, "auditor": 200,
                    "executive": 403, "admin": 403})

    def test_cosignatures_are_the_auditors(self):
        # No witness key is configured, so even the auditor's well-formed line is refused
        # (403: not a witness); a malformed one is a 400. Every other role: 403.
        line = "\u2014 bpk.go.id/auditor-1 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
        body = {"tree_size": 1, "cosignature": line}
        self.check("POST", "/v1/checkpoint/cosignatures", {
            "none": 401, "officer": 403, "other_officer": 403, "auditor": 403,
            "executive": 403, "admin": 403}, body=body)
        bad = api.post("/v1/checkpoint/cosignatures", {"tree_size": 1}, S.auditor)
        self.assertEqual(bad.status, 400, bad)

    def test_dashboard_and_checkpoint_are_public(self):
        for path in ("/", "/assets/app.js", "/assets/style.css", "/v1/checkpoint"):
            self.check("GET", path, {role: 200 for role in tokens()})

    def test_checkpoint_of_an_unknown_size_is_404(self):
        response = api.get("/v1/checkpoint?tree_size=999999")
        self.assertEqual(response.status, 404, response)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: roles_test.py /path/to/jejak [unittest options]")
    api.JEJAK = os.path.abspath(sys.argv[1])
    unittest.main(argv=[sys.argv[0]] + sys.argv[2:], verbosity=2)
