"""Generate the hostile-input corpus of tests/data/hostile/ (issue 10). Never edit its output by hand.

    python scripts/make_hostile.py tests/data/hostile            # the committed corpus (small files)
    python scripts/make_hostile.py DIR --bombs                    # + decompression bombs (~3 MB, made by
                                                                  #   the test fixture, not committed)

``manifest.json`` lists every case: ``id``, ``channel`` (cli, scenario_file, share_link, upload,
widget), the input (``args`` for the CLI with ``{files}`` standing for the corpus folder, ``file``,
``query`` as [key, value] pairs, ``widget``) and ``expect``: a piece of the one-line message the user
must get. A test runs each case through its channel (tests/test_hostile.py).
"""

from __future__ import annotations

import io
import json
import sys
import zipfile
from pathlib import Path

BIG_INT = "1" * 5000
DEEP = "[" * 10_000 + "]" * 10_000

# (id, args, expected message piece). "{files}" is the corpus folder.
CLI = [
    ("set-int-5000-digits", ["evaluate", "--set", f"workforce.employees={BIG_INT}"], "5,000 characters; at most 40"),
    ("set-true-as-number", ["evaluate", "--set", "workforce.employees=true"], "must be a whole number from 1 to"),
    ("set-fraction-whole-field", ["evaluate", "--set", "workforce.employees=2.5"], "whole number from 1 to 10000000, got 2.5"),
    ("set-superscript-index", ["evaluate", "--set", "programs.\u00b2.uptake=0.3"], "should be a program index"),
    ("set-arabic-indic-index", ["evaluate", "--set", "programs.\u0663.uptake=0.3"], "should be a program index"),
    ("set-nan", ["evaluate", "--set", "condition.prevalence=NaN"], "must be a finite number"),
    ("set-1e999", ["evaluate", "--set", "condition.prevalence=1e999"], "condition.prevalence"),
    ("set-1e308-employees", ["evaluate", "--set", "workforce.employees=1e308"], "workforce.employees"),
    ("set-deep-nesting", ["evaluate", "--set", f"name={DEEP}"], "nested more than 32 levels"),
    ("set-no-equals", ["evaluate", "--set", "workforce.employees"], "--set needs PATH=VALUE"),
    ("set-unknown-path", ["evaluate", "--set", "workforce.salary_bonus=1"], "unknown path"),
    ("set-section", ["evaluate", "--set", "workforce=3"], "is a section"),
    ("set-long-float", ["evaluate", "--set", "condition.prevalence=0." + "1" * 5000], "at most 40"),
    ("survey-respondents-5000-digits", ["evaluate", "--survey", f"respondents={BIG_INT},presenteeism=0.3"],
     "5,000 digits; at most 9"),
    ("survey-respondents-superscript", ["evaluate", "--survey", "respondents=\u00b2\u00b2,presenteeism=0.3"],
     "digits 0-9"),
    ("survey-value-5000-digits", ["evaluate", "--survey", f"presenteeism={BIG_INT},respondents=40"],
     "must be a number such as 0.31"),
    ("survey-nan", ["evaluate", "--survey", "presenteeism=nan,respondents=40"], "fraction from 0 to 1"),
    ("survey-too-few", ["evaluate", "--survey", "presenteeism=0.3,respondents=4"], "at least 10 are needed"),
    ("max-census-mb-nan", ["evaluate", "--census", "{files}/good_census.csv", "--max-census-mb", "nan"],
     "--max-census-mb: must be more than 0"),
    ("max-census-mb-inf", ["evaluate", "--census", "{files}/good_census.csv", "--max-census-mb", "inf"],
     "--max-census-mb: must be more than 0"),
    ("max-census-mb-negative", ["census", "{files}/good_census.csv", "--max-census-mb", "-1"], "must be more than 0"),
    ("max-census-mb-1e999", ["census", "{files}/good_census.csv", "--max-census-mb", "1e999"], "must be more than 0"),
    ("preset-unknown", ["evaluate", "--preset", "worst"], "unknown preset 'worst'"),
    ("industry-unknown", ["evaluate", "--industry", "mining"], "unknown industry preset 'mining'"),
    ("census-and-set-same-field", ["evaluate", "--census", "{files}/good_census.csv", "--set",
                                   "workforce.employees=3000"], "conflicts with the census"),
    ("census-by-unknown", ["evaluate", "--census", "{files}/good_census.csv", "--by", "shoe_size"],
     "cannot segment by 'shoe_size'"),
    ("decimal-unknown", ["census", "{files}/good_census.csv", "--decimal", "maybe"], "invalid choice"),
    ("draws-5000-digits", ["psa", "--draws", BIG_INT], "--draws"),
    ("scenario-dev-zero", ["evaluate", "/dev/zero"], "larger than the 1.0 MB limit"),
    ("census-dev-zero", ["census", "/dev/zero", "--max-census-mb", "5"], "larger than the 5.0 MB limit"),
    ("scenario-missing", ["evaluate", "{files}/no_such_file.json"], "cannot be read"),
    ("scenario-directory", ["evaluate", "{files}"], "cannot be read"),
    # review fixes: every CLI reader is capped (the library never opens: the read fails first)
    ("scenarios-import-dev-zero", ["scenarios", "import", "/dev/zero", "--db", "sqlite:///{files}/never.db"],
     "larger than the 47.7 MB limit"),
    ("max-claims-mb-nan", ["claims", "{files}/good_census.csv", "--max-claims-mb", "nan"],
     "--max-claims-mb: must be more than 0"),
    ("max-claims-mb-negative", ["claims", "{files}/good_census.csv", "--max-claims-mb", "-1"], "must be more than 0"),
    ("max-claims-mb-inf", ["claims", "{files}/good_census.csv", "--max-claims-mb", "inf"], "must be more than 0"),
    ("uptake-empty-item", ["evaluate", "--set", "plan.uptake_by_year=0.1,,0.2"], "item 2 is empty"),
    ("uptake-trailing-comma", ["evaluate", "--set", "plan.uptake_by_year=0.1,0.2,"], "item 3 is empty"),
    ("uptake-arabic-indic", ["evaluate", "--set", "plan.uptake_by_year=0.1,\u0660.\u0663"],
     "item 2 ('\u0660.\u0663') is not a number written with the digits 0-9"),
    ("uptake-underscore", ["evaluate", "--set", "plan.uptake_by_year=1_0"], "item 1 ('1_0') is not a number"),
    ("db-psycopg2-driver", ["scenarios", "list", "--db", "postgresql+psycopg2://u:p@127.0.0.1:1/x"],
     "cannot be reached"),  # psycopg2 URLs are read with psycopg 3: no ModuleNotFoundError
    ("db-asyncpg-driver", ["scenarios", "list", "--db", "postgresql+asyncpg://u@127.0.0.1:1/x"],
     "the PostgreSQL driver 'asyncpg' is not supported"),
    ("db-empty", ["scenarios", "list", "--db", ""], "the database URL is empty"),
    ("db-sqlite-memory", ["scenarios", "list", "--db", "sqlite:///"], "an in-memory SQLite library is lost"),
    ("db-sqlite-memory-named", ["scenarios", "list", "--db", "sqlite:///:memory:"], "in-memory SQLite"),
    ("db-sqlite-driver", ["scenarios", "list", "--db", "sqlite+aiosqlite:///x.db"], "SQLite driver 'aiosqlite'"),
    ("name-empty", ["evaluate", "--name", ""], "the name must have at least one visible character"),
    ("name-blank", ["evaluate", "--name", "   "], "at least one visible character"),
    ("name-zero-width", ["evaluate", "--name", "\u200b"], "at least one visible character"),
]


def scenario_files() -> dict[str, tuple[bytes, str]]:
    """name -> (bytes, expected message piece) for scenario files (CLI and dashboard upload)."""
    return {
        "deep.json": (('{"workforce": ' + "[" * 10_000 + "]" * 10_000 + "}").encode(), "nested more than 32"),
        "int_5000_digits.json": (('{"workforce": {"employees": ' + BIG_INT + "}}").encode(), "5,000 characters"),
        "duplicate_keys.json": (b'{"workforce": {"employees": 10, "employees": 5000}}', "appears twice"),
        "schema_version_true.json": (b'{"schema_version": true}', "schema_version true is not supported"),
        "employees_true.json": (b'{"workforce": {"employees": true}}', "must be a whole number from 1 to"),
        "employees_fraction.json": (b'{"workforce": {"employees": 2.5}}', "whole number from 1 to 10000000, got 2.5"),
        "nan_literal.json": (b'{"condition": {"prevalence": NaN}}', "NaN is not a number JSON allows"),
        "infinity_literal.json": (b'{"condition": {"prevalence": Infinity}}', "Infinity is not a number"),
        "too_big.json": (b'{"name": "' + b"x" * 1_100_000 + b'"}', "larger than the 1.0 MB limit"),
        "not_utf8.json": (b'{"name": "\xff\xfe\xfa"}', "not UTF-8"),
        "top_level_array.json": (b"[1, 2, 3]", "must be a JSON object"),
        "unknown_field.json": (b'{"workforce": {"salary_bonus": 1}}', "unknown field 'workforce.salary_bonus'"),
        "too_many_programs.json": (json.dumps({"programs": [{}] * 13}).encode(), "programs"),
        "control_chars_name.json": (b'{"name": "a\\u0007b"}', "control characters"),
        "long_float.json": (('{"condition": {"prevalence": 0.' + "1" * 5000 + "}}").encode(), "at most 40"),
        "bool_uptake.json": (b'{"programs": [{"uptake": false}]}', "programs.0.uptake must be a number"),
    }


#: Share-link cases: (id, query pairs, expected message piece, a valid field that must be kept).
LINKS = [
    ("link-true-as-number", [("workforce.employees", "true")], "Number of employees"),
    ("link-fraction", [("workforce.employees", "2.5")], "whole number"),
    ("link-int-5000-digits", [("workforce.employees", BIG_INT)], "at most 40"),
    ("link-superscript-index", [("programs.\u00b2.uptake", "0.3")], "programs\\.\u00b2\\.uptake"),
    ("link-arabic-indic-index", [("programs.\u0663.uptake", "0.3")], "programs\\.\u0663\\.uptake"),
    ("link-300-unknown-keys", [(f"junk{i}", "1") for i in range(300)], "300 keys that are not an input"),
    ("link-repeated-key", [("workforce.employees", "100"), ("workforce.employees", "200")],
     "the last value (200) is used"),
    ("link-url-as-key", [("http://evil.example/x", "1")], "evil\\.example\\/x"),
    ("link-deep-value", [("name", DEEP)], "nested more than 32"),
    ("link-nan", [("condition.prevalence", "NaN")], "finite number"),
    ("link-schema-true", [("schema_version", "true")], "schema"),
]

#: Widget cases (dashboard AppTest): (id, widget path, value, expected message piece).
WIDGETS = [
    ("widget-employees-negative", "workforce.employees", -5, "outside the allowed range"),
    ("widget-employees-too-many", "workforce.employees", 10**9, "outside the allowed range"),
    ("widget-prevalence-too-high", "condition.prevalence", 150.0, "outside the allowed range"),
]


_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
           + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                      for i in range(1, 10))
           + b']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
           b"<si><t>&lol9;</t></si></sst>")


def upload_files() -> dict[str, tuple[bytes, str]]:
    """Census uploads: name -> (bytes, expected message piece) (CLI ``census FILE`` and the page)."""
    us_money = ("id;job;salary\n" + "".join(
        f"{i};Clerk;{v}\n" for i, v in enumerate(["$52,000", "$48,500.00", "75,250"] * 134 + ["$61,000"], 1)))
    return {
        "good_census.csv": (b"job_family,age,sex,annual_salary\n" + b"Nurse,52,F,61000\nClerk,29,M,41000\n" * 10,
                            ""),
        "semicolon_us_money.csv": (us_money.encode(), ""),
        "ambiguous_decimal.csv": (b"id;job;salary\n1;Clerk;75,250\n2;Nurse;61,000\n", "cannot tell the decimal mark"),
        "hyperlink_header.csv": (b'job,=HYPERLINK("http://evil.example"),age\nNurse,1,40\n', ""),
        "binary.csv": (bytes(range(256)) * 40, "not a text (CSV) file"),
        "empty.csv": (b"", "the file is empty"),
        "wide_header.csv": ((",".join(f"c{i}" for i in range(5000)) + "\n").encode(), "at most 500 are accepted"),
        "beyond_header.xlsx": (beyond_header(), "beyond the last named column"),
        "billion_laughs.xlsx": (billion_laughs(), "document type declaration"),
        "pdf.csv": (b"%PDF-1.4\n" + b"0" * 100, "PDF or an image"),
        "old_xls.xls": (b"\xd0\xcf\x11\xe0" + b"\0" * 600, "old Excel .xls"),
        "not_zip.xlsx": (b"PK\x03\x04garbage" * 10, "damaged"),
    }


_CT = (b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       b'<Default Extension="xml" ContentType="application/xml"/>'
       b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
       b'spreadsheetml.sheet.main+xml"/></Types>')
_RELS = (b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
         b'officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WB = (b'<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
       b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
       b'<sheet name="Census" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WB_RELS = (b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            b'worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
# header "job_family", "age" and one row "Nurse", 40, the strings shared (indices 0, 1, 2)
_SHEET = (b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
          b'<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
          b'<row r="2"><c r="A2" t="s"><v>%d</v></c><c r="B2"><v>40</v></c></row></sheetData></worksheet>')


def _member(z: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    z.writestr(info, data)


def _stream_member(z: zipfile.ZipFile, name: str, head: bytes, unit: bytes, total: int, tail: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    with z.open(info, "w", force_zip64=True) as fh:
        fh.write(head)
        chunk = unit * (1 << 20 // len(unit) + 1)
        left = total
        while left > 0:
            fh.write(chunk[:left])
            left -= len(chunk)
        fh.write(tail)


def shared_strings_bomb(unpacked: int, lie: bool = False, used: bool = True) -> bytes:
    """An .xlsx whose sharedStrings.xml unpacks to ``unpacked`` bytes (~1/1000 of it on the wire).

    ``used``: the sheet's row 2 uses the huge string (else it sits after the strings the sheet uses);
    ``lie``: the zip's directory declares 1,000 bytes for it (the reader must stop at that size).
    """
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in (("[Content_Types].xml", _CT), ("_rels/.rels", _RELS), ("xl/workbook.xml", _WB),
                           ("xl/_rels/workbook.xml.rels", _WB_RELS),
                           ("xl/worksheets/sheet1.xml", _SHEET % (3 if used else 2))):
            _member(z, name, data)
        head = (b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                b"<si><t>job_family</t></si><si><t>age</t></si><si><t>Nurse</t></si><si><t>")
        _stream_member(z, "xl/sharedStrings.xml", head, b"A" * 4096, unpacked, b"</t></si></sst>")
    data = out.getvalue()
    if lie:  # rewrite the declared size (central directory) to 1,000 bytes
        data = _declare_small(data, "xl/sharedStrings.xml")
    return data


def many_strings_bomb(n: int, length: int) -> bytes:
    """``n`` distinct shared strings of ``length`` characters, every one used by a cell (~600 MB of text)."""
    out = io.BytesIO()
    rows = b"".join(b'<row r="%d"><c r="A%d" t="s"><v>%d</v></c></row>' % (i + 2, i + 2, i + 1) for i in range(n))
    sheet = (b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             b'<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row>' + rows + b"</sheetData></worksheet>")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in (("[Content_Types].xml", _CT), ("_rels/.rels", _RELS), ("xl/workbook.xml", _WB),
                           ("xl/_rels/workbook.xml.rels", _WB_RELS), ("xl/worksheets/sheet1.xml", sheet)):
            _member(z, name, data)
        info = zipfile.ZipInfo("xl/sharedStrings.xml", date_time=(2024, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with z.open(info, "w", force_zip64=True) as fh:
            fh.write(b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                     b"<si><t>job_family</t></si>")
            body = b"B" * (length - 8)
            for i in range(n):
                fh.write(b"<si><t>%08d" % i + body + b"</t></si>")
            fh.write(b"</sst>")
    return out.getvalue()


def _inline(ref: str, v: object) -> bytes:
    if isinstance(v, str):
        return b'<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' % (ref.encode(), v.encode())
    return b'<c r="%s"><v>%s</v></c>' % (ref.encode(), str(v).encode())


def beyond_header() -> bytes:
    """Header job_family, age; rows 3 and 4 have values in columns C and D (no header there)."""
    rows = [["job_family", "age"], ["Nurse", 40], ["Clerk", 30, "stray"], ["Cook", 50, None, "x"]]
    xml = b"".join(b'<row r="%d">' % r + b"".join(_inline(f"{'ABCD'[c]}{r}", v) for c, v in enumerate(vals)
                                                  if v is not None) + b"</row>"
                   for r, vals in enumerate(rows, start=1))
    sheet = (b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             b"<sheetData>" + xml + b"</sheetData></worksheet>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in (("[Content_Types].xml", _CT), ("_rels/.rels", _RELS), ("xl/workbook.xml", _WB),
                           ("xl/_rels/workbook.xml.rels", _WB_RELS), ("xl/worksheets/sheet1.xml", sheet)):
            _member(z, name, data)
    return out.getvalue()


def billion_laughs() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in (("[Content_Types].xml", _CT), ("_rels/.rels", _RELS), ("xl/workbook.xml", _WB),
                           ("xl/_rels/workbook.xml.rels", _WB_RELS), ("xl/worksheets/sheet1.xml", _SHEET % 0),
                           ("xl/sharedStrings.xml", _LAUGHS)):
            _member(z, name, data)
    return out.getvalue()


def _declare_small(data: bytes, member: str) -> bytes:
    buf = bytearray(data)
    name = member.encode()
    z = zipfile.ZipFile(io.BytesIO(data))
    info = z.getinfo(member)
    cd = buf.find(b"PK\x01\x02", 0)
    while cd != -1:
        n = int.from_bytes(buf[cd + 28:cd + 30], "little")
        if bytes(buf[cd + 46:cd + 46 + n]) == name:
            buf[cd + 24:cd + 28] = (1000).to_bytes(4, "little")  # uncompressed size
            extra = int.from_bytes(buf[cd + 30:cd + 32], "little")
            x = cd + 46 + n
            end = x + extra
            while x < end:  # zip64 extra field: first 8 bytes = uncompressed size
                hid, size = int.from_bytes(buf[x:x + 2], "little"), int.from_bytes(buf[x + 2:x + 4], "little")
                if hid == 1:
                    buf[x + 4:x + 12] = (1000).to_bytes(8, "little")
                x += 4 + size
        cd = buf.find(b"PK\x01\x02", cd + 4)
    assert info.file_size > 1000
    return bytes(buf)


#: Decompression bombs: name -> (how to make it, expected message piece; "" = read, harmlessly).
BOMB_SPECS = {
    "strings_bomb_1200mb.xlsx": (lambda: shared_strings_bomb(1200 * 1024 * 1024), "unpacks to 1,200"),
    "strings_bomb_lying_header.xlsx": (lambda: shared_strings_bomb(64 * 1024 * 1024, lie=True), "damaged"),
    "strings_bomb_300mb_unused.xlsx": (lambda: shared_strings_bomb(300 * 1024 * 1024, used=False), ""),
    "strings_bomb_300mb_used.xlsx": (lambda: shared_strings_bomb(300 * 1024 * 1024), "32,767-character cell limit"),
    "many_strings_bomb.xlsx": (lambda: many_strings_bomb(12_000, 30_000), "the workbook's text is more than"),
}
BOMB_NAMES = tuple(BOMB_SPECS)


def bomb_expectations() -> dict[str, tuple[None, str]]:
    return {n: (None, e) for n, (_, e) in BOMB_SPECS.items()}


def bombs() -> dict[str, tuple[bytes, str]]:
    """Decompression bombs: name -> (bytes, expected message piece) (about 30 s to make)."""
    return {n: (make(), e) for n, (make, e) in BOMB_SPECS.items()}


def manifest() -> list[dict]:
    cases = [{"id": i, "channel": "cli", "args": a, "expect": e} for i, a, e in CLI]
    cases += [{"id": f"file-{n}", "channel": "scenario_file", "file": n, "expect": e}
              for n, (_, e) in scenario_files().items()]
    cases += [{"id": i, "channel": "share_link", "query": q, "expect": e} for i, q, e in LINKS]
    cases += [{"id": f"upload-{n}", "channel": "upload", "file": n, "expect": e}
              for n, (_, e) in upload_files().items()]
    cases += [{"id": i, "channel": "widget", "widget": w, "value": v, "expect": e} for i, w, v, e in WIDGETS]
    return cases


def write(folder: Path, with_bombs: bool = False) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (data, _) in {**scenario_files(), **upload_files(), **(bombs() if with_bombs else {})}.items():
        (folder / name).write_bytes(data)
        written.append(folder / name)
    m = folder / "manifest.json"
    m.write_text(json.dumps(manifest(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    written.append(m)
    return written


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "tests/data/hostile")
    files = write(out, with_bombs="--bombs" in sys.argv)
    print(f"wrote {len(files)} files, {len(manifest())} cases, to {out}")
