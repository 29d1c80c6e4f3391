#!/usr/bin/python3
"""Writes the XLSX fixtures of tests/server/xlsx_reader_test.cc into this folder.

sp2d.xlsx is a small SP2D register as a treasurer keeps one (openpyxl: shared strings,
numbers, a date cell with a date style, an inline string, a boolean, a formula string);
the others are broken on purpose. Run once; the outputs are committed.
"""
import datetime
import io
import os
import zipfile

import openpyxl

HERE = os.path.dirname(os.path.abspath(__file__))


def sp2d():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Register SP2D"
    sheet.append(["Tanggal", "Nomor SP2D", "Uraian", "Nilai Bruto", "PPh 22", "PKP"])
    sheet.append([datetime.date(2026, 3, 4), "00101/SP2D-LS/2026", "Belanja map", 2750000, 41250, True])
    sheet.append([datetime.date(2026, 3, 5), "00102/SP2D-LS/2026", "Belanja ATK", 1234567.89, None, False])
    sheet.append([])  # An empty row: skipped, but row 5 keeps its number.
    sheet.append(["05/03/2026", "00103/SP2D-LS/2026", "  Sewa tenda  ", "1.500.000", 0, None])
    sheet["C5"].number_format = "@"
    sheet["A2"].number_format = "dd/mm/yyyy"
    sheet["A3"].number_format = "yyyy-mm-dd"
    book.save(os.path.join(HERE, "sp2d.xlsx"))


def write_zip(name, parts):
    with zipfile.ZipFile(os.path.join(HERE, name), "w", zipfile.ZIP_DEFLATED) as archive:
        for part, data in parts.items():
            archive.writestr(part, data)


WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="x" Target="worksheets/sheet1.xml"/></Relationships>')


def sheet(rows_xml):
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<sheetData>' + rows_xml + '</sheetData></worksheet>')


def shared_strings():
    """Shared strings (a rich-text run, a phonetic reading to skip), the 1904 date system
    and a custom date format, as Excel for Mac writes them."""
    workbook = WORKBOOK.replace("<sheets>", '<workbookPr date1904="1"/><sheets>')
    styles = ('<?xml version="1.0" encoding="UTF-8"?>'
              '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              '<numFmts count="1"><numFmt numFmtId="170" formatCode="[$-421]d\\ mmmm\\ yyyy;@"/></numFmts>'
              '<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>'
              '<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="170"/><xf numFmtId="4"/></cellXfs>'
              '</styleSheet>')
    strings = ('<?xml version="1.0" encoding="UTF-8"?>'
               '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4" uniqueCount="4">'
               '<si><t>Tanggal</t></si><si><t>Nilai</t></si>'
               '<si><r><t>CV </t></r><r><rPr><b/></rPr><t>Sinar</t></r><rPh sb="0" eb="1"><t>X</t></rPh></si>'
               '<si/></sst>')
    write_zip("shared_strings.xlsx", {
        "xl/workbook.xml": workbook,
        "xl/_rels/workbook.xml.rels": RELS,
        "xl/styles.xml": styles,
        "xl/sharedStrings.xml": strings,
        "xl/worksheets/sheet1.xml": sheet(
            '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
            '<row r="2"><c r="A2" s="1"><v>44623</v></c><c r="B2" s="2"><v>2750000.5</v></c>'
            '<c r="C2" t="s"><v>2</v></c><c r="D2" t="s"><v>3</v></c>'
            '<c r="E2" t="str"><f>A1</f><v>rumus</v></c></row>'),
    })


def broken():
    with open(os.path.join(HERE, "not_a_zip.xlsx"), "wb") as out:
        out.write(b"Tanggal,Nilai\n2026-03-04,100\n")
    # A sheet of 64 MiB of spaces: compressed about 1000 to 1.
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", RELS)
        archive.writestr("xl/worksheets/sheet1.xml",
                         sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>') +
                         " " * (64 << 20))
    with open(os.path.join(HERE, "bomb.xlsx"), "wb") as out:
        out.write(bomb.getvalue())
    write_zip("deep.xlsx", {
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": RELS,
        "xl/worksheets/sheet1.xml": sheet("<x>" * 100 + "</x>" * 100),
    })
    write_zip("missing_shared_string.xlsx", {
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": RELS,
        "xl/worksheets/sheet1.xml": sheet(
            '<row r="1"><c r="A1" t="inlineStr"><is><t>Nama</t></is></c></row>'
            '<row r="2"><c r="A2" t="s"><v>7</v></c></row>'),
    })
    write_zip("malformed_xml.xlsx", {
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": RELS,
        "xl/worksheets/sheet1.xml": sheet('<row r="1"><c r="A1"><v>1</v></row>'),
    })


if __name__ == "__main__":
    sp2d()
    shared_strings()
    broken()
