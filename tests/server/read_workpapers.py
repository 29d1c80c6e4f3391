#!/usr/bin/env python3
"""Reads a Jejak workpapers XLSX with openpyxl, an independent reader, and prints JSON.

Usage: read_workpapers.py FILE. For each sheet: the checkpoint line (row 1), the headers
(row 2), the data rows, the number format of each column's first data cell, the frozen
pane and the autofilter range, and per money column ("... (Rp)") the sum in sen. Numbers
are printed as exact decimal text (Python's shortest round-trip repr), never as JSON
floats, so the C++ test compares sen exactly. Cells: null, {"s": text} or {"n": "12.5"}.
"""
import json
import sys
from decimal import Decimal

import openpyxl


def number_text(value):
    if isinstance(value, bool):
        raise ValueError("boolean cell")
    if isinstance(value, int):
        return str(value)
    return repr(value)


def cell_json(value):
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"n": number_text(value)}
    return {"s": str(value)}


def main():
    workbook = openpyxl.load_workbook(sys.argv[1], read_only=False, data_only=True)
    result = {"sheetnames": workbook.sheetnames, "sheets": {}}
    for sheet in workbook.worksheets:
        rows = list(sheet.iter_rows(values_only=False))
        title = rows[0][0].value if rows else None
        headers = [cell.value for cell in rows[1]] if len(rows) > 1 else []
        data = rows[2:]
        formats = {}
        sums = {}
        for index, header in enumerate(headers):
            column = [row[index] for row in data if index < len(row)]
            present = [cell for cell in column if cell.value is not None]
            if present:
                formats[header] = present[0].number_format
            if header.endswith("(Rp)"):
                total = 0
                for cell in present:
                    if not isinstance(cell.value, (int, float)):
                        raise SystemExit(f"{sheet.title}!{cell.coordinate} is not a number")
                    sen = Decimal(number_text(cell.value)) * 100
                    if sen != sen.to_integral_value():
                        raise SystemExit(f"{sheet.title}!{cell.coordinate} is not whole sen")
                    total += int(sen)
                sums[header] = total
        result["sheets"][sheet.title] = {
            "title": title,
            "headers": headers,
            "row_count": len(data),
            "rows": [[cell_json(cell.value) for cell in row] for row in data],
            "number_formats": formats,
            "sums_sen": sums,
            "freeze_panes": sheet.freeze_panes,
            "auto_filter": sheet.auto_filter.ref,
            "header_bold": all(cell.font.b for cell in rows[1]) if len(rows) > 1 else False,
        }
    json.dump(result, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
