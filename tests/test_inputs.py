"""Hostile and mistaken inputs: each is one line naming the file, the line (or row) and the
field, exit status 1, and nothing written; values are never silently changed."""

from __future__ import annotations

import json
import re
import zipfile

import pytest
import yaml
from click.testing import CliRunner

from assembler.cli import main

from conftest import FIXTURES, document_text

CASE = """\
court: ctd
case_number: "3:24-cv-00777"
judge: {name: Ada Fictional Lane}
plaintiffs: [{name: "Strix Media Group, LLC", short_name: Strix}]
defendants: [{name: John Doe, short_name: Doe}]
motion:
  kind: default_judgment
  doc: 29
  relief: {statutory_damages: 7500}
ruling:
  outcome: granted
  renewal_days: 30
signed: {place: New Haven, date: 2020-08-13}
"""


def render(tmp_path, text, name="case.yaml", *extra):
    case = tmp_path / name
    case.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    out = tmp_path / "out.docx"
    result = CliRunner().invoke(main, ["render", str(case), "-o", str(out), *extra],
                                catch_exceptions=False)
    return result, case, out


def one_line_error(result, case, out, *parts):
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if not line.startswith("note:")]
    assert len(lines) == 1, result.output
    assert lines[0].startswith(f"error: {case}"), lines[0]
    assert "Traceback" not in result.output
    for part in parts:
        assert part in lines[0], (part, lines[0])
    assert not out.exists()
    return lines[0]


def as_json(text=CASE, **changes):
    data = yaml.safe_load(text)
    data["signed"]["date"] = str(data["signed"]["date"])
    for dotted, value in changes.items():
        node = data
        *parents, last = dotted.split("__")
        for key in parents:
            node = node[key]
        node[last] = value
    return json.dumps(data, indent=1)


YAML_CASES = {
    "renewal past 9999": (CASE.replace("renewal_days: 30", "renewal_days: 99999999"),
                          ":12: ruling.renewal_days: must be at most 3,650"),
    "date 9999-12-31": (CASE.replace("2020-08-13", "9999-12-31"),
                        ":13: signed.date: invalid date '9999-12-31': the year must be between"),
    "huge amount": (CASE.replace("7500}", "100000000000000000000000000}"),
                    ":9: motion.relief.statutory_damages: must be at most $1,000,000,000,000"),
    "exponent amount": (CASE.replace("7500}", "1e27}"),
                        ":9: motion.relief.statutory_damages: must be an amount in dollars"),
    "fraction of a cent": (CASE.replace("7500}", "0.004}"),
                           ":9: motion.relief.statutory_damages: 0.004 has a fraction of a cent"),
    "underscore number": (CASE.replace("doc: 29", "doc: 3_1"),
                          ":8: motion.doc: must be a whole number written in digits, not '3_1'"),
    "binary tag": (CASE.replace("doc: 29", "doc: !!binary Mjk="),
                   ":8: motion.doc: YAML tags such as '!!binary' are not supported"),
    "local tag": (CASE.replace("court: ctd", "court: !foo ctd"),
                  ":1: court: YAML tags such as '!foo' are not supported"),
    "recursive alias": (CASE + "introduction: &loop [*loop]\n",
                        "introduction.0: an alias refers to the list or mapping it is in"),
    "5000 deep": (CASE + "introduction: " + "[" * 5000 + "]" * 5000 + "\n",
                  ":14: nested more than 40 levels deep"),
    "february 30": (CASE.replace("2020-08-13", "2025-02-30"),
                    ":13: signed.date: invalid date '2025-02-30': February 2025 has no 30th day"),
    "month 13": (CASE.replace("2020-08-13", "2025-13-01"),
                 ":13: signed.date: invalid date '2025-13-01': there is no month 13"),
    "day-first slashes": (CASE.replace("2020-08-13", "13/8/2020"),
                          "signed.date: invalid date '13/8/2020': dates with slashes are "
                          "month/day/year"),
    "DEL character": (CASE.replace("New Haven", "New\x7fHaven"),
                      ":13: the character U+007F is not allowed in YAML"),
    "line separator": (CASE.replace("3:24-cv-00777", "3:24\\u2028cv-00777"),
                       ":2: case_number: must be on one line"),
    "next line": (CASE.replace("3:24-cv-00777", "3:24\\x85cv-00777"),
                  ":2: case_number: must be on one line"),
    "chambers path too long": (CASE + "chambers: " + "a" * 300 + "\n",
                               ":14: chambers: the chambers folder cannot be read: File name too "
                               "long"),
    "bad outcome in when": (CASE + "introduction:\n  - when: [grantd]\n    text: Hello.\n",
                            ":15: introduction.0.when.0: 'grantd' is not one of"),
}


@pytest.mark.parametrize("name", list(YAML_CASES))
def test_a_bad_yaml_case_is_one_line_and_nothing_is_written(tmp_path, name):
    text, expected = YAML_CASES[name]
    result, case, out = render(tmp_path, text)
    one_line_error(result, case, out, expected)


JSON_CASES = {
    "boolean docket number": (as_json(motion__doc=True),
                              "motion.doc: must be a whole number, not true or false"),
    "boolean amount": (as_json(motion__relief={"statutory_damages": True}),
                       "motion.relief.statutory_damages: must be an amount in dollars, not true"),
    "float fraction of a cent": (as_json(motion__relief={"statutory_damages": 0.004}),
                                 "0.004 has a fraction of a cent"),
    "huge float": (as_json(motion__relief={"statutory_damages": 1e300}),
                   "must be at most $1,000,000,000,000"),
    "NaN": (as_json().replace('"doc": 29', '"doc": NaN'), "NaN is not a number"),
    "4,301-digit integer": (as_json().replace('"doc": 29', '"doc": ' + "9" * 4301),
                            "a number thousands of digits long"),
    "100,000 deep": (as_json().replace('"doc": 29', '"doc": ' + "[" * 100000 + "]" * 100000),
                     "nested more than 40 levels deep"),
    "duplicate key": (as_json().replace('"court": "ctd",', '"court": "ctd",\n "court": "nysd",'),
                      "court: duplicate key 'court' (first given on line 2)"),
}


@pytest.mark.parametrize("name", list(JSON_CASES))
def test_a_bad_json_case_is_one_line_and_nothing_is_written(tmp_path, name):
    text, expected = JSON_CASES[name]
    result, case, out = render(tmp_path, text, "case.json")
    line = one_line_error(result, case, out, expected)
    if name not in ("boolean docket number", "boolean amount", "float fraction of a cent",
                    "huge float", "NaN"):
        assert re.match(rf"error: {re.escape(str(case))}:\d+: ", line), line  # with its line


def test_a_utf16_case_file_is_read(tmp_path):
    result, case, out = render(tmp_path, CASE.encode("utf-16"))
    assert result.exit_code == 0, result.output
    assert "Strix Media Group" in document_text(out.read_bytes())


def test_amounts_and_us_dates_are_read_as_written(tmp_path):
    text = CASE.replace("7500}", '"7,500.50"}').replace("2020-08-13", "8/13/2020")
    result, case, out = render(tmp_path, text)
    assert result.exit_code == 0, result.output
    body = document_text(out.read_bytes())
    assert "$7,500.50" in body and "13th day of August 2020" in body


# ---- clauses and templates -------------------------------------------------------------------

def chambers_case(tmp_path, body, *, raw=None):
    folder = tmp_path / "chambers" / "clauses" / "x"
    folder.mkdir(parents=True)
    source = raw if raw is not None else (
        "---\nid: x/y\ntitle: A test clause\n---\n" + body + "\n").encode("utf-8")
    (folder / "y.md").write_bytes(source)
    return CASE + "chambers: chambers\ndiscussion:\n  - clause: x/y\n"


CLAUSES = {
    "calls itself": ("{{ clause('x/y') }}", "clauses call each other without end (x/y -> x/y)"),
    "include": ("{% include 'other.md' %}", "include, import and extends are not available"),
    "import": ("{% import 'other.md' as o %}", "include, import and extends are not available"),
    "extends": ("{% extends 'other.md' %}", "include, import and extends are not available"),
    "range 10**7": ("{% for i in range(10**7) %}{% endfor %}", "cannot render"),
    "deadline of text": ("{{ deadline('soon') }}", "deadline() takes a number of days"),
    "deadline of a billion": ("{{ deadline(10**9) }}", "deadline() takes a number of days"),
    "money of text": ("{{ 'lots' | money }}", "money needs an amount, not 'lots'"),
    "ordinal of text": ("{{ 'x' | ordinal }}", "ordinal needs a whole number, not 'x'"),
    "longdate of a number": ("{{ 5 | longdate }}", "longdate needs a date, not 5"),
}


@pytest.mark.parametrize("name", list(CLAUSES))
def test_a_clause_that_cannot_render_is_one_line(tmp_path, name):
    body, expected = CLAUSES[name]
    result, case, out = render(tmp_path, chambers_case(tmp_path, body))
    clause_file = tmp_path / "chambers" / "clauses" / "x" / "y.md"
    line = one_line_error(result, clause_file, out, expected)
    assert f"error: {clause_file}: clause x/y: " in line


def test_a_clause_file_that_is_not_utf8_is_one_line(tmp_path):
    raw = "---\nid: x/y\ntitle: Peña\n---\nText.\n".encode("cp1252")
    result, case, out = render(tmp_path, chambers_case(tmp_path, "", raw=raw))
    assert result.exit_code == 1 and not out.exists()
    lines = result.output.splitlines()
    assert len(lines) == 1 and "y.md" in lines[0] and "not UTF-8" in lines[0], result.output


def _template_with(tmp_path, part, data):
    source = FIXTURES.parent / "templates" / "order.docx"
    target = tmp_path / "broken.docx"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as copy:
        for item in original.infolist():
            if item.filename != part:
                copy.writestr(item, original.read(item.filename))
        if data is not None:
            copy.writestr(part, data)
    return target


@pytest.mark.parametrize("part", ["[Content_Types].xml", "_rels/.rels",
                                  "word/_rels/document.xml.rels"])
@pytest.mark.parametrize("problem", ["malformed", "missing", "not utf-8"])
def test_a_template_with_a_broken_package_part_is_one_line(tmp_path, part, problem):
    data = {"malformed": b"<Types><Default", "missing": None,
            "not utf-8": '<?xml version="1.0" encoding="UTF-8"?><Types a="Peña"/>'.encode(
                "cp1252")}[problem]
    template = _template_with(tmp_path, part, data)
    case = tmp_path / "case.yaml"
    case.write_text(CASE, encoding="utf-8")
    out = tmp_path / "out.docx"
    result = CliRunner().invoke(main, ["render", str(case), "-o", str(out), "--template",
                                       str(template)], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {template}"), result.output
    assert part in lines[0], lines[0]
    assert not out.exists()


# ---- CSV rows --------------------------------------------------------------------------------

BATCHES = FIXTURES / "batches"
BASE = BATCHES / "early-discovery.yaml"
HEADER = "case_number,defendants.0.ip_address,isp,motion.doc,signed.date\n"


def batch(tmp_path, data, *extra):
    rows = tmp_path / "rows.csv"
    rows.write_bytes(data)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", str(rows), "--base", str(BASE), "-o", str(out),
                                       "-j", "1", *extra], catch_exceptions=False)
    return result, rows, out


def test_a_us_date_csv_batch_renders(tmp_path):
    text = (HEADER + "3:25-cv-00001,192.0.2.1,Example Broadband Co.,6,3/4/2025\n"
            "3:25-cv-00002,192.0.2.2,Example Broadband Co.,6,2025-03-05\n"
            "3:25-cv-00003,192.0.2.3,Example Broadband Co.,6,13/3/2025\n")
    result, rows, out = batch(tmp_path, text.encode("utf-8"))
    assert result.exit_code == 1
    assert result.stdout.startswith("2 ok, 1 failed")
    assert (f"error: {rows}:row 4: signed.date: invalid date '13/3/2025': dates with slashes "
            "are month/day/year, and there is no month 13") in result.stderr
    first = document_text((out / "3-25-cv-00001-order.docx").read_bytes())
    assert "4th day of March 2025" in first


def test_a_utf16_csv_as_excel_saves_unicode_text_is_read(tmp_path):
    text = HEADER + "3:25-cv-00001,192.0.2.1,Peña Broadband Co.,6,2025-03-04\n"
    result, rows, out = batch(tmp_path, text.encode("utf-16"))
    assert result.exit_code == 0, result.output
    assert "Peña Broadband Co." in document_text((out / "3-25-cv-00001-order.docx").read_bytes())


@pytest.mark.parametrize("data, message", [
    ((HEADER + "3:25-cv-00001,192.0.2.1,Example Broadband Co.,6,2025-03-04\n"
      "3:25-cv-00002,192.0.2.2,Caf\xe9 Net\x81,6,2025-03-04\n").encode("latin-1"),
     "neither UTF-8 nor Windows-1252 text (byte 0x81 on line 3)"),
    (HEADER.encode("utf-16-le"), "looks like UTF-16 text without a byte-order mark"),
    ("case_number,defendants.0.ip_address,defendants.00.ip_address\n1,192.0.2.1,192.0.2.2\n"
     .encode(), "duplicate header 'defendants.00.ip_address' (columns 2 and 3 name the same"),
    ("case_number,defendants.\u00b2.name\n1,x\n".encode(), "unknown header 'defendants.\u00b2.name'"),
])
def test_a_csv_that_cannot_be_read_stops_before_anything_is_written(tmp_path, data, message):
    result, rows, out = batch(tmp_path, data)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {rows}") and message in lines[0], \
        result.output
    assert not out.exists()
