#!/usr/bin/env python3
"""Reads a Jejak workpapers XLSX with openpyxl, an independent reader, and prints JSON.

Usage: read_workpapers.py FILE. For each sheet: the checkpoint line (row 1), the headers
(row 2), the data rows, the number format of each column's first data cell (and every
distinct format of the column's data cells), the frozen
pane, the autofilter range, the column widths, and per money column ("... (Rp)") the sum
in sen and how many of its cells are text (an amount too large for a number cell is its
exact decimal text). Numbers
are printed as decimal text to 15 significant digits (as a spreadsheet shows them), never
as JSON floats, so the C++ test compares sen exactly. Cells: null, {"s": text}, {"n": "12.5"} or
{"d": "2026-02-03"} (a date cell: openpyxl reads a number with a date format as a datetime).
"""
import datetime
import json
import sys
from decimal import Decimal

import openpyxl
from openpyxl.utils import get_column_letter


def number_text(value):
    """A number as a spreadsheet shows it: to 15 significant digits (all a double carries
    through decimal and back), so an amount of sen reads as its exact decimal."""
    if isinstance(value, bool):
        raise ValueError("boolean cell")
    if isinstance(value, int):
        return str(value)
    return format(Decimal(format(value, ".15g")), "f")


def cell_json(value):
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        if value.time() != datetime.time(0):
            raise ValueError(f"a date cell with a time: {value}")
        return {"d": value.date().isoformat()}
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
        format_sets = {}
        sums = {}
        text_amounts = {}
        for index, header in enumerate(headers):
            column = [row[index] for row in data if index < len(row)]
            present = [cell for cell in column if cell.value is not None]
            if present:
                formats[header] = present[0].number_format
                format_sets[header] = sorted({cell.number_format for cell in present})
            if header.endswith("(Rp)"):
                total = 0
                text_amounts[header] = 0
                for cell in present:
                    if isinstance(cell.value, str):
                        text_amounts[header] += 1
                        sen = Decimal(cell.value) * 100
                    elif isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                        sen = Decimal(number_text(cell.value)) * 100
                    else:
                        raise SystemExit(f"{sheet.title}!{cell.coordinate} is not an amount")
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
            "all_number_formats": format_sets,
            "sums_sen": sums,
            "text_amounts": text_amounts,
            "widths": [sheet.column_dimensions[get_column_letter(i + 1)].width for i in range(len(headers))],
            "freeze_panes": sheet.freeze_panes,
            "auto_filter": sheet.auto_filter.ref,
            "header_bold": all(cell.font.b for cell in rows[1]) if len(rows) > 1 else False,
        }
    json.dump(result, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
