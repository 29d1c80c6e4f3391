#!/usr/bin/env python3
"""NDJSON entries for filling a benchmark ledger with `jejak append --batch N`.

`registry` prints the OPDs and, for every fiscal year, their budget lines with RAK plans.
`expenditures --first I --count C --total T` prints expenditures I..I+C-1 of a ledger of T,
spread evenly over the fiscal years (oldest first, so seqs follow value dates) on many
payees, instruments and amounts; the output is deterministic, so chunks can be appended
one after another. Used by ops/bench.sh.
"""
import argparse
import datetime
import json
import random
import sys

OPDS = [
    ("1.01.0.00.0.00.01.0000", "Dinas Pendidikan dan Kebudayaan"),
    ("1.02.0.00.0.00.01.0000", "Dinas Kesehatan"),
    ("1.02.0.00.0.00.02.0000", "RSUD Kabupaten"),
    ("1.03.0.00.0.00.01.0000", "Dinas Pekerjaan Umum dan Penataan Ruang"),
    ("1.06.0.00.0.00.01.0000", "Dinas Sosial"),
    ("2.09.0.00.0.00.01.0000", "Dinas Ketahanan Pangan"),
    ("2.15.0.00.0.00.01.0000", "Dinas Perhubungan"),
    ("2.16.0.00.0.00.01.0000", "Dinas Komunikasi dan Informatika"),
    ("4.01.0.00.0.00.01.0000", "Sekretariat Daerah"),
    ("5.02.0.00.0.00.01.0000", "Badan Pengelolaan Keuangan dan Aset Daerah"),
]
# (sub_activity suffix, account): five budget lines per OPD and year.
LINES = [
    ("2.01.0014", "5.1.02.01.01.0024"),
    ("2.01.0015", "5.1.02.02.01.0029"),
    ("2.02.0001", "5.1.02.01.01.0026"),
    ("2.02.0003", "5.1.01.01.01.0001"),
    ("2.03.0002", "5.2.02.05.01.0001"),
]
INSTRUMENTS = ["cms_transfer", "cms_transfer", "cms_transfer", "sp2d_ls", "sp2d_ls", "kkpd", "qris"]
LAST_YEAR = 2026


def years(count):
    return list(range(LAST_YEAR - count + 1, LAST_YEAR + 1))


def sub_activity(opd, suffix):
    parts = opd.split(".")
    return f"{parts[0]}.{parts[1]}.02.{suffix}"


def last_day(year):
    end = datetime.date(year, 12, 31)
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    return min(end, yesterday)


def registry(year_count):
    for code, name in OPDS:
        print(json.dumps({"kind": "opd", "code": code, "name": name}))
    for year in years(year_count):
        for code, _ in OPDS:
            for suffix, account in LINES:
                pagu = 12 * 2_000_000_000
                print(json.dumps({
                    "kind": "budget", "fiscal_year": year, "opd": code,
                    "sub_activity": sub_activity(code, suffix), "account": account,
                    "pagu": f"{pagu}.00", "stage": "murni",
                    "monthly_plan": [f"{pagu // 12}.00"] * 12, "note": f"APBD murni {year}"}))


def expenditures(first, count, total, year_count):
    ys = years(year_count)
    per_year = -(-total // len(ys))
    out = sys.stdout
    for i in range(first, first + count):
        rng = random.Random(i * 7919 + 17)
        year = ys[min(i // per_year, len(ys) - 1)]
        start = datetime.date(year, 1, 2)
        span = (last_day(year) - start).days
        offset = (i % per_year) * span // per_year
        day = start + datetime.timedelta(days=offset)
        code, _ = OPDS[rng.randrange(len(OPDS))]
        suffix, account = LINES[rng.randrange(len(LINES))]
        gross = rng.randrange(100, 40_000) * 1000
        tax = gross * 15 // 1000
        payee = rng.randrange(400)
        instrument = INSTRUMENTS[rng.randrange(len(INSTRUMENTS))]
        entry = {
            "kind": "expenditure", "fiscal_year": year, "opd": code,
            "sub_activity": sub_activity(code, suffix), "account": account,
            "mechanism": "LS" if instrument == "sp2d_ls" else "GU", "instrument": instrument,
            "value_date": day.isoformat(), "gross": f"{gross}.00",
            "taxes": [{"type": "PPh22", "amount": f"{tax}.00"}], "net": f"{gross - tax}.00",
            "payee": {"name": f"CV Mitra Daerah {payee}", "npwp": f"{10**14 + payee:015d}",
                      "bank": "Bank Bengkulu", "account_no": f"{20000000 + payee}",
                      "account_name": f"CV MITRA DAERAH {payee}"},
            "bank_ref": f"BENCH-{i}",
            "documents": {"evidence_no": f"KW-{i}/{year}", "evidence_date": day.isoformat()},
            "description": "Belanja operasional kantor",
        }
        if instrument == "sp2d_ls":  # An LS payment goes through SPM and SP2D.
            entry["documents"]["spm"] = f"{i:07d}/SPM-LS/{year}"
            entry["documents"]["sp2d"] = f"{i:07d}/SP2D-LS/{year}"
        out.write(json.dumps(entry, separators=(",", ":")))
        out.write("\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("what", choices=["registry", "expenditures"])
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--first", type=int, default=0)
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument("--total", type=int, default=0)
    args = parser.parse_args()
    if args.what == "registry":
        registry(args.years)
    else:
        expenditures(args.first, args.count, max(args.total, args.first + args.count), args.years)


if __name__ == "__main__":
    main()
