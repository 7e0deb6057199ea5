"""Generated inputs (hypothesis): case files and CSV rows of every odd shape end in an order or
in one AssemblerError of one line, never in another exception, and an error writes nothing.

The library is called in-process (no subprocess per input), so the 600 inputs (200 a test) take seconds.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assembler.batch import BatchOptions, run_batch
from assembler.case import load_located_case
from assembler.errors import AssemblerError
from assembler.output import write_atomic
from assembler.render import render_order

from conftest import FIXTURES

FUZZ = settings(max_examples=200, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])

# Values a person or a program might put in a field: near-misses of every type, YAML's odd
# corners, characters Word cannot hold, and sizes no order has.
ODD_SCALARS = st.sampled_from([
    "0", "-1", "29", "29.0", "3_1", "1e27", "0x1F", "0o17", ".inf", "-.inf", ".nan", "NaN",
    "99999999999999999999999999999", "9" * 5000, "0.004", "7,500.00", "$7,500", "true", "no",
    "~", "null", "''", '""', "[]", "{}", "[[[[]]]]", "[" * 300 + "]" * 300, "&a [*a]", "*x",
    "!!binary aGk=", "!foo bar", "!!python/object:os.system ls", "<<: {a: 1}", "2025-02-30",
    "9999-12-31", "10000-01-01", "0001-01-01", "3/4/2025", "13/13/2025", "2/29/2023",
    '"\\u2028"', '"a\\x85b"', '"\\x7f"', '"\\x00"', '"\\ue000"', '"\\ud800"', "|\n  block",
    ">\n  folded", "'{{ 7 * 7 }}'", "'{% include \"x\" %}'", "'[^1]'", "'<w:p/>'", "'&amp;'",
    "granted", "grantd", "default_judgment", "192.0.2.300", "::1", "ctd", "ctx",
    "../../../../etc", "'" + "a" * 400 + "'",
])
ODD_TEXT = st.text(max_size=40).map(json.dumps)  # any characters, as a quoted YAML scalar
YAML_VALUE = st.one_of(ODD_SCALARS, ODD_TEXT, st.integers().map(str))

CASE_LINES = [
    "court: {}", "case_number: {}", "judge_initials: {}", "judge: {{name: {}}}",
    "plaintiffs: [{{name: {}, short_name: Strix}}]",
    "defendants: [{{name: John Doe, short_name: Doe, pseudonym: {}, sealed_name: Jane Roe, "
    "ip_address: 192.0.2.4}}]",
    "isp: {}", "sealing: {{order_doc: {}}}", "motion:\n  kind: {}", "  doc: {}",
    "  relief: {{statutory_damages: {}, permanent_injunction: true}}",
    "ruling:\n  outcome: {}", "  renewal_days: {}", "signed: {{place: New Haven, date: {}}}",
    "introduction: {}", "discussion:\n  - when: [{}]\n    text: Text.",
]
GOOD = ["ctd", '"3:24-cv-00100"', "AFL", "Ada Fictional Lane", '"Strix Media, LLC"', "true",
        "Example Broadband Co.", "5", "default_judgment", "29", "7500", "granted", "30",
        "2023-04-03", "Some text.", "granted"]


@st.composite
def case_files(draw):
    """A valid case with one to three lines given odd values (or, sometimes, dropped)."""
    values = list(GOOD)
    for index in draw(st.lists(st.integers(0, len(GOOD) - 1), min_size=1, max_size=3)):
        values[index] = draw(st.one_of(YAML_VALUE, st.just(None)))
    lines = [line.format(value) for line, value in zip(CASE_LINES, values, strict=True)
             if value is not None]
    return "\n".join(lines) + "\n"


def _attempt(case_path: Path, out: Path) -> None:
    """Load, render and write as `assembler render` does; only an AssemblerError may stop it,
    it is one line, and then nothing is written."""
    try:
        case, _ = load_located_case(case_path)
        order = render_order(case, case_dir=case_path.parent)
        write_atomic(out / order.output_name, order.data)
    except AssemblerError as exc:
        assert "\n" not in str(exc) and "\r" not in str(exc), str(exc)
        assert list(out.iterdir()) == []


@FUZZ
@given(text=case_files())
def test_generated_yaml_case_files(text):
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "case.yaml").write_text(text, encoding="utf-8")
        (folder / "out").mkdir()
        _attempt(folder / "case.yaml", folder / "out")


JSON_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20),
              st.sampled_from(["2023-04-03", "2025-02-30", "granted", "ctd", "29"])),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=3),
    max_leaves=8)
JSON_PATHS = [("court",), ("case_number",), ("judge", "name"), ("plaintiffs",),
              ("defendants", 0, "name"), ("defendants", 0, "ip_address"), ("motion", "doc"),
              ("motion", "kind"), ("motion", "relief", "statutory_damages"),
              ("ruling", "outcome"), ("ruling", "renewal_days"), ("signed", "date"),
              ("introduction",), ("discussion",), ("chambers",), ("extra",)]


@FUZZ
@given(changes=st.lists(st.tuples(st.sampled_from(JSON_PATHS), JSON_VALUE), min_size=1,
                        max_size=3))
def test_generated_json_case_files(changes):
    data = {"court": "ctd", "case_number": "3:24-cv-00100", "judge": {"name": "Ada Lane"},
            "plaintiffs": [{"name": "Strix Media, LLC"}],
            "defendants": [{"name": "John Doe", "ip_address": "192.0.2.4"}],
            "motion": {"kind": "default_judgment", "doc": 29,
                       "relief": {"statutory_damages": 7500}},
            "ruling": {"outcome": "granted"}, "signed": {"place": "New Haven",
                                                         "date": "2023-04-03"}}
    for path, value in changes:
        node = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "case.json").write_text(json.dumps(data), encoding="utf-8")
        (folder / "out").mkdir()
        _attempt(folder / "case.json", folder / "out")


HEADERS = ["case_number", "defendants.0.ip_address", "isp", "motion.doc", "signed.date",
           "defendants.00.name", "plaintiffs.0.name", "ruling.renewal_days", "background",
           "motion.relief.statutory_damages", "chambers", "discussion.0.clause", "nonsense",
           "defendants.\u00b2.name", "ruling.outcome", ""]
CELL = st.one_of(st.text(max_size=30), ODD_SCALARS, st.sampled_from([
    "3:24-cv-00001", "=HYPERLINK(\"http://203.0.113.5\")", "+cmd|' /C calc'!A0", "@SUM(1)",
    "-2+3", "\tx", "\rx", "192.0.2.7", "3/4/2025", "2023-04-03", "Example Broadband Co."]))
BASE = FIXTURES / "batches" / "early-discovery.yaml"


@st.composite
def csv_files(draw):
    headers = draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=6))
    rows = draw(st.lists(st.lists(CELL, min_size=len(headers), max_size=len(headers)),
                         max_size=3))
    buffer = io.StringIO()
    csv.writer(buffer).writerows([headers, *rows])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    return buffer.getvalue().encode(encoding, errors="replace")


@FUZZ
@given(data=csv_files())
def test_generated_csv_batches(data):
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        rows = folder / "rows.csv"
        rows.write_bytes(data)
        out = folder / "out"
        options = BatchOptions(rows_file=rows, out_dir=out, base=BASE, jobs=1)
        try:
            summary = run_batch(options)
        except AssemblerError as exc:  # the whole CSV refused: nothing written
            assert "\n" not in str(exc), str(exc)
            assert not out.exists() or list(out.iterdir()) == []
            return
        with (out / "manifest.csv").open(encoding="utf-8-sig", newline="") as handle:
            entries = list(csv.DictReader(handle))
        assert len(entries) == summary.total
        written = {p.name for p in out.iterdir()} - {"manifest.csv"}
        assert written == {e["output"] for e in entries if e["status"] == "ok"}
        for entry in entries:
            assert "\n" not in entry["error"]
            for cell in entry.values():
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
        shutil.rmtree(out)
