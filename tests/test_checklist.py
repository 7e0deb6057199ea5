"""The check registry: every code defined once, every list derived from it."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from assembler import checklist
from assembler.checklist import Check, register, unregister
from assembler.cli import main

from conftest import ROOT

CASE = """\
court: ctd
case_number: "3:20-cv-00001"
judge: {name: Ada Fictional}
plaintiffs: [{name: "Northwind Pictures, LLC"}]
defendants: [{name: Bram Tollis}]
motion: {kind: default_judgment, doc: 12}
ruling: {outcome: denied}
signed: {place: Hartford, date: 2021-06-04}
background: |
  The complaint was filed in 2020.

  The plaintiff's licence plate is XQZ-4417.
"""


def _plates(text: str):
    for match in re.finditer(r"\b[A-Z]{3}-\d{4}\b", text):
        yield match.start(), f"a licence plate (…{match.group()[-2:]})"


@pytest.fixture
def plate_check():
    """A check one registry entry and its function add, and nothing else."""
    register(Check("licence-plate", "error", ("case file", "order", "docx", "pdf"),
                   "unless-allowed", "a vehicle's licence plate", scan=_plates))
    yield
    unregister("licence-plate")


def test_readme_table_is_the_registry():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- checks:start -->\n")[1].split("\n<!-- checks:end -->")[0]
    assert table == checklist.markdown_table()


def test_every_code_the_code_reports_is_registered():
    reported = set()
    for path in (ROOT / "assembler").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        reported |= set(re.findall(r'(?:Finding\(|report\(|yield |add\()\s*"(?:error|warning)",'
                                   r'\s*"([a-z0-9-]+)"', source))
        reported |= set(re.findall(r'\badd\("([a-z0-9-]+)"', source))
    assert len(reported) > 20
    assert reported - set(checklist.CHECKS) == set(), "register these in assembler/checklist.py"


def test_rule_5_2_codes_are_the_allowable_ones():
    assert set(checklist.rule_5_2_codes()) == {"ssn", "tin", "birth-date", "account-number",
                                               "minor-name"}
    assert checklist.allowable_codes() == checklist.rule_5_2_codes()


def test_a_registered_check_reaches_every_list_and_gate(plate_check, tmp_path):
    runner = CliRunner()
    for command in ("render", "batch"):
        help_text = " ".join(runner.invoke(main, [command, "--help"]).output.split())
        assert "minor-name, licence-plate)" in help_text
    listed = runner.invoke(main, ["checks"]).output
    assert "licence-plate" in listed and "a vehicle's licence plate" in listed
    case = tmp_path / "case.yaml"
    case.write_text(CASE, encoding="utf-8")
    found = runner.invoke(main, ["check", str(case)]).output
    assert "case.yaml:12: background: error: a licence plate (…17) [licence-plate]" in found
    out = tmp_path / "o.docx"
    refused = runner.invoke(main, ["render", str(case), "-o", str(out)])
    assert refused.exit_code == 1 and "a licence plate" in refused.output
    assert "--allow licence-plate" in refused.output and not out.exists()
    written = runner.invoke(main, ["render", str(case), "-o", str(out),
                                   "--allow", "licence-plate"])
    assert written.exit_code == 0, written.output
    docx_found = runner.invoke(main, ["check", str(out)]).output
    assert "[licence-plate]" in docx_found
    preview = runner.invoke(main, ["preview", "--data", str(case), "-o", str(tmp_path / "p.docx")])
    assert preview.exit_code == 0, preview.output


def test_allow_refuses_a_code_that_is_not_registered(tmp_path):
    result = CliRunner().invoke(main, ["render", "case.yaml", "--allow", "licence-plate"])
    assert result.exit_code == 2 and "'licence-plate' is not one of" in result.output
